import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import type { ConsoleRepository } from '../../activities/db/console-repository';
import type { FileStore } from '../../activities/files/file-store';
import type { RunControlDeps } from '../../application/run-control';
import { Forbidden, consoleErrorPage, mayAct, mayRead } from '../console/guard';
import { sessionOf } from '../console/session';
import type { SessionDeps } from '../console/session';
import { CONSOLE_STYLES } from '../pages/console-pages';
import { PLAN_EDITOR_STYLES } from '../pages/plan-editor';
import { REVIEW_STYLES } from '../pages/recipient-pages';
import { planRoutes } from './console/plan-routes';
import { currentSchoolYear } from './console/page-routes';
import { CHART_STYLES } from '../pages/timeline-svg';
import { actionRoutes } from './console/action-routes';
import { reviewRoutes } from './console/review-routes';
import { GROUP_SETUP_STYLES } from '../pages/group-setup-pages';
import { guidanceRoutes } from './console/guidance-routes';
import { groupSetupRoutes } from './console/group-setup-routes';
import { exportRoutes } from './console/export-routes';
import { type RetentionRouteDeps, retentionRoutes } from './console/retention-routes';
import { pageRoutes } from './console/page-routes';
import { signInRoutes } from './console/sign-in-routes';

/**
 * The coordinator's console under /konsoll, by concern: sign-in, the pages (runs, a run at a glance, a kindergarten,
 * the audit log), the exports (status CSV, a region's submissions as zip) and the actions, each shown with what will
 * change before it is confirmed. Actions go through the application layer (the CLI's code path); the workflow (or the
 * store) that carries an action out writes its audit entry. Recipients of deliverables get read access to their own
 * run (a municipal authority: its own kindergartens).
 */
export interface ConsoleDeps extends SessionDeps {
  control: RunControlDeps;
  read: ConsoleRepository;
  drafts: DraftRepository;
  accounts: AccountRepository;
  /** Where uploaded files are, for the region's zip export. */
  files?: FileStore;
  /** The example plan and roster offered when the coordinator uploads nothing. */
  examples: { plan: () => { text: string; file: string }; roster: () => { text: string; file: string } };
  /** Verifies the recipients' personal sign-in links (the server's link secret); without it, links are refused. */
  linkSecret?: string;
  now?: () => number;
  /** A run's retention page and archive export (issue 16); without it those routes are not there. */
  retention?: RetentionRouteDeps['retention'];
}

export function consoleRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance) => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 2, fields: 4, parts: 8 } });
    await app.register(rateLimit, { global: false });
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      reply.header('Referrer-Policy', 'same-origin');
      reply.header('Cache-Control', 'no-store');
    });
    app.setErrorHandler(consoleErrorPage);
    // Every county on one installation: a page or action of a run is for those who may read it (a coordinator its own
    // county's runs, a national reader every run, a recipient its own), and a change for those who may act on it.
    // Checked once here for every route with a run in its address; the routes check roles and municipalities as before.
    app.addHook('preHandler', async (request) => {
      const runId = (request.params as { runId?: unknown } | undefined)?.runId;
      if (typeof runId !== 'string') return;
      const session = await sessionOf(deps, request);
      if (!session) return;
      if (!mayRead(session.user, runId)) throw new Forbidden();
      if (request.method !== 'GET' && request.method !== 'HEAD' && session.user.role === 'coordinator' && !mayAct(session.user, runId)) throw new Forbidden();
    });
    app.get('/assets/konsoll.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(CONSOLE_STYLES + CHART_STYLES + PLAN_EDITOR_STYLES + REVIEW_STYLES + GROUP_SETUP_STYLES));
    await app.register(signInRoutes(deps));
    await app.register(pageRoutes(deps));
    await app.register(exportRoutes(deps));
    if (deps.retention) await app.register(retentionRoutes({ ...deps, retention: deps.retention }));
    await app.register(actionRoutes(deps));
    await app.register(reviewRoutes(deps));
    await app.register(guidanceRoutes(deps));
    await app.register(groupSetupRoutes(deps));
    await app.register(planRoutes(deps, () => currentSchoolYear((deps.now ?? Date.now)())));
  };
}
