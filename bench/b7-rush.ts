import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatReceiptNumber } from '../activities/db/submission-repository';
import { PART_WORDS } from '../activities/email/template-parts';
import { initialDeliverables } from '../application/run-control';
import { ARSHJUL_RELEASE } from '../application/release';
import { kindergartenWorkflowId, runWorkflowId } from '../domain/ids';
import type { Timeline } from '../domain/timeline';
import { signUploadToken } from '../security/upload-tokens';
import { DIRECTOR_PAGE_TEXT } from '../texts/director-pages';
import { kindergartenStatusQuery } from '../workflows/kindergarten-workflow';
import { runWorkflow } from '../workflows/run-workflow';
import { pdf } from '../tests/helpers/documents';
import { buildRoster } from '../tests/helpers/roster-builder';
import { TEST_UPLOAD_SECRET } from '../tests/helpers/temporal';
import { type UploadStack, readEmails, startUploadStack, uploadTimeline } from '../tests/helpers/upload-stack';
import { type BenchResult, MB, inParallel, memoryOf, percentile, sleep, startProcess, stopProcess } from './lib';

const run = promisify(execFile);
const DELIVERABLE = 'analysis-so-far';
const DAY = 24 * 3_600_000;

/** How a deadline rush is shaped; `deadlineRush` runs it. */
export interface DeadlineRushOptions {
  /** Names the PostgreSQL schema, the storage directory and the run's county. */
  label: string;
  /** Uploads, each by its own kindergarten's director (one kindergarten per upload). */
  uploads: number;
  /** Uploads in flight at most (the clients; each takes the next upload when its planned time has come). */
  clients: number;
  /** Each upload is one PDF of a size between these (bytes). */
  minBytes: number;
  maxBytes: number;
  /** The uploads' planned starts are spread over this long, densest at the deadline, which is in its middle. */
  rushMs: number;
  /** Time given the run's kindergarten workflows to start; the deadline is set this far plus half the rush ahead. */
  startupMs?: number;
  /** Seeds the planned starts and the file sizes, so two runs plan the same rush. */
  seed?: number;
  log: (line: string) => void;
}

/** One upload: what its client saw, what was stored, how it was judged, and what is wrong with it (nothing, we hope). */
export interface RushUpload {
  orgnr: string;
  submissionId: string;
  /** The file sent: its size and SHA-256. */
  bytes: number;
  sha256: string;
  /** Planned start, actual start of the request, and when the answer (the 303 to the receipt) had come (epoch ms). */
  plannedAt: number;
  startedAt: number;
  answeredAt: number;
  /** From the POST until the receipt page was in hand (curl's own clock), ms. */
  toReceiptMs: number;
  /** The final HTTP status after following the 303 (200: the receipt page), 0 when curl failed. */
  status: number;
  receiptNumber: string | null;
  /** The stored row's time (`submissions.created_at`), what the workflow judged by; null when not stored. */
  receivedAt: number | null;
  /** The row's `late`; null when not stored or not decided. */
  late: boolean | null;
  lost: boolean;
  duplicated: boolean;
  misjudged: boolean;
  /** No receipt page with its number, or no receipt email. */
  withoutReceipt: boolean;
  problems: string[];
}

/** What a client saw of its upload, before anything is compared. */
type SentUpload = Omit<RushUpload, 'receivedAt' | 'late' | 'lost' | 'duplicated' | 'misjudged' | 'withoutReceipt'> & { pageSaysLate: boolean };

export interface DeadlineRushResult {
  deadline: number;
  /** When the first upload was planned, and when every kindergarten workflow was running (epoch ms). */
  rushStart: number;
  readyAt: number;
  uploads: RushUpload[];
  lost: number;
  duplicated: number;
  misjudged: number;
  withoutReceipt: number;
  onTime: number;
  late: number;
  /** Stored before the deadline, answered after it: on time (the rule README "Uploads and receipts" point 2 states). */
  storedBeforeAnsweredAfter: number;
  /** Stored, or answered, within one second either side of the deadline. */
  storedNearDeadline: number;
  answeredNearDeadline: number;
  maxInFlight: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /**
   * Where the time goes, p50 and p95 (ms): from the request's start until the row was stored (the upload streamed,
   * hashed, checked, committed), and from there until the 303 (the workflow's Update, the row marked accepted).
   */
  storing: { p50: number; p95: number };
  deciding: { p50: number; p95: number };
  /** The API process's peak resident memory (VmHWM), bytes. */
  apiPeakRss: number;
  /** Seconds until every receipt email had reached the SMTP server, from the end of the rush. */
  receiptEmailSeconds: number;
  seconds: number;
}

/** A small seeded generator (mulberry32): the same seed plans the same rush. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The upload stack's timeline with the analysis so far due at `deadline` (no reminder before it). */
export function rushTimeline(plan: Parameters<typeof uploadTimeline>[0], now: number, deadline: number): Timeline {
  const timeline = uploadTimeline(plan, now);
  return {
    ...timeline,
    deliverables: timeline.deliverables.map((d) =>
      d.id === DELIVERABLE ? { ...d, windows: d.windows.map((w) => ({ ...w, dueAt: deadline, reminderAts: [], escalationAt: deadline + 2 * DAY })) } : d,
    ),
  };
}

const PAGE_SAYS_LATE = DIRECTOR_PAGE_TEXT.nb.cameLate.trim();
const EMAIL_SAYS_LATE = PART_WORDS.nb.afterDeadline.trim();

/**
 * The deadline rush (bench B7, issue 15): a run on the dev server whose analysis-so-far deadline D falls in the middle
 * of a rush of uploads, one per kindergarten, from `clients` concurrent curl clients to the API as its own process
 * (`api/main.ts`). The uploads' planned starts are spread over `rushMs` with a triangular density that peaks at D, so
 * the clients are busiest when it matters and close to half the uploads finish before D (fewer when the rush outruns
 * the machine and answers fall behind their planned starts). Every upload is then checked:
 * its row stored exactly once and accepted with the file as sent (not lost, not duplicated), its receipt page and
 * receipt email there with its number, and its judgement — `submissions.late`, the kindergarten workflow's status,
 * the read model's status, the receipt page and email — late exactly when its stored time is after D.
 */
export async function deadlineRush(options: DeadlineRushOptions): Promise<DeadlineRushResult> {
  const started = Date.now();
  const { log } = options;
  const rand = random(options.seed ?? 7);
  const stack = await startUploadStack({ label: options.label, kindergartens: 1 });
  const dir = mkdtempSync(join(tmpdir(), `arshjul-${options.label}-files-`));
  let api: Awaited<ReturnType<typeof startProcess>> | null = null;
  try {
    api = await startProcess(
      'api/main.ts',
      { DATABASE_URL: stack.databaseUrl, TEMPORAL_ADDRESS: stack.env.address, UPLOAD_DIR: stack.storageDir, UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET, API_PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'arshjul-rush-api-')) },
      /API listening on/,
    );
    const base = /API listening on (http:\/\/\S+)/.exec(api.seen)?.[1];
    if (!base) throw new Error('B7: the API did not say where it listens');

    // A few distinct files between the sizes asked for; each upload takes one at random.
    const kinds = Math.max(1, Math.min(options.uploads, 16));
    const files = Array.from({ length: kinds }, (_, i) => {
      const bytes = Math.round(options.minBytes + ((options.maxBytes - options.minBytes) * i) / Math.max(1, kinds - 1));
      const content = pdf(`B7 ${i}`, bytes);
      const path = join(dir, `analyse-${i}.pdf`);
      writeFileSync(path, content);
      return { path, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
    });

    // The run of the rush, beside the stack's own: one kindergarten per upload, the deadline fixed when it starts.
    const plan = { ...stack.plan, county: `rush${options.label.replace(/[^a-z0-9]/g, '')}` };
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], options.uploads, 91_000_000);
    const startupMs = options.startupMs ?? 10_000 + 50 * options.uploads;
    const created = Date.now();
    const deadline = created + startupMs + Math.round(options.rushMs / 2);
    const rushStart = deadline - Math.round(options.rushMs / 2);
    const timeline = rushTimeline(plan, created, deadline);
    await stack.store.createRun(runId, plan, roster, initialDeliverables(timeline, roster), ARSHJUL_RELEASE);
    await stack.env.client.workflow.start(runWorkflow, {
      workflowId: runId,
      taskQueue: stack.control.taskQueue,
      args: [{ runId, plan, timeline, release: ARSHJUL_RELEASE, startedBy: 'bench', kindergartens: roster.kindergartens.length }],
    });
    const readyAt = await waitUntilOpen(stack, runId, options.uploads, deadline);
    log(`B7: ${options.uploads} kindergartens running ${((readyAt - created) / 1000).toFixed(1)} s after the run started; deadline ${new Date(deadline).toISOString()}`);
    if (readyAt > rushStart) log(`B7: the rush starts ${((readyAt - rushStart) / 1000).toFixed(1)} s late (raise startupMs): its first uploads go at once`);

    const tokens = new Map<string, string>();
    await inParallel(roster.kindergartens, 10, async (k) => {
      const target = await stack.submissions.linkTarget(runId, k.orgnr, DELIVERABLE);
      if (!target) throw new Error(`B7: no upload link target for ${k.orgnr}`);
      tokens.set(k.orgnr, signUploadToken({ runId, orgnr: k.orgnr, deliverableId: DELIVERABLE, expiresAt: target.lateUntil, version: target.linkVersion }, TEST_UPLOAD_SECRET));
    });

    // Planned starts: the mean of two uniform draws, a triangle over the rush peaking at the deadline.
    const plans = roster.kindergartens
      .map((k) => ({ orgnr: k.orgnr, file: files[Math.floor(rand() * kinds)] as (typeof files)[number], plannedAt: rushStart + Math.round(((rand() + rand()) / 2) * options.rushMs) }))
      .sort((a, b) => a.plannedAt - b.plannedAt);
    const sent: SentUpload[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    await sleep(Math.max(0, rushStart - Date.now()));
    await inParallel(plans, options.clients, async (p) => {
      await sleep(Math.max(0, p.plannedAt - Date.now()));
      const submissionId = randomUUID();
      const token = tokens.get(p.orgnr) as string;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const startedAt = Date.now();
      // The director's form, as the browser sends it (the page's hidden submission id, the file); curl follows the
      // 303 to the receipt page as the browser does.
      const answer = await run(
        'curl',
        ['-s', '-L', '--max-redirs', '1', '--max-time', '300', '-F', `innsending=${submissionId}`, '-F', `filer=@${p.file.path};type=application/pdf`, '-w', '\n%{http_code} %{num_redirects} %{time_redirect} %{time_total} %{url_effective}', `${base}/levering/${token}`],
        { maxBuffer: 4 * MB },
      ).then(
        ({ stdout }) => ({ stdout, error: null as string | null }),
        (error: Error & { stdout?: string }) => ({ stdout: error.stdout ?? '', error: error.message }),
      );
      const finishedAt = Date.now();
      inFlight -= 1;
      const lines = answer.stdout.trimEnd().split('\n');
      const [code, redirects, redirectS, totalS, url] = (lines.pop() ?? '').split(' ');
      const page = lines.join('\n');
      const total = Number(totalS) * 1000 || finishedAt - startedAt;
      const problems: string[] = [];
      if (answer.error) problems.push(`curl failed: ${answer.error.split('\n')[0]}`);
      const receiptUrl = new RegExp(`/kvittering/${submissionId}(\\?|$)`).test(url ?? '');
      if (code !== '200' || redirects !== '1' || !receiptUrl) problems.push(`no receipt page: HTTP ${code}, ${redirects} redirects to ${url}`);
      const receiptNumber = receiptUrl ? (/AH-\d{6,}/.exec(page)?.[0] ?? null) : null;
      if (receiptUrl && !receiptNumber) problems.push('the receipt page has no receipt number');
      sent.push({
        orgnr: p.orgnr,
        submissionId,
        bytes: p.file.bytes,
        sha256: p.file.sha256,
        plannedAt: p.plannedAt,
        startedAt,
        // The 303 came when curl started following it: the end less the receipt page's own request.
        answeredAt: redirects === '1' && Number.isFinite(Number(redirectS)) ? Math.round(finishedAt - (total - Number(redirectS) * 1000)) : finishedAt,
        toReceiptMs: total,
        status: Number(code) || 0,
        receiptNumber,
        pageSaysLate: page.includes(PAGE_SAYS_LATE),
        problems,
      });
    });
    const rushEnded = Date.now();
    const apiPeakRss = memoryOf(api.pid as number).peak;
    log(`B7: ${sent.length} uploads in ${((rushEnded - rushStart) / 1000).toFixed(1)} s, at most ${maxInFlight} in flight; API peak RSS ${(apiPeakRss / MB).toFixed(0)} MiB`);

    const checked = await judge(stack, runId, deadline, sent, rushEnded);
    const done = checked.uploads;
    const count = (f: (u: RushUpload) => boolean) => done.filter(f).length;
    const times = done.map((u) => u.toReceiptMs);
    const stored = done.filter((u) => u.receivedAt !== null) as (RushUpload & { receivedAt: number })[];
    const spread = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95) });
    const result: DeadlineRushResult = {
      deadline,
      rushStart,
      readyAt,
      uploads: done,
      lost: count((u) => u.lost),
      duplicated: count((u) => u.duplicated) + checked.strangers,
      misjudged: count((u) => u.misjudged),
      withoutReceipt: count((u) => u.withoutReceipt),
      onTime: count((u) => u.late === false),
      late: count((u) => u.late === true),
      storedBeforeAnsweredAfter: count((u) => u.receivedAt !== null && u.receivedAt <= deadline && u.answeredAt > deadline),
      storedNearDeadline: count((u) => u.receivedAt !== null && Math.abs(u.receivedAt - deadline) <= 1_000),
      answeredNearDeadline: count((u) => Math.abs(u.answeredAt - deadline) <= 1_000),
      maxInFlight,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      maxMs: Math.max(...times),
      storing: spread(stored.map((u) => u.receivedAt - u.startedAt)),
      deciding: spread(stored.map((u) => u.answeredAt - u.receivedAt)),
      apiPeakRss,
      receiptEmailSeconds: checked.receiptEmailSeconds,
      seconds: (Date.now() - started) / 1000,
    };
    log(
      `B7: ${result.onTime} on time, ${result.late} late (${result.storedBeforeAnsweredAfter} stored before the deadline and answered after it); ` +
        `within ±1 s of the deadline ${result.storedNearDeadline} stored, ${result.answeredNearDeadline} answered; ` +
        `lost ${result.lost}, duplicated ${result.duplicated}, misjudged ${result.misjudged}, without receipt ${result.withoutReceipt}; ` +
        `upload to receipt p50 ${result.p50Ms.toFixed(0)} ms p95 ${result.p95Ms.toFixed(0)} ms max ${result.maxMs.toFixed(0)} ms ` +
        `(until stored p50 ${result.storing.p50} ms p95 ${result.storing.p95} ms; stored to answered p50 ${result.deciding.p50} ms p95 ${result.deciding.p95} ms); receipt emails all in ${result.receiptEmailSeconds.toFixed(1)} s after the rush`,
    );
    for (const u of done.filter((x) => x.problems.length > 0).slice(0, 20)) log(`B7: ${u.orgnr} ${u.submissionId}: ${u.problems.join('; ')}`);
    return result;
  } finally {
    if (api) await stopProcess(api);
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until every kindergarten workflow of the run has written its open analysis to the read model. */
async function waitUntilOpen(stack: UploadStack, runId: string, n: number, deadline: number): Promise<number> {
  for (;;) {
    const { rows } = await stack.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliverable_states WHERE run_id = $1 AND deliverable_id = $2 AND status = 'open'`,
      [runId, DELIVERABLE],
    );
    if ((rows[0]?.n ?? 0) >= n) return Date.now();
    if (Date.now() > deadline) throw new Error(`B7: only ${rows[0]?.n ?? 0} of ${n} kindergartens were running at the deadline`);
    await sleep(250);
  }
}

interface Row {
  id: string;
  orgnr: string;
  state: string;
  late: boolean | null;
  receipt_number: string;
  created_at: Date;
  files: { size: number; sha256: string }[];
}

/** Everything stored, judged and sent for the run, compared upload by upload with what the clients sent and saw. */
async function judge(
  stack: UploadStack,
  runId: string,
  deadline: number,
  sent: SentUpload[],
  rushEnded: number,
): Promise<{ uploads: RushUpload[]; strangers: number; receiptEmailSeconds: number }> {
  const { rows } = await stack.pool.query<Row>(
    `SELECT s.id, s.orgnr, s.state, s.late, s.receipt_number, s.created_at,
            coalesce((SELECT json_agg(json_build_object('size', f.size, 'sha256', f.sha256)) FROM submission_files f WHERE f.submission_id = s.id), '[]') AS files
       FROM submissions s WHERE s.run_id = $1 AND s.deliverable_id = $2`,
    [runId, DELIVERABLE],
  );
  const byOrgnr = new Map<string, Row[]>();
  for (const r of rows) byOrgnr.set(r.orgnr, [...(byOrgnr.get(r.orgnr) ?? []), r]);
  const ours = new Set(sent.map((s) => s.submissionId));
  const strangers = rows.filter((r) => !ours.has(r.id)).length;

  const readModel = new Map(
    (
      await stack.pool.query<{ orgnr: string; status: string; last_submission_id: string | null }>(
        'SELECT orgnr, status, last_submission_id FROM deliverable_states WHERE run_id = $1 AND deliverable_id = $2',
        [runId, DELIVERABLE],
      )
    ).rows.map((r) => [r.orgnr, r]),
  );

  // The kindergarten workflows' own view, by their status query.
  const workflow = new Map<string, { status: string; submissions: number; lastSubmissionAt: number | null; dueAt: number } | string>();
  await inParallel(sent, 8, async (s) => {
    try {
      const status = await stack.env.client.workflow.getHandle(kindergartenWorkflowId(runId, s.orgnr)).query(kindergartenStatusQuery);
      const d = status.deliverables.find((x) => x.id === DELIVERABLE);
      workflow.set(s.orgnr, d ? { status: d.status, submissions: d.submissions, lastSubmissionAt: d.lastSubmissionAt, dueAt: d.dueAt } : 'no such deliverable');
    } catch (error) {
      workflow.set(s.orgnr, `query failed: ${(error as Error).message}`);
    }
  });

  // Every accepted upload's receipt email to its director (sent by the workflow after it answered, through SMTP).
  const directors = new Set(sent.map((s) => `styrer-${s.orgnr}@barnehage.example`));
  const expected = rows.filter((r) => r.state === 'accepted').length;
  const receiptEmails = () => readEmails(stack.sink).filter((e) => /: Kvittering AH-\d/.test(e.subject) && e.to.some((t) => directors.has(t)));
  const waitUntil = Date.now() + 30_000 + 30 * sent.length;
  while (receiptEmails().length < expected && Date.now() < waitUntil) await sleep(250);
  const receiptEmailSeconds = (Date.now() - rushEnded) / 1000;
  const emails = new Map<string, { count: number; late: boolean }>();
  for (const e of receiptEmails()) {
    const number = /AH-\d{6,}/.exec(e.subject)?.[0] as string;
    const seen = emails.get(number);
    emails.set(number, { count: (seen?.count ?? 0) + 1, late: e.text.includes(EMAIL_SAYS_LATE) });
  }

  const uploads = sent.map((s): RushUpload => {
    const problems = [...s.problems];
    const mine = byOrgnr.get(s.orgnr) ?? [];
    const row = mine.find((r) => r.id === s.submissionId);
    const lost = !row || row.state !== 'accepted';
    if (!row) problems.push('not stored');
    else if (row.state !== 'accepted') problems.push(`stored but ${row.state}`);
    const duplicated = mine.length > 1;
    if (duplicated) problems.push(`${mine.length} rows for one upload`);
    if (row && (row.files.length !== 1 || Number(row.files[0]?.size) !== s.bytes || row.files[0]?.sha256 !== s.sha256)) problems.push('the stored file is not the one sent');

    const receivedAt = row ? row.created_at.getTime() : null;
    // What the rule says: late exactly when the stored time is after the deadline (both in whole milliseconds, as
    // the workflow compares them).
    const shouldBeLate = receivedAt !== null && receivedAt > deadline;
    const judgements: string[] = [];
    if (row && row.state === 'accepted' && row.late !== shouldBeLate) judgements.push(`submissions.late is ${row.late}`);
    const wf = workflow.get(s.orgnr);
    if (typeof wf === 'string' || wf === undefined) judgements.push(`workflow: ${wf ?? 'not asked'}`);
    else {
      if (wf.dueAt !== deadline) judgements.push(`the workflow's deadline is ${new Date(wf.dueAt).toISOString()}`);
      if (row && wf.status !== (shouldBeLate ? 'submitted-late' : 'submitted')) judgements.push(`the workflow's status is ${wf.status}`);
      if (wf.submissions !== 1) judgements.push(`the workflow holds ${wf.submissions} submissions`);
      if (receivedAt !== null && wf.lastSubmissionAt !== receivedAt) judgements.push(`the workflow has the submission at ${wf.lastSubmissionAt}, the row at ${receivedAt}`);
    }
    const model = readModel.get(s.orgnr);
    if (row && (model?.status !== (shouldBeLate ? 'submitted-late' : 'submitted') || model.last_submission_id !== s.submissionId)) judgements.push(`the read model has ${model?.status} for ${model?.last_submission_id}`);
    if (s.receiptNumber && s.pageSaysLate !== shouldBeLate) judgements.push(`the receipt page says ${s.pageSaysLate ? 'late' : 'on time'}`);
    const email = s.receiptNumber ? emails.get(s.receiptNumber) : undefined;
    if (email && email.late !== shouldBeLate) judgements.push(`the receipt email says ${email.late ? 'late' : 'on time'}`);
    if (s.answeredAt < deadline && shouldBeLate) judgements.push('answered before the deadline, yet stored after it');
    problems.push(...judgements.map((j) => `misjudged (stored ${receivedAt === null ? '—' : `${receivedAt - deadline} ms from the deadline`}): ${j}`));

    const receipts: string[] = [];
    if (row && s.receiptNumber !== formatReceiptNumber(row.receipt_number)) receipts.push(`the receipt page shows ${s.receiptNumber}, the row ${formatReceiptNumber(row.receipt_number)}`);
    if (!email) receipts.push('no receipt email');
    else if (email.count !== 1) receipts.push(`${email.count} receipt emails`);
    problems.push(...receipts);

    const withoutReceipt = s.receiptNumber === null || receipts.length > 0;
    const { pageSaysLate: _page, ...rest } = s;
    return { ...rest, problems, receivedAt, late: row?.late ?? null, lost, duplicated, misjudged: judgements.length > 0, withoutReceipt };
  });
  return { uploads, strangers, receiptEmailSeconds };
}

/**
 * B7 (issue 15): the deadline rush at the bench's size (BENCH_B7_UPLOADS, default 200; the issue's target size is
 * 1,000) from BENCH_B7_CLIENTS clients (default 50), files of 1–5 MB, the rush spread over BENCH_B7_RUSH_S seconds
 * (default 60 ms per upload, so its peak at the deadline keeps every client busy).
 */
export async function benchDeadlineRush(uploads: number, clients: number, rushMs: number, log: (line: string) => void): Promise<BenchResult[]> {
  const r = await deadlineRush({ label: 'benchrush', uploads, clients, minBytes: 1 * MB, maxBytes: 5 * MB, rushMs, log });
  const size = `${uploads} × 1–5 MB, ${clients} clients`;
  return [
    { id: 'B7', what: 'deadline rush: upload to receipt page, p95', size, value: r.p95Ms, unit: 'ms', target: '< 2000 ms', met: r.p95Ms < 2000, note: `p50 ${r.p50Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms, at most ${r.maxInFlight} in flight; until stored p50 ${r.storing.p50} ms p95 ${r.storing.p95} ms, then until answered p50 ${r.deciding.p50} ms p95 ${r.deciding.p95} ms` },
    { id: 'B7', what: 'deadline rush: API process peak RSS', size, value: r.apiPeakRss / MB, unit: 'MiB', target: '< 300 MiB', met: r.apiPeakRss < 300 * MB },
    { id: 'B7', what: 'deadline rush: uploads lost or duplicated', size, value: r.lost + r.duplicated, unit: 'uploads', target: '0', met: r.lost + r.duplicated === 0, note: `${r.lost} lost, ${r.duplicated} duplicated, ${r.withoutReceipt} without receipt page or email` },
    {
      id: 'B7',
      what: 'deadline rush: uploads misjudged (late ≠ stored after the deadline)',
      size,
      value: r.misjudged,
      unit: 'uploads',
      target: '0',
      met: r.misjudged === 0,
      note: `${r.onTime} on time, ${r.late} late; ${r.storedNearDeadline} stored within ±1 s of it, ${r.storedBeforeAnsweredAfter} stored before it and answered after`,
    },
  ];
}
