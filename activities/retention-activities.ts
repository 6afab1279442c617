import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { type PurgeResult, RetentionRepository } from './db/retention-repository';

/** What the retention activities need: PostgreSQL and the storage directory (UPLOAD_DIR) of uploaded files. */
export interface RetentionDeps {
  /** Absent in a worker or test that does not run the retention Schedule's workflow. */
  retention?: { pool: Pick<Pool, 'query' | 'connect'>; uploadDir: string };
}

/** Who the audit log says purged a run: the daily retention Schedule. */
export const RETENTION_ACTOR = 'system:retention';

const STORAGE_ID = /^[0-9a-f-]{36}$/;

export function createRetentionActivities({ retention }: RetentionDeps) {
  const deps = () => {
    // Not retried: a worker without these deps cannot run the activity however often it tries.
    if (!retention) throw ApplicationFailure.create({ type: 'RetentionNotConfigured', message: 'this worker was built without the retention dependencies (pool, uploadDir)', nonRetryable: true });
    return { repo: new RetentionRepository(retention.pool), uploadDir: retention.uploadDir };
  };
  return {
    /** The runs whose retention time has passed at `asOf` and that are not yet purged (retention workflow). */
    async findRunsPastRetention(input: { asOf: number; defaultMonths: number }): Promise<{ runId: string; endedAt: number; months: number }[]> {
      const runs = await deps().repo.runsPastRetention(input.asOf, input.defaultMonths);
      return runs.map((r) => ({ runId: r.runId, endedAt: r.endedAt as number, months: r.months }));
    },
    /**
     * Removes a run's files from UPLOAD_DIR (every submission's and guidance's directory), then its personal data in
     * PostgreSQL in one transaction with the audit entry (retention workflow). Idempotent: removing a missing file is
     * nothing, and a purged run is left as it is, so a retry after a crash between the two finishes the job.
     */
    async purgeRunPersonalData(input: { runId: string; at: number }): Promise<PurgeResult & { directoriesRemoved: number }> {
      const { repo, uploadDir } = deps();
      let directoriesRemoved = 0;
      for (const id of await repo.storedObjectIds(input.runId)) {
        if (!STORAGE_ID.test(id)) continue;
        const dir = join(uploadDir, 'objects', id);
        try {
          await rm(dir, { recursive: true });
          directoriesRemoved += 1;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        Context.current().heartbeat(id);
      }
      const result = await repo.purgeRun(input.runId, { at: input.at, actor: RETENTION_ACTOR });
      return { ...result, directoriesRemoved };
    },
  };
}
