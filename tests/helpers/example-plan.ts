import { join } from 'node:path';
import type { Plan } from '../../config/plan-schema';
import { loadPlan } from '../../planning/load-plan';

/** The real 2017/2018 Hedmark plan from examples/. */
export function loadExamplePlan(): Plan {
  return loadPlan(join(__dirname, '..', '..', 'examples', 'kfl-2017-2018.yaml'));
}

/** Every workshop group of the example plan with its region; a region without groups is its own group. */
export const HEDMARK_GROUPS: { regionId: string; groupId: string }[] = [
  { regionId: 'kongsvinger', groupId: 'kongsvinger' },
  { regionId: 'hedmarken', groupId: 'ringsaker-loten' },
  { regionId: 'hedmarken', groupId: 'hamar-stange' },
  { regionId: 'nord-osterdal', groupId: 'nord-osterdal' },
  { regionId: 'sor-osterdal', groupId: 'sor-osterdal' },
];
