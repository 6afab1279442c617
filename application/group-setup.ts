/**
 * A municipal authority's group set-up for the competence package (release 1.2.0): the participants of each of its
 * kindergartens, from the console's form or an uploaded workbook or CSV, checked (planning/group-setup.ts), judged on
 * time or late by when it arrived against the run's current window, stored as a new version with a receipt number and
 * the audit entry in one transaction, and receipted by email through a one-off workflow named after it (so a form sent
 * twice stores and sends once).
 */
import type { GroupSetupRecord } from '../activities/store';
import { GROUP_SETUP_TEMPLATES, INVITATION_TEMPLATES, PARTICIPANT_REMOVED_TEMPLATE } from '../domain/email-templates';
import { actionEmail, cancellationEmail } from '../domain/kindergarten-emails';
import { unknownDeliverable } from '../domain/refusals';
import { type Timeline, authorityWindowFor, scheduleForKindergarten } from '../domain/timeline';
import { type ParticipantLine, type SetupKindergarten, checkGroupSetup } from '../planning/group-setup';
import { refuse } from './errors';
import { type RunControlDeps, startOnce } from './run-control';

export interface SubmitGroupSetupInput {
  runId: string;
  municipalityId: string;
  deliverableId: string;
  /** Chosen by the form when it is shown. */
  setupId: string;
  lines: ParticipantLine[];
  source: { kind: 'form' } | { kind: 'file'; file: string; sheet?: string };
  /** Who sent it (the authority's email), for the audit log and the history. */
  by: string;
  receivedAt: number;
}

/** The one-off workflow that emails a group set-up's receipt to its authority. */
export function groupSetupReceiptWorkflowId(runId: string, setupId: string): string {
  return `${runId}-group-setup-${setupId}`;
}

/**
 * What a new version changes for the participants' emails already sent (release 1.2.0): for each kindergarten's email
 * to its participants whose time has come and that is still useful, the participants this version added get it now,
 * and those it removed get the invitation withdrawn (METHOD:CANCEL, same event) when it was a calendar invitation.
 * Each by a one-off workflow named after the version, kindergarten and step, so it goes once; the recipients are
 * looked up when it is sent (`added-participants`, `removed-participants`), never put in a workflow's input.
 */
async function catchUpParticipants(deps: RunControlDeps, timeline: Timeline, record: GroupSetupRecord, kindergartens: (SetupKindergarten & { regionId: string; groupId: string })[], now: number): Promise<void> {
  for (const k of kindergartens) {
    const steps = scheduleForKindergarten(timeline, k.regionId, k.groupId).emails.filter((e) => e.to === 'participants' && e.sendAt <= now && now < e.latestUsefulAt);
    for (const step of steps) {
      const ids = { runId: record.runId, orgnr: k.orgnr, regionId: k.regionId, groupId: k.groupId };
      const key = `${step.stepId}@v${step.version}/setup-${record.setupId}`;
      const added = actionEmail(ids, { kind: 'milestone-email', key, at: now, step }, now, step.latestUsefulAt);
      await startOnce(deps, `${record.runId}-setup-${record.setupId}-${k.orgnr}-${step.stepId.replace(/[^a-z0-9-]/g, '-')}-added`, { ...added, to: { kind: 'added-participants', orgnr: k.orgnr, setupId: record.setupId } });
      if (INVITATION_TEMPLATES.has(step.template) && step.occurrenceAt > now) {
        const removed = cancellationEmail(ids, `${key}/removed`, step, now);
        await startOnce(deps, `${record.runId}-setup-${record.setupId}-${k.orgnr}-${step.stepId.replace(/[^a-z0-9-]/g, '-')}-removed`, { ...removed, template: PARTICIPANT_REMOVED_TEMPLATE, to: { kind: 'removed-participants', orgnr: k.orgnr, setupId: record.setupId } });
      }
    }
  }
}

/** The authority deliverable of a timeline, refused when the plan has none by that id. */
function authorityDeliverable(timeline: Timeline, deliverableId: string) {
  const deliverable = timeline.deliverables.find((d) => d.id === deliverableId && d.submittedBy === 'municipal-authorities');
  if (!deliverable) throw refuse(unknownDeliverable(deliverableId, timeline.deliverables.filter((d) => d.submittedBy === 'municipal-authorities')));
  return deliverable;
}

/** What the set-up covers: the municipality's kindergartens still in the run, and its deliverable window. */
export async function groupSetupScope(deps: Pick<RunControlDeps, 'store'>, timeline: Timeline, runId: string, municipalityId: string, deliverableId: string) {
  const deliverable = authorityDeliverable(timeline, deliverableId);
  const [kindergartens, municipalities] = await Promise.all([deps.store.municipalityKindergartens(runId, municipalityId), deps.store.groupSetups(runId, deliverableId)]);
  const municipality = municipalities.find((m) => m.municipalityId === municipalityId);
  const window = municipality ? authorityWindowFor(timeline, deliverableId, municipality.regionId) : null;
  return { deliverable, kindergartens, municipality: municipality ?? null, window, minimum: deliverable.minimumParticipants ?? 2 };
}

/**
 * Checks and stores a version of a municipality's group set-up and emails its receipt. Refused before it opens and
 * after its late window; an InputError (every line's problem, by row and column or by kindergarten) when a line is
 * wrong. The same `setupId` again returns the version already stored.
 */
export async function submitGroupSetup(deps: RunControlDeps, timeline: Timeline, input: SubmitGroupSetupInput): Promise<GroupSetupRecord> {
  const earlier = await deps.store.groupSetup(input.runId, input.setupId);
  if (earlier) return earlier;
  const scope = await groupSetupScope(deps, timeline, input.runId, input.municipalityId, input.deliverableId);
  const { deliverable, window } = scope;
  if (!window || !scope.municipality) throw refuse({ code: 'unknown-municipality', municipalityId: input.municipalityId });
  if (input.receivedAt < window.opensAt) throw refuse({ code: 'not-open-yet', deliverable: deliverable.title, opensAt: window.opensAt });
  if (input.receivedAt > window.lateUntil) throw refuse({ code: 'late-window-closed', deliverable: deliverable.title, dueAt: window.dueAt, lateUntil: window.lateUntil });
  const where = input.source.kind === 'form' ? { form: true } : { file: input.source.file, ...(input.source.sheet ? { sheet: input.source.sheet } : {}) };
  const participants = checkGroupSetup(input.lines, scope.kindergartens, scope.minimum, where);
  const record = await deps.store.recordGroupSetup({
    setupId: input.setupId,
    runId: input.runId,
    municipalityId: input.municipalityId,
    deliverableId: deliverable.id,
    deliverable: deliverable.title,
    late: input.receivedAt > window.dueAt,
    receivedAt: input.receivedAt,
    by: input.by,
    source: input.source.kind,
    fileName: input.source.kind === 'file' ? input.source.file : null,
    participants,
  });
  await catchUpParticipants(deps, timeline, record, scope.kindergartens, input.receivedAt);
  await startOnce(deps, groupSetupReceiptWorkflowId(input.runId, input.setupId), {
    key: `${input.runId}/group-setup-receipt/${input.setupId}`,
    runId: input.runId,
    template: GROUP_SETUP_TEMPLATES.receipt,
    to: { kind: 'authority', municipalityId: input.municipalityId },
    deliverable: { id: deliverable.id, title: deliverable.title, recipient: deliverable.recipient, opensAt: window.opensAt, dueAt: window.dueAt, lateUntil: window.lateUntil },
    groupSetup: { setupId: record.setupId },
    scheduledFor: input.receivedAt,
    requestedAt: input.receivedAt,
    latestUsefulAt: input.receivedAt + 7 * 86_400_000,
  });
  return record;
}
