import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessScope, SubmissionRepository } from '../../activities/db/submission-repository';
import { DOCUMENT_MEDIA_TYPES } from '../../activities/files/document-type';
import type { FileStore } from '../../activities/files/file-store';
import { type OpenApiRegistry, errorBody } from '../openapi';
import { receiptJson, receiptOf } from './upload-routes';
import { contentDisposition } from '../exports/content-disposition';

/**
 * Downloads for the recipients of deliverables (research centre, municipal authorities, the coordinator), each with its
 * own access key: a key sees only the submissions addressed to it, and anything else is simply not found.
 */
const listQuery = z.object({
  deliverableId: z.string().regex(/^[a-z0-9-]{1,63}$/, 'expected a deliverable id').optional(),
  orgnr: z.string().regex(/^\d{9}$/, 'expected a nine-digit organisation number').optional(),
});
const submissionParams = z.object({ submissionId: z.uuid('expected a submission id') });
const fileParams = submissionParams.extend({ position: z.coerce.number().int().min(1).max(1000) });

const submissionJson = receiptJson.extend({
  orgnr: z.string(),
  kindergarten: z.string(),
  deliverableId: z.string(),
  fileUrls: z.array(z.string()),
});

/** The key's holder, or null after answering 401 (with the challenge a client needs). */
async function accessOf(request: FastifyRequest, reply: FastifyReply, submissions: SubmissionRepository): Promise<AccessScope | null> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer (ak_[A-Za-z0-9_-]{20,100})$/.exec(header);
  const scope = match ? await submissions.findAccess(match[1] as string) : null;
  if (!scope) await reply.status(401).header('WWW-Authenticate', 'Bearer realm="arshjul"').send({ error: 'an access key is required: Authorization: Bearer <key from "arshjul access add">' });
  return scope;
}

/** RFC 6266/5987 attachment header that survives any file name (the name was cleaned when it was stored). */
const attachment = (name: string): string => contentDisposition('attachment', name);

export function submissionRoutes(deps: { submissions: SubmissionRepository; files: FileStore }, openapi: OpenApiRegistry) {
  return async (app: FastifyInstance) => {
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('Cache-Control', 'no-store');
    });

    const describe = (s: Awaited<ReturnType<SubmissionRepository['listVisible']>>[number]): z.infer<typeof submissionJson> => ({
      ...receiptOf(s),
      orgnr: s.orgnr,
      kindergarten: s.kindergartenName,
      deliverableId: s.deliverableId,
      fileUrls: s.files.map((f) => `/api/submissions/${s.id}/files/${f.position}`),
    });

    openapi.add({
      method: 'get',
      path: '/api/submissions',
      summary: "Accepted submissions addressed to the key's holder",
      tags: ['submissions'],
      query: listQuery,
      accessKey: true,
      responses: {
        200: { description: 'the submissions, oldest first', schema: z.object({ submissions: z.array(submissionJson) }) },
        400: { description: 'a filter that is not a deliverable id or an organisation number', schema: errorBody },
        401: { description: 'no or unknown access key', schema: errorBody },
      },
    });
    app.get('/api/submissions', async (request, reply) => {
      const scope = await accessOf(request, reply, deps.submissions);
      if (!scope) return reply;
      const query = listQuery.safeParse(request.query);
      if (!query.success) return reply.status(400).send({ error: 'invalid query', issues: query.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      const filter = { ...(query.data.deliverableId ? { deliverableId: query.data.deliverableId } : {}), ...(query.data.orgnr ? { orgnr: query.data.orgnr } : {}) };
      return { submissions: (await deps.submissions.listVisible(scope, filter)).map(describe) };
    });

    openapi.add({
      method: 'get',
      path: '/api/submissions/:submissionId',
      summary: 'One accepted submission with its files',
      tags: ['submissions'],
      params: submissionParams,
      accessKey: true,
      responses: { 200: { description: 'the submission', schema: submissionJson }, 401: { description: 'no or unknown access key', schema: errorBody }, 404: { description: 'no such submission for this key', schema: errorBody } },
    });
    app.get('/api/submissions/:submissionId', async (request, reply) => {
      const scope = await accessOf(request, reply, deps.submissions);
      if (!scope) return reply;
      const params = submissionParams.safeParse(request.params);
      if (!params.success) return reply.status(404).send({ error: 'no such submission' });
      const [found] = await deps.submissions.listVisible(scope, { id: params.data.submissionId });
      if (!found) return reply.status(404).send({ error: 'no such submission' });
      return describe(found);
    });

    openapi.add({
      method: 'get',
      path: '/api/submissions/:submissionId/files/:position',
      summary: 'Download one file of a submission',
      tags: ['submissions'],
      params: fileParams,
      accessKey: true,
      responses: { 200: { description: 'the file, as stored, in its own media type', contentType: Object.values(DOCUMENT_MEDIA_TYPES), schema: z.string() }, 401: { description: 'no or unknown access key', schema: errorBody }, 404: { description: 'no such file for this key', schema: errorBody } },
    });
    app.get('/api/submissions/:submissionId/files/:position', async (request, reply) => {
      const scope = await accessOf(request, reply, deps.submissions);
      if (!scope) return reply;
      const params = fileParams.safeParse(request.params);
      if (!params.success) return reply.status(404).send({ error: 'no such file' });
      const [found] = await deps.submissions.listVisible(scope, { id: params.data.submissionId });
      const file = found?.files.find((f) => f.position === params.data.position);
      if (!found || !file) return reply.status(404).send({ error: 'no such file' });
      return reply
        .type(file.contentType)
        .header('Content-Length', String(file.size))
        .header('Content-Disposition', attachment(file.name))
        .header('Digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`)
        .send(deps.files.open(file.storageKey));
    });
  };
}
