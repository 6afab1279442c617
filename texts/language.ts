/**
 * The two written standards of Norwegian. A municipality chooses one (the roster's `language` column); a state body
 * writes to it, its kindergartens and their participants in that standard. Absent means bokmål.
 */
export const LANGUAGES = ['nb', 'nn'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nb';

/** True when `value` names a written standard (`nb` or `nn`). */
export function isLanguage(value: unknown): value is Language {
  return value === 'nb' || value === 'nn';
}

/** The standard a stored or given value names, bokmål when it names none. */
export function languageOf(value: unknown): Language {
  return isLanguage(value) ? value : DEFAULT_LANGUAGE;
}
