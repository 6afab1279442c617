import type { Named, Refusal } from '../domain/refusals';
import type { Language } from './language';
import { OSLO, formatNorwegian } from './norwegian-format';

/**
 * Every refusal written for the person who asked, in bokmål: the console, the director's upload page, the CLI and the
 * API's JSON all show this text. Titles and names, never ids alone; dates the Norwegian way in Oslo time. The refusals
 * a director can meet on the upload page are also written in nynorsk (`directorRefusalText`, issue 15).
 */
const when = (ms: number) => formatNorwegian(ms);
const quoted = (title: string) => `«${title}»`;
const list = (items: Named[]) => items.map((n) => (n.title && n.title !== n.id ? `${quoted(n.title)} (${n.id})` : n.id)).join(', ');
const place = (where: string | null) => (where ? ` for ${where}` : '');

/**
 * The upload service's own refusals of a submission, as data beside the workflow's: the kindergarten's workflow has
 * closed (its year is over, so there is nobody to ask), or the workflow refused without saying which rule.
 */
export type UploadRefusal = { code: 'kindergarten-closed' } | { code: 'refused-unexplained' };

/** The codes the kindergarten workflow's `submitDeliverable` validator refuses with (domain/kindergarten-schedule.ts). */
type SubmitRefusalCode =
  | 'unknown-deliverable'
  | 'submission-incomplete'
  | 'received-in-future'
  | 'received-before-joining'
  | 'run-cancelled'
  | 'kindergarten-withdrawn'
  | 'not-open-yet'
  | 'late-window-closed';

/** A refusal a director can meet when uploading: the kindergarten workflow's, or the upload service's own. */
export type DirectorRefusal = Extract<Refusal, { code: SubmitRefusalCode }> | UploadRefusal;
export type DirectorRefusalCode = DirectorRefusal['code'];

/** How each director-facing refusal is worded in one standard; `when` writes an instant in that standard. */
type DirectorWording = { [C in DirectorRefusalCode]: (refusal: Extract<DirectorRefusal, { code: C }>, when: (ms: number) => string) => string };

/** Both standards, typed by the same keys, so the compiler refuses a refusal missing in either. */
const DIRECTOR_REFUSALS: Record<Language, DirectorWording> = {
  nb: {
    'unknown-deliverable': (r) => `«${r.deliverableId}» er ikke en innlevering i dette programåret. Innleveringene er: ${list(r.known)}.`,
    'submission-incomplete': (r) => (r.missing === 'files' ? 'En innlevering må ha minst én fil.' : 'Innleveringen mangler sitt nummer; send skjemaet på nytt.'),
    'received-in-future': (r, w) => `Tidspunktet innleveringen ble mottatt (${w(r.receivedAt)}) ligger fram i tid; klokkene til tjenestene stemmer ikke overens. Kontakt driftsansvarlig.`,
    'received-before-joining': (r, w) => `Tidspunktet innleveringen ble mottatt (${w(r.receivedAt)}) er før barnehagen ble med i programmet (${w(r.joinedAt)}).`,
    'run-cancelled': () => 'Programåret er avsluttet, og ingenting mer samles inn eller endres.',
    'kindergarten-withdrawn': (r, w) => `Barnehagen ble trukket fra programmet ${w(r.at)}${r.reason ? ` (${r.reason})` : ''}, og tar ikke imot flere innleveringer eller endringer.`,
    'not-open-yet': (r, w) => `Det er for tidlig: ${quoted(r.deliverable)} åpner for innlevering ${w(r.opensAt)}.`,
    'late-window-closed': (r, w) => `Det er for sent: fristen for ${quoted(r.deliverable)} var ${w(r.dueAt)}, og sene innleveringer ble tatt imot til ${w(r.lateUntil)}.`,
    'kindergarten-closed': () => 'Barnehagens programår er avsluttet, og det tas ikke imot flere innleveringer.',
    'refused-unexplained': () => 'Innleveringen ble avvist.',
  },
  nn: {
    'unknown-deliverable': (r) => `«${r.deliverableId}» er ikkje ei innlevering i dette programåret. Innleveringane er: ${list(r.known)}.`,
    'submission-incomplete': (r) => (r.missing === 'files' ? 'Ei innlevering må ha minst éi fil.' : 'Innleveringa manglar nummeret sitt; send skjemaet på nytt.'),
    'received-in-future': (r, w) => `Tidspunktet då innleveringa kom fram (${w(r.receivedAt)}), ligg fram i tid; klokkene til tenestene går ikkje likt. Kontakt driftsansvarleg.`,
    'received-before-joining': (r, w) => `Tidspunktet då innleveringa kom fram (${w(r.receivedAt)}), er før barnehagen vart med i programmet (${w(r.joinedAt)}).`,
    'run-cancelled': () => 'Programåret er avslutta, og ingenting meir blir samla inn eller endra.',
    'kindergarten-withdrawn': (r, w) => `Barnehagen vart trekt ut av programmet ${w(r.at)}${r.reason ? ` (${r.reason})` : ''}, og tek ikkje imot fleire innleveringar eller endringar.`,
    'not-open-yet': (r, w) => `Det er for tidleg: ${quoted(r.deliverable)} opnar for innlevering ${w(r.opensAt)}.`,
    'late-window-closed': (r, w) => `Det er for seint: fristen for ${quoted(r.deliverable)} var ${w(r.dueAt)}, og seine innleveringar vart tekne imot til ${w(r.lateUntil)}.`,
    'kindergarten-closed': () => 'Programåret til barnehagen er avslutta, og det blir ikkje teke imot fleire innleveringar.',
    'refused-unexplained': () => 'Innleveringa vart avvist.',
  },
};

/** Every director-facing refusal code, in the order of the table. */
export const DIRECTOR_REFUSAL_CODES = Object.keys(DIRECTOR_REFUSALS.nb) as DirectorRefusalCode[];

/** True when `value` is refusal data a director can meet (a workflow's, or one kept with a submission). */
export function isDirectorRefusal(value: unknown): value is DirectorRefusal {
  const code = value && typeof value === 'object' ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.hasOwn(DIRECTOR_REFUSALS.nb, code);
}

/** A refusal a director met, in the reader's standard, dates in that standard in Oslo time. */
export function directorRefusalText(refusal: DirectorRefusal, language: Language): string {
  const word = DIRECTOR_REFUSALS[language][refusal.code] as (r: DirectorRefusal, when: (ms: number) => string) => string;
  return word(refusal, (ms) => formatNorwegian(ms, 'dateTime', OSLO, language));
}

export function refusalText(refusal: Refusal): string {
  if (isDirectorRefusal(refusal)) return directorRefusalText(refusal, 'nb');
  switch (refusal.code) {
    case 'deadline-in-past':
      return `Den nye fristen, ${when(refusal.dueAt)}, har allerede vært.`;
    case 'extension-not-later':
      return `En forlenget frist må være senere enn fristen som gjelder nå for ${quoted(refusal.deliverable)}: ${when(refusal.currentDueAt)}.`;
    case 'extension-out-of-order':
      return `Påminnelser må komme før den nye fristen for ${quoted(refusal.deliverable)}, og varsel og sen innlevering etter den.`;
    case 'review-not-authority':
      return `${quoted(refusal.deliverable)} går ikke til barnehagemyndigheten, så den vurderes ikke her.`;
    case 'review-not-latest':
      return `Bare den siste innsendte versjonen av ${quoted(refusal.deliverable)} kan vurderes. Last siden på nytt.`;
    case 'review-already-given':
      return `Versjon ${refusal.version} av ${quoted(refusal.deliverable)} er allerede vurdert.`;
    case 'review-comment-missing':
      return `Skriv hvorfor ${quoted(refusal.deliverable)} sendes tilbake: styreren får kommentaren.`;
    case 'guidance-not-asked':
      return `Planen ber ikke om veiledning på ${quoted(refusal.deliverable)}.`;
    case 'guidance-nothing-submitted':
      return `${refusal.kindergarten} har ikke levert ${quoted(refusal.deliverable)} ennå, så det er ingenting å gi veiledning på.`;
    case 'guidance-text-missing':
      return 'Skriv veiledningen: styreren får teksten på e-post.';
    case 'guidance-too-long':
      return `Veiledningen kan være høyst ${refusal.max.toLocaleString('nb-NO')} tegn; legg lengre tekst ved som fil.`;
    case 'plan-changed-meanwhile':
      return `Planen er endret av noen andre i mellomtiden (nå versjon ${refusal.revision}, du så versjon ${refusal.basedOn}). Last siden på nytt og prøv igjen.`;
    case 'unknown-milestone':
      return `«${refusal.milestoneId}» er ikke en milepæl i dette programåret.`;
    case 'unknown-region':
      return `«${refusal.regionId}» er ikke en region i dette programåret. Regionene er: ${list(refusal.known)}.`;
    case 'nothing-moves':
      return `Ingenting endres: ${quoted(refusal.milestone)} er allerede på det tidspunktet.`;
    case 'already-took-place':
      return `${quoted(refusal.milestone)}${place(refusal.where)} var ${when(refusal.at)} og kan ikke flyttes lenger.`;
    case 'new-date-in-past':
      return `Det nye tidspunktet for ${quoted(refusal.milestone)}${place(refusal.where)}, ${when(refusal.at)}, har allerede vært.`;
    case 'invalid-orgnr':
      return `«${refusal.orgnr}» er ikke et organisasjonsnummer; det har ni sifre.`;
    case 'year-over':
      return `Programåret sluttet ${when(refusal.endedAt)}; det er ingenting igjen å bli med på.`;
    case 'already-withdrawn':
      return `Barnehagen ${refusal.kindergarten} er allerede trukket.`;
    case 'not-in-run':
      return `Barnehagen ${refusal.kindergarten} er ikke lenger aktiv i dette programåret.`;
    case 'kindergarten-in-run':
      return `Barnehagen ${refusal.kindergarten} er allerede med i programåret.`;
    case 'unknown-municipality':
      return `Kommunen «${refusal.municipalityId}» er ikke med i programårets deltakerliste.`;
    case 'group-needed':
      return `Regionen «${refusal.regionId}» har flere workshopgrupper; velg én av: ${refusal.groups.join(', ')}.`;
    case 'already-paused':
      return 'Programåret er allerede satt på pause.';
    case 'not-paused':
      return 'Programåret er ikke satt på pause.';
    case 'run-exists':
      return `Programåret ${refusal.runId} finnes allerede. Avslutt det, eller endre skoleår eller fylke i planen.`;
    case 'plan-year-over':
      return `Planens programår sluttet ${when(refusal.endedAt)}. Lag en plan for et nytt skoleår først: arshjul plan new --from <plan> --year <skoleår>.`;
    case 'no-submissions-taken':
      return `${refusal.kindergarten} er ${refusal.state === 'withdrawn' ? 'trukket fra programmet' : 'avsluttet'} og tar ikke imot innleveringer.`;
    case 'contact-unchanged':
      return `Ingenting endres: ${refusal.who} har allerede dette navnet og denne e-postadressen.`;
    case 'nobody-to-message':
      return `Alle barnehagene som er med, har levert ${quoted(refusal.deliverable)}; det er ingen å sende meldingen til.`;
    case 'deliverable-not-open':
      return `${quoted(refusal.deliverable)} åpner ikke før ${when(refusal.opensAt)}; en melding til dem som ikke har levert, kan sendes når den er åpnet.`;
    case 'link-window-closed':
      return `Sene innleveringer av ${quoted(refusal.deliverable)} ble stengt ${when(refusal.lateUntil)}. Forleng fristen først.`;
  }
}
