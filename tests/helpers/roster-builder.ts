import type { z } from 'zod';
import type { Plan } from '../../config/plan-schema';
import type { Kindergarten, Municipality, Roster, rosterJsonSchema } from '../../config/roster-schema';
import { isValidOrgnr } from '../../config/roster-schema';
import type { Store } from '../../activities/store';

/** One entry per workshop group of the example plan (Hedmarken meets as two groups). */
export const EXAMPLE_GROUPS = [
  { regionId: 'kongsvinger', groupId: 'kongsvinger' },
  { regionId: 'hedmarken', groupId: 'ringsaker-loten' },
  { regionId: 'hedmarken', groupId: 'hamar-stange' },
  { regionId: 'nord-osterdal', groupId: 'nord-osterdal' },
  { regionId: 'sor-osterdal', groupId: 'sor-osterdal' },
];

/** The n-th valid organisation number in a deterministic sequence starting at 9xxxxxxxx. */
export function orgnrs(count: number, start = 90_000_000): string[] {
  const found: string[] = [];
  for (let base = start; found.length < count; base++) {
    for (let check = 0; check <= 9; check++) {
      const candidate = `${base}${check}`;
      if (isValidOrgnr(candidate)) {
        found.push(candidate);
        break;
      }
    }
  }
  return found;
}

/** A roster of `perGroup` kindergartens in each of the given region/group pairs, one municipality per group. */
export function buildRoster(groups: { regionId: string; groupId: string }[], perGroup: number, start?: number): Roster {
  const numbers = orgnrs(groups.length * perGroup, start);
  const municipalities: Municipality[] = groups.map((g) => ({
    id: `m-${g.groupId}`,
    name: `Kommune ${g.groupId}`,
    regionId: g.regionId,
    authority: { name: `Myndighet ${g.groupId}`, email: `barnehage@${g.groupId}.kommune.example` },
  }));
  const kindergartens: Kindergarten[] = groups.flatMap((g, i) =>
    numbers.slice(i * perGroup, (i + 1) * perGroup).map((orgnr) => ({
      orgnr,
      name: `Barnehage ${orgnr}`,
      municipalityId: `m-${g.groupId}`,
      regionId: g.regionId,
      groupId: g.groupId,
      director: { name: `Styrer ${orgnr}`, email: `styrer-${orgnr}@barnehage.example` },
      participants: 2,
    })),
  );
  return { municipalities, kindergartens };
}

/** A roster in the nested JSON form (regions → municipalities → kindergartens), as a coordinator could upload it. */
export function rosterAsJson(roster: Roster, plan: Pick<Plan, 'regions'>): z.input<typeof rosterJsonSchema> {
  return {
    regions: plan.regions.map((region) => ({
      id: region.id,
      municipalities: roster.municipalities
        .filter((m) => m.regionId === region.id)
        .map((m) => ({
          id: m.id,
          name: m.name,
          authority: m.authority,
          kindergartens: roster.kindergartens
            .filter((k) => k.municipalityId === m.id)
            .map((k) => ({
              name: k.name,
              orgnr: k.orgnr,
              ...(region.groups.length ? { group: k.groupId } : {}),
              director: k.director,
              ...(k.participants === null ? {} : { participants: k.participants }),
            })),
        })),
    })),
  };
}

/**
 * Stores each municipality's group set-up (release 1.2.0) — every kindergarten's director and one pedagogical leader
 * `pedleder-<orgnr>@barnehage.example` — so the emails a plan addresses to participants have someone to go to.
 */
export async function storeGroupSetups(store: Pick<Store, 'recordGroupSetup'>, runId: string, roster: Roster, at: number): Promise<void> {
  for (const [i, m] of roster.municipalities.entries()) {
    await store.recordGroupSetup({
      setupId: `00000000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`,
      runId,
      municipalityId: m.id,
      deliverableId: 'group-setup',
      deliverable: 'Gruppeoppsett',
      late: false,
      receivedAt: at,
      by: m.authority.email,
      source: 'form',
      fileName: null,
      participants: roster.kindergartens
        .filter((k) => k.municipalityId === m.id)
        .flatMap((k) => [
          { orgnr: k.orgnr, name: k.director.name, email: k.director.email, role: 'styrer' },
          { orgnr: k.orgnr, name: `Pedagogisk leder ${k.name}`, email: `pedleder-${k.orgnr}@barnehage.example`, role: 'pedagogisk-leder' },
        ]),
    });
  }
}

/**
 * A national-size roster on the example plan's regions: `count` kindergartens in `municipalities` municipalities spread
 * over the example's workshop groups, one municipality in four writing nynorsk (as about a quarter do).
 */
export function nationalRoster(count: number, municipalities: number, start = 96_000_000): Roster {
  const numbers = orgnrs(count, start);
  const ms: Municipality[] = Array.from({ length: municipalities }, (_, i) => {
    const g = EXAMPLE_GROUPS[i % EXAMPLE_GROUPS.length] as (typeof EXAMPLE_GROUPS)[number];
    return {
      id: `kommune-${i + 1}`,
      name: `Kommune ${i + 1}`,
      regionId: g.regionId,
      authority: { name: `Barnehagemyndigheten i kommune ${i + 1}`, email: `barnehage@kommune-${i + 1}.example` },
      ...(i % 4 === 3 ? { language: 'nn' as const } : {}),
    };
  });
  const kindergartens: Kindergarten[] = numbers.map((orgnr, n) => {
    const m = ms[n % municipalities] as Municipality;
    const g = EXAMPLE_GROUPS[(n % municipalities) % EXAMPLE_GROUPS.length] as (typeof EXAMPLE_GROUPS)[number];
    return { orgnr, name: `Barnehage ${orgnr}`, municipalityId: m.id, regionId: g.regionId, groupId: g.groupId, director: { name: `Styrer ${orgnr}`, email: `styrer-${orgnr}@barnehage.example` }, participants: 2 };
  });
  return { municipalities: ms, kindergartens };
}
