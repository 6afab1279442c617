import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes what a fault or bad-input test tried and what it saw to test-results/reliability/<name>.json, so a CI run
 * leaves the figures of the README's reliability table (and prints them, for the log).
 */
export function writeReliability(name: string, figures: Record<string, unknown>): void {
  const dir = join(__dirname, '..', '..', 'test-results', 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`reliability ${name}: ${JSON.stringify(figures)}\n`);
}
