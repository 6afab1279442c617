import type { GroupSetupRecord, GroupSetupSummary } from '../../activities/store';
import { type InputIssue, formatIssue } from '../../config/errors';
import { PARTICIPANT_ROLES, type SetupKindergarten } from '../../planning/group-setup';
import { type Html, html } from '../../texts/html';
import type { Language } from '../../texts/language';
import { formatNorwegian } from '../../texts/norwegian-format';
import { setupProblemText, setupSubjectText } from '../../texts/recipient-pages';
import { type ConsoleFrame, consolePage } from './console-pages';
import { type PageLanguage, keepLanguage, languageSwitch, recipientWords } from './recipient-pages';

/**
 * A municipal authority's group set-up (release 1.2.0): its form, receipt and refusals in the written standard of its
 * municipality, with a switch to the other (texts/recipient-pages.ts); the overview of every municipality for the
 * coordinator and the research centre, in bokmål unless they switch.
 */

const BOKMAL: PageLanguage = { language: 'nb', chosen: false };
const whenIn = (language: Language) => (ms: number) => formatNorwegian(ms, 'dateTime', undefined, language);

export interface GroupSetupWindow {
  opensAt: number;
  dueAt: number;
  lateUntil: number;
}

/** Where a municipality's group set-up stands, in words. */
export function groupSetupState(summary: Pick<GroupSetupSummary, 'latest'>, window: GroupSetupWindow | null, now: number, language: Language = 'nb'): { label: string; cls: string } {
  const labels = recipientWords(language).setupStates;
  const state = (cls: keyof typeof labels) => ({ label: labels[cls], cls });
  if (summary.latest) return summary.latest.late ? state('submitted-late') : state('submitted');
  if (!window || now < window.opensAt) return state('not-open');
  if (now <= window.dueAt) return state('open');
  return now <= window.lateUntil ? state('overdue') : state('missed');
}

/** A problem of a set-up in the reader's standard: its place in the form and its wording (bokmål as checked). */
function issueIn(issue: InputIssue, language: Language): InputIssue {
  return { ...issue, ...(issue.subject !== undefined ? { subject: setupSubjectText(issue.subject, language) } : {}), message: setupProblemText(issue, language) };
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
    language?: PageLanguage;
  },
): string {
  const l = o.language ?? BOKMAL;
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const closed = o.now > o.window.lateUntil;
  const notYet = o.now < o.window.opensAt;
  const issues = (o.issues ?? []).map((i) => ({ given: i, shown: issueIn(i, l.language) }));
  const issuesFor = (k: SetupKindergarten) => issues.filter(({ given: i }) => i.subject === k.name || i.subject?.startsWith(`${k.name}, `)).map(({ shown }) => shown);
  const value = (key: string) => o.values[key] ?? '';
  const fieldsets = o.kindergartens.map((k) => {
    const own = issuesFor(k);
    const rows = Array.from({ length: o.lines }, (_, i) => {
      const n = i + 1;
      const id = (f: string) => `${f}-${k.orgnr}-${n}`;
      const role = value(id('rolle')) || (n === 1 ? 'styrer' : 'pedagogisk-leder');
      return html`<div class="participant">
<div><label for="${id('navn')}">${t.participantField.name(String(n))}</label><input id="${id('navn')}" name="${id('navn')}" value="${value(id('navn'))}" autocomplete="off"></div>
<div><label for="${id('epost')}">${t.participantField.email(String(n))}</label><input type="email" id="${id('epost')}" name="${id('epost')}" value="${value(id('epost'))}" autocomplete="off"></div>
<div><label for="${id('rolle')}">${t.participantField.role(String(n))}</label><select id="${id('rolle')}" name="${id('rolle')}">${PARTICIPANT_ROLES.map((r) => (r === role ? html`<option value="${r}" selected>${t.roles[r]}</option>` : html`<option value="${r}">${t.roles[r]}</option>`))}</select></div>
</div>`;
    });
    return html`<fieldset class="kindergarten${own.length ? ' bad' : ''}"><legend>${k.name}</legend>
<p class="hint">${t.setupHint(k.director.name, String(o.minimum))}</p>
${own.length ? html`<ul class="field-errors">${own.map((i) => html`<li>${i.subject && i.subject !== k.name ? `${i.subject.slice(k.name.length + 2)}: ` : ''}${i.column ? `${i.column}: ` : ''}${i.message}</li>`)}</ul>` : null}
${rows}
</fieldset>`;
  });
  const status = o.latest
    ? html`<div class="notice ok" role="status"><p>${t.versionInForce(String(o.latest.version), when(o.latest.receivedAt), o.latest.late, o.latest.receiptNumber, o.latest.participants.length)}</p></div>`
    : null;
  const body = html`${languageSwitch(o.base, l.language)}<h1>${o.deliverable.title}</h1>
<p>${t.authorityOf(o.municipality)} ${o.deliverable.description ?? ''}</p>
<dl class="facts"><dt>${t.deadline}</dt><dd>${when(o.window.dueAt)}</dd><dt>${t.takenUntil}</dt><dd>${when(o.window.lateUntil)}</dd></dl>
${status}
${o.refusal ? html`<div class="notice bad" role="alert"><h2>${t.setupNotSaved}</h2><p>${o.refusal}</p></div>` : null}
${issues.length ? html`<div class="notice bad" role="alert" id="feil"><h2>${t.setupNotSaved}</h2><p>${o.issuesFrom === 'file' ? t.fixFile : t.fixForm}</p><ul>${issues.map(({ shown }) => html`<li>${formatIssue(shown)}</li>`)}</ul></div>` : null}
${closed
  ? html`<p>${t.setupClosed}</p>`
  : notYet
    ? html`<p>${t.setupOpensAt(when(o.window.opensAt))}</p>`
    : html`<p><a href="#fil">${t.haveSpreadsheet}</a></p>
<h2>${t.fillForm}</h2>
<form method="post" action="${keepLanguage(o.base, l)}" class="group-setup">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="oppsett" value="${o.setupId}"><input type="hidden" name="linjer" value="${String(o.lines)}">
${fieldsets}
<button type="submit">${t.sendSetup}</button>
</form>
<h2 id="fil-overskrift">${t.orUpload}</h2>
<p>${t.fileHint}<a href="${o.base}/mal.xlsx">${t.templateXlsx}</a> · <a href="${o.base}/mal.csv">${t.templateCsv}</a>.</p>
<form method="post" action="${keepLanguage(`${o.base}/fil`, l)}" enctype="multipart/form-data" class="group-setup">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}"><input type="hidden" name="oppsett" value="${o.setupId}">
<label for="fil">${t.fileLabel}</label><input type="file" id="fil" name="fil" accept=".xlsx,.csv" required>
<button type="submit">${t.uploadSetup}</button>
</form>`}
${o.latest ? html`<h2>${t.currentVersion}</h2>${participantsTable(o.latest, o.kindergartens, l.language)}` : null}`;
  return consolePage(frame, body, l.language);
}

/** A version's participants, by kindergarten: a list per kindergarten (reads on a phone as on a desktop). */
export function participantsTable(record: GroupSetupRecord, kindergartens: { orgnr: string; name: string }[], language: Language = 'nb'): Html {
  const roles = recipientWords(language).roles;
  const roleLabel = (role: string) => roles[role as keyof typeof roles] ?? role;
  const name = (orgnr: string) => kindergartens.find((k) => k.orgnr === orgnr)?.name ?? orgnr;
  const orgnrs = [...new Set(record.participants.map((p) => p.orgnr))];
  return html`<div class="participants">${orgnrs.map(
    (orgnr) => html`<h3>${name(orgnr)}</h3><ul>${record.participants.filter((p) => p.orgnr === orgnr).map((p) => html`<li><strong>${p.name}</strong>, ${roleLabel(p.role).toLowerCase()}<br><span class="email">${p.email}</span></li>`)}</ul>`,
  )}</div>`;
}

/** The receipt of a version: its number, time, version and every participant. */
export function groupSetupReceiptPage(
  frame: ConsoleFrame,
  o: { base: string; deliverable: string; municipality: string; record: GroupSetupRecord; kindergartens: { orgnr: string; name: string }[]; language?: PageLanguage },
): string {
  const l = o.language ?? BOKMAL;
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const r = o.record;
  const body = html`${languageSwitch(`${o.base}/kvittering/${r.setupId}`, l.language)}<h1>${t.receipt}</h1>
<div class="notice ok" role="status"><p>${t.receivedFrom.before}<strong>${o.deliverable}</strong>${t.receivedFrom.after(o.municipality)}${r.late ? t.cameLate : ''}${t.receiptEmailed}</p></div>
<dl class="facts"><dt>${t.receiptNumber}</dt><dd>${r.receiptNumber}</dd><dt>${t.received}</dt><dd>${when(r.receivedAt)}</dd><dt>${t.version}</dt><dd>${String(r.version)}</dd><dt>${t.participants}</dt><dd>${String(r.participants.length)}</dd></dl>
${participantsTable(r, o.kindergartens, l.language)}
<p><a href="${keepLanguage(o.base, l)}">${t.backToSetup}</a></p>`;
  return consolePage(frame, body, l.language);
}

/** For the coordinator and the research centre: where every municipality stands, and the participants to download. */
export function groupSetupOverviewPage(
  frame: ConsoleFrame,
  o: { runBase: string; base: string; deliverable: string; window: GroupSetupWindow | null; rows: GroupSetupSummary[]; now: number; language?: PageLanguage },
): string {
  const l = o.language ?? BOKMAL;
  const t = recipientWords(l.language);
  const when = whenIn(l.language);
  const sent = o.rows.filter((r) => r.latest).length;
  const rows = o.rows.map((r) => {
    const state = groupSetupState(r, o.window, o.now, l.language);
    return html`<tr><th scope="row">${r.municipality}</th><td>${String(r.kindergartens)}</td><td><span class="status ${state.cls}">${state.label}</span></td><td>${r.latest ? html`${t.overviewVersion(String(r.latest.version), when(r.latest.receivedAt), r.latest.participants)} <a href="${o.base}/kommuner/${r.municipalityId}">${t.seeParticipants}</a>` : '–'}</td></tr>`;
  });
  const c = t.overviewColumns;
  const body = html`${languageSwitch(`${o.base}/oversikt`, l.language)}<h1>${o.deliverable}</h1>
<p>${t.setupsSent(sent, o.rows.length)}${o.window ? t.overviewWindow(when(o.window.dueAt), when(o.window.lateUntil)) : ''} <a href="${o.base}/deltakere.csv">${t.allParticipantsCsv}</a></p>
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.scrollable(t.municipalitiesLabel)}"><table><thead><tr><th scope="col">${c.municipality}</th><th scope="col">${c.kindergartens}</th><th scope="col">${c.status}</th><th scope="col">${c.current}</th></tr></thead><tbody>${rows}</tbody></table></div>
<p><a href="${o.runBase}">${t.wholeYear}</a></p>`;
  return consolePage(frame, body, l.language);
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
