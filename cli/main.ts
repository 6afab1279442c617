import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import { formatNorwegian } from '../texts/norwegian-format';
import { Pool } from 'pg';
import { InputError } from '../config/errors';
import { loadConfig } from '../config/env';
import { PgStore } from '../activities/db/pg-store';
import { SubmissionRepository } from '../activities/db/submission-repository';
import { AccountRepository, type UserRole } from '../activities/db/account-repository';
import { hashPassword, passwordProblem } from '../security/passwords';
import { z } from 'zod';
import { migrate } from '../activities/db/migrate';
import { connectClient } from '../temporal/connection';
import { EXIT_CODE, asDomainErrors, describeError } from '../application/errors';
import { ARSHJUL_RELEASE } from '../application/release';
import { openWorkflowsByRelease, patchVerdicts, releaseReport } from '../application/releases';
import * as control from '../application/run-control';
import { loadPlan } from '../planning/load-plan';
import { resolveTimeline } from '../planning/resolve-timeline';
import { rollPlanForward } from '../planning/roll-forward';
import { loadRoster } from '../planning/roster-import';
import { parseScenario, rehearse, scenarioSchema } from '../application/rehearsal';
import { previewEmail } from './email-preview';
import { TEMPLATE_IDS } from '../domain/email-templates';
import { installRuntime } from '../temporal/runtime';
import type { Timeline } from '../domain/timeline';

const oslo = (ms: number) => formatNorwegian(ms, 'compact');
/** Who the audit log says acted: the CLI and the user it ran as. */
const actor = (name: string) => `cli:${name}`;
const err = (line: string) => process.stderr.write(`${line}\n`);

async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) err('password (input is shown): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** Connects to PostgreSQL (migrating it) and Temporal as configured, runs `work`, and closes both. */
async function withControl<T>(work: (deps: control.RunControlDeps, store: PgStore, pool: Pool) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const url = config.database.url ?? config.database.embeddedUrl;
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    await migrate(url);
    const { client, connection } = await connectClient(config.temporal);
    try {
      const store = new PgStore({ pool });
      return await work({ client, store, taskQueue: config.temporal.taskQueue, emailTaskQueue: config.email.taskQueue }, store, pool);
    } finally {
      await connection.close();
    }
  } finally {
    await pool.end();
  }
}

function printTimeline(timeline: Timeline, regionFilter?: string): void {
  const rows: [number, string][] = [];
  for (const m of timeline.milestones) {
    for (const o of m.occurrences) {
      if (regionFilter && o.regionId !== null && o.regionId !== regionFilter) continue;
      const where = o.groupId ?? o.regionId ?? 'alle';
      rows.push([o.at, `${oslo(o.at)}  ${m.id.padEnd(32)} ${where.padEnd(18)} ${m.title}`]);
      for (const e of o.emails) rows.push([e.sendAt, `${oslo(e.sendAt)}    e-post ${e.template} → ${e.to}  (${m.id}, ${where})`]);
    }
  }
  for (const d of timeline.deliverables) {
    for (const w of d.windows) {
      if (regionFilter && w.regionId !== null && w.regionId !== regionFilter) continue;
      const where = w.groupId ?? w.regionId ?? 'alle';
      rows.push([w.opensAt, `${oslo(w.opensAt)}  ${`${d.id} åpner`.padEnd(32)} ${where.padEnd(18)} ${d.title}`]);
      w.reminderAts.forEach((at) => rows.push([at, `${oslo(at)}    påminnelse ${d.id} (${where})`]));
      rows.push([w.dueAt, `${oslo(w.dueAt)}  ${`${d.id} frist`.padEnd(32)} ${where.padEnd(18)} ${d.title}`]);
      rows.push([w.escalationAt, `${oslo(w.escalationAt)}    varsel til barnehagemyndighet om ${d.id} (${where})`]);
      rows.push([w.lateUntil, `${oslo(w.lateUntil)}  ${`${d.id} stenger`.padEnd(32)} ${where.padEnd(18)} sene innleveringer tas ikke lenger imot`]);
    }
  }
  rows.sort((a, b) => a[0] - b[0]).forEach(([, line]) => process.stdout.write(`${line}\n`));
}

export function buildProgram(): Command {
  const program = new Command('arshjul').description('Årshjul: the Kultur for læring programme year as durable Temporal workflows').showHelpAfterError();
  const as = new Option('--as <name>', 'who is acting (for the audit log)').default(process.env.USER ?? 'coordinator');

  const plan = program.command('plan').description('work with plan files');
  plan
    .command('show')
    .description('print the resolved timeline in Oslo time')
    .requiredOption('--plan <file>', 'plan file (YAML or JSON)')
    .option('--region <id>', 'only this region (and what applies to all)')
    .option('--json', 'print the resolved timeline as JSON')
    .action((opts: { plan: string; region?: string; json?: boolean }) => {
      const timeline = resolveTimeline(loadPlan(opts.plan));
      if (opts.json) process.stdout.write(`${JSON.stringify(timeline, null, 2)}\n`);
      else printTimeline(timeline, opts.region);
    });
  plan
    .command('new')
    .description('roll a plan forward to a new school year (same ISO week and weekday)')
    .requiredOption('--from <file>', 'the plan to start from')
    .requiredOption('--year <year>', 'the new school year (autumn year)', (v) => Number.parseInt(v, 10))
    .option('--out <file>', 'write here instead of standard output')
    .action((opts: { from: string; year: number; out?: string }) => {
      if (!Number.isInteger(opts.year) || opts.year < 2000 || opts.year > 2100) throw new InputError('Invalid --year', [{ message: 'expected a year like 2026' }]);
      loadPlan(opts.from);
      const format = extname(opts.out ?? opts.from).toLowerCase() === '.json' ? 'json' : 'yaml';
      const { text, moved, fromYear } = rollPlanForward(readFileSync(opts.from, 'utf8'), opts.year, format);
      if (opts.out) {
        writeFileSync(opts.out, text);
        err(`${moved} dates moved from ${fromYear}/${fromYear + 1} to ${opts.year}/${opts.year + 1}; written to ${opts.out}. Check the dates, then validate with: arshjul plan show --plan ${opts.out}`);
      } else process.stdout.write(text);
    });
  plan
    .command('check')
    .description('validate a plan and a roster without starting anything')
    .requiredOption('--plan <file>')
    .option('--roster <file>')
    .action((opts: { plan: string; roster?: string }) => {
      const p = loadPlan(opts.plan);
      const timeline = resolveTimeline(p);
      const roster = opts.roster ? loadRoster(opts.roster, p) : null;
      process.stdout.write(`plan ok: ${timeline.milestones.length} milestones, ${timeline.deliverables.length} deliverables, ${timeline.regions.length} regions\n`);
      if (roster) process.stdout.write(`roster ok: ${roster.municipalities.length} municipalities, ${roster.kindergartens.length} kindergartens\n`);
    });

  program
    .command('rehearse')
    .description('run the whole year on the time-skipping test server and print every milestone and email in time order')
    .requiredOption('--plan <file>')
    .requiredOption('--roster <file>')
    .option('--scenario <file>', 'who submits when (YAML or JSON); default: everyone on time')
    .option('--json', 'print one JSON array of {type, at, milestone, region, group, kindergarten, to, template}')
    .action(async (opts: { plan: string; roster: string; scenario?: string; json?: boolean }) => {
      installRuntime();
      const p = loadPlan(opts.plan);
      const roster = loadRoster(opts.roster, p);
      const scenario = opts.scenario ? parseScenario(readFileSync(opts.scenario, 'utf8'), opts.scenario) : scenarioSchema.parse({});
      const result = await rehearse(p, roster, scenario, { onProgress: (m) => err(`rehearse: ${m}`) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result.entries, null, 1)}\n`);
      } else {
        const lines = [...result.entries, ...result.submissions].sort((a, b) => a.at.localeCompare(b.at));
        for (const e of lines) {
          const where = [e.region, e.group !== e.region ? e.group : null, e.kindergarten].filter(Boolean).join(' ');
          process.stdout.write(`${e.at}  ${e.type.padEnd(10)} ${(e.milestone ?? '').padEnd(30)} ${where.padEnd(36)} ${e.to ?? ''} ${e.template ?? ''}\n`);
        }
      }
      const emails = result.entries.filter((e) => e.type === 'email').length;
      err(`rehearse: ${result.entries.length - emails} milestones, ${emails} emails, ${result.submissions.length} submissions, ${result.refusals.length} refused, in ${(result.wallMs / 1000).toFixed(1)} s`);
      for (const r of result.refusals) err(`rehearse: refused ${r.orgnr} ${r.deliverableId}: ${r.reason}`);
    });

  const email = program.command('email').description('email templates');
  email
    .command('preview <template>')
    .description('render a template with sample data (bokmål, Oslo time)')
    .option('--html', 'print the HTML part instead of the text')
    .action((template: string, opts: { html?: boolean }) => {
      const rendered = previewEmail(template);
      process.stdout.write(opts.html ? `${rendered.html}\n` : `Emne: ${rendered.subject}\n\n${rendered.text}\n`);
    });
  email
    .command('list')
    .description('the names of every email template')
    .action(() => void process.stdout.write(`${TEMPLATE_IDS.join('\n')}\n`));

  const run = program.command('run').description('start and steer a yearly run');
  run
    .command('start')
    .description('validate the plan and roster, store them and start the run')
    .requiredOption('--plan <file>')
    .requiredOption('--roster <file>')
    .action(async (opts: { plan: string; roster: string }) => {
      const p = loadPlan(opts.plan);
      err(`plan ${opts.plan} is valid`);
      const roster = loadRoster(opts.roster, p);
      err(`roster ${opts.roster} is valid: ${roster.kindergartens.length} kindergartens in ${roster.municipalities.length} municipalities`);
      control.startableTimeline(p, Date.now());
      const started = await withControl((deps) => control.startRun(deps, p, roster, actor(process.env.USER ?? 'coordinator')));
      process.stdout.write(`started ${started.runId}: ${started.regions} regions, ${started.kindergartens} kindergartens (their workflows start in pages of 200)\n`);
    });
  run
    .command('status')
    .description('the run, its regions and the deliverable counts')
    .requiredOption('--run <id>')
    .option('--kindergarten <orgnr>', 'one kindergarten instead')
    .option('--json')
    .action(async (opts: { run: string; kindergarten?: string; json?: boolean }) => {
      await withControl(async (deps) => {
        if (opts.kindergarten) {
          const k = await control.kindergartenStatus(deps, opts.run, opts.kindergarten);
          if (opts.json) return void process.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
          process.stdout.write(`${k.orgnr} (${k.regionId}/${k.groupId}, ${k.municipalityId}): ${k.state}\n`);
          for (const d of k.deliverables) process.stdout.write(`  ${d.id.padEnd(20)} ${d.status.padEnd(15)} frist ${oslo(d.dueAt)}${d.extended ? ' (utsatt)' : ''}, ${d.submissions} innlevering(er)\n`);
          if (k.next) process.stdout.write(`  neste: ${k.next.key} ${oslo(k.next.at)}\n`);
          return;
        }
        const { run: r, deliverables } = await control.runStatus(deps, opts.run);
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ run: r, deliverables }, null, 2)}\n`);
        process.stdout.write(`${r.runId}: ${r.state}, revision ${r.revision}, ends ${oslo(r.endsAt)}\n`);
        for (const region of r.regions) process.stdout.write(`  region ${region.id} (${region.name}): ${region.workflowId}\n`);
        for (const d of deliverables) process.stdout.write(`  ${d.deliverableId.padEnd(20)} ${d.status.padEnd(15)} ${d.count}\n`);
      });
    });
  run
    .command('reschedule')
    .description('move a milestone for everyone, one region or one workshop group')
    .requiredOption('--run <id>')
    .requiredOption('--milestone <id>')
    .requiredOption('--at <local>', 'new local date and time, e.g. 2018-01-25T09:00')
    .option('--region <id>')
    .option('--group <id>')
    .addOption(as)
    .action(async (opts: { run: string; milestone: string; at: string; region?: string; group?: string; as: string }) => {
      const result = await withControl((deps) =>
        control.rescheduleMilestone(deps, opts.run, { milestoneId: opts.milestone, regionId: opts.region ?? null, groupId: opts.group ?? null, at: opts.at }, actor(opts.as)),
      );
      process.stdout.write(`revision ${result.revision}: ${result.moved.length} occurrence(s) moved; regions told: ${result.regionsNotified.join(', ')}\n`);
      for (const m of result.moved) process.stdout.write(`  ${m.milestoneId} ${m.groupId ?? m.regionId ?? 'alle'}: ${oslo(m.from)} → ${oslo(m.to)}\n`);
    });
  run
    .command('extend')
    .description("give one kindergarten a later deadline for one deliverable")
    .requiredOption('--run <id>')
    .requiredOption('--kindergarten <orgnr>')
    .requiredOption('--deliverable <id>')
    .requiredOption('--due <local>', 'new local deadline, e.g. 2018-03-09T16:00')
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; deliverable: string; due: string; as: string }) => {
      const r = await withControl((deps) => control.extendDeadline(deps, opts.run, opts.kindergarten, opts.deliverable, opts.due, actor(opts.as)));
      process.stdout.write(`new deadline ${oslo(r.dueAt)}; late submissions until ${oslo(r.lateUntil)}\n`);
    });
  run
    .command('add-kindergarten')
    .description('add a kindergarten mid-year; it joins at the current phase')
    .requiredOption('--run <id>')
    .requiredOption('--orgnr <orgnr>')
    .requiredOption('--name <name>')
    .requiredOption('--municipality <id>')
    .requiredOption('--director-name <name>')
    .requiredOption('--director-email <email>')
    .option('--group <id>')
    .option('--participants <n>', 'participants', (v) => Number.parseInt(v, 10))
    .addOption(as)
    .action(async (opts: { run: string; orgnr: string; name: string; municipality: string; directorName: string; directorEmail: string; group?: string; participants?: number; as: string }) => {
      const input = {
        orgnr: opts.orgnr,
        name: opts.name,
        municipalityId: opts.municipality,
        director: { name: opts.directorName, email: opts.directorEmail },
        ...(opts.group ? { groupId: opts.group } : {}),
        ...(opts.participants !== undefined ? { participants: opts.participants } : {}),
      };
      const r = await withControl((deps) => control.addKindergarten(deps, opts.run, input, actor(opts.as)));
      process.stdout.write(`added ${opts.orgnr} to ${r.regionId}/${r.groupId}: ${r.workflowId}\n`);
    });
  run
    .command('withdraw')
    .description('withdraw a kindergarten: no more emails, submissions refused')
    .requiredOption('--run <id>')
    .requiredOption('--kindergarten <orgnr>')
    .option('--reason <text>', 'why', 'trukket fra programmet')
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; reason: string; as: string }) => {
      const r = await withControl((deps) => control.withdrawKindergarten(deps, opts.run, opts.kindergarten, opts.reason, actor(opts.as)));
      process.stdout.write(`withdrawn: ${r.workflowId}\n`);
    });
  for (const [name, fn, text] of [
    ['pause', control.pauseRun, 'hold every email until resumed'],
    ['resume', control.resumeRun, 'send what is due and still useful, and carry on'],
    ['cancel', control.cancelRun, 'end the run for everyone'],
  ] as const) {
    run
      .command(name)
      .description(text)
      .requiredOption('--run <id>')
      .option('--reason <text>')
      .addOption(as)
      .action(async (opts: { run: string; reason?: string; as: string }) => {
        const r = await withControl((deps) => fn(deps, opts.run, actor(opts.as), opts.reason));
        process.stdout.write(`${opts.run}: ${r.state}\n`);
      });
  }
  run
    .command('reissue-link')
    .description("re-issue a kindergarten's upload link for a deliverable: older links stop working, the director gets the new one")
    .requiredOption('--run <id>')
    .requiredOption('--kindergarten <orgnr>')
    .requiredOption('--deliverable <id>')
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; deliverable: string; as: string }) => {
      const r = await withControl((deps) => control.reissueUploadLink(deps, opts.run, opts.kindergarten, opts.deliverable, actor(opts.as)));
      process.stdout.write(`link version ${r.version} emailed to the director (${r.workflowId}); valid until ${oslo(r.lateUntil)}\n`);
    });
  const release = program.command('release').description('releases and the patches in the workflow code');
  release
    .command('runs')
    .description('the open runs by the Årshjul release that started them, and which patched() branches may be retired')
    .option('--json')
    .action(async (opts: { json?: boolean }) => {
      await withControl(async (deps) => {
        const open = await asDomainErrors(() => openWorkflowsByRelease(deps.client));
        const verdicts = patchVerdicts(open);
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ release: ARSHJUL_RELEASE, open, patches: verdicts }, null, 2)}\n`);
        for (const line of releaseReport(open, verdicts)) process.stdout.write(`${line}\n`);
      });
    });
  const user = program.command('user').description('console accounts');
  user
    .command('add')
    .description('create a console account; the password is read from ARSHJUL_PASSWORD or the first line of stdin')
    .requiredOption('--email <email>')
    .requiredOption('--name <name>')
    .addOption(new Option('--role <role>').choices(['coordinator', 'research-centre', 'municipal-authority']).default('coordinator'))
    .option('--run <id>', 'the run a recipient may read')
    .option('--municipality <id>', 'the municipality, for a municipal authority')
    .action(async (opts: { email: string; name: string; role: UserRole; run?: string; municipality?: string }) => {
      const password = process.env.ARSHJUL_PASSWORD ?? (await firstLineOfStdin());
      const issues = [
        ...(z.email().safeParse(opts.email).success ? [] : [{ path: '--email', message: 'expected an email address' }]),
        ...(passwordProblem(password) ? [{ path: 'password', message: passwordProblem(password) as string }] : []),
        ...((opts.role === 'coordinator') === Boolean(opts.run) ? [{ path: '--run', message: 'expected --run <id> for a recipient, and only then' }] : []),
        ...((opts.role === 'municipal-authority') !== Boolean(opts.municipality) ? [{ path: '--municipality', message: 'expected --municipality <id> with --role municipal-authority, and only then' }] : []),
      ];
      if (issues.length) throw new InputError('The account was not created', issues);
      const config = loadConfig(process.env);
      const url = config.database.url ?? config.database.embeddedUrl;
      const pool = new Pool({ connectionString: url, max: 2 });
      try {
        await migrate(url);
        const accounts = new AccountRepository(pool);
        const created = await accounts.addUser({ email: opts.email, name: opts.name, passwordHash: await hashPassword(password), role: opts.role, runId: opts.run ?? null, municipalityId: opts.municipality ?? null });
        await accounts.audit({ actor: 'cli', action: 'user-added', runId: opts.run ?? null, details: { email: opts.email, role: opts.role } });
        process.stdout.write(`account ${created.id}: ${created.email} (${created.role})\n`);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new InputError('The account was not created', [{ path: '--email', message: `an account for ${opts.email} exists already` }]);
        throw error;
      } finally {
        await pool.end();
      }
    });
  const access = program.command('access').description("recipients' access keys for downloading submissions");
  access
    .command('add')
    .description('create an access key (printed once) for the research centre, a municipal authority or the coordinator')
    .requiredOption('--run <id>')
    .addOption(new Option('--role <role>').choices(['research-centre', 'municipal-authority', 'coordinator']).makeOptionMandatory())
    .option('--municipality <id>', 'the municipality, for a municipal authority')
    .requiredOption('--label <text>', 'who holds the key, e.g. "SePU veiledning"')
    .action(async (opts: { run: string; role: 'research-centre' | 'municipal-authority' | 'coordinator'; municipality?: string; label: string }) => {
      if ((opts.role === 'municipal-authority') !== Boolean(opts.municipality)) {
        throw new InputError('The access key was not created', [{ path: '--municipality', message: 'expected --municipality <id> with --role municipal-authority, and only then' }]);
      }
      await withControl(async (_deps, _store, pool) => {
        const r = await new SubmissionRepository(pool).createAccessKey({ runId: opts.run, role: opts.role, municipalityId: opts.municipality ?? null, label: opts.label });
        process.stdout.write(`${r.key}\n`);
        err(`access key ${r.id} for ${opts.label} (${opts.role}${opts.municipality ? ` ${opts.municipality}` : ''}); it is shown only now. Use: Authorization: Bearer <key> on /api/submissions`);
      });
    });
  run
    .command('emails')
    .description('the email log of a run or one kindergarten')
    .requiredOption('--run <id>')
    .option('--kindergarten <orgnr>')
    .action(async (opts: { run: string; kindergarten?: string }) => {
      await withControl(async (_deps, store) => {
        const emails = await store.listEmails(opts.run, opts.kindergarten ? { orgnr: opts.kindergarten } : {});
        for (const e of emails) process.stdout.write(`${oslo(e.requestedAt)}  ${e.state.padEnd(7)} ${e.template.padEnd(32)} ${e.to}  ${e.subject}${e.lastError ? `  (${e.lastError})` : ''}\n`);
        err(`${emails.length} email(s)`);
      });
    });
  return program;
}

/**
 * Runs the CLI. A failure is told the way application/errors.ts describes it, in bokmål, and exits with its kind's
 * code: 2 bad input (every problem listed), 3 refused or not found, 4 a service unreachable (try again), 1 anything else.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    const described = describeError(error);
    if (described.kind === 'invalid-input') err((error as Error).message);
    else if (described.kind === 'refused' || described.kind === 'not-found') err(`avvist: ${described.message}`);
    else if (described.kind === 'unavailable') err(`${described.title}: ${described.message}`);
    else err(`feil: ${(error as Error).message ?? String(error)}`);
    return EXIT_CODE[described.kind];
  }
}
