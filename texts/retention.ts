/**
 * What people read about retention (issue 16, part 3), in bokmål: the run archive's index and README, a receipt in the
 * archive, the CLI's lines about a run's retention and one person's data, and the refusals.
 */
import { count, joinAnd } from './catalogue';
import { formatNorwegian } from './norwegian-format';

const when = (ms: number) => formatNorwegian(ms, 'dateTime');

/** The counts a purge keeps that the CLI tells. */
export interface KeptCounts {
  kindergartens: number;
  submissionsAccepted: number;
  submissionsOnTime: number;
  submissionsLate: number;
  emailsSent: number;
}
const day = (ms: number) => formatNorwegian(ms, 'date');

/** The columns of the archive's index.csv: what a person reads first, then ids and UTC instants for programs. */
export const ARCHIVE_INDEX_HEADER = [
  'Kvitteringsnummer', 'Barnehage', 'Organisasjonsnummer', 'Kommune', 'Region', 'Innlevering', 'Versjon', 'Mottatt (norsk tid)',
  'I tide eller for sent', 'Kommentar fra styrer', 'Vurderinger', 'Veiledning', 'Filer', 'Mappe i arkivet',
  'innlevering_id', 'innleveringstype_id', 'mottatt_utc', 'sen',
];

/** The columns of gruppeoppsett.csv: one line per participant of each version of a group set-up. */
export const ARCHIVE_GROUP_SETUP_HEADER = [
  'Kvitteringsnummer', 'Kommune', 'Innlevering', 'Versjon', 'Mottatt (norsk tid)', 'I tide eller for sent', 'Sendt av', 'Kilde',
  'Barnehage', 'Organisasjonsnummer', 'Navn', 'E-post', 'Rolle',
];

export const lateText = (late: boolean): string => (late ? 'for sent' : 'i tide');
export const VERDICT_TEXT: Record<string, string> = { accepted: 'godkjent', returned: 'sendt tilbake til revisjon' };
export const SOURCE_TEXT: Record<string, string> = { form: 'skjema', file: 'regneark' };

/** A verdict as one line of the index: "godkjent 12.03.2027 kl. 10.00 av …: «kommentar»". */
export function verdictLine(v: { verdict: string; comment: string | null; by: string; at: number; dueAt: number | null }): string {
  const due = v.dueAt ? `, ny frist ${formatNorwegian(v.dueAt, 'compact')}` : '';
  return `${VERDICT_TEXT[v.verdict] ?? v.verdict} ${formatNorwegian(v.at, 'compact')} av ${v.by || 'ukjent'}${due}${v.comment ? `: «${v.comment}»` : ''}`;
}

export interface ReceiptText {
  runTitle: string;
  receiptNumber: string;
  kindergarten: string;
  orgnr: string;
  municipality: string;
  deliverable: string;
  version: number;
  receivedAt: number;
  late: boolean;
  comment: string | null;
  files: { name: string; size: number; sha256: string }[];
  verdicts: string[];
  guidance: { at: number; by: string; files: string[] }[];
}

/** kvittering.txt of one submission in the archive. */
export function receiptText(r: ReceiptText): string {
  return [
    `Kvittering ${r.receiptNumber}`,
    r.runTitle,
    '',
    `Barnehage: ${r.kindergarten} (${r.orgnr}), ${r.municipality}`,
    `Innlevering: ${r.deliverable}, versjon ${r.version}`,
    `Mottatt: ${when(r.receivedAt)} (${lateText(r.late)})`,
    `Kommentar fra styrer: ${r.comment ?? '(ingen)'}`,
    '',
    'Filer:',
    ...r.files.map((f) => `  ${f.name}  ${f.size} byte  sha256 ${f.sha256}`),
    '',
    `Vurderinger: ${r.verdicts.length ? '' : '(ingen)'}`,
    ...r.verdicts.map((v) => `  ${v}`),
    '',
    `Veiledning: ${r.guidance.length ? '' : '(ingen)'}`,
    ...r.guidance.map((g, i) => `  ${i + 1}. gitt ${when(g.at)} av ${g.by || 'ukjent'}; tekst i veiledning-${i + 1}.txt${g.files.length ? `; filer i veiledning-${i + 1}/: ${g.files.join(', ')}` : ''}`),
    '',
  ].join('\r\n');
}

/** veiledning-N.txt: the research centre's guidance as given. */
export function guidanceText(g: { at: number; by: string; text: string }): string {
  return [`Veiledning gitt ${when(g.at)} av ${g.by || 'ukjent'}`, '', g.text, ''].join('\r\n');
}

/** README.txt at the archive's root: what it holds, for the public archive. */
export function archiveReadme(a: { runId: string; runTitle: string; exportedAt: number; exportedBy: string; submissions: number; files: number; guidance: number; groupSetups: number; endedAt: number | null; purgeAt: number | null }): string {
  return [
    `Arkiv for ${a.runTitle}`,
    `Programår: ${a.runId}`,
    `Eksportert ${when(a.exportedAt)} av ${a.exportedBy}.`,
    a.endedAt ? `Programåret ble avsluttet ${when(a.endedAt)}.` : 'Programåret var ikke avsluttet da arkivet ble laget.',
    a.purgeAt ? `Personopplysningene og filene slettes fra Årshjul ${day(a.purgeAt)} (oppbevaringstiden).` : '',
    '',
    'Innhold:',
    `- index.csv: én linje per godkjent innlevering (${count(a.submissions, 'innlevering', 'innleveringer')}), med kvitteringsnummer, mottatt tid, i tide eller for sent, vurderinger, veiledning og mappen i arkivet.`,
    `- innleveringer/<kommune>/<barnehage orgnr>/<innlevering>/v<versjon> <kvitteringsnummer>/: filene (${count(a.files, 'fil', 'filer')}), kvittering.txt og veiledningen (${count(a.guidance, 'veiledning', 'veiledninger')}: veiledning-N.txt og filene i veiledning-N/).`,
    `- gruppeoppsett.csv: hver versjon av kommunenes gruppeoppsett med deltakerne (${count(a.groupSetups, 'versjon', 'versjoner')}).`,
    '',
    'CSV-filene er semikolonseparerte, UTF-8 med BOM, og åpnes i et regneark. Tider er norsk tid; kolonnene med _utc er UTC.',
    'Hver fil er kontrollert mot SHA-256-summen som ble lagret da den ble mottatt (står i kvittering.txt).',
    '',
  ].join('\r\n');
}

/** A run's retention in lines for `arshjul run retention`. */
export function retentionLines(r: { runId: string; title?: string; endedAt: number | null; months: number; purgeAt: number | null; archivedAt: number | null; purgedAt: number | null; summary: KeptCounts | null }): string[] {
  const lines = [r.title ? `${r.title} (${r.runId})` : `Programår ${r.runId}`];
  if (r.purgedAt) {
    lines.push(`Personopplysningene og filene ble slettet ${when(r.purgedAt)}.`);
    if (r.summary) lines.push(`Beholdt: ${count(r.summary.kindergartens, 'barnehage', 'barnehager')}, ${count(r.summary.submissionsAccepted, 'godkjent innlevering', 'godkjente innleveringer')} (${r.summary.submissionsOnTime} i tide, ${r.summary.submissionsLate} for sent), ${count(r.summary.emailsSent, 'sendt e-post', 'sendte e-poster')}.`);
  } else if (r.endedAt === null) {
    lines.push(`Programåret er ikke avsluttet. Personopplysningene beholdes i ${count(r.months, 'måned', 'måneder')} etter at det avsluttes.`);
  } else {
    lines.push(`Avsluttet ${when(r.endedAt)}. Personopplysningene og filene slettes ${day(r.purgeAt as number)} (${count(r.months, 'måned', 'måneder')} etter slutt).`);
  }
  lines.push(r.archivedAt ? `Arkivet ble sist eksportert ${when(r.archivedAt)}.` : 'Arkivet er ikke eksportert.');
  return lines;
}

export const RETENTION_REFUSAL = {
  unknownRun: (runId: string) => `Fant ikke programåret «${runId}».`,
  archivePurged: (runId: string, purgedAt: number) =>
    `Arkivet for ${runId} kan ikke lages lenger: personopplysningene og filene ble slettet ${when(purgedAt)} da oppbevaringstiden var ute. Tallene finnes fortsatt (arshjul run retention --run ${runId}).`,
  archiveTarget: (path: string) => `Arkivet skrives som én zip-fil; --to må slutte på .zip (fikk «${path}»).`,
  damagedFile: (name: string, receipt: string) => `Filen «${name}» i ${receipt} stemmer ikke med SHA-256-summen den ble mottatt med; arkivet ble ikke laget. Sjekk lagringsmappen (UPLOAD_DIR).`,
  missingFile: (name: string, receipt: string) => `Filen «${name}» i ${receipt} finnes ikke i lagringsmappen (UPLOAD_DIR); arkivet ble ikke laget.`,
  personFormat: (path: string) => `--to må slutte på .json eller .zip (fikk «${path}»).`,
  badEmail: (email: string) => `«${email}» er ikke en e-postadresse.`,
} as const;

export const PERSON_ROLE: Record<string, string> = {
  director: 'styrer',
  'municipal-authority': 'kontaktperson for barnehagemyndigheten',
  participant: 'deltaker i kompetansepakken',
  'coordinator-contact': 'koordinator (kontakt i planen)',
  'research-centre-contact': 'forskningssenteret (kontakt i planen)',
  account: 'konto i konsollet',
  'group-setup-sender': 'sendte gruppeoppsett',
  reviewer: 'vurderte innleveringer',
  'guidance-giver': 'ga veiledning',
};

/** Why an address cannot be erased yet: the runs still going that need it, each with the roles. */
export function eraseRefusal(email: string, active: { runId: string; roles: string[] }[]): string {
  const runs = active.map((a) => `${a.runId} (${joinAnd(a.roles.map((r) => PERSON_ROLE[r] ?? r))})`);
  return (
    `Opplysningene om ${email} kan ikke slettes ennå: ${active.length === 1 ? 'programåret' : 'programårene'} ${joinAnd(runs)} er i gang og trenger adressen ` +
    'for å sende e-post og ta imot innleveringer. Bytt kontaktperson (arshjul run change-contact), eller vent til programåret er avsluttet; ' +
    'da slettes opplysningene uansett når oppbevaringstiden er ute.'
  );
}

/** `arshjul person show` as lines. */
export function personLines(p: {
  email: string;
  roles: { runId: string; role: string; name: string | null; about: string | null; runActive: boolean; runPurged: boolean }[];
  submissions: { runId: string; receiptNumber: string; kindergarten: string; deliverableId: string; state: string; late: boolean | null; receivedAt: number; files: string[] }[];
  emails: { runId: string; subject: string; state: string; requestedAt: number }[];
  audit: { runId: string | null; at: number; action: string }[];
  accounts: { role: string; runId: string | null; disabledAt: number | null }[];
  drafts: { id: string; createdAt: number }[];
  devMailboxMessages: number;
}): string[] {
  const runState = (r: { runActive: boolean; runPurged: boolean }) => (r.runPurged ? 'slettet' : r.runActive ? 'i gang' : 'avsluttet');
  const lines = [`Opplysninger om ${p.email}`];
  if (!p.roles.length && !p.emails.length && !p.audit.length && !p.accounts.length && !p.drafts.length && !p.devMailboxMessages) {
    lines.push('Årshjul har ingen opplysninger om denne adressen.');
    return lines;
  }
  lines.push('', `Roller (${p.roles.length}):`);
  for (const r of p.roles) lines.push(`  ${r.runId} (${runState(r)}): ${PERSON_ROLE[r.role] ?? r.role}${r.name ? `, navn «${r.name}»` : ''}${r.about ? `, ${r.about}` : ''}`);
  lines.push('', `Innleveringer fra barnehager der adressen er styrer (${p.submissions.length}):`);
  for (const s of p.submissions) lines.push(`  ${s.runId} ${s.receiptNumber} ${formatNorwegian(s.receivedAt, 'compact')} ${s.kindergarten} ${s.deliverableId} ${s.state}${s.late ? ' (for sent)' : ''}${s.files.length ? `: ${s.files.join(', ')}` : ''}`);
  lines.push('', `E-post sendt til adressen (${p.emails.length}):`);
  for (const e of p.emails) lines.push(`  ${e.runId} ${formatNorwegian(e.requestedAt, 'compact')} ${e.state}: ${e.subject}`);
  lines.push('', `Revisjonslogg (${p.audit.length} ${p.audit.length === 1 ? 'oppføring' : 'oppføringer'} der adressen står):`);
  for (const a of p.audit) lines.push(`  ${a.runId ?? '-'} ${formatNorwegian(a.at, 'compact')} ${a.action}`);
  lines.push('', `Kontoer i konsollet: ${p.accounts.length ? p.accounts.map((a) => `${a.role}${a.runId ? ` (${a.runId})` : ''}${a.disabledAt ? ', deaktivert' : ''}`).join('; ') : 'ingen'}`);
  lines.push(`Utkast som nevner adressen: ${p.drafts.length}`);
  lines.push(`Meldinger i utviklingspostkassen: ${p.devMailboxMessages}`);
  return lines;
}

/** What `arshjul person erase` did, as lines. */
export function eraseLines(email: string, result: { changed: Record<string, number>; runs: string[] }): string[] {
  const total = Object.values(result.changed).reduce((a, b) => a + b, 0);
  return [
    `Slettet opplysningene om ${email}: ${count(total, 'rad', 'rader')} endret${result.runs.length ? ` i ${joinAnd(result.runs)}` : ''}.`,
    ...Object.entries(result.changed).filter(([, n]) => n > 0).map(([table, n]) => `  ${table}: ${n}`),
    'Innleveringene og filene hører til barnehagen og beholdes til programårets oppbevaringstid er ute. Slettingen står i revisjonsloggen (uten adressen).',
  ];
}

/** What the retention workflow did, for `arshjul retention run`. */
export function purgeLines(purged: { runId: string; alreadyPurged: boolean; directoriesRemoved: number; summary: KeptCounts }[]): string[] {
  if (!purged.length) return ['Ingen programår har passert oppbevaringstiden.'];
  return purged.map((p) =>
    p.alreadyPurged
      ? `${p.runId}: var allerede slettet.`
      : `${p.runId}: personopplysningene slettet; ${count(p.directoriesRemoved, 'mappe', 'mapper')} med filer fjernet; beholdt ${count(p.summary.kindergartens, 'barnehage', 'barnehager')} og ${count(p.summary.submissionsAccepted, 'innlevering', 'innleveringer')}.`,
  );
}
