import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { Pool } from 'pg';
import { loadConfig } from '../config/env';
import { InputError } from '../config/errors';
import { migrate } from '../activities/db/migrate';
import { RetentionRepository } from '../activities/db/retention-repository';
import { FileStore } from '../activities/files/file-store';
import { asDomainErrors } from '../application/errors';
import { erasableAddress, erasePerson, exportPerson, exportRunArchive, personData, runRetention, runRetentionNow } from '../application/retention';
import { CONFIRM_TEXT } from '../texts/cli';
import { count } from '../texts/catalogue';
import { formatFileSize } from '../texts/norwegian-format';
import { RETENTION_REFUSAL, eraseLines, personLines, purgeLines, retentionLines } from '../texts/retention';
import { withControl } from './with-control';
import { confirmed } from './confirm';

const say = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
/** Who the audit log says acted: the CLI and the user it ran as (as cli/main.ts writes it). */
const actor = (name: string) => `cli:${name}`;
const asOption = () => new Option('--as <navn>', 'hvem som handler (for revisjonsloggen)').default(process.env.USER ?? 'koordinator');

/** PostgreSQL only (migrated), for the commands that need neither Temporal nor a worker. */
async function withRepository<T>(work: (repo: RetentionRepository, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const url = config.database.url ?? config.database.embeddedUrl;
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    await migrate(url);
    return await asDomainErrors(() => work(new RetentionRepository(pool), config));
  } finally {
    await pool.end();
  }
}

/** Writes to a file through `write`; a file left half-written by a failure is removed. */
async function toFile<T>(path: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const out = createWriteStream(path);
  try {
    return await write(out);
  } catch (error) {
    // The file is removed only once the stream has let go of it (an open still pending would create it again).
    out.destroy();
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await rm(path, { force: true });
    throw error;
  }
}

/**
 * The CLI's retention commands (issue 16, part 3; application/retention.ts), registered by cli/main.ts buildProgram:
 * a run's retention and archive (`run retention`, `run archive`), the retention workflow now (`retention run`), and
 * one person's data (`person show|export|erase`).
 */
export function registerRetentionCommands(program: Command, run: Command): void {
  run
    .command('retention')
    .description('når programårets personopplysninger og filer slettes, og om arkivet er eksportert')
    .requiredOption('--run <id>', 'programåret')
    .option('--json', 'skriv som JSON')
    .action(async (opts: { run: string; json?: boolean }) => {
      await withRepository(async (repo, config) => {
        const r = await runRetention({ repo, defaultMonths: config.retention.months }, opts.run);
        if (opts.json) say(JSON.stringify(r, null, 2));
        else retentionLines(r).forEach(say);
      });
    });

  run
    .command('archive')
    .description('eksporter programårets arkiv som én zip: hver godkjent innlevering med filer, kvittering og veiledning, gruppeoppsettene og en indeks (index.csv, README.txt)')
    .requiredOption('--run <id>', 'programåret')
    .requiredOption('--to <fil.zip>', 'zip-filen som skrives (finnes den, skrives den over)')
    .addOption(asOption())
    .action(async (opts: { run: string; to: string; as: string }) => {
      if (extname(opts.to).toLowerCase() !== '.zip') throw new InputError(RETENTION_REFUSAL.archiveTarget(opts.to), [{ path: '--to', message: RETENTION_REFUSAL.archiveTarget(opts.to) }]);
      await withRepository(async (repo, config) => {
        const deps = { repo, defaultMonths: config.retention.months, files: new FileStore(resolve(config.uploads.dir)) };
        const started = Date.now();
        const r = await toFile(opts.to, (out) => exportRunArchive(deps, opts.run, out, { actor: actor(opts.as), now: started }));
        say(`Arkivet for ${opts.run} er skrevet til ${opts.to}: ${count(r.submissions, 'innlevering', 'innleveringer')}, ${count(r.files, 'fil', 'filer')}, ${count(r.guidance, 'veiledning', 'veiledninger')}, ${count(r.groupSetups, 'gruppeoppsett', 'gruppeoppsett')}; ${formatFileSize(r.bytes)} på ${((Date.now() - started) / 1000).toLocaleString('nb-NO', { maximumFractionDigits: 1 })} s.`);
      });
    });

  program
    .command('retention')
    .description('oppbevaringstiden: kjør slettingen nå')
    .command('run')
    .description('kjør slettearbeidsflyten nå, som den daglige Schedule gjør (en arbeider må kjøre): personopplysningene i programår som har passert oppbevaringstiden, slettes')
    .option('--as-of <tid>', 'vurder oppbevaringstiden ved dette tidspunktet (ISO 8601, for eksempel 2028-09-01T00:00:00Z) i stedet for nå')
    .action(async (opts: { asOf?: string }) => {
      if (opts.asOf !== undefined && Number.isNaN(Date.parse(opts.asOf))) {
        throw new InputError('Ugyldig --as-of', [{ path: '--as-of', message: `forventet et tidspunkt som 2028-09-01T00:00:00Z, fikk «${opts.asOf}»` }]);
      }
      const config = loadConfig(process.env);
      const result = await withControl((deps) => runRetentionNow(deps.client, { taskQueue: deps.taskQueue, defaultMonths: config.retention.months, now: Date.now(), ...(opts.asOf ? { asOf: new Date(opts.asOf).toISOString() } : {}) }));
      purgeLines(result.purged).forEach(say);
    });

  const person = program.command('person').description('opplysningene Årshjul har om én e-postadresse, på tvers av programår');
  person
    .command('show')
    .description('vis hva som er lagret om adressen: programår, roller, innleveringer, e-post sendt til den og revisjonslogg')
    .requiredOption('--email <adresse>', 'e-postadressen')
    .option('--json', 'skriv som JSON')
    .action(async (opts: { email: string; json?: boolean }) => {
      await withRepository(async (repo) => {
        const record = await personData({ repo }, opts.email);
        if (opts.json) say(JSON.stringify(record, null, 2));
        else personLines(record).forEach(say);
      });
    });
  person
    .command('export')
    .description('eksporter alt som er lagret om adressen, som JSON (.json) eller zip med JSON og hver e-post som tekst (.zip)')
    .requiredOption('--email <adresse>', 'e-postadressen')
    .requiredOption('--to <fil>', 'filen som skrives: .json eller .zip')
    .addOption(asOption())
    .action(async (opts: { email: string; to: string; as: string }) => {
      const ext = extname(opts.to).toLowerCase();
      if (ext !== '.json' && ext !== '.zip') throw new InputError(RETENTION_REFUSAL.personFormat(opts.to), [{ path: '--to', message: RETENTION_REFUSAL.personFormat(opts.to) }]);
      await withRepository(async (repo) => {
        const record = await toFile(opts.to, (out) => exportPerson({ repo }, opts.email, ext === '.json' ? 'json' : 'zip', out, { actor: actor(opts.as), now: Date.now() }));
        say(`Opplysningene om ${record.email} er skrevet til ${opts.to}: ${count(record.roles.length, 'rolle', 'roller')}, ${count(record.emails.length, 'e-post', 'e-poster')}, ${count(record.audit.length, 'oppføring', 'oppføringer')} i revisjonsloggen.`);
      });
    });
  person
    .command('erase')
    .description('slett opplysningene om adressen der loven tillater det (ikke mens et programår som trenger den, er i gang)')
    .requiredOption('--email <adresse>', 'e-postadressen')
    .addOption(new Option('--dry-run', 'vis bare hva som er lagret, og slett ingenting'))
    .addOption(new Option('--ja, --yes', 'slett uten å spørre (i et skript, uten terminal, må --ja være med)'))
    .addOption(asOption())
    .action(async (opts: { email: string; dryRun?: boolean; yes?: boolean; as: string }) => {
      await withRepository(async (repo) => {
        await erasableAddress({ repo }, opts.email);
        const record = await personData({ repo }, opts.email);
        personLines(record).forEach(say);
        if (opts.dryRun) {
          err(CONFIRM_TEXT.dryRun);
          return;
        }
        if (!(await confirmed(opts.yes))) return;
        const result = await erasePerson({ repo }, opts.email, { actor: actor(opts.as), now: Date.now() });
        eraseLines(record.email, result).forEach(say);
      });
    });
}
