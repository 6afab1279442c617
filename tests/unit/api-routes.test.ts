import type { FastifyInstance } from 'fastify';
import { BROKEN_RUN_ID, INTERNAL_DETAIL, KINDERGARTEN_WORKFLOW_ID, ORGNR, RUN_ID, cannedApp, kindergartenStatus, runStatus } from '../helpers/canned-api';

describe('the API routes', () => {
  let app: FastifyInstance;
  let queried: string[];

  beforeEach(async () => {
    queried = [];
    app = await cannedApp(queried);
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
    expect(response.json()).toEqual({ error: 'Det oppstod en feil hos oss. Detaljene står i serverloggen; prøv igjen, eller kontakt driftsansvarlig.' });
    expect(response.body).not.toContain(INTERNAL_DETAIL);
    expect(response.body).not.toMatch(/ECONNREFUSED|10\.12\.0\.7|client\.key|stack/);
  });
});
