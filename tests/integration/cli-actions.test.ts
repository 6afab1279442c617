import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { ConsoleRepository } from '../../activities/db/console-repository';
import * as control from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { kindergartenWorkflowId, runWorkflowId } from '../../domain/ids';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { formatNorwegian } from '../../texts/norwegian-format';
import { kindergartenStatusQuery } from '../../workflows/kindergarten-workflow';
import { runWorkflow } from '../../workflows/run-workflow';
import type { Roster } from '../../config/roster-schema';
import { EXAMPLE_GROUPS, buildRoster, rosterAsJson } from '../helpers/roster-builder';
import { futurePlan } from '../helpers/temporal';
import { arshjulCli } from '../helpers/cli';
import { type UploadStack, startUploadStack, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(300_000);

const BIN = join(__dirname, '..', '..', 'bin', 'arshjul.js');
const WORKSHOP_1 = 'Workshop 1: Tolke og analysere data';
const MODULES_1_2 = 'Kompetansepakken, analysedel: modul 1 og 2';
const ANALYSIS = 'Analysen så langt (modul 1 og 2)';
const HAMAR_STANGE = 'Hedmarkregionen, Hamar og Stange';
const RESULT_PORTAL = 'Resultatportalen åpner';
/** English a person must never read (issue 13's list), as whole words. */
const ENGLISH = /\b(must|expected|invalid|already exists|not found|error|unknown|required|failed|submitted|deadline|should|cannot|undefined|null|NaN|milestones?|occurrences?)\b/i;
const REFUSED_WITHOUT_JA = 'Ingenting er endret: handlingen må bekreftes\n  - --ja: standard inn er ikke en terminal, så ingen kan svare «ja»; legg til --ja';

/**
 * The coordinator's actions from the command line (issue 13 point 4: preview, confirmation and audit, in the console
 * and the CLI), against the dev server and PostgreSQL: `--dry-run` prints the console's preview in bokmål and changes
 * nothing; a script (no terminal) without `--ja` is refused with exit code 2 and changes nothing; `--ja` acts and the
 * audit log has the entry; at a terminal only «ja»/«j» acts.
 */
describe('the coordinator’s actions on the command line: preview, confirmation and audit', () => {
  let s: UploadStack;
  let read: ConsoleRepository;
  let orgnrs: string[];
  /** A second run with the example plan's whole timeline (the upload stack's run has no milestones), for moves. */
  let moveRunId: string;
  let moveRoster: Roster;
  let env: Record<string, string>;

  beforeAll(async () => {
    s = await startUploadStack({ label: 'cli-actions', kindergartens: 3 });
    read = new ConsoleRepository(s.pool);
    orgnrs = s.roster.kindergartens.map((k) => k.orgnr);
    // The CLI's connections and queues: this stack's schema, dev server and worker (the re-issued links' emails too).
    env = { DATABASE_URL: s.databaseUrl, TEMPORAL_ADDRESS: s.env.address, TEMPORAL_TASK_QUEUE: s.control.taskQueue, EMAIL_TASK_QUEUE: s.control.taskQueue };

    const plan = futurePlan(2027, 'cliflytt');
    const roster = buildRoster(EXAMPLE_GROUPS, 1, 95_000_000);
    moveRoster = roster;
    const timeline = resolveTimeline(plan);
    moveRunId = runWorkflowId(plan.schoolYear, plan.county);
    await s.store.createRun(moveRunId, plan, roster, control.initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await s.env.client.workflow.start(runWorkflow, { workflowId: moveRunId, taskQueue: s.control.taskQueue, args: [{ runId: moveRunId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'test', kindergartens: roster.kindergartens.length }] });
    await kindergartensStarted(s.runId, orgnrs);
    await kindergartensStarted(moveRunId, roster.kindergartens.map((k) => k.orgnr));
  });

  afterAll(async () => {
    await s?.close();
  });

  async function kindergartensStarted(runId: string, numbers: string[]): Promise<void> {
    for (const orgnr of numbers) {
      for (let i = 0; ; i++) {
        const status = await s.env.client.workflow.getHandle(kindergartenWorkflowId(runId, orgnr)).query(kindergartenStatusQuery).catch(() => null);
        if (status) break;
        if (i > 150) throw new Error(`the kindergarten workflow of ${orgnr} in ${runId} did not start`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** The CLI as a script runs it: standard in is a pipe, not a terminal. */
  const arshjul = (args: string[]) => arshjulCli(args, env);

  /** The CLI at a terminal (a pseudo-terminal from util-linux `script`), answering the question with `answer`. */
  function atTerminal(args: string[], answer: string): Promise<{ code: number; output: string }> {
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const child = spawn('script', ['-q', '-e', '-c', [process.execPath, BIN, ...args].map(quote).join(' '), '/dev/null'], { env: { ...process.env, ...env } });
    let output = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!answered && output.includes('Vil du gjennomføre dette? (ja/nei)')) {
        answered = true;
        child.stdin.write(`${answer}\n`);
      }
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, output: output.replace(/\r/g, '') })));
  }

  const actions = async (runId: string) => (await s.accounts.listAudit(runId)).map((a) => a.action);
  const workshop1 = (timeline: { milestones: { id: string; occurrences: { groupId: string | null; at: number }[] }[] }, groupId: string) =>
    timeline.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === groupId)?.at;

  describe('run reschedule', () => {
    const move = ['run', 'reschedule', '--milestone', 'workshop-1', '--region', 'hedmarken', '--group', 'hamar-stange', '--at', '2028-01-27T09:00', '--as', 'kari'];

    it('with --dry-run prints the move preview in bokmål — the milestone by title, the group by name, Norwegian dates, the emails it changes — and moves nothing', async () => {
      const before = await control.runPlan(s.control, moveRunId);
      const { code, stdout, stderr } = await arshjul([...move, '--run', moveRunId, '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Flytt «${WORKSHOP_1}» for ${HAMAR_STANGE} (planversjon ${before.revision})\nMilepæler som flyttes:\n`);
      expect(stdout).toContain(`  «${WORKSHOP_1}» for ${HAMAR_STANGE}: tirsdag 25. januar 2028 kl. 09.00 → torsdag 27. januar 2028 kl. 09.00\n`);
      // The module that follows workshop 1 moves with it.
      expect(stdout).toContain(`  «${MODULES_1_2}» for ${HAMAR_STANGE}: tirsdag 25. januar 2028 kl. 12.00 → torsdag 27. januar 2028 kl. 12.00\n`);
      expect(stdout).toContain('E-post som endres: 1 barnehage får e-post til nye tider\n');
      expect(stdout).toContain(`  «${WORKSHOP_1}»: Invitasjon til workshop til styreren flyttes, tirsdag 11. januar 2028 kl. 08.00 → torsdag 13. januar 2028 kl. 08.00 (1 barnehage)\n`);
      expect(stdout).toContain(`  «${WORKSHOP_1}»: Invitasjon til workshop til deltakerne flyttes, tirsdag 11. januar 2028 kl. 08.00 → torsdag 13. januar 2028 kl. 08.00 (1 barnehage)\n`);
      expect(stdout).not.toMatch(/hamar-stange|workshop-1|\d{4}-\d{2}-\d{2}T/);
      expect(stderr).toContain('Dette var en forhåndsvisning (--dry-run): ingenting er endret.');
      const after = await control.runPlan(s.control, moveRunId);
      expect(after.revision).toBe(before.revision);
      expect(after.overrides).toEqual(before.overrides);
      expect(workshop1(after.timeline, 'hamar-stange')).toBe(workshop1(before.timeline, 'hamar-stange'));
      expect(await actions(moveRunId)).not.toContain('milestone-moved');
    });

    it('refuses without --ja when standard in is not a terminal: the preview, a bokmål line saying to add --ja, exit code 2, nothing moved', async () => {
      const before = await control.runPlan(s.control, moveRunId);
      const { code, stdout, stderr } = await arshjul([...move, '--run', moveRunId]);
      expect(code).toBe(2);
      expect(stdout).toContain(`Flytt «${WORKSHOP_1}» for ${HAMAR_STANGE}`);
      expect(stderr).toContain(REFUSED_WITHOUT_JA);
      expect((await control.runPlan(s.control, moveRunId)).revision).toBe(before.revision);
      expect(await actions(moveRunId)).not.toContain('milestone-moved');
    });

    it('with --ja moves the one workshop group at once, and the audit log has the move by cli:kari', async () => {
      const before = await control.runPlan(s.control, moveRunId);
      const { code, stdout, stderr } = await arshjul([...move, '--run', moveRunId, '--ja']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      // With --ja there is no preview and no question: the result only, as scripts have always read it.
      expect(stdout).toMatch(/^planversjon \d+: \d+ tidspunkter flyttet; regioner som er varslet: Hedmarken\n/);
      expect(stdout).not.toContain('Flytt «');
      const after = await control.runPlan(s.control, moveRunId);
      expect(after.revision).toBe(before.revision + 1);
      expect(workshop1(after.timeline, 'hamar-stange')).toBe(DateTime.fromISO('2028-01-27T09:00', { zone: 'Europe/Oslo' }).toMillis());
      expect(workshop1(after.timeline, 'ringsaker-loten')).toBe(workshop1(before.timeline, 'ringsaker-loten'));
      const [latest] = await s.accounts.listAudit(moveRunId);
      expect(latest).toMatchObject({ actor: 'cli:kari', action: 'milestone-moved', details: expect.objectContaining({ milestoneId: 'workshop-1' }) });
    });

    it('refuses a move of workshop 1 before the result portal opens, with the order rule in bokmål naming both milestones by title: exit code 2, nothing moved', async () => {
      const before = await control.runPlan(s.control, moveRunId);
      const portal = before.timeline.milestones.find((m) => m.id === 'result-portal-opens')?.occurrences[0]?.at as number;
      // The day before the result portal opens, at 09.00: workshop 1 must come after it.
      const early = DateTime.fromMillis(portal, { zone: 'Europe/Oslo' }).minus({ days: 1 }).set({ hour: 9, minute: 0 });
      const rule = `«${WORKSHOP_1}» (${formatNorwegian(early.toMillis(), 'compact')}) må komme etter «${RESULT_PORTAL}» (${formatNorwegian(portal, 'compact')}) for Kongsvingerregionen`;
      const tooEarly = ['run', 'reschedule', '--run', moveRunId, '--milestone', 'workshop-1', '--region', 'kongsvinger', '--at', early.toFormat("yyyy-MM-dd'T'HH:mm"), '--as', 'kari'];
      for (const confirm of ['--dry-run', '--ja']) {
        const { code, stdout, stderr } = await arshjul([...tooEarly, confirm]);
        expect({ confirm, code, stdout }).toEqual({ confirm, code: 2, stdout: '' });
        // The milestone by the id that was typed and by title, never the plan's internal path (`milestones.workshop-1`).
        expect(stderr).toBe(`Tidslinjen er i feil rekkefølge\n  - milepæl workshop-1: ${rule}\n`);
        expect(stderr).not.toMatch(ENGLISH);
      }
      const after = await control.runPlan(s.control, moveRunId);
      expect(after.revision).toBe(before.revision);
      expect(after.overrides).toEqual(before.overrides);
      expect(workshop1(after.timeline, 'kongsvinger')).toBe(workshop1(before.timeline, 'kongsvinger'));
    });
  });

  describe('run status and run start', () => {
    it('tells the example-timeline run in bokmål: programme, county and school year, the state in words, regions by name, counts per deliverable by title; one kindergarten with its counts and nouns', async () => {
      const { plan, revision, timeline } = await control.runPlan(s.control, moveRunId);
      const { code, stdout, stderr } = await arshjul(['run', 'status', '--run', moveRunId]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const lines = stdout.split('\n');
      expect(lines[0]).toBe(`Kultur for læring – barnehage, Hedmark 2027/2028 (${moveRunId}): aktivt, planversjon ${revision}, slutter ${formatNorwegian(timeline.endsAt, 'compact')}`);
      expect(lines[1]).toBe('  regioner: Kongsvingerregionen, Hedmarken, Nord-Østerdal, Sør-Østerdal');
      // Five kindergartens (one per workshop group), none of whose deliverables has opened yet in December 2026.
      for (const d of plan.deliverables.filter((x) => x.submittedBy !== 'municipal-authorities')) expect(lines).toContain(`  ${d.title}: 5 ikke åpnet`);
      // The authorities' group set-up is counted by municipality: none has sent it yet.
      for (const d of plan.deliverables.filter((x) => x.submittedBy === 'municipal-authorities')) expect(lines).toContain(`  ${d.title}: 0 av 5 kommuner har sendt`);
      expect(stdout).not.toMatch(/not-open|analysis-so-far|full-analysis|kongsvinger|hedmarken|\d{4}-\d{2}-\d{2}T|\d{13}/);
      expect(stdout).not.toMatch(ENGLISH);

      const k = moveRoster.kindergartens.find((x) => x.groupId === 'hamar-stange') as Roster['kindergartens'][number];
      const one = await arshjul(['run', 'status', '--run', moveRunId, '--kindergarten', k.orgnr]);
      expect({ code: one.code, stderr: one.stderr }).toEqual({ code: 0, stderr: '' });
      const status = await control.kindergartenStatus(s.control, moveRunId, k.orgnr);
      const analysis = status.deliverables.find((d) => d.id === 'analysis-so-far');
      expect(one.stdout).toMatch(new RegExp(`^${k.name} \\(${k.orgnr}\\), Kommune hamar-stange, ${HAMAR_STANGE}: aktiv\n`));
      expect(one.stdout).toContain(`  ${ANALYSIS}: ikke åpnet, frist ${formatNorwegian(analysis?.dueAt as number, 'compact')}, 0 innleveringer\n`);
      expect(one.stdout).toMatch(/\n {2}neste e-post: [a-zæøå]{2,3}\. \d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d .+\n$/);
      expect(one.stdout).not.toMatch(/not-open|analysis-so-far|@v\d|\d{13}/);
      expect(one.stdout).not.toMatch(ENGLISH);
    });

    it('refuses to start a run that already exists, in bokmål, with exit code 3 and nothing started twice', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-start-'));
      const plan = futurePlan(2027, 'clistart');
      const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 1, 97_000_000);
      writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
      writeFileSync(join(dir, 'deltakere.json'), JSON.stringify(rosterAsJson(roster, plan)));
      const start = ['run', 'start', '--plan', join(dir, 'plan.json'), '--roster', join(dir, 'deltakere.json')];
      const runId = runWorkflowId(plan.schoolYear, plan.county);
      const first = await arshjul(start);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe(`startet ${runId}: 4 regioner, 1 barnehage (arbeidsflytene deres startes 200 om gangen)\n`);
      const startedAt = (await s.env.client.workflow.getHandle(runId).describe()).runId;
      for (let i = 0; !(await actions(runId)).includes('run-started'); i++) {
        if (i > 150) throw new Error(`the run ${runId} wrote no run-started entry`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const again = await arshjul(start);
      expect(again.code).toBe(3);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain(`avvist: Programåret ${runId} finnes allerede. Avslutt det, eller endre skoleår eller fylke i planen.`);
      expect(again.stderr).not.toMatch(ENGLISH);
      // The first run goes on as it was: the same workflow execution, one start in its audit log.
      expect((await s.env.client.workflow.getHandle(runId).describe()).runId).toBe(startedAt);
      expect((await actions(runId)).filter((a) => a === 'run-started')).toHaveLength(1);
    });
  });

  describe('run extend', () => {
    const newDue = () => DateTime.now().setZone('Europe/Oslo').plus({ days: 5 }).set({ hour: 16, minute: 0, second: 0, millisecond: 0 });

    it('with --dry-run prints the extension preview — kindergarten and deliverable by name, the deadline now and the new one in Norwegian — and extends nothing', async () => {
      const orgnr = orgnrs[0] as string;
      const due = newDue();
      const current = (await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far');
      const { code, stdout, stderr } = await arshjul(['run', 'extend', '--run', s.runId, '--kindergarten', orgnr, '--deliverable', 'analysis-so-far', '--due', due.toFormat("yyyy-MM-dd'T'HH:mm"), '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Forleng fristen for Barnehage ${orgnr} (Kommune kongsvinger)\n`);
      expect(stdout).toContain(`  Innlevering: «${ANALYSIS}»\n`);
      expect(stdout).toContain(`  Frist nå: ${formatNorwegian(current?.dueAt as number)}\n`);
      expect(stdout).toContain(`  Ny frist: ${formatNorwegian(due.toMillis())}\n`);
      expect(stdout).toMatch(/ {2}Ny frist: (mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag) \d{1,2}\. [a-zæøå]+ \d{4} kl\. 16\.00\n/);
      expect(stdout).toContain('Påminnelser og varsel til kommunen følger den nye fristen.');
      expect(stdout).not.toContain('analysis-so-far');
      expect(stderr).toContain('Dette var en forhåndsvisning (--dry-run): ingenting er endret.');
      const after = (await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far');
      expect(after).toMatchObject({ dueAt: current?.dueAt, extended: false });
      expect(await actions(s.runId)).not.toContain('deadline-extended');
    });

    it('refuses without --ja when standard in is not a terminal, with exit code 2, and extends nothing', async () => {
      const orgnr = orgnrs[0] as string;
      const { code, stdout, stderr } = await arshjul(['run', 'extend', '--run', s.runId, '--kindergarten', orgnr, '--deliverable', 'analysis-so-far', '--due', newDue().toFormat("yyyy-MM-dd'T'HH:mm")]);
      expect(code).toBe(2);
      expect(stdout).toContain(`Forleng fristen for Barnehage ${orgnr}`);
      expect(stderr).toContain(REFUSED_WITHOUT_JA);
      expect((await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far')?.extended).toBe(false);
      expect(await actions(s.runId)).not.toContain('deadline-extended');
    });

    it('with --yes (the alias of --ja) extends the deadline, and the audit log has the extension', async () => {
      const orgnr = orgnrs[0] as string;
      const due = newDue();
      const { code, stdout } = await arshjul(['run', 'extend', '--run', s.runId, '--kindergarten', orgnr, '--deliverable', 'analysis-so-far', '--due', due.toFormat("yyyy-MM-dd'T'HH:mm"), '--yes', '--as', 'kari']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ny frist .+ kl\. 16\.00; sene innleveringer tas imot til /);
      expect((await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far')).toMatchObject({ dueAt: due.toMillis(), extended: true });
      const [latest] = await s.accounts.listAudit(s.runId);
      expect(latest).toMatchObject({ actor: 'cli:kari', action: 'deadline-extended', details: expect.objectContaining({ orgnr, deliverableId: 'analysis-so-far' }) });
    });

    it('at a terminal asks «Vil du gjennomføre dette? (ja/nei)»: «nei» changes nothing, «j» extends', async () => {
      const orgnr = orgnrs[2] as string;
      const args = ['run', 'extend', '--run', s.runId, '--kindergarten', orgnr, '--deliverable', 'analysis-so-far', '--due', newDue().toFormat("yyyy-MM-dd'T'HH:mm"), '--as', 'kari'];
      const declined = await atTerminal(args, 'nei');
      expect(declined.code).toBe(0);
      expect(declined.output).toContain(`Forleng fristen for Barnehage ${orgnr} (Kommune kongsvinger)`);
      expect(declined.output).toContain('Vil du gjennomføre dette? (ja/nei)');
      expect(declined.output).toContain('Ingenting er endret (du svarte ikke «ja»).');
      expect((await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far')?.extended).toBe(false);
      const accepted = await atTerminal(args, 'j');
      expect(accepted.code).toBe(0);
      expect(accepted.output).toMatch(/ny frist .+ kl\. 16\.00; sene innleveringer tas imot til /);
      expect((await control.kindergartenStatus(s.control, s.runId, orgnr)).deliverables.find((d) => d.id === 'analysis-so-far')?.extended).toBe(true);
      expect((await s.accounts.listAudit(s.runId)).filter((a) => a.action === 'deadline-extended' && a.details.orgnr === orgnr)).toHaveLength(1);
    });
  });

  describe('run change-contact', () => {
    it('with --dry-run names the director now and next and the open links that will be re-issued, and changes nothing', async () => {
      const orgnr = orgnrs[1] as string;
      const { code, stdout, stderr } = await arshjul(['run', 'change-contact', '--run', s.runId, '--kindergarten', orgnr, '--name', 'Nina Ny', '--email', 'nina@barnehage.example', '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Ny styrer for Barnehage ${orgnr}\n  Nå: Styrer ${orgnr}, styrer-${orgnr}@barnehage.example\n  Ny: Nina Ny, nina@barnehage.example\n`);
      expect(stdout).toContain('Den nye styreren får 2 nye innleveringslenker på e-post, og lenkene den forrige fikk, slutter å virke:\n');
      // The two deliverables open now (the analysis so far, and the full analysis in its late window); not the booklet material.
      const full = s.timeline.deliverables.find((d) => d.id === 'full-analysis');
      expect(stdout).toMatch(new RegExp(` {2}«${ANALYSIS.replace(/[()]/g, '\\$&')}» \\(virker til [a-zæøå]+dag \\d{1,2}\\. [a-zæøå]+ \\d{4} kl\\. \\d\\d\\.\\d\\d\\)\\n`));
      expect(stdout).toContain(`  «${full?.title}» (virker til `);
      expect(stdout).not.toContain('booklet');
      expect(stderr).toContain('Dette var en forhåndsvisning (--dry-run): ingenting er endret.');
      expect((await read.kindergarten(s.runId, orgnr))?.directorEmail).toBe(`styrer-${orgnr}@barnehage.example`);
      expect(await actions(s.runId)).not.toContain('contact-changed');
      expect(await actions(s.runId)).not.toContain('upload-link-reissued');
    });

    it('with --dry-run for an authority names the municipality and its contact now', async () => {
      const { code, stdout } = await arshjul(['run', 'change-contact', '--run', s.runId, '--municipality', 'm-kongsvinger', '--name', 'Ola Ny', '--email', 'ola@kommune.example', '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toContain('Ny kontakt hos barnehagemyndigheten i Kommune kongsvinger\n  Nå: Myndighet kongsvinger, barnehage@kongsvinger.kommune.example\n  Ny: Ola Ny, ola@kommune.example\n');
      expect(stdout).toContain('til barnehagemyndigheten i Kommune kongsvinger (for alle barnehagene i kommunen), går til den nye adressen.');
    });

    it('refuses without --ja when standard in is not a terminal, with exit code 2, and changes nothing', async () => {
      const orgnr = orgnrs[1] as string;
      const { code, stdout, stderr } = await arshjul(['run', 'change-contact', '--run', s.runId, '--kindergarten', orgnr, '--name', 'Nina Ny', '--email', 'nina@barnehage.example']);
      expect(code).toBe(2);
      expect(stdout).toContain(`Ny styrer for Barnehage ${orgnr}`);
      expect(stderr).toContain(REFUSED_WITHOUT_JA);
      expect((await read.kindergarten(s.runId, orgnr))?.directorEmail).toBe(`styrer-${orgnr}@barnehage.example`);
      expect(await actions(s.runId)).not.toContain('contact-changed');
    });

    it('with --ja changes the director, re-issues the two open links to the new one, and the audit log has each', async () => {
      const orgnr = orgnrs[1] as string;
      const { code, stdout } = await arshjul(['run', 'change-contact', '--run', s.runId, '--kindergarten', orgnr, '--name', 'Nina Ny', '--email', 'nina@barnehage.example', '--ja', '--as', 'kari']);
      expect(code).toBe(0);
      expect(stdout).toBe(`endret fra Styrer ${orgnr} (styrer-${orgnr}@barnehage.example) til Nina Ny (nina@barnehage.example); 2 nye lenker sendt til den nye styreren\n`);
      expect((await read.kindergarten(s.runId, orgnr))?.directorEmail).toBe('nina@barnehage.example');
      const entries = (await s.accounts.listAudit(s.runId)).filter((a) => a.actor === 'cli:kari' && a.details.orgnr === orgnr);
      expect(entries.map((a) => a.action).sort()).toEqual(['contact-changed', 'upload-link-reissued', 'upload-link-reissued']);
      await waitForEmail(s.sink, (e) => e.to.includes('nina@barnehage.example') && e.text.includes(ANALYSIS));
    });
  });

  describe('run message', () => {
    const message = () => ['run', 'message', '--run', s.runId, '--deliverable', 'analysis-so-far', '--subject', 'Husk analysen', '--text', 'Fristen nærmer seg.', '--id', 'cli-handlinger-1', '--as', 'kari'];

    it('with --dry-run prints the message and each kindergarten by name with its deadline, and sends nothing', async () => {
      const { code, stdout, stderr } = await arshjul([...message(), '--dry-run']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Meldingen om «${ANALYSIS.replace(/[()]/g, '\\$&')}» sendes til styreren i \\d barnehager? som ikke har levert ennå`));
      expect(stdout).toContain('  Emne: Husk analysen\n  Tekst:\n    Fristen nærmer seg.\n');
      expect(stdout).toMatch(new RegExp(`^ {2}Barnehage ${orgnrs[1]} \\(Kommune kongsvinger\\), frist [a-zæøå]+dag `, 'm'));
      expect(stderr).toContain('Dette var en forhåndsvisning (--dry-run): ingenting er endret.');
      expect(await actions(s.runId)).not.toContain('message-sent');
    });

    it('refuses without --ja when standard in is not a terminal (exit code 2); with --ja it is sent and the audit log has it', async () => {
      const refused = await arshjul(message());
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(REFUSED_WITHOUT_JA);
      expect(await actions(s.runId)).not.toContain('message-sent');
      const sent = await arshjul([...message(), '--ja']);
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/^melding cli-handlinger-1 sendt til \d styrere?\n$/);
      const [latest] = await s.accounts.listAudit(s.runId);
      expect(latest).toMatchObject({ actor: 'cli:kari', action: 'message-sent', details: expect.objectContaining({ messageId: 'cli-handlinger-1', subject: 'Husk analysen' }) });
    });
  });
});
