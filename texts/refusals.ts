import type { Named, Refusal } from '../domain/refusals';
import { formatNorwegian } from './norwegian-format';

/**
 * Every refusal written for the person who asked, in bokmål: the console, the director's upload page, the CLI and the
 * API's JSON all show this text. Titles and names, never ids alone; dates the Norwegian way in Oslo time.
 */
const when = (ms: number) => formatNorwegian(ms);
const quoted = (title: string) => `«${title}»`;
const list = (items: Named[]) => items.map((n) => (n.title && n.title !== n.id ? `${quoted(n.title)} (${n.id})` : n.id)).join(', ');
const place = (where: string | null) => (where ? ` for ${where}` : '');

export function refusalText(refusal: Refusal): string {
  switch (refusal.code) {
    case 'unknown-deliverable':
      return `«${refusal.deliverableId}» er ikke en innlevering i dette programåret. Innleveringene er: ${list(refusal.known)}.`;
    case 'run-cancelled':
      return 'Programåret er avsluttet, og ingenting mer samles inn eller endres.';
    case 'kindergarten-withdrawn':
      return `Barnehagen ble trukket fra programmet ${when(refusal.at)}${refusal.reason ? ` (${refusal.reason})` : ''}, og tar ikke imot flere innleveringer eller endringer.`;
    case 'not-open-yet':
      return `Det er for tidlig: ${quoted(refusal.deliverable)} åpner for innlevering ${when(refusal.opensAt)}.`;
    case 'late-window-closed':
      return `Det er for sent: fristen for ${quoted(refusal.deliverable)} var ${when(refusal.dueAt)}, og sene innleveringer ble tatt imot til ${when(refusal.lateUntil)}.`;
    case 'submission-incomplete':
      return refusal.missing === 'files' ? 'En innlevering må ha minst én fil.' : 'Innleveringen mangler sitt nummer; send skjemaet på nytt.';
    case 'received-in-future':
      return `Tidspunktet innleveringen ble mottatt (${when(refusal.receivedAt)}) ligger fram i tid; klokkene til tjenestene stemmer ikke overens. Kontakt driftsansvarlig.`;
    case 'received-before-joining':
      return `Tidspunktet innleveringen ble mottatt (${when(refusal.receivedAt)}) er før barnehagen ble med i programmet (${when(refusal.joinedAt)}).`;
    case 'deadline-in-past':
      return `Den nye fristen, ${when(refusal.dueAt)}, har allerede vært.`;
    case 'extension-not-later':
      return `En forlenget frist må være senere enn fristen som gjelder nå for ${quoted(refusal.deliverable)}: ${when(refusal.currentDueAt)}.`;
    case 'extension-out-of-order':
      return `Påminnelser må komme før den nye fristen for ${quoted(refusal.deliverable)}, og varsel og sen innlevering etter den.`;
    case 'review-not-authority':
      return `${quoted(refusal.deliverable)} går ikke til barnehagemyndigheten, så den vurderes ikke her.`;
    case 'review-not-latest':
      return `Bare den siste innsendte versjonen av ${quoted(refusal.deliverable)} kan vurderes. Last siden på nytt.`;
    case 'review-already-given':
      return `Versjon ${refusal.version} av ${quoted(refusal.deliverable)} er allerede vurdert.`;
    case 'review-comment-missing':
      return `Skriv hvorfor ${quoted(refusal.deliverable)} sendes tilbake: styreren får kommentaren.`;
    case 'guidance-not-asked':
      return `Planen ber ikke om veiledning på ${quoted(refusal.deliverable)}.`;
    case 'guidance-nothing-submitted':
      return `${refusal.kindergarten} har ikke levert ${quoted(refusal.deliverable)} ennå, så det er ingenting å gi veiledning på.`;
    case 'guidance-text-missing':
      return 'Skriv veiledningen: styreren får teksten på e-post.';
    case 'guidance-too-long':
      return `Veiledningen kan være høyst ${refusal.max.toLocaleString('nb-NO')} tegn; legg lengre tekst ved som fil.`;
    case 'plan-changed-meanwhile':
      return `Planen er endret av noen andre i mellomtiden (nå versjon ${refusal.revision}, du så versjon ${refusal.basedOn}). Last siden på nytt og prøv igjen.`;
    case 'unknown-milestone':
      return `«${refusal.milestoneId}» er ikke en milepæl i dette programåret.`;
    case 'unknown-region':
      return `«${refusal.regionId}» er ikke en region i dette programåret. Regionene er: ${list(refusal.known)}.`;
    case 'nothing-moves':
      return `Ingenting endres: ${quoted(refusal.milestone)} er allerede på det tidspunktet.`;
    case 'already-took-place':
      return `${quoted(refusal.milestone)}${place(refusal.where)} var ${when(refusal.at)} og kan ikke flyttes lenger.`;
    case 'new-date-in-past':
      return `Det nye tidspunktet for ${quoted(refusal.milestone)}${place(refusal.where)}, ${when(refusal.at)}, har allerede vært.`;
    case 'invalid-orgnr':
      return `«${refusal.orgnr}» er ikke et organisasjonsnummer; det har ni sifre.`;
    case 'year-over':
      return `Programåret sluttet ${when(refusal.endedAt)}; det er ingenting igjen å bli med på.`;
    case 'already-withdrawn':
      return `Barnehagen ${refusal.kindergarten} er allerede trukket.`;
    case 'not-in-run':
      return `Barnehagen ${refusal.kindergarten} er ikke lenger aktiv i dette programåret.`;
    case 'kindergarten-in-run':
      return `Barnehagen ${refusal.kindergarten} er allerede med i programåret.`;
    case 'unknown-municipality':
      return `Kommunen «${refusal.municipalityId}» er ikke med i programårets deltakerliste.`;
    case 'group-needed':
      return `Regionen «${refusal.regionId}» har flere workshopgrupper; velg én av: ${refusal.groups.join(', ')}.`;
    case 'already-paused':
      return 'Programåret er allerede satt på pause.';
    case 'not-paused':
      return 'Programåret er ikke satt på pause.';
    case 'run-exists':
      return `Programåret ${refusal.runId} finnes allerede. Avslutt det, eller endre skoleår eller fylke i planen.`;
    case 'plan-year-over':
      return `Planens programår sluttet ${when(refusal.endedAt)}. Lag en plan for et nytt skoleår først: arshjul plan new --from <plan> --year <skoleår>.`;
    case 'no-submissions-taken':
      return `${refusal.kindergarten} er ${refusal.state === 'withdrawn' ? 'trukket fra programmet' : 'avsluttet'} og tar ikke imot innleveringer.`;
    case 'contact-unchanged':
      return `Ingenting endres: ${refusal.who} har allerede dette navnet og denne e-postadressen.`;
    case 'nobody-to-message':
      return `Alle barnehagene som er med, har levert ${quoted(refusal.deliverable)}; det er ingen å sende meldingen til.`;
    case 'deliverable-not-open':
      return `${quoted(refusal.deliverable)} åpner ikke før ${when(refusal.opensAt)}; en melding til dem som ikke har levert, kan sendes når den er åpnet.`;
    case 'link-window-closed':
      return `Sene innleveringer av ${quoted(refusal.deliverable)} ble stengt ${when(refusal.lateUntil)}. Forleng fristen først.`;
  }
}
