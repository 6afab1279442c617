/**
 * The command line's own words in bokmål: commander's help headings and its errors ("required option … not
 * specified"), turned into what a coordinator reads. The commands' descriptions and output are in cli/main.ts, which
 * takes its state labels and counts from the catalogue.
 */

export const HELP_TITLES: Record<string, string> = {
  'Usage:': 'Bruk:',
  'Options:': 'Valg:',
  'Commands:': 'Kommandoer:',
  'Arguments:': 'Argumenter:',
  'Global Options:': 'Felles valg:',
};

/** commander's usage words ("[options] [command]") in bokmål. */
export function usageText(usage: string): string {
  return usage.replace(/\[options\]/g, '[valg]').replace(/\[command\]/g, '[kommando]');
}

/** An option's help line with commander's "(default: …, choices: …)" in bokmål. */
export function optionExtras(description: string, extras: { choices?: readonly string[]; defaultValue?: unknown }): string {
  const info = [
    extras.choices ? `ett av: ${extras.choices.join(', ')}` : null,
    extras.defaultValue !== undefined && extras.defaultValue !== false ? `standard: ${String(extras.defaultValue)}` : null,
  ].filter(Boolean);
  return info.length ? `${description} (${info.join('; ')})` : description;
}

const COMMANDER_ERRORS: [RegExp, (...groups: string[]) => string][] = [
  [/^error: required option '(.+)' not specified$/, (flags) => `feil: valget ${flags} mangler`],
  [/^error: option '(.+)' argument missing$/, (flags) => `feil: valget ${flags} mangler en verdi`],
  [/^error: missing required argument '(.+)'$/, (name) => `feil: argumentet ‹${name}› mangler`],
  [/^error: unknown option '(.+?)'(?:\n\(Did you mean (.+)\?\))?$/s, (flag, similar) => `feil: ukjent valg ${flag}${similar ? ` (mente du ${similar.replace(/^one of /, 'ett av ')}?)` : ''}`],
  [/^error: unknown command '(.+?)'(?:\n\(Did you mean (.+)\?\))?$/s, (name, similar) => `feil: ukjent kommando «${name}»${similar ? ` (mente du ${similar.replace(/^one of /, 'én av ')}?)` : ''}`],
  [/^error: too many arguments(?: for '(.+)')?\. Expected (\d+) arguments? but got (\d+)\.$/, (_cmd, expected, got) => `feil: for mange argumenter (forventet ${expected}, fikk ${got})`],
  [/^error: option '(.+)' argument '(.+)' is invalid\. Allowed choices are (.+)\.$/, (flags, value, choices) => `feil: «${value}» er ikke en gyldig verdi for ${flags}; velg én av ${choices}`],
  [/^error: option '(.+)' argument '(.+)' is invalid\.(.*)$/s, (flags, value) => `feil: «${value}» er ikke en gyldig verdi for ${flags}`],
];

/** commander's error line in bokmål (unknown ones pass through, so nothing is hidden). */
export function commanderError(text: string): string {
  const line = text.trimEnd();
  for (const [pattern, say] of COMMANDER_ERRORS) {
    const match = pattern.exec(line);
    if (match) return `${say(...match.slice(1).map((g) => g ?? ''))}\n`;
  }
  return text;
}

export const HELP_AFTER_ERROR = '(skriv --help for hjelp)';
