import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Submission } from '../../activities/db/submission-repository';
import { type OpenApiRegistry, errorBody } from '../openapi';
import { LINK_STATUS, type FormErrors, inLanguage, linkProblemPage, pageLanguage, pendingPage, receiptPage, refusedPage, uploadPage } from '../pages/upload-pages';
import { DEFAULT_UPLOAD_ATTEMPTS_PER_MINUTE, type IncomingFile, type SubmitOutcome, type UploadDeps, cleanFileName, resolveLink, submitUpload } from '../../application/upload-service';
import { contentDisposition } from '../exports/content-disposition';

/**
 * The director's side: `/levering/<token>` is the page the email links to (form, receipt, refusals), and
 * `/api/uploads/<token>` the same upload as JSON for programs. Both stream files to the storage directory, check them
 * by content, store them, and only then ask the kindergarten workflow.
 */
const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9._-]{10,2048}$/, 'expected the token from the upload link') });
const receiptParams = tokenParams.extend({ submissionId: z.uuid('expected a submission id') });
const formFields = z.object({
  innsending: z.uuid('expected the form\'s submission id').optional(),
  kommentar: z
    .string()
    .max(2000, 'expected at most 2000 characters')
    .optional()
    .transform((c) => {
      // Keep line breaks and tabs, drop every other control character; an empty comment is no comment.
       
      const cleaned = c?.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '').trim();
      return cleaned ? cleaned : null;
    }),
});

export const receiptJson = z.object({
  submissionId: z.uuid(),
  receiptNumber: z.string(),
  state: z.enum(['stored', 'accepted', 'refused']),
  version: z.number().int().nullable(),
  late: z.boolean().nullable(),
  receivedAt: z.string().describe('ISO-8601 instant'),
  refusal: z.string().nullable(),
  comment: z.string().nullable(),
  files: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string(), contentType: z.string() })),
});

export function receiptOf(s: Submission): z.infer<typeof receiptJson> {
  return {
    submissionId: s.id,
    receiptNumber: s.receiptNumber,
    state: s.state,
    version: s.version,
    late: s.late,
    receivedAt: new Date(s.receivedAt).toISOString(),
    refusal: s.refusal,
    comment: s.comment,
    files: s.files.map((f) => ({ name: f.name, size: f.size, sha256: f.sha256, contentType: f.contentType })),
  };
}

const linkJson = z.object({
  kindergarten: z.object({ name: z.string(), municipality: z.string() }),
  deliverable: z.object({ id: z.string(), title: z.string() }),
  dueAt: z.string(),
  lateUntil: z.string(),
  status: z.string(),
  submissions: z.array(receiptJson),
});

interface ReadForm {
  fields: Record<string, string>;
  files: IncomingFile[];
  failure: 'too-many-files' | 'bad-form' | null;
}

/** Reads a multipart form, streaming each file into the storage directory's temporary area. */
async function readForm(request: FastifyRequest, deps: UploadDeps): Promise<ReadForm> {
  const form: ReadForm = { fields: {}, files: [], failure: null };
  if (!request.isMultipart()) return { ...form, failure: 'bad-form' };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') form.fields[part.fieldname] = part.value;
        continue;
      }
      // A file input left empty still sends a part without a name; other fields' files are not ours to keep.
      if (part.fieldname !== 'filer' || !part.filename) {
        part.file.resume();
        continue;
      }
      const received = await deps.files.receive(part.file);
      form.files.push({ name: cleanFileName(part.filename), received, truncated: part.file.truncated });
    }
  } catch (error) {
    await Promise.all(form.files.map((f) => deps.files.discard(f.received.tempPath)));
    const code = (error as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return { fields: {}, files: [], failure: 'too-many-files' };
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || /multipart|boundary/i.test((error as Error).message)) {
      return { fields: {}, files: [], failure: 'bad-form' };
    }
    throw error;
  }
  return form;
}

/** The status of an answer that says the files were not taken: too large beats wrong type beats the rest. */
function statusOfInvalid(outcome: Extract<SubmitOutcome, { kind: 'invalid' }>): number {
  if (outcome.message === 'too-many-files' || outcome.problems.some((p) => p.problem === 'too-large')) return 413;
  if (outcome.problems.some((p) => p.problem === 'wrong-type' || p.problem === 'suspicious-archive')) return 415;
  return 400;
}

function securityHeaders(reply: FastifyReply): void {
  reply.header('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  // The token in the URL is the director's key: never send it on to another site.
  reply.header('Referrer-Policy', 'no-referrer');
  reply.header('Cache-Control', 'no-store');
}

export function uploadRoutes(deps: UploadDeps, openapi: OpenApiRegistry) {
  return async (app: FastifyInstance) => {
    await app.register(multipart, {
      throwFileSizeLimit: false,
      limits: { fileSize: deps.limits.maxFileBytes, files: deps.limits.maxFiles, fields: 8, parts: deps.limits.maxFiles + 8, fieldSize: 16 * 1024, headerPairs: 50 },
    });
    app.addHook('onRequest', async (_request, reply) => securityHeaders(reply));
    // A leaked or shared link cannot be hammered: a few attempts a minute per link are more than a director needs.
    await app.register(rateLimit, { global: false });
    const attempts = deps.limits.attemptsPerMinute ?? DEFAULT_UPLOAD_ATTEMPTS_PER_MINUTE;
    const perLink = {
      rateLimit: {
        max: attempts,
        timeWindow: '1 minute',
        keyGenerator: (request: FastifyRequest) => (request.params as { token?: string }).token ?? '',
        errorResponseBuilder: () => ({ statusCode: 429, message: 'For mange forsøk med denne lenken. Vent et minutt og prøv igjen. (too many attempts with this link; wait a minute)' }),
      },
    };
    const limits = deps.limits;

    const formAction = (token: string) => `/levering/${token}`;

    app.get('/levering/:token', async (request, reply) => {
      const params = tokenParams.safeParse(request.params);
      if (!params.success) return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('malformed', null, pageLanguage(request.query, null)));
      const link = await resolveLink(deps, params.data.token);
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).type('text/html; charset=utf-8').send(linkProblemPage(link.reason, link.target, pageLanguage(request.query, link.target)));
      const [submissions, guidance] = await Promise.all([
        deps.submissions.listFor(link.claims.runId, link.claims.orgnr, link.claims.deliverableId),
        deps.submissions.guidanceFor(link.claims.runId, link.claims.orgnr, link.claims.deliverableId),
      ]);
      return reply.type('text/html; charset=utf-8').send(uploadPage({ target: link.target, formAction: formAction(params.data.token), submissionId: randomUUID(), submissions, limits, guidance, language: pageLanguage(request.query, link.target) }));
    });

    // A file of the research centre's guidance, for the director by the same personal link (release 1.2.0).
    app.get('/levering/:token/veiledning/:guidanceId/filer/:position', async (request, reply) => {
      const params = tokenParams.extend({ guidanceId: z.uuid(), position: z.coerce.number().int().min(1).max(100) }).safeParse(request.params);
      if (!params.success) return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('malformed', null, pageLanguage(request.query, null)));
      const link = await resolveLink(deps, params.data.token, { allowExpired: true });
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).type('text/html; charset=utf-8').send(linkProblemPage(link.reason, link.target, pageLanguage(request.query, link.target)));
      const given = await deps.submissions.guidanceFor(link.claims.runId, link.claims.orgnr, link.claims.deliverableId);
      const file = given.find((g) => g.guidanceId === params.data.guidanceId)?.files[params.data.position - 1];
      if (!file) return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('unknown', link.target, pageLanguage(request.query, link.target)));
      return reply
        .type(file.contentType)
        .header('Content-Length', String(file.size))
        .header('Content-Disposition', contentDisposition('attachment', file.name))
        .header('X-Content-Type-Options', 'nosniff')
        .send(deps.files.open(file.storageKey));
    });

    app.post('/levering/:token', { config: perLink }, async (request, reply) => {
      const params = tokenParams.safeParse(request.params);
      if (!params.success) return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('malformed', null, pageLanguage(request.query, null)));
      const { token } = params.data;
      const link = await resolveLink(deps, token);
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).type('text/html; charset=utf-8').send(linkProblemPage(link.reason, link.target, pageLanguage(request.query, link.target)));
      const html = (status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').send(body);
      const language = pageLanguage(request.query, link.target);
      const again = async (status: number, errors: FormErrors, submissionId: string, comment?: string) =>
        html(status, uploadPage({ target: link.target, formAction: formAction(token), submissionId, submissions: await deps.submissions.listFor(link.claims.runId, link.claims.orgnr, link.claims.deliverableId), limits, errors, language, ...(comment ? { comment } : {}) }));

      const form = await readForm(request, deps);
      if (form.failure) return again(form.failure === 'too-many-files' ? 413 : 400, { problems: [], message: form.failure }, randomUUID());
      const fields = formFields.safeParse(form.fields);
      if (!fields.success || !fields.data.innsending) {
        await Promise.all(form.files.map((f) => deps.files.discard(f.received.tempPath)));
        const badComment = !fields.success && fields.error.issues.some((i) => i.path[0] === 'kommentar');
        return again(400, { problems: [], message: badComment ? 'bad-comment' : 'bad-form' }, randomUUID());
      }
      const submissionId = fields.data.innsending;
      const outcome = await submitUpload(deps, link, { submissionId, comment: fields.data.kommentar, files: form.files });
      const back = formAction(token);
      switch (outcome.kind) {
        case 'accepted':
          // Post/redirect/get: reloading the receipt never re-sends the files.
          return reply.redirect(inLanguage(`${back}/kvittering/${outcome.submission.id}`, language), 303);
        case 'refused':
          return html(409, refusedPage({ target: link.target, reason: outcome.reason, refusal: outcome.refusal, receiptNumber: outcome.submission.receiptNumber, backHref: back, language }));
        case 'pending':
          return html(503, pendingPage({ target: link.target, formAction: back, submissionId, language }));
        case 'invalid':
          return again(statusOfInvalid(outcome), { problems: outcome.problems, message: outcome.message }, outcome.message === 'submission-id-taken' ? randomUUID() : submissionId, fields.data.kommentar ?? undefined);
      }
    });

    app.get('/levering/:token/kvittering/:submissionId', async (request, reply) => {
      const params = receiptParams.safeParse(request.params);
      if (!params.success) return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('malformed', null, pageLanguage(request.query, null)));
      const link = await resolveLink(deps, params.data.token, { allowExpired: true });
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).type('text/html; charset=utf-8').send(linkProblemPage(link.reason, link.target, pageLanguage(request.query, link.target)));
      const submission = await deps.submissions.get(params.data.submissionId);
      const ours = submission && submission.runId === link.claims.runId && submission.orgnr === link.claims.orgnr && submission.deliverableId === link.claims.deliverableId;
      if (!submission || !ours || submission.state !== 'accepted') {
        return reply.status(404).type('text/html; charset=utf-8').send(linkProblemPage('unknown', link.target, pageLanguage(request.query, link.target)));
      }
      return reply.type('text/html; charset=utf-8').send(receiptPage({ target: link.target, submission, backHref: formAction(params.data.token), here: `${formAction(params.data.token)}/kvittering/${submission.id}`, language: pageLanguage(request.query, link.target) }));
    });

    // The same upload as JSON, for programs and tests; documented in the OpenAPI description.
    openapi.add({
      method: 'get',
      path: '/api/uploads/:token',
      summary: 'What a personal upload link is for, and what has been submitted through it',
      tags: ['uploads'],
      params: tokenParams,
      responses: { 200: { description: 'the deliverable and its submissions', schema: linkJson }, 404: { description: 'not a valid link', schema: errorBody }, 410: { description: 'revoked or expired link', schema: errorBody } },
    });
    app.get('/api/uploads/:token', async (request, reply) => {
      const params = tokenParams.safeParse(request.params);
      if (!params.success) return reply.status(404).send({ error: 'not a valid upload link' });
      const link = await resolveLink(deps, params.data.token);
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).send({ error: `upload link refused: ${link.reason}` });
      const submissions = await deps.submissions.listFor(link.claims.runId, link.claims.orgnr, link.claims.deliverableId);
      return {
        kindergarten: { name: link.target.kindergartenName, municipality: link.target.municipalityName },
        deliverable: { id: link.target.deliverable.id, title: link.target.deliverable.title },
        dueAt: new Date(link.target.dueAt).toISOString(),
        lateUntil: new Date(link.target.lateUntil).toISOString(),
        status: link.target.status,
        submissions: submissions.map(receiptOf),
      } satisfies z.infer<typeof linkJson>;
    });

    openapi.add({
      method: 'post',
      path: '/api/uploads/:token',
      summary: 'Submit one or more files (PDF, DOCX, ODT) through a personal upload link',
      tags: ['uploads'],
      params: tokenParams,
      body: {
        contentType: 'multipart/form-data',
        schema: z.object({
          filer: z.array(z.string().meta({ format: 'binary', description: 'a PDF, DOCX or ODT file (recognised by its content)' })).min(1).max(limits.maxFiles).describe(`files, each at most ${Math.round(limits.maxFileBytes / 1048576)} MB, at most ${limits.maxFiles}`),
          kommentar: z.string().max(2000).optional(),
          innsending: z.uuid().optional().describe('the submission id; repeating it returns the same receipt'),
        }),
      },
      responses: {
        201: { description: 'stored and accepted by the kindergarten workflow: the receipt', schema: receiptJson },
        200: { description: 'a repeated submission id: the receipt given before', schema: receiptJson },
        400: { description: 'no files, an empty file or a bad form', schema: errorBody },
        404: { description: 'not a valid link', schema: errorBody },
        410: { description: 'revoked or expired link', schema: errorBody },
        409: { description: 'stored, but refused by the workflow (too early, too late, withdrawn); the reason is given', schema: receiptJson },
        413: { description: 'a file is larger than the limit, or too many files', schema: errorBody },
        415: { description: 'a file is not PDF, DOCX or ODT by its content', schema: errorBody },
        429: { description: `more than ${attempts} attempts with this link in a minute`, schema: errorBody },
        503: { description: 'stored, not yet confirmed: repeat with the same submission id', schema: receiptJson },
      },
    });
    app.post('/api/uploads/:token', { config: perLink }, async (request, reply) => {
      const params = tokenParams.safeParse(request.params);
      if (!params.success) return reply.status(404).send({ error: 'not a valid upload link' });
      const link = await resolveLink(deps, params.data.token);
      if (!link.ok) return reply.status(LINK_STATUS[link.reason]).send({ error: `upload link refused: ${link.reason}` });
      const form = await readForm(request, deps);
      if (form.failure) return reply.status(form.failure === 'too-many-files' ? 413 : 400).send({ error: form.failure === 'too-many-files' ? `at most ${limits.maxFiles} files` : 'expected multipart/form-data with files in "filer"' });
      const fields = formFields.safeParse(form.fields);
      if (!fields.success) {
        await Promise.all(form.files.map((f) => deps.files.discard(f.received.tempPath)));
        return reply.status(400).send({ error: 'invalid form fields', issues: fields.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      }
      const outcome = await submitUpload(deps, link, { submissionId: fields.data.innsending ?? randomUUID(), comment: fields.data.kommentar, files: form.files });
      switch (outcome.kind) {
        case 'accepted':
          return reply.status(outcome.repeated ? 200 : 201).send(receiptOf(outcome.submission));
        case 'refused':
          return reply.status(409).send(receiptOf(outcome.submission));
        case 'pending':
          return reply.status(503).send(receiptOf(outcome.submission));
        case 'invalid':
          return reply.status(statusOfInvalid(outcome)).send({
            error: outcome.message ?? 'some files were not accepted; nothing was stored',
            issues: outcome.problems.map((p) => ({ path: p.file, message: p.problem })),
          });
      }
    });
  };
}
