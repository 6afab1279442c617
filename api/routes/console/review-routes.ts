import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import * as control from '../../../application/run-control';
import { refusalReason } from '../../errors';
import { Forbidden, type Visitor, htmlReply, mayRead, visitor } from '../../console/guard';
import { type PageLanguage, keepLanguage, recipientMessagePage, recipientWords, reviewPage } from '../../pages/recipient-pages';
import type { ConsoleDeps } from '../console-routes';
import { readerLanguage, runParams } from './page-routes';

const reviewParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/), deliverableId: z.string().regex(/^[a-z0-9-]+$/) });
const reviewForm = z.object({
  vurdering: z.string().regex(/^[0-9a-f-]{36}$/),
  utfall: z.enum(['godkjent', 'tilbake']).optional(),
  kommentar: z.string().max(5000).default(''),
  frist: z.string().max(20).default(''),
});

/** What the form's words mean to the application layer. */
const VERDICT = { godkjent: 'accepted', tilbake: 'returned' } as const;

/**
 * The municipal authority's dialogue on the full analysis: a page per kindergarten and deliverable addressed to the
 * authority, where it accepts the latest version or returns it with a comment and a new deadline (the kindergarten
 * workflow's reviewSubmission Update, through the application layer). Only the authority of the kindergarten's own
 * municipality may; everyone else gets 403.
 */
export function reviewRoutes(deps: ConsoleDeps) {
  const now = () => (deps.now ?? Date.now)();

  async function load(v: Visitor, runId: string, orgnr: string, deliverableId: string) {
    if (v.user.role !== 'municipal-authority' || !mayRead(v.user, runId)) throw new Forbidden();
    const [kindergarten, plan] = await Promise.all([deps.read.kindergarten(runId, orgnr), deps.read.plan(runId)]);
    if (!kindergarten || kindergarten.municipalityId !== v.user.municipalityId) throw new Forbidden();
    const deliverable = plan?.deliverables.find((d) => d.id === deliverableId && d.recipient === 'municipal-authority');
    if (!plan || !deliverable) return null;
    const [rows, reviews] = await Promise.all([deps.read.received(runId, [deliverableId], kindergarten.municipalityId), deps.read.reviews(runId, orgnr, deliverableId)]);
    const row = rows.find((r) => r.orgnr === orgnr);
    return { kindergarten, deliverable, row, reviews, zone: plan.timezone };
  }

  function page(v: Visitor, reply: FastifyReply, status: number, runId: string, data: NonNullable<Awaited<ReturnType<typeof load>>>, values: { reviewId: string; verdict: string; comment: string; due: string }, refusal: string | null, language: PageLanguage) {
    const submission = data.row?.submission ?? null;
    const reviewed = submission !== null && data.reviews.some((r) => r.version === submission.version && r.submissionId === submission.id);
    return htmlReply(
      reply,
      status,
      reviewPage(v.frame(`${data.deliverable.title}: ${data.kindergarten.name}`), {
        runId,
        kindergarten: data.kindergarten.name,
        municipality: data.kindergarten.municipalityName,
        deliverable: { id: data.deliverable.id, title: data.deliverable.title, dueAt: data.row?.dueAt ?? 0 },
        submission,
        reviews: data.reviews,
        here: `/konsoll/runs/${runId}/mottatt/${data.kindergarten.orgnr}/${data.deliverable.id}/vurdering`,
        form: reviewed ? null : values,
        refusal,
        language,
      }),
    );
  }

  return async (app: FastifyInstance) => {
    app.get('/konsoll/runs/:runId/mottatt/:orgnr/:deliverableId/vurdering', async (request, reply) => {
      const v = await visitor(deps, request);
      const { runId, orgnr, deliverableId } = reviewParams.parse(request.params);
      const data = await load(v, runId, orgnr, deliverableId);
      // The authority's own municipality's standard, or the one asked for (issue 15).
      const language = await readerLanguage(deps, v.user, runId, request.query);
      const t = recipientWords(language.language);
      if (!data) return htmlReply(reply, 404, recipientMessagePage(v.frame(t.unknown), t.reviewNotFound.title, t.reviewNotFound.text, language.language));
      // A new deadline two weeks ahead at 16.00 is offered; the authority may change it.
      const due = DateTime.fromMillis(now(), { zone: data.zone }).plus({ days: 14 }).set({ hour: 16, minute: 0 }).toFormat("yyyy-MM-dd'T'HH:mm");
      return page(v, reply, 200, runId, data, { reviewId: randomUUID(), verdict: '', comment: '', due }, null, language);
    });

    app.post('/konsoll/runs/:runId/mottatt/:orgnr/:deliverableId/vurdering', async (request: FastifyRequest, reply) => {
      const v = await visitor(deps, request);
      if (!v.csrfOk(request.body)) throw new Forbidden();
      const { runId, orgnr, deliverableId } = reviewParams.parse(request.params);
      const data = await load(v, runId, orgnr, deliverableId);
      // The authority's own municipality's standard, or the one asked for (issue 15).
      const language = await readerLanguage(deps, v.user, runId, request.query);
      const t = recipientWords(language.language);
      if (!data) return htmlReply(reply, 404, recipientMessagePage(v.frame(t.unknown), t.reviewNotFound.title, t.reviewNotFound.text, language.language));
      const form = reviewForm.safeParse(request.body);
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const values = {
        reviewId: form.success ? form.data.vurdering : randomUUID(),
        verdict: typeof raw.utfall === 'string' ? raw.utfall : '',
        comment: typeof raw.kommentar === 'string' ? raw.kommentar : '',
        due: typeof raw.frist === 'string' ? raw.frist : '',
      };
      if (!form.success || !form.data.utfall) return page(v, reply, 400, runId, data, values, t.chooseVerdict, language);
      const submission = data.row?.submission;
      if (!submission) return page(v, reply, 409, runId, data, values, t.nothingToReview, language);
      const verdict = VERDICT[form.data.utfall];
      try {
        await control.reviewSubmission(
          deps.control,
          runId,
          orgnr,
          { reviewId: form.data.vurdering, deliverableId, submissionId: submission.id, verdict, comment: form.data.kommentar.trim() || null, dueLocal: verdict === 'returned' ? form.data.frist || null : null },
          v.user.email,
        );
        return reply.redirect(keepLanguage(`/konsoll/runs/${runId}/mottatt?melding=vurdert`, language), 303);
      } catch (error) {
        const { status, reason } = refusalReason(error, request, reply);
        return page(v, reply, status, runId, data, values, reason, language);
      }
    });
  };
}
