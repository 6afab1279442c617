import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ENV_VARIABLES, loadConfig, type Config } from '../../config/env';
import { smtpUrlOf } from '../../worker/main';

function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig with an empty environment', () => {
  const config: Config = loadConfig({});

  it('uses the task queue "arshjul" in namespace "default" and runs a local dev server without TLS', () => {
    expect(config.temporal).toEqual({
      address: null,
      namespace: 'default',
      taskQueue: 'arshjul',
      apiKey: null,
      tls: false,
      tlsCertPath: null,
      tlsKeyPath: null,
      tlsCaPath: null,
      cliPath: null,
      devPort: 7233,
      uiPort: 8233,
    });
  });

  it('listens on 127.0.0.1:3000 and links to http://localhost:3000', () => {
    expect(config.api).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.mail).toEqual({
      smtpUrl: null,
      useDevMailbox: false,
      from: '"Årshjul – Kultur for læring" <arshjul@localhost>',
      publicBaseUrl: 'http://localhost:3000',
      devSmtpPort: 2525,
      jitterMs: 1000,
      uploadLinkSecret: null,
    });
  });

  it('gives a worker without SMTP_URL no mail server, unless USE_DEV_MAILBOX=true points it at the development mailbox', () => {
    expect(() => smtpUrlOf(config.mail)).toThrow(/SMTP_URL er ikke satt/);
    expect(smtpUrlOf(loadConfig({ USE_DEV_MAILBOX: 'true', DEV_SMTP_PORT: '2626' }).mail)).toBe('smtp://127.0.0.1:2626');
    expect(smtpUrlOf(loadConfig({ SMTP_URL: 'smtp://mail.example:587', USE_DEV_MAILBOX: 'true' }).mail)).toBe('smtp://mail.example:587');
  });

  it('npm run worker without SMTP_URL refuses to start: exit code 2 and one line in bokmål, before connecting to anything', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SMTP_URL' && k !== 'USE_DEV_MAILBOX'));
    // An address nothing listens on: reaching it would mean the worker connected before refusing.
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'worker', 'run.ts')], { env: { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://127.0.0.1:1/none' }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^\[arshjul\] arbeideren startet ikke: SMTP_URL er ikke satt, .*USE_DEV_MAILBOX=true/)]);
  });

  it('sends email through the arshjul-email queue at most 600 a minute', () => {
    expect(config.email).toEqual({ taskQueue: 'arshjul-email', ratePerMinute: 600 });
  });

  it('uses the embedded PostgreSQL on port 5433 when DATABASE_URL is unset', () => {
    expect(config.database).toEqual({
      url: null,
      embeddedPort: 5433,
      embeddedUrl: 'postgres://arshjul:arshjul@127.0.0.1:5433/arshjul',
    });
    expect(config.dataDir).toBe('.data');
  });

  it('returns a deeply frozen config', () => {
    expect(Object.isFrozen(config)).toBe(true);
    for (const part of [config.temporal, config.database, config.mail, config.api]) expect(Object.isFrozen(part)).toBe(true);
    expect(() => {
      (config.api as { port: number }).port = 8080;
    }).toThrow(TypeError);
    expect(config.api.port).toBe(3000);
  });
});

describe('loadConfig reads the environment', () => {
  it('reads TEMPORAL_TLS="false" as false, not as a truthy string', () => {
    expect(loadConfig({ TEMPORAL_TLS: 'false' }).temporal.tls).toBe(false);
  });

  it('reads TEMPORAL_TLS="true" as true', () => {
    expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toBe(true);
  });

  it('turns TLS on when TEMPORAL_API_KEY is set, even with TEMPORAL_TLS="false"', () => {
    const config = loadConfig({ TEMPORAL_API_KEY: 'secret-key', TEMPORAL_TLS: 'false' });
    expect(config.temporal.tls).toBe(true);
    expect(config.temporal.apiKey).toBe('secret-key');
  });

  it('turns TLS on when a client certificate and key are given', () => {
    const config = loadConfig({ TEMPORAL_TLS_CERT_PATH: '/etc/arshjul/client.pem', TEMPORAL_TLS_KEY_PATH: '/etc/arshjul/client.key' });
    expect(config.temporal).toMatchObject({ tls: true, tlsCertPath: '/etc/arshjul/client.pem', tlsKeyPath: '/etc/arshjul/client.key' });
  });

  it('treats an empty variable as unset and falls back to the default', () => {
    const config = loadConfig({ API_PORT: '', TEMPORAL_TLS: '', TEMPORAL_TASK_QUEUE: '' });
    expect(config.api.port).toBe(3000);
    expect(config.temporal.tls).toBe(false);
    expect(config.temporal.taskQueue).toBe('arshjul');
  });

  it('coerces numeric ports and moves the embedded database URL with EMBEDDED_PG_PORT', () => {
    const config = loadConfig({ API_PORT: '8080', EMBEDDED_PG_PORT: '55432' });
    expect(config.api.port).toBe(8080);
    expect(config.database.embeddedUrl).toBe('postgres://arshjul:arshjul@127.0.0.1:55432/arshjul');
  });

  it('drops a trailing slash from PUBLIC_BASE_URL so links can append paths', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://arshjul.example.no/' }).mail.publicBaseUrl).toBe('https://arshjul.example.no');
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/usr/bin' })).toEqual(loadConfig({}));
  });
});

describe('loadConfig refuses a bad environment', () => {
  it('names every bad variable in one ConfigError: API_PORT, PUBLIC_BASE_URL and TEMPORAL_TLS', () => {
    const error = configErrorOf({ API_PORT: 'abc', PUBLIC_BASE_URL: 'not a url', TEMPORAL_TLS: 'maybe' });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^Ugyldig konfigurasjon:/);
    expect(error.message).toMatch(/^ {2}API_PORT: /m);
    expect(error.message).toMatch(/^ {2}PUBLIC_BASE_URL: /m);
    expect(error.message).toMatch(/^ {2}TEMPORAL_TLS: /m);
    expect(error.message.split('\n')).toHaveLength(4);
  });

  it('refuses a port above 65535', () => {
    expect(configErrorOf({ API_PORT: '70000' }).message).toMatch(/API_PORT: .*65535/);
  });

  it('refuses a client certificate without its key', () => {
    const error = configErrorOf({ TEMPORAL_TLS_CERT_PATH: '/etc/arshjul/client.pem' });
    expect(error.message).toContain('TEMPORAL_TLS_CERT_PATH og TEMPORAL_TLS_KEY_PATH hører sammen; sett begge eller ingen av dem');
  });

  it('refuses a client key without its certificate', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_KEY_PATH: '/etc/arshjul/client.key' })).toThrow(ConfigError);
  });

  it('refuses an upload link secret shorter than 32 characters', () => {
    expect(configErrorOf({ UPLOAD_LINK_SECRET: 'short' }).message).toMatch(/UPLOAD_LINK_SECRET: forventet minst 32 tegn/);
  });

  it('names a wrong port and an unpaired certificate in the same error', () => {
    const error = configErrorOf({ API_PORT: 'abc', TEMPORAL_TLS_CERT_PATH: '/c.pem' });
    expect(error.message).toMatch(/^ {2}API_PORT: /m);
    expect(error.message).toMatch(/^ {2}TEMPORAL_TLS_CERT_PATH: .*sett begge eller ingen av dem/m);
  });
});

describe('.env.example', () => {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');

  it('documents every variable the configuration reads', () => {
    const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(ENV_VARIABLES.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('holds values the configuration accepts', () => {
    const env = Object.fromEntries(
      [...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, (m[2] as string).replace(/\s+#.*$/, '').trim()]),
    );
    expect(() => loadConfig(env)).not.toThrow();
    expect(loadConfig(env).temporal.taskQueue).toBe('arshjul');
  });
});
