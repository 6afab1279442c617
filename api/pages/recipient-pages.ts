import type { ReceivedRow } from '../../activities/db/console-repository';
import { DELIVERABLE_STATUS } from '../../texts/catalogue';
import { html } from '../../texts/html';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import { type ConsoleFrame, consolePage } from './console-pages';

const when = (ms: number) => formatNorwegian(ms);

/**
 * What is addressed to a recipient (the research centre, a municipal authority, or the coordinator), per deliverable:
 * every kindergarten's state, the version in force with its files to open, and a zip per region.
 */
export function receivedPage(
  frame: ConsoleFrame,
  options: { runId: string; heading: string; intro: string; deliverables: { id: string; title: string; rows: ReceivedRow[] }[]; regions: { id: string; name: string }[] },
): string {
  const base = `/konsoll/runs/${options.runId}`;
  const sections = options.deliverables.map((d) => {
    const submitted = d.rows.filter((r) => r.submission).length;
    const rows = d.rows.map(
      (r) =>
        html`<tr><th scope="row">${r.name}</th><td>${r.municipality}</td><td><span class="status ${r.status}">${DELIVERABLE_STATUS[r.status] ?? r.status}</span></td><td class="nowrap">${when(r.dueAt)}</td><td>${
          r.submission
            ? html`${r.submission.receiptNumber}, versjon ${String(r.submission.version ?? '')}${r.submission.late ? ' (etter fristen)' : ''}, ${when(r.submission.receivedAt)}<br>${r.submission.files.map((f) => html`<a href="${base}/innleveringer/${r.submission?.id ?? ''}/filer/${f.position}">${f.name}</a> (${formatFileSize(f.size)})<br>`)}`
            : html`–`
        }</td></tr>`,
    );
    return html`<h2>${d.title}</h2><p>${submitted} av ${d.rows.length} har levert.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="${d.title} (kan rulles sidelengs)"><table><thead><tr><th scope="col">Barnehage</th><th scope="col">Kommune</th><th scope="col">Status</th><th scope="col">Frist</th><th scope="col">Innlevert</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  });
  const body = html`<h1>${options.heading}</h1>
<p>${options.intro}</p>
${options.regions.length ? html`<p>Alt som er levert fra en region, som zip: ${options.regions.map((r, i) => html`${i > 0 ? ' · ' : ''}<a href="${base}/regioner/${r.id}/innleveringer.zip">${r.name}</a>`)}</p>` : null}
${sections.length ? sections : html`<p>Ingen innleveringer i planen er adressert til dere.</p>`}
<p><a href="${base}">Hele programåret</a></p>`;
  return consolePage(frame, body);
}
