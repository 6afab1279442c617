/**
 * What the workflows keep in PostgreSQL, beside the audit entry of the step that changes it, so a year can be started
 * again without Temporal's store (`arshjul run recover`): the run's resolved timeline (at the start and after every
 * move, with its revision and overrides) and a kindergarten's own window of a deliverable (after an extension or a
 * return for revision, with its version, reminders and escalation). It travels in the audit entry's details under
 * `RECOVERY_DETAIL`; the store writes it to its own table in the same step and leaves it out of the audit log.
 */
import type { MilestoneOverride, DeliverableWindow, Timeline } from './timeline';

/** The details key the audit writes carry a recovery record under (never shown, never kept in `audit_log`). */
export const RECOVERY_DETAIL = 'recovery';

export type RecoveryRecord =
  | { kind: 'timeline'; revision: number; timeline: Timeline; overrides: MilestoneOverride[] }
  | { kind: 'window'; orgnr: string; deliverableId: string; window: DeliverableWindow };

/** Splits an audit entry's details into what the audit log keeps and the recovery record it carried, if any. */
export function splitRecoveryDetail(details: Record<string, unknown>): { details: Record<string, unknown>; recovery: RecoveryRecord | null } {
  if (!(RECOVERY_DETAIL in details)) return { details, recovery: null };
  const { [RECOVERY_DETAIL]: recovery, ...rest } = details;
  return { details: rest, recovery: (recovery as RecoveryRecord | undefined) ?? null };
}

/** What `arshjul run recover` recovered, by name and count (application/recovery.ts; worded by texts/recovery.ts). */
export interface RecoverySummary {
  runId: string;
  title: string;
  revision: number;
  paused: boolean;
  regions: string[];
  kindergartens: number;
  added: string[];
  withdrawn: string[];
  moves: number;
  extensions: number;
  submissions: number;
  reviews: number;
  emailsSent: number;
  /** Steps recorded as done in the new workflows (run and region steps, kindergartens' steps). */
  stepsDone: number;
  /** Receipts and verdicts still to email. */
  emailsOwed: number;
}
