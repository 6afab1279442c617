import { type EmailDeps, createEmailActivities } from './email/email-activities';
import { type FanOutDeps, createFanOutActivities } from './fan-out-activities';
import { type StoreDeps, createStoreActivities } from './store-activities';
import { type RetentionDeps, createRetentionActivities } from './retention-activities';

export type ActivityDeps = EmailDeps & StoreDeps & FanOutDeps & RetentionDeps;

/** Every activity, built from narrow dependencies; the worker (or a test) supplies real or small fake ones. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(deps),
    ...createStoreActivities(deps),
    ...createFanOutActivities(deps),
    ...createRetentionActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
