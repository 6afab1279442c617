/**
 * The resolved timeline: a plan turned into instants (epoch milliseconds), and the pure helpers that cut it into
 * what one region or one kindergarten needs. Resolution itself (time zones, holidays) happens outside the workflow
 * sandbox in `planning/resolve-timeline.ts`; this file holds only data and deterministic functions.
 */

/** `participants`: each kindergarten's participants in the competence package, from its authority's group set-up (1.2.0). */
export type Audience = 'directors' | 'participants' | 'municipal-authorities' | 'research-centre' | 'coordinator';
export type Scope = 'run' | 'region' | 'group';

export interface ScheduledEmail {
  /** Stable within a milestone: `<template>:<audience>:<days before>`. */
  id: string;
  template: string;
  to: Audience;
  sendAt: number;
  /** After this instant the email is no longer worth sending (the event has passed). */
  latestUsefulAt: number;
}

export interface Occurrence {
  scope: Scope;
  regionId: string | null;
  groupId: string | null;
  at: number;
  /** Bumped each time this occurrence is moved, so emails about the new date get new idempotency keys. */
  version: number;
  emails: ScheduledEmail[];
}

export interface TimelineMilestone {
  id: string;
  kind: string;
  title: string;
  location: string | null;
  /** Length of the event, for calendar invitations; null: the invitation says two hours. */
  durationMinutes: number | null;
  occurrences: Occurrence[];
}

export interface DeliverableTemplates {
  prompt: string;
  reminder: string;
  escalation: string;
}

export interface DeliverableWindow {
  scope: Scope;
  regionId: string | null;
  groupId: string | null;
  opensAt: number;
  /** When the director is prompted: the opening moved into working time. */
  promptAt: number;
  dueAt: number;
  /** Instants of the reminders, already moved off weekends, holidays and quiet hours. */
  reminderAts: number[];
  escalationAt: number;
  lateUntil: number;
  version: number;
  /** Set when the deliverable asks for guidance (the plan's `review`, release 1.2.0): when the guidance is due. */
  guidance?: GuidanceWindow;
}

/** When the research centre's guidance on a window's submissions is due, and when it is reminded of what it owes. */
export interface GuidanceWindow {
  dueAt: number;
  /** Reminders before the due instant, in working time. */
  reminderAts: number[];
  /** The working-time instant after the due one: one more reminder, of guidance now late. */
  overdueAt: number;
}

export interface TimelineDeliverable {
  id: string;
  title: string;
  recipient: 'research-centre' | 'municipal-authority' | 'coordinator';
  templates: DeliverableTemplates;
  windows: DeliverableWindow[];
  /** The plan's `review`: who gives guidance on each submission, and the least time a late submission leaves them. */
  review?: { by: 'research-centre'; minimumDays: number };
  /**
   * Set for a deliverable each municipal authority submits (its group set-up, release 1.2.0): the run workflow prompts,
   * reminds and escalates it, no kindergarten workflow has it. Absent: each director submits it.
   */
  submittedBy?: 'municipal-authorities';
  /** For a group set-up: the fewest participants per kindergarten, the director among them. */
  minimumParticipants?: number;
}

export interface TimelineRegion {
  id: string;
  name: string;
  groups: { id: string; name: string }[];
}

/** A coordinator's move of a milestone: for everyone, one region, or one workshop group. */
export interface MilestoneOverride {
  milestoneId: string;
  regionId?: string | null;
  groupId?: string | null;
  /** New local date and time, `YYYY-MM-DDTHH:mm` in the plan's zone. */
  at: string;
}

export interface Timeline {
  schoolYear: number;
  county: string;
  timezone: string;
  regions: TimelineRegion[];
  milestones: TimelineMilestone[];
  deliverables: TimelineDeliverable[];
  /** The last instant anything can happen: the latest late-submission window or milestone. */
  endsAt: number;
  /**
   * How long a kindergarten's workflow stays open after its last late window (the plan's submissionGraceDays): a
   * submission stored in time but handed over late is still judged by when it arrived, not refused as closed.
   */
  submissionGraceMs: number;
  /**
   * The municipal authorities' daily digest (the plan's sendPolicy.authorityDigest): every working day's send instant
   * from the first opening to the first working day after the year ends, with its Oslo date. Absent: every escalation
   * is its own email (the plan turned the digest off, or the run was started before release 1.1.0).
   */
  authorityDigest?: { days: DigestDay[] };
}

/** One working day's digest: its local date (`YYYY-MM-DD`, the email's key) and when it goes. */
export interface DigestDay {
  day: string;
  at: number;
}

/** What one kindergarten workflow needs: the director emails and deliverable windows of its region and group. */
export interface KindergartenSchedule {
  emails: KindergartenEmailStep[];
  deliverables: KindergartenDeliverable[];
  endsAt: number;
  submissionGraceMs: number;
  /**
   * Set when the run has the authorities' daily digest: an escalation due at or before `lastAt` (the last digest of
   * the year) goes into the digest instead of its own email; a later one is sent on its own.
   */
  authorityDigest?: { lastAt: number };
}

export interface KindergartenEmailStep {
  /** `<milestone>/<email id>`: the business key of the step within the kindergarten. */
  stepId: string;
  milestoneId: string;
  title: string;
  kind: string;
  location: string | null;
  durationMinutes: number | null;
  /** The occurrence this email is about (`<milestone>/<region|*>/<group|*>`): the calendar event's identity. */
  occurrenceKey: string;
  template: string;
  occurrenceAt: number;
  sendAt: number;
  latestUsefulAt: number;
  version: number;
  /** Set for an email to the kindergarten's participants (release 1.2.0); absent: to its director. */
  to?: 'participants';
}

export interface KindergartenDeliverable {
  id: string;
  title: string;
  recipient: TimelineDeliverable['recipient'];
  templates: DeliverableTemplates;
  window: DeliverableWindow;
}

/**
 * The instants the run reminds the research centre of guidance still owed: every reminder and overdue instant of
 * every window that asks for guidance, earliest first, each once.
 */
export function guidanceReminderInstants(timeline: Timeline): number[] {
  const instants = timeline.deliverables.flatMap((d) => d.windows.flatMap((w) => (w.guidance ? [...w.guidance.reminderAts, w.guidance.overdueAt] : [])));
  return [...new Set(instants)].sort((a, b) => a - b);
}

/** One step of a deliverable the municipal authorities submit, which the run workflow carries out (release 1.2.0). */
export interface AuthorityDeliverableStep {
  /** `<deliverable>/<prompt|reminder-N|escalation>/<region|*>@v<window version>`: the step's key within the run. */
  key: string;
  deliverableId: string;
  kind: 'prompt' | 'reminder' | 'escalation';
  at: number;
  /** After this instant the step is not worth doing (a reminder after the deadline, a prompt after the late window). */
  latestUsefulAt: number;
  window: DeliverableWindow;
  title: string;
  recipient: TimelineDeliverable['recipient'];
  minimumParticipants: number;
}

/**
 * The prompts, reminders and escalations of every deliverable the municipal authorities submit, earliest first: a
 * prompt to every authority when it opens, a reminder to each that has not sent it, and an escalation to the
 * coordinator naming those that still have not. Empty for a run whose plan has none (every run before release 1.2.0).
 */
export function authorityDeliverableSteps(timeline: Pick<Timeline, 'deliverables'>): AuthorityDeliverableStep[] {
  const steps: AuthorityDeliverableStep[] = [];
  for (const d of timeline.deliverables) {
    if (d.submittedBy !== 'municipal-authorities') continue;
    for (const w of d.windows) {
      const where = `${w.regionId ?? '*'}@v${w.version}`;
      const common = { deliverableId: d.id, window: w, title: d.title, recipient: d.recipient, minimumParticipants: d.minimumParticipants ?? 2 };
      steps.push({ ...common, key: `${d.id}/prompt/${where}`, kind: 'prompt', at: w.promptAt, latestUsefulAt: w.lateUntil });
      w.reminderAts.forEach((at, i) => steps.push({ ...common, key: `${d.id}/reminder-${i + 1}/${where}`, kind: 'reminder', at, latestUsefulAt: w.dueAt }));
      steps.push({ ...common, key: `${d.id}/escalation/${where}`, kind: 'escalation', at: w.escalationAt, latestUsefulAt: w.lateUntil });
    }
  }
  return steps.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}

/** The window of an authority deliverable for a municipality's region; null if the plan has no such deliverable. */
export function authorityWindowFor(timeline: Pick<Timeline, 'deliverables'>, deliverableId: string, regionId: string): DeliverableWindow | null {
  const d = timeline.deliverables.find((x) => x.id === deliverableId && x.submittedBy === 'municipal-authorities');
  return d?.windows.find((w) => w.scope === 'run' || w.regionId === regionId) ?? null;
}

/** True when an occurrence or window applies to a kindergarten or municipality in this region and group. */
export function appliesTo(
  item: { scope: Scope; regionId: string | null; groupId: string | null },
  regionId: string,
  groupId: string,
): boolean {
  if (item.scope === 'run') return true;
  if (item.scope === 'region') return item.regionId === regionId;
  return item.regionId === regionId && item.groupId === groupId;
}

/** Cuts the director-facing part of the timeline for one kindergarten. */
export function scheduleForKindergarten(timeline: Timeline, regionId: string, groupId: string): KindergartenSchedule {
  const emails: KindergartenEmailStep[] = [];
  for (const milestone of timeline.milestones) {
    for (const occurrence of milestone.occurrences) {
      if (!appliesTo(occurrence, regionId, groupId)) continue;
      for (const email of occurrence.emails) {
        // The kindergarten's own emails: to its director, and (release 1.2.0) to its participants.
        if (email.to !== 'directors' && email.to !== 'participants') continue;
        emails.push({
          stepId: `${milestone.id}/${email.id}`,
          milestoneId: milestone.id,
          title: milestone.title,
          kind: milestone.kind,
          location: milestone.location,
          durationMinutes: milestone.durationMinutes,
          occurrenceKey: occurrenceKey(milestone.id, occurrence),
          template: email.template,
          occurrenceAt: occurrence.at,
          sendAt: email.sendAt,
          latestUsefulAt: email.latestUsefulAt,
          version: occurrence.version,
          ...(email.to === 'participants' ? { to: 'participants' as const } : {}),
        });
      }
    }
  }
  emails.sort((a, b) => a.sendAt - b.sendAt || a.stepId.localeCompare(b.stepId));
  const deliverables: KindergartenDeliverable[] = [];
  for (const deliverable of timeline.deliverables) {
    // A municipal authority's deliverable (its group set-up) is the run's, not the kindergarten's.
    if (deliverable.submittedBy === 'municipal-authorities') continue;
    const window = deliverable.windows.find((w) => appliesTo(w, regionId, groupId));
    if (!window) continue;
    deliverables.push({
      id: deliverable.id,
      title: deliverable.title,
      recipient: deliverable.recipient,
      templates: deliverable.templates,
      window,
    });
  }
  const lastDigest = timeline.authorityDigest?.days.at(-1);
  return {
    emails,
    deliverables,
    endsAt: timeline.endsAt,
    submissionGraceMs: timeline.submissionGraceMs,
    ...(lastDigest ? { authorityDigest: { lastAt: lastDigest.at } } : {}),
  };
}

/** One occurrence that a region or run workflow owns: it records it and sends its non-director emails. */
export interface OwnedOccurrence {
  key: string;
  milestoneId: string;
  occurrence: Occurrence;
}

/** Occurrences owned by the run (scope run) or by one region (scope region or group in that region). */
export function ownedOccurrences(timeline: Timeline, owner: { regionId: string } | 'run'): OwnedOccurrence[] {
  const owned: OwnedOccurrence[] = [];
  for (const milestone of timeline.milestones) {
    for (const occurrence of milestone.occurrences) {
      const mine = owner === 'run' ? occurrence.scope === 'run' : occurrence.scope !== 'run' && occurrence.regionId === owner.regionId;
      if (!mine) continue;
      owned.push({ key: occurrenceKey(milestone.id, occurrence), milestoneId: milestone.id, occurrence });
    }
  }
  return owned;
}

export function occurrenceKey(milestoneId: string, occurrence: Pick<Occurrence, 'regionId' | 'groupId'>): string {
  return [milestoneId, occurrence.regionId ?? '*', occurrence.groupId ?? '*'].join('/');
}

/** The name people know a place in the timeline by: the workshop group's, the region's, or null for the whole county. */
export function placeName(timeline: Pick<Timeline, 'regions'>, regionId: string | null, groupId: string | null): string | null {
  const region = timeline.regions.find((r) => r.id === regionId);
  if (!region) return regionId;
  const group = groupId ? region.groups.find((g) => g.id === groupId) : undefined;
  return group && region.groups.length > 1 ? group.name : region.name;
}

/**
 * The digest days a run wakes for: the first digest day at or after each escalation instant the timeline plans (every
 * deliverable window) and each one asked for (`wanted`: a kindergarten's extension, a resume), each followed by the
 * next working day's, which takes an escalation queued after its day's digest had gone (a worker away at the time).
 * A day with nothing new sends nothing. Empty for a run without the digest.
 */
export function digestWakeDays(timeline: Timeline, wanted: readonly number[]): DigestDay[] {
  const days = timeline.authorityDigest?.days ?? [];
  if (days.length === 0) return [];
  const sources = [...timeline.deliverables.flatMap((d) => d.windows.map((w) => w.escalationAt)), ...wanted];
  const picked = new Set<number>();
  for (const at of sources) {
    const i = days.findIndex((d) => d.at >= at);
    if (i < 0) continue;
    picked.add(i);
    if (i + 1 < days.length) picked.add(i + 1);
  }
  return [...picked].sort((a, b) => a - b).map((i) => days[i] as DigestDay);
}
