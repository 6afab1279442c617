import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyPassword } from '../../../security/passwords';
import { Forbidden, htmlReply, visitor } from '../../console/guard';
import { endSession, startSession } from '../../console/session';
import { signInPage } from '../../pages/console-pages';
import { keepLanguage, recipientLanguage, recipientMessagePage, recipientWords } from '../../pages/recipient-pages';
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
        // Whose link it is, is not known: bokmål, unless the address asks for nynorsk.
        const language = recipientLanguage(request.query, null);
        const words = recipientWords(language.language).link;
        const expired = verified && !verified.ok && verified.reason === 'expired';
        return htmlReply(reply, expired ? 410 : 404, recipientMessagePage({ user: null, csrf: null, title: words.title }, expired ? words.expiredTitle : words.title, expired ? words.expired : words.invalid, language.language));
      }
      const { claims } = verified;
      const [run] = await deps.read.listRuns(claims.runId);
      const municipality = claims.municipalityId ? (await deps.read.municipalities(claims.runId)).find((m) => m.id === claims.municipalityId) : null;
      // An authority's pages are in its municipality's standard (issue 15).
      const language = recipientLanguage(request.query, municipality?.language);
      const t = recipientWords(language.language);
      // A run whose personal data is gone after its retention time takes no sign-in: it would store the address again.
      if (!run || run.purgedAt !== null || (claims.municipalityId && !municipality)) return htmlReply(reply, 404, recipientMessagePage({ user: null, csrf: null, title: t.unknown }, t.link.runGone.title, t.link.runGone.text, language.language));
      const name = claims.role === 'research-centre' ? 'Forskningssenteret' : recipientWords(municipality?.language ?? 'nb').link.authorityName(municipality?.name ?? '');
      const user = await deps.accounts.recipientAccount({ email: claims.email, name, role: claims.role, runId: claims.runId, municipalityId: claims.municipalityId });
      if (!user) return htmlReply(reply, 409, recipientMessagePage({ user: null, csrf: null, title: 'Logg inn' }, t.link.signInTitle, t.link.otherRole(claims.email), language.language));
      await startSession(deps, reply, user.id);
      await deps.accounts.audit({ actor: user.email, action: 'signed-in', runId: claims.runId, details: { by: 'personal-link', role: claims.role } });
      return reply.redirect(keepLanguage(`/konsoll/runs/${claims.runId}/mottatt`, language), 303);
    });

    app.post('/konsoll/logg-ut', async (request, reply) => {
      const v = await visitor(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      await endSession(deps, request, reply);
      return reply.redirect('/konsoll/logg-inn', 303);
    });
  };
}
