import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, type InputIssue } from '../../config/errors';
import { isValidOrgnr, type Roster } from '../../config/roster-schema';
import { loadPlan } from '../../planning/load-plan';
import { loadRoster, parseRoster } from '../../planning/roster-import';
import { rosterAsJson } from '../helpers/roster-builder';

const EXAMPLES = path.join(__dirname, '../../examples');
const plan = loadPlan(path.join(EXAMPLES, 'kfl-2017-2018.yaml'));
const exampleCsv = readFileSync(path.join(EXAMPLES, 'roster-hedmark-2017.csv'), 'utf8');

const HEADER = 'region,group,municipality,municipality_name,authority_name,authority_email,kindergarten,orgnr,director_name,director_email,participants';

interface RowFields {
  region: string;
  group: string;
  municipality: string;
  municipality_name: string;
  authority_name: string;
  authority_email: string;
  kindergarten: string;
  orgnr: string;
  director_name: string;
  director_email: string;
  participants: string;
}

const solstua: RowFields = {
  region: 'kongsvinger',
  group: '',
  municipality: 'kongsvinger',
  municipality_name: 'Kongsvinger',
  authority_name: 'Kari Nordby',
  authority_email: 'barnehage@kongsvinger.kommune.example',
  kindergarten: 'Solstua barnehage',
  orgnr: '976028082',
  director_name: 'Kristin Grønli',
  director_email: 'styrer@solstua.barnehage.example',
  participants: '2',
};
const glomma: RowFields = {
  ...solstua,
  kindergarten: 'Glomma naturbarnehage',
  orgnr: '931514784',
  director_name: 'Heidi Furuseth',
  director_email: 'styrer@glomma-naturbarnehage.barnehage.example',
};
const hamarRow: RowFields = {
  region: 'hedmarken',
  group: 'hamar-stange',
  municipality: 'hamar',
  municipality_name: 'Hamar',
  authority_name: 'Per Hamar',
  authority_email: 'barnehage@hamar.kommune.example',
  kindergarten: 'Vangsvika barnehage',
  orgnr: '917334188',
  director_name: 'Ingrid Vang',
  director_email: 'styrer@vangsvika.barnehage.example',
  participants: '3',
};

const cellsOf = (r: RowFields): string[] =>
  [r.region, r.group, r.municipality, r.municipality_name, r.authority_name, r.authority_email, r.kindergarten, r.orgnr, r.director_name, r.director_email, r.participants];
const line = (r: RowFields): string => cellsOf(r).join(',');
const csv = (...rows: RowFields[]): string => [HEADER, ...rows.map(line)].join('\n') + '\n';

function refusal(text: string, file = 'roster.csv'): InputError {
  try {
    parseRoster(text, file, plan);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected parseRoster to refuse the roster');
}

describe('parseRoster imports the Hedmark 2017 roster', () => {
  const roster = parseRoster(exampleCsv, 'roster.csv', plan);

  it('imports 61 kindergartens in 22 municipalities', () => {
    expect(roster.kindergartens).toHaveLength(61);
    expect(roster.municipalities).toHaveLength(22);
    expect(new Set(roster.kindergartens.map((k) => k.orgnr)).size).toBe(61);
  });

  it('counts the municipalities of each region: Kongsvinger 7, Hedmarken 4, Nord-Østerdal 6, Sør-Østerdal 5', () => {
    const count = (regionId: string) => roster.municipalities.filter((m) => m.regionId === regionId).length;
    expect([count('kongsvinger'), count('hedmarken'), count('nord-osterdal'), count('sor-osterdal')]).toEqual([7, 4, 6, 5]);
  });

  it('keeps the workshop groups of Hedmarken: Ringsaker and Løten in one, Hamar and Stange in the other', () => {
    const groupOf = new Map<string, Set<string>>();
    for (const k of roster.kindergartens.filter((x) => x.regionId === 'hedmarken')) {
      groupOf.set(k.municipalityId, (groupOf.get(k.municipalityId) ?? new Set()).add(k.groupId));
    }
    expect(Object.fromEntries([...groupOf].map(([m, groups]) => [m, [...groups]]))).toEqual({
      ringsaker: ['ringsaker-loten'],
      loten: ['ringsaker-loten'],
      hamar: ['hamar-stange'],
      stange: ['hamar-stange'],
    });
  });

  it('puts kindergartens of a region without named groups in the group of the region\'s own id', () => {
    for (const regionId of ['kongsvinger', 'nord-osterdal', 'sor-osterdal']) {
      const groups = new Set(roster.kindergartens.filter((k) => k.regionId === regionId).map((k) => k.groupId));
      expect([...groups]).toEqual([regionId]);
    }
  });

  it('reads the first row as Solstua barnehage in Kongsvinger with its director and two participants', () => {
    expect(roster.kindergartens[0]).toEqual({
      orgnr: '976028082',
      name: 'Solstua barnehage',
      municipalityId: 'kongsvinger',
      regionId: 'kongsvinger',
      groupId: 'kongsvinger',
      director: { name: 'Kristin Grønli', email: 'styrer@solstua.barnehage.example' },
      participants: 2,
    });
    expect(roster.municipalities[0]).toEqual({
      id: 'kongsvinger',
      name: 'Kongsvinger',
      regionId: 'kongsvinger',
      authority: { name: 'Kari Nordby', email: 'barnehage@kongsvinger.kommune.example' },
    });
  });

  it('has only valid organisation numbers', () => {
    expect(roster.kindergartens.every((k) => isValidOrgnr(k.orgnr))).toBe(true);
  });

  it('reads the same roster from a file with loadRoster', () => {
    expect(loadRoster(path.join(EXAMPLES, 'roster-hedmark-2017.csv'), plan)).toEqual(roster);
  });

  it('imports the same roster from a semicolon-separated file', () => {
    expect(parseRoster(exampleCsv.replace(/,/g, ';'), 'roster.csv', plan)).toEqual(roster);
  });

  it('imports the same roster with Windows line endings and a byte-order mark', () => {
    expect(parseRoster(`\uFEFF${exampleCsv.replace(/\n/g, '\r\n')}`, 'roster.csv', plan)).toEqual(roster);
  });

  it('imports the same roster from the nested JSON form', () => {
    const json = rosterAsJson(roster, plan);
    const fromJson: Roster = parseRoster(JSON.stringify(json), 'roster.json', plan);
    const byOrgnr = (a: { orgnr: string }, b: { orgnr: string }) => a.orgnr.localeCompare(b.orgnr);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...fromJson.kindergartens].sort(byOrgnr)).toEqual([...roster.kindergartens].sort(byOrgnr));
    expect([...fromJson.municipalities].sort(byId)).toEqual([...roster.municipalities].sort(byId));
  });

  it('reads a semicolon-separated export, as Norwegian spreadsheets write it, keeping a comma inside a kindergarten name', () => {
    const text = [HEADER.replaceAll(',', ';'), cellsOf({ ...solstua, kindergarten: 'Solstua barnehage, avd. Nord' }).join(';'), cellsOf(glomma).join(';')].join('\n') + '\n';
    const imported = parseRoster(text, 'roster.csv', plan);
    expect(imported.kindergartens.map((k) => [k.orgnr, k.name])).toEqual([
      ['976028082', 'Solstua barnehage, avd. Nord'],
      ['931514784', 'Glomma naturbarnehage'],
    ]);
    expect(imported.kindergartens[0]?.director).toEqual({ name: 'Kristin Grønli', email: 'styrer@solstua.barnehage.example' });
  });

  it('accepts an organisation number written with spaces and stores it without them', () => {
    const imported = parseRoster(csv({ ...solstua, orgnr: '976 028 082' }), 'roster.csv', plan);
    expect(imported.kindergartens[0]?.orgnr).toBe('976028082');
  });

  it('stores a missing participant count as null', () => {
    const imported = parseRoster(csv({ ...solstua, participants: '' }), 'roster.csv', plan);
    expect(imported.kindergartens[0]?.participants).toBeNull();
  });
});

describe('parseRoster refuses a bad roster, naming file, row, column and what was expected', () => {
  it('names the orgnr cell in row 3 whose check digit is wrong', () => {
    const error = refusal(csv(solstua, { ...glomma, orgnr: '931514785' }));
    expect(error.summary).toBe('Deltakerlisten roster.csv er ikke gyldig; ingenting ble importert');
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 3, column: 'orgnr', message: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer' },
    ]);
    expect(error.message).toContain('roster.csv, rad 3, kolonne «orgnr»: forventet et norsk organisasjonsnummer');
  });

  it('refuses an organisation number of eight digits', () => {
    expect(refusal(csv({ ...solstua, orgnr: '97602808' })).issues).toEqual([
      { file: 'roster.csv', row: 2, column: 'orgnr', message: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer' },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('numbers rows by physical file line, counting a blank line (%s line endings)', (_name, eol) => {
    const text = [HEADER, '', line(solstua), line(glomma), line({ ...hamarRow, orgnr: '917334189' })].join(eol) + eol;
    expect(refusal(text).issues).toEqual([
      { file: 'roster.csv', row: 5, column: 'orgnr', message: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer' },
    ]);
  });

  it('names the earlier row when an organisation number is used twice', () => {
    const error = refusal(csv(solstua, glomma, { ...hamarRow, orgnr: solstua.orgnr }));
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 4, column: 'orgnr', message: 'organisasjonsnummeret 976028082 står allerede i rad 2' },
    ]);
  });

  it('names an unknown region and lists the regions of the plan', () => {
    expect(refusal(csv({ ...solstua, region: 'innlandet' })).issues).toEqual([
      {
        file: 'roster.csv',
        row: 2,
        column: 'region',
        message: '«innlandet» er ikke en region i planen; regionene er kongsvinger (Kongsvingerregionen), hedmarken (Hedmarken), nord-osterdal (Nord-Østerdal), sor-osterdal (Sør-Østerdal)',
      },
    ]);
  });

  it('asks for a workshop group for a Hedmarken kindergarten, since Hedmarken meets in two', () => {
    expect(refusal(csv({ ...hamarRow, group: '' })).issues).toEqual([
      {
        file: 'roster.csv',
        row: 2,
        column: 'group',
        message: 'Hedmarken har flere workshopgrupper; skriv én av ringsaker-loten (Hedmarkregionen, Ringsaker og Løten), hamar-stange (Hedmarkregionen, Hamar og Stange)',
      },
    ]);
  });

  it('names an unknown workshop group, also one that belongs to another region', () => {
    const error = refusal(csv({ ...hamarRow, group: 'hamar' }, { ...solstua, group: 'hamar-stange' }));
    expect(error.issues).toEqual([
      {
        file: 'roster.csv',
        row: 2,
        column: 'group',
        message: '«hamar» er ikke en workshopgruppe i Hedmarken; gruppene er ringsaker-loten, hamar-stange',
      },
      {
        file: 'roster.csv',
        row: 3,
        column: 'group',
        message: '«hamar-stange» er ikke en workshopgruppe i Kongsvingerregionen; gruppene er kongsvinger',
      },
    ]);
  });

  it('names a municipality whose authority email differs from an earlier row', () => {
    const error = refusal(csv(solstua, { ...glomma, authority_email: 'post@kongsvinger.kommune.example' }));
    expect(error.issues).toEqual([
      {
        file: 'roster.csv',
        row: 3,
        column: 'authority_email',
        message: 'kommunen «kongsvinger» har «barnehage@kongsvinger.kommune.example» i rad 2, men «post@kongsvinger.kommune.example» her; en kommune har samme verdi på alle rader',
      },
    ]);
  });

  it('names a municipality that is placed in two regions', () => {
    const error = refusal(csv(solstua, { ...glomma, region: 'sor-osterdal' }));
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 3, column: 'region', message: 'kommunen «kongsvinger» har «kongsvinger» i rad 2, men «sor-osterdal» her; en kommune har samme verdi på alle rader' },
    ]);
  });

  it('names an invalid director email and an invalid authority email in their columns', () => {
    const error = refusal(csv({ ...solstua, director_email: 'styrer(at)solstua.no' }, { ...glomma, authority_email: 'barnehage@' }));
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 2, column: 'director_email', message: 'forventet en e-postadresse' },
      { file: 'roster.csv', row: 3, column: 'authority_email', message: 'forventet en e-postadresse' },
    ]);
  });

  it('says "missing value" for an empty required cell', () => {
    expect(refusal(csv({ ...solstua, director_name: '' })).issues).toEqual([
      { file: 'roster.csv', row: 2, column: 'director_name', message: 'mangler verdi' },
    ]);
  });

  it('names a row with more cells than the header has columns', () => {
    const text = `${HEADER}\n${line(solstua)},ekstra\n`;
    expect(refusal(text).issues).toEqual([{ file: 'roster.csv', row: 2, message: 'flere celler enn kolonner (til overs: «ekstra»)' }]);
  });

  it('names every missing header column in row 1', () => {
    const header = HEADER.replace(',authority_email', '').replace(',director_email', '');
    const error = refusal(`${header}\nkongsvinger,,kongsvinger,Kongsvinger,Kari Nordby,Solstua barnehage,976028082,Kristin Grønli,2\n`);
    expect(error.summary).toBe('Deltakerlisten roster.csv har feil overskriftsrad');
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 1, column: 'authority_email', message: 'kolonnen mangler' },
      { file: 'roster.csv', row: 1, column: 'director_email', message: 'kolonnen mangler' },
    ]);
  });

  it('names an unknown header column', () => {
    const error = refusal(`${HEADER},telefon\n${line(solstua)},62800000\n`);
    expect(error.issues).toEqual([
      { file: 'roster.csv', row: 1, column: 'telefon', message: expect.stringMatching(/^ukjent kolonne; kolonnene er region, group, municipality/) },
    ]);
  });

  it('refuses an empty file, asking for a header row', () => {
    const error = refusal('');
    expect(error.summary).toBe('Deltakerlisten roster.csv er tom');
    expect(error.issues).toEqual([{ file: 'roster.csv', row: 1, message: `forventet en overskriftsrad med kolonnene ${HEADER.split(',').join(', ')}, language` }]);
  });

  it('refuses a file with a header and no kindergartens', () => {
    expect(refusal(`${HEADER}\n`).issues).toEqual([{ file: 'roster.csv', message: 'deltakerlisten har ingen barnehager' }]);
  });

  it('refuses the whole roster when one row of the 61 is bad, so nothing is half-imported', () => {
    const lines = exampleCsv.trimEnd().split('\n');
    const lastRow = lines.length;
    lines[lastRow - 1] = (lines[lastRow - 1] ?? '').replace(/,[^,]*@[^,]*,(\d*)$/, ',ikke-en-epost,$1');
    let result: Roster | undefined;
    let issues: InputIssue[] = [];
    try {
      result = parseRoster(lines.join('\n'), 'roster.csv', plan);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues = error.issues;
    }
    expect(result).toBeUndefined();
    expect(issues).toEqual([{ file: 'roster.csv', row: lastRow, column: 'director_email', message: 'forventet en e-postadresse' }]);
  });

  it('reports every bad row, not only the first', () => {
    const error = refusal(csv({ ...solstua, region: 'innlandet' }, { ...glomma, orgnr: '123456789' }, { ...hamarRow, group: '' }));
    expect(error.issues.map((i) => [i.row, i.column])).toEqual([
      [2, 'region'],
      [3, 'orgnr'],
      [4, 'group'],
    ]);
  });

  it('names the JSON path of a problem in the nested JSON form', () => {
    const json = {
      regions: [
        {
          id: 'kongsvinger',
          municipalities: [
            {
              id: 'kongsvinger',
              name: 'Kongsvinger',
              authority: { name: 'Kari Nordby', email: 'barnehage@kongsvinger.kommune.example' },
              kindergartens: [{ name: 'Solstua barnehage', orgnr: '976028083', director: { name: 'Kristin Grønli', email: 'styrer@solstua.barnehage.example' } }],
            },
          ],
        },
      ],
    };
    expect(refusal(JSON.stringify(json), 'roster.json').issues).toEqual([
      {
        file: 'roster.json',
        path: 'regions.0.municipalities.0.kindergartens.0.orgnr',
        message: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer',
      },
    ]);
  });

  it('refuses a .json roster that is not JSON', () => {
    const error = refusal('{ "regions": [', 'roster.json');
    expect(error.summary).toBe('Deltakerlisten roster.json er ikke gyldig JSON');
    expect(error.issues[0]?.file).toBe('roster.json');
  });
});

describe('a municipality\'s written standard (the column language)', () => {
  const lines = exampleCsv.trim().split('\n');
  const withLanguage = (value: (municipality: string, i: number) => string) =>
    [`${lines[0]},language`, ...lines.slice(1).map((l, i) => `${l},${value(l.split(',')[2] as string, i)}`)].join('\n');

  it('reads nn, nb, the words written out and an empty cell (bokmål) per municipality', () => {
    const roster = parseRoster(withLanguage((m) => (m === 'tynset' ? 'nn' : m === 'os' ? 'Nynorsk' : m === 'kongsvinger' ? 'bokmål' : m === 'alvdal' ? 'NB' : '')), 'roster.csv', plan);
    const language = (id: string) => roster.municipalities.find((m) => m.id === id)?.language ?? 'nb';
    expect([language('tynset'), language('os'), language('kongsvinger'), language('alvdal'), language('hamar')]).toEqual(['nn', 'nn', 'nb', 'nb', 'nb']);
  });

  it('refuses a value that is no written standard, naming row and column', () => {
    const error = (() => {
      try {
        parseRoster(withLanguage((_m, i) => (i === 2 ? 'svensk' : 'nb')), 'roster.csv', plan);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('accepted');
    })();
    expect(error.issues).toEqual([{ file: 'roster.csv', row: 4, column: 'language', message: 'forventet målformen: nb (bokmål) eller nn (nynorsk); tom betyr bokmål' }]);
  });

  it('refuses a municipality with two written standards on its rows', () => {
    const error = (() => {
      try {
        parseRoster(withLanguage((m, i) => (m === 'kongsvinger' && i === 1 ? 'nn' : 'nb')), 'roster.csv', plan);
      } catch (e) {
        return e as InputError;
      }
      throw new Error('accepted');
    })();
    expect(error.issues).toEqual([expect.objectContaining({ row: 3, column: 'language', message: expect.stringMatching(/kommunen «kongsvinger» har «nb» i rad 2, men «nn» her/) })]);
  });

  it('reads language from the nested JSON form too', () => {
    const json = rosterAsJson(parseRoster(exampleCsv, 'roster.csv', plan), plan);
    const first = json.regions[0]?.municipalities[0];
    if (first) first.language = 'nn';
    const roster = parseRoster(JSON.stringify(json), 'roster.json', plan);
    expect(roster.municipalities.find((m) => m.id === first?.id)?.language).toBe('nn');
  });
});

