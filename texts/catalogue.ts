import type { UpcomingEmail } from '../domain/kindergarten-schedule';
import type { PastStep } from '../domain/start-preview';
import type { TemplateId } from '../domain/email-templates';
import { formatNorwegian } from './norwegian-format';

/**
 * The words Årshjul shows a person, in bokmål: state labels, counts, the audit log's sentences, the next-emails list,
 * the CSV's headers. Pages, the CLI and exports take their words from here (and refusals from `refusals.ts`,
 * validation from `validation.ts`), so a nynorsk catalogue is one more object of the same shape.
 */

/** A count with its noun: "1 barnehage", "2 barnehager", "0 e-poster". */
export function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('nb-NO')} ${n === 1 ? one : many}`;
}

/** A list the Norwegian way: "a", "a og b", "a, b og c". */
export function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} og ${items.at(-1)}`;
}

export const quoted = (title: string) => `«${title}»`;

/** A deliverable's state as the console and the CSV name it. */
export const DELIVERABLE_STATUS: Record<string, string> = {
  'not-open': 'ikke åpnet',
  open: 'åpen',
  submitted: 'levert',
  'submitted-late': 'levert sent',
  overdue: 'forfalt',
  missed: 'ikke levert',
  extended: 'forlenget',
  withdrawn: 'trukket',
};

/** The same states as the director reads them on the upload page. */
export const DELIVERABLE_STATUS_FOR_DIRECTOR: Record<string, string> = {
  'not-open': 'Ikke åpnet for innlevering ennå',
  open: 'Åpen for innlevering',
  submitted: 'Levert',
  'submitted-late': 'Levert etter fristen',
  overdue: 'Fristen er passert – forsinket innlevering tas fortsatt imot',
  missed: 'Ikke levert',
  withdrawn: 'Barnehagen er trukket fra programmet',
};

/** The same states in nynorsk, for the director of a kindergarten whose municipality writes nynorsk. */
export const DELIVERABLE_STATUS_FOR_DIRECTOR_NN: Record<string, string> = {
  'not-open': 'Ikkje opna for innlevering enno',
  open: 'Open for innlevering',
  submitted: 'Levert',
  'submitted-late': 'Levert etter fristen',
  overdue: 'Fristen er passert – forseinka innlevering blir framleis teken imot',
  missed: 'Ikkje levert',
  withdrawn: 'Barnehagen er trekt frå programmet',
};

export const RUN_STATE: Record<string, string> = { active: 'aktivt', paused: 'på pause', cancelled: 'avsluttet av koordinator', completed: 'fullført' };

export const KINDERGARTEN_STATE: Record<string, string> = { active: 'aktiv', paused: 'på pause', withdrawn: 'trukket', cancelled: 'avsluttet' };

export const EMAIL_STATE: Record<string, string> = { queued: 'i kø', pending: 'i kø', sending: 'sendes', sent: 'sendt', failed: 'feilet' };

/** What became of a planned step, as `run status` shows it. */
export const STEP_STATUS: Record<string, string> = {
  sent: 'sendt',
  'in-digest': 'tatt med i barnehagemyndighetens daglige sammendrag',
  stale: 'ikke sendt (for sent til å være nyttig)',
  suppressed: 'ikke sendt (allerede levert)',
  'not-applicable': 'gjaldt ikke (barnehagen kom med senere)',
  failed: 'ikke levert av e-posttjenesten',
};

export const AUDIENCE: Record<string, string> = {
  directors: 'styrerne',
  participants: 'deltakerne',
  participant: 'deltakeren',
  director: 'styreren',
  'municipal-authorities': 'barnehagemyndighetene',
  'municipal-authority': 'barnehagemyndigheten',
  'research-centre': 'forskningssenteret',
  coordinator: 'koordinatoren',
};

export const MILESTONE_KIND: Record<string, string> = {
  information: 'informasjon',
  gathering: 'samling',
  meeting: 'møte',
  workshop: 'workshop',
  survey: 'undersøkelse',
  deadline: 'frist',
  check: 'kontroll',
  portal: 'portal',
  module: 'modul',
  'report-day': 'læringsrapportdag',
};

/** One line of a kindergarten's "Neste e-post": what goes, about what, to whom. */
export function upcomingEmailText(email: Pick<UpcomingEmail, 'kind' | 'title' | 'to'> & { occurrenceAt?: number | null; template?: string }): string {
  switch (email.kind) {
    case 'milestone-email':
      return `Om ${quoted(email.title)}${email.occurrenceAt ? ` (${formatNorwegian(email.occurrenceAt)})` : ''} til ${email.to === 'participants' ? 'deltakerne' : 'styreren'}`;
    case 'prompt':
      return `${quoted(email.title)} åpner: innleveringslenke til styreren`;
    case 'reminder':
      return `Påminnelse om ${quoted(email.title)} til styreren`;
    case 'escalation':
      return email.template === 'authority-digest'
        ? `Barnehagemyndighetens daglige sammendrag: ${quoted(email.title)} er ikke levert`
        : `Varsel til barnehagemyndigheten: ${quoted(email.title)} er ikke levert`;
  }
}

export const PAST_OUTCOME: Record<PastStep['outcome'], string> = { recorded: 'regnes som gjennomført', send: 'sendes straks', skip: 'hoppes over' };

/** A step already past at the start, in words: "Påminnelse om «…» til styrerne". */
export function pastStepText(step: Pick<PastStep, 'kind' | 'title' | 'to'>): string {
  const to = step.to ? ` til ${AUDIENCE[step.to] ?? step.to}` : '';
  switch (step.kind) {
    case 'milestone':
      return `${quoted(step.title)} (milepæl)`;
    case 'email':
      return `E-post om ${quoted(step.title)}${to}`;
    case 'prompt':
      return `${quoted(step.title)} åpner: innleveringslenke${to}`;
    case 'reminder':
      return `Påminnelse om ${quoted(step.title)}${to}`;
    case 'escalation':
      return `Varsel om ${quoted(step.title)}${to}`;
  }
}

/** Each email template by the name a coordinator knows it. */
export const TEMPLATE_NAME: Record<TemplateId, string> = {
  'survey-information': 'Informasjon om undersøkelsen',
  'gathering-invitation': 'Invitasjon til regional samling',
  'portal-opens': 'Portalen åpner',
  'kick-off-invitation': 'Invitasjon til oppstartsamling',
  'survey-reminder': 'Påminnelse om undersøkelsen',
  'group-setup-deadline': 'Frist for gruppeoppsett',
  'portal-closes': 'Portalen stenger',
  'response-rate-check': 'Kontroll av svarprosent',
  'result-portal-opens': 'Resultatportalen åpner',
  'competence-package-information': 'Informasjon om kompetansepakken',
  'director-meeting-reminder': 'Påminnelse om møte med styrerne',
  'workshop-invitation': 'Invitasjon til workshop',
  'invitation-cancelled': 'Avlyst invitasjon',
  'learning-report-day-invitation': 'Invitasjon til fagdag',
  'authority-meeting-invitation': 'Invitasjon til samling for barnehagemyndigheten',
  'booklet-information': 'Informasjon om heftet',
  'milestone-notice': 'Melding om milepæl',
  'deliverable-prompt': 'Innleveringslenke',
  'deliverable-reminder': 'Påminnelse om innlevering',
  'deliverable-escalation': 'Varsel om manglende innlevering',
  'authority-digest': 'Daglig sammendrag til barnehagemyndigheten',
  'submission-accepted': 'Innleveringen er godkjent',
  'submission-returned': 'Innleveringen er sendt tilbake til revisjon',
  'submission-receipt': 'Kvittering',
  'submission-received': 'Melding om mottatt innlevering',
  'upload-link-reissued': 'Ny innleveringslenke',
  'coordinator-message': 'Melding fra koordinatoren',
  'guidance-given': 'Veiledning på innleveringen',
  'guidance-reminder': 'Påminnelse om veiledning til forskningssenteret',
  'group-setup-prompt': 'Be om gruppeoppsett fra barnehagemyndigheten',
  'group-setup-reminder': 'Påminnelse om gruppeoppsett',
  'group-setup-escalation': 'Varsel til koordinatoren om manglende gruppeoppsett',
  'group-setup-receipt': 'Kvittering for gruppeoppsett',
  'participant-information': 'Informasjon til deltakerne i kompetansepakken',
  'participant-removed': 'Invitasjonen gjelder ikke lenger (fjernet fra gruppeoppsettet)',
};

/** A participant's role in the competence package, as the group set-up names it (release 1.2.0). */
export const PARTICIPANT_ROLE = {
  styrer: 'Styrer',
  stedfortreder: 'Stedfortredende styrer',
  'pedagogisk-leder': 'Pedagogisk leder',
  annen: 'Annen ansatt',
} as const;

/** A participant's role in nynorsk (an authority's receipt of its group set-up). */
export const PARTICIPANT_ROLE_NN: Record<keyof typeof PARTICIPANT_ROLE, string> = {
  styrer: 'Styrar',
  stedfortreder: 'Stadfortredar',
  'pedagogisk-leder': 'Pedagogisk leiar',
  annen: 'Anna tilsett',
};

/** The research centre's guidance on a kindergarten's submission, in words (release 1.2.0). */
export const GUIDANCE_STATE: Record<'owed' | 'late' | 'given', string> = {
  owed: 'Veiledning skyldes',
  late: 'Veiledning forsinket',
  given: 'Veiledning gitt',
};

export const templateName = (id: string) => (TEMPLATE_NAME as Record<string, string>)[id] ?? id;

/** What a move does to one email, as its preview says it. */
export const EMAIL_CHANGE: Record<'moved' | 'now' | 'new' | 'dropped', string> = {
  moved: 'flyttes',
  now: 'sendes straks',
  new: 'sendes på nytt med ny dato',
  dropped: 'sendes ikke lenger',
};

/** How the audit log names a place, a kindergarten and a deliverable by the ids an entry carries. */
export interface AuditNames {
  region(id: string): string;
  place(regionId: string | null, groupId: string | null): string | null;
  kindergarten(orgnr: string): string;
  deliverable(id: string): string;
  /** A milestone's title (the moves of milestones that follow the one moved). */
  milestone?(id: string): string;
}

export interface AuditLine {
  action: string;
  details: Record<string, unknown>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const day = (ms: number) => formatNorwegian(ms);
const because = (reason: unknown) => (text(reason) ? ` Begrunnelse: ${text(reason)}.` : '');

/** An audit entry as one sentence in bokmål with Oslo dates ("Flyttet «Workshop 1» for Kongsvingerregionen fra …"). */
export function auditSentence(entry: AuditLine, names: AuditNames): string {
  const d = entry.details;
  const kindergarten = text(d.kindergarten) ?? (text(d.orgnr) ? names.kindergarten(text(d.orgnr) as string) : 'en barnehage');
  const deliverable = text(d.deliverable) ?? (text(d.deliverableId) ? names.deliverable(text(d.deliverableId) as string) : 'en innlevering');
  switch (entry.action) {
    case 'run-started':
      return `Startet programåret med ${count(num(d.kindergartens) ?? 0, 'barnehage', 'barnehager')} i ${count(num(d.regions) ?? 0, 'region', 'regioner')}${text(d.release) ? ` (Årshjul ${text(d.release)})` : ''}.`;
    case 'milestone-moved': {
      const moved = Array.isArray(d.moved) ? (d.moved as { milestoneId?: string; regionId?: string | null; groupId?: string | null; from?: number; to?: number }[]) : [];
      const title = quoted(text(d.milestone) ?? text(d.milestoneId) ?? 'milepælen');
      const own = moved.filter((m) => m.milestoneId === undefined || m.milestoneId === d.milestoneId);
      const following = moved.filter((m) => m.milestoneId !== undefined && m.milestoneId !== d.milestoneId);
      if (own.length === 0) return `Flyttet ${title}${text(d.where) ? ` for ${text(d.where)}` : ''}.`;
      const span = (m: (typeof moved)[number]) => {
        const where = names.place(m.regionId ?? null, m.groupId ?? null);
        return `${where ? `for ${where} ` : ''}fra ${day(m.from ?? 0)} til ${day(m.to ?? 0)}`;
      };
      const along = following.map((m) => `${quoted(names.milestone?.(m.milestoneId as string) ?? (m.milestoneId as string))} ${span(m)}`);
      return `Flyttet ${title} ${joinAnd(own.map(span))}.${along.length ? ` Med den flyttet ${joinAnd(along)}.` : ''}`;
    }
    case 'deadline-extended':
      return `Forlenget fristen for ${quoted(deliverable)} for ${kindergarten}${num(d.from) !== null ? ` fra ${day(num(d.from) as number)}` : ''}${num(d.to) !== null ? ` til ${day(num(d.to) as number)}` : ''}${num(d.lateUntil) !== null ? `; sene innleveringer tas imot til ${day(num(d.lateUntil) as number)}` : ''}.`;
    case 'upload-link-reissued':
      return `Sendte ny innleveringslenke for ${quoted(deliverable)} til styreren i ${kindergarten}${num(d.version) !== null ? ` (lenke nr. ${num(d.version)})` : ''}; de eldre lenkene virker ikke lenger.`;
    case 'kindergarten-added':
      return `La til ${kindergarten}${text(d.where) ? ` i ${text(d.where)}` : ''}.`;
    case 'kindergarten-withdrawn':
      return `Trakk ${kindergarten} fra programmet.${because(d.reason)}`;
    case 'run-paused':
      return `Satte programåret på pause: ingen e-post sendes.${because(d.reason)}`;
    case 'run-resumed':
      return `Gjenopptok programåret.${because(d.reason)}`;
    case 'run-cancelled':
      return `Avsluttet programåret.${because(d.reason)}`;
    case 'region-exported':
      return `Lastet ned innleveringene for ${text(d.regionId) ? names.region(text(d.regionId) as string) : 'en region'}${num(d.files) !== null ? ` (${count(num(d.files) as number, 'fil', 'filer')})` : ''}.`;
    case 'contact-changed':
      return `Endret ${text(d.role) === 'authority' ? `barnehagemyndighetens kontakt i ${text(d.municipality) ?? 'kommunen'}` : `styrer for ${kindergarten}`} fra ${text(d.fromName) ?? '?'} (${text(d.fromEmail) ?? '?'}) til ${text(d.toName) ?? '?'} (${text(d.toEmail) ?? '?'})${num(d.linksReissued) ? `; ${count(num(d.linksReissued) as number, 'åpen lenke', 'åpne lenker')} sendt på nytt` : ''}.`;
    case 'message-sent':
      return `Sendte en melding om ${quoted(deliverable)} til ${count(num(d.recipients) ?? 0, 'barnehage', 'barnehager')} som ikke har levert${text(d.subject) ? `: ${quoted(text(d.subject) as string)}` : ''}.`;
    case 'submission-accepted':
      return `Godkjente ${quoted(deliverable)} fra ${kindergarten}${num(d.version) !== null ? ` (versjon ${num(d.version)})` : ''}${text(d.comment) ? `: ${quoted(text(d.comment) as string)}` : ''}.`;
    case 'submission-returned':
      return `Sendte ${quoted(deliverable)} fra ${kindergarten}${num(d.version) !== null ? ` (versjon ${num(d.version)})` : ''} tilbake til revisjon med ny frist ${num(d.to) !== null ? day(num(d.to) as number) : '–'}${text(d.comment) ? `: ${quoted(text(d.comment) as string)}` : ''}.`;
    case 'group-setup-received':
      return `Sendte ${quoted(deliverable)}${num(d.version) !== null ? ` (versjon ${num(d.version)})` : ''} med ${count(num(d.participants) ?? 0, 'deltaker', 'deltakere')}${d.late === true ? ', etter fristen' : ''}.`;
    case 'guidance-given':
      return `Ga veiledning på ${quoted(deliverable)} fra ${kindergarten}${num(d.version) !== null ? ` (versjon ${num(d.version)})` : ''}${num(d.files) ? `, med ${count(num(d.files) as number, 'vedlegg', 'vedlegg')}` : ''}.`;
    case 'run-archived':
      return `Lastet ned arkivet for programåret med ${count(num(d.submissions) ?? 0, 'innlevering', 'innleveringer')}, ${count(num(d.files) ?? 0, 'fil', 'filer')} og ${count(num(d.guidance) ?? 0, 'veiledning', 'veiledninger')}.`;
    case 'run-purged':
      return `Slettet personopplysningene og filene etter oppbevaringstiden: ${count(num(d.kindergartens) ?? 0, 'barnehage', 'barnehager')}, ${count(num(d.submissionsAccepted) ?? 0, 'innlevering', 'innleveringer')} (${num(d.submissionsOnTime) ?? 0} i tide, ${num(d.submissionsLate) ?? 0} for sent), ${count(num(d.files) ?? 0, 'fil', 'filer')} og ${count(num(d.emailsSent) ?? 0, 'sendt e-post', 'sendte e-poster')} er talt opp og beholdt som tall.`;
    case 'person-exported':
      return `Eksporterte det som er lagret om en person${Array.isArray(d.runs) ? ` (${count(d.runs.length, 'programår', 'programår')})` : ''}.`;
    case 'person-erased':
      return `Slettet en persons navn og e-postadresse${Array.isArray(d.runs) ? ` i ${count(d.runs.length, 'programår', 'programår')}` : ''}.`;
    case 'signed-in':
      return 'Logget inn.';
    case 'user-added':
      return `La til kontoen ${text(d.email) ?? ''}${text(d.role) ? ` (${ROLE[text(d.role) as string] ?? text(d.role)})` : ''}.`;
    case 'access-key-added':
      return `Laget en tilgangsnøkkel${text(d.label) ? ` «${text(d.label)}»` : ''}${text(d.role) ? ` for ${ROLE[text(d.role) as string] ?? text(d.role)}` : ''}.`;
    default:
      return entry.action;
  }
}

export const ROLE: Record<string, string> = {
  coordinator: 'koordinator',
  'national-reader': 'nasjonal lesetilgang',
  'research-centre': 'forskningssenteret',
  'municipal-authority': 'barnehagemyndighet',
  reader: 'lesetilgang',
};

/** Who did it, as the audit log shows it: "cli:kari" is the command line. */
export function actorText(actor: string): string {
  if (actor.startsWith('cli:')) return `${actor.slice(4)} (kommandolinjen)`;
  if (actor === 'cli') return 'kommandolinjen';
  return actor;
}
