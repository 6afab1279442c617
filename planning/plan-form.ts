import { InputError, type InputIssue } from '../config/errors';
import { type DateSpec, type Plan, planSchema } from '../config/plan-schema';
import { fromZodIssues } from '../config/errors';
import { timelineRegions } from '../domain/regions';
import { resolveTimeline } from './resolve-timeline';

/**
 * The plan as a form a coordinator fills in: every date of every milestone (one per region or workshop group where the
 * plan has them; days and time where a date follows another milestone), and each deliverable's deadline, reminders,
 * escalation and late window. A submitted form is applied to the plan and checked by the very rules a plan file is
 * (`planSchema`, then `resolveTimeline`'s order rules), and each problem is put beside its field.
 */

export type FieldKind = 'datetime' | 'days' | 'time' | 'number' | 'list' | 'yes-no';

export interface PlanField {
  /** The form field's name: the plan path it edits, e.g. `milestones.12.at.groups.kongsvinger`. */
  name: string;
  label: string;
  kind: FieldKind;
  value: string;
  /** What the value is relative to, for a relative date ("dager etter «Workshop 1»"). */
  hint?: string;
}

export interface PlanFieldGroup {
  /** `milestones.3` or `deliverables.0`: where the group's own problems (an order rule) are shown. */
  name: string;
  kind: 'milestone' | 'deliverable' | 'policy';
  id: string;
  title: string;
  fields: PlanField[];
}

function dateFields(base: string, label: string, spec: DateSpec, titleOf: (id: string) => string): PlanField[] {
  if (typeof spec === 'string') return [{ name: base, label, kind: 'datetime', value: spec }];
  return [
    { name: `${base}.days`, label: `${label}: dager etter «${titleOf(spec.milestone)}» (minus: før)`, kind: 'days', value: String(spec.days), hint: spec.milestone },
    { name: `${base}.time`, label: `${label}: klokkeslett`, kind: 'time', value: spec.time ?? '' },
  ];
}

/** Every editable date and number of the plan, grouped by milestone and deliverable, in the plan's order. */
export function planFieldGroups(plan: Plan): PlanFieldGroup[] {
  const regions = timelineRegions(plan);
  const regionName = (id: string) => regions.find((r) => r.id === id)?.name ?? id;
  const groupName = (id: string) => regions.flatMap((r) => r.groups.map((g) => ({ ...g, region: r }))).find((g) => g.id === id);
  const titleOf = (id: string) => plan.milestones.find((m) => m.id === id)?.title ?? id;
  const milestones = plan.milestones.map((m, i): PlanFieldGroup => {
    const base = `milestones.${i}.at`;
    let fields: PlanField[];
    if (typeof m.at === 'string' || 'milestone' in m.at) fields = dateFields(base, 'Tidspunkt', m.at, titleOf);
    else if ('regions' in m.at) fields = Object.entries(m.at.regions).map(([id, at]) => ({ name: `${base}.regions.${id}`, label: regionName(id), kind: 'datetime', value: at }));
    else {
      fields = Object.entries(m.at.groups).map(([id, at]) => {
        const g = groupName(id);
        return { name: `${base}.groups.${id}`, label: g ? (g.region.groups.length > 1 ? g.name : g.region.name) : id, kind: 'datetime', value: at };
      });
    }
    return { name: `milestones.${i}`, kind: 'milestone', id: m.id, title: m.title, fields };
  });
  const deliverables = plan.deliverables.map((d, i): PlanFieldGroup => {
    const base = `deliverables.${i}`;
    return {
      name: base,
      kind: 'deliverable',
      id: d.id,
      title: d.title,
      fields: [
        ...(d.opens !== undefined ? dateFields(`${base}.opens`, 'Åpner', d.opens, titleOf) : []),
        ...dateFields(`${base}.due`, 'Frist', d.due, titleOf),
        { name: `${base}.reminders`, label: 'Påminnelser (dager før fristen, skilt med komma)', kind: 'list', value: d.reminders.join(', ') },
        { name: `${base}.escalationDays`, label: 'Varsel til barnehagemyndigheten (dager etter fristen)', kind: 'number', value: String(d.escalationDays) },
        { name: `${base}.lateAcceptanceDays`, label: 'Sene innleveringer tas imot (dager etter fristen)', kind: 'number', value: String(d.lateAcceptanceDays) },
      ],
    };
  });
  const digest = plan.sendPolicy.authorityDigest ?? { enabled: false, at: '12:00' };
  const policy: PlanFieldGroup = {
    name: 'sendPolicy',
    kind: 'policy',
    id: 'sendPolicy',
    title: 'Varsler til barnehagemyndighetene',
    fields: [
      { name: 'sendPolicy.authorityDigest.enabled', label: 'Ett samlet sammendrag om dagen i stedet for ett varsel per barnehage', kind: 'yes-no', value: digest.enabled ? 'ja' : 'nei' },
      { name: 'sendPolicy.authorityDigest.at', label: 'Klokkeslett for sammendraget', kind: 'time', value: digest.at },
    ],
  };
  return [...milestones, ...deliverables, policy];
}

const whole = /^-?\d+$/;

/** A form value as the plan holds it: a number where one is expected and the text is one, else the text (refused later). */
function valueFor(kind: FieldKind, text: string): unknown {
  const t = text.trim();
  if (kind === 'days' || kind === 'number') return whole.test(t) ? Number(t) : t;
  if (kind === 'list') return t === '' ? [] : t.split(/[,;\s]+/).filter(Boolean).map((x) => (whole.test(x) ? Number(x) : x));
  if (kind === 'yes-no') return t === 'ja' ? true : t === 'nei' ? false : t;
  return t;
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  for (const key of path.slice(0, -1)) {
    // A plan kept before release 1.1.0 has no sendPolicy.authorityDigest: the form adds it.
    if (node[key] === undefined && key === 'authorityDigest') node[key] = {};
    const next = node[key];
    if (!next || typeof next !== 'object') return;
    node = next as Record<string, unknown>;
  }
  const last = path.at(-1) as string;
  if (value === '' && last === 'time') delete node[last];
  else node[last] = value;
}

/** The plan with the form's values put in (not yet checked): fields the form does not have keep the plan's values. */
export function applyPlanForm(plan: Plan, form: Record<string, string>): unknown {
  const draft = structuredClone(plan) as unknown as Record<string, unknown>;
  for (const group of planFieldGroups(plan)) {
    for (const field of group.fields) {
      const text = form[field.name];
      if (typeof text !== 'string') continue;
      setAt(draft, field.name.split('.'), valueFor(field.kind, text));
    }
  }
  return draft;
}

/** The field (or group) a problem belongs beside: the longest field name its path starts with. */
export function fieldOf(groups: PlanFieldGroup[], path: string | undefined): string | null {
  if (!path) return null;
  const names = groups.flatMap((g) => [g.name, ...g.fields.map((f) => f.name)]);
  const matches = names.filter((n) => path === n || path.startsWith(`${n}.`));
  if (matches.length) return matches.reduce((a, b) => (b.length > a.length ? b : a));
  // The order rules name a milestone or deliverable by id: `milestones.workshop-2`.
  const [list, id] = path.split('.');
  const group = groups.find((g) => g.id === id && ((list === 'milestones' && g.kind === 'milestone') || (list === 'deliverables' && g.kind === 'deliverable')));
  return group?.name ?? null;
}

/**
 * Applies the form and checks the result as a plan file is checked; returns the new plan, or throws InputError whose
 * issues carry the form field they belong to in `path`.
 */
export function savePlanForm(plan: Plan, form: Record<string, string>): Plan {
  const groups = planFieldGroups(plan);
  const parsed = planSchema.safeParse(applyPlanForm(plan, form));
  const refuse = (issues: InputIssue[]): never => {
    throw new InputError('Planen ble ikke lagret', issues.map((i) => ({ ...i, path: fieldOf(groups, i.path) ?? i.path ?? '' })));
  };
  if (!parsed.success) return refuse(fromZodIssues(parsed.error.issues));
  try {
    resolveTimeline(parsed.data);
  } catch (error) {
    if (error instanceof InputError) return refuse(error.issues);
    throw error;
  }
  return parsed.data;
}
