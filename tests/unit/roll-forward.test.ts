import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { parsePlan } from '../../planning/load-plan';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { rollPlanForward, sameWeekAndWeekday } from '../../planning/roll-forward';

const OSLO = 'Europe/Oslo';
const example = readFileSync(path.join(__dirname, '../../examples/kfl-2017-2018.yaml'), 'utf8');
const oslo = (local: string): DateTime => DateTime.fromISO(local, { zone: OSLO });
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/** Every local date-time string of a parsed plan, in document order. */
function localDates(value: unknown): string[] {
  if (typeof value === 'string') return LOCAL.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(localDates);
  if (value && typeof value === 'object') return Object.values(value).flatMap(localDates);
  return [];
}

describe('rollPlanForward from 2017/2018 to 2026/2027', () => {
  const rolled = rollPlanForward(example, 2026);
  const before = localDates(parseYaml(example));
  const after = localDates(parseYaml(rolled.text));

  it('reports the school year it rolled from and moves all 36 local dates of the plan', () => {
    expect(rolled.fromYear).toBe(2017);
    expect(before).toHaveLength(36);
    expect(rolled.moved).toBe(36);
    expect(after).toHaveLength(36);
  });

  it('moves workshop 1 for Ringsaker/Løten, Thursday of ISO week 3 2018, to Thursday 21 January 2027', () => {
    const groups = (parseYaml(rolled.text) as { milestones: { id: string; at: { groups?: Record<string, string> } }[] }).milestones.find(
      (m) => m.id === 'workshop-1',
    )?.at.groups;
    expect(groups?.['ringsaker-loten']).toBe('2027-01-21T09:00');
    expect(oslo('2018-01-18T09:00')).toMatchObject({ weekNumber: 3, weekday: 4 });
    expect(oslo('2027-01-21T09:00')).toMatchObject({ weekNumber: 3, weekday: 4 });
  });

  it('moves every local date to the same ISO week, weekday and time nine week-years later', () => {
    before.forEach((from, i) => {
      const to = after[i] as string;
      const a = oslo(from);
      const b = oslo(to);
      expect({ date: to, weekYear: b.weekYear, weekNumber: b.weekNumber, weekday: b.weekday, time: b.toFormat('HH:mm') }).toEqual({
        date: to,
        weekYear: a.weekYear + 9,
        weekNumber: a.weekNumber,
        weekday: a.weekday,
        time: a.toFormat('HH:mm'),
      });
    });
  });

  it('moves the autumn and spring dates named in the plan to their 2026/2027 counterparts', () => {
    for (const [from, to] of [
      ['"2017-09-01T08:00"', '"2026-08-28T08:00"'],
      ['"2017-10-31T09:30"', '"2026-10-27T09:30"'],
      ['"2017-11-17T08:00"', '"2026-11-13T08:00"'],
      ['"2018-03-19T09:00"', '"2027-03-22T09:00"'],
      ['"2018-05-31T16:00"', '"2027-06-03T16:00"'],
    ] as const) {
      expect(example).toContain(from);
      expect(rolled.text).toContain(to);
    }
  });

  it('sets schoolYear to 2026', () => {
    expect(rolled.text).toMatch(/^schoolYear: 2026$/m);
    expect((parseYaml(rolled.text) as { schoolYear: number }).schoolYear).toBe(2026);
  });

  it('keeps the YAML comments of the plan', () => {
    for (const comment of [
      '# Kultur for læring – barnehage, Hedmark, høst 2017 og vår 2018.',
      '# In 2017/2018 Hedmarken met as two workshop groups.',
      '# Scandic Hamar',
      '# Tynset kommunehus',
      '# the plan says "before workshop 1"',
      '# a week before workshop 2, so the guidance is ready',
    ]) {
      expect(rolled.text).toContain(comment);
    }
  });

  it('leaves relative dates and everything that is not a date unchanged', () => {
    const from = parseYaml(example) as Record<string, unknown>;
    const to = parseYaml(rolled.text) as Record<string, unknown>;
    expect(to.regions).toEqual(from.regions);
    expect(to.contacts).toEqual(from.contacts);
    expect(to.sendPolicy).toEqual(from.sendPolicy);
    expect(rolled.text).toContain('at: { milestone: workshop-1, days: -7, time: "12:00" }');
  });

  it('gives a plan that parses and resolves: workshop 1 for Kongsvinger on Friday 5 February 2027 09:00', () => {
    const plan = parsePlan(rolled.text, 'kfl-2026-2027.yaml');
    expect(plan.schoolYear).toBe(2026);
    const timeline = resolveTimeline(plan);
    expect(timeline.schoolYear).toBe(2026);
    const workshop = timeline.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === 'kongsvinger');
    expect(workshop?.at).toBe(oslo('2027-02-05T09:00').toMillis());
  });

  it('writes JSON when asked, which parses as a .json plan', () => {
    const json = rollPlanForward(example, 2026, 'json');
    expect(json.moved).toBe(36);
    expect(parsePlan(json.text, 'kfl-2026-2027.json')).toEqual(parsePlan(rolled.text, 'kfl-2026-2027.yaml'));
  });

  it('refuses a plan without a schoolYear', () => {
    expect(() => rollPlanForward(example.replace('schoolYear: 2017\n', ''), 2026)).toThrow('the plan has no schoolYear to roll forward from');
  });
});

describe('sameWeekAndWeekday', () => {
  it('keeps a Thursday of ISO week 53 (31 December 2020) in week 53 of a year that has one (2026)', () => {
    const d = oslo('2020-12-31T09:00');
    expect(d).toMatchObject({ weekYear: 2020, weekNumber: 53, weekday: 4 });
    expect(sameWeekAndWeekday(d, 6).toISO()).toBe(oslo('2026-12-31T09:00').toISO());
  });

  it('clamps ISO week 53 to week 52 in a year without week 53: 31 December 2020 → Thursday 30 December 2021', () => {
    const moved = sameWeekAndWeekday(oslo('2020-12-31T09:00'), 1);
    expect(moved).toMatchObject({ weekYear: 2021, weekNumber: 52, weekday: 4, hour: 9, minute: 0 });
    expect(moved.toISO()).toBe(oslo('2021-12-30T09:00').toISO());
  });

  it('treats 1 January 2021 as Friday of week 53 of 2020 and moves it to Friday of week 52 of 2021', () => {
    expect(sameWeekAndWeekday(oslo('2021-01-01T08:00'), 1).toISO()).toBe(oslo('2021-12-31T08:00').toISO());
  });

  it('keeps the Oslo wall-clock time when the two dates fall on different sides of the spring DST change', () => {
    // Saturday of week 13: 31 March 2018 is summer time (+02:00), 28 March 2026 still winter time (+01:00).
    const from = oslo('2018-03-31T09:00');
    const to = sameWeekAndWeekday(from, 8);
    expect(from.offset).toBe(120);
    expect(to.offset).toBe(60);
    expect(to.toISO()).toBe('2026-03-28T09:00:00.000+01:00');
  });
});
