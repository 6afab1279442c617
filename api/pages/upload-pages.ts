import type { LinkTarget, Submission } from '../../activities/db/submission-repository';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import type { FileProblem, LinkRefusal } from '../../application/upload-service';
import { type Html, html } from '../../texts/html';
import { page } from './layout';
import { DELIVERABLE_STATUS_FOR_DIRECTOR } from '../../texts/catalogue';

/** The director's upload pages: the form, the receipt, refusals and link problems, all in bokmål. */

const STATUS_LABELS = DELIVERABLE_STATUS_FOR_DIRECTOR;

const ACCEPT = '.pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text';

const when = (ms: number) => formatNorwegian(ms);

function contact(target: LinkTarget | null): Html {
  if (!target) return html`<footer class="contact"><p>Spørsmål? Kontakt fylkeskoordinatoren som sendte deg e-posten.</p></footer>`;
  const { name, email } = target.coordinator;
  return html`<footer class="contact"><p>Spørsmål? Kontakt ${name}, <a href="mailto:${email}">${email}</a>.</p></footer>`;
}

function facts(target: LinkTarget): Html {
  return html`<dl class="facts">
<dt>Barnehage</dt><dd>${target.kindergartenName} (${target.municipalityName})</dd>
<dt>Frist</dt><dd>${when(target.dueAt)}</dd>
<dt>Forsinket innlevering</dt><dd>tas imot til ${when(target.lateUntil)}</dd>
<dt>Status</dt><dd>${STATUS_LABELS[target.status] ?? target.status}</dd>
</dl>`;
}

function fileList(submission: Submission): Html[] {
  return submission.files.map((f) => html`${f.name} (${formatFileSize(f.size)})<br>`);
}

function versions(submissions: Submission[]): Html {
  const shown = submissions.filter((s) => s.state !== 'stored');
  if (shown.length === 0) return html`<h2>Tidligere innleveringer</h2><p>Ingen ennå.</p>`;
  const reviewed = shown.some((s) => s.reviews.length > 0);
  const verdicts = (s: Submission) =>
    reviewed
      ? html`<td>${s.reviews.length
          ? s.reviews.map((r) => html`${r.verdict === 'accepted' ? `Godkjent ${when(r.at)}` : `Sendt tilbake ${when(r.at)}${r.dueAt !== null ? `, ny frist ${when(r.dueAt)}` : ''}`}${r.comment ? html`: «${r.comment}»` : null}<br>`)
          : '–'}</td>`
      : null;
  const rows = shown.map((s) =>
    s.state === 'accepted'
      ? html`<tr><td>Versjon ${s.version ?? ''}</td><td>${when(s.receivedAt)}${s.late ? ' (etter fristen)' : ''}</td><td>${fileList(s)}</td><td>${s.receiptNumber}</td>${verdicts(s)}</tr>`
      : html`<tr><td>Ikke tatt imot</td><td>${when(s.receivedAt)}</td><td>${fileList(s)}</td><td>${s.receiptNumber}</td>${verdicts(s)}</tr>`,
  );
  return html`<h2>Tidligere innleveringer</h2>
<p>Den siste versjonen er den som gjelder.</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table>
<caption class="hint">Innleveringer fra barnehagen, eldste først</caption>
<thead><tr><th scope="col">Versjon</th><th scope="col">Mottatt</th><th scope="col">Filer</th><th scope="col">Referanse</th>${reviewed ? html`<th scope="col">Barnehagemyndighetens vurdering</th>` : null}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

const PROBLEM_TEXT: Record<FileProblem['problem'], (limitMb: number) => string> = {
  empty: () => 'filen er tom',
  'too-large': (limitMb) => `filen er større enn ${limitMb} MB`,
  'wrong-type': () => 'filen er ikke en PDF-, Word- (DOCX) eller OpenDocument-fil (ODT)',
  'suspicious-archive': () => 'filen ser ut som et dokument, men innholdet er ikke et vanlig dokument',
};

const MESSAGE_TEXT: Record<string, (limits: { maxFiles: number }) => string> = {
  'no-files': () => 'Velg minst én fil å sende inn.',
  'too-many-files': ({ maxFiles }) => `Du kan sende inn høyst ${maxFiles} filer om gangen.`,
  'bad-comment': () => 'Kommentaren kan være på høyst 2000 tegn.',
  'submission-id-taken': () => 'Skjemaet var utløpt. Last inn siden på nytt og prøv igjen.',
  'bad-form': () => 'Skjemaet kom ikke fram riktig. Last inn siden på nytt og prøv igjen.',
};

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
}): string {
  const { target, limits } = options;
  const limitMb = Math.round(limits.maxFileBytes / 1024 / 1024);
  const errors = options.errors;
  const errorItems = errors
    ? [
        ...(errors.message ? [html`<li>${MESSAGE_TEXT[errors.message]?.(limits) ?? errors.message}</li>`] : []),
        ...errors.problems.map((p) => html`<li>${p.file}: ${PROBLEM_TEXT[p.problem](limitMb)}.</li>`),
      ]
    : [];
  const summary =
    errorItems.length > 0
      ? html`<div class="notice bad" role="alert" id="feil"><h2>Innleveringen ble ikke sendt</h2><ul>${errorItems}</ul><p>Ingenting er lagret. Rett opp og send inn på nytt.</p></div>`
      : null;
  const body = html`<h1>${target.deliverable.title}</h1>
${facts(target)}
${summary}
${target.withdrawn ? html`<div class="notice bad"><p>Barnehagen er trukket fra programmet. Innleveringer tas ikke imot.</p></div>` : null}
${guidanceSection(options.guidance ?? [], options.formAction)}
<form method="post" action="${options.formAction}" enctype="multipart/form-data">
<input type="hidden" name="innsending" value="${options.submissionId}">
<label for="filer">Filer</label>
<p class="hint" id="filer-hint">PDF, Word (DOCX) eller OpenDocument (ODT), inntil ${limitMb} MB per fil og ${limits.maxFiles} filer.</p>
<input type="file" id="filer" name="filer" multiple required accept="${ACCEPT}" aria-describedby="filer-hint${summary ? ' feil' : ''}">
<label for="kommentar">Kommentar (valgfritt)</label>
<p class="hint" id="kommentar-hint">Til ${recipientText(target)}. Høyst 2000 tegn.</p>
<textarea id="kommentar" name="kommentar" maxlength="2000" rows="4" aria-describedby="kommentar-hint">${options.comment ?? ''}</textarea>
<button type="submit">Send inn</button>
</form>
${versions(options.submissions)}
${contact(target)}`;
  return page({ title: target.deliverable.title, body, header: target.programme });
}

/** The guidance the research centre has given, newest first, each with its files to open. */
function guidanceSection(given: NonNullable<Parameters<typeof uploadPage>[0]['guidance']>, base: string): Html | null {
  if (given.length === 0) return null;
  return html`<h2 id="veiledning">Veiledning fra forskningssenteret</h2>${[...given].reverse().map(
    (g) => html`<section class="guidance"><h3>${when(g.at)} (på versjon ${String(g.version)})</h3>${g.text.split(/\n\s*\n/).map((p) => html`<p>${p}</p>`)}${g.files.length ? html`<ul>${g.files.map((f, i) => html`<li><a href="${base}/veiledning/${g.guidanceId}/filer/${i + 1}">${f.name}</a> (${formatFileSize(f.size)})</li>`)}</ul>` : null}</section>`,
  )}`;
}

function recipientText(target: LinkTarget): string {
  if (target.deliverable.recipient === 'research-centre') return 'forskningssenteret som gir veiledning';
  if (target.deliverable.recipient === 'municipal-authority') return 'barnehagemyndigheten i kommunen';
  return 'fylkeskoordinatoren';
}

/** The receipt: number, time in Oslo, and each file with its size and SHA-256. */
export function receiptPage(options: { target: LinkTarget; submission: Submission; backHref: string }): string {
  const { target, submission: s } = options;
  const rows = s.files.map((f) => html`<tr><td>${f.name}</td><td>${formatFileSize(f.size)}</td><td><code class="hash">${f.sha256}</code></td></tr>`);
  const body = html`<h1>Kvittering</h1>
<div class="notice ok" role="status"><p><strong>${target.deliverable.title}</strong> er mottatt.${s.late ? ' Innleveringen kom etter fristen.' : ''}</p></div>
<dl class="facts">
<dt>Kvitteringsnummer</dt><dd>${s.receiptNumber}</dd>
<dt>Mottatt</dt><dd>${when(s.receivedAt)}</dd>
<dt>Barnehage</dt><dd>${target.kindergartenName} (${target.municipalityName})</dd>
<dt>Versjon</dt><dd>${s.version ?? ''}</dd>
</dl>
<h2>Filer</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table>
<thead><tr><th scope="col">Filnavn</th><th scope="col">Størrelse</th><th scope="col">SHA-256</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>
${s.comment ? html`<h2>Kommentar</h2><p>${s.comment}</p>` : null}
<p>Kvitteringen er også sendt til deg på e-post. Du kan sende inn en ny versjon fram til fristen.</p>
<p><a href="${options.backHref}">Tilbake til innleveringen</a></p>
${contact(target)}`;
  return page({ title: `Kvittering ${s.receiptNumber}`, body, header: target.programme });
}

/** Why the workflow refused, in bokmål; the stored files are kept and the coordinator can see them. */
export function refusedPage(options: { target: LinkTarget; reason: string; receiptNumber: string; backHref: string }): string {
  const { target, reason } = options;
  const body = html`<h1>Innleveringen ble ikke tatt imot</h1>
<div class="notice bad" role="alert"><p>${reason || 'Innleveringen ble ikke tatt imot.'}</p><p>Kontakt fylkeskoordinatoren hvis du mener dette er feil, eller hvis dere trenger mer tid.</p></div>
${facts(target)}
<p>Filene er tatt vare på med referanse ${options.receiptNumber}, merket som ikke tatt imot. Fylkeskoordinatoren kan se dem.</p>
<p><a href="${options.backHref}">Tilbake til innleveringen</a></p>
${contact(target)}`;
  return page({ title: 'Ikke tatt imot', body, header: target.programme });
}

/** Stored, but the workflow could not be asked: the retry button re-sends the same submission id, without files. */
export function pendingPage(options: { target: LinkTarget; formAction: string; submissionId: string }): string {
  const body = html`<h1>Filene er lagret, men ikke bekreftet ennå</h1>
<div class="notice" role="status"><p>Vi har tatt vare på filene, men fikk ikke bekreftet innleveringen akkurat nå. Vi prøver igjen automatisk. Du kan også prøve selv om litt – du trenger ikke velge filene på nytt.</p></div>
<form method="post" action="${options.formAction}" enctype="multipart/form-data">
<input type="hidden" name="innsending" value="${options.submissionId}">
<button type="submit">Prøv igjen</button>
</form>
${contact(options.target)}`;
  return page({ title: 'Ikke bekreftet ennå', body, header: options.target.programme });
}

const LINK_TEXT: Record<LinkRefusal, { title: string; text: string }> = {
  malformed: { title: 'Lenken er ikke gyldig', text: 'Lenken er ufullstendig. Kopier hele lenken fra e-posten, eller klikk på den direkte.' },
  forged: { title: 'Lenken er ikke gyldig', text: 'Denne lenken er ikke laget av Årshjul, eller den er endret. Bruk lenken i e-posten du fikk.' },
  unknown: { title: 'Lenken er ikke gyldig', text: 'Vi finner ikke innleveringen lenken gjelder. Bruk lenken i den siste e-posten du fikk.' },
  revoked: { title: 'Lenken er erstattet', text: 'Fylkeskoordinatoren har sendt en ny lenke, så denne virker ikke lenger. Bruk lenken i den nyeste e-posten.' },
  expired: { title: 'Lenken er utløpt', text: 'Fristen for forsinket innlevering er passert, så lenken virker ikke lenger.' },
};

export function linkProblemPage(reason: LinkRefusal, target: LinkTarget | null): string {
  const { title, text } = LINK_TEXT[reason];
  // The page names only what the link itself proves (a genuine, revoked or expired link), never another kindergarten.
  const body = html`<h1>${title}</h1>
<div class="notice bad" role="alert"><p>${text}</p></div>
${target && reason !== 'unknown' ? html`<p>Lenken gjelder ${target.deliverable.title} for ${target.kindergartenName}.</p>` : null}
${contact(target)}`;
  return page({ title, body, header: target?.programme ?? 'Årshjul' });
}

export const LINK_STATUS: Record<LinkRefusal, number> = { malformed: 404, forged: 404, unknown: 404, revoked: 410, expired: 410 };

/** The database or file storage could not be reached: nothing the director did wrong, and the same form may be sent again. */
export function unavailablePage(): string {
  const body = html`<h1>Innleveringen kunne ikke fullføres akkurat nå</h1>
<div class="notice bad" role="alert"><p>Lagringen hos Årshjul er midlertidig utilgjengelig. Gå tilbake og send skjemaet på nytt om et øyeblikk – det blir ikke registrert to ganger. Du får en kvittering når innleveringen er mottatt.</p></div>`;
  return page({ title: 'Midlertidig utilgjengelig', body, header: 'Årshjul' });
}
