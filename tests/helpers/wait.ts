import type { FaultySmtp } from './faulty-smtp';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(ms, 0)));

/** Polls `probe` every 200 ms until it gives a value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: () => string = () => 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what()}: not within ${timeoutMs} ms`);
    await pause(200);
  }
}

/** True when the mail server has received nothing for `ms`. */
export function quietFor(smtp: Pick<FaultySmtp, 'messages'>, ms: number): boolean {
  const last = smtp.messages.at(-1);
  return !last || Date.now() - last.receivedAt >= ms;
}
