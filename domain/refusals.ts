/**
 * Why a request was refused, as data. The workflows' Update validators (and the application layer) decide with the
 * pure rules and return one of these; `texts/refusals.ts` writes it for a person in bokmål, with titles, names and
 * Norwegian dates. A refusal travels from a workflow to the client as the details of an ApplicationFailure of type
 * `Refused`, so the sandbox never formats text and the wording can change without touching a workflow.
 */
export interface Named {
  id: string;
  title: string;
}

export type Refusal =
  // Submissions
  | { code: 'unknown-deliverable'; deliverableId: string; known: Named[] }
  | { code: 'run-cancelled' }
  | { code: 'kindergarten-withdrawn'; at: number; reason: string }
  | { code: 'not-open-yet'; deliverable: string; opensAt: number }
  | { code: 'late-window-closed'; deliverable: string; dueAt: number; lateUntil: number }
  | { code: 'submission-incomplete'; missing: 'submission-id' | 'files' }
  | { code: 'received-in-future'; receivedAt: number; now: number }
  | { code: 'received-before-joining'; receivedAt: number; joinedAt: number }
  // Extensions
  | { code: 'deadline-in-past'; dueAt: number }
  | { code: 'extension-not-later'; deliverable: string; currentDueAt: number }
  | { code: 'extension-out-of-order'; deliverable: string }
  // The municipal authority's review of a submission
  | { code: 'review-not-authority'; deliverable: string }
  | { code: 'review-not-latest'; deliverable: string }
  | { code: 'review-already-given'; deliverable: string; version: number }
  | { code: 'review-comment-missing'; deliverable: string }
  // The research centre's guidance on a submission
  | { code: 'guidance-not-asked'; deliverable: string }
  | { code: 'guidance-nothing-submitted'; deliverable: string; kindergarten: string }
  | { code: 'guidance-text-missing' }
  | { code: 'guidance-too-long'; max: number }
  // The run's controls
  | { code: 'plan-changed-meanwhile'; revision: number; basedOn: number }
  | { code: 'unknown-milestone'; milestoneId: string }
  | { code: 'unknown-region'; regionId: string; known: Named[] }
  | { code: 'nothing-moves'; milestone: string }
  | { code: 'already-took-place'; milestone: string; where: string | null; at: number }
  | { code: 'new-date-in-past'; milestone: string; where: string | null; at: number }
  | { code: 'invalid-orgnr'; orgnr: string }
  | { code: 'year-over'; endedAt: number }
  | { code: 'already-withdrawn'; kindergarten: string }
  | { code: 'not-in-run'; kindergarten: string }
  | { code: 'kindergarten-in-run'; kindergarten: string }
  | { code: 'unknown-municipality'; municipalityId: string }
  | { code: 'group-needed'; regionId: string; groups: string[] }
  | { code: 'already-paused' }
  | { code: 'not-paused' }
  // The application layer
  | { code: 'run-exists'; runId: string }
  | { code: 'plan-year-over'; endedAt: number }
  | { code: 'no-submissions-taken'; kindergarten: string; state: 'withdrawn' | 'cancelled' }
  | { code: 'link-window-closed'; deliverable: string; lateUntil: number }
  | { code: 'contact-unchanged'; who: string }
  | { code: 'nobody-to-message'; deliverable: string }
  | { code: 'deliverable-not-open'; deliverable: string; opensAt: number };

export type RefusalCode = Refusal['code'];

/** The refusal of a deliverable id that is not among `deliverables` (which are named in it, for a person to choose). */
export function unknownDeliverable(deliverableId: string, deliverables: readonly Named[]): Refusal {
  return { code: 'unknown-deliverable', deliverableId, known: deliverables.map((d) => ({ id: d.id, title: d.title })) };
}
