import { z } from 'zod';
import { PLAN_RULE, RULE } from '../texts/validation';
import './zod-bokmal';

/**
 * The plan file: one programme year of Kultur for læring as dated milestones and deliverables.
 * Dates are local Oslo wall-clock times; `planning/resolve-timeline.ts` turns them into instants.
 */

export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, RULE.id);

/** True for a real calendar day (2018-02-30 is not). */
function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** U+0000 and unpaired surrogates (which JSON and YAML escapes can carry): PostgreSQL stores neither in text or jsonb. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const STORABLE_TEXT_MESSAGE = RULE.storableText;
export const isStorableText = (value: string): boolean => !UNSTORABLE.test(value);

export const localDateTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, RULE.localDateTime)
  .refine(isCalendarDate, RULE.calendarDate);

export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, RULE.localTime);

const emailSchema = z.email(RULE.email);

export const audienceSchema = z
  .enum(['directors', 'participants', 'municipal-authorities', 'research-centre', 'coordinator'])
  .describe('who an email or milestone is for');
export type Audience = z.infer<typeof audienceSchema>;

/** A date relative to another milestone's occurrence in the same region or workshop group. */
export const relativeDateSchema = z
  .object({
    milestone: idSchema.describe('the milestone this date follows or precedes'),
    days: z.number().int().min(-366).max(366).describe('calendar days after (negative: before) that milestone'),
    time: localTimeSchema.optional().describe("local time of day; defaults to the other milestone's time"),
  })
  .strict();

export const dateSpecSchema = z.union([localDateTimeSchema, relativeDateSchema], { error: RULE.dateSpec });
export type DateSpec = z.infer<typeof dateSpecSchema>;

export const milestoneAtSchema = z.union([
  localDateTimeSchema,
  relativeDateSchema,
  z.object({ regions: z.record(idSchema, localDateTimeSchema) }).strict().describe('one date per region'),
  z.object({ groups: z.record(idSchema, localDateTimeSchema) }).strict().describe('one date per workshop group'),
], { error: RULE.milestoneAt });
export type MilestoneAt = z.infer<typeof milestoneAtSchema>;

export const milestoneKindSchema = z.enum([
  'information',
  'gathering',
  'meeting',
  'workshop',
  'survey',
  'deadline',
  'check',
  'portal',
  'module',
  'report-day',
]);

export const milestoneEmailSchema = z
  .object({
    template: idSchema.describe('email template id'),
    to: audienceSchema,
    daysBefore: z.number().int().min(0).max(180).default(0).describe('send this many days before the milestone'),
    time: localTimeSchema.optional().describe('local send time; defaults to the milestone time, or the policy time when daysBefore > 0'),
  })
  .strict();

export const milestoneSchema = z
  .object({
    id: idSchema,
    kind: milestoneKindSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    location: z.string().max(200).optional(),
    at: milestoneAtSchema,
    durationMinutes: z.number().int().min(0).max(24 * 60).optional(),
    audience: z.array(audienceSchema).min(1),
    after: z.array(idSchema).default([]).describe('milestones that must come before this one in every region and group'),
    opens: idSchema.optional().describe('the deliverable that opens when this milestone happens'),
    emails: z.array(milestoneEmailSchema).default([]),
  })
  .strict();
export type Milestone = z.infer<typeof milestoneSchema>;

/**
 * Guidance (veiledning) on each submission of a deliverable: the research centre writes it on the submission's page,
 * the director gets it by email, and guidance still owed is reminded to the research centre. Release 1.2.0.
 */
export const reviewSchema = z
  .object({
    by: z.literal('research-centre').describe('who gives the guidance'),
    due: dateSpecSchema.describe('when the guidance should be given, like the deadline: a date or relative to a milestone'),
    reminders: z
      .array(z.number().int().min(1).max(60))
      .default([3, 1])
      .describe('days before the guidance is due on which the research centre is reminded of what it still owes'),
    minimumDays: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(2)
      .describe('a submission that arrives later still gives the research centre this many days'),
  })
  .strict();
export type Review = z.infer<typeof reviewSchema>;

export const deliverableSchema = z
  .object({
    id: idSchema,
    title: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    submittedBy: z
      .enum(['directors', 'municipal-authorities'])
      .default('directors')
      .describe("who sends it: each kindergarten's director, or each municipal authority its group set-up (the participants of its kindergartens)"),
    minimumParticipants: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(2)
      .describe('for a group set-up: the fewest participants a kindergarten may have, the director among them'),
    recipient: z.enum(['research-centre', 'municipal-authority', 'coordinator']),
    opens: dateSpecSchema.optional().describe('when submissions open, unless a milestone opens it'),
    due: dateSpecSchema,
    reminders: z
      .array(z.number().int().min(1).max(90))
      .default([7, 1])
      .describe('days before the deadline on which a director who has not submitted is reminded'),
    escalationDays: z.number().int().min(0).max(90).default(3).describe('days after the deadline when the municipal authority is told'),
    lateAcceptanceDays: z.number().int().min(0).max(180).default(14).describe('days after the deadline late submissions are still accepted'),
    templates: z
      .object({
        prompt: idSchema.default('deliverable-prompt'),
        reminder: idSchema.default('deliverable-reminder'),
        escalation: idSchema.default('deliverable-escalation'),
      })
      .strict()
      .prefault({}),
    review: reviewSchema.optional(),
  })
  .strict();
export type Deliverable = z.infer<typeof deliverableSchema>;

export const sendPolicySchema = z
  .object({
    quietHours: z
      .object({ start: localTimeSchema.default('08:00'), end: localTimeSchema.default('16:00') })
      .strict()
      .prefault({})
      .describe('emails go out only between start and end, local time'),
    skipWeekends: z.boolean().default(true),
    skipHolidays: z.boolean().default(true).describe('Norwegian public holidays'),
    defaultTime: localTimeSchema.default('08:00').describe('send time of emails sent days before their milestone'),
    authorityDigest: z
      .object({
        enabled: z.boolean().default(true),
        at: localTimeSchema.default('12:00').describe('local time of the day\'s digest, moved into quiet hours'),
      })
      .strict()
      .prefault({})
      .describe('one email a working day to each municipal authority instead of one escalation per kindergarten'),
  })
  .strict();
export type SendPolicy = z.infer<typeof sendPolicySchema>;

const contactSchema = z.object({ name: z.string().min(1).max(200), email: emailSchema }).strict();

export const planSchema = z
  .object({
    programme: z.string().min(1).max(200),
    schoolYear: z.number().int().min(2000).max(2100).describe('the autumn year: 2017 for 2017/2018'),
    county: idSchema,
    countyName: z.string().min(1).max(200),
    timezone: z.literal('Europe/Oslo').default('Europe/Oslo'),
    contacts: z.object({ coordinator: contactSchema, researchCentre: contactSchema }).strict(),
    sendPolicy: sendPolicySchema.prefault({}),
    submissionGraceDays: z
      .number()
      .int()
      .min(0)
      .max(60)
      .default(7)
      .describe("days a kindergarten's year stays open after its last late window, so that a submission stored in time but handed to the workflow late (Temporal unreachable) is still judged by when it arrived"),
    regions: z
      .array(
        z
          .object({
            id: idSchema,
            name: z.string().min(1).max(200),
            groups: z.array(z.object({ id: idSchema, name: z.string().min(1).max(200) }).strict()).default([]),
          })
          .strict(),
      )
      .min(1)
      .max(500),
    deliverables: z.array(deliverableSchema).default([]),
    milestones: z.array(milestoneSchema).min(1).max(200),
    retention: z
      .object({ months: z.number().int().min(0).max(120).describe('months after the run ends') })
      .strict()
      .optional()
      .describe("how long the run's personal data and files are kept after it ends; unset: RETENTION_MONTHS (default 12)"),
  })
  .strict()
  .superRefine(checkReferences)
  .superRefine((plan, ctx) => checkStorableText(plan, ctx, []));
export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;

/** Names every text of the plan that could not be stored (see isStorableText). */
function checkStorableText(value: unknown, ctx: z.RefinementCtx, path: (string | number)[]): void {
  if (typeof value === 'string') {
    if (!isStorableText(value)) ctx.addIssue({ code: 'custom', path, message: STORABLE_TEXT_MESSAGE });
  } else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) checkStorableText(v, ctx, [...path, Array.isArray(value) ? Number(key) : key]);
  }
}

interface PlanReferences {
  regions: { id: string; groups: { id: string }[] }[];
  milestones: Milestone[];
  deliverables: Deliverable[];
}

function checkReferences(plan: PlanReferences, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const duplicates = (ids: string[], path: string, what: 'region' | 'milestone' | 'deliverable') => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) issue([path, i, 'id'], PLAN_RULE.duplicate(what, id));
      seen.add(id);
    });
  };
  duplicates(plan.regions.map((r) => r.id), 'regions', 'region');
  duplicates(plan.milestones.map((m) => m.id), 'milestones', 'milestone');
  duplicates(plan.deliverables.map((d) => d.id), 'deliverables', 'deliverable');

  const regionIds = new Set(plan.regions.map((r) => r.id));
  const groupIds = new Set<string>();
  plan.regions.forEach((region, r) =>
    region.groups.forEach((group, g) => {
      if (groupIds.has(group.id) || (regionIds.has(group.id) && group.id !== region.id)) {
        issue(['regions', r, 'groups', g, 'id'], PLAN_RULE.groupTwice(group.id));
      }
      groupIds.add(group.id);
    }),
  );
  const allGroups = plan.regions.flatMap((r) => (r.groups.length ? r.groups.map((g) => g.id) : [r.id]));
  const milestoneIds = new Set(plan.milestones.map((m) => m.id));
  const deliverableIds = new Set(plan.deliverables.map((d) => d.id));

  const checkRelative = (spec: DateSpec, path: (string | number)[]) => {
    if (typeof spec !== 'string' && !milestoneIds.has(spec.milestone)) {
      issue([...path, 'milestone'], PLAN_RULE.unknownMilestone(spec.milestone, [...milestoneIds]));
    }
  };

  plan.milestones.forEach((m, i) => {
    const at = m.at;
    if (typeof at === 'string' || 'milestone' in at) {
      checkRelative(at, ['milestones', i, 'at']);
      if (typeof at !== 'string' && at.milestone === m.id) issue(['milestones', i, 'at', 'milestone'], PLAN_RULE.selfRelative);
    } else if ('regions' in at) {
      for (const key of Object.keys(at.regions)) {
        if (!regionIds.has(key)) issue(['milestones', i, 'at', 'regions', key], PLAN_RULE.unknownRegion(key));
      }
      for (const region of regionIds) {
        if (!(region in at.regions)) issue(['milestones', i, 'at', 'regions'], PLAN_RULE.missingRegionDate(region));
      }
    } else {
      for (const key of Object.keys(at.groups)) {
        if (!allGroups.includes(key)) issue(['milestones', i, 'at', 'groups', key], PLAN_RULE.unknownGroup(key));
      }
      for (const group of allGroups) {
        if (!(group in at.groups)) issue(['milestones', i, 'at', 'groups'], PLAN_RULE.missingGroupDate(group));
      }
    }
    m.after.forEach((ref, j) => {
      if (!milestoneIds.has(ref)) issue(['milestones', i, 'after', j], PLAN_RULE.unknownMilestone(ref));
    });
    if (m.opens !== undefined && !deliverableIds.has(m.opens)) {
      issue(['milestones', i, 'opens'], PLAN_RULE.unknownDeliverable(m.opens));
    }
  });

  plan.deliverables.forEach((d, i) => {
    const openers = plan.milestones.filter((m) => m.opens === d.id).map((m) => m.id);
    if (openers.length > 1) issue(['deliverables', i], PLAN_RULE.openedTwice(openers));
    if (openers.length === 1 && d.opens !== undefined) {
      issue(['deliverables', i, 'opens'], PLAN_RULE.openedBoth(openers[0] as string));
    }
    if (openers.length === 0 && d.opens === undefined) {
      issue(['deliverables', i, 'opens'], PLAN_RULE.noOpening);
    }
    if (d.opens !== undefined) checkRelative(d.opens, ['deliverables', i, 'opens']);
    checkRelative(d.due, ['deliverables', i, 'due']);
    if (d.submittedBy === 'municipal-authorities' && d.review) issue(['deliverables', i, 'review'], PLAN_RULE.reviewOfGroupSetup);
    if (d.review) {
      checkRelative(d.review.due, ['deliverables', i, 'review', 'due']);
      if (d.recipient !== d.review.by) issue(['deliverables', i, 'review', 'by'], PLAN_RULE.reviewByRecipient);
    }
  });

  // Relative dates must not form a cycle.
  const refOf = new Map<string, string>();
  for (const m of plan.milestones) {
    if (typeof m.at !== 'string' && 'milestone' in m.at) refOf.set(m.id, m.at.milestone);
  }
  plan.milestones.forEach((m, i) => {
    const seen = new Set<string>([m.id]);
    let cursor = refOf.get(m.id);
    while (cursor !== undefined) {
      if (seen.has(cursor)) {
        issue(['milestones', i, 'at'], PLAN_RULE.cycle(cursor));
        return;
      }
      seen.add(cursor);
      cursor = refOf.get(cursor);
    }
  });
}
