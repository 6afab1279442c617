import type { ReceivedRow, ReviewLine } from '../../activities/db/console-repository';
import type { GuidanceRecord } from '../../activities/store';
import type { GuidanceLine } from '../../application/guidance';
import { DELIVERABLE_STATUS, GUIDANCE_STATE, count } from '../../texts/catalogue';
import { type Html, html } from '../../texts/html';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import { type ConsoleFrame, consolePage } from './console-pages';

const when = (ms: number) => formatNorwegian(ms);

/**
 * What is addressed to a recipient (the research centre, a municipal authority, or the coordinator), per deliverable:
 * every kindergarten's state, the version in force with its files to open, and a zip per region.
 */
export function receivedPage(
  frame: ConsoleFrame,
  options: {
    runId: string;
    heading: string;
    intro: string;
    /** `reviewed`: the deliverable goes to the municipal authority, which accepts or returns it; `reviewable`: this reader may. */
    deliverables: { id: string; title: string; rows: ReceivedRow[]; reviewed: boolean; reviewable: boolean; guided?: boolean; guidable?: boolean }[];
    /** Guidance by `<orgnr>/<deliverable>` (release 1.2.0), for deliverables that ask for it. */
    guidance?: Map<string, GuidanceLine>;
    /** The authorities' group set-ups (release 1.2.0): for an authority its own (`own`), for others how many have sent. */
    groupSetups?: GroupSetupLink[];
    regions: { id: string; name: string }[];
    message?: string | null;
  },
): string {
  const base = `/konsoll/runs/${options.runId}`;
  const sections = options.deliverables.map((d) => {
    const submitted = d.rows.filter((r) => r.submission).length;
    const reviewCell = (r: ReceivedRow) => {
      if (!d.reviewed) return null;
      const current = r.review && r.submission && r.review.version === r.submission.version ? r.review : null;
      const link = r.submission && d.reviewable ? html`<a href="${base}/mottatt/${r.orgnr}/${d.id}/vurdering">${current ? 'Se vurderingen' : 'Vurder'}</a>` : null;
      return html`<td>${current ? html`${verdictText(current)}<br>` : r.review && r.review.verdict === 'returned' ? html`Sendt tilbake ${when(r.review.at)}; venter på ny versjon<br>` : null}${link ?? (current ? null : '–')}</td>`;
    };
    const guidanceCell = (r: ReceivedRow) => {
      if (!d.guided) return null;
      const line = options.guidance?.get(`${r.orgnr}/${d.id}`) ?? null;
      const link = r.submission && d.guidable ? html`<a href="${base}/mottatt/${r.orgnr}/${d.id}/veiledning">${line?.state === 'given' ? 'Se veiledningen' : 'Gi veiledning'}</a>` : null;
      return html`<td>${line ? html`<span class="guidance-state ${line.state}">${guidanceText(line)}</span><br>` : null}${link ?? (line ? null : '–')}</td>`;
    };
    const rows = d.rows.map(
      (r) =>
        html`<tr><th scope="row">${r.name}</th><td>${r.municipality}</td><td><span class="status ${r.status}">${DELIVERABLE_STATUS[r.status] ?? r.status}</span></td><td class="nowrap">${when(r.dueAt)}</td><td>${
          r.submission
            ? html`${r.submission.receiptNumber}, versjon ${String(r.submission.version ?? '')}${r.submission.late ? ' (etter fristen)' : ''}, ${when(r.submission.receivedAt)}<br>${r.submission.files.map((f) => html`<a href="${base}/innleveringer/${r.submission?.id ?? ''}/filer/${f.position}">${f.name}</a> (${formatFileSize(f.size)})<br>`)}`
            : html`–`
        }</td>${reviewCell(r)}${guidanceCell(r)}</tr>`,
    );
    return html`<h2>${d.title}</h2><p>${submitted} av ${d.rows.length} har levert.${d.reviewable ? ' Vurder hver analyse: godkjenn den, eller send den tilbake til revisjon med en kommentar og en ny frist.' : ''}${d.guidable ? ' Gi veiledning på hver innlevering: styreren får den på e-post.' : ''}</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="${d.title} (kan rulles sidelengs)"><table><thead><tr><th scope="col">Barnehage</th><th scope="col">Kommune</th><th scope="col">Status</th><th scope="col">Frist</th><th scope="col">Innlevert</th>${d.reviewed ? html`<th scope="col">Vurdering</th>` : null}${d.guided ? html`<th scope="col">Veiledning</th>` : null}</tr></thead><tbody>${rows}</tbody></table></div>`;
  });
  const body = html`<h1>${options.heading}</h1>
${options.message ? html`<div class="notice good" role="status"><p>${options.message}</p></div>` : null}
<p>${options.intro}</p>
${groupSetupSection(options.groupSetups ?? [])}
${options.regions.length ? html`<p>Alt som er levert fra en region, som zip: ${options.regions.map((r, i) => html`${i > 0 ? ' · ' : ''}<a href="${base}/regioner/${r.id}/innleveringer.zip">${r.name}</a>`)}</p>` : null}
${sections.length ? sections : html`<p>Ingen innleveringer i planen er adressert til dere.</p>`}
<p><a href="${base}">Hele programåret</a></p>`;
  return consolePage(frame, body);
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
export function groupSetupSection(links: GroupSetupLink[]): Html | null {
  if (links.length === 0) return null;
  return html`${links.map((g) =>
    g.own !== undefined
      ? html`<section class="group-setup-link"><h2>${g.title}</h2><p>${g.own ? `Dere sendte versjon ${g.own.version} ${when(g.own.receivedAt)}${g.own.late ? ' (etter fristen)' : ''}.` : 'Dere har ikke sendt det ennå.'} <a href="${g.href}">${g.own ? 'Se eller endre gruppeoppsettet' : 'Send gruppeoppsettet'}</a></p></section>`
      : html`<section class="group-setup-link"><h2>${g.title}</h2><p>${g.sent} av ${count(g.total, 'kommune', 'kommuner')} har sendt. <a href="${g.href}">Se gruppeoppsettene</a></p></section>`,
  )}`;
}

/** A verdict in words: "Godkjent mandag 4. juni 2018 kl. 10.30" or "Sendt tilbake …, ny frist …". */
function verdictText(r: ReviewLine): string {
  return r.verdict === 'accepted' ? `Godkjent ${when(r.at)} (versjon ${r.version})` : `Sendt tilbake ${when(r.at)} (versjon ${r.version}), ny frist ${r.dueAt === null ? '–' : when(r.dueAt)}`;
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
    form: { action: string; reviewId: string; verdict: string; comment: string; due: string } | null;
    refusal?: string | null;
  },
): string {
  const base = `/konsoll/runs/${options.runId}`;
  const s = options.submission;
  const history = options.reviews.map((r) => html`<li>${verdictText(r)}${r.comment ? html`: «${r.comment}»` : null} – ${r.by}</li>`);
  const f = options.form;
  const checked = (v: string) => (f?.verdict === v ? html` checked` : null);
  const form = f
    ? html`<form method="post" action="${f.action}" class="review">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="vurdering" value="${f.reviewId}">
<fieldset><legend>Din vurdering</legend>
<div class="choice"><input type="radio" id="v-godkjent" name="utfall" value="godkjent"${checked('godkjent')}><label for="v-godkjent">Godkjent</label></div>
<div class="choice"><input type="radio" id="v-tilbake" name="utfall" value="tilbake"${checked('tilbake')}><label for="v-tilbake">Send tilbake til revisjon</label></div>
</fieldset>
<label for="kommentar">Kommentar til styreren (må fylles ut når analysen sendes tilbake)</label>
<textarea id="kommentar" name="kommentar" rows="5">${f.comment}</textarea>
<label for="frist">Ny frist når analysen sendes tilbake</label>
<input type="datetime-local" id="frist" name="frist" value="${f.due}">
<button type="submit">Lagre vurderingen</button>
</form>`
    : html`<p>Denne versjonen er vurdert. En ny versjon fra barnehagen kan vurderes når den kommer.</p>`;
  const body = html`<h1>${options.deliverable.title}: ${options.kindergarten}</h1>
<p>${options.kindergarten}, ${options.municipality}. Frist ${when(options.deliverable.dueAt)}.</p>
${options.refusal ? html`<div class="notice bad" role="alert"><h2>Vurderingen ble ikke lagret</h2><p>${options.refusal}</p></div>` : null}
<h2>Innleveringen</h2>
${s
  ? html`<p>${s.receiptNumber}, versjon ${String(s.version ?? '')}${s.late ? ' (etter fristen)' : ''}, mottatt ${when(s.receivedAt)}.</p><ul>${s.files.map((file) => html`<li><a href="${base}/innleveringer/${s.id}/filer/${file.position}">${file.name}</a> (${formatFileSize(file.size)})</li>`)}</ul>`
  : html`<p>Barnehagen har ikke levert ennå.</p>`}
${history.length ? html`<h2>Tidligere vurderinger</h2><ul>${history}</ul>` : null}
${s ? form : null}
<p><a href="${base}/mottatt">Tilbake til oversikten</a></p>`;
  return consolePage(frame, body);
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
`;

/** A guidance state with its date: "Veiledning skyldes innen …", "Veiledning forsinket (skulle vært gitt …)", "Veiledning gitt …". */
export function guidanceText(line: GuidanceLine): string {
  if (line.state === 'given') return `${GUIDANCE_STATE.given} ${when((line.given.at(-1) as GuidanceRecord).at)}`;
  if (line.state === 'late') return `${GUIDANCE_STATE.late} (skulle vært gitt ${line.dueAt === null ? '–' : when(line.dueAt)})`;
  return `${GUIDANCE_STATE.owed} innen ${line.dueAt === null ? '–' : when(line.dueAt)}`;
}

/** Guidance given, oldest first: when, on which version, the text and its files (links where the reader may open them). */
export function guidanceHistory(given: GuidanceRecord[], fileHref: ((g: GuidanceRecord, position: number) => string) | null, options: { by?: boolean } = {}): Html {
  return html`${given.map(
    (g) => html`<article class="guidance"><h3>Veiledning ${when(g.at)} (versjon ${String(g.version)})${options.by ? ` – ${g.by}` : ''}</h3>
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
    form: { action: string; guidanceId: string; text: string } | null;
    refusal?: string | null;
  },
): string {
  const base = `/konsoll/runs/${options.runId}`;
  const s = options.submission;
  const f = options.form;
  const form = f
    ? html`<form method="post" action="${f.action}" enctype="multipart/form-data" class="review">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="veiledning" value="${f.guidanceId}">
<label for="tekst">Veiledning til styreren</label>
<textarea id="tekst" name="tekst" rows="10" required>${f.text}</textarea>
<label for="filer">Vedlegg (valgfritt, PDF, Word eller bilde; høyst 5 filer)</label>
<input type="file" id="filer" name="filer" multiple>
<button type="submit">Send veiledningen til styreren</button>
</form>`
    : null;
  const body = html`<h1>Veiledning: ${options.kindergarten}</h1>
<p>${options.deliverable.title}. ${options.kindergarten}, ${options.municipality}.${options.line ? html` <strong>${guidanceText(options.line)}.</strong>` : null}</p>
${options.refusal ? html`<div class="notice bad" role="alert"><h2>Veiledningen ble ikke sendt</h2><p>${options.refusal}</p></div>` : null}
<h2>Innleveringen</h2>
${s
  ? html`<p>${s.receiptNumber}, versjon ${String(s.version ?? '')}${s.late ? ' (etter fristen)' : ''}, mottatt ${when(s.receivedAt)}.</p><ul>${s.files.map((file) => html`<li><a href="${base}/innleveringer/${s.id}/filer/${file.position}">${file.name}</a> (${formatFileSize(file.size)})</li>`)}</ul>`
  : html`<p>Barnehagen har ikke levert ennå.</p>`}
${options.line?.given.length ? html`<h2>Veiledning som er gitt</h2>${guidanceHistory(options.line.given, (g, i) => `${base}/veiledning/${g.guidanceId}/filer/${i}`)}` : null}
${s && form ? html`<h2>${options.line?.given.length ? 'Gi mer veiledning' : 'Gi veiledning'}</h2><p>Styreren får veiledningen på e-post, med vedleggene, og finner den på innleveringssiden.</p>${form}` : null}
<p><a href="${base}/mottatt">Tilbake til oversikten</a></p>`;
  return consolePage(frame, body);
}
