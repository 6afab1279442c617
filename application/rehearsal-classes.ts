import type { Roster } from '../config/roster-schema';
import { MemoryStore } from '../activities/db/memory-store';
import type { GuidanceRecord } from '../activities/store';
import type { QueueDigestItemInput, RecordDeliverableStatusInput, RosterEntry, RosterPageInput } from '../domain/activity-contracts';

/**
 * A national rehearsal in the time of one county (issue 15): kindergartens whose year is bound to be the same are
 * rehearsed once. Two kindergartens are alike when they have the same resolved schedule (region and workshop group),
 * the same written standard, the same planned steps at the same instants (their own submissions and guidance, and
 * their municipality's group set-ups, which decide who their participants are) — and, a rehearsal having no
 * coordinator's actions, the same controls. The real workflow code runs for one representative of each class; every
 * member then gets the representative's lines as its own.
 *
 * What one kindergarten's year does not decide — the run's and the regions' own emails, the authorities' group set-ups
 * and each authority's daily digest — still runs once for the whole roster: the store below records every step of a
 * representative (its deliverable states, its digest items, the guidance on it) for each member too, so the digests,
 * the research centre's reminders and the counts are those of the full roster.
 */
export interface RehearsalClasses {
  /** Each representative with its class, the representative first, in roster order. */
  members: Map<string, string[]>;
  /** Every kindergarten's representative (itself for a representative). */
  representativeOf: Map<string, string>;
}

/** The instants a kindergarten's year depends on, as planned by the scenario (see rehearse()). */
export interface PlannedFor {
  /** `deliverableId@instant` of each step for this kindergarten, or for its municipality (group set-ups). */
  kindergartenSteps: (orgnr: string) => string[];
  municipalitySteps: (municipalityId: string) => string[];
}

/** Splits the roster into classes of kindergartens that are bound to have the same year (see above). */
export function rehearsalClasses(roster: Roster, planned: PlannedFor): RehearsalClasses {
  const languageOf = new Map(roster.municipalities.map((m) => [m.id, m.language ?? 'nb']));
  const byKey = new Map<string, string[]>();
  for (const k of roster.kindergartens) {
    const key = JSON.stringify([
      k.regionId,
      k.groupId ?? k.regionId,
      languageOf.get(k.municipalityId) ?? 'nb',
      [...planned.kindergartenSteps(k.orgnr)].sort(),
      [...planned.municipalitySteps(k.municipalityId)].sort(),
    ]);
    byKey.set(key, [...(byKey.get(key) ?? []), k.orgnr]);
  }
  const members = new Map<string, string[]>();
  const representativeOf = new Map<string, string>();
  for (const orgnrs of byKey.values()) {
    const [representative] = orgnrs as [string, ...string[]];
    members.set(representative, orgnrs);
    for (const o of orgnrs) representativeOf.set(o, representative);
  }
  return { members, representativeOf };
}

/**
 * The rehearsal's in-memory store for a grouped rehearsal: the regions start only the representatives' workflows,
 * and what a representative's workflow records about itself is recorded for every member of its class too.
 */
export class GroupedRehearsalStore extends MemoryStore {
  constructor(private readonly classes: RehearsalClasses) {
    super();
  }

  private othersOf(orgnr: string): string[] {
    return (this.classes.members.get(orgnr) ?? []).filter((o) => o !== orgnr);
  }

  override async listRosterPage(input: RosterPageInput): Promise<RosterEntry[]> {
    const all = await super.listRosterPage({ ...input, limit: Number.MAX_SAFE_INTEGER });
    return all.filter((k) => this.classes.members.has(k.orgnr)).slice(0, input.limit);
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

/** A line of a representative, given to each member of its class: the kindergarten and its addresses become the member's. */
export function forEachMember<T extends { kindergarten: string | null; to: string | null }>(lines: T[], classes: RehearsalClasses, roster: Roster): T[] {
  const kindergartens = new Map(roster.kindergartens.map((k) => [k.orgnr, k]));
  const authorities = new Map(roster.municipalities.map((m) => [m.id, m.authority.email]));
  /** The addresses a representative's line may go to (director, participant, authority), each matched by position. */
  const addressesOf = (orgnr: string): string[] => {
    const k = kindergartens.get(orgnr);
    return k ? [k.director.email, participantAddress(orgnr), authorities.get(k.municipalityId) ?? ''] : [];
  };
  return lines.flatMap((line) => {
    const members = line.kindergarten ? classes.members.get(line.kindergarten) : undefined;
    if (!members || !line.kindergarten) return [line];
    const own = addressesOf(line.kindergarten).map((a) => a.toLowerCase());
    const index = line.to === null ? -1 : own.indexOf(line.to.toLowerCase());
    return members.map((member) => (member === line.kindergarten ? line : { ...line, kindergarten: member, to: index < 0 ? line.to : (addressesOf(member)[index] ?? line.to) }));
  });
}
