import type { Plan } from '../../config/plan-schema';
import type { Kindergarten, Roster } from '../../config/roster-schema';
import { type AuditEntry, contactChangedEntry, uploadLinkReissuedEntry } from '../../domain/audit';
import { type RecoveryRecord, splitRecoveryDetail } from '../../domain/recovery-records';
import { type AuthorityDigest, type ContactChange, DIGEST_DUE_SOON_MS, type EmailLogEntry, type GroupSetupRecord, type GroupSetupSummary, type GuidanceRecord, type InitialDeliverable, type NewGroupSetup, type OwedGuidance, type OutboxEntry, type Recipient, type RunContext, type RunEvent, type Store } from '../store';
import { StoreError } from '../store';
import { placeInGroup } from '../../domain/regions';
import type {
  AddKindergartenInput,
  AddKindergartenResult,
  ClaimDigestsInput,
  QueueDigestItemInput,
  RecordReviewInput,
  RecipientSelector,
  RecordDeliverableStatusInput,
  RecordEventInput,
  RosterEntry,
  RosterPageInput,
} from '../../domain/activity-contracts';

interface MemoryRun {
  plan: Plan;
  roster: Roster;
  added: Map<string, number>;
  withdrawn: Set<string>;
}

/**
 * The store in memory, for `arshjul rehearse` and workflow tests: the same contract as PgStore (idempotent claims,
 * events once, refusals as StoreError), nothing kept after the process ends.
 */
export class MemoryStore implements Store {
  readonly runs = new Map<string, MemoryRun>();
  readonly outbox = new Map<string, OutboxEntry & { state: EmailLogEntry['state']; sentAt: number | null; lastError: string | null; attempts: number }>();
  readonly events: RunEvent[] = [];
  readonly deliverableStates = new Map<string, RecordDeliverableStatusInput>();
  private eventKeys = new Set<string>();

  async createRun(runId: string, plan: Plan, roster: Roster, deliverables: InitialDeliverable[], _release: string): Promise<void> {
    if (this.runs.has(runId)) throw new StoreError('Conflict', `a run with id ${runId} already exists`);
    for (const d of deliverables) {
      this.deliverableStates.set(`${runId}|${d.orgnr}|${d.deliverableId}`, { runId, orgnr: d.orgnr, deliverableId: d.deliverableId, status: 'not-open', dueAt: d.dueAt, lateUntil: d.lateUntil, at: 0 });
    }
    this.runs.set(runId, { plan, roster: { municipalities: [...roster.municipalities], kindergartens: [...roster.kindergartens] }, added: new Map(), withdrawn: new Set() });
  }

  private run(runId: string): MemoryRun {
    const run = this.runs.get(runId);
    if (!run) throw new StoreError('NotFound', `no run ${runId}`);
    return run;
  }

  async getRunContext(runId: string): Promise<RunContext> {
    const { plan } = this.run(runId);
    return { runId, programme: plan.programme, countyName: plan.countyName, schoolYear: plan.schoolYear, timezone: plan.timezone, contacts: plan.contacts };
  }

  async listRosterPage({ runId, regionId, afterOrgnr, limit }: RosterPageInput): Promise<RosterEntry[]> {
    const run = this.run(runId);
    return run.roster.kindergartens
      .filter((k) => k.regionId === regionId && k.orgnr > (afterOrgnr ?? ''))
      .sort((a, b) => a.orgnr.localeCompare(b.orgnr))
      .slice(0, limit)
      .map((k) => ({ orgnr: k.orgnr, municipalityId: k.municipalityId, groupId: k.groupId, withdrawn: run.withdrawn.has(k.orgnr) }));
  }

  async findRecipients(runId: string, selector: RecipientSelector): Promise<Recipient[]> {
    const run = this.run(runId);
    if (selector.kind === 'research-centre' || selector.kind === 'coordinator') {
      const contact = selector.kind === 'research-centre' ? run.plan.contacts.researchCentre : run.plan.contacts.coordinator;
      return [{ id: selector.kind, name: contact.name, email: contact.email, role: selector.kind }];
    }
    const municipality = (id: string) => run.roster.municipalities.find((m) => m.id === id);
    if (selector.kind === 'authority') {
      const m = municipality(selector.municipalityId);
      if (!m) throw new StoreError('NotFound', `no municipality ${selector.municipalityId} in run ${runId}`);
      return [{ id: `authority-${m.id}`, name: m.authority.name, email: m.authority.email, role: 'municipal-authority', municipality: { name: m.name, language: m.language ?? 'nb' } }];
    }
    if (selector.kind === 'municipal-authorities') {
      const ids = new Set(
        run.roster.kindergartens
          .filter((k) => !run.withdrawn.has(k.orgnr) && (selector.regionId === null || k.regionId === selector.regionId) && (selector.groupId === null || k.groupId === selector.groupId))
          .map((k) => k.municipalityId),
      );
      return [...ids].sort().flatMap((id) => {
        const m = municipality(id);
        return m ? [{ id: `authority-${m.id}`, name: m.authority.name, email: m.authority.email, role: 'municipal-authority' as const, municipality: { name: m.name, language: m.language ?? 'nb' } }] : [];
      });
    }
    const k = run.roster.kindergartens.find((x) => x.orgnr === selector.orgnr);
    const m = k && municipality(k.municipalityId);
    if (!k || !m) throw new StoreError('NotFound', `no kindergarten ${selector.orgnr} in run ${runId}`);
    const kindergarten = { orgnr: k.orgnr, name: k.name, municipalityName: m.name };
    if (selector.kind === 'participants' || selector.kind === 'removed-participants' || selector.kind === 'added-participants') {
      const people = (setup: GroupSetupRecord | undefined) => (setup?.participants ?? []).filter((p) => p.orgnr === k.orgnr);
      let chosen: { name: string; email: string }[];
      if (selector.kind === 'participants') {
        chosen = people(this.groupSetupRecords.filter((g) => g.runId === runId && g.municipalityId === m.id).sort((a, b) => a.receivedAt - b.receivedAt || a.version - b.version).at(-1));
      } else {
        const setup = this.groupSetupRecords.find((g) => g.runId === runId && g.setupId === selector.setupId);
        const previous = setup && this.groupSetupRecords.find((g) => g.runId === runId && g.municipalityId === setup.municipalityId && g.deliverableId === setup.deliverableId && g.version === setup.version - 1);
        const [now, before] = [people(setup), people(previous)];
        chosen = selector.kind === 'removed-participants' ? before.filter((p) => !now.some((x) => x.email === p.email)) : now.filter((p) => !before.some((x) => x.email === p.email));
      }
      return chosen.filter((p) => p.email.toLowerCase() !== k.director.email.toLowerCase()).map((p) => ({ id: `participant-${k.orgnr}-${p.email}`, name: p.name, email: p.email, role: 'participant' as const, kindergarten, municipality: { name: m.name, language: m.language ?? 'nb' } }));
    }
    if (selector.kind === 'director') {
      return [{ id: `director-${k.orgnr}`, name: k.director.name, email: k.director.email, role: 'director', kindergarten, municipality: { name: m.name, language: m.language ?? 'nb' } }];
    }
    return [{ id: `authority-${m.id}`, name: m.authority.name, email: m.authority.email, role: 'municipal-authority', kindergarten, municipality: { name: m.name, language: m.language ?? 'nb' } }];
  }

  async claimEmail(entry: OutboxEntry): Promise<'claimed' | 'already-sent'> {
    const existing = this.outbox.get(entry.key);
    if (existing) {
      existing.attempts += 1;
      if (existing.state === 'sent') return 'already-sent';
      existing.state = 'sending';
      return 'claimed';
    }
    this.outbox.set(entry.key, { ...entry, state: 'sending', sentAt: null, lastError: null, attempts: 1 });
    return 'claimed';
  }

  async markEmailSent(key: string, info: { response: string; at: number }): Promise<void> {
    const row = this.outbox.get(key);
    if (row) Object.assign(row, { state: 'sent', sentAt: info.at, lastError: null });
  }

  async markEmailFailed(key: string, error: string): Promise<void> {
    const row = this.outbox.get(key);
    if (row && row.state !== 'sent') Object.assign(row, { state: 'failed', lastError: error });
  }

  async recordEvent(event: RecordEventInput): Promise<void> {
    const key = [event.runId, event.type, event.at, event.milestoneId, event.regionId, event.groupId, event.orgnr].join('|');
    if (this.eventKeys.has(key)) return;
    this.eventKeys.add(key);
    this.events.push({ ...event, id: this.events.length + 1 });
  }

  readonly audit: AuditEntry[] = [];

  /** What `arshjul run recover` would read (the PostgreSQL store keeps it in recovery_timelines and recovery_windows). */
  readonly recoveryRecords: RecoveryRecord[] = [];

  async recordAudit(entry: AuditEntry): Promise<void> {
    if (this.audit.some((e) => e.key === entry.key)) return;
    const { details, recovery } = splitRecoveryDetail(entry.details);
    this.audit.push({ ...entry, details });
    if (recovery) this.recoveryRecords.push(recovery);
  }

  /** Each kindergarten's accepted submissions of a deliverable, as the status writes name them (the rehearsal has no uploads). */
  readonly submissions = new Map<string, { submissionId: string; at: number }[]>();

  async recordDeliverableStatus(input: RecordDeliverableStatusInput): Promise<void> {
    const key = `${input.runId}|${input.orgnr}|${input.deliverableId}`;
    if (input.submissionId) {
      const list = this.submissions.get(key) ?? [];
      if (!list.some((s) => s.submissionId === input.submissionId)) this.submissions.set(key, [...list, { submissionId: input.submissionId, at: input.at }]);
    }
    const existing = this.deliverableStates.get(key);
    if (!existing || existing.at <= input.at) this.deliverableStates.set(key, input);
  }

  async addKindergarten({ runId, kindergarten: k, at }: AddKindergartenInput): Promise<AddKindergartenResult> {
    const run = this.run(runId);
    const municipality = run.roster.municipalities.find((m) => m.id === k.municipalityId);
    if (!municipality) throw new StoreError('NotFound', `municipality "${k.municipalityId}" is not in the roster of run ${runId}`, { code: 'unknown-municipality', municipalityId: k.municipalityId });
    const placed = placeInGroup(run.plan, municipality.regionId, k.groupId);
    if ('error' in placed) throw new StoreError('InvalidInput', placed.error, { code: 'group-needed', regionId: municipality.regionId, groups: placed.groups });
    const { groupId } = placed;
    const existing = run.roster.kindergartens.find((x) => x.orgnr === k.orgnr);
    if (existing && run.added.get(k.orgnr) !== at) throw new StoreError('Conflict', `kindergarten ${k.orgnr} is already in run ${runId}`, { code: 'kindergarten-in-run', kindergarten: k.orgnr });
    if (!existing) {
      const added: Kindergarten = {
        orgnr: k.orgnr,
        name: k.name,
        municipalityId: k.municipalityId,
        regionId: municipality.regionId,
        groupId,
        director: k.director,
        participants: k.participants ?? null,
      };
      run.roster.kindergartens.push(added);
      run.added.set(k.orgnr, at);
    }
    return { regionId: municipality.regionId, groupId, municipalityId: k.municipalityId };
  }

  async withdrawKindergarten({ runId, orgnr }: { runId: string; orgnr: string; reason: string; at: number }): Promise<void> {
    const run = this.run(runId);
    if (!run.roster.kindergartens.some((k) => k.orgnr === orgnr)) throw new StoreError('NotFound', `kindergarten ${orgnr} is not in run ${runId}`, { code: 'not-in-run', kindergarten: orgnr });
    run.withdrawn.add(orgnr);
  }

  private readonly linkVersions = new Map<string, number>();

  async uploadLinkVersion(runId: string, orgnr: string, deliverableId: string): Promise<number> {
    return this.linkVersions.get(`${runId}|${orgnr}|${deliverableId}`) ?? 1;
  }

  async reissueUploadLink(input: { runId: string; orgnr: string; deliverableId: string; deliverable: string; actor: string; at: number }): Promise<number> {
    const key = `${input.runId}|${input.orgnr}|${input.deliverableId}`;
    const next = (this.linkVersions.get(key) ?? 1) + 1;
    this.linkVersions.set(key, next);
    await this.recordAudit(uploadLinkReissuedEntry(input, next));
    return next;
  }

  async changeContact(input: ContactChange): Promise<{ before: { name: string; email: string }; links: { deliverableId: string; version: number }[] }> {
    const run = this.runs.get(input.runId);
    if (!run) throw new StoreError('NotFound', `run ${input.runId} does not exist`);
    const { target } = input;
    const links: { deliverableId: string; version: number }[] = [];
    let before: { name: string; email: string };
    let names: { kindergarten?: string; municipality?: string };
    if (target.kind === 'director') {
      const i = run.roster.kindergartens.findIndex((k) => k.orgnr === target.orgnr);
      const k = run.roster.kindergartens[i];
      if (!k) throw new StoreError('NotFound', `kindergarten ${target.orgnr} is not in run ${input.runId}`, { code: 'not-in-run', kindergarten: target.orgnr });
      if (run.withdrawn.has(target.orgnr)) throw new StoreError('Conflict', `kindergarten ${k.name} is withdrawn`, { code: 'kindergarten-withdrawn', at: input.at, reason: '' });
      before = { ...k.director };
      if (before.name === input.name && before.email === input.email) throw new StoreError('Conflict', 'nothing changes', { code: 'contact-unchanged', who: `Styreren i ${k.name}` });
      run.roster.kindergartens[i] = { ...k, director: { name: input.name, email: input.email } };
      names = { kindergarten: k.name };
      for (const r of input.reissue) {
        const key = `${input.runId}|${target.orgnr}|${r.deliverableId}`;
        const version = (this.linkVersions.get(key) ?? 1) + 1;
        this.linkVersions.set(key, version);
        links.push({ deliverableId: r.deliverableId, version });
        await this.recordAudit(uploadLinkReissuedEntry({ runId: input.runId, orgnr: target.orgnr, deliverableId: r.deliverableId, deliverable: r.deliverable, actor: input.actor, at: input.at }, version));
      }
    } else {
      const i = run.roster.municipalities.findIndex((m) => m.id === target.municipalityId);
      const m = run.roster.municipalities[i];
      if (!m) throw new StoreError('NotFound', `municipality ${target.municipalityId} is not in run ${input.runId}`, { code: 'unknown-municipality', municipalityId: target.municipalityId });
      before = { ...m.authority };
      if (before.name === input.name && before.email === input.email) throw new StoreError('Conflict', 'nothing changes', { code: 'contact-unchanged', who: `Barnehagemyndigheten i ${m.name}` });
      run.roster.municipalities[i] = { ...m, authority: { name: input.name, email: input.email } };
      names = { municipality: m.name };
    }
    await this.recordAudit(contactChangedEntry(input, before, names, links.length));
    return { before, links };
  }

  async nonSubmitters(runId: string, deliverableId: string): Promise<{ orgnr: string; name: string; municipality: string; regionId: string; groupId: string; dueAt: number; lateUntil: number }[]> {
    const run = this.runs.get(runId);
    if (!run) return [];
    return [...this.deliverableStates.values()]
      .filter((s) => s.runId === runId && s.deliverableId === deliverableId && (s.status === 'open' || s.status === 'overdue') && !run.withdrawn.has(s.orgnr))
      .map((s) => {
        const k = run.roster.kindergartens.find((x) => x.orgnr === s.orgnr);
        return { orgnr: s.orgnr, name: k?.name ?? s.orgnr, municipality: run.roster.municipalities.find((m) => m.id === k?.municipalityId)?.name ?? '', regionId: k?.regionId ?? '', groupId: k?.groupId ?? '', dueAt: s.dueAt, lateUntil: s.lateUntil };
      })
      .sort((a, b) => a.orgnr.localeCompare(b.orgnr));
  }

  /** The authorities' verdicts on submissions, by review id (as the table submission_reviews). */
  readonly reviews = new Map<string, RecordReviewInput>();

  async recordReview(input: RecordReviewInput): Promise<void> {
    if (!this.reviews.has(input.reviewId)) this.reviews.set(input.reviewId, input);
  }

  /** Escalations queued for the authorities' digests, by key (as the table authority_digest_items). */
  readonly digestItems = new Map<string, QueueDigestItemInput & { municipalityId: string; digestDay: string | null }>();

  async queueDigestItem(input: QueueDigestItemInput): Promise<void> {
    if (this.digestItems.has(input.key)) return;
    const k = this.run(input.runId).roster.kindergartens.find((x) => x.orgnr === input.orgnr);
    if (k) this.digestItems.set(input.key, { ...input, municipalityId: k.municipalityId, digestDay: null });
  }

  async claimAuthorityDigests({ runId, day, at }: ClaimDigestsInput): Promise<string[]> {
    const run = this.run(runId);
    const ids = new Set<string>();
    for (const item of this.digestItems.values()) {
      if (item.runId !== runId) continue;
      if (item.digestDay === null && item.at <= at) item.digestDay = day;
      const status = this.deliverableStates.get(`${runId}|${item.orgnr}|${item.deliverableId}`)?.status;
      if (item.digestDay === day && (status === 'overdue' || status === 'missed') && !run.withdrawn.has(item.orgnr)) ids.add(item.municipalityId);
    }
    return [...ids].sort();
  }

  async authorityDigest(runId: string, municipalityId: string, day: string, at: number): Promise<AuthorityDigest> {
    const run = this.run(runId);
    const m = run.roster.municipalities.find((x) => x.id === municipalityId);
    if (!m) throw new StoreError('NotFound', `no municipality ${municipalityId} in run ${runId}`);
    const titles = new Map(run.plan.deliverables.map((d) => [d.id, d.title]));
    const news = new Set([...this.digestItems.values()].filter((i) => i.runId === runId && i.digestDay === day && i.municipalityId === municipalityId).map((i) => `${i.orgnr}|${i.deliverableId}`));
    const own = run.roster.kindergartens.filter((k) => k.municipalityId === municipalityId && !run.withdrawn.has(k.orgnr));
    const names = new Map(own.map((k) => [k.orgnr, k]));
    const lines = own
      .flatMap((k) => run.plan.deliverables.map((d) => this.deliverableStates.get(`${runId}|${k.orgnr}|${d.id}`)))
      .filter((d): d is RecordDeliverableStatusInput => d !== undefined)
      .map((d) => ({ d, isNew: news.has(`${d.orgnr}|${d.deliverableId}`) }))
      .filter(({ d, isNew }) => d.status === 'overdue' || (d.status === 'missed' && isNew) || (d.status === 'open' && d.dueAt <= at + DIGEST_DUE_SOON_MS))
      .map(({ d, isNew }) => ({
        orgnr: d.orgnr,
        kindergarten: names.get(d.orgnr)?.name ?? d.orgnr,
        deliverableId: d.deliverableId,
        deliverable: titles.get(d.deliverableId) ?? d.deliverableId,
        status: d.status,
        dueAt: d.dueAt,
        lateUntil: d.lateUntil,
        isNew,
      }))
      .sort((a, b) => a.dueAt - b.dueAt || a.kindergarten.localeCompare(b.kindergarten, 'nb') || a.deliverableId.localeCompare(b.deliverableId));
    return { municipality: m.name, lines };
  }

  async latestSubmission(runId: string, orgnr: string, deliverableId: string): Promise<{ submissionId: string; version: number; at: number } | null> {
    const list = this.submissions.get(`${runId}|${orgnr}|${deliverableId}`) ?? [];
    const last = list.at(-1);
    return last ? { submissionId: last.submissionId, version: list.length, at: last.at } : null;
  }

  /** The research centre's guidance, in the order given (as the table submission_guidance). */
  readonly guidanceRecords: GuidanceRecord[] = [];

  /** The first instant each kindergarten's deliverable got guidance, by `runId|orgnr|deliverableId` (owedGuidance's index). */
  private readonly firstGuidanceAt = new Map<string, number>();
  private readonly guidanceIds = new Set<string>();

  async recordGuidance(record: GuidanceRecord): Promise<void> {
    if (this.guidanceIds.has(record.guidanceId)) return;
    this.guidanceIds.add(record.guidanceId);
    this.guidanceRecords.push(record);
    const key = `${record.runId}|${record.orgnr}|${record.deliverableId}`;
    this.firstGuidanceAt.set(key, Math.min(this.firstGuidanceAt.get(key) ?? Infinity, record.at));
  }

  async guidance(runId: string, guidanceId: string): Promise<GuidanceRecord | null> {
    return this.guidanceRecords.find((g) => g.runId === runId && g.guidanceId === guidanceId) ?? null;
  }

  async listGuidance(runId: string, filter: { orgnr?: string } = {}): Promise<GuidanceRecord[]> {
    return this.guidanceRecords.filter((g) => g.runId === runId && (!filter.orgnr || g.orgnr === filter.orgnr)).sort((a, b) => a.at - b.at);
  }

  async owedGuidance(runId: string, deliverableIds: string[], asOf: number): Promise<OwedGuidance[]> {
    const run = this.run(runId);
    const municipalities = new Map(run.roster.municipalities.map((m) => [m.id, m.name]));
    const owed: OwedGuidance[] = [];
    for (const k of run.roster.kindergartens) {
      if (run.withdrawn.has(k.orgnr)) continue;
      for (const deliverableId of deliverableIds) {
        const first = (this.submissions.get(`${runId}|${k.orgnr}|${deliverableId}`) ?? []).find((s) => s.at <= asOf);
        if (!first) continue;
        if ((this.firstGuidanceAt.get(`${runId}|${k.orgnr}|${deliverableId}`) ?? Infinity) <= asOf) continue;
        owed.push({ orgnr: k.orgnr, kindergarten: k.name, municipality: municipalities.get(k.municipalityId) ?? k.municipalityId, regionId: k.regionId, groupId: k.groupId ?? k.regionId, deliverableId, firstSubmittedAt: first.at });
      }
    }
    return owed.sort((a, b) => a.firstSubmittedAt - b.firstSubmittedAt || a.kindergarten.localeCompare(b.kindergarten, 'nb'));
  }

  /** The municipal authorities' group set-ups, every version in the order stored (as the table group_setups). */
  readonly groupSetupRecords: GroupSetupRecord[] = [];

  async recordGroupSetup(input: NewGroupSetup): Promise<GroupSetupRecord> {
    const earlier = this.groupSetupRecords.find((g) => g.setupId === input.setupId);
    if (earlier) return earlier;
    const { deliverable, ...rest } = input;
    const version = this.groupSetupRecords.filter((g) => g.runId === input.runId && g.municipalityId === input.municipalityId && g.deliverableId === input.deliverableId).length + 1;
    const record: GroupSetupRecord = { ...rest, version, receiptNumber: `GS-${String(this.groupSetupRecords.length + 1).padStart(6, '0')}` };
    this.groupSetupRecords.push(record);
    await this.recordAudit({
      key: `${input.runId}/group-setup-received/${input.setupId}`,
      runId: input.runId,
      actor: input.by,
      action: 'group-setup-received',
      at: input.receivedAt,
      details: { municipalityId: input.municipalityId, deliverableId: input.deliverableId, deliverable, version, participants: input.participants.length, late: input.late },
    });
    return record;
  }

  async groupSetup(runId: string, setupId: string): Promise<GroupSetupRecord | null> {
    return this.groupSetupRecords.find((g) => g.runId === runId && g.setupId === setupId) ?? null;
  }

  async latestGroupSetup(runId: string, municipalityId: string, deliverableId: string): Promise<GroupSetupRecord | null> {
    return this.groupSetupRecords.filter((g) => g.runId === runId && g.municipalityId === municipalityId && g.deliverableId === deliverableId).at(-1) ?? null;
  }

  /** The municipalities with a kindergarten still in the run. */
  private activeMunicipalities(runId: string) {
    const run = this.run(runId);
    const counts = this.activeKindergartenCounts(runId);
    return run.roster.municipalities.filter((m) => (counts.get(m.id) ?? 0) > 0);
  }

  /** How many kindergartens, not withdrawn, each municipality has (one pass over the roster). */
  private activeKindergartenCounts(runId: string): Map<string, number> {
    const run = this.run(runId);
    const counts = new Map<string, number>();
    for (const k of run.roster.kindergartens) if (!run.withdrawn.has(k.orgnr)) counts.set(k.municipalityId, (counts.get(k.municipalityId) ?? 0) + 1);
    return counts;
  }

  async groupSetups(runId: string, deliverableId: string): Promise<GroupSetupSummary[]> {
    const counts = this.activeKindergartenCounts(runId);
    return this.activeMunicipalities(runId)
      .map((m) => {
        const latest = this.groupSetupRecords.filter((g) => g.runId === runId && g.municipalityId === m.id && g.deliverableId === deliverableId).at(-1);
        return {
          municipalityId: m.id,
          municipality: m.name,
          regionId: m.regionId,
          kindergartens: counts.get(m.id) ?? 0,
          latest: latest ? { setupId: latest.setupId, version: latest.version, receiptNumber: latest.receiptNumber, late: latest.late, receivedAt: latest.receivedAt, by: latest.by, participants: latest.participants.length } : null,
        };
      })
      .sort((a, b) => a.municipality.localeCompare(b.municipality, 'nb'));
  }

  async municipalityKindergartens(runId: string, municipalityId: string): Promise<{ orgnr: string; name: string; regionId: string; groupId: string; director: { name: string; email: string } }[]> {
    const run = this.run(runId);
    return run.roster.kindergartens
      .filter((k) => k.municipalityId === municipalityId && !run.withdrawn.has(k.orgnr))
      .map((k) => ({ orgnr: k.orgnr, name: k.name, regionId: k.regionId, groupId: k.groupId ?? k.regionId, director: { name: k.director.name, email: k.director.email } }))
      .sort((a, b) => a.name.localeCompare(b.name, 'nb') || a.orgnr.localeCompare(b.orgnr));
  }

  async municipalitiesWithoutGroupSetup(runId: string, deliverableId: string, asOf: number): Promise<string[]> {
    return this.activeMunicipalities(runId)
      .filter((m) => !this.groupSetupRecords.some((g) => g.runId === runId && g.municipalityId === m.id && g.deliverableId === deliverableId && g.receivedAt <= asOf))
      .map((m) => m.id)
      .sort();
  }

  async listEvents(runId: string): Promise<RunEvent[]> {
    return this.events.filter((e) => e.runId === runId).sort((a, b) => a.at - b.at || a.id - b.id);
  }

  async listEmails(runId: string, filter: { orgnr?: string } = {}): Promise<EmailLogEntry[]> {
    return [...this.outbox.values()]
      .filter((e) => e.runId === runId && (!filter.orgnr || e.meta.orgnr === filter.orgnr))
      .sort((a, b) => a.requestedAt - b.requestedAt || a.key.localeCompare(b.key))
      .map((e) => ({ key: e.key, template: e.template, to: e.to, subject: e.subject, state: e.state, requestedAt: e.requestedAt, sentAt: e.sentAt, lastError: e.lastError, meta: e.meta }));
  }

  async countDeliverableStatuses(runId: string): Promise<{ deliverableId: string; status: string; count: number }[]> {
    const counts = new Map<string, number>();
    for (const s of this.deliverableStates.values()) {
      if (s.runId !== runId) continue;
      const key = `${s.deliverableId}|${s.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()].sort().map(([key, count]) => {
      const [deliverableId = '', status = ''] = key.split('|');
      return { deliverableId, status, count };
    });
  }
}
