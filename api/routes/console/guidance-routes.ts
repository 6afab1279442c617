import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { GuidanceFile } from '../../../activities/store';
import type { ReceivedFile } from '../../../activities/files/file-store';
import { DOCUMENT_MEDIA_TYPES, detectDocumentType } from '../../../activities/files/document-type';
import { type GuidanceLine, giveGuidance, guidanceOverview } from '../../../application/guidance';
import * as control from '../../../application/run-control';
import { cleanFileName } from '../../../application/upload-service';
import { guidancePlanOf } from '../../../domain/guidance';
import { resolveTimeline } from '../../../planning/resolve-timeline';
import { refusalReason } from '../../errors';
import { Forbidden, type Visitor, htmlReply, mayRead, visitor } from '../../console/guard';
import { messagePage } from '../../pages/console-pages';
import { type PageLanguage, guidancePage, keepLanguage, recipientMessagePage, recipientWords } from '../../pages/recipient-pages';
import type { ConsoleDeps } from '../console-routes';
import { contentDisposition } from '../../exports/content-disposition';
import { readerLanguage, runParams } from './page-routes';

const guidanceParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/), deliverableId: z.string().regex(/^[a-z0-9-]+$/) });
const GUIDANCE_FILE_BYTES = 25 * 1024 * 1024;
const GUIDANCE_FILES = 5;

/**
 * The research centre's guidance on the analysis so far (release 1.2.0): a page per kindergarten and deliverable that
 * asks for guidance, where the research centre writes it (text, and files if it wants); the director gets it by email
 * with the files. Only the research centre may write; the coordinator and the kindergarten's authority may open the
 * guidance files.
 */
export function guidanceRoutes(deps: ConsoleDeps) {
  const now = () => (deps.now ?? Date.now)();

  async function load(v: Visitor, runId: string, orgnr: string, deliverableId: string) {
    if (v.user.role !== 'research-centre' || !mayRead(v.user, runId)) throw new Forbidden();
    const [kindergarten, plan] = await Promise.all([deps.read.kindergarten(runId, orgnr), deps.read.plan(runId)]);
    if (!kindergarten || !plan) return null;
    const deliverable = plan.deliverables.find((d) => d.id === deliverableId && d.review?.by === 'research-centre');
    if (!deliverable) return null;
    const timeline = await control.runPlan(deps.control, runId).then((p) => p.timeline).catch(() => resolveTimeline(plan));
    const [rows, overview] = await Promise.all([
      deps.read.received(runId, [deliverableId], null),
      guidanceOverview(deps.control.store, guidancePlanOf(timeline), runId, now(), { orgnr }),
    ]);
    return { kindergarten, plan, deliverable, row: rows.find((r) => r.orgnr === orgnr), line: overview.get(`${orgnr}/${deliverableId}`) ?? null };
  }

  function page(v: Visitor, reply: FastifyReply, status: number, runId: string, data: NonNullable<Awaited<ReturnType<typeof load>>>, values: { guidanceId: string; text: string }, refusal: string | null, language: PageLanguage, line: GuidanceLine | null = data.line) {
    return htmlReply(
      reply,
      status,
      guidancePage(v.frame(recipientWords(language.language).guidanceTitle(data.kindergarten.name)), {
        runId,
        kindergarten: data.kindergarten.name,
        municipality: data.kindergarten.municipalityName,
        deliverable: { id: data.deliverable.id, title: data.deliverable.title },
        submission: data.row?.submission ?? null,
        line,
        here: `/konsoll/runs/${runId}/mottatt/${data.kindergarten.orgnr}/${data.deliverable.id}/veiledning`,
        form: values,
        maxFiles: GUIDANCE_FILES,
        refusal,
        language,
      }),
    );
  }

  const notFound = (v: Visitor, reply: FastifyReply, language: PageLanguage) => {
    const t = recipientWords(language.language);
    return htmlReply(reply, 404, recipientMessagePage(v.frame(t.unknown), t.guidanceNotFound.title, t.guidanceNotFound.text, language.language));
  };

  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/mottatt/:orgnr/:deliverableId/veiledning', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, orgnr, deliverableId } = guidanceParams.parse(request.params);
      const data = await load(v, runId, orgnr, deliverableId);
      // Bokmål for the research centre, unless it asks for nynorsk (issue 15).
      const language = await readerLanguage(deps, v.user, runId, request.query);
      if (!data) return notFound(v, reply, language);
      return page(v, reply, 200, runId, data, { guidanceId: randomUUID(), text: '' }, null, language);
    });

    app.post('/konsoll/runs/:runId/mottatt/:orgnr/:deliverableId/veiledning', async (request: FastifyRequest, reply) => {
      const v = await visitor(deps, request);
      const { runId, orgnr, deliverableId } = guidanceParams.parse(request.params);
      const data = await load(v, runId, orgnr, deliverableId);
      const language = await readerLanguage(deps, v.user, runId, request.query);
      const t = recipientWords(language.language).guidanceProblems;
      if (!data) return notFound(v, reply, language);
      const fields: Record<string, string> = {};
      const received: { name: string; file: ReceivedFile; truncated: boolean }[] = [];
      const discard = () => Promise.all(received.map((f) => deps.files?.discard(f.file.tempPath)));
      let formProblem: string | null = null;
      try {
        for await (const part of request.parts({ limits: { fileSize: GUIDANCE_FILE_BYTES, files: GUIDANCE_FILES, fields: 6, parts: GUIDANCE_FILES + 6 } })) {
          if (part.type === 'field') fields[part.fieldname] = String(part.value);
          else if (part.fieldname === 'filer' && part.filename && deps.files) {
            received.push({ name: cleanFileName(part.filename), file: await deps.files.receive(part.file), truncated: part.file.truncated });
          } else part.file.resume();
        }
      } catch (error) {
        await discard();
        const code = (error as { code?: string }).code;
        formProblem = code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' ? t.tooManyFiles(GUIDANCE_FILES) : code === 'FST_REQ_FILE_TOO_LARGE' ? t.fileTooLarge : t.formUnreadable;
        received.length = 0;
      }
      if (!v.csrfOk(fields)) {
        await discard();
        throw new Forbidden();
      }
      const values = { guidanceId: /^[0-9a-f-]{36}$/.test(fields.veiledning ?? '') ? (fields.veiledning as string) : randomUUID(), text: fields.tekst ?? '' };
      if (formProblem) return page(v, reply, 400, runId, data, values, formProblem, language);
      // Each file is checked by size and content, as the director's are.
      const types: string[] = [];
      for (const f of received) {
        const check = f.truncated || f.file.size === 0 ? null : await detectDocumentType(f.file.tempPath, f.file.head, f.file.size);
        if (check?.ok) types.push(DOCUMENT_MEDIA_TYPES[check.type]);
        else {
          await discard();
          const why = f.truncated ? t.tooLarge : f.file.size === 0 ? t.empty : t.wrongType;
          return page(v, reply, 415, runId, data, values, t.file(f.name, why), language);
        }
      }
      try {
        const files: GuidanceFile[] = [];
        for (const [i, f] of received.entries()) {
          const storageKey = `${values.guidanceId}/${i + 1}`;
          await deps.files?.commit(f.file.tempPath, storageKey);
          files.push({ name: f.name, size: f.file.size, sha256: f.file.sha256, contentType: types[i] as string, storageKey });
        }
        await giveGuidance(deps.control, data.plan, { runId, orgnr, deliverableId, guidanceId: values.guidanceId, text: values.text, files, by: v.user.email, at: now() });
        return reply.redirect(keepLanguage(`/konsoll/runs/${runId}/mottatt?melding=veiledning`, language), 303);
      } catch (error) {
        await discard();
        const { status, reason } = refusalReason(error, request, reply);
        return page(v, reply, status, runId, data, values, reason, language);
      }
    });

    // A guidance file: for the research centre, the coordinator and the authority of the kindergarten's municipality.
    app.get('/konsoll/runs/:runId/veiledning/:guidanceId/filer/:position', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, guidanceId, position } = runParams.extend({ guidanceId: z.uuid(), position: z.coerce.number().int().min(1).max(100) }).parse(request.params);
      if (!mayRead(v.user, runId)) throw new Forbidden();
      const g = await deps.control.store.guidance(runId, guidanceId);
      const file = g?.files[position - 1];
      const k = g ? await deps.read.kindergarten(runId, g.orgnr) : null;
      if (!g || !file || !deps.files || !k || (v.user.role === 'municipal-authority' && k.municipalityId !== v.user.municipalityId)) {
        return htmlReply(reply, 404, messagePage(v.frame('Ukjent'), 'Fant ikke filen', 'Filen finnes ikke i dette programåret, eller du har ikke tilgang til den.'));
      }
      return reply
        .type(file.contentType)
        .header('Content-Length', String(file.size))
        .header('Content-Disposition', contentDisposition(file.contentType === 'application/pdf' ? 'inline' : 'attachment', file.name))
        .header('X-Content-Type-Options', 'nosniff')
        .send(deps.files.open(file.storageKey));
    });
  };
}
