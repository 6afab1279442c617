import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError, fromZodIssues } from '../../config/errors';
import { type OpenApiRegistry, errorBody } from '../openapi';
import { type RunControlDeps, kindergartenStatus, runStatus } from '../../application/run-control';

const runParams = z.object({ runId: z.string().regex(/^arshjul-\d{4}-[a-z0-9-]+$/, 'expected a run id like arshjul-2017-hedmark') });
const kindergartenParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/, 'expected a nine-digit organisation number') });
const statusBody = z.record(z.string(), z.unknown()).describe('the status as the workflow reports it');

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`Invalid ${where}`, fromZodIssues(parsed.error.issues, { path: where }));
  return parsed.data;
}

/** Read-only status of runs and kindergartens, for the coordinator's tools. */
export function runRoutes(deps: RunControlDeps, openapi: OpenApiRegistry) {
  return async (app: FastifyInstance) => {
    openapi.add({
      method: 'get',
      path: '/api/runs/:runId',
      summary: "A run's status and its deliverables counted by state",
      tags: ['runs'],
      params: runParams,
      responses: { 200: { description: 'the status', schema: statusBody }, 400: { description: 'bad run id', schema: errorBody }, 404: { description: 'no such run', schema: errorBody } },
    });
    app.get('/api/runs/:runId', async (request) => {
      const { runId } = parse(runParams, request.params, 'path');
      return runStatus(deps, runId);
    });
    openapi.add({
      method: 'get',
      path: '/api/runs/:runId/kindergartens/:orgnr',
      summary: "A kindergarten's status: deliverables, steps, what comes next",
      tags: ['runs'],
      params: kindergartenParams,
      responses: { 200: { description: 'the status', schema: statusBody }, 400: { description: 'bad run id or organisation number', schema: errorBody }, 404: { description: 'no such kindergarten', schema: errorBody } },
    });
    app.get('/api/runs/:runId/kindergartens/:orgnr', async (request) => {
      const { runId, orgnr } = parse(kindergartenParams, request.params, 'path');
      return kindergartenStatus(deps, runId, orgnr);
    });
  };
}
