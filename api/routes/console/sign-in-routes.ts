import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyPassword } from '../../../security/passwords';
import { Forbidden, htmlReply, visitor } from '../../console/guard';
import { endSession, startSession } from '../../console/session';
import { signInPage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';

/** A password check for an unknown address costs as much as for a known one, so timing tells nothing. */
const UNKNOWN_ACCOUNT_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Signing in (10 attempts a minute per address) and out. */
export function signInRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance) => {
    app.get('/konsoll/logg-inn', async (_request, reply) => htmlReply(reply, 200, signInPage({})));
    app.post('/konsoll/logg-inn', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
      // PostgreSQL refuses U+0000 in text; no account has it in its email address.
      const form = z.object({ epost: z.string().max(320).refine((s) => !s.includes('\u0000')), passord: z.string().max(200) }).safeParse(request.body);
      if (!form.success) return htmlReply(reply, 400, signInPage({ error: 'Fyll inn e-post og passord.' }));
      const found = await deps.accounts.findForSignIn(form.data.epost.trim());
      // The same answer, and a password check either way, whether the account exists or not.
      const ok = await verifyPassword(form.data.passord, found?.passwordHash ?? UNKNOWN_ACCOUNT_HASH);
      if (!found || !ok) return htmlReply(reply, 401, signInPage({ error: 'Feil e-post eller passord.', email: form.data.epost }));
      await startSession(deps, reply, found.user.id);
      await deps.accounts.audit({ actor: found.user.email, action: 'signed-in', runId: null });
      return reply.redirect('/konsoll', 303);
    });
    app.post('/konsoll/logg-ut', async (request, reply) => {
      const v = await visitor(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      await endSession(deps, request, reply);
      return reply.redirect('/konsoll/logg-inn', 303);
    });
  };
}
