import type { LinkTarget, Submission } from '../../activities/db/submission-repository';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import type { FileProblem, LinkRefusal } from '../../application/upload-service';
import { type Html, html } from '../../texts/html';
import { page } from './layout';
import { DIRECTOR_PAGE_TEXT, type DirectorPageText } from '../../texts/director-pages';
import { type Language, isLanguage, languageOf } from '../../texts/language';
import { type DirectorRefusal, directorRefusalText } from '../../texts/refusals';

/**
 * The director's upload pages: the form, the receipt, refusals and link problems, in the written standard of the
 * kindergarten's municipality (texts/director-pages.ts), with a switch to the other one (`?malform=nb|nn`).
 */

const ACCEPT = '.pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text';

/** The standard a page is shown in: the one asked for (`?malform=`), else the municipality's, else bokmål. */
export function pageLanguage(query: unknown, target: LinkTarget | null): Language {
  const asked = query && typeof query === 'object' ? (query as Record<string, unknown>).malform : undefined;
  return isLanguage(asked) ? asked : languageOf(target?.language);
}

/** A page's own address in a standard (the switch, and the form's action so a sent form keeps the choice). */
export function inLanguage(href: string, language: Language): string {
  return `${href}?malform=${language}`;
}

function words(language: Language): DirectorPageText {
  return DIRECTOR_PAGE_TEXT[language];
}

const whenIn = (language: Language) => (ms: number) => formatNorwegian(ms, 'dateTime', undefined, language);

/** The link to the same page in the other standard, labelled in that standard. */
function languageSwitch(here: string | null, language: Language): Html | null {
  if (here === null) return null;
  const other: Language = language === 'nn' ? 'nb' : 'nn';
  return html`<p class="language-switch"><a href="${inLanguage(here, other)}" lang="${other}" hreflang="${other}">${words(language).switchTo}</a></p>`;
}

function contact(target: LinkTarget | null, language: Language): Html {
  const t = words(language);
  if (!target) return html`<footer class="contact"><p>${t.contactUnknown}</p></footer>`;
  const { name, email } = target.coordinator;
  return html`<footer class="contact"><p>${t.contact(name)}<a href="mailto:${email}">${email}</a>.</p></footer>`;
}

function facts(target: LinkTarget, language: Language): Html {
  const t = words(language);
  const when = whenIn(language);
  return html`<dl class="facts">
<dt>${t.kindergarten}</dt><dd>${target.kindergartenName} (${target.municipalityName})</dd>
<dt>${t.deadline}</dt><dd>${when(target.dueAt)}</dd>
<dt>${t.lateSubmission}</dt><dd>${t.lateUntil(when(target.lateUntil))}</dd>
<dt>${t.status}</dt><dd>${t.statuses[target.status] ?? target.status}</dd>
</dl>`;
}

function fileList(submission: Submission): Html[] {
  return submission.files.map((f) => html`${f.name} (${formatFileSize(f.size)})<br>`);
}

function versions(submissions: Submission[], language: Language, base: string): Html {
  const t = words(language);
  const when = whenIn(language);
  const shown = submissions.filter((s) => s.state !== 'stored');
  if (shown.length === 0) return html`<h2>${t.earlier}</h2><p>${t.noneYet}</p>`;
  const reviewed = shown.some((s) => s.reviews.length > 0);
  const verdicts = (s: Submission) =>
    reviewed
      ? html`<td>${s.reviews.length
          ? s.reviews.map((r) => html`${r.verdict === 'accepted' ? t.accepted(when(r.at)) : t.returned(when(r.at), r.dueAt !== null ? when(r.dueAt) : null)}${r.comment ? html`: «${r.comment}»` : null}<br>`)
          : '–'}</td>`
      : null;
  const rows = shown.map((s) =>
    s.state === 'accepted'
      ? html`<tr><td>${t.version(String(s.version ?? ''))}</td><td>${when(s.receivedAt)}${s.late ? t.afterDeadline : ''}</td><td>${fileList(s)}</td><td><a href="${inLanguage(`${base}/kvittering/${s.id}`, language)}">${s.receiptNumber}</a></td>${verdicts(s)}</tr>`
      : html`<tr><td>${t.notAccepted}</td><td>${when(s.receivedAt)}</td><td>${fileList(s)}</td><td>${s.receiptNumber}</td>${verdicts(s)}</tr>`,
  );
  return html`<h2>${t.earlier}</h2>
<p>${t.latestCounts}</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.tableLabel}"><table>
<caption class="hint">${t.tableCaption}</caption>
<thead><tr><th scope="col">${t.columns.version}</th><th scope="col">${t.columns.received}</th><th scope="col">${t.columns.files}</th><th scope="col">${t.columns.reference}</th>${reviewed ? html`<th scope="col">${t.columns.verdict}</th>` : null}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

function problemText(t: DirectorPageText, problem: FileProblem['problem'], limitMb: number): string {
  if (problem === 'empty') return t.problems.empty;
  if (problem === 'too-large') return t.problems.tooLarge(limitMb);
  if (problem === 'wrong-type') return t.problems.wrongType;
  return t.problems.suspicious;
}

function messageText(t: DirectorPageText, message: string, limits: { maxFiles: number }): string {
  const texts: Record<string, string> = {
    'no-files': t.messages.noFiles,
    'too-many-files': t.messages.tooManyFiles(limits.maxFiles),
    'bad-comment': t.messages.badComment,
    'submission-id-taken': t.messages.idTaken,
    'bad-form': t.messages.badForm,
  };
  return texts[message] ?? message;
}

export interface FormErrors {
  problems: FileProblem[];
  message: string | null;
}

/** The upload form with the deliverable at the top and earlier versions below; errors (if any) summarised first. */
export function uploadPage(options: {
  target: LinkTarget;
  formAction: string;
  submissionId: string;
  submissions: Submission[];
  limits: { maxFileBytes: number; maxFiles: number };
  errors?: FormErrors;
  comment?: string;
  /** The research centre's guidance on the submissions (release 1.2.0), with the links to its files. */
  guidance?: { guidanceId: string; version: number; text: string; at: number; files: { name: string; size: number }[] }[];
  language?: Language;
}): string {
  const { target, limits } = options;
  const language = options.language ?? languageOf(target.language);
  const t = words(language);
  const limitMb = Math.round(limits.maxFileBytes / 1024 / 1024);
  const errors = options.errors;
  const errorItems = errors
    ? [
        ...(errors.message ? [html`<li>${messageText(t, errors.message, limits)}</li>`] : []),
        ...errors.problems.map((p) => html`<li>${p.file}: ${problemText(t, p.problem, limitMb)}.</li>`),
      ]
    : [];
  const summary =
    errorItems.length > 0
      ? html`<div class="notice bad" role="alert" id="feil"><h2>${t.notSent}</h2><ul>${errorItems}</ul><p>${t.nothingStored}</p></div>`
      : null;
  const body = html`${languageSwitch(options.formAction, language)}<h1>${target.deliverable.title}</h1>
${facts(target, language)}
${summary}
${target.withdrawn ? html`<div class="notice bad"><p>${t.withdrawn}</p></div>` : null}
${guidanceSection(options.guidance ?? [], options.formAction, language)}
<form method="post" action="${inLanguage(options.formAction, language)}" enctype="multipart/form-data">
<input type="hidden" name="innsending" value="${options.submissionId}">
<label for="filer">${t.filesLabel}</label>
<p class="hint" id="filer-hint">${t.filesHint(limitMb, limits.maxFiles)}</p>
<input type="file" id="filer" name="filer" multiple required accept="${ACCEPT}" aria-describedby="filer-hint${summary ? ' feil' : ''}">
<label for="kommentar">${t.commentLabel}</label>
<p class="hint" id="kommentar-hint">${t.commentHint(recipientText(target, t))}</p>
<textarea id="kommentar" name="kommentar" maxlength="2000" rows="4" aria-describedby="kommentar-hint">${options.comment ?? ''}</textarea>
<button type="submit">${t.send}</button>
</form>
${versions(options.submissions, language, options.formAction)}
${contact(target, language)}`;
  return page({ title: target.deliverable.title, body, header: target.programme, language });
}

/** The guidance the research centre has given, newest first, each with its files to open. */
function guidanceSection(given: NonNullable<Parameters<typeof uploadPage>[0]['guidance']>, base: string, language: Language): Html | null {
  if (given.length === 0) return null;
  const t = words(language);
  return html`<h2 id="veiledning">${t.guidanceHeading}</h2>${[...given].reverse().map(
    (g) => html`<section class="guidance"><h3>${t.guidanceOn(whenIn(language)(g.at), String(g.version))}</h3>${g.text.split(/\n\s*\n/).map((p) => html`<p>${p}</p>`)}${g.files.length ? html`<ul>${g.files.map((f, i) => html`<li><a href="${base}/veiledning/${g.guidanceId}/filer/${i + 1}">${f.name}</a> (${formatFileSize(f.size)})</li>`)}</ul>` : null}</section>`,
  )}`;
}

function recipientText(target: LinkTarget, t: DirectorPageText): string {
  if (target.deliverable.recipient === 'research-centre') return t.recipients.researchCentre;
  if (target.deliverable.recipient === 'municipal-authority') return t.recipients.authority;
  return t.recipients.coordinator;
}

/** The receipt: number, time in Oslo, and each file with its size and SHA-256. */
export function receiptPage(options: { target: LinkTarget; submission: Submission; backHref: string; here?: string; language?: Language }): string {
  const { target, submission: s } = options;
  const language = options.language ?? languageOf(target.language);
  const t = words(language);
  const rows = s.files.map((f) => html`<tr><td>${f.name}</td><td>${formatFileSize(f.size)}</td><td><code class="hash">${f.sha256}</code></td></tr>`);
  const body = html`${languageSwitch(options.here ?? null, language)}<h1>${t.receipt}</h1>
<div class="notice ok" role="status"><p>${t.receivedOk.before}<strong>${target.deliverable.title}</strong>${t.receivedOk.after}${s.late ? t.cameLate : ''}</p></div>
<dl class="facts">
<dt>${t.receiptNumber}</dt><dd>${s.receiptNumber}</dd>
<dt>${t.received}</dt><dd>${whenIn(language)(s.receivedAt)}</dd>
<dt>${t.kindergarten}</dt><dd>${target.kindergartenName} (${target.municipalityName})</dd>
<dt>${t.columns.version}</dt><dd>${s.version ?? ''}</dd>
</dl>
<h2>${t.filesLabel}</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.tableLabel}"><table>
<thead><tr><th scope="col">${t.fileName}</th><th scope="col">${t.size}</th><th scope="col">SHA-256</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${s.comment ? html`<h2>${t.comment}</h2><p>${s.comment}</p>` : null}
${s.reviews.length
  ? html`<h2>${t.columns.verdict}</h2><ul>${s.reviews.map((r) => html`<li>${r.verdict === 'accepted' ? t.accepted(whenIn(language)(r.at)) : t.returned(whenIn(language)(r.at), r.dueAt !== null ? whenIn(language)(r.dueAt) : null)}${r.comment ? html`: «${r.comment}»` : null}</li>`)}</ul>`
  : null}
<p>${t.receiptSent}</p>
<p><a href="${inLanguage(options.backHref, language)}">${t.back}</a></p>
${contact(target, language)}`;
  return page({ title: `${t.receipt} ${s.receiptNumber}`, body, header: target.programme, language });
}

/**
 * Why the submission was refused, worded from the refusal's data in the page's standard; a submission refused before
 * the data was kept shows its stored (bokmål) text. The stored files are kept and the coordinator can see them.
 */
export function refusedPage(options: { target: LinkTarget; reason: string; refusal?: DirectorRefusal | null; receiptNumber: string; backHref: string; language?: Language }): string {
  const { target } = options;
  const language = options.language ?? languageOf(target.language);
  const t = words(language);
  // An older row's stored text is bokmål, and says so for screen readers on a nynorsk page.
  const reason = options.refusal
    ? html`<p>${directorRefusalText(options.refusal, language)}</p>`
    : options.reason
      ? html`<p lang="nb">${options.reason}</p>`
      : html`<p>${t.refusedDefault}</p>`;
  const body = html`<h1>${t.refusedTitle}</h1>
<div class="notice bad" role="alert">${reason}<p>${t.refusedContact}</p></div>
${facts(target, language)}
<p>${t.refusedKept(options.receiptNumber)}</p>
<p><a href="${inLanguage(options.backHref, language)}">${t.back}</a></p>
${contact(target, language)}`;
  return page({ title: t.notAccepted, body, header: target.programme, language });
}

/** Stored, but the workflow could not be asked: the retry button re-sends the same submission id, without files. */
export function pendingPage(options: { target: LinkTarget; formAction: string; submissionId: string; language?: Language }): string {
  const language = options.language ?? languageOf(options.target.language);
  const t = words(language);
  const body = html`<h1>${t.pendingTitle}</h1>
<div class="notice" role="status"><p>${t.pendingText}</p></div>
<form method="post" action="${inLanguage(options.formAction, language)}" enctype="multipart/form-data">
<input type="hidden" name="innsending" value="${options.submissionId}">
<button type="submit">${t.tryAgain}</button>
</form>
${contact(options.target, language)}`;
  return page({ title: t.pendingTitle, body, header: options.target.programme, language });
}

export function linkProblemPage(reason: LinkRefusal, target: LinkTarget | null, language: Language = languageOf(target?.language)): string {
  const t = words(language);
  const { title, text } = t.links[reason];
  // The page names only what the link itself proves (a genuine, revoked or expired link), never another kindergarten.
  const body = html`<h1>${title}</h1>
<div class="notice bad" role="alert"><p>${text}</p></div>
${target && reason !== 'unknown' ? html`<p>${t.linkFor(target.deliverable.title, target.kindergartenName)}</p>` : null}
${contact(target, language)}`;
  return page({ title, body, header: target?.programme ?? 'Årshjul', language });
}

export const LINK_STATUS: Record<LinkRefusal, number> = { malformed: 404, forged: 404, unknown: 404, revoked: 410, expired: 410 };

/** The database or file storage could not be reached: nothing the director did wrong, and the same form may be sent again. */
export function unavailablePage(language: Language = 'nb'): string {
  const t = words(language);
  const body = html`<h1>${t.unavailableTitle}</h1>
<div class="notice bad" role="alert"><p>${t.unavailableText}</p></div>`;
  return page({ title: t.unavailableTitle, body, header: 'Årshjul', language });
}
