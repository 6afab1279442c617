/**
 * The research centre's guidance (veiledning) on a submission, release 1.2.0: written on the submission's page,
 * kept with its files beside the submission, and emailed to the director with the files by a one-off workflow named
 * after it, so a form sent twice records and sends once. No workflow of the year changes: the run's reminders read
 * what is still owed from the store.
 */
import type { Plan } from '../config/plan-schema';
import { isStorableText } from '../config/plan-schema';
import type { GuidanceFile, GuidanceRecord, Store } from '../activities/store';
import { type GuidancePlan, type GuidanceState, guidanceDueFor, guidanceState, reviewedDeliverables } from '../domain/guidance';
import { GUIDANCE_TEMPLATE } from '../domain/email-templates';
import { guidanceWorkflowId } from '../domain/ids';
import { unknownDeliverable } from '../domain/refusals';
import { refuse } from './errors';
import { type RunControlDeps, kindergartenStatus, startOnce } from './run-control';

/** The longest guidance text taken in the form; longer guidance goes as an attached file. */
export const GUIDANCE_MAX_CHARS = 20_000;

export interface GiveGuidanceInput {
  runId: string;
  orgnr: string;
  deliverableId: string;
  /** Chosen by the form when it is shown: the same form sent twice gives guidance once. */
  guidanceId: string;
  text: string;
  /** Files already stored (see FileStore.commit), in the order given. */
  files: GuidanceFile[];
  /** The research centre person's email, for the audit log and the history. */
  by: string;
  at: number;
}

/**
 * Records the guidance on the kindergarten's latest submission and emails it to the director. Refused, with a reason
 * in bokmål, when the plan asks for no guidance on the deliverable, nothing is submitted, or the text is missing.
 */
export async function giveGuidance(deps: RunControlDeps, plan: Plan, input: GiveGuidanceInput): Promise<GuidanceRecord> {
  const deliverable = plan.deliverables.find((d) => d.id === input.deliverableId);
  if (!deliverable) throw refuse(unknownDeliverable(input.deliverableId, plan.deliverables));
  if (!deliverable.review) throw refuse({ code: 'guidance-not-asked', deliverable: deliverable.title });
  const text = input.text.replace(/\r\n/g, '\n').trim();
  if (text === '' || !isStorableText(text)) throw refuse({ code: 'guidance-text-missing' });
  if (text.length > GUIDANCE_MAX_CHARS) throw refuse({ code: 'guidance-too-long', max: GUIDANCE_MAX_CHARS });

  const earlier = await deps.store.guidance(input.runId, input.guidanceId);
  if (earlier) return earlier;
  const latest = await deps.store.latestSubmission(input.runId, input.orgnr, deliverable.id);
  if (!latest) {
    const kindergarten = (await deps.store.findRecipients(input.runId, { kind: 'director', orgnr: input.orgnr }))[0]?.kindergarten?.name ?? input.orgnr;
    throw refuse({ code: 'guidance-nothing-submitted', deliverable: deliverable.title, kindergarten });
  }
  const status = await kindergartenStatus(deps, input.runId, input.orgnr);

  const record: GuidanceRecord = {
    guidanceId: input.guidanceId,
    runId: input.runId,
    orgnr: input.orgnr,
    deliverableId: deliverable.id,
    submissionId: latest.submissionId,
    version: latest.version,
    text,
    files: input.files,
    by: input.by,
    at: input.at,
  };
  await deps.store.recordGuidance(record);
  await deps.store.recordAudit({
    key: `${input.runId}/guidance-given/${input.guidanceId}`,
    runId: input.runId,
    actor: input.by,
    action: 'guidance-given',
    at: input.at,
    details: { orgnr: input.orgnr, deliverableId: deliverable.id, deliverable: deliverable.title, version: latest.version, files: input.files.length },
  });
  const window = status.deliverables.find((d) => d.id === deliverable.id);
  await startOnce(deps, guidanceWorkflowId(input.runId, input.orgnr, input.guidanceId), {
    key: `${input.runId}/${input.orgnr}/guidance/${deliverable.id}/${input.guidanceId}`,
    runId: input.runId,
    template: GUIDANCE_TEMPLATE,
    to: { kind: 'director', orgnr: input.orgnr },
    about: { orgnr: input.orgnr },
    where: { regionId: status.regionId, groupId: status.groupId },
    deliverable: {
      id: deliverable.id,
      title: deliverable.title,
      recipient: deliverable.recipient,
      opensAt: window?.opensAt ?? input.at,
      dueAt: window?.dueAt ?? input.at,
      lateUntil: window?.lateUntil ?? input.at,
    },
    guidance: { guidanceId: input.guidanceId },
    scheduledFor: input.at,
    requestedAt: input.at,
    // Guidance is worth having for the rest of the year.
    latestUsefulAt: Math.max(status.deliverables.reduce((m, d) => Math.max(m, d.lateUntil), 0), input.at + 30 * 86_400_000),
  });
  return record;
}

/** A kindergarten's guidance on one deliverable, as the console shows it: its state, when it is due, what was given. */
export interface GuidanceLine {
  state: GuidanceState;
  /** When it is due (owed or late); null once given. */
  dueAt: number | null;
  given: GuidanceRecord[];
}

/**
 * Every kindergarten's guidance state in a run at `now`, keyed `<orgnr>/<deliverable>`: owed and late from what the
 * store says is still owed (the same query the run's reminders read), given from the guidance recorded. The due
 * instants come from the run's current timeline by the same rule the reminder uses (domain/guidance.ts).
 */
export async function guidanceOverview(store: Pick<Store, 'owedGuidance' | 'listGuidance'>, timeline: GuidancePlan, runId: string, now: number, filter: { orgnr?: string } = {}): Promise<Map<string, GuidanceLine>> {
  const reviewed = reviewedDeliverables(timeline);
  const lines = new Map<string, GuidanceLine>();
  if (reviewed.length === 0) return lines;
  const [owed, given] = await Promise.all([store.owedGuidance(runId, reviewed, now), store.listGuidance(runId, filter)]);
  for (const g of given) {
    const key = `${g.orgnr}/${g.deliverableId}`;
    const line = lines.get(key) ?? { state: 'given' as const, dueAt: null, given: [] };
    line.given.push(g);
    lines.set(key, line);
  }
  for (const o of owed) {
    if (filter.orgnr && o.orgnr !== filter.orgnr) continue;
    const dueAt = guidanceDueFor(timeline, o.deliverableId, o.regionId, o.groupId, o.firstSubmittedAt);
    const state = guidanceState({ firstSubmittedAt: o.firstSubmittedAt, givenAt: null, dueAt }, now);
    if (state) lines.set(`${o.orgnr}/${o.deliverableId}`, { state, dueAt, given: [] });
  }
  return lines;
}
