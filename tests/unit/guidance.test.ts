import { DateTime } from 'luxon';
import { parsePlan } from '../../planning/load-plan';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { guidanceDueAt, guidanceDueFor, guidancePlanOf, guidanceState, reviewedDeliverables } from '../../domain/guidance';
import { guidanceReminderInstants, scheduleForKindergarten } from '../../domain/timeline';
import { InputError } from '../../config/errors';
import { loadPlan } from '../../planning/load-plan';
import { plannedGuidance, scenarioSchema } from '../../application/rehearsal';
import { EXAMPLE_PLAN } from '../helpers/temporal';
import { EXAMPLE_GROUPS, buildRoster } from '../helpers/roster-builder';
import { readFileSync } from 'node:fs';

const DAY = 86_400_000;
const oslo = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat("ccc yyyy-MM-dd HH:mm", { locale: 'en' });

describe('guidance on the analysis so far (release 1.2.0)', () => {
  const plan = loadPlan(EXAMPLE_PLAN);
  const timeline = resolveTimeline(plan);

  it('resolves the guidance due instant per workshop group, the day before workshop 2 at 12.00, with reminders 3 and 1 days before and one the working day after', () => {
    const schedule = scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger');
    const window = schedule.deliverables.find((d) => d.id === 'analysis-so-far')?.window;
    // Workshop 2 for Kongsvinger is Friday 9 March 2018.
    expect(oslo(window?.guidance?.dueAt as number)).toBe('Thu 2018-03-08 12:00');
    expect(window?.guidance?.reminderAts.map(oslo)).toEqual(['Mon 2018-03-05 08:00', 'Wed 2018-03-07 08:00']);
    expect(oslo(window?.guidance?.overdueAt as number)).toBe('Fri 2018-03-09 08:00');
    // Deliverables without review have no guidance window.
    expect(schedule.deliverables.find((d) => d.id === 'full-analysis')?.window.guidance).toBeUndefined();
    expect(reviewedDeliverables(guidancePlanOf(timeline))).toEqual(['analysis-so-far']);
  });

  it('lists every reminder instant once, in time order, across the workshop groups', () => {
    const instants = guidanceReminderInstants(timeline);
    expect(instants).toEqual([...new Set(instants)].sort((a, b) => a - b));
    const windows = timeline.deliverables.flatMap((d) => d.windows.flatMap((w) => (w.guidance ? [w.guidance] : [])));
    expect(windows.length).toBe(EXAMPLE_GROUPS.length);
    for (const w of windows) for (const at of [...w.reminderAts, w.overdueAt]) expect(instants).toContain(at);
    expect(guidanceReminderInstants({ ...timeline, deliverables: timeline.deliverables.map((d) => ({ ...d, windows: d.windows.map(({ guidance: _g, ...w }) => w) })) })).toEqual([]);
  });

  it('gives a late submission at least the minimum days, and names the state owed, late or given', () => {
    const due = Date.UTC(2018, 2, 8, 11);
    expect(guidanceDueAt(due, due - 5 * DAY, 2)).toBe(due);
    expect(guidanceDueAt(due, due - DAY, 2)).toBe(due + DAY);
    expect(guidanceDueFor(guidancePlanOf(timeline), 'analysis-so-far', 'kongsvinger', 'kongsvinger', due - DAY)).toBe(due + DAY);
    expect(guidanceDueFor(guidancePlanOf(timeline), 'full-analysis', 'kongsvinger', 'kongsvinger', due)).toBeNull();
    expect(guidanceState({ firstSubmittedAt: null, givenAt: null, dueAt: null }, due)).toBeNull();
    expect(guidanceState({ firstSubmittedAt: due - DAY, givenAt: null, dueAt: due }, due)).toBe('owed');
    expect(guidanceState({ firstSubmittedAt: due - DAY, givenAt: null, dueAt: due }, due + 1)).toBe('late');
    expect(guidanceState({ firstSubmittedAt: due - DAY, givenAt: due + DAY, dueAt: due }, due + 2 * DAY)).toBe('given');
  });

  it('refuses guidance by someone other than the deliverable\'s recipient, and guidance due before the deliverable opens, naming the deliverable', () => {
    const text = readFileSync(EXAMPLE_PLAN, 'utf8');
    const byAuthority = text.replace('    recipient: research-centre\n', '    recipient: municipal-authority\n');
    expect(() => parsePlan(byAuthority, 'plan.yaml')).toThrow(InputError);
    try {
      parsePlan(byAuthority, 'plan.yaml');
    } catch (error) {
      expect((error as InputError).issues).toContainEqual(expect.objectContaining({ path: 'deliverables.0.review.by', message: expect.stringContaining('veiledning gis av den som mottar innleveringen') }));
    }
    const early = text.replace('due: { milestone: workshop-2, days: -1, time: "12:00" }', 'due: { milestone: workshop-1, days: -1, time: "12:00" }');
    expect(() => resolveTimeline(parsePlan(early, 'plan.yaml'))).toThrow(/veiledningen på «Analysen så langt \(modul 1 og 2\)» skal gis .* før innleveringen åpner/);
  });

  it('plans the rehearsal\'s guidance by the scenario: a day before it is due, late, never, days after the submission, or at an instant', () => {
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 5);
    const [a, b, c, d, e] = roster.kindergartens.map((k) => k.orgnr) as [string, string, string, string, string];
    const scenario = scenarioSchema.parse({ guidance: { kindergartens: { [b]: 'late', [c]: 'never', [d]: { daysAfterSubmission: 3 }, [e]: { at: '2018-03-06T10:00' } } } });
    const at = Date.UTC(2018, 1, 26, 9);
    const submissions = roster.kindergartens.map((k) => ({ at, orgnr: k.orgnr, deliverableId: 'analysis-so-far' }));
    const due = scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger').deliverables.find((x) => x.id === 'analysis-so-far')?.window.guidance?.dueAt as number;
    const planned = new Map(plannedGuidance(plan, timeline, roster, scenario, [...submissions, { at: at + DAY, orgnr: a, deliverableId: 'full-analysis' }]).map((p) => [p.orgnr, p.at]));
    expect(planned.get(a)).toBe(due - DAY);
    expect(planned.get(b)).toBe(due + DAY);
    expect(planned.has(c)).toBe(false);
    expect(planned.get(d)).toBe(at + 3 * DAY + 3_600_000);
    expect(oslo(planned.get(e) as number)).toBe('Tue 2018-03-06 10:00');
    expect(planned.size).toBe(4);
    expect(() => scenarioSchema.parse({ guidance: { default: 'sometimes' } })).toThrow();
  });
});
