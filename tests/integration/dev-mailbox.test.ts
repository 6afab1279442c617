import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import nodemailer, { type Transporter } from 'nodemailer';
import { MemoryStore } from '../../activities/db/memory-store';
import { MailboxRepository } from '../../activities/db/mailbox-repository';
import { buildApp } from '../../api/server';
import { type DevSmtpServer, startDevSmtpServer } from '../../mailbox/dev-smtp-server';
import { freshSchema } from '../helpers/postgres';

jest.setTimeout(60_000);

/** The development mailbox: a real SMTP server storing in PostgreSQL, and its pages served by the API. */
describe('the development mailbox', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let smtp: DevSmtpServer;
  let app: FastifyInstance;
  let transport: Transporter;

  beforeAll(async () => {
    db = await freshSchema('mailbox');
    const repository = new MailboxRepository(db.pool);
    smtp = await startDevSmtpServer(repository, { host: '127.0.0.1', port: 0 });
    app = await buildApp({ client: {} as Pick<Client, 'workflow'>, store: new MemoryStore(), taskQueue: 'unused' }, { mailbox: repository });
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

  it('lists every message it received, newest first, with subjects escaped', async () => {
    const page = await app.inject({ method: 'GET', url: '/mailbox' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('2 melding(er)');
    expect(page.body.indexOf('Andre melding')).toBeLessThan(page.body.indexOf('Workshop 1'));
    expect(page.body).toContain('Kultur for læring: Workshop 1 &lt;script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('filters by recipient', async () => {
    const page = await app.inject({ method: 'GET', url: '/mailbox?to=hamar' });
    expect(page.body).toContain('1 melding(er)');
    expect(page.body).toContain('Andre melding');
    expect(page.body).not.toContain('Workshop 1');
  });

  it('shows one message with its text, its HTML in a sandboxed frame, and its attachments', async () => {
    const list = await app.inject({ method: 'GET', url: '/mailbox?to=solstua' });
    const id = /href="\/mailbox\/(\d+)"/.exec(list.body)?.[1];
    const page = await app.inject({ method: 'GET', url: `/mailbox/${id}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Hei Kari,\nvelkommen til workshop 1.');
    expect(page.body).toContain('&lt;abc123@arshjul&gt;');
    expect(page.body).toMatch(/<iframe title="HTML-versjonen av meldingen" sandbox srcdoc="&lt;p&gt;Hei &lt;b&gt;Kari&lt;\/b&gt;&lt;\/p&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    expect(page.body).toContain(`<a href="/mailbox/${id}/attachments/0">invitasjon.ics</a> (text/calendar)`);
    const attachment = await app.inject({ method: 'GET', url: `/mailbox/${id}/attachments/0` });
    expect(attachment.statusCode).toBe(200);
    expect(attachment.headers['content-disposition']).toBe("attachment; filename*=UTF-8''invitasjon.ics");
    expect(attachment.body).toContain('BEGIN:VCALENDAR');
    const raw = await app.inject({ method: 'GET', url: `/mailbox/${id}/raw` });
    expect(raw.body).toContain('Message-ID: <abc123@arshjul>');
  });

  it('answers 404 for an unknown message or attachment and 400 for a malformed number', async () => {
    expect((await app.inject({ method: 'GET', url: '/mailbox/999999' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/mailbox/1/attachments/9' })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/mailbox/abc' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('path.id');
  });
});
