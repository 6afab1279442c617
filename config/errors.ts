import type { z } from 'zod';

/** One problem in an input: where it is (file, row, column or path) and what was expected. */
export interface InputIssue {
  file?: string;
  row?: number;
  column?: string;
  path?: string;
  message: string;
}

/** Thrown when a plan, roster or request is refused; carries every problem found, not only the first. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly summary: string,
    readonly issues: InputIssue[],
  ) {
    super(`${summary}\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
}

export function formatIssue(issue: InputIssue): string {
  const where = [
    issue.file,
    issue.row !== undefined ? `row ${issue.row}` : undefined,
    issue.column !== undefined ? `column "${issue.column}"` : undefined,
    issue.path !== undefined && issue.path !== '' ? issue.path : undefined,
  ].filter((part): part is string => part !== undefined);
  return where.length ? `${where.join(', ')}: ${issue.message}` : issue.message;
}

/** Turns zod issues into InputIssues with a dotted path (`milestones.3.at`). */
export function fromZodIssues(issues: z.core.$ZodIssue[], base: Omit<InputIssue, 'message'> = {}): InputIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { ...base, path: [base.path, path].filter(Boolean).join('.'), message: issue.message };
  });
}
