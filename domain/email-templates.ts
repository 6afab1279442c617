/**
 * The email templates by id: the plan names them, the workflows choose them, the email activity renders them
 * (`activities/email/templates.ts` has one definition per id, checked by the compiler).
 */
export const TEMPLATE_IDS = [
  'survey-information',
  'gathering-invitation',
  'portal-opens',
  'kick-off-invitation',
  'survey-reminder',
  'group-setup-deadline',
  'portal-closes',
  'response-rate-check',
  'result-portal-opens',
  'competence-package-information',
  'director-meeting-reminder',
  'workshop-invitation',
  'invitation-cancelled',
  'learning-report-day-invitation',
  'authority-meeting-invitation',
  'booklet-information',
  'milestone-notice',
  'deliverable-prompt',
  'deliverable-reminder',
  'deliverable-escalation',
  'authority-digest',
  'submission-receipt',
  'submission-received',
  'submission-accepted',
  'submission-returned',
  'upload-link-reissued',
  'coordinator-message',
  'guidance-given',
  'guidance-reminder',
  'group-setup-prompt',
  'group-setup-reminder',
  'group-setup-escalation',
  'group-setup-receipt',
  'participant-information',
  'participant-removed',
] as const;

/** The id of a known email template. */
export type TemplateId = (typeof TEMPLATE_IDS)[number];

const KNOWN: ReadonlySet<string> = new Set(TEMPLATE_IDS);

/** True when `id` names a known email template. */
export function isTemplateId(id: string): id is TemplateId {
  return KNOWN.has(id);
}

/** The research centre's guidance, emailed to the director with its files (release 1.2.0). */
export const GUIDANCE_TEMPLATE = 'guidance-given' satisfies TemplateId;
/** The run's reminder to the research centre of guidance still owed (release 1.2.0). */
export const GUIDANCE_REMINDER_TEMPLATE = 'guidance-reminder' satisfies TemplateId;

/** A municipal authority's group set-up (release 1.2.0): asked for, reminded, escalated to the coordinator, received. */
export const GROUP_SETUP_TEMPLATES = {
  prompt: 'group-setup-prompt',
  reminder: 'group-setup-reminder',
  escalation: 'group-setup-escalation',
  receipt: 'group-setup-receipt',
} as const satisfies Record<string, TemplateId>;

/** Templates that invite to an event (and carry a calendar invitation); shared by workflows and the email activity. */
export const INVITATION_TEMPLATES: ReadonlySet<string> = new Set<TemplateId>([
  'gathering-invitation',
  'kick-off-invitation',
  'workshop-invitation',
  'learning-report-day-invitation',
  'authority-meeting-invitation',
]);

/** The template that withdraws an invitation; it carries a METHOD:CANCEL for the same event. */
export const CANCELLATION_TEMPLATE = 'invitation-cancelled' satisfies TemplateId;

/** The invitation withdrawn from a participant a new group set-up removed (release 1.2.0); also a METHOD:CANCEL. */
export const PARTICIPANT_REMOVED_TEMPLATE = 'participant-removed' satisfies TemplateId;

/** Every template that withdraws a calendar invitation. */
export const CANCELLATION_TEMPLATES: ReadonlySet<string> = new Set<TemplateId>([CANCELLATION_TEMPLATE, PARTICIPANT_REMOVED_TEMPLATE]);
