import type { z } from 'zod';
import { type IssuePlace, issueText } from '../texts/validation';
import './zod-bokmal';

/**
 * One problem in an input: where it is and what was expected. A plan's problem gives the YAML line and names the
 * milestone or deliverable (`subject`); a roster's gives the sheet, row and column.
 */
export interface InputIssue extends IssuePlace {
  message: string;
  /**
   * The rule that words `message` and the values it was given, where a reader of the other written standard may see
   * the problem (a group set-up's checks): the page words the same rule again in the reader's standard.
   */
  rule?: { key: string; args: unknown[] };
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

/** A problem in one line of bokmål (texts/validation.ts). */
export const formatIssue = (issue: InputIssue): string => issueText(issue);

type ZodIssue = z.core.$ZodIssue;

/**
 * A union's problems are those of the alternative the input came closest to: the alternatives whose type did not
 * even match are dropped, and of the rest the one with the fewest problems wins ("at.groups.kongsvinger: forventet en
 * lokal dato og tid", not "forventet en av de tillatte formene"). When two come equally close (an empty object could
 * be either form), the union's own message says what the forms are.
 */
function closestAlternative(issue: ZodIssue): ZodIssue[] | null {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors)) return null;
  const fitting = (issue.errors as ZodIssue[][]).filter((branch) => branch.length > 0 && !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  if (fitting.length === 0) return null;
  const fewest = Math.min(...fitting.map((branch) => branch.length));
  const closest = fitting.filter((branch) => branch.length === fewest);
  if (closest.length > 1) return null;
  const best = closest[0] as ZodIssue[];
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as ZodIssue);
}

/** Turns zod issues into InputIssues with a dotted path (`milestones.3.at`), unions opened to their closest alternative. */
export function fromZodIssues(issues: ZodIssue[], base: Omit<InputIssue, 'message'> = {}): InputIssue[] {
  return issues.flatMap((issue) => {
    const inner = closestAlternative(issue);
    if (inner) return fromZodIssues(inner, base);
    const path = issue.path.map(String).join('.');
    return [{ ...base, path: [base.path, path].filter(Boolean).join('.'), message: issue.message }];
  });
}
