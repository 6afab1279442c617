import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORITY_DELIVERABLES_PATCH, AUTHORITY_DIGEST_PATCH, GUIDANCE_REMINDER_PATCH, READ_MODEL_DEADLINE_PATCH } from '../../domain/patches';
import { compareReleases, patchVerdicts, releaseReport, type OpenRelease } from '../../application/releases';
import { ARSHJUL_RELEASE, WORKFLOW_PATCHES, type WorkflowPatch } from '../../application/release';
import { version } from '../../package.json';

const patch = (id: string, addedIn: string, deprecatedIn: string | null = null): WorkflowPatch => ({ id, workflow: 'kindergartenWorkflow', addedIn, deprecatedIn, what: id });
const open = (release: string, runs: string[]): OpenRelease => ({ release, runs, workflows: { runWorkflow: runs.length, regionWorkflow: 4 * runs.length, kindergartenWorkflow: 61 * runs.length } });

describe('the release rule', () => {
  it('is release 1.3.0 (recovery records, the retention workflow; no new patch), from package.json, whose patches (the authorities\' digest, the read model\'s deadline, the guidance reminders, the authorities\' deliverables) are listed with the workflows they are in', () => {
    expect(ARSHJUL_RELEASE).toBe(version);
    expect(ARSHJUL_RELEASE).toBe('1.3.0');
    expect(WORKFLOW_PATCHES.map((p) => [p.id, p.workflow, p.addedIn, p.deprecatedIn])).toEqual([
      ['authority-digest', 'kindergartenWorkflow', '1.1.0', null],
      ['read-model-deadline', 'kindergartenWorkflow', '1.1.0', null],
      ['authority-digest', 'runWorkflow', '1.1.0', null],
      ['guidance-reminders', 'runWorkflow', '1.2.0', null],
      ['authority-deliverables', 'runWorkflow', '1.2.0', null],
    ]);
  });

  it('lists every patched() and deprecatePatch() of the workflow code, with the workflow it is in', () => {
    const dir = join(__dirname, '../../workflows');
    const ids: Record<string, string> = { AUTHORITY_DIGEST_PATCH, READ_MODEL_DEADLINE_PATCH, GUIDANCE_REMINDER_PATCH, AUTHORITY_DELIVERABLES_PATCH };
    const found = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\b(?:patched|deprecatePatch)\(([A-Z_]+|'[^']+')\)/g)].map((m) => [ids[m[1] as string] ?? (m[1] as string).replace(/'/g, ''), f]));
    const workflowOf: Record<string, string> = { 'kindergarten-workflow.ts': 'kindergartenWorkflow', 'run-workflow.ts': 'runWorkflow', 'region-workflow.ts': 'regionWorkflow', 'email-workflow.ts': 'deliverEmailWorkflow' };
    // A patch may be called at several places of its workflow; it is listed once per workflow.
    const calls = new Set(found.map(([id, f]) => `${id} in ${workflowOf[f as string]}`));
    expect([...calls].sort()).toEqual(WORKFLOW_PATCHES.map((p) => `${p.id} in ${p.workflow}`).sort());
  });

  it('orders releases by number, not as text', () => {
    expect(compareReleases('1.10.0', '1.9.3')).toBeGreaterThan(0);
    expect(compareReleases('1.0.0', '1.0.0')).toBe(0);
    expect(compareReleases('1.0.0', '2.0.0')).toBeLessThan(0);
  });

  it('keeps a patch while a run started before its release is open, then deprecates it, then removes it', () => {
    const added = patch('send-heartbeat', '1.1.0');
    expect(patchVerdicts([open('1.0.0', ['arshjul-2026-hedmark']), open('1.1.0', ['arshjul-2027-hedmark'])], [added])).toEqual([
      { patch: added, step: 'keep', blockingRuns: ['arshjul-2026-hedmark'] },
    ]);
    expect(patchVerdicts([open('1.1.0', ['arshjul-2027-hedmark'])], [added])).toEqual([{ patch: added, step: 'deprecate' }]);
    const deprecated = patch('send-heartbeat', '1.1.0', '1.3.0');
    expect(patchVerdicts([open('1.2.0', ['arshjul-2028-hedmark'])], [deprecated])).toEqual([{ patch: deprecated, step: 'keep-deprecated', blockingRuns: ['arshjul-2028-hedmark'] }]);
    expect(patchVerdicts([open('1.3.0', ['arshjul-2029-hedmark'])], [deprecated])).toEqual([{ patch: deprecated, step: 'remove' }]);
  });

  it('lets workflows of an unknown release block every patch', () => {
    const added = patch('p', '1.1.0');
    expect(patchVerdicts([{ release: 'ukjent', runs: [], workflows: { kindergartenWorkflow: 3 } }], [added])).toEqual([{ patch: added, step: 'keep', blockingRuns: ['ukjent: 3 arbeidsflyter'] }]);
  });

  it('reports open runs by release and each patch\'s verdict in bokmål', () => {
    const lines = releaseReport([open('1.0.0', ['arshjul-2026-hedmark'])], patchVerdicts([open('1.0.0', ['arshjul-2026-hedmark'])], [patch('p', '1.1.0')]), '1.1.0');
    expect(lines).toEqual([
      'Denne koden er Årshjul 1.1.0.',
      'Åpne arbeidsflyter etter versjonen som startet programåret deres:',
      '  1.0.0: 1 programår (arshjul-2026-hedmark), 4 regioner, 61 barnehager, 0 enkeltstående e-poster',
      'Grener bak patched() i arbeidsflytene:',
      '  p (kindergartenWorkflow, fra 1.1.0): beholdes — åpne programår fra før: arshjul-2026-hedmark',
    ]);
  });
});
