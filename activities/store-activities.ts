import { ApplicationFailure } from '@temporalio/activity';
import { type Store, StoreError } from './store';
import type { AddKindergartenInput, RecordDeliverableStatusInput, RecordEventInput, RosterPageInput } from '../domain/activity-contracts';

export interface StoreDeps {
  store: Store;
}

/** A StoreError is a refusal (duplicate, unknown), so it must not be retried; anything else is. */
async function refusalsFinal<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreError) throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
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
    /** One page of a region's roster, ordered by orgnr; the region workflow starts a kindergarten per entry. */
    async listRosterPage(input: RosterPageInput) {
      return refusalsFinal(() => store.listRosterPage(input));
    },
    /** Adds a kindergarten to the roster mid-year (run workflow, addKindergarten update). */
    async addKindergarten(input: AddKindergartenInput) {
      return refusalsFinal(() => store.addKindergarten(input));
    },
    /** Marks a kindergarten withdrawn in the roster (run workflow, withdrawKindergarten update). */
    async withdrawKindergarten(input: { runId: string; orgnr: string; reason: string; at: number }): Promise<void> {
      await refusalsFinal(() => store.withdrawKindergarten(input));
    },
  };
}
