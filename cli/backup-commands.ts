import type { Command } from 'commander';
import { loadConfig } from '../config/env';
import { asDomainErrors } from '../application/errors';
import { type BackupStep, type RestoreStep, backupPlaces, restoreBackup, writeBackup } from '../application/backup';
import { BACKUP_TEXT, RESTORE_TEXT } from '../texts/backup';
import { formatNorwegian } from '../texts/norwegian-format';

const say = (line: string) => process.stdout.write(`${line}\n`);
const oslo = (ms: number) => formatNorwegian(ms, 'compact');

function tellBackup(step: BackupStep): void {
  if (step.kind === 'temporal') say(BACKUP_TEXT.temporal(step.file, step.size, step.ms));
  else if (step.kind === 'temporal-cluster') say(BACKUP_TEXT.temporalCluster(step.address));
  else if (step.kind === 'postgres') say(BACKUP_TEXT.postgres(step.tables, step.rows, step.size, step.ms, step.level));
  else if (step.kind === 'uploads') say(BACKUP_TEXT.uploads(step.count, step.size, step.ms));
  else say(BACKUP_TEXT.dataFiles(step.names));
}

function tellRestore(step: RestoreStep): void {
  if (step.kind === 'verified') say(RESTORE_TEXT.verified(step.files, step.bytes, step.ms));
  else if (step.kind === 'postgres') say(RESTORE_TEXT.postgres(step.tables, step.rows, step.ms, step.level));
  else if (step.kind === 'temporal') say(RESTORE_TEXT.temporal(step.path, step.ms));
  else if (step.kind === 'temporal-cluster') say(`  ${RESTORE_TEXT.temporalCluster}`);
  else if (step.kind === 'uploads') say(RESTORE_TEXT.uploads(step.count, step.bytes, step.dir, step.ms));
  else say(RESTORE_TEXT.dataFiles(step.names, step.dir));
}

/**
 * `arshjul backup --to DIR` and `arshjul restore --from DIR [--replace]` (issue 16, part 1; application/backup.ts):
 * registered by cli/main.ts buildProgram. Neither needs Temporal to be reachable: the backup reads the dev server's
 * SQLite file, the restore writes it while everything but PostgreSQL is stopped.
 */
export function registerBackupCommands(program: Command, run: Command): void {
  void run;
  program
    .command('backup')
    .description('ta en sikkerhetskopi av alt et programår trenger (PostgreSQL, opplastede filer, Temporal-utviklingstjenerens database) mens Årshjul kjører')
    .requiredOption('--to <mappe>', 'en ny eller tom mappe, helst på en annen disk eller maskin')
    .action(async (opts: { to: string }) => {
      const places = backupPlaces(loadConfig(process.env));
      const started = Date.now();
      say(BACKUP_TEXT.started(opts.to));
      const manifest = await asDomainErrors(() => writeBackup(places, opts.to, { onStep: tellBackup }));
      say(BACKUP_TEXT.manifest(manifest.files.length));
      say(BACKUP_TEXT.done(manifest.files.reduce((n, f) => n + f.size, 0), Date.now() - started));
    });
  program
    .command('restore')
    .description('gjenopprett en sikkerhetskopi på en ny maskin (Årshjul stoppet; PostgreSQL må kjøre)')
    .requiredOption('--from <mappe>', 'mappen arshjul backup skrev')
    .option('--replace', 'erstatt det som allerede er i databasen, Temporal-databasen og UPLOAD_DIR')
    .action(async (opts: { from: string; replace?: boolean }) => {
      const places = backupPlaces(loadConfig(process.env));
      const started = Date.now();
      const report = await asDomainErrors(() =>
        restoreBackup(places, opts.from, {
          replace: Boolean(opts.replace),
          onStep: (step) => {
            if (step.kind === 'verified') say(RESTORE_TEXT.started(opts.from, oslo(step.createdAt), step.release));
            tellRestore(step);
          },
        }),
      );
      if (report.redelivered.length) say(RESTORE_TEXT.redelivered(report.redelivered.length));
      if (report.actionsInGap.length) {
        say(RESTORE_TEXT.actionsInGap);
        for (const a of report.actionsInGap) say(RESTORE_TEXT.action(oslo(a.at), a.action, a.actor, a.runId));
      }
      say(RESTORE_TEXT.done(Date.now() - started));
    });
}
