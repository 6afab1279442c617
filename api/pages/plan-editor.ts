import type { PlanFieldGroup, PlanField } from '../../planning/plan-form';
import { html } from '../../texts/html';
import { type ConsoleFrame, consolePage } from './console-pages';

/**
 * The plan as a form, before a year starts: one fieldset per milestone and deliverable, each date and number with its
 * label, and a refused save shown beside the fields it concerns, with every value as it was typed.
 */
const INPUT_TYPE: Record<Exclude<PlanField['kind'], 'yes-no'>, string> = { datetime: 'datetime-local', days: 'number', time: 'time', number: 'number', list: 'text' };
const GROUP_KIND: Record<PlanFieldGroup['kind'], string> = { milestone: 'Milepæl', deliverable: 'Innlevering', policy: 'Utsending' };

export function planEditorPage(
  frame: ConsoleFrame,
  options: { draftId: string; programme: string; groups: PlanFieldGroup[]; values: Record<string, string>; errors: Map<string, string[]>; unplaced: string[] },
): string {
  const problems = [...options.errors.values()].reduce((n, list) => n + list.length, 0) + options.unplaced.length;
  const errorList = (name: string, id: string) => {
    const list = options.errors.get(name) ?? [];
    return list.length ? html`<p class="field-error" id="${id}">${list.join(' ')}</p>` : null;
  };
  const fieldId = (name: string) => `f-${name.replace(/[^a-z0-9-]/gi, '-')}`;
  /** A field or fieldset by what a person reads: "Analysen så langt: Påminnelser (…)". */
  const placeOf = (name: string) => {
    for (const g of options.groups) {
      if (g.name === name) return g.title;
      const f = g.fields.find((x) => x.name === name);
      if (f) return `${g.title}: ${f.label}`;
    }
    return name;
  };
  const field = (f: PlanField) => {
    const id = fieldId(f.name);
    const invalid = options.errors.has(f.name);
    const value = options.values[f.name] ?? f.value;
    const described = invalid ? html` aria-invalid="true" aria-describedby="${id}-feil"` : null;
    if (f.kind === 'yes-no') {
      const choice = (v: string, label: string) => (value === v ? html`<option value="${v}" selected>${label}</option>` : html`<option value="${v}">${label}</option>`);
      return html`<div class="field${invalid ? ' invalid' : ''}"><label for="${id}">${f.label}</label>${errorList(f.name, `${id}-feil`)}<select id="${id}" name="${f.name}"${described}>${choice('ja', 'Ja')}${choice('nei', 'Nei')}</select></div>`;
    }
    const extra = f.kind === 'days' ? html` min="-366" max="366" step="1"` : f.kind === 'number' ? html` min="0" max="180" step="1"` : null;
    return html`<div class="field${invalid ? ' invalid' : ''}"><label for="${id}">${f.label}</label>${errorList(f.name, `${id}-feil`)}<input type="${INPUT_TYPE[f.kind]}" id="${id}" name="${f.name}" value="${value}"${extra}${invalid ? html` aria-invalid="true" aria-describedby="${id}-feil"` : null}></div>`;
  };
  const fieldsets = options.groups.map(
    (g) => html`<fieldset id="${fieldId(g.name)}"><legend>${GROUP_KIND[g.kind]}: ${g.title}</legend>${errorList(g.name, `${fieldId(g.name)}-feil`)}<div class="fields">${g.fields.map(field)}</div></fieldset>`,
  );
  const body = html`<h1>Rediger planen</h1>
<p>${options.programme}. Endre datoene for hver region og workshopgruppe, fristene, påminnelsene og sene innleveringer for hver innlevering, og hvordan barnehagemyndighetene varsles. Planen kontrolleres med de samme reglene som en planfil når du lagrer; ingenting startes før du har sett tidslinjen og trykket «Start programåret».</p>
${problems
  ? html`<div class="notice bad" role="alert" id="feil"><h2>Planen ble ikke lagret: ${problems === 1 ? 'ett problem' : `${problems} problemer`}</h2><p>Problemene står ved feltene nedenfor. Alt du skrev, står der fortsatt.</p><ul>${[...options.errors.entries()].map(([name, messages]) => html`<li><a href="#${fieldId(name)}">${placeOf(name)}</a>: ${messages.join(' ')}</li>`)}${options.unplaced.map((u) => html`<li>${u}</li>`)}</ul></div>`
  : null}
<p><a href="/konsoll/ny/${options.draftId}/plan.yaml">Last ned planen som YAML</a> · <a href="/konsoll/ny/${options.draftId}">Tilbake til tidslinjen</a></p>
<form method="post" action="/konsoll/ny/${options.draftId}/plan" class="plan-editor">
<input type="hidden" name="_csrf" value="${frame.csrf ?? ''}">
${fieldsets}
<button type="submit">Lagre og vis tidslinjen</button>
</form>`;
  return consolePage(frame, body);
}

export const PLAN_EDITOR_STYLES = `
form.plan-editor fieldset { border: 1px solid #767676; border-radius: 4px; margin: 0 0 1rem; padding: .5rem 1rem 1rem; min-width: 0; }
form.plan-editor legend { font-weight: 600; padding: 0 .25rem; }
form.plan-editor .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 16rem), 1fr)); gap: 0 1rem; }
form.plan-editor .field label { margin: .75rem 0 .25rem; font-weight: 600; }
form.plan-editor input, form.plan-editor select { display: block; width: 100%; font: inherit; padding: .45rem; border: 2px solid #767676; border-radius: 4px; background: #fff; color: #1b1b1b; }
form.plan-editor .invalid input, form.plan-editor .invalid select { border-color: #a4000f; }
.field-error { color: #a4000f; font-weight: 600; margin: .25rem 0; }
`;
