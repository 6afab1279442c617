import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import { MemoryStore } from '../../activities/db/memory-store';
import { MailboxRepository } from '../../activities/db/mailbox-repository';
import { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { exampleFiles } from '../../api/main';
import { buildApp } from '../../api/server';
import { hashPassword } from '../../security/passwords';
import { type DevSmtpServer, startDevSmtpServer } from '../../mailbox/dev-smtp-server';
import { freshSchema } from '../helpers/postgres';

jest.setTimeout(60_000);

const PASSWORD = 'korrekt-hest-batteri-stift';

/**
 * The development mailbox: a real SMTP server storing in PostgreSQL, and its pages served by the API to a signed-in
 * coordinator only (the messages hold every director's personal upload link).
 */
describe('the development mailbox', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let smtp: DevSmtpServer;
  let app: FastifyInstance;
  let transport: Transporter;
  let cookie: string;
  let readerCookie: string;

  beforeAll(async () => {
    db = await freshSchema('mailbox');
    const repository = new MailboxRepository(db.pool);
    smtp = await startDevSmtpServer(repository, { host: '127.0.0.1', port: 0 });
    const control = { client: {} as Pick<Client, 'workflow'>, store: new MemoryStore(), taskQueue: 'unused' };
    const accounts = new AccountRepository(db.pool);
    const passwordHash = await hashPassword(PASSWORD);
    await accounts.addUser({ email: 'kari@fylke.example', name: 'Kari', passwordHash, role: 'coordinator', runId: null, municipalityId: null });
    await accounts.addUser({ email: 'sepu@inn.example', name: 'SePU', passwordHash, role: 'research-centre', runId: 'arshjul-2017-hedmark', municipalityId: null });
    app = await buildApp(control, {
      mailbox: repository,
      console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, examples: exampleFiles() },
    });
    const signIn = async (email: string) => {
      const response = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: `epost=${encodeURIComponent(email)}&passord=${PASSWORD}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return String(response.headers['set-cookie']).split(';')[0] as string;
    };
    cookie = await signIn('kari@fylke.example');
    readerCookie = await signIn('sepu@inn.example');
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'arshjul@localhost',
      to: 'styrer@solstua.barnehage.example',
      subject: 'Kultur for læring: Workshop 1 <script>',
      text: 'Hei Kari,\nvelkommen til workshop 1.',
      html: '<p>Hei <b>Kari</b></p><script>alert(1)</script>',
      messageId: '<abc123@arshjul>',
      attachments: [{ filename: 'invitasjon.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' }],
    });
    await transport.sendMail({ from: 'arshjul@localhost', to: 'barnehage@hamar.kommune.example', subject: 'Andre melding', text: 'Hei' });
  });

  afterAll(async () => {
    transport.close();
    await app.close();
    await smtp.close();
    await db.drop();
  });

  it('is shown only to a signed-in coordinator: anyone else is sent to the sign-in page, a reader refused', async () => {
    for (const url of ['/mailbox', '/mailbox/1', '/mailbox/1/raw', '/mailbox/1/attachments/0']) {
      const anonymous = await app.inject({ method: 'GET', url });
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe('/konsoll/logg-inn');
      const reader = await app.inject({ method: 'GET', url, headers: { cookie: readerCookie } });
      expect(reader.statusCode).toBe(403);
      expect(reader.body).not.toContain('Hei Kari');
    }
  });

  it('lists every message it received, newest first, with subjects escaped', async () => {
    const page = await app.inject({ method: 'GET', url: '/mailbox', headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('2 meldinger');
    expect(page.body.indexOf('Andre melding')).toBeLessThan(page.body.indexOf('Workshop 1'));
    expect(page.body).toContain('Kultur for læring: Workshop 1 &lt;script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('filters by recipient', async () => {
    const page = await app.inject({ method: 'GET', url: '/mailbox?to=hamar', headers: { cookie } });
    expect(page.body).toContain('1 melding,');
    expect(page.body).toContain('Andre melding');
    expect(page.body).not.toContain('Workshop 1');
  });

  it('shows one message with its text, its HTML in a sandboxed frame, and its attachments', async () => {
    const list = await app.inject({ method: 'GET', url: '/mailbox?to=solstua', headers: { cookie } });
    const id = /href="\/mailbox\/(\d+)"/.exec(list.body)?.[1];
    const page = await app.inject({ method: 'GET', url: `/mailbox/${id}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Hei Kari,\nvelkommen til workshop 1.');
    expect(page.body).toContain('&lt;abc123@arshjul&gt;');
    expect(page.body).toMatch(/<iframe title="HTML-versjonen av meldingen" sandbox srcdoc="&lt;p&gt;Hei &lt;b&gt;Kari&lt;\/b&gt;&lt;\/p&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    expect(page.body).toContain(`<a href="/mailbox/${id}/attachments/0">invitasjon.ics</a> (text/calendar)`);
    const attachment = await app.inject({ method: 'GET', url: `/mailbox/${id}/attachments/0`, headers: { cookie } });
    expect(attachment.statusCode).toBe(200);
    expect(attachment.headers['content-disposition']).toBe("attachment; filename*=UTF-8''invitasjon.ics");
    expect(attachment.body).toContain('BEGIN:VCALENDAR');
    const raw = await app.inject({ method: 'GET', url: `/mailbox/${id}/raw`, headers: { cookie } });
    expect(raw.body).toContain('Message-ID: <abc123@arshjul>');
  });

  it('answers 404 for an unknown message or attachment and 400 for a malformed number, as pages in bokmål', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/mailbox/999999', headers: { cookie } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Melding 999999 finnes ikke i utviklingspostkassen.');
    const attachment = await app.inject({ method: 'GET', url: '/mailbox/1/attachments/9', headers: { cookie } });
    expect(attachment.statusCode).toBe(404);
    expect(attachment.body).toContain('har ikke vedlegg nummer 9');
    const bad = await app.inject({ method: 'GET', url: '/mailbox/abc', headers: { cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('text/html');
    expect(bad.body).toContain('Forespørselen kan ikke brukes');
  });
});
