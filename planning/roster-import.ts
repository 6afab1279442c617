import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { InputError, fromZodIssues, type InputIssue } from '../config/errors';
import type { Plan } from '../config/plan-schema';
import {
  rosterColumns,
  rosterJsonSchema,
  rosterRowSchema,
  type Kindergarten,
  type Municipality,
  type Roster,
  type RosterRow,
} from '../config/roster-schema';
import { timelineRegions } from '../domain/regions';
import { INPUT_SUMMARY, ROSTER_RULE } from '../texts/validation';

/**
 * Imports a roster from CSV (one row per kindergarten) or nested JSON, checked against the plan's regions and
 * workshop groups. Every problem is reported with file, row and column; nothing is returned unless all rows are good,
 * so a roster is never half-imported.
 */
export function parseRoster(text: string, file: string, plan: Plan): Roster {
  const rows = extname(file).toLowerCase() === '.json' ? jsonRows(text, file) : csvRows(text, file);
  return buildRoster(rows, file, plan);
}

/** Reads and validates a roster file of any kind: a workbook (.xlsx), CSV or JSON. */
export async function loadRosterFile(file: string, plan: Plan): Promise<Roster> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(INPUT_SUMMARY.rosterUnreadable(file), [{ file, message: code === 'ENOENT' ? 'filen finnes ikke' : `filen kunne ikke leses (${code ?? 'ukjent feil'})` }]);
  }
  return parseRosterFile(bytes, file, plan);
}

/** Reads and validates a roster file (CSV or JSON; a workbook with `loadRosterFile`). */
export function loadRoster(file: string, plan: Plan): Roster {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(INPUT_SUMMARY.rosterUnreadable(file), [{ file, message: code === 'ENOENT' ? 'filen finnes ikke' : `filen kunne ikke leses (${code ?? 'ukjent feil'})` }]);
  }
  return parseRoster(text, file, plan);
}

interface NumberedRow {
  row: number;
  values: Record<string, unknown>;
}

function csvRows(text: string, file: string): NumberedRow[] {
  // One kind of line break, so the row csv-parse reports is the physical line (it counts a CRLF inside a quoted cell
  // as two lines otherwise).
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  // Spreadsheets in Norwegian locales export with semicolons; the header line tells which separator the file uses.
  const firstLine = clean.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parseCsv(clean, { skip_empty_lines: true, trim: true, relax_column_count: true, delimiter, info: true }) as unknown as typeof parsed;
  } catch (error) {
    const where = (error as { lines?: number }).lines;
    throw new InputError(INPUT_SUMMARY.notCsv(file), [{ file, ...(where ? { row: where } : {}), message: ROSTER_RULE.csv }]);
  }
  const [headerRecord, ...bodyRecords] = parsed;
  return tableRows(
    headerRecord?.record,
    bodyRecords.map(({ record, info }) => ({ cells: record, row: info.lines })),
    { file },
    delimiter,
  );
}

/**
 * A table's header and rows (a CSV file's or a sheet's) as numbered rows of known columns; a wrong header is refused
 * naming every unknown and every missing column in row 1.
 */
function tableRows(header: string[] | undefined, body: { cells: string[]; row: number }[], where: { file: string; sheet?: string }, separator: string): NumberedRow[] {
  const { file } = where;
  if (!header || header.every((h) => h.trim() === '')) throw new InputError(INPUT_SUMMARY.rosterEmpty(file), [{ ...where, row: 1, message: ROSTER_RULE.headerRow(rosterColumns) }]);
  const issues: InputIssue[] = [];
  const columns = header.map((h) => h.trim().toLowerCase());
  columns.forEach((c, i) => {
    if (!(rosterColumns as string[]).includes(c)) issues.push({ ...where, row: 1, column: header[i], message: ROSTER_RULE.unknownColumn(rosterColumns) });
  });
  const required = rosterColumns.filter((c) => c !== 'group' && c !== 'participants' && c !== 'language');
  for (const c of required) {
    if (!columns.includes(c)) issues.push({ ...where, row: 1, column: c, message: ROSTER_RULE.missingColumn });
  }
  if (issues.length) throw new InputError(INPUT_SUMMARY.rosterHeader(file), issues);
  return body.map(({ cells, row }) => {
    const values: Record<string, unknown> = {};
    columns.forEach((c, j) => {
      const cell = cells[j];
      if (cell !== undefined && cell !== '') values[c] = cell;
    });
    // A CSV row with more cells than the header is refused; a sheet's empty cells to the right are no cells.
    const extra = cells.slice(columns.length).filter((c) => separator !== SHEET_SEPARATOR || c !== '');
    if (extra.length) values.__extra = extra.join(separator);
    return { row, values };
  });
}

const SHEET_SEPARATOR = ' | ';

/** The sheet a roster workbook's kindergartens are on: "Barnehager" (the template's), or else the first. */
export const ROSTER_SHEET = 'Barnehager';

/**
 * Reads a roster workbook (.xlsx) with read-excel-file: the sheet "Barnehager" or the first, the first row the header,
 * empty rows skipped; every problem names the sheet, the row and the column as the spreadsheet shows them.
 */
async function xlsxRows(bytes: Buffer, file: string): Promise<{ rows: NumberedRow[]; sheet: string }> {
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    sheets = (await readXlsxFile(bytes)) as { sheet: string; data: unknown[][] }[];
  } catch {
    throw new InputError(INPUT_SUMMARY.notXlsx(file), [{ file, message: ROSTER_RULE.notXlsx }]);
  }
  const chosen = sheets.find((s) => s.sheet.trim().toLowerCase() === ROSTER_SHEET.toLowerCase()) ?? sheets[0];
  if (!chosen) throw new InputError(INPUT_SUMMARY.rosterEmpty(file), [{ file, row: 1, message: ROSTER_RULE.headerRow(rosterColumns) }]);
  const text = (cell: unknown): string => {
    if (cell === null || cell === undefined) return '';
    if (cell instanceof Date) return cell.toISOString().slice(0, 10);
    return String(cell).trim();
  };
  const [header, ...body] = chosen.data.map((r, i) => ({ cells: r.map(text), row: i + 1 }));
  const width = header ? header.cells.reduce((last, c, i) => (c !== '' ? i + 1 : last), 0) : 0;
  const rows = tableRows(header?.cells.slice(0, width), body.filter((r) => r.cells.some((c) => c !== '')), { file, sheet: chosen.sheet }, SHEET_SEPARATOR);
  return { rows, sheet: chosen.sheet };
}

/**
 * A roster from an uploaded file's bytes: a workbook (.xlsx), CSV or JSON by its name. A CSV or JSON file is read as
 * UTF-8 text.
 */
export async function parseRosterFile(bytes: Buffer, file: string, plan: Plan): Promise<Roster> {
  if (extname(file).toLowerCase() !== '.xlsx') return parseRoster(bytes.toString('utf8'), file, plan);
  const { rows, sheet } = await xlsxRows(bytes, file);
  return buildRoster(rows, file, plan, sheet);
}

function jsonRows(text: string, file: string): NumberedRow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(INPUT_SUMMARY.notJson(file), [{ file, message: `ikke gyldig JSON (${((error as Error).message ?? '').split('\n')[0]})` }]);
  }
  const parsed = rosterJsonSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(
      INPUT_SUMMARY.rosterJsonInvalid(file),
      fromZodIssues(parsed.error.issues, { file }),
    );
  }
  const rows: NumberedRow[] = [];
  let n = 0;
  for (const region of parsed.data.regions) {
    for (const m of region.municipalities) {
      for (const k of m.kindergartens) {
        n += 1;
        rows.push({
          row: n,
          values: {
            region: region.id,
            group: k.group,
            municipality: m.id,
            municipality_name: m.name,
            language: m.language,
            authority_name: m.authority.name,
            authority_email: m.authority.email,
            kindergarten: k.name,
            orgnr: k.orgnr,
            director_name: k.director.name,
            director_email: k.director.email,
            participants: k.participants,
          },
        });
      }
    }
  }
  return rows;
}

function buildRoster(rows: NumberedRow[], fileName: string, plan: Plan, sheet?: string): Roster {
  const issues: InputIssue[] = [];
  // Every issue names the file (and the sheet of a workbook).
  const file = fileName;
  const at = sheet === undefined ? {} : { sheet };
  const regions = new Map(timelineRegions(plan).map((r) => [r.id, r]));
  const municipalities = new Map<string, Municipality & { row: number }>();
  const orgnrs = new Map<string, number>();
  const kindergartens: Kindergarten[] = [];

  for (const { row, values } of rows) {
    if ('__extra' in values) {
      issues.push({ file, ...at, row, message: ROSTER_RULE.extraCells(String(values.__extra)) });
      continue;
    }
    const parsed = rosterRowSchema.safeParse(values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = issue.path.map(String).join('.');
        const message = issue.code === 'invalid_type' && values[column] === undefined ? ROSTER_RULE.missingValue : issue.message;
        issues.push({ file, ...at, row, column, message });
      }
      continue;
    }
    const r: RosterRow = parsed.data;
    const region = regions.get(r.region);
    if (!region) {
      issues.push({ file, ...at, row, column: 'region', message: ROSTER_RULE.unknownRegion(r.region, [...regions.values()].map((x) => `${x.id} (${x.name})`)) });
      continue;
    }
    let groupId = r.group || undefined;
    const named = plan.regions.find((p) => p.id === region.id)?.groups ?? [];
    if (groupId === undefined) {
      if (named.length > 1) {
        issues.push({ file, ...at, row, column: 'group', message: ROSTER_RULE.groupNeeded(region.name, named.map((g) => `${g.id} (${g.name})`)) });
        continue;
      }
      groupId = (region.groups[0] as { id: string }).id;
    } else if (!region.groups.some((g) => g.id === groupId)) {
      issues.push({ file, ...at, row, column: 'group', message: ROSTER_RULE.unknownGroup(groupId, region.name, region.groups.map((g) => g.id)) });
      continue;
    }
    const seen = orgnrs.get(r.orgnr);
    if (seen !== undefined) {
      issues.push({ file, ...at, row, column: 'orgnr', message: ROSTER_RULE.orgnrTwice(r.orgnr, seen) });
      continue;
    }
    orgnrs.set(r.orgnr, row);
    const existing = municipalities.get(r.municipality);
    const municipality = {
      id: r.municipality,
      name: r.municipality_name,
      regionId: r.region,
      authority: { name: r.authority_name, email: r.authority_email },
      ...(r.language ? { language: r.language } : {}),
      row,
    };
    if (existing) {
      const fields: [string, string, string][] = [
        ['region', existing.regionId, municipality.regionId],
        ['municipality_name', existing.name, municipality.name],
        ['authority_name', existing.authority.name, municipality.authority.name],
        ['authority_email', existing.authority.email, municipality.authority.email],
        ['language', existing.language ?? 'nb', municipality.language ?? 'nb'],
      ];
      for (const [column, before, now] of fields) {
        if (before !== now) issues.push({ file, ...at, row, column, message: ROSTER_RULE.municipalityDiffers(r.municipality, before, existing.row, now) });
      }
    } else {
      municipalities.set(r.municipality, municipality);
    }
    kindergartens.push({
      orgnr: r.orgnr,
      name: r.kindergarten,
      municipalityId: r.municipality,
      regionId: r.region,
      groupId,
      director: { name: r.director_name, email: r.director_email },
      participants: r.participants ?? null,
    });
  }
  if (rows.length === 0) issues.push({ file, ...at, message: ROSTER_RULE.noKindergartens });
  if (issues.length) throw new InputError(INPUT_SUMMARY.rosterInvalid(fileName), issues);
  return {
    municipalities: [...municipalities.values()].map(({ row: _row, ...m }) => m),
    kindergartens,
  };
}
