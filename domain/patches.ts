/**
 * The ids of the workflows' `patched()` branches. Each one is listed with the release that added it in
 * `application/release.ts` (WORKFLOW_PATCHES), where the release rule retires it.
 */

/** 1.1.0: escalations of a run with the authorities' daily digest go into the digest (kindergarten and run workflows). */
export const AUTHORITY_DIGEST_PATCH = 'authority-digest';

/** 1.1.0: a move that shifts a deadline without changing its status writes the new deadline to the read model. */
export const READ_MODEL_DEADLINE_PATCH = 'read-model-deadline';

/** 1.2.0: the run reminds the research centre of guidance still owed (deliverables with a `review`). */
export const GUIDANCE_REMINDER_PATCH = 'guidance-reminders';

/** 1.2.0: the run prompts, reminds and escalates the deliverables the municipal authorities submit (their group set-up). */
export const AUTHORITY_DELIVERABLES_PATCH = 'authority-deliverables';
