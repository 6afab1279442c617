import { DateTime } from 'luxon';
import type { DateSpec, Deliverable, Milestone, Plan, SendPolicy } from '../config/plan-schema';
import { InputError, type InputIssue } from '../config/errors';
import type {
  DeliverableWindow,
  DigestDay,
  GuidanceWindow,
  MilestoneOverride,
  Occurrence,
  Scope,
  ScheduledEmail,
  Timeline,
  TimelineDeliverable,
  TimelineMilestone,
} from '../domain/timeline';
import { timelineRegions } from '../domain/regions';
import { placeName } from '../domain/timeline';
import { formatNorwegian } from '../texts/norwegian-format';
import { isWorkingDay, parseLocal, toWorkingTime, withLocalTime } from './send-policy';


const SCOPE_RANK: Record<Scope, number> = { run: 0, region: 1, group: 2 };
const maxScope = (a: Scope, b: Scope): Scope => (SCOPE_RANK[a] >= SCOPE_RANK[b] ? a : b);

interface Unit {
  regionId: string;
  groupId: string;
}

interface Resolved {
  local: DateTime;
  version: number;
}

/**
 * Resolves a validated plan (plus the coordinator's overrides, oldest first) to instants in Europe/Oslo: each
 * milestone per run, region or workshop group, the emails about it moved into working time, and each deliverable's
 * window. Throws InputError listing every ordering problem (a milestone before one it must follow, a deadline before
 * its opening) so that nothing with a broken order is ever started.
 */
export function resolveTimeline(plan: Plan, overrides: readonly MilestoneOverride[] = []): Timeline {
  const zone = plan.timezone;
  const regions = timelineRegions(plan);
  const units: Unit[] = regions.flatMap((r) => r.groups.map((g) => ({ regionId: r.id, groupId: g.id })));
  const milestones = new Map(plan.milestones.map((m) => [m.id, m]));
  const issues: InputIssue[] = [];

  for (const [i, o] of overrides.entries()) {
    if (!milestones.has(o.milestoneId)) issues.push({ path: `overrides.${i}.milestoneId`, message: `«${o.milestoneId}» er ikke en milepæl i planen` });
    if (o.regionId && !regions.some((r) => r.id === o.regionId)) issues.push({ path: `overrides.${i}.regionId`, message: `«${o.regionId}» er ikke en region i planen` });
    if (o.groupId && !units.some((u) => u.groupId === o.groupId && (!o.regionId || u.regionId === o.regionId))) {
      issues.push({ path: `overrides.${i}.groupId`, message: `«${o.groupId}» er ikke en workshopgruppe i planen` });
    }
    if (!parseLocal(o.at, zone).isValid) issues.push({ path: `overrides.${i}.at`, message: `forventet en lokal dato og tid (ÅÅÅÅ-MM-DDTtt:mm), fikk «${o.at}»` });
  }
  if (issues.length) throw new InputError('Flyttingen ble avvist', issues);

  const overridesFor = (id: string, unit: Unit) =>
    overrides.filter(
      (o) => o.milestoneId === id && (!o.regionId || o.regionId === unit.regionId) && (!o.groupId || o.groupId === unit.groupId),
    );

  const scopeCache = new Map<string, Scope>();
  const scopeOf = (id: string): Scope => {
    const cached = scopeCache.get(id);
    if (cached) return cached;
    const m = milestones.get(id) as Milestone;
    let scope: Scope = 'run';
    if (typeof m.at !== 'string') {
      if ('regions' in m.at) scope = 'region';
      else if ('groups' in m.at) scope = 'group';
      else scope = scopeOf(m.at.milestone);
    }
    for (const o of overrides) {
      if (o.milestoneId !== id) continue;
      if (o.groupId) scope = 'group';
      else if (o.regionId) scope = maxScope(scope, 'region');
    }
    scopeCache.set(id, scope);
    return scope;
  };

  const resolvedCache = new Map<string, Resolved>();
  const applyRelative = (base: Resolved, spec: { days: number; time?: string | undefined }): Resolved => {
    const day = base.local.plus({ days: spec.days });
    return { local: spec.time ? withLocalTime(day, spec.time) : day, version: base.version };
  };
  const fromSpec = (spec: DateSpec, unit: Unit): Resolved =>
    typeof spec === 'string' ? { local: parseLocal(spec, zone), version: 0 } : applyRelative(milestoneAt(spec.milestone, unit), spec);

  function milestoneAt(id: string, unit: Unit): Resolved {
    const key = `${id}|${unit.regionId}|${unit.groupId}`;
    const cached = resolvedCache.get(key);
    if (cached) return cached;
    const m = milestones.get(id) as Milestone;
    const own = overridesFor(id, unit);
    const last = own[own.length - 1];
    let resolved: Resolved;
    if (last) {
      resolved = { local: parseLocal(last.at, zone), version: own.length };
    } else if (typeof m.at === 'string' || 'milestone' in m.at) {
      resolved = fromSpec(m.at, unit);
    } else if ('regions' in m.at) {
      resolved = { local: parseLocal(m.at.regions[unit.regionId] as string, zone), version: 0 };
    } else {
      resolved = { local: parseLocal(m.at.groups[unit.groupId] as string, zone), version: 0 };
    }
    resolvedCache.set(key, resolved);
    return resolved;
  }

  /** The units an item of this scope is resolved for: one for the run, one per region, or one per group. */
  const unitsOf = (scope: Scope): Unit[] => {
    if (scope === 'group') return units;
    if (scope === 'region') return regions.map((r) => ({ regionId: r.id, groupId: (r.groups[0] as { id: string }).id }));
    return [units[0] as Unit];
  };
  const placed = (scope: Scope, unit: Unit) => ({
    scope,
    regionId: scope === 'run' ? null : unit.regionId,
    groupId: scope === 'group' ? unit.groupId : null,
  });

  const policy = plan.sendPolicy;
  const timelineMilestones: TimelineMilestone[] = plan.milestones.map((m) => {
    const scope = scopeOf(m.id);
    const occurrences: Occurrence[] = unitsOf(scope).map((unit) => {
      const { local, version } = milestoneAt(m.id, unit);
      const emails: ScheduledEmail[] = m.emails.map((e) => {
        const day = local.minus({ days: e.daysBefore });
        const wanted = withLocalTime(day, e.time ?? (e.daysBefore === 0 ? local.toFormat('HH:mm') : policy.defaultTime));
        const latestUseful = e.daysBefore > 0 ? local : local.plus({ days: 2 });
        const sendAt = toWorkingTime(wanted, policy, latestUseful);
        return { id: `${e.template}:${e.to}:${e.daysBefore}`, template: e.template, to: e.to, sendAt: sendAt.toMillis(), latestUsefulAt: latestUseful.toMillis() };
      });
      return { ...placed(scope, unit), at: local.toMillis(), version, emails };
    });
    return { id: m.id, kind: m.kind, title: m.title, location: m.location ?? null, durationMinutes: m.durationMinutes ?? null, occurrences };
  });

  const deliverables: TimelineDeliverable[] = plan.deliverables.map((d) => {
    const opener = plan.milestones.find((m) => m.opens === d.id);
    const openSpec: DateSpec = opener ? { milestone: opener.id, days: 0 } : (d.opens as DateSpec);
    const specScope = (spec: DateSpec): Scope => (typeof spec === 'string' ? 'run' : scopeOf(spec.milestone));
    const scope = maxScope(maxScope(specScope(openSpec), specScope(d.due)), d.review ? specScope(d.review.due) : 'run');
    const windows: DeliverableWindow[] = unitsOf(scope).map((unit) => {
      const opens = fromSpec(openSpec, unit);
      const due = fromSpec(d.due, unit);
      const lateUntil = due.local.plus({ days: d.lateAcceptanceDays });
      const where = scope === 'run' ? '' : ` for ${placeName({ regions }, unit.regionId, scope === 'group' ? unit.groupId : null)}`;
      if (due.local <= opens.local) {
        issues.push({
          path: `deliverables.${d.id}`,
          message: `fristen for «${d.title}» (${fmt(due.local)}) er ikke etter åpningen (${fmt(opens.local)})${where}`,
        });
      }
      const { reminderAts, escalationAt } = remindersAndEscalation(d, opens.local, due.local, lateUntil, policy);
      const guidance = d.review ? guidanceWindow(d.review.reminders, fromSpec(d.review.due, unit).local, opens.local, policy) : null;
      if (guidance && guidance.due <= opens.local) {
        issues.push({
          path: `deliverables.${d.id}`,
          message: `veiledningen på «${d.title}» skal gis ${fmt(guidance.due)}, før innleveringen åpner (${fmt(opens.local)})${where}`,
        });
      }
      return {
        ...placed(scope, unit),
        opensAt: opens.local.toMillis(),
        promptAt: toWorkingTime(opens.local, policy, due.local).toMillis(),
        dueAt: due.local.toMillis(),
        reminderAts,
        escalationAt,
        lateUntil: lateUntil.toMillis(),
        version: Math.max(opens.version, due.version),
        ...(guidance ? { guidance: guidance.window } : {}),
      };
    });
    return {
      id: d.id,
      title: d.title,
      recipient: d.recipient,
      templates: { ...d.templates },
      windows,
      ...(d.review ? { review: { by: d.review.by, minimumDays: d.review.minimumDays } } : {}),
      ...(d.submittedBy === 'municipal-authorities' ? { submittedBy: d.submittedBy, minimumParticipants: d.minimumParticipants } : {}),
    };
  });

  for (const m of plan.milestones) {
    for (const before of m.after) {
      for (const unit of units) {
        const mine = milestoneAt(m.id, unit).local;
        const theirs = milestoneAt(before, unit).local;
        if (mine <= theirs) {
          issues.push({
            path: `milestones.${m.id}`,
            message: `«${m.title}» (${fmt(mine)}) må komme etter «${milestones.get(before)?.title ?? before}» (${fmt(theirs)}) for ${placeName({ regions }, unit.regionId, unit.groupId)}`,
          });
        }
      }
    }
  }
  if (issues.length) throw new InputError('Tidslinjen er i feil rekkefølge', dedupe(issues));

  const instants = [
    ...timelineMilestones.flatMap((m) => m.occurrences.flatMap((o) => [o.at, ...o.emails.map((e) => e.sendAt)])),
    ...deliverables.flatMap((d) => d.windows.map((w) => w.lateUntil)),
  ];
  const endsAt = Math.max(...instants);
  const opensAt = Math.min(...deliverables.flatMap((d) => d.windows.map((w) => w.opensAt)));
  // A plan stored before release 1.1.0 has no authorityDigest: its runs keep one escalation per kindergarten.
  const digest = policy.authorityDigest?.enabled && deliverables.length > 0 ? { days: digestDays(opensAt, endsAt, policy, zone) } : undefined;
  return {
    schoolYear: plan.schoolYear,
    county: plan.county,
    timezone: zone,
    regions,
    milestones: timelineMilestones,
    deliverables,
    endsAt,
    submissionGraceMs: plan.submissionGraceDays * 86_400_000,
    ...(digest ? { authorityDigest: digest } : {}),
  };
}

/**
 * The authorities' digest instants: each working day from the day the first deliverable opens, at the policy's
 * digest time moved into quiet hours, through the first one after the year's last instant (so an escalation on the
 * last day still has a digest to go into).
 */
export function digestDays(from: number, until: number, policy: SendPolicy, zone: string): DigestDay[] {
  const days: DigestDay[] = [];
  const at = policy.authorityDigest?.at ?? '12:00';
  let day = DateTime.fromMillis(from, { zone }).startOf('day');
  for (let i = 0; i < 800; i++, day = day.plus({ days: 1 })) {
    const wanted = withLocalTime(day, at);
    if (!isWorkingDay(wanted, policy)) continue;
    const send = toWorkingTime(wanted, policy);
    // Quiet hours may push the time to the next working day; that day then has its own digest.
    if (send.toISODate() !== day.toISODate()) continue;
    days.push({ day: day.toISODate() as string, at: send.toMillis() });
    if (send.toMillis() >= until) break;
  }
  return days;
}

/** Reminder and escalation instants of a deliverable for a deadline, moved into working time. */
function remindersAndEscalation(d: Deliverable, opens: DateTime, due: DateTime, lateUntil: DateTime, policy: SendPolicy) {
  const reminderAts = d.reminders
    .map((days) => toWorkingTime(withLocalTime(due.minus({ days }), policy.defaultTime), policy, due))
    .filter((at) => at > opens && at < due)
    .map((at) => at.toMillis());
  const escalation = toWorkingTime(withLocalTime(due.plus({ days: d.escalationDays }), policy.defaultTime), policy, lateUntil);
  return {
    reminderAts: [...new Set(reminderAts)].sort((a, b) => a - b),
    escalationAt: Math.max(escalation.toMillis(), due.toMillis()),
  };
}

/**
 * When guidance is due and the research centre's reminders of it: each reminder at the policy's time that many days
 * before, in working time, after the opening; and one more the working day after it is due.
 */
function guidanceWindow(reminders: number[], due: DateTime, opens: DateTime, policy: SendPolicy): { due: DateTime; window: GuidanceWindow } {
  const reminderAts = reminders
    .map((days) => toWorkingTime(withLocalTime(due.minus({ days }), policy.defaultTime), policy, due))
    .filter((at) => at > opens && at < due)
    .map((at) => at.toMillis());
  const overdue = toWorkingTime(withLocalTime(due.plus({ days: 1 }), policy.defaultTime), policy);
  return { due, window: { dueAt: due.toMillis(), reminderAts: [...new Set(reminderAts)].sort((a, b) => a - b), overdueAt: overdue.toMillis() } };
}

/**
 * The window for a coordinator's extension of one deliverable: a new local deadline, with reminders, escalation and
 * late window computed by the plan's rules. `openedAt` is the window's opening (reminders never come before it).
 */
export function resolveExtension(plan: Plan, deliverableId: string, dueLocal: string, openedAt: number) {
  const d = plan.deliverables.find((x) => x.id === deliverableId);
  if (!d) throw new InputError('Forlengelsen ble avvist', [{ path: 'deliverableId', message: `«${deliverableId}» er ikke en innlevering i planen` }]);
  const due = parseLocal(dueLocal, plan.timezone);
  if (!due.isValid) throw new InputError('Forlengelsen ble avvist', [{ path: 'due', message: `forventet en lokal dato og tid som 2018-03-09T16:00, fikk «${dueLocal}»` }]);
  const lateUntil = due.plus({ days: d.lateAcceptanceDays });
  const opens = DateTime.fromMillis(openedAt, { zone: plan.timezone });
  const { reminderAts, escalationAt } = remindersAndEscalation(d, opens, due, lateUntil, plan.sendPolicy);
  return { deliverableId, dueAt: due.toMillis(), reminderAts, escalationAt, lateUntil: lateUntil.toMillis() };
}

function fmt(local: DateTime): string {
  return formatNorwegian(local.toMillis(), 'compact', local.zoneName ?? undefined);
}

function dedupe(issues: InputIssue[]): InputIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
