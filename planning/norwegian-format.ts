import { DateTime } from 'luxon';

/**
 * How Årshjul writes times and sizes for Norwegian readers, shared by the emails and the web pages:
 * "torsdag 18. januar 2018 kl. 09.00" in Oslo time, "1,4 MB".
 */
export const NORWEGIAN_DATE_TIME = "cccc d. LLLL yyyy 'kl.' HH.mm";

/** An instant (epoch ms or ISO-8601) as a Norwegian date and time in the given zone (default Europe/Oslo). */
export function formatNorwegianDateTime(instant: number | string, zone = 'Europe/Oslo'): string {
  const dt = typeof instant === 'number' ? DateTime.fromMillis(instant, { zone, locale: 'nb' }) : DateTime.fromISO(instant, { zone, locale: 'nb' });
  if (!dt.isValid) throw new Error(`invalid instant "${String(instant)}": ${dt.invalidExplanation ?? dt.invalidReason ?? 'unknown reason'}`);
  return dt.toFormat(NORWEGIAN_DATE_TIME);
}

/** A file size the Norwegian way: "1,4 MB", "512 kB", "900 byte". */
export function formatFileSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} byte`;
  const [value, unit] = bytes < 1_000_000 ? [bytes / 1000, 'kB'] : [bytes / 1_000_000, 'MB'];
  return `${value.toLocaleString('nb-NO', { maximumFractionDigits: 1 })} ${unit}`;
}
