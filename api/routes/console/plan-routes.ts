import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import * as control from '../../../application/run-control';
import { InputError } from '../../../config/errors';
import type { Plan } from '../../../config/plan-schema';
import type { Roster } from '../../../config/roster-schema';
import { RefusedError } from '../../../domain/errors';
import { runWorkflowId } from '../../../domain/ids';
import { pastStepsAtStart } from '../../../domain/start-preview';
import { parsePlan } from '../../../planning/load-plan';
import { fieldOf, planFieldGroups, savePlanForm } from '../../../planning/plan-form';
import { rollPlanForward } from '../../../planning/roll-forward';
import { parseRosterFile } from '../../../planning/roster-import';
import { formatIssue } from '../../../config/errors';
import { Forbidden, type Visitor, coordinator, htmlReply, mayRead } from '../../console/guard';
import { newRunPage, previewPage } from '../../pages/console-pages';
import { planEditorPage } from '../../pages/plan-editor';
import type { ConsoleDeps } from '../console-routes';

const draftParams = z.object({ draftId: z.uuid() });

/** What the draft's page says after a change (`?melding=`). */
const DRAFT_MESSAGES: Record<string, string> = {
  'plan-lagret': 'Planen er lagret.',
  'deltakerliste-lagret': 'Deltakerlisten er byttet.',
};

/**
 * A year before it starts: the draft (plan and roster) made from uploaded files, the example, or last year's run; its
 * timeline with what is already past; the plan as a form; the plan as YAML. Nothing starts until "Start programåret".
 */
export function planRoutes(deps: ConsoleDeps, exampleYear: () => number) {
  const now = deps.now ?? Date.now;

  async function draftOf(draftId: string): Promise<{ plan: Plan; roster: Roster } | null> {
    const draft = await deps.drafts.get(draftId);
    if (!draft) return null;
    return { plan: draft.plan as Plan, roster: draft.roster as Roster };
  }

  /** The draft's page: its timeline with what is already past; a roster that could not be used is listed on top. */
  function draftPage(v: Visitor, draftId: string, draft: { plan: Plan; roster: Roster }, message: string | null, rosterError?: InputError): string {
    const { plan, roster } = draft;
    const timeline = control.startableTimeline(plan, now());
    return previewPage(v.frame('Kontroller før start', message), {
      draftId,
      timeline,
      programme: plan.programme,
      runId: runWorkflowId(plan.schoolYear, plan.county),
      kindergartens: roster.kindergartens.length,
      municipalities: roster.municipalities.length,
      now: now(),
      past: pastStepsAtStart(timeline, now()),
      ...(rosterError ? { rosterIssues: rosterError.issues, rosterSummary: rosterError.summary } : {}),
    });
  }

  /** The runs a visitor may start next year from: those it may read (a coordinator with a county: its own). */
  const startableFrom = async (v: Visitor) => (await deps.read.listRuns()).filter((r) => mayRead(v.user, r.runId));

  const gone = (v: Visitor) => newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: 'Utkastet er utløpt eller finnes ikke; start på nytt.' }], exampleYear: exampleYear(), runs: [] });

  return async (app: FastifyInstance) => {
    app.get('/konsoll/ny/:draftId', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { draftId } = draftParams.parse(request.params);
      const draft = await draftOf(draftId);
      if (!draft) return htmlReply(reply, 404, gone(v));
      const melding = (request.query as Record<string, unknown>).melding;
      try {
        return htmlReply(reply, 200, draftPage(v, draftId, draft, typeof melding === 'string' ? (DRAFT_MESSAGES[melding] ?? null) : null));
      } catch (error) {
        const frame = v.frame('Start et nytt programår');
        if (error instanceof InputError) return htmlReply(reply, 400, newRunPage(frame, { issues: error.issues, summary: error.summary, exampleYear: exampleYear(), runs: [] }));
        if (error instanceof RefusedError) return htmlReply(reply, 409, newRunPage(frame, { issues: [{ message: error.message }], summary: 'Planen kan ikke startes', exampleYear: exampleYear(), runs: [] }));
        throw error;
      }
    });

    app.get('/konsoll/ny/:draftId/plan', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { draftId } = draftParams.parse(request.params);
      const draft = await draftOf(draftId);
      if (!draft) return htmlReply(reply, 404, gone(v));
      return htmlReply(reply, 200, planEditorPage(v.frame('Rediger planen'), { draftId, programme: draft.plan.programme, groups: planFieldGroups(draft.plan), values: {}, errors: new Map(), unplaced: [] }));
    });

    app.post('/konsoll/ny/:draftId/plan', async (request, reply) => {
      const v = await coordinator(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { draftId } = draftParams.parse(request.params);
      const draft = await draftOf(draftId);
      if (!draft) return htmlReply(reply, 404, gone(v));
      const form = Object.fromEntries(Object.entries((request.body ?? {}) as Record<string, unknown>).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
      const groups = planFieldGroups(draft.plan);
      try {
        const plan = savePlanForm(draft.plan, form);
        await deps.drafts.updatePlan(draftId, plan);
        return reply.redirect(`/konsoll/ny/${draftId}?melding=plan-lagret`, 303);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // Every value stays as typed; each problem goes beside its field (or its milestone), the rest on top.
        const errors = new Map<string, string[]>();
        const unplaced: string[] = [];
        for (const issue of error.issues) {
          const name = fieldOf(groups, issue.path);
          if (name) errors.set(name, [...(errors.get(name) ?? []), issue.message]);
          else unplaced.push(formatIssue(issue));
        }
        return htmlReply(reply, 400, planEditorPage(v.frame('Rediger planen'), { draftId, programme: draft.plan.programme, groups, values: form, errors, unplaced }));
      }
    });

    // A new roster for the draft (an .xlsx, CSV or JSON file), checked against the draft's plan before it replaces
    // the one the draft has; a refused file leaves the draft as it was and lists its problems with sheet, row and column.
    app.post('/konsoll/ny/:draftId/deltakerliste', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { draftId } = draftParams.parse(request.params);
      let upload: { bytes: Buffer; file: string } | null = null;
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) {
        if (part.type === 'field') fields[part.fieldname] = String(part.value);
        else if (part.fieldname === 'roster' && part.filename) upload = { bytes: await part.toBuffer(), file: part.filename };
        else part.file.resume();
      }
      if (!v.csrfOk(fields)) throw new Forbidden();
      const draft = await draftOf(draftId);
      if (!draft) return htmlReply(reply, 404, gone(v));
      try {
        if (!upload) throw new InputError('Deltakerlisten ble ikke byttet', [{ message: 'Velg en fil med deltakerlisten (Excel, CSV eller JSON).' }]);
        const roster = await parseRosterFile(upload.bytes, upload.file, draft.plan);
        if (!(await deps.drafts.updateRoster(draftId, roster))) return htmlReply(reply, 404, gone(v));
        return reply.redirect(`/konsoll/ny/${draftId}?melding=deltakerliste-lagret`, 303);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return htmlReply(reply, 400, draftPage(v, draftId, draft, null, error));
      }
    });

    app.get('/konsoll/ny/:draftId/plan.yaml', async (request, reply) => {
      const v = await coordinator(deps, request);
      const { draftId } = draftParams.parse(request.params);
      const draft = await draftOf(draftId);
      if (!draft) return htmlReply(reply, 404, gone(v));
      const file = `plan-${draft.plan.county}-${draft.plan.schoolYear}.yaml`;
      return reply.type('application/yaml; charset=utf-8').header('Content-Disposition', `attachment; filename="${file}"`).send(stringifyYaml(draft.plan, { lineWidth: 0 }));
    });

    // Next year from a run: its plan rolled forward (same ISO week and weekday) and its roster as it stands now.
    app.post('/konsoll/ny/fra-programar', async (request, reply) => {
      const v = await coordinator(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const body = (request.body ?? {}) as Record<string, unknown>;
      const runId = z.string().regex(/^[a-z0-9-]{1,120}$/).safeParse(body.programar);
      const readable = runId.success && mayRead(v.user, runId.data);
      const [stored, roster] = runId.success && readable ? await Promise.all([deps.read.plan(runId.data), deps.read.roster(runId.data)]) : [null, null];
      if (!stored || !roster) return htmlReply(reply, 404, newRunPage(v.frame('Start et nytt programår'), { issues: [{ message: 'Fant ikke programåret å starte fra.' }], exampleYear: exampleYear(), runs: await startableFrom(v) }));
      const year = Math.max(exampleYear(), stored.schoolYear + 1);
      let plan: Plan;
      try {
        plan = parsePlan(rollPlanForward(stringifyYaml(stored, { lineWidth: 0 }), year).text, `plan-${stored.county}-${year}.yaml`);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return htmlReply(reply, 400, newRunPage(v.frame('Start et nytt programår'), { issues: error.issues, summary: error.summary, exampleYear: exampleYear(), runs: await startableFrom(v) }));
      }
      const draftId = randomUUID();
      await deps.drafts.save(draftId, v.user.email, plan, roster);
      return reply.redirect(`/konsoll/ny/${draftId}`, 303);
    });
  };
}
