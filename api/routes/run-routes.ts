import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError, fromZodIssues } from '../../config/errors';
import { type RunControlDeps, kindergartenStatus, runStatus } from '../run-control';

const runParams = z.object({ runId: z.string().regex(/^arshjul-\d{4}-[a-z0-9-]+$/, 'expected a run id like arshjul-2017-hedmark') });
const kindergartenParams = runParams.extend({ orgnr: z.string().regex(/^\d{9}$/, 'expected a nine-digit organisation number') });

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(`Invalid ${where}`, fromZodIssues(parsed.error.issues, { path: where }));
  return parsed.data;
}

/** Read-only status of runs and kindergartens, for the coordinator's tools. */
export function runRoutes(deps: RunControlDeps) {
  return async (app: FastifyInstance) => {
    app.get('/api/runs/:runId', async (request) => {
      const { runId } = parse(runParams, request.params, 'path');
      return runStatus(deps, runId);
    });
    app.get('/api/runs/:runId/kindergartens/:orgnr', async (request) => {
      const { runId, orgnr } = parse(kindergartenParams, request.params, 'path');
      return kindergartenStatus(deps, runId, orgnr);
    });
  };
}
