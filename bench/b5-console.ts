import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AccountRepository, DraftRepository } from '../activities/db/account-repository';
import { ConsoleRepository } from '../activities/db/console-repository';
import { PgStore } from '../activities/db/pg-store';
import { exampleFiles } from '../api/main';
import { initialDeliverables } from '../application/run-control';
import { buildApp } from '../api/server';
import { resolveTimeline } from '../planning/resolve-timeline';
import { hashPassword } from '../security/passwords';
import { runWorkflowId } from '../domain/ids';
import { freshSchema } from '../tests/helpers/postgres';
import { EXAMPLE_GROUPS, buildRoster } from '../tests/helpers/roster-builder';
import { futurePlan } from '../tests/helpers/temporal';
import { type BenchResult, percentile } from './lib';
import { ARSHJUL_RELEASE } from '../application/release';

/**
 * B5 (console): server time of the run page and of the CSV export for a run of N kindergartens in PostgreSQL,
 * through Fastify's inject (no network), median and p95 of repeated requests after a warm-up.
 */
export async function benchConsole(env: TestWorkflowEnvironment, n: number, repeats: number, log: (line: string) => void): Promise<BenchResult[]> {
  const db = await freshSchema('benchconsole');
  const perGroup = Math.ceil(n / EXAMPLE_GROUPS.length);
  const plan = futurePlan(2027, 'benchkonsoll');
  const runId = runWorkflowId(plan.schoolYear, plan.county);
  const store = new PgStore({ pool: db.pool });
  const roster = buildRoster(EXAMPLE_GROUPS, perGroup);
  await store.createRun(runId, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE);
  const accounts = new AccountRepository(db.pool);
  await accounts.addUser({ email: 'kari@fylke.example', name: 'Kari', passwordHash: await hashPassword('korrekt-hest-batteri-stift'), role: 'coordinator', runId: null, municipalityId: null });
  const control = { client: env.client, store, taskQueue: 'bench-console' };
  const app = await buildApp(control, { console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, examples: exampleFiles() } });
  try {
    const r = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: 'epost=kari%40fylke.example&passord=korrekt-hest-batteri-stift', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const cookie = String(r.headers['set-cookie']).split(';')[0] as string;
    const time = async (url: string) => {
      await app.inject({ method: 'GET', url, headers: { cookie } });
      const ms: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const started = process.hrtime.bigint();
        const res = await app.inject({ method: 'GET', url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`B5: ${url} answered ${res.statusCode}`);
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
    };
    const page = await time(`/konsoll/runs/${runId}`);
    const csv = await time(`/konsoll/runs/${runId}/status.csv`);
    const total = perGroup * EXAMPLE_GROUPS.length;
    log(`B5 ${total}: run page p50 ${page.p50.toFixed(0)} ms p95 ${page.p95.toFixed(0)} ms; CSV p50 ${csv.p50.toFixed(0)} ms p95 ${csv.p95.toFixed(0)} ms`);
    return [
      { id: 'B5', what: 'console run page, server time (median)', size: `${total} kindergartens`, value: page.p50, unit: 'ms', target: '< 300 ms', met: page.p50 < 300, note: `p95 ${page.p95.toFixed(0)} ms` },
      { id: 'B5', what: 'status CSV export, server time (median)', size: `${total} kindergartens`, value: csv.p50, unit: 'ms', target: '< 300 ms', met: csv.p50 < 300, note: `p95 ${csv.p95.toFixed(0)} ms` },
    ];
  } finally {
    await app.close();
    await db.drop();
  }
}
