import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { toDomainError } from '../../application/errors';
import * as control from '../../application/run-control';
import { InputError } from '../../config/errors';
import { RefusedError } from '../../domain/errors';
import type { RefusalCode } from '../../domain/refusals';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { kindergartenWorkflowId, regionWorkflowId, runWorkflowId } from '../../domain/ids';
import { kindergartenStatusQuery, submitDeliverableUpdate } from '../../workflows/kindergarten-workflow';
import { regionStatusQuery } from '../../workflows/region-workflow';
import { rescheduleMilestoneUpdate } from '../../workflows/run-workflow';
import type { Timeline } from '../../domain/timeline';
import { previewMove } from '../../domain/move-preview';
import { pastStepsAtStart } from '../../domain/start-preview';
import { placeName } from '../../domain/timeline';
import { EXAMPLE_GROUPS, buildRoster, storeGroupSetups } from '../helpers/roster-builder';
import { type Harness, type Plan, type Roster, bundleWorkflows, futurePlan, harness, timeSkipping } from '../helpers/temporal';

jest.setTimeout(300_000);

const DAY = 24 * 3_600_000;
/** A RefusedError for the rule `code`, whose bokmål text matches `text`. */
const refusedWith = (code: RefusalCode, text: RegExp) => ({ name: 'RefusedError', refusal: expect.objectContaining({ code }), message: expect.stringMatching(text) });
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat("yyyy-MM-dd'T'HH:mm");
const groups = EXAMPLE_GROUPS;

function occurrence(timeline: Timeline, milestoneId: string, groupId: string | null = null) {
  const m = timeline.milestones.find((x) => x.id === milestoneId);
  const o = m?.occurrences.find((x) => groupId === null || x.groupId === groupId || (x.groupId === null && (x.regionId === null || x.regionId === groupId)));
  if (!o) throw new Error(`no occurrence ${milestoneId} ${groupId}`);
  return o;
}

describe('the coordinator controls a running year', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let plan: Plan;
  let roster: Roster;
  let timeline: Timeline;
  let deps: control.RunControlDeps;
  let runId: string;
  let county = 0;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  // Each test gets its own server (time only moves forward) and a plan a year ahead of the server's clock.
  beforeEach(async () => {
    env = await timeSkipping();
    county += 1;
    plan = futurePlan(2027, `fylke-${county}`);
    roster = buildRoster(groups, 2);
    timeline = resolveTimeline(plan);
    h = await harness(env, bundle, `controls-${county}`);
    deps = { client: env.client, store: h.store, taskQueue: h.taskQueue };
    runId = runWorkflowId(plan.schoolYear, plan.county);
  });

  afterEach(async () => {
    await env.teardown();
  });

  async function sleepUntil(ms: number): Promise<void> {
    const now = await env.currentTimeMs();
    if (ms > now) await env.sleep(ms - now);
  }

  /** Starts the run and waits until every region has started all its kindergartens. */
  async function start(): Promise<void> {
    await control.startRun(deps, plan, roster, 'koordinator');
    for (const region of timeline.regions) {
      const handle = env.client.workflow.getHandle(regionWorkflowId(runId, region.id));
      for (let i = 0; i < 100; i++) {
        const status = await handle.query(regionStatusQuery).catch(() => null);
        if (status?.startComplete) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** A submission as the upload service sends it, received now (workflow time). */
  const submission = async (submissionId: string, files: { name: string; size: number; sha256: string }[]) => ({
    submissionId,
    deliverableId: 'analysis-so-far',
    files,
    comment: null,
    receiptNumber: null,
    receivedAt: await env.currentTimeMs(),
  });

  const emailsTo = (address: string) => [...h.store.outbox.values()].filter((e) => e.to === address && e.state === 'sent');
  const kg = (i: number) => roster.kindergartens[i] as Roster['kindergartens'][number];
  const placeNameOf = (k: Roster['kindergartens'][number]) => placeName(timeline, k.regionId, k.groupId) ?? '';

  it('moves workshop 1 for one group: the invitation and the meeting before it move along, other groups keep their dates', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const old = occurrence(timeline, 'workshop-1', 'kongsvinger');
      const override = { milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(old.at + 7 * DAY) };
      const result = await control.rescheduleMilestone(deps, runId, override, 'koordinator');
      expect(result.revision).toBe(2);
      expect(result.moved).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ milestoneId: 'workshop-1', groupId: 'kongsvinger', from: old.at, to: old.at + 7 * DAY }),
          expect.objectContaining({ milestoneId: 'director-meeting', groupId: 'kongsvinger' }),
          expect.objectContaining({ milestoneId: 'modules-1-2', groupId: 'kongsvinger' }),
        ]),
      );
      expect(result.moved.every((m) => m.groupId === 'kongsvinger')).toBe(true);
      expect(result.regionsNotified).toEqual(['kongsvinger']);

      const moved = resolveTimeline(plan, [override]);
      await sleepUntil(old.at + 8 * DAY);
      const invitations = emailsTo(kg(0).director.email).filter((e) => e.template === 'workshop-invitation');
      const newSend = occurrence(moved, 'workshop-1', 'kongsvinger').emails.find((e) => e.to === 'directors')?.sendAt as number;
      expect(invitations).toHaveLength(1);
      expect(Math.abs((invitations[0]?.requestedAt ?? 0) - newSend)).toBeLessThan(1000);
      const recorded = h.store.events.filter((e) => e.type === 'milestone' && e.milestoneId === 'workshop-1');
      expect(recorded.find((e) => e.groupId === 'kongsvinger')?.at).toBe(old.at + 7 * DAY);
      expect(recorded.find((e) => e.groupId === 'ringsaker-loten')?.at).toBe(occurrence(timeline, 'workshop-1', 'ringsaker-loten').at);
      const status = await env.client.workflow.getHandle(kindergartenWorkflowId(runId, kg(0).orgnr)).query(kindergartenStatusQuery);
      expect(status.revision).toBe(2);
    });
  });

  it('refuses a date in the past, a milestone that already happened, a broken order and a stale revision, each with a reason', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const now = await env.currentTimeMs();
      await expect(control.rescheduleMilestone(deps, runId, { milestoneId: 'survey-information', at: local(now - 10 * DAY) }, 'k')).rejects.toMatchObject(refusedWith('new-date-in-past', /har allerede vært/));
      const ws1 = occurrence(timeline, 'workshop-1', 'hamar-stange');
      await expect(
        control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-2', regionId: 'hedmarken', groupId: 'hamar-stange', at: local(ws1.at - DAY) }, 'k'),
      ).rejects.toThrow(InputError);
      await expect(
        control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-2', regionId: 'hedmarken', groupId: 'hamar-stange', at: local(ws1.at - DAY) }, 'k'),
      ).rejects.toThrow(/«Workshop 2: Bruk av data og sammenhenger» .* må komme etter «Workshop 1: Tolke og analysere data» .* for Hedmarkregionen, Hamar og Stange/);
      const update = env.client.workflow.getHandle(runId).executeUpdate(rescheduleMilestoneUpdate, {
        args: [{ basedOnRevision: 7, override: { milestoneId: 'kick-off', at: '2027-11-09T09:30' }, timeline, requestedBy: 'k' }],
      });
      await expect(update.catch((error: unknown) => Promise.reject(toDomainError(error)))).rejects.toMatchObject(refusedWith('plan-changed-meanwhile', /endret av noen andre/));
      const survey = occurrence(timeline, 'survey-information');
      await sleepUntil(survey.at + DAY);
      await expect(control.rescheduleMilestone(deps, runId, { milestoneId: 'survey-information', at: local(survey.at + 30 * DAY) }, 'k')).rejects.toMatchObject(
        refusedWith('already-took-place', /kan ikke flyttes lenger/),
      );
      const run = await control.runStatus(deps, runId);
      expect(run.run.revision).toBe(1);
      // A confirmation of a preview made on an older plan version is refused, not applied to the newer plan.
      const kick = occurrence(timeline, 'kick-off');
      await expect(control.rescheduleMilestone(deps, runId, { milestoneId: 'kick-off', at: local(kick.at + DAY) }, 'k', 0)).rejects.toMatchObject(refusedWith('plan-changed-meanwhile', /endret av noen andre/));
      expect((await control.runStatus(deps, runId)).run.revision).toBe(1);
    });
  });

  it('refuses an early submission, and after an extension accepts one past the old deadline as on time with no escalation', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const k = kg(0);
      const handle = env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr));
      const files = [{ name: 'analyse.pdf', size: 1234, sha256: 'a'.repeat(64) }];
      await expect(handle.executeUpdate(submitDeliverableUpdate, { args: [await submission('s0', files)] })).rejects.toThrow();
      const status0 = await handle.query(kindergartenStatusQuery);
      expect(status0.deliverables.find((d) => d.id === 'analysis-so-far')?.submissions).toBe(0);

      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      if (!window) throw new Error('no window');
      await sleepUntil(window.opensAt + 3_600_000);
      const extended = await control.extendDeadline(deps, runId, k.orgnr, 'analysis-so-far', local(window.dueAt + 14 * DAY), 'koordinator');
      expect(extended.dueAt).toBe(window.dueAt + 14 * DAY);
      await expect(control.extendDeadline(deps, runId, k.orgnr, 'analysis-so-far', local(window.dueAt), 'k')).rejects.toMatchObject(refusedWith('extension-not-later', /må være senere enn fristen/));

      // Past the old deadline and escalation day: nothing is sent for the old dates.
      await sleepUntil(window.escalationAt + DAY);
      const director = () => emailsTo(k.director.email).filter((e) => e.meta.deliverableId === 'analysis-so-far');
      expect(director().map((e) => e.template)).toEqual(['deliverable-prompt']);
      // The re-armed reminder comes a week before the new deadline.
      await sleepUntil(extended.dueAt - 7 * DAY + 3_600_000);
      expect(director().map((e) => e.template)).toEqual(['deliverable-prompt', 'deliverable-reminder']);
      const reminderAt = director()[1]?.requestedAt ?? 0;
      expect(reminderAt).toBeGreaterThan(window.dueAt);
      expect(reminderAt).toBeLessThanOrEqual(extended.dueAt - 7 * DAY + 3_600_000);

      const sent = await submission('s1', files);
      const receipt = await handle.executeUpdate(submitDeliverableUpdate, { args: [sent] });
      expect(receipt).toMatchObject({ submissionId: 's1', deliverableId: 'analysis-so-far', version: 1, late: false });
      const again = await handle.executeUpdate(submitDeliverableUpdate, { args: [sent] });
      expect(again).toEqual(receipt);

      await sleepUntil(extended.lateUntil + DAY);
      // No reminder after the submission; the one receipt (the same submission id twice is one submission).
      expect(director().map((e) => e.template)).toEqual(['deliverable-prompt', 'deliverable-reminder', 'submission-receipt']);
      const authority = emailsTo(roster.municipalities[0]?.authority.email as string).filter((e) => e.template === 'deliverable-escalation');
      expect(authority.filter((e) => e.meta.orgnr === k.orgnr && e.meta.deliverableId === 'analysis-so-far')).toEqual([]);
      const status = await handle.query(kindergartenStatusQuery);
      expect(status.deliverables.find((d) => d.id === 'analysis-so-far')).toMatchObject({ status: 'submitted', extended: true, submissions: 1 });
    });
  });

  it('a kindergarten\'s next emails are the ones its workflow then sends, after an extension, a submission and a withdrawal', async () => {
    await h.worker.runUntil(async () => {
      await start();
      // The authorities' group set-ups are in, so the emails to participants have someone to go to.
      await storeGroupSetups(h.store, runId, roster, await env.currentTimeMs());
      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      if (!window) throw new Error('no window');
      await sleepUntil(window.opensAt + 3_600_000);
      const [extendedKg, submittedKg, withdrawnKg, plainKg] = [kg(0), kg(1), kg(2), kg(3)];
      await control.extendDeadline(deps, runId, extendedKg.orgnr, 'analysis-so-far', local(window.dueAt + 14 * DAY), 'koordinator');
      const files = [{ name: 'analyse.pdf', size: 1234, sha256: 'c'.repeat(64) }];
      await env.client.workflow.getHandle(kindergartenWorkflowId(runId, submittedKg.orgnr)).executeUpdate(submitDeliverableUpdate, { args: [await submission('n1', files)] });
      await control.withdrawKindergarten(deps, runId, withdrawnKg.orgnr, 'lagt ned', 'koordinator');

      const askedAt = await env.currentTimeMs();
      const predicted = new Map<string, { key: string; at: number }[]>();
      for (const k of [extendedKg, submittedKg, withdrawnKg, plainKg]) {
        const status = await control.kindergartenStatus(deps, runId, k.orgnr);
        predicted.set(k.orgnr, status.upcoming.map((u) => ({ key: `${runId}/${k.orgnr}/${u.key}`, at: u.at })));
      }
      expect(predicted.get(withdrawnKg.orgnr)).toEqual([]);
      const keysOf = (orgnr: string) => (predicted.get(orgnr) ?? []).map((p) => p.key);
      // The extension's window is the next version: its reminders and escalation have new keys and later times.
      const extendedReminder = predicted.get(extendedKg.orgnr)?.find((p) => p.key.endsWith('analysis-so-far/reminder-1@v1'));
      expect(extendedReminder?.at).toBeGreaterThan(window.dueAt);
      expect(keysOf(extendedKg.orgnr).some((key) => key.includes('analysis-so-far/reminder-1@v0'))).toBe(false);
      expect(keysOf(submittedKg.orgnr).some((key) => key.includes('/analysis-so-far/'))).toBe(false);
      expect(keysOf(plainKg.orgnr).some((key) => key.endsWith('analysis-so-far/escalation@v0'))).toBe(true);
      expect(predicted.get(plainKg.orgnr)?.length).toBeGreaterThan(0);
      const status = await control.kindergartenStatus(deps, runId, plainKg.orgnr);
      expect(status.upcoming.find((u) => u.key === 'analysis-so-far/escalation@v0')).toEqual(expect.objectContaining({ template: 'authority-digest', to: 'municipal-authority' }));

      await sleepUntil(timeline.endsAt + 30 * DAY);
      for (const k of [extendedKg, submittedKg, withdrawnKg, plainKg]) {
        // What went out after the question, one entry per email (an email to several people is one step).
        const sent = new Map<string, number>();
        for (const [key, e] of h.store.outbox) {
          const step = key.slice(0, key.lastIndexOf('/'));
          if (!step.startsWith(`${runId}/${k.orgnr}/`) || e.requestedAt < askedAt || /\/(receipt|received)\//.test(step) || step.endsWith('/cancel')) continue;
          sent.set(step, Math.min(sent.get(step) ?? Infinity, e.requestedAt));
        }
        // An escalation listed as going into the authority's daily digest was queued for it.
        for (const [key, item] of h.store.digestItems) if (key.startsWith(`${runId}/${k.orgnr}/`) && item.at >= askedAt) sent.set(key, item.at);
        const expected = predicted.get(k.orgnr) ?? [];
        expect([...sent.keys()].sort()).toEqual(expected.map((p) => p.key).sort());
        for (const p of expected) expect(Math.abs((sent.get(p.key) ?? 0) - p.at)).toBeLessThan(60_000);
      }
    });
  });

  it('the move preview lists exactly the emails the move changes in the workflows, the opened deliverable\'s prompts included', async () => {
    await h.worker.runUntil(async () => {
      await start();
      // Workshop 1 for Kongsvinger moves a week later: modules 1-2, which opens the analysis, follows it.
      const old = occurrence(timeline, 'workshop-1', 'kongsvinger');
      await sleepUntil(old.at - 20 * DAY);
      const override = { milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(old.at + 7 * DAY) };
      const now = await env.currentTimeMs();
      const upcomingOf = async () =>
        new Map(await Promise.all(roster.kindergartens.map(async (k) => [k.orgnr, (await control.kindergartenStatus(deps, runId, k.orgnr)).upcoming] as const)));
      const before = await upcomingOf();
      const { before: tBefore, after: tAfter } = await control.previewReschedule(deps, runId, override);
      const basis = roster.kindergartens.map((k) => ({ orgnr: k.orgnr, regionId: k.regionId, groupId: k.groupId, municipalityId: k.municipalityId, withdrawn: false, deliverables: {} as Record<string, { submitted: boolean; extended: boolean }> }));
      const preview = previewMove(tBefore, tAfter, basis, now);
      await control.rescheduleMilestone(deps, runId, override, 'koordinator');
      const after = await upcomingOf();

      // What the workflows now say they will send differently, counted the way the preview counts.
      const changes = new Map<string, number>();
      const note = (template: string, recipients: string, change: string, from: number | null, to: number | null) => changes.set(`${template}|${recipients}|${change}|${from}|${to}`, (changes.get(`${template}|${recipients}|${change}|${from}|${to}`) ?? 0) + 1);
      const stem = (key: string) => key.replace(/@v\d+$/, '');
      for (const k of roster.kindergartens) {
        const was = new Map((before.get(k.orgnr) ?? []).map((u) => [stem(u.key), u]));
        const is = new Map((after.get(k.orgnr) ?? []).map((u) => [stem(u.key), u]));
        for (const [key, u] of is) {
          const w = was.get(key);
          if (w && w.at === u.at) continue;
          note(u.template, u.to, u.at <= now ? 'now' : w ? 'moved' : 'new', w ? w.at : null, u.at);
        }
        for (const [key, u] of was) if (!is.has(key)) note(u.template, u.to, 'dropped', u.at, null);
      }
      const predicted = new Map(preview.emails.map((e) => [`${e.template}|${e.recipients}|${e.change}|${e.from}|${e.to}`, e.kindergartens]));
      expect(predicted).toEqual(changes);
      // The analysis opens later for the group: every Kongsvinger kindergarten's prompt moves, no one else's.
      const inGroup = roster.kindergartens.filter((k) => k.groupId === 'kongsvinger').length;
      expect(preview.byTemplate).toContainEqual({ template: 'deliverable-prompt', change: 'moved', count: inGroup });
      expect(preview.kindergartens).toBe(inGroup);

      // The region's own emails to the authorities (the workshop invitation, the reminder of their meeting with the
      // directors): each goes at the new time to as many authorities as the preview said, and none at the old time.
      expect(preview.owners.length).toBeGreaterThan(0);
      const latest = Math.max(...preview.owners.map((o) => o.to ?? 0));
      await sleepUntil(latest + DAY);
      const sentAt = (template: string, at: number) => [...h.store.outbox.values()].filter((e) => e.template === template && e.recipientId.startsWith('authority-') && Math.abs(e.requestedAt - at) < 60_000).length;
      // (An email the region sent before the move is new with the new date: it goes again, as the preview says.)
      for (const o of preview.owners) {
        expect({ template: o.template, at: o.to, sent: sentAt(o.template, o.to ?? 0) }).toEqual({ template: o.template, at: o.to, sent: o.count });
        if (o.change === 'moved') expect({ template: o.template, at: o.from, sent: sentAt(o.template, o.from ?? 0) }).toEqual({ template: o.template, at: o.from, sent: 0 });
      }
      expect(preview.owners.map((o) => `${o.template}|${o.change}`).sort()).toEqual(['director-meeting-reminder|new', 'workshop-invitation|moved']);
    });
  });

  it('a year started after its first steps does with them what the start preview says: sent at once, skipped or recorded', async () => {
    // The year starts after the kick-off invitation went out (but before the kick-off): the survey information and
    // the gatherings are behind it, the invitation still useful.
    const kick = occurrence(timeline, 'kick-off');
    const invitation = kick.emails.find((e) => e.to === 'directors')?.sendAt as number;
    await sleepUntil(invitation + 3_600_000);
    await h.worker.runUntil(async () => {
      const now = await env.currentTimeMs();
      const past = pastStepsAtStart(timeline, now);
      expect(past.length).toBeGreaterThan(0);
      await start();
      await sleepUntil(now + 2 * DAY);
      // Every email of a step that was already due: by template and what it is about, and how many went.
      const sent = new Map<string, number>();
      for (const e of h.store.outbox.values()) {
        if (e.scheduledFor > now) continue;
        const id = `${e.template}|${e.meta.deliverableId ?? e.meta.milestoneId}`;
        sent.set(id, (sent.get(id) ?? 0) + 1);
      }
      const groupsOf = (places: string[] | null) => (places === null ? null : new Set(places));
      const expected = new Map<string, number>();
      for (const p of past.filter((x) => x.outcome === 'send')) {
        const places = groupsOf(p.places);
        const inScope = (k: Roster['kindergartens'][number]) => places === null || places.has(placeNameOf(k));
        const recipients = p.to === 'directors' ? roster.kindergartens.filter(inScope).length : p.to === 'municipal-authorities' ? new Set(roster.kindergartens.filter(inScope).map((k) => k.municipalityId)).size : 1;
        const id = `${p.template}|${p.id}`;
        expected.set(id, (expected.get(id) ?? 0) + recipients);
      }
      expect(sent).toEqual(expected);
      expect([...expected.keys()]).toEqual(expect.arrayContaining(['kick-off-invitation|kick-off']));
      expect(past.some((x) => x.outcome === 'skip')).toBe(true);
      for (const p of past.filter((x) => x.outcome === 'skip')) expect(sent.has(`${p.template}|${p.id}`) && !expected.has(`${p.template}|${p.id}`)).toBe(false);
      // Milestones already past are recorded.
      const recorded = new Set(h.store.events.filter((e) => e.type === 'milestone').map((e) => e.milestoneId));
      for (const p of past.filter((x) => x.outcome === 'recorded')) expect(recorded.has(p.id)).toBe(true);
    });
  });

  it('adds a kindergarten mid-year that joins at the current phase', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const ws1 = occurrence(timeline, 'workshop-1', 'ringsaker-loten');
      await sleepUntil(ws1.at - 5 * DAY);
      const added = {
        orgnr: '974760673',
        name: 'Nyåpnet barnehage',
        municipalityId: 'm-ringsaker-loten',
        groupId: 'ringsaker-loten',
        director: { name: 'Ny Styrer', email: 'ny@barnehage.example' },
      };
      const result = await control.addKindergarten(deps, runId, added, 'koordinator');
      expect(result).toEqual({ workflowId: kindergartenWorkflowId(runId, added.orgnr), regionId: 'hedmarken', groupId: 'ringsaker-loten' });
      await expect(control.addKindergarten(deps, runId, added, 'koordinator')).rejects.toMatchObject(refusedWith('kindergarten-in-run', /allerede med i programåret/));
      await expect(control.addKindergarten(deps, runId, { ...added, orgnr: '123' }, 'k')).rejects.toThrow(InputError);

      await sleepUntil(ws1.at + DAY);
      const templates = emailsTo(added.director.email).map((e) => e.template);
      expect(templates).toContain('workshop-invitation');
      expect(templates).toContain('deliverable-prompt');
      expect(templates).not.toContain('survey-information');
      expect(templates).not.toContain('kick-off-invitation');
      const status = await env.client.workflow.getHandle(result.workflowId).query(kindergartenStatusQuery);
      expect(status.steps.filter((s) => s.status === 'not-applicable').length).toBeGreaterThan(5);
    });
  });

  it('withdraws a kindergarten: no more emails, and its submissions are refused with the reason', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const k = kg(2);
      const portal = occurrence(timeline, 'portal-opens');
      await sleepUntil(portal.at - DAY);
      const withdrawnAt = await env.currentTimeMs();
      await control.withdrawKindergarten(deps, runId, k.orgnr, 'barnehagen er lagt ned', 'koordinator');
      await expect(control.withdrawKindergarten(deps, runId, k.orgnr, 'igjen', 'k')).rejects.toMatchObject(refusedWith('already-withdrawn', /allerede trukket/));
      await expect(control.withdrawKindergarten(deps, runId, '974760673', 'ukjent', 'k')).rejects.toMatchObject(refusedWith('not-in-run', /ikke lenger aktiv/));
      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === k.groupId);
      await sleepUntil((window?.opensAt ?? 0) + DAY);
      // After the withdrawal the director gets nothing but the cancellation of invitations to events still ahead.
      const after = emailsTo(k.director.email).filter((e) => e.requestedAt > withdrawnAt);
      expect(after.map((e) => `${e.template}|${e.meta.milestoneId}`)).toEqual(['invitation-cancelled|kick-off']);
      expect(emailsTo(k.director.email).filter((e) => e.template === 'kick-off-invitation')).toHaveLength(1);
      expect(emailsTo(kg(3).director.email).some((e) => e.requestedAt > withdrawnAt)).toBe(true);
      const handle = env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr));
      const files = [{ name: 'a.pdf', size: 1, sha256: 'b'.repeat(64) }];
      await expect(control.withdrawKindergarten(deps, runId, k.orgnr, 'igjen', 'k')).rejects.toThrow(RefusedError);
      await expect(handle.executeUpdate(submitDeliverableUpdate, { args: [await submission('w1', files)] })).rejects.toThrow();
      const status = await handle.query(kindergartenStatusQuery);
      expect(status.state).toBe('withdrawn');
      expect(status.withdrawn?.reason).toBe('barnehagen er lagt ned');
      expect(status.deliverables.every((d) => d.status === 'withdrawn')).toBe(true);
    });
  });

  it('pause holds every email; resume sends what is still useful and drops what went stale', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const portal = occurrence(timeline, 'portal-opens');
      const kick = occurrence(timeline, 'kick-off');
      const invitation = kick.emails.find((e) => e.to === 'directors')?.sendAt as number;
      await sleepUntil(Math.min(portal.at, invitation) - DAY);
      await control.pauseRun(deps, runId, 'koordinator', 'streik');
      await expect(control.pauseRun(deps, runId, 'koordinator')).rejects.toMatchObject(refusedWith('already-paused', /allerede satt på pause/));
      await sleepUntil(portal.at + 4 * DAY);
      expect(kick.at).toBeGreaterThan(await env.currentTimeMs());
      const director = kg(0).director.email;
      expect(emailsTo(director).filter((e) => e.requestedAt > invitation - 2 * DAY)).toEqual([]);
      const resumedAt = await env.currentTimeMs();
      await control.resumeRun(deps, runId, 'koordinator');
      await sleepUntil(resumedAt + 3_600_000);
      const after = emailsTo(director).filter((e) => e.requestedAt >= resumedAt);
      expect(after.map((e) => e.template)).toContain('kick-off-invitation');
      expect(after.map((e) => e.template)).not.toContain('portal-opens');
      expect(emailsTo(roster.municipalities[0]?.authority.email as string).some((e) => e.template === 'kick-off-invitation' && e.requestedAt >= resumedAt)).toBe(true);
      expect(h.store.events.some((e) => e.type === 'email-stale' && e.orgnr === kg(0).orgnr)).toBe(true);
      expect(h.store.audit.filter((e) => e.action === 'run-paused' || e.action === 'run-resumed').map((e) => [e.action, e.actor, e.details.reason])).toEqual([
        ['run-paused', 'koordinator', 'streik'],
        ['run-resumed', 'koordinator', null],
      ]);
    });
  });

  it('does not answer a control until its audit entry is written, and writes it once however often the write is retried', async () => {
    const write = h.store.recordAudit.bind(h.store);
    let failures = 0;
    // The audit log's database is away for the first three tries of the pause's entry.
    h.store.recordAudit = async (entry) => {
      if (entry.action === 'run-paused' && failures < 3) {
        failures += 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      }
      await write(entry);
    };
    await h.worker.runUntil(async () => {
      await start();
      const paused = await control.pauseRun(deps, runId, 'koordinator', 'streik');
      expect(paused).toEqual({ state: 'paused' });
      expect(failures).toBe(3);
      expect(h.store.audit.filter((e) => e.action === 'run-paused')).toEqual([
        expect.objectContaining({ actor: 'koordinator', runId, details: { reason: 'streik' }, key: expect.stringMatching(new RegExp(`^${runId}/run-paused/`)) }),
      ]);
      const { run } = await control.runStatus(deps, runId);
      expect(run.state).toBe('paused');
    });
  });

  it('cancel ends the run, its regions and its kindergartens', async () => {
    await h.worker.runUntil(async () => {
      await start();
      await control.cancelRun(deps, runId, 'koordinator', 'avlyst');
      const run = await env.client.workflow.getHandle(runId).result();
      expect(run.state).toBe('cancelled');
      const region = await env.client.workflow.getHandle(regionWorkflowId(runId, 'hedmarken')).result();
      expect(region.state).toBe('cancelled');
      const k = await env.client.workflow.getHandle(kindergartenWorkflowId(runId, kg(1).orgnr)).result();
      expect(k.state).toBe('cancelled');
      await expect(control.pauseRun(deps, runId, 'k')).rejects.toThrow();
      expect(h.store.audit.map((e) => e.action)).toEqual(['run-started', 'run-cancelled']);
    });
  });

  /** The authorities' digests in the outbox, as `<municipality>|<day>` with the kindergartens listed as new. */
  const digests = () =>
    [...h.store.outbox.values()]
      .filter((e) => e.template === 'authority-digest' && e.state === 'sent')
      .map((e) => {
        const [, day, municipality] = /\/authority-digest\/([\d-]+)\/([^/]+)\//.exec(e.key) ?? [];
        const news = (e.text.split('\n\n').find((p) => p.startsWith('Nytt siden forrige sammendrag')) ?? '').split('\n').slice(1);
        return { where: `${municipality}|${day}`, news: news.map((l) => l.replace(/^• /, '').split(':')[0]) };
      })
      .sort((a, b) => a.where.localeCompare(b.where));

  it('an extended kindergarten that still does not deliver is in its authority\'s digest of the extension\'s escalation day', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      if (!window) throw new Error('no window');
      await sleepUntil(window.opensAt + 3_600_000);
      const { dueAt } = await control.extendDeadline(deps, runId, kg(0).orgnr, 'analysis-so-far', local(window.dueAt + 21 * DAY), 'koordinator');
      // The other Kongsvinger kindergarten delivers, so the plan's escalation day has no news for Kongsvinger.
      await env.client.workflow.getHandle(kindergartenWorkflowId(runId, kg(1).orgnr)).executeUpdate(submitDeliverableUpdate, { args: [await submission('d1', [{ name: 'a.pdf', size: 10, sha256: 'd'.repeat(64) }])] });
      await sleepUntil(dueAt + 10 * DAY);
      const days = timeline.authorityDigest?.days ?? [];
      const extendedEscalation = (await control.kindergartenStatus(deps, runId, kg(0).orgnr)).steps.find((s) => s.key === 'analysis-so-far/escalation@v1');
      expect(extendedEscalation?.status).toBe('in-digest');
      const day = days.find((d) => d.at >= (extendedEscalation?.at ?? Infinity))?.day;
      const kongsvinger = digests().filter((d) => d.where.startsWith('m-kongsvinger|'));
      expect(kongsvinger).toEqual([{ where: `m-kongsvinger|${day}`, news: [kg(0).name] }]);
      // No escalation was sent as its own email to anyone.
      expect([...h.store.outbox.values()].filter((e) => e.template === 'deliverable-escalation')).toEqual([]);
    });
  });

  it('escalations held by a pause go into the first digest after the resume', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      if (!window) throw new Error('no window');
      await sleepUntil(window.escalationAt - DAY);
      await control.pauseRun(deps, runId, 'koordinator', 'streik');
      await sleepUntil(window.escalationAt + 3 * DAY);
      expect(digests().filter((d) => d.where.startsWith('m-kongsvinger|'))).toEqual([]);
      const resumedAt = await env.currentTimeMs();
      await control.resumeRun(deps, runId, 'koordinator');
      await sleepUntil(resumedAt + 5 * DAY);
      const day = (timeline.authorityDigest?.days ?? []).find((d) => d.at >= resumedAt)?.day;
      expect(digests().filter((d) => d.where.startsWith('m-kongsvinger|'))).toEqual([{ where: `m-kongsvinger|${day}`, news: [kg(0).name, kg(1).name].sort((a, b) => a.localeCompare(b, 'nb')) }]);
    });
  });

  it('a move that shifts a deadline before it opens writes the new deadline to the read model', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const ws2 = occurrence(timeline, 'workshop-2', 'kongsvinger');
      await sleepUntil(ws2.at - 60 * DAY);
      const override = { milestoneId: 'workshop-2', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(ws2.at + 7 * DAY) };
      await control.rescheduleMilestone(deps, runId, override, 'koordinator');
      await sleepUntil((await env.currentTimeMs()) + 3_600_000);
      const moved = resolveTimeline(plan, [override]).deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      const before = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      expect(moved?.dueAt).toBe((before?.dueAt ?? 0) + 7 * DAY);
      for (const k of [kg(0), kg(1)]) {
        const row = h.store.deliverableStates.get(`${runId}|${k.orgnr}|analysis-so-far`);
        expect({ orgnr: k.orgnr, status: row?.status, dueAt: row?.dueAt, lateUntil: row?.lateUntil }).toEqual({ orgnr: k.orgnr, status: 'not-open', dueAt: moved?.dueAt, lateUntil: moved?.lateUntil });
      }
      // Hedmarken's did not move.
      const other = h.store.deliverableStates.get(`${runId}|${kg(4).orgnr}|analysis-so-far`);
      expect(other?.dueAt).toBe(timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === kg(4).groupId)?.dueAt);
    });
  });

  it('the authority returns a full analysis for revision with a comment and a new deadline, reminders resume, and it accepts the next version', async () => {
    await h.worker.runUntil(async () => {
      await start();
      const full = timeline.deliverables.find((d) => d.id === 'full-analysis')?.windows[0];
      if (!full) throw new Error('no window');
      await sleepUntil(full.opensAt + DAY);
      const handle = env.client.workflow.getHandle(kindergartenWorkflowId(runId, kg(0).orgnr));
      const send = async (submissionId: string) =>
        handle.executeUpdate(submitDeliverableUpdate, {
          args: [{ submissionId, deliverableId: 'full-analysis', files: [{ name: 'analyse.pdf', size: 10, sha256: 'e'.repeat(64) }], comment: null, receiptNumber: null, receivedAt: await env.currentTimeMs() }],
        });
      const first = await send('full-1');
      const authority = 'barnehage@kongsvinger.kommune.example';
      const review = (over: Partial<Parameters<typeof control.reviewSubmission>[3]>) =>
        control.reviewSubmission(deps, runId, kg(0).orgnr, { reviewId: 'r1', deliverableId: 'full-analysis', submissionId: first.submissionId, verdict: 'returned', comment: 'Mangler tiltakene.', dueLocal: local(full.dueAt + 14 * DAY), ...over }, authority);

      // Refused, each with its reason, before anything is recorded.
      await expect(review({ reviewId: 'x1', deliverableId: 'analysis-so-far' })).rejects.toMatchObject(refusedWith('review-not-authority', /går ikke til barnehagemyndigheten/));
      await expect(review({ reviewId: 'x2', comment: '  ' })).rejects.toMatchObject(refusedWith('review-comment-missing', /Skriv hvorfor/));
      await expect(review({ reviewId: 'x3', submissionId: 'annen' })).rejects.toMatchObject(refusedWith('review-not-latest', /Last siden på nytt/));
      await expect(review({ reviewId: 'x4', dueLocal: local((await env.currentTimeMs()) - DAY) })).rejects.toMatchObject(refusedWith('deadline-in-past', /./));
      await expect(review({ reviewId: 'x5', dueLocal: null })).rejects.toBeInstanceOf(InputError);
      expect(h.store.reviews.size).toBe(0);

      const returned = await review({});
      expect(returned).toEqual(expect.objectContaining({ verdict: 'returned', version: 1, comment: 'Mangler tiltakene.', dueAt: full.dueAt + 14 * DAY }));
      // The same form sent twice is one review.
      expect(await review({})).toEqual(returned);
      let status = await control.kindergartenStatus(deps, runId, kg(0).orgnr);
      const d = status.deliverables.find((x) => x.id === 'full-analysis');
      expect(d).toEqual(expect.objectContaining({ status: 'open', dueAt: full.dueAt + 14 * DAY, submissions: 1 }));
      // The new window's reminders are upcoming again (the first one was before the return and is not).
      expect(status.upcoming.filter((u) => u.key.startsWith('full-analysis/reminder')).map((u) => u.key)).toEqual(['full-analysis/reminder-1@v1', 'full-analysis/reminder-2@v1']);
      await sleepUntil((await env.currentTimeMs()) + 3_600_000);
      const told = [...h.store.outbox.values()].filter((e) => e.template === 'submission-returned');
      expect(told.map((e) => e.to)).toEqual([kg(0).director.email]);
      expect(told[0]?.text).toContain('Kommentar fra barnehagemyndigheten:\nMangler tiltakene.');
      expect(told[0]?.text).toMatch(/Last opp her: http:\/\/arshjul\.test\/levering\//);

      // The revised version is on time against the new deadline, and the authority accepts it.
      await sleepUntil(full.dueAt + 2 * DAY);
      const second = await send('full-2');
      expect(second).toEqual(expect.objectContaining({ version: 2, late: false }));
      await expect(review({ reviewId: 'r2', submissionId: first.submissionId, verdict: 'accepted', comment: null })).rejects.toMatchObject(refusedWith('review-not-latest', /./));
      const accepted = await review({ reviewId: 'r2', submissionId: second.submissionId, verdict: 'accepted', comment: 'Fint.', dueLocal: null });
      expect(accepted).toEqual(expect.objectContaining({ verdict: 'accepted', version: 2, dueAt: null }));
      await expect(review({ reviewId: 'r3', submissionId: second.submissionId, verdict: 'accepted', comment: null, dueLocal: null })).rejects.toMatchObject(refusedWith('review-already-given', /Versjon 2/));
      status = await control.kindergartenStatus(deps, runId, kg(0).orgnr);
      expect(status.deliverables.find((x) => x.id === 'full-analysis')?.status).toBe('submitted');
      expect(status.upcoming.filter((u) => u.key.startsWith('full-analysis/'))).toEqual([]);
      await sleepUntil((await env.currentTimeMs()) + 3_600_000);
      expect([...h.store.outbox.values()].filter((e) => e.template === 'submission-accepted').map((e) => e.to)).toEqual([kg(0).director.email]);
      // Both verdicts stay on the submission's history and in the audit log.
      expect([...h.store.reviews.values()].map((r) => [r.reviewId, r.verdict, r.version, r.by])).toEqual([
        ['r1', 'returned', 1, authority],
        ['r2', 'accepted', 2, authority],
      ]);
      expect(h.store.audit.filter((e) => e.action.startsWith('submission-')).map((e) => e.action)).toEqual(['submission-returned', 'submission-accepted']);
      // No reminder of the first window came after the return; the second version stopped the new ones.
      const reminders = [...h.store.outbox.values()].filter((e) => e.template === 'deliverable-reminder' && e.key.includes(`/${kg(0).orgnr}/full-analysis/`));
      expect(reminders.every((e) => e.key.includes('@v1/'))).toBe(true);
    });
  });
});
