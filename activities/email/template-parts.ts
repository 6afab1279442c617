/**
 * What the email templates of both written standards share: the context a template may interpolate, the paragraph
 * model the renderer turns into text and HTML, and the small parts every template uses (facts of a milestone, the
 * receipt's facts, the upload paragraph), each worded in the context's standard (bokmål or nynorsk). Dates are written
 * the Norwegian way in Oslo time ("torsdag 18. januar 2018 kl. 09.00", nynorsk "måndag 15. januar 2018 kl. 09.00").
 */
import type { TemplateId } from '../../domain/email-templates';
import { type Language, languageOf } from '../../texts/language';
import { OSLO, formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import { PARTICIPANT_ROLE, PARTICIPANT_ROLE_NN } from '../../texts/catalogue';

/** Who an email is addressed to. */
export type RecipientRole = 'director' | 'participant' | 'municipal-authority' | 'research-centre' | 'coordinator';

/** Everything a template may interpolate; templates that need an optional part throw when it is missing. */
export interface EmailContext {
  template: string;
  /** The written standard of the recipient's municipality (absent: bokmål); research centre and coordinator read bokmål. */
  language?: Language;
  recipient: { name: string; role: RecipientRole };
  programme: string;
  countyName: string;
  /** Autumn year: 2017 means the school year 2017/2018. */
  schoolYear: number;
  timezone: string;
  milestone?: { id: string; title: string; kind: string; at: string; location: string | null };
  deliverable?: { id: string; title: string; recipientLabel: string; opensAt: string; dueAt: string; lateUntil: string };
  kindergarten?: { orgnr: string; name: string; municipalityName: string };
  municipality?: { name: string };
  uploadUrl?: string;
  /** An accepted submission: its receipt number, time (ISO), version and files. */
  submission?: { receiptNumber: string | null; at: string; version: number; late: boolean; files: { name: string; size: number; sha256: string }[]; comment: string | null };
  /** Where the deliverable's recipient fetches the files with its own access. */
  downloadUrl?: string;
  coordinator: { name: string; email: string };
  /** A recipient's personal sign-in link to the page of what is sent to it (research centre, municipal authority). */
  signInUrl?: string;
  /** The coordinator's own subject and text (template coordinator-message). */
  message?: { subject: string; text: string };
  /** The municipal authority's verdict on a submission (templates submission-accepted and submission-returned). */
  review?: { verdict: 'accepted' | 'returned'; comment: string | null; version: number; at: string };
  /** An authority's daily digest (template authority-digest): the day, and each deliverable due or overdue. */
  digest?: {
    day: string;
    lines: { kindergarten: string; deliverable: string; status: string; dueAt: string; lateUntil: string; isNew: boolean }[];
  };
  /** The research centre's guidance on a submission (template guidance-given); its files go as attachments. */
  guidance?: { text: string; files: { name: string; size: number }[]; at: string; version: number };
  /**
   * A municipal authority's group set-up (release 1.2.0): for the receipt, the version with its kindergartens and
   * participants; for the coordinator's escalation, the municipalities that have not sent it.
   */
  groupSetup?: {
    receiptNumber?: string;
    version?: number;
    at?: string;
    late?: boolean;
    kindergartens?: { name: string; participants: { name: string; email: string; role: string }[] }[];
    missing?: { municipality: string; authority: string }[];
    minimumParticipants?: number;
  };
  /** Guidance the research centre still owes (template guidance-reminder), earliest due first. */
  guidanceReminder?: {
    lines: { kindergarten: string; municipality: string; place: string | null; deliverable: string; submittedAt: string; dueAt: string; late: boolean }[];
  };
}

/** A rendered email: a one-line subject, a plain-text part and an HTML part with the same content. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}


// ---------------------------------------------------------------------------------------------------------------
// Paragraph model shared by the text and HTML renderers

export interface Link {
  href: string;
  label: string;
}
/** A run of text (may contain "\n" for a line break) or a link. */
export type Inline = string | Link;
/** One paragraph: inline parts rendered in order. */
export type Paragraph = Inline[];

export function link(href: string, label: string = href): Link {
  return { href, label };
}

// ---------------------------------------------------------------------------------------------------------------
// Context helpers used by the template definitions

type RequiredPart = 'milestone' | 'deliverable' | 'kindergarten' | 'uploadUrl' | 'submission' | 'downloadUrl' | 'message' | 'digest' | 'review' | 'guidance' | 'guidanceReminder' | 'groupSetup';

export function need<K extends RequiredPart>(ctx: EmailContext, key: K): NonNullable<EmailContext[K]> {
  const value = ctx[key];
  if (value === undefined || value === null || value === '') {
    throw new Error(`template "${ctx.template}" needs ctx.${key}`);
  }
  return value as NonNullable<EmailContext[K]>;
}

/** Formatting bound to the context's time zone (always Europe/Oslo in practice) and written standard. */
export function when(ctx: EmailContext) {
  const zone = ctx.timezone || OSLO;
  const language = languageOf(ctx.language);
  return {
    dateTime: (iso: string) => formatNorwegian(iso, 'dateTime', zone, language),
    dayMonth: (iso: string) => formatNorwegian(iso, 'dayMonth', zone, language),
  };
}

/** The words the shared parts use, in each written standard. */
export const PART_WORDS = {
  nb: { what: 'Hva', time: 'Tid', place: 'Sted', uploadHere: 'Last opp her: ', receiptNumber: 'Kvitteringsnummer', received: 'Mottatt', afterDeadline: ' (etter fristen)', version: 'Versjon', file: 'Fil', files: 'Filer', hello: 'Hei', regards: 'Vennlig hilsen' },
  nn: { what: 'Kva', time: 'Tid', place: 'Stad', uploadHere: 'Last opp her: ', receiptNumber: 'Kvitteringsnummer', received: 'Kom inn', afterDeadline: ' (etter fristen)', version: 'Versjon', file: 'Fil', files: 'Filer', hello: 'Hei', regards: 'Venleg helsing' },
} as const satisfies Record<Language, Record<string, string>>;

/** A participant's role (its id in the group set-up) as the reader's standard writes it, in lower case. */
export function roleText(ctx: EmailContext, role: string): string {
  const labels: Record<string, string> = languageOf(ctx.language) === 'nn' ? PARTICIPANT_ROLE_NN : PARTICIPANT_ROLE;
  return (labels[role] ?? role).toLowerCase();
}

/** The shared words in the context's standard. */
export function words(ctx: EmailContext) {
  return PART_WORDS[languageOf(ctx.language)];
}

/** The short programme name for subjects: "Kultur for læring – barnehage" becomes "Kultur for læring". */
export function shortProgramme(ctx: EmailContext): string {
  const short = ctx.programme.split(/\s+[–—-]\s+/)[0]?.trim();
  return short || ctx.programme;
}

export function subjectOf(ctx: EmailContext, rest: string): string {
  return `${shortProgramme(ctx)}: ${rest}`;
}

export function schoolYearLabel(ctx: EmailContext): string {
  return `${ctx.schoolYear}/${ctx.schoolYear + 1}`;
}

export function quoted(title: string): string {
  return `«${title}»`;
}

/** The facts of a milestone: what, when and (if known) where. */
export function milestoneFacts(ctx: EmailContext): Paragraph {
  const m = need(ctx, 'milestone');
  const w = words(ctx);
  const lines = [`${w.what}: ${m.title}`, `${w.time}: ${when(ctx).dateTime(m.at)}`];
  if (m.location) lines.push(`${w.place}: ${m.location}`);
  return [lines.join('\n')];
}

export function milestoneSubject(ctx: EmailContext, prefix: string): string {
  const m = need(ctx, 'milestone');
  return subjectOf(ctx, `${prefix}${m.title} ${when(ctx).dayMonth(m.at)}`);
}

export function milestoneTime(ctx: EmailContext): string {
  return when(ctx).dateTime(need(ctx, 'milestone').at);
}

export function forKindergarten(ctx: EmailContext): string {
  return ctx.kindergarten ? ` for ${ctx.kindergarten.name}` : '';
}

export function uploadParagraph(ctx: EmailContext): Paragraph {
  return [words(ctx).uploadHere, link(need(ctx, 'uploadUrl'))];
}

/** The receipt's facts: number, time, version and every file with its size and SHA-256. */
export function receiptFacts(ctx: EmailContext): Paragraph[] {
  const s = need(ctx, 'submission');
  const w = words(ctx);
  const lines = [
    ...(s.receiptNumber ? [`${w.receiptNumber}: ${s.receiptNumber}`] : []),
    `${w.received}: ${when(ctx).dateTime(s.at)}${s.late ? w.afterDeadline : ''}`,
    `${w.version}: ${s.version}`,
  ];
  const files = s.files.map((f) => `${f.name} (${formatFileSize(f.size)})\nSHA-256: ${f.sha256}`);
  return [[lines.join('\n')], [`${s.files.length === 1 ? w.file : w.files}:\n${files.join('\n')}`]];
}


/** One template: its subject and its body paragraphs between the greeting and the signature. */
export interface TemplateDefinition {
  /** The subject after sanitising; it always starts with the programme name. */
  subject: (ctx: EmailContext) => string;
  /** Body paragraphs between the greeting and the signature. */
  body: (ctx: EmailContext) => Paragraph[];
}

/** A table of every template in one written standard (the compiler checks that none is missing). */
export type TemplateTable = Record<TemplateId, TemplateDefinition>;
