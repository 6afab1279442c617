import {
  type Action,
  type ExtensionRequest,
  type KindergartenState,
  type StepOutcome,
  type SubmissionRecord,
  decide,
  deliverableState,
  deliverableStatus,
  extendedWindow,
  extensionRefusal,
  isFinished,
  lastWindowEnd,
  CLOCK_SKEW_MS,
  closesAt,
  latestUsefulAt,
  nextWakeAt,
  pendingActions,
  submissionRefusal,
  upcomingEmails,
  DIGEST_TEMPLATE,
  goesIntoDigest,
} from '../../domain/kindergarten-schedule';
import type { DeliverableWindow, KindergartenDeliverable, KindergartenEmailStep, KindergartenSchedule } from '../../domain/timeline';

/** Epoch milliseconds of a UTC instant; the schedule works on plain numbers. */
const t = (iso: string): number => Date.parse(iso);
const MINUTE = 60_000;

const analysisWindow: DeliverableWindow = {
  scope: 'group',
  regionId: 'kongsvinger',
  groupId: 'kongsvinger',
  opensAt: t('2018-01-18T11:00:00Z'),
  promptAt: t('2018-01-19T07:00:00Z'),
  dueAt: t('2018-02-01T22:59:00Z'),
  reminderAts: [t('2018-01-25T07:00:00Z'), t('2018-01-31T07:00:00Z')],
  escalationAt: t('2018-02-05T07:00:00Z'),
  lateUntil: t('2018-02-15T22:59:00Z'),
  version: 1,
};

const fullAnalysisWindow: DeliverableWindow = {
  scope: 'run',
  regionId: null,
  groupId: null,
  opensAt: t('2018-03-01T11:00:00Z'),
  promptAt: t('2018-03-01T11:00:00Z'),
  dueAt: t('2018-03-29T21:59:00Z'),
  reminderAts: [t('2018-03-22T07:00:00Z')],
  escalationAt: t('2018-04-03T06:00:00Z'),
  lateUntil: t('2018-04-12T21:59:00Z'),
  version: 1,
};

const templates = { prompt: 'deliverable-prompt', reminder: 'deliverable-reminder', escalation: 'deliverable-escalation' };

const analysis: KindergartenDeliverable = {
  id: 'analysis-so-far',
  title: 'Analyse så langt',
  recipient: 'research-centre',
  templates,
  window: analysisWindow,
};

const fullAnalysis: KindergartenDeliverable = {
  id: 'full-analysis',
  title: 'Fullstendig analyse',
  recipient: 'research-centre',
  templates,
  window: fullAnalysisWindow,
};

const workshopInvitation: KindergartenEmailStep = {
  stepId: 'workshop-1/workshop-invitation:directors:14',
  milestoneId: 'workshop-1',
  title: 'Workshop 1: Tolke og analysere data',
  kind: 'workshop',
  location: 'Kongsvinger',
  durationMinutes: 360,
  occurrenceKey: 'workshop-1/kongsvinger/kongsvinger',
  template: 'workshop-invitation',
  occurrenceAt: t('2018-01-18T08:00:00Z'),
  sendAt: t('2018-01-04T07:00:00Z'),
  latestUsefulAt: t('2018-01-18T08:00:00Z'),
  version: 1,
};

const reportDayInvitation: KindergartenEmailStep = {
  stepId: 'learning-report-day/report-day-invitation:directors:7',
  milestoneId: 'learning-report-day',
  title: 'Læringsrapportdag',
  kind: 'report-day',
  location: null,
  durationMinutes: null,
  occurrenceKey: 'learning-report-day/*/*',
  template: 'report-day-invitation',
  occurrenceAt: t('2018-01-29T08:00:00Z'),
  sendAt: t('2018-01-22T07:00:00Z'),
  latestUsefulAt: t('2018-01-29T08:00:00Z'),
  version: 1,
};

const schedule: KindergartenSchedule = {
  // Deliberately not in time order: pendingActions must sort.
  emails: [reportDayInvitation, workshopInvitation],
  deliverables: [analysis, fullAnalysis],
  endsAt: fullAnalysisWindow.lateUntil,
  submissionGraceMs: 7 * 86_400_000,
};

const ALL_KEYS = [
  'workshop-1/workshop-invitation:directors:14@v1',
  'analysis-so-far/prompt',
  'learning-report-day/report-day-invitation:directors:7@v1',
  'analysis-so-far/reminder-1@v1',
  'analysis-so-far/reminder-2@v1',
  'analysis-so-far/escalation@v1',
  'full-analysis/prompt',
  'full-analysis/reminder-1@v1',
  'full-analysis/escalation@v1',
];

function stateWith(overrides: Partial<KindergartenState> = {}): KindergartenState {
  return {
    receiptsDue: [],
    revision: 0,
    schedule,
    paused: false,
    cancelled: false,
    withdrawn: null,
    joinedAt: t('2017-09-01T00:00:00Z'),
    outcomes: {},
    deliverables: {},
    ...overrides,
  };
}

function outcomes(keys: string[], at = t('2018-01-01T00:00:00Z')): Record<string, StepOutcome> {
  return Object.fromEntries(keys.map((key): [string, StepOutcome] => [key, { status: 'sent', at }]));
}

function submission(at: number, late: boolean, id = `sub-${at}`): SubmissionRecord {
  return { submissionId: id, at, late, version: 1, files: [{ name: 'analyse.pdf', size: 1024, sha256: 'ab'.repeat(32) }], comment: null };
}

function submitted(deliverableId: string, ...records: SubmissionRecord[]): KindergartenState['deliverables'] {
  return { [deliverableId]: { submissions: records, extension: null, recordedStatus: null } };
}

function extended(deliverableId: string, window: DeliverableWindow): KindergartenState['deliverables'] {
  return { [deliverableId]: { submissions: [], extension: window, recordedStatus: null } };
}

/** The pending action with this key; fails loudly when it is not pending. */
function action(state: KindergartenState, key: string): Action {
  const found = pendingActions(state).find((a) => a.key === key);
  if (!found) throw new Error(`no pending action ${key}`);
  return found;
}

const lateWindowEnds = (deliverable: KindergartenDeliverable) => deliverable.window.lateUntil;

describe('pendingActions', () => {
  it('lists milestone emails, prompts, reminders and escalations of every deliverable in time order', () => {
    const actions = pendingActions(stateWith());
    expect(actions.map((a) => a.key)).toEqual(ALL_KEYS);
    const times = actions.map((a) => a.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(actions[0]).toMatchObject({ kind: 'milestone-email', at: workshopInvitation.sendAt, step: workshopInvitation });
    expect(actions[1]).toMatchObject({ kind: 'prompt', at: analysisWindow.promptAt, deliverable: analysis, window: analysisWindow });
  });

  it('drops every step that already has an outcome, whatever the outcome was', () => {
    const state = stateWith({
      outcomes: {
        'workshop-1/workshop-invitation:directors:14@v1': { status: 'sent', at: workshopInvitation.sendAt },
        'analysis-so-far/prompt': { status: 'stale', at: analysisWindow.promptAt },
        'analysis-so-far/reminder-1@v1': { status: 'failed', at: analysisWindow.reminderAts[0] ?? 0, error: 'smtp 550' },
      },
    });
    expect(pendingActions(state).map((a) => a.key)).toEqual([
      'learning-report-day/report-day-invitation:directors:7@v1',
      'analysis-so-far/reminder-2@v1',
      'analysis-so-far/escalation@v1',
      'full-analysis/prompt',
      'full-analysis/reminder-1@v1',
      'full-analysis/escalation@v1',
    ]);
  });

  it('orders two steps due at the same instant by key, so the order is deterministic', () => {
    const sameTime: KindergartenEmailStep = { ...reportDayInvitation, stepId: 'aaa-first/report-day-invitation:directors:7', sendAt: analysisWindow.promptAt };
    const state = stateWith({ schedule: { ...schedule, emails: [workshopInvitation, sameTime] } });
    const atPrompt = pendingActions(state).filter((a) => a.at === analysisWindow.promptAt);
    expect(atPrompt.map((a) => a.key)).toEqual(['aaa-first/report-day-invitation:directors:7@v1', 'analysis-so-far/prompt']);
  });

  it('gives reminders of an extended window new keys but keeps the prompt, which is sent only once', () => {
    const extension: DeliverableWindow = {
      ...analysisWindow,
      dueAt: t('2018-02-15T22:59:00Z'),
      reminderAts: [t('2018-02-12T07:00:00Z')],
      escalationAt: t('2018-02-19T07:00:00Z'),
      lateUntil: t('2018-03-01T22:59:00Z'),
      version: 2,
    };
    const state = stateWith({
      outcomes: outcomes(['analysis-so-far/prompt', 'analysis-so-far/reminder-1@v1', 'analysis-so-far/reminder-2@v1']),
      deliverables: extended('analysis-so-far', extension),
    });
    const keys = pendingActions(state)
      .map((a) => a.key)
      .filter((k) => k.startsWith('analysis-so-far/'));
    expect(keys).toEqual(['analysis-so-far/reminder-1@v2', 'analysis-so-far/escalation@v2']);
  });
});

describe('latestUsefulAt', () => {
  const state = stateWith();

  it('keeps a reminder useful until the next reminder', () => {
    expect(latestUsefulAt(action(state, 'analysis-so-far/reminder-1@v1'))).toBe(analysisWindow.reminderAts[1]);
  });

  it('keeps the last reminder useful until the deadline', () => {
    expect(latestUsefulAt(action(state, 'analysis-so-far/reminder-2@v1'))).toBe(analysisWindow.dueAt);
  });

  it('keeps the prompt and the escalation useful until the late window closes', () => {
    expect(latestUsefulAt(action(state, 'analysis-so-far/prompt'))).toBe(analysisWindow.lateUntil);
    expect(latestUsefulAt(action(state, 'analysis-so-far/escalation@v1'))).toBe(analysisWindow.lateUntil);
  });

  it('keeps a milestone email useful until the instant its step names', () => {
    expect(latestUsefulAt(action(state, 'workshop-1/workshop-invitation:directors:14@v1'))).toBe(workshopInvitation.latestUsefulAt);
  });
});

describe('decide', () => {
  const afterSubmission = stateWith({ deliverables: submitted('analysis-so-far', submission(t('2018-01-20T10:00:00Z'), false)) });

  it.each(['analysis-so-far/prompt', 'analysis-so-far/reminder-1@v1', 'analysis-so-far/reminder-2@v1', 'analysis-so-far/escalation@v1'])(
    'suppresses %s once the director has submitted',
    (key) => {
      const due = action(afterSubmission, key);
      expect(decide(due, afterSubmission, due.at)).toBe('suppressed');
    },
  );

  it('still sends a milestone email after a submission, since it is not about the deliverable', () => {
    const due = action(afterSubmission, 'learning-report-day/report-day-invitation:directors:7@v1');
    expect(decide(due, afterSubmission, due.at)).toBe('send');
  });

  it('does not suppress the steps of another deliverable than the one submitted', () => {
    const due = action(afterSubmission, 'full-analysis/prompt');
    expect(decide(due, afterSubmission, due.at)).toBe('send');
  });

  it('sends a reminder at its time when nothing is submitted', () => {
    const state = stateWith();
    const due = action(state, 'analysis-so-far/reminder-1@v1');
    expect(decide(due, state, due.at)).toBe('send');
  });

  it('still sends a step at the exact instant it stops being useful, and calls it stale one millisecond later', () => {
    const state = stateWith();
    const due = action(state, 'analysis-so-far/reminder-1@v1');
    const useful = latestUsefulAt(due);
    expect(decide(due, state, useful)).toBe('send');
    expect(decide(due, state, useful + 1)).toBe('stale');
  });

  it('calls a reminder stale when the worker wakes after the next reminder is already due', () => {
    const state = stateWith();
    const due = action(state, 'analysis-so-far/reminder-1@v1');
    expect(decide(due, state, t('2018-01-31T08:00:00Z'))).toBe('stale');
  });

  it('calls a workshop invitation stale once the workshop has started', () => {
    const state = stateWith();
    const due = action(state, 'workshop-1/workshop-invitation:directors:14@v1');
    expect(decide(due, state, workshopInvitation.latestUsefulAt + MINUTE)).toBe('stale');
  });

  it('treats a reminder dated before the kindergarten joined as not applicable', () => {
    const state = stateWith({ joinedAt: t('2018-01-28T12:00:00Z') });
    const due = action(state, 'analysis-so-far/reminder-1@v1');
    expect(decide(due, state, state.joinedAt)).toBe('not-applicable');
  });

  it('treats an escalation dated before the kindergarten joined as not applicable', () => {
    const state = stateWith({ joinedAt: t('2018-02-06T12:00:00Z') });
    const due = action(state, 'analysis-so-far/escalation@v1');
    expect(decide(due, state, state.joinedAt)).toBe('not-applicable');
  });

  it('treats a milestone email that stopped being useful before the kindergarten joined as not applicable, not stale', () => {
    const state = stateWith({ joinedAt: t('2018-01-20T12:00:00Z') });
    const due = action(state, 'workshop-1/workshop-invitation:directors:14@v1');
    expect(decide(due, state, state.joinedAt)).toBe('not-applicable');
  });

  it('still prompts a kindergarten that joined after the deliverable opened', () => {
    const state = stateWith({ joinedAt: t('2018-01-28T12:00:00Z') });
    const due = action(state, 'analysis-so-far/prompt');
    expect(decide(due, state, state.joinedAt)).toBe('send');
  });
});

describe('deliverableStatus', () => {
  const state = stateWith();

  it.each([
    { expected: 'not-open', when: 'before the window opens', now: analysisWindow.opensAt - 1 },
    { expected: 'open', when: 'at the opening', now: analysisWindow.opensAt },
    { expected: 'open', when: 'at the exact deadline', now: analysisWindow.dueAt },
    { expected: 'overdue', when: 'one millisecond after the deadline', now: analysisWindow.dueAt + 1 },
    { expected: 'overdue', when: 'at the end of the late window', now: analysisWindow.lateUntil },
    { expected: 'missed', when: 'after the late window', now: analysisWindow.lateUntil + 1 },
  ])('is $expected $when when nothing is submitted', ({ expected, now }) => {
    expect(deliverableStatus(state, analysis, now)).toBe(expected);
  });

  it('is submitted after an on-time submission, even once the late window has closed', () => {
    const s = stateWith({ deliverables: submitted('analysis-so-far', submission(t('2018-01-30T10:00:00Z'), false)) });
    expect(deliverableStatus(s, analysis, t('2018-01-30T10:00:00Z'))).toBe('submitted');
    expect(deliverableStatus(s, analysis, analysisWindow.lateUntil + 1)).toBe('submitted');
  });

  it('is submitted-late when the last submission came in late', () => {
    const s = stateWith({
      deliverables: submitted('analysis-so-far', submission(t('2018-01-30T10:00:00Z'), false), submission(t('2018-02-03T10:00:00Z'), true)),
    });
    expect(deliverableStatus(s, analysis, t('2018-02-03T10:00:00Z'))).toBe('submitted-late');
  });

  it('follows the last submission, so an on-time one after a late one reads submitted', () => {
    const s = stateWith({
      deliverables: submitted('analysis-so-far', submission(t('2018-02-03T10:00:00Z'), true), submission(t('2018-02-04T10:00:00Z'), false)),
    });
    expect(deliverableStatus(s, analysis, t('2018-02-04T10:00:00Z'))).toBe('submitted');
  });

  it('is withdrawn when the kindergarten is withdrawn, even with a submission', () => {
    const s = stateWith({
      withdrawn: { at: t('2018-01-31T10:00:00Z'), reason: 'barnehagen er lagt ned' },
      deliverables: submitted('analysis-so-far', submission(t('2018-01-30T10:00:00Z'), false)),
    });
    expect(deliverableStatus(s, analysis, t('2018-01-31T10:00:00Z'))).toBe('withdrawn');
  });

  it('measures the deadline against an extension, so the deliverable stays open past the original deadline', () => {
    const s = stateWith({ deliverables: extended('analysis-so-far', { ...analysisWindow, dueAt: t('2018-02-15T22:59:00Z'), lateUntil: t('2018-03-01T22:59:00Z'), version: 2 }) });
    expect(deliverableStatus(s, analysis, analysisWindow.dueAt + MINUTE)).toBe('open');
  });
});

describe('submissionRefusal', () => {
  const during = t('2018-01-25T10:00:00Z');
  const later = t('2018-06-01T10:00:00Z');

  it('accepts a submission received from the opening to the end of the late window', () => {
    const state = stateWith();
    expect(submissionRefusal(state, 'analysis-so-far', analysisWindow.opensAt, later)).toBeNull();
    expect(submissionRefusal(state, 'analysis-so-far', during, during)).toBeNull();
    expect(submissionRefusal(state, 'analysis-so-far', analysisWindow.lateUntil, later)).toBeNull();
  });

  it('judges by when the API received it, not by when the workflow hears of it: one stored in time and delivered after the late window is accepted', () => {
    expect(submissionRefusal(stateWith(), 'analysis-so-far', analysisWindow.dueAt - 2_000, analysisWindow.lateUntil + 3 * 86_400_000)).toBeNull();
  });

  it('names an unknown deliverable and lists the deliverables of the run by id and title', () => {
    expect(submissionRefusal(stateWith(), 'analysis', during, during)).toEqual({
      code: 'unknown-deliverable',
      deliverableId: 'analysis',
      known: [
        { id: 'analysis-so-far', title: 'Analyse så langt' },
        { id: 'full-analysis', title: 'Fullstendig analyse' },
      ],
    });
  });

  it('refuses every submission once the run is cancelled', () => {
    expect(submissionRefusal(stateWith({ cancelled: true }), 'analysis-so-far', during, during)).toEqual({ code: 'run-cancelled' });
  });

  it('refuses a submission received after the kindergarten was withdrawn, naming when and why', () => {
    const state = stateWith({ withdrawn: { at: t('2018-01-20T10:00:00Z'), reason: 'barnehagen er lagt ned' } });
    expect(submissionRefusal(state, 'analysis-so-far', during, during)).toEqual({ code: 'kindergarten-withdrawn', at: t('2018-01-20T10:00:00Z'), reason: 'barnehagen er lagt ned' });
  });

  it('accepts a submission received before the withdrawal, even when the workflow hears of it after', () => {
    const state = stateWith({ withdrawn: { at: during + 60_000, reason: 'lagt ned' } });
    expect(submissionRefusal(state, 'analysis-so-far', during, during + 120_000)).toBeNull();
  });

  it('refuses a submission before the opening, naming the deliverable and the instant it opens', () => {
    expect(submissionRefusal(stateWith(), 'analysis-so-far', analysisWindow.opensAt - 1, analysisWindow.opensAt - 1)).toEqual({ code: 'not-open-yet', deliverable: 'Analyse så langt', opensAt: analysisWindow.opensAt });
  });

  it('refuses a submission received after the late window, naming the deadline and the end of the late window', () => {
    expect(submissionRefusal(stateWith(), 'analysis-so-far', analysisWindow.lateUntil + 1, analysisWindow.lateUntil + 1)).toEqual({
      code: 'late-window-closed',
      deliverable: 'Analyse så langt',
      dueAt: analysisWindow.dueAt,
      lateUntil: analysisWindow.lateUntil,
    });
  });

  it('accepts a submission after the original late window when an extension moved it', () => {
    const state = stateWith({ deliverables: extended('analysis-so-far', { ...analysisWindow, dueAt: t('2018-02-15T22:59:00Z'), lateUntil: t('2018-03-01T22:59:00Z'), version: 2 }) });
    expect(submissionRefusal(state, 'analysis-so-far', analysisWindow.lateUntil + MINUTE, analysisWindow.lateUntil + MINUTE)).toBeNull();
  });

  it('refuses a receipt time in the future (beyond two minutes of clock skew) and one before the kindergarten joined', () => {
    expect(submissionRefusal(stateWith(), 'analysis-so-far', during + CLOCK_SKEW_MS, during)).toBeNull();
    expect(submissionRefusal(stateWith(), 'analysis-so-far', during + CLOCK_SKEW_MS + 1, during)).toEqual({ code: 'received-in-future', receivedAt: during + CLOCK_SKEW_MS + 1, now: during });
    const joined = stateWith({ joinedAt: during });
    expect(submissionRefusal(joined, 'analysis-so-far', during - CLOCK_SKEW_MS - 1, during)).toEqual({ code: 'received-before-joining', receivedAt: during - CLOCK_SKEW_MS - 1, joinedAt: during });
    expect(submissionRefusal(stateWith(), 'analysis-so-far', Number.NaN, during)).toMatchObject({ code: 'received-in-future' });
  });
});

describe('extensionRefusal', () => {
  const now = t('2018-01-30T10:00:00Z');
  const request: ExtensionRequest = {
    deliverableId: 'analysis-so-far',
    dueAt: t('2018-02-15T22:59:00Z'),
    reminderAts: [t('2018-02-12T07:00:00Z')],
    escalationAt: t('2018-02-19T07:00:00Z'),
    lateUntil: t('2018-03-01T22:59:00Z'),
  };

  it('accepts a later deadline with reminders before it and escalation and late window after it', () => {
    expect(extensionRefusal(stateWith(), request, now)).toBeNull();
  });

  it('refuses a new deadline that has already passed', () => {
    const late = t('2018-02-20T10:00:00Z');
    expect(extensionRefusal(stateWith(), request, late)).toEqual({ code: 'deadline-in-past', dueAt: request.dueAt });
  });

  it('refuses a deadline that is not later than the current one, naming the current deadline', () => {
    const earlier = { ...request, dueAt: t('2018-01-31T22:59:00Z'), reminderAts: [] };
    expect(extensionRefusal(stateWith(), earlier, now)).toEqual({ code: 'extension-not-later', deliverable: 'Analyse så langt', currentDueAt: analysisWindow.dueAt });
    const same = { ...request, dueAt: analysisWindow.dueAt, reminderAts: [] };
    expect(extensionRefusal(stateWith(), same, now)).toEqual({ code: 'extension-not-later', deliverable: 'Analyse så langt', currentDueAt: analysisWindow.dueAt });
  });

  it('compares a second extension with the first, not with the plan', () => {
    const first = extendedWindow(analysisWindow, request, now);
    const state = stateWith({ deliverables: extended('analysis-so-far', first) });
    const shorter = { ...request, dueAt: t('2018-02-10T22:59:00Z'), reminderAts: [] };
    expect(extensionRefusal(state, shorter, now)).toEqual({ code: 'extension-not-later', deliverable: 'Analyse så langt', currentDueAt: t('2018-02-15T22:59:00Z') });
  });

  it('refuses a reminder at or after the new deadline', () => {
    expect(extensionRefusal(stateWith(), { ...request, reminderAts: [t('2018-02-16T07:00:00Z')] }, now)).toEqual({ code: 'extension-out-of-order', deliverable: 'Analyse så langt' });
    expect(extensionRefusal(stateWith(), { ...request, reminderAts: [request.dueAt] }, now)).toEqual({ code: 'extension-out-of-order', deliverable: 'Analyse så langt' });
  });

  it('refuses an escalation or a late window that comes before the new deadline', () => {
    const message = { code: 'extension-out-of-order', deliverable: 'Analyse så langt' };
    expect(extensionRefusal(stateWith(), { ...request, escalationAt: t('2018-02-14T07:00:00Z') }, now)).toEqual(message);
    expect(extensionRefusal(stateWith(), { ...request, lateUntil: t('2018-02-14T22:59:00Z') }, now)).toEqual(message);
  });

  it('refuses an unknown deliverable, a cancelled run and a withdrawn kindergarten', () => {
    expect(extensionRefusal(stateWith(), { ...request, deliverableId: 'analysis' }, now)).toMatchObject({ code: 'unknown-deliverable', deliverableId: 'analysis' });
    expect(extensionRefusal(stateWith({ cancelled: true }), request, now)).toEqual({ code: 'run-cancelled' });
    expect(extensionRefusal(stateWith({ withdrawn: { at: now, reason: 'lagt ned' } }), request, now)).toEqual({ code: 'kindergarten-withdrawn', at: now, reason: 'lagt ned' });
  });
});

describe('extendedWindow', () => {
  it('keeps the opening, takes the new deadline, bumps the version and drops reminders already past', () => {
    const now = t('2018-02-01T10:00:00Z');
    const request: ExtensionRequest = {
      deliverableId: 'analysis-so-far',
      dueAt: t('2018-02-15T22:59:00Z'),
      reminderAts: [t('2018-01-31T07:00:00Z'), now, t('2018-02-12T07:00:00Z')],
      escalationAt: t('2018-02-19T07:00:00Z'),
      lateUntil: t('2018-03-01T22:59:00Z'),
    };
    expect(extendedWindow(analysisWindow, request, now)).toEqual({
      scope: 'group',
      regionId: 'kongsvinger',
      groupId: 'kongsvinger',
      opensAt: analysisWindow.opensAt,
      promptAt: analysisWindow.promptAt,
      dueAt: t('2018-02-15T22:59:00Z'),
      reminderAts: [t('2018-02-12T07:00:00Z')],
      escalationAt: t('2018-02-19T07:00:00Z'),
      lateUntil: t('2018-03-01T22:59:00Z'),
      version: 2,
    });
  });

  it('does not change the window it extends', () => {
    const before = structuredClone(analysisWindow);
    extendedWindow(analysisWindow, { deliverableId: 'analysis-so-far', dueAt: t('2018-02-15T22:59:00Z'), reminderAts: [], escalationAt: t('2018-02-19T07:00:00Z'), lateUntil: t('2018-03-01T22:59:00Z') }, t('2018-02-01T10:00:00Z'));
    expect(analysisWindow).toEqual(before);
  });
});

describe('isFinished', () => {
  const lastLateWindow = Math.max(...schedule.deliverables.map(lateWindowEnds));
  const closes = lastLateWindow + schedule.submissionGraceMs;
  const everythingDone = outcomes(ALL_KEYS);

  it('stays open for the plan\'s grace period after the last late window, for submissions stored in time that are handed over late', () => {
    expect(closesAt(stateWith())).toBe(lastLateWindow + 7 * 86_400_000);
    expect(isFinished(stateWith({ outcomes: everythingDone }), lastLateWindow + 1)).toBe(false);
    expect(isFinished(stateWith({ outcomes: everythingDone }), closes)).toBe(false);
  });

  it('is not finished after the first deliverable\'s late window while a later one is still open', () => {
    expect(isFinished(stateWith({ outcomes: everythingDone }), analysisWindow.lateUntil + MINUTE)).toBe(false);
  });

  it('is finished after the grace period when every step has an outcome', () => {
    expect(isFinished(stateWith({ outcomes: everythingDone }), closes + 1)).toBe(true);
  });

  it('is not finished after the grace period while a step still waits for its outcome', () => {
    const { ['full-analysis/escalation@v1']: _missing, ...almost } = everythingDone;
    expect(isFinished(stateWith({ outcomes: almost }), closes + 1)).toBe(false);
  });

  it('waits for an extended late window that reaches beyond the end of the timeline', () => {
    const extension: DeliverableWindow = { ...analysisWindow, dueAt: t('2018-04-20T21:59:00Z'), reminderAts: [], escalationAt: t('2018-04-25T06:00:00Z'), lateUntil: t('2018-05-04T21:59:00Z'), version: 2 };
    const state = stateWith({ outcomes: { ...everythingDone, 'analysis-so-far/escalation@v2': { status: 'sent', at: extension.escalationAt } }, deliverables: extended('analysis-so-far', extension) });
    expect(lastWindowEnd(state)).toBe(extension.lateUntil);
    expect(isFinished(state, closes + 1)).toBe(false);
    expect(isFinished(state, extension.lateUntil + schedule.submissionGraceMs + 1)).toBe(true);
  });

  it('is finished after the grace period for a withdrawn kindergarten even with steps pending', () => {
    const state = stateWith({ withdrawn: { at: t('2018-01-20T10:00:00Z'), reason: 'lagt ned' } });
    expect(pendingActions(state).length).toBeGreaterThan(0);
    expect(isFinished(state, closes)).toBe(false);
    expect(isFinished(state, closes + 1)).toBe(true);
  });

  it('is finished at once when the run is cancelled', () => {
    expect(isFinished(stateWith({ cancelled: true }), t('2018-01-20T10:00:00Z'))).toBe(true);
  });

  it('needs no grace period without deliverables: it closes at the end of the year', () => {
    const state = stateWith({ schedule: { ...schedule, deliverables: [] }, outcomes: everythingDone });
    expect(closesAt(state)).toBe(schedule.endsAt);
  });
});

describe('nextWakeAt', () => {
  it('wakes for the earliest pending step', () => {
    expect(nextWakeAt(stateWith(), t('2018-01-01T00:00:00Z'))).toBe(workshopInvitation.sendAt);
  });

  it('wakes at the opening of a deliverable when that comes before the next step', () => {
    const state = stateWith({ outcomes: outcomes(['workshop-1/workshop-invitation:directors:14@v1']) });
    expect(nextWakeAt(state, t('2018-01-10T00:00:00Z'))).toBe(analysisWindow.opensAt);
  });

  it('wakes one millisecond after the deadline, when the status turns overdue', () => {
    const state = stateWith({
      outcomes: outcomes([
        'workshop-1/workshop-invitation:directors:14@v1',
        'analysis-so-far/prompt',
        'learning-report-day/report-day-invitation:directors:7@v1',
        'analysis-so-far/reminder-1@v1',
        'analysis-so-far/reminder-2@v1',
      ]),
    });
    expect(nextWakeAt(state, t('2018-01-31T12:00:00Z'))).toBe(analysisWindow.dueAt + 1);
  });

  it('wakes one millisecond after the late window, when the status turns missed', () => {
    const state = stateWith({ outcomes: outcomes(ALL_KEYS) });
    expect(nextWakeAt(state, t('2018-04-10T00:00:00Z'))).toBe(fullAnalysisWindow.lateUntil + 1);
  });

  it('does not wake for a step whose time has already passed', () => {
    const state = stateWith();
    expect(nextWakeAt(state, workshopInvitation.sendAt)).toBe(analysisWindow.opensAt);
  });

  it('follows an extended window rather than the plan', () => {
    const extension: DeliverableWindow = { ...analysisWindow, dueAt: t('2018-02-12T22:59:00Z'), reminderAts: [], escalationAt: t('2018-02-19T07:00:00Z'), lateUntil: t('2018-03-01T22:59:00Z'), version: 2 };
    const state = stateWith({ outcomes: outcomes(ALL_KEYS), deliverables: extended('analysis-so-far', extension) });
    // Without the extension the next change would be the original deadline passing, 1 February 22:59:00.001.
    expect(nextWakeAt(state, t('2018-02-01T12:00:00Z'))).toBe(extension.dueAt + 1);
  });

  it('does not wake at the deadline or late window of a deliverable already submitted', () => {
    const submitted = { submissions: [{ submissionId: 's1', at: t('2018-01-20T10:00:00Z'), late: false, version: 1, files: [], comment: null }] };
    const base = stateWith({ outcomes: outcomes(ALL_KEYS) });
    const state = { ...base, deliverables: { ...base.deliverables, 'analysis-so-far': { ...deliverableState(base, 'analysis-so-far'), ...submitted } } };
    expect(nextWakeAt(base, t('2018-01-31T12:00:00Z'))).toBe(analysisWindow.dueAt + 1);
    expect(nextWakeAt(state, t('2018-01-31T12:00:00Z'))).toBeGreaterThan(analysisWindow.lateUntil + 1);
  });

  it('returns undefined when nothing lies ahead', () => {
    expect(nextWakeAt(stateWith(), fullAnalysisWindow.lateUntil + 1)).toBeUndefined();
  });
});

describe('upcomingEmails (the console\'s "Neste e-post")', () => {
  const now = t('2018-01-20T12:00:00Z');
  const sentSoFar = outcomes(['workshop-1/workshop-invitation:directors:14@v1', 'analysis-so-far/prompt']);
  const keys = (state: KindergartenState, at = now) => upcomingEmails(state, at).map((u) => u.key);

  it('lists what is still to go, earliest first, with who gets it', () => {
    const upcoming = upcomingEmails(stateWith({ outcomes: sentSoFar }), now);
    expect(upcoming.map((u) => [u.key, u.to])).toEqual([
      ['learning-report-day/report-day-invitation:directors:7@v1', 'director'],
      ['analysis-so-far/reminder-1@v1', 'director'],
      ['analysis-so-far/reminder-2@v1', 'director'],
      ['analysis-so-far/escalation@v1', 'municipal-authority'],
      ['full-analysis/prompt', 'director'],
      ['full-analysis/reminder-1@v1', 'director'],
      ['full-analysis/escalation@v1', 'municipal-authority'],
    ]);
    expect(upcoming.every((u) => !u.held && u.at > now)).toBe(true);
  });

  it('drops the reminders and the escalation of a deliverable already submitted', () => {
    const state = stateWith({ outcomes: sentSoFar, deliverables: { 'analysis-so-far': { submissions: [submission(t('2018-01-20T10:00:00Z'), false)], extension: null, recordedStatus: 'submitted' } } });
    expect(keys(state)).toEqual(['learning-report-day/report-day-invitation:directors:7@v1', 'full-analysis/prompt', 'full-analysis/reminder-1@v1', 'full-analysis/escalation@v1']);
  });

  it('after an extension lists the new deadline\'s reminders and escalation, not the old ones', () => {
    const request: ExtensionRequest = {
      deliverableId: 'analysis-so-far',
      dueAt: t('2018-02-08T22:59:00Z'),
      reminderAts: [t('2018-02-07T07:00:00Z')],
      escalationAt: t('2018-02-12T07:00:00Z'),
      lateUntil: t('2018-02-22T22:59:00Z'),
    };
    const extension = extendedWindow(analysisWindow, request, now);
    const state = stateWith({ outcomes: sentSoFar, deliverables: { 'analysis-so-far': { submissions: [], extension, recordedStatus: 'open' } } });
    const analysisSteps = upcomingEmails(state, now).filter((u) => u.key.startsWith('analysis-so-far/'));
    expect(analysisSteps.map((u) => [u.key, u.at])).toEqual([
      ['analysis-so-far/reminder-1@v2', t('2018-02-07T07:00:00Z')],
      ['analysis-so-far/escalation@v2', t('2018-02-12T07:00:00Z')],
    ]);
  });

  it('is empty for a withdrawn or ended kindergarten', () => {
    expect(upcomingEmails(stateWith({ outcomes: sentSoFar, withdrawn: { at: now, reason: 'lagt ned' } }), now)).toEqual([]);
    expect(upcomingEmails(stateWith({ outcomes: sentSoFar, cancelled: true }), now)).toEqual([]);
  });

  it('while paused marks every step held, and leaves out one that would be stale by now', () => {
    const late = t('2018-01-30T12:00:00Z');
    const state = stateWith({ outcomes: sentSoFar, paused: true });
    const upcoming = upcomingEmails(state, late);
    expect(upcoming.every((u) => u.held)).toBe(true);
    // The report-day invitation (useful until the day, 29 January) would be stale on a resume now; the first reminder
    // (useful until the second, 31 January) is overdue and would go at once.
    expect(upcoming.map((u) => u.key)).not.toContain('learning-report-day/report-day-invitation:directors:7@v1');
    expect(upcoming[0]).toMatchObject({ key: 'analysis-so-far/reminder-1@v1', at: late });
    expect(upcoming[1]).toMatchObject({ key: 'analysis-so-far/reminder-2@v1', at: t('2018-01-31T07:00:00Z') });
  });

  it('agrees with decide: every listed step is one the loop would send when its time comes', () => {
    const state = stateWith({ outcomes: sentSoFar });
    for (const action of pendingActions(state)) {
      const listed = keys(state).includes(action.key);
      expect(listed).toBe(decide(action, state, Math.max(action.at, now)) === 'send');
    }
  });
});

describe('escalations in a run with the authorities\' daily digest', () => {
  const withDigest = (lastAt: number) => stateWith({ schedule: { ...schedule, authorityDigest: { lastAt } } });
  const escalationOf = (state: KindergartenState, id: string) => pendingActions(state).find((a) => a.kind === 'escalation' && a.deliverable.id === id) as Action;

  it('go into the digest while a digest is still to come, and stay their own email after the year\'s last digest', () => {
    const state = withDigest(analysisWindow.escalationAt);
    expect(goesIntoDigest(escalationOf(state, 'analysis-so-far'), state)).toBe(true);
    expect(goesIntoDigest(escalationOf(state, 'full-analysis'), state)).toBe(false);
    expect(goesIntoDigest(escalationOf(stateWith(), 'analysis-so-far'), stateWith())).toBe(false);
    const prompt = pendingActions(state).find((a) => a.kind === 'prompt') as Action;
    expect(goesIntoDigest(prompt, state)).toBe(false);
  });

  it('show in the next emails as the digest, to the authority, by the same rules (none once submitted)', () => {
    const state = withDigest(fullAnalysisWindow.lateUntil);
    const escalations = upcomingEmails(state, t('2018-01-01T00:00:00Z')).filter((u) => u.kind === 'escalation');
    expect(escalations.map((u) => [u.key, u.template, u.to])).toEqual([
      ['analysis-so-far/escalation@v1', DIGEST_TEMPLATE, 'municipal-authority'],
      ['full-analysis/escalation@v1', DIGEST_TEMPLATE, 'municipal-authority'],
    ]);
    const submitted = stateWith({ ...state, deliverables: { 'analysis-so-far': { submissions: [submission(t('2018-01-30T10:00:00Z'), false)], extension: null, recordedStatus: 'submitted' } } });
    expect(upcomingEmails(submitted, t('2018-01-01T00:00:00Z')).filter((u) => u.kind === 'escalation').map((u) => u.key)).toEqual(['full-analysis/escalation@v1']);
  });
});
