import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountRepository, DraftRepository, User } from '../../activities/db/account-repository';
import type { ConsoleRepository, MatrixFilter, MatrixRow } from '../../activities/db/console-repository';
import { InputError } from '../../config/errors';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { parsePlan } from '../../planning/load-plan';
import { formatNorwegian } from '../../texts/norwegian-format';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { parseRoster } from '../../planning/roster-import';
import { verifyPassword } from '../../security/passwords';
import { type Timeline, scheduleForKindergarten } from '../../domain/timeline';
import { type Html, html } from '../../texts/html';
import { CONSOLE_STYLES, auditPage, confirmPage, forbiddenPage, kindergartenPage, messagePage, newRunPage, previewPage, runPage, runsPage, signInPage, type ConsoleFrame } from '../pages/console-pages';
import { CHART_STYLES } from '../pages/timeline-svg';
import * as control from '../../application/run-control';
import type { FileStore } from '../../activities/files/file-store';
import { zipPathPart, zipStream } from '../uploads/zip-stream';
import { csrfToken, csrfValid, endSession, sessionOf, startSession, type SessionDeps } from '../console/session';

/**
 * The coordinator's console under /konsoll: sign-in, the runs, a run at a glance (timeline chart, progress matrix,
 * what needs attention), a kindergarten's page, exports, and every action with a preview of what will change. Actions
 * go through `run-control` (the CLI's code path) and are written to the audit log with who and when. Recipients of
 * deliverables get read access to their own run (a municipal authority: its own kindergartens).
 */
export interface ConsoleDeps extends SessionDeps {
  control: control.RunControlDeps;
  read: ConsoleRepository;
  drafts: DraftRepository;
  accounts: AccountRepository;
  /** Where uploaded files are, for the region's zip export. */
  files?: FileStore;
  /** The example plan and roster offered when the coordinator uploads nothing. */
  examples: { plan: () => { text: string; file: string }; roster: () => { text: string; file: string } };
  now?: () => number;
}

const PAGE_SIZE = 100;
const runParams = z.object({ runId: z.string().regex(/^arshjul-\d{4}-[a-z0-9-]+$/) });
const kindergartenParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/) });
const filterQuery = z.object({
  region: z.string().regex(/^[a-z0-9-]{1,63}$/).optional().catch(undefined),
  kommune: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).optional().catch(undefined),
  status: z.string().regex(/^[a-z-]{1,20}$/).optional().catch(undefined),
  leveranse: z.string().regex(/^[a-z0-9-]{1,63}$/).optional().catch(undefined),
  side: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
const localTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'expected a local date and time');

class SignInRequired extends Error {}
class Forbidden extends Error {}

interface Visitor {
  user: User;
  frame: (title: string, message?: string | null) => ConsoleFrame;
  csrf: string;
  csrfOk: (body: unknown) => boolean;
}

const htmlReply = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').send(body);
const when = (ms: number) => formatNorwegian(ms);

function csvField(value: string | number): string {
  let text = String(value);
  // A cell starting with =, +, - or @ is a formula in a spreadsheet; a leading apostrophe keeps it text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[";\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function consoleRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  return async (app: FastifyInstance) => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    await app.register(multipart, { limits: { fileSize: 5 * 1024 * 1024, files: 2, fields: 4, parts: 8 } });
    await app.register(rateLimit, { global: false });
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      reply.header('Referrer-Policy', 'same-origin');
      reply.header('Cache-Control', 'no-store');
    });
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof SignInRequired) return reply.redirect('/konsoll/logg-inn', 303);
      if (error instanceof Forbidden) return htmlReply(reply, 403, forbiddenPage({ user: null, csrf: null, title: 'Ingen tilgang' }));
      // A path parameter or form field refused by a schema's parse(): the request's fault, not the server's.
      if (error instanceof z.ZodError) return htmlReply(reply, 400, messagePage({ user: null, csrf: null, title: 'Feil' }, 'Forespørselen kan ikke brukes', 'Sjekk adressen eller skjemaet og prøv igjen.'));
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 429) return htmlReply(reply, 429, signInPage({ error: 'For mange forsøk. Vent et minutt og prøv igjen.' }));
      if (status && status >= 400 && status < 500) return htmlReply(reply, status, messagePage({ user: null, csrf: null, title: 'Feil' }, 'Forespørselen kan ikke brukes', 'Sjekk adressen eller skjemaet og prøv igjen.'));
      request.log.error(error);
      return htmlReply(reply, 500, messagePage({ user: null, csrf: null, title: 'Feil' }, 'Noe gikk galt', 'Detaljene står i serverloggen.'));
    });

    async function visitor(request: FastifyRequest): Promise<Visitor> {
      const session = await sessionOf(deps, request);
      if (!session) throw new SignInRequired();
      const csrf = csrfToken(session);
      return {
        user: session.user,
        csrf,
        frame: (title, message = null) => ({ user: session.user, csrf, title, message }),
        csrfOk: (body) => csrfValid(session, (body as Record<string, unknown> | undefined)?._csrf),
      };
    }

    function mayRead(user: User, runId: string): boolean {
      return user.role === 'coordinator' || user.runId === runId;
    }

    async function coordinator(request: FastifyRequest): Promise<Visitor> {
      const v = await visitor(request);
      if (v.user.role !== 'coordinator') throw new Forbidden();
      return v;
    }

    app.get('/assets/konsoll.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(CONSOLE_STYLES + CHART_STYLES));

    // --- sign-in --------------------------------------------------------------------------------------------------
    app.get('/konsoll/logg-inn', async (_request, reply) => htmlReply(reply, 200, signInPage({})));
    app.post('/konsoll/logg-inn', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (request, reply) => {
      // PostgreSQL refuses U+0000 in text; no account has it in its email address.
      const form = z.object({ epost: z.string().max(320).refine((s) => !s.includes('\u0000')), passord: z.string().max(200) }).safeParse(request.body);
      if (!form.success) return htmlReply(reply, 400, signInPage({ error: 'Fyll inn e-post og passord.' }));
      const found = await deps.accounts.findForSignIn(form.data.epost.trim());
      // The same answer, and a password check either way, whether the account exists or not.
      const ok = await verifyPassword(form.data.passord, found?.passwordHash ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      if (!found || !ok) return htmlReply(reply, 401, signInPage({ error: 'Feil e-post eller passord.', email: form.data.epost }));
      await startSession(deps, reply, found.user.id);
      await deps.accounts.audit({ actor: found.user.email, action: 'signed-in', runId: null });
      return reply.redirect('/konsoll', 303);
    });
    app.post('/konsoll/logg-ut', async (request, reply) => {
      const v = await visitor(request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      await endSession(deps, request, reply);
      return reply.redirect('/konsoll/logg-inn', 303);
    });

    // --- runs ---------------------------------------------------------------------------------------------------
    app.get('/konsoll', async (request, reply) => {
      const v = await visitor(request);
      const runs = await deps.read.listRuns(v.user.role === 'coordinator' ? null : v.user.runId);
      return htmlReply(reply, 200, runsPage(v.frame('Programår'), runs));
    });

    const exampleYear = () => {
      const today = new Date(now());
      return today.getUTCMonth() >= 6 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
    };

    app.get('/konsoll/ny', async (request, reply) => {
      const v = await coordinator(request);
      return htmlReply(reply, 200, newRunPage(v.frame('Start et nytt programår'), { exampleYear: exampleYear() }));
    });

    app.post('/konsoll/ny', async (request, reply) => {
      const v = await coordinator(request);
      const files: Record<string, { text: string; file: string }> = {};
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') fields[part.fieldname] = String(part.value);
        else if ((part.fieldname === 'plan' || part.fieldname === 'roster') && part.filename) files[part.fieldname] = { text: (await part.toBuffer()).toString('utf8'), file: part.filename };
        else part.file.resume();
      }
      if (!v.csrfOk(fields)) throw new Forbidden();
      const frame = v.frame('Start et nytt programår');
      let plan: Plan;
      let roster: Roster;
      try {
        const planSource = files.plan ?? deps.examples.plan();
        plan = parsePlan(planSource.text, planSource.file);
        const rosterSource = files.roster ?? deps.examples.roster();
        roster = parseRoster(rosterSource.text, rosterSource.file, plan);
        const timeline = control.startableTimeline(plan, now());
        const draftId = randomUUID();
        await deps.drafts.save(draftId, v.user.email, plan, roster);
        return htmlReply(
          reply,
          200,
          previewPage(v.frame('Kontroller før start'), { draftId, timeline, programme: plan.programme, runId: `arshjul-${plan.schoolYear}-${plan.county}`, kindergartens: roster.kindergartens.length, municipalities: roster.municipalities.length, now: now() }),
        );
      } catch (error) {
        if (error instanceof InputError) return htmlReply(reply, 400, newRunPage(frame, { issues: error.issues, summary: error.summary, exampleYear: exampleYear() }));
        if (error instanceof control.RefusedError) return htmlReply(reply, 409, newRunPage(frame, { issues: [{ message: error.message }], summary: 'Planen kan ikke startes', exampleYear: exampleYear() }));
        throw error;
      }
    });

    app.post('/konsoll/ny/:draftId/start', async (request, reply) => {
      const v = await coordinator(request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { draftId } = z.object({ draftId: z.uuid() }).parse(request.params);
      const draft = await deps.drafts.get(draftId);
      if (!draft) return htmlReply(reply, 404, newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: 'Forhåndsvisningen er utløpt; last opp filene på nytt.' }], exampleYear: exampleYear() }));
      try {
        const started = await control.startRun(deps.control, draft.plan as Plan, draft.roster as Roster, now);
        await deps.drafts.remove(draftId);
        await deps.accounts.audit({ actor: v.user.email, action: 'run-started', runId: started.runId, details: { kindergartens: started.kindergartens, regions: started.regions } });
        return reply.redirect(`/konsoll/runs/${started.runId}?melding=startet`, 303);
      } catch (error) {
        if (error instanceof control.RefusedError) return htmlReply(reply, 409, newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: error.message }], summary: 'Programåret ble ikke startet', exampleYear: exampleYear() }));
        throw error;
      }
    });

    // --- a run ---------------------------------------------------------------------------------------------------
    async function currentTimeline(runId: string): Promise<{ timeline: Timeline | null; state: string | null; plan: Plan | null }> {
      try {
        const [{ plan, timeline }, status] = await Promise.all([control.runPlan(deps.control, runId), control.runWorkflowStatus(deps.control, runId)]);
        return { timeline, state: status.state, plan };
      } catch {
        // Temporal unreachable, or the run's history gone: the page still shows what PostgreSQL knows.
        const plan = await deps.read.plan(runId);
        return { timeline: plan ? resolveTimeline(plan) : null, state: null, plan };
      }
    }

    const MESSAGES: Record<string, string> = {
      startet: 'Programåret er startet.',
      flyttet: 'Milepælen er flyttet.',
      forlenget: 'Fristen er forlenget.',
      'ny-lenke': 'En ny lenke er sendt til styreren. Den gamle virker ikke lenger.',
      trukket: 'Barnehagen er trukket.',
      'lagt-til': 'Barnehagen er lagt til.',
      pause: 'All e-post er satt på pause.',
      gjenoppta: 'Programåret er gjenopptatt.',
      avlys: 'Programåret er avsluttet.',
    };

    app.get('/konsoll/runs/:runId', async (request, reply) => {
      const v = await visitor(request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const [run] = await deps.read.listRuns(runId);
      if (!run) return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Fant ikke programåret', 'Programåret finnes ikke.'));
      const q = filterQuery.parse(request.query);
      const filter: MatrixFilter = {
        regionId: q.region,
        municipalityId: v.user.role === 'municipal-authority' ? (v.user.municipalityId ?? undefined) : q.kommune,
        status: q.status,
        deliverableId: q.leveranse,
      };
      const page = q.side ?? 1;
      const [{ timeline, state, plan }, counts, municipalities, matrix, attention] = await Promise.all([
        currentTimeline(runId),
        deps.read.counts(runId, filter),
        deps.read.municipalities(runId),
        deps.read.matrix(runId, filter, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE }),
        v.user.role === 'coordinator' ? deps.read.attention(runId) : Promise.resolve([]),
      ]);
      const schedules = new Map<string, Map<string, number>>();
      const plannedDue = (row: MatrixRow, deliverableId: string): number | null => {
        if (!timeline) return null;
        const key = `${row.regionId}/${row.groupId}`;
        if (!schedules.has(key)) schedules.set(key, new Map(scheduleForKindergarten(timeline, row.regionId, row.groupId).deliverables.map((d) => [d.id, d.window.dueAt])));
        return schedules.get(key)?.get(deliverableId) ?? null;
      };
      const messageKey = typeof (request.query as Record<string, unknown>).melding === 'string' ? String((request.query as Record<string, unknown>).melding) : '';
      return htmlReply(
        reply,
        200,
        runPage(v.frame(`${run.countyName} ${run.schoolYear}`, MESSAGES[messageKey] ?? null), {
          run,
          timeline,
          runState: state === 'active' ? 'aktiv' : state === 'paused' ? 'på pause' : state === 'cancelled' ? 'avsluttet av koordinator' : state === 'completed' ? 'fullført' : null,
          counts,
          deliverables: (plan?.deliverables ?? []).map((d) => ({ id: d.id, title: d.title })),
          regions: (plan?.regions ?? []).map((r) => ({ id: r.id, name: r.name })),
          municipalities: v.user.role === 'municipal-authority' ? municipalities.filter((m) => m.id === v.user.municipalityId) : municipalities,
          matrix,
          filter: { region: q.region, kommune: filter.municipalityId, status: q.status, leveranse: q.leveranse },
          page,
          pageSize: PAGE_SIZE,
          attention,
          now: now(),
          plannedDue,
        }),
      );
    });

    app.get('/konsoll/runs/:runId/barnehager/:orgnr', async (request, reply) => {
      const v = await visitor(request);
      const { runId, orgnr } = kindergartenParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const k = await deps.read.kindergarten(runId, orgnr);
      if (!k || (v.user.role === 'municipal-authority' && k.municipalityId !== v.user.municipalityId)) {
        return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Fant ikke barnehagen', 'Barnehagen finnes ikke i dette programåret, eller du har ikke tilgang til den.'));
      }
      const { timeline, plan } = await currentTimeline(runId);
      const schedule = timeline ? scheduleForKindergarten(timeline, k.regionId, k.groupId) : null;
      const upcoming = [
        ...(schedule?.emails ?? []).map((e) => ({ title: `${e.title} (${when(e.occurrenceAt)})`, at: e.sendAt })),
        ...(schedule?.deliverables ?? []).flatMap((d) => [{ title: `Åpner: ${d.title}`, at: d.window.promptAt }, ...d.window.reminderAts.map((at) => ({ title: `Påminnelse: ${d.title}`, at }))]),
      ]
        .filter((e) => e.at > now())
        .sort((a, b) => a.at - b.at)
        .slice(0, 10);
      return htmlReply(reply, 200, kindergartenPage(v.frame(k.name), { runId, k, deliverableTitles: new Map((plan?.deliverables ?? []).map((d) => [d.id, d.title])), upcoming }));
    });

    app.get('/konsoll/runs/:runId/status.csv', async (request, reply) => {
      const v = await visitor(request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const rows = await deps.read.statusRows(runId, v.user.role === 'municipal-authority' ? v.user.municipalityId : null);
      const lines = ['orgnr;barnehage;kommune;region;gruppe;innlevering;status;frist;forsinket_til', ...rows.map((r) => r.map(csvField).join(';'))];
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${runId}-status.csv"`)
        .send(`\uFEFF${lines.join('\r\n')}\r\n`);
    });

    app.get('/konsoll/runs/:runId/regioner/:regionId/innleveringer.zip', async (request, reply) => {
      const v = await coordinator(request);
      const { runId, regionId } = runParams.extend({ regionId: z.string().regex(/^[a-z0-9-]{1,63}$/) }).parse(request.params);
      const files = deps.files;
      if (!files) return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Innleveringene er ikke tilgjengelige her', 'Denne serveren har ikke lagringsmappen for innleveringer.'));
      const rows = await deps.read.regionFiles(runId, regionId);
      await deps.accounts.audit({ actor: v.user.email, action: 'region-exported', runId, details: { regionId, files: rows.length } });
      const entries = rows.map((r) => ({
        name: [zipPathPart(r.municipality), zipPathPart(`${r.kindergarten} ${r.orgnr}`), zipPathPart(r.deliverableId), zipPathPart(`v${r.version} ${r.receiptNumber} ${r.name}`)].join('/'),
        modifiedAt: r.at,
        open: () => files.open(r.storageKey),
      }));
      return reply
        .type('application/zip')
        .header('Content-Disposition', `attachment; filename="${runId}-${regionId}-innleveringer.zip"`)
        .send(zipStream(entries));
    });

    app.get('/konsoll/runs/:runId/revisjon', async (request, reply) => {
      const v = await coordinator(request);
      const { runId } = runParams.parse(request.params);
      return htmlReply(reply, 200, auditPage(v.frame('Revisjonslogg'), runId, await deps.accounts.listAudit(runId)));
    });

    // --- actions: GET shows what will change, POST (with the CSRF token) does it -------------------------------------
    type Preview = { title: string; changes: Html; fields: Record<string, string>; run: () => Promise<unknown>; message: string; audit: Record<string, unknown>; back?: string };
    const actionParams = runParams.extend({ action: z.enum(['flytt', 'forleng', 'ny-lenke', 'trekk', 'pause', 'legg-til']) });

    async function preview(v: Visitor, runId: string, action: string, input: Record<string, unknown>): Promise<Preview> {
      const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string).trim() : '');
      const actor = v.user.email;
      if (action === 'flytt') {
        const at = localTime.parse(str('tid'));
        const milestoneId = str('milepel');
        const regionId = str('region') || null;
        const { plan, overrides, timeline: before } = await control.runPlan(deps.control, runId);
        const override = { milestoneId, ...(regionId ? { regionId } : {}), at };
        const after = resolveTimeline(plan, [...overrides, override]);
        const moved = after.milestones.flatMap((m) =>
          m.occurrences.flatMap((o) => {
            const old = before.milestones.find((x) => x.id === m.id)?.occurrences.find((x) => x.regionId === o.regionId && x.groupId === o.groupId);
            return old && old.at !== o.at ? [{ title: m.title, where: o.groupId ?? o.regionId ?? 'hele fylket', from: old.at, to: o.at, emails: o.emails.filter((e, i) => e.sendAt !== old.emails[i]?.sendAt).length }] : [];
          }),
        );
        const changes = moved.length
          ? html`<ul>${moved.map((m) => html`<li>${m.title} (${m.where}): ${when(m.from)} → ${when(m.to)}; ${m.emails} e-post${m.emails === 1 ? '' : 'er'} om den flyttes med</li>`)}</ul>`
          : html`<p>Ingenting flyttes: milepælen er allerede på dette tidspunktet.</p>`;
        return { title: 'Flytt en milepæl', changes, fields: { milepel: milestoneId, region: regionId ?? '', tid: at }, run: () => control.rescheduleMilestone(deps.control, runId, override, actor), message: 'flyttet', audit: { milestoneId, regionId, at } };
      }
      if (action === 'pause') {
        const what = z.enum(['pause', 'gjenoppta', 'avlys']).parse(str('hva'));
        const text = { pause: 'All e-post holdes tilbake til programåret gjenopptas.', gjenoppta: 'E-post som fortsatt er nyttig sendes, og programåret fortsetter.', avlys: 'Programåret avsluttes for alle barnehager. Dette kan ikke angres.' }[what];
        const run = { pause: () => control.pauseRun(deps.control, runId, actor), gjenoppta: () => control.resumeRun(deps.control, runId, actor), avlys: () => control.cancelRun(deps.control, runId, actor) }[what];
        return { title: { pause: 'Pause', gjenoppta: 'Gjenoppta', avlys: 'Avslutt programåret' }[what], changes: html`<p>${text}</p>`, fields: { hva: what }, run, message: what, audit: { what } };
      }
      const orgnr = z.string().regex(/^\d{9}$/).parse(str('barnehage'));
      const back = `/konsoll/runs/${runId}/barnehager/${orgnr}`;
      const k = await deps.read.kindergarten(runId, orgnr);
      if (!k) throw new control.NotFoundError(`kindergarten ${orgnr} is not in run ${runId}`);
      if (action === 'forleng') {
        const deliverableId = str('leveranse');
        const at = localTime.parse(str('tid'));
        const current = k.deliverables.find((d) => d.deliverableId === deliverableId);
        return {
          title: `Forleng fristen for ${k.name}`,
          changes: html`<dl class="change"><dt>Innlevering</dt><dd>${deliverableId}</dd><dt>Frist nå</dt><dd>${current ? when(current.dueAt) : 'ukjent'}</dd><dt>Ny frist</dt><dd>${at.replace('T', ' kl. ')}</dd></dl><p>Påminnelser og varsel til kommunen følger den nye fristen.</p>`,
          fields: { barnehage: orgnr, leveranse: deliverableId, tid: at },
          run: () => control.extendDeadline(deps.control, runId, orgnr, deliverableId, at, actor),
          message: 'forlenget',
          audit: { orgnr, deliverableId, due: at },
          back,
        };
      }
      if (action === 'ny-lenke') {
        const deliverableId = str('leveranse');
        return {
          title: `Ny innleveringslenke for ${k.name}`,
          changes: html`<p>${k.directorName} (${k.directorEmail}) får en ny lenke for ${deliverableId} på e-post. Lenker som er sendt tidligere, slutter å virke.</p>`,
          fields: { barnehage: orgnr, leveranse: deliverableId },
          run: () => control.reissueUploadLink(deps.control, runId, orgnr, deliverableId, actor),
          message: 'ny-lenke',
          audit: { orgnr, deliverableId },
          back,
        };
      }
      if (action === 'trekk') {
        const reason = z.string().min(1).max(500).parse(str('grunn'));
        return {
          title: `Trekk ${k.name}`,
          changes: html`<p>${k.name} får ingen flere e-poster, og innleveringer avvises. Kalenderinvitasjoner som er sendt, trekkes tilbake.</p><p>Begrunnelse: ${reason}</p>`,
          fields: { barnehage: orgnr, grunn: reason },
          run: () => control.withdrawKindergarten(deps.control, runId, orgnr, reason, actor),
          message: 'trukket',
          audit: { orgnr, reason },
          back,
        };
      }
      throw new InputError('Unknown action', [{ path: 'action', message: `"${action}" is not an action` }]);
    }

    /** Adding a kindergarten has no kindergarten page yet: its preview is built from the form alone. */
    async function previewAddition(v: Visitor, runId: string, input: Record<string, unknown>): Promise<Preview> {
      const str = (key: string) => (typeof input[key] === 'string' ? (input[key] as string).trim() : '');
      const kindergarten = { orgnr: str('orgnr'), name: str('navn'), municipalityId: str('kommune'), director: { name: str('styrer'), email: str('epost') } };
      const municipality = (await deps.read.municipalities(runId)).find((m) => m.id === kindergarten.municipalityId);
      return {
        title: 'Legg til en barnehage',
        changes: html`<dl class="change"><dt>Barnehage</dt><dd>${kindergarten.name} (${kindergarten.orgnr})</dd><dt>Kommune</dt><dd>${municipality?.name ?? kindergarten.municipalityId}</dd><dt>Styrer</dt><dd>${kindergarten.director.name}, ${kindergarten.director.email}</dd></dl><p>Barnehagen blir med fra nåværende fase: e-post om det som kommer, ikke om det som har vært.</p>`,
        fields: { orgnr: kindergarten.orgnr, navn: kindergarten.name, kommune: kindergarten.municipalityId, styrer: kindergarten.director.name, epost: kindergarten.director.email },
        run: () => control.addKindergarten(deps.control, runId, kindergarten, v.user.email),
        message: 'lagt-til',
        audit: { orgnr: kindergarten.orgnr, municipalityId: kindergarten.municipalityId },
      };
    }

    app.get('/konsoll/runs/:runId/handling/:action', async (request, reply) => {
      const v = await coordinator(request);
      const { runId, action } = actionParams.parse(request.params);
      const url = `/konsoll/runs/${runId}/handling/${action}`;
      try {
        const p = action === 'legg-til' ? await previewAddition(v, runId, request.query as Record<string, unknown>) : await preview(v, runId, action, request.query as Record<string, unknown>);
        return htmlReply(reply, 200, confirmPage(v.frame(p.title), { title: p.title, changes: p.changes, action: url, fields: p.fields, back: p.back ?? `/konsoll/runs/${runId}` }));
      } catch (error) {
        return htmlReply(reply, 400, confirmPage(v.frame('Kan ikke utføres'), { title: 'Kan ikke utføres', changes: html``, action: url, fields: {}, back: `/konsoll/runs/${runId}`, refusal: refusalText(error) }));
      }
    });

    app.post('/konsoll/runs/:runId/handling/:action', async (request, reply) => {
      const v = await coordinator(request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { runId, action } = actionParams.parse(request.params);
      const url = `/konsoll/runs/${runId}/handling/${action}`;
      try {
        const p = action === 'legg-til' ? await previewAddition(v, runId, request.body as Record<string, unknown>) : await preview(v, runId, action, request.body as Record<string, unknown>);
        const result = await p.run();
        await deps.accounts.audit({ actor: v.user.email, action, runId, details: { ...p.audit, result: result ?? null } });
        return reply.redirect(`${p.back ?? `/konsoll/runs/${runId}`}?melding=${p.message}`, 303);
      } catch (error) {
        return htmlReply(reply, 409, confirmPage(v.frame('Ble ikke utført'), { title: 'Ble ikke utført', changes: html``, action: url, fields: {}, back: `/konsoll/runs/${runId}`, refusal: refusalText(error) }));
      }
    });
  };
}

function refusalText(error: unknown): string {
  if (error instanceof InputError) return `Ugyldig: ${error.issues.map((i) => i.message).join('; ')}`;
  if (error instanceof z.ZodError) return `Ugyldig: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  if (error instanceof control.RefusedError || error instanceof control.NotFoundError) return `Avvist: ${error.message}`;
  const message = (error as { cause?: { message?: string } })?.cause?.message ?? (error as Error)?.message ?? String(error);
  return `Avvist: ${message}`;
}
