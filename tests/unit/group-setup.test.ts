import { DateTime } from 'luxon';
import readXlsxFile from 'read-excel-file/node';
import { InputError } from '../../config/errors';
import { authorityDeliverableSteps, authorityWindowFor, scheduleForKindergarten } from '../../domain/timeline';
import { checkGroupSetup, fileLines, formLines, groupSetupTemplateCsv, groupSetupTemplateXlsx, type ParticipantLine, type SetupKindergarten } from '../../planning/group-setup';
import { loadPlan, parsePlan } from '../../planning/load-plan';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { readFileSync } from 'node:fs';
import { EXAMPLE_PLAN } from '../helpers/temporal';

const oslo = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat('ccc yyyy-MM-dd HH:mm', { locale: 'en' });

const kindergartens: SetupKindergarten[] = [
  { orgnr: '976028082', name: 'Solstua barnehage', director: { name: 'Kristin Grønli', email: 'styrer@solstua.example' } },
  { orgnr: '931514784', name: 'Glomma naturbarnehage', director: { name: 'Heidi Furuseth', email: 'styrer@glomma.example' } },
];
const line = (row: number, orgnr: string, name: string, email: string, role: string): ParticipantLine => ({ row, orgnr, name, email, role });
const good = [
  line(2, '976028082', 'Kristin Grønli', 'styrer@solstua.example', 'Styrer'),
  line(3, '976028082', 'Jonas Berg', 'jonas@solstua.example', 'Pedagogisk leder'),
  line(4, '931514784', 'Heidi Furuseth', 'Styrer@Glomma.example', 'styrer'),
  line(5, '931514784', 'Ali Hassan', 'ali@glomma.example', 'stedfortreder'),
];

/** What a person reads of each problem (its place and wording), without the rule key the page words it again by. */
const asRead = (found: InputError['issues']) => found.map(({ rule: _rule, ...read }) => read);

function issues(lines: ParticipantLine[], where = { file: 'oppsett.csv' }) {
  try {
    checkGroupSetup(lines, kindergartens, 2, where);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return asRead((error as InputError).issues);
  }
  throw new Error('expected the set-up to be refused');
}

describe("a municipal authority's group set-up (release 1.2.0)", () => {
  it('takes at least two participants per kindergarten with the director, roles by label or id, emails in lower case', () => {
    expect(checkGroupSetup(good, kindergartens, 2)).toEqual([
      { orgnr: '976028082', name: 'Kristin Grønli', email: 'styrer@solstua.example', role: 'styrer' },
      { orgnr: '976028082', name: 'Jonas Berg', email: 'jonas@solstua.example', role: 'pedagogisk-leder' },
      { orgnr: '931514784', name: 'Heidi Furuseth', email: 'styrer@glomma.example', role: 'styrer' },
      { orgnr: '931514784', name: 'Ali Hassan', email: 'ali@glomma.example', role: 'stedfortreder' },
    ]);
  });

  it('names the row and column of an unknown orgnr, an invalid or repeated email, a missing name and an unknown role', () => {
    const found = issues([
      ...good.slice(0, 2),
      line(4, '931514784', 'Heidi Furuseth', 'styrer@glomma', 'Styrer'),
      line(5, '931514784', 'Ali Hassan', 'JONAS@solstua.example', 'Styrer'),
      line(6, '974760673', 'Ukjent Person', 'ukjent@example.no', 'Styrer'),
      line(7, '976028082', '', 'tom@solstua.example', 'Assistent'),
    ]);
    expect(found).toEqual([
      { file: 'oppsett.csv', row: 4, column: 'epost', message: '«styrer@glomma» er ikke en gyldig e-postadresse' },
      { file: 'oppsett.csv', row: 5, column: 'epost', message: 'e-postadressen «jonas@solstua.example» står også i rad 3; hver deltaker én gang' },
      { file: 'oppsett.csv', row: 6, column: 'orgnr', message: '«974760673» er ikke en av barnehagene deres; barnehagene er 976028082 (Solstua barnehage), 931514784 (Glomma naturbarnehage)' },
      { file: 'oppsett.csv', row: 7, column: 'navn', message: 'mangler navn' },
      { file: 'oppsett.csv', row: 7, column: 'rolle', message: '«Assistent» er ikke en rolle; rollene er Styrer, Stedfortredende styrer, Pedagogisk leder, Annen ansatt' },
    ]);
  });

  it('refuses a kindergarten with too few participants or without its director, naming the kindergarten', () => {
    expect(issues([good[0] as ParticipantLine, line(4, '931514784', 'Ali Hassan', 'ali@glomma.example', 'Pedagogisk leder'), line(5, '931514784', 'Per Pe', 'per@glomma.example', 'Annen ansatt')])).toEqual([
      { subject: 'Solstua barnehage', message: 'har én deltaker; minst 2 må være med, styreren blant dem' },
      { subject: 'Glomma naturbarnehage', message: 'styreren må være med (rolle «Styrer»; i deltakerlisten er det Heidi Furuseth)' },
    ]);
    expect(issues(good.slice(0, 2))).toEqual([{ subject: 'Glomma naturbarnehage', message: 'har ingen deltakere; minst 2 må være med, styreren blant dem' }]);
  });

  it("reads the form's lines by kindergarten, skipping empty ones, and places a problem by kindergarten and line", () => {
    const fields = {
      'navn-976028082-1': 'Kristin Grønli', 'epost-976028082-1': 'styrer@solstua.example', 'rolle-976028082-1': 'styrer',
      'navn-976028082-2': '', 'epost-976028082-2': '', 'rolle-976028082-2': 'pedagogisk-leder',
      'navn-976028082-3': 'Jonas Berg', 'epost-976028082-3': 'jonas@', 'rolle-976028082-3': 'pedagogisk-leder',
      'navn-931514784-1': 'Heidi Furuseth', 'epost-931514784-1': 'styrer@glomma.example', 'rolle-931514784-1': 'styrer',
      'navn-931514784-2': 'Ali Hassan', 'epost-931514784-2': 'ali@glomma.example', 'rolle-931514784-2': 'stedfortreder',
    };
    const lines = formLines(fields, kindergartens, 4);
    expect(lines.map((l) => `${l.orgnr}/${l.row}`)).toEqual(['976028082/1', '976028082/3', '931514784/1', '931514784/2']);
    try {
      checkGroupSetup(lines, kindergartens, 2, { form: true });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(asRead((error as InputError).issues)).toEqual([{ subject: 'Solstua barnehage, deltaker 3', column: 'epost', message: '«jonas@» er ikke en gyldig e-postadresse' }]);
      // The rule and its values go with it, so a nynorsk page words the same problem again (texts/recipient-pages.ts).
      expect((error as InputError).issues[0]?.rule).toEqual({ key: 'emailInvalid', args: ['jonas@'] });
    }
  });

  it('reads back its own template as a workbook and as CSV: the directors filled in, the sheet and rows as the spreadsheet shows them', async () => {
    const xlsx = await groupSetupTemplateXlsx(kindergartens, []);
    const sheets = (await readXlsxFile(xlsx)) as { sheet: string; data: unknown[][] }[];
    expect(sheets.map((s) => s.sheet)).toEqual(['Deltakere', 'Regler']);
    const { lines, sheet } = await fileLines(xlsx, 'gruppeoppsett.xlsx');
    expect(sheet).toBe('Deltakere');
    expect(lines.map((l) => [l.row, l.orgnr, l.name, l.role])).toEqual([
      [2, '976028082', 'Kristin Grønli', 'Styrer'],
      [3, '976028082', '', 'Pedagogisk leder'],
      [4, '931514784', 'Heidi Furuseth', 'Styrer'],
      [5, '931514784', '', 'Pedagogisk leder'],
    ]);
    // As downloaded, the second line of each kindergarten is still empty: refused on its row, in the named sheet.
    try {
      checkGroupSetup(lines, kindergartens, 2, { file: 'gruppeoppsett.xlsx', sheet: sheet as string });
      throw new Error('expected a refusal');
    } catch (error) {
      expect(asRead((error as InputError).issues.filter((i) => i.row === 3))).toEqual([
        { file: 'gruppeoppsett.xlsx', sheet: 'Deltakere', row: 3, column: 'navn', message: 'mangler navn' },
        { file: 'gruppeoppsett.xlsx', sheet: 'Deltakere', row: 3, column: 'epost', message: 'mangler e-postadresse' },
      ]);
    }
    const csv = groupSetupTemplateCsv(kindergartens, []).replace(';;;Pedagogisk leder', ';Jonas Berg;jonas@solstua.example;Pedagogisk leder').replace(';;;Pedagogisk leder', ';Ali Hassan;ali@glomma.example;Pedagogisk leder');
    const read = await fileLines(Buffer.from(csv), 'oppsett.csv');
    expect(checkGroupSetup(read.lines, kindergartens, 2, { file: 'oppsett.csv' })).toHaveLength(4);
    await expect(fileLines(Buffer.from('navn;epost\nKari;kari@example.no\n'), 'feil.csv')).rejects.toThrow(InputError);
    await expect(fileLines(Buffer.from('%PDF-1.4'), 'oppsett.pdf')).rejects.toThrow(/last opp et regneark \(\.xlsx\) eller en CSV-fil/);
  });

  it("resolves the example's group set-up as the run's: prompted when the kick-off ends, reminded 14 and 2 days before 1 December, escalated to the coordinator the next working day after two days, in no kindergarten's schedule", () => {
    const timeline = resolveTimeline(loadPlan(EXAMPLE_PLAN));
    const steps = authorityDeliverableSteps(timeline);
    expect(steps.map((s) => [s.kind, oslo(s.at)])).toEqual([
      // The kick-off ends at 16.00, the end of the send hours: the prompt goes the next morning.
      ['prompt', 'Wed 2017-11-01 08:00'],
      ['reminder', 'Fri 2017-11-17 08:00'],
      ['reminder', 'Wed 2017-11-29 08:00'],
      ['escalation', 'Mon 2017-12-04 08:00'],
    ]);
    expect(new Set(steps.map((s) => s.key)).size).toBe(4);
    expect(oslo(authorityWindowFor(timeline, 'group-setup', 'kongsvinger')?.dueAt as number)).toBe('Fri 2017-12-01 16:00');
    expect(scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger').deliverables.map((d) => d.id)).not.toContain('group-setup');
    const text = readFileSync(EXAMPLE_PLAN, 'utf8').replace('    minimumParticipants: 2\n', '    minimumParticipants: 2\n    review: { by: research-centre, due: "2017-12-10T12:00" }\n');
    expect(() => parsePlan(text, 'plan.yaml')).toThrow(/et gruppeoppsett fra barnehagemyndighetene får ikke veiledning/);
  });
});
