/**
 * B3 (email throughput), part of `npm run bench`: the delivery pipeline — the real sendEmail activity rendering the bokmål
 * template, claiming the PostgreSQL outbox row, sending over pooled SMTP and recording the reply — against plain
 * nodemailer sending the same message (pre-rendered) the same number of times into the same local SMTP server, in
 * the same run, in alternating rounds. Prints a table and one line of JSON. Not part of `npm test`.
 *   BENCH_MESSAGES (default 1000), BENCH_CONCURRENCY (default 10), BENCH_ROUNDS (default 4)
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import { PgStore } from '../activities/db/pg-store';
import { createEmailActivities } from '../activities/email/email-activities';
import type { SendEmailInput } from '../domain/activity-contracts';
import { loadPlan } from '../planning/load-plan';
import { previewEmail } from '../cli/email-preview';
import { freshSchema } from '../tests/helpers/postgres';
import { buildRoster } from '../tests/helpers/roster-builder';
import { EXAMPLE_PLAN } from '../tests/helpers/temporal';
import { type BenchResult, inParallel } from './lib';
import { ARSHJUL_RELEASE } from '../application/release';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

export async function benchEmail(log: (line: string) => void): Promise<BenchResult[]> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const db = await freshSchema('bench');
  // As many connections as sends in flight, so the pipeline does not queue for the database.
  const pgPool = new Pool({ connectionString: db.url, max: CONCURRENCY + 2 });
  const store = new PgStore({ pool: pgPool });
  const plan = loadPlan(EXAMPLE_PLAN);
  const roster = buildRoster([{ regionId: 'kongsvinger', groupId: 'kongsvinger' }], MESSAGES);
  const runId = 'arshjul-2017-bench';
  await store.createRun(runId, plan, roster, [], ARSHJUL_RELEASE);
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONCURRENCY });
  const activities = createEmailActivities({ store, mailer: transport, mail: { from: 'arshjul@bench.invalid', publicBaseUrl: 'http://bench.invalid', uploadSecret: randomUUID() } });
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const at = Date.parse('2018-02-02T11:00:00Z');

  const sample = previewEmail('deliverable-prompt');
  const rows: { round: number; kind: string; messages: number; seconds: number; perSecond: number }[] = [];
  const measure = async (round: number, kind: string, send: (i: number) => Promise<unknown>) => {
    const before = received;
    const t0 = process.hrtime.bigint();
    await inParallel([...Array(MESSAGES).keys()], CONCURRENCY, (i) => send(i));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (received - before !== MESSAGES) throw new Error(`${kind}: the server received ${received - before} of ${MESSAGES}`);
    rows.push({ round, kind, messages: MESSAGES, seconds, perSecond: MESSAGES / seconds });
  };

  for (let round = 1; round <= ROUNDS; round++) {
    // The same message as the pipeline's (the bokmål prompt, text and HTML), rendered before the clock starts.
    const plain = () =>
      measure(round, 'plain nodemailer', (i) =>
        transport.sendMail({ from: 'arshjul@bench.invalid', to: roster.kindergartens[i]?.director.email, subject: sample.subject, text: sample.text, html: sample.html }),
      );
    const pipeline = () =>
      measure(round, 'Årshjul pipeline', (i) => {
        const k = roster.kindergartens[i] as (typeof roster.kindergartens)[number];
        const input: SendEmailInput = {
          key: `${runId}/${k.orgnr}/analysis-so-far/prompt/round-${round}`,
          runId,
          template: 'deliverable-prompt',
          to: { kind: 'director', orgnr: k.orgnr },
          deliverable: { id: 'analysis-so-far', title: 'Analysen så langt (modul 1 og 2)', recipient: 'research-centre', opensAt: at, dueAt: at + 28 * 86_400_000, lateUntil: at + 34 * 86_400_000 },
          about: { orgnr: k.orgnr },
          scheduledFor: at,
          requestedAt: at,
          latestUsefulAt: at + 34 * 86_400_000,
        };
        return env.run(activities.sendEmail, input);
      });
    // Alternate which goes first, so warm-up favours neither.
    if (round % 2 === 1) {
      await plain();
      await pipeline();
    } else {
      await pipeline();
      await plain();
    }
  }

  const best = (kind: string) => Math.max(...rows.filter((r) => r.kind === kind).map((r) => r.perSecond));
  const ratio = best('Årshjul pipeline') / best('plain nodemailer');
  for (const r of rows) log(`B3 round ${r.round}: ${r.kind} ${r.messages} messages in ${r.seconds.toFixed(2)} s, ${r.perSecond.toFixed(0)}/s`);
  transport.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pgPool.end();
  await db.drop();
  return [
    {
      id: 'B3',
      what: 'email throughput: the delivery pipeline vs plain nodemailer (best rounds)',
      size: `${MESSAGES} messages × ${ROUNDS} rounds, ${CONCURRENCY} at once`,
      value: best('Årshjul pipeline'),
      unit: 'messages/s',
      floor: best('plain nodemailer'),
      ratio,
      target: 'ratio ≥ 0.5',
      met: ratio >= 0.5,
    },
  ];
}
