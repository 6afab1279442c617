import type { GroupSetupRecord, GroupSetupSummary } from '../../activities/store';
import { type InputIssue, formatIssue } from '../../config/errors';
import { PARTICIPANT_ROLES, ROLE_LABEL, type SetupKindergarten } from '../../planning/group-setup';
import { count } from '../../texts/catalogue';
import { type Html, html } from '../../texts/html';
import { formatNorwegian } from '../../texts/norwegian-format';
import { type ConsoleFrame, consolePage } from './console-pages';

const when = (ms: number) => formatNorwegian(ms);
const roleLabel = (role: string) => ROLE_LABEL[role as keyof typeof ROLE_LABEL] ?? role;

export interface GroupSetupWindow {
  opensAt: number;
  dueAt: number;
  lateUntil: number;
}

/** Where a municipality's group set-up stands, in words. */
export function groupSetupState(summary: Pick<GroupSetupSummary, 'latest'>, window: GroupSetupWindow | null, now: number): { label: string; cls: string } {
  if (summary.latest) return summary.latest.late ? { label: 'sendt etter fristen', cls: 'submitted-late' } : { label: 'sendt', cls: 'submitted' };
  if (!window || now < window.opensAt) return { label: 'ikke åpnet', cls: 'not-open' };
  if (now <= window.dueAt) return { label: 'ikke sendt ennå', cls: 'open' };
  return now <= window.lateUntil ? { label: 'forfalt', cls: 'overdue' } : { label: 'ikke sendt', cls: 'missed' };
}

/**
 * A municipal authority's group set-up: the deadline, the version in force, and the form — for each kindergarten its
 * participants (name, email, role), the director filled in the first time — or a workbook or CSV to upload instead.
 * A refused form keeps every value as typed and lists each problem, and beside each kindergarten its own.
 */
export function groupSetupPage(
  frame: ConsoleFrame,
  o: {
    base: string;
    deliverable: { title: string; description: string | null };
    municipality: string;
    window: GroupSetupWindow;
    now: number;
    minimum: number;
    kindergartens: SetupKindergarten[];
    latest: GroupSetupRecord | null;
    setupId: string;
    lines: number;
    values: Record<string, string>;
    issues: InputIssue[] | null;
    /** Where the refused lines came from: the form (kept as typed) or an uploaded file. */
    issuesFrom?: 'form' | 'file';
    refusal: string | null;
  },
): string {
  const closed = o.now > o.window.lateUntil;
  const notYet = o.now < o.window.opensAt;
  const issuesFor = (k: SetupKindergarten) => (o.issues ?? []).filter((i) => i.subject === k.name || i.subject?.startsWith(`${k.name}, `));
  const value = (key: string) => o.values[key] ?? '';
  const fieldsets = o.kindergartens.map((k) => {
    const own = issuesFor(k);
    const rows = Array.from({ length: o.lines }, (_, i) => {
      const n = i + 1;
      const id = (f: string) => `${f}-${k.orgnr}-${n}`;
      const role = value(id('rolle')) || (n === 1 ? 'styrer' : 'pedagogisk-leder');
      return html`<div class="participant">
<div><label for="${id('navn')}">Navn, deltaker ${String(n)}</label><input id="${id('navn')}" name="${id('navn')}" value="${value(id('navn'))}" autocomplete="off"></div>
<div><label for="${id('epost')}">E-post, deltaker ${String(n)}</label><input type="email" id="${id('epost')}" name="${id('epost')}" value="${value(id('epost'))}" autocomplete="off"></div>
<div><label for="${id('rolle')}">Rolle, deltaker ${String(n)}</label><select id="${id('rolle')}" name="${id('rolle')}">${PARTICIPANT_ROLES.map((r) => (r === role ? html`<option value="${r}" selected>${ROLE_LABEL[r]}</option>` : html`<option value="${r}">${ROLE_LABEL[r]}</option>`))}</select></div>
</div>`;
    });
    return html`<fieldset class="kindergarten${own.length ? ' bad' : ''}"><legend>${k.name}</legend>
<p class="hint">Styrer: ${k.director.name}. Minst ${String(o.minimum)} deltakere, styreren blant dem. La tomme linjer stå.</p>
${own.length ? html`<ul class="field-errors">${own.map((i) => html`<li>${i.subject && i.subject !== k.name ? `${i.subject.slice(k.name.length + 2)}: ` : ''}${i.column ? `${i.column}: ` : ''}${i.message}</li>`)}</ul>` : null}
${rows}
</fieldset>`;
  });
  const status = o.latest
    ? html`<div class="notice ok" role="status"><p>Versjon ${String(o.latest.version)} er mottatt ${when(o.latest.receivedAt)}${o.latest.late ? ' (etter fristen)' : ''}, kvittering ${o.latest.receiptNumber}: ${count(o.latest.participants.length, 'deltaker', 'deltakere')}. En ny versjon erstatter den.</p></div>`
    : null;
  const body = html`<h1>${o.deliverable.title}</h1>
<p>Barnehagemyndigheten i ${o.municipality}. ${o.deliverable.description ?? ''}</p>
<dl class="facts"><dt>Frist</dt><dd>${when(o.window.dueAt)}</dd><dt>Tas imot til</dt><dd>${when(o.window.lateUntil)}</dd></dl>
${status}
${o.refusal ? html`<div class="notice bad" role="alert"><h2>Gruppeoppsettet ble ikke lagret</h2><p>${o.refusal}</p></div>` : null}
${o.issues?.length ? html`<div class="notice bad" role="alert" id="feil"><h2>Gruppeoppsettet ble ikke lagret</h2><p>${o.issuesFrom === 'file' ? 'Ingenting er lagret. Rett opp regnearket og last det opp på nytt, eller fyll ut skjemaet.' : 'Ingenting er lagret. Rett opp dette og send på nytt; det du skrev, står fortsatt i skjemaet.'}</p><ul>${o.issues.map((i) => html`<li>${formatIssue(i)}</li>`)}</ul></div>` : null}
${closed
  ? html`<p>Gruppeoppsett tas ikke lenger imot. Kontakt koordinatoren om noe må endres.</p>`
  : notYet
    ? html`<p>Gruppeoppsettet kan sendes fra ${when(o.window.opensAt)}.</p>`
    : html`<p><a href="#fil">Har dere deltakerne i et regneark? Last det opp i stedet.</a></p>
<h2>Fyll ut skjemaet</h2>
<form method="post" action="${o.base}" class="group-setup">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="oppsett" value="${o.setupId}"><input type="hidden" name="linjer" value="${String(o.lines)}">
${fieldsets}
<button type="submit">Send gruppeoppsettet</button>
</form>
<h2 id="fil-overskrift">Eller last opp et regneark</h2>
<p>Én rad per deltaker med kolonnene orgnr, barnehage, navn, epost og rolle. Malen har barnehagene deres og styrerne fylt inn: <a href="${o.base}/mal.xlsx">mal som Excel-regneark</a> · <a href="${o.base}/mal.csv">mal som CSV</a>.</p>
<form method="post" action="${o.base}/fil" enctype="multipart/form-data" class="group-setup">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="oppsett" value="${o.setupId}">
<label for="fil">Regneark (.xlsx) eller CSV</label><input type="file" id="fil" name="fil" accept=".xlsx,.csv" required>
<button type="submit">Last opp gruppeoppsettet</button>
</form>`}
${o.latest ? html`<h2>Versjonen som gjelder</h2>${participantsTable(o.latest, o.kindergartens)}` : null}`;
  return consolePage(frame, body);
}

/** A version's participants, by kindergarten: a list per kindergarten (reads on a phone as on a desktop). */
export function participantsTable(record: GroupSetupRecord, kindergartens: { orgnr: string; name: string }[]): Html {
  const name = (orgnr: string) => kindergartens.find((k) => k.orgnr === orgnr)?.name ?? orgnr;
  const orgnrs = [...new Set(record.participants.map((p) => p.orgnr))];
  return html`<div class="participants">${orgnrs.map(
    (orgnr) => html`<h3>${name(orgnr)}</h3><ul>${record.participants.filter((p) => p.orgnr === orgnr).map((p) => html`<li><strong>${p.name}</strong>, ${roleLabel(p.role).toLowerCase()}<br><span class="email">${p.email}</span></li>`)}</ul>`,
  )}</div>`;
}

/** The receipt of a version: its number, time, version and every participant. */
export function groupSetupReceiptPage(frame: ConsoleFrame, o: { base: string; deliverable: string; municipality: string; record: GroupSetupRecord; kindergartens: { orgnr: string; name: string }[] }): string {
  const r = o.record;
  const body = html`<h1>Kvittering</h1>
<div class="notice ok" role="status"><p><strong>${o.deliverable}</strong> er mottatt fra barnehagemyndigheten i ${o.municipality}.${r.late ? ' Det kom etter fristen.' : ''} Kvitteringen er også sendt på e-post.</p></div>
<dl class="facts"><dt>Kvitteringsnummer</dt><dd>${r.receiptNumber}</dd><dt>Mottatt</dt><dd>${when(r.receivedAt)}</dd><dt>Versjon</dt><dd>${String(r.version)}</dd><dt>Deltakere</dt><dd>${String(r.participants.length)}</dd></dl>
${participantsTable(r, o.kindergartens)}
<p><a href="${o.base}">Tilbake til gruppeoppsettet</a></p>`;
  return consolePage(frame, body);
}

/** For the coordinator and the research centre: where every municipality stands, and the participants to download. */
export function groupSetupOverviewPage(frame: ConsoleFrame, o: { runBase: string; base: string; deliverable: string; window: GroupSetupWindow | null; rows: GroupSetupSummary[]; now: number }): string {
  const sent = o.rows.filter((r) => r.latest).length;
  const rows = o.rows.map((r) => {
    const state = groupSetupState(r, o.window, o.now);
    return html`<tr><th scope="row">${r.municipality}</th><td>${String(r.kindergartens)}</td><td><span class="status ${state.cls}">${state.label}</span></td><td>${r.latest ? html`versjon ${String(r.latest.version)}, ${when(r.latest.receivedAt)}, ${count(r.latest.participants, 'deltaker', 'deltakere')} <a href="${o.base}/kommuner/${r.municipalityId}">Se deltakerne</a>` : '–'}</td></tr>`;
  });
  const body = html`<h1>${o.deliverable}</h1>
<p>${sent} av ${count(o.rows.length, 'kommune', 'kommuner')} har sendt.${o.window ? ` Frist ${when(o.window.dueAt)}; tas imot til ${when(o.window.lateUntil)}.` : ''} <a href="${o.base}/deltakere.csv">Alle deltakerne som CSV</a></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Kommunene (kan rulles sidelengs)"><table><thead><tr><th scope="col">Kommune</th><th scope="col">Barnehager</th><th scope="col">Status</th><th scope="col">Versjonen som gjelder</th></tr></thead><tbody>${rows}</tbody></table></div>
<p><a href="${o.runBase}">Hele programåret</a></p>`;
  return consolePage(frame, body);
}

export const GROUP_SETUP_STYLES = `
form.group-setup fieldset.kindergarten { border: 1px solid #767676; border-radius: 4px; padding: .5rem 1rem 1rem; margin: 1rem 0; }
form.group-setup fieldset.kindergarten.bad { border: 2px solid #a4262c; }
form.group-setup legend { font-weight: 700; padding: 0 .25rem; }
form.group-setup .participant { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .5rem 0; }
form.group-setup .participant > div { flex: 1 1 14rem; min-width: 0; }
form.group-setup label { display: block; font-weight: 600; margin: .25rem 0; font-size: .9rem; }
form.group-setup input, form.group-setup select { display: block; width: 100%; box-sizing: border-box; font: inherit; padding: .4rem; border: 2px solid #767676; border-radius: 4px; }
form.group-setup input[type=file] { border: none; padding: .25rem 0; }
form.group-setup button { margin-top: 1rem; }
ul.field-errors { color: #7a1c20; margin: .25rem 0 .5rem; }
.participants .email { overflow-wrap: anywhere; }
.participants h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.participants ul { margin: 0 0 .5rem; padding-left: 1.25rem; }
.participants li { margin: .25rem 0; }
`;
