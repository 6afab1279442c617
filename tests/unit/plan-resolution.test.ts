import path from 'node:path';
import { DateTime } from 'luxon';
import { InputError } from '../../config/errors';
import { planSchema, sendPolicySchema, type Plan, type PlanInput } from '../../config/plan-schema';
import { loadPlan } from '../../planning/load-plan';
import { type MilestoneOverride } from '../../domain/timeline';
import { timelineRegions } from '../../domain/regions';
import { digestDays, resolveExtension, resolveTimeline } from '../../planning/resolve-timeline';
import { isWorkingDay, norwegianPublicHolidays, toWorkingTime } from '../../planning/send-policy';
import { type DeliverableWindow, type Occurrence, type ScheduledEmail, type Timeline, digestWakeDays } from '../../domain/timeline';

const EXAMPLE_PLAN = path.join(__dirname, '../../examples/kfl-2017-2018.yaml');
const OSLO = 'Europe/Oslo';

/** A local Oslo wall-clock time, e.g. oslo('2018-01-18T09:00'). */
const oslo = (local: string): DateTime => DateTime.fromISO(local, { zone: OSLO });
/** Epoch milliseconds of a local Oslo wall-clock time. */
const osloMs = (local: string): number => oslo(local).toMillis();
/** An instant as an Oslo ISO string with offset, so a failing expectation reads like the plan. */
const asOslo = (millis: number): string | null => DateTime.fromMillis(millis, { zone: OSLO }).toISO();
const expectInstant = (actual: number, local: string): void => {
  expect(asOslo(actual)).toBe(oslo(local).toISO());
};

interface Where {
  regionId?: string;
  groupId?: string;
}

function occurrence(timeline: Timeline, milestoneId: string, where: Where = {}): Occurrence {
  const milestone = timeline.milestones.find((m) => m.id === milestoneId);
  if (!milestone) throw new Error(`no milestone "${milestoneId}" in the timeline`);
  const found = milestone.occurrences.find(
    (o) => (where.regionId === undefined || o.regionId === where.regionId) && (where.groupId === undefined || o.groupId === where.groupId),
  );
  if (!found) throw new Error(`no occurrence of "${milestoneId}" for ${JSON.stringify(where)}`);
  return found;
}

function email(o: Occurrence, id: string): ScheduledEmail {
  const found = o.emails.find((e) => e.id === id);
  if (!found) throw new Error(`no email "${id}" (have ${o.emails.map((e) => e.id).join(', ')})`);
  return found;
}

function window(timeline: Timeline, deliverableId: string, where: Where = {}): DeliverableWindow {
  const deliverable = timeline.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable) throw new Error(`no deliverable "${deliverableId}" in the timeline`);
  const found = deliverable.windows.find(
    (w) => (where.regionId === undefined || w.regionId === where.regionId) && (where.groupId === undefined || w.groupId === where.groupId),
  );
  if (!found) throw new Error(`no window of "${deliverableId}" for ${JSON.stringify(where)}`);
  return found;
}

function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

const plan: Plan = loadPlan(EXAMPLE_PLAN);
const timeline: Timeline = resolveTimeline(plan);
const policy = plan.sendPolicy;

describe('resolveTimeline: the dates of the Hedmark 2017/2018 plan', () => {
  it('keeps Kongsvinger, Nord-Østerdal and Sør-Østerdal as one workshop group each and splits Hedmarken in two', () => {
    expect(timelineRegions(plan)).toEqual([
      { id: 'kongsvinger', name: 'Kongsvingerregionen', groups: [{ id: 'kongsvinger', name: 'Kongsvingerregionen' }] },
      {
        id: 'hedmarken',
        name: 'Hedmarken',
        groups: [
          { id: 'ringsaker-loten', name: 'Hedmarkregionen, Ringsaker og Løten' },
          { id: 'hamar-stange', name: 'Hedmarkregionen, Hamar og Stange' },
        ],
      },
      { id: 'nord-osterdal', name: 'Nord-Østerdal', groups: [{ id: 'nord-osterdal', name: 'Nord-Østerdal' }] },
      { id: 'sor-osterdal', name: 'Sør-Østerdal', groups: [{ id: 'sor-osterdal', name: 'Sør-Østerdal' }] },
    ]);
    expect(timeline.schoolYear).toBe(2017);
    expect(timeline.county).toBe('hedmark');
    expect(timeline.timezone).toBe(OSLO);
  });

  it.each([
    ['ringsaker-loten', 'hedmarken', '2018-01-18T09:00'],
    ['nord-osterdal', 'nord-osterdal', '2018-01-19T09:00'],
    ['sor-osterdal', 'sor-osterdal', '2018-01-22T09:00'],
    ['hamar-stange', 'hedmarken', '2018-01-23T09:00'],
    ['kongsvinger', 'kongsvinger', '2018-02-02T09:00'],
  ])('holds workshop 1 for workshop group %s (region %s) at %s Oslo time', (groupId, regionId, local) => {
    const o = occurrence(timeline, 'workshop-1', { groupId });
    expect(o).toMatchObject({ scope: 'group', regionId, groupId, version: 0 });
    expectInstant(o.at, local);
  });

  it.each([
    ['sor-osterdal', '2018-03-08T09:00'],
    ['kongsvinger', '2018-03-09T09:00'],
    ['hamar-stange', '2018-03-13T09:00'],
    ['nord-osterdal', '2018-03-14T09:00'],
    ['ringsaker-loten', '2018-03-19T09:00'],
  ])('holds workshop 2 for workshop group %s at %s Oslo time', (groupId, local) => {
    expectInstant(occurrence(timeline, 'workshop-2', { groupId }).at, local);
  });

  it('resolves each workshop once per workshop group: five groups in four regions', () => {
    for (const id of ['workshop-1', 'workshop-2']) {
      const groups = timeline.milestones.find((m) => m.id === id)?.occurrences.map((o) => o.groupId);
      expect(groups?.sort()).toEqual(['hamar-stange', 'kongsvinger', 'nord-osterdal', 'ringsaker-loten', 'sor-osterdal']);
    }
  });

  it.each([
    ['kongsvinger', '2017-09-08T09:00'],
    ['hedmarken', '2017-09-18T09:00'],
    ['nord-osterdal', '2017-09-21T09:00'],
    ['sor-osterdal', '2017-09-25T09:00'],
  ])('holds the regional gathering for region %s at %s Oslo time', (regionId, local) => {
    const o = occurrence(timeline, 'regional-gathering', { regionId });
    expect(o).toMatchObject({ scope: 'region', regionId, groupId: null });
    expectInstant(o.at, local);
  });

  it('resolves a per-region milestone once per region, not once per workshop group', () => {
    expect(timeline.milestones.find((m) => m.id === 'regional-gathering')?.occurrences).toHaveLength(4);
  });

  it.each([
    ['portal-opens', '2017-10-16T08:00'],
    ['kick-off', '2017-10-31T09:30'],
    ['survey-reminder', '2017-11-17T08:00'],
    ['group-setup-deadline', '2017-12-01T16:00'],
    ['portal-closes', '2017-12-01T16:00'],
    ['result-portal-opens', '2018-01-03T08:00'],
    ['learning-report-day', '2018-03-07T09:00'],
  ])('holds the county-wide milestone %s once, at %s Oslo time', (milestoneId, local) => {
    const occurrences = timeline.milestones.find((m) => m.id === milestoneId)?.occurrences ?? [];
    expect(occurrences).toHaveLength(1);
    const [o] = occurrences;
    expect(o).toMatchObject({ scope: 'run', regionId: null, groupId: null, version: 0 });
    expectInstant((o as Occurrence).at, local);
  });

  it.each([
    ['sor-osterdal', '2018-04-04T10:00'],
    ['nord-osterdal', '2018-04-05T10:00'],
    ['hedmarken', '2018-04-06T10:00'],
    ['kongsvinger', '2018-04-13T10:00'],
  ])('holds the spring meeting for the municipal authorities of %s at %s Oslo time', (regionId, local) => {
    expectInstant(occurrence(timeline, 'authority-meeting-spring', { regionId }).at, local);
  });

  it('sends the survey reminder on 17 November at 08:00 Oslo time', () => {
    const reminder = email(occurrence(timeline, 'survey-reminder'), 'survey-reminder:directors:0');
    expect(reminder.to).toBe('directors');
    expectInstant(reminder.sendAt, '2017-11-17T08:00');
  });

  it('sends the "portal closes" email at its own 08:00 on 1 December, before the portal closes at 16:00', () => {
    const closes = occurrence(timeline, 'portal-closes');
    expectInstant(email(closes, 'portal-closes:directors:0').sendAt, '2017-12-01T08:00');
  });

  it('places the director meeting 7 days before each workshop group\'s workshop 1, at 12:00', () => {
    expectInstant(occurrence(timeline, 'director-meeting', { groupId: 'ringsaker-loten' }).at, '2018-01-11T12:00');
    expectInstant(occurrence(timeline, 'director-meeting', { groupId: 'hamar-stange' }).at, '2018-01-16T12:00');
    expectInstant(occurrence(timeline, 'director-meeting', { groupId: 'kongsvinger' }).at, '2018-01-26T12:00');
  });

  it('opens "analysis so far" at modules 1–2 (workshop 1, 12:00) and makes it due a week before workshop 2 at 16:00', () => {
    const w = window(timeline, 'analysis-so-far', { groupId: 'hamar-stange' });
    expect(w).toMatchObject({ scope: 'group', regionId: 'hedmarken', groupId: 'hamar-stange', version: 0 });
    expectInstant(w.opensAt, '2018-01-23T12:00');
    expectInstant(w.promptAt, '2018-01-23T12:00');
    expectInstant(w.dueAt, '2018-03-06T16:00');
    expectInstant(w.lateUntil, '2018-03-12T16:00');
  });

  it('ends the timeline when the last late window closes: booklet material, 30 November 2018 16:00', () => {
    expectInstant(timeline.endsAt, '2018-11-30T16:00');
  });
});

describe('resolveTimeline across the end of daylight saving time (29 October 2017)', () => {
  const kickOff = occurrence(timeline, 'kick-off');

  it('holds the kick-off on 31 October 2017 at 09:30 winter time (+01:00)', () => {
    expect(kickOff.at).toBe(DateTime.fromISO('2017-10-31T09:30', { zone: OSLO }).toMillis());
    expect(kickOff.at).toBe(Date.UTC(2017, 9, 31, 8, 30));
    expect(DateTime.fromMillis(kickOff.at, { zone: OSLO }).offset).toBe(60);
  });

  it('sends the kick-off invitations 21 days earlier, on 10 October 2017 at 08:00 summer time (+02:00)', () => {
    for (const id of ['kick-off-invitation:directors:21', 'kick-off-invitation:municipal-authorities:21']) {
      const invitation = email(kickOff, id);
      expect(invitation.sendAt).toBe(DateTime.fromISO('2017-10-10T08:00', { zone: OSLO }).toMillis());
      expect(invitation.sendAt).toBe(Date.UTC(2017, 9, 10, 6, 0));
      expect(DateTime.fromMillis(invitation.sendAt, { zone: OSLO }).offset).toBe(120);
    }
  });

  it('counts 21 calendar days, so the gap is one hour longer than 21 × 24 h plus 1 h 30 min', () => {
    const invitation = email(kickOff, 'kick-off-invitation:directors:21');
    const hour = 3_600_000;
    expect(kickOff.at - invitation.sendAt).toBe(21 * 24 * hour + 1.5 * hour + 1 * hour);
  });
});

describe('resolveTimeline moves sends off Norwegian public holidays and weekends', () => {
  it('moves the full-analysis reminder 14 days before 31 May 2018 off Grunnlovsdagen (17 May) to Friday 18 May 08:00', () => {
    expect(norwegianPublicHolidays(2018).has('2018-05-17')).toBe(true);
    const deliverable = timeline.deliverables.find((d) => d.id === 'full-analysis');
    expect(deliverable?.windows).toHaveLength(5);
    for (const w of deliverable?.windows ?? []) {
      expectInstant(w.dueAt, '2018-05-31T16:00');
      expect(w.reminderAts.map(asOslo)).toEqual([oslo('2018-05-18T08:00').toISO(), oslo('2018-05-28T08:00').toISO()]);
    }
  });

  it('moves the Sør-Østerdal director-meeting reminder off 1 January 2018 to Tuesday 2 January 08:00', () => {
    const meeting = occurrence(timeline, 'director-meeting', { groupId: 'sor-osterdal' });
    expectInstant(meeting.at, '2018-01-15T12:00');
    expectInstant(email(meeting, 'director-meeting-reminder:municipal-authorities:14').sendAt, '2018-01-02T08:00');
  });

  it('moves the Kongsvinger spring-meeting invitation off Langfredag and the Easter weekend to Tuesday 3 April 2018', () => {
    const meeting = occurrence(timeline, 'authority-meeting-spring', { regionId: 'kongsvinger' });
    expectInstant(email(meeting, 'authority-meeting-invitation:municipal-authorities:14').sendAt, '2018-04-03T08:00');
  });

  it('moves the booklet reminder 3 days before Wednesday 31 October 2018 off Sunday 28 October to Monday 29 October 08:00', () => {
    const w = window(timeline, 'booklet-material');
    expect(w.reminderAts.map(asOslo)).toEqual([oslo('2018-10-17T08:00').toISO(), oslo('2018-10-29T08:00').toISO()]);
  });

  it('moves the Kongsvinger escalation 2 days after Friday 2 March 2018 off Sunday to Monday 5 March 08:00', () => {
    const w = window(timeline, 'analysis-so-far', { groupId: 'kongsvinger' });
    expectInstant(w.dueAt, '2018-03-02T16:00');
    expectInstant(w.escalationAt, '2018-03-05T08:00');
  });

  it('moves a Saturday reminder to the Monday of a 16:00 Monday deadline, since Monday 08:00 is still before it', () => {
    const w = window(timeline, 'analysis-so-far', { groupId: 'ringsaker-loten' });
    expectInstant(w.dueAt, '2018-03-12T16:00');
    expect(w.reminderAts.map(asOslo)).toEqual([oslo('2018-03-05T08:00').toISO(), oslo('2018-03-12T08:00').toISO()]);
  });
});

describe('toWorkingTime: quiet hours, weekends and holidays', () => {
  it('moves a send at 17:30 on Tuesday 16 January 2018 to Wednesday 17 January 08:00', () => {
    expect(toWorkingTime(oslo('2018-01-16T17:30'), policy).toISO()).toBe(oslo('2018-01-17T08:00').toISO());
  });

  it('holds a send at 06:00 until 08:00 the same day', () => {
    expect(toWorkingTime(oslo('2018-01-16T06:00'), policy).toISO()).toBe(oslo('2018-01-16T08:00').toISO());
  });

  it('treats 16:00 as outside quiet hours (the end is exclusive) and moves the send to 08:00 the next day', () => {
    expect(toWorkingTime(oslo('2018-01-16T16:00'), policy).toISO()).toBe(oslo('2018-01-17T08:00').toISO());
  });

  it('leaves a send at 10:15 on a working Wednesday where it is', () => {
    expect(toWorkingTime(oslo('2018-01-17T10:15'), policy).toISO()).toBe(oslo('2018-01-17T10:15').toISO());
  });

  it('moves a Friday 17:00 send over the weekend to Monday 08:00', () => {
    expect(toWorkingTime(oslo('2018-01-19T17:00'), policy).toISO()).toBe(oslo('2018-01-22T08:00').toISO());
  });

  it('moves a send on Wednesday before Easter at 16:30 past Skjærtorsdag, Langfredag and Easter to Tuesday 3 April 2018', () => {
    expect(toWorkingTime(oslo('2018-03-28T16:30'), policy).toISO()).toBe(oslo('2018-04-03T08:00').toISO());
  });

  it('moves a Saturday reminder back to Friday 15:59 when Monday 08:00 would be after the deadline (Monday 07:30)', () => {
    const saturday = oslo('2018-03-10T10:00');
    expect(toWorkingTime(saturday, policy).toISO()).toBe(oslo('2018-03-12T08:00').toISO());
    expect(toWorkingTime(saturday, policy, oslo('2018-03-12T07:30')).toISO()).toBe(oslo('2018-03-09T15:59').toISO());
  });

  it('moves a 06:00 Monday reminder back to the previous working day (Friday) when its deadline is Monday 07:00', () => {
    expect(toWorkingTime(oslo('2018-03-12T06:00'), policy, oslo('2018-03-12T07:00')).toISO()).toBe(oslo('2018-03-09T15:59').toISO());
  });

  it('moves an evening reminder back to 15:59 the same day when the next working day is past the deadline', () => {
    // Wednesday 16 May 17:30 would move to Friday 18 May (17 May is a holiday); the deadline is 17 May at 23:00.
    expect(toWorkingTime(oslo('2018-05-16T17:30'), policy, oslo('2018-05-17T23:00')).toISO()).toBe(oslo('2018-05-16T15:59').toISO());
  });

  it('sends on Saturdays and public holidays when the policy skips neither', () => {
    const anyDay = sendPolicySchema.parse({ skipWeekends: false, skipHolidays: false });
    expect(toWorkingTime(oslo('2018-03-10T10:00'), anyDay).toISO()).toBe(oslo('2018-03-10T10:00').toISO());
    expect(toWorkingTime(oslo('2018-05-17T07:00'), anyDay).toISO()).toBe(oslo('2018-05-17T08:00').toISO());
  });

  it('knows Grunnlovsdagen, Easter and Christmas as public holidays, but not Christmas Eve', () => {
    const holidays = norwegianPublicHolidays(2018);
    for (const day of ['2018-01-01', '2018-03-29', '2018-03-30', '2018-04-02', '2018-05-01', '2018-05-10', '2018-05-17', '2018-05-21', '2018-12-25', '2018-12-26']) {
      expect(holidays).toContain(day);
    }
    expect(holidays).not.toContain('2018-12-24');
    expect(isWorkingDay(oslo('2018-05-17T08:00'), policy)).toBe(false);
    expect(isWorkingDay(oslo('2018-05-18T08:00'), policy)).toBe(true);
    expect(isWorkingDay(oslo('2018-05-19T08:00'), policy)).toBe(false);
    expect(isWorkingDay(oslo('2018-05-17T08:00'), { ...policy, skipHolidays: false })).toBe(true);
  });
});

describe('resolveTimeline in a leap year (school year 2019/2020)', () => {
  const leapPlanInput: PlanInput = {
    programme: 'Kultur for læring – barnehage',
    schoolYear: 2019,
    county: 'innlandet',
    countyName: 'Innlandet',
    contacts: {
      coordinator: { name: 'Statsforvalteren i Innlandet', email: 'kfl-koordinator@statsforvalteren.example' },
      researchCentre: { name: 'SePU', email: 'sepu@inn.example' },
    },
    regions: [{ id: 'hamar', name: 'Hamarregionen' }],
    milestones: [
      { id: 'workshop-1', kind: 'workshop', title: 'Workshop 1', at: '2020-02-28T09:00', audience: ['directors'] },
      {
        id: 'follow-up',
        kind: 'meeting',
        title: 'Oppfølgingsmøte',
        at: { milestone: 'workshop-1', days: 1 },
        audience: ['directors'],
        emails: [{ template: 'workshop-invitation', to: 'directors' }],
      },
      { id: 'day-after-leap-day', kind: 'check', title: 'Sjekk', at: { milestone: 'workshop-1', days: 2, time: '10:00' }, audience: ['coordinator'] },
    ],
  };
  const leapPlan = planSchema.parse(leapPlanInput);
  const leapTimeline = resolveTimeline(leapPlan);

  it('puts a milestone one day after 28 February 2020 09:00 on 29 February 2020 09:00', () => {
    expectInstant(occurrence(leapTimeline, 'follow-up').at, '2020-02-29T09:00');
  });

  it('puts a milestone two days after 28 February 2020 on 1 March, not 2 March', () => {
    expectInstant(occurrence(leapTimeline, 'day-after-leap-day').at, '2020-03-01T10:00');
  });

  it('moves an email due on Saturday 29 February 2020 to Monday 2 March 08:00', () => {
    const sent = email(occurrence(leapTimeline, 'follow-up'), 'workshop-invitation:directors:0');
    expectInstant(sent.sendAt, '2020-03-02T08:00');
    expect(toWorkingTime(oslo('2020-02-29T08:00'), leapPlan.sendPolicy).toISO()).toBe(oslo('2020-03-02T08:00').toISO());
  });
});

describe('resolveTimeline with a coordinator\'s override', () => {
  const moveKongsvingerWorkshop1: MilestoneOverride = {
    milestoneId: 'workshop-1',
    groupId: 'kongsvinger',
    regionId: 'kongsvinger',
    at: '2018-02-09T09:00',
  };
  const moved = resolveTimeline(plan, [moveKongsvingerWorkshop1]);

  it('moves workshop 1 for Kongsvinger to 9 February 2018 09:00 and bumps its version to 1', () => {
    const o = occurrence(moved, 'workshop-1', { groupId: 'kongsvinger' });
    expectInstant(o.at, '2018-02-09T09:00');
    expect(o.version).toBe(1);
    expectInstant(email(o, 'workshop-invitation:directors:14').sendAt, '2018-01-26T08:00');
  });

  it('moves the Kongsvinger director meeting (7 days before workshop 1) to 2 February 12:00, version 1', () => {
    const o = occurrence(moved, 'director-meeting', { groupId: 'kongsvinger' });
    expectInstant(o.at, '2018-02-02T12:00');
    expect(o.version).toBe(1);
    expectInstant(email(o, 'director-meeting-reminder:municipal-authorities:14').sendAt, '2018-01-19T08:00');
  });

  it('moves modules 1–2 and the opening of "analysis so far" for Kongsvinger to 9 February 12:00, keeping the deadline', () => {
    const modules = occurrence(moved, 'modules-1-2', { groupId: 'kongsvinger' });
    expectInstant(modules.at, '2018-02-09T12:00');
    expect(modules.version).toBe(1);
    const w = window(moved, 'analysis-so-far', { groupId: 'kongsvinger' });
    expectInstant(w.opensAt, '2018-02-09T12:00');
    expectInstant(w.promptAt, '2018-02-09T12:00');
    expectInstant(w.dueAt, '2018-03-02T16:00');
    expect(w.version).toBe(1);
  });

  it('leaves every occurrence and window outside the Kongsvinger workshop group as it was, at version 0', () => {
    for (const m of moved.milestones) {
      const before = timeline.milestones.find((x) => x.id === m.id);
      expect(m.occurrences.filter((o) => o.groupId !== 'kongsvinger')).toEqual(before?.occurrences.filter((o) => o.groupId !== 'kongsvinger'));
    }
    for (const d of moved.deliverables) {
      const before = timeline.deliverables.find((x) => x.id === d.id);
      expect(d.windows.filter((w) => w.groupId !== 'kongsvinger')).toEqual(before?.windows.filter((w) => w.groupId !== 'kongsvinger'));
    }
    expect(occurrence(moved, 'workshop-1', { groupId: 'ringsaker-loten' }).version).toBe(0);
  });

  it('leaves Kongsvinger milestones that do not follow workshop 1 alone', () => {
    expect(occurrence(moved, 'workshop-2', { groupId: 'kongsvinger' })).toEqual(occurrence(timeline, 'workshop-2', { groupId: 'kongsvinger' }));
    expect(window(moved, 'full-analysis', { groupId: 'kongsvinger' })).toEqual(window(timeline, 'full-analysis', { groupId: 'kongsvinger' }));
  });

  it('counts every move of the same occurrence: a second move gives version 2 and the last date wins', () => {
    const twice = resolveTimeline(plan, [moveKongsvingerWorkshop1, { ...moveKongsvingerWorkshop1, at: '2018-02-06T09:00' }]);
    const o = occurrence(twice, 'workshop-1', { groupId: 'kongsvinger' });
    expectInstant(o.at, '2018-02-06T09:00');
    expect(o.version).toBe(2);
    expectInstant(occurrence(twice, 'director-meeting', { groupId: 'kongsvinger' }).at, '2018-01-30T12:00');
  });

  it('moves a county-wide milestone for everyone when the override names no region or group', () => {
    const later = resolveTimeline(plan, [{ milestoneId: 'kick-off', at: '2017-11-02T09:30' }]);
    const o = occurrence(later, 'kick-off');
    expect(o).toMatchObject({ scope: 'run', version: 1 });
    expectInstant(o.at, '2017-11-02T09:30');
    expectInstant(email(o, 'kick-off-invitation:directors:21').sendAt, '2017-10-12T08:00');
  });

  it('refuses overrides naming an unknown milestone, region or group, or an impossible date, listing all of them', () => {
    const error = inputErrorOf(() =>
      resolveTimeline(plan, [
        { milestoneId: 'workshop-3', at: '2018-04-10T09:00' },
        { milestoneId: 'workshop-1', regionId: 'innlandet', at: '2018-01-18T09:00' },
        { milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'hamar-stange', at: '2018-01-18T09:00' },
        { milestoneId: 'workshop-1', groupId: 'kongsvinger', at: '2018-02-30T09:00' },
      ]),
    );
    expect(error.issues).toEqual([
      { path: 'overrides.0.milestoneId', message: '«workshop-3» er ikke en milepæl i planen' },
      { path: 'overrides.1.regionId', message: '«innlandet» er ikke en region i planen' },
      { path: 'overrides.2.groupId', message: '«hamar-stange» er ikke en workshopgruppe i planen' },
      { path: 'overrides.3.at', message: 'forventet en lokal dato og tid (ÅÅÅÅ-MM-DDTtt:mm), fikk «2018-02-30T09:00»' },
    ]);
  });
});

describe('resolveTimeline keeps the order of the plan', () => {
  it('refuses to move workshop 2 for Hamar/Stange before its workshop 1, naming both milestones and the group', () => {
    const error = inputErrorOf(() =>
      resolveTimeline(plan, [{ milestoneId: 'workshop-2', regionId: 'hedmarken', groupId: 'hamar-stange', at: '2018-01-22T09:00' }]),
    );
    expect(error.summary).toBe('Tidslinjen er i feil rekkefølge');
    expect(error.issues).toContainEqual({
      path: 'milestones.workshop-2',
      message: '«Workshop 2: Bruk av data og sammenhenger» (man. 22.01.2018 kl. 09.00) må komme etter «Workshop 1: Tolke og analysere data» (tir. 23.01.2018 kl. 09.00) for Hedmarkregionen, Hamar og Stange',
    });
    expect(error.issues.filter((i) => i.path === 'milestones.workshop-2')).toHaveLength(1);
  });

  it('refuses a move that puts a deadline before its opening: analysis so far would open 5 March but be due 2 March', () => {
    const error = inputErrorOf(() =>
      resolveTimeline(plan, [{ milestoneId: 'workshop-1', groupId: 'kongsvinger', at: '2018-03-05T09:00' }]),
    );
    expect(error.issues).toEqual([
      {
        path: 'deliverables.analysis-so-far',
        message: 'fristen for «Analysen så langt (modul 1 og 2)» (fre. 02.03.2018 kl. 16.00) er ikke etter åpningen (man. 05.03.2018 kl. 12.00) for Kongsvingerregionen',
      },
    ]);
  });

  it('refuses a deliverable whose deadline equals its opening', () => {
    const error = inputErrorOf(() =>
      resolveTimeline(plan, [{ milestoneId: 'booklet-material', at: '2018-10-31T16:00' }]),
    );
    expect(error.issues).toEqual([
      { path: 'deliverables.booklet-material', message: 'fristen for «Opplysninger til heftet om tiltak og hovedområder» (ons. 31.10.2018 kl. 16.00) er ikke etter åpningen (ons. 31.10.2018 kl. 16.00)' },
    ]);
  });
});

describe('resolveExtension', () => {
  it('gives full analysis a new deadline of 15 June 2018 16:00 with reminders 14 and 3 days before and 21 late days', () => {
    const extension = resolveExtension(plan, 'full-analysis', '2018-06-15T16:00', osloMs('2018-03-09T12:00'));
    expect(extension.deliverableId).toBe('full-analysis');
    expectInstant(extension.dueAt, '2018-06-15T16:00');
    expect(extension.reminderAts.map(asOslo)).toEqual([oslo('2018-06-01T08:00').toISO(), oslo('2018-06-12T08:00').toISO()]);
    expectInstant(extension.escalationAt, '2018-06-18T08:00');
    expectInstant(extension.lateUntil, '2018-07-06T16:00');
    expect(extension.lateUntil).toBe(oslo('2018-06-15T16:00').plus({ days: 21 }).toMillis());
  });

  it('keeps every reminder before the new deadline and after the opening', () => {
    const openedAt = osloMs('2018-06-05T12:00');
    const extension = resolveExtension(plan, 'full-analysis', '2018-06-15T16:00', openedAt);
    expect(extension.reminderAts.map(asOslo)).toEqual([oslo('2018-06-12T08:00').toISO()]);
    for (const at of extension.reminderAts) {
      expect(at).toBeGreaterThan(openedAt);
      expect(at).toBeLessThan(extension.dueAt);
    }
  });

  it('extends "analysis so far" to Friday 9 March 2018: late until 15 March, escalation moved off Sunday to Monday 12 March', () => {
    const extension = resolveExtension(plan, 'analysis-so-far', '2018-03-09T16:00', osloMs('2018-02-02T12:00'));
    expect(extension.reminderAts.map(asOslo)).toEqual([oslo('2018-03-02T08:00').toISO(), oslo('2018-03-07T08:00').toISO()]);
    expectInstant(extension.escalationAt, '2018-03-12T08:00');
    expectInstant(extension.lateUntil, '2018-03-15T16:00');
  });

  it('refuses an unknown deliverable and an impossible deadline', () => {
    expect(inputErrorOf(() => resolveExtension(plan, 'development-plan', '2018-06-15T16:00', 0)).issues).toEqual([
      { path: 'deliverableId', message: '«development-plan» er ikke en innlevering i planen' },
    ]);
    expect(inputErrorOf(() => resolveExtension(plan, 'full-analysis', '2018-06-31T16:00', 0)).issues).toEqual([
      { path: 'due', message: 'forventet en lokal dato og tid som 2018-03-09T16:00, fikk «2018-06-31T16:00»' },
    ]);
  });
});

describe('the authorities\' daily digest days', () => {
  const policy = sendPolicySchema.parse({});

  it('are the working days at 12.00 Oslo time, without weekends and Easter, through the first one after the end', () => {
    const days = digestDays(osloMs('2018-03-26T09:00'), osloMs('2018-04-04T13:00'), policy, OSLO);
    // Skjærtorsdag 29 March, Langfredag 30 March and 2. påskedag 2 April are public holidays; 4 April 12.00 is
    // before the end, so 5 April is the last.
    expect(days.map((d) => d.day)).toEqual(['2018-03-26', '2018-03-27', '2018-03-28', '2018-04-03', '2018-04-04', '2018-04-05']);
    for (const d of days) expect(asOslo(d.at)).toBe(oslo(`${d.day}T12:00`).toISO());
  });

  it('follow the policy\'s digest time, moved into quiet hours', () => {
    const late = sendPolicySchema.parse({ authorityDigest: { at: '07:00' } });
    const [first] = digestDays(osloMs('2018-03-26T00:00'), osloMs('2018-03-27T00:00'), late, OSLO);
    expect(asOslo(first?.at ?? 0)).toBe(oslo('2018-03-26T08:00').toISO());
  });

  it('are in the example\'s timeline from the first opening to its end, and absent when the plan turns the digest off', () => {
    const plan = loadPlan(EXAMPLE_PLAN);
    const timeline = resolveTimeline(plan);
    const days = timeline.authorityDigest?.days ?? [];
    const firstOpening = Math.min(...timeline.deliverables.flatMap((d) => d.windows.map((w) => w.opensAt)));
    expect(days.length).toBeGreaterThan(100);
    expect(days[0]?.day).toBe(DateTime.fromMillis(firstOpening, { zone: OSLO }).toISODate());
    expect(days.at(-1)?.at).toBeGreaterThanOrEqual(timeline.endsAt);
    expect(days.at(-2)?.at).toBeLessThan(timeline.endsAt);
    const off = resolveTimeline({ ...plan, sendPolicy: { ...plan.sendPolicy, authorityDigest: { enabled: false, at: '12:00' } } });
    expect(off.authorityDigest).toBeUndefined();
  });

  it('are absent for a plan stored before release 1.1.0 (no authorityDigest in its send policy), so its run keeps one escalation per kindergarten', () => {
    const plan = loadPlan(EXAMPLE_PLAN);
    const { authorityDigest: _dropped, ...before } = plan.sendPolicy;
    expect(resolveTimeline({ ...plan, sendPolicy: before as Plan['sendPolicy'] }).authorityDigest).toBeUndefined();
  });
});

describe('the digest days a run wakes for', () => {
  const plan = loadPlan(EXAMPLE_PLAN);
  const timeline = resolveTimeline(plan);
  const days = timeline.authorityDigest?.days ?? [];
  const firstFrom = (at: number) => days.findIndex((d) => d.at >= at);

  it('are the day of each planned escalation and the working day after it, not every working day', () => {
    const wake = digestWakeDays(timeline, []);
    const escalations = timeline.deliverables.flatMap((d) => d.windows.map((w) => w.escalationAt));
    const expected = new Set(escalations.flatMap((at) => [firstFrom(at), firstFrom(at) + 1]).filter((i) => i >= 0 && i < days.length));
    expect(wake).toEqual([...expected].sort((a, b) => a - b).map((i) => days[i]));
    expect(wake.length).toBeLessThanOrEqual(2 * escalations.length);
    expect(wake.length).toBeLessThan(days.length / 4);
    // The analysis so far escalates for Kongsvinger on Monday 5 March 2018 at 08.00: that day's digest, and Tuesday's.
    expect(wake.map((d) => d.day)).toEqual(expect.arrayContaining(['2018-03-05', '2018-03-06']));
  });

  it('add the day after an escalation asked for (an extension, a resume)', () => {
    const extendedTo = osloMs('2018-05-22T08:00');
    const wake = digestWakeDays(timeline, [extendedTo]).map((d) => d.day);
    expect(digestWakeDays(timeline, []).map((d) => d.day)).not.toContain('2018-05-22');
    expect(wake).toEqual(expect.arrayContaining(['2018-05-22', '2018-05-23']));
  });

  it('are none for a run without the digest', () => {
    const { authorityDigest: _none, ...without } = timeline;
    expect(digestWakeDays(without, [osloMs('2018-05-22T08:00')])).toEqual([]);
  });
});
