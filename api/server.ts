import Fastify, { type FastifyInstance } from 'fastify';
import { InputError } from '../config/errors';
import { NotFoundError, RefusedError, type RunControlDeps } from './run-control';
import { runRoutes } from './routes/run-routes';
import { mailboxRoutes } from './routes/mailbox-routes';
import type { MailboxRepository } from '../activities/db/mailbox-repository';

/** Builds the API without listening (tests use `inject`). Errors: 400 input, 404 unknown, 409 refused, 500 opaque. */
export async function buildApp(deps: RunControlDeps, options: { logger?: boolean; mailbox?: MailboxRepository } = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof InputError) return reply.status(400).send({ error: error.summary, issues: error.issues });
    if (error instanceof NotFoundError) return reply.status(404).send({ error: error.message });
    if (error instanceof RefusedError) return reply.status(409).send({ error: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.status(status).send({ error: (error as Error).message });
    request.log.error(error);
    return reply.status(500).send({ error: 'internal error; the details are in the server log' });
  });
  app.get('/health', async () => ({ ok: true }));
  await app.register(runRoutes(deps));
  if (options.mailbox) await app.register(mailboxRoutes(options.mailbox));
  return app;
}
