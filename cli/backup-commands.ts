import type { Command } from 'commander';

/** The CLI's backup commands (issue 16); registered by cli/main.ts buildProgram. */
export function registerBackupCommands(program: Command, run: Command): void {
  void program;
  void run;
}
