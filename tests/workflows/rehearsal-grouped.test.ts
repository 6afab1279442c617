import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { participantAddress } from '../../application/rehearsal-classes';
import { type RehearsalResult, type Scenario, rehearsalLog, rehearse, scenarioSchema } from '../../application/rehearsal';
import type { Roster } from '../../config/roster-schema';
import { loadPlan } from '../../planning/load-plan';
import { EXAMPLE_GROUPS, orgnrs } from '../helpers/roster-builder';
import { EXAMPLE_PLAN, bundleWorkflows } from '../helpers/temporal';

jest.setTimeout(900_000);

/**
 * 300 kindergartens in 40 municipalities (eight per workshop group, one in four writing nynorsk), rehearsed twice with a
 * varied scenario: once grouped (one workflow per class of alike kindergartens, one municipality per class of alike
 * municipalities) and once with `full` (every kindergarten and municipality). The two must print exactly the same log
 * and refusals. The scenario varies the kindergartens of the first four municipalities of each group; the other four
 * have everyone on time, so several municipalities are alike and are rehearsed once.
 */
const PER_GROUP = 8;
const municipalityIndex = (n: number) => Math.floor(n / EXAMPLE_GROUPS.length) % PER_GROUP;
function nationalishRoster(): Roster {
  const numbers = orgnrs(300, 93_000_000);
  const municipalities = EXAMPLE_GROUPS.flatMap((g, gi) =>
    Array.from({ length: PER_GROUP }, (_, i) => ({
      id: `k-${g.groupId}-${i}`,
      name: `Kommune ${g.groupId} ${i}`,
      regionId: g.regionId,
      authority: { name: `Myndighet ${g.groupId} ${i}`, email: `barnehage-${i}@${g.groupId}.kommune.example` },
      ...((gi + i) % 4 === 0 ? { language: 'nn' as const } : {}),
    })),
  );
  const kindergartens = numbers.map((orgnr, n) => {
    const g = EXAMPLE_GROUPS[n % EXAMPLE_GROUPS.length] as (typeof EXAMPLE_GROUPS)[number];
    return {
      orgnr,
      name: `Barnehage ${orgnr}`,
      municipalityId: `k-${g.groupId}-${municipalityIndex(n)}`,
      regionId: g.regionId,
      groupId: g.groupId,
      director: { name: `Styrer ${orgnr}`, email: `Styrer.${orgnr}@barnehage.example` },
      participants: 2,
    };
  });
  return { municipalities, kindergartens };
}

/** Late, never, per deliverable, at given instants (also one after the late window: refused), guidance and set-ups varied. */
function variedScenario(roster: Roster): Scenario {
  const o = roster.kindergartens.map((k) => k.orgnr);
  const kindergartens: Record<string, unknown> = {};
  o.forEach((orgnr, i) => {
    if (municipalityIndex(i) >= 4) return;
    if (i % 13 === 0) kindergartens[orgnr] = 'late';
    else if (i % 29 === 1) kindergartens[orgnr] = 'never';
    else if (i % 17 === 2) kindergartens[orgnr] = { 'analysis-so-far': 'late', 'full-analysis': 'never' };
    else if (i % 23 === 3) kindergartens[orgnr] = { 'booklet-material': { at: '2018-10-15T10:30' } };
  });
  // Two at the same given instant, and one long after every window (refused).
  kindergartens[o[40] as string] = { at: '2018-02-20T11:00' };
  kindergartens[o[45] as string] = { at: '2018-02-20T11:00' };
  kindergartens[o[50] as string] = { 'full-analysis': { at: '2018-12-20T12:00' } };
  const guidance: Record<string, unknown> = {};
  o.forEach((orgnr, i) => {
    if (municipalityIndex(i) >= 4) return;
    if (i % 19 === 4) guidance[orgnr] = 'never';
    else if (i % 31 === 5) guidance[orgnr] = 'late';
    else if (i % 11 === 6) guidance[orgnr] = { daysAfterSubmission: 3 };
  });
  return scenarioSchema.parse({
    kindergartens,
    guidance: { kindergartens: guidance },
    groupSetup: { municipalities: { 'k-kongsvinger-1': 'late', 'k-hamar-stange-2': 'never', 'k-sor-osterdal-0': { at: '2017-11-20T09:15' } } },
  });
}

describe('a rehearsal grouped by alike kindergartens and one with every kindergarten (--full)', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let grouped: RehearsalResult;
  let full: RehearsalResult;
  const plan = loadPlan(EXAMPLE_PLAN);
  const roster = nationalishRoster();
  const scenario = variedScenario(roster);

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    grouped = await rehearse(plan, roster, scenario, { workflowBundle: bundle });
    full = await rehearse(plan, roster, scenario, { workflowBundle: bundle, full: true });
  });

  it('prints the same log, line for line, and the same refusals', () => {
    const [a, b] = [rehearsalLog(grouped).map((e) => JSON.stringify(e)), rehearsalLog(full).map((e) => JSON.stringify(e))];
    expect(a.length).toBeGreaterThan(5_000);
    // Both logs are kept for a look when they differ.
    mkdirSync(join(__dirname, '..', '..', 'test-results'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', 'test-results', 'rehearsal-grouped.jsonl'), `${a.join('\n')}\n`);
    writeFileSync(join(__dirname, '..', '..', 'test-results', 'rehearsal-full.jsonl'), `${b.join('\n')}\n`);
    // The first line that differs, with its neighbours, rather than a diff of nine thousand lines.
    const first = a.findIndex((line, i) => line !== b[i]);
    const around = (lines: string[]) => (first < 0 ? [] : lines.slice(Math.max(0, first - 2), first + 3));
    expect({ first, lines: around(a) }).toEqual({ first: a.length === b.length ? -1 : Math.min(a.length, b.length), lines: around(b) });
    expect(a).toEqual(b);
    expect(grouped.refusals).toEqual(full.refusals);
    expect(grouped.refusals.length).toBeGreaterThan(0);
    // A refusal names the plan's dates, not those of the shifted year the test server ran.
    const years = grouped.refusals.flatMap((r) => r.reason.match(/\b20\d\d\b/g) ?? []);
    expect(years.length).toBeGreaterThan(0);
    expect([...new Set(years)].every((y) => y === '2017' || y === '2018')).toBe(true);
  });

  it('runs far fewer kindergarten workflows grouped, and every one in full', () => {
    expect(full.kindergartenWorkflows).toBe(300);
    expect(grouped.kindergartenWorkflows).toBeLessThan(80);
    // The all-on-time municipalities of a group are alike where they write the same standard.
    expect(grouped.rehearsedMunicipalities).toBeLessThan(35);
    process.stdout.write(`grouped: ${grouped.kindergartenWorkflows} kindergarten workflows in ${grouped.rehearsedMunicipalities} municipalities in ${(grouped.wallMs / 1000).toFixed(1)} s; full: 300 in ${(full.wallMs / 1000).toFixed(1)} s\n`);
  });

  it('gives every kindergarten its own lines: its director, its participants, its authority in its digest', () => {
    const log = rehearsalLog(grouped);
    for (const k of roster.kindergartens) {
      const own = log.filter((e) => e.kindergarten === k.orgnr && e.type === 'email');
      expect(own.length).toBeGreaterThan(5);
      expect(own.some((e) => e.to === k.director.email)).toBe(true);
      // Participants are named by their municipality's group set-up; Hamar-Stange 2 never sends one.
      const participantMail = own.filter((e) => e.to === participantAddress(k.orgnr));
      if (k.municipalityId === 'k-hamar-stange-2') expect(participantMail).toEqual([]);
      else expect(participantMail.length).toBeGreaterThan(0);
    }
    const digests = log.filter((e) => e.template === 'authority-digest');
    expect(new Set(digests.map((e) => e.to)).size).toBeGreaterThan(5);
  });
});
