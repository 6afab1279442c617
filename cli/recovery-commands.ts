import type { Command } from 'commander';
import { RecoveryRepository } from '../activities/db/recovery-repository';
import { recoverRun } from '../application/recovery';
import { recoveredLines } from '../texts/recovery';
import { withControl } from './with-control';

/**
 * The CLI's recovery commands (issue 16, point 2); registered by cli/main.ts buildProgram. `arshjul run recover --run
 * ID` starts a year's workflows afresh, from PostgreSQL, on a Temporal that has lost them.
 */
export function registerRecoveryCommands(program: Command, run: Command): void {
  void program;
  run
    .command('recover')
    .description('start programårets arbeidsflyter på nytt fra PostgreSQL, på et Temporal som har mistet dem (tomt lager)')
    .requiredOption('--run <id>', 'programåret, for eksempel arshjul-2026-hedmark')
    .option('--json', 'skriv det som ble gjenopprettet som JSON')
    .action(async (opts: { run: string; json?: boolean }) => {
      const recovered = await withControl((deps, _store, pool) =>
        recoverRun(
          {
            client: deps.client,
            taskQueue: deps.taskQueue,
            ...(deps.emailTaskQueue ? { emailTaskQueue: deps.emailTaskQueue } : {}),
            load: (runId) => new RecoveryRepository(pool).load(runId),
          },
          opts.run,
        ),
      );
      process.stdout.write(opts.json ? `${JSON.stringify(recovered, null, 2)}\n` : `${recoveredLines(recovered).join('\n')}\n`);
    });
}
