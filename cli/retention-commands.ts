import type { Command } from 'commander';

/** The CLI's retention commands (issue 16); registered by cli/main.ts buildProgram. */
export function registerRetentionCommands(program: Command, run: Command): void {
  void program;
  void run;
}
