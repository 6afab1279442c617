import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { PgStore } from '../../activities/db/pg-store';
import { createEmailActivities, messageIdFor } from '../../activities/email/email-activities';
import type { Roster } from '../../config/roster-schema';
import type { SendEmailInput, SendEmailResult } from '../../domain/activity-contracts';
import { HEDMARK_GROUPS, loadExamplePlan } from '../helpers/example-plan';
import { freshSchema } from '../helpers/postgres';
import { TEST_UPLOAD_SECRET } from '../helpers/temporal';
import { verifyUploadToken } from '../../security/upload-tokens';
import { buildRoster } from '../helpers/roster-builder';
import { type ReceivedMessage, type SmtpSink, headerOf, startSmtpSink } from '../helpers/smtp-sink';
import { ARSHJUL_RELEASE } from '../../application/release';

const RUN_ID = 'arshjul-2017-hedmark';
const PUBLIC_BASE_URL = 'https://arshjul.example.no';
const FROM = 'arshjul@fylkesmannen.example';

let db: Awaited<ReturnType<typeof freshSchema>>;
let sink: SmtpSink;
let transport: Transporter;
let roster: Roster;
let activities: ReturnType<typeof createEmailActivities>;
let keyCounter = 0;

beforeAll(async () => {
  db = await freshSchema('emaildelivery');
  const store = new PgStore({ pool: db.pool });
  roster = buildRoster(HEDMARK_GROUPS, 2);
  await store.createRun(RUN_ID, loadExamplePlan(), roster, [], ARSHJUL_RELEASE);
  sink = await startSmtpSink();
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
  activities = createEmailActivities({ store, mailer: transport, mail: { from: `Årshjul Hedmark <${FROM}>`, publicBaseUrl: PUBLIC_BASE_URL, uploadSecret: TEST_UPLOAD_SECRET } });
});

afterAll(async () => {
  transport?.close();
  await sink?.close();
  await db?.drop();
});

beforeEach(() => {
  sink.messages.length = 0;
  sink.refuseRcpt = null;
});

/** Runs the real activity as a worker would, with an activity context (heartbeats) but no server. */
function sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
  const env = new MockActivityEnvironment({ activityType: 'sendEmail' }, { logger: new DefaultLogger('ERROR') });
  return env.run(activities.sendEmail, input);
}

/** A unique business key per call site, shaped like the kindergarten workflow's keys. */
function nextKey(orgnr: string, step: string): string {
  keyCounter += 1;
  return `${RUN_ID}/${orgnr}/${step}#${keyCounter}`;
}

function kindergartenIn(groupId: string, index = 0): { orgnr: string; directorEmail: string } {
  const k = roster.kindergartens.filter((x) => x.groupId === groupId)[index];
  if (!k) throw new Error(`no kindergarten ${index} in ${groupId}`);
  return { orgnr: k.orgnr, directorEmail: k.director.email };
}

/** The director prompt for «Analysen så langt», as the kindergarten workflow asks for it. */
function directorPrompt(orgnr: string, key: string): SendEmailInput {
  return {
    key,
    runId: RUN_ID,
    template: 'deliverable-prompt',
    to: { kind: 'director', orgnr },
    about: { orgnr },
    where: { regionId: 'hedmarken', groupId: 'ringsaker-loten' },
    deliverable: {
      id: 'analysis-so-far',
      title: 'Analysen så langt (modul 1 og 2)',
      recipient: 'research-centre',
      opensAt: Date.UTC(2018, 0, 4, 7),
      dueAt: Date.UTC(2018, 0, 11, 15),
      lateUntil: Date.UTC(2018, 0, 17, 15),
    },
    scheduledFor: Date.UTC(2018, 0, 4, 7),
    requestedAt: Date.UTC(2018, 0, 4, 7, 0, 1),
    latestUsefulAt: Date.UTC(2018, 0, 11, 15),
  };
}

function read(message: ReceivedMessage) {
  const { mail } = message;
  return {
    subject: mail.subject ?? '',
    messageId: mail.messageId ?? null,
    to: headerOf(mail, 'to') ?? '',
    from: headerOf(mail, 'from') ?? '',
    text: mail.text ?? '',
    html: mail.html ?? '',
  };
}

async function outboxRow(key: string): Promise<{ state: string; attempts: number; last_error: string | null; message_id: string }> {
  const { rows } = await db.pool.query<{ state: string; attempts: number; last_error: string | null; message_id: string }>(
    'SELECT state, attempts, last_error, message_id FROM email_outbox WHERE key = $1',
    [key],
  );
  const row = rows[0];
  if (!row) throw new Error(`no outbox row ${key}`);
  return row;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome: unknown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the activity to fail');
  return outcome;
}

describe('sendEmail over SMTP', () => {
  it("delivers a director's deliverable prompt once, to the director, with a Message-ID from the key and the upload link", async () => {
    const { orgnr, directorEmail } = kindergartenIn('ringsaker-loten');
    const key = nextKey(orgnr, 'deliverable:analysis-so-far:prompt');

    const result = await sendEmail(directorPrompt(orgnr, key));

    expect(result).toEqual({ sent: 1, alreadySent: 0, recipients: [directorEmail] });
    expect(sink.messages).toHaveLength(1);
    const [message] = sink.messages as [ReceivedMessage];
    expect(message.mailFrom).toBe(FROM);
    expect(message.rcptTo).toEqual([directorEmail]);
    const mail = read(message);
    expect(mail.messageId).toBe(messageIdFor(`${key}/director-${orgnr}`));
    expect(mail.to).toContain(`<${directorEmail}>`);
    expect(mail.from).toContain(`<${FROM}>`);
    expect(mail.subject).toBe('Kultur for læring: Analysen så langt (modul 1 og 2) – frist torsdag 11. januar');
    // The personal link: a token signed for this run, kindergarten and deliverable, valid until the late window closes.
    const uploadUrl = new RegExp(`Last opp her: (${PUBLIC_BASE_URL}/levering/(v1\\.[\\w-]+\\.[\\w-]+))`).exec(mail.text)?.[1] as string;
    const token = uploadUrl.split('/levering/')[1] as string;
    const verified = verifyUploadToken(token, TEST_UPLOAD_SECRET, Date.parse('2018-01-05T12:00:00Z'));
    expect(verified).toEqual({ ok: true, claims: expect.objectContaining({ runId: RUN_ID, orgnr, deliverableId: 'analysis-so-far', version: 1 }) });
    expect(verifyUploadToken(token, 'another-secret-of-at-least-32-characters', Date.now()).ok).toBe(false);
    expect(mail.text).toContain(`Hei Styrer ${orgnr},`);
    expect(mail.text).toContain('Fristen er torsdag 11. januar 2018 kl. 16.00.');
    expect(mail.html).toContain(`<a href="${uploadUrl}" style="word-break:break-all;overflow-wrap:anywhere">`);

    const row = await outboxRow(`${key}/director-${orgnr}`);
    expect(row).toMatchObject({ state: 'sent', attempts: 1, last_error: null, message_id: mail.messageId });
  });

  it('sends nothing more when the activity is called again with the same key', async () => {
    const { orgnr, directorEmail } = kindergartenIn('ringsaker-loten', 1);
    const key = nextKey(orgnr, 'deliverable:analysis-so-far:prompt');
    await sendEmail(directorPrompt(orgnr, key));

    const again = await sendEmail(directorPrompt(orgnr, key));

    expect(again).toEqual({ sent: 0, alreadySent: 1, recipients: [directorEmail] });
    expect(sink.messages).toHaveLength(1);
    expect(await outboxRow(`${key}/director-${orgnr}`)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('sends one email to the authority of each municipality in the region for a municipal-authorities selector', async () => {
    const key = `${RUN_ID}/hedmarken/group-setup-deadline#${++keyCounter}`;
    const input: SendEmailInput = {
      key,
      runId: RUN_ID,
      template: 'group-setup-deadline',
      to: { kind: 'municipal-authorities', regionId: 'hedmarken', groupId: null },
      milestone: { id: 'group-setup-deadline', title: 'Frist for gruppeoppsett', kind: 'deadline', location: null, at: Date.UTC(2017, 11, 1, 15) },
      scheduledFor: Date.UTC(2017, 10, 17, 7),
      requestedAt: Date.UTC(2017, 10, 17, 7, 0, 1),
      latestUsefulAt: Date.UTC(2017, 11, 1, 15),
    };

    const result = await sendEmail(input);

    const authorities = ['barnehage@hamar-stange.kommune.example', 'barnehage@ringsaker-loten.kommune.example'];
    expect(result).toEqual({ sent: 2, alreadySent: 0, recipients: authorities });
    expect(sink.messages.map((m) => m.rcptTo)).toEqual(authorities.map((a) => [a]));
    const mails = sink.messages.map(read);
    expect(mails.map((m) => m.messageId)).toEqual([messageIdFor(`${key}/authority-m-hamar-stange`), messageIdFor(`${key}/authority-m-ringsaker-loten`)]);
    expect(mails[0]?.text).toContain('gruppeoppsettet for Kommune hamar-stange:');
    expect(mails[1]?.text).toContain('gruppeoppsettet for Kommune ringsaker-loten:');
    expect(mails.every((m) => m.subject === 'Kultur for læring: Frist for gruppeoppsett til kompetansepakken fredag 1. desember')).toBe(true);
  });

  it('fails without retry and marks the email failed when the server refuses the recipient with 550', async () => {
    const { orgnr, directorEmail } = kindergartenIn('hamar-stange');
    const key = nextKey(orgnr, 'deliverable:analysis-so-far:prompt');
    sink.refuseRcpt = { code: 550, message: 'Mailbox unavailable' };

    const error = await failureOf(sendEmail(directorPrompt(orgnr, key)));

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).type).toBe('Refused');
    expect(error.message).toContain(directorEmail);
    expect(sink.messages).toHaveLength(0);
    const row = await outboxRow(`${key}/director-${orgnr}`);
    expect(row.state).toBe('failed');
    expect(row.last_error).toContain('550');
  });

  it('fails retryably on a temporary 451 refusal and delivers exactly once when called again after the server recovers', async () => {
    const { orgnr, directorEmail } = kindergartenIn('hamar-stange', 1);
    const key = nextKey(orgnr, 'deliverable:analysis-so-far:prompt');
    sink.refuseRcpt = { code: 451, message: 'Try again later' };

    const error = await failureOf(sendEmail(directorPrompt(orgnr, key)));

    // Anything but a non-retryable ApplicationFailure is retried by Temporal's retry policy.
    expect(error instanceof ApplicationFailure && error.nonRetryable).toBe(false);
    expect((error as Error & { responseCode?: number }).responseCode).toBe(451);
    expect(sink.messages).toHaveLength(0);
    expect((await outboxRow(`${key}/director-${orgnr}`)).state).toBe('failed');

    sink.refuseRcpt = null;
    const retried = await sendEmail(directorPrompt(orgnr, key));

    expect(retried).toEqual({ sent: 1, alreadySent: 0, recipients: [directorEmail] });
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]?.rcptTo).toEqual([directorEmail]);
    expect(read(sink.messages[0] as ReceivedMessage).messageId).toBe(messageIdFor(`${key}/director-${orgnr}`));
    expect(await outboxRow(`${key}/director-${orgnr}`)).toMatchObject({ state: 'sent', attempts: 2, last_error: null });
  });

  it('never records as sent what no SMTP server accepted: a transport that only pretends (JSON) fails the send without retry', async () => {
    const { orgnr, directorEmail } = kindergartenIn('kongsvinger');
    const key = nextKey(orgnr, 'deliverable:analysis-so-far:prompt');
    const pretending = createEmailActivities({
      store: new PgStore({ pool: db.pool }),
      mailer: nodemailer.createTransport({ jsonTransport: true }),
      mail: { from: FROM, publicBaseUrl: PUBLIC_BASE_URL, uploadSecret: TEST_UPLOAD_SECRET },
    });
    const env = new MockActivityEnvironment({ activityType: 'sendEmail' }, { logger: new DefaultLogger('ERROR') });

    const error = await failureOf(env.run(pretending.sendEmail, directorPrompt(orgnr, key)));

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect(error.message).toContain(`no SMTP server confirmed the message to ${directorEmail}`);
    const row = await outboxRow(`${key}/director-${orgnr}`);
    expect(row.state).toBe('failed');
    expect(row.last_error).toContain('no SMTP server confirmed');
  });
});
