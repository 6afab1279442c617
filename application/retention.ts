import { createHash } from 'node:crypto';
import { type Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { ZipFile } from 'yazl';
import type { Client } from '@temporalio/client';
import { type ArchiveFile, type EraseResult, type PersonRecord, type RetentionRepository, type RunRetention } from '../activities/db/retention-repository';
import type { FileStore } from '../activities/files/file-store';
import type { Plan } from '../config/plan-schema';
import { InputError } from '../config/errors';
import { NotFoundError, RefusedError } from '../domain/errors';
import { formatNorwegian } from '../texts/norwegian-format';
import {
  ARCHIVE_GROUP_SETUP_HEADER,
  ARCHIVE_INDEX_HEADER,
  RETENTION_REFUSAL,
  SOURCE_TEXT,
  archiveReadme,
  eraseRefusal,
  guidanceText,
  lateText,
  receiptText,
  verdictLine,
} from '../texts/retention';
import { RETENTION_SCHEDULE_ID } from '../temporal/retention-schedule';
import type { RetentionWorkflowInput, RetentionWorkflowResult, retentionWorkflow } from '../workflows/retention-workflow';

/**
 * The coordinator's retention use-cases (issue 16, part 3), for the CLI (and the console): a run's retention, its
 * archive as one zip before the personal data goes, and one person's data across runs (listed, exported, erased).
 * The purge itself is the retention Schedule's workflow (workflows/retention-workflow.ts).
 */
export interface RetentionAppDeps {
  repo: RetentionRepository;
  /** RETENTION_MONTHS: a run's retention when its plan does not say. */
  defaultMonths: number;
}

/** A run by its name: programme, school year and county (the plan keeps them after a purge). */
const runTitleOf = (plan: Plan | null, runId: string) => (plan ? `${plan.programme} ${plan.schoolYear}/${plan.schoolYear + 1}, ${plan.countyName}` : runId);

/** A run's retention (when it ended, when its personal data goes, the last archive, the purge); unknown: NotFoundError. */
export async function runRetention(deps: RetentionAppDeps, runId: string): Promise<RunRetention & { title: string }> {
  const [retention, plan] = await Promise.all([deps.repo.retention(runId, deps.defaultMonths), deps.repo.plan(runId)]);
  if (!retention) throw new NotFoundError(RETENTION_REFUSAL.unknownRun(runId));
  return { ...retention, title: runTitleOf(plan, runId) };
}

/** A CSV for a Norwegian spreadsheet, as the console's exports write it: semicolons, CRLF, UTF-8 with BOM, formula-safe. */
function spreadsheetCsv(header: string[], rows: (string | number)[][]): string {
  return stringify([header, ...rows], {
    delimiter: ';',
    record_delimiter: 'windows',
    bom: true,
    cast: { string: (value) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value), number: (value) => String(value) },
  });
}

/** A path part safe in every unzip tool: no separators, no control characters, no leading dots. */
export function archivePathPart(value: string): string {
  return value.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').replace(/^\.+/, '_').trim().slice(0, 120) || '_';
}

/** File names unique within one folder: a second «analyse.pdf» becomes «analyse (2).pdf». */
function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw) => {
    const name = archivePathPart(raw);
    const n = (seen.get(name.toLowerCase()) ?? 0) + 1;
    seen.set(name.toLowerCase(), n);
    if (n === 1) return name;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  });
}

export interface ArchiveCounts {
  submissions: number;
  files: number;
  guidance: number;
  groupSetups: number;
}

interface ArchiveEntry {
  name: string;
  modifiedAt: number;
  content: Buffer | { file: ArchiveFile; receipt: string };
}


/**
 * The run's archive as one zip, streamed: README.txt, index.csv (one line per accepted submission), gruppeoppsett.csv,
 * and per submission its files, kvittering.txt and the guidance given (text and files). Each file is checked against
 * the SHA-256 it was received with as it streams; a missing or changed file ends the stream with a refusal. Refused
 * for an unknown run and for a run already purged.
 */
export async function runArchive(deps: RetentionAppDeps & { files: Pick<FileStore, 'open'> }, runId: string, input: { actor: string; now: number }): Promise<{ stream: Readable; counts: ArchiveCounts }> {
  const retention = await runRetention(deps, runId);
  if (retention.purgedAt) throw new RefusedError(RETENTION_REFUSAL.archivePurged(runId, retention.purgedAt));
  const [plan, submissions, setups] = await Promise.all([deps.repo.plan(runId), deps.repo.archiveSubmissions(runId), deps.repo.archiveGroupSetups(runId)]);
  const runTitle = runTitleOf(plan, runId);
  const deliverables = new Map((plan?.deliverables ?? []).map((d) => [d.id, d.title]));
  const regions = new Map((plan?.regions ?? []).map((r) => [r.id, r.name]));
  const entries: ArchiveEntry[] = [];
  const rows: string[][] = [];
  let files = 0;
  let guidanceCount = 0;
  for (const s of submissions) {
    const deliverable = deliverables.get(s.deliverableId) ?? s.deliverableId;
    const folder = ['innleveringer', archivePathPart(s.municipality), archivePathPart(`${s.kindergarten} ${s.orgnr}`), archivePathPart(deliverable), archivePathPart(`v${s.version} ${s.receiptNumber}`)].join('/');
    const names = uniqueNames(s.files.map((f) => f.name));
    s.files.forEach((f, i) => entries.push({ name: `${folder}/${names[i]}`, modifiedAt: s.receivedAt, content: { file: f, receipt: s.receiptNumber } }));
    files += s.files.length;
    const verdicts = s.reviews.map(verdictLine);
    s.guidance.forEach((g, i) => {
      entries.push({ name: `${folder}/veiledning-${i + 1}.txt`, modifiedAt: g.at, content: Buffer.from(guidanceText(g), 'utf8') });
      const guidanceNames = uniqueNames(g.files.map((f) => f.name));
      g.files.forEach((f, j) => entries.push({ name: `${folder}/veiledning-${i + 1}/${guidanceNames[j]}`, modifiedAt: g.at, content: { file: f, receipt: s.receiptNumber } }));
      files += g.files.length;
    });
    guidanceCount += s.guidance.length;
    const receipt = receiptText({
      runTitle, receiptNumber: s.receiptNumber, kindergarten: s.kindergarten, orgnr: s.orgnr, municipality: s.municipality, deliverable, version: s.version,
      receivedAt: s.receivedAt, late: s.late, comment: s.comment, files: s.files, verdicts,
      guidance: s.guidance.map((g) => ({ at: g.at, by: g.by, files: g.files.map((f) => f.name) })),
    });
    entries.push({ name: `${folder}/kvittering.txt`, modifiedAt: s.receivedAt, content: Buffer.from(receipt, 'utf8') });
    rows.push([
      s.receiptNumber, s.kindergarten, s.orgnr, s.municipality, regions.get(s.regionId) ?? s.regionId, deliverable, String(s.version), formatNorwegian(s.receivedAt, 'compact'),
      lateText(s.late), s.comment ?? '', verdicts.join(' | '), s.guidance.map((g) => `${formatNorwegian(g.at, 'compact')}: ${g.text}`).join(' | '), s.files.map((f) => f.name).join(' | '), `${folder}/`,
      s.id, s.deliverableId, new Date(s.receivedAt).toISOString(), s.late ? 'ja' : 'nei',
    ]);
  }
  const setupRows = setups.flatMap((g) => {
    const common = [g.receiptNumber, g.municipality, deliverables.get(g.deliverableId) ?? g.deliverableId, String(g.version), formatNorwegian(g.receivedAt, 'compact'), lateText(g.late), g.by, SOURCE_TEXT[g.source] ?? g.source];
    return g.participants.length ? g.participants.map((p) => [...common, p.kindergarten, p.orgnr, p.name, p.email, p.role]) : [[...common, '', '', '', '', '']];
  });
  const counts: ArchiveCounts = { submissions: submissions.length, files, guidance: guidanceCount, groupSetups: setups.length };
  const readme = archiveReadme({ runId, runTitle, exportedAt: input.now, exportedBy: input.actor, ...counts, endedAt: retention.endedAt, purgeAt: retention.purgeAt });
  const head: ArchiveEntry[] = [
    { name: 'README.txt', modifiedAt: input.now, content: Buffer.from(readme, 'utf8') },
    { name: 'index.csv', modifiedAt: input.now, content: Buffer.from(spreadsheetCsv(ARCHIVE_INDEX_HEADER, rows), 'utf8') },
    { name: 'gruppeoppsett.csv', modifiedAt: input.now, content: Buffer.from(spreadsheetCsv(ARCHIVE_GROUP_SETUP_HEADER, setupRows), 'utf8') },
  ];
  return { stream: zipOf([...head, ...entries], deps.files), counts };
}

/** A zip of buffers and stored files (stored, not compressed: documents are compressed already), streamed by yazl. */
function zipOf(entries: ArchiveEntry[], files: Pick<FileStore, 'open'>): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  // yazl does not listen for a lazily opened stream's errors: a missing or changed file ends the archive here.
  const fail = (error: Error) => output.destroy(error);
  zip.on('error', fail);
  for (const entry of entries) {
    const { content } = entry;
    if (Buffer.isBuffer(content)) {
      zip.addBuffer(content, entry.name, { mtime: new Date(entry.modifiedAt), compress: true });
      continue;
    }
    zip.addReadStreamLazy(entry.name, { mtime: new Date(entry.modifiedAt), compress: false, size: content.file.size }, (done) => {
      const hash = createHash('sha256');
      const check = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          hash.update(chunk);
          next(null, chunk);
        },
        flush(next) {
          next(hash.digest('hex') === content.file.sha256 ? null : new RefusedError(RETENTION_REFUSAL.damagedFile(content.file.name, content.receipt)));
        },
      });
      check.on('error', fail);
      let source: Readable;
      try {
        source = files.open(content.file.storageKey);
      } catch (error) {
        fail(error as Error);
        return;
      }
      source.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' ? new RefusedError(RETENTION_REFUSAL.missingFile(content.file.name, content.receipt)) : error));
      done(null, source.pipe(check));
    });
  }
  zip.end();
  return output;
}

/** Writes the run's archive to `out` and, once it is whole, notes the export (runs.archived_at and the audit log). */
export async function exportRunArchive(deps: RetentionAppDeps & { files: Pick<FileStore, 'open'> }, runId: string, out: Writable, input: { actor: string; now: number }): Promise<ArchiveCounts & { bytes: number }> {
  const { stream, counts } = await runArchive(deps, runId, input);
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
  await pipeline(stream, out);
  await deps.repo.recordArchive(runId, { at: input.now, actor: input.actor, ...counts, bytes });
  return { ...counts, bytes };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkedEmail(email: string): string {
  const address = email.trim().toLowerCase();
  if (!EMAIL.test(address)) throw new InputError('Ugyldig --email', [{ path: '--email', message: RETENTION_REFUSAL.badEmail(email) }]);
  return address;
}

/** Everything held about one address, across every run. */
export async function personData(deps: Pick<RetentionAppDeps, 'repo'>, email: string): Promise<PersonRecord> {
  return deps.repo.person(checkedEmail(email));
}

/** One person's data as JSON (with every email's text) or as a zip of that JSON and each email as text; audited without the address. */
export async function exportPerson(deps: Pick<RetentionAppDeps, 'repo'>, email: string, format: 'json' | 'zip', out: Writable, input: { actor: string; now: number }): Promise<PersonRecord> {
  const record = await personData(deps, email);
  const json = Buffer.from(`${JSON.stringify({ exportedAt: new Date(input.now).toISOString(), ...record }, null, 2)}\n`, 'utf8');
  if (format === 'json') {
    await pipeline(async function* () {
      yield json;
    }, out);
  } else {
    const zip = new ZipFile();
    zip.addBuffer(json, 'opplysninger.json', { mtime: new Date(input.now) });
    record.emails.forEach((e, i) => {
      const text = [`Emne: ${e.subject}`, `Programår: ${e.runId}`, `Sendt: ${e.sentAt ? formatNorwegian(e.sentAt) : '(ikke sendt)'}`, '', e.text].join('\r\n');
      zip.addBuffer(Buffer.from(text, 'utf8'), `e-post/${String(i + 1).padStart(4, '0')} ${archivePathPart(e.template)}.txt`, { mtime: new Date(e.requestedAt) });
    });
    zip.end();
    await pipeline(zip.outputStream as Readable, out);
  }
  await deps.repo.recordPersonExport({ at: input.now, actor: input.actor, runs: [...new Set(record.roles.map((r) => r.runId))], format });
  return record;
}

/**
 * Erases one address where the law allows: refused, naming the runs and roles, while a run that needs it is still
 * going (it is how the run reaches the person); otherwise every trace of the address goes, in one transaction, audited.
 */
export async function erasePerson(deps: Pick<RetentionAppDeps, 'repo'>, email: string, input: { actor: string; now: number }): Promise<EraseResult> {
  const address = await erasableAddress(deps, email);
  return deps.repo.erasePerson(address, { at: input.now, actor: input.actor });
}

/** The address, checked and lower-cased, when no run still going needs it; otherwise the refusal naming those runs. */
export async function erasableAddress(deps: Pick<RetentionAppDeps, 'repo'>, email: string): Promise<string> {
  const address = checkedEmail(email);
  const active = await deps.repo.activeRunsOf(address);
  if (active.length) throw new RefusedError(eraseRefusal(address, active));
  return address;
}

/** Runs the retention workflow now, as the Schedule would (`asOf` an ISO instant to judge at, default now), and waits for its result. */
export async function runRetentionNow(client: Pick<Client, 'workflow'>, input: { taskQueue: string; defaultMonths: number; asOf?: string; now: number }): Promise<RetentionWorkflowResult> {
  const args: RetentionWorkflowInput = { defaultMonths: input.defaultMonths, ...(input.asOf ? { asOf: input.asOf } : {}) };
  return client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
    workflowId: `${RETENTION_SCHEDULE_ID}-manual-${new Date(input.now).toISOString()}`,
    taskQueue: input.taskQueue,
    args: [args],
  });
}
