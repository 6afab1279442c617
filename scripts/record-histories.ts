/**
 * Records workflow histories for the replay tests (tests/workflows/replay.test.ts): a whole year of a small run on the
 * time-skipping server with reschedules (one that moves a deadline before it opens), a pause and resume, a withdrawal,
 * an addition, an extension, a submission and a re-issued upload link, and (from 1.1.0) escalations into the
 * authorities' daily digest, and (from 1.2.0) the research centre reminded of guidance owed and then giving it and the
 * authorities asked for their group set-up (one sends it, the rest are reminded and escalated), and (from 1.3.0) the
 * retention Schedule's workflow purging a run that ended long ago (in PostgreSQL: the test database), so every
 * workflow type, every handler and every patch appears in history. Run it once per release,
 * after tagging (the release rule in the README):
 *   npx tsx scripts/record-histories.ts        (writes tests/histories/<package.json version>/)
 * The histories of every supported release must keep replaying with the code of every later release.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { ARSHJUL_RELEASE } from '../application/release';
import * as control from '../application/run-control';
import { initialDeliverables } from '../application/run-control';
import { guidanceWorkflowId, kindergartenWorkflowId, regionWorkflowId, runWorkflowId } from '../domain/ids';
import { giveGuidance } from '../application/guidance';
import { groupSetupReceiptWorkflowId, submitGroupSetup } from '../application/group-setup';
import { authorityWindowFor } from '../domain/timeline';
import { resolveTimeline } from '../planning/resolve-timeline';
import { installRuntime } from '../temporal/runtime';
import { formatNorwegian } from '../texts/norwegian-format';
import { submitDeliverableUpdate } from '../workflows/kindergarten-workflow';
import { regionStatusQuery } from '../workflows/region-workflow';
import { buildRoster } from '../tests/helpers/roster-builder';
import { bundleWorkflows, futurePlan, harness, timeSkipping } from '../tests/helpers/temporal';
import { freshSchema } from '../tests/helpers/postgres';
import { PgStore } from '../activities/db/pg-store';
import { buildWorker } from '../temporal/worker-factory';
import { retentionWorkflow } from '../workflows/retention-workflow';

const DAY = 86_400_000;
const local = (ms: number) => formatNorwegian(ms, 'localInput');

async function main(): Promise<void> {
  installRuntime();
  const out = join(__dirname, '..', 'tests', 'histories', ARSHJUL_RELEASE);
  mkdirSync(out, { recursive: true });
  const env = await timeSkipping();
  try {
    const plan = futurePlan(2027, 'historikk');
    const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }, { regionId: 'hedmarken', groupId: 'hamar-stange' }], 2);
    const timeline = resolveTimeline(plan);
    const h = await harness(env, await bundleWorkflows(), 'record-histories');
    const deps = { client: env.client, store: h.store, taskQueue: h.taskQueue };
    const runId = runWorkflowId(plan.schoolYear, plan.county);
    const [a, b, c] = roster.kindergartens as [typeof roster.kindergartens[0], typeof roster.kindergartens[0], typeof roster.kindergartens[0]];
    const sleepUntil = async (ms: number) => {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    };
    let reissued = '';
    let guidanceEmail = '';
    let setupReceipt = '';
    await h.worker.runUntil(async () => {
      await control.startRun(deps, plan, roster, 'recorder');
      for (const region of ['kongsvinger', 'hedmarken']) {
        while (!(await env.client.workflow.getHandle(regionWorkflowId(runId, region)).query(regionStatusQuery).catch(() => null))?.startComplete) {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const ws1 = timeline.milestones.find((m) => m.id === 'workshop-1')?.occurrences.find((o) => o.groupId === 'kongsvinger')?.at as number;
      await control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-1', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(ws1 + 7 * DAY) }, 'recorder');
      // Workshop 2 a week later moves the analysis's deadline before it opens (its status stays): the read model's
      // deadline is written again (patch read-model-deadline, 1.1.0).
      const ws2 = timeline.milestones.find((m) => m.id === 'workshop-2')?.occurrences.find((o) => o.groupId === 'kongsvinger')?.at as number;
      await control.rescheduleMilestone(deps, runId, { milestoneId: 'workshop-2', regionId: 'kongsvinger', groupId: 'kongsvinger', at: local(ws2 + 7 * DAY) }, 'recorder');
      // Release 1.2.0: one authority sends its group set-up after the prompt; the others are reminded and escalated.
      const setupWindow = authorityWindowFor(timeline, 'group-setup', 'kongsvinger');
      await sleepUntil((setupWindow?.promptAt ?? 0) + 3_600_000);
      const authority = roster.municipalities.find((m) => m.regionId === 'kongsvinger')?.id as string;
      const setupLines = roster.kindergartens.filter((k) => k.municipalityId === authority).flatMap((k, i) => [
        { row: 2 * i + 2, orgnr: k.orgnr, name: k.director.name, email: k.director.email, role: 'styrer' },
        { row: 2 * i + 3, orgnr: k.orgnr, name: 'Pedagogisk leder', email: `ped-${k.orgnr}@barnehage.example`, role: 'pedagogisk-leder' },
      ]);
      const setup = await submitGroupSetup(deps, (await control.runPlan(deps, runId)).timeline, { runId, municipalityId: authority, deliverableId: 'group-setup', setupId: '00000000-0000-4000-8000-000000000002', lines: setupLines, source: { kind: 'form' }, by: 'recorder', receivedAt: await env.currentTimeMs() });
      setupReceipt = groupSetupReceiptWorkflowId(runId, setup.setupId);
      await env.client.workflow.getHandle(setupReceipt).result();
      const portal = timeline.milestones.find((m) => m.id === 'portal-opens')?.occurrences[0]?.at as number;
      await sleepUntil(portal - 2 * DAY);
      await control.pauseRun(deps, runId, 'recorder', 'recorded pause');
      await sleepUntil(portal + DAY);
      await control.resumeRun(deps, runId, 'recorder');
      await control.withdrawKindergarten(deps, runId, c.orgnr, 'recorded withdrawal', 'recorder');
      const window = timeline.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger');
      await sleepUntil((window?.opensAt ?? 0) + 14 * DAY);
      await control.addKindergarten(deps, runId, { orgnr: '974760673', name: 'Ny barnehage', municipalityId: 'm-kongsvinger', director: { name: 'Ny', email: 'ny@barnehage.example' } }, 'recorder');
      await control.extendDeadline(deps, runId, b.orgnr, 'analysis-so-far', local((window?.dueAt ?? 0) + 14 * DAY), 'recorder');
      const link = await control.reissueUploadLink(deps, runId, b.orgnr, 'analysis-so-far', 'recorder');
      reissued = link.workflowId;
      const files = [{ name: 'analyse.pdf', size: 2048, sha256: 'c'.repeat(64) }];
      const receivedAt = await env.currentTimeMs();
      await env.client.workflow
        .getHandle(kindergartenWorkflowId(runId, a.orgnr))
        .executeUpdate(submitDeliverableUpdate, { args: [{ submissionId: 'rec-1', deliverableId: 'analysis-so-far', files, comment: null, receiptNumber: 'AH-000001', receivedAt }] });
      // Release 1.2.0: the analysis waits for guidance; the research centre is reminded, then gives it.
      const moved = (await control.runPlan(deps, runId)).timeline;
      const guidanceWindow = moved.deliverables.find((d) => d.id === 'analysis-so-far')?.windows.find((w) => w.groupId === 'kongsvinger')?.guidance;
      await sleepUntil((guidanceWindow?.reminderAts[0] ?? 0) + 3_600_000);
      const guidance = await giveGuidance(deps, plan, { runId, orgnr: a.orgnr, deliverableId: 'analysis-so-far', guidanceId: '00000000-0000-4000-8000-000000000001', text: 'Veiledning.', files: [], by: 'recorder', at: await env.currentTimeMs() });
      guidanceEmail = guidanceWorkflowId(runId, a.orgnr, guidance.guidanceId);
      await env.client.workflow.getHandle(guidanceEmail).result();
      await env.client.workflow.getHandle(reissued).result();
      await env.client.workflow.getHandle(runId).result();
      for (const k of [a, b, c]) await env.client.workflow.getHandle(kindergartenWorkflowId(runId, k.orgnr)).result();
    });
    const save = async (name: string, workflowId: string) => {
      const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
      writeFileSync(join(out, `${name}.json`), historyToJSON(history));
      process.stdout.write(`${ARSHJUL_RELEASE}/${name}: ${history.events?.length ?? 0} events\n`);
    };
    await save('run-workflow', runId);
    await save('region-workflow', regionWorkflowId(runId, 'kongsvinger'));
    await save('kindergarten-workflow-submitted', kindergartenWorkflowId(runId, a.orgnr));
    await save('kindergarten-workflow-extended', kindergartenWorkflowId(runId, b.orgnr));
    await save('kindergarten-workflow-withdrawn', kindergartenWorkflowId(runId, c.orgnr));
    await save('kindergarten-workflow-added', kindergartenWorkflowId(runId, '974760673'));
    await save('deliver-email-workflow', reissued);
    await save('deliver-email-workflow-guidance', guidanceEmail);
    await save('deliver-email-workflow-group-setup', setupReceipt);
    const authorityEmails = [...h.store.outbox.values()].filter((e) => e.template.startsWith('group-setup-')).map((e) => e.template);
    process.stdout.write(`group set-up emails: ${authorityEmails.length} (${[...new Set(authorityEmails)].join(', ')})\n`);
    if (!authorityEmails.includes('group-setup-escalation')) throw new Error('no group set-up escalation was sent: the run history would not take the authority-deliverables patch through its escalation');
    const reminders = [...h.store.outbox.values()].filter((e) => e.template === 'guidance-reminder').length;
    process.stdout.write(`guidance reminders sent: ${reminders}\n`);
    if (reminders === 0) throw new Error('no guidance reminder was sent: the run history would not take the guidance-reminders patch with an email');

    // Release 1.3.0: the retention Schedule's workflow, purging a run (stored in PostgreSQL) that ended three years ago.
    const db = await freshSchema('record_retention');
    const uploadDir = mkdtempSync(join(tmpdir(), 'arshjul-record-'));
    try {
      const pgStore = new PgStore({ pool: db.pool });
      const oldRun = runWorkflowId(2023, 'historikk');
      const oldPlan = futurePlan(2023, 'historikk');
      await pgStore.createRun(oldRun, oldPlan, roster, initialDeliverables(resolveTimeline(oldPlan), roster), ARSHJUL_RELEASE);
      await db.pool.query("UPDATE runs SET ended_at = now() - interval '3 years' WHERE run_id = $1", [oldRun]);
      const retentionWorker = await buildWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: 'record-retention',
        workflowBundle: await bundleWorkflows(),
        deps: { store: pgStore, mailer: { sendMail: async () => ({ accepted: [], rejected: [], response: '250 ok' }) } as never, mail: { from: 'test@arshjul.invalid', publicBaseUrl: 'http://arshjul.test', uploadSecret: 'x'.repeat(32) }, temporal: env.client, retention: { pool: db.pool, uploadDir } },
      });
      const result = await retentionWorker.runUntil(env.client.workflow.execute(retentionWorkflow, { workflowId: 'record-retention', taskQueue: 'record-retention', args: [{ defaultMonths: 12 }] }));
      if (result.purged.length !== 1) throw new Error(`the retention workflow purged ${result.purged.length} runs, not the one that ended three years ago`);
      await save('retention-workflow', 'record-retention');
    } finally {
      await db.drop();
      rmSync(uploadDir, { recursive: true, force: true });
    }
  } finally {
    await env.teardown();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
