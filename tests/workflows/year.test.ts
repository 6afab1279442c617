import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { type RehearsalEntry, type RehearsalResult, rehearse, scenarioSchema } from '../../application/rehearsal';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { loadPlan } from '../../planning/load-plan';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { scheduleForKindergarten } from '../../domain/timeline';
import { EXAMPLE_GROUPS, buildRoster } from '../helpers/roster-builder';
import { EXAMPLE_PLAN, bundleWorkflows } from '../helpers/temporal';
import { MemoryStore } from '../../activities/db/memory-store';
import { authorityDeliverableSteps } from '../../domain/timeline';

jest.setTimeout(300_000);

const at = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toISO({ suppressMilliseconds: true });
const oslo = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Oslo' }).toISO({ suppressMilliseconds: true });

describe('a whole programme year on the time-skipping server', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let plan: Plan;
  let roster: Roster;
  let result: RehearsalResult;
  const store = new MemoryStore();
  // One kindergarten per workshop group; in Kongsvinger a second one that never submits and one that submits late.
  const groups = EXAMPLE_GROUPS;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    plan = loadPlan(EXAMPLE_PLAN);
    roster = buildRoster(groups, 1);
    const extra = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2, 95_000_000);
    roster = { municipalities: roster.municipalities, kindergartens: [...roster.kindergartens, ...extra.kindergartens] };
    const [never, late] = extra.kindergartens.map((k) => k.orgnr) as [string, string];
    // The research centre never gives guidance to the second kindergarten, and gives it two days after the third's
    // submission; everyone else gets it a day before it is due.
    const [, noGuidance, quick] = roster.kindergartens.map((k) => k.orgnr) as [string, string, string];
    // One authority sends its group set-up late, one never; the others on time.
    const [lateAuthority, silentAuthority] = roster.municipalities.map((m) => m.id) as [string, string];
    const scenario = scenarioSchema.parse({
      kindergartens: { [never]: 'never', [late]: { 'analysis-so-far': 'late' } },
      groupSetup: { municipalities: { [lateAuthority]: 'late', [silentAuthority]: 'never' } },
      guidance: { kindergartens: { [noGuidance]: 'never', [quick]: { daysAfterSubmission: 2 } } },
    });
    result = await rehearse(plan, roster, scenario, { workflowBundle: bundle, store, full: true });
  });

  const emails = (filter: (e: RehearsalEntry) => boolean) => result.entries.filter((e) => e.type === 'email' && filter(e));

  it('records every milestone of the 2017/2018 plan at its date, per region and workshop group', () => {
    const timeline = resolveTimeline(plan);
    const milestones = result.entries.filter((e) => e.type === 'milestone');
    const expected = timeline.milestones.flatMap((m) => m.occurrences.map((o) => `${m.id}|${o.regionId}|${o.groupId}|${at(o.at)}`));
    expect(milestones.map((e) => `${e.milestone}|${e.region}|${e.group}|${e.at}`).sort()).toEqual(expected.sort());
    expect(milestones).toContainEqual(expect.objectContaining({ milestone: 'workshop-1', group: 'ringsaker-loten', at: oslo('2018-01-18T09:00') }));
    expect(milestones).toContainEqual(expect.objectContaining({ milestone: 'workshop-1', group: 'kongsvinger', at: oslo('2018-02-02T09:00') }));
    expect(milestones).toContainEqual(expect.objectContaining({ milestone: 'workshop-2', group: 'hamar-stange', at: oslo('2018-03-13T09:00') }));
    expect(milestones).toContainEqual(expect.objectContaining({ milestone: 'kick-off', at: oslo('2017-10-31T09:30') }));
    expect(milestones).toContainEqual(expect.objectContaining({ milestone: 'survey-reminder', at: oslo('2017-11-17T08:00') }));
  });

  it('sends every director email about a milestone once, at its resolved instant', () => {
    const timeline = resolveTimeline(plan);
    for (const k of roster.kindergartens) {
      const schedule = scheduleForKindergarten(timeline, k.regionId, k.groupId);
      const got = emails((e) => e.kindergarten === k.orgnr && e.to === k.director.email && !['deliverable-prompt', 'deliverable-reminder', 'submission-receipt', 'guidance-given'].includes(e.template ?? ''));
      const want = schedule.emails.filter((s) => s.to !== 'participants').map((s) => `${s.milestoneId}|${s.template}|${at(s.sendAt)}`);
      expect(got.map((e) => `${e.milestone}|${e.template}|${e.at}`).sort()).toEqual(want.sort());
    }
    const survey = emails((e) => e.template === 'survey-reminder');
    expect(survey).toHaveLength(roster.kindergartens.length);
    expect(new Set(survey.map((e) => e.at))).toEqual(new Set([oslo('2017-11-17T08:00')]));
  });

  it('prompts each director when a deliverable opens and stops reminding once it is submitted', () => {
    const onTime = roster.kindergartens[0]?.orgnr as string;
    const prompts = emails((e) => e.kindergarten === onTime && e.template === 'deliverable-prompt');
    expect(prompts.map((e) => e.milestone).sort()).toEqual(['analysis-so-far', 'booklet-material', 'full-analysis']);
    expect(prompts.find((e) => e.milestone === 'analysis-so-far')?.at).toBe(oslo('2018-02-02T12:00'));
    expect(emails((e) => e.kindergarten === onTime && e.template === 'deliverable-reminder')).toEqual([]);
    expect(emails((e) => e.kindergarten === onTime && e.template === 'deliverable-escalation')).toEqual([]);
    expect(result.submissions.filter((s) => s.kindergarten === onTime)).toHaveLength(3);
  });

  it('reminds a director who never submits, and tells the municipal authority in its daily digest, one email a day', () => {
    const never = roster.kindergartens[5] as Roster['kindergartens'][number];
    const timeline = resolveTimeline(plan);
    const schedule = scheduleForKindergarten(timeline, never.regionId, never.groupId);
    const window = schedule.deliverables.find((d) => d.id === 'analysis-so-far')?.window;
    const reminders = emails((e) => e.kindergarten === never.orgnr && e.template === 'deliverable-reminder' && e.milestone === 'analysis-so-far');
    expect(reminders.map((e) => e.at)).toEqual(window?.reminderAts.map(at));
    expect(reminders.map((e) => e.at)).toEqual([oslo('2018-02-23T08:00'), oslo('2018-02-28T08:00')]);
    // No escalation of its own to anyone: each of the three goes into the authority's digest of its day, at 12.00.
    expect(emails((e) => e.template === 'deliverable-escalation')).toEqual([]);
    const days = timeline.authorityDigest?.days ?? [];
    const digestAt = (escalationAt: number) => days.find((d) => d.at >= escalationAt)?.at as number;
    const wanted = [...new Set(schedule.deliverables.map((d) => at(digestAt(d.window.escalationAt))))].sort();
    const digests = emails((e) => e.template === 'authority-digest');
    expect(digests.map((e) => `${e.to}|${e.at}`).sort()).toEqual(wanted.map((w) => `barnehage@kongsvinger.kommune.example|${w}`));
    expect(digests.map((e) => e.at)).toContain(oslo('2018-03-05T12:00'));
  });

  it('does not escalate a late submission that arrived before the escalation day', () => {
    const late = roster.kindergartens[6]?.orgnr as string;
    const submission = result.submissions.find((s) => s.kindergarten === late && s.milestone === 'analysis-so-far');
    expect(submission?.at).toBe(oslo('2018-03-03T16:00'));
    expect(emails((e) => e.kindergarten === late && e.template === 'deliverable-reminder' && e.milestone === 'analysis-so-far')).toHaveLength(2);
    expect(emails((e) => e.kindergarten === late && e.template === 'deliverable-escalation')).toEqual([]);
  });

  it('tells each municipal authority in scope, once per email', () => {
    const kick = emails((e) => e.milestone === 'kick-off' && e.to?.startsWith('barnehage@') === true);
    expect(kick.map((e) => e.to).sort()).toEqual(roster.municipalities.map((m) => m.authority.email).sort());
    expect(new Set(kick.map((e) => e.at))).toEqual(new Set([oslo('2017-10-10T08:00')]));
    const ws1 = emails((e) => e.milestone === 'workshop-1' && e.template === 'workshop-invitation' && e.kindergarten === null);
    expect(ws1.map((e) => `${e.group}|${e.at}`).sort()).toEqual(
      [
        `hamar-stange|${oslo('2018-01-09T08:00')}`,
        `kongsvinger|${oslo('2018-01-19T08:00')}`,
        `nord-osterdal|${oslo('2018-01-05T08:00')}`,
        `ringsaker-loten|${oslo('2018-01-04T08:00')}`,
        `sor-osterdal|${oslo('2018-01-08T08:00')}`,
      ].sort(),
    );
    const keys = result.entries.filter((e) => e.type === 'email').map((e) => `${e.milestone}|${e.template}|${e.to}|${e.kindergarten}|${e.at}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('sends one receipt to the director and one notice to the recipient for every accepted submission', () => {
    const submissions = result.submissions;
    expect(submissions.length).toBeGreaterThan(0);
    const receipts = emails((e) => e.template === 'submission-receipt');
    const notices = emails((e) => e.template === 'submission-received');
    expect(receipts).toHaveLength(submissions.length);
    expect(notices).toHaveLength(submissions.length);
    for (const k of roster.kindergartens) {
      expect(receipts.filter((e) => e.kindergarten === k.orgnr).every((e) => e.to === k.director.email)).toBe(true);
    }
    // The analysis so far goes to the research centre, the full analysis to the kindergarten's municipal authority.
    expect(new Set(notices.filter((e) => e.milestone === 'analysis-so-far').map((e) => e.to))).toEqual(new Set([plan.contacts.researchCentre.email]));
    expect(notices.filter((e) => e.milestone === 'full-analysis').every((e) => e.to?.startsWith('barnehage@') === true)).toBe(true);
  });

  it('refuses nothing in the default year and finishes in seconds', () => {
    expect(result.refusals).toEqual([]);
    expect(result.wallMs).toBeLessThan(120_000);
  });

  it('emails the research centre\'s guidance to each director it was given to, and reminds the research centre only of what it still owes', () => {
    const timeline = resolveTimeline(plan);
    const submitted = result.submissions.filter((x) => x.milestone === 'analysis-so-far');
    const noGuidance = roster.kindergartens[1]?.orgnr as string;
    // Guidance for everyone who submitted the analysis so far, except the one the scenario leaves without.
    expect(result.guidance.map((g) => g.kindergarten).sort()).toEqual(submitted.map((x) => x.kindergarten).filter((k) => k !== noGuidance).sort());
    const given = emails((e) => e.template === 'guidance-given');
    expect(given.map((e) => `${e.kindergarten}|${e.to}|${e.at}`).sort()).toEqual(
      result.guidance.map((g) => `${g.kindergarten}|${roster.kindergartens.find((k) => k.orgnr === g.kindergarten)?.director.email}|${g.at}`).sort(),
    );
    // On time: a day before the due instant of the kindergarten's group; the quick one two days after its submission.
    const quick = roster.kindergartens[2] as Roster['kindergartens'][number];
    const quickSubmitted = submitted.find((x) => x.kindergarten === quick.orgnr)?.at as string;
    expect(result.guidance.find((g) => g.kindergarten === quick.orgnr)?.at).toBe(DateTime.fromISO(quickSubmitted).plus({ days: 2, hours: 1 }).setZone('Europe/Oslo').toISO({ suppressMilliseconds: true }));
    const first = roster.kindergartens[0] as Roster['kindergartens'][number];
    const firstDue = scheduleForKindergarten(timeline, first.regionId, first.groupId).deliverables.find((d) => d.id === 'analysis-so-far')?.window.guidance?.dueAt as number;
    expect(result.guidance.find((g) => g.kindergarten === first.orgnr)?.at).toBe(at(firstDue - 86_400_000));

    // A reminder goes at a reminder instant exactly when some submission is waiting for guidance then.
    const owedAt = (t: number) =>
      submitted.some((x) => Date.parse(x.at) <= t && !result.guidance.some((g) => g.kindergarten === x.kindergarten && Date.parse(g.at) <= t));
    const instants = [...new Set(timeline.deliverables.flatMap((d) => d.windows.flatMap((w) => (w.guidance ? [...w.guidance.reminderAts, w.guidance.overdueAt] : []))))].sort((a, b) => a - b);
    const reminders = emails((e) => e.template === 'guidance-reminder');
    expect(reminders.map((e) => e.at)).toEqual(instants.filter(owedAt).map(at));
    expect(new Set(reminders.map((e) => e.to))).toEqual(new Set([plan.contacts.researchCentre.email]));
    // The kindergarten without guidance is owed from its submission to the end: the last instant has a reminder.
    expect(reminders.at(-1)?.at).toBe(at(instants.at(-1) as number));
  });

  it('asks every authority for its group set-up, reminds only those that have not sent it, tells the coordinator who has not, and receipts each version', () => {
    const timeline = resolveTimeline(plan);
    const steps = authorityDeliverableSteps(timeline);
    const [lateAuthority, silentAuthority] = roster.municipalities as [Roster['municipalities'][number], Roster['municipalities'][number]];
    const authorities = roster.municipalities.map((m) => m.authority.email).sort();
    const prompts = emails((e) => e.template === 'group-setup-prompt');
    expect(prompts.map((e) => e.to).sort()).toEqual(authorities);
    expect(new Set(prompts.map((e) => e.at))).toEqual(new Set([at(steps.find((s) => s.kind === 'prompt')?.at as number)]));
    // On time means before the first reminder: only the late and the silent authority are reminded, at both reminders.
    const reminders = emails((e) => e.template === 'group-setup-reminder');
    const reminderAts = steps.filter((s) => s.kind === 'reminder').map((s) => at(s.at));
    expect(reminders.map((e) => `${e.to}|${e.at}`).sort()).toEqual(
      [lateAuthority, silentAuthority].flatMap((m) => reminderAts.map((r) => `${m.authority.email}|${r}`)).sort(),
    );
    // The late one had sent it by the escalation: the coordinator is told of the silent one only.
    const escalation = emails((e) => e.template === 'group-setup-escalation');
    expect(escalation.map((e) => `${e.to}|${e.at}`)).toEqual([`${plan.contacts.coordinator.email}|${at(steps.find((s) => s.kind === 'escalation')?.at as number)}`]);
    const escalationText = [...store.outbox.values()].find((e) => e.template === 'group-setup-escalation')?.text ?? '';
    expect(escalationText).toContain(`• ${silentAuthority.name} (${silentAuthority.authority.name})`);
    expect(escalationText).not.toContain(`• ${lateAuthority.name} (`);
    // A receipt for each version sent, to its authority; the late one marked late, with every kindergarten's participants.
    expect(result.groupSetups.map((g) => g.to).sort()).toEqual(roster.municipalities.filter((m) => m.id !== silentAuthority.id).map((m) => m.id).sort());
    const receipts = emails((e) => e.template === 'group-setup-receipt');
    expect(receipts.map((e) => e.to).sort()).toEqual(roster.municipalities.filter((m) => m.id !== silentAuthority.id).map((m) => m.authority.email).sort());
    const lateRecord = store.groupSetupRecords.find((g) => g.municipalityId === lateAuthority.id);
    expect(lateRecord?.late).toBe(true);
    expect(store.groupSetupRecords.filter((g) => g.municipalityId !== lateAuthority.id).every((g) => !g.late)).toBe(true);
    const lateReceipt = [...store.outbox.values()].find((e) => e.template === 'group-setup-receipt' && e.to === lateAuthority.authority.email)?.text ?? '';
    expect(lateReceipt).toContain('(etter fristen)');
    for (const k of roster.kindergartens.filter((x) => x.municipalityId === lateAuthority.id)) expect(lateReceipt).toContain(`• ${k.director.name}, styrer, ${k.director.email}`);
  });

  it('sends each participant of an accepted group set-up the competence-package information and the workshop invitations, the director only its own copies', () => {
    const timeline = resolveTimeline(plan);
    const silent = roster.municipalities[1]?.id as string;
    for (const k of roster.kindergartens) {
      const steps = scheduleForKindergarten(timeline, k.regionId, k.groupId).emails.filter((s) => s.to === 'participants');
      expect(steps.map((s) => s.template).sort()).toEqual(['participant-information', 'workshop-invitation', 'workshop-invitation']);
      const participant = `pedleder-${k.orgnr}@rehearsal.invalid`;
      const got = emails((e) => e.to === participant);
      // A kindergarten whose authority never sent its set-up has no participants to tell.
      const want = k.municipalityId === silent ? [] : steps.map((s) => `${s.milestoneId}|${s.template}|${at(s.sendAt)}`).sort();
      expect(got.map((e) => `${e.milestone}|${e.template}|${e.at}`).sort()).toEqual(want);
      expect(emails((e) => e.to === k.director.email && e.template === 'participant-information')).toEqual([]);
    }
    const invitation = [...store.outbox.values()].find((e) => e.template === 'workshop-invitation' && e.to.startsWith('pedleder-'));
    expect(invitation?.text).toContain('Velkommen til «Workshop 1');
  });
});
