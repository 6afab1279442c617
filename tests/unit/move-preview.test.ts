import { join } from 'node:path';
import { DateTime } from 'luxon';
import { type KindergartenBasis, previewMove } from '../../domain/move-preview';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { loadRoster } from '../../planning/roster-import';
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
    expect(previewMove(before, before, [kindergarten('1', 'kongsvinger', 'kongsvinger')], now)).toEqual({ emails: [], byTemplate: [], kindergartens: 0, owners: [] });
  });
});

describe('previewMove: a county-wide milestone moved for one region', () => {
  // «Informasjon om deltakelse i kompetansepakken» is one occurrence for the whole county (3 January 2018 at 09.00),
  // emailed to every director and every kindergarten's participants. Moved for Kongsvinger only, it becomes one
  // occurrence per region: Kongsvinger's at the new time, the other three where they were.
  const milestoneId = 'competence-package-information';
  const after = resolveTimeline(plan, [{ milestoneId, regionId: 'kongsvinger', at: '2018-01-10T09:00' }]);
  const now = oslo('2017-12-15T12:00');
  const roster = loadRoster(join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv'), plan);
  const everyone = roster.kindergartens.map((k) => kindergarten(k.orgnr, k.regionId, k.groupId));
  const inKongsvinger = everyone.filter((k) => k.regionId === 'kongsvinger');
  const occurrences = (timeline: typeof before) => timeline.milestones.find((m) => m.id === milestoneId)?.occurrences.map((o) => ({ scope: o.scope, regionId: o.regionId, at: o.at, version: o.version }));

  it('resolves the move as one occurrence per region: Kongsvinger\'s moved (version 1), the other regions\' at the county\'s time', () => {
    expect(occurrences(before)).toEqual([{ scope: 'run', regionId: null, at: oslo('2018-01-03T09:00'), version: 0 }]);
    expect(occurrences(after)).toEqual([
      { scope: 'region', regionId: 'kongsvinger', at: oslo('2018-01-10T09:00'), version: 1 },
      { scope: 'region', regionId: 'hedmarken', at: oslo('2018-01-03T09:00'), version: 0 },
      { scope: 'region', regionId: 'nord-osterdal', at: oslo('2018-01-03T09:00'), version: 0 },
      { scope: 'region', regionId: 'sor-osterdal', at: oslo('2018-01-03T09:00'), version: 0 },
    ]);
  });

  it('lists the directors\' and participants\' emails of the 19 Kongsvinger kindergartens as moved from 3 to 10 January 09.00, with counts per template, and none of the other 42', () => {
    expect(inKongsvinger).toHaveLength(19);
    expect(everyone).toHaveLength(61);
    const preview = previewMove(before, after, everyone, now);
    const title = plan.milestones.find((m) => m.id === milestoneId)?.title;
    const line = { title, kind: 'milestone-email', change: 'moved', from: oslo('2018-01-03T09:00'), to: oslo('2018-01-10T09:00'), kindergartens: 19 };
    expect(preview.emails).toEqual([
      { ...line, template: 'competence-package-information', recipients: 'director' },
      { ...line, template: 'participant-information', recipients: 'participants' },
    ]);
    expect(preview.byTemplate).toEqual([
      { template: 'competence-package-information', change: 'moved', count: 19 },
      { template: 'participant-information', change: 'moved', count: 19 },
    ]);
    expect(preview.kindergartens).toBe(19);
    // The same preview for Kongsvinger's kindergartens alone; for everyone else's, nothing changes.
    expect(previewMove(before, after, inKongsvinger, now)).toEqual(preview);
    expect(previewMove(before, after, everyone.filter((k) => k.regionId !== 'kongsvinger'), now)).toEqual({ emails: [], byTemplate: [], kindergartens: 0, owners: [] });
  });
});

describe('previewMove: the run\'s and the regions\' own emails (authorities, research centre, coordinator)', () => {
  const roster = loadRoster(join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv'), plan);
  const everyone = roster.kindergartens.map((k) => kindergarten(k.orgnr, k.regionId, k.groupId, { municipalityId: k.municipalityId }));
  const kongsvingerAuthorities = new Set(roster.kindergartens.filter((k) => k.regionId === 'kongsvinger').map((k) => k.municipalityId)).size;

  it('moves the authorities\' workshop invitation and their meeting reminder with workshop 1 for a group, counted per authority', () => {
    const after = resolveTimeline(plan, [{ milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: '2018-02-09T09:00' }]);
    const preview = previewMove(before, after, everyone, oslo('2018-01-10T12:00'));
    expect(kongsvingerAuthorities).toBe(7);
    const ws1 = before.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === 'kongsvinger');
    const invitation = ws1?.emails.find((e) => e.to === 'municipal-authorities');
    expect(preview.owners).toContainEqual({
      template: 'workshop-invitation',
      title: 'Workshop 1: Tolke og analysere data',
      place: 'Kongsvingerregionen',
      change: 'moved',
      from: invitation?.sendAt,
      to: (invitation?.sendAt ?? 0) + 7 * 86_400_000,
      recipients: 'municipal-authorities',
      count: 7,
    });
    expect(preview.owners.every((o) => o.place === 'Kongsvingerregionen' && o.count === 7 && o.change === 'moved')).toBe(true);
  });

  it('moves a county-wide milestone\'s authority email for the one region that moves, and for nobody else', () => {
    const after = resolveTimeline(plan, [{ milestoneId: 'competence-package-information', regionId: 'kongsvinger', at: '2018-01-10T09:00' }]);
    const preview = previewMove(before, after, everyone, oslo('2017-12-15T12:00'));
    expect(preview.owners).toEqual([
      expect.objectContaining({ template: 'competence-package-information', place: 'Kongsvingerregionen', change: 'moved', from: oslo('2018-01-03T09:00'), to: oslo('2018-01-10T09:00'), recipients: 'municipal-authorities', count: 7 }),
    ]);
  });

  it('says "at once" for an authority email whose time has come with the new date, and drops nothing already sent', () => {
    const after = resolveTimeline(plan, [{ milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: '2018-01-22T09:00' }]);
    const preview = previewMove(before, after, everyone, oslo('2018-01-10T12:00'));
    expect(preview.owners).toContainEqual(expect.objectContaining({ template: 'workshop-invitation', change: 'now', count: 7 }));
  });
});

