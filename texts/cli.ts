/**
 * The command line's own words in bokmål: commander's help headings and its errors ("required option … not
 * specified"), turned into what a coordinator reads. The commands' descriptions and output are in cli/main.ts, which
 * takes its state labels and counts from the catalogue.
 */
import type { MovePreview } from '../domain/move-preview';
import { AUDIENCE, EMAIL_CHANGE, count, quoted, templateName } from './catalogue';
import { formatNorwegian } from './norwegian-format';

const when = (ms: number) => formatNorwegian(ms);

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

/**
 * The confirmation every action of the coordinator's asks for on the command line (issue 13): the preview first, then
 * this question at a terminal; only «ja» or «j» carries the action out.
 */
export const CONFIRM_QUESTION = 'Vil du gjennomføre dette? (ja/nei) ';

/** Whether an answer to CONFIRM_QUESTION is a yes («ja» or «j», in any case). */
export const isYes = (answer: string): boolean => /^(ja|j)$/i.test(answer.trim());

export const CONFIRM_TEXT = {
  dryRun: 'Dette var en forhåndsvisning (--dry-run): ingenting er endret.',
  declined: 'Ingenting er endret (du svarte ikke «ja»).',
  /** The refusal when nobody can answer (standard in is not a terminal) and --ja is not given; exit code 2. */
  noTerminalSummary: 'Ingenting er endret: handlingen må bekreftes',
  noTerminal: 'standard inn er ikke en terminal, så ingen kan svare «ja»; legg til --ja for å gjennomføre uten å bli spurt (eller --dry-run for bare å se hva som endres)',
} as const;

/**
 * A move's preview as the CLI prints it: the same content as the console's page (the occurrences that move, then every
 * email the move changes with counts per email, computed by domain/move-preview.ts), one line each.
 */
export function movePreviewLines(input: { milestone: string; where: string; revision: number; moved: { title: string; where: string; from: number; to: number }[]; preview: MovePreview }): string[] {
  const { moved, preview } = input;
  const head = `Flytt ${quoted(input.milestone)} for ${input.where} (planversjon ${input.revision})`;
  if (moved.length === 0) return [head, 'Ingenting flyttes: milepælen er allerede på dette tidspunktet.'];
  const lines = [head, 'Milepæler som flyttes:', ...moved.map((m) => `  ${quoted(m.title)} for ${m.where}: ${when(m.from)} → ${when(m.to)}`)];
  const owners = preview.owners.length
    ? [
        'E-post til kommunene, forskningssenteret og koordinatoren:',
        ...preview.owners.map((e) => {
          const before = e.from !== null ? when(e.from) : '–';
          const after = e.to === null ? '–' : e.change === 'now' ? 'straks' : when(e.to);
          return `  ${quoted(e.title)}${e.place ? ` for ${e.place}` : ''}: ${templateName(e.template)} til ${AUDIENCE[e.recipients] ?? e.recipients} ${EMAIL_CHANGE[e.change]}, ${before} → ${after} (${count(e.count, 'mottaker', 'mottakere')})`;
        }),
      ]
    : [];
  if (preview.emails.length === 0) return [...lines, 'E-post som endres: ingen e-post til barnehagene endres av flyttingen.', ...owners];
  return [
    ...lines,
    `E-post som endres: ${count(preview.kindergartens, 'barnehage', 'barnehager')} får e-post til nye tider`,
    ...preview.byTemplate.map((t) => `  ${templateName(t.template)}: ${count(t.count, 'e-post', 'e-poster')} ${EMAIL_CHANGE[t.change]}`),
    ...preview.emails.map((e) => {
      const before = e.from !== null ? when(e.from) : '–';
      const after = e.to === null ? '–' : e.change === 'now' ? 'straks' : when(e.to);
      return `  ${quoted(e.title)}: ${templateName(e.template)} til ${AUDIENCE[e.recipients] ?? e.recipients} ${EMAIL_CHANGE[e.change]}, ${before} → ${after} (${count(e.kindergartens, 'barnehage', 'barnehager')})`;
    }),
    ...owners,
  ];
}

/** An extension's preview, as the console's: the deliverable, its deadline now, and the new window by the plan's rules. */
export function extensionPreviewLines(input: { kindergarten: string; deliverable: string; currentDueAt: number; dueAt: number; lateUntil: number; reminderAts: number[]; escalationAt: number }): string[] {
  return [
    `Forleng fristen for ${input.kindergarten}`,
    `  Innlevering: ${quoted(input.deliverable)}`,
    `  Frist nå: ${when(input.currentDueAt)}`,
    `  Ny frist: ${when(input.dueAt)}`,
    `  Forsinket innlevering tas imot til: ${when(input.lateUntil)}`,
    `  Påminnelser til styreren: ${input.reminderAts.length ? input.reminderAts.map(when).join('; ') : 'ingen flere'}`,
    `  Varsel til kommunen: ${when(input.escalationAt)}, om ingenting er levert`,
    'Påminnelser og varsel til kommunen følger den nye fristen. Har barnehagen levert, sendes ingen påminnelse.',
  ];
}

/** A contact change's preview, as the console's: who now, who next, where later email goes, the links re-issued. */
export function contactPreviewLines(input: {
  who: 'director' | 'authority';
  kindergarten?: string;
  municipality: string;
  before: { name: string; email: string };
  after: { name: string; email: string };
  links: { title: string; lateUntil: number }[];
}): string[] {
  const lines = [
    input.who === 'director' ? `Ny styrer for ${input.kindergarten ?? ''}` : `Ny kontakt hos barnehagemyndigheten i ${input.municipality}`,
    `  Nå: ${input.before.name}, ${input.before.email}`,
    `  Ny: ${input.after.name}, ${input.after.email}`,
    input.who === 'director'
      ? 'All e-post som sendes heretter, går til den nye adressen.'
      : `All e-post som sendes heretter til barnehagemyndigheten i ${input.municipality} (for alle barnehagene i kommunen), går til den nye adressen.`,
  ];
  if (input.who === 'authority') return lines;
  if (input.links.length === 0) return [...lines, 'Ingen innlevering er åpen nå, så ingen lenke sendes på nytt; de neste lenkene går til den nye styreren.'];
  return [
    ...lines,
    `Den nye styreren får ${count(input.links.length, 'ny innleveringslenke', 'nye innleveringslenker')} på e-post, og lenkene den forrige fikk, slutter å virke:`,
    ...input.links.map((l) => `  ${quoted(l.title)} (virker til ${when(l.lateUntil)})`),
  ];
}

/** A message's preview, as the console's: to whom, the subject and text, and each kindergarten with its deadline. */
export function messagePreviewLines(input: { deliverable: string; subject: string; text: string; recipients: { name: string; municipality: string; dueAt: number }[] }): string[] {
  return [
    `Meldingen om ${quoted(input.deliverable)} sendes til styreren i ${count(input.recipients.length, 'barnehage', 'barnehager')} som ikke har levert ennå, hver med sin frist og sin personlige lenke:`,
    `  Emne: ${input.subject}`,
    '  Tekst:',
    ...input.text.trim().split(/\r?\n/).map((line) => `    ${line}`),
    'Barnehagene:',
    ...input.recipients.map((r) => `  ${r.name} (${r.municipality}), frist ${when(r.dueAt)}`),
  ];
}
