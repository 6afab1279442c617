import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../../config/errors';
import type { Plan } from '../../../config/plan-schema';
import { groupSetupScope, submitGroupSetup } from '../../../application/group-setup';
import * as control from '../../../application/run-control';
import { type Timeline, authorityWindowFor } from '../../../domain/timeline';
import { ROLE_LABEL, fileLines, formLines, groupSetupTemplateCsv, groupSetupTemplateXlsx } from '../../../planning/group-setup';
import { resolveTimeline } from '../../../planning/resolve-timeline';
import { refusalReason } from '../../errors';
import { spreadsheetCsv } from '../../exports/csv';
import { Forbidden, type Visitor, htmlReply, mayRead, visitor } from '../../console/guard';
import { groupSetupOverviewPage, groupSetupPage, groupSetupReceiptPage, participantsTable } from '../../pages/group-setup-pages';
import { consolePage } from '../../pages/console-pages';
import { type PageLanguage, keepLanguage, recipientMessagePage, recipientWords } from '../../pages/recipient-pages';
import { html } from '../../../texts/html';
import type { ConsoleDeps } from '../console-routes';
import { readerLanguage, runParams } from './page-routes';

const setupParams = runParams.extend({ deliverableId: z.string().regex(/^[a-z0-9-]{1,63}$/) });
const FILE_BYTES = 5 * 1024 * 1024;
const MIN_LINES = 4;
const MAX_LINES = 20;

/**
 * The municipal authorities' group set-up (release 1.2.0): the authority's page (form, file upload, templates,
 * receipts) for its own municipality only, and for the coordinator and the research centre the overview of every
 * municipality, each one's participants and all of them as CSV.
 */
export function groupSetupRoutes(deps: ConsoleDeps) {
  const now = () => (deps.now ?? Date.now)();

  async function loadRun(v: Visitor, runId: string, deliverableId: string): Promise<{ plan: Plan; timeline: Timeline; deliverable: Plan['deliverables'][number] } | null> {
    if (!mayRead(v.user, runId)) throw new Forbidden();
    const plan = await deps.read.plan(runId);
    const deliverable = plan?.deliverables.find((d) => d.id === deliverableId && d.submittedBy === 'municipal-authorities');
    if (!plan || !deliverable) return null;
    const timeline = await control.runPlan(deps.control, runId).then((p) => p.timeline).catch(() => resolveTimeline(plan));
    return { plan, timeline, deliverable };
  }

  const notFound = (v: Visitor, reply: FastifyReply, language: PageLanguage) => {
    const t = recipientWords(language.language);
    return htmlReply(reply, 404, recipientMessagePage(v.frame(t.unknown), t.setupNotFound.title, t.setupNotFound.text, language.language));
  };

  /** The reader's standard (an authority's municipality's, or the one asked for: issue 15), with the run, or null. */
  async function loadIn(v: Visitor, request: FastifyRequest, runId: string, deliverableId: string) {
    const run = await loadRun(v, runId, deliverableId);
    return { run, language: await readerLanguage(deps, v.user, runId, request.query) };
  }

  /** The authority's own municipality, or 403 for anyone else. */
  const ownMunicipality = (v: Visitor): string => {
    if (v.user.role !== 'municipal-authority' || !v.user.municipalityId) throw new Forbidden();
    return v.user.municipalityId;
  };

  async function authorityPage(v: Visitor, reply: FastifyReply, status: number, runId: string, run: NonNullable<Awaited<ReturnType<typeof loadRun>>>, language: PageLanguage, form: { setupId: string; lines?: number; values?: Record<string, string>; issues?: InputError['issues'] | null; issuesFrom?: 'form' | 'file'; refusal?: string | null }) {
    const municipalityId = ownMunicipality(v);
    const scope = await groupSetupScope(deps.control, run.timeline, runId, municipalityId, run.deliverable.id);
    if (!scope.window || !scope.municipality) return notFound(v, reply, language);
    const latest = await deps.control.store.latestGroupSetup(runId, municipalityId, run.deliverable.id);
    // The first time, each kindergarten's director is filled in; afterwards the version in force.
    const values: Record<string, string> = form.values ?? {};
    if (!form.values) {
      for (const k of scope.kindergartens) {
        const own = latest ? latest.participants.filter((p) => p.orgnr === k.orgnr) : [{ name: k.director.name, email: k.director.email, role: 'styrer' }];
        own.forEach((p, i) => Object.assign(values, { [`navn-${k.orgnr}-${i + 1}`]: p.name, [`epost-${k.orgnr}-${i + 1}`]: p.email, [`rolle-${k.orgnr}-${i + 1}`]: p.role }));
      }
    }
    const most = latest ? Math.max(0, ...scope.kindergartens.map((k) => latest.participants.filter((p) => p.orgnr === k.orgnr).length)) : 0;
    const lines = form.lines ?? Math.min(MAX_LINES, Math.max(MIN_LINES, most + 1));
    return htmlReply(
      reply,
      status,
      groupSetupPage(v.frame(run.deliverable.title), {
        base: `/konsoll/runs/${runId}/gruppeoppsett/${run.deliverable.id}`,
        deliverable: { title: run.deliverable.title, description: run.deliverable.description ?? null },
        municipality: scope.municipality.municipality,
        window: scope.window,
        now: now(),
        minimum: scope.minimum,
        kindergartens: scope.kindergartens,
        latest,
        setupId: form.setupId,
        lines,
        values,
        issues: form.issues ?? null,
        issuesFrom: form.issuesFrom ?? 'form',
        refusal: form.refusal ?? null,
        language,
      }),
    );
  }

  /** Stores a version, or shows the form again with every problem and everything as it was typed. */
  async function submit(v: Visitor, request: FastifyRequest, reply: FastifyReply, runId: string, run: NonNullable<Awaited<ReturnType<typeof loadRun>>>, language: PageLanguage, setupId: string, lines: Parameters<typeof submitGroupSetup>[2]['lines'], source: Parameters<typeof submitGroupSetup>[2]['source'], shown: { lines?: number; values?: Record<string, string> }) {
    const municipalityId = ownMunicipality(v);
    try {
      const record = await submitGroupSetup(deps.control, run.timeline, { runId, municipalityId, deliverableId: run.deliverable.id, setupId, lines, source, by: v.user.email, receivedAt: now() });
      return reply.redirect(keepLanguage(`/konsoll/runs/${runId}/gruppeoppsett/${run.deliverable.id}/kvittering/${record.setupId}`, language), 303);
    } catch (error) {
      if (error instanceof InputError) return authorityPage(v, reply, 400, runId, run, language, { setupId, ...shown, issues: error.issues, issuesFrom: source.kind });
      const { status, reason } = refusalReason(error, request, reply);
      return authorityPage(v, reply, status, runId, run, language, { setupId, ...shown, refusal: reason });
    }
  }

  return async (app: FastifyInstance) => {
    const base = '/konsoll/runs/:runId/gruppeoppsett/:deliverableId';

    app.get(base, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId } = setupParams.parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      if (v.user.role !== 'municipal-authority') return reply.redirect(keepLanguage(`/konsoll/runs/${runId}/gruppeoppsett/${deliverableId}/oversikt`, language), 303);
      return authorityPage(v, reply, 200, runId, run, language, { setupId: randomUUID() });
    });

    app.post(base, async (request, reply) => {
      const v = await visitor(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { runId, deliverableId } = setupParams.parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      const municipalityId = ownMunicipality(v);
      const fields = Object.fromEntries(Object.entries((request.body ?? {}) as Record<string, unknown>).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
      const setupId = /^[0-9a-f-]{36}$/.test(fields.oppsett ?? '') ? (fields.oppsett as string) : randomUUID();
      const shownLines = Math.min(MAX_LINES, Math.max(1, Number.parseInt(fields.linjer ?? '', 10) || MIN_LINES));
      const kindergartens = await deps.control.store.municipalityKindergartens(runId, municipalityId);
      return submit(v, request, reply, runId, run, language, setupId, formLines(fields, kindergartens, shownLines), { kind: 'form' }, { lines: shownLines, values: fields });
    });

    app.post(`${base}/fil`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId } = setupParams.parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      ownMunicipality(v);
      const problems = recipientWords(language.language).setupProblems;
      const fields: Record<string, string> = {};
      let file: { bytes: Buffer; name: string; truncated: boolean } | null = null;
      let problem: string | null = null;
      try {
        for await (const part of request.parts({ limits: { fileSize: FILE_BYTES, files: 1, fields: 4, parts: 6 } })) {
          if (part.type === 'field') fields[part.fieldname] = String(part.value);
          else if (part.fieldname === 'fil' && part.filename) file = { bytes: await part.toBuffer(), name: part.filename.split(/[\\/]/).pop() ?? 'fil', truncated: part.file.truncated };
          else part.file.resume();
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        problem = code === 'FST_REQ_FILE_TOO_LARGE' ? problems.fileTooLarge : problems.formUnreadable;
      }
      if (!v.csrfOk(fields)) throw new Forbidden();
      const setupId = /^[0-9a-f-]{36}$/.test(fields.oppsett ?? '') ? (fields.oppsett as string) : randomUUID();
      if (problem || !file || file.truncated) return authorityPage(v, reply, problem || file?.truncated ? 413 : 400, runId, run, language, { setupId, refusal: problem ?? (file ? problems.fileTooLarge : problems.chooseFile) });
      try {
        const { lines, sheet } = await fileLines(file.bytes, file.name);
        return await submit(v, request, reply, runId, run, language, setupId, lines, { kind: 'file', file: file.name, ...(sheet ? { sheet } : {}) }, {});
      } catch (error) {
        if (error instanceof InputError) return authorityPage(v, reply, 400, runId, run, language, { setupId, issues: error.issues, issuesFrom: 'file' });
        throw error;
      }
    });

    app.get(`${base}/mal.:format`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId, format } = setupParams.extend({ format: z.enum(['xlsx', 'csv']) }).parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      const municipalityId = ownMunicipality(v);
      const [kindergartens, latest] = await Promise.all([deps.control.store.municipalityKindergartens(runId, municipalityId), deps.control.store.latestGroupSetup(runId, municipalityId, deliverableId)]);
      const participants = (latest?.participants ?? []).map((p) => ({ ...p, role: p.role as keyof typeof ROLE_LABEL }));
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="gruppeoppsett.csv"').send(groupSetupTemplateCsv(kindergartens, participants));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('Content-Disposition', 'attachment; filename="gruppeoppsett.xlsx"')
        .send(await groupSetupTemplateXlsx(kindergartens, participants));
    });

    app.get(`${base}/kvittering/:setupId`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId, setupId } = setupParams.extend({ setupId: z.uuid() }).parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      const record = await deps.control.store.groupSetup(runId, setupId);
      if (!record || (v.user.role === 'municipal-authority' && record.municipalityId !== v.user.municipalityId)) return notFound(v, reply, language);
      const summary = (await deps.control.store.groupSetups(runId, deliverableId)).find((m) => m.municipalityId === record.municipalityId);
      const kindergartens = await deps.control.store.municipalityKindergartens(runId, record.municipalityId);
      return htmlReply(reply, 200, groupSetupReceiptPage(v.frame(recipientWords(language.language).receipt), { base: `/konsoll/runs/${runId}/gruppeoppsett/${deliverableId}`, deliverable: run.deliverable.title, municipality: summary?.municipality ?? record.municipalityId, record, kindergartens, language }));
    });

    app.get(`${base}/oversikt`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId } = setupParams.parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      if (v.user.role === 'municipal-authority') return reply.redirect(keepLanguage(`/konsoll/runs/${runId}/gruppeoppsett/${deliverableId}`, language), 303);
      const rows = await deps.control.store.groupSetups(runId, deliverableId);
      const window = rows[0] ? authorityWindowFor(run.timeline, deliverableId, rows[0].regionId) : null;
      return htmlReply(reply, 200, groupSetupOverviewPage(v.frame(run.deliverable.title), { runBase: `/konsoll/runs/${runId}`, base: `/konsoll/runs/${runId}/gruppeoppsett/${deliverableId}`, deliverable: run.deliverable.title, window, rows, now: now(), language }));
    });

    app.get(`${base}/kommuner/:municipalityId`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId, municipalityId } = setupParams.extend({ municipalityId: z.string().regex(/^[a-z0-9-]{1,63}$/) }).parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      if (v.user.role === 'municipal-authority' && v.user.municipalityId !== municipalityId) throw new Forbidden();
      const [record, kindergartens, rows] = await Promise.all([
        deps.control.store.latestGroupSetup(runId, municipalityId, deliverableId),
        deps.control.store.municipalityKindergartens(runId, municipalityId),
        deps.control.store.groupSetups(runId, deliverableId),
      ]);
      const municipality = rows.find((m) => m.municipalityId === municipalityId)?.municipality ?? municipalityId;
      const body = html`<h1>${run.deliverable.title}: ${municipality}</h1>
${record ? html`<p>Versjon ${String(record.version)}, kvittering ${record.receiptNumber}, sendt av ${record.by}.</p>${participantsTable(record, kindergartens)}` : html`<p>Ikke sendt ennå.</p>`}
<p><a href="/konsoll/runs/${runId}/gruppeoppsett/${deliverableId}/oversikt">Alle kommunene</a></p>`;
      return htmlReply(reply, 200, consolePage(v.frame(`${run.deliverable.title}: ${municipality}`), body));
    });

    app.get(`${base}/deltakere.csv`, async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, deliverableId } = setupParams.parse(request.params);
      const { run, language } = await loadIn(v, request, runId, deliverableId);
      if (!run) return notFound(v, reply, language);
      if (v.user.role === 'municipal-authority') throw new Forbidden();
      const rows = await deps.control.store.groupSetups(runId, deliverableId);
      const lines: string[][] = [];
      for (const m of rows) {
        const [record, kindergartens] = await Promise.all([deps.control.store.latestGroupSetup(runId, m.municipalityId, deliverableId), deps.control.store.municipalityKindergartens(runId, m.municipalityId)]);
        for (const p of record?.participants ?? []) {
          lines.push([m.municipality, kindergartens.find((k) => k.orgnr === p.orgnr)?.name ?? '', p.orgnr, p.name, p.email, ROLE_LABEL[p.role as keyof typeof ROLE_LABEL] ?? p.role, String(record?.version ?? '')]);
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${runId}-deltakere.csv"`)
        .send(spreadsheetCsv(['Kommune', 'Barnehage', 'Organisasjonsnummer', 'Navn', 'E-post', 'Rolle', 'Versjon'], lines));
    });
  };
}
