import Fastify, { type FastifyInstance } from 'fastify';
import { InputError } from '../config/errors';
import { NotFoundError, RefusedError, type RunControlDeps } from '../application/run-control';
import { OpenApiRegistry } from './openapi';
import { runRoutes } from './routes/run-routes';
import { mailboxRoutes } from './routes/mailbox-routes';
import { submissionRoutes } from './routes/submission-routes';
import { uploadRoutes } from './routes/upload-routes';
import { type ConsoleDeps, consoleRoutes } from './routes/console-routes';
import { STYLESHEET, STYLESHEET_PATH } from './pages/layout';
import type { UploadDeps } from '../application/upload-service';
import { isStorageUnavailable } from './storage-unavailable';
import { requestSerializers } from './log-redaction';
import { unavailablePage } from './pages/upload-pages';
import type { MailboxRepository } from '../activities/db/mailbox-repository';

export interface AppOptions {
  logger?: boolean;
  /** Where the log goes when not stdout (tests read it to check that no secret is logged). */
  logStream?: NodeJS.WritableStream;
  mailbox?: MailboxRepository;
  /** The directors' upload pages and the recipients' downloads. */
  uploads?: UploadDeps;
  /** The coordinator's console under /konsoll. */
  console?: ConsoleDeps;
}

/** Builds the API without listening (tests use `inject`). Errors: 400 input, 404 unknown, 409 refused, 503 storage unavailable, 500 opaque. */
export async function buildApp(deps: RunControlDeps, options: AppOptions = {}): Promise<FastifyInstance> {
  // Upload tokens travel as one path segment of a few hundred characters (Fastify's default limit is 100).
  const logger = options.logger || options.logStream ? { level: 'info', serializers: requestSerializers, ...(options.logStream ? { stream: options.logStream } : {}) } : false;
  const app = Fastify({ logger, routerOptions: { maxParamLength: 2048 } });
  // A baseline for every answer (JSON included); the page routes add their own Content-Security-Policy.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  });
  const openapi = new OpenApiRegistry();
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof InputError) return reply.status(400).send({ error: error.summary, issues: error.issues });
    if (error instanceof NotFoundError) return reply.status(404).send({ error: error.message });
    if (error instanceof RefusedError) return reply.status(409).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: (error as Error).message });
    request.log.error(error);
    // PostgreSQL restarting: a clear, retryable answer (forms carry their submission id, so a repeat is harmless).
    // The console's routes have an error handler of their own.
    if (isStorageUnavailable(error)) {
      reply.status(503).header('Retry-After', '30');
      if (request.url.startsWith('/levering/')) return reply.type('text/html; charset=utf-8').send(unavailablePage());
      return reply.send({ error: 'storage temporarily unavailable; send the same request again shortly (a repeat with the same submission id is not stored twice)' });
    }
    return reply.status(500).send({ error: 'internal error; the details are in the server log' });
  });
  app.get('/health', async () => ({ ok: true }));
  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(STYLESHEET));
  await app.register(runRoutes(deps, openapi));
  if (options.uploads) {
    await app.register(uploadRoutes(options.uploads, openapi));
    await app.register(submissionRoutes(options.uploads, openapi));
  }
  if (options.console) {
    await app.register(consoleRoutes(options.console));
    app.get('/', async (_request, reply) => reply.redirect('/konsoll', 302));
  }
  if (options.mailbox) await app.register(mailboxRoutes(options.mailbox));
  app.get('/api/openapi.json', async () => openapi.document({ title: 'Årshjul API', version: '1' }));
  return app;
}
