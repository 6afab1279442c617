import { RECEIPT_USEFUL_MS, actionEmail, cancellationEmail, receiptEmails, recipientOf } from '../../domain/kindergarten-emails';
import type { Action, ReceiptDue } from '../../domain/kindergarten-schedule';
import type { DeliverableWindow, KindergartenDeliverable, KindergartenEmailStep } from '../../domain/timeline';

const t = (iso: string) => Date.parse(iso);
const ids = { runId: 'arshjul-2017-hedmark', orgnr: '974760673', regionId: 'hedmarken', groupId: 'ringsaker-loten' };
const window: DeliverableWindow = {
  scope: 'group', regionId: 'hedmarken', groupId: 'ringsaker-loten', opensAt: t('2018-01-18T11:00:00Z'), promptAt: t('2018-01-18T11:00:00Z'),
  dueAt: t('2018-02-01T22:59:00Z'), reminderAts: [t('2018-01-25T07:00:00Z')], escalationAt: t('2018-02-05T07:00:00Z'), lateUntil: t('2018-02-15T22:59:00Z'), version: 1,
};
const deliverable: KindergartenDeliverable = {
  id: 'analysis-so-far', title: 'Analyse så langt', recipient: 'research-centre',
  templates: { prompt: 'deliverable-prompt', reminder: 'deliverable-reminder', escalation: 'deliverable-escalation' }, window,
};
const step: KindergartenEmailStep = {
  stepId: 'workshop-1/workshop-invitation:directors:14', milestoneId: 'workshop-1', title: 'Workshop 1', kind: 'workshop', location: 'Hamar', durationMinutes: 360,
  occurrenceKey: 'workshop-1/hedmarken/ringsaker-loten', template: 'workshop-invitation', occurrenceAt: t('2018-01-18T08:00:00Z'), sendAt: t('2018-01-04T07:00:00Z'),
  latestUsefulAt: t('2018-01-18T08:00:00Z'), version: 1,
};
const now = t('2018-01-20T08:00:00Z');

describe("a kindergarten's emails", () => {
  it('keys a prompt by run, kindergarten and step, sends it to the director with the window, about the kindergarten', () => {
    const action: Action = { kind: 'prompt', key: 'analysis-so-far/prompt', at: window.promptAt, deliverable, window };
    expect(actionEmail(ids, action, now, window.lateUntil)).toEqual({
      key: 'arshjul-2017-hedmark/974760673/analysis-so-far/prompt',
      runId: ids.runId,
      template: 'deliverable-prompt',
      to: { kind: 'director', orgnr: ids.orgnr },
      about: { orgnr: ids.orgnr },
      where: { regionId: 'hedmarken', groupId: 'ringsaker-loten' },
      scheduledFor: window.promptAt,
      requestedAt: now,
      latestUsefulAt: window.lateUntil,
      deliverable: { id: 'analysis-so-far', title: 'Analyse så langt', recipient: 'research-centre', opensAt: window.opensAt, dueAt: window.dueAt, lateUntil: window.lateUntil },
    });
  });

  it("sends an escalation to the kindergarten's municipal authority", () => {
    const action: Action = { kind: 'escalation', key: 'analysis-so-far/escalation@v1', at: window.escalationAt, deliverable, window };
    expect(actionEmail(ids, action, now, window.lateUntil)).toMatchObject({ template: 'deliverable-escalation', to: { kind: 'authority-of', orgnr: ids.orgnr } });
  });

  it("carries a milestone's calendar identity and length, and cancels the same event", () => {
    const action: Action = { kind: 'milestone-email', key: `${step.stepId}@v1`, at: step.sendAt, step };
    const milestone = { id: 'workshop-1', title: 'Workshop 1', kind: 'workshop', location: 'Hamar', at: step.occurrenceAt, version: 1, occurrenceKey: 'workshop-1/hedmarken/ringsaker-loten', durationMinutes: 360 };
    expect(actionEmail(ids, action, now, step.latestUsefulAt)).toMatchObject({ template: 'workshop-invitation', milestone });
    expect(cancellationEmail(ids, `${step.stepId}@v1/cancel`, step, now)).toMatchObject({
      key: `arshjul-2017-hedmark/974760673/${step.stepId}@v1/cancel`,
      template: 'invitation-cancelled',
      to: { kind: 'director', orgnr: ids.orgnr },
      milestone,
      latestUsefulAt: step.occurrenceAt,
    });
  });

  it("gives an accepted submission a receipt to the director and a notice to the deliverable's recipient, each keyed once", () => {
    const due: ReceiptDue = { deliverableId: 'analysis-so-far', submissionId: 's1', receiptNumber: 'AH-000042', at: t('2018-01-31T14:59:58Z'), version: 1, late: false, files: [{ name: 'a.pdf', size: 1, sha256: 'a'.repeat(64) }], comment: null };
    const [receipt, notice] = receiptEmails(ids, due, deliverable, window, now);
    expect(receipt).toMatchObject({ key: `${ids.runId}/${ids.orgnr}/receipt/s1`, template: 'submission-receipt', to: { kind: 'director', orgnr: ids.orgnr }, scheduledFor: due.at, latestUsefulAt: now + RECEIPT_USEFUL_MS });
    expect(notice).toMatchObject({ key: `${ids.runId}/${ids.orgnr}/received/s1`, template: 'submission-received', to: { kind: 'research-centre' } });
    expect(receipt?.submission).toEqual({ id: 's1', receiptNumber: 'AH-000042', at: due.at, version: 1, late: false, files: due.files, comment: null });
  });

  it('addresses each recipient of a deliverable', () => {
    expect(recipientOf('municipal-authority', ids.orgnr)).toEqual({ kind: 'authority-of', orgnr: ids.orgnr });
    expect(recipientOf('research-centre', ids.orgnr)).toEqual({ kind: 'research-centre' });
    expect(recipientOf('coordinator', ids.orgnr)).toEqual({ kind: 'coordinator' });
  });
});
