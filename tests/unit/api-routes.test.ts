import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { MemoryStore } from '../../activities/db/memory-store';
import { buildApp } from '../../api/server';
import type { KindergartenStatus } from '../../workflows/kindergarten-workflow';
import type { RunStatus } from '../../workflows/run-workflow';

const RUN_ID = 'arshjul-2017-hedmark';
const ORGNR = '976028082';
const KINDERGARTEN_WORKFLOW_ID = `${RUN_ID}-bhg-${ORGNR}`;
/** A run whose query fails with an internal error carrying details that must not reach the caller. */
const BROKEN_RUN_ID = 'arshjul-2017-broken';
const INTERNAL_DETAIL = 'connect ECONNREFUSED 10.12.0.7:7233 (tls key /etc/arshjul/client.key)';

const runStatus: RunStatus = {
  runId: RUN_ID,
  schoolYear: 2017,
  county: 'hedmark',
  state: 'active',
  revision: 2,
  regions: [{ id: 'kongsvinger', name: 'Kongsvinger', workflowId: `${RUN_ID}-region-kongsvinger` }],
  milestones: [{ id: 'workshop-1', title: 'Workshop 1: Tolke og analysere data', occurrences: [{ regionId: 'kongsvinger', groupId: 'kongsvinger', at: Date.parse('2018-02-02T08:00:00Z'), version: 1 }] }],
  addedKindergartens: [],
  withdrawnKindergartens: [],
  endsAt: Date.parse('2018-06-15T21:59:00Z'),
};

const kindergartenStatus: KindergartenStatus = {
  orgnr: ORGNR,
  regionId: 'kongsvinger',
  groupId: 'kongsvinger',
  municipalityId: 'kongsvinger',
  revision: 2,
  state: 'active',
  withdrawn: null,
  deliverables: [
    {
      id: 'analysis-so-far',
      title: 'Analyse så langt',
      status: 'open',
      opensAt: Date.parse('2018-01-18T11:00:00Z'),
      dueAt: Date.parse('2018-02-01T22:59:00Z'),
      lateUntil: Date.parse('2018-02-15T22:59:00Z'),
      extended: false,
      submissions: 0,
      lastSubmissionAt: null,
    },
  ],
  steps: [],
  next: null,
};

/** A Temporal client that answers queries from canned statuses and knows no other workflow. */
function fakeClient(queried: string[]): Pick<Client, 'workflow'> {
  const statuses = new Map<string, unknown>([
    [RUN_ID, runStatus],
    [KINDERGARTEN_WORKFLOW_ID, kindergartenStatus],
  ]);
  const workflow = {
    getHandle: (workflowId: string) => ({
      query: async (): Promise<unknown> => {
        queried.push(workflowId);
        if (workflowId === BROKEN_RUN_ID) throw new Error(INTERNAL_DETAIL);
        if (!statuses.has(workflowId)) throw new WorkflowNotFoundError('not found', workflowId, undefined);
        return statuses.get(workflowId);
      },
    }),
  };
  return { workflow } as unknown as Pick<Client, 'workflow'>;
}

describe('the API routes', () => {
  let app: FastifyInstance;
  let queried: string[];

  beforeEach(async () => {
    queried = [];
    const store = new MemoryStore();
    const base = { runId: RUN_ID, deliverableId: 'analysis-so-far', dueAt: Date.parse('2018-02-01T22:59:00Z'), lateUntil: Date.parse('2018-02-15T22:59:00Z'), at: Date.parse('2018-01-20T10:00:00Z') };
    await store.recordDeliverableStatus({ ...base, orgnr: '976028082', status: 'open' });
    await store.recordDeliverableStatus({ ...base, orgnr: '931514784', status: 'open' });
    await store.recordDeliverableStatus({ ...base, orgnr: '917334188', status: 'submitted' });
    await store.recordDeliverableStatus({ ...base, runId: 'arshjul-2018-hedmark', orgnr: '976028082', status: 'missed' });
    app = await buildApp({ client: fakeClient(queried), store, taskQueue: 'arshjul-test' });
  });

  afterEach(async () => {
    await app.close();
  });

  it('answers GET /health with 200 {ok: true}', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it('returns the run status from the run workflow and the deliverable counts of that run only', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${RUN_ID}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      run: runStatus,
      deliverables: [
        { deliverableId: 'analysis-so-far', status: 'open', count: 2 },
        { deliverableId: 'analysis-so-far', status: 'submitted', count: 1 },
      ],
    });
    expect(queried).toEqual([RUN_ID]);
  });

  it('returns a kindergarten status by querying the kindergarten workflow of the run', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${RUN_ID}/kindergartens/${ORGNR}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(kindergartenStatus);
    expect(queried).toEqual([KINDERGARTEN_WORKFLOW_ID]);
  });

  it('refuses a malformed run id with 400, naming the path parameter and the expected form, without asking Temporal', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/runs/not-a-run' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid path',
      issues: [{ path: 'path.runId', message: 'expected a run id like arshjul-2017-hedmark' }],
    });
    expect(queried).toEqual([]);
  });

  it('answers 404 for a well-formed run id that has no workflow', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/runs/arshjul-2017-ukjent' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: expect.any(String) });
    expect(queried).toEqual(['arshjul-2017-ukjent']);
  });

  it('answers 404 for a kindergarten that is not in the run', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${RUN_ID}/kindergartens/931514784` });
    expect(response.statusCode).toBe(404);
  });

  it('refuses an organisation number that is not nine digits with 400 naming orgnr', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${RUN_ID}/kindergartens/12` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Invalid path',
      issues: [{ path: 'path.orgnr', message: 'expected a nine-digit organisation number' }],
    });
    expect(queried).toEqual([]);
  });

  it('answers 500 with an opaque message when a handler throws a plain Error, leaking none of its details', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/runs/${BROKEN_RUN_ID}` });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal error; the details are in the server log' });
    expect(response.body).not.toContain(INTERNAL_DETAIL);
    expect(response.body).not.toMatch(/ECONNREFUSED|10\.12\.0\.7|client\.key|stack/);
  });
});
