/**
 * What starting a year now does with the steps whose time has already come (a year started in December has its
 * August–November behind it), decided by the rules the workflows apply on their first run: a kindergarten's step by
 * `pendingActions` and `decide` on a fresh state that joined now, a run's or region's by its latest useful time (as
 * runOwnedStep does). Milestones already past are recorded as held; their emails are sent at once or skipped.
 */
import { DIGEST_TEMPLATE, type KindergartenState, decide, goesIntoDigest, pendingActions } from './kindergarten-schedule';
import { occurrenceSteps } from './occurrence-steps';
import { type Timeline, authorityDeliverableSteps, ownedOccurrences, placeName, scheduleForKindergarten } from './timeline';
import { GROUP_SETUP_TEMPLATES } from './email-templates';

export interface PastStep {
  /** The milestone's or deliverable's id and title. */
  id: string;
  title: string;
  kind: 'milestone' | 'email' | 'prompt' | 'reminder' | 'escalation';
  template: string | null;
  /** Who the email is for (plan audience), null for a milestone. */
  to: string | null;
  at: number;
  /** 'recorded': a milestone noted as held; 'send': sent at once when the year starts; 'skip': not sent, its use is past. */
  outcome: 'recorded' | 'send' | 'skip';
  /** Where: the workshop groups (by name) it applies to, or null for the whole county. */
  places: string[] | null;
}

function freshState(timeline: Timeline, regionId: string, groupId: string, now: number): KindergartenState {
  return { revision: 0, schedule: scheduleForKindergarten(timeline, regionId, groupId), paused: false, cancelled: false, withdrawn: null, joinedAt: now, outcomes: {}, deliverables: {}, receiptsDue: [] };
}

/** Every step of the timeline whose time is before `now`, with what the workflows will do with it at the start. */
export function pastStepsAtStart(timeline: Timeline, now: number): PastStep[] {
  const lines = new Map<string, PastStep>();
  const add = (id: string, step: Omit<PastStep, 'places'>, place: string | null) => {
    const line = lines.get(id);
    if (!line) lines.set(id, { ...step, places: place === null ? null : [place] });
    else if (line.places && place !== null && !line.places.includes(place)) line.places.push(place);
  };
  // The directors' steps, per workshop group: what a kindergarten's workflow does on its first run.
  for (const region of timeline.regions) {
    for (const group of region.groups) {
      const state = freshState(timeline, region.id, group.id, now);
      const place = placeName(timeline, region.id, group.id);
      for (const action of pendingActions(state).filter((a) => a.at <= now)) {
        const outcome = decide(action, state, now) === 'send' ? 'send' : 'skip';
        const common = { at: action.at, outcome } as const;
        if (action.kind === 'milestone-email') {
          add(`${action.step.stepId}|${action.at}|${outcome}`, { ...common, id: action.step.milestoneId, title: action.step.title, kind: 'email', template: action.step.template, to: action.step.to === 'participants' ? 'participants' : 'directors' }, action.step.occurrenceKey.endsWith('/*/*') ? null : place);
        } else {
          add(`${action.key}|${action.at}|${outcome}`, { ...common, id: action.deliverable.id, title: action.deliverable.title, kind: action.kind, template: goesIntoDigest(action, state) ? DIGEST_TEMPLATE : action.deliverable.templates[action.kind], to: action.kind === 'escalation' ? 'municipal-authorities' : 'directors' }, action.window.scope === 'run' ? null : place);
        }
      }
    }
  }
  // The run's and the regions' own steps: milestones recorded, emails to authorities, research centre, coordinator.
  const owners: ({ regionId: string } | 'run')[] = ['run', ...timeline.regions.map((r) => ({ regionId: r.id }))];
  for (const owner of owners) {
    for (const step of occurrenceSteps(ownedOccurrences(timeline, owner), {}).filter((s) => s.at <= now)) {
      const milestone = timeline.milestones.find((m) => m.id === step.owned.milestoneId);
      const place = step.owned.occurrence.scope === 'run' ? null : placeName(timeline, step.owned.occurrence.regionId, step.owned.occurrence.groupId);
      if (step.kind === 'record') {
        add(`${step.owned.milestoneId}|record|${step.at}`, { id: step.owned.milestoneId, title: milestone?.title ?? step.owned.milestoneId, kind: 'milestone', template: null, to: null, at: step.at, outcome: 'recorded' }, place);
      } else {
        const outcome = now > step.email.latestUsefulAt ? 'skip' : 'send';
        add(`${step.owned.milestoneId}|${step.email.id}|${step.at}|${outcome}`, { id: step.owned.milestoneId, title: milestone?.title ?? step.owned.milestoneId, kind: 'email', template: step.email.template, to: step.email.to, at: step.at, outcome }, place);
      }
    }
  }
  // The deliverables the municipal authorities submit (their group set-up): the run's prompt, reminders and the
  // coordinator's escalation, each sent at once while still useful, as the run workflow does on its first run.
  for (const step of authorityDeliverableSteps(timeline).filter((s) => s.at <= now)) {
    const outcome = now > step.latestUsefulAt ? 'skip' : 'send';
    add(
      `${step.key}|${outcome}`,
      { id: step.deliverableId, title: step.title, kind: step.kind, template: GROUP_SETUP_TEMPLATES[step.kind], to: step.kind === 'escalation' ? 'coordinator' : 'municipal-authorities', at: step.at, outcome },
      step.window.scope === 'run' ? null : placeName(timeline, step.window.regionId, null),
    );
  }
  return [...lines.values()].sort((a, b) => a.at - b.at || a.title.localeCompare(b.title));
}
