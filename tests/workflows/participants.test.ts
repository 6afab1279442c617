import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { submitGroupSetup } from '../../application/group-setup';
import * as control from '../../application/run-control';
import { regionWorkflowId, runWorkflowId } from '../../domain/ids';
import { authorityWindowFor, scheduleForKindergarten, type Timeline } from '../../domain/timeline';
import { resolveTimeline } from '../../planning/resolve-timeline';
import { regionStatusQuery } from '../../workflows/region-workflow';
import { buildRoster } from '../helpers/roster-builder';
import { type Harness, type Plan, type Roster, bundleWorkflows, futurePlan, harness, timeSkipping } from '../helpers/temporal';

jest.setTimeout(300_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const local = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Oslo' }).toFormat("yyyy-MM-dd'T'HH:mm");
const field = (ics: string, name: string) => new RegExp(`^${name}[:;](.*)$`, 'm').exec(ics.replace(/\r\n /g, ''))?.[1] ?? '';

describe('participants of a group set-up as recipients (release 1.2.0)', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let env: TestWorkflowEnvironment;
  let h: Harness;
  let plan: Plan;
  let roster: Roster;
  let timeline: Timeline;
  let deps: control.RunControlDeps;
  let runId: string;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    env = await timeSkipping();
    plan = futurePlan(2027, 'deltakere');
    roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], 2);
    timeline = resolveTimeline(plan);
    h = await harness(env, bundle, 'participants');
    deps = { client: env.client, store: h.store, taskQueue: h.taskQueue };
    runId = runWorkflowId(plan.schoolYear, plan.county);
  });

  afterAll(async () => {
    await env.teardown();
  });

  async function sleepUntil(ms: number): Promise<void> {
    const now = await env.currentTimeMs();
    if (ms > now) await env.sleep(ms - now);
  }

  /** Lets workflow time pass until `done` holds (the workers run in this process). */
  async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !done(); i++) await env.sleep(60_000);
    expect(done()).toBe(true);
  }

  it('invites them with calendar entries that move when the workshop moves, and withdraws the invitation from a participant a new version removes', async () => {
    const [a, b] = roster.kindergartens as [Roster['kindergartens'][number], Roster['kindergartens'][number]];
    const municipalityId = a.municipalityId;
    const lines = (withSecond: boolean) => [
      { row: 2, orgnr: a.orgnr, name: a.director.name, email: a.director.email, role: 'styrer' },
      { row: 3, orgnr: a.orgnr, name: 'Anne Pedleder', email: 'anne@barnehage.example', role: 'pedagogisk-leder' },
      ...(withSecond ? [{ row: 4, orgnr: a.orgnr, name: 'Bjørn Assistent', email: 'bjorn@barnehage.example', role: 'annen' }] : [{ row: 4, orgnr: a.orgnr, name: 'Dag Nyansatt', email: 'dag@barnehage.example', role: 'annen' }]),
      { row: 5, orgnr: b.orgnr, name: b.director.name, email: b.director.email, role: 'styrer' },
      { row: 6, orgnr: b.orgnr, name: 'Cecilie Stedfortreder', email: 'cecilie@barnehage.example', role: 'stedfortreder' },
    ];
    const invitations = (to: string) => h.sent.filter((m) => m.to === to && m.ical);
    await h.worker.runUntil(async () => {
      await control.startRun(deps, plan, roster, 'koordinator');
      for (let i = 0; i < 100 && !(await env.client.workflow.getHandle(regionWorkflowId(runId, 'kongsvinger')).query(regionStatusQuery).catch(() => null))?.startComplete; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const window = authorityWindowFor(timeline, 'group-setup', 'kongsvinger');
      await sleepUntil((window?.promptAt ?? 0) + HOUR);
      const v1 = await submitGroupSetup(deps, timeline, { runId, municipalityId, deliverableId: 'group-setup', setupId: '00000000-0000-4000-8000-0000000000a1', lines: lines(true), source: { kind: 'form' }, by: 'kommune', receivedAt: await env.currentTimeMs() });
      expect(v1.version).toBe(1);

      // Workshop 1's invitation to participants: each of them, the directors only their own copy.
      const step = scheduleForKindergarten(timeline, 'kongsvinger', 'kongsvinger').emails.find((e) => e.milestoneId === 'workshop-1' && e.to === 'participants' && e.template === 'workshop-invitation');
      expect(step).toBeDefined();
      await sleepUntil((step?.sendAt ?? 0) + HOUR);
      await until(() => ['anne@barnehage.example', 'bjorn@barnehage.example', 'cecilie@barnehage.example'].every((p) => invitations(p).length === 1));
      const first = invitations('anne@barnehage.example')[0]?.ical?.content ?? '';
      expect(field(first, 'METHOD')).toBe('REQUEST');
      expect(field(first, 'SEQUENCE')).toBe('0');
      const uid = field(first, 'UID');
      expect(field(invitations('bjorn@barnehage.example')[0]?.ical?.content ?? '', 'UID')).toBe(uid);
      expect(h.sent.filter((m) => m.to === a.director.email && m.ical && m.subject.includes('Workshop 1'))).toHaveLength(1);

      // The workshop moves a week: every participant's calendar entry moves (same UID, next SEQUENCE).
      const ws1 = timeline.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === 'kongsvinger')?.at as number;
      await control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(ws1 + 7 * DAY) }, 'koordinator');
      // The moved invitation goes 14 days before the new date, like the first.
      await sleepUntil((step?.sendAt ?? 0) + 7 * DAY + HOUR);
      await until(() => ['anne@barnehage.example', 'bjorn@barnehage.example', 'cecilie@barnehage.example'].every((p) => invitations(p).length === 2));
      const moved = invitations('bjorn@barnehage.example')[1]?.ical?.content ?? '';
      expect(field(moved, 'UID')).toBe(uid);
      expect(field(moved, 'SEQUENCE')).toBe('1');
      expect(field(moved, 'DTSTART')).not.toBe(field(first, 'DTSTART'));

      // A new version with Dag instead of Bjørn: Bjørn's invitation is withdrawn (METHOD:CANCEL, same event), Dag gets
      // the invitation already sent to the others (the moved one), and nobody else is told again.
      const v2 = await submitGroupSetup(deps, (await control.runPlan(deps, runId)).timeline, { runId, municipalityId, deliverableId: 'group-setup', setupId: '00000000-0000-4000-8000-0000000000a2', lines: lines(false), source: { kind: 'form' }, by: 'kommune', receivedAt: await env.currentTimeMs() });
      expect(v2.version).toBe(2);
      await until(() => invitations('bjorn@barnehage.example').length === 3);
      const cancel = invitations('bjorn@barnehage.example')[2];
      expect(cancel?.ical?.method).toBe('CANCEL');
      expect(field(cancel?.ical?.content ?? '', 'UID')).toBe(uid);
      expect(Number(field(cancel?.ical?.content ?? '', 'SEQUENCE'))).toBeGreaterThan(1);
      expect(cancel?.subject).toMatch(/^Kultur for læring: Avlyst for deg: /);
      await until(() => invitations('dag@barnehage.example').length === 1);
      const joined = invitations('dag@barnehage.example')[0]?.ical?.content ?? '';
      expect(field(joined, 'METHOD')).toBe('REQUEST');
      expect(field(joined, 'UID')).toBe(uid);
      expect(field(joined, 'DTSTART')).toBe(field(moved, 'DTSTART'));
      expect(invitations('anne@barnehage.example')).toHaveLength(2);
      expect(invitations('cecilie@barnehage.example')).toHaveLength(2);
      // The outbox holds addresses, never a workflow history: the emails' inputs name only the kindergarten and version.
      const history = JSON.stringify(await env.client.workflow.getHandle(`${runId}-bhg-${a.orgnr}`).fetchHistory());
      expect(history).not.toContain('anne@barnehage.example');
      expect(history).not.toContain('bjorn@barnehage.example');
      expect(history).not.toContain('dag@barnehage.example');
    });
  });
});
