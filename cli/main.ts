import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { formatFileSize, formatNorwegian } from '../texts/norwegian-format';
import { Pool } from 'pg';
import { InputError } from '../config/errors';
import { loadConfig } from '../config/env';
import { SubmissionRepository } from '../activities/db/submission-repository';
import { FileStore } from '../activities/files/file-store';
import { AccountRepository, type UserRole } from '../activities/db/account-repository';
import { hashPassword, passwordProblem } from '../security/passwords';
import { z } from 'zod';
import { migrate } from '../activities/db/migrate';
import { EXIT_CODE, asDomainErrors, describeError, refuse } from '../application/errors';
import { ARSHJUL_RELEASE } from '../application/release';
import { openWorkflowsByRelease, patchVerdicts, releaseReport } from '../application/releases';
import * as control from '../application/run-control';
import { loadPlan } from '../planning/load-plan';
import { resolveTimeline } from '../planning/resolve-timeline';
import { rollPlanForward } from '../planning/roll-forward';
import { loadRosterFile } from '../planning/roster-import';
import { parseScenario, rehearsalLog, rehearse, scenarioSchema } from '../application/rehearsal';
import { previewEmail } from './email-preview';
import { withControl } from './with-control';
import { confirmed as confirmedAtTerminal } from './confirm';
import { registerBackupCommands } from './backup-commands';
import { registerRecoveryCommands } from './recovery-commands';
import { registerRetentionCommands } from './retention-commands';
import { TEMPLATE_IDS } from '../domain/email-templates';
import { installRuntime } from '../temporal/runtime';
import { type MilestoneOverride, type Timeline, placeName } from '../domain/timeline';
import { NotFoundError, RefusedError } from '../domain/errors';
import { countyOfRun } from '../domain/ids';
import { ConsoleRepository } from '../activities/db/console-repository';
import { moveChanges } from '../application/move-preview';
import { DELIVERABLE_STATUS, EMAIL_STATE, KINDERGARTEN_STATE, ROLE, RUN_STATE, count, upcomingEmailText } from '../texts/catalogue';
import {
  CONFIRM_TEXT,
  HELP_AFTER_ERROR,
  HELP_TITLES,
  commanderError,
  contactPreviewLines,
  extensionPreviewLines,
  messagePreviewLines,
  movePreviewLines,
  optionExtras,
  usageText,
} from '../texts/cli';

const oslo = (ms: number) => formatNorwegian(ms, 'compact');
/** Who the audit log says acted: the CLI and the user it ran as. */
const actor = (name: string) => `cli:${name}`;
const err = (line: string) => process.stderr.write(`${line}\n`);

async function firstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) err('passord (det du skriver vises): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** `--dry-run` and `--ja` (alias `--yes`), which every action of the coordinator's takes. */
interface ConfirmOptions {
  dryRun?: boolean;
  yes?: boolean;
}

const dryRunOption = (text = 'vis bare hva som ville endres, og endre ingenting') => new Option('--dry-run', text);
const yesOption = () => new Option('--ja, --yes', 'gjennomfør uten å spørre (i et skript, uten terminal, må --ja være med)');

/** Whether an action shows its preview first: always, except with --ja (a script), which acts at once as before. */
const showsPreview = (opts: ConfirmOptions) => Boolean(opts.dryRun) || !opts.yes;

/**
 * The confirmation of an action (issue 13: preview, confirmation and audit, in the console and in the CLI). The preview
 * goes to standard out; with --dry-run that is all; at a terminal the coordinator is asked, and only «ja» or «j»
 * carries the action out; without a terminal and without --ja nothing is done (bad input, exit code 2).
 */
async function confirmed(preview: string[], opts: ConfirmOptions): Promise<boolean> {
  process.stdout.write(`${preview.join('\n')}\n`);
  if (opts.dryRun) {
    err(CONFIRM_TEXT.dryRun);
    return false;
  }
  return confirmedAtTerminal(opts.yes);
}

/** A move's preview, computed as the console's (application/move-preview.ts), as lines for the terminal. */
async function movePreview(deps: control.RunControlDeps, pool: Pool, runId: string, override: MilestoneOverride): Promise<{ lines: string[]; revision: number }> {
  const read = new ConsoleRepository(pool);
  const { moved, preview, revision } = await asDomainErrors(() => moveChanges(deps, read, runId, override, Date.now()));
  const { timeline } = await control.runPlan(deps, runId);
  const lines = movePreviewLines({
    milestone: timeline.milestones.find((x) => x.id === override.milestoneId)?.title ?? override.milestoneId,
    where: placeName(timeline, override.regionId ?? null, override.groupId ?? null) ?? 'hele fylket',
    revision,
    moved,
    preview,
  });
  return { lines, revision };
}

/**
 * When `--as` names a console account, a change is made with that account's rights: a coordinator changes only its
 * county's runs (every county's if it has none); a national reader or a recipient changes none. An `--as` that names
 * no account is the operator at the shell, who is trusted (README, Security).
 */
async function refuseForeignAccount(as: string, runId: string): Promise<void> {
  const config = loadConfig(process.env);
  const url = config.database.url ?? config.database.embeddedUrl;
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await migrate(url);
    const found = await asDomainErrors(() => new AccountRepository(pool).findForSignIn(as));
    if (!found) return;
    const { user } = found;
    const county = countyOfRun(runId);
    if (user.role === 'coordinator' && (user.county === null || user.county === county)) return;
    const why =
      user.role === 'coordinator'
        ? `${user.email} er koordinator for fylket «${user.county}», og programåret ${runId} hører til «${county ?? 'et annet fylke'}»`
        : `${user.email} har ${ROLE[user.role] ?? user.role} og kan ikke endre programår`;
    throw new RefusedError(`Ingenting er endret: ${why}.`);
  } finally {
    await pool.end();
  }
}

const ENTRY_TYPE: Record<string, string> = { milestone: 'milepæl', email: 'e-post', submission: 'innlevering', guidance: 'veiledning', 'group-setup': 'gruppeoppsett' };
const AUDIENCE_WORD: Record<string, string> = { directors: 'styrerne', 'municipal-authorities': 'barnehagemyndighetene', 'research-centre': 'forskningssenteret', coordinator: 'koordinatoren' };

/**
 * commander in bokmål for every command: help headings, usage words, the "(standard: …)" of options, its errors, and
 * the help option and command; set on the program before any command is added, so each inherits it.
 */
function inBokmal(program: Command): Command {
  return program
    .configureHelp({
      styleTitle: (title) => HELP_TITLES[title] ?? title,
      styleUsage: (usage) => usageText(usage),
      styleSubcommandTerm: (term) => usageText(term),
      optionDescription: (option) => optionExtras(option.description, { choices: option.argChoices, defaultValue: option.required || option.optional ? option.defaultValue : undefined }),
    })
    .configureOutput({ outputError: (text, write) => write(commanderError(text)) })
    .helpOption('-h, --help', 'vis hjelpen')
    .helpCommand('help [kommando]', 'vis hjelpen for en kommando')
    .showHelpAfterError(HELP_AFTER_ERROR);
}

function printTimeline(timeline: Timeline, regionFilter?: string): void {
  const rows: [number, string][] = [];
  for (const m of timeline.milestones) {
    for (const o of m.occurrences) {
      if (regionFilter && o.regionId !== null && o.regionId !== regionFilter) continue;
      const where = placeName(timeline, o.regionId, o.groupId) ?? 'alle';
      rows.push([o.at, `${oslo(o.at)}  ${m.id.padEnd(32)} ${where.padEnd(28)} ${m.title}`]);
      for (const e of o.emails) rows.push([e.sendAt, `${oslo(e.sendAt)}    e-post ${e.template} til ${AUDIENCE_WORD[e.to] ?? e.to}  (${m.title}, ${where})`]);
    }
  }
  for (const d of timeline.deliverables) {
    for (const w of d.windows) {
      if (regionFilter && w.regionId !== null && w.regionId !== regionFilter) continue;
      const where = placeName(timeline, w.regionId, w.groupId) ?? 'alle';
      rows.push([w.opensAt, `${oslo(w.opensAt)}  ${`${d.id} åpner`.padEnd(32)} ${where.padEnd(28)} ${d.title}`]);
      w.reminderAts.forEach((at) => rows.push([at, `${oslo(at)}    påminnelse om «${d.title}» (${where})`]));
      rows.push([w.dueAt, `${oslo(w.dueAt)}  ${`${d.id} frist`.padEnd(32)} ${where.padEnd(28)} ${d.title}`]);
      rows.push([w.escalationAt, `${oslo(w.escalationAt)}    varsel til barnehagemyndigheten om «${d.title}» (${where})`]);
      rows.push([w.lateUntil, `${oslo(w.lateUntil)}  ${`${d.id} stenger`.padEnd(32)} ${where.padEnd(28)} sene innleveringer tas ikke lenger imot`]);
    }
  }
  rows.sort((a, b) => a[0] - b[0]).forEach(([, line]) => process.stdout.write(`${line}\n`));
}

export function buildProgram(): Command {
  const program = inBokmal(new Command('arshjul')).description('Årshjul: programåret i Kultur for læring som varige Temporal-arbeidsflyter');
  const as = new Option('--as <navn>', 'hvem som handler (for revisjonsloggen)').default(process.env.USER ?? 'koordinator');

  const plan = program.command('plan').description('arbeid med planfiler');
  plan
    .command('show')
    .description('skriv ut tidslinjen i norsk tid: milepæler, e-poster og frister')
    .requiredOption('--plan <fil>', 'planfilen (YAML eller JSON)')
    .option('--region <id>', 'bare denne regionen (og det som gjelder alle)')
    .option('--json', 'skriv tidslinjen som JSON')
    .action((opts: { plan: string; region?: string; json?: boolean }) => {
      const timeline = resolveTimeline(loadPlan(opts.plan));
      if (opts.json) process.stdout.write(`${JSON.stringify(timeline, null, 2)}\n`);
      else printTimeline(timeline, opts.region);
    });
  plan
    .command('new')
    .description('rull en plan fram til et nytt skoleår (samme ukenummer og ukedag)')
    .requiredOption('--from <fil>', 'planen det startes fra')
    .requiredOption('--year <år>', 'det nye skoleåret (høståret, for eksempel 2026 for 2026/2027)', (v) => Number.parseInt(v, 10))
    .option('--out <fil>', 'skriv hit i stedet for til standard ut')
    .action((opts: { from: string; year: number; out?: string }) => {
      if (!Number.isInteger(opts.year) || opts.year < 2000 || opts.year > 2100) throw new InputError('Ugyldig --year', [{ path: '--year', message: 'forventet et år som 2026' }]);
      loadPlan(opts.from);
      const format = extname(opts.out ?? opts.from).toLowerCase() === '.json' ? 'json' : 'yaml';
      const { text, moved, fromYear } = rollPlanForward(readFileSync(opts.from, 'utf8'), opts.year, format);
      if (opts.out) {
        writeFileSync(opts.out, text);
        err(`${count(moved, 'dato', 'datoer')} flyttet fra ${fromYear}/${fromYear + 1} til ${opts.year}/${opts.year + 1}; skrevet til ${opts.out}. Se over datoene, og kontroller med: arshjul plan show --plan ${opts.out}`);
      } else process.stdout.write(text);
    });
  plan
    .command('check')
    .description('kontroller en plan og en deltakerliste uten å starte noe')
    .requiredOption('--plan <fil>', 'planfilen (YAML eller JSON)')
    .option('--roster <fil>', 'deltakerlisten (Excel .xlsx, CSV eller JSON)')
    .action(async (opts: { plan: string; roster?: string }) => {
      const p = loadPlan(opts.plan);
      const timeline = resolveTimeline(p);
      const roster = opts.roster ? await loadRosterFile(opts.roster, p) : null;
      process.stdout.write(`planen er i orden: ${count(timeline.milestones.length, 'milepæl', 'milepæler')}, ${count(timeline.deliverables.length, 'innlevering', 'innleveringer')}, ${count(timeline.regions.length, 'region', 'regioner')}\n`);
      if (roster) process.stdout.write(`deltakerlisten er i orden: ${count(roster.municipalities.length, 'kommune', 'kommuner')}, ${count(roster.kindergartens.length, 'barnehage', 'barnehager')}\n`);
    });

  program
    .command('rehearse')
    .description('kjør hele året på testtjeneren som hopper i tid, og skriv ut hver milepæl, e-post, innlevering, veiledning og hvert gruppeoppsett i tidsrekkefølge')
    .requiredOption('--plan <fil>', 'planfilen')
    .requiredOption('--roster <fil>', 'deltakerlisten')
    .option('--scenario <fil>', 'hvem som leverer når, og når forskningssenteret gir veiledning (YAML eller JSON); uten: alle i tide')
    .option('--json', 'skriv én JSON-liste av {type, at, milestone, region, group, kindergarten, to, template}; type er milestone, email, submission, guidance eller group-setup')
    .option('--full', 'kjør én arbeidsflyt for hver barnehage (uten: én for hver gruppe barnehager som får samme år, og hver barnehage får sine egne linjer fra den; utskriften er den samme)')
    .action(async (opts: { plan: string; roster: string; scenario?: string; json?: boolean; full?: boolean }) => {
      installRuntime();
      const p = loadPlan(opts.plan);
      const roster = await loadRosterFile(opts.roster, p);
      const scenario = opts.scenario ? parseScenario(readFileSync(opts.scenario, 'utf8'), opts.scenario) : scenarioSchema.parse({});
      const result = await rehearse(p, roster, scenario, { onProgress: (m) => err(`prøvekjøring: ${m}`), full: opts.full === true });
      const lines = rehearsalLog(result);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(lines, null, 1)}\n`);
      } else {
        for (const e of lines) {
          const where = [e.region, e.group !== e.region ? e.group : null, e.kindergarten].filter(Boolean).join(' ');
          process.stdout.write(`${e.at}  ${(ENTRY_TYPE[e.type] ?? e.type).padEnd(11)} ${(e.milestone ?? '').padEnd(30)} ${where.padEnd(36)} ${e.to ?? ''} ${e.template ?? ''}\n`);
        }
      }
      const emails = result.entries.filter((e) => e.type === 'email').length;
      err(
        `prøvekjøring: ${count(result.entries.length - emails, 'milepæl', 'milepæler')}, ${count(emails, 'e-post', 'e-poster')}, ${count(result.submissions.length, 'innlevering', 'innleveringer')}, ${count(result.guidance.length, 'veiledning', 'veiledninger')}, ${count(result.groupSetups.length, 'gruppeoppsett', 'gruppeoppsett')}, ${result.refusals.length} avvist, på ${(result.wallMs / 1000).toLocaleString('nb-NO', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} s`,
      );
      for (const r of result.refusals) err(`prøvekjøring: avvist ${r.orgnr} ${r.deliverableId}: ${r.reason}`);
    });

  const email = program.command('email').description('e-postmalene');
  email
    .command('preview <mal>')
    .description('vis en mal med eksempeldata (norsk tid)')
    .option('--html', 'skriv HTML-delen i stedet for teksten')
    .option('--language <målform>', 'nb (bokmål) eller nn (nynorsk), slik kommunene med den målformen får e-posten', 'nb')
    .action((template: string, opts: { html?: boolean; language: string }) => {
      const rendered = previewEmail(template, opts.language);
      process.stdout.write(opts.html ? `${rendered.html}\n` : `Emne: ${rendered.subject}\n\n${rendered.text}\n`);
    });
  email
    .command('list')
    .description('navnene på alle e-postmalene')
    .action(() => void process.stdout.write(`${TEMPLATE_IDS.join('\n')}\n`));

  const run = program.command('run').description('start og styr et programår');
  // Every county on one installation (issue 15): when --as names a console account, the command acts with its rights.
  run.hook('preAction', async (_run, action) => {
    const opts = action.opts<{ as?: string; run?: string }>();
    if (opts.as && opts.run) await refuseForeignAccount(opts.as, opts.run);
  });
  run
    .command('start')
    .description('kontroller planen og deltakerlisten, lagre dem og start programåret')
    .requiredOption('--plan <fil>', 'planfilen')
    .requiredOption('--roster <fil>', 'deltakerlisten')
    .action(async (opts: { plan: string; roster: string }) => {
      const p = loadPlan(opts.plan);
      err(`planen ${opts.plan} er i orden`);
      const roster = await loadRosterFile(opts.roster, p);
      err(`deltakerlisten ${opts.roster} er i orden: ${count(roster.kindergartens.length, 'barnehage', 'barnehager')} i ${count(roster.municipalities.length, 'kommune', 'kommuner')}`);
      control.startableTimeline(p, Date.now());
      const started = await withControl((deps) => control.startRun(deps, p, roster, actor(process.env.USER ?? 'coordinator')));
      process.stdout.write(`startet ${started.runId}: ${count(started.regions, 'region', 'regioner')}, ${count(started.kindergartens, 'barnehage', 'barnehager')} (arbeidsflytene deres startes 200 om gangen)\n`);
    });
  run
    .command('status')
    .description('programåret, regionene og hvor mange som har levert, eller én barnehage')
    .requiredOption('--run <id>', 'programåret, for eksempel arshjul-2026-hedmark')
    .option('--kindergarten <orgnr>', 'én barnehage i stedet')
    .option('--json', 'skriv som JSON')
    .action(async (opts: { run: string; kindergarten?: string; json?: boolean }) => {
      await withControl(async (deps, _store, pool) => {
        if (opts.kindergarten) {
          const k = await control.kindergartenStatus(deps, opts.run, opts.kindergarten);
          if (opts.json) return void process.stdout.write(`${JSON.stringify(k, null, 2)}\n`);
          const [detail, { timeline }] = await Promise.all([new ConsoleRepository(pool).kindergarten(opts.run, k.orgnr), control.runPlan(deps, opts.run)]);
          const where = placeName(timeline, k.regionId, k.groupId) ?? k.regionId;
          process.stdout.write(`${detail?.name ?? k.orgnr} (${k.orgnr}), ${detail?.municipalityName ?? k.municipalityId}, ${where}: ${KINDERGARTEN_STATE[k.state] ?? k.state}\n`);
          for (const d of k.deliverables) {
            process.stdout.write(`  ${d.title}: ${DELIVERABLE_STATUS[d.status] ?? d.status}, frist ${oslo(d.dueAt)}${d.extended ? ' (forlenget)' : ''}, ${count(d.submissions, 'innlevering', 'innleveringer')}\n`);
          }
          const next = k.upcoming[0];
          if (next) process.stdout.write(`  neste e-post: ${oslo(next.at)} ${upcomingEmailText(next)}${next.held ? ' (holdes tilbake under pausen)' : ''}\n`);
          return;
        }
        const [{ run: r, deliverables }, { plan }] = await Promise.all([control.runStatus(deps, opts.run), control.runPlan(deps, opts.run)]);
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ run: r, deliverables }, null, 2)}\n`);
        process.stdout.write(`${plan.programme}, ${plan.countyName} ${r.schoolYear}/${r.schoolYear + 1} (${r.runId}): ${RUN_STATE[r.state] ?? r.state}, planversjon ${r.revision}, slutter ${oslo(r.endsAt)}\n`);
        process.stdout.write(`  regioner: ${r.regions.map((region) => region.name).join(', ')}\n`);
        for (const d of plan.deliverables) {
          if (d.submittedBy === 'municipal-authorities') {
            // The authorities' group set-up: how many municipalities have sent it, how many of those late.
            const rows = await deps.store.groupSetups(opts.run, d.id);
            const sent = rows.filter((x) => x.latest);
            const late = sent.filter((x) => x.latest?.late).length;
            process.stdout.write(`  ${d.title}: ${sent.length} av ${count(rows.length, 'kommune', 'kommuner')} har sendt${late ? `, ${late} etter fristen` : ''}\n`);
            continue;
          }
          const counts = deliverables.filter((x) => x.deliverableId === d.id).map((x) => `${x.count} ${DELIVERABLE_STATUS[x.status] ?? x.status}`);
          process.stdout.write(`  ${d.title}: ${counts.join(', ') || 'ingen'}\n`);
        }
      });
    });
  run
    .command('reschedule')
    .description('flytt en milepæl for alle, én region eller én workshopgruppe')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--milestone <id>', 'milepælen')
    .requiredOption('--at <tid>', 'ny lokal dato og tid, for eksempel 2018-01-25T09:00')
    .option('--region <id>', 'bare denne regionen')
    .option('--group <id>', 'bare denne workshopgruppen')
    .addOption(dryRunOption())
    .addOption(yesOption())
    .addOption(as)
    .action(async (opts: { run: string; milestone: string; at: string; region?: string; group?: string; as: string } & ConfirmOptions) => {
      const override = { milestoneId: opts.milestone, regionId: opts.region ?? null, groupId: opts.group ?? null, at: opts.at };
      const done = await withControl(async (deps, _store, pool) => {
        let shown: number | undefined;
        if (showsPreview(opts)) {
          const preview = await movePreview(deps, pool, opts.run, override);
          if (!(await confirmed(preview.lines, opts))) return null;
          // The plan version the preview showed: a move someone else made meanwhile refuses this one (as in the console).
          shown = preview.revision;
        }
        const moved = await control.rescheduleMilestone(deps, opts.run, override, actor(opts.as), shown);
        return { result: moved, timeline: (await control.runPlan(deps, opts.run)).timeline };
      });
      if (!done) return;
      const { result, timeline } = done;
      const title = (id: string) => timeline.milestones.find((m) => m.id === id)?.title ?? id;
      const regionName = (id: string) => timeline.regions.find((r) => r.id === id)?.name ?? id;
      process.stdout.write(`planversjon ${result.revision}: ${count(result.moved.length, 'tidspunkt', 'tidspunkter')} flyttet; regioner som er varslet: ${result.regionsNotified.map(regionName).join(', ')}\n`);
      for (const m of result.moved) process.stdout.write(`  «${title(m.milestoneId)}» ${placeName(timeline, m.regionId, m.groupId) ?? 'for alle'}: ${oslo(m.from)} → ${oslo(m.to)}\n`);
    });
  run
    .command('extend')
    .description('gi én barnehage en senere frist for én innlevering')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--kindergarten <orgnr>', 'barnehagens organisasjonsnummer')
    .requiredOption('--deliverable <id>', 'innleveringen')
    .requiredOption('--due <tid>', 'ny lokal frist, for eksempel 2018-03-09T16:00')
    .addOption(dryRunOption())
    .addOption(yesOption())
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; deliverable: string; due: string; as: string } & ConfirmOptions) => {
      const r = await withControl(async (deps, _store, pool) => {
        if (showsPreview(opts)) {
          // The console's preview: the new window resolved by the rule the extension itself applies.
          const [{ title, current, request }, detail] = await Promise.all([
            control.previewExtension(deps, opts.run, opts.kindergarten, opts.deliverable, opts.due),
            asDomainErrors(() => new ConsoleRepository(pool).kindergarten(opts.run, opts.kindergarten)),
          ]);
          const now = Date.now();
          const lines = extensionPreviewLines({
            kindergarten: detail ? `${detail.name} (${detail.municipalityName})` : opts.kindergarten,
            deliverable: title,
            currentDueAt: current.dueAt,
            dueAt: request.dueAt,
            lateUntil: request.lateUntil,
            reminderAts: request.reminderAts.filter((at) => at > now),
            escalationAt: request.escalationAt,
          });
          if (!(await confirmed(lines, opts))) return null;
        }
        return control.extendDeadline(deps, opts.run, opts.kindergarten, opts.deliverable, opts.due, actor(opts.as));
      });
      if (!r) return;
      process.stdout.write(`ny frist ${oslo(r.dueAt)}; sene innleveringer tas imot til ${oslo(r.lateUntil)}\n`);
    });
  run
    .command('add-kindergarten')
    .description('legg til en barnehage midt i året; den blir med fra der året er nå')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--orgnr <orgnr>', 'organisasjonsnummeret')
    .requiredOption('--name <navn>', 'barnehagens navn')
    .requiredOption('--municipality <id>', 'kommunen (som i deltakerlisten)')
    .requiredOption('--director-name <navn>', 'styrerens navn')
    .requiredOption('--director-email <e-post>', 'styrerens e-postadresse')
    .option('--group <id>', 'workshopgruppen, der regionen har flere')
    .option('--participants <antall>', 'antall deltakere', (v) => Number.parseInt(v, 10))
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
      process.stdout.write(`la til ${opts.name} (${opts.orgnr}) i ${r.regionId === r.groupId ? r.regionId : `${r.regionId}, gruppe ${r.groupId}`}\n`);
    });
  run
    .command('withdraw')
    .description('trekk en barnehage: ingen flere e-poster, innleveringer avvises')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--kindergarten <orgnr>', 'barnehagens organisasjonsnummer')
    .option('--reason <tekst>', 'begrunnelsen', 'trukket fra programmet')
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; reason: string; as: string }) => {
      const r = await withControl((deps) => control.withdrawKindergarten(deps, opts.run, opts.kindergarten, opts.reason, actor(opts.as)));
      process.stdout.write(`barnehagen ${opts.kindergarten} er trukket (${r.workflowId})\n`);
    });
  for (const [name, fn, text] of [
    ['pause', control.pauseRun, 'hold tilbake all e-post til programåret gjenopptas'],
    ['resume', control.resumeRun, 'send det som er forfalt og fortsatt nyttig, og fortsett'],
    ['cancel', control.cancelRun, 'avslutt programåret for alle'],
  ] as const) {
    run
      .command(name)
      .description(text)
      .requiredOption('--run <id>', 'programåret')
      .option('--reason <tekst>', 'begrunnelsen (står i revisjonsloggen)')
      .addOption(as)
      .action(async (opts: { run: string; reason?: string; as: string }) => {
        const r = await withControl((deps) => fn(deps, opts.run, actor(opts.as), opts.reason));
        process.stdout.write(`${opts.run}: ${RUN_STATE[r.state] ?? r.state}\n`);
      });
  }
  run
    .command('change-contact')
    .description('ny styrer eller ny kontakt hos barnehagemyndigheten: e-post går heretter til den nye, åpne lenker sendes på nytt til en ny styrer')
    .requiredOption('--run <id>', 'programåret')
    .option('--kindergarten <orgnr>', 'styreren i denne barnehagen')
    .option('--municipality <id>', 'barnehagemyndigheten i denne kommunen')
    .requiredOption('--name <navn>', 'det nye navnet')
    .requiredOption('--email <e-post>', 'den nye e-postadressen')
    .addOption(dryRunOption())
    .addOption(yesOption())
    .addOption(as)
    .action(async (opts: { run: string; kindergarten?: string; municipality?: string; name: string; email: string; as: string } & ConfirmOptions) => {
      if (Boolean(opts.kindergarten) === Boolean(opts.municipality)) {
        throw new InputError('Kontaktpersonen ble ikke endret', [{ path: '--kindergarten', message: 'skriv enten --kindergarten <orgnr> (styreren) eller --municipality <id> (barnehagemyndigheten)' }]);
      }
      const target = opts.kindergarten ? ({ kind: 'director', orgnr: opts.kindergarten } as const) : ({ kind: 'authority', municipalityId: opts.municipality as string } as const);
      const contact = { name: opts.name, email: opts.email };
      const r = await withControl(async (deps, _store, pool) => {
        if (showsPreview(opts)) {
          const read = new ConsoleRepository(pool);
          // The console's preview: who now, who next, and the links a new director gets (`previewContactChange`).
          const { links } = await control.previewContactChange(deps, opts.run, target, Date.now);
          let lines: string[];
          if (target.kind === 'director') {
            const k = await asDomainErrors(() => read.kindergarten(opts.run, target.orgnr));
            if (!k) throw new NotFoundError(`Barnehagen ${target.orgnr} er ikke med i dette programåret.`);
            lines = contactPreviewLines({ who: 'director', kindergarten: k.name, municipality: k.municipalityName, before: { name: k.directorName, email: k.directorEmail }, after: contact, links });
          } else {
            // The authority's contact as the console reads it: from a kindergarten of the municipality.
            const [first] = (await asDomainErrors(() => read.matrix(opts.run, { municipalityId: target.municipalityId }, { offset: 0, limit: 1 }))).rows;
            const k = first ? await asDomainErrors(() => read.kindergarten(opts.run, first.orgnr)) : null;
            if (!k) throw refuse({ code: 'unknown-municipality', municipalityId: target.municipalityId });
            lines = contactPreviewLines({ who: 'authority', municipality: k.municipalityName, before: { name: k.authorityName, email: k.authorityEmail }, after: contact, links });
          }
          if (!(await confirmed(lines, opts))) return null;
        }
        return control.changeContact(deps, opts.run, target, contact, actor(opts.as));
      });
      if (!r) return;
      process.stdout.write(`endret fra ${r.before.name} (${r.before.email}) til ${r.after.name} (${r.after.email})${r.linksReissued ? `; ${count(r.linksReissued, 'ny lenke', 'nye lenker')} sendt til den nye styreren` : ''}\n`);
    });
  run
    .command('message')
    .description('send en egen melding om en innlevering til alle styrere som ikke har levert den ennå (med frist og personlig lenke)')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--deliverable <id>', 'innleveringen')
    .requiredOption('--subject <tekst>', 'emnet')
    .option('--text <tekst>', 'teksten (avsnitt skilles med en tom linje)')
    .option('--text-file <fil>', 'les teksten fra en fil')
    .option('--id <id>', 'meldingens id: samme id sendes bare én gang (standard: en ny)')
    .addOption(dryRunOption('vis bare meldingen og hvem den ville gått til, og send ingenting'))
    .addOption(yesOption())
    .addOption(as)
    .action(async (opts: { run: string; deliverable: string; subject: string; text?: string; textFile?: string; id?: string; as: string } & ConfirmOptions) => {
      const text = opts.textFile ? readFileSync(opts.textFile, 'utf8') : (opts.text ?? '');
      await withControl(async (deps) => {
        const { deliverable, recipients } = await control.messageRecipients(deps, opts.run, opts.deliverable);
        err(`«${deliverable.title}»: ${count(recipients.length, 'barnehage', 'barnehager')} har ikke levert`);
        if (showsPreview(opts) && !(await confirmed(messagePreviewLines({ deliverable: deliverable.title, subject: opts.subject, text, recipients }), opts))) return;
        const messageId = opts.id ?? randomUUID();
        const r = await control.messageNonSubmitters(deps, opts.run, { deliverableId: opts.deliverable, subject: opts.subject, text, messageId }, actor(opts.as));
        process.stdout.write(`melding ${messageId} sendt til ${count(r.recipients, 'styrer', 'styrere')}\n`);
      });
    });
  run
    .command('files')
    .description('innleveringene til en barnehage med filene; med --out lastes filene ned (kontrollert mot SHA-256)')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--kindergarten <orgnr>', 'barnehagens organisasjonsnummer')
    .requiredOption('--deliverable <id>', 'innleveringen')
    .option('--out <mappe>', 'last ned filene hit (én mappe per innlevering)')
    .option('--all', 'alle versjoner, ikke bare den som gjelder')
    .action(async (opts: { run: string; kindergarten: string; deliverable: string; out?: string; all?: boolean }) => {
      const config = loadConfig(process.env);
      await withControl(async (_deps, _store, pool) => {
        const submissions = await asDomainErrors(() => new SubmissionRepository(pool).listFor(opts.run, opts.kindergarten, opts.deliverable));
        const accepted = submissions.filter((x) => x.state === 'accepted');
        for (const x of submissions) {
          const state = x.state === 'accepted' ? `versjon ${x.version ?? ''}${x.late ? ', etter fristen' : ''}` : x.state === 'refused' ? `avvist (${x.refusal ?? ''})` : 'lagret, ikke bekreftet';
          process.stdout.write(`${x.receiptNumber}  ${oslo(x.receivedAt)}  ${state}\n`);
          for (const f of x.files) process.stdout.write(`    ${f.name}  ${formatFileSize(f.size)}  sha256 ${f.sha256}\n`);
        }
        if (submissions.length === 0) err('ingen innleveringer');
        if (!opts.out) return;
        const files = new FileStore(config.uploads.dir);
        const chosen = opts.all ? accepted : accepted.slice(-1);
        for (const x of chosen) {
          const dir = join(opts.out, `${x.receiptNumber}-versjon-${x.version ?? 0}`);
          mkdirSync(dir, { recursive: true });
          for (const f of x.files) {
            const target = join(dir, basename(f.name));
            const hash = createHash('sha256');
            await pipeline(files.open(f.storageKey), async function* (source: AsyncIterable<Buffer>) {
              for await (const chunk of source) {
                hash.update(chunk);
                yield chunk;
              }
            }, createWriteStream(target));
            if (hash.digest('hex') !== f.sha256) throw new Error(`filen ${f.name} i ${x.receiptNumber} stemmer ikke med sin SHA-256; den lagrede filen er skadet`);
            process.stdout.write(`lastet ned ${target}\n`);
          }
        }
        if (chosen.length === 0) err('ingen godkjent innlevering å laste ned');
      });
    });
  run
    .command('reissue-link')
    .description('send barnehagen en ny innleveringslenke: eldre lenker slutter å virke, styreren får den nye')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--kindergarten <orgnr>', 'barnehagens organisasjonsnummer')
    .requiredOption('--deliverable <id>', 'innleveringen')
    .addOption(as)
    .action(async (opts: { run: string; kindergarten: string; deliverable: string; as: string }) => {
      const r = await withControl((deps) => control.reissueUploadLink(deps, opts.run, opts.kindergarten, opts.deliverable, actor(opts.as)));
      process.stdout.write(`lenke nr. ${r.version} er sendt til styreren; den virker til ${oslo(r.lateUntil)}\n`);
    });
  const release = program.command('release').description('versjonene og patchene i arbeidsflytkoden');
  release
    .command('runs')
    .description('de åpne programårene etter versjonen som startet dem, og hvilke patched()-grener som kan fjernes')
    .option('--json', 'skriv som JSON')
    .action(async (opts: { json?: boolean }) => {
      await withControl(async (deps) => {
        const open = await asDomainErrors(() => openWorkflowsByRelease(deps.client));
        const verdicts = patchVerdicts(open);
        if (opts.json) return void process.stdout.write(`${JSON.stringify({ release: ARSHJUL_RELEASE, open, patches: verdicts }, null, 2)}\n`);
        for (const line of releaseReport(open, verdicts)) process.stdout.write(`${line}\n`);
      });
    });
  const user = program.command('user').description('kontoer i konsollen');
  user
    .command('add')
    .description('lag en konto i konsollen; passordet leses fra ARSHJUL_PASSWORD eller første linje på standard inn')
    .requiredOption('--email <e-post>', 'e-postadressen (brukernavnet)')
    .requiredOption('--name <navn>', 'navnet')
    .addOption(new Option('--role <rolle>', 'rollen').choices(['coordinator', 'national-reader', 'research-centre', 'municipal-authority']).default('coordinator'))
    .option('--county <id>', 'fylket en koordinator hører til: bare programårene dets (uten: alle fylker)')
    .option('--run <id>', 'programåret en mottaker får lese')
    .option('--municipality <id>', 'kommunen, for en barnehagemyndighet')
    .action(async (opts: { email: string; name: string; role: UserRole; county?: string; run?: string; municipality?: string }) => {
      const password = process.env.ARSHJUL_PASSWORD ?? (await firstLineOfStdin());
      const issues = [
        ...(z.email().safeParse(opts.email).success ? [] : [{ path: '--email', message: 'forventet en e-postadresse' }]),
        ...(passwordProblem(password) ? [{ path: 'passord', message: passwordProblem(password) as string }] : []),
        ...((opts.role === 'coordinator' || opts.role === 'national-reader') === Boolean(opts.run) ? [{ path: '--run', message: 'en mottaker trenger --run <id>, en koordinator og en nasjonal leser ikke' }] : []),
        ...(opts.county !== undefined && opts.role !== 'coordinator' ? [{ path: '--county', message: '--county <id> hører til --role coordinator, og bare den' }] : []),
        ...(opts.county !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(opts.county) ? [{ path: '--county', message: 'forventet fylkets id fra planen: små bokstaver a–z, sifre og bindestrek (for eksempel «innlandet»)' }] : []),
        ...((opts.role === 'municipal-authority') !== Boolean(opts.municipality) ? [{ path: '--municipality', message: '--municipality <id> hører til --role municipal-authority, og bare den' }] : []),
      ];
      if (issues.length) throw new InputError('Kontoen ble ikke laget', issues);
      const config = loadConfig(process.env);
      const url = config.database.url ?? config.database.embeddedUrl;
      const pool = new Pool({ connectionString: url, max: 2 });
      try {
        await migrate(url);
        const accounts = new AccountRepository(pool);
        const created = await accounts.addUser({ email: opts.email, name: opts.name, passwordHash: await hashPassword(password), role: opts.role, runId: opts.run ?? null, municipalityId: opts.municipality ?? null, county: opts.county ?? null });
        await accounts.audit({ actor: 'cli', action: 'user-added', runId: opts.run ?? null, details: { email: opts.email, role: opts.role, ...(opts.county ? { county: opts.county } : {}) } });
        process.stdout.write(`konto nr. ${created.id}: ${created.email} (${ROLE[created.role] ?? created.role}${created.county ? `, ${created.county}` : ''})\n`);
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new InputError('Kontoen ble ikke laget', [{ path: '--email', message: `det finnes allerede en konto for ${opts.email}` }]);
        throw error;
      } finally {
        await pool.end();
      }
    });
  const access = program.command('access').description('mottakernes tilgangsnøkler for å laste ned innleveringer');
  access
    .command('add')
    .description('lag en tilgangsnøkkel (vises én gang) for forskningssenteret, en barnehagemyndighet eller koordinatoren')
    .requiredOption('--run <id>', 'programåret')
    .addOption(new Option('--role <rolle>', 'hvem nøkkelen er for').choices(['research-centre', 'municipal-authority', 'coordinator']).makeOptionMandatory())
    .option('--municipality <id>', 'kommunen, for en barnehagemyndighet')
    .requiredOption('--label <tekst>', 'hvem som har nøkkelen, for eksempel "SePU veiledning"')
    .action(async (opts: { run: string; role: 'research-centre' | 'municipal-authority' | 'coordinator'; municipality?: string; label: string }) => {
      if ((opts.role === 'municipal-authority') !== Boolean(opts.municipality)) {
        throw new InputError('Tilgangsnøkkelen ble ikke laget', [{ path: '--municipality', message: '--municipality <id> hører til --role municipal-authority, og bare den' }]);
      }
      await withControl(async (_deps, _store, pool) => {
        const r = await new SubmissionRepository(pool).createAccessKey({ runId: opts.run, role: opts.role, municipalityId: opts.municipality ?? null, label: opts.label });
        process.stdout.write(`${r.key}\n`);
        err(`tilgangsnøkkel nr. ${r.id} for ${opts.label} (${ROLE[opts.role] ?? opts.role}${opts.municipality ? ` ${opts.municipality}` : ''}); den vises bare nå. Bruk: Authorization: Bearer <nøkkel> på /api/submissions`);
      });
    });
  run
    .command('emails')
    .description('e-postloggen for programåret eller én barnehage')
    .requiredOption('--run <id>', 'programåret')
    .option('--kindergarten <orgnr>', 'bare denne barnehagen')
    .action(async (opts: { run: string; kindergarten?: string }) => {
      await withControl(async (_deps, store) => {
        const emails = await store.listEmails(opts.run, opts.kindergarten ? { orgnr: opts.kindergarten } : {});
        for (const e of emails) process.stdout.write(`${oslo(e.requestedAt)}  ${(EMAIL_STATE[e.state] ?? e.state).padEnd(7)} ${e.to}  ${e.subject}${e.lastError ? `  (${e.lastError})` : ''}\n`);
        err(count(emails.length, 'e-post', 'e-poster'));
      });
    });
  registerBackupCommands(program, run);
  registerRecoveryCommands(program, run);
  registerRetentionCommands(program, run);
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
