import { ApplicationFailure } from '@temporalio/activity';
import { type Store, StoreError } from './store';
import type { AuditEntry } from '../domain/audit';
import type { AddKindergartenInput, AuthorityTargetsInput, ClaimDigestsInput, QueueDigestItemInput, RecordDeliverableStatusInput, RecordEventInput, RecordReviewInput } from '../domain/activity-contracts';

export interface StoreDeps {
  store: Store;
}

/** A StoreError is a refusal (duplicate, unknown), so it must not be retried; anything else is. */
async function refusalsFinal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreError) throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true, ...(error.refusal ? { details: [error.refusal] } : {}) });
    throw error;
  }
}

export function createStoreActivities({ store }: StoreDeps) {
  return {
    /** Records a milestone, a stale or failed email, or a coordinator's action (audit); idempotent. */
    async recordEvent(input: RecordEventInput): Promise<void> {
      await store.recordEvent(input);
    },
    /** Writes a kindergarten's deliverable status to the read model; called by the kindergarten workflow on each change. */
    async recordDeliverableStatus(input: RecordDeliverableStatusInput): Promise<void> {
      await store.recordDeliverableStatus(input);
    },
    /**
     * Writes an entry of the audit log (run workflow for the coordinator's controls, kindergarten workflow for an
     * extension); idempotent by the entry's key, so the action and its entry never disagree.
     */
    async recordAudit(entry: AuditEntry): Promise<void> {
      await store.recordAudit(entry);
    },
    /** Adds a kindergarten to the roster mid-year (run workflow, addKindergarten update). */
    async addKindergarten(input: AddKindergartenInput) {
      return refusalsFinal(() => store.addKindergarten(input));
    },
    /** Records the municipal authority's verdict on a submission (kindergarten workflow); idempotent by review id. */
    async recordReview(input: RecordReviewInput): Promise<void> {
      await store.recordReview(input);
    },
    /** Queues an escalation for its municipal authority's daily digest (kindergarten workflow); idempotent by key. */
    async queueDigestItem(input: QueueDigestItemInput): Promise<void> {
      await store.queueDigestItem(input);
    },
    /**
     * Puts the queued escalations into a digest day and names the authorities to send it to (run workflow); asked
     * again for the same day it gives the same answer, so a retry after a worker kill sends nothing twice.
     */
    async claimAuthorityDigests(input: ClaimDigestsInput): Promise<string[]> {
      return store.claimAuthorityDigests(input);
    },
    /**
     * How many kindergartens had submitted a deliverable that asks for guidance by `asOf` and got none by then (run
     * workflow, before a reminder to the research centre): asked again for the same instant, the same answer.
     */
    async countOwedGuidance(input: { runId: string; deliverableIds: string[]; asOf: number }): Promise<number> {
      return (await store.owedGuidance(input.runId, input.deliverableIds, input.asOf)).length;
    },
    /**
     * The municipalities a step of an authority deliverable is for (run workflow): every one with a kindergarten still
     * in the run for the prompt, those that had sent nothing by `asOf` for a reminder or the escalation.
     */
    async authorityDeliverableTargets(input: AuthorityTargetsInput): Promise<string[]> {
      if (input.kind === 'prompt') return (await store.groupSetups(input.runId, input.deliverableId)).map((m) => m.municipalityId).sort();
      return store.municipalitiesWithoutGroupSetup(input.runId, input.deliverableId, input.asOf);
    },
    /** Marks a kindergarten withdrawn in the roster (run workflow, withdrawKindergarten update). */
    async withdrawKindergarten(input: { runId: string; orgnr: string; reason: string; at: number }): Promise<void> {
      await refusalsFinal(() => store.withdrawKindergarten(input));
    },
  };
}
