import { z } from 'zod';
import { RULE } from '../texts/validation';
import './zod-bokmal';

/**
 * The environment Årshjul reads, validated once at start. Every variable has a development default, so `npm start`
 * runs with none set; `loadConfig` names every bad variable at once.
 */
const PAIRING = 'TEMPORAL_TLS_CERT_PATH og TEMPORAL_TLS_KEY_PATH hører sammen; sett begge eller ingen av dem';

const envShape = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional().describe('host:port of an existing Temporal cluster or Temporal Cloud; unset: npm start runs a dev server'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('arshjul'),
  EMAIL_TASK_QUEUE: z.string().min(1).default('arshjul-email').describe('task queue of the rate-limited email worker'),
  EMAIL_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(600_000).default(600).describe('sendEmail activities started per minute, across all workers'),
  EMAIL_JITTER_MS: z.coerce.number().int().min(0).max(600_000).default(1000).describe('random delay of up to this many ms before each send'),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional().describe('a workflow bundle made by `npm run bundle-workflows` (the worker starts in about a second); unset: bundled from source at start'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).max(100_000).default(250).describe('workflows a worker keeps in memory between tasks; the rest are replayed when they wake'),
  TEMPORAL_API_KEY: z.string().min(1).optional().describe('API key for Temporal Cloud (implies TLS)'),
  TEMPORAL_TLS: z.stringbool().default(false).describe('use TLS to reach Temporal'),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional().describe('client certificate (mTLS)'),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional().describe('client key (mTLS)'),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional().describe('server CA, when not a public one'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional().describe('the temporal CLI; default .venv/bin/temporal, then PATH'),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  DATABASE_URL: z.string().min(1).optional().describe('PostgreSQL URL; unset: npm start runs an embedded PostgreSQL under DATA_DIR'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  DATA_DIR: z.string().min(1).default('.data').describe('where the dev server and embedded PostgreSQL keep their data'),
  SMTP_URL: z.string().min(1).optional().describe('smtp(s)://user:pass@host:port; unset: npm start runs the development mailbox'),
  DEV_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525).describe('port of the development mailbox SMTP server (npm start without SMTP_URL)'),
  USE_DEV_MAILBOX: z.stringbool().default(false).describe('npm run worker without SMTP_URL: deliver to the development mailbox of an npm start on this machine (DEV_SMTP_PORT); unset, such a worker refuses to start'),
  MAIL_FROM: z.string().min(1).default('"Årshjul – Kultur for læring" <arshjul@localhost>'),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000').describe('base of links in emails'),
  UPLOAD_LINK_SECRET: z.string().min(32, RULE.secretLength).optional().describe('signs the personal upload links; unset: a random one kept in DATA_DIR'),
  UPLOAD_DIR: z.string().min(1).optional().describe("where uploaded files are stored; default DATA_DIR/uploads"),
  UPLOAD_MAX_MB: z.coerce.number().min(1).max(1024).default(25).describe('largest file a director may upload, in MiB'),
  UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(50).default(10).describe('most files in one submission'),
  UPLOAD_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20).describe('upload attempts one personal link may make a minute (more are refused with 429)'),
  RETENTION_MONTHS: z.coerce.number().int().min(0).max(120).default(12).describe("months a run's personal data and files are kept after the run ends, unless its plan says `retention.months` (README: Personal data and retention)"),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
});

/** Every variable Årshjul reads. */
export const ENV_VARIABLES = Object.keys(envShape.shape);

export const envSchema = envShape.superRefine((e, ctx) => {
  if (Boolean(e.TEMPORAL_TLS_CERT_PATH) !== Boolean(e.TEMPORAL_TLS_KEY_PATH)) {
    ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CERT_PATH'], message: PAIRING });
  }
});

export type Env = z.input<typeof envSchema>;

export interface TemporalConfig {
  address: string | null;
  namespace: string;
  taskQueue: string;
  apiKey: string | null;
  tls: boolean;
  tlsCertPath: string | null;
  tlsKeyPath: string | null;
  tlsCaPath: string | null;
  cliPath: string | null;
  devPort: number;
  uiPort: number;
}

export interface Config {
  temporal: TemporalConfig;
  /** `url` is DATABASE_URL; without it everything uses the embedded PostgreSQL at `embeddedUrl` (started by npm start). */
  database: { url: string | null; embeddedPort: number; embeddedUrl: string };
  mail: { smtpUrl: string | null; useDevMailbox: boolean; from: string; publicBaseUrl: string; devSmtpPort: number; jitterMs: number; uploadLinkSecret: string | null };
  email: { taskQueue: string; ratePerMinute: number };
  worker: { maxCachedWorkflows: number; bundlePath: string | null };
  api: { host: string; port: number };
  uploads: { dir: string; maxFileBytes: number; maxFiles: number; attemptsPerMinute: number };
  /** Months after a run ends before its personal data is removed, when the plan does not say. */
  retention: { months: number };
  dataDir: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads the configuration from an environment (process.env at the entry points); throws naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const relevant = Object.fromEntries(Object.keys(envShape.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = envSchema.safeParse(relevant);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  // zod skips cross-field checks when a field is already wrong; check the pairing on the raw values so every
  // problem is named at once.
  const pairing = `  TEMPORAL_TLS_CERT_PATH: ${PAIRING}`;
  if (Boolean(relevant.TEMPORAL_TLS_CERT_PATH) !== Boolean(relevant.TEMPORAL_TLS_KEY_PATH) && !issues.includes(pairing)) issues.push(pairing);
  if (!parsed.success || issues.length) throw new ConfigError(`Ugyldig konfigurasjon:\n${issues.join('\n')}`);
  const e = parsed.data;
  return deepFreeze({
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? null,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      apiKey: e.TEMPORAL_API_KEY ?? null,
      tls: e.TEMPORAL_TLS || Boolean(e.TEMPORAL_API_KEY) || Boolean(e.TEMPORAL_TLS_CERT_PATH),
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH ?? null,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH ?? null,
      tlsCaPath: e.TEMPORAL_TLS_CA_PATH ?? null,
      cliPath: e.TEMPORAL_CLI_PATH ?? null,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    database: {
      url: e.DATABASE_URL ?? null,
      embeddedPort: e.EMBEDDED_PG_PORT,
      embeddedUrl: `postgres://arshjul:arshjul@127.0.0.1:${e.EMBEDDED_PG_PORT}/arshjul`,
    },
    mail: { smtpUrl: e.SMTP_URL ?? null, useDevMailbox: e.USE_DEV_MAILBOX, from: e.MAIL_FROM, publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/$/, ''), devSmtpPort: e.DEV_SMTP_PORT, jitterMs: e.EMAIL_JITTER_MS, uploadLinkSecret: e.UPLOAD_LINK_SECRET ?? null },
    email: { taskQueue: e.EMAIL_TASK_QUEUE, ratePerMinute: e.EMAIL_RATE_PER_MINUTE },
    worker: { maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS, bundlePath: e.WORKFLOW_BUNDLE_PATH ?? null },
    api: { host: e.API_HOST, port: e.API_PORT },
    uploads: { dir: e.UPLOAD_DIR ?? `${e.DATA_DIR}/uploads`, maxFileBytes: Math.round(e.UPLOAD_MAX_MB * 1024 * 1024), maxFiles: e.UPLOAD_MAX_FILES, attemptsPerMinute: e.UPLOAD_ATTEMPTS_PER_MINUTE },
    retention: { months: e.RETENTION_MONTHS },
    dataDir: e.DATA_DIR,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
