import { DateTime } from 'luxon';
import { type KindergartenBasis, previewMove } from '../../domain/move-preview';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { loadExamplePlan } from '../helpers/example-plan';

const plan = loadExamplePlan();
const before = resolveTimeline(plan);
const oslo = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Oslo' }).toMillis();
const kindergarten = (orgnr: string, regionId: string, groupId: string, extra: Partial<KindergartenBasis> = {}): KindergartenBasis => ({ orgnr, regionId, groupId, withdrawn: false, deliverables: {}, ...extra });

describe('previewMove: the emails a move changes, by the workflows\' rules', () => {
  // Modules 1–2 open the analysis so far; moving them for Kongsvinger moves that group's prompt and reminders.
  const after = resolveTimeline(plan, [{ milestoneId: 'modules-1-2', regionId: 'kongsvinger', groupId: 'kongsvinger', at: '2018-02-09T12:00' }]);
  const now = oslo('2018-01-10T12:00');

  it('counts the prompts of the deliverable the milestone opens, for the group that moves and nobody else', () => {
    const preview = previewMove(before, after, [kindergarten('1', 'kongsvinger', 'kongsvinger'), kindergarten('2', 'kongsvinger', 'kongsvinger'), kindergarten('3', 'nord-osterdal', 'nord-osterdal')], now);
    expect(preview.kindergartens).toBe(2);
    expect(preview.byTemplate).toContainEqual({ template: 'deliverable-prompt', change: 'moved', count: 2 });
    const prompt = preview.emails.find((e) => e.template === 'deliverable-prompt');
    expect(prompt?.to).toBeGreaterThan(prompt?.from ?? Infinity);
    expect(prompt?.title).toBe(plan.deliverables[0]?.title);
  });

  it('leaves out a withdrawn kindergarten, and the reminders of one that has submitted', () => {
    const submitted = kindergarten('1', 'kongsvinger', 'kongsvinger', { deliverables: { 'analysis-so-far': { submitted: true, extended: false } } });
    const preview = previewMove(before, after, [submitted, kindergarten('2', 'kongsvinger', 'kongsvinger', { withdrawn: true })], now);
    expect(preview.emails.filter((e) => e.template === 'deliverable-reminder')).toEqual([]);
    expect(preview.emails.every((e) => e.kindergartens === 1)).toBe(true);
  });

  it('says "at once" for an invitation whose send day has come with the new date, and nothing for a move to the same time', () => {
    const soon = resolveTimeline(plan, [{ milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: '2018-01-12T09:00' }]);
    const preview = previewMove(before, soon, [kindergarten('1', 'kongsvinger', 'kongsvinger')], now);
    expect(preview.emails).toContainEqual(expect.objectContaining({ template: 'workshop-invitation', change: 'now', kindergartens: 1 }));
    expect(previewMove(before, before, [kindergarten('1', 'kongsvinger', 'kongsvinger')], now)).toEqual({ emails: [], byTemplate: [], kindergartens: 0 });
  });
});
