import { createInterface } from 'node:readline/promises';
import { InputError } from '../config/errors';
import { CONFIRM_QUESTION, CONFIRM_TEXT, isYes } from '../texts/cli';

/**
 * Whether to act: yes with `--ja`; at a terminal, the coordinator's answer to «Vil du gjennomføre dette? (ja/nei)»;
 * without a terminal and without `--ja`, refused (exit code 2), nothing changed.
 */
export async function confirmed(yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new InputError(CONFIRM_TEXT.noTerminalSummary, [{ path: '--ja', message: CONFIRM_TEXT.noTerminal }]);
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    if (isYes(await terminal.question(CONFIRM_QUESTION))) return true;
  } finally {
    terminal.close();
  }
  process.stderr.write(`${CONFIRM_TEXT.declined}\n`);
  return false;
}
