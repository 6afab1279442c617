import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeXlsxFile from 'write-excel-file/node';
import { InputError } from '../../config/errors';
import { parseRoster, parseRosterFile } from '../../planning/roster-import';
import { rosterTemplateCsv, rosterTemplateXlsx } from '../../planning/roster-template';
import { loadExamplePlan } from '../helpers/example-plan';

const plan = loadExamplePlan();
const csv = readFileSync(join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv'), 'utf8');
const table = csv.trim().split('\n').map((line) => line.split(','));

/** The example roster as a spreadsheet would save it: orgnr and participants as numbers, a sheet name of its own. */
async function workbook(rows: string[][], sheet = 'Barnehager', extra: { sheet: string; data: string[][] }[] = []): Promise<Buffer> {
  const header = rows[0] ?? [];
  const typed = rows.map((r, i) => r.map((v, j) => (i > 0 && (header[j] === 'orgnr' || header[j] === 'participants') && /^\d+$/.test(v) ? Number(v) : v)));
  return writeXlsxFile([...extra, { sheet, data: typed }]).toBuffer();
}

async function refusal(bytes: Buffer, file = 'deltakere.xlsx'): Promise<InputError> {
  try {
    await parseRosterFile(bytes, file, plan);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the roster to be refused');
}

describe('the roster as an .xlsx workbook (read-excel-file)', () => {
  it('reads the same roster from a workbook as from the CSV, numbers in cells included', async () => {
    expect(await parseRosterFile(await workbook(table), 'deltakere.xlsx', plan)).toEqual(parseRoster(csv, 'deltakere.csv', plan));
  });

  it('takes the sheet named Barnehager when there are several, and names sheet, row and column of a problem', async () => {
    const rows = table.map((r) => [...r]);
    (rows[3] as string[])[7] = '123456789';
    const error = await refusal(await workbook(rows, 'Barnehager', [{ sheet: 'Notater', data: [['noe annet']] }]));
    expect(error.summary).toBe('Deltakerlisten deltakere.xlsx er ikke gyldig; ingenting ble importert');
    expect(error.issues).toEqual([{ file: 'deltakere.xlsx', sheet: 'Barnehager', row: 4, column: 'orgnr', message: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer' }]);
    expect(error.message).toContain('deltakere.xlsx, ark «Barnehager», rad 4, kolonne «orgnr»: forventet et norsk organisasjonsnummer');
  });

  it('skips empty rows and empty cells to the right, but counts rows as the spreadsheet shows them', async () => {
    const rows = [table[0] as string[], table[1] as string[], [], [...(table[2] as string[]), '', '']];
    (rows[3] as string[])[9] = 'ikke-en-epost';
    const error = await refusal(await workbook(rows, 'Ark1'));
    expect(error.issues).toEqual([expect.objectContaining({ sheet: 'Ark1', row: 4, column: 'director_email', message: 'forventet en e-postadresse' })]);
  });

  it('refuses a file that is not a workbook, and a workbook without the header row', async () => {
    const notXlsx = await refusal(Buffer.from('dette er ikke et regneark'));
    expect(notXlsx.summary).toBe('Deltakerlisten deltakere.xlsx er ikke et regneark som kan leses (.xlsx)');
    const headerless = await refusal(await workbook([['Solstua', '976028082']]));
    expect(headerless.summary).toBe('Deltakerlisten deltakere.xlsx har feil overskriftsrad');
    expect(headerless.issues.every((i) => i.sheet === 'Barnehager' && i.row === 1)).toBe(true);
  });

  it('offers a template whose example row the importer accepts, with the rules on a second sheet', async () => {
    const template = await rosterTemplateXlsx(plan);
    const roster = await parseRosterFile(template, 'mal.xlsx', plan);
    expect(roster.kindergartens).toHaveLength(1);
    expect(roster.kindergartens[0]).toMatchObject({ orgnr: '976028082', regionId: 'kongsvinger' });
    const readXlsxFile = (await import('read-excel-file/node')).default;
    const sheets = await readXlsxFile(template);
    expect(sheets.map((s) => s.sheet)).toEqual(['Barnehager', 'Regler']);
    const rules = sheets[1]?.data.map((r) => String(r[0] ?? '')) ?? [];
    for (const column of table[0] as string[]) expect(rules).toContain(column);
    expect(parseRoster(rosterTemplateCsv(plan), 'mal.csv', plan).kindergartens).toHaveLength(1);
  });
});
