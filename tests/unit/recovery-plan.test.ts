import type { RecoverySource } from '../../activities/db/recovery-repository';
import { recoveryPlan } from '../../application/recovery';
import { RefusedError } from '../../domain/errors';
import { extendedWindow, pendingActions } from '../../domain/kindergarten-schedule';
import { occurrenceSteps } from '../../domain/occurrence-steps';
import { type Timeline, authorityDeliverableSteps, digestWakeDays, guidanceReminderInstants, ownedOccurrences, scheduleForKindergarten } from '../../domain/timeline';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { recoveredLines } from '../../texts/recovery';
import { loadExamplePlan } from '../helpers/example-plan';

const plan = loadExamplePlan();
const resolved = resolveTimeline(plan);
const RUN = 'arshjul-2017-hedmark';
const timeline: Timeline = { ...resolved, regions: resolved.regions.filter((r) => r.id === 'kongsvinger' || r.id === 'hedmarken') };
const schedule = scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger');
const analysis = schedule.deliverables.find((d) => d.id === 'analysis-so-far')!;
const startedAt = timeline.milestones[0]!.occurrences[0]!.at - 86_400_000;

const kindergarten = (orgnr: string, extra: Partial<RecoverySource['kindergartens'][number]> = {}) => ({
  orgnr,
  name: `Barnehage ${orgnr}`,
  municipalityId: 'm-kongsvinger',
  regionId: 'kongsvinger',
  groupId: 'kongsvinger',
  addedAt: null,
  withdrawn: null,
  ...extra,
});

/** A run in the middle of its year, as PostgreSQL holds it: moved once, one kindergarten added, one withdrawn, one extended. */
function source(overrides: Partial<RecoverySource> = {}): RecoverySource {
  const extension = extendedWindow(analysis.window, { deliverableId: analysis.id, dueAt: analysis.window.dueAt + 7 * 86_400_000, reminderAts: [analysis.window.dueAt + 86_400_000], escalationAt: analysis.window.dueAt + 8 * 86_400_000, lateUntil: analysis.window.lateUntil + 7 * 86_400_000 }, analysis.window.opensAt);
  const runStep = occurrenceSteps(ownedOccurrences(timeline, 'run'), {}).find((s) => s.kind === 'email')!;
  const milestoneStep = schedule.emails[0]!;
  return {
    run: { runId: RUN, plan, release: '1.2.0', createdAt: startedAt },
    timeline: { revision: 2, timeline, overrides: [{ milestoneId: 'workshop-1', at: '2018-01-10T09:00' }] },
    audit: [
      { action: 'run-started', actor: 'koordinator', at: startedAt, details: { kindergartens: 3 } },
      { action: 'milestone-moved', actor: 'koordinator', at: startedAt + 1, details: {} },
      { action: 'kindergarten-added', actor: 'koordinator', at: startedAt + 2, details: { orgnr: '811111119' } },
      { action: 'kindergarten-withdrawn', actor: 'koordinator', at: startedAt + 3, details: { orgnr: '974000003' } },
      { action: 'run-paused', actor: 'koordinator', at: startedAt + 4, details: {} },
      { action: 'run-resumed', actor: 'koordinator', at: startedAt + 5, details: {} },
    ],
    events: [
      { type: 'milestone', at: runStep.owned.occurrence.at, milestoneId: runStep.owned.milestoneId, regionId: null, groupId: null, orgnr: null, data: { version: runStep.owned.occurrence.version } },
      { type: 'email-stale', at: startedAt, milestoneId: null, regionId: null, groupId: null, orgnr: '974000001', data: { step: `${milestoneStep.stepId}@v${milestoneStep.version}` } },
    ],
    outbox: new Map([
      [`${RUN}/${runStep.key}`, 'sent'],
      [`${RUN}/974000002/${analysis.id}/prompt`, 'sent'],
      [`${RUN}/974000002/receipt/s-1`, 'sent'],
      [`${RUN}/974000002/received/s-1`, 'sent'],
      [`${RUN}/974000001/${schedule.emails[1]!.stepId}@v${schedule.emails[1]!.version}`, 'sending'],
    ]),
    emailsSent: 4,
    kindergartens: [kindergarten('974000001'), kindergarten('974000002'), kindergarten('974000003', { withdrawn: { at: startedAt + 3, reason: 'lagt ned' } }), kindergarten('811111119', { addedAt: startedAt + 2 })],
    deliverableStates: [{ orgnr: '974000002', deliverableId: analysis.id, status: 'submitted', dueAt: analysis.window.dueAt, lateUntil: analysis.window.lateUntil }],
    submissions: [
      { submissionId: 's-1', orgnr: '974000002', deliverableId: analysis.id, receiptNumber: 'AH-000001', receivedAt: analysis.window.opensAt + 1_000, version: 1, late: false, comment: null, files: [{ name: 'a.pdf', size: 10, sha256: 'a'.repeat(64) }] },
      { submissionId: 's-2', orgnr: '811111119', deliverableId: analysis.id, receiptNumber: 'AH-000002', receivedAt: analysis.window.promptAt, version: 1, late: false, comment: 'hei', files: [{ name: 'b.pdf', size: 11, sha256: 'b'.repeat(64) }] },
    ],
    reviews: [],
    windows: [{ orgnr: '974000001', deliverableId: analysis.id, window: extension }],
    digestItems: [],
    ...overrides,
  };
}

describe('the state a recovered year starts from', () => {
  it('starts every kindergarten still in the run (the added one too) with its joining time, and not the withdrawn one', () => {
    const { kindergartens, summary } = recoveryPlan(source(), { taskQueue: 'q' });
    expect(kindergartens.map((k) => [k.orgnr, k.joinedAt])).toEqual([
      ['974000001', startedAt],
      ['974000002', startedAt],
      ['811111119', startedAt + 2],
    ]);
    expect(summary).toMatchObject({ kindergartens: 3, added: ['Barnehage 811111119'], withdrawn: ['Barnehage 974000003'], moves: 1, extensions: 1, submissions: 2, revision: 2, paused: false });
  });

  it('gives a kindergarten its extension window, so its reminders keep the keys of the extension version', () => {
    const k = recoveryPlan(source(), { taskQueue: 'q' }).kindergartens.find((x) => x.orgnr === '974000001')!;
    expect(k.state!.deliverables[analysis.id]!.extension).toMatchObject({ version: analysis.window.version + 1, dueAt: analysis.window.dueAt + 7 * 86_400_000 });
    const keys = pendingActions(k.state!).filter((a) => a.kind !== 'milestone-email' && a.deliverable.id === analysis.id).map((a) => a.key);
    expect(keys).toContain(`${analysis.id}/reminder-1@v${analysis.window.version + 1}`);
    expect(keys).not.toContain(`${analysis.id}/reminder-1@v${analysis.window.version}`);
  });

  it('marks as done what left a trace: a sent email, a stale one; a send cut short stays due', () => {
    const k = recoveryPlan(source(), { taskQueue: 'q' }).kindergartens.find((x) => x.orgnr === '974000001')!;
    const first = schedule.emails[0]!;
    expect(k.state!.outcomes[`${first.stepId}@v${first.version}`]).toMatchObject({ status: 'stale' });
    const k2 = recoveryPlan(source(), { taskQueue: 'q' }).kindergartens.find((x) => x.orgnr === '974000002')!;
    expect(k2.state!.outcomes[`${analysis.id}/prompt`]).toMatchObject({ status: 'sent' });
    expect(Object.keys(k.state!.outcomes)).not.toContain(`${schedule.emails[1]!.stepId}@v${schedule.emails[1]!.version}`);
  });

  it('knows each accepted submission, and emails the receipts not yet sent', () => {
    const plan = recoveryPlan(source(), { taskQueue: 'q' });
    const k2 = plan.kindergartens.find((x) => x.orgnr === '974000002')!;
    expect(k2.state!.deliverables[analysis.id]!.submissions).toEqual([{ submissionId: 's-1', at: analysis.window.opensAt + 1_000, late: false, version: 1, files: [{ name: 'a.pdf', size: 10, sha256: 'a'.repeat(64) }], comment: null }]);
    expect(k2.state!.deliverables[analysis.id]!.recordedStatus).toBe('submitted');
    expect(k2.state!.receiptsDue).toEqual([]);
    const addedOne = plan.kindergartens.find((x) => x.orgnr === '811111119')!;
    expect(addedOne.state!.receiptsDue.map((r) => [r.submissionId, r.receiptNumber])).toEqual([['s-2', 'AH-000002']]);
    // Submitted by the time of its prompt: the prompt was suppressed then, and stays so.
    expect(addedOne.state!.outcomes[`${analysis.id}/prompt`]).toMatchObject({ status: 'suppressed' });
  });

  it('gives the run its timeline, overrides, additions, withdrawals and the steps it had done; the regions start no kindergarten', () => {
    const plan = recoveryPlan(source(), { taskQueue: 'q', emailTaskQueue: 'e' });
    const state = plan.run.state!;
    expect(state).toMatchObject({ revision: 2, paused: false, regionsStarted: true, added: ['811111119'], withdrawn: ['974000003'] });
    const runStep = occurrenceSteps(ownedOccurrences(timeline, 'run'), {}).find((s) => s.kind === 'email')!;
    expect(state.done[runStep.key]).toBe('sent');
    expect(state.done[`${runStep.owned.key}@v${runStep.owned.occurrence.version}`]).toBe('recorded');
    expect(plan.run.emailTaskQueue).toBe('e');
    expect(plan.regions.map((r) => [r.regionId, r.state!.startDone, r.state!.started])).toEqual([
      ['kongsvinger', true, 3],
      ['hedmarken', true, 0],
    ]);
  });

  it('carries the digest\'s progress on: the last day sent is done, a day claimed but never sent is done again', () => {
    const [day1, day2] = digestWakeDays(timeline, []);
    const digestKey = (day: string) => `${RUN}/authority-digest/${day}/m-kongsvinger`;
    const sent = source({ digestItems: [{ key: 'i1', digestDay: day1!.day }], outbox: new Map([[digestKey(day1!.day), 'sent']]) });
    expect(recoveryPlan(sent, { taskQueue: 'q' }).run.state!.digestThrough).toBe(day1!.at);
    const cutShort = source({ digestItems: [{ key: 'i1', digestDay: day1!.day }, { key: 'i2', digestDay: day2!.day }], outbox: new Map([[digestKey(day1!.day), 'sent']]) });
    expect(recoveryPlan(cutShort, { taskQueue: 'q' }).run.state!.digestThrough).toBe(day1!.at);
    // The extension's escalation wants a digest day after it, as the kindergarten workflow told the run.
    expect(recoveryPlan(cutShort, { taskQueue: 'q' }).run.state!.digestWanted).toContain(source().windows[0]!.window.escalationAt);
  });

  it('carries the guidance reminders and the authorities\' group set-up steps already sent on', () => {
    const [first, second] = guidanceReminderInstants(timeline);
    const [prompt, reminder] = authorityDeliverableSteps(timeline);
    const s = source({
      outbox: new Map([
        [`${RUN}/guidance-reminder/${first}`, 'sent'],
        [`${RUN}/guidance-reminder/${second}`, 'sending'],
        [`${RUN}/${prompt!.key}/m-kongsvinger`, 'sent'],
      ]),
    });
    const state = recoveryPlan(s, { taskQueue: 'q' }).run.state!;
    expect(state.guidanceThrough).toBe(first);
    expect(state.authorityStepsDone).toEqual({ [prompt!.key]: 'sent' });
    expect(state.authorityStepsDone).not.toHaveProperty(reminder!.key);
  });

  it('knows an authority\'s return for revision: the version set aside, the return\'s window, its email still to send', () => {
    const full = schedule.deliverables.find((d) => d.id === 'full-analysis')!;
    const returnWindow = extendedWindow(full.window, { deliverableId: full.id, dueAt: full.window.dueAt + 86_400_000, reminderAts: [], escalationAt: full.window.dueAt + 2 * 86_400_000, lateUntil: full.window.lateUntil + 86_400_000 }, full.window.opensAt);
    const s = source({
      submissions: [{ submissionId: 'f-1', orgnr: '974000002', deliverableId: full.id, receiptNumber: 'AH-000003', receivedAt: full.window.opensAt + 5_000, version: 1, late: false, comment: null, files: [] }],
      reviews: [{ reviewId: 'r-1', orgnr: '974000002', deliverableId: full.id, submissionId: 'f-1', version: 1, verdict: 'returned', comment: 'Mangler del 2', by: 'myndighet@example.no', at: full.window.opensAt + 10_000, dueAt: returnWindow.dueAt, lateUntil: returnWindow.lateUntil }],
      windows: [{ orgnr: '974000002', deliverableId: full.id, window: returnWindow }],
    });
    const k = recoveryPlan(s, { taskQueue: 'q' }).kindergartens.find((x) => x.orgnr === '974000002')!;
    const ds = k.state!.deliverables[full.id]!;
    expect(ds).toMatchObject({ returnedVersion: 1, extension: returnWindow, reviews: [{ reviewId: 'r-1', verdict: 'returned', version: 1 }] });
    expect(k.state!.reviewsDue).toEqual([{ deliverableId: full.id, reviewId: 'r-1' }]);
    // Open again: the return's reminders and escalation are due, keyed by the return's window version.
    expect(pendingActions(k.state!).some((a) => a.key === `${full.id}/escalation@v${returnWindow.version}`)).toBe(true);
  });

  it('keeps a pause that was not resumed', () => {
    const paused = source();
    paused.audit = paused.audit.filter((a) => a.action !== 'run-resumed');
    const plan = recoveryPlan(paused, { taskQueue: 'q' });
    expect(plan.run.state!.paused).toBe(true);
    expect(plan.kindergartens.every((k) => k.paused && k.state!.paused)).toBe(true);
    expect(plan.regions.every((r) => r.state!.paused)).toBe(true);
  });

  it('refuses in bokmål a run that is over, cancelled, or started before its timeline was kept', () => {
    const refusal = (s: RecoverySource) => {
      try {
        recoveryPlan(s, { taskQueue: 'q' });
      } catch (error) {
        expect(error).toBeInstanceOf(RefusedError);
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal(source({ events: [{ type: 'run-completed', at: 1, milestoneId: null, regionId: null, groupId: null, orgnr: null, data: {} }] }))).toBe(`Programåret ${RUN} er fullført; det er ingenting å gjenopprette.`);
    expect(refusal(source({ audit: [{ action: 'run-cancelled', actor: 'k', at: 1, details: {} }] }))).toContain('ble avsluttet av koordinatoren');
    expect(refusal(source({ timeline: null }))).toContain('ble startet av Årshjul 1.2.0, som ikke lagret tidslinjen i databasen, og en milepæl er flyttet siden');
  });

  it('gives a run started before its timeline was kept, and never moved, its plan\'s timeline', () => {
    const old = source({ timeline: null });
    old.audit = old.audit.filter((a) => a.action !== 'milestone-moved');
    const recovered = recoveryPlan(old, { taskQueue: 'q' });
    expect(recovered.run.state).toMatchObject({ revision: 1, overrides: [] });
    expect(recovered.run.timeline).toEqual(resolveTimeline(plan));
  });

  it('says what it recovered by name and count', () => {
    const lines = recoveredLines({ ...recoveryPlan(source(), { taskQueue: 'q' }).summary, ms: 2_345 });
    expect(lines[0]).toBe(`Gjenopprettet «${plan.programme} 2017/2018, ${plan.countyName}» (${RUN}) på 2,3 s, fra PostgreSQL:`);
    expect(lines.join('\n')).toContain('2 regioner: Kongsvingerregionen og Hedmarken');
    expect(lines.join('\n')).toContain('3 barnehager startet, blant dem lagt til i løpet av året: Barnehage 811111119');
    expect(lines.join('\n')).toContain('trukket, ikke startet: Barnehage 974000003');
    expect(lines.join('\n')).toContain('4 e-poster allerede sendt (sendes ikke igjen)');
  });
});
