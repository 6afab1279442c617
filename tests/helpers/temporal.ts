import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { MemoryStore } from '../../activities/db/memory-store';
import type { Plan } from '../../config/plan-schema';
import type { Roster } from '../../config/roster-schema';
import { parsePlan } from '../../planning/load-plan';
import { rollPlanForward } from '../../planning/roll-forward';
import { WORKFLOWS_PATH, buildWorker } from '../../temporal/worker-factory';
import { findTemporalCli, findTestServer } from '../../temporal/binaries';

/** The secret that signs upload links in tests. */
export const TEST_UPLOAD_SECRET = 'test-upload-secret-of-at-least-32-characters';

export const EXAMPLE_PLAN = join(__dirname, '..', '..', 'examples', 'kfl-2017-2018.yaml');

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Bundles the workflows once per test file (webpack is slow; `workflowsPath` would re-run it per worker). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quiet });
}

export function timeSkipping(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: findTestServer() } } });
}

export function devServer(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: findTemporalCli() }, extraArgs } });
}

/** The example plan rolled forward to a school year after the test server's "now", with its own county id. */
export function futurePlan(schoolYear: number, county: string): Plan {
  const { text } = rollPlanForward(readFileSync(EXAMPLE_PLAN, 'utf8'), schoolYear);
  const plan = parsePlan(text, 'rolled.yaml');
  return { ...plan, county };
}

export interface Harness {
  env: TestWorkflowEnvironment;
  store: MemoryStore;
  worker: Worker;
  taskQueue: string;
  sent: { to: string; subject: string; messageId: string; at: number; ical?: { method: string; content: string } }[];
}

/** A worker on the given environment with the real activities, an in-memory store and a recording mailer. */
export async function harness(env: TestWorkflowEnvironment, workflowBundle: WorkflowBundleWithSourceMap, taskQueue: string): Promise<Harness> {
  const store = new MemoryStore();
  const sent: Harness['sent'] = [];
  const worker = await buildWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle,
    deps: {
      store,
      mailer: {
        sendMail: async (mail: { to?: unknown; subject?: string; messageId?: string; icalEvent?: { method: string; content: string } }) => {
          const to = (mail.to as { address: string }).address;
          sent.push({ to, subject: mail.subject ?? '', messageId: mail.messageId ?? '', at: Date.now(), ...(mail.icalEvent ? { ical: { method: mail.icalEvent.method, content: mail.icalEvent.content } } : {}) });
          // What nodemailer's SMTP transport answers when the server took the message.
          return { accepted: [to], rejected: [], response: '250 ok' } as never;
        },
      } as never,
      mail: { from: 'test@arshjul.invalid', publicBaseUrl: 'http://arshjul.test', uploadSecret: TEST_UPLOAD_SECRET },
      temporal: env.client,
    },
  });
  return { env, store, worker, taskQueue, sent };
}

export type { Plan, Roster };
