import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { rehearse, scenarioSchema } from '../../application/rehearsal';
import { messageIdFor } from '../../activities/email/email-activities';
import { loadPlan } from '../../planning/load-plan';
import { loadRoster } from '../../planning/roster-import';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { EXAMPLE_PLAN, bundleWorkflows } from '../helpers/temporal';

const EXAMPLE_ROSTER = join(__dirname, '..', '..', 'examples', 'roster-hedmark-2017.csv');

jest.setTimeout(300_000);

/**
 * The whole 2017/2018 year with every email through the real delivery path: the workflows on the time-skipping
 * server, the real sendEmail activity, nodemailer over SMTP into a real SMTP server. Each email arrives exactly once.
 */
describe('a rehearsed year delivered over SMTP', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
  });

  afterAll(async () => {
    await sink.close();
  });

  it('delivers every email of the example year exactly once per business key', async () => {
    const plan = loadPlan(EXAMPLE_PLAN);
    // The example roster: 61 kindergartens in the 22 municipalities of Hedmark.
    const roster = loadRoster(EXAMPLE_ROSTER, plan);
    const never = roster.kindergartens[1]?.orgnr as string;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, pool: true });
    try {
      const result = await rehearse(plan, roster, scenarioSchema.parse({ kindergartens: { [never]: 'never' } }), { workflowBundle: await bundleWorkflows(), mailer: transport, full: true });
      const emails = result.entries.filter((e) => e.type === 'email');
      expect(emails.length).toBeGreaterThan(1000);
      expect(sink.messages).toHaveLength(emails.length);
      const ids = sink.messages.map((m) => m.mail.messageId);
      expect(new Set(ids).size).toBe(sink.messages.length);
      expect(ids.every((id) => /^<[0-9a-f]{40}@arshjul>$/.test(id ?? ''))).toBe(true);
      // Each delivered Message-ID is the one derived from an email's business key: one key, one message.
      expect(sink.messages.every((m) => m.rcptTo.length === 1)).toBe(true);
      const director = roster.kindergartens[0]?.director.email as string;
      expect(sink.messages.filter((m) => m.rcptTo[0] === director).length).toBe(emails.filter((e) => e.to === director).length);
      // The never-submitting kindergarten's escalations reach its authority in the daily digest, not one by one.
      const authority = roster.municipalities.find((m) => m.id === roster.kindergartens[1]?.municipalityId)?.authority.email;
      expect(emails.some((e) => e.to === authority && e.template === 'authority-digest')).toBe(true);
      expect(emails.filter((e) => e.template === 'deliverable-escalation')).toEqual([]);
      expect(messageIdFor('x')).toMatch(/^<[0-9a-f]{40}@arshjul>$/);
    } finally {
      transport.close();
    }
  });
});
