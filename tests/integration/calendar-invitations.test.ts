import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import nodemailer, { type Transporter } from 'nodemailer';
import PostalMime from 'postal-mime';
import { PgStore } from '../../activities/db/pg-store';
import { calendarInvitation } from '../../activities/email/calendar';
import { createEmailActivities } from '../../activities/email/email-activities';
import type { SendEmailInput } from '../../domain/activity-contracts';
import { HEDMARK_GROUPS, loadExamplePlan } from '../helpers/example-plan';
import { freshSchema } from '../helpers/postgres';
import { buildRoster } from '../helpers/roster-builder';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(60_000);
const RUN_ID = 'arshjul-2017-hedmark';

/** Workshop and meeting invitations carry an iCalendar event; a moved event keeps its UID with a higher SEQUENCE. */
describe('calendar invitations', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let sink: SmtpSink;
  let transport: Transporter;
  let activities: ReturnType<typeof createEmailActivities>;
  const roster = buildRoster(HEDMARK_GROUPS, 1);
  const director = roster.kindergartens[0] as (typeof roster.kindergartens)[number];

  beforeAll(async () => {
    db = await freshSchema('calendar');
    const store = new PgStore({ pool: db.pool });
    await store.createRun(RUN_ID, loadExamplePlan(), roster, [], ARSHJUL_RELEASE);
    sink = await startSmtpSink();
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    activities = createEmailActivities({ store, mailer: transport, mail: { from: 'arshjul@fylkesmannen.example', publicBaseUrl: 'https://arshjul.example', uploadSecret: TEST_UPLOAD_SECRET } });
  });

  afterAll(async () => {
    transport.close();
    await sink.close();
    await db.drop();
  });

  const invitation = (version: number, at: number): SendEmailInput => ({
    key: `${RUN_ID}/${director.orgnr}/workshop-1/workshop-invitation:directors:14@v${version}`,
    runId: RUN_ID,
    template: 'workshop-invitation',
    to: { kind: 'director', orgnr: director.orgnr },
    milestone: { id: 'workshop-1', title: 'Workshop 1: Tolke og analysere data', kind: 'workshop', location: 'Hamar rådhus', at, occurrenceKey: `workshop-1/${director.regionId}/${director.groupId}`, version, durationMinutes: 420 },
    about: { orgnr: director.orgnr },
    where: { regionId: director.regionId, groupId: director.groupId },
    scheduledFor: at - 14 * 86_400_000,
    requestedAt: at - 14 * 86_400_000,
    latestUsefulAt: at,
  });

  async function calendarOf(index: number): Promise<string> {
    const parsed = await PostalMime.parse((sink.messages[index] as { raw: string }).raw);
    const ics = parsed.attachments.find((a) => a.mimeType.startsWith('text/calendar'));
    if (!ics) throw new Error('no text/calendar part');
    const text = typeof ics.content === 'string' ? ics.content : Buffer.from(ics.content as ArrayBuffer).toString('utf8');
    return text.replace(/\r?\n[ \t]/g, '');
  }

  it('attaches a REQUEST with a stable UID, and an update with the same UID and a higher SEQUENCE when the workshop moves', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    const first = Date.parse('2018-01-18T08:00:00Z');
    await env.run(activities.sendEmail, invitation(0, first));
    await env.run(activities.sendEmail, invitation(1, first + 7 * 86_400_000));
    expect(sink.messages).toHaveLength(2);
    const [before, after] = [await calendarOf(0), await calendarOf(1)];
    const uid = `UID:${RUN_ID}/workshop-1/${director.regionId}/${director.groupId}@arshjul`;
    for (const ics of [before, after]) {
      expect(ics).toContain('METHOD:REQUEST');
      expect(ics).toContain(uid);
      expect(ics).toContain(`ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE;CN="${director.director.name}":MAILTO:${director.director.email}`);
    }
    expect(before).toContain('SEQUENCE:0');
    expect(after).toContain('SEQUENCE:1');
    // 09:00 in Oslo (winter time) is 08:00 UTC; seven hours long.
    expect(before).toContain('DTSTART:20180118T080000Z');
    expect(after).toContain('DTSTART:20180125T080000Z');
    expect(after).toContain('DTEND:20180125T150000Z');
    expect(after).toContain('LOCATION:Hamar rådhus');
  });

  it('sends no calendar with an email that is not an invitation', async () => {
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
    await env.run(activities.sendEmail, { ...invitation(0, Date.parse('2018-01-03T07:00:00Z')), key: `${RUN_ID}/x/portal`, template: 'portal-opens' });
    const parsed = await PostalMime.parse((sink.messages.at(-1) as { raw: string }).raw);
    expect(parsed.attachments.filter((a) => a.mimeType.startsWith('text/calendar'))).toEqual([]);
  });

  it('writes a cancellation as METHOD:CANCEL with STATUS:CANCELLED', () => {
    const ics = calendarInvitation({
      uid: 'u@arshjul',
      sequence: 3,
      method: 'CANCEL',
      start: Date.parse('2018-03-08T08:00:00Z'),
      durationMinutes: 60,
      summary: 'Workshop 2',
      location: null,
      description: 'Avlyst',
      organizer: { name: 'Koordinator', email: 'k@example.no' },
      attendee: { name: 'Styrer', email: 's@example.no' },
    });
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).toContain('SEQUENCE:3');
  });
});
