import { DateTime } from 'luxon';
import { type Document, isScalar, parseDocument, visit } from 'yaml';

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;

/** The same ISO week and weekday `years` school years later (week 53 becomes week 52 where a year has none). */
export function sameWeekAndWeekday(date: DateTime, years: number): DateTime {
  const weekYear = date.weekYear + years;
  const probe = DateTime.fromObject({ weekYear, weekNumber: 1, weekday: 1 }, { zone: date.zone });
  const weekNumber = Math.min(date.weekNumber, probe.weeksInWeekYear);
  return DateTime.fromObject({ weekYear, weekNumber, weekday: date.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7, hour: date.hour, minute: date.minute }, { zone: date.zone });
}

/**
 * Rolls a plan file forward to a new school year: every local date moves to the same ISO week and weekday, the
 * school year is updated, and comments and key order are kept (YAML in, YAML out; JSON in, JSON out). The yaml
 * library re-spaces flow collections (`[a, b]` becomes `[ a, b ]`).
 */
export function rollPlanForward(text: string, toYear: number, format: 'yaml' | 'json' = 'yaml'): { text: string; moved: number; fromYear: number } {
  const doc: Document = parseDocument(text);
  const fromYear = Number(doc.get('schoolYear'));
  if (!Number.isInteger(fromYear)) throw new Error('the plan has no schoolYear to roll forward from');
  const years = toYear - fromYear;
  const zone = String(doc.get('timezone') ?? 'Europe/Oslo');
  let moved = 0;
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string') return;
      const match = LOCAL.exec(node.value);
      if (!match) return;
      const date = DateTime.fromISO(node.value, { zone });
      if (!date.isValid) return;
      node.value = sameWeekAndWeekday(date, years).toFormat("yyyy-MM-dd'T'HH:mm");
      moved += 1;
    },
  });
  doc.set('schoolYear', toYear);
  const out = format === 'json' ? `${JSON.stringify(doc.toJS(), null, 2)}\n` : doc.toString({ lineWidth: 0 });
  return { text: out, moved, fromYear };
}
