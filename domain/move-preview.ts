/**
 * What a move of a milestone does to the emails, computed with the code the kindergarten workflows run: each affected
 * kindergarten's schedule before and after (`scheduleForKindergarten`), its state as the read model knows it
 * (submitted, extended, withdrawn), and `upcomingEmails` on both. An email whose key or time differs is one the move
 * sends at a new time, sends at once (its time has come with the new date) or no longer sends; nothing is estimated.
 */
import { type KindergartenState, type UpcomingEmail, upcomingEmails } from './kindergarten-schedule';
import { occurrenceSteps } from './occurrence-steps';
import { type Timeline, ownedOccurrences, placeName, scheduleForKindergarten } from './timeline';

/** One kindergarten as the preview needs it: where it is and what it has done. */
export interface KindergartenBasis {
  orgnr: string;
  regionId: string;
  groupId: string;
  /** Its municipality: the authorities of a region's emails are counted by it. */
  municipalityId?: string;
  withdrawn: boolean;
  /**
   * Per deliverable: submitted (no reminder or escalation follows) and extended (the kindergarten's own window, which a
   * move leaves as it is). Extensions are known from the audit log the extension Update writes, not guessed from dates.
   */
  deliverables: Record<string, { submitted: boolean; extended: boolean }>;
}

export interface EmailChange {
  template: string;
  title: string;
  kind: UpcomingEmail['kind'];
  /** 'moved': at a new time; 'now': due at once after the move; 'new': a step the old dates did not have; 'dropped': no longer sent. */
  change: 'moved' | 'now' | 'new' | 'dropped';
  from: number | null;
  to: number | null;
  /** Who gets it: each kindergarten's director, its participants, or its authority. */
  recipients: UpcomingEmail['to'];
  kindergartens: number;
}

/**
 * An email the run or region workflow sends about an occurrence (to the municipal authorities, the research centre or
 * the coordinator) whose sending the move changes: by the rule those workflows apply to their own steps.
 */
export interface OwnerEmailChange {
  template: string;
  title: string;
  /** The workshop group or region by name, or null for the whole county. */
  place: string | null;
  change: EmailChange['change'];
  from: number | null;
  to: number | null;
  recipients: 'municipal-authorities' | 'research-centre' | 'coordinator';
  /** How many get it: the authorities of the place's municipalities with a kindergarten still in the run, or one. */
  count: number;
}

export interface MovePreview {
  /** Every email whose sending the move changes, one line per step and change, with how many kindergartens get it. */
  emails: EmailChange[];
  /** How many emails in all, by template and change. */
  byTemplate: { template: string; change: EmailChange['change']; count: number }[];
  kindergartens: number;
  /** The emails of the run and region workflows about the moved occurrences (authorities, research centre, coordinator). */
  owners: OwnerEmailChange[];
}

/** The state a kindergarten's workflow has, as far as a preview can know it: past steps done, submissions, extensions. */
function stateOf(timeline: Timeline, k: KindergartenBasis, now: number, past: ReadonlySet<string> | null): KindergartenState {
  const schedule = scheduleForKindergarten(timeline, k.regionId, k.groupId);
  const state: KindergartenState = {
    revision: 0,
    schedule,
    paused: false,
    cancelled: false,
    withdrawn: k.withdrawn ? { at: now, reason: '' } : null,
    joinedAt: 0,
    outcomes: {},
    deliverables: {},
    receiptsDue: [],
  };
  for (const d of schedule.deliverables) {
    const known = k.deliverables[d.id];
    // The extended window itself is the same before and after a move (the next state takes the old one over).
    const extension = known?.extended && past === null ? { ...d.window } : null;
    state.deliverables[d.id] = {
      submissions: known?.submitted ? [{ submissionId: 'kjent', at: now, late: false, version: 1, files: [], comment: null }] : [],
      extension,
      recordedStatus: null,
    };
  }
  // Steps whose time had come before now have their outcome; with the new dates, those keys stay done.
  for (const u of upcomingEmails(state, 0)) if (past ? past.has(u.key) : u.at <= now) state.outcomes[u.key] = { status: 'sent', at: u.at };
  return state;
}

/** The emails a move changes, for the kindergartens of the run (withdrawn ones get none either way). */
export function previewMove(before: Timeline, after: Timeline, kindergartens: KindergartenBasis[], now: number): MovePreview {
  const lines = new Map<string, EmailChange>();
  const add = (u: UpcomingEmail, change: EmailChange['change'], from: number | null, to: number | null) => {
    const id = `${u.key}|${change}|${from}|${to}`;
    const line = lines.get(id) ?? { template: u.template, title: u.title, kind: u.kind, change, from, to, recipients: u.to, kindergartens: 0 };
    line.kindergartens += 1;
    lines.set(id, line);
  };
  let affected = 0;
  for (const k of kindergartens) {
    if (k.withdrawn) continue;
    const old = stateOf(before, k, now, null);
    const done = new Set(Object.keys(old.outcomes));
    const oldUpcoming = new Map(upcomingEmails(old, now).map((u) => [u.key, u]));
    const next = stateOf(after, k, now, done);
    // An extension is the kindergarten's own window: it stays as it was.
    for (const [id, ds] of Object.entries(old.deliverables)) if (ds.extension && next.deliverables[id]) next.deliverables[id] = { ...ds };
    const newUpcoming = new Map(upcomingEmails(next, now).map((u) => [u.key, u]));
    let changed = false;
    for (const [key, u] of newUpcoming) {
      const was = oldUpcoming.get(key) ?? oldUpcoming.get(sameStep(key, oldUpcoming));
      if (was && was.at === u.at) continue;
      changed = true;
      if (!was) add(u, u.at <= now ? 'now' : 'new', null, u.at);
      else add(u, u.at <= now ? 'now' : 'moved', was.at, u.at);
    }
    for (const [key, u] of oldUpcoming) {
      if (newUpcoming.has(key) || newUpcoming.has(sameStep(key, newUpcoming))) continue;
      changed = true;
      add(u, 'dropped', u.at, null);
    }
    if (changed) affected += 1;
  }
  const emails = [...lines.values()].sort((a, b) => (a.to ?? a.from ?? 0) - (b.to ?? b.from ?? 0) || a.title.localeCompare(b.title));
  const totals = new Map<string, { template: string; change: EmailChange['change']; count: number }>();
  for (const e of emails) {
    const id = `${e.template}|${e.change}`;
    const total = totals.get(id) ?? { template: e.template, change: e.change, count: 0 };
    total.count += e.kindergartens;
    totals.set(id, total);
  }
  return { emails, byTemplate: [...totals.values()], kindergartens: affected, owners: previewOwnerEmails(before, after, kindergartens, now) };
}

/**
 * The run's and the regions' own emails about occurrences that a move changes, by their workflows' rule: a step is
 * keyed by occurrence, email and date version, a key already sent is never sent again, and a step whose time has come
 * is sent at once while it is still useful (else skipped). A moved occurrence has a new version, so its emails go at
 * the new times, also those that went at the old ones (an invitation with the new date).
 */
export function previewOwnerEmails(before: Timeline, after: Timeline, kindergartens: KindergartenBasis[], now: number): OwnerEmailChange[] {
  const active = kindergartens.filter((k) => !k.withdrawn);
  const authorities = (regionId: string | null, groupId: string | null) =>
    new Set(active.filter((k) => (regionId === null || k.regionId === regionId) && (groupId === null || k.groupId === groupId)).map((k) => k.municipalityId ?? k.orgnr)).size;
  const stem = (key: string) => key.replace(/@v\d+$/, '');
  const lines = new Map<string, OwnerEmailChange>();
  const owners: ({ regionId: string } | 'run')[] = ['run', ...after.regions.map((r) => ({ regionId: r.id }))];
  for (const owner of owners) {
    const was = occurrenceSteps(ownedOccurrences(before, owner), {}).filter((step) => step.kind === 'email');
    const is = occurrenceSteps(ownedOccurrences(after, owner), {}).filter((step) => step.kind === 'email');
    const sent = new Set(was.filter((step) => step.at <= now).map((step) => step.key));
    const wasByStem = new Map(was.map((step) => [stem(step.key), step]));
    const isByStem = new Map(is.map((step) => [stem(step.key), step]));
    const add = (step: (typeof is)[number], change: EmailChange['change'], from: number | null, to: number | null) => {
      const email = step.email;
      if (!email || email.to === 'directors' || email.to === 'participants') return;
      const o = step.owned.occurrence;
      const line: OwnerEmailChange = {
        template: email.template,
        title: after.milestones.find((m) => m.id === step.owned.milestoneId)?.title ?? step.owned.milestoneId,
        place: o.scope === 'run' ? null : placeName(after, o.regionId, o.groupId),
        change,
        from,
        to,
        recipients: email.to,
        count: email.to === 'municipal-authorities' ? authorities(o.scope === 'run' ? null : o.regionId, o.scope === 'group' ? o.groupId : null) : 1,
      };
      if (line.count > 0) lines.set(`${step.key}|${change}`, line);
    };
    for (const step of is) {
      if (sent.has(step.key)) continue;
      const old = wasByStem.get(stem(step.key));
      if (old && old.key === step.key && old.at === step.at) continue;
      // An old step already sent is sent again with the new date (its new version): a new email, not a moved one.
      const pending = old && old.at > now ? old : null;
      if (step.at <= now) {
        // Due at once with the new dates: sent if still useful; an old step not yet sent that is no longer useful is dropped.
        if ((step.email?.latestUsefulAt ?? 0) > now) add(step, 'now', pending ? pending.at : null, step.at);
        else if (pending) add(step, 'dropped', pending.at, null);
        continue;
      }
      add(step, pending ? 'moved' : 'new', pending ? pending.at : null, step.at);
    }
    for (const old of was) if (old.at > now && !isByStem.has(stem(old.key))) add(old, 'dropped', old.at, null);
  }
  // A county-wide occurrence moved for one region becomes one occurrence per region: the run's email is dropped and
  // each region sends its own. Where the regions' emails go to the same people at the same time as the run's would
  // have, nothing changes for anyone, and no line is shown.
  // A region whose email now goes at another time has it moved.
  let all = [...lines.values()];
  for (const dropped of all.filter((l) => l.change === 'dropped' && l.place === null)) {
    const regional = all.filter((l) => l.change === 'new' && l.place !== null && l.template === dropped.template && l.title === dropped.title && l.recipients === dropped.recipients);
    const unchanged = regional.filter((l) => l.to === dropped.from);
    const moved = regional.filter((l) => l.to !== dropped.from);
    const sum = (ls: OwnerEmailChange[]) => ls.reduce((n, l) => n + l.count, 0);
    if (regional.length === 0 || sum(regional) !== dropped.count) continue;
    all = all.filter((l) => l !== dropped && !unchanged.includes(l));
    for (const l of moved) Object.assign(l, { change: l.to !== null && l.to <= now ? 'now' : 'moved', from: dropped.from });
  }
  return all.sort((a, b) => (a.to ?? a.from ?? 0) - (b.to ?? b.from ?? 0) || a.title.localeCompare(b.title));
}

/**
 * The key of the same step under another version (`…@v1` and `…@v2` are one reminder at two dates), so a moved step
 * is one moved email, not one dropped and one new.
 */
function sameStep(key: string, among: ReadonlyMap<string, unknown>): string {
  const stem = key.replace(/@v\d+$/, '');
  for (const other of among.keys()) if (other !== key && other.replace(/@v\d+$/, '') === stem) return other;
  return key;
}
