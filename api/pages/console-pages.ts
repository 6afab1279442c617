import type { AttentionItem, KindergartenDetail, MatrixRow, RunSummary } from '../../activities/db/console-repository';
import type { User } from '../../activities/db/account-repository';
import type { InputIssue } from '../../config/errors';
import { formatIssue } from '../../config/errors';
import { formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import { AUDIT_ACTIONS } from '../../domain/audit';
import { type Timeline, placeName } from '../../domain/timeline';
import { type Html, html } from '../../texts/html';
import { timelineChart } from './timeline-svg';
import type { UpcomingEmail } from '../../domain/kindergarten-schedule';
import type { GuidanceLine } from '../../application/guidance';
import { type GroupSetupLink, groupSetupSection, guidanceHistory } from './recipient-pages';
import { type AuditNames, DELIVERABLE_STATUS, EMAIL_STATE, GUIDANCE_STATE, ROLE, templateName, PAST_OUTCOME, actorText, auditSentence, count, pastStepText, upcomingEmailText } from '../../texts/catalogue';
import type { PastStep } from '../../domain/start-preview';
import type { Language } from '../../texts/language';

/** The coordinator's console, server-rendered in bokmål: sign-in, runs, a run at a glance, a kindergarten, actions. */

export const STATUS_LABELS = DELIVERABLE_STATUS;
export const STATUS_ORDER = ['not-open', 'open', 'submitted', 'submitted-late', 'overdue', 'missed', 'extended', 'withdrawn'];

const when = (ms: number) => formatNorwegian(ms);

export interface ConsoleFrame {
  user: User | null;
  csrf: string | null;
  title: string;
  /** A one-line message after an action (shown as a status). */
  message?: string | null;
}

/** The console's page: a skip link, a header with who is signed in and a sign-out button, then the main content. */
export function consolePage(frame: ConsoleFrame, body: Html, language: Language = 'nb'): string {
  const header = frame.user
    ? html`<header class="site console"><p><a href="/konsoll">Årshjul</a></p><form method="post" action="/konsoll/logg-ut"><input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><span>${frame.user.name}${frame.user.role === 'research-centre' ? null : ` (${ROLE[frame.user.role] ?? frame.user.role})`}</span> <button type="submit" class="link">Logg ut</button></form></header>`
    : html`<header class="site console"><p>Årshjul</p></header>`;
  return html`<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${frame.title} – Årshjul</title>
<link rel="stylesheet" href="/assets/arshjul.css">
<link rel="stylesheet" href="/assets/konsoll.css">
</head>
<body>
<a class="skip" href="#innhold">Hopp til innholdet</a>
${header}
<main id="innhold" class="wide">
${frame.message ? html`<div class="notice ok" role="status"><p>${frame.message}</p></div>` : null}
${body}
</main>
</body>
</html>
`.html;
}

export const CONSOLE_STYLES = `
.skip { position: absolute; left: -999px; top: 0; background: #fff; color: #00509e; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.console { display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap; gap: .5rem; }
header.console a { color: #fff; }
header.console form { margin: 0; }
header.console span { margin-right: .5rem; }
button.link { margin: 0; padding: .25rem .75rem; min-height: 0; background: #fff; color: #00509e; border-color: #fff; }
main.wide { max-width: 80rem; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
.counts li { border: 1px solid #767676; border-radius: 4px; padding: .25rem .6rem; }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; }
.filters label { margin: 0 0 .25rem; }
.filters > div { min-width: 0; max-width: 100%; }
main select, main input, main textarea { max-width: 100%; }
.filters select, .filters input, form.action select, form.action input[type=text], form.action input[type=email], form.action input[type=date], form.action input[type=datetime-local], form.action textarea { font: inherit; padding: .45rem; border: 2px solid #767676; border-radius: 4px; background: #fff; color: #1b1b1b; }
.filters button, .actions button { margin-top: 0; }
table.matrix td, table.matrix th { white-space: nowrap; }
.guidance-state { display: inline-block; font-size: .85rem; padding: .05rem .4rem; border-radius: 3px; border: 1px solid #1d5b8f; color: #123c5e; background: #eef4fa; margin-top: .2rem; }
.guidance-state.late { border-color: #a4262c; color: #7a1c20; background: #fbeeee; }
.guidance-state.given { border-color: #2e7d32; color: #1b5e20; background: #edf7ee; }
table.matrix thead th { white-space: normal; min-width: 7rem; vertical-align: bottom; }
.status { display: inline-block; padding: 0 .4rem; border-radius: 3px; border: 1px solid #767676; }
.status.submitted, .status.submitted-late { background: #edf7f0; border-color: #0b6b2f; }
.status.overdue, .status.missed { background: #fbeeee; border-color: #a4000f; }
.status.withdrawn { background: #eeeeee; }
.pager { display: flex; gap: 1rem; align-items: center; }
form.action { border: 1px solid #767676; border-radius: 4px; padding: .75rem 1rem; margin: .75rem 0; }
form.action h3 { margin: 0 0 .5rem; font-size: 1.05rem; }
.actions { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr)); gap: 0 1rem; align-items: start; }
form.action { min-width: 0; }
form.action label { margin-top: .75rem; }
form.action select, form.action input[type=text], form.action input[type=email], form.action input[type=date], form.action input[type=datetime-local], form.action textarea { display: block; width: 100%; max-width: 100%; min-width: 0; }
form.action button { margin-top: 1rem; }
nav.jump { margin: 0 0 1rem; }
main { overflow-wrap: break-word; }
table.matrix th[scope=row] { position: sticky; left: 0; background: #fff; }
dl.change { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; }
dl.change dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
@media (max-width: 30rem) { dl.change { grid-template-columns: minmax(0, 1fr); } dl.change dt { margin-top: .5rem; } }
.nowrap { white-space: nowrap; }
dd.message { white-space: pre-wrap; overflow-wrap: anywhere; }
.button.secondary { background: #fff; color: #00509e; margin-top: 0; margin-right: 1rem; }
form.action textarea { font: inherit; }
`;

export function signInPage(options: { error?: string | null; email?: string }): string {
  const body = html`<h1>Logg inn</h1>
${options.error ? html`<div class="notice bad" role="alert" id="feil"><p>${options.error}</p></div>` : null}
<form method="post" action="/konsoll/logg-inn" class="narrow">
<label for="epost">E-post</label>
<input type="email" id="epost" name="epost" autocomplete="username" required value="${options.email ?? ''}">
<label for="passord">Passord</label>
<input type="password" id="passord" name="passord" autocomplete="current-password" required>
<button type="submit">Logg inn</button>
</form>
<p class="hint">Kontoer opprettes med <code>arshjul user add</code>.</p>`;
  return consolePage({ user: null, csrf: null, title: 'Logg inn' }, body);
}

/** The next thing that happens in a run: a milestone or a deadline, with where. */
export interface NextStep {
  title: string;
  what: 'milestone' | 'deadline';
  where: string | null;
  at: number;
}

export function runsPage(frame: ConsoleFrame, runs: (RunSummary & { next: NextStep | null })[]): string {
  const attention = (r: RunSummary) => {
    const items = [
      r.overdue ? count(r.overdue, 'innlevering forfalt', 'innleveringer forfalt') : null,
      r.failedEmails ? count(r.failedEmails, 'e-post kom ikke fram', 'e-poster kom ikke fram') : null,
      r.refused ? count(r.refused, 'innlevering avvist', 'innleveringer avvist') : null,
    ].filter((x): x is string => x !== null);
    return items.length ? html`<a href="/konsoll/runs/${r.runId}#oppfolging">${items.join(', ')}</a>` : html`Ingenting`;
  };
  const next = (n: NextStep | null) => (n ? html`${n.what === 'deadline' ? 'Frist for ' : ''}«${n.title}»${n.where ? ` (${n.where})` : ''}, ${when(n.at)}` : html`Ingenting mer planlagt`);
  const rows = runs.map(
    (r) => html`<tr><th scope="row"><a href="/konsoll/runs/${r.runId}">${r.countyName} ${r.schoolYear}/${r.schoolYear + 1}</a></th><td>${attention(r)}</td><td>${next(r.next)}</td><td>${r.kindergartens - r.withdrawn}${r.withdrawn ? ` (${r.withdrawn} trukket)` : ''}</td></tr>`,
  );
  const body = html`<h1>Programår</h1>
${frame.user?.role === 'coordinator' ? html`<p><a class="button" href="/konsoll/ny">Start et nytt programår</a></p>` : null}
${runs.length === 0
  ? html`<p>Ingen programår er startet ennå.</p>`
  : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><caption class="hint">Programår du har tilgang til</caption><thead><tr><th scope="col">Programår</th><th scope="col">Trenger oppfølging</th><th scope="col">Neste steg</th><th scope="col">Barnehager</th></tr></thead><tbody>${rows}</tbody></table></div>`}`;
  return consolePage(frame, body);
}

export function newRunPage(frame: ConsoleFrame, options: { issues?: InputIssue[]; summary?: string | null; exampleYear: number; runs?: RunSummary[] }): string {
  const body = html`<h1>Start et nytt programår</h1>
${options.issues?.length
  ? html`<div class="notice bad" role="alert" id="feil"><h2>${options.summary ?? 'Filene kan ikke brukes'}</h2><ul>${options.issues.map((i) => html`<li>${formatIssue(i)}</li>`)}</ul><p>Ingenting er startet.</p></div>`
  : null}
<form method="post" action="/konsoll/ny" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<label for="plan">Plan (YAML eller JSON)</label>
<p class="hint" id="plan-hint">La stå tom for å bruke eksempelplanen for Kultur for læring, rullet fram til ${options.exampleYear}/${options.exampleYear + 1}.</p>
<input type="file" id="plan" name="plan" accept=".yaml,.yml,.json" aria-describedby="plan-hint">
<label for="roster">Deltakerliste (Excel, CSV eller JSON)</label>
<p class="hint" id="roster-hint">Én rad per barnehage med region, kommune, barnehagemyndighet og styrer. Last ned malen som <a href="/konsoll/mal/deltakerliste.xlsx">Excel-ark</a> (med reglene på ark 2) eller <a href="/konsoll/mal/deltakerliste.csv">CSV</a>. La stå tom for å bruke eksempellisten (61 barnehager i Hedmark).</p>
<input type="file" id="roster" name="roster" accept=".xlsx,.csv,.json" aria-describedby="roster-hint">
<button type="submit">Kontroller og vis tidslinjen</button>
</form>
${options.runs?.length
  ? html`<h2>Eller: fortsett fra et programår</h2>
<form method="post" action="/konsoll/ny/fra-programar" class="narrow">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<label for="programar">Programår</label>
<p class="hint" id="programar-hint">Planen rulles fram til neste skoleår (samme ukenummer og ukedag), og deltakerlisten tas med slik den er nå: kontakter som er endret, barnehager som er lagt til, uten dem som er trukket. Du kan redigere datoene før noe startes.</p>
<select id="programar" name="programar" aria-describedby="programar-hint">${options.runs.map((r) => html`<option value="${r.runId}">${r.countyName} ${r.schoolYear}/${r.schoolYear + 1}</option>`)}</select>
<button type="submit">Lag utkast for neste år</button>
</form>`
  : null}`;
  return consolePage(frame, body);
}

export function timelineTable(timeline: Timeline): Html {
  const rows = timeline.milestones.flatMap((m) =>
    m.occurrences.map((o) => html`<tr><td>${m.title}</td><td>${o.scope === 'run' ? 'hele fylket' : (placeName(timeline, o.regionId, o.groupId) ?? '')}</td><td>${when(o.at)}${o.version > 0 ? ' (flyttet)' : ''}</td></tr>`),
  );
  const deliverables = timeline.deliverables.flatMap((d) =>
    d.windows.map((w) => html`<tr><td>${d.title}</td><td>${w.scope === 'run' ? 'hele fylket' : (placeName(timeline, w.regionId, w.groupId) ?? '')}</td><td>frist ${when(w.dueAt)}</td></tr>`),
  );
  return html`<details><summary>Tidslinjen som tabell</summary><div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><caption class="hint">Milepæler og frister</caption><thead><tr><th scope="col">Hva</th><th scope="col">Hvor</th><th scope="col">Når</th></tr></thead><tbody>${rows}${deliverables}</tbody></table></div></details>`;
}

/** The steps already past when the year starts: recorded, sent at once, or skipped, as the workflows will do it. */
function pastStepsSection(past: PastStep[]): Html | null {
  if (past.length === 0) return null;
  const sent = past.filter((p) => p.outcome === 'send').length;
  const skipped = past.filter((p) => p.outcome === 'skip').length;
  const rows = past.map(
    (p) => html`<tr><td class="nowrap">${when(p.at)}</td><td>${pastStepText(p)}</td><td>${p.places ? p.places.join(', ') : 'hele fylket'}</td><td>${PAST_OUTCOME[p.outcome]}</td></tr>`,
  );
  return html`<h2>Allerede passert</h2>
<div class="notice"><p>${count(past.length, 'steg', 'steg')} i planen har tidspunkt før i dag. Når du starter nå, sendes ${count(sent, 'e-post', 'e-poster')} straks (de er fortsatt nyttige), ${count(skipped, 'e-post', 'e-poster')} hoppes over, og milepælene som har vært, regnes som gjennomført.</p></div>
<div class="table-wrap" tabindex="0" role="region" aria-label="Steg som allerede er passert (kan rulles sidelengs)"><table><thead><tr><th scope="col">Planlagt</th><th scope="col">Hva</th><th scope="col">For</th><th scope="col">Ved start</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function previewPage(
  frame: ConsoleFrame,
  options: { draftId: string; timeline: Timeline; programme: string; runId: string; kindergartens: number; municipalities: number; now: number; past: PastStep[]; rosterIssues?: InputIssue[]; rosterSummary?: string | null },
): string {
  const body = html`<h1>Kontroller før start</h1>
${options.rosterIssues?.length
  ? html`<div class="notice bad" role="alert" id="feil"><h2>${options.rosterSummary ?? 'Deltakerlisten kan ikke brukes'}</h2><ul>${options.rosterIssues.map((i) => html`<li>${formatIssue(i)}</li>`)}</ul><p>Utkastet har fortsatt deltakerlisten det hadde.</p></div>`
  : null}
<dl class="facts"><dt>Programårets id</dt><dd>${options.runId}</dd><dt>Program</dt><dd>${options.programme}</dd><dt>Regioner</dt><dd>${options.timeline.regions.map((r) => r.name).join(', ')}</dd><dt>Kommuner</dt><dd>${options.municipalities}</dd><dt>Barnehager</dt><dd>${options.kindergartens}</dd></dl>
${pastStepsSection(options.past)}
<h2>Tidslinjen</h2>
${timelineChart(options.timeline, options.now)}
${timelineTable(options.timeline)}
<p><a class="button secondary" href="/konsoll/ny/${options.draftId}/plan">Rediger datoer og frister</a> <a href="/konsoll/ny/${options.draftId}/plan.yaml">Last ned planen som YAML</a></p>
<form method="post" action="/konsoll/ny/${options.draftId}/deltakerliste" enctype="multipart/form-data" class="narrow">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<label for="ny-deltakerliste">Bytt deltakerliste (Excel, CSV eller JSON)</label>
<p class="hint" id="ny-deltakerliste-hint">Utkastet har nå ${count(options.kindergartens, 'barnehage', 'barnehager')} i ${count(options.municipalities, 'kommune', 'kommuner')}. En ny liste erstatter den helt; den kontrolleres mot planen før den lagres. Last ned malen som <a href="/konsoll/mal/deltakerliste.xlsx">Excel-ark</a>.</p>
<input type="file" id="ny-deltakerliste" name="roster" accept=".xlsx,.csv,.json" aria-describedby="ny-deltakerliste-hint" required>
<button type="submit" class="secondary">Kontroller og bytt listen</button>
</form>
<form method="post" action="/konsoll/ny/${options.draftId}/start">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
<p>Når du starter, sender Årshjul e-post etter tidslinjen til alle barnehagene og kommunene på listen.</p>
<button type="submit">Start programåret</button>
</form>`;
  return consolePage(frame, body);
}

export interface RunPageData {
  run: RunSummary;
  timeline: Timeline | null;
  runState: string | null;
  counts: { deliverableId: string; status: string; count: number }[];
  deliverables: { id: string; title: string }[];
  regions: { id: string; name: string; groups: { id: string; name: string }[] }[];
  municipalities: { id: string; name: string; regionId: string }[];
  matrix: { total: number; rows: MatrixRow[] };
  filter: { region?: string | undefined; kommune?: string | undefined; status?: string | undefined; leveranse?: string | undefined };
  page: number;
  pageSize: number;
  attention: AttentionItem[];
  now: number;
  /** Planned due dates per group and deliverable, to show "extended" where a kindergarten's is later. */
  plannedDue: (row: MatrixRow, deliverableId: string) => number | null;
  /** The research centre's guidance by `<orgnr>/<deliverable>` (release 1.2.0): its own state beside the submission's. */
  guidance?: Map<string, GuidanceLine>;
  /** The authorities' group set-ups (release 1.2.0): how many have sent each, and the overview. */
  groupSetups?: GroupSetupLink[];
}

function option(value: string, label: string, selected: string | undefined): Html {
  return value === selected ? html`<option value="${value}" selected>${label}</option>` : html`<option value="${value}">${label}</option>`;
}

function query(filter: RunPageData['filter'], page: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
  if (page > 1) params.set('side', String(page));
  const q = params.toString();
  return q ? `?${q}` : '';
}

export function runPage(frame: ConsoleFrame, d: RunPageData): string {
  const coordinator = frame.user?.role === 'coordinator';
  const base = `/konsoll/runs/${d.run.runId}`;
  const countsFor = (deliverableId: string) =>
    STATUS_ORDER.flatMap((s) => {
      const n = d.counts.find((c) => c.deliverableId === deliverableId && c.status === s)?.count ?? 0;
      return n ? [html`<li><span class="status ${s}">${STATUS_LABELS[s] ?? s}</span> ${n}</li>`] : [];
    });
  const cell = (row: MatrixRow, deliverableId: string) => {
    const c = row.cells[deliverableId];
    if (!c) return html`<td>–</td>`;
    const planned = d.plannedDue(row, deliverableId);
    const extended = planned !== null && c.dueAt > planned && !['submitted', 'submitted-late', 'withdrawn'].includes(c.status);
    const status = extended ? 'extended' : c.status;
    const guidance = d.guidance?.get(`${row.orgnr}/${deliverableId}`);
    return html`<td><span class="status ${status}">${STATUS_LABELS[status] ?? status}</span>${guidance ? html`<br><span class="guidance-state ${guidance.state}">${GUIDANCE_STATE[guidance.state]}</span>` : null}</td>`;
  };
  const guidanceCounts = (deliverableId: string) =>
    (['owed', 'late', 'given'] as const).flatMap((state) => {
      const n = [...(d.guidance?.entries() ?? [])].filter(([key, line]) => key.endsWith(`/${deliverableId}`) && line.state === state).length;
      return n ? [html`<li><span class="guidance-state ${state}">${GUIDANCE_STATE[state]}</span> ${n}</li>`] : [];
    });
  const pages = Math.max(1, Math.ceil(d.matrix.total / d.pageSize));
  const matrixRows = d.matrix.rows.map(
    (r) => html`<tr><th scope="row"><a href="${base}/barnehager/${r.orgnr}">${r.name}</a></th><td>${r.municipalityName}</td>${d.deliverables.map((x) => cell(r, x.id))}</tr>`,
  );
  const attentionRows = d.attention.map((a) => {
    const kind = a.kind === 'overdue' ? 'Forfalt' : a.kind === 'email-failed' ? 'E-post feilet' : 'Innlevering avvist';
    // Named as people know them: the deliverable's title or the email's name, a status in words.
    const what = a.kind === 'email-failed' ? templateName(a.what) : (d.deliverables.find((x) => x.id === a.what)?.title ?? a.what);
    const detail = a.kind === 'overdue' ? (DELIVERABLE_STATUS[a.detail ?? ''] ?? a.detail) : a.kind === 'email-failed' && a.detail ? `Svar fra e-posttjenesten: ${a.detail}` : a.detail;
    return html`<tr><td>${kind}</td><td>${a.orgnr ? html`<a href="${base}/barnehager/${a.orgnr}">${a.name ?? a.orgnr}</a>` : '–'}</td><td>${what}</td><td>${when(a.at)}</td><td>${detail ?? ''}</td></tr>`;
  });
  const body = html`<h1>${d.run.countyName} ${d.run.schoolYear}/${d.run.schoolYear + 1}</h1>
<dl class="facts"><dt>Programårets id</dt><dd>${d.run.runId}</dd><dt>Tilstand</dt><dd>${d.runState ?? 'ukjent'}</dd><dt>Barnehager</dt><dd>${d.run.kindergartens} (${d.run.withdrawn} trukket)</dd></dl>
<p>${coordinator ? null : html`<a href="${base}/mottatt">Det som er sendt til dere</a> · `}<a href="${base}/status.csv">Last ned status som CSV</a>${coordinator ? html` · <a href="${base}/revisjon">Revisjonslogg</a> · <a href="${base}/oppbevaring">Oppbevaring og arkiv</a>` : null}</p>
${coordinator ? html`<p>Alle innleveringer fra en region som zip: ${d.regions.map((r, i) => html`${i > 0 ? ' · ' : ''}<a href="${base}/regioner/${r.id}/innleveringer.zip">${r.name}</a>`)}</p>` : null}
<nav class="jump" aria-label="På denne siden"><a href="#oppfolging">Trenger oppfølging</a>${coordinator ? html` · <a href="#handlinger">Handlinger</a>` : null} · <a href="#oversikt">Innleveringer</a> · <a href="#tidslinjen">Tidslinjen</a></nav>
<h2 id="oppfolging">Trenger oppfølging</h2>
${attentionRows.length
  ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><caption class="hint">Forfalte innleveringer, e-post som ikke kom fram, avviste innleveringer</caption><thead><tr><th scope="col">Hva</th><th scope="col">Barnehage</th><th scope="col">Gjelder</th><th scope="col">Når</th><th scope="col">Detaljer</th></tr></thead><tbody>${attentionRows}</tbody></table></div>`
  : html`<p>Ingenting nå.</p>`}
${coordinator && d.timeline ? runActions(frame, d) : null}
${groupSetupSection(d.groupSetups ?? [])}
<h2 id="oversikt">Innleveringer</h2>
${d.deliverables.map((x) => html`<h3>${x.title}</h3><ul class="counts">${countsFor(x.id)}</ul>${guidanceCounts(x.id).length ? html`<ul class="counts">${guidanceCounts(x.id)}</ul>` : null}`)}
<form method="get" action="${base}#oversikt" class="filters">
<div><label for="region">Region</label><select id="region" name="region">${option('', 'Alle', d.filter.region ?? '')}${d.regions.map((r) => option(r.id, r.name, d.filter.region))}</select></div>
<div><label for="kommune">Kommune</label><select id="kommune" name="kommune">${option('', 'Alle', d.filter.kommune ?? '')}${d.municipalities.map((m) => option(m.id, m.name, d.filter.kommune))}</select></div>
<div><label for="leveranse">Innlevering</label><select id="leveranse" name="leveranse">${option('', 'Alle', d.filter.leveranse ?? '')}${d.deliverables.map((x) => option(x.id, x.title, d.filter.leveranse))}</select></div>
<div><label for="status">Status</label><select id="status" name="status">${option('', 'Alle', d.filter.status ?? '')}${STATUS_ORDER.filter((s) => s !== 'extended').map((s) => option(s, STATUS_LABELS[s] ?? s, d.filter.status))}</select></div>
<div><button type="submit">Vis</button></div>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table class="matrix"><caption>${count(d.matrix.total, 'barnehage', 'barnehager')}${pages > 1 ? `, side ${d.page} av ${pages}` : ''}</caption>
<thead><tr><th scope="col">Barnehage</th><th scope="col">Kommune</th>${d.deliverables.map((x) => html`<th scope="col">${x.title}</th>`)}</tr></thead>
<tbody>${matrixRows}</tbody></table></div>
${pages > 1
  ? html`<nav class="pager" aria-label="Sider">${d.page > 1 ? html`<a href="${base}${query(d.filter, d.page - 1)}#oversikt">Forrige side</a>` : null}<span>Side ${d.page} av ${pages}</span>${d.page < pages ? html`<a href="${base}${query(d.filter, d.page + 1)}#oversikt">Neste side</a>` : null}</nav>`
  : null}
<h2 id="tidslinjen">Tidslinjen</h2>
${d.timeline ? html`${timelineChart(d.timeline, d.now)}${timelineTable(d.timeline)}` : html`<p>Tidslinjen er ikke tilgjengelig akkurat nå.</p>`}`;
  return consolePage(frame, body);
}

function runActions(frame: ConsoleFrame, d: RunPageData): Html {
  const base = `/konsoll/runs/${d.run.runId}/handling`;
  const milestones = d.timeline?.milestones ?? [];
  return html`<h2 id="handlinger">Handlinger</h2>
<p class="hint">Hver handling viser hva som endres før du bekrefter.</p>
<div class="actions">
<form method="get" action="${base}/flytt" class="action"><h3>Flytt en milepæl</h3>
<label for="flytt-milepel">Milepæl</label><select id="flytt-milepel" name="milepel">${milestones.map((m) => html`<option value="${m.id}">${m.title}</option>`)}</select>
<label for="flytt-region">For</label><select id="flytt-region" name="region"><option value="">hele fylket</option>${d.regions.map((r) => html`<option value="${r.id}">${r.name}</option>${r.groups.length > 1 ? r.groups.map((g) => html`<option value="${r.id}/${g.id}">${r.name}: ${g.name}</option>`) : null}`)}</select>
<label for="flytt-tid">Ny tid (lokal tid)</label><input type="datetime-local" id="flytt-tid" name="tid" required>
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/legg-til" class="action"><h3>Legg til en barnehage</h3>
<label for="ny-orgnr">Organisasjonsnummer</label><input type="text" id="ny-orgnr" name="orgnr" inputmode="numeric" pattern="[0-9]{9}" required>
<label for="ny-navn">Navn</label><input type="text" id="ny-navn" name="navn" maxlength="200" required>
<label for="ny-kommune">Kommune</label><select id="ny-kommune" name="kommune">${d.municipalities.map((m) => html`<option value="${m.id}">${m.name}</option>`)}</select>
<label for="ny-styrer">Styrer</label><input type="text" id="ny-styrer" name="styrer" maxlength="200" required>
<label for="ny-epost">Styrers e-post</label><input type="email" id="ny-epost" name="epost" required>
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/melding" class="action"><h3>Melding til dem som ikke har levert</h3>
<label for="melding-leveranse">Innlevering</label><select id="melding-leveranse" name="leveranse">${d.deliverables.map((x) => html`<option value="${x.id}">${x.title}</option>`)}</select>
<label for="melding-emne">Emne</label><input type="text" id="melding-emne" name="emne" maxlength="150" required>
<label for="melding-tekst">Tekst</label><textarea id="melding-tekst" name="tekst" maxlength="5000" rows="5" required></textarea>
<p class="hint">Fristen og barnehagens personlige lenke legges til under teksten.</p>
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/pause" class="action"><h3>Pause, gjenoppta eller avslutt</h3>
<label for="tilstand">Handling</label><select id="tilstand" name="hva"><option value="pause">Pause all e-post</option><option value="gjenoppta">Gjenoppta</option><option value="avlys">Avslutt programåret</option></select>
<button type="submit">Vis endringen</button></form>
</div>`;
}

/** "Neste e-post": what the kindergarten's workflow will still send, as its own state says. */
function nextEmails(k: KindergartenDetail, upcoming: UpcomingEmail[] | null, paused: boolean): Html {
  if (k.withdrawn) return html`<p>Ingen: barnehagen er trukket.</p>`;
  if (upcoming === null) return html`<p>Kan ikke vises nå: arbeidsflyten svarer ikke. Prøv igjen om litt.</p>`;
  if (upcoming.length === 0) return html`<p>Ingen flere planlagt.</p>`;
  const note = paused ? html`<p class="hint">Programåret er på pause: ingenting sendes før det gjenopptas, og da bare det som fortsatt er nyttig.</p>` : null;
  return html`${note}<ul class="upcoming">${upcoming.map((u) => html`<li>${u.held ? `Planlagt ${when(u.at)}, holdes tilbake under pausen` : `Sendes ${when(u.at)}`}: ${upcomingEmailText(u)}</li>`)}</ul>`;
}

/** The research centre's guidance on a kindergarten's submissions: state per deliverable and everything given, with files. */
function guidanceSection(runId: string, guidance: Map<string, GuidanceLine> | undefined, title: (id: string) => string): Html | null {
  if (!guidance || guidance.size === 0) return null;
  const items = [...guidance.entries()].map(([key, line]) => {
    const deliverableId = key.slice(key.indexOf('/') + 1);
    const state = line.state === 'given' ? GUIDANCE_STATE.given : `${GUIDANCE_STATE[line.state]} – frist ${line.dueAt === null ? '–' : when(line.dueAt)}`;
    return html`<h3>${title(deliverableId)}: <span class="guidance-state ${line.state}">${state}</span></h3>${guidanceHistory(line.given, (g, i) => `/konsoll/runs/${runId}/veiledning/${g.guidanceId}/filer/${i}`, { by: true })}`;
  });
  return html`<h2>Veiledning fra forskningssenteret</h2>${items}`;
}

export function kindergartenPage(frame: ConsoleFrame, options: { runId: string; k: KindergartenDetail; deliverableTitles: Map<string, string>; upcoming: UpcomingEmail[] | null; place: string; paused: boolean; guidance?: Map<string, GuidanceLine>; participants?: { name: string; email: string; role: string }[] }): string {
  const { k, runId } = options;
  const coordinator = frame.user?.role === 'coordinator';
  const title = (id: string) => options.deliverableTitles.get(id) ?? id;
  const base = `/konsoll/runs/${runId}/handling`;
  const deliverables = k.deliverables.map(
    (d) => html`<tr><td>${title(d.deliverableId)}</td><td><span class="status ${d.status}">${STATUS_LABELS[d.status] ?? d.status}</span></td><td>${when(d.dueAt)}</td><td>${when(d.lateUntil)}</td></tr>`,
  );
  const emails = k.emails.map(
    (e) => html`<tr><td>${when(e.requestedAt)}</td><td>${e.subject}</td><td>${e.to}</td><td>${EMAIL_STATE[e.state] ?? e.state}${e.lastError ? html`<br><span class="hint">${e.lastError}</span>` : null}</td></tr>`,
  );
  const submissions = k.submissions.map(
    (s) => html`<tr><td>${s.receiptNumber}</td><td>${title(s.deliverableId)}</td><td>${s.state === 'accepted' ? `versjon ${s.version ?? ''}${s.late ? ' (sent)' : ''}` : s.state === 'refused' ? 'avvist' : 'lagret, ikke bekreftet'}${s.reviews.map((r) => html`<br>${r.verdict === 'accepted' ? `godkjent av barnehagemyndigheten ${when(r.at)}` : `sendt tilbake av barnehagemyndigheten ${when(r.at)}${r.dueAt !== null ? `, ny frist ${when(r.dueAt)}` : ''}`}${r.comment ? html`: «${r.comment}»` : null}`)}</td><td>${when(s.receivedAt)}</td><td>${s.files.map((f) => html`<a href="/konsoll/runs/${runId}/innleveringer/${s.id}/filer/${f.position}">${f.name}</a> (${formatFileSize(f.size)})<br>`)}</td></tr>`,
  );
  const body = html`<h1>${k.name}</h1>
<dl class="facts"><dt>Organisasjonsnummer</dt><dd>${k.orgnr}</dd><dt>Kommune</dt><dd>${k.municipalityName}</dd><dt>Region</dt><dd>${options.place}</dd><dt>Styrer</dt><dd>${k.directorName}, ${k.directorEmail}</dd><dt>Barnehagemyndighet</dt><dd>${k.authorityName}, ${k.authorityEmail}</dd>${k.withdrawn ? html`<dt>Trukket</dt><dd>${when(k.withdrawn.at)}: ${k.withdrawn.reason}</dd>` : null}</dl>
<p><a href="/konsoll/runs/${runId}">Tilbake til programåret</a></p>
<h2>Innleveringer og frister</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><thead><tr><th scope="col">Innlevering</th><th scope="col">Status</th><th scope="col">Frist</th><th scope="col">Forsinket til</th></tr></thead><tbody>${deliverables}</tbody></table></div>
<h2>Mottatt</h2>
${submissions.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><thead><tr><th scope="col">Kvittering</th><th scope="col">Innlevering</th><th scope="col">Resultat</th><th scope="col">Mottatt</th><th scope="col">Filer</th></tr></thead><tbody>${submissions}</tbody></table></div>` : html`<p>Ingen innleveringer ennå.</p>`}
${guidanceSection(options.runId, options.guidance, title)}
${options.participants ? html`<h2>Deltakere i kompetansepakken</h2>${options.participants.length ? html`<ul>${options.participants.map((p) => html`<li>${p.name}, ${p.role} (${p.email})</li>`)}</ul>` : html`<p>Barnehagemyndigheten har ikke sendt gruppeoppsett for barnehagen ennå.</p>`}` : null}
<h2>Neste e-post</h2>
${nextEmails(k, options.upcoming, options.paused)}
<h2>Sendt e-post</h2>
${emails.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label="Tabell (kan rulles sidelengs)"><table><thead><tr><th scope="col">Når</th><th scope="col">Emne</th><th scope="col">Til</th><th scope="col">Tilstand</th></tr></thead><tbody>${emails}</tbody></table></div>` : html`<p>Ingen e-post ennå.</p>`}
${coordinator && !k.withdrawn
  ? html`<h2>Handlinger</h2><div class="actions">
<form method="get" action="${base}/forleng" class="action"><h3>Forleng en frist</h3><input type="hidden" name="barnehage" value="${k.orgnr}">
<label for="forleng-leveranse">Innlevering</label><select id="forleng-leveranse" name="leveranse">${k.deliverables.map((d) => html`<option value="${d.deliverableId}">${title(d.deliverableId)}</option>`)}</select>
<label for="forleng-tid">Ny frist (lokal tid)</label><input type="datetime-local" id="forleng-tid" name="tid" required>
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/ny-lenke" class="action"><h3>Send ny innleveringslenke</h3><input type="hidden" name="barnehage" value="${k.orgnr}">
<label for="lenke-leveranse">Innlevering</label><select id="lenke-leveranse" name="leveranse">${k.deliverables.map((d) => html`<option value="${d.deliverableId}">${title(d.deliverableId)}</option>`)}</select>
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/kontakt" class="action"><h3>Ny styrer</h3><input type="hidden" name="barnehage" value="${k.orgnr}"><input type="hidden" name="hvem" value="styrer">
<label for="styrer-navn">Navn</label><input type="text" id="styrer-navn" name="navn" maxlength="200" required value="${k.directorName}" autocomplete="off">
<label for="styrer-epost">E-post</label><input type="email" id="styrer-epost" name="epost" required value="${k.directorEmail}" autocomplete="off">
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/kontakt" class="action"><h3>Ny kontakt hos barnehagemyndigheten i ${k.municipalityName}</h3><input type="hidden" name="barnehage" value="${k.orgnr}"><input type="hidden" name="hvem" value="kommune">
<label for="kommune-navn">Navn</label><input type="text" id="kommune-navn" name="navn" maxlength="200" required value="${k.authorityName}" autocomplete="off">
<label for="kommune-epost">E-post</label><input type="email" id="kommune-epost" name="epost" required value="${k.authorityEmail}" autocomplete="off">
<button type="submit">Vis endringen</button></form>
<form method="get" action="${base}/trekk" class="action"><h3>Trekk barnehagen</h3><input type="hidden" name="barnehage" value="${k.orgnr}">
<label for="trekk-grunn">Begrunnelse</label><input type="text" id="trekk-grunn" name="grunn" maxlength="500" required>
<button type="submit">Vis endringen</button></form>
</div>`
  : null}`;
  return consolePage(frame, body);
}

/** What an action will change, with a confirm button that posts the same parameters. */
export function confirmPage(frame: ConsoleFrame, options: { title: string; changes: Html; action: string; fields: Record<string, string>; back: string; refusal?: string | null }): string {
  const body = html`<h1>${options.title}</h1>
${options.refusal ? html`<div class="notice bad" role="alert"><p>${options.refusal}</p></div>` : html`<h2>Dette endres</h2>${options.changes}
<form method="post" action="${options.action}">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
${Object.entries(options.fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button type="submit">Bekreft</button>
</form>`}
<p><a href="${options.back}">${options.refusal ? 'Tilbake' : 'Avbryt'}</a></p>`;
  return consolePage(frame, body);
}

export function auditPage(frame: ConsoleFrame, runId: string, entries: { at: number; actor: string; action: string; details: Record<string, unknown>; kindergartenName: string | null }[], names: Omit<AuditNames, 'kindergarten'>): string {
  const label = (action: string) => (AUDIT_ACTIONS as Record<string, string>)[action] ?? action;
  const rows = entries.map((e) => {
    const sentence = auditSentence(e, { ...names, kindergarten: (orgnr) => (e.kindergartenName ? `${e.kindergartenName}` : `barnehagen med organisasjonsnummer ${orgnr}`) });
    return html`<tr><td class="nowrap">${when(e.at)}</td><td>${actorText(e.actor)}</td><td><strong>${label(e.action)}</strong><br>${sentence}</td></tr>`;
  });
  const body = html`<h1>Revisjonslogg</h1><p><a href="/konsoll/runs/${runId}">Tilbake til programåret</a></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Revisjonslogg (kan rulles sidelengs)"><table class="audit"><caption class="hint">Alle handlinger i konsollen og på kommandolinjen, nyeste først (${count(entries.length, 'handling', 'handlinger')})</caption><thead><tr><th scope="col">Når</th><th scope="col">Hvem</th><th scope="col">Hva</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return consolePage(frame, body);
}

/** A page with one heading and one sentence (no access, not found, an error), and the way back. */
export function messagePage(frame: ConsoleFrame, heading: string, text: string): string {
  return consolePage(frame, html`<h1>${heading}</h1><p>${text} <a href="/konsoll">Til oversikten</a></p>`);
}

export function forbiddenPage(frame: ConsoleFrame): string {
  return messagePage(frame, 'Ingen tilgang', 'Du har ikke tilgang til denne siden.');
}
