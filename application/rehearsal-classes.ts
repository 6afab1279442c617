import type { Roster } from '../config/roster-schema';
import { MemoryStore } from '../activities/db/memory-store';
import type { GuidanceRecord } from '../activities/store';
import type { QueueDigestItemInput, RecordDeliverableStatusInput, RosterEntry, RosterPageInput } from '../domain/activity-contracts';

/**
 * A national rehearsal in the time of one county (issue 15): what is bound to happen the same way is rehearsed once.
 *
 * Two kindergartens are alike when they have the same resolved schedule (region and workshop group), the same written
 * standard, and the same planned steps at the same instants: their own submissions and guidance, and their
 * municipality's group set-ups (which decide who their participants are). A rehearsal has no coordinator's actions, so
 * their controls are the same too. The real workflow code runs for one representative of each class of alike
 * kindergartens.
 *
 * Two municipalities are alike when they are in the same region, write the same standard, plan the same group set-ups,
 * and hold the same classes of kindergartens: their authorities then get the same emails at the same instants (the
 * run's and the regions' emails to authorities, group set-up prompts, reminders and receipts, and a daily digest on
 * exactly the days one of their kindergartens is overdue). Only one municipality of each class is rehearsed, with all
 * its kindergartens.
 *
 * Every kindergarten and municipality then gets its representative's lines as its own, with its own name and
 * addresses. The store records what a representative kindergarten's workflow records about itself for every
 * kindergarten of its class in the rehearsed municipalities too, so each digest, the research centre's reminders and the
 * counts are those of the rehearsed roster. `arshjul rehearse --full` runs every kindergarten and municipality instead;
 * tests/workflows/rehearsal-grouped.test.ts shows both print the same.
 */
export interface RehearsalGrouping {
  /** The roster that is rehearsed: one municipality of each class, with all its kindergartens. */
  rehearsed: Roster;
  /** Within the rehearsed roster: each representative kindergarten (it runs a workflow) with its class, itself first. */
  members: Map<string, string[]>;
  /** Each representative kindergarten with every kindergarten of the whole roster whose year it is, itself included. */
  kindergartensOf: Map<string, string[]>;
  /** Each rehearsed municipality with every municipality of the whole roster whose year it is, itself included. */
  municipalitiesOf: Map<string, string[]>;
}

/** What decides a kindergarten's year, and its municipality's, as planned by the scenario (see rehearse()). */
export interface PlannedFor {
  /** `kind:deliverableId@instant` of each of this kindergarten's own steps (submissions, guidance). */
  kindergartenSteps: (orgnr: string) => string[];
  /** `deliverableId@instant` of each group set-up this municipality sends. */
  municipalitySteps: (municipalityId: string) => string[];
}

/** Splits the roster into classes of kindergartens and of municipalities bound to have the same year (see above). */
export function groupRehearsal(roster: Roster, planned: PlannedFor): RehearsalGrouping {
  const municipalityById = new Map(roster.municipalities.map((m) => [m.id, m]));
  const kindergartenKey = new Map(
    roster.kindergartens.map((k) => {
      const m = municipalityById.get(k.municipalityId);
      return [k.orgnr, JSON.stringify([k.regionId, k.groupId ?? k.regionId, m?.language ?? 'nb', [...planned.kindergartenSteps(k.orgnr)].sort(), [...planned.municipalitySteps(k.municipalityId)].sort()])];
    }),
  );
  const kindergartensIn = new Map<string, string[]>();
  for (const k of roster.kindergartens) kindergartensIn.set(k.municipalityId, [...(kindergartensIn.get(k.municipalityId) ?? []), k.orgnr]);

  // Municipalities are told apart by their authority's address in the lines; where two share one, none is grouped.
  const addresses = roster.municipalities.map((m) => m.authority.email.toLowerCase());
  const distinctAuthorities = new Set(addresses).size === addresses.length;
  const municipalities = classesBy(roster.municipalities.map((m) => m.id), (id) => {
    const m = municipalityById.get(id);
    const own = kindergartensIn.get(id) ?? [];
    return distinctAuthorities && m
      ? JSON.stringify([m.regionId, m.language ?? 'nb', [...planned.municipalitySteps(id)].sort(), [...new Set(own.map((o) => kindergartenKey.get(o)))].sort()])
      : id;
  });
  const municipalitiesOf = municipalities.members;
  const rehearsed: Roster = {
    municipalities: roster.municipalities.filter((m) => municipalitiesOf.has(m.id)),
    kindergartens: roster.kindergartens.filter((k) => municipalitiesOf.has(k.municipalityId)),
  };
  const kindergartens = classesBy(rehearsed.kindergartens.map((k) => k.orgnr), (orgnr) => kindergartenKey.get(orgnr) as string);
  const members = kindergartens.members;
  const representativeOfKey = kindergartens.representativeOfKey;
  const kindergartensOf = new Map<string, string[]>([...members.keys()].map((o) => [o, []]));
  for (const k of roster.kindergartens) kindergartensOf.get(representativeOfKey.get(kindergartenKey.get(k.orgnr) as string) as string)?.push(k.orgnr);
  return { rehearsed, members, kindergartensOf, municipalitiesOf };
}

/** Items in classes by key, in the order given: each class under its first item (the representative), itself first. */
function classesBy(ids: string[], keyOf: (id: string) => string): { members: Map<string, string[]>; representativeOfKey: Map<string, string> } {
  const members = new Map<string, string[]>();
  const representativeOfKey = new Map<string, string>();
  for (const id of ids) {
    const key = keyOf(id);
    const representative = representativeOfKey.get(key);
    if (representative === undefined) {
      representativeOfKey.set(key, id);
      members.set(id, [id]);
    } else {
      members.get(representative)?.push(id);
    }
  }
  return { members, representativeOfKey };
}

/**
 * The rehearsal's in-memory store for a grouped rehearsal: the regions start only the representatives' workflows,
 * and what a representative's workflow records about itself is recorded for every member of its class too.
 */
export class GroupedRehearsalStore extends MemoryStore {
  constructor(private readonly grouping: Pick<RehearsalGrouping, 'members'>) {
    super();
  }

  private othersOf(orgnr: string): string[] {
    return (this.grouping.members.get(orgnr) ?? []).filter((o) => o !== orgnr);
  }

  override async listRosterPage(input: RosterPageInput): Promise<RosterEntry[]> {
    const all = await super.listRosterPage({ ...input, limit: Number.MAX_SAFE_INTEGER });
    return all.filter((k) => this.grouping.members.has(k.orgnr)).slice(0, input.limit);
  }

  override async queueDigestItem(input: QueueDigestItemInput): Promise<void> {
    await super.queueDigestItem(input);
    for (const o of this.othersOf(input.orgnr)) await super.queueDigestItem({ ...input, key: input.key.replace(`/${input.orgnr}/`, `/${o}/`), orgnr: o });
  }

  override async recordDeliverableStatus(input: RecordDeliverableStatusInput): Promise<void> {
    await super.recordDeliverableStatus(input);
    for (const o of this.othersOf(input.orgnr)) await super.recordDeliverableStatus({ ...input, orgnr: o });
  }

  override async recordGuidance(record: GuidanceRecord): Promise<void> {
    await super.recordGuidance(record);
    for (const o of this.othersOf(record.orgnr)) await super.recordGuidance({ ...record, guidanceId: `${record.guidanceId}/${o}`, orgnr: o });
  }
}

/** The address of the pedagogical leader the rehearsal's authorities name for a kindergarten in their group set-ups. */
export function participantAddress(orgnr: string): string {
  return `pedleder-${orgnr}@rehearsal.invalid`;
}

/**
 * The representatives' lines, given to every kindergarten and municipality whose year they are: a kindergarten's
 * line becomes each of its kindergartens' (with the director's, participant's or authority's address that is theirs),
 * an authority's line each of its municipalities' (a group set-up line names the municipality in `to`).
 */
export function forEveryone<T extends { type: string; kindergarten: string | null; to: string | null }>(lines: T[], grouping: RehearsalGrouping, roster: Roster): T[] {
  const kindergartens = new Map(roster.kindergartens.map((k) => [k.orgnr, k]));
  const municipalities = new Map(roster.municipalities.map((m) => [m.id, m]));
  const authorityOf = new Map(grouping.rehearsed.municipalities.map((m) => [m.authority.email.toLowerCase(), m.id]));
  /** The addresses a kindergarten's line may go to (director, participant, authority), matched by position. */
  const addressesOf = (orgnr: string): string[] => {
    const k = kindergartens.get(orgnr);
    return k ? [k.director.email, participantAddress(orgnr), municipalities.get(k.municipalityId)?.authority.email ?? ''] : [];
  };
  return lines.flatMap((line) => {
    if (line.kindergarten !== null) {
      const everyone = grouping.kindergartensOf.get(line.kindergarten);
      if (!everyone) return [line];
      const index = line.to === null ? -1 : addressesOf(line.kindergarten).map((a) => a.toLowerCase()).indexOf(line.to.toLowerCase());
      return everyone.map((orgnr) => (orgnr === line.kindergarten ? line : { ...line, kindergarten: orgnr, to: index < 0 ? line.to : (addressesOf(orgnr)[index] ?? line.to) }));
    }
    if (line.to === null) return [line];
    if (line.type === 'group-setup') return (grouping.municipalitiesOf.get(line.to) ?? [line.to]).map((id) => ({ ...line, to: id }));
    const municipalityId = authorityOf.get(line.to.toLowerCase());
    if (municipalityId === undefined) return [line];
    return (grouping.municipalitiesOf.get(municipalityId) ?? [municipalityId]).map((id) => (id === municipalityId ? line : { ...line, to: municipalities.get(id)?.authority.email ?? line.to }));
  });
}
