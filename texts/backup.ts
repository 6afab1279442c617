import { formatFileSize } from './norwegian-format';

/**
 * What `arshjul backup` and `arshjul restore` say, in bokmål: what was written or restored (sizes, rows, time taken),
 * every problem of a damaged or partial backup, and what a restore found in the way.
 */

const rows = (n: number) => `${n.toLocaleString('nb-NO')} ${n === 1 ? 'rad' : 'rader'}`;
const files = (n: number) => `${n.toLocaleString('nb-NO')} ${n === 1 ? 'fil' : 'filer'}`;
const tables = (n: number) => `${n.toLocaleString('nb-NO')} ${n === 1 ? 'tabell' : 'tabeller'}`;

/** A duration the way the CLI writes it: «0,4 s», «12 s», «2 min 5 s». */
export function seconds(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toLocaleString('nb-NO', { maximumFractionDigits: 1, minimumFractionDigits: 1 })} s`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const BACKUP_TEXT = {
  started: (dir: string) => `sikkerhetskopi til ${dir}:`,
  temporal: (file: string, size: number, ms: number) => `  Temporal-utviklingstjenerens database (SQLites online-kopi): ${file}, ${formatFileSize(size)} (${seconds(ms)})`,
  temporalCluster: (address: string) =>
    `  Temporal: klyngen på ${address} er ikke med; den sikkerhetskopieres med klyngens egne verktøy (driftsansvarlig), og den kopien bør tas rett før denne`,
  postgres: (tableCount: number, rowCount: number, size: number, ms: number, level: string | null) =>
    `  PostgreSQL: ${tables(tableCount)}, ${rows(rowCount)}, ${formatFileSize(size)} gzip (${seconds(ms)}), ett øyeblikksbilde, migrering ${level ?? '(ingen)'}`,
  uploads: (count: number, size: number, ms: number) => `  opplastede filer: ${files(count)}, ${formatFileSize(size)} (${seconds(ms)})`,
  dataFiles: (names: string[]) => `  fra datamappen: ${names.join(', ')}`,
  manifest: (count: number) => `  manifest.json: ${files(count)}, hver med størrelse og SHA-256`,
  done: (size: number, ms: number) => `ferdig på ${seconds(ms)}: ${formatFileSize(size)} i alt`,
  // Refusals before anything is written.
  targetNotEmpty: (dir: string) => `${dir} finnes og er ikke tom. Ingenting er skrevet: velg en ny mappe for hver sikkerhetskopi (for eksempel med dato i navnet).`,
  temporalMissing: (path: string) =>
    `Temporal-utviklingstjenerens database ${path} finnes ikke. Ingenting er sikkerhetskopiert: sett DATA_DIR til mappen Årshjul kjører med, eller TEMPORAL_ADDRESS hvis Årshjul bruker en Temporal-klynge.`,
  uploadsIncomplete: (dir: string) => `Sikkerhetskopien i ${dir} er ikke fullført (den har ingen manifest.json), fordi noen opplastede filer mangler eller er endret i UPLOAD_DIR`,
  uploadMissing: (key: string) => `filen finnes ikke i UPLOAD_DIR (objects/${key}), men databasen viser til den`,
  uploadChanged: (key: string, expected: string, found: string) => `filen objects/${key} i UPLOAD_DIR har SHA-256 ${found}, men databasen har ${expected} for den`,
};

export const RESTORE_TEXT = {
  started: (dir: string, createdAt: string, release: string) => `gjenoppretter fra ${dir} (tatt ${createdAt}, Årshjul ${release}):`,
  verified: (count: number, size: number, ms: number) => `  kontrollert: ${files(count)}, ${formatFileSize(size)}, alle med riktig størrelse og SHA-256 (${seconds(ms)})`,
  postgres: (tableCount: number, rowCount: number, ms: number, level: string | null) => `  PostgreSQL: ${tables(tableCount)}, ${rows(rowCount)} (${seconds(ms)}), migrert fra ${level ?? '(ingen)'} til denne versjonens nivå`,
  temporal: (path: string, ms: number) => `  Temporal-utviklingstjenerens database: ${path} (${seconds(ms)})`,
  temporalCluster: 'Temporal: sikkerhetskopien har ikke Temporals data (Årshjul brukte en klynge); gjenopprett klyngen med dens egne verktøy',
  uploads: (count: number, size: number, dir: string, ms: number) => `  opplastede filer: ${files(count)}, ${formatFileSize(size)} til ${dir} (${seconds(ms)})`,
  dataFiles: (names: string[], dir: string) => `  til datamappen ${dir}: ${names.join(', ')}`,
  redelivered: (n: number) =>
    `  ${n.toLocaleString('nb-NO')} ${n === 1 ? 'innlevering' : 'innleveringer'} godtatt mens sikkerhetskopien ble tatt er merket «lagret, ikke bekreftet»: API-et gir dem til arbeidsflytene igjen innen et par minutter etter start (samme innleverings-id, så ingen telles to ganger)`,
  actionsInGap: 'Disse handlingene ble gjort mens sikkerhetskopien ble tatt, og kan mangle i Temporal. Sjekk hver med arshjul run status og gjør den på nytt om den mangler:',
  action: (at: string, action: string, actor: string, runId: string | null) => `    ${at}  ${action} av ${actor}${runId ? ` (${runId})` : ''}`,
  done: (ms: number) => `ferdig på ${seconds(ms)}. Start Årshjul (npm start) som vanlig.`,
  // A damaged or partial backup: InputError's summary; each problem is a line of its own.
  damaged: (dir: string) => `Sikkerhetskopien i ${dir} kan ikke brukes, og ingenting er endret`,
  notFound: 'mappen finnes ikke',
  manifestMissing: 'manifest.json mangler: sikkerhetskopien er ufullstendig (avbrutt før den ble ferdig, eller bare delvis kopiert)',
  manifestUnreadable: (why: string) => `manifest.json kan ikke leses: ${why}`,
  unknownFormat: (found: string) => `ukjent format ${found}: denne versjonen av Årshjul leser format «arshjul-backup» versjon 1`,
  newerMigration: (name: string) => `databasen i sikkerhetskopien er migrert med ${name}, som denne versjonen av Årshjul ikke har: gjenopprett med samme eller nyere versjon av Årshjul`,
  fileMissing: 'filen mangler',
  fileSize: (expected: number, found: number) => `filen er ${found.toLocaleString('nb-NO')} byte, manifestet sier ${expected.toLocaleString('nb-NO')} byte`,
  fileChecksum: (expected: string, found: string) => `filen har SHA-256 ${found}, manifestet sier ${expected}: den er skadet eller endret`,
  unsafePath: 'stien peker ut av sikkerhetskopien',
  tableNotListed: (table: string) => `tabellen ${table} har ingen fil i manifestet`,
  // What a restore found in the way (refused, nothing touched).
  inTheWay: (problems: string[]) => `Ingenting er gjenopprettet, fordi målet ikke er tomt:\n${problems.map((p) => `  - ${p}`).join('\n')}\nGjenopprett til tomme steder, eller legg til --replace for å erstatte det som er der (stopp Årshjul først).`,
  databaseHasData: (found: { name: string; rows: number }[]) => `databasen har allerede data: ${found.map((t) => `${t.name} (${rows(t.rows)})`).join(', ')}`,
  databaseNewer: (level: string, backupLevel: string | null) => `databasen er migrert til ${level}, nyere enn sikkerhetskopien (${backupLevel ?? 'ingen'}); bruk en tom database (også med --replace)`,
  temporalExists: (path: string, size: number) => `Temporal-utviklingstjenerens database ${path} finnes allerede (${formatFileSize(size)})`,
  temporalAddressSet: 'sikkerhetskopien har Temporal-utviklingstjenerens database, men TEMPORAL_ADDRESS er satt (en klynge): fjern TEMPORAL_ADDRESS for å gjenopprette utviklingstjeneren',
  uploadsExist: (dir: string, n: number) => `${dir} har allerede ${files(n)}`,
  dataFileExists: (path: string) => `${path} finnes allerede med et annet innhold`,
};
