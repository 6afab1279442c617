import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { SendPolicy } from '../config/plan-schema';

const norway = new Holidays('NO');
const publicHolidaysByYear = new Map<number, Set<string>>();

/** Norwegian public holidays (not observances or bank days) of a year as `YYYY-MM-DD`, from date-holidays. */
export function norwegianPublicHolidays(year: number): Set<string> {
  let days = publicHolidaysByYear.get(year);
  if (!days) {
    days = new Set(norway.getHolidays(year).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    publicHolidaysByYear.set(year, days);
  }
  return days;
}

export function isWorkingDay(day: DateTime, policy: SendPolicy): boolean {
  if (policy.skipWeekends && day.weekday >= 6) return false;
  if (policy.skipHolidays && norwegianPublicHolidays(day.year).has(day.toISODate() ?? '')) return false;
  return true;
}

function atTime(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

function minutesOf(hhmm: string): number {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  return hour * 60 + minute;
}

/**
 * Moves a send into working time: inside quiet hours ([start, end) local time) on a working day. A send before the
 * quiet-hours start waits for it; one at or after the end, or on a weekend or public holiday, moves to the next working
 * day at the start. If that lands after `notAfter` (a reminder pushed past its deadline), the send moves back to the
 * latest working time before the original instant instead; if there is none in the week before, it stays as planned.
 */
export function toWorkingTime(local: DateTime, policy: SendPolicy, notAfter?: DateTime): DateTime {
  const start = minutesOf(policy.quietHours.start);
  const end = minutesOf(policy.quietHours.end);
  const minutes = local.hour * 60 + local.minute;
  let candidate = local;
  if (minutes < start) candidate = atTime(local, policy.quietHours.start);
  if (minutes >= end) candidate = atTime(local.plus({ days: 1 }), policy.quietHours.start);
  for (let i = 0; i < 30 && !isWorkingDay(candidate, policy); i++) {
    candidate = atTime(candidate.plus({ days: 1 }), policy.quietHours.start);
  }
  if (notAfter === undefined || candidate <= notAfter) return candidate;

  let back = minutes >= end ? atTime(local, policy.quietHours.end).minus({ minutes: 1 }) : local;
  if (minutes < start) back = atTime(local.minus({ days: 1 }), policy.quietHours.end).minus({ minutes: 1 });
  for (let i = 0; i < 7; i++) {
    if (isWorkingDay(back, policy)) return back;
    back = atTime(back.minus({ days: 1 }), policy.quietHours.end).minus({ minutes: 1 });
  }
  return local;
}

/** Parses a plan's local `YYYY-MM-DDTHH:mm` in the plan's zone. */
export function parseLocal(value: string, zone: string): DateTime {
  return DateTime.fromISO(value, { zone });
}

export { atTime as withLocalTime };
