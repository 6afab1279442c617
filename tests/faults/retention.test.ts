import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type { FastifyInstance } from 'fastify';
import { DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { MailboxRepository } from '../../activities/db/mailbox-repository';
import { PERSONAL_DATA_COLUMNS, RetentionRepository } from '../../activities/db/retention-repository';
import { exampleFiles } from '../../api/main';
import { buildApp } from '../../api/server';
import { hashPassword } from '../../security/passwords';
import { giveGuidance } from '../../application/guidance';
import { submitGroupSetup } from '../../application/group-setup';
import { runRetentionNow } from '../../application/retention';
import * as control from '../../application/run-control';
import { signUploadToken } from '../../security/upload-tokens';
import { RETENTION_SCHEDULE_ID, ensureRetentionSchedule } from '../../temporal/retention-schedule';
import { buildWorker } from '../../temporal/worker-factory';
import type { RetentionWorkflowResult } from '../../workflows/retention-workflow';
import { arshjulCli } from '../helpers/cli';
import { docx, pdf } from '../helpers/documents';
import { PgStore } from '../../activities/db/pg-store';
import { initialDeliverables } from '../../application/run-control';
import { ARSHJUL_RELEASE } from '../../application/release';
import { runWorkflowId } from '../../domain/ids';
import { freshSchema } from '../helpers/postgres';
import { type TemporalServerProcess, type WorkerProcess, temporalServerProcess, workerProcess } from '../helpers/processes';
import { buildRoster } from '../helpers/roster-builder';
import { type SmtpSink, headerOf, startSmtpSink } from '../helpers/smtp-sink';
import { TEST_UPLOAD_SECRET, bundleWorkflows, futurePlan } from '../helpers/temporal';
import { signRecipientLink } from '../../security/recipient-links';
import { type UploadStack, startUploadStack, uploadLinkIn, uploadTimeline, waitForEmail } from '../helpers/upload-stack';

jest.setTimeout(300_000);

const exec = promisify(execFile);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Python's zipfile reads the archive: its names, a CRC check of every entry, index.csv and README.txt, each entry's SHA-256. */
const PYTHON_READ_ZIP = `
import csv, hashlib, io, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
rows = list(csv.DictReader(io.TextIOWrapper(z.open('index.csv'), encoding='utf-8-sig', newline=''), delimiter=';'))
setups = list(csv.DictReader(io.TextIOWrapper(z.open('gruppeoppsett.csv'), encoding='utf-8-sig', newline=''), delimiter=';'))
print(json.dumps({
  'bad': z.testzip(),
  'names': z.namelist(),
  'rows': rows,
  'setups': setups,
  'readme': z.read('README.txt').decode('utf-8'),
  'sha256': {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()},
  'texts': {n: z.read(n).decode('utf-8') for n in z.namelist() if n.endswith('.txt')},
}))
`;

interface PythonZip {
  bad: string | null;
  names: string[];
  rows: Record<string, string>[];
  setups: Record<string, string>[];
  readme: string;
  sha256: Record<string, string>;
  texts: Record<string, string>;
}

/**
 * Personal data kept only as long as allowed (issue 16, part 3), with real parts: PostgreSQL, an SMTP server, the
 * Temporal dev server running the year's workflows and the retention Schedule's workflow, the API receiving uploads,
 * and the `arshjul` command. A run with submissions (on time, late, a second version), an authority's verdict, the
 * research centre's guidance with a file, a group set-up and a recipient account ends; its archive is exported and
 * read by Python's zipfile; the Schedule purges it; and nothing personal is left in PostgreSQL or UPLOAD_DIR while
 * the counts stay. One person's data is listed, exported and erased through the CLI.
 */
describe('a run past its retention', () => {
  let s: UploadStack;
  let worker: Worker;
  let running: Promise<void>;
  let work: string;
  let cliEnv: Record<string, string>;
  const retentionQueue = `retention-faults-${randomUUID().slice(0, 8)}`;
  const scheduleId = `arshjul-retention-test-${randomUUID().slice(0, 8)}`;
  const uploaded: { orgnr: string; deliverableId: string; receiptNumber: string; late: boolean; files: { name: string; sha256: string }[] }[] = [];
  const guidanceFile = pdf('Veiledning fra forskningssenteret til Styrer');
  const guidanceText = 'Gode refleksjoner, Kari Nordmann. Se særlig på del 2.';
  const comment = 'Skrevet av Ola Normann, styrer, ring 99887766.';
  const reviewComment = 'Godt arbeid, Ola – hilsen Per Saksbehandler.';
  const participantEmail = (orgnr: string) => `pedleder-${orgnr}@barnehage.example`;
  const participantName = (orgnr: string) => `Pedagogisk leder Lise ${orgnr}`;
  const recipientAccount = 'forsker.hansen@senteret.example';
  let countsBefore: Record<string, number>;
  let zipPath: string;
  let consoleApp: FastifyInstance;
  let promptLink: string;
  const PASSWORD = 'et langt passord for koordinatoren';

  const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await s.pool.query<T>(sql, params)).rows;
  const cli = (args: string[]) => arshjulCli(args, cliEnv);

  beforeAll(async () => {
    s = await startUploadStack({ label: 'retention', kindergartens: 3, groupSetup: true });
    work = mkdtempSync(join(tmpdir(), 'arshjul-retention-'));
    cliEnv = { DATABASE_URL: s.databaseUrl, UPLOAD_DIR: s.storageDir, DATA_DIR: work, RETENTION_MONTHS: '12', USER: 'koordinator-test' };
    // A worker of the retention Schedule's own, with the retention dependencies (pool and UPLOAD_DIR), as worker/main.ts builds it.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: s.sink.port, secure: false, ignoreTLS: true });
    worker = await buildWorker({
      connection: s.env.nativeConnection,
      namespace: s.env.namespace ?? 'default',
      taskQueue: retentionQueue,
      workflowBundle: await bundleWorkflows(),
      deps: { store: s.store, mailer: transport, mail: { from: 'Årshjul <arshjul@fylke.example>', publicBaseUrl: s.baseUrl, uploadSecret: TEST_UPLOAD_SECRET }, temporal: s.env.client, files: s.files, retention: { pool: s.pool, uploadDir: s.storageDir } },
    });
    running = worker.run();
    // The console as api/main.ts builds it, with the retention page and the archive export.
    consoleApp = await buildApp(s.control, {
      console: {
        control: s.control, read: new ConsoleRepository(s.pool), drafts: new DraftRepository(s.pool), accounts: s.accounts, secureCookies: false, files: s.files,
        examples: exampleFiles(), retention: { repo: new RetentionRepository(s.pool), defaultMonths: 12 }, linkSecret: TEST_UPLOAD_SECRET,
      },
    });
    await s.accounts.addUser({ email: 'koordinator@fylke.example', name: 'Koordinatoren', passwordHash: await hashPassword(PASSWORD), role: 'coordinator', runId: null, municipalityId: null });
    await s.accounts.addUser({ email: 'kommunen@kongsvinger.example', name: 'Kommunen', passwordHash: await hashPassword(PASSWORD), role: 'municipal-authority', runId: s.runId, municipalityId: s.roster.municipalities[0]?.id as string });
  });

  afterAll(async () => {
    await consoleApp?.close();
    worker?.shutdown();
    await running?.catch(() => undefined);
    await s?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function post(url: string, files: { name: string; data: Buffer }[], fields: Record<string, string> = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append('filer', new Blob([f.data]), f.name);
    const response = await fetch(url, { method: 'POST', body: form });
    expect(response.status).toBe(201);
    return (await response.json()) as { receiptNumber: string; late: boolean; version: number; state: string; id?: string; submissionId?: string };
  }

  async function linkFor(orgnr: string, deliverableId: string): Promise<string> {
    const target = await s.submissions.linkTarget(s.runId, orgnr, deliverableId);
    const token = signUploadToken({ runId: s.runId, orgnr, deliverableId, expiresAt: target?.lateUntil as number, version: target?.linkVersion ?? 1 }, TEST_UPLOAD_SECRET);
    return `${s.baseUrl}/api/uploads/${token}`;
  }

  it('keeps the year going with submissions, a verdict, guidance, a group set-up and an account; an active run refuses to erase its director', async () => {
    const [a, b, c] = s.roster.kindergartens.map((k) => k.orgnr) as [string, string, string];
    for (const orgnr of [a, b]) {
      const prompt = await waitForEmail(s.sink, (e) => e.subject.includes('Analysen så langt') && e.to.includes(`styrer-${orgnr}@barnehage.example`), 60_000);
      promptLink = uploadLinkIn(prompt);
      const api = promptLink.replace('/levering/', '/api/uploads/');
      const file = pdf(`Analysen så langt – ${orgnr}`);
      const receipt = await post(api, [{ name: `Analyse ${orgnr} av Ola Normann.pdf`, data: file }], { kommentar: comment });
      uploaded.push({ orgnr, deliverableId: 'analysis-so-far', receiptNumber: receipt.receiptNumber, late: receipt.late, files: [{ name: `Analyse ${orgnr} av Ola Normann.pdf`, sha256: sha(file) }] });
    }
    // A second version for A, and the full analysis (due an hour ago) late for C.
    const second = docx();
    const v2 = await post(await linkFor(a, 'analysis-so-far'), [{ name: 'Analyse v2.docx', data: second }]);
    expect(v2.version).toBe(2);
    uploaded.push({ orgnr: a, deliverableId: 'analysis-so-far', receiptNumber: v2.receiptNumber, late: v2.late, files: [{ name: 'Analyse v2.docx', sha256: sha(second) }] });
    const full = pdf('Full analyse');
    const late = await post(await linkFor(c, 'full-analysis'), [{ name: 'Full analyse.pdf', data: full }, { name: 'Full analyse.pdf', data: pdf('vedlegg') }], { kommentar: comment });
    expect(late.late).toBe(true);
    uploaded.push({ orgnr: c, deliverableId: 'full-analysis', receiptNumber: late.receiptNumber, late: true, files: [{ name: 'Full analyse.pdf', sha256: sha(full) }, { name: 'Full analyse.pdf', sha256: sha(pdf('vedlegg')) }] });

    const [fullRow] = await q<{ id: string }>("SELECT id FROM submissions WHERE run_id = $1 AND orgnr = $2 AND deliverable_id = 'full-analysis'", [s.runId, c]);
    const authority = s.roster.municipalities[0]?.authority.email as string;
    await control.reviewSubmission(s.control, s.runId, c, { reviewId: randomUUID(), deliverableId: 'full-analysis', submissionId: fullRow?.id as string, verdict: 'accepted', comment: reviewComment, dueLocal: null }, authority);

    const guidanceId = randomUUID();
    const received = await s.files.receive(Readable.from(guidanceFile));
    await s.files.commit(received.tempPath, `${guidanceId}/1`);
    await giveGuidance(s.control, s.plan, {
      runId: s.runId, orgnr: a, deliverableId: 'analysis-so-far', guidanceId, text: guidanceText,
      files: [{ name: 'Veiledning til Ola Normann.pdf', size: received.size, sha256: received.sha256, contentType: 'application/pdf', storageKey: `${guidanceId}/1` }],
      by: s.plan.contacts.researchCentre.email, at: Date.now(),
    });

    const lines = s.roster.kindergartens.flatMap((k, i) => [
      { row: 2 * i + 2, orgnr: k.orgnr, name: k.director.name, email: k.director.email, role: 'styrer' },
      { row: 2 * i + 3, orgnr: k.orgnr, name: participantName(k.orgnr), email: participantEmail(k.orgnr), role: 'pedagogisk-leder' },
    ]);
    const municipalityId = s.roster.municipalities[0]?.id as string;
    await submitGroupSetup(s.control, s.timeline, { runId: s.runId, municipalityId, deliverableId: 'group-setup', setupId: randomUUID(), lines, source: { kind: 'file', file: 'gruppeoppsett Lise.xlsx' }, by: authority, receivedAt: Date.now() });
    await s.accounts.recipientAccount({ email: recipientAccount, name: 'Forsker Hansen', role: 'research-centre', runId: s.runId, municipalityId: null });

    // The emails are delivered (the guidance with its file, the receipts, the group set-up's receipt); the development
    // mailbox holds what it received, as npm start's would.
    await waitForEmail(s.sink, (e) => e.text.includes(guidanceText), 60_000);
    await waitForEmail(s.sink, (e) => e.subject.includes(late.receiptNumber), 60_000);
    const mailbox = new MailboxRepository(s.pool);
    for (const m of s.sink.messages) await mailbox.add({ mailFrom: 'arshjul@fylke.example', rcptTo: m.rcptTo, messageId: headerOf(m.mail, 'message-id'), subject: m.mail.subject ?? null, raw: Buffer.from(m.raw) });

    // While the run is going, a director's data is needed: erasing it is refused, naming the run and the role.
    const refused = await cli(['person', 'erase', '--email', `styrer-${a}@barnehage.example`, '--ja']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`kan ikke slettes ennå: programåret ${s.runId} (styrer og deltaker i kompetansepakken) er i gang`);
    const [{ n: stillThere }] = (await q<{ n: string }>('SELECT count(*) AS n FROM kindergartens WHERE director_email = $1', [`styrer-${a}@barnehage.example`])) as [{ n: string }];
    expect(Number(stillThere)).toBe(1);
  });

  it('records the end of the run when its workflow ends, and tells when its personal data goes', async () => {
    await control.cancelRun(s.control, s.runId, 'test', 'Programåret er slutt');
    const ended = await until('the run to end', async () => (await q<{ ended_at: Date | null }>('SELECT ended_at FROM runs WHERE run_id = $1', [s.runId])).find((r) => r.ended_at));
    expect(ended?.ended_at).toBeInstanceOf(Date);
    const status = await cli(['run', 'retention', '--run', s.runId, '--json']);
    expect(status.code).toBe(0);
    const r = JSON.parse(status.stdout) as { endedAt: number; months: number; purgeAt: number; purgedAt: null };
    expect(r).toMatchObject({ endedAt: (ended?.ended_at as Date).getTime(), months: 12, purgedAt: null });
    expect(new Date(r.purgeAt).getUTCFullYear() * 12 + new Date(r.purgeAt).getUTCMonth()).toBe(new Date(r.endedAt).getUTCFullYear() * 12 + new Date(r.endedAt).getUTCMonth() + 12);
    const words = await cli(['run', 'retention', '--run', s.runId]);
    expect(words.stdout.split('\n')[0]).toBe(`${s.plan.programme} ${s.plan.schoolYear}/${s.plan.schoolYear + 1}, ${s.plan.countyName} (${s.runId})`);
    expect(words.stdout).toMatch(/Personopplysningene og filene slettes \S+ \d+\. \S+ \d{4} \(12 måneder etter slutt\)\./);
    expect(words.stdout).toContain('Arkivet er ikke eksportert.');
  });

  it('exports the archive, which Python\'s zipfile opens: an index matching the submissions, every file as received, receipts and guidance', async () => {
    zipPath = join(work, 'arkiv.zip');
    const started = Date.now();
    const exported = await cli(['run', 'archive', '--run', s.runId, '--to', zipPath]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Arkivet for ${s.runId} er skrevet til ${zipPath}: 4 innleveringer, 6 filer, 1 veiledning, 1 gruppeoppsett`);
    process.stderr.write(`[retention] archive of ${uploaded.length} submissions: ${readFileSync(zipPath).length} bytes in ${Date.now() - started} ms (CLI included)\n`);

    const { stdout } = await exec('python3', ['-c', PYTHON_READ_ZIP, zipPath], { maxBuffer: 64 * 1024 * 1024 });
    const z = JSON.parse(stdout) as PythonZip;
    expect(z.bad).toBeNull();
    expect(z.names.slice(0, 3)).toEqual(['README.txt', 'index.csv', 'gruppeoppsett.csv']);
    expect(z.readme).toContain(`Programår: ${s.runId}`);
    expect(z.readme).toContain('Eksportert');

    // One index line per accepted submission, with the receipt number, on time or late, and the folder of its files.
    const accepted = await q<{ receipt: string; orgnr: string; late: boolean; deliverable_id: string; version: number }>(
      "SELECT 'AH-' || lpad(receipt_number::text, 6, '0') AS receipt, orgnr, late, deliverable_id, version FROM submissions WHERE run_id = $1 AND state = 'accepted' ORDER BY receipt_number",
      [s.runId],
    );
    expect(accepted).toHaveLength(4);
    expect(z.rows.map((r) => r.Kvitteringsnummer).sort()).toEqual(accepted.map((r) => r.receipt).sort());
    expect(Object.keys(z.rows[0] as object)).toEqual(expect.arrayContaining(['Kvitteringsnummer', 'Barnehage', 'Organisasjonsnummer', 'Kommune', 'Innlevering', 'Versjon', 'Mottatt (norsk tid)', 'I tide eller for sent', 'Vurderinger', 'Veiledning', 'Filer', 'Mappe i arkivet']));
    for (const u of uploaded) {
      const row = z.rows.find((r) => r.Kvitteringsnummer === u.receiptNumber) as Record<string, string>;
      expect(row).toBeDefined();
      expect(row.Organisasjonsnummer).toBe(u.orgnr);
      expect(row['I tide eller for sent']).toBe(u.late ? 'for sent' : 'i tide');
      expect(row.innleveringstype_id).toBe(u.deliverableId);
      const folder = row['Mappe i arkivet'] as string;
      const inFolder = z.names.filter((n) => n.startsWith(folder) && !n.endsWith('.txt') && !n.slice(folder.length).includes('/'));
      expect(inFolder.map((n) => z.sha256[n]).sort()).toEqual(u.files.map((f) => f.sha256).sort());
      const receipt = z.texts[`${folder}kvittering.txt`] as string;
      expect(receipt).toContain(`Kvittering ${u.receiptNumber}`);
      expect(receipt).toContain(u.late ? '(for sent)' : '(i tide)');
    }
    // Two files of the same name in one submission are both there.
    expect(z.names.some((n) => n.endsWith('/Full analyse (2).pdf'))).toBe(true);
    const verdict = z.rows.find((r) => r.innleveringstype_id === 'full-analysis') as Record<string, string>;
    expect(verdict.Vurderinger).toContain(`godkjent`);
    expect(verdict.Vurderinger).toContain(reviewComment);
    // The guidance: its text and its file, beside the submission it was given on (A's latest version).
    const guided = z.rows.find((r) => (r.Veiledning ?? '').includes(guidanceText)) as Record<string, string>;
    expect(guided.Kvitteringsnummer).toBe(uploaded[2]?.receiptNumber);
    expect(z.texts[`${guided['Mappe i arkivet']}veiledning-1.txt`]).toContain(guidanceText);
    expect(z.sha256[`${guided['Mappe i arkivet']}veiledning-1/Veiledning til Ola Normann.pdf`]).toBe(sha(guidanceFile));
    // The group set-up, one line per participant.
    expect(z.setups).toHaveLength(6);
    expect(z.setups.map((r) => r['E-post'])).toEqual(expect.arrayContaining(s.roster.kindergartens.map((k) => participantEmail(k.orgnr))));

    const [run] = await q<{ archived_at: Date | null }>('SELECT archived_at FROM runs WHERE run_id = $1', [s.runId]);
    expect(run?.archived_at).toBeInstanceOf(Date);
    const audit = await q<{ actor: string; details: Record<string, number> }>("SELECT actor, details FROM audit_log WHERE run_id = $1 AND action = 'run-archived'", [s.runId]);
    expect(audit).toEqual([{ actor: 'cli:koordinator-test', details: expect.objectContaining({ submissions: 4, files: 6, guidance: 1, groupSetups: 1 }) }]);
  });

  async function signIn(email: string): Promise<string> {
    const r = await consoleApp.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: new URLSearchParams({ epost: email, passord: PASSWORD }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.statusCode).toBe(303);
    return String(r.headers['set-cookie']).split(';')[0] as string;
  }

  it('gives the coordinator the same archive in the console, and no one else', async () => {
    const cookie = await signIn('koordinator@fylke.example');
    const page = await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/oppbevaring`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Oppbevaring av personopplysninger</h1>');
    expect(page.body).toContain('(12 måneder etter slutt)');
    expect(page.body).toContain(`<a href="/konsoll/runs/${s.runId}/arkiv.zip">Last ned arkivet (zip)</a>`);
    const zip = await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/arkiv.zip`, headers: { cookie } });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe(`attachment; filename="${s.runId}-arkiv.zip"`);
    const fromConsole = join(work, 'konsoll.zip');
    writeFileSync(fromConsole, zip.rawPayload);
    const [fromCli, fromPage] = await Promise.all([zipPath, fromConsole].map(async (path) => JSON.parse((await exec('python3', ['-c', PYTHON_READ_ZIP, path], { maxBuffer: 64 * 1024 * 1024 })).stdout) as PythonZip));
    expect(fromPage?.bad).toBeNull();
    expect(fromPage?.names).toEqual(fromCli?.names);
    expect(Object.entries(fromPage?.sha256 ?? {}).filter(([n]) => !['README.txt', 'index.csv', 'gruppeoppsett.csv'].includes(n))).toEqual(Object.entries(fromCli?.sha256 ?? {}).filter(([n]) => !['README.txt', 'index.csv', 'gruppeoppsett.csv'].includes(n)));
    await until('the console export to be noted', async () => (await q("SELECT 1 FROM audit_log WHERE run_id = $1 AND action = 'run-archived' AND actor = 'koordinator@fylke.example'", [s.runId])).length > 0);
    // The municipal authority reads its own part of the run, but not the whole archive.
    const authority = await signIn('kommunen@kongsvinger.example');
    expect((await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/arkiv.zip`, headers: { cookie: authority } })).statusCode).toBe(403);
    expect((await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/oppbevaring`, headers: { cookie: authority } })).body).not.toContain('arkiv.zip');
  });

  it('refuses an archive that is not a .zip, and an archive with a changed file (none is left behind)', async () => {
    const wrong = await cli(['run', 'archive', '--run', s.runId, '--to', join(work, 'arkiv.tar')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--to må slutte på .zip');
    const [file] = await q<{ storage_key: string; name: string }>('SELECT f.storage_key, f.name FROM submission_files f JOIN submissions s ON s.id = f.submission_id WHERE s.run_id = $1 ORDER BY s.receipt_number LIMIT 1', [s.runId]);
    const path = join(s.storageDir, 'objects', file?.storage_key as string);
    const original = readFileSync(path);
    writeFileSync(path, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from('X')]));
    try {
      const damaged = await cli(['run', 'archive', '--run', s.runId, '--to', join(work, 'skadet.zip')]);
      expect({ code: damaged.code, stderr: damaged.stderr }).toEqual({ code: 3, stderr: expect.stringContaining(`Filen «${file?.name}»`) });
      expect(damaged.stderr).toContain('stemmer ikke med SHA-256-summen');
      expect(existsSync(join(work, 'skadet.zip'))).toBe(false);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('lists, exports and erases one person through the CLI once the run has ended', async () => {
    const [a] = s.roster.kindergartens.map((k) => k.orgnr) as [string];
    const director = `styrer-${a}@barnehage.example`;
    const shown = await cli(['person', 'show', '--email', director.toUpperCase()]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Opplysninger om ${director}`);
    expect(shown.stdout).toContain(`${s.runId} (avsluttet): styrer, navn «Styrer ${a}», Barnehage ${a} (${a})`);
    expect(shown.stdout).toContain('deltaker i kompetansepakken');
    expect(shown.stdout).toMatch(/Innleveringer fra barnehager der adressen er styrer \(2\):/);
    const sentToDirector = (await q<{ n: string }>('SELECT count(*) AS n FROM email_outbox WHERE recipient = $1', [director]))[0]?.n;
    expect(shown.stdout).toContain(`E-post sendt til adressen (${sentToDirector}):`);

    const jsonPath = join(work, 'person.json');
    const exported = await cli(['person', 'export', '--email', director, '--to', jsonPath]);
    expect(exported.code).toBe(0);
    const data = JSON.parse(readFileSync(jsonPath, 'utf8')) as { email: string; roles: { role: string }[]; submissions: unknown[]; emails: { text: string }[] };
    expect(data.email).toBe(director);
    expect(data.roles.map((r) => r.role).sort()).toEqual(['director', 'participant']);
    expect(data.submissions).toHaveLength(2);
    expect(data.emails.length).toBe(Number(sentToDirector));
    expect(data.emails.some((e) => e.text.includes(guidanceText))).toBe(true);
    const zipped = join(work, 'person.zip');
    expect((await cli(['person', 'export', '--email', director, '--to', zipped])).code).toBe(0);
    const { stdout } = await exec('python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.namelist()))', zipped]);
    expect(Number(stdout.trim())).toBe(1 + Number(sentToDirector));
    const audits = await q<{ details: unknown }>("SELECT details FROM audit_log WHERE action = 'person-exported'");
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain(director);

    // B's participant is erased: every trace of the address goes, the entry names no one.
    const [, b] = s.roster.kindergartens.map((k) => k.orgnr) as [string, string];
    const participant = participantEmail(b);
    const notAsked = await cli(['person', 'erase', '--email', participant]);
    expect(notAsked.code).toBe(2);
    const erased = await cli(['person', 'erase', '--email', participant, '--ja']);
    expect(erased.stderr).toBe('');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain(`Slettet opplysningene om ${participant}`);
    expect(await rowsMentioning([participant, participantName(b)])).toEqual([]);
    const after = await cli(['person', 'show', '--email', participant]);
    expect(after.stdout).toContain('Årshjul har ingen opplysninger om denne adressen.');
    const [entry] = await q<{ details: unknown; actor: string }>("SELECT details, actor FROM audit_log WHERE action = 'person-erased'");
    expect(entry?.actor).toBe('cli:koordinator-test');
    expect(JSON.stringify(entry?.details)).not.toContain(participant);
    // Erasing again changes nothing.
    const again = await cli(['person', 'erase', '--email', participant, '--ja']);
    expect(again.stdout).toContain('0 rader endret');
  });

  /** Every row, in every table of the schema, whose text holds any of `needles` (case-insensitive). */
  async function rowsMentioning(needles: string[]): Promise<string[]> {
    const tables = await q<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'pgmigrations' ORDER BY 1");
    const found: string[] = [];
    for (const { table_name: table } of tables) {
      // dev_mailbox.raw is bytea: read as text (UTF-8, the messages are) so the search sees addresses in it too.
      const text = table === 'dev_mailbox' ? "t::text || convert_from(t.raw, 'UTF8')" : 't::text';
      const rows = await q<{ row: string }>(`SELECT ${text} AS row FROM ${table} t WHERE lower(${text}) LIKE ANY ($1)`, [needles.map((n) => `%${n.toLowerCase()}%`)]);
      for (const r of rows) found.push(`${table}: ${r.row.slice(0, 200)}`);
    }
    return found;
  }

  async function snapshot(): Promise<Record<string, string>> {
    const tables = await q<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1");
    const out: Record<string, string> = {};
    for (const { table_name: table } of tables) {
      const [row] = await q<{ md5: string | null; n: string }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5, count(*) AS n FROM ${table} t`);
      out[table] = `${row?.n}:${row?.md5}`;
    }
    return out;
  }

  async function counts(): Promise<Record<string, number>> {
    const [row] = await q<Record<string, string>>(
      `SELECT (SELECT count(*) FROM kindergartens WHERE run_id = $1) AS kindergartens,
              (SELECT count(*) FROM municipalities WHERE run_id = $1) AS municipalities,
              (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted') AS accepted,
              (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted' AND late) AS late,
              (SELECT count(*) FROM submissions WHERE run_id = $1 AND state = 'accepted' AND NOT late) AS on_time,
              (SELECT count(*) FROM email_outbox WHERE run_id = $1 AND state = 'sent') AS emails_sent,
              (SELECT count(*) FROM email_outbox WHERE run_id = $1) AS emails,
              (SELECT count(*) FROM submission_reviews WHERE run_id = $1) AS reviews,
              (SELECT count(*) FROM submission_guidance WHERE run_id = $1) AS guidance,
              (SELECT count(*) FROM group_setup_participants p JOIN group_setups g USING (setup_id) WHERE g.run_id = $1) AS participants,
              (SELECT count(*) FROM events WHERE run_id = $1) AS events,
              (SELECT count(*) FROM deliverable_states WHERE run_id = $1) AS deliverable_states`,
      [s.runId],
    );
    return Object.fromEntries(Object.entries(row as object).map(([k, v]) => [k, Number(v)]));
  }

  it('is not purged before its retention has passed', async () => {
    const result = await runRetentionNow(s.env.client, { taskQueue: retentionQueue, defaultMonths: 12, now: Date.now() });
    expect(result.purged).toEqual([]);
    const [run] = await q<{ purged_at: Date | null }>('SELECT purged_at FROM runs WHERE run_id = $1', [s.runId]);
    expect(run?.purged_at).toBeNull();
  });

  it('is purged by the daily Schedule: no personal data in PostgreSQL, no file in UPLOAD_DIR, the counts kept, the audit log says so', async () => {
    countsBefore = await counts();
    const personal = [
      ...s.roster.kindergartens.flatMap((k) => [k.director.email, k.director.name, participantEmail(k.orgnr), participantName(k.orgnr)]),
      ...s.roster.municipalities.flatMap((m) => [m.authority.email, m.authority.name]),
      s.plan.contacts.coordinator.email, s.plan.contacts.coordinator.name, s.plan.contacts.researchCentre.email, s.plan.contacts.researchCentre.name,
      recipientAccount, 'Forsker Hansen', 'kommunen@kongsvinger.example', comment, reviewComment, guidanceText, 'Ola Normann', 'Programåret er slutt', '/levering/',
    ];
    expect((await rowsMentioning(personal)).length).toBeGreaterThan(50);
    const objectsBefore = readdirSync(join(s.storageDir, 'objects'));
    expect(objectsBefore).toHaveLength(5); // four submissions and one guidance

    // The Schedule as the worker makes it, idempotently; RETENTION_MONTHS=0 here, so the run is past its retention.
    expect(await ensureRetentionSchedule(s.env.client, { taskQueue: retentionQueue, defaultMonths: 12, scheduleId })).toBe('created');
    expect(await ensureRetentionSchedule(s.env.client, { taskQueue: retentionQueue, defaultMonths: 12, scheduleId })).toBe('unchanged');
    expect(await ensureRetentionSchedule(s.env.client, { taskQueue: retentionQueue, defaultMonths: 0, scheduleId })).toBe('updated');
    const handle = s.env.client.schedule.getHandle(scheduleId);
    const described = await handle.describe();
    expect(JSON.stringify(described.spec.calendars)).toMatch(/"hour":\[\{"start":3,"end":3/);
    expect(described.spec.timezone).toBe('Europe/Oslo');

    const started = Date.now();
    await handle.trigger();
    const result = await until('the Schedule\'s workflow to finish', async () => {
      const actions = (await handle.describe()).info.recentActions;
      const action = actions[actions.length - 1];
      if (!action) return null;
      const wf = s.env.client.workflow.getHandle(action.action.workflow.workflowId, action.action.workflow.firstExecutionRunId);
      const { status } = await wf.describe();
      return status.name === 'COMPLETED' ? ((await wf.result()) as RetentionWorkflowResult) : null;
    });
    process.stderr.write(`[retention] purge through the Schedule: ${Date.now() - started} ms\n`);
    expect(result.purged).toEqual([{ runId: s.runId, alreadyPurged: false, directoriesRemoved: 5, summary: expect.objectContaining({ kindergartens: 3, submissionsAccepted: 4, submissionsLate: 1, submissionsOnTime: 3, files: 5, guidance: 1, guidanceFiles: 1, groupSetups: 1, accounts: 2 }) }]);

    // Nothing personal left anywhere in the schema, in any table.
    expect(await rowsMentioning(personal)).toEqual([]);
    // And column by column, as PERSONAL_DATA_COLUMNS lists them.
    expect(PERSONAL_DATA_COLUMNS.map((c) => c.table)).toEqual(expect.arrayContaining(['runs', 'municipalities', 'kindergartens', 'email_outbox', 'submissions', 'submission_files', 'submission_reviews', 'submission_guidance', 'group_setups', 'group_setup_participants', 'audit_log', 'users', 'dev_mailbox', 'upload_links']));
    expect(await q("SELECT 1 FROM kindergartens WHERE run_id = $1 AND (director_name <> '(slettet)' OR director_email <> '' OR withdrawn_reason IS NOT NULL)", [s.runId])).toEqual([]);
    expect(await q("SELECT 1 FROM municipalities WHERE run_id = $1 AND (authority_name <> '(slettet)' OR authority_email <> '')", [s.runId])).toEqual([]);
    expect(await q("SELECT plan->'contacts' AS c FROM runs WHERE run_id = $1", [s.runId])).toEqual([{ c: { coordinator: { name: '(slettet)', email: '' }, researchCentre: { name: '(slettet)', email: '' } } }]);
    expect(await q("SELECT 1 FROM email_outbox WHERE run_id = $1 AND (recipient <> '' OR body_text <> '' OR body_html <> '' OR subject <> '' OR last_error IS NOT NULL OR smtp_response IS NOT NULL OR recipient_id LIKE '%@%' OR key LIKE '%@%')", [s.runId])).toEqual([]);
    expect(await q('SELECT 1 FROM submissions WHERE run_id = $1 AND (comment IS NOT NULL OR refusal_data IS NOT NULL)', [s.runId])).toEqual([]);
    expect(await q('SELECT 1 FROM submission_files f JOIN submissions s ON s.id = f.submission_id WHERE s.run_id = $1', [s.runId])).toEqual([]);
    expect(await q("SELECT 1 FROM submission_reviews WHERE run_id = $1 AND (comment IS NOT NULL OR reviewed_by <> '')", [s.runId])).toEqual([]);
    expect(await q("SELECT 1 FROM submission_guidance WHERE run_id = $1 AND (text <> '' OR files <> '[]'::jsonb OR given_by <> '')", [s.runId])).toEqual([]);
    expect(await q("SELECT 1 FROM group_setups WHERE run_id = $1 AND (submitted_by <> '' OR file_name IS NOT NULL)", [s.runId])).toEqual([]);
    expect(await q("SELECT 1 FROM group_setup_participants p JOIN group_setups g USING (setup_id) WHERE g.run_id = $1 AND (p.name <> '(slettet)' OR p.email <> '')", [s.runId])).toEqual([]);
    expect(await q('SELECT DISTINCT version FROM upload_links WHERE run_id = $1', [s.runId])).toEqual([{ version: 0 }]);
    // A director's link from an email no longer opens the page, nor takes a file.
    const opened = await fetch(promptLink);
    expect(opened.status).toBe(410);
    const form = new FormData();
    form.append('filer', new Blob([pdf('for sent')]), 'for sent.pdf');
    const posted = await fetch(promptLink.replace('/levering/', '/api/uploads/'), { method: 'POST', body: form });
    expect(posted.status).toBe(410);
    // A recipient's personal link still within its 30 days signs no one in: it would store an address again.
    const recipientLink = signRecipientLink({ runId: s.runId, role: 'research-centre', municipalityId: null, email: 'ny.forsker@senteret.example', expiresAt: Date.now() + 86_400_000 }, TEST_UPLOAD_SECRET);
    expect((await consoleApp.inject({ method: 'GET', url: `/mottaker/${recipientLink}` })).statusCode).toBe(404);
    expect(await q("SELECT 1 FROM users WHERE email = 'ny.forsker@senteret.example'")).toEqual([]);
    expect(readdirSync(join(s.storageDir, 'objects'))).toEqual([]);
    expect(await q('SELECT 1 FROM dev_mailbox')).toEqual([]);
    expect(await q("SELECT 1 FROM users WHERE run_id = $1 AND (email NOT LIKE 'slettet-%@slettet.invalid' OR name <> '(slettet)' OR password_hash <> '!' OR disabled_at IS NULL)", [s.runId])).toEqual([]);
    expect(await q("SELECT actor FROM audit_log WHERE run_id = $1 AND actor LIKE '%@%'", [s.runId])).toEqual([]);
    // No file of the run in UPLOAD_DIR.
    expect(readdirSync(join(s.storageDir, 'objects'))).toEqual([]);

    // The counts and dates stay; the run says when it was purged; the audit log has the purge with its counts.
    expect(await counts()).toEqual(countsBefore);
    const [run] = await q<{ purged_at: Date; ended_at: Date; created_at: Date }>('SELECT purged_at, ended_at, created_at FROM runs WHERE run_id = $1', [s.runId]);
    expect(run?.purged_at.getTime()).toBeGreaterThanOrEqual(run?.ended_at.getTime() as number);
    const purges = await q<{ actor: string; details: Record<string, number> }>("SELECT actor, details FROM audit_log WHERE run_id = $1 AND action = 'run-purged'", [s.runId]);
    expect(purges).toEqual([{ actor: 'system:retention', details: expect.objectContaining({ kindergartens: 3, submissionsAccepted: 4, submissionsLate: 1, emailsSent: countsBefore.emails_sent }) }]);
    const words = await cli(['run', 'retention', '--run', s.runId]);
    expect(words.stdout).toContain('Personopplysningene og filene ble slettet');
    expect(words.stdout).toContain(`Beholdt: 3 barnehager, 4 godkjente innleveringer (3 i tide, 1 for sent), ${countsBefore.emails_sent} sendte e-poster.`);
    // The export made before still opens; a new one is refused.
    expect((await exec('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())', zipPath])).stdout.trim()).toBe('None');
    const refused = await cli(['run', 'archive', '--run', s.runId, '--to', join(work, 'for-sent.zip')]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`Arkivet for ${s.runId} kan ikke lages lenger`);
    const cookie = await signIn('koordinator@fylke.example');
    const page = await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/oppbevaring`, headers: { cookie } });
    expect(page.body).toContain('Personopplysningene og filene ble slettet');
    expect(page.body).not.toContain('arkiv.zip');
    const late = await consoleApp.inject({ method: 'GET', url: `/konsoll/runs/${s.runId}/arkiv.zip`, headers: { cookie } });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('kan ikke lages lenger');
  });

  it('changes nothing when purged again, by the Schedule or with a later asOf', async () => {
    const before = await snapshot();
    const handle = s.env.client.schedule.getHandle(scheduleId);
    const actionsBefore = (await handle.describe()).info.numActionsTaken;
    await handle.trigger();
    await until('the second scheduled workflow to finish', async () => {
      const info = (await handle.describe()).info;
      if (info.numActionsTaken <= actionsBefore || info.runningActions.length) return null;
      return true;
    });
    const later = await runRetentionNow(s.env.client, { taskQueue: retentionQueue, defaultMonths: 0, asOf: '2099-01-01T00:00:00Z', now: Date.now() });
    expect(later.purged).toEqual([]);
    expect(await snapshot()).toEqual(before);
    await handle.delete();
  });
});

/**
 * The production worker (worker/run.ts, its own process, on the Temporal CLI's dev server) makes the daily Schedule
 * when it starts, with RETENTION_MONTHS and its task queue, and runs the Schedule's workflow with the retention
 * dependencies: a run that ended two months ago, with RETENTION_MONTHS=1, is purged when the Schedule fires, files and all.
 */
describe('the retention Schedule of the production worker', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let temporal: TemporalServerProcess;
  let connection: Connection;
  let client: Client;
  let sink: SmtpSink;
  let worker: WorkerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arshjul-retention-worker-'));
    db = await freshSchema('faults_retention_worker');
    temporal = await temporalServerProcess(join(dir, 'temporal.db'));
    connection = await Connection.connect({ address: temporal.address });
    client = new Client({ connection });
    sink = await startSmtpSink();
    const bundlePath = join(dir, 'workflows.js');
    writeFileSync(bundlePath, (await bundleWorkflows()).code);
    worker = workerProcess({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: db.url,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      TEMPORAL_TASK_QUEUE: 'faults-retention',
      EMAIL_TASK_QUEUE: 'faults-retention-email',
      UPLOAD_LINK_SECRET: TEST_UPLOAD_SECRET,
      DATA_DIR: dir,
      UPLOAD_DIR: join(dir, 'uploads'),
      RETENTION_MONTHS: '1',
      WORKFLOW_BUNDLE_PATH: bundlePath,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.kill();
    await connection?.close();
    await temporal?.stop();
    await sink?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is made at worker start and purges a run past RETENTION_MONTHS when it fires', async () => {
    const plan = futurePlan(2027, 'retensjon');
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2);
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const store = new PgStore({ pool: db.pool });
    await store.createRun(runId, plan, roster, initialDeliverables(uploadTimeline(plan, Date.now()), roster), ARSHJUL_RELEASE);
    const orgnr = roster.kindergartens[0]?.orgnr as string;
    const submissionId = randomUUID();
    const file = pdf('En analyse');
    await db.pool.query("INSERT INTO submissions (id, run_id, orgnr, deliverable_id, link_version, state, comment, version, late, decided_at) VALUES ($1, $2, $3, 'analysis-so-far', 1, 'accepted', 'Hilsen Kari', 1, false, now())", [submissionId, runId, orgnr]);
    await db.pool.query("INSERT INTO submission_files (submission_id, position, name, size, sha256, content_type, storage_key) VALUES ($1, 1, 'Karis analyse.pdf', $2, $3, 'application/pdf', $4)", [submissionId, file.length, sha(file), `${submissionId}/1`]);
    mkdirSync(join(dir, 'uploads', 'objects', submissionId), { recursive: true });
    writeFileSync(join(dir, 'uploads', 'objects', submissionId, '1'), file);
    // The run workflow's own end event, written two months ago: the trigger of migration 13 dates the run's end by it.
    const twoMonthsAgo = Date.now() - 62 * 24 * 3_600_000;
    await store.recordEvent({ runId, type: 'run-completed', at: twoMonthsAgo });
    const [ended] = (await db.pool.query<{ ended_at: Date }>('SELECT ended_at FROM runs WHERE run_id = $1', [runId])).rows;
    expect(ended?.ended_at.getTime()).toBe(twoMonthsAgo);

    const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    const described = await handle.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', taskQueue: 'faults-retention', args: [{ defaultMonths: 1 }] });
    expect(described.spec.timezone).toBe('Europe/Oslo');
    expect(described.info.nextActionTimes[0]?.getTime()).toBeGreaterThan(Date.now());

    // By hand, as the CLI runs it, with a longer retention (3 months): not yet.
    const cliEnv = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: 'faults-retention', DATABASE_URL: db.url, DATA_DIR: dir, RETENTION_MONTHS: '3' };
    const early = await arshjulCli(['retention', 'run'], cliEnv);
    expect({ code: early.code, stdout: early.stdout, stderr: early.stderr }).toEqual({ code: 0, stdout: 'Ingen programår har passert oppbevaringstiden.\n', stderr: '' });
    const invalid = await arshjulCli(['retention', 'run', '--as-of', 'i morgen'], cliEnv);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('--as-of: forventet et tidspunkt som 2028-09-01T00:00:00Z, fikk «i morgen»');

    await handle.trigger();
    const purged = await until('the run to be purged', async () => (await db.pool.query<{ purged_at: Date | null; purge_summary: Record<string, number> }>('SELECT purged_at, purge_summary FROM runs WHERE run_id = $1', [runId])).rows.find((r) => r.purged_at), 90_000);
    expect(purged.purge_summary).toMatchObject({ kindergartens: 2, submissionsAccepted: 1, files: 1 });
    expect(existsSync(join(dir, 'uploads', 'objects', submissionId))).toBe(false);
    expect((await db.pool.query("SELECT 1 FROM kindergartens WHERE run_id = $1 AND (director_email <> '' OR director_name <> '(slettet)')", [runId])).rows).toEqual([]);
    expect((await db.pool.query('SELECT comment FROM submissions WHERE id = $1', [submissionId])).rows).toEqual([{ comment: null }]);
    expect((await db.pool.query("SELECT actor FROM audit_log WHERE run_id = $1 AND action = 'run-purged'", [runId])).rows).toEqual([{ actor: 'system:retention' }]);
    // Asked again by hand, even judged a year later, there is nothing left to purge.
    const again = await arshjulCli(['retention', 'run', '--as-of', new Date(Date.now() + 365 * 24 * 3_600_000).toISOString()], cliEnv);
    expect(again.stdout).toBe('Ingen programår har passert oppbevaringstiden.\n');
  });
});
