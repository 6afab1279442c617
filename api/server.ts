import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { ARSHJUL_RELEASE } from '../application/release';
import type { RunControlDeps } from '../application/run-control';
import { answerError } from './errors';
import { OpenApiRegistry } from './openapi';
import { runRoutes } from './routes/run-routes';
import { mailboxRoutes } from './routes/mailbox-routes';
import { submissionRoutes } from './routes/submission-routes';
import { uploadRoutes } from './routes/upload-routes';
import { type ConsoleDeps, consoleRoutes } from './routes/console-routes';
import { STYLESHEET, STYLESHEET_PATH } from './pages/layout';
import type { UploadDeps } from '../application/upload-service';
import { requestSerializers } from './log-redaction';
import { unavailablePage } from './pages/upload-pages';
import type { MailboxRepository } from '../activities/db/mailbox-repository';

export interface AppOptions {
  logger?: boolean;
  /** Where the log goes when not stdout (tests read it to check that no secret is logged). */
  logStream?: NodeJS.WritableStream;
  /** The development mailbox (`npm start` without SMTP_URL): its pages need the console's sign-in. */
  mailbox?: MailboxRepository;
  /** The directors' upload pages and the recipients' downloads. */
  uploads?: UploadDeps;
  /** The coordinator's console under /konsoll. */
  console?: ConsoleDeps;
}

/** Builds the API without listening (tests use `inject`). Errors follow application/errors.ts: 400 input, 404 unknown, 409 refused, 503 unavailable, 500 opaque. */
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
  // The one error mapping (application/errors.ts): the taxonomy's kind gives the status, the body says what to do in
  // bokmål, and internals stay in the log. Fastify's own 4xx (a body too large, a bad content type) pass as they are.
  app.setErrorHandler((error, request, reply) => {
    const { status, described } = answerError(error, request, reply);
    reply.status(status);
    if (!described) return reply.send({ error: (error as Error).message });
    if (described.kind === 'unavailable' && request.url.startsWith('/levering/')) return reply.type('text/html; charset=utf-8').send(unavailablePage());
    return reply.send({ error: described.message, ...(described.issues.length ? { issues: described.issues } : {}), ...(described.refusal ? { refusal: described.refusal.code } : {}) });
  });
  await app.register(cookie);
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
  if (options.mailbox) {
    if (!options.console) throw new Error('the development mailbox is served only with the console (its pages need a coordinator signed in)');
    await app.register(mailboxRoutes(options.mailbox, options.console));
  }
  app.get('/api/openapi.json', async () => openapi.document({ title: 'Årshjul API', version: ARSHJUL_RELEASE }));
  openapi.refuseOtherMethods(app);
  return app;
}
