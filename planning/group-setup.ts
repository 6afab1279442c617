/**
 * A municipal authority's group set-up for the competence package (release 1.2.0): for each of its kindergartens the
 * participants — name, email, role — at least `minimum` of them, the director among them. Read from the console's
 * form, from CSV or from a workbook (.xlsx, read with read-excel-file), and checked with every problem named by row and
 * column (a file's) or by kindergarten and line (the form's), so nothing half-right is ever stored.
 */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { InputError, type InputIssue } from '../config/errors';
import { isStorableText } from '../config/plan-schema';
import { PARTICIPANT_ROLE } from '../texts/catalogue';
import { GROUP_SETUP_RULE, groupSetupIssue } from '../texts/validation';

/** A participant's role in the competence package. */
export const PARTICIPANT_ROLES = ['styrer', 'stedfortreder', 'pedagogisk-leder', 'annen'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export const ROLE_LABEL: Record<ParticipantRole, string> = PARTICIPANT_ROLE;

export interface Participant {
  orgnr: string;
  name: string;
  email: string;
  role: ParticipantRole;
}

/** One of the authority's kindergartens, as the set-up is checked against it. */
export interface SetupKindergarten {
  orgnr: string;
  name: string;
  director: { name: string; email: string };
}

/** A participant line as given, before it is checked: where it came from and its raw values. */
export interface ParticipantLine {
  /** A file's row as the spreadsheet shows it; the form's line within the kindergarten (1, 2, …). */
  row: number;
  orgnr: string;
  name: string;
  email: string;
  role: string;
}

/** The columns of a group set-up file, in order; `barnehage` is there for the reader and not checked. */
export const SETUP_COLUMNS = ['orgnr', 'barnehage', 'navn', 'epost', 'rolle'] as const;
export const SETUP_SHEET = 'Deltakere';

const emailSchema = z.string().trim().toLowerCase().pipe(z.email());

/** The role a cell names: its id or its label, in any case ("Pedagogisk leder", "pedagogisk-leder"). */
function roleOf(raw: string): ParticipantRole | null {
  const wanted = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const role of PARTICIPANT_ROLES) if (role === wanted || ROLE_LABEL[role].toLowerCase() === wanted || role.replace('-', ' ') === wanted) return role;
  return null;
}

/**
 * Checks a set-up: every line's kindergarten, name, email and role, no email twice, and for every kindergarten at
 * least `minimum` participants with the director (role «Styrer») among them. Returns the participants, or throws an
 * InputError listing every problem (`where` places a line: a file's row and column, or the form's kindergarten).
 */
export function checkGroupSetup(
  lines: ParticipantLine[],
  kindergartens: SetupKindergarten[],
  minimum: number,
  where: { file?: string; sheet?: string; form?: boolean } = {},
): Participant[] {
  const issues: InputIssue[] = [];
  const byOrgnr = new Map(kindergartens.map((k) => [k.orgnr, k]));
  const place = (line: ParticipantLine, column: (typeof SETUP_COLUMNS)[number]) =>
    where.form
      ? { subject: `${byOrgnr.get(line.orgnr)?.name ?? line.orgnr}, deltaker ${line.row}`, column }
      : { ...(where.file ? { file: where.file } : {}), ...(where.sheet ? { sheet: where.sheet } : {}), row: line.row, column };
  const participants: Participant[] = [];
  const seen = new Map<string, ParticipantLine>();
  for (const line of lines) {
    const orgnr = line.orgnr.replace(/\s/g, '');
    let ok = true;
    if (!byOrgnr.has(orgnr)) {
      issues.push({ ...place(line, 'orgnr'), ...(orgnr === '' ? groupSetupIssue('orgnrMissing') : groupSetupIssue('unknownOrgnr', orgnr, kindergartens.map((k) => `${k.orgnr} (${k.name})`))) });
      ok = false;
    }
    const name = line.name.trim().replace(/\s+/g, ' ');
    if (name === '' || name.length > 200 || !isStorableText(name)) {
      issues.push({ ...place(line, 'navn'), ...(name === '' ? groupSetupIssue('nameMissing') : groupSetupIssue('nameInvalid')) });
      ok = false;
    }
    const email = emailSchema.safeParse(line.email);
    if (!email.success) {
      issues.push({ ...place(line, 'epost'), ...(line.email.trim() === '' ? groupSetupIssue('emailMissing') : groupSetupIssue('emailInvalid', line.email.trim())) });
      ok = false;
    } else {
      const earlier = seen.get(email.data);
      if (earlier) {
        issues.push({ ...place(line, 'epost'), ...groupSetupIssue('emailTwice', email.data, where.form ? `${byOrgnr.get(earlier.orgnr)?.name ?? earlier.orgnr}, deltaker ${earlier.row}` : `rad ${earlier.row}`) });
        ok = false;
      } else seen.set(email.data, line);
    }
    const role = roleOf(line.role);
    if (!role) {
      issues.push({ ...place(line, 'rolle'), ...groupSetupIssue('roleUnknown', line.role.trim(), PARTICIPANT_ROLES.map((r) => ROLE_LABEL[r])) });
      ok = false;
    }
    if (ok && email.success && role) participants.push({ orgnr, name, email: email.data, role });
  }
  // Every kindergarten: enough participants, the director among them (only where its lines were otherwise fine).
  for (const k of kindergartens) {
    const own = participants.filter((p) => p.orgnr === k.orgnr);
    const broken = lines.some((l) => l.orgnr.replace(/\s/g, '') === k.orgnr) && own.length < lines.filter((l) => l.orgnr.replace(/\s/g, '') === k.orgnr).length;
    if (broken) continue;
    if (own.length < minimum) issues.push({ subject: k.name, ...groupSetupIssue('tooFew', own.length, minimum) });
    else if (!own.some((p) => p.role === 'styrer')) issues.push({ subject: k.name, ...groupSetupIssue('noDirector', k.director.name) });
  }
  if (issues.length) throw new InputError(GROUP_SETUP_RULE.summary(where.file), issues);
  return participants;
}

/** The form's lines: fields `navn-<orgnr>-<n>`, `epost-<orgnr>-<n>`, `rolle-<orgnr>-<n>`; a line left empty is no line. */
export function formLines(fields: Record<string, unknown>, kindergartens: SetupKindergarten[], perKindergarten: number): ParticipantLine[] {
  const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : '');
  const lines: ParticipantLine[] = [];
  for (const k of kindergartens) {
    for (let n = 1; n <= perKindergarten; n++) {
      const line = { row: n, orgnr: k.orgnr, name: text(`navn-${k.orgnr}-${n}`), email: text(`epost-${k.orgnr}-${n}`), role: text(`rolle-${k.orgnr}-${n}`) };
      if (line.name.trim() === '' && line.email.trim() === '') continue;
      lines.push(line);
    }
  }
  return lines;
}

/** A file's lines: a workbook (.xlsx: sheet «Deltakere» or the first) or CSV (comma or semicolon), the header in row 1. */
export async function fileLines(bytes: Buffer, file: string): Promise<{ lines: ParticipantLine[]; sheet?: string }> {
  let table: { cells: string[]; row: number }[];
  let sheet: string | undefined;
  if (extname(file).toLowerCase() === '.xlsx') {
    let sheets: { sheet: string; data: unknown[][] }[];
    try {
      sheets = (await readXlsxFile(bytes)) as { sheet: string; data: unknown[][] }[];
    } catch {
      throw new InputError(GROUP_SETUP_RULE.summary(file), [{ file, ...groupSetupIssue('notXlsx') }]);
    }
    const chosen = sheets.find((s) => s.sheet.trim().toLowerCase() === SETUP_SHEET.toLowerCase()) ?? sheets[0];
    sheet = chosen?.sheet;
    table = (chosen?.data ?? []).map((r, i) => ({ cells: r.map((c) => (c === null || c === undefined ? '' : String(c).trim())), row: i + 1 }));
  } else if (extname(file).toLowerCase() === '.csv') {
    const clean = bytes.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    const first = clean.split('\n', 1)[0] ?? '';
    const delimiter = first.includes(';') && !first.includes(',') ? ';' : ',';
    try {
      const parsed = parseCsv(clean, { skip_empty_lines: true, trim: true, relax_column_count: true, delimiter, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
      table = parsed.map(({ record, info }) => ({ cells: record, row: info.lines }));
    } catch {
      throw new InputError(GROUP_SETUP_RULE.summary(file), [{ file, ...groupSetupIssue('notCsv') }]);
    }
  } else {
    throw new InputError(GROUP_SETUP_RULE.summary(file), [{ file, ...groupSetupIssue('wrongFileType') }]);
  }
  const [header, ...body] = table;
  const columns = (header?.cells ?? []).map((c) => c.trim().toLowerCase().replace('e-post', 'epost'));
  const missing = SETUP_COLUMNS.filter((c) => c !== 'barnehage' && !columns.includes(c));
  if (!header || missing.length) {
    throw new InputError(GROUP_SETUP_RULE.summary(file), missing.map((c) => ({ file, ...(sheet ? { sheet } : {}), row: 1, column: c, ...groupSetupIssue('columnMissing', SETUP_COLUMNS) })));
  }
  const cell = (cells: string[], column: string) => cells[columns.indexOf(column)] ?? '';
  const lines = body
    .filter((r) => r.cells.some((c) => c !== ''))
    .map((r) => ({ row: r.row, orgnr: cell(r.cells, 'orgnr'), name: cell(r.cells, 'navn'), email: cell(r.cells, 'epost'), role: cell(r.cells, 'rolle') }));
  return { lines, ...(sheet ? { sheet } : {}) };
}

/** The template an authority downloads: a row per kindergarten with its director filled in, and an empty second line. */
function templateRows(kindergartens: SetupKindergarten[], current: Participant[]): string[][] {
  return kindergartens.flatMap((k) => {
    const own = current.filter((p) => p.orgnr === k.orgnr);
    const rows = own.length ? own.map((p) => [k.orgnr, k.name, p.name, p.email, ROLE_LABEL[p.role]]) : [[k.orgnr, k.name, k.director.name, k.director.email, ROLE_LABEL.styrer], [k.orgnr, k.name, '', '', ROLE_LABEL['pedagogisk-leder']]];
    return rows;
  });
}

export async function groupSetupTemplateXlsx(kindergartens: SetupKindergarten[], current: Participant[]): Promise<Buffer> {
  const header = SETUP_COLUMNS.map((c) => ({ value: c, fontWeight: 'bold' as const }));
  return writeXlsxFile([
    { sheet: SETUP_SHEET, data: [header, ...templateRows(kindergartens, current)], columns: [{ width: 12 }, { width: 30 }, { width: 28 }, { width: 36 }, { width: 24 }], stickyRowsCount: 1 },
    {
      sheet: 'Regler',
      data: [
        ['Kolonne', 'Hva den skal inneholde'].map((value) => ({ value, fontWeight: 'bold' as const })),
        ['orgnr', 'Barnehagens organisasjonsnummer (ni sifre), én rad per deltaker.'],
        ['barnehage', 'Barnehagens navn, for å lese lista (sjekkes ikke).'],
        ['navn', 'Deltakerens navn.'],
        ['epost', 'Deltakerens e-postadresse: hit går informasjonen om kompetansepakken og invitasjonene til workshopene.'],
        ['rolle', `${PARTICIPANT_ROLES.map((r) => ROLE_LABEL[r]).join(', ')}. Styreren må være med.`],
      ],
      columns: [{ width: 14 }, { width: 100 }],
    },
  ]).toBuffer();
}

export function groupSetupTemplateCsv(kindergartens: SetupKindergarten[], current: Participant[]): string {
  return `\uFEFF${stringify([[...SETUP_COLUMNS], ...templateRows(kindergartens, current)], { delimiter: ';', record_delimiter: '\r\n' })}`;
}
