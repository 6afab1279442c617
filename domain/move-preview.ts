/**
 * What a move of a milestone does to the emails, computed with the code the kindergarten workflows run: each affected
 * kindergarten's schedule before and after (`scheduleForKindergarten`), its state as the read model knows it
 * (submitted, extended, withdrawn), and `upcomingEmails` on both. An email whose key or time differs is one the move
 * sends at a new time, sends at once (its time has come with the new date) or no longer sends; nothing is estimated.
 */
import { type KindergartenState, type UpcomingEmail, upcomingEmails } from './kindergarten-schedule';
import { type Timeline, scheduleForKindergarten } from './timeline';

/** One kindergarten as the preview needs it: where it is and what it has done. */
export interface KindergartenBasis {
  orgnr: string;
  regionId: string;
  groupId: string;
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

export interface MovePreview {
  /** Every email whose sending the move changes, one line per step and change, with how many kindergartens get it. */
  emails: EmailChange[];
  /** How many emails in all, by template and change. */
  byTemplate: { template: string; change: EmailChange['change']; count: number }[];
  kindergartens: number;
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
  return { emails, byTemplate: [...totals.values()], kindergartens: affected };
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
