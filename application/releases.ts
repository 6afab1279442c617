import type { Client } from '@temporalio/client';
import { ARSHJUL_RELEASE, WORKFLOW_PATCHES, type WorkflowPatch } from './release';

/**
 * Which Årshjul releases still have open workflows, and so which `patched()` branches may be retired: the release
 * rule in the README. Every workflow carries the release that started its run in its memo (`release`); the answer
 * comes from Temporal's visibility (list), which the dev server and every cluster offer.
 */
export interface OpenRelease {
  release: string;
  /** Open workflows by type. */
  workflows: Record<string, number>;
  /** The open runs (run workflows) started by this release. */
  runs: string[];
}

export type PatchVerdict =
  | { patch: WorkflowPatch; step: 'keep'; blockingRuns: string[] }
  | { patch: WorkflowPatch; step: 'deprecate' }
  | { patch: WorkflowPatch; step: 'remove' }
  | { patch: WorkflowPatch; step: 'keep-deprecated'; blockingRuns: string[] };

/** Compares two releases `x.y.z` by number. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The open workflows of every namespace's Årshjul runs, grouped by the release that started them (oldest first). */
export async function openWorkflowsByRelease(client: Pick<Client, 'workflow'>): Promise<OpenRelease[]> {
  const byRelease = new Map<string, OpenRelease>();
  for await (const workflow of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
    if (!['runWorkflow', 'regionWorkflow', 'kindergartenWorkflow', 'deliverEmailWorkflow'].includes(workflow.type)) continue;
    const release = typeof workflow.memo?.release === 'string' ? workflow.memo.release : 'ukjent';
    const entry = byRelease.get(release) ?? { release, workflows: {}, runs: [] };
    entry.workflows[workflow.type] = (entry.workflows[workflow.type] ?? 0) + 1;
    if (workflow.type === 'runWorkflow') entry.runs.push(workflow.workflowId);
    byRelease.set(release, entry);
  }
  return [...byRelease.values()].sort((a, b) => (a.release === 'ukjent' ? -1 : b.release === 'ukjent' ? 1 : compareReleases(a.release, b.release)));
}

/**
 * What may be done with each patch now: a patch is deprecated once no open run was started by a release before the
 * one that added it, and removed once no open run was started before the release that deprecated it. A workflow
 * whose release is unknown blocks everything.
 */
export function patchVerdicts(open: OpenRelease[], patches: readonly WorkflowPatch[] = WORKFLOW_PATCHES): PatchVerdict[] {
  const runsBefore = (release: string) =>
    open.filter((o) => o.release === 'ukjent' || compareReleases(o.release, release) < 0).flatMap((o) => (o.runs.length ? o.runs : [`${o.release}: ${Object.values(o.workflows).reduce((a, b) => a + b, 0)} arbeidsflyter`]));
  return patches.map((patch) => {
    if (patch.deprecatedIn) {
      const blockingRuns = runsBefore(patch.deprecatedIn);
      return blockingRuns.length ? { patch, step: 'keep-deprecated', blockingRuns } : { patch, step: 'remove' };
    }
    const blockingRuns = runsBefore(patch.addedIn);
    return blockingRuns.length ? { patch, step: 'keep', blockingRuns } : { patch, step: 'deprecate' };
  });
}

/** The report `arshjul release runs` prints, in bokmål. */
export function releaseReport(open: OpenRelease[], verdicts: PatchVerdict[], current = ARSHJUL_RELEASE): string[] {
  const lines = [`Denne koden er Årshjul ${current}.`, 'Åpne arbeidsflyter etter versjonen som startet programåret deres:'];
  if (open.length === 0) lines.push('  ingen');
  for (const o of open) {
    const n = (type: string) => o.workflows[type] ?? 0;
    lines.push(
      `  ${o.release}: ${n('runWorkflow')} programår${o.runs.length ? ` (${o.runs.join(', ')})` : ''}, ${n('regionWorkflow')} regioner, ${n('kindergartenWorkflow')} barnehager, ${n('deliverEmailWorkflow')} enkeltstående e-poster`,
    );
  }
  lines.push('Grener bak patched() i arbeidsflytene:');
  if (verdicts.length === 0) lines.push('  ingen');
  for (const v of verdicts) {
    const name = `${v.patch.id} (${v.patch.workflow}, fra ${v.patch.addedIn}${v.patch.deprecatedIn ? `, deprecatePatch i ${v.patch.deprecatedIn}` : ''})`;
    if (v.step === 'deprecate') lines.push(`  ${name}: kan gjøres til deprecatePatch() — ingen åpne programår er startet før ${v.patch.addedIn}`);
    else if (v.step === 'remove') lines.push(`  ${name}: kan fjernes — ingen åpne programår er startet før ${v.patch.deprecatedIn}`);
    else lines.push(`  ${name}: beholdes — åpne programår fra før: ${v.blockingRuns.join(', ')}`);
  }
  return lines;
}
