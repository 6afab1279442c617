import writeXlsxFile from 'write-excel-file/node';
import type { Plan } from '../config/plan-schema';
import { rosterColumns } from '../config/roster-schema';
import { timelineRegions } from '../domain/regions';
import { ROSTER_SHEET } from './roster-import';

/**
 * The roster template a coordinator downloads: the columns, one example row in the plan's first region, and the rules
 * of every column on a second sheet (in the workbook; the CSV has the header and the example row). Written with
 * write-excel-file; read back by the same importer that takes the coordinator's file.
 */

/** What each column holds, whether it must be filled in, and an example, in bokmål. */
export function rosterRules(plan: Plan): { column: string; required: boolean; rule: string }[] {
  const regions = timelineRegions(plan);
  const grouped = regions.filter((r) => r.groups.length > 1);
  return [
    { column: 'region', required: true, rule: `Regionens id i planen: ${regions.map((r) => `${r.id} (${r.name})`).join(', ')}.` },
    {
      column: 'group',
      required: false,
      rule: grouped.length
        ? `Workshopgruppen, bare der regionen har flere: ${grouped.map((r) => `${r.name}: ${r.groups.map((g) => g.id).join(' eller ')}`).join('; ')}. Ellers tom.`
        : 'Tom: ingen region i planen har flere workshopgrupper.',
    },
    { column: 'municipality', required: true, rule: 'Kommunens id: små bokstaver a–z, sifre og bindestrek (for eksempel «kongsvinger»). Samme id på alle rader for kommunen.' },
    { column: 'municipality_name', required: true, rule: 'Kommunens navn slik det skal stå i e-post og på sidene.' },
    { column: 'authority_name', required: true, rule: 'Kontaktperson hos barnehagemyndigheten i kommunen. Samme på alle rader for kommunen.' },
    { column: 'authority_email', required: true, rule: 'Barnehagemyndighetens e-postadresse. Samme på alle rader for kommunen.' },
    { column: 'kindergarten', required: true, rule: 'Barnehagens navn.' },
    { column: 'orgnr', required: true, rule: 'Barnehagens organisasjonsnummer: ni sifre med gyldig kontrollsiffer (som i Enhetsregisteret). Hver barnehage én gang.' },
    { column: 'director_name', required: true, rule: 'Styrerens navn.' },
    { column: 'director_email', required: true, rule: 'Styrerens e-postadresse: hit går påminnelser og den personlige innleveringslenken.' },
    { column: 'participants', required: false, rule: 'Antall deltakere i kompetansepakken fra barnehagen (heltall), om det er kjent.' },
    { column: 'language', required: false, rule: 'Kommunens målform: nb (bokmål) eller nn (nynorsk). E-post og sider til barnehagemyndigheten, barnehagene og deltakerne skrives i denne målformen. Tom betyr bokmål. Samme på alle rader for kommunen.' },
  ];
}

function exampleRow(plan: Plan): string[] {
  const region = timelineRegions(plan)[0];
  const group = region && region.groups.length > 1 ? (region.groups[0]?.id ?? '') : '';
  const values: Record<string, string> = {
    region: region?.id ?? '',
    group,
    municipality: 'kongsvinger',
    municipality_name: 'Kongsvinger',
    language: 'nb',
    authority_name: 'Kari Nordby',
    authority_email: 'barnehage@kongsvinger.kommune.example',
    kindergarten: 'Solstua barnehage',
    orgnr: '976028082',
    director_name: 'Kristin Grønli',
    director_email: 'styrer@solstua.barnehage.example',
    participants: '2',
  };
  return rosterColumns.map((c) => values[c] ?? '');
}

/** The template as a workbook: sheet "Barnehager" (header and one example row) and sheet "Regler". */
export async function rosterTemplateXlsx(plan: Plan): Promise<Buffer> {
  const header = rosterColumns.map((c) => ({ value: c, fontWeight: 'bold' as const }));
  const example = exampleRow(plan).map((v, i) => (rosterColumns[i] === 'participants' && v !== '' ? { value: Number(v), type: Number } : { value: v, type: String }));
  const rules = rosterRules(plan);
  return writeXlsxFile(
    [
      { sheet: ROSTER_SHEET, data: [header, example], columns: rosterColumns.map((c) => ({ width: Math.max(14, c.length + 4) })), stickyRowsCount: 1 },
      {
        sheet: 'Regler',
        data: [
          ['Kolonne', 'Må fylles ut', 'Hva den skal inneholde'].map((value) => ({ value, fontWeight: 'bold' as const })),
          ...rules.map((r) => [r.column, r.required ? 'ja' : 'nei', r.rule]),
          [],
          ['Slik brukes malen', '', 'Én rad per barnehage på arket «Barnehager». Slett eksempelraden. Lagre som .xlsx (eller CSV) og last opp filen i konsollen eller bruk arshjul plan check --roster.'],
        ],
        columns: [{ width: 20 }, { width: 14 }, { width: 100 }],
      },
    ],
  ).toBuffer();
}

/** The template as CSV (semicolons, as a Norwegian spreadsheet saves it): the header and one example row. */
export function rosterTemplateCsv(plan: Plan): string {
  return `\uFEFF${rosterColumns.join(';')}\r\n${exampleRow(plan).join(';')}\r\n`;
}
