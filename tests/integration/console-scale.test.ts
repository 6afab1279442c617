import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { AccountRepository, DraftRepository } from '../../activities/db/account-repository';
import { ConsoleRepository } from '../../activities/db/console-repository';
import { PgStore } from '../../activities/db/pg-store';
import { exampleFiles } from '../../api/main';
import { initialDeliverables } from '../../application/run-control';
import { buildApp } from '../../api/server';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { hashPassword } from '../../security/passwords';
import { runWorkflowId } from '../../domain/ids';
import { freshSchema } from '../helpers/postgres';
import { EXAMPLE_GROUPS, buildRoster } from '../helpers/roster-builder';
import { devServer, futurePlan } from '../helpers/temporal';
import { ARSHJUL_RELEASE } from '../../application/release';

jest.setTimeout(240_000);

/**
 * The run page and the CSV export for a run of 6,000 kindergartens, served from the read model: the page shows one
 * page of the matrix and the counts over all of them, with a fixed number of queries whatever the size.
 */
describe('the console at national scale', () => {
  let db: Awaited<ReturnType<typeof freshSchema>>;
  let env: TestWorkflowEnvironment;
  let app: FastifyInstance;
  let cookie: string;
  const plan = futurePlan(2027, 'nasjonal');
  const runId = runWorkflowId(plan.schoolYear, plan.county);

  beforeAll(async () => {
    db = await freshSchema('consolescale');
    env = await devServer();
    const store = new PgStore({ pool: db.pool });
    const roster = buildRoster(EXAMPLE_GROUPS, 1200);
    await store.createRun(runId, plan, roster, initialDeliverables(resolveTimeline(plan), roster), ARSHJUL_RELEASE);
    const accounts = new AccountRepository(db.pool);
    await accounts.addUser({ email: 'kari@fylke.example', name: 'Kari', passwordHash: await hashPassword('korrekt-hest-batteri-stift'), role: 'coordinator', runId: null, municipalityId: null });
    const control = { client: env.client, store, taskQueue: 'scale' };
    app = await buildApp(control, { console: { control, read: new ConsoleRepository(db.pool), drafts: new DraftRepository(db.pool), accounts, secureCookies: false, examples: exampleFiles() } });
    const r = await app.inject({ method: 'POST', url: '/konsoll/logg-inn', payload: 'epost=kari%40fylke.example&passord=korrekt-hest-batteri-stift', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    cookie = String(r.headers['set-cookie']).split(';')[0] as string;
  });

  afterAll(async () => {
    await app?.close();
    await env?.teardown();
    await db?.drop();
  });

  async function timed(url: string): Promise<{ ms: number; body: string; status: number }> {
    const times: number[] = [];
    let last = { body: '', status: 0 };
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint();
      const r = await app.inject({ method: 'GET', url, headers: { cookie } });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      last = { body: r.body, status: r.statusCode };
    }
    times.sort((a, b) => a - b);
    return { ms: times[2] as number, ...last };
  }

  it('serves the run page of 6,000 kindergartens with a page of the matrix and counts over all', async () => {
    const page = await timed(`/konsoll/runs/${runId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('6\u00a0000 barnehager, side 1 av 60');
    expect((page.body.match(/<tr><th scope="row">/g) ?? []).length).toBe(100);
    expect(page.body).toMatch(/<span class="status not-open">ikke åpnet<\/span> 6000/);
    const filtered = await timed(`/konsoll/runs/${runId}?region=hedmarken&side=3`);
    expect(filtered.body).toContain('2\u00a0400 barnehager, side 3 av 24');
    const csv = await timed(`/konsoll/runs/${runId}/status.csv`);
    // One row per kindergarten and deliverable its director sends (the authorities' group set-up has its own overview).
    expect(csv.body.trim().split('\r\n')).toHaveLength(1 + 6000 * plan.deliverables.filter((d) => d.submittedBy !== 'municipal-authorities').length);
    process.stdout.write(`console at 6,000 kindergartens (median of 5): run page ${page.ms.toFixed(0)} ms, filtered page 3 ${filtered.ms.toFixed(0)} ms, CSV export ${csv.ms.toFixed(0)} ms (${(csv.body.length / 1e6).toFixed(1)} MB)\n`);
  });
});
