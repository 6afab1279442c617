/** Templates that invite to an event (and carry a calendar invitation); shared by workflows and the email activity. */
export const INVITATION_TEMPLATES: ReadonlySet<string> = new Set([
  'gathering-invitation',
  'kick-off-invitation',
  'workshop-invitation',
  'learning-report-day-invitation',
  'authority-meeting-invitation',
]);

/** The template that withdraws an invitation; it carries a METHOD:CANCEL for the same event. */
export const CANCELLATION_TEMPLATE = 'invitation-cancelled';
