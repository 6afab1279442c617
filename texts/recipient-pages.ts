/**
 * What the recipients read on their console pages (issue 15): the page of what is addressed to them, a municipal
 * authority's group set-up (form, receipt, refusals) and its review of a full analysis, the research centre's guidance
 * page, and the personal sign-in link's own pages. An authority reads them in the written standard of its
 * municipality; the research centre and the coordinator read bokmål, and every one of them may switch to the other.
 * One interface, so the compiler refuses a text missing in either standard. The bokmål texts are the console's own:
 * the coordinator reads exactly what it read before.
 */
import { DELIVERABLE_STATUS, GUIDANCE_STATE, PARTICIPANT_ROLE, PARTICIPANT_ROLE_NN, count } from './catalogue';
import type { Language } from './language';
import { GROUP_SETUP_RULE } from './validation';

/** The checks of a group set-up (texts/validation.ts), word for word in one standard. */
export type GroupSetupRules = { -readonly [K in keyof typeof GROUP_SETUP_RULE]: (typeof GROUP_SETUP_RULE)[K] extends string ? string : (typeof GROUP_SETUP_RULE)[K] };

export interface RecipientPageText {
  /** The switch to the other standard: its label, in that other standard. */
  switchTo: string;
  /** A page's frame title when the thing asked for is not found. */
  unknown: string;
  /** The link under a message page. */
  toOverview: string;
  scrollable: (label: string) => string;
  afterDeadline: string;
  wholeYear: string;
  backToOverview: string;
  statuses: Record<string, string>;

  // What is addressed to the reader (/konsoll/runs/<run>/mottatt).
  heading: { researchCentre: string; authority: (municipality: string) => string; coordinator: string };
  intro: (county: string, years: string) => string;
  /** After an action, by the `melding` the action redirects with. */
  messages: Record<'vurdert' | 'veiledning', string>;
  runNotFound: { title: string; text: string };
  seeReview: string;
  review: string;
  returnedWaiting: (when: string) => string;
  seeGuidance: string;
  giveGuidance: string;
  /** A submission in a table cell: receipt number, version, late or not, when it came. */
  submissionCell: (receipt: string, version: string, late: boolean, when: string) => string;
  submittedCount: (submitted: number, total: number) => string;
  reviewHint: string;
  guidanceHint: string;
  columns: { kindergarten: string; municipality: string; status: string; deadline: string; submitted: string; review: string; guidance: string };
  zipByRegion: string;
  nothingAddressed: string;
  setupSent: (version: number, when: string, late: boolean) => string;
  setupNotSent: string;
  setupChange: string;
  setupSend: string;
  setupsSent: (sent: number, total: number) => string;
  seeSetups: string;

  // The authority's review of a full analysis.
  accepted: (when: string, version: number) => string;
  returned: (when: string, version: number, due: string) => string;
  placeAndDue: (kindergarten: string, municipality: string, due: string) => string;
  reviewNotSaved: string;
  submission: string;
  /** The version in force on the review and guidance pages: receipt number, version, late or not, when it came. */
  submissionLine: (receipt: string, version: string, late: boolean, when: string) => string;
  notYetSubmitted: string;
  earlierReviews: string;
  yourReview: string;
  verdictAccepted: string;
  verdictReturn: string;
  reviewComment: string;
  reviewNewDue: string;
  saveReview: string;
  alreadyReviewed: string;
  chooseVerdict: string;
  nothingToReview: string;
  reviewNotFound: { title: string; text: string };

  // The research centre's guidance.
  guidanceGiven: (when: string) => string;
  guidanceLate: (due: string) => string;
  guidanceOwed: (due: string) => string;
  guidanceEntry: (when: string, version: string, by: string | null) => string;
  guidanceTitle: (kindergarten: string) => string;
  guidanceNotSent: string;
  guidanceGivenHeading: string;
  giveMoreGuidance: string;
  guidanceReaches: string;
  guidanceText: string;
  guidanceFiles: (files: number) => string;
  sendGuidance: string;
  guidanceProblems: { tooManyFiles: (files: number) => string; fileTooLarge: string; formUnreadable: string; file: (name: string, why: string) => string; tooLarge: string; empty: string; wrongType: string };
  guidanceNotFound: { title: string; text: string };

  // The authority's group set-up.
  setupStates: Record<'submitted-late' | 'submitted' | 'not-open' | 'open' | 'overdue' | 'missed', string>;
  roles: Record<keyof typeof PARTICIPANT_ROLE, string>;
  participantField: { name: (n: string) => string; email: (n: string) => string; role: (n: string) => string };
  /** A problem's place in the form: "Solbakken barnehage, deltaker 2" (checkGroupSetup's subject) in this standard. */
  participant: (n: string) => string;
  setupHint: (director: string, minimum: string) => string;
  versionInForce: (version: string, when: string, late: boolean, receipt: string, participants: number) => string;
  authorityOf: (municipality: string) => string;
  deadline: string;
  takenUntil: string;
  setupNotSaved: string;
  fixFile: string;
  fixForm: string;
  setupClosed: string;
  setupOpensAt: (when: string) => string;
  haveSpreadsheet: string;
  fillForm: string;
  sendSetup: string;
  orUpload: string;
  fileHint: string;
  templateXlsx: string;
  templateCsv: string;
  fileLabel: string;
  uploadSetup: string;
  currentVersion: string;
  /** The checks of a set-up, in this standard (bokmål: texts/validation.ts itself). */
  rules: GroupSetupRules;
  setupProblems: { fileTooLarge: string; formUnreadable: string; chooseFile: string };
  setupNotFound: { title: string; text: string };
  receipt: string;
  /** Around the deliverable's title (shown in bold) on the receipt. */
  receivedFrom: { before: string; after: (municipality: string) => string };
  cameLate: string;
  receiptEmailed: string;
  receiptNumber: string;
  received: string;
  version: string;
  participants: string;
  backToSetup: string;
  // The coordinator's and the research centre's overview of every municipality's set-up.
  overviewWindow: (due: string, lateUntil: string) => string;
  allParticipantsCsv: string;
  municipalitiesLabel: string;
  overviewColumns: { municipality: string; kindergartens: string; status: string; current: string };
  overviewVersion: (version: string, when: string, participants: number) => string;
  seeParticipants: string;

  // The personal sign-in link.
  link: {
    title: string;
    expiredTitle: string;
    expired: string;
    invalid: string;
    runGone: { title: string; text: string };
    signInTitle: string;
    otherRole: (email: string) => string;
    authorityName: (municipality: string) => string;
  };
}

const NB: RecipientPageText = {
  switchTo: 'Les sida på nynorsk',
  unknown: 'Ukjent',
  toOverview: 'Til oversikten',
  scrollable: (label) => `${label} (kan rulles sidelengs)`,
  afterDeadline: ' (etter fristen)',
  wholeYear: 'Hele programåret',
  backToOverview: 'Tilbake til oversikten',
  statuses: DELIVERABLE_STATUS,

  heading: { researchCentre: 'Til forskningssenteret', authority: (m) => `Til barnehagemyndigheten i ${m}`, coordinator: 'Til koordinatoren' },
  intro: (county, years) => `${county} ${years}: det barnehagene har sendt til dere, og hvem som ikke har levert ennå.`,
  messages: {
    vurdert: 'Vurderingen er lagret, og styreren har fått beskjed på e-post.',
    veiledning: 'Veiledningen er lagret og sendt til styreren på e-post.',
  },
  runNotFound: { title: 'Fant ikke programåret', text: 'Programåret finnes ikke.' },
  seeReview: 'Se vurderingen',
  review: 'Vurder',
  returnedWaiting: (when) => `Sendt tilbake ${when}; venter på ny versjon`,
  seeGuidance: 'Se veiledningen',
  giveGuidance: 'Gi veiledning',
  submissionCell: (receipt, version, late, when) => `${receipt}, versjon ${version}${late ? ' (etter fristen)' : ''}, ${when}`,
  submittedCount: (submitted, total) => `${submitted} av ${total} har levert.`,
  reviewHint: ' Vurder hver analyse: godkjenn den, eller send den tilbake til revisjon med en kommentar og en ny frist.',
  guidanceHint: ' Gi veiledning på hver innlevering: styreren får den på e-post.',
  columns: { kindergarten: 'Barnehage', municipality: 'Kommune', status: 'Status', deadline: 'Frist', submitted: 'Innlevert', review: 'Vurdering', guidance: 'Veiledning' },
  zipByRegion: 'Alt som er levert fra en region, som zip: ',
  nothingAddressed: 'Ingen innleveringer i planen er adressert til dere.',
  setupSent: (version, when, late) => `Dere sendte versjon ${version} ${when}${late ? ' (etter fristen)' : ''}.`,
  setupNotSent: 'Dere har ikke sendt det ennå.',
  setupChange: 'Se eller endre gruppeoppsettet',
  setupSend: 'Send gruppeoppsettet',
  setupsSent: (sent, total) => `${sent} av ${count(total, 'kommune', 'kommuner')} har sendt.`,
  seeSetups: 'Se gruppeoppsettene',

  accepted: (when, version) => `Godkjent ${when} (versjon ${version})`,
  returned: (when, version, due) => `Sendt tilbake ${when} (versjon ${version}), ny frist ${due}`,
  placeAndDue: (kindergarten, municipality, due) => `${kindergarten}, ${municipality}. Frist ${due}.`,
  reviewNotSaved: 'Vurderingen ble ikke lagret',
  submission: 'Innleveringen',
  submissionLine: (receipt, version, late, when) => `${receipt}, versjon ${version}${late ? ' (etter fristen)' : ''}, mottatt ${when}.`,
  notYetSubmitted: 'Barnehagen har ikke levert ennå.',
  earlierReviews: 'Tidligere vurderinger',
  yourReview: 'Din vurdering',
  verdictAccepted: 'Godkjent',
  verdictReturn: 'Send tilbake til revisjon',
  reviewComment: 'Kommentar til styreren (må fylles ut når analysen sendes tilbake)',
  reviewNewDue: 'Ny frist når analysen sendes tilbake',
  saveReview: 'Lagre vurderingen',
  alreadyReviewed: 'Denne versjonen er vurdert. En ny versjon fra barnehagen kan vurderes når den kommer.',
  chooseVerdict: 'Velg «Godkjent» eller «Send tilbake til revisjon».',
  nothingToReview: 'Barnehagen har ikke levert noe som kan vurderes.',
  reviewNotFound: { title: 'Fant ikke innleveringen', text: 'Denne innleveringen går ikke til barnehagemyndigheten.' },

  guidanceGiven: (when) => `${GUIDANCE_STATE.given} ${when}`,
  guidanceLate: (due) => `${GUIDANCE_STATE.late} (skulle vært gitt ${due})`,
  guidanceOwed: (due) => `${GUIDANCE_STATE.owed} innen ${due}`,
  guidanceEntry: (when, version, by) => `Veiledning ${when} (versjon ${version})${by ? ` – ${by}` : ''}`,
  guidanceTitle: (kindergarten) => `Veiledning: ${kindergarten}`,
  guidanceNotSent: 'Veiledningen ble ikke sendt',
  guidanceGivenHeading: 'Veiledning som er gitt',
  giveMoreGuidance: 'Gi mer veiledning',
  guidanceReaches: 'Styreren får veiledningen på e-post, med vedleggene, og finner den på innleveringssiden.',
  guidanceText: 'Veiledning til styreren',
  guidanceFiles: (files) => `Vedlegg (valgfritt, PDF, Word eller bilde; høyst ${files} filer)`,
  sendGuidance: 'Send veiledningen til styreren',
  guidanceProblems: {
    tooManyFiles: (files) => `Legg ved høyst ${files} filer.`,
    fileTooLarge: 'En fil er større enn 25 MB.',
    formUnreadable: 'Skjemaet kunne ikke leses; prøv igjen.',
    file: (name, why) => `Filen «${name}» ${why}. Ingenting er sendt.`,
    tooLarge: 'er større enn 25 MB',
    empty: 'er tom',
    wrongType: 'er ikke en PDF, et Word- eller OpenDocument-dokument eller et bilde',
  },
  guidanceNotFound: { title: 'Fant ikke innleveringen', text: 'Planen ber ikke om veiledning på denne innleveringen, eller barnehagen finnes ikke i programåret.' },

  setupStates: { 'submitted-late': 'sendt etter fristen', submitted: 'sendt', 'not-open': 'ikke åpnet', open: 'ikke sendt ennå', overdue: 'forfalt', missed: 'ikke sendt' },
  roles: PARTICIPANT_ROLE,
  participantField: { name: (n) => `Navn, deltaker ${n}`, email: (n) => `E-post, deltaker ${n}`, role: (n) => `Rolle, deltaker ${n}` },
  participant: (n) => `deltaker ${n}`,
  setupHint: (director, minimum) => `Styrer: ${director}. Minst ${minimum} deltakere, styreren blant dem. La tomme linjer stå.`,
  versionInForce: (version, when, late, receipt, participants) =>
    `Versjon ${version} er mottatt ${when}${late ? ' (etter fristen)' : ''}, kvittering ${receipt}: ${count(participants, 'deltaker', 'deltakere')}. En ny versjon erstatter den.`,
  authorityOf: (municipality) => `Barnehagemyndigheten i ${municipality}.`,
  deadline: 'Frist',
  takenUntil: 'Tas imot til',
  setupNotSaved: 'Gruppeoppsettet ble ikke lagret',
  fixFile: 'Ingenting er lagret. Rett opp regnearket og last det opp på nytt, eller fyll ut skjemaet.',
  fixForm: 'Ingenting er lagret. Rett opp dette og send på nytt; det du skrev, står fortsatt i skjemaet.',
  setupClosed: 'Gruppeoppsett tas ikke lenger imot. Kontakt koordinatoren om noe må endres.',
  setupOpensAt: (when) => `Gruppeoppsettet kan sendes fra ${when}.`,
  haveSpreadsheet: 'Har dere deltakerne i et regneark? Last det opp i stedet.',
  fillForm: 'Fyll ut skjemaet',
  sendSetup: 'Send gruppeoppsettet',
  orUpload: 'Eller last opp et regneark',
  fileHint: 'Én rad per deltaker med kolonnene orgnr, barnehage, navn, epost og rolle. Malen har barnehagene deres og styrerne fylt inn: ',
  templateXlsx: 'mal som Excel-regneark',
  templateCsv: 'mal som CSV',
  fileLabel: 'Regneark (.xlsx) eller CSV',
  uploadSetup: 'Last opp gruppeoppsettet',
  currentVersion: 'Versjonen som gjelder',
  rules: GROUP_SETUP_RULE,
  setupProblems: { fileTooLarge: 'Filen er større enn 5 MB.', formUnreadable: 'Skjemaet kunne ikke leses; prøv igjen.', chooseFile: 'Velg et regneark (.xlsx) eller en CSV-fil.' },
  setupNotFound: { title: 'Fant ikke gruppeoppsettet', text: 'Planen for dette programåret ber ikke om et slikt gruppeoppsett.' },
  receipt: 'Kvittering',
  receivedFrom: { before: '', after: (m) => ` er mottatt fra barnehagemyndigheten i ${m}.` },
  cameLate: ' Det kom etter fristen.',
  receiptEmailed: ' Kvitteringen er også sendt på e-post.',
  receiptNumber: 'Kvitteringsnummer',
  received: 'Mottatt',
  version: 'Versjon',
  participants: 'Deltakere',
  backToSetup: 'Tilbake til gruppeoppsettet',
  overviewWindow: (due, lateUntil) => ` Frist ${due}; tas imot til ${lateUntil}.`,
  allParticipantsCsv: 'Alle deltakerne som CSV',
  municipalitiesLabel: 'Kommunene',
  overviewColumns: { municipality: 'Kommune', kindergartens: 'Barnehager', status: 'Status', current: 'Versjonen som gjelder' },
  overviewVersion: (version, when, participants) => `versjon ${version}, ${when}, ${count(participants, 'deltaker', 'deltakere')}`,
  seeParticipants: 'Se deltakerne',

  link: {
    title: 'Lenken virker ikke',
    expiredTitle: 'Lenken er utløpt',
    expired: 'Personlige lenker virker i 30 dager. Den neste e-posten fra Årshjul har en ny lenke, eller be fylkeskoordinatoren om tilgang.',
    invalid: 'Lenken er ikke gyldig. Bruk lenken i den siste e-posten fra Årshjul, eller be fylkeskoordinatoren om tilgang.',
    runGone: { title: 'Fant ikke programåret', text: 'Programåret lenken gjelder, finnes ikke lenger.' },
    signInTitle: 'Logg inn med passord',
    otherRole: (email) => `${email} har allerede en konto i Årshjul med en annen rolle. Logg inn med passordet ditt.`,
    authorityName: (m) => `Barnehagemyndigheten i ${m}`,
  },
};

/** The checks of a group set-up in nynorsk, key for key as texts/validation.ts words them in bokmål. */
const RULES_NN: GroupSetupRules = {
  summary: (file?: string) => (file ? `Gruppeoppsettet i ${file} vart ikkje lagra` : 'Gruppeoppsettet vart ikkje lagra'),
  orgnrMissing: 'manglar organisasjonsnummer',
  unknownOrgnr: (orgnr: string, known: string[]) => `«${orgnr}» er ikkje ein av barnehagane dykkar; barnehagane er ${known.join(', ')}`,
  nameMissing: 'manglar namn',
  nameInvalid: 'namnet er for langt eller har teikn som ikkje kan lagrast',
  emailMissing: 'manglar e-postadresse',
  emailInvalid: (email: string) => `«${email}» er ikkje ei gyldig e-postadresse`,
  emailTwice: (email: string, other: string) => `e-postadressa «${email}» står òg i ${other}; kvar deltakar éin gong`,
  roleUnknown: (role: string, known: string[]) => (role === '' ? `manglar rolle; rollene er ${known.join(', ')}` : `«${role}» er ikkje ei rolle; rollene er ${known.join(', ')}`),
  tooFew: (n: number, minimum: number) => `har ${n === 0 ? 'ingen deltakarar' : n === 1 ? 'éin deltakar' : `${n} deltakarar`}; minst ${minimum} må vere med, styraren blant dei`,
  noDirector: (director: string) => `styraren må vere med (rolle «Styrar», i rekneark «Styrer»; i deltakarlista er det ${director})`,
  notXlsx: 'fila kan ikkje lesast som eit Excel-rekneark (.xlsx); lagre ho som .xlsx eller CSV og prøv igjen',
  notCsv: 'fila er ikkje gyldig CSV (sjekk hermeteikna i cellene)',
  wrongFileType: 'last opp eit rekneark (.xlsx) eller ei CSV-fil',
  columnMissing: (columns: readonly string[]) => `kolonnen manglar; overskriftsrada skal ha ${columns.join(', ')}`,
};

const NN: RecipientPageText = {
  switchTo: 'Les siden på bokmål',
  unknown: 'Ukjend',
  toOverview: 'Til oversikta',
  scrollable: (label) => `${label} (kan rullast sidelengs)`,
  afterDeadline: ' (etter fristen)',
  wholeYear: 'Heile programåret',
  backToOverview: 'Tilbake til oversikta',
  statuses: {
    'not-open': 'ikkje opna',
    open: 'open',
    submitted: 'levert',
    'submitted-late': 'levert seint',
    overdue: 'forfallen',
    missed: 'ikkje levert',
    extended: 'forlengd',
    withdrawn: 'trekt',
  },

  heading: { researchCentre: 'Til forskingssenteret', authority: (m) => `Til barnehagemyndigheita i ${m}`, coordinator: 'Til koordinatoren' },
  intro: (county, years) => `${county} ${years}: det barnehagane har sendt til dykk, og kven som ikkje har levert enno.`,
  messages: {
    vurdert: 'Vurderinga er lagra, og styraren har fått melding på e-post.',
    veiledning: 'Rettleiinga er lagra og send til styraren på e-post.',
  },
  runNotFound: { title: 'Fann ikkje programåret', text: 'Programåret finst ikkje.' },
  seeReview: 'Sjå vurderinga',
  review: 'Vurder',
  returnedWaiting: (when) => `Send tilbake ${when}; ventar på ny versjon`,
  seeGuidance: 'Sjå rettleiinga',
  giveGuidance: 'Gi rettleiing',
  submissionCell: (receipt, version, late, when) => `${receipt}, versjon ${version}${late ? ' (etter fristen)' : ''}, ${when}`,
  submittedCount: (submitted, total) => `${submitted} av ${total} har levert.`,
  reviewHint: ' Vurder kvar analyse: godkjenn han, eller send han tilbake til revisjon med ein kommentar og ein ny frist.',
  guidanceHint: ' Gi rettleiing på kvar innlevering: styraren får ho på e-post.',
  columns: { kindergarten: 'Barnehage', municipality: 'Kommune', status: 'Status', deadline: 'Frist', submitted: 'Innlevert', review: 'Vurdering', guidance: 'Rettleiing' },
  zipByRegion: 'Alt som er levert frå ein region, som zip: ',
  nothingAddressed: 'Ingen innleveringar i planen er adresserte til dykk.',
  setupSent: (version, when, late) => `De sende versjon ${version} ${when}${late ? ' (etter fristen)' : ''}.`,
  setupNotSent: 'De har ikkje sendt det enno.',
  setupChange: 'Sjå eller endre gruppeoppsettet',
  setupSend: 'Send gruppeoppsettet',
  setupsSent: (sent, total) => `${sent} av ${count(total, 'kommune', 'kommunar')} har sendt.`,
  seeSetups: 'Sjå gruppeoppsetta',

  accepted: (when, version) => `Godkjend ${when} (versjon ${version})`,
  returned: (when, version, due) => `Send tilbake ${when} (versjon ${version}), ny frist ${due}`,
  placeAndDue: (kindergarten, municipality, due) => `${kindergarten}, ${municipality}. Frist ${due}.`,
  reviewNotSaved: 'Vurderinga vart ikkje lagra',
  submission: 'Innleveringa',
  submissionLine: (receipt, version, late, when) => `${receipt}, versjon ${version}${late ? ' (etter fristen)' : ''}, kom inn ${when}.`,
  notYetSubmitted: 'Barnehagen har ikkje levert enno.',
  earlierReviews: 'Tidlegare vurderingar',
  yourReview: 'Vurderinga di',
  verdictAccepted: 'Godkjend',
  verdictReturn: 'Send tilbake til revisjon',
  reviewComment: 'Kommentar til styraren (må fyllast ut når analysen blir send tilbake)',
  reviewNewDue: 'Ny frist når analysen blir send tilbake',
  saveReview: 'Lagre vurderinga',
  alreadyReviewed: 'Denne versjonen er vurdert. Ein ny versjon frå barnehagen kan vurderast når han kjem.',
  chooseVerdict: 'Vel «Godkjend» eller «Send tilbake til revisjon».',
  nothingToReview: 'Barnehagen har ikkje levert noko som kan vurderast.',
  reviewNotFound: { title: 'Fann ikkje innleveringa', text: 'Denne innleveringa går ikkje til barnehagemyndigheita.' },

  guidanceGiven: (when) => `Rettleiing gitt ${when}`,
  guidanceLate: (due) => `Rettleiing forseinka (skulle vore gitt ${due})`,
  guidanceOwed: (due) => `Rettleiing skal vere gitt innan ${due}`,
  guidanceEntry: (when, version, by) => `Rettleiing ${when} (versjon ${version})${by ? ` – ${by}` : ''}`,
  guidanceTitle: (kindergarten) => `Rettleiing: ${kindergarten}`,
  guidanceNotSent: 'Rettleiinga vart ikkje send',
  guidanceGivenHeading: 'Rettleiing som er gitt',
  giveMoreGuidance: 'Gi meir rettleiing',
  guidanceReaches: 'Styraren får rettleiinga på e-post, med vedlegga, og finn ho på innleveringssida.',
  guidanceText: 'Rettleiing til styraren',
  guidanceFiles: (files) => `Vedlegg (valfritt, PDF, Word eller bilete; høgst ${files} filer)`,
  sendGuidance: 'Send rettleiinga til styraren',
  guidanceProblems: {
    tooManyFiles: (files) => `Legg ved høgst ${files} filer.`,
    fileTooLarge: 'Ei fil er større enn 25 MB.',
    formUnreadable: 'Skjemaet kunne ikkje lesast; prøv igjen.',
    file: (name, why) => `Fila «${name}» ${why}. Ingenting er sendt.`,
    tooLarge: 'er større enn 25 MB',
    empty: 'er tom',
    wrongType: 'er ikkje ein PDF, eit Word- eller OpenDocument-dokument eller eit bilete',
  },
  guidanceNotFound: { title: 'Fann ikkje innleveringa', text: 'Planen ber ikkje om rettleiing på denne innleveringa, eller barnehagen finst ikkje i programåret.' },

  setupStates: { 'submitted-late': 'sendt etter fristen', submitted: 'sendt', 'not-open': 'ikkje opna', open: 'ikkje sendt enno', overdue: 'forfalle', missed: 'ikkje sendt' },
  roles: PARTICIPANT_ROLE_NN,
  participantField: { name: (n) => `Namn, deltakar ${n}`, email: (n) => `E-post, deltakar ${n}`, role: (n) => `Rolle, deltakar ${n}` },
  participant: (n) => `deltakar ${n}`,
  setupHint: (director, minimum) => `Styrar: ${director}. Minst ${minimum} deltakarar, styraren blant dei. La tomme linjer stå.`,
  versionInForce: (version, when, late, receipt, participants) =>
    `Versjon ${version} kom inn ${when}${late ? ' (etter fristen)' : ''}, kvittering ${receipt}: ${count(participants, 'deltakar', 'deltakarar')}. Ein ny versjon erstattar han.`,
  authorityOf: (municipality) => `Barnehagemyndigheita i ${municipality}.`,
  deadline: 'Frist',
  takenUntil: 'Blir teke imot til',
  setupNotSaved: 'Gruppeoppsettet vart ikkje lagra',
  fixFile: 'Ingenting er lagra. Rett opp reknearket og last det opp på nytt, eller fyll ut skjemaet.',
  fixForm: 'Ingenting er lagra. Rett opp dette og send på nytt; det du skreiv, står framleis i skjemaet.',
  setupClosed: 'Gruppeoppsett blir ikkje lenger tekne imot. Kontakt koordinatoren om noko må endrast.',
  setupOpensAt: (when) => `Gruppeoppsettet kan sendast frå ${when}.`,
  haveSpreadsheet: 'Har de deltakarane i eit rekneark? Last det opp i staden.',
  fillForm: 'Fyll ut skjemaet',
  sendSetup: 'Send gruppeoppsettet',
  orUpload: 'Eller last opp eit rekneark',
  fileHint: 'Éi rad per deltakar med kolonnane «orgnr», «barnehage», «navn», «epost» og «rolle». Malen har barnehagane dykkar og styrarane fylte inn: ',
  templateXlsx: 'mal som Excel-rekneark',
  templateCsv: 'mal som CSV',
  fileLabel: 'Rekneark (.xlsx) eller CSV',
  uploadSetup: 'Last opp gruppeoppsettet',
  currentVersion: 'Versjonen som gjeld',
  rules: RULES_NN,
  setupProblems: { fileTooLarge: 'Fila er større enn 5 MB.', formUnreadable: 'Skjemaet kunne ikkje lesast; prøv igjen.', chooseFile: 'Vel eit rekneark (.xlsx) eller ei CSV-fil.' },
  setupNotFound: { title: 'Fann ikkje gruppeoppsettet', text: 'Planen for dette programåret ber ikkje om eit slikt gruppeoppsett.' },
  receipt: 'Kvittering',
  receivedFrom: { before: 'Vi har fått ', after: (m) => ` frå barnehagemyndigheita i ${m}.` },
  cameLate: ' Det kom etter fristen.',
  receiptEmailed: ' Kvitteringa er òg send på e-post.',
  receiptNumber: 'Kvitteringsnummer',
  received: 'Kom inn',
  version: 'Versjon',
  participants: 'Deltakarar',
  backToSetup: 'Tilbake til gruppeoppsettet',
  overviewWindow: (due, lateUntil) => ` Frist ${due}; blir teke imot til ${lateUntil}.`,
  allParticipantsCsv: 'Alle deltakarane som CSV',
  municipalitiesLabel: 'Kommunane',
  overviewColumns: { municipality: 'Kommune', kindergartens: 'Barnehagar', status: 'Status', current: 'Versjonen som gjeld' },
  overviewVersion: (version, when, participants) => `versjon ${version}, ${when}, ${count(participants, 'deltakar', 'deltakarar')}`,
  seeParticipants: 'Sjå deltakarane',

  link: {
    title: 'Lenkja verkar ikkje',
    expiredTitle: 'Lenkja har gått ut',
    expired: 'Personlege lenkjer verkar i 30 dagar. Den neste e-posten frå Årshjul har ei ny lenkje, eller be fylkeskoordinatoren om tilgang.',
    invalid: 'Lenkja er ikkje gyldig. Bruk lenkja i den siste e-posten frå Årshjul, eller be fylkeskoordinatoren om tilgang.',
    runGone: { title: 'Fann ikkje programåret', text: 'Programåret lenkja gjeld, finst ikkje lenger.' },
    signInTitle: 'Logg inn med passord',
    otherRole: (email) => `${email} har alt ein konto i Årshjul med ei anna rolle. Logg inn med passordet ditt.`,
    authorityName: (m) => `Barnehagemyndigheita i ${m}`,
  },
};

/** The recipients' pages in each written standard. */
export const RECIPIENT_PAGE_TEXT: Record<Language, RecipientPageText> = { nb: NB, nn: NN };

/**
 * A problem of a group set-up (worded in bokmål by texts/validation.ts, where the check is made) in the reader's
 * standard: the rule it names is worded again with the same values; a place in the form ("Solbakken barnehage,
 * deltaker 2") among the values is written in that standard too. A problem no group set-up rule words (a refusal of
 * the workflow's) is shown as it came.
 */
export function setupProblemText(issue: { message: string; rule?: { key: string; args: unknown[] } }, language: Language): string {
  if (language === 'nb' || !issue.rule) return issue.message;
  const wording = (RECIPIENT_PAGE_TEXT[language].rules as unknown as Record<string, string | ((...args: unknown[]) => string) | undefined>)[issue.rule.key];
  if (wording === undefined) return issue.message;
  if (typeof wording === 'string') return wording;
  return wording(...issue.rule.args.map((a) => (typeof a === 'string' ? setupSubjectText(a, language) : a)));
}

/** A place in the group set-up form ("Solbakken barnehage, deltaker 2", checkGroupSetup's subject) in the reader's standard. */
export function setupSubjectText(subject: string, language: Language): string {
  return subject.replace(/, deltaker (\d+)$/, (_m, n: string) => `, ${RECIPIENT_PAGE_TEXT[language].participant(n)}`);
}
