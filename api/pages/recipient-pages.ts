import type { ReceivedRow, ReviewLine } from '../../activities/db/console-repository';
import type { GuidanceRecord } from '../../activities/store';
import type { GuidanceLine } from '../../application/guidance';
import { type Html, html } from '../../texts/html';
import { type Language, isLanguage } from '../../texts/language';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import { RECIPIENT_PAGE_TEXT, type RecipientPageText } from '../../texts/recipient-pages';
import { type ConsoleFrame, consolePage } from './console-pages';

/**
 * The recipients' pages: what is addressed to the research centre, a municipal authority or the coordinator, the
 * authority's review of a full analysis and the research centre's guidance. An authority reads them in the written
 * standard of its municipality, everyone else in bokmål, each with a switch to the other (`?malform=nb|nn`), which
 * the pages' links and forms keep (texts/recipient-pages.ts).
 */

/** The standard a recipient's page is shown in, and whether the reader chose it (`?malform=`), so links and forms keep it. */
export interface PageLanguage {
  language: Language;
  chosen: boolean;
}

/** The standard asked for (`?malform=`), else the reader's own (an authority's municipality's), else bokmål. */
export function recipientLanguage(query: unknown, own: Language | null | undefined): PageLanguage {
  const asked = query && typeof query === 'object' ? (query as Record<string, unknown>).malform : undefined;
  if (isLanguage(asked)) return { language: asked, chosen: true };
  return { language: own ?? 'nb', chosen: false };
}

/** An address with the reader's choice of standard kept, when there is a choice to keep. */
export function keepLanguage(href: string, l: PageLanguage): string {
  return l.chosen ? withLanguage(href, l.language) : href;
}

function withLanguage(href: string, language: Language): string {
  return `${href}${href.includes('?') ? '&' : '?'}malform=${language}`;
}

export function recipientWords(language: Language): RecipientPageText {
  return RECIPIENT_PAGE_TEXT[language];
}

const whenIn = (language: Language) => (ms: number) => formatNorwegian(ms, 'dateTime', undefined, language);

/** The link to the same page in the other standard, labelled in that other standard. */
export function languageSwitch(here: string, language: Language): Html {
  const other: Language = language === 'nn' ? 'nb' : 'nn';
  return html`<p class="language-switch"><a href="${withLanguage(here, other)}" lang="${other}" hreflang="${other}">${recipientWords(language).switchTo}</a></p>`;
}

/** A recipient's message page (a link that does not work, something not found), in the reader's standard. */
export function recipientMessagePage(frame: ConsoleFrame, heading: string, text: string, language: Language = 'nb'): string {
  return consolePage(frame, html`<h1>${heading}</h1><p>${text} <a href="/konsoll">${recipientWords(language).toOverview}</a></p>`, language);
}

/**
 * What is addressed to a recipient (the research centre, a municipal authority, or the coordinator), per deliverable:
 * every kindergarten's state, the version in force with its files to open, and a zip per region.
 */
export function receivedPage(
  frame: ConsoleFrame,
  options: {
    runId: string;
    /** Who reads: the heading names it. */
    reader: { role: string; municipality: string | null };
    run: { countyName: string; schoolYear: number };
    /** `reviewed`: the deliverable goes to the municipal authority, which accepts or returns it; `reviewable`: this reader may. */
    deliverables: { id: string; title: string; rows: ReceivedRow[]; reviewed: boolean; reviewable: boolean; guided?: boolean; guidable?: boolean }[];
    /** Guidance by `<orgnr>/<deliverable>` (release 1.2.0), for deliverables that ask for it. */
    guidance?: Map<string, GuidanceLine>;
    /** The authorities' group set-ups (release 1.2.0): for an authority its own (`own`), for others how many have sent. */
    groupSetups?: GroupSetupLink[];
    regions: { id: string; name: string }[];
    /** The `melding` an action redirected with. */
    message?: string | null;
    language?: PageLanguage;
  },
): string {
  const l = options.language ?? { language: 'nb', chosen: false };
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const base = `/konsoll/runs/${options.runId}`;
  const heading = receivedHeading(options.reader, l.language);
  const message = options.message && Object.hasOwn(t.messages, options.message) ? t.messages[options.message as keyof RecipientPageText['messages']] : null;
  const sections = options.deliverables.map((d) => {
    const submitted = d.rows.filter((r) => r.submission).length;
    const reviewCell = (r: ReceivedRow) => {
      if (!d.reviewed) return null;
      const current = r.review && r.submission && r.review.version === r.submission.version ? r.review : null;
      const link = r.submission && d.reviewable ? html`<a href="${keepLanguage(`${base}/mottatt/${r.orgnr}/${d.id}/vurdering`, l)}">${current ? t.seeReview : t.review}</a>` : null;
      return html`<td>${current ? html`${verdictText(current, l.language)}<br>` : r.review && r.review.verdict === 'returned' ? html`${t.returnedWaiting(when(r.review.at))}<br>` : null}${link ?? (current ? null : '–')}</td>`;
    };
    const guidanceCell = (r: ReceivedRow) => {
      if (!d.guided) return null;
      const line = options.guidance?.get(`${r.orgnr}/${d.id}`) ?? null;
      const link = r.submission && d.guidable ? html`<a href="${keepLanguage(`${base}/mottatt/${r.orgnr}/${d.id}/veiledning`, l)}">${line?.state === 'given' ? t.seeGuidance : t.giveGuidance}</a>` : null;
      return html`<td>${line ? html`<span class="guidance-state ${line.state}">${guidanceText(line, l.language)}</span><br>` : null}${link ?? (line ? null : '–')}</td>`;
    };
    const rows = d.rows.map(
      (r) =>
        html`<tr><th scope="row">${r.name}</th><td>${r.municipality}</td><td><span class="status ${r.status}">${t.statuses[r.status] ?? r.status}</span></td><td class="nowrap">${when(r.dueAt)}</td><td>${
          r.submission
            ? html`${t.submissionCell(r.submission.receiptNumber, String(r.submission.version ?? ''), r.submission.late, when(r.submission.receivedAt))}<br>${r.submission.files.map((f) => html`<a href="${base}/innleveringer/${r.submission?.id ?? ''}/filer/${f.position}">${f.name}</a> (${formatFileSize(f.size)})<br>`)}`
            : html`–`
        }</td>${reviewCell(r)}${guidanceCell(r)}</tr>`,
    );
    const c = t.columns;
    return html`<h2>${d.title}</h2><p>${t.submittedCount(submitted, d.rows.length)}${d.reviewable ? t.reviewHint : ''}${d.guidable ? t.guidanceHint : ''}</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.scrollable(d.title)}"><table class="received"><thead><tr><th scope="col">${c.kindergarten}</th><th scope="col">${c.municipality}</th><th scope="col">${c.status}</th><th scope="col">${c.deadline}</th><th scope="col">${c.submitted}</th>${d.reviewed ? html`<th scope="col">${c.review}</th>` : null}${d.guided ? html`<th scope="col">${c.guidance}</th>` : null}</tr></thead><tbody>${rows}</tbody></table></div>`;
  });
  const body = html`${languageSwitch(`${base}/mottatt`, l.language)}<h1>${heading}</h1>
${message ? html`<div class="notice good" role="status"><p>${message}</p></div>` : null}
<p>${t.intro(options.run.countyName, `${options.run.schoolYear}/${options.run.schoolYear + 1}`)}</p>
${groupSetupSection(options.groupSetups ?? [], l)}
${options.regions.length ? html`<p>${t.zipByRegion}${options.regions.map((r, i) => html`${i > 0 ? ' · ' : ''}<a href="${base}/regioner/${r.id}/innleveringer.zip">${r.name}</a>`)}</p>` : null}
${sections.length ? sections : html`<p>${t.nothingAddressed}</p>`}
<p><a href="${base}">${t.wholeYear}</a></p>`;
  return consolePage(frame, body, l.language);
}

/** The received page's heading (and the frame's title): to whom its deliverables are addressed. */
export function receivedHeading(reader: { role: string; municipality: string | null }, language: Language): string {
  const h = recipientWords(language).heading;
  return reader.role === 'research-centre' ? h.researchCentre : reader.role === 'municipal-authority' ? h.authority(reader.municipality ?? '') : h.coordinator;
}

/** A group set-up the authorities send, with where it stands and where to open it. */
export interface GroupSetupLink {
  id: string;
  title: string;
  href: string;
  sent: number;
  total: number;
  /** For an authority: its own latest version, null before the first; absent for others. */
  own?: { version: number; receivedAt: number; late: boolean } | null;
}

/** The group set-ups at the top of a recipient's page: an authority's own with its form, or every municipality's. */
export function groupSetupSection(links: GroupSetupLink[], l: PageLanguage = { language: 'nb', chosen: false }): Html | null {
  if (links.length === 0) return null;
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  return html`${links.map((g) =>
    g.own !== undefined
      ? html`<section class="group-setup-link"><h2>${g.title}</h2><p>${g.own ? t.setupSent(g.own.version, when(g.own.receivedAt), g.own.late) : t.setupNotSent} <a href="${keepLanguage(g.href, l)}">${g.own ? t.setupChange : t.setupSend}</a></p></section>`
      : html`<section class="group-setup-link"><h2>${g.title}</h2><p>${t.setupsSent(g.sent, g.total)} <a href="${keepLanguage(g.href, l)}">${t.seeSetups}</a></p></section>`,
  )}`;
}

/** A verdict in words: "Godkjent mandag 4. juni 2018 kl. 10.30" or "Sendt tilbake …, ny frist …". */
function verdictText(r: ReviewLine, language: Language): string {
  const t = recipientWords(language);
  const when = whenIn(language);
  return r.verdict === 'accepted' ? t.accepted(when(r.at), r.version) : t.returned(when(r.at), r.version, r.dueAt === null ? '–' : when(r.dueAt));
}

/**
 * The municipal authority's review of one kindergarten's submission: the version in force with its files, every
 * earlier verdict, and (until this version has one) the form to accept it or return it with a comment and a new
 * deadline. A refused form keeps what was typed and says why beside it.
 */
export function reviewPage(
  frame: ConsoleFrame,
  options: {
    runId: string;
    kindergarten: string;
    municipality: string;
    deliverable: { id: string; title: string; dueAt: number };
    submission: { id: string; receiptNumber: string; version: number | null; late: boolean; receivedAt: number; files: { position: number; name: string; size: number }[] } | null;
    reviews: ReviewLine[];
    /** The page's own address (the switch; the form is sent there). */
    here: string;
    form: { reviewId: string; verdict: string; comment: string; due: string } | null;
    refusal?: string | null;
    language?: PageLanguage;
  },
): string {
  const l = options.language ?? { language: 'nb', chosen: false };
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const base = `/konsoll/runs/${options.runId}`;
  const s = options.submission;
  const history = options.reviews.map((r) => html`<li>${verdictText(r, l.language)}${r.comment ? html`: «${r.comment}»` : null} – ${r.by}</li>`);
  const f = options.form;
  const checked = (v: string) => (f?.verdict === v ? html` checked` : null);
  const form = f
    ? html`<form method="post" action="${keepLanguage(options.here, l)}" class="review">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="vurdering" value="${f.reviewId}">
<fieldset><legend>${t.yourReview}</legend>
<div class="choice"><input type="radio" id="v-godkjent" name="utfall" value="godkjent"${checked('godkjent')}><label for="v-godkjent">${t.verdictAccepted}</label></div>
<div class="choice"><input type="radio" id="v-tilbake" name="utfall" value="tilbake"${checked('tilbake')}><label for="v-tilbake">${t.verdictReturn}</label></div>
</fieldset>
<label for="kommentar">${t.reviewComment}</label>
<textarea id="kommentar" name="kommentar" rows="5">${f.comment}</textarea>
<label for="frist">${t.reviewNewDue}</label>
<input type="datetime-local" id="frist" name="frist" value="${f.due}">
<button type="submit">${t.saveReview}</button>
</form>`
    : html`<p>${t.alreadyReviewed}</p>`;
  const body = html`${languageSwitch(options.here, l.language)}<h1>${options.deliverable.title}: ${options.kindergarten}</h1>
<p>${t.placeAndDue(options.kindergarten, options.municipality, when(options.deliverable.dueAt))}</p>
${options.refusal ? html`<div class="notice bad" role="alert"><h2>${t.reviewNotSaved}</h2><p>${options.refusal}</p></div>` : null}
<h2>${t.submission}</h2>
${s
  ? html`<p>${t.submissionLine(s.receiptNumber, String(s.version ?? ''), s.late, when(s.receivedAt))}</p><ul>${s.files.map((file) => html`<li><a href="${base}/innleveringer/${s.id}/filer/${file.position}">${file.name}</a> (${formatFileSize(file.size)})</li>`)}</ul>`
  : html`<p>${t.notYetSubmitted}</p>`}
${history.length ? html`<h2>${t.earlierReviews}</h2><ul>${history}</ul>` : null}
${s ? form : null}
<p><a href="${keepLanguage(`${base}/mottatt`, l)}">${t.backToOverview}</a></p>`;
  return consolePage(frame, body, l.language);
}

export const REVIEW_STYLES = `
form.review fieldset { border: 1px solid #767676; border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0; }
form.review .choice { display: flex; gap: .5rem; align-items: center; margin: .35rem 0; }
form.review .choice label { margin: 0; font-weight: 400; }
form.review label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
form.review textarea, form.review input[type=datetime-local] { display: block; width: 100%; max-width: 40rem; font: inherit; padding: .45rem; border: 2px solid #767676; border-radius: 4px; }
form.review button { margin-top: 1rem; }
form.review input[type=file] { display: block; margin: .25rem 0; }
article.guidance { border-left: 4px solid #1d5b8f; padding: .25rem 1rem; margin: .75rem 0; background: #f4f8fb; }
article.guidance h3 { margin: .25rem 0; font-size: 1rem; }
table.received { min-width: 64rem; }
`;

/** A guidance state with its date: "Veiledning skyldes innen …", "Veiledning forsinket (skulle vært gitt …)", "Veiledning gitt …". */
export function guidanceText(line: GuidanceLine, language: Language = 'nb'): string {
  const t = recipientWords(language);
  const when = whenIn(language);
  if (line.state === 'given') return t.guidanceGiven(when((line.given.at(-1) as GuidanceRecord).at));
  if (line.state === 'late') return t.guidanceLate(line.dueAt === null ? '–' : when(line.dueAt));
  return t.guidanceOwed(line.dueAt === null ? '–' : when(line.dueAt));
}

/** Guidance given, oldest first: when, on which version, the text and its files (links where the reader may open them). */
export function guidanceHistory(given: GuidanceRecord[], fileHref: ((g: GuidanceRecord, position: number) => string) | null, options: { by?: boolean; language?: Language } = {}): Html {
  const t = recipientWords(options.language ?? 'nb');
  const when = whenIn(options.language ?? 'nb');
  return html`${given.map(
    (g) => html`<article class="guidance"><h3>${t.guidanceEntry(when(g.at), String(g.version), options.by ? g.by : null)}</h3>
${g.text.split(/\n\s*\n/).map((p) => html`<p>${p}</p>`)}
${g.files.length ? html`<ul>${g.files.map((f, i) => html`<li>${fileHref ? html`<a href="${fileHref(g, i + 1)}">${f.name}</a>` : f.name} (${formatFileSize(f.size)})</li>`)}</ul>` : null}
</article>`,
  )}`;
}

/**
 * The research centre's page for one kindergarten's submission of a deliverable that asks for guidance: the version
 * in force with its files, the guidance given so far, and the form to write guidance (text, and files if wanted).
 * A refused form keeps what was typed and says why beside it.
 */
export function guidancePage(
  frame: ConsoleFrame,
  options: {
    runId: string;
    kindergarten: string;
    municipality: string;
    deliverable: { id: string; title: string };
    submission: ReceivedRow['submission'];
    line: GuidanceLine | null;
    /** The page's own address (the switch; the form is sent there). */
    here: string;
    form: { guidanceId: string; text: string } | null;
    /** The most files a guidance takes. */
    maxFiles: number;
    refusal?: string | null;
    language?: PageLanguage;
  },
): string {
  const l = options.language ?? { language: 'nb', chosen: false };
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const base = `/konsoll/runs/${options.runId}`;
  const s = options.submission;
  const f = options.form;
  const form = f
    ? html`<form method="post" action="${keepLanguage(options.here, l)}" enctype="multipart/form-data" class="review">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="veiledning" value="${f.guidanceId}">
<label for="tekst">${t.guidanceText}</label>
<textarea id="tekst" name="tekst" rows="10" required>${f.text}</textarea>
<label for="filer">${t.guidanceFiles(options.maxFiles)}</label>
<input type="file" id="filer" name="filer" multiple>
<button type="submit">${t.sendGuidance}</button>
</form>`
    : null;
  const body = html`${languageSwitch(options.here, l.language)}<h1>${t.guidanceTitle(options.kindergarten)}</h1>
<p>${options.deliverable.title}. ${options.kindergarten}, ${options.municipality}.${options.line ? html` <strong>${guidanceText(options.line, l.language)}.</strong>` : null}</p>
${options.refusal ? html`<div class="notice bad" role="alert"><h2>${t.guidanceNotSent}</h2><p>${options.refusal}</p></div>` : null}
<h2>${t.submission}</h2>
${s
  ? html`<p>${t.submissionLine(s.receiptNumber, String(s.version ?? ''), s.late, when(s.receivedAt))}</p><ul>${s.files.map((file) => html`<li><a href="${base}/innleveringer/${s.id}/filer/${file.position}">${file.name}</a> (${formatFileSize(file.size)})</li>`)}</ul>`
  : html`<p>${t.notYetSubmitted}</p>`}
${options.line?.given.length ? html`<h2>${t.guidanceGivenHeading}</h2>${guidanceHistory(options.line.given, (g, i) => `${base}/veiledning/${g.guidanceId}/filer/${i}`, { language: l.language })}` : null}
${s && form ? html`<h2>${options.line?.given.length ? t.giveMoreGuidance : t.giveGuidance}</h2><p>${t.guidanceReaches}</p>${form}` : null}
<p><a href="${keepLanguage(`${base}/mottatt`, l)}">${t.backToOverview}</a></p>`;
  return consolePage(frame, body, l.language);
}
