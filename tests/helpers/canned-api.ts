import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { MemoryStore } from '../../activities/db/memory-store';
import { buildApp } from '../../api/server';
import type { KindergartenStatus } from '../../workflows/kindergarten-workflow';
import type { RunStatus } from '../../workflows/run-workflow';

/**
 * The API as the route tests build it, without Temporal or PostgreSQL: a fake Temporal client that answers status
 * queries from canned statuses (and fails for BROKEN_RUN_ID with an internal detail that must not reach the caller),
 * and the in-memory store with a few deliverable statuses.
 */
export const RUN_ID = 'arshjul-2017-hedmark';
export const ORGNR = '976028082';
export const KINDERGARTEN_WORKFLOW_ID = `${RUN_ID}-bhg-${ORGNR}`;
/** A run whose query fails with an internal error carrying details that must not reach the caller. */
export const BROKEN_RUN_ID = 'arshjul-2017-broken';
export const INTERNAL_DETAIL = 'connect ECONNREFUSED 10.12.0.7:7233 (tls key /etc/arshjul/client.key)';

export const runStatus: RunStatus = {
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

export const kindergartenStatus: KindergartenStatus = {
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
  upcoming: [],
};

/** A Temporal client that answers queries from canned statuses and knows no other workflow. */
export function fakeClient(queried: string[]): Pick<Client, 'workflow'> {
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

/** The app on the fake client and an in-memory store holding three kindergartens' statuses in RUN_ID and one in 2018. */
export async function cannedApp(queried: string[]): Promise<FastifyInstance> {
  const store = new MemoryStore();
  const base = { runId: RUN_ID, deliverableId: 'analysis-so-far', dueAt: Date.parse('2018-02-01T22:59:00Z'), lateUntil: Date.parse('2018-02-15T22:59:00Z'), at: Date.parse('2018-01-20T10:00:00Z') };
  await store.recordDeliverableStatus({ ...base, orgnr: '976028082', status: 'open' });
  await store.recordDeliverableStatus({ ...base, orgnr: '931514784', status: 'open' });
  await store.recordDeliverableStatus({ ...base, orgnr: '917334188', status: 'submitted' });
  await store.recordDeliverableStatus({ ...base, runId: 'arshjul-2018-hedmark', orgnr: '976028082', status: 'missed' });
  return buildApp({ client: fakeClient(queried), store, taskQueue: 'arshjul-test' });
}
