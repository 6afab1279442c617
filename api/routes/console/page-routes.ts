import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { MatrixFilter, MatrixRow } from '../../../activities/db/console-repository';
import * as control from '../../../application/run-control';
import { InputError } from '../../../config/errors';
import type { Plan } from '../../../config/plan-schema';
import type { Roster } from '../../../config/roster-schema';
import { RefusedError } from '../../../domain/errors';
import { type Timeline, placeName, scheduleForKindergarten } from '../../../domain/timeline';
import { parsePlan } from '../../../planning/load-plan';
import { resolveTimeline } from '../../../planning/resolve-timeline';
import { guidanceOverview } from '../../../application/guidance';
import { guidancePlanOf } from '../../../domain/guidance';
import { ROLE_LABEL } from '../../../planning/group-setup';
import { parseRoster, parseRosterFile } from '../../../planning/roster-import';
import { rosterTemplateCsv, rosterTemplateXlsx } from '../../../planning/roster-template';
import { RUN_STATE } from '../../../texts/catalogue';
import { Forbidden, coordinator, htmlReply, mayRead, visitor } from '../../console/guard';
import { type NextStep, auditPage, kindergartenPage, messagePage, newRunPage, runPage, runsPage } from '../../pages/console-pages';
import type { ConsoleDeps } from '../console-routes';
import { type PageLanguage, receivedHeading, receivedPage, recipientLanguage, recipientMessagePage, recipientWords } from '../../pages/recipient-pages';
import type { User } from '../../../activities/db/account-repository';

export const runParams = z.object({ runId: z.string().regex(/^arshjul-\d{4}-[a-z0-9-]+$/) });
const kindergartenParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/) });
const filterQuery = z.object({
  region: z.string().regex(/^[a-z0-9-]{1,63}$/).optional().catch(undefined),
  kommune: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).optional().catch(undefined),
  status: z.string().regex(/^[a-z-]{1,20}$/).optional().catch(undefined),
  leveranse: z.string().regex(/^[a-z0-9-]{1,63}$/).optional().catch(undefined),
  side: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
const PAGE_SIZE = 100;

/** The line shown after an action, by the `melding` the action redirects with. */
const MESSAGES: Record<string, string> = {
  startet: 'Programåret er startet.',
  flyttet: 'Milepælen er flyttet.',
  forlenget: 'Fristen er forlenget.',
  'ny-lenke': 'En ny lenke er sendt til styreren. Den gamle virker ikke lenger.',
  kontakt: 'Kontaktpersonen er endret. E-post går heretter til den nye adressen.',
  melding: 'Meldingen er sendt til dem som ikke har levert.',
  trukket: 'Barnehagen er trukket.',
  'lagt-til': 'Barnehagen er lagt til.',
  pause: 'All e-post er satt på pause.',
  gjenoppta: 'Programåret er gjenopptatt.',
  avlys: 'Programåret er avsluttet.',
};

const RUN_STATES = RUN_STATE;

/** The school year under way (its autumn year): from July on, this year's; before, last year's. */
export function currentSchoolYear(now: number): number {
  const today = new Date(now);
  return today.getUTCMonth() >= 6 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
}

/** The next milestone occurrence or deadline after `now` in a timeline, named as people know it. */
function nextStep(timeline: Timeline | null, now: number): NextStep | null {
  if (!timeline) return null;
  const steps: NextStep[] = [
    ...timeline.milestones.flatMap((m) => m.occurrences.map((o) => ({ title: m.title, what: 'milestone' as const, where: o.scope === 'run' ? null : placeName(timeline, o.regionId, o.groupId), at: o.at }))),
    ...timeline.deliverables.flatMap((d) => d.windows.map((w) => ({ title: d.title, what: 'deadline' as const, where: w.scope === 'run' ? null : placeName(timeline, w.regionId, w.groupId), at: w.dueAt }))),
  ].filter((s) => s.at > now);
  return steps.sort((a, b) => a.at - b.at)[0] ?? null;
}

/**
 * The standard a recipient's page is in (issue 15): the one asked for (`?malform=`), else the written standard of an
 * authority's municipality, else bokmål (the research centre and the coordinator).
 */
export async function readerLanguage(deps: Pick<ConsoleDeps, 'read'>, user: User, runId: string, query: unknown): Promise<PageLanguage> {
  const own = user.role === 'municipal-authority' && user.municipalityId ? (await deps.read.municipalities(runId)).find((m) => m.id === user.municipalityId)?.language : null;
  return recipientLanguage(query, own);
}

/** The console's pages: the runs, starting a year, a run at a glance, a kindergarten, the audit log. */
export function pageRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  const exampleYear = () => currentSchoolYear(now());

  /** The run's plan and timeline as PostgreSQL knows them, for when Temporal cannot answer. */
  async function storedTimeline(runId: string): Promise<{ timeline: Timeline | null; plan: Plan | null }> {
    const plan = await deps.read.plan(runId);
    return { timeline: plan ? resolveTimeline(plan) : null, plan };
  }

  /** The run's current timeline and state from its workflow; when Temporal cannot answer, what PostgreSQL knows. */
  async function currentTimeline(runId: string): Promise<{ timeline: Timeline | null; state: string | null; plan: Plan | null }> {
    // Both queries settle before the page goes on, so no retry of either is left running behind the answer.
    const [planned, status] = await Promise.allSettled([control.runPlan(deps.control, runId), control.runWorkflowStatus(deps.control, runId)]);
    if (planned.status === 'fulfilled' && status.status === 'fulfilled') return { timeline: planned.value.timeline, state: status.value.state, plan: planned.value.plan };
    return { ...(await storedTimeline(runId)), state: null };
  }

  /** The run's current plan and timeline (no state): one query to its workflow, or what PostgreSQL knows. */
  async function currentPlan(runId: string): Promise<{ timeline: Timeline | null; plan: Plan | null }> {
    try {
      const { timeline, plan } = await control.runPlan(deps.control, runId);
      return { timeline, plan };
    } catch {
      return storedTimeline(runId);
    }
  }

  /**
   * The deliverables the municipal authorities send (their group set-up), each with how many have sent it and where to
   * open it: for an authority its own state and its form, for everyone else the overview.
   */
  async function groupSetupLinks(runId: string, plan: Plan | null, municipalityId: string | null = null) {
    return Promise.all(
      (plan?.deliverables ?? [])
        .filter((d) => d.submittedBy === 'municipal-authorities')
        .map(async (d) => {
          const rows = await deps.control.store.groupSetups(runId, d.id);
          const own = municipalityId ? rows.find((r) => r.municipalityId === municipalityId) : null;
          return {
            id: d.id,
            title: d.title,
            href: `/konsoll/runs/${runId}/gruppeoppsett/${d.id}${municipalityId ? '' : '/oversikt'}`,
            sent: rows.filter((r) => r.latest).length,
            total: rows.length,
            own: own ? (own.latest ? { version: own.latest.version, receivedAt: own.latest.receivedAt, late: own.latest.late } : null) : undefined,
          };
        }),
    );
  }

  /** A coordinator with a county starts only that county's years (issue 15); refused in bokmål, naming both. */
  function otherCounty(user: User, plan: Plan): InputError | null {
    if (user.role !== 'coordinator' || !user.county || plan.county === user.county) return null;
    return new InputError('Planen gjelder et annet fylke', [{ path: 'county', message: `planen er for fylket «${plan.county}», og du er koordinator for «${user.county}»; en koordinator for det fylket må starte den` }]);
  }

  return async (app: FastifyInstance) => {
    app.get('/konsoll', async (request, reply) => {
      const v = await visitor(deps, request);
      // A coordinator its county's runs (every county's without one), a national reader every run, a recipient its own.
      const everyRun = v.user.role === 'coordinator' || v.user.role === 'national-reader';
      const runs = (await deps.read.listRuns(everyRun ? null : v.user.runId)).filter((r) => mayRead(v.user, r.runId));
      const withNext = await Promise.all(runs.map(async (r) => ({ ...r, next: nextStep((await currentPlan(r.runId)).timeline, now()) })));
      return htmlReply(reply, 200, runsPage(v.frame('Programår'), withNext));
    });

    app.get('/konsoll/ny', async (request, reply) => {
      const v = await coordinator(deps, request);
      return htmlReply(reply, 200, newRunPage(v.frame('Start et nytt programår'), { exampleYear: exampleYear(), runs: (await deps.read.listRuns()).filter((r) => mayRead(v.user, r.runId)) }));
    });

    // The roster template, for the example plan's regions: a workbook with the rules on a second sheet, or CSV.
    app.get('/konsoll/mal/deltakerliste.:format', async (request, reply) => {
      await coordinator(deps, request);
      const { format } = z.object({ format: z.enum(['xlsx', 'csv']) }).parse(request.params);
      const example = deps.examples.plan();
      const plan = parsePlan(example.text, example.file);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="deltakerliste-mal.csv"').send(rosterTemplateCsv(plan));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', 'attachment; filename="deltakerliste-mal.xlsx"')
        .send(await rosterTemplateXlsx(plan));
    });

    app.post('/konsoll/ny', async (request, reply) => {
      const v = await coordinator(deps, request);
      const files: Record<string, { bytes: Buffer; file: string }> = {};
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') fields[part.fieldname] = String(part.value);
        else if ((part.fieldname === 'plan' || part.fieldname === 'roster') && part.filename) files[part.fieldname] = { bytes: await part.toBuffer(), file: part.filename };
        else part.file.resume();
      }
      if (!v.csrfOk(fields)) throw new Forbidden();
      const frame = v.frame('Start et nytt programår');
      try {
        const planSource = files.plan ? { text: files.plan.bytes.toString('utf8'), file: files.plan.file } : deps.examples.plan();
        const plan = parsePlan(planSource.text, planSource.file);
        const foreign = otherCounty(v.user, plan);
        if (foreign) throw foreign;
        const roster = files.roster ? await parseRosterFile(files.roster.bytes, files.roster.file, plan) : (() => {
          const example = deps.examples.roster();
          return parseRoster(example.text, example.file, plan);
        })();
        control.startableTimeline(plan, now());
        const draftId = randomUUID();
        await deps.drafts.save(draftId, v.user.email, plan, roster);
        // The draft's page shows the timeline; the plan can be edited from there before anything starts.
        return reply.redirect(`/konsoll/ny/${draftId}`, 303);
      } catch (error) {
        if (error instanceof InputError) return htmlReply(reply, 400, newRunPage(frame, { issues: error.issues, summary: error.summary, exampleYear: exampleYear() }));
        if (error instanceof RefusedError) return htmlReply(reply, 409, newRunPage(frame, { issues: [{ message: error.message }], summary: 'Planen kan ikke startes', exampleYear: exampleYear() }));
        throw error;
      }
    });

    app.post('/konsoll/ny/:draftId/start', async (request, reply) => {
      const v = await coordinator(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { draftId } = z.object({ draftId: z.uuid() }).parse(request.params);
      const draft = await deps.drafts.get(draftId);
      if (!draft) return htmlReply(reply, 404, newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: 'Forhåndsvisningen er utløpt; last opp filene på nytt.' }], exampleYear: exampleYear() }));
      try {
        const foreign = otherCounty(v.user, draft.plan as Plan);
        if (foreign) return htmlReply(reply, 409, newRunPage(v.frame('Start et nytt programår'), { issues: foreign.issues, summary: foreign.summary, exampleYear: exampleYear() }));
        const started = await control.startRun(deps.control, draft.plan as Plan, draft.roster as Roster, v.user.email, now);
        await deps.drafts.remove(draftId);
        return reply.redirect(`/konsoll/runs/${started.runId}?melding=startet`, 303);
      } catch (error) {
        if (error instanceof RefusedError) return htmlReply(reply, 409, newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: error.message }], summary: 'Programåret ble ikke startet', exampleYear: exampleYear() }));
        throw error;
      }
    });

    app.get('/konsoll/runs/:runId', async (request, reply) => {
      const v = await visitor(deps, request);
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
      const guidance = timeline ? await guidanceOverview(deps.control.store, guidancePlanOf(timeline), runId, now()) : new Map();
      const groupSetups = await groupSetupLinks(runId, plan);
      const messageKey = typeof (request.query as Record<string, unknown>).melding === 'string' ? String((request.query as Record<string, unknown>).melding) : '';
      return htmlReply(
        reply,
        200,
        runPage(v.frame(`${run.countyName} ${run.schoolYear}`, MESSAGES[messageKey] ?? null), {
          run,
          timeline,
          runState: state ? (RUN_STATES[state] ?? null) : null,
          counts,
          deliverables: (plan?.deliverables ?? []).filter((d) => d.submittedBy !== 'municipal-authorities').map((d) => ({ id: d.id, title: d.title })),
          groupSetups,
          regions: (plan?.regions ?? []).map((r) => ({ id: r.id, name: r.name, groups: r.groups })),
          municipalities: v.user.role === 'municipal-authority' ? municipalities.filter((m) => m.id === v.user.municipalityId) : municipalities,
          matrix,
          filter: { region: q.region, kommune: filter.municipalityId, status: q.status, leveranse: q.leveranse },
          page,
          pageSize: PAGE_SIZE,
          attention,
          now: now(),
          plannedDue,
          guidance,
        }),
      );
    });

    app.get('/konsoll/runs/:runId/barnehager/:orgnr', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, orgnr } = kindergartenParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const k = await deps.read.kindergarten(runId, orgnr);
      if (!k || (v.user.role === 'municipal-authority' && k.municipalityId !== v.user.municipalityId)) {
        return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Fant ikke barnehagen', 'Barnehagen finnes ikke i dette programåret, eller du har ikke tilgang til den.'));
      }
      // The next emails come from the kindergarten's own workflow (its extensions, submissions, withdrawal and the
      // run's pause), by the rules its loop applies; the run's plan names its region and group.
      const [planned, status] = await Promise.allSettled([currentPlan(runId), control.kindergartenStatus(deps.control, runId, orgnr)]);
      const plan = planned.status === 'fulfilled' ? planned.value.plan : null;
      const timeline = planned.status === 'fulfilled' ? planned.value.timeline : null;
      const upcoming = status.status === 'fulfilled' ? status.value.upcoming.slice(0, 10) : null;
      const place = timeline ? placeName(timeline, k.regionId, k.groupId) : null;
      const guidance = timeline ? await guidanceOverview(deps.control.store, guidancePlanOf(timeline), runId, now(), { orgnr }) : undefined;
      // Its participants in the latest group set-up of its authority (release 1.2.0), where the plan asks for one.
      const setupDeliverables = (plan?.deliverables ?? []).filter((d) => d.submittedBy === 'municipal-authorities');
      const setups = await Promise.all(setupDeliverables.map((d) => deps.control.store.latestGroupSetup(runId, k.municipalityId, d.id)));
      const latestSetup = setups.filter((x) => x !== null).sort((a, b) => b.receivedAt - a.receivedAt)[0];
      const participants = setupDeliverables.length
        ? (latestSetup?.participants ?? []).filter((p) => p.orgnr === orgnr).map((p) => ({ name: p.name, email: p.email, role: (ROLE_LABEL[p.role as keyof typeof ROLE_LABEL] ?? p.role).toLowerCase() }))
        : undefined;
      const region = timeline?.regions.find((r) => r.id === k.regionId)?.name ?? k.regionId;
      return htmlReply(
        reply,
        200,
        kindergartenPage(v.frame(k.name), { runId, k, deliverableTitles: new Map((plan?.deliverables ?? []).map((d) => [d.id, d.title])), upcoming, place: place && place !== region ? `${region}, ${place}` : region, paused: status.status === 'fulfilled' && status.value.state === 'paused', ...(guidance ? { guidance } : {}), ...(participants ? { participants } : {}) }),
      );
    });

    // What is addressed to the signed-in recipient (where a personal link lands): per deliverable, each kindergarten.
    app.get('/konsoll/runs/:runId/mottatt', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId } = runParams.parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const role = v.user.role;
      const municipalityId = role === 'municipal-authority' ? v.user.municipalityId : null;
      const [[run], plan, municipality] = await Promise.all([
        deps.read.listRuns(runId),
        deps.read.plan(runId),
        municipalityId ? deps.read.municipalities(runId).then((all) => all.find((m) => m.id === municipalityId) ?? null) : Promise.resolve(null),
      ]);
      // An authority reads its page in its municipality's standard (issue 15), everyone else in bokmål.
      const language = recipientLanguage(request.query, municipality?.language);
      const t = recipientWords(language.language);
      if (!run || !plan) return htmlReply(reply, 404, recipientMessagePage(v.frame(t.unknown), t.runNotFound.title, t.runNotFound.text, language.language));
      // What the directors send; the authorities' group set-up has its own page (release 1.2.0).
      const addressed = plan.deliverables.filter((d) => d.recipient === role && d.submittedBy !== 'municipal-authorities');
      const [rows, { timeline }] = await Promise.all([deps.read.received(runId, addressed.map((d) => d.id), municipalityId), currentPlan(runId)]);
      // Guidance on what the research centre receives (release 1.2.0): owed, late or given, by the reminders' rule.
      const guidance = timeline ? await guidanceOverview(deps.control.store, guidancePlanOf(timeline), runId, now()) : new Map();
      const regions = municipality ? plan.regions.filter((r) => r.id === municipality.regionId) : plan.regions;
      const reader = { role, municipality: municipality?.name ?? null };
      return htmlReply(
        reply,
        200,
        receivedPage(v.frame(receivedHeading(reader, language.language)), {
          runId,
          reader,
          run,
          language,
          deliverables: addressed.map((d) => ({
            id: d.id,
            title: d.title,
            rows: rows.filter((r) => r.deliverableId === d.id),
            reviewed: d.recipient === 'municipal-authority',
            reviewable: d.recipient === 'municipal-authority' && role === 'municipal-authority',
            guided: d.review !== undefined,
            guidable: d.review?.by === role,
          })),
          guidance,
          groupSetups: await groupSetupLinks(runId, plan, role === 'municipal-authority' ? municipalityId : null),
          regions: regions.map((r) => ({ id: r.id, name: r.name })),
          message: String((request.query as Record<string, unknown>).melding ?? '') || null,
        }),
      );
    });

    app.get('/konsoll/runs/:runId/revisjon', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { runId } = runParams.parse(request.params);
      const [entries, { timeline, plan }] = await Promise.all([deps.accounts.listAudit(runId), currentPlan(runId)]);
      const regions = timeline?.regions ?? [];
      const names = {
        region: (id: string) => regions.find((r) => r.id === id)?.name ?? id,
        place: (regionId: string | null, groupId: string | null) => (regionId === null ? null : placeName({ regions }, regionId, groupId)),
        deliverable: (id: string) => plan?.deliverables.find((d) => d.id === id)?.title ?? id,
        milestone: (id: string) => plan?.milestones.find((m) => m.id === id)?.title ?? id,
      };
      return htmlReply(reply, 200, auditPage(v.frame('Revisjonslogg'), runId, entries, names));
    });
  };
}
