import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(60_000);

/**
 * The layer boundaries in eslint.config.mjs, checked on probe files: each wrong import is refused by
 * `no-restricted-imports`, each import the architecture allows passes. `npm run lint` applies the same rules to the code.
 */
const root = join(__dirname, '..', '..');

// ESLint's config is an ES module, which jest's module registry cannot load: the probes are linted in one node process
// with the real config, only the boundary rule, and no type-aware parsing (the probe files do not exist on disk).
const LINT_PROBES = `
const { ESLint } = require('eslint');
const probes = JSON.parse(process.argv[1]);
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
(async () => {
  const out = [];
  for (const [file, code] of probes) out.push((await eslint.lintText(code, { filePath: file }))[0].messages.map((m) => m.message));
  process.stdout.write(JSON.stringify(out));
})();
`;

function lintProbes(probes: [string, string][]): string[][] {
  return JSON.parse(execFileSync(process.execPath, ['-e', LINT_PROBES, JSON.stringify(probes)], { cwd: root, encoding: 'utf8' })) as string[][];
}

const REFUSED: [string, string][] = [
  ['planning/probe.ts', "import { renderEmail } from '../activities/email/templates';\nexport const x = renderEmail;"],
  ['planning/probe.ts', "import { runWorkflow } from '../workflows/run-workflow';\nexport const x = runWorkflow;"],
  ['activities/email/probe.ts', "import { resolveTimeline } from '../../planning/resolve-timeline';\nexport const x = resolveTimeline;"],
  ['activities/probe.ts', "import { kindergartenWorkflow } from '../workflows/kindergarten-workflow';\nexport const x = kindergartenWorkflow;"],
  ['activities/probe.ts', "import { startRun } from '../application/run-control';\nexport const x = startRun;"],
  ['domain/probe.ts', "import { runWorkflow } from '../workflows/run-workflow';\nexport const x = runWorkflow;"],
  ['domain/probe.ts', "import { DateTime } from 'luxon';\nexport const x = DateTime;"],
  ['workflows/probe.ts', "import { Pool } from 'pg';\nexport const x = Pool;"],
  ['workflows/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
  ['workflows/probe.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;"],
  ['workflows/probe.ts', "import { resolveTimeline } from '../planning/resolve-timeline';\nexport const x = resolveTimeline;"],
  ['config/probe.ts', "import { DateTime } from 'luxon';\nexport const x = DateTime;"],
  ['config/probe.ts', "import { TEMPLATE_IDS } from '../domain/email-templates';\nexport const x = TEMPLATE_IDS;"],
  ['cli/probe.ts', "import { buildApp } from '../api/server';\nexport const x = buildApp;"],
  ['cli/probe.ts', "import { runWorker } from '../worker/main';\nexport const x = runWorker;"],
  ['worker/probe.ts', "import { buildApp } from '../api/server';\nexport const x = buildApp;"],
  ['worker/probe.ts', "import { startRun } from '../application/run-control';\nexport const x = startRun;"],
  ['api/routes/probe.ts', "import { buildWorker } from '../../temporal/worker-factory';\nexport const x = buildWorker;"],
  ['api/routes/probe.ts', "import { createActivities } from '../../activities';\nexport const x = createActivities;"],
  ['api/routes/probe.ts', "import { renderEmail } from '../../activities/email/templates';\nexport const x = renderEmail;"],
  ['api/probe.ts', "import { runPlanQuery } from '../workflows/run-workflow';\nexport const x = runPlanQuery;"],
  ['api/probe.ts', "import { Worker } from '@temporalio/worker';\nexport const x = Worker;"],
  ['application/probe.ts', "import { buildApp } from '../api/server';\nexport const x = buildApp;"],
  ['texts/probe.ts', "import { Pool } from 'pg';\nexport const x = Pool;"],
  ['mailbox/probe.ts', "import { startRun } from '../application/run-control';\nexport const x = startRun;"],
  ['api/probe.ts', "import { startSmtpSink } from '../tests/helpers/smtp-sink';\nexport const x = startSmtpSink;"],
];

const ALLOWED: [string, string][] = [
  ['workflows/probe.ts', "import type { Activities } from '../activities';\nexport type X = Activities;"],
  ['workflows/probe.ts', "import type { Plan } from '../config/plan-schema';\nimport { scheduleForKindergarten } from '../domain/timeline';\nexport type X = Plan;\nexport const y = scheduleForKindergarten;"],
  ['activities/probe.ts', "import type { kindergartenWorkflow } from '../workflows/kindergarten-workflow';\nimport { kindergartenControlSignal } from '../workflows/kindergarten-workflow';\nexport type X = typeof kindergartenWorkflow;\nexport const y = kindergartenControlSignal;"],
  ['api/routes/probe.ts', "import { SubmissionRepository } from '../../activities/db/submission-repository';\nimport { startRun } from '../../application/run-control';\nexport const x = [SubmissionRepository, startRun];"],
  ['cli/probe.ts', "import { rehearse } from '../application/rehearsal';\nimport { installRuntime } from '../temporal/runtime';\nexport const x = [rehearse, installRuntime];"],
  ['planning/probe.ts', "import { timelineRegions } from '../domain/regions';\nimport { formatNorwegian } from '../texts/norwegian-format';\nexport const x = [timelineRegions, formatNorwegian];"],
];

const firstLine = (code: string) => code.split('\n')[0] ?? '';

describe('the layer boundaries', () => {
  let refused: string[][];
  let allowed: string[][];

  beforeAll(() => {
    const results = lintProbes([...REFUSED, ...ALLOWED]);
    refused = results.slice(0, REFUSED.length);
    allowed = results.slice(REFUSED.length);
  });

  it.each(REFUSED.map(([file, code], i) => [file, firstLine(code), i] as const))('refuses in %s: %s', (_file, _line, i) => {
    expect(refused[i]).toHaveLength(1);
    expect(refused[i]?.[0]).toMatch(/may (not use|import)/);
  });

  it.each(ALLOWED.map(([file, code], i) => [file, firstLine(code), i] as const))('allows in %s: %s', (_file, _line, i) => {
    expect(allowed[i]).toEqual([]);
  });
});
