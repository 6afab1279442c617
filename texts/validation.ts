/**
 * Validation in bokmål: the messages of the plan, roster, environment and request schemas (`RULE`), zod's own checks
 * in words a coordinator reads (`bokmalZodError`, installed once for every schema by config/zod-bokmal.ts), and how
 * a problem's place is written ("plan.yaml, linje 87, milepæl workshop-1 «Workshop 1», at.groups.kongsvinger").
 */

/** The rules the schemas state themselves, in bokmål. */
export const RULE = {
  id: 'forventet en id av små bokstaver a–z, sifre og bindestrek (for eksempel «workshop-1»)',
  localDateTime: 'forventet en lokal dato og tid som 2018-01-18T09:00',
  calendarDate: 'forventet en dato som finnes i kalenderen',
  localTime: 'forventet et klokkeslett som 08:00',
  email: 'forventet en e-postadresse',
  storableText: 'teksten har tegn som ikke kan lagres (NUL eller et halvt surrogatpar)',
  orgnr: 'forventet et norsk organisasjonsnummer: ni sifre med gyldig kontrollsiffer',
  name: 'forventet et navn',
  wholeNumber: 'forventet et heltall',
  language: 'forventet målformen: nb (bokmål) eller nn (nynorsk); tom betyr bokmål',
  secretLength: 'forventet minst 32 tegn',
  dateSpec: 'forventet en lokal dato og tid som 2018-01-18T09:00, eller en dato relativt til en annen milepæl: { milestone: workshop-1, days: -7 }',
  milestoneAt: 'forventet en lokal dato og tid som 2018-01-18T09:00, en dato relativt til en annen milepæl ({ milestone: workshop-1, days: -7 }), én dato per region (regions:) eller én per workshopgruppe (groups:)',
} as const;

/** The plan's cross-checks (ids that must exist, dates that must be given), in bokmål. */
export const PLAN_RULE = {
  duplicate: (what: 'region' | 'milestone' | 'deliverable', id: string) =>
    `${{ region: 'regionen', milestone: 'milepælen', deliverable: 'innleveringen' }[what]} «${id}» står to ganger i planen`,
  groupTwice: (id: string) => `workshopgruppen «${id}» brukes to ganger i planen`,
  unknownMilestone: (id: string, known?: string[]) => `«${id}» er ikke en milepæl i planen${known?.length ? `; milepælene er ${known.join(', ')}` : ''}`,
  selfRelative: 'en milepæl kan ikke ha dato relativt til seg selv',
  unknownRegion: (id: string) => `«${id}» er ikke en region i planen`,
  missingRegionDate: (id: string) => `mangler dato for regionen «${id}»`,
  unknownGroup: (id: string) => `«${id}» er ikke en workshopgruppe i planen`,
  missingGroupDate: (id: string) => `mangler dato for workshopgruppen «${id}»`,
  unknownDeliverable: (id: string) => `«${id}» er ikke en innlevering i planen`,
  openedTwice: (ids: string[]) => `åpnes av mer enn én milepæl: ${ids.join(', ')}`,
  openedBoth: (id: string) => `både «opens» og milepælen «${id}» åpner denne innleveringen; behold én av dem`,
  noOpening: 'forventet en åpningsdato, eller en milepæl med «opens» som nevner denne innleveringen',
  reviewOfGroupSetup: 'et gruppeoppsett fra barnehagemyndighetene får ikke veiledning; fjern «review»',
  reviewByRecipient: 'veiledning gis av den som mottar innleveringen; sett «recipient: research-centre» eller fjern «review»',
  cycle: (id: string) => `de relative datoene går i ring gjennom «${id}»`,
  unknownTemplate: (id: string) => `«${id}» er ikke en e-postmal`,
} as const;

/** The roster's checks, in bokmål. */
export const ROSTER_RULE = {
  csv: 'filen er ikke gyldig CSV (sjekk anførselstegnene i cellene)',
  headerRow: (columns: readonly string[]) => `forventet en overskriftsrad med kolonnene ${columns.join(', ')}`,
  unknownColumn: (columns: readonly string[]) => `ukjent kolonne; kolonnene er ${columns.join(', ')}`,
  missingColumn: 'kolonnen mangler',
  missingValue: 'mangler verdi',
  extraCells: (extra: string) => `flere celler enn kolonner (til overs: «${extra}»)`,
  unknownRegion: (id: string, known: string[]) => `«${id}» er ikke en region i planen; regionene er ${known.join(', ')}`,
  groupNeeded: (region: string, groups: string[]) => `${region} har flere workshopgrupper; skriv én av ${groups.join(', ')}`,
  unknownGroup: (id: string, region: string, groups: string[]) => `«${id}» er ikke en workshopgruppe i ${region}; gruppene er ${groups.join(', ')}`,
  orgnrTwice: (orgnr: string, row: number) => `organisasjonsnummeret ${orgnr} står allerede i rad ${row}`,
  municipalityDiffers: (municipality: string, before: string, row: number, now: string) => `kommunen «${municipality}» har «${before}» i rad ${row}, men «${now}» her; en kommune har samme verdi på alle rader`,
  noKindergartens: 'deltakerlisten har ingen barnehager',
  notXlsx: 'filen kan ikke leses som et Excel-regneark (.xlsx); lagre den som .xlsx eller CSV og prøv igjen',
  sheetMissing: (names: string[]) => `regnearket har ikke arket «Barnehager» (arkene er ${names.map((n) => `«${n}»`).join(', ')})`,
} as const;

/** The minimal shape of a zod 4 issue the map reads (zod's own type is internal). */
interface ZodIssueLike {
  code?: string;
  input?: unknown;
  expected?: string;
  values?: readonly unknown[];
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  exact?: boolean;
  format?: string;
  divisor?: number | bigint;
  keys?: readonly string[];
}

const TYPE: Record<string, string> = {
  string: 'tekst',
  number: 'et tall',
  int: 'et heltall',
  boolean: 'true eller false',
  object: 'et objekt (nøkler med verdier)',
  array: 'en liste',
  record: 'et objekt (nøkler med verdier)',
  map: 'et objekt (nøkler med verdier)',
  set: 'en liste',
  literal: 'en bestemt verdi',
  enum: 'en av de tillatte verdiene',
  union: 'en av de tillatte formene',
  date: 'en dato',
  bigint: 'et heltall',
  undefined: 'ingenting',
  null: 'null',
  nan: 'NaN',
};

function typeOf(input: unknown): string {
  if (input === undefined) return 'undefined';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
  return typeof input;
}

const value = (v: unknown) => (typeof v === 'string' ? `«${v}»` : String(v));
const UNIT: Record<string, [string, string]> = { string: ['tegn', 'tegn'], array: ['element', 'elementer'], set: ['element', 'elementer'], file: ['byte', 'byte'], map: ['oppføring', 'oppføringer'] };
const unit = (origin: string | undefined, n: number) => {
  const u = UNIT[origin ?? ''];
  return u ? ` ${n === 1 ? u[0] : u[1]}` : '';
};

/** zod's checks in bokmål; undefined leaves a schema's own message. */
export function bokmalZodError(issue: ZodIssueLike): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `mangler (forventet ${TYPE[issue.expected ?? ''] ?? issue.expected})`;
      return `forventet ${TYPE[issue.expected ?? ''] ?? issue.expected}, fikk ${TYPE[typeOf(issue.input)] ?? typeOf(issue.input)}`;
    case 'invalid_value':
      if ((issue.values ?? []).length === 1) return `forventet ${value(issue.values?.[0])}`;
      return `forventet én av ${(issue.values ?? []).map(value).join(', ')}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'string' && n === 1) return 'kan ikke være tom';
      if (issue.origin === 'array' && n === 1) return 'forventet minst ett element';
      const bound = issue.exact ? 'nøyaktig' : issue.inclusive ? 'minst' : 'mer enn';
      return issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set' || issue.origin === 'file'
        ? `forventet ${bound} ${n}${unit(issue.origin, n)}`
        : `forventet ${bound} ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      const bound = issue.exact ? 'nøyaktig' : issue.inclusive ? 'høyst' : 'mindre enn';
      return issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set' || issue.origin === 'file'
        ? `forventet ${bound} ${n}${unit(issue.origin, n)}`
        : `forventet ${bound} ${n}`;
    }
    case 'invalid_format':
      if (issue.format === 'email') return RULE.email;
      if (issue.format === 'url') return 'forventet en nettadresse';
      if (issue.format === 'uuid') return 'forventet en UUID';
      return 'har feil form';
    case 'not_multiple_of':
      return `forventet et multiplum av ${String(issue.divisor)}`;
    case 'unrecognized_keys': {
      const keys = issue.keys ?? [];
      return `${keys.length === 1 ? 'ukjent nøkkel' : 'ukjente nøkler'} ${keys.map((k) => `«${k}»`).join(', ')}`;
    }
    case 'invalid_key':
      return 'ugyldig nøkkel';
    case 'invalid_element':
      return 'ugyldig verdi i listen';
    case 'invalid_union':
      return 'forventet en av de tillatte formene';
    case 'custom':
      return 'er ikke gyldig';
    default:
      return undefined;
  }
}

/** Where a problem is, as the InputIssue says it (file, sheet, line, row, column, subject, path). */
export interface IssuePlace {
  file?: string;
  sheet?: string;
  line?: number;
  row?: number;
  column?: string;
  /** The thing the problem is in, by id and title: "milepæl workshop-1 «Workshop 1»". */
  subject?: string;
  path?: string;
}

/**
 * The path as a reader sees it: within the named milestone or deliverable, the part after `milestones.3`; a milestone
 * or deliverable named by its id (`milestones.workshop-1`, an order rule's place) as "milepæl workshop-1".
 */
function shownPath(issue: IssuePlace): string | undefined {
  if (issue.path === undefined || issue.path === '') return undefined;
  const byId = /^(milestones|deliverables)\.([^.]*[^.\d][^.]*)$/.exec(issue.path);
  if (byId) return issue.subject ? undefined : planSubject(byId[1] === 'milestones' ? 'milestone' : 'deliverable', byId[2], null);
  if (!issue.subject) return issue.path;
  const inner = issue.path.replace(/^(milestones|deliverables|regions)\.\d+\.?/, '');
  return inner === '' ? undefined : inner;
}

/** A problem in one line: "roster.xlsx, ark «Barnehager», rad 4, kolonne «orgnr»: forventet …". */
export function issueText(issue: IssuePlace & { message: string }): string {
  const where = [
    issue.file,
    issue.sheet !== undefined ? `ark «${issue.sheet}»` : undefined,
    issue.line !== undefined ? `linje ${issue.line}` : undefined,
    issue.row !== undefined ? `rad ${issue.row}` : undefined,
    issue.column !== undefined ? `kolonne «${issue.column}»` : undefined,
    issue.subject,
    shownPath(issue),
  ].filter((part): part is string => part !== undefined);
  return where.length ? `${where.join(', ')}: ${issue.message}` : issue.message;
}

/** The checks of a municipal authority's group set-up (release 1.2.0), in bokmål. */
export const GROUP_SETUP_RULE = {
  summary: (file?: string) => (file ? `Gruppeoppsettet i ${file} ble ikke lagret` : 'Gruppeoppsettet ble ikke lagret'),
  orgnrMissing: 'mangler organisasjonsnummer',
  unknownOrgnr: (orgnr: string, known: string[]) => `«${orgnr}» er ikke en av barnehagene deres; barnehagene er ${known.join(', ')}`,
  nameMissing: 'mangler navn',
  nameInvalid: 'navnet er for langt eller har tegn som ikke kan lagres',
  emailMissing: 'mangler e-postadresse',
  emailInvalid: (email: string) => `«${email}» er ikke en gyldig e-postadresse`,
  emailTwice: (email: string, other: string) => `e-postadressen «${email}» står også i ${other}; hver deltaker én gang`,
  roleUnknown: (role: string, known: string[]) => (role === '' ? `mangler rolle; rollene er ${known.join(', ')}` : `«${role}» er ikke en rolle; rollene er ${known.join(', ')}`),
  tooFew: (n: number, minimum: number) => `har ${n === 0 ? 'ingen deltakere' : n === 1 ? 'én deltaker' : `${n} deltakere`}; minst ${minimum} må være med, styreren blant dem`,
  noDirector: (director: string) => `styreren må være med (rolle «Styrer»; i deltakerlisten er det ${director})`,
  notXlsx: 'filen kan ikke leses som et Excel-regneark (.xlsx); lagre den som .xlsx eller CSV og prøv igjen',
  notCsv: 'filen er ikke gyldig CSV (sjekk anførselstegnene i cellene)',
  wrongFileType: 'last opp et regneark (.xlsx) eller en CSV-fil',
  columnMissing: (columns: readonly string[]) => `kolonnen mangler; overskriftsraden skal ha ${columns.join(', ')}`,
} as const;

type SetupRule = typeof GROUP_SETUP_RULE;
/** The arguments of a group set-up rule (none for a rule that is a plain text). */
type SetupRuleArgs<K extends keyof SetupRule> = SetupRule[K] extends (...args: infer A) => string ? A : [];

/** A problem of a group set-up: its bokmål wording, and the rule and values that word it in the reader's standard. */
export function groupSetupIssue<K extends keyof SetupRule>(key: K, ...args: SetupRuleArgs<K>): { message: string; rule: { key: K; args: unknown[] } } {
  const rule = GROUP_SETUP_RULE[key] as string | ((...a: unknown[]) => string);
  return { message: typeof rule === 'string' ? rule : rule(...args), rule: { key, args } };
}

/** The summary line of a refused input, in bokmål. */
export const INPUT_SUMMARY = {
  planUnreadable: (file: string) => `Planen ${file} kunne ikke leses`,
  planInvalid: (file: string) => `Planen ${file} er ikke gyldig`,
  rosterUnreadable: (file: string) => `Deltakerlisten ${file} kunne ikke leses`,
  rosterJsonInvalid: (file: string) => `Deltakerlisten ${file} har ikke formen til en deltakerliste i JSON`,
  rosterInvalid: (file: string) => `Deltakerlisten ${file} er ikke gyldig; ingenting ble importert`,
  rosterHeader: (file: string) => `Deltakerlisten ${file} har feil overskriftsrad`,
  rosterEmpty: (file: string) => `Deltakerlisten ${file} er tom`,
  notCsv: (file: string) => `Deltakerlisten ${file} er ikke gyldig CSV`,
  notJson: (file: string) => `Deltakerlisten ${file} er ikke gyldig JSON`,
  notXlsx: (file: string) => `Deltakerlisten ${file} er ikke et regneark som kan leses (.xlsx)`,
} as const;

/** A milestone or deliverable named by id and title, as plan errors do: "milepæl workshop-1 «Workshop 1»". */
export function planSubject(kind: 'milestone' | 'deliverable' | 'region', id: unknown, title: unknown): string {
  const word = { milestone: 'milepæl', deliverable: 'innlevering', region: 'region' }[kind];
  const idText = typeof id === 'string' && id ? id : null;
  const titleText = typeof title === 'string' && title ? title : null;
  return [word, idText, titleText && titleText !== idText ? `«${titleText}»` : null].filter(Boolean).join(' ');
}
