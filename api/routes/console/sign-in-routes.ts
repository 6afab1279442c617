import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyPassword } from '../../../security/passwords';
import { Forbidden, htmlReply, visitor } from '../../console/guard';
import { endSession, startSession } from '../../console/session';
import { messagePage, signInPage } from '../../pages/console-pages';
import { verifyRecipientLink } from '../../../security/recipient-links';
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
    // A recipient's personal link (in every notice to the research centre or an authority): signs in, no password.
    app.get('/mottaker/:token', { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } }, async (request, reply) => {
      const token = z.object({ token: z.string().max(2048) }).safeParse(request.params);
      const secret = deps.linkSecret;
      const verified = token.success && secret ? verifyRecipientLink(token.data.token, secret, (deps.now ?? Date.now)()) : null;
      if (!verified?.ok) {
        const expired = verified && !verified.ok && verified.reason === 'expired';
        return htmlReply(reply, expired ? 410 : 404, messagePage({ user: null, csrf: null, title: 'Lenken virker ikke' }, expired ? 'Lenken er utløpt' : 'Lenken virker ikke', expired ? 'Personlige lenker virker i 30 dager. Den neste e-posten fra Årshjul har en ny lenke, eller be fylkeskoordinatoren om tilgang.' : 'Lenken er ikke gyldig. Bruk lenken i den siste e-posten fra Årshjul, eller be fylkeskoordinatoren om tilgang.'));
      }
      const { claims } = verified;
      const [run] = await deps.read.listRuns(claims.runId);
      const municipality = claims.municipalityId ? (await deps.read.municipalities(claims.runId)).find((m) => m.id === claims.municipalityId) : null;
      if (!run || (claims.municipalityId && !municipality)) return htmlReply(reply, 404, messagePage({ user: null, csrf: null, title: 'Ukjent' }, 'Fant ikke programåret', 'Programåret lenken gjelder, finnes ikke lenger.'));
      const name = claims.role === 'research-centre' ? 'Forskningssenteret' : `Barnehagemyndigheten i ${municipality?.name ?? ''}`;
      const user = await deps.accounts.recipientAccount({ email: claims.email, name, role: claims.role, runId: claims.runId, municipalityId: claims.municipalityId });
      if (!user) return htmlReply(reply, 409, messagePage({ user: null, csrf: null, title: 'Logg inn' }, 'Logg inn med passord', `${claims.email} har allerede en konto i Årshjul med en annen rolle. Logg inn med passordet ditt.`));
      await startSession(deps, reply, user.id);
      await deps.accounts.audit({ actor: user.email, action: 'signed-in', runId: claims.runId, details: { by: 'personal-link', role: claims.role } });
      return reply.redirect(`/konsoll/runs/${claims.runId}/mottatt`, 303);
    });

    app.post('/konsoll/logg-ut', async (request, reply) => {
      const v = await visitor(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      await endSession(deps, request, reply);
      return reply.redirect('/konsoll/logg-inn', 303);
    });
  };
}
