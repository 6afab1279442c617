import type { FastifyInstance, FastifyReply } from 'fastify';
import { count } from '../../texts/catalogue';
import PostalMime from 'postal-mime';
import { z } from 'zod';
import type { MailboxRepository } from '../../activities/db/mailbox-repository';
import { consoleErrorPage, coordinator } from '../console/guard';
import type { SessionDeps } from '../console/session';
import { esc as escapeHtml } from '../../texts/html';
import { formatNorwegian } from '../../texts/norwegian-format';

const PAGE_SIZE = 50;

const oslo = (ms: number) => formatNorwegian(ms, 'seconds');

const listQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  // PostgreSQL refuses U+0000 in text.
  to: z.string().max(200).refine((s) => !s.includes('\u0000'), 'expected text without NUL characters').optional(),
});
const idParams = z.object({ id: z.coerce.number().int().min(1, 'expected a message number') });
const attachmentParams = idParams.extend({ n: z.coerce.number().int().min(0, 'forventet nummeret på et vedlegg') });

function page(reply: FastifyReply, title: string, body: string): FastifyReply {
  // The message HTML is shown in a sandboxed srcdoc frame: no scripts, no requests from this page.
  reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; frame-src 'self'");
  reply.type('text/html; charset=utf-8');
  return reply.send(`<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
 body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem;color:#1a1a1a}
 table{border-collapse:collapse;width:100%;table-layout:fixed} th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #ccc;vertical-align:top;overflow-wrap:anywhere}
 th:first-child{width:9rem} pre,dd{overflow-wrap:anywhere}
 a{color:#0645ad} pre{white-space:pre-wrap;background:#f4f4f4;padding:1rem} iframe{width:100%;height:32rem;border:1px solid #999}
 dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem} dt{font-weight:600}
</style></head><body>${body}</body></html>`);
}

/**
 * The development mailbox's web pages: every message the embedded SMTP server received, and each one in full. They show
 * every director's personal upload link, so only a signed-in coordinator sees them; they exist only when `npm start`
 * runs the development mailbox.
 */
export function mailboxRoutes(repository: MailboxRepository, session: SessionDeps) {
  return async (app: FastifyInstance) => {
    app.setErrorHandler(consoleErrorPage);
    app.addHook('onRequest', async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      await coordinator(session, request);
    });
    const notFound = (reply: FastifyReply, what: string) => page(reply.status(404), 'Finnes ikke – Utviklingspostkasse', `<h1>Finnes ikke</h1><p>${escapeHtml(what)} <a href="/mailbox">Alle meldinger</a></p>`);

    app.get('/mailbox', async (request, reply) => {
      const query = listQuery.parse(request.query);
      const { total, messages } = await repository.list({ limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE, ...(query.to ? { to: query.to } : {}) });
      const rows = messages
        .map(
          (m) => `<tr><td>${escapeHtml(oslo(m.receivedAt))}</td><td>${escapeHtml(m.rcptTo.join(', '))}</td>` +
            `<td><a href="/mailbox/${m.id}">${escapeHtml(m.subject ?? '(uten emne)')}</a></td></tr>`,
        )
        .join('\n');
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      const to = query.to ? `&amp;to=${encodeURIComponent(query.to)}` : '';
      const nav = [
        query.page > 1 ? `<a href="/mailbox?page=${query.page - 1}${to}">Nyere</a>` : '',
        query.page < pages ? `<a href="/mailbox?page=${query.page + 1}${to}">Eldre</a>` : '',
      ].filter(Boolean).join(' · ');
      return page(
        reply,
        'Utviklingspostkasse – Årshjul',
        `<p><a href="/konsoll">Til konsollen</a></p><h1>Utviklingspostkasse</h1>
<p>E-post som Årshjul har sendt mens SMTP_URL ikke er satt. ${count(total, 'melding', 'meldinger')}, side ${query.page} av ${pages}.</p>
<form method="get" action="/mailbox"><label for="to">Mottaker inneholder</label> <input id="to" name="to" value="${escapeHtml(query.to ?? '')}"> <button type="submit">Filtrer</button></form>
<table><thead><tr><th scope="col">Mottatt</th><th scope="col">Til</th><th scope="col">Emne</th></tr></thead><tbody>
${rows || '<tr><td colspan="3">Ingen meldinger ennå.</td></tr>'}
</tbody></table><p>${nav}</p>`,
      );
    });

    app.get('/mailbox/:id', async (request, reply) => {
      const { id } = idParams.parse(request.params);
      const message = await repository.get(id);
      if (!message) return notFound(reply, `Melding ${id} finnes ikke i utviklingspostkassen.`);
      const parsed = await PostalMime.parse(message.raw);
      const attachments = parsed.attachments
        .map((a, n) => `<li><a href="/mailbox/${id}/attachments/${n}">${escapeHtml(a.filename ?? `vedlegg-${n + 1}`)}</a> (${escapeHtml(a.mimeType)})</li>`)
        .join('');
      return page(
        reply,
        `${parsed.subject ?? '(uten emne)'} – Utviklingspostkasse`,
        `<p><a href="/mailbox">← Alle meldinger</a></p>
<h1>${escapeHtml(parsed.subject ?? '(uten emne)')}</h1>
<dl><dt>Fra</dt><dd>${escapeHtml(parsed.from?.address ?? message.mailFrom ?? '')}</dd>
<dt>Til</dt><dd>${escapeHtml(message.rcptTo.join(', '))}</dd>
<dt>Mottatt</dt><dd>${escapeHtml(oslo(message.receivedAt))}</dd>
<dt>Message-ID</dt><dd>${escapeHtml(parsed.messageId ?? '')}</dd></dl>
<h2>Tekst</h2><pre>${escapeHtml(parsed.text ?? '')}</pre>
${parsed.html ? `<h2>HTML</h2><iframe title="HTML-versjonen av meldingen" sandbox srcdoc="${escapeHtml(parsed.html)}"></iframe>` : ''}
${attachments ? `<h2>Vedlegg</h2><ul>${attachments}</ul>` : ''}
<p><a href="/mailbox/${id}/raw">Vis kilden</a></p>`,
      );
    });

    app.get('/mailbox/:id/raw', async (request, reply) => {
      const { id } = idParams.parse(request.params);
      const message = await repository.get(id);
      if (!message) return notFound(reply, `Melding ${id} finnes ikke i utviklingspostkassen.`);
      return reply.type('text/plain; charset=utf-8').send(message.raw);
    });

    app.get('/mailbox/:id/attachments/:n', async (request, reply) => {
      const { id, n } = attachmentParams.parse(request.params);
      const message = await repository.get(id);
      const attachment = message ? (await PostalMime.parse(message.raw)).attachments[n] : undefined;
      if (!attachment) return notFound(reply, `Melding ${id} har ikke vedlegg nummer ${n}.`);
      const filename = (attachment.filename ?? `vedlegg-${n + 1}`).replace(/[^\w.\-æøåÆØÅ ]/g, '_');
      reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
      return reply.type(attachment.mimeType || 'application/octet-stream').send(Buffer.from(attachment.content as ArrayBuffer));
    });
  };
}
