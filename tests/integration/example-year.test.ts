import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import { PgStore } from '../../activities/db/pg-store';
import { SubmissionRepository, type Submission } from '../../activities/db/submission-repository';
import { FileStore } from '../../activities/files/file-store';
import { submitGroupSetup } from '../../application/group-setup';
import { giveGuidance } from '../../application/guidance';
import * as control from '../../application/run-control';
import { type UploadDeps, submitUpload } from '../../application/upload-service';
import { InputError } from '../../config/errors';
import { kindergartenWorkflowId, regionWorkflowId, runWorkflowId } from '../../domain/ids';
import { authorityWindowFor, scheduleForKindergarten, type Timeline } from '../../domain/timeline';
import { fileLines } from '../../planning/group-setup';
import { loadRoster } from '../../planning/roster-import';
import { buildWorker } from '../../temporal/worker-factory';
import { regionStatusQuery } from '../../workflows/region-workflow';
import { pdf } from '../helpers/documents';
import { freshSchema } from '../helpers/postgres';
import { type ReceivedMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan, timeSkipping, type Plan, type Roster } from '../helpers/temporal';

jest.setTimeout(600_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROSTER_FILE = join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv');
/** Three municipalities of the example roster in three regions: 4 + 4 + 3 kindergartens. */
const MUNICIPALITIES = ['kongsvinger', 'hamar', 'amot'];
const SOLSTUA = '976028082';
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat("yyyy-MM-dd'T'HH:mm");
const icsField = (ics: string, name: string) => new RegExp(`^${name}[:;](.*)$`, 'm').exec(ics.replace(/\r\n /g, ''))?.[1] ?? '';

interface OutboxRow {
  template: string;
  recipient: string;
  last_error: string | null;
  message_id: string;
  state: string;
  orgnr: string | null;
  deliverable_id: string | null;
}

/**
 * The example year with every party, on the time-skipping server with the real activities, real PostgreSQL (a fresh
 * schema) and every email over SMTP: the authorities' group set-ups (Kongsvinger on time; Åmot's spreadsheet refused
 * for an invalid row, then sent corrected, then a second version that corrects a participant's address; Hamar late),
 * the participants' January mail and workshop invitations with calendar entries that move, the directors' uploads
 * stored in PostgreSQL and on disk, the research centre's guidance (given for all but one, owed for that one), a full
 * analysis returned by its authority and resubmitted, and the daily digests instead of per-kindergarten escalations.
 * Åmot has chosen nynorsk: every email to its people is in nynorsk, every other in bokmål.
 */
describe('the example year with every party, on PostgreSQL and over SMTP', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let pool: Pool;
  let store: PgStore;
  let submissions: SubmissionRepository;
  let files: FileStore;
  let storageDir: string;
  let sink: SmtpSink;
  let transport: Transporter;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let deps: control.RunControlDeps;
  let uploads: UploadDeps;
  let plan: Plan;
  let roster: Roster;
  let runId: string;

  beforeAll(async () => {
    db = await freshSchema('example_year');
    pool = db.pool;
    store = new PgStore({ pool });
    submissions = new SubmissionRepository(pool);
    storageDir = mkdtempSync(join(tmpdir(), 'arshjul-example-year-'));
    files = new FileStore(storageDir);
    await files.init();
    sink = await startSmtpSink();
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true });
    env = await timeSkipping();
    plan = futurePlan(2027, 'eksempel');
    const full = loadRoster(ROSTER_FILE, plan);
    // Åmot writes nynorsk (the roster's language column): its authority, directors and participants read nynorsk.
    roster = {
      municipalities: full.municipalities.filter((m) => MUNICIPALITIES.includes(m.id)).map((m) => (m.id === 'amot' ? { ...m, language: 'nn' as const } : m)),
      kindergartens: full.kindergartens.filter((k) => MUNICIPALITIES.includes(k.municipalityId)),
    };
    runId = runWorkflowId(plan.schoolYear, plan.county);
    const taskQueue = 'example-year';
    worker = await buildWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle: await bundleWorkflows(),
      deps: { store, mailer: transport, mail: { from: 'Årshjul <arshjul@fylke.example>', publicBaseUrl: 'http://arshjul.test', uploadSecret: TEST_UPLOAD_SECRET }, temporal: env.client, files },
    });
    deps = { client: env.client, store, taskQueue };
    uploads = { client: env.client, submissions, files, secret: TEST_UPLOAD_SECRET, limits: { maxFileBytes: 25 * 1024 * 1024, maxFiles: 10 } };
  });

  afterAll(async () => {
    transport?.close();
    await sink?.close();
    await env?.teardown();
    await db?.drop();
    rmSync(storageDir, { recursive: true, force: true });
  });

  const now = () => env.currentTimeMs();
  async function sleepUntil(ms: number): Promise<void> {
    const current = await now();
    if (ms > current) await env.sleep(ms - current);
  }
  /** Lets workflow time pass, a minute at a time, until `done` holds (the worker runs in this process). */
  async function until(done: () => boolean | Promise<boolean>): Promise<void> {
    for (let i = 0; i < 300 && !(await done()); i++) await env.sleep(60_000);
    expect(await done()).toBe(true);
  }
  const timeline = async (): Promise<Timeline> => (await control.runPlan(deps, runId)).timeline;
  const outbox = async () => (await pool.query<OutboxRow>("SELECT template, recipient, message_id, state, last_error, meta->>'orgnr' AS orgnr, meta->>'deliverableId' AS deliverable_id FROM email_outbox ORDER BY created_at")).rows;
  const received = (to: string, subject?: RegExp) => sink.messages.filter((m) => m.rcptTo.includes(to) && (!subject || subject.test(m.mail.subject ?? '')));
  const ical = (m: ReceivedMessage | undefined) => {
    const part = m?.mail.attachments.find((a) => a.mimeType === 'text/calendar') ?? null;
    return part ? Buffer.from(part.content as ArrayBuffer).toString('utf8') : (m?.raw.match(/BEGIN:VCALENDAR[\s\S]*?END:VCALENDAR/)?.[0] ?? '');
  };

  /**
   * A director's upload as the API takes it: the file streamed to the file store with its SHA-256, the submission row
   * stored, then the kindergarten workflow asked by the upload service. The row's time is set to the workflow clock's
   * instant (the time-skipping server's clock is months ahead of PostgreSQL's).
   */
  async function upload(orgnr: string, deliverableId: string, text: string): Promise<Submission> {
    const at = await now();
    const id = randomUUID();
    const file = await files.receive(Readable.from([pdf(text)]));
    await files.commit(file.tempPath, `${id}/1`);
    await submissions.createStored({ id, runId, orgnr, deliverableId, linkVersion: 1, comment: null, files: [{ position: 1, name: `${deliverableId}.pdf`, size: file.size, sha256: file.sha256, contentType: 'application/pdf', storageKey: `${id}/1` }] });
    await pool.query('UPDATE submissions SET created_at = $2 WHERE id = $1', [id, new Date(at)]);
    const outcome = await submitUpload({ ...uploads, now: () => at }, { claims: { runId, orgnr, deliverableId, version: 1, expiresAt: at + 365 * DAY } }, { submissionId: id, comment: null, files: [] });
    expect({ orgnr, deliverableId, kind: outcome.kind }).toEqual({ orgnr, deliverableId, kind: 'accepted' });
    return (outcome as { submission: Submission }).submission;
  }

  it('runs with group set-ups, participants, guidance, a returned analysis and daily digests', async () => {
    const kindergartens = (municipalityId: string) => roster.kindergartens.filter((k) => k.municipalityId === municipalityId);
    const authority = (municipalityId: string) => roster.municipalities.find((m) => m.id === municipalityId)?.authority.email as string;
    const [kongsvinger, hamar, amot] = MUNICIPALITIES.map(kindergartens) as [Roster['kindergartens'], Roster['kindergartens'], Roster['kindergartens']];
    const pedleder = (orgnr: string) => `pedleder-${orgnr}@barnehage.example`;
    const setupLines = (ks: Roster['kindergartens'], email: (orgnr: string) => string = pedleder) =>
      ks.flatMap((k, i) => [
        { row: 2 * i + 2, orgnr: k.orgnr, name: k.director.name, email: k.director.email, role: 'styrer' },
        { row: 2 * i + 3, orgnr: k.orgnr, name: `Pedagogisk leder i ${k.name}`, email: email(k.orgnr), role: 'pedagogisk-leder' },
      ]);
    const csv = (rows: { orgnr: string; name: string; email: string; role: string }[]) => Buffer.from(['orgnr;barnehage;navn;epost;rolle', ...rows.map((r) => [r.orgnr, '', r.name, r.email, r.role].join(';'))].join('\n'));
    // Åmot's first address for Moltemyra's pedagogical leader is wrong; its second version corrects it.
    const moltemyra = amot[0]?.orgnr as string;
    const wrong = 'feil.adresse@barnehage.example';
    const amotFirst = (orgnr: string) => (orgnr === moltemyra ? wrong : pedleder(orgnr));
    const never = hamar[1]?.orgnr as string; // never sends the analysis so far
    const unguided = kongsvinger[1]?.orgnr as string; // gets no guidance

    await worker.runUntil(async () => {
      await control.startRun(deps, plan, roster, 'koordinator@fylke.example', () => Date.now());
      for (let i = 0; i < 100; i++) {
        const started = await Promise.all(['kongsvinger', 'hedmarken', 'sor-osterdal'].map((r) => env.client.workflow.getHandle(regionWorkflowId(runId, r)).query(regionStatusQuery).catch(() => null)));
        if (started.every((s) => s?.startComplete)) break;
        await new Promise((r) => setTimeout(r, 100));
      }

      // The group set-up: prompted in November, due at the start of December.
      let t = await timeline();
      const gs = authorityWindowFor(t, 'group-setup', 'kongsvinger');
      if (!gs) throw new Error('the example plan has no group set-up');
      await sleepUntil(gs.promptAt + 2 * HOUR);
      const v1k = await submitGroupSetup(deps, t, { runId, municipalityId: 'kongsvinger', deliverableId: 'group-setup', setupId: randomUUID(), lines: setupLines(kongsvinger), source: { kind: 'form' }, by: authority('kongsvinger'), receivedAt: await now() });
      expect({ version: v1k.version, late: v1k.late }).toEqual({ version: 1, late: false });

      // Åmot's spreadsheet with an invalid address in row 4 is refused, naming row and column; nothing is stored.
      const invalid = setupLines(amot, amotFirst).map((l) => (l.row === 4 ? { ...l, email: 'ikke-en-adresse' } : l));
      const refusedFile = await fileLines(csv(invalid), 'amot.csv');
      const refused = await submitGroupSetup(deps, t, { runId, municipalityId: 'amot', deliverableId: 'group-setup', setupId: randomUUID(), lines: refusedFile.lines, source: { kind: 'file', file: 'amot.csv' }, by: authority('amot'), receivedAt: await now() }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InputError);
      expect((refused as InputError).issues).toEqual([expect.objectContaining({ file: 'amot.csv', row: 4, column: 'epost' })]);
      expect(await store.latestGroupSetup(runId, 'amot', 'group-setup')).toBeNull();
      // Corrected and sent again: version 1. A week later a second version with Moltemyra's right address.
      const corrected = await fileLines(csv(setupLines(amot, amotFirst)), 'amot.csv');
      const v1a = await submitGroupSetup(deps, t, { runId, municipalityId: 'amot', deliverableId: 'group-setup', setupId: randomUUID(), lines: corrected.lines, source: { kind: 'file', file: 'amot.csv' }, by: authority('amot'), receivedAt: await now() });
      expect(v1a.version).toBe(1);
      await sleepUntil((await now()) + 7 * DAY);
      const v2a = await submitGroupSetup(deps, t, { runId, municipalityId: 'amot', deliverableId: 'group-setup', setupId: randomUUID(), lines: setupLines(amot), source: { kind: 'form' }, by: authority('amot'), receivedAt: await now() });
      expect(v2a.version).toBe(2);

      // Hamar sends late, after its reminders and the coordinator's escalation.
      await sleepUntil(gs.escalationAt + HOUR);
      const v1h = await submitGroupSetup(deps, t, { runId, municipalityId: 'hamar', deliverableId: 'group-setup', setupId: randomUUID(), lines: setupLines(hamar), source: { kind: 'form' }, by: authority('hamar'), receivedAt: await now() });
      expect({ version: v1h.version, late: v1h.late }).toEqual({ version: 1, late: true });

      // The participants' information in January, to every participant of the latest set-ups who is not the director;
      // the wrong address of Åmot's first version gets nothing.
      const info = scheduleForKindergarten(t, 'kongsvinger', 'kongsvinger').emails.find((e) => e.template === 'participant-information');
      if (!info) throw new Error('no participant information in the example plan');
      await sleepUntil(info.sendAt + HOUR);
      const participants = roster.kindergartens.map((k) => pedleder(k.orgnr));
      await until(() => participants.every((p) => received(p, /Du er med i kompetansepakken/).length === 1));
      // A director, a participant too, gets the director's own copy once, not a second one as a participant.
      for (const k of roster.kindergartens) expect(received(k.director.email, /kompetansepakken/).map((m) => m.mail.subject)).toEqual(['Kultur for læring: Informasjon om kompetansepakken']);
      expect(received(wrong)).toEqual([]);

      // Workshop 1's invitations with a calendar entry; the workshop moves a week for the Kongsvinger region, and
      // every participant's entry moves with it (same UID, next SEQUENCE).
      const invitation = scheduleForKindergarten(t, 'kongsvinger', 'kongsvinger').emails.find((e) => e.milestoneId === 'workshop-1' && e.to === 'participants');
      if (!invitation) throw new Error('no workshop invitation to participants');
      await sleepUntil(invitation.sendAt + HOUR);
      const invited = kongsvinger.map((k) => pedleder(k.orgnr));
      const invitations = (to: string) => received(to).filter((m) => ical(m).includes('BEGIN:VEVENT') && (m.mail.subject ?? '').includes('Workshop 1'));
      await until(() => invited.every((p) => invitations(p).length === 1));
      const first = ical(invitations(invited[0] as string)[0]);
      const ws1 = t.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.regionId === 'kongsvinger')?.at as number;
      await control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-1', regionId: 'kongsvinger', at: local(ws1 + 7 * DAY) }, 'koordinator@fylke.example');
      await sleepUntil(invitation.sendAt + 7 * DAY + HOUR);
      await until(() => invited.every((p) => invitations(p).length === 2));
      const moved = ical(invitations(invited[0] as string)[1]);
      expect(icsField(moved, 'UID')).toBe(icsField(first, 'UID'));
      expect([icsField(first, 'SEQUENCE'), icsField(moved, 'SEQUENCE')]).toEqual(['0', '1']);
      expect(icsField(moved, 'DTSTART')).not.toBe(icsField(first, 'DTSTART'));

      // The analysis so far: every kindergarten but one uploads on time, in the order their windows open.
      t = await timeline();
      const analysisWindow = (k: Roster['kindergartens'][number]) => scheduleForKindergarten(t, k.regionId, k.groupId).deliverables.find((d) => d.id === 'analysis-so-far')?.window;
      const uploaders = roster.kindergartens.filter((k) => k.orgnr !== never).sort((a, b) => (analysisWindow(a)?.opensAt ?? 0) - (analysisWindow(b)?.opensAt ?? 0));
      const analyses = new Map<string, Submission>();
      for (const k of uploaders) {
        await sleepUntil((analysisWindow(k)?.opensAt ?? 0) + 2 * HOUR);
        analyses.set(k.orgnr, await upload(k.orgnr, 'analysis-so-far', `Analysen så langt, ${k.name}`));
      }
      // The research centre gives guidance a day later on all but one.
      await sleepUntil((await now()) + DAY);
      for (const k of uploaders.filter((x) => x.orgnr !== unguided)) {
        await giveGuidance(deps, plan, { runId, orgnr: k.orgnr, deliverableId: 'analysis-so-far', guidanceId: randomUUID(), text: `Gode refleksjoner om ${k.name}. Se særlig på del 2.`, files: [], by: 'forsker@senteret.example', at: await now() });
      }

      // The full analysis: everyone uploads; Solstua's authority returns it with a comment and a new deadline.
      const full = (k: Roster['kindergartens'][number]) => scheduleForKindergarten(t, k.regionId, k.groupId).deliverables.find((d) => d.id === 'full-analysis')?.window;
      const fullOpens = Math.max(...roster.kindergartens.map((k) => full(k)?.opensAt ?? 0));
      await sleepUntil(fullOpens + DAY);
      const fullAnalyses = new Map<string, Submission>();
      for (const k of roster.kindergartens) fullAnalyses.set(k.orgnr, await upload(k.orgnr, 'full-analysis', `Full pedagogisk analyse, ${k.name}`));
      await sleepUntil((await now()) + 3 * DAY);
      const solstua = fullAnalyses.get(SOLSTUA) as Submission;
      const newDue = (full(roster.kindergartens.find((k) => k.orgnr === SOLSTUA) as Roster['kindergartens'][number])?.dueAt ?? 0) + 14 * DAY;
      await control.reviewSubmission(deps, runId, SOLSTUA, { reviewId: randomUUID(), deliverableId: 'full-analysis', submissionId: solstua.id, verdict: 'returned', comment: 'Utdyp vurderingen av tiltakene i del 3.', dueLocal: local(newDue) }, authority('kongsvinger'));
      await until(() => received(roster.kindergartens.find((k) => k.orgnr === SOLSTUA)?.director.email as string, /sendt tilbake til revisjon/).length === 1);
      // Reminders resume: the first reminder of the new deadline reaches Solstua's director before it resubmits.
      const solstuaStatus = await control.kindergartenStatus(deps, runId, SOLSTUA);
      const reminder = solstuaStatus.upcoming.find((u) => u.template === 'deliverable-reminder' && u.key.startsWith('full-analysis/'));
      if (!reminder) throw new Error(`no reminder planned after the return: ${JSON.stringify(solstuaStatus.upcoming)}`);
      await sleepUntil(reminder.at + HOUR);
      const director = roster.kindergartens.find((k) => k.orgnr === SOLSTUA)?.director.email as string;
      await until(() => received(director, /^Kultur for læring: Påminnelse: Full pedagogisk analyse/).length >= 1);
      const revised = await upload(SOLSTUA, 'full-analysis', 'Full pedagogisk analyse, revidert');
      expect(revised.version).toBe(2);
      await control.reviewSubmission(deps, runId, SOLSTUA, { reviewId: randomUUID(), deliverableId: 'full-analysis', submissionId: revised.id, verdict: 'accepted', comment: null, dueLocal: null }, authority('kongsvinger'));
      await until(() => received(director, /er godkjent av barnehagemyndigheten/).length === 1);

      // The rest of the year, to its end.
      await env.client.workflow.getHandle(runId).result();
      for (const k of roster.kindergartens) await env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result();
    });

    // Every email the outbox sent reached the SMTP server exactly once, with the Message-ID it recorded.
    const rows = await outbox();
    const sent = rows.filter((r) => r.state === 'sent');
    expect(rows.filter((r) => r.state !== 'sent')).toEqual([]);
    expect(sink.messages.map((m) => m.mail.messageId).sort()).toEqual(sent.map((r) => r.message_id).sort());
    const byTemplate = (template: string) => sent.filter((r) => r.template === template);

    // The group set-up: every authority prompted; only Hamar, which sent late, reminded; the coordinator told of Hamar
    // alone; a receipt per version (Kongsvinger 1, Åmot 2, Hamar 1).
    expect(byTemplate('group-setup-prompt').map((r) => r.recipient).sort()).toEqual(MUNICIPALITIES.map(authority).sort());
    expect([...new Set(byTemplate('group-setup-reminder').map((r) => r.recipient))]).toEqual([authority('hamar')]);
    const escalation = received(plan.contacts.coordinator.email, /har ikke sendt gruppeoppsettet/);
    expect(escalation).toHaveLength(1);
    expect(escalation[0]?.mail.text).toContain('Hamar');
    expect(escalation[0]?.mail.text).not.toContain('Åmot');
    expect(byTemplate('group-setup-receipt').map((r) => r.recipient).sort()).toEqual([authority('amot'), authority('amot'), authority('hamar'), authority('kongsvinger')].sort());

    // Participants: the January information and every workshop invitation to each participant of the latest version.
    expect(byTemplate('participant-information')).toHaveLength(roster.kindergartens.length);
    expect(received(pedleder(moltemyra), /Du er med i kompetansepakken/)).toHaveLength(1);
    expect(received(wrong)).toEqual([]);

    // Guidance: given to every director but one; the research centre reminded of that one, and of no other.
    expect(byTemplate('guidance-given').map((r) => r.orgnr).sort()).toEqual(roster.kindergartens.filter((k) => k.orgnr !== never && k.orgnr !== unguided).map((k) => k.orgnr).sort());
    const guidanceReminders = received(plan.contacts.researchCentre.email, /Veiledning som gjenstår/);
    expect(guidanceReminders.length).toBeGreaterThan(0);
    const unguidedName = roster.kindergartens.find((k) => k.orgnr === unguided)?.name as string;
    for (const m of guidanceReminders) expect(m.mail.text).toContain(unguidedName);
    expect(guidanceReminders.at(-1)?.mail.text).toMatch(/Forsinket:/);

    // The returned analysis: the director told why, the revision accepted, both verdicts on the submissions.
    const returned = received(roster.kindergartens.find((k) => k.orgnr === SOLSTUA)?.director.email as string, /sendt tilbake til revisjon/)[0];
    expect(returned?.mail.text).toContain('Utdyp vurderingen av tiltakene i del 3.');
    const versions = await submissions.listFor(runId, SOLSTUA, 'full-analysis');
    expect(versions.map((s) => [s.version, s.reviews.map((r) => r.verdict)])).toEqual([[1, ['returned']], [2, ['accepted']]]);

    // The kindergarten that never sent the analysis so far: its authority hears of it in the daily digest, and no
    // kindergarten's escalation went out on its own.
    expect(byTemplate('deliverable-escalation')).toEqual([]);
    const digests = received(authority('hamar'), /^Kultur for læring: Sammendrag for Hamar/);
    expect(digests.length).toBeGreaterThan(0);
    expect(digests[0]?.mail.text).toContain(roster.kindergartens.find((k) => k.orgnr === never)?.name as string);
    // At most one digest per authority and day.
    const perDay = new Map<string, number>();
    for (const m of sink.messages.filter((x) => /Sammendrag for/.test(x.mail.subject ?? ''))) {
      const key = `${m.rcptTo[0]}/${m.mail.subject}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    expect([...perDay.values()].every((n) => n === 1)).toBe(true);
    // Nynorsk for Åmot's people, bokmål for everyone else: every message to Åmot's authority, directors and
    // participants is signed «Venleg helsing», every other «Vennlig hilsen».
    const amotPeople = new Set([authority('amot'), ...amot.flatMap((k) => [k.director.email, pedleder(k.orgnr)])]);
    const signed = (m: ReceivedMessage) => (/Venleg helsing/.test(m.mail.text ?? '') ? 'nn' : /Vennlig hilsen/.test(m.mail.text ?? '') ? 'nb' : '?');
    const standards = { amot: new Set<string>(), others: new Set<string>() };
    for (const m of sink.messages) standards[m.rcptTo.some((r) => amotPeople.has(r)) ? 'amot' : 'others'].add(signed(m));
    expect({ amot: [...standards.amot], others: [...standards.others] }).toEqual({ amot: ['nn'], others: ['nb'] });
    const amotReceipt = received(authority('amot'), /vi har fått gruppeoppsettet/).at(-1);
    expect(amotReceipt?.mail.text).toContain(', pedagogisk leiar, ');
    expect(received(pedleder(moltemyra), /Du er med i kompetansepakken/)[0]?.mail.text).toMatch(/Du er meld på kompetansepakken/);
    expect(received(amot[0]?.director.email as string, /Rettleiing frå/)).toHaveLength(1);
    expect(received(roster.kindergartens[0]?.director.email as string, /Veiledning fra/)).toHaveLength(1);
    const counts = Object.fromEntries([...new Set(sent.map((r) => r.template))].sort().map((t) => [t, byTemplate(t).length]));
    process.stdout.write(`example year on PostgreSQL and SMTP: ${roster.kindergartens.length} kindergartens, ${sent.length} emails sent over SMTP, ${digests.length} digests to Hamar; by template ${JSON.stringify(counts)}\n`);
  });
});
