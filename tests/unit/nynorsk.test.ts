import { type EmailContext, TEMPLATES, renderEmail } from '../../activities/email/templates';
import { PART_WORDS } from '../../activities/email/template-parts';
import { sampleContext } from '../../cli/email-preview';
import { TEMPLATE_IDS } from '../../domain/email-templates';
import { DELIVERABLE_STATUS_FOR_DIRECTOR, DELIVERABLE_STATUS_FOR_DIRECTOR_NN, PARTICIPANT_ROLE, PARTICIPANT_ROLE_NN } from '../../texts/catalogue';
import { DIRECTOR_PAGE_TEXT } from '../../texts/director-pages';
import { LANGUAGES } from '../../texts/language';
import { RECIPIENT_PAGE_TEXT, setupProblemText } from '../../texts/recipient-pages';
import { GROUP_SETUP_RULE, groupSetupIssue } from '../../texts/validation';
import { formatNorwegian } from '../../texts/norwegian-format';
import { DIRECTOR_REFUSAL_CODES, type DirectorRefusal, type DirectorRefusalCode, directorRefusalText, refusalText } from '../../texts/refusals';

/**
 * Bokmål forms a nynorsk reader must never meet in Årshjul's own words (the plan's titles and people's names are the
 * coordinator's and the authorities' own, and are left out of the check below).
 */
const BOKMAL_FORMS = [
  'ikke', 'hva', 'hvordan', 'hvilke', 'hvilken', 'hver', 'hvem', 'hvis', 'hvor', 'jeg', 'dere', 'deres', 'dem', 'mottatt', 'fra', 'noen', 'ennå',
  'fortsatt', 'bare', 'vennlig', 'hilsen', 'innen', 'gjelder', 'trenger', 'deltakere', 'deltakerne', 'sammen', 'mye', 'hele', 'siden', 'videre',
  'gjøre', 'følge', 'uke', 'tiden', 'veileder', 'veiledning', 'spørreundersøkelsen', 'ansatte', 'åpner', 'stenger', 'forsinket', 'påminnelse',
  'barnehagene', 'kommuner', 'innleveringer', 'resultatene', 'tas', 'sendes', 'brukes', 'fjernes', 'mulig', 'vært', 'egen', 'eget', 'selv',
  'mandag', 'tirsdag', 'lørdag', 'barnehagemyndigheten', 'forskningssenteret', 'lenke', 'lenker', 'siste versjonen er den som gjelder',
];

/** Every string value of a context (names, titles, free texts): what the reader's municipality or the plan wrote. */
function contextValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(contextValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(contextValues);
  return [];
}

function ownWords(ctx: EmailContext, text: string): string {
  let own = text;
  // Longest first, so a title is removed before a shorter name inside it.
  for (const v of contextValues(ctx).filter((x) => x.length > 2).sort((a, b) => b.length - a.length)) own = own.split(v).join(' ');
  return own.replace(/https?:\/\/\S+/g, ' ');
}

describe('nynorsk: every text a nynorsk municipality reads exists in nynorsk, without bokmål forms', () => {
  it('has every email template in both written standards', () => {
    for (const language of LANGUAGES) expect(Object.keys(TEMPLATES[language]).sort()).toEqual([...TEMPLATE_IDS].sort());
    expect(Object.keys(PART_WORDS.nn).sort()).toEqual(Object.keys(PART_WORDS.nb).sort());
    expect(Object.keys(PARTICIPANT_ROLE_NN).sort()).toEqual(Object.keys(PARTICIPANT_ROLE).sort());
    expect(Object.keys(DELIVERABLE_STATUS_FOR_DIRECTOR_NN).sort()).toEqual(Object.keys(DELIVERABLE_STATUS_FOR_DIRECTOR).sort());
  });

  it.each([...TEMPLATE_IDS])('writes %s in nynorsk with no bokmål form, and differently from bokmål', (template) => {
    const nn = sampleContext(template, 'nn');
    const nb = sampleContext(template, 'nb');
    const inNynorsk = renderEmail(nn);
    const inBokmal = renderEmail(nb);
    const own = ownWords(nn, `${inNynorsk.subject}\n${inNynorsk.text}`).toLowerCase();
    const found = BOKMAL_FORMS.filter((form) => new RegExp(`(^|[^a-zæøå])${form}([^a-zæøå]|$)`).test(own));
    expect({ template, found }).toEqual({ template, found: [] });
    expect(inNynorsk.html).toContain('<html lang="nn">');
    expect(inBokmal.html).toContain('<html lang="nb">');
    // The body between greeting and signature is the template's own: a nynorsk text that is the bokmål one has not
    // been written. (A coordinator's message is the coordinator's own text: only its frame differs.)
    expect(inNynorsk.text).not.toBe(inBokmal.text);
    expect(inNynorsk.text).toMatch(/Venleg helsing/);
  });

  it('writes dates the nynorsk way: måndag, tysdag, laurdag (søndag is nynorsk too)', () => {
    expect(formatNorwegian('2018-01-15T08:00:00Z', 'dateTime', 'Europe/Oslo', 'nn')).toBe('måndag 15. januar 2018 kl. 09.00');
    expect(formatNorwegian('2018-01-16T08:00:00Z', 'date', 'Europe/Oslo', 'nn')).toBe('tysdag 16. januar 2018');
    expect(formatNorwegian('2018-01-20T08:00:00Z', 'dayMonth', 'Europe/Oslo', 'nn')).toBe('laurdag 20. januar');
    expect(formatNorwegian('2018-01-21T08:00:00Z', 'dayMonth', 'Europe/Oslo', 'nn')).toBe('søndag 21. januar');
    expect(formatNorwegian('2018-01-15T08:00:00Z', 'dateTime', 'Europe/Oslo')).toBe('mandag 15. januar 2018 kl. 09.00');
  });

  it('names the participants of a group set-up by their role in the reader’s standard', () => {
    const nn = renderEmail(sampleContext('group-setup-receipt', 'nn')).text;
    expect(nn).toContain(', pedagogisk leiar, ');
    expect(nn).toContain(', styrar, ');
    const nb = renderEmail(sampleContext('group-setup-receipt', 'nb')).text;
    expect(nb).toContain(', pedagogisk leder, ');
  });

  it('writes the director\'s pages in nynorsk with no bokmål form (the switch to bokmål is in bokmål)', () => {
    /** Every text of a page table, functions called with sample values. */
    const texts = (value: unknown, path: string): [string, string][] => {
      if (typeof value === 'string') return [[path, value]];
      if (typeof value === 'function') return [[path, String((value as (...a: unknown[]) => unknown)('X', 'Y'))]];
      if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => texts(v, `${path}.${k}`));
      return [];
    };
    const nn = texts(DIRECTOR_PAGE_TEXT.nn, 'nn').filter(([path]) => path !== 'nn.switchTo');
    const keys = (t: [string, string][]) => t.map(([p]) => p.replace(/^(nn|nb)\./, '')).sort();
    expect(keys(nn)).toEqual(keys(texts(DIRECTOR_PAGE_TEXT.nb, 'nb').filter(([path]) => path !== 'nb.switchTo')));
    const found = nn.flatMap(([path, text]) => BOKMAL_FORMS.filter((form) => new RegExp(`(^|[^a-zæøå])${form}([^a-zæøå]|$)`).test(text.toLowerCase())).map((form) => `${path}: ${form}`));
    expect(found).toEqual([]);
    expect(DIRECTOR_PAGE_TEXT.nn.switchTo).toBe('Les siden på bokmål');
    expect(DIRECTOR_PAGE_TEXT.nb.switchTo).toBe('Les sida på nynorsk');
  });
});

describe('nynorsk: the refusals a director meets on the upload page', () => {
  it('words every refusal of a submission in both standards, the nynorsk one without a bokmål form, dates in its standard', () => {
    const title = 'Opplysninger til heftet om tiltak og hovedområder';
    // A Monday, a Tuesday and a Saturday (Oslo time), so a bokmål weekday in a nynorsk text is caught.
    const monday = Date.parse('2018-01-15T08:00:00Z');
    const tuesday = Date.parse('2018-01-16T15:00:00Z');
    const saturday = Date.parse('2018-01-20T22:59:00Z');
    const samples: { [C in DirectorRefusalCode]: Extract<DirectorRefusal, { code: C }>[] } = {
      'unknown-deliverable': [{ code: 'unknown-deliverable', deliverableId: 'hefte', known: [{ id: 'booklet-material', title }, { id: 'x', title: 'x' }] }],
      'submission-incomplete': [{ code: 'submission-incomplete', missing: 'files' }, { code: 'submission-incomplete', missing: 'submission-id' }],
      'received-in-future': [{ code: 'received-in-future', receivedAt: saturday, now: monday }],
      'received-before-joining': [{ code: 'received-before-joining', receivedAt: monday, joinedAt: tuesday }],
      'run-cancelled': [{ code: 'run-cancelled' }],
      'kindergarten-withdrawn': [{ code: 'kindergarten-withdrawn', at: tuesday, reason: 'flyttet til en annen kommune' }, { code: 'kindergarten-withdrawn', at: saturday, reason: '' }],
      'not-open-yet': [{ code: 'not-open-yet', deliverable: title, opensAt: monday }],
      'late-window-closed': [{ code: 'late-window-closed', deliverable: title, dueAt: tuesday, lateUntil: saturday }],
      'kindergarten-closed': [{ code: 'kindergarten-closed' }],
      'refused-unexplained': [{ code: 'refused-unexplained' }],
    };
    expect(Object.keys(samples).sort()).toEqual([...DIRECTOR_REFUSAL_CODES].sort());
    /** What the plan or a coordinator wrote (titles, ids, a withdrawal's reason) is theirs, and left out of the check. */
    const ownWords = (refusal: DirectorRefusal, text: string) =>
      contextValues(refusal).filter((v) => v.length > 2).sort((a, b) => b.length - a.length).reduce((own, v) => own.split(v).join(' '), text);
    const found: string[] = [];
    for (const refusal of Object.values(samples).flat()) {
      const nb = directorRefusalText(refusal, 'nb');
      const nn = directorRefusalText(refusal, 'nn');
      expect(nn).not.toBe(nb);
      const own = ownWords(refusal, nn).toLowerCase();
      found.push(...BOKMAL_FORMS.filter((form) => new RegExp(`(^|[^a-zæøå])${form}([^a-zæøå]|$)`).test(own)).map((form) => `${refusal.code}: ${form}`));
      // The workflow's refusals keep one bokmål wording, the one the console and the API show.
      if (refusal.code !== 'kindergarten-closed' && refusal.code !== 'refused-unexplained') expect(refusalText(refusal)).toBe(nb);
    }
    expect(found).toEqual([]);
    expect(directorRefusalText(samples['not-open-yet'][0] as DirectorRefusal, 'nn')).toBe(`Det er for tidleg: «${title}» opnar for innlevering måndag 15. januar 2018 kl. 09.00.`);
    expect(directorRefusalText(samples['not-open-yet'][0] as DirectorRefusal, 'nb')).toBe(`Det er for tidlig: «${title}» åpner for innlevering mandag 15. januar 2018 kl. 09.00.`);
    expect(directorRefusalText(samples['late-window-closed'][0] as DirectorRefusal, 'nn')).toContain('var tysdag 16. januar 2018 kl. 16.00, og seine innleveringar vart tekne imot til laurdag 20. januar 2018 kl. 23.59.');
  });
});

describe("nynorsk: a municipal authority's pages", () => {
  it("writes the authority's pages in nynorsk with no bokmål form (the switch to bokmål is in bokmål), a group set-up's problems too", () => {
    /** Every text of the page table, each function called with sample values (both sides of each yes/no). */
    const samples: unknown[][] = [['X', 'Y', 'Z', 'V', 'W'], [1, 2, '', 4, 1], [2, 1, 0, 3, 2]];
    const texts = (value: unknown, path: string): [string, string][] => {
      if (typeof value === 'string') return [[path, value]];
      if (typeof value === 'function') return samples.map((args, i) => [`${path}(${i})`, String((value as (...a: unknown[]) => unknown)(...args))]);
      if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => texts(v, `${path}.${k}`));
      return [];
    };
    // The set-up's checks are walked below, with the values each takes.
    const pageTexts = (language: 'nb' | 'nn') => texts({ ...RECIPIENT_PAGE_TEXT[language], rules: null, switchTo: null }, language);
    const keys = (t: [string, string][]) => t.map(([p]) => p.replace(/^(nn|nb)\./, '')).sort();
    const nn = pageTexts('nn');
    expect(keys(nn)).toEqual(keys(pageTexts('nb')));
    const bokmal = (text: string) => BOKMAL_FORMS.filter((form) => new RegExp(`(^|[^a-zæøå])${form}([^a-zæøå]|$)`).test(text.toLowerCase()));
    expect(nn.flatMap(([path, text]) => bokmal(text).map((form) => `${path}: ${form}`))).toEqual([]);
    expect(RECIPIENT_PAGE_TEXT.nn.switchTo).toBe('Les siden på bokmål');
    expect(RECIPIENT_PAGE_TEXT.nb.switchTo).toBe('Les sida på nynorsk');

    // Every check of a group set-up, worded in bokmål where it is made, reads in nynorsk: each rule and each branch.
    const r = GROUP_SETUP_RULE;
    const known = ['974123456 (Solbakken barnehage)'];
    const roles = ['Styrer', 'Pedagogisk leder'];
    const i = groupSetupIssue;
    const problems: Record<keyof typeof GROUP_SETUP_RULE, ReturnType<typeof groupSetupIssue>[]> = {
      summary: [i('summary', 'gruppeoppsett.csv'), i('summary')],
      orgnrMissing: [i('orgnrMissing')],
      unknownOrgnr: [i('unknownOrgnr', '123', known)],
      nameMissing: [i('nameMissing')],
      nameInvalid: [i('nameInvalid')],
      emailMissing: [i('emailMissing')],
      emailInvalid: [i('emailInvalid', 'per1@barnehage')],
      emailTwice: [i('emailTwice', 'kari@barnehage.no', 'Solbakken barnehage, deltaker 2'), i('emailTwice', 'kari@barnehage.no', 'rad 3')],
      roleUnknown: [i('roleUnknown', '', roles), i('roleUnknown', 'Kokk', roles)],
      tooFew: [i('tooFew', 0, 2), i('tooFew', 1, 2), i('tooFew', 3, 4)],
      noDirector: [i('noDirector', 'Kari Nordmann')],
      notXlsx: [i('notXlsx')],
      notCsv: [i('notCsv')],
      wrongFileType: [i('wrongFileType')],
      columnMissing: [i('columnMissing', ['orgnr', 'barnehage', 'navn', 'epost', 'rolle'])],
    };
    const values = ['gruppeoppsett.csv', 'Solbakken barnehage', 'Kari Nordmann', 'kari@barnehage.no', 'per1@barnehage', ...known, ...roles];
    const found = Object.entries(problems).flatMap(([key, issues]) =>
      issues.flatMap((issue) => {
        const nynorsk = setupProblemText(issue, 'nn');
        expect({ key, same: nynorsk === issue.message }).toEqual({ key, same: false });
        return bokmal(values.reduce((own, v) => own.split(v).join(' '), nynorsk)).map((form) => `${key}: ${form}`);
      }),
    );
    expect(found).toEqual([]);
    expect(setupProblemText(i('emailInvalid', 'per1@barnehage'), 'nn')).toBe('«per1@barnehage» er ikkje ei gyldig e-postadresse');
    expect(setupProblemText(i('emailTwice', 'kari@barnehage.no', 'Solbakken barnehage, deltaker 2'), 'nn')).toBe('e-postadressa «kari@barnehage.no» står òg i Solbakken barnehage, deltakar 2; kvar deltakar éin gong');
    expect(setupProblemText(i('tooFew', 1, 2), 'nn')).toBe('har éin deltakar; minst 2 må vere med, styraren blant dei');
    expect(setupProblemText(i('emailInvalid', 'per1@barnehage'), 'nb')).toBe(r.emailInvalid('per1@barnehage'));
    // The bokmål wording is the rule's own.
    expect(i('tooFew', 1, 2).message).toBe(r.tooFew(1, 2));
    // A text no rule words (a refusal of the workflow's) is shown as it came.
    expect(setupProblemText({ message: 'Det er for sent.' }, 'nn')).toBe('Det er for sent.');
  });
});
