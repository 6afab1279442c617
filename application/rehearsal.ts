import { count } from '../texts/catalogue';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Transporter } from 'nodemailer';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, fromZodIssues } from '../config/errors';
import { localDateTimeSchema, type Plan } from '../config/plan-schema';
import type { Roster } from '../config/roster-schema';
import { MemoryStore } from '../activities/db/memory-store';
import { resolveTimeline } from '../planning/resolve-timeline';
import { describeError } from './errors';
import { refusalText } from '../texts/refusals';
import type { Refusal } from '../domain/refusals';
import { ARSHJUL_RELEASE } from './release';
import { initialDeliverables } from './run-control';
import { guidanceWorkflowId, kindergartenWorkflowId, runWorkflowId } from '../domain/ids';
import { submitDeliverableUpdate } from '../workflows/kindergarten-workflow';
import { GROUP_SETUP_TEMPLATES, GUIDANCE_TEMPLATE } from '../domain/email-templates';
import { groupSetupReceiptWorkflowId, submitGroupSetup } from './group-setup';
import { guidanceDueFor, guidancePlanOf } from '../domain/guidance';
import { giveGuidance } from './guidance';
import { runWorkflow } from '../workflows/run-workflow';
import { authorityWindowFor, scheduleForKindergarten, type Timeline } from '../domain/timeline';
import { WORKFLOWS_PATH, buildWorker } from '../temporal/worker-factory';
import { findTestServer } from '../temporal/binaries';
import { GroupedRehearsalStore, type RehearsalGrouping, forEveryone, groupRehearsal, participantAddress } from './rehearsal-classes';

/** When a kindergarten submits a deliverable in a rehearsal. */
const behaviourSchema = z.union([z.enum(['on-time', 'late', 'never']), z.object({ at: localDateTimeSchema }).strict()]);
export type Behaviour = z.infer<typeof behaviourSchema>;

/**
 * When the research centre gives guidance on a kindergarten's submission (release 1.2.0): a day before it is due
 * (on-time), a day after (late), never, some days after the submission, or at a given local instant.
 */
const guidanceBehaviourSchema = z.union([
  z.enum(['on-time', 'late', 'never']),
  z.object({ at: localDateTimeSchema }).strict(),
  z.object({ daysAfterSubmission: z.number().int().min(0).max(120) }).strict(),
]);
export type GuidanceBehaviour = z.infer<typeof guidanceBehaviourSchema>;

/** What a person reads when a scenario is refused, in bokmål. */
const SCENARIO_RULE = {
  unreadable: (file: string) => `Scenarioet ${file} kunne ikke leses`,
  invalid: (file: string) => `Scenarioet ${file} er ikke gyldig`,
  notJson: (detail: string) => `ikke gyldig JSON (${detail})`,
  notYaml: (detail: string) => `ikke gyldig YAML (${detail})`,
  orgnr: 'forventet ni sifre (organisasjonsnummer)',
  municipality: 'forventet en kommune-id av små bokstaver a–z, sifre og bindestrek, som i deltakerlisten (for eksempel «eidskog»)',
} as const;

/** A rehearsal scenario: who submits when (default: everyone on time), and when the research centre gives guidance. */
export const scenarioSchema = z
  .object({
    default: behaviourSchema.default('on-time'),
    kindergartens: z
      .record(z.string().regex(/^\d{9}$/, SCENARIO_RULE.orgnr), z.union([behaviourSchema, z.record(z.string(), behaviourSchema)]))
      .default({}),
    groupSetup: z
      .object({
        default: behaviourSchema.default('on-time'),
        municipalities: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, SCENARIO_RULE.municipality), behaviourSchema).default({}),
      })
      .strict()
      .prefault({})
      .describe('when each municipal authority sends its group set-up (release 1.2.0)'),
    guidance: z
      .object({
        default: guidanceBehaviourSchema.default('on-time'),
        kindergartens: z.record(z.string().regex(/^\d{9}$/, SCENARIO_RULE.orgnr), guidanceBehaviourSchema).default({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type Scenario = z.infer<typeof scenarioSchema>;

/**
 * Parses a rehearsal scenario from YAML or JSON text (by file name); throws InputError naming every problem in bokmål,
 * each with its path (`groupSetup.municipalities.Eidskog: forventet en kommune-id …`). Called by `arshjul rehearse`.
 */
export function parseScenario(text: string, file: string): Scenario {
  const json = file.toLowerCase().endsWith('.json');
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const first = ((error as Error).message ?? '').split('\n')[0] ?? '';
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    const message = json ? SCENARIO_RULE.notJson(first) : SCENARIO_RULE.notYaml(first.replace(/ at line \d+, column \d+:?$/, ''));
    throw new InputError(SCENARIO_RULE.unreadable(file), [{ file, ...(line !== undefined ? { line } : {}), message }]);
  }
  const parsed = scenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InputError(SCENARIO_RULE.invalid(file), fromZodIssues(parsed.error.issues.map(withKeyRule), { file }));
  return parsed.data;
}

/**
 * A record key refused by its own rule says that rule (zod reports it as `invalid_key`, whose own message only says
 * the key is invalid; the rule is in the issue's inner issues).
 */
function withKeyRule(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_key') return issue;
  const rule = issue.issues.find((i) => i.message)?.message;
  return rule ? { ...issue, message: rule } : issue;
}

/** One line of a rehearsal, in the shape `arshjul rehearse --json` prints. */
export interface RehearsalEntry {
  type: 'milestone' | 'email' | 'submission' | 'guidance' | 'group-setup';
  /**
   * ISO-8601 with the Oslo offset, to the second: the workflow time when it happened; for an email, the instant the
   * workflow sent it for (its timer's, or that of the submission or step that caused it).
   */
  at: string;
  milestone: string | null;
  region: string | null;
  group: string | null;
  kindergarten: string | null;
  to: string | null;
  template: string | null;
}

export interface RehearsalResult {
  /** The milestones recorded and the emails sent; `rehearsalLog` puts the steps below among them. */
  entries: RehearsalEntry[];
  /** The directors' submissions: `milestone` names the deliverable. */
  submissions: RehearsalEntry[];
  /** The research centre's guidance given (release 1.2.0): `milestone` names the deliverable. */
  guidance: RehearsalEntry[];
  /** The municipal authorities' group set-ups sent (release 1.2.0): `milestone` names the deliverable, `to` the municipality. */
  groupSetups: RehearsalEntry[];
  timeline: Timeline;
  refusals: { orgnr: string; deliverableId: string; reason: string }[];
  wallMs: number;
  /** How many kindergarten workflows ran: one per class of alike kindergartens, or every kindergarten with `full`. */
  kindergartenWorkflows: number;
  /** How many municipalities were rehearsed: one per class of alike municipalities, or every one with `full`. */
  rehearsedMunicipalities: number;
}

interface PlannedSubmission {
  at: number;
  orgnr: string;
  deliverableId: string;
}

/** A step the rehearsal takes at an instant: a director's submission, the research centre's guidance, a group set-up. */
interface PlannedStep extends PlannedSubmission {
  kind: 'submission' | 'guidance' | 'group-setup';
  /** For a group set-up: the municipality (`orgnr` is then empty). */
  municipalityId?: string;
}

/** The group set-ups a scenario implies, one per municipality and deliverable the authorities send, inside its window. */
export function plannedGroupSetups(plan: Plan, timeline: Timeline, roster: Roster, scenario: Scenario): (PlannedSubmission & { municipalityId: string })[] {
  const HOUR = 3_600_000;
  const planned: (PlannedSubmission & { municipalityId: string })[] = [];
  for (const m of roster.municipalities) {
    for (const d of timeline.deliverables.filter((x) => x.submittedBy === 'municipal-authorities')) {
      const w = authorityWindowFor(timeline, d.id, m.regionId);
      if (!w) continue;
      const behaviour = scenario.groupSetup.municipalities[m.id] ?? scenario.groupSetup.default;
      let at: number | null = null;
      if (behaviour === 'on-time') at = Math.max(w.opensAt + HOUR, Math.min(w.dueAt - 48 * HOUR, (w.reminderAts[0] ?? w.dueAt) - 24 * HOUR));
      else if (behaviour === 'late') at = Math.min(w.dueAt + 24 * HOUR, w.lateUntil - HOUR);
      else if (typeof behaviour === 'object') at = DateTime.fromISO(behaviour.at, { zone: plan.timezone }).toMillis();
      if (at !== null) planned.push({ at, orgnr: '', deliverableId: d.id, municipalityId: m.id });
    }
  }
  return planned.sort((a, b) => a.at - b.at || a.municipalityId.localeCompare(b.municipalityId));
}

/** The lines a rehearsal's authority sends: each kindergarten's director and a pedagogical leader. */
function rehearsalLines(roster: Roster, municipalityId: string) {
  return roster.kindergartens
    .filter((k) => k.municipalityId === municipalityId)
    .flatMap((k, i) => [
      { row: 2 * i + 2, orgnr: k.orgnr, name: k.director.name, email: k.director.email, role: 'styrer' },
      { row: 2 * i + 3, orgnr: k.orgnr, name: `Pedagogisk leder ${k.name}`, email: participantAddress(k.orgnr), role: 'pedagogisk-leder' },
    ]);
}

/**
 * The guidance a scenario implies on the planned submissions of deliverables that ask for it, at instants by the
 * same due rule the console and the reminders use (domain/guidance.ts).
 */
export function plannedGuidance(plan: Plan, timeline: Timeline, roster: Roster, scenario: Scenario, submissions: PlannedSubmission[]): PlannedSubmission[] {
  const HOUR = 3_600_000;
  const guidancePlan = guidancePlanOf(timeline);
  const planned: PlannedSubmission[] = [];
  const firsts = new Map<string, PlannedSubmission>();
  for (const s of submissions) if (!firsts.has(`${s.orgnr}/${s.deliverableId}`)) firsts.set(`${s.orgnr}/${s.deliverableId}`, s);
  for (const s of firsts.values()) {
    const k = roster.kindergartens.find((x) => x.orgnr === s.orgnr);
    if (!k) continue;
    const dueAt = guidanceDueFor(guidancePlan, s.deliverableId, k.regionId, k.groupId, s.at);
    if (dueAt === null) continue;
    const behaviour = scenario.guidance.kindergartens[s.orgnr] ?? scenario.guidance.default;
    let at: number | null = null;
    if (behaviour === 'on-time') at = Math.max(s.at + HOUR, dueAt - 24 * HOUR);
    else if (behaviour === 'late') at = dueAt + 24 * HOUR;
    else if (typeof behaviour === 'object' && 'at' in behaviour) at = DateTime.fromISO(behaviour.at, { zone: plan.timezone }).toMillis();
    else if (typeof behaviour === 'object') at = s.at + behaviour.daysAfterSubmission * 24 * HOUR + HOUR;
    if (at !== null) planned.push({ at: Math.max(at, s.at + 1000), orgnr: s.orgnr, deliverableId: s.deliverableId });
  }
  return planned.sort((a, b) => a.at - b.at || a.orgnr.localeCompare(b.orgnr));
}

function behaviourFor(scenario: Scenario, orgnr: string, deliverableId: string): Behaviour {
  const own = scenario.kindergartens[orgnr];
  if (own === undefined) return scenario.default;
  if (typeof own === 'string' || 'at' in own) return own as Behaviour;
  return (own as Record<string, Behaviour>)[deliverableId] ?? scenario.default;
}

/** The submissions a scenario implies, at instants inside each kindergarten's window. */
export function plannedSubmissions(plan: Plan, timeline: Timeline, roster: Roster, scenario: Scenario): PlannedSubmission[] {
  const planned: PlannedSubmission[] = [];
  const HOUR = 3_600_000;
  for (const k of roster.kindergartens) {
    const schedule = scheduleForKindergarten(timeline, k.regionId, k.groupId);
    for (const d of schedule.deliverables) {
      const behaviour = behaviourFor(scenario, k.orgnr, d.id);
      const w = d.window;
      let at: number | null = null;
      // On time: before the first reminder (so reminders are seen to stop), and never later than two days before the deadline.
      if (behaviour === 'on-time') at = Math.max(w.opensAt + HOUR, Math.min(w.dueAt - 48 * HOUR, (w.reminderAts[0] ?? w.dueAt) - 24 * HOUR));
      else if (behaviour === 'late') at = Math.min(w.dueAt + 24 * HOUR, w.lateUntil - HOUR);
      else if (typeof behaviour === 'object') at = DateTime.fromISO(behaviour.at, { zone: plan.timezone }).toMillis();
      if (at !== null) planned.push({ at, orgnr: k.orgnr, deliverableId: d.id });
    }
  }
  return planned.sort((a, b) => a.at - b.at || a.orgnr.localeCompare(b.orgnr));
}

/**
 * Runs the whole year on the time-skipping test server with the real workflow code and an in-memory store, and
 * returns every milestone, email and submission in time order. Dates are what the workflows did, not what the plan says.
 *
 * By default kindergartens bound to have the same year run once per class (application/rehearsal-classes.ts) and each
 * gets its own lines from that; `full` runs a workflow for every kindergarten. Both give the same result.
 */
export async function rehearse(
  plan: Plan,
  roster: Roster,
  scenario: Scenario = scenarioSchema.parse({}),
  options: { workflowBundle?: WorkflowBundleWithSourceMap; onProgress?: (message: string) => void; mailer?: Pick<Transporter, 'sendMail'>; store?: MemoryStore; full?: boolean } = {},
): Promise<RehearsalResult> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => undefined);
  const timeline = resolveTimeline(plan);
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  const submissions = plannedSubmissions(plan, timeline, roster, scenario);
  const guidance = plannedGuidance(plan, timeline, roster, scenario, submissions);
  const setups = plannedGroupSetups(plan, timeline, roster, scenario);
  const grouping = options.full ? null : groupingOf(roster, submissions, guidance, setups);
  if (options.store && grouping) throw new Error('rehearse: a store of your own needs { full: true }');
  // The roster whose workflows run: one municipality of each class of alike municipalities (all of them with `full`).
  const rehearsed = grouping?.rehearsed ?? roster;
  const store = options.store ?? (grouping ? new GroupedRehearsalStore(grouping) : new MemoryStore());
  await store.createRun(runId, plan, rehearsed, initialDeliverables(timeline, rehearsed), ARSHJUL_RELEASE);
  const runsWorkflow = (orgnr: string) => !grouping || grouping.members.has(orgnr);
  const steps: PlannedStep[] = [
    ...submissions.filter((s) => runsWorkflow(s.orgnr)).map((s) => ({ ...s, kind: 'submission' as const })),
    ...guidance.filter((g) => runsWorkflow(g.orgnr)).map((g) => ({ ...g, kind: 'guidance' as const })),
    ...setups.filter((g) => !grouping || grouping.municipalitiesOf.has(g.municipalityId)).map((g) => ({ ...g, kind: 'group-setup' as const })),
  ].sort(
    (a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'submission' ? -1 : 1) || a.orgnr.localeCompare(b.orgnr),
  );
  const refusals: RehearsalResult['refusals'] = [];
  const submitted: RehearsalEntry[] = [];
  const guided: RehearsalEntry[] = [];
  const setupsSent: RehearsalEntry[] = [];
  const receiptWorkflows: string[] = [];
  const guidanceWorkflows: string[] = [];
  let guidanceCount = 0;
  let setupCount = 0;

  progress('starter testtjeneren som hopper i tid');
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: findTestServer() } } });
  // The test server's clock starts now and only moves forward, so a past (or any) year is rehearsed shifted to start
  // tomorrow: workflows work on instants only (calendar rules were applied at resolution), so subtracting the shift
  // afterwards gives exactly the instants the real year would see.
  const first = Math.min(...timeline.milestones.flatMap((m) => m.occurrences.flatMap((o) => [o.at, ...o.emails.map((e) => e.sendAt)])));
  const shift = (await env.currentTimeMs()) + 24 * 3_600_000 - first;
  const shifted = shiftTimeline(timeline, shift);
  try {
    const workflowBundle = options.workflowBundle ?? (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }));
    const taskQueue = `rehearsal-${randomUUID()}`;
    const worker = await buildWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      deps: {
        store,
        // By default nothing is delivered: the rehearsal's own transport plays the mail server, taking every message
        // (into the rehearsal's memory only). A test can pass a real transport to put the whole year through SMTP.
        mailer: options.mailer ?? { sendMail: async (mail: { to: { address: string } }) => ({ accepted: [mail.to.address], rejected: [], response: '250 rehearsal: not delivered' }) as never },
        mail: { from: 'arshjul@rehearsal.invalid', publicBaseUrl: 'http://rehearsal.invalid', uploadSecret: randomUUID() },
        temporal: env.client,
      },
    });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(runWorkflow, {
        workflowId: runId,
        taskQueue,
        args: [{ runId, plan, timeline: shifted, release: ARSHJUL_RELEASE, startedBy: 'rehearsal', kindergartens: roster.kindergartens.length }],
      });
      progress(
        `programåret ${runId} er startet med ${count(roster.kindergartens.length, 'barnehage', 'barnehager')}${grouping ? `, ${count(grouping.members.size, 'arbeidsflyt', 'arbeidsflyter')} for barnehagene (én for hver gruppe barnehager med samme år) i ${count(grouping.municipalitiesOf.size, 'kommune', 'kommuner')} av ${roster.municipalities.length}` : ''}`,
      );
      // Submissions due at the same instant go in together (twenty Updates at a time, each to its own workflow);
      // the clock moves only between instants.
      const control = { client: env.client, store, taskQueue };
      for (const group of byInstant(steps)) {
        const wait = (group[0]?.at ?? 0) + shift - (await env.currentTimeMs());
        if (wait > 0) await env.sleep(wait);
        const now = await env.currentTimeMs();
        const at = now - shift;
        for (let i = 0; i < group.length; i += 20) {
          await Promise.all(
            group.slice(i, i + 20).map(async (s) => {
              const k = rehearsed.kindergartens.find((x) => x.orgnr === s.orgnr);
              if (s.kind === 'group-setup') {
                // The authority's group set-up goes through the application layer, as the console's form does.
                const municipalityId = s.municipalityId as string;
                const setupId = rehearsalUuid(0x100000 + (setupCount += 1));
                try {
                  await submitGroupSetup(control, shifted, { runId, municipalityId, deliverableId: s.deliverableId, setupId, lines: rehearsalLines(rehearsed, municipalityId), source: { kind: 'form' }, by: 'rehearsal', receivedAt: now });
                  receiptWorkflows.push(groupSetupReceiptWorkflowId(runId, setupId));
                  const region = rehearsed.municipalities.find((m) => m.id === municipalityId)?.regionId ?? null;
                  setupsSent.push(entry('group-setup', at, plan.timezone, { milestone: s.deliverableId, region, to: municipalityId, template: GROUP_SETUP_TEMPLATES.receipt }));
                } catch (error) {
                  refusals.push({ orgnr: municipalityId, deliverableId: s.deliverableId, reason: `gruppeoppsett: ${reasonOf(error, shift)}` });
                }
                return;
              }
              if (s.kind === 'guidance') {
                // The research centre's guidance goes through the application layer, as the console's form does.
                const guidanceId = rehearsalUuid((guidanceCount += 1));
                try {
                  await giveGuidance(control, plan, { runId, orgnr: s.orgnr, deliverableId: s.deliverableId, guidanceId, text: 'Veiledning i prøvekjøringen.', files: [], by: 'rehearsal', at: now });
                  guidanceWorkflows.push(guidanceWorkflowId(runId, s.orgnr, guidanceId));
                  guided.push(entry('guidance', at, plan.timezone, { milestone: s.deliverableId, kindergarten: s.orgnr, region: k?.regionId ?? null, group: k?.groupId ?? null, to: 'directors', template: GUIDANCE_TEMPLATE }));
                } catch (error) {
                  refusals.push({ orgnr: s.orgnr, deliverableId: s.deliverableId, reason: `veiledning: ${reasonOf(error, shift)}` });
                }
                return;
              }
              const submissionId = `rehearsal-${s.orgnr}-${s.deliverableId}`;
              try {
                await env.client.workflow.getHandle(kindergartenWorkflowId(runId, s.orgnr)).executeUpdate(submitDeliverableUpdate, {
                  args: [{ submissionId, deliverableId: s.deliverableId, files: [{ name: `${s.deliverableId}.pdf`, size: 1, sha256: '0'.repeat(64) }], comment: null, receiptNumber: null, receivedAt: now }],
                });
                submitted.push(entry('submission', at, plan.timezone, { milestone: s.deliverableId, kindergarten: s.orgnr, region: k?.regionId ?? null, group: k?.groupId ?? null }));
              } catch (error) {
                refusals.push({ orgnr: s.orgnr, deliverableId: s.deliverableId, reason: reasonOf(error, shift) });
              }
            }),
          );
        }
      }
      submitted.sort(byTimeThenFields);
      guided.sort(byTimeThenFields);
      setupsSent.sort(byTimeThenFields);
      refusals.sort((a, b) => a.orgnr.localeCompare(b.orgnr) || a.deliverableId.localeCompare(b.deliverableId));
      await handle.result();
      // One at a time: each result() of the time-skipping client unlocks and relocks the server's clock, and
      // concurrent calls unbalance that lock (the test server then fails with "Unbalanced lock and unlock calls").
      for (const k of rehearsed.kindergartens.filter((x) => runsWorkflow(x.orgnr))) await env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result();
      for (const id of [...guidanceWorkflows, ...receiptWorkflows]) await env.client.workflow.getHandle(id).result();
      progress('året er over');
    });
  } finally {
    await env.teardown();
  }

  const entries: RehearsalEntry[] = [
    ...store.events
      .filter((e) => e.type === 'milestone')
      .map((e) => entry('milestone', e.at - shift, plan.timezone, { milestone: e.milestoneId ?? null, region: e.regionId ?? null, group: e.groupId ?? null })),
    ...[...store.outbox.values()]
      .filter((e) => e.state === 'sent')
      .map((e) =>
        // The instant the workflow sent it for (its timer, or the submission or action that caused it): the moment the
        // activity ran also holds the test server's own processing time, seconds under load, which no real year has.
        entry('email', e.scheduledFor - shift, plan.timezone, {
          milestone: e.meta.milestoneId ?? e.meta.deliverableId,
          region: e.meta.regionId,
          group: e.meta.groupId,
          kindergarten: e.meta.orgnr,
          to: e.to,
          template: e.template,
        }),
      ),
  ].sort(byTimeThenFields);
  if (!grouping) return { entries, submissions: submitted, guidance: guided, groupSetups: setupsSent, timeline, refusals, wallMs: Date.now() - started, kindergartenWorkflows: roster.kindergartens.length, rehearsedMunicipalities: roster.municipalities.length };
  const expand = (lines: RehearsalEntry[]) => forEveryone(lines, grouping, roster).sort(byTimeThenFields);
  return {
    entries: expand(entries),
    submissions: expand(submitted),
    guidance: expand(guided),
    groupSetups: expand(setupsSent),
    timeline,
    refusals: refusals
      .flatMap((r) => (grouping.kindergartensOf.get(r.orgnr) ?? grouping.municipalitiesOf.get(r.orgnr) ?? [r.orgnr]).map((orgnr) => ({ ...r, orgnr })))
      .sort((a, b) => a.orgnr.localeCompare(b.orgnr) || a.deliverableId.localeCompare(b.deliverableId)),
    wallMs: Date.now() - started,
    kindergartenWorkflows: grouping.members.size,
    rehearsedMunicipalities: grouping.municipalitiesOf.size,
  };
}

/** The classes of alike kindergartens and municipalities for the steps a scenario plans (application/rehearsal-classes.ts). */
function groupingOf(roster: Roster, submissions: PlannedSubmission[], guidance: PlannedSubmission[], setups: (PlannedSubmission & { municipalityId: string })[]): RehearsalGrouping {
  const by = <T>(items: T[], keyOf: (item: T) => string, line: (item: T) => string) => {
    const map = new Map<string, string[]>();
    for (const item of items) map.set(keyOf(item), [...(map.get(keyOf(item)) ?? []), line(item)]);
    return map;
  };
  const own = by(
    [...submissions.map((s) => ({ ...s, kind: 'innlevering' })), ...guidance.map((g) => ({ ...g, kind: 'veiledning' }))],
    (s) => s.orgnr,
    (s) => `${s.kind}:${s.deliverableId}@${s.at}`,
  );
  const municipal = by(setups, (s) => s.municipalityId, (s) => `${s.deliverableId}@${s.at}`);
  return groupRehearsal(roster, { kindergartenSteps: (orgnr) => own.get(orgnr) ?? [], municipalitySteps: (id) => municipal.get(id) ?? [] });
}

/**
 * Everything a rehearsal did, as `arshjul rehearse` prints it (`--json`: one array of these): the milestones, the
 * emails sent, the directors' submissions, the research centre's guidance given and the authorities' group set-ups
 * sent, in time order with ties broken on every other field, so the same year always prints the same way.
 */
export function rehearsalLog(result: Pick<RehearsalResult, 'entries' | 'submissions' | 'guidance' | 'groupSetups'>): RehearsalEntry[] {
  return [...result.entries, ...result.submissions, ...result.guidance, ...result.groupSetups].sort(byTimeThenFields);
}

/** The instants a refusal names (texts/refusals.ts), which a rehearsal must move back by its shift. */
const REFUSAL_INSTANTS = ['at', 'opensAt', 'dueAt', 'lateUntil', 'receivedAt', 'now', 'joinedAt', 'currentDueAt', 'endedAt'] as const;

/**
 * Why a rehearsal's step was refused, with the plan's own dates: the workflows ran the year shifted to start
 * tomorrow, so a refusal's instants are moved back before it is worded again (else a 2017/2018 rehearsal would say a
 * deliverable opens in 2027, at a minute that depends on when the rehearsal ran).
 */
function reasonOf(error: unknown, shift: number): string {
  const described = describeError(error);
  if (!described.refusal) return described.message;
  const refusal: Record<string, unknown> = { ...described.refusal };
  for (const key of REFUSAL_INSTANTS) if (typeof refusal[key] === 'number') refusal[key] = (refusal[key] as number) - shift;
  return refusalText(refusal as unknown as Refusal);
}

/** A deterministic UUID for the rehearsal's n-th guidance (the guidance table's id is a UUID). */
function rehearsalUuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Time-ordered items in runs that share one instant (the rehearsal sends each run's Updates together). */
export function byInstant<T extends { at: number }>(items: T[]): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last && last[0]?.at === item.at) last.push(item);
    else groups.push([item]);
  }
  return groups;
}

/** The same timeline with every instant moved by `delta` milliseconds. */
export function shiftTimeline(timeline: Timeline, delta: number): Timeline {
  const t = (ms: number) => ms + delta;
  return {
    ...timeline,
    endsAt: t(timeline.endsAt),
    milestones: timeline.milestones.map((m) => ({
      ...m,
      occurrences: m.occurrences.map((o) => ({
        ...o,
        at: t(o.at),
        emails: o.emails.map((e) => ({ ...e, sendAt: t(e.sendAt), latestUsefulAt: t(e.latestUsefulAt) })),
      })),
    })),
    deliverables: timeline.deliverables.map((d) => ({
      ...d,
      windows: d.windows.map((w) => ({
        ...w,
        opensAt: t(w.opensAt),
        promptAt: t(w.promptAt),
        dueAt: t(w.dueAt),
        reminderAts: w.reminderAts.map(t),
        escalationAt: t(w.escalationAt),
        lateUntil: t(w.lateUntil),
        ...(w.guidance ? { guidance: { dueAt: t(w.guidance.dueAt), reminderAts: w.guidance.reminderAts.map(t), overdueAt: t(w.guidance.overdueAt) } } : {}),
      })),
    })),
    // The digest days keep their plan dates as names (the email's key); their instants move with the rest.
    ...(timeline.authorityDigest ? { authorityDigest: { days: timeline.authorityDigest.days.map((d) => ({ day: d.day, at: t(d.at) })) } } : {}),
  };
}

/** Time order, ties broken on every other field, so the same year always prints the same way. */
function byTimeThenFields(a: RehearsalEntry, b: RehearsalEntry): number {
  const fields = ['type', 'milestone', 'region', 'group', 'kindergarten', 'to', 'template'] as const;
  return Date.parse(a.at) - Date.parse(b.at) || fields.reduce((acc, f) => acc || (a[f] ?? '').localeCompare(b[f] ?? ''), 0);
}

function entry(type: RehearsalEntry['type'], at: number, zone: string, fields: Partial<RehearsalEntry>): RehearsalEntry {
  return {
    type,
    at: DateTime.fromMillis(Math.floor(at / 1000) * 1000, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(at).toISOString(),
    milestone: fields.milestone ?? null,
    region: fields.region ?? null,
    group: fields.group ?? null,
    kindergarten: fields.kindergarten ?? null,
    to: fields.to ?? null,
    template: fields.template ?? null,
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
};
