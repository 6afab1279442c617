/**
 * What the director reads on the personal upload pages (the form, the receipt, refusals, link problems), in both
 * written standards. The page is in the standard of the kindergarten's municipality, and offers a switch to the other.
 * One interface, so the compiler refuses a text missing in either.
 */
import { DELIVERABLE_STATUS_FOR_DIRECTOR, DELIVERABLE_STATUS_FOR_DIRECTOR_NN } from './catalogue';
import type { Language } from './language';

export interface DirectorPageText {
  /** The switch to the other standard: its label, in that other standard. */
  switchTo: string;
  contactUnknown: string;
  contact: (name: string) => string;
  kindergarten: string;
  deadline: string;
  lateSubmission: string;
  lateUntil: (when: string) => string;
  status: string;
  statuses: Record<string, string>;
  earlier: string;
  noneYet: string;
  latestCounts: string;
  accepted: (when: string) => string;
  returned: (when: string, due: string | null) => string;
  version: (n: string) => string;
  afterDeadline: string;
  notAccepted: string;
  tableLabel: string;
  tableCaption: string;
  columns: { version: string; received: string; files: string; reference: string; verdict: string };
  problems: { empty: string; tooLarge: (mb: number) => string; wrongType: string; suspicious: string };
  messages: { noFiles: string; tooManyFiles: (n: number) => string; badComment: string; idTaken: string; badForm: string };
  notSent: string;
  nothingStored: string;
  withdrawn: string;
  filesLabel: string;
  filesHint: (mb: number, files: number) => string;
  commentLabel: string;
  commentHint: (to: string) => string;
  send: string;
  guidanceHeading: string;
  guidanceOn: (when: string, version: string) => string;
  recipients: { researchCentre: string; authority: string; coordinator: string };
  receipt: string;
  /** Around the deliverable's title (shown in bold) on the receipt. */
  receivedOk: { before: string; after: string };
  cameLate: string;
  receiptNumber: string;
  received: string;
  fileName: string;
  size: string;
  comment: string;
  receiptSent: string;
  back: string;
  refusedTitle: string;
  refusedDefault: string;
  refusedContact: string;
  refusedKept: (ref: string) => string;
  pendingTitle: string;
  pendingText: string;
  tryAgain: string;
  links: Record<'malformed' | 'forged' | 'unknown' | 'revoked' | 'expired', { title: string; text: string }>;
  linkFor: (title: string, kindergarten: string) => string;
  unavailableTitle: string;
  unavailableText: string;
}

const NB: DirectorPageText = {
  switchTo: 'Les sida på nynorsk',
  contactUnknown: 'Spørsmål? Kontakt fylkeskoordinatoren som sendte deg e-posten.',
  contact: (name) => `Spørsmål? Kontakt ${name}, `,
  kindergarten: 'Barnehage',
  deadline: 'Frist',
  lateSubmission: 'Forsinket innlevering',
  lateUntil: (when) => `tas imot til ${when}`,
  status: 'Status',
  statuses: DELIVERABLE_STATUS_FOR_DIRECTOR,
  earlier: 'Tidligere innleveringer',
  noneYet: 'Ingen ennå.',
  latestCounts: 'Den siste versjonen er den som gjelder.',
  accepted: (when) => `Godkjent ${when}`,
  returned: (when, due) => `Sendt tilbake ${when}${due ? `, ny frist ${due}` : ''}`,
  version: (n) => `Versjon ${n}`,
  afterDeadline: ' (etter fristen)',
  notAccepted: 'Ikke tatt imot',
  tableLabel: 'Tabell (kan rulles sidelengs)',
  tableCaption: 'Innleveringer fra barnehagen, eldste først',
  columns: { version: 'Versjon', received: 'Mottatt', files: 'Filer', reference: 'Referanse', verdict: 'Barnehagemyndighetens vurdering' },
  problems: {
    empty: 'filen er tom',
    tooLarge: (mb) => `filen er større enn ${mb} MB`,
    wrongType: 'filen er ikke en PDF-, Word- (DOCX) eller OpenDocument-fil (ODT)',
    suspicious: 'filen ser ut som et dokument, men innholdet er ikke et vanlig dokument',
  },
  messages: {
    noFiles: 'Velg minst én fil å sende inn.',
    tooManyFiles: (n) => `Du kan sende inn høyst ${n} filer om gangen.`,
    badComment: 'Kommentaren kan være på høyst 2000 tegn.',
    idTaken: 'Skjemaet var utløpt. Last inn siden på nytt og prøv igjen.',
    badForm: 'Skjemaet kom ikke fram riktig. Last inn siden på nytt og prøv igjen.',
  },
  notSent: 'Innleveringen ble ikke sendt',
  nothingStored: 'Ingenting er lagret. Rett opp og send inn på nytt.',
  withdrawn: 'Barnehagen er trukket fra programmet. Innleveringer tas ikke imot.',
  filesLabel: 'Filer',
  filesHint: (mb, files) => `PDF, Word (DOCX) eller OpenDocument (ODT), inntil ${mb} MB per fil og ${files} filer.`,
  commentLabel: 'Kommentar (valgfritt)',
  commentHint: (to) => `Til ${to}. Høyst 2000 tegn.`,
  send: 'Send inn',
  guidanceHeading: 'Veiledning fra forskningssenteret',
  guidanceOn: (when, version) => `${when} (på versjon ${version})`,
  recipients: { researchCentre: 'forskningssenteret som gir veiledning', authority: 'barnehagemyndigheten i kommunen', coordinator: 'fylkeskoordinatoren' },
  receipt: 'Kvittering',
  receivedOk: { before: '', after: ' er mottatt.' },
  cameLate: ' Innleveringen kom etter fristen.',
  receiptNumber: 'Kvitteringsnummer',
  received: 'Mottatt',
  fileName: 'Filnavn',
  size: 'Størrelse',
  comment: 'Kommentar',
  receiptSent: 'Kvitteringen er også sendt til deg på e-post. Du kan sende inn en ny versjon fram til fristen.',
  back: 'Tilbake til innleveringen',
  refusedTitle: 'Innleveringen ble ikke tatt imot',
  refusedDefault: 'Innleveringen ble ikke tatt imot.',
  refusedContact: 'Kontakt fylkeskoordinatoren hvis du mener dette er feil, eller hvis dere trenger mer tid.',
  refusedKept: (ref) => `Filene er tatt vare på med referanse ${ref}, merket som ikke tatt imot. Fylkeskoordinatoren kan se dem.`,
  pendingTitle: 'Filene er lagret, men ikke bekreftet ennå',
  pendingText: 'Vi har tatt vare på filene, men fikk ikke bekreftet innleveringen akkurat nå. Vi prøver igjen automatisk. Du kan også prøve selv om litt – du trenger ikke velge filene på nytt.',
  tryAgain: 'Prøv igjen',
  links: {
    malformed: { title: 'Lenken er ikke gyldig', text: 'Lenken er ufullstendig. Kopier hele lenken fra e-posten, eller klikk på den direkte.' },
    forged: { title: 'Lenken er ikke gyldig', text: 'Denne lenken er ikke laget av Årshjul, eller den er endret. Bruk lenken i e-posten du fikk.' },
    unknown: { title: 'Lenken er ikke gyldig', text: 'Vi finner ikke innleveringen lenken gjelder. Bruk lenken i den siste e-posten du fikk.' },
    revoked: { title: 'Lenken er erstattet', text: 'Fylkeskoordinatoren har sendt en ny lenke, så denne virker ikke lenger. Bruk lenken i den nyeste e-posten.' },
    expired: { title: 'Lenken er utløpt', text: 'Fristen for forsinket innlevering er passert, så lenken virker ikke lenger.' },
  },
  linkFor: (title, kindergarten) => `Lenken gjelder ${title} for ${kindergarten}.`,
  unavailableTitle: 'Innleveringen kunne ikke fullføres akkurat nå',
  unavailableText: 'Lagringen hos Årshjul er midlertidig utilgjengelig. Gå tilbake og send skjemaet på nytt om et øyeblikk – det blir ikke registrert to ganger. Du får en kvittering når innleveringen er mottatt.',
};

const NN: DirectorPageText = {
  switchTo: 'Les siden på bokmål',
  contactUnknown: 'Spørsmål? Kontakt fylkeskoordinatoren som sende deg e-posten.',
  contact: (name) => `Spørsmål? Kontakt ${name}, `,
  kindergarten: 'Barnehage',
  deadline: 'Frist',
  lateSubmission: 'Forseinka innlevering',
  lateUntil: (when) => `blir teken imot til ${when}`,
  status: 'Status',
  statuses: DELIVERABLE_STATUS_FOR_DIRECTOR_NN,
  earlier: 'Tidlegare innleveringar',
  noneYet: 'Ingen enno.',
  latestCounts: 'Den siste versjonen er den som gjeld.',
  accepted: (when) => `Godkjend ${when}`,
  returned: (when, due) => `Send tilbake ${when}${due ? `, ny frist ${due}` : ''}`,
  version: (n) => `Versjon ${n}`,
  afterDeadline: ' (etter fristen)',
  notAccepted: 'Ikkje teken imot',
  tableLabel: 'Tabell (kan rullast sidelengs)',
  tableCaption: 'Innleveringar frå barnehagen, eldste først',
  columns: { version: 'Versjon', received: 'Kom inn', files: 'Filer', reference: 'Referanse', verdict: 'Vurderinga til barnehagemyndigheita' },
  problems: {
    empty: 'fila er tom',
    tooLarge: (mb) => `fila er større enn ${mb} MB`,
    wrongType: 'fila er ikkje ei PDF-, Word- (DOCX) eller OpenDocument-fil (ODT)',
    suspicious: 'fila ser ut som eit dokument, men innhaldet er ikkje eit vanleg dokument',
  },
  messages: {
    noFiles: 'Vel minst éi fil å sende inn.',
    tooManyFiles: (n) => `Du kan sende inn høgst ${n} filer om gongen.`,
    badComment: 'Kommentaren kan vere på høgst 2000 teikn.',
    idTaken: 'Skjemaet var gått ut. Last inn sida på nytt og prøv igjen.',
    badForm: 'Skjemaet kom ikkje fram rett. Last inn sida på nytt og prøv igjen.',
  },
  notSent: 'Innleveringa vart ikkje send',
  nothingStored: 'Ingenting er lagra. Rett opp og send inn på nytt.',
  withdrawn: 'Barnehagen er trekt frå programmet. Innleveringar blir ikkje tekne imot.',
  filesLabel: 'Filer',
  filesHint: (mb, files) => `PDF, Word (DOCX) eller OpenDocument (ODT), inntil ${mb} MB per fil og ${files} filer.`,
  commentLabel: 'Kommentar (valfritt)',
  commentHint: (to) => `Til ${to}. Høgst 2000 teikn.`,
  send: 'Send inn',
  guidanceHeading: 'Rettleiing frå forskingssenteret',
  guidanceOn: (when, version) => `${when} (på versjon ${version})`,
  recipients: { researchCentre: 'forskingssenteret som gir rettleiing', authority: 'barnehagemyndigheita i kommunen', coordinator: 'fylkeskoordinatoren' },
  receipt: 'Kvittering',
  receivedOk: { before: 'Vi har fått ', after: '.' },
  cameLate: ' Innleveringa kom etter fristen.',
  receiptNumber: 'Kvitteringsnummer',
  received: 'Kom inn',
  fileName: 'Filnamn',
  size: 'Storleik',
  comment: 'Kommentar',
  receiptSent: 'Kvitteringa er òg send til deg på e-post. Du kan sende inn ein ny versjon fram til fristen.',
  back: 'Tilbake til innleveringa',
  refusedTitle: 'Innleveringa vart ikkje teken imot',
  refusedDefault: 'Innleveringa vart ikkje teken imot.',
  refusedContact: 'Kontakt fylkeskoordinatoren dersom du meiner dette er feil, eller dersom de treng meir tid.',
  refusedKept: (ref) => `Filene er tekne vare på med referanse ${ref}, merkte som ikkje tekne imot. Fylkeskoordinatoren kan sjå dei.`,
  pendingTitle: 'Filene er lagra, men ikkje stadfesta enno',
  pendingText: 'Vi har teke vare på filene, men fekk ikkje stadfesta innleveringa akkurat no. Vi prøver igjen automatisk. Du kan òg prøve sjølv om litt – du treng ikkje velje filene på nytt.',
  tryAgain: 'Prøv igjen',
  links: {
    malformed: { title: 'Lenkja er ikkje gyldig', text: 'Lenkja er ufullstendig. Kopier heile lenkja frå e-posten, eller klikk direkte på ho.' },
    forged: { title: 'Lenkja er ikkje gyldig', text: 'Denne lenkja er ikkje laga av Årshjul, eller ho er endra. Bruk lenkja i e-posten du fekk.' },
    unknown: { title: 'Lenkja er ikkje gyldig', text: 'Vi finn ikkje innleveringa lenkja gjeld. Bruk lenkja i den siste e-posten du fekk.' },
    revoked: { title: 'Lenkja er bytt ut', text: 'Fylkeskoordinatoren har sendt ei ny lenkje, så denne verkar ikkje lenger. Bruk lenkja i den nyaste e-posten.' },
    expired: { title: 'Lenkja har gått ut', text: 'Fristen for forseinka innlevering er passert, så lenkja verkar ikkje lenger.' },
  },
  linkFor: (title, kindergarten) => `Lenkja gjeld ${title} for ${kindergarten}.`,
  unavailableTitle: 'Innleveringa kunne ikkje fullførast akkurat no',
  unavailableText: 'Lagringa hos Årshjul er mellombels utilgjengeleg. Gå tilbake og send skjemaet på nytt om eit augneblink – det blir ikkje registrert to gonger. Du får ei kvittering når innleveringa er komen inn.',
};

/** The director's pages in each written standard. */
export const DIRECTOR_PAGE_TEXT: Record<Language, DirectorPageText> = { nb: NB, nn: NN };
