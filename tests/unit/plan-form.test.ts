import { InputError } from '../../config/errors';
import { applyPlanForm, planFieldGroups, savePlanForm } from '../../planning/plan-form';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { loadExamplePlan } from '../helpers/example-plan';

const plan = loadExamplePlan();
const groups = planFieldGroups(plan);
const fields = groups.flatMap((g) => g.fields);
const index = (id: string) => plan.milestones.findIndex((m) => m.id === id);

function refused(form: Record<string, string>): InputError {
  try {
    savePlanForm(plan, form);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the form to be refused');
}

describe('the plan as a form', () => {
  it('has a field for every date, per region and workshop group, and for each deliverable\'s deadline, reminders and windows', () => {
    const ws1 = groups.find((g) => g.id === 'workshop-1');
    expect(ws1?.fields).toHaveLength(5);
    expect(ws1?.fields.map((f) => [f.name, f.label])).toEqual(expect.arrayContaining([
      [`milestones.${index('workshop-1')}.at.groups.ringsaker-loten`, 'Hedmarkregionen, Ringsaker og Løten'],
      [`milestones.${index('workshop-1')}.at.groups.hamar-stange`, 'Hedmarkregionen, Hamar og Stange'],
      [`milestones.${index('workshop-1')}.at.groups.nord-osterdal`, 'Nord-Østerdal'],
      [`milestones.${index('workshop-1')}.at.groups.sor-osterdal`, 'Sør-Østerdal'],
      [`milestones.${index('workshop-1')}.at.groups.kongsvinger`, 'Kongsvingerregionen'],
    ]));
    const relative = groups.find((g) => g.fields.some((f) => f.kind === 'days'));
    expect(relative?.fields.map((f) => f.kind)).toEqual(['days', 'time']);
    const analysis = groups.find((g) => g.id === 'analysis-so-far');
    expect(analysis?.fields.map((f) => f.name.split('.').slice(2).join('.'))).toEqual(expect.arrayContaining(['reminders', 'escalationDays', 'lateAcceptanceDays']));
    expect(analysis?.fields.find((f) => f.name.endsWith('.reminders'))?.value).toBe(plan.deliverables[0]?.reminders.join(', '));
    // Filling in the form as it is gives the plan back.
    expect(savePlanForm(plan, Object.fromEntries(fields.map((f) => [f.name, f.value])))).toEqual(plan);
  });

  it('saves a new date for one workshop group and new reminders, resolved by the same rules as the file', () => {
    const name = `milestones.${index('workshop-1')}.at.groups.kongsvinger`;
    const saved = savePlanForm(plan, { [name]: '2018-02-06T10:00', 'deliverables.0.reminders': '10, 3' });
    const ws1 = resolveTimeline(saved).milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === 'kongsvinger');
    expect(ws1?.at).toBe(Date.parse('2018-02-06T09:00:00Z'));
    expect(saved.deliverables[0]?.reminders).toEqual([10, 3]);
  });

  it('puts each problem beside its field, in bokmål, and keeps what was typed', () => {
    const name = `milestones.${index('workshop-1')}.at.groups.kongsvinger`;
    const error = refused({ [name]: '2018-02-30T09:00', 'deliverables.0.reminders': '7, sju', 'deliverables.0.lateAcceptanceDays': '-1' });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: name, message: 'forventet en dato som finnes i kalenderen' }),
        expect.objectContaining({ path: 'deliverables.0.reminders', message: 'forventet et tall, fikk tekst' }),
        expect.objectContaining({ path: 'deliverables.0.lateAcceptanceDays', message: 'forventet minst 0' }),
      ]),
    );
    expect((applyPlanForm(plan, { [name]: 'tull' }) as { milestones: { at: { groups: Record<string, string> } }[] }).milestones[index('workshop-1')]?.at.groups.kongsvinger).toBe('tull');
  });

  it('refuses a workshop 2 before workshop 1 for a group, beside that milestone', () => {
    const error = refused({ [`milestones.${index('workshop-2')}.at.groups.kongsvinger`]: '2018-01-30T09:00' });
    // The moved date breaks three rules, each reported beside the milestone or deliverable it concerns: the analysis's
    // deadline and its guidance (both relative to workshop 2) come before it opens, and workshop 2 before workshop 1.
    expect(error.issues).toEqual([
      expect.objectContaining({ path: 'deliverables.0', message: expect.stringMatching(/er ikke etter åpningen .* for Kongsvingerregionen$/) }),
      expect.objectContaining({ path: 'deliverables.0', message: expect.stringMatching(/^veiledningen på «Analysen så langt \(modul 1 og 2\)» skal gis .* før innleveringen åpner .* for Kongsvingerregionen$/) }),
      expect.objectContaining({ path: `milestones.${index('workshop-2')}`, message: expect.stringMatching(/må komme etter «Workshop 1/) }),
    ]);
  });

  it('turns the authorities\' daily digest off and moves its time, and refuses an answer that is neither yes nor no', () => {
    const policy = groups.find((g) => g.kind === 'policy');
    expect(policy?.fields.map((f) => [f.name, f.kind, f.value])).toEqual([
      ['sendPolicy.authorityDigest.enabled', 'yes-no', 'ja'],
      ['sendPolicy.authorityDigest.at', 'time', '12:00'],
    ]);
    const off = savePlanForm(plan, { 'sendPolicy.authorityDigest.enabled': 'nei', 'sendPolicy.authorityDigest.at': '13:30' });
    expect(off.sendPolicy.authorityDigest).toEqual({ enabled: false, at: '13:30' });
    expect(resolveTimeline(off).authorityDigest).toBeUndefined();
    const error = refused({ 'sendPolicy.authorityDigest.enabled': 'kanskje', 'sendPolicy.authorityDigest.at': '25:00' });
    expect(error.issues.map((i) => i.path).sort()).toEqual(['sendPolicy.authorityDigest.at', 'sendPolicy.authorityDigest.enabled']);
  });

  it('offers the digest for a plan kept before release 1.1.0 (no authorityDigest), and adds it when saved', () => {
    const { authorityDigest: _none, ...before } = plan.sendPolicy;
    const old = { ...plan, sendPolicy: before as typeof plan.sendPolicy };
    expect(planFieldGroups(old).find((g) => g.kind === 'policy')?.fields[0]?.value).toBe('nei');
    expect(savePlanForm(old, { 'sendPolicy.authorityDigest.enabled': 'ja', 'sendPolicy.authorityDigest.at': '12:00' }).sendPolicy.authorityDigest).toEqual({ enabled: true, at: '12:00' });
  });
});
