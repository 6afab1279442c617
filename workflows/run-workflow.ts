import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { AddKindergartenInput, SendEmailInput } from '../domain/activity-contracts';
import type { AuditAction } from '../domain/audit';
import type { Plan } from '../config/plan-schema';
import type { RegionControl } from '../domain/controls';
import { ErrorType } from '../domain/errors';
import { kindergartenWorkflowId, regionWorkflowId } from '../domain/ids';
import { DIGEST_TEMPLATE } from '../domain/kindergarten-schedule';
import { AUTHORITY_DELIVERABLES_PATCH, AUTHORITY_DIGEST_PATCH, GUIDANCE_REMINDER_PATCH } from '../domain/patches';
import { GROUP_SETUP_TEMPLATES, GUIDANCE_REMINDER_TEMPLATE } from '../domain/email-templates';
import { guidancePlanOf, reviewedDeliverables } from '../domain/guidance';
import { digestWantedSignal } from './digest-signal';
import { emailSender } from './email-sender';
import { nextStepAt, occurrenceSteps } from '../domain/occurrence-steps';
import { type AuthorityDeliverableStep, type MilestoneOverride, type Timeline, authorityDeliverableSteps, digestWakeDays, guidanceReminderInstants, ownedOccurrences, placeName } from '../domain/timeline';
import { type MovedOccurrence, movedOccurrences, windowsChangedIn } from '../domain/timeline-changes';
import { RECOVERY_DETAIL, type RecoveryRecord } from '../domain/recovery-records';
import { withdrawKindergartenSignal } from './kindergarten-workflow';
import { runDueOwnedSteps } from './owned-step-runner';
import { refused } from './refusal';
import { kindergartenAddedSignal, regionControlSignal, regionWorkflow } from './region-workflow';

export interface RunState {
  revision: number;
  timeline: Timeline;
  overrides: MilestoneOverride[];
  paused: boolean;
  cancelled: boolean;
  regionsStarted: boolean;
  done: Record<string, string>;
  added: string[];
  withdrawn: string[];
  /** The instant of the last authorities' digest day done (release 1.1.0; absent before the first). */
  digestThrough?: number;
  /** Escalation instants outside the plan's (extensions) and resumes, each wanting a digest day after it (1.1.0). */
  digestWanted?: number[];
  /** The instant of the last reminder to the research centre of guidance owed that is done (release 1.2.0). */
  guidanceThrough?: number;
  /** The steps of the authorities' deliverables done (sent, or skipped as no longer useful), by key (release 1.2.0). */
  authorityStepsDone?: Record<string, 'sent' | 'stale'>;
}

export interface RunWorkflowInput {
  runId: string;
  /** The validated plan, kept so the coordinator's tools can re-resolve it with new overrides. */
  plan: Plan;
  timeline: Timeline;
  /** The rate-limited task queue for sendEmail (config EMAIL_TASK_QUEUE); unset, emails use the workflow's queue. */
  emailTaskQueue?: string;
  /** The Årshjul release that started the run (package.json's version), kept in every workflow's memo. */
  release: string;
  /** Who started the run and how many kindergartens its roster has: the first entry of its audit log. */
  startedBy: string;
  kindergartens: number;
  state?: RunState;
}

export interface RunStatus {
  runId: string;
  schoolYear: number;
  county: string;
  state: 'active' | 'paused' | 'cancelled' | 'completed';
  revision: number;
  regions: { id: string; name: string; workflowId: string }[];
  milestones: { id: string; title: string; occurrences: { regionId: string | null; groupId: string | null; at: number; version: number }[] }[];
  addedKindergartens: string[];
  withdrawnKindergartens: string[];
  endsAt: number;
}

export interface RescheduleMilestoneInput {
  /** The revision the caller resolved against; a stale one is refused so two coordinators never overwrite each other. */
  basedOnRevision: number;
  override: MilestoneOverride;
  /** The timeline resolved by the caller from the plan, the earlier overrides and this one. */
  timeline: Timeline;
  requestedBy: string;
}

export interface RescheduleResult {
  revision: number;
  moved: MovedOccurrence[];
  regionsNotified: string[];
}

export interface AddKindergartenRequest {
  kindergarten: AddKindergartenInput['kindergarten'];
  requestedBy: string;
}

export interface ControlRequest {
  requestedBy: string;
  reason?: string;
}

/** Moves a milestone for everyone, one region or one group; later steps move with it, timers re-arm. */
export const rescheduleMilestoneUpdate = defineUpdate<RescheduleResult, [RescheduleMilestoneInput]>('rescheduleMilestone');
/** Adds a kindergarten mid-year; it joins at the current phase. */
export const addKindergartenUpdate = defineUpdate<{ workflowId: string; regionId: string; groupId: string }, [AddKindergartenRequest]>('addKindergarten');
/** Withdraws a kindergarten: no more emails, submissions refused. */
export const withdrawKindergartenUpdate = defineUpdate<{ workflowId: string }, [ControlRequest & { orgnr: string }]>('withdrawKindergarten');
export const pauseRunUpdate = defineUpdate<{ state: RunStatus['state'] }, [ControlRequest]>('pauseRun');
export const resumeRunUpdate = defineUpdate<{ state: RunStatus['state'] }, [ControlRequest]>('resumeRun');
export const cancelRunUpdate = defineUpdate<{ state: RunStatus['state'] }, [ControlRequest]>('cancelRun');
export const runStatusQuery = defineQuery<RunStatus>('status');
/** The plan and overrides the coordinator's tools resolve a reschedule against. */
export const runPlanQuery = defineQuery<{ plan: Plan; overrides: MilestoneOverride[]; revision: number; timeline: Timeline }>('plan');

const DAY_MS = 86_400_000;
/** A digest handed over late (the worker was away) is still worth sending for this long. */
const DIGEST_LATE_MS = 6 * 3_600_000;

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [ErrorType.Conflict, ErrorType.NotFound, ErrorType.InvalidInput] },
});

/**
 * A yearly run of the programme, started by the coordinator (CLI or API): it starts one region workflow per region,
 * records the run-wide milestones and sends their emails to the research centre and coordinator, and carries out the
 * coordinator's controls (reschedule, add, withdraw, pause, resume, cancel) through validated Updates.
 */
export async function runWorkflow(input: RunWorkflowInput): Promise<RunStatus> {
  const state: RunState = input.state ?? {
    revision: 1,
    timeline: input.timeline,
    overrides: [],
    paused: false,
    cancelled: false,
    regionsStarted: false,
    done: {},
    added: [],
    withdrawn: [],
  };
  let changed = false;
  const regionIds = () => state.timeline.regions.map((r) => r.id);

  async function tellRegions(control: RegionControl, only?: string[]): Promise<string[]> {
    // An update can arrive before the regions exist; they must, to be signalled.
    await condition(() => state.regionsStarted);
    const targets = only ?? regionIds();
    await Promise.all(targets.map((id) => getExternalWorkflowHandle(regionWorkflowId(input.runId, id)).signal(regionControlSignal, control)));
    return targets;
  }

  /**
   * The audit entry of a control, written by this Update before it answers: keyed by the Update's id, so a retried
   * write adds nothing, and the coordinator never sees an action done without its entry (or an entry without it).
   */
  async function audit(action: AuditAction, updateId: string, requestedBy: string, details: Record<string, unknown>): Promise<void> {
    await store.recordAudit({ key: `${input.runId}/${action}/${updateId}`, runId: input.runId, actor: requestedBy, action, at: Date.now(), details });
  }

  /** The Update's id, read when its handler starts. */
  const updateId = () => currentUpdateInfo()?.id ?? `revision-${state.revision}`;

  /** The run's timeline as `arshjul run recover` needs it, written with the audit entry of each change of it. */
  const timelineRecord = (): RecoveryRecord => ({ kind: 'timeline', revision: state.revision, timeline: state.timeline, overrides: state.overrides });

  const refuseIfCancelled = () => {
    if (state.cancelled) throw refused({ code: 'run-cancelled' });
  };

  setHandler(
    rescheduleMilestoneUpdate,
    async (request) => {
      const id = updateId();
      const before = state.timeline;
      const moved = movedOccurrences(before, request.timeline);
      state.revision += 1;
      state.overrides.push(request.override);
      state.timeline = request.timeline;
      changed = true;
      const affected = new Set<string>();
      for (const m of moved) {
        if (m.regionId === null) regionIds().forEach((id) => affected.add(id));
        else affected.add(m.regionId);
      }
      for (const id of windowsChangedIn(request.timeline, before)) affected.add(id);
      const notified = await tellRegions({ type: 'timeline', revision: state.revision, timeline: state.timeline }, [...affected]);
      const milestone = state.timeline.milestones.find((m) => m.id === request.override.milestoneId);
      await audit('milestone-moved', id, request.requestedBy, {
        milestoneId: request.override.milestoneId,
        milestone: milestone?.title ?? request.override.milestoneId,
        where: placeName(state.timeline, request.override.regionId ?? null, request.override.groupId ?? null),
        revision: state.revision,
        moved,
        // Kept by the store in PostgreSQL (not in the audit log), so `arshjul run recover` knows the moved timeline.
        [RECOVERY_DETAIL]: timelineRecord(),
      });
      return { revision: state.revision, moved, regionsNotified: notified };
    },
    {
      validator: (request) => {
        refuseIfCancelled();
        if (request.basedOnRevision !== state.revision) throw refused({ code: 'plan-changed-meanwhile', revision: state.revision, basedOn: request.basedOnRevision });
        const milestone = state.timeline.milestones.find((m) => m.id === request.override.milestoneId);
        if (!milestone) throw refused({ code: 'unknown-milestone', milestoneId: request.override.milestoneId });
        if (request.override.regionId && !regionIds().includes(request.override.regionId)) {
          throw refused({ code: 'unknown-region', regionId: request.override.regionId, known: state.timeline.regions.map((r) => ({ id: r.id, title: r.name })) });
        }
        const now = Date.now();
        const moved = movedOccurrences(state.timeline, request.timeline);
        if (moved.length === 0) throw refused({ code: 'nothing-moves', milestone: milestone.title });
        for (const m of moved) {
          const title = state.timeline.milestones.find((x) => x.id === m.milestoneId)?.title ?? m.milestoneId;
          const where = m.regionId ? placeName(state.timeline, m.regionId, m.groupId) : null;
          if (m.from <= now) throw refused({ code: 'already-took-place', milestone: title, where, at: m.from });
          if (m.to <= now) throw refused({ code: 'new-date-in-past', milestone: title, where, at: m.to });
        }
      },
    },
  );

  setHandler(
    addKindergartenUpdate,
    async ({ kindergarten, requestedBy }) => {
      const id = updateId();
      const now = Date.now();
      const placed = await store.addKindergarten({ runId: input.runId, kindergarten, at: now });
      await condition(() => state.regionsStarted);
      await getExternalWorkflowHandle(regionWorkflowId(input.runId, placed.regionId)).signal(kindergartenAddedSignal, {
        orgnr: kindergarten.orgnr,
        groupId: placed.groupId,
        municipalityId: placed.municipalityId,
        joinedAt: now,
      });
      state.added.push(kindergarten.orgnr);
      await audit('kindergarten-added', id, requestedBy, {
        orgnr: kindergarten.orgnr,
        kindergarten: kindergarten.name,
        municipalityId: placed.municipalityId,
        where: placeName(state.timeline, placed.regionId, placed.groupId),
      });
      return { workflowId: kindergartenWorkflowId(input.runId, kindergarten.orgnr), regionId: placed.regionId, groupId: placed.groupId };
    },
    {
      validator: ({ kindergarten }) => {
        refuseIfCancelled();
        if (!/^\d{9}$/.test(kindergarten?.orgnr ?? '')) throw refused({ code: 'invalid-orgnr', orgnr: String(kindergarten?.orgnr ?? '') });
        if (Date.now() > state.timeline.endsAt) throw refused({ code: 'year-over', endedAt: state.timeline.endsAt });
      },
    },
  );

  setHandler(
    withdrawKindergartenUpdate,
    async ({ orgnr, reason, requestedBy }) => {
      const id = updateId();
      const now = Date.now();
      await store.withdrawKindergarten({ runId: input.runId, orgnr, reason: reason ?? '', at: now });
      const workflowId = kindergartenWorkflowId(input.runId, orgnr);
      try {
        await getExternalWorkflowHandle(workflowId).signal(withdrawKindergartenSignal, { reason: reason ?? 'trukket fra programmet', at: now });
      } catch {
        // The roster has it, its workflow is gone (the year is over for it): nothing more to stop.
        throw refused({ code: 'not-in-run', kindergarten: orgnr });
      }
      state.withdrawn.push(orgnr);
      await audit('kindergarten-withdrawn', id, requestedBy, { orgnr, reason: reason ?? null });
      return { workflowId };
    },
    {
      validator: ({ orgnr }) => {
        refuseIfCancelled();
        if (!/^\d{9}$/.test(orgnr ?? '')) throw refused({ code: 'invalid-orgnr', orgnr: String(orgnr ?? '') });
        if (state.withdrawn.includes(orgnr)) throw refused({ code: 'already-withdrawn', kindergarten: orgnr });
      },
    },
  );

  setHandler(
    pauseRunUpdate,
    async ({ requestedBy, reason }) => {
      const id = updateId();
      state.paused = true;
      changed = true;
      await tellRegions({ type: 'pause' });
      await audit('run-paused', id, requestedBy, { reason: reason ?? null });
      return { state: 'paused' };
    },
    {
      validator: (_request: ControlRequest) => {
        refuseIfCancelled();
        if (state.paused) throw refused({ code: 'already-paused' });
      },
    },
  );

  setHandler(
    resumeRunUpdate,
    async ({ requestedBy, reason }) => {
      const id = updateId();
      state.paused = false;
      changed = true;
      // Escalations held by the pause go now; the next digest day takes them.
      wantDigestAfter(Date.now());
      await tellRegions({ type: 'resume' });
      await audit('run-resumed', id, requestedBy, { reason: reason ?? null });
      return { state: 'active' };
    },
    {
      validator: (_request: ControlRequest) => {
        refuseIfCancelled();
        if (!state.paused) throw refused({ code: 'not-paused' });
      },
    },
  );

  setHandler(
    cancelRunUpdate,
    async ({ requestedBy, reason }) => {
      const id = updateId();
      state.cancelled = true;
      changed = true;
      await tellRegions({ type: 'cancel' });
      await audit('run-cancelled', id, requestedBy, { reason: reason ?? null });
      return { state: 'cancelled' };
    },
    { validator: (_request: ControlRequest) => refuseIfCancelled() },
  );

  setHandler(runStatusQuery, () => status(input, state, false));
  setHandler(runPlanQuery, () => ({ plan: input.plan, overrides: state.overrides, revision: state.revision, timeline: state.timeline }));

  if (!state.regionsStarted) {
    await store.recordAudit({
      key: `${input.runId}/run-started`,
      runId: input.runId,
      actor: input.startedBy,
      action: 'run-started',
      at: Date.now(),
      details: { kindergartens: input.kindergartens, regions: state.timeline.regions.length, release: input.release, [RECOVERY_DETAIL]: timelineRecord() },
    });
    await Promise.all(
      state.timeline.regions.map(async (region) => {
        try {
          await startChild(regionWorkflow, {
            workflowId: regionWorkflowId(input.runId, region.id),
            args: [
              {
                runId: input.runId,
                regionId: region.id,
                timeline: state.timeline,
                revision: state.revision,
                paused: state.paused,
                release: input.release,
                ...(input.emailTaskQueue ? { emailTaskQueue: input.emailTaskQueue } : {}),
              },
            ],
            memo: { release: input.release },
            // Regions outlive a continue-as-new of the run and are reached by workflow ID.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }),
    );
    state.regionsStarted = true;
  }

  /** The digest days still to wake for, earliest first (none in a run without the digest). */
  const digestDaysLeft = () => digestWakeDays(state.timeline, state.digestWanted ?? []).filter((d) => d.at > (state.digestThrough ?? 0));
  const wantDigestAfter = (at: number) => {
    if (!state.timeline.authorityDigest) return;
    state.digestWanted = [...(state.digestWanted ?? []), at];
    changed = true;
  };
  setHandler(digestWantedSignal, ({ at }) => wantDigestAfter(at));

  /**
   * Sends the authorities' digest of the latest digest day that has come (days missed while the worker was away are
   * folded into it): one email per authority with escalations queued since its last digest, keyed by authority and
   * day, so a retry or a replay after a worker kill never sends a second. Held while the run is paused.
   */
  async function sendDueDigest(now: number): Promise<boolean> {
    const day = digestDaysLeft().filter((d) => d.at <= now).at(-1);
    if (!day || state.paused || !patched(AUTHORITY_DIGEST_PATCH)) return false;
    const municipalities = await store.claimAuthorityDigests({ runId: input.runId, day: day.day, at: now });
    const useful = Math.max(day.at + DAY_MS, now + DIGEST_LATE_MS);
    const sender = emailSender(now, useful, { taskQueue: input.emailTaskQueue });
    await Promise.all(
      municipalities.map(async (municipalityId) => {
        const key = `${input.runId}/authority-digest/${day.day}/${municipalityId}`;
        try {
          await sender.sendEmail({ key, runId: input.runId, template: DIGEST_TEMPLATE, to: { kind: 'authority', municipalityId }, digest: { day: day.day }, scheduledFor: day.at, requestedAt: now, latestUsefulAt: useful });
        } catch (error) {
          log.warn('digest not delivered', { key, error: String(error) });
          await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), data: { step: key, error: String(error) } });
        }
      }),
    );
    state.digestThrough = day.at;
    return true;
  }

  /** The reminders of guidance owed still to do, earliest first (none in a run whose plan asks for no guidance). */
  const guidanceLeft = () => guidanceReminderInstants(state.timeline).filter((at) => at > (state.guidanceThrough ?? 0));

  /**
   * Reminds the research centre of the guidance it still owes at the latest reminder instant that has come (instants
   * missed while the worker was away fold into it): one email listing every kindergarten whose submission waits for
   * guidance, keyed by the instant, none when nothing is owed. Held while the run is paused.
   */
  async function sendDueGuidanceReminder(now: number): Promise<boolean> {
    const at = guidanceLeft().filter((a) => a <= now).at(-1);
    if (at === undefined || state.paused || !patched(GUIDANCE_REMINDER_PATCH)) return false;
    const deliverableIds = reviewedDeliverables(state.timeline);
    const owed = await store.countOwedGuidance({ runId: input.runId, deliverableIds, asOf: now });
    if (owed > 0) {
      const key = `${input.runId}/guidance-reminder/${at}`;
      const useful = Math.max(at + DAY_MS, now + DIGEST_LATE_MS);
      try {
        await emailSender(now, useful, { taskQueue: input.emailTaskQueue }).sendEmail({
          key,
          runId: input.runId,
          template: GUIDANCE_REMINDER_TEMPLATE,
          to: { kind: 'research-centre' },
          guidanceReminder: { asOf: now, plan: guidancePlanOf(state.timeline) },
          scheduledFor: at,
          requestedAt: now,
          latestUsefulAt: useful,
        });
      } catch (error) {
        log.warn('guidance reminder not delivered', { key, error: String(error) });
        await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), data: { step: key, error: String(error) } });
      }
    }
    state.guidanceThrough = at;
    return true;
  }

  /** The steps of the authorities' deliverables still to do, earliest first (none in a run without such a deliverable). */
  const authorityStepsLeft = () => authorityDeliverableSteps(state.timeline).filter((s) => !(state.authorityStepsDone ?? {})[s.key]);

  /**
   * Carries out the due steps of the deliverables the municipal authorities submit (their group set-up): the prompt to
   * every authority, a reminder to each that has not sent it, the escalation to the coordinator naming those that still
   * have not — each email keyed by step (and municipality), so a retry sends none twice. A step whose useful time has
   * passed (a reminder after the deadline) is skipped. Held while the run is paused.
   */
  async function runDueAuthoritySteps(now: number): Promise<boolean> {
    const due = authorityStepsLeft().filter((s) => s.at <= now);
    if (due.length === 0 || state.paused || !patched(AUTHORITY_DELIVERABLES_PATCH)) return false;
    for (const step of due) {
      state.authorityStepsDone = { ...(state.authorityStepsDone ?? {}), [step.key]: now > step.latestUsefulAt ? 'stale' : 'sent' };
      if (now > step.latestUsefulAt) continue;
      const targets = await store.authorityDeliverableTargets({ runId: input.runId, deliverableId: step.deliverableId, kind: step.kind, asOf: now });
      await Promise.all(
        authorityEmails(step, targets, now).map(async (email) => {
          try {
            await emailSender(now, email.latestUsefulAt, { taskQueue: input.emailTaskQueue }).sendEmail(email);
          } catch (error) {
            log.warn('authority deliverable email not delivered', { key: email.key, error: String(error) });
            await store.recordEvent({ runId: input.runId, type: 'email-failed', at: Date.now(), data: { step: email.key, error: String(error) } });
          }
        }),
      );
    }
    return true;
  }

  /** The emails of one step: one per municipality for a prompt or reminder, one to the coordinator for the escalation. */
  function authorityEmails(step: AuthorityDeliverableStep, municipalities: string[], now: number): SendEmailInput[] {
    const w = step.window;
    const common = {
      runId: input.runId,
      deliverable: { id: step.deliverableId, title: step.title, recipient: step.recipient, opensAt: w.opensAt, dueAt: w.dueAt, lateUntil: w.lateUntil },
      scheduledFor: step.at,
      requestedAt: now,
      latestUsefulAt: step.latestUsefulAt,
    };
    if (step.kind === 'escalation') {
      if (municipalities.length === 0) return [];
      return [{ ...common, key: `${input.runId}/${step.key}`, template: GROUP_SETUP_TEMPLATES.escalation, to: { kind: 'coordinator' }, groupSetup: { asOf: now } }];
    }
    return municipalities.map((municipalityId) => ({
      ...common,
      key: `${input.runId}/${step.key}/${municipalityId}`,
      template: step.kind === 'prompt' ? GROUP_SETUP_TEMPLATES.prompt : GROUP_SETUP_TEMPLATES.reminder,
      to: { kind: 'authority', municipalityId },
      groupSetup: { minimumParticipants: step.minimumParticipants },
    }));
  }

  for (;;) {
    if (state.cancelled) break;
    const now = Date.now();
    const steps = occurrenceSteps(ownedOccurrences(state.timeline, 'run'), state.done);
    if (await runDueOwnedSteps(steps, now, input.runId, state, input.emailTaskQueue)) continue;
    if (state.timeline.authorityDigest && (await sendDueDigest(now))) continue;
    if (await sendDueGuidanceReminder(now)) continue;
    if (await runDueAuthoritySteps(now)) continue;
    const digestsLeft = state.paused ? [] : digestDaysLeft();
    const guidanceRemindersLeft = state.paused ? [] : guidanceLeft();
    const authorityLeft = state.paused ? [] : authorityStepsLeft();
    if (steps.length === 0 && now > state.timeline.endsAt && digestsLeft.length === 0 && guidanceRemindersLeft.length === 0 && authorityLeft.length === 0) break;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof runWorkflow>({ ...input, state });
    }
    changed = false;
    const wake = Math.min(nextStepAt(steps, now) ?? state.timeline.endsAt + 1, digestsLeft[0]?.at ?? Infinity, guidanceRemindersLeft[0] ?? Infinity, authorityLeft[0]?.at ?? Infinity);
    await condition(() => changed, Math.max(wake - Date.now(), 1));
  }
  await condition(allHandlersFinished);
  await store.recordEvent({ runId: input.runId, type: state.cancelled ? 'run-cancelled' : 'run-completed', at: Date.now() });
  return status(input, state, !state.cancelled);
}

function status(input: RunWorkflowInput, state: RunState, completed: boolean): RunStatus {
  return {
    runId: input.runId,
    schoolYear: state.timeline.schoolYear,
    county: state.timeline.county,
    state: state.cancelled ? 'cancelled' : completed ? 'completed' : state.paused ? 'paused' : 'active',
    revision: state.revision,
    regions: state.timeline.regions.map((r) => ({ id: r.id, name: r.name, workflowId: regionWorkflowId(input.runId, r.id) })),
    milestones: state.timeline.milestones.map((m) => ({
      id: m.id,
      title: m.title,
      occurrences: m.occurrences.map((o) => ({ regionId: o.regionId, groupId: o.groupId, at: o.at, version: o.version })),
    })),
    addedKindergartens: state.added,
    withdrawnKindergartens: state.withdrawn,
    endsAt: state.timeline.endsAt,
  };
}
