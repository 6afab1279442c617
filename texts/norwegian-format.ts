import { DateTime } from 'luxon';
import { DEFAULT_LANGUAGE, type Language } from './language';

/**
 * The one place Årshjul writes times and sizes for Norwegian readers: emails, pages, the CLI and exports all call
 * `formatNorwegian` with a named style, in Oslo time unless a zone is given ("torsdag 18. januar 2018 kl. 09.00",
 * "18.01.2018 kl. 09.00", "1,4 MB").
 */
export const OSLO = 'Europe/Oslo';

export const NORWEGIAN_FORMATS = {
  /** torsdag 18. januar 2018 kl. 09.00 */
  dateTime: "cccc d. LLLL yyyy 'kl.' HH.mm",
  /** torsdag 18. januar 2018 */
  date: 'cccc d. LLLL yyyy',
  /** torsdag 18. januar */
  dayMonth: 'cccc d. LLLL',
  /** to. 18.01.2018 kl. 09.00 (tables, the command line) */
  compact: "ccc dd.MM.yyyy 'kl.' HH.mm",
  /** 18.01.2018 09.00.05 (the development mailbox, where seconds tell messages apart) */
  seconds: 'dd.MM.yyyy HH.mm.ss',
  /** 18. jan. */
  shortDay: 'd. LLL',
  /** jan. 18 (the timeline chart's month ticks) */
  month: 'LLL yy',
  /** 2018-01-18T09:00 (what a coordinator types into a form or a command, in the plan's zone) */
  localInput: "yyyy-MM-dd'T'HH:mm",
} as const;

export type NorwegianFormat = keyof typeof NORWEGIAN_FORMATS;

/**
 * An instant as luxon DateTime in the zone with the Norwegian locale of the written standard (nynorsk writes
 * "måndag", "tysdag", "laurdag"); throws on an invalid instant.
 */
export function norwegianDateTime(instant: number | string, zone: string = OSLO, language: Language = DEFAULT_LANGUAGE): DateTime {
  const locale = language;
  const dt = typeof instant === 'number' ? DateTime.fromMillis(instant, { zone, locale }) : DateTime.fromISO(instant, { zone, locale });
  if (!dt.isValid) throw new Error(`invalid instant "${String(instant)}" in zone "${zone}": ${dt.invalidExplanation ?? dt.invalidReason ?? 'unknown reason'}`);
  return dt;
}

/** An instant (epoch ms or ISO-8601) written the Norwegian way in the given zone (default Europe/Oslo) and standard (default bokmål). */
export function formatNorwegian(instant: number | string, style: NorwegianFormat = 'dateTime', zone: string = OSLO, language: Language = DEFAULT_LANGUAGE): string {
  return norwegianDateTime(instant, zone, language).toFormat(NORWEGIAN_FORMATS[style]);
}

/** A file size the Norwegian way: "1,4 MB", "512 kB", "900 byte". */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte`;
  const [value, unit] = bytes < 1_000_000 ? [bytes / 1000, 'kB'] : [bytes / 1_000_000, 'MB'];
  return `${value.toLocaleString('nb-NO', { maximumFractionDigits: 1 })} ${unit}`;
}
