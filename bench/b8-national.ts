import { join } from 'node:path';
import { rehearsalLog, rehearse, scenarioSchema } from '../application/rehearsal';
import { loadPlan } from '../planning/load-plan';
import { loadRosterFile } from '../planning/roster-import';
import { nationalRoster } from '../tests/helpers/roster-builder';
import { EXAMPLE_PLAN, bundleWorkflows } from '../tests/helpers/temporal';
import { type BenchResult, ROOT, memoryOf } from './lib';

/**
 * B8 (issue 15): a national year rehearsed in the time of one county. The example plan with `size` kindergartens in
 * `municipalities` municipalities and a scenario in which 5 % submit late and 2 % never (every twentieth and every
 * fiftieth), grouped by alike kindergartens (the default of `arshjul rehearse`), against the rehearsal of the example's
 * own 61 kindergartens in the same run. Target: ≤ 3×.
 */
export async function benchNationalRehearsal(size: number, municipalities: number, log: (line: string) => void): Promise<BenchResult[]> {
  const plan = loadPlan(EXAMPLE_PLAN);
  const bundle = await bundleWorkflows();
  const example = await loadRosterFile(join(ROOT, 'examples', 'roster-hedmark-2017.csv'), plan);
  const county = await rehearse(plan, example, scenarioSchema.parse({}), { workflowBundle: bundle });
  log(`B8: the example's ${example.kindergartens.length} kindergartens rehearsed in ${(county.wallMs / 1000).toFixed(1)} s (${county.kindergartenWorkflows} kindergarten workflows)`);
  const countyFull = await rehearse(plan, example, scenarioSchema.parse({}), { workflowBundle: bundle, full: true });
  log(`B8: the example with --full (a workflow for each of its ${example.kindergartens.length} kindergartens) in ${(countyFull.wallMs / 1000).toFixed(1)} s`);
  const roster = nationalRoster(size, municipalities);
  const kindergartens: Record<string, 'late' | 'never'> = {};
  roster.kindergartens.forEach((k, i) => {
    if (i % 20 === 0) kindergartens[k.orgnr] = 'late';
    else if (i % 50 === 1) kindergartens[k.orgnr] = 'never';
  });
  const rssBefore = memoryOf(process.pid).peak;
  const national = await rehearse(plan, roster, scenarioSchema.parse({ kindergartens }), { workflowBundle: bundle });
  const lines = rehearsalLog(national);
  const emails = lines.filter((e) => e.type === 'email').length;
  log(`B8: ${size} kindergartens in ${municipalities} municipalities rehearsed in ${(national.wallMs / 1000).toFixed(1)} s (${national.kindergartenWorkflows} kindergarten workflows, ${lines.length} lines, ${emails} emails, ${national.refusals.length} refused); peak RSS ${Math.round(memoryOf(process.pid).peak / 1048576)} MiB (before: ${Math.round(rssBefore / 1048576)} MiB)`);
  const ratio = national.wallMs / county.wallMs;
  return [
    {
      id: 'B8',
      what: 'rehearse a national year (grouped), against the 61-kindergarten example in the same run',
      size: `${size.toLocaleString('en')} kindergartens, ${municipalities} municipalities`,
      value: national.wallMs / 1000,
      unit: 's',
      floor: county.wallMs / 1000,
      ratio,
      target: 'ratio ≤ 3',
      met: ratio <= 3,
      note: `${national.kindergartenWorkflows} kindergarten workflows in ${national.rehearsedMunicipalities} municipalities; ${lines.length.toLocaleString('en')} lines, ${emails.toLocaleString('en')} emails; the example with --full: ${(countyFull.wallMs / 1000).toFixed(1)} s`,
    },
  ];
}
