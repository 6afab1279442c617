import type { Command } from 'commander';

/** The CLI's recovery commands (issue 16); registered by cli/main.ts buildProgram. */
export function registerRecoveryCommands(program: Command, run: Command): void {
  void program;
  void run;
}
