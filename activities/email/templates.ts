/**
 * Email templates for the Årshjul: one table of template definitions per written standard (subject builder + body
 * paragraphs builder; bokmål here, nynorsk in `templates-nn.ts`) and one renderer that turns the same paragraphs into a
 * plain-text part and a minimal HTML document. A recipient reads the standard its municipality chose (the roster's
 * `language`); all times are written the Norwegian way in Oslo time ("torsdag 18. januar 2018 kl. 09.00").
 */
import { isTemplateId } from '../../domain/email-templates';
import { esc } from '../../texts/html';
import { type Language, languageOf } from '../../texts/language';
import { OSLO, formatFileSize, formatNorwegian } from '../../texts/norwegian-format';
import {
  type EmailContext,
  type RenderedEmail,
  type Inline,
  type Paragraph,
  type TemplateDefinition,
  type TemplateTable,
  forKindergarten,
  link,
  milestoneFacts,
  milestoneSubject,
  milestoneTime,
  need,
  quoted,
  receiptFacts,
  roleText,
  schoolYearLabel,
  subjectOf,
  uploadParagraph,
  when,
  words,
} from './template-parts';
import { TEMPLATES_NN } from './templates-nn';

export type { EmailContext, RecipientRole, RenderedEmail } from './template-parts';

// ---------------------------------------------------------------------------------------------------------------
// The template table

/** Every template in bokmål. */
const TEMPLATES_NB = {
  'survey-information': {
    subject: (ctx) => subjectOf(ctx, 'Informasjon om spørreundersøkelsen blant de ansatte'),
    body: (ctx) => [
      [
        `I barnehageåret ${schoolYearLabel(ctx)} gjennomfører ${ctx.programme} en spørreundersøkelse blant de ansatte i barnehagene i ${ctx.countyName}. ` +
          'Undersøkelsen er utviklet av SePU (Senter for praksisrettet utdanningsforskning), og svarene blir grunnlaget for utviklingsarbeidet i barnehagen.',
      ],
      milestoneFacts(ctx),
      [`Vi ber deg informere personalet allerede nå, slik at flest mulig svarer når undersøkelsen starter ${milestoneTime(ctx)}. Alle svar er anonyme.`],
      ['Du får en egen e-post med praktisk informasjon når portalen åpner.'],
    ],
  },
  'gathering-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til '),
    body: (ctx) => [
      [`Vi har gleden av å invitere til regional samling i ${ctx.programme}. Her møtes barnehagene i regionen for faglig påfyll og erfaringsdeling.`],
      milestoneFacts(ctx),
      ['Sett av tiden allerede nå, og sørg for at barnehagen er representert. Vi gleder oss til å se dere!'],
    ],
  },
  'portal-opens': {
    subject: (ctx) => subjectOf(ctx, `Portalen for spørreundersøkelsen åpner ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [`Portalen for spørreundersøkelsen blant de ansatte åpner ${milestoneTime(ctx)}. Fra da kan alle ansatte i barnehagen svare.`],
      milestoneFacts(ctx),
      ['Sett gjerne av tid i arbeidstiden, for eksempel på et personalmøte, slik at alle får svart. Svarene er anonyme.'],
    ],
  },
  'kick-off-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til felles oppstart: '),
    body: (ctx) => [
      [`Velkommen til felles oppstart av ${ctx.programme} i ${ctx.countyName} for barnehageåret ${schoolYearLabel(ctx)}!`],
      ['På oppstartssamlingen får dere en innføring i programmet, årshjulet for året og hva som forventes av barnehagene underveis.'],
      milestoneFacts(ctx),
      ['Vi ser fram til å møte dere!'],
    ],
  },
  'survey-reminder': {
    subject: (ctx) => subjectOf(ctx, 'Påminnelse om spørreundersøkelsen blant de ansatte'),
    body: (ctx) => [
      ['Dette er en vennlig påminnelse om spørreundersøkelsen blant de ansatte.'],
      [`Vi ber deg oppfordre alle ansatte som ikke har svart ennå, til å svare innen ${milestoneTime(ctx)}. Jo flere som svarer, desto mer nyttige blir resultatene for barnehagen.`],
      milestoneFacts(ctx),
    ],
  },
  'group-setup-deadline': {
    subject: (ctx) => subjectOf(ctx, `Frist for gruppeoppsett til kompetansepakken ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [
        `Før kompetansepakken starter, trenger vi gruppeoppsettet${ctx.municipality ? ` for ${ctx.municipality.name}` : ' fra kommunen'}: ` +
          'hvilke deltakere som skal være i hvilken gruppe, med e-postadressen til hver deltaker.',
      ],
      [`Send oppsettet til ${ctx.coordinator.name} (${ctx.coordinator.email}) innen ${milestoneTime(ctx)}.`],
      ['E-postadressene brukes til å sende aktiveringsmail til deltakerne, så sjekk gjerne at de er riktige.'],
    ],
  },
  'portal-closes': {
    subject: (ctx) => subjectOf(ctx, `Portalen for spørreundersøkelsen stenger ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [`Portalen for spørreundersøkelsen stenger ${milestoneTime(ctx)}. Etter dette er det ikke lenger mulig å svare.`],
      ['Minn gjerne de ansatte som ikke har svart ennå, på å gjøre det i god tid før fristen.'],
    ],
  },
  'response-rate-check': {
    subject: (ctx) => subjectOf(ctx, 'Vurder svarprosenten før resultatportalen åpner'),
    body: (ctx) => [
      ['Før resultatportalen åpner, skal svarprosenten i spørreundersøkelsen vurderes for hver barnehage, slik at ingen resultater vises der for få har svart til at anonymiteten er ivaretatt.'],
      [`Gå gjennom svarprosentene og gi beskjed om barnehager som må følges opp innen ${milestoneTime(ctx)}.`],
      milestoneFacts(ctx),
    ],
  },
  'result-portal-opens': {
    subject: (ctx) => subjectOf(ctx, 'Resultatportalen er åpen'),
    body: (ctx) => [
      [`Resultatene fra spørreundersøkelsen er klare. Resultatportalen åpner ${milestoneTime(ctx)}, og der finner du resultatene for barnehagen din.`],
      ['I portalen ligger også en brukerveiledning som viser hvordan du logger inn, leser resultatene og kan bruke dem sammen med personalet. Les den gjerne før dere går i gang.'],
    ],
  },
  'competence-package-information': {
    subject: (ctx) => subjectOf(ctx, 'Informasjon om kompetansepakken'),
    body: (ctx) => [
      [`Barnehagen deltar i kompetansepakken i ${ctx.programme}. Personalet arbeider med pakken i grupper, og hver gruppe har en fast veileder.`],
      ['Hver deltaker er plassert i en gruppe og får en aktiveringsmail med lenke for å ta i bruk brukeren sin. Be deltakerne sjekke søppelpost hvis e-posten ikke har kommet.'],
      [`Kompetansepakken starter ${milestoneTime(ctx)}.`],
      milestoneFacts(ctx),
    ],
  },
  'director-meeting-reminder': {
    subject: (ctx) => subjectOf(ctx, 'Husk møtet med styrerne før workshop 1'),
    body: (ctx) => [
      ['Som barnehagemyndighet skal kommunen ha et møte med styrerne før workshop 1, der dere går gjennom resultatene fra spørreundersøkelsen og forbereder arbeidet på workshopen.'],
      [`Vi ber om at møtet holdes innen ${milestoneTime(ctx)}.`],
    ],
  },
  'workshop-invitation': {
    subject: (ctx) => milestoneSubject(ctx, ''),
    body: (ctx) => [
      [`Velkommen til ${quoted(need(ctx, 'milestone').title)}! På workshopen jobber dere videre med utviklingsarbeidet i barnehagen, med utgangspunkt i resultatene fra spørreundersøkelsen.`],
      milestoneFacts(ctx),
      ['Vi gleder oss til en inspirerende dag sammen med dere.'],
    ],
  },
  'invitation-cancelled': {
    subject: (ctx) => milestoneSubject(ctx, 'Avlyst: '),
    body: (ctx) => [
      [`${need(ctx, 'kindergarten').name} er trukket fra ${ctx.programme}, og invitasjonen til ${quoted(need(ctx, 'milestone').title)} gjelder derfor ikke lenger. Kalenderoppføringen fjernes.`],
      milestoneFacts(ctx),
      [`Ta kontakt med ${ctx.coordinator.name} hvis dette ikke stemmer.`],
    ],
  },
  'learning-report-day-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til fagdag: '),
    body: (ctx) => [
      [`Vi inviterer til fagdag i ${ctx.programme}. På fagdagen presenteres læringsrapportene for hver region, og barnehagene deler erfaringer fra arbeidet gjennom året.`],
      milestoneFacts(ctx),
      ['Vi ser fram til en lærerik dag!'],
    ],
  },
  'authority-meeting-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til '),
    body: (ctx) => [
      [`Vi inviterer barnehagemyndighetene i kommunene til regionalt møte i ${ctx.programme}. Her ser vi på status i programmet, resultatene i regionen og veien videre.`],
      milestoneFacts(ctx),
      [`Gi beskjed til ${ctx.coordinator.name} hvis kommunen ikke kan stille.`],
    ],
  },
  'booklet-information': {
    subject: (ctx) => subjectOf(ctx, 'Bidrag til heftet som presenterer barnehagene'),
    body: (ctx) => [
      [`I høst lager vi et hefte som presenterer barnehagene i ${ctx.programme} i ${ctx.countyName}. Vi ber hver barnehage sende en kort presentasjon av seg selv, gjerne med bilder.`],
      [`Send materialet til ${ctx.coordinator.name} (${ctx.coordinator.email}) innen ${milestoneTime(ctx)}.`],
      ['Husk samtykke fra foreldrene for bilder der barn kan kjennes igjen.'],
    ],
  },
  'milestone-notice': {
    subject: (ctx) => milestoneSubject(ctx, ''),
    body: (ctx) => [
      [`Her er en melding om ${quoted(need(ctx, 'milestone').title)} i ${ctx.programme}.`],
      milestoneFacts(ctx),
    ],
  },
  'deliverable-prompt': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      return subjectOf(ctx, `${d.title} – frist ${when(ctx).dayMonth(d.dueAt)}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Nå kan du sende inn ${quoted(d.title)}${forKindergarten(ctx)}. Innleveringen går til ${d.recipientLabel}.`],
        [`Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
      ];
    },
  },
  'deliverable-reminder': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      return subjectOf(ctx, `Påminnelse: ${d.title} – frist ${when(ctx).dayMonth(d.dueAt)}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har ennå ikke mottatt ${quoted(d.title)}${forKindergarten(ctx)}. Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
        ['Har du nettopp sendt inn, kan du se bort fra denne påminnelsen.'],
      ];
    },
  },
  'deliverable-escalation': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      const k = need(ctx, 'kindergarten');
      return subjectOf(ctx, `${k.name} har ikke levert ${d.title}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const k = need(ctx, 'kindergarten');
      const w = when(ctx);
      return [
        [`${k.name} i ${k.municipalityName} har ikke levert ${quoted(d.title)}, som hadde frist ${w.dateTime(d.dueAt)}.`],
        ['Vi gir beskjed til dere som barnehagemyndighet, slik at dere kan følge opp barnehagen.'],
        [`Forsinket innlevering tas imot fram til ${w.dateTime(d.lateUntil)}.`],
        ...(ctx.signInUrl ? [['Se status for barnehagene deres i Årshjul (personlig lenke): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'authority-digest': {
    subject: (ctx) => {
      const d = need(ctx, 'digest');
      const news = d.lines.filter((l) => l.isNew).length;
      return subjectOf(ctx, `Sammendrag for ${ctx.municipality?.name ?? 'kommunen'} ${formatNorwegian(`${d.day}T12:00:00`, 'dayMonth', ctx.timezone || OSLO, 'nb')}: ${news === 1 ? 'én innlevering' : `${news} innleveringer`} mangler`);
    },
    body: (ctx) => {
      const d = need(ctx, 'digest');
      const w = when(ctx);
      const line = (l: (typeof d.lines)[number]) =>
        l.status === 'open'
          ? `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)}`
          : l.status === 'missed'
            ? `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)} – ikke levert, og forsinket innlevering er stengt`
            : `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)} – forsinket innlevering tas imot til ${w.dateTime(l.lateUntil)}`;
      const section = (heading: string, lines: typeof d.lines): Paragraph[] => (lines.length ? [[`${heading}\n${lines.map(line).join('\n')}`]] : []);
      return [
        [
          `Her er dagens sammendrag for barnehagene i ${ctx.municipality?.name ?? 'kommunen'}. Vi samler alt som gjelder dere i én e-post om dagen, ` +
            'i stedet for ett varsel per barnehage, slik at dere kan følge opp barnehagene samlet.',
        ],
        ...section('Nytt siden forrige sammendrag – fristen er passert, og barnehagen har ikke levert:', d.lines.filter((l) => l.isNew)),
        ...section('Fortsatt ikke levert etter fristen:', d.lines.filter((l) => !l.isNew && l.status !== 'open')),
        ...section('Frist de neste sju dagene, ikke levert ennå:', d.lines.filter((l) => !l.isNew && l.status === 'open')),
        ...(ctx.signInUrl ? [['Se status for barnehagene deres i Årshjul (personlig lenke, ingen passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'submission-receipt': {
    subject: (ctx) => {
      const s = need(ctx, 'submission');
      return subjectOf(ctx, `Kvittering${s.receiptNumber ? ` ${s.receiptNumber}` : ''}: ${need(ctx, 'deliverable').title} er mottatt`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har mottatt ${quoted(d.title)}${forKindergarten(ctx)}. Innleveringen går videre til ${d.recipientLabel}.`],
        ...receiptFacts(ctx),
        ['Du kan sende inn en ny versjon fram til fristen. Den siste versjonen er den som gjelder.'],
        ...(ctx.uploadUrl ? [['Innleveringssiden: ', link(ctx.uploadUrl)] as Paragraph] : []),
      ];
    },
  },
  'submission-received': {
    subject: (ctx) => subjectOf(ctx, `${need(ctx, 'kindergarten').name} har levert ${need(ctx, 'deliverable').title}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const k = need(ctx, 'kindergarten');
      const s = need(ctx, 'submission');
      return [
        [`${k.name} i ${k.municipalityName} har levert ${quoted(d.title)}.`],
        ...receiptFacts(ctx),
        ...(s.comment ? [[`Kommentar fra barnehagen:\n${s.comment}`] as Paragraph] : []),
        ctx.signInUrl
          ? ['Se innleveringen og last ned filene i Årshjul (personlig lenke, ingen passord): ', link(ctx.signInUrl)]
          : ['Dere henter filene med deres egen tilgangsnøkkel i Årshjul: ', link(need(ctx, 'downloadUrl'))],
      ];
    },
  },
  'submission-accepted': {
    subject: (ctx) => subjectOf(ctx, `${need(ctx, 'deliverable').title} er godkjent av barnehagemyndigheten`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const r = need(ctx, 'review');
      return [
        [`Barnehagemyndigheten${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} har gått gjennom ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${r.version}) og godkjent den ${when(ctx).dateTime(r.at)}.`],
        ...(r.comment ? [[`Kommentar fra barnehagemyndigheten:\n${r.comment}`] as Paragraph] : []),
        ['Du trenger ikke gjøre noe mer med denne innleveringen.'],
      ];
    },
  },
  'submission-returned': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      return subjectOf(ctx, `${d.title} er sendt tilbake til revisjon – ny frist ${when(ctx).dayMonth(d.dueAt)}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const r = need(ctx, 'review');
      return [
        [`Barnehagemyndigheten${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} har gått gjennom ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${r.version}) og sender den tilbake til revisjon.`],
        [`Kommentar fra barnehagemyndigheten:\n${r.comment ?? ''}`],
        [`Send inn en ny versjon innen ${when(ctx).dateTime(d.dueAt)}. Forsinket innlevering tas imot fram til ${when(ctx).dateTime(d.lateUntil)}. Den forrige versjonen ligger fortsatt i historikken.`],
        uploadParagraph(ctx),
      ];
    },
  },
  'guidance-given': {
    subject: (ctx) => subjectOf(ctx, `Veiledning fra ${ctx.deliverable?.recipientLabel ?? 'forskningssenteret'} på ${need(ctx, 'deliverable').title}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const g = need(ctx, 'guidance');
      return [
        [`${d.recipientLabel} har lest ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${g.version}) og gir denne veiledningen ${when(ctx).dateTime(g.at)}:`],
        ...g.text.split(/\r?\n\s*\r?\n/).map((p): Paragraph => [p.trim()]).filter((p) => p[0] !== ''),
        ...(g.files.length > 0
          ? [[`Vedlegg til veiledningen (også lagt ved denne e-posten):\n${g.files.map((f) => `${f.name} (${formatFileSize(f.size)})`).join('\n')}`] as Paragraph]
          : []),
        ['Ta med veiledningen inn i arbeidet med analysen fram mot neste workshop.'],
        ...(ctx.uploadUrl ? [['Veiledningen og innleveringene deres ligger også på innleveringssiden: ', link(ctx.uploadUrl)] as Paragraph] : []),
      ];
    },
  },
  'guidance-reminder': {
    subject: (ctx) => {
      const lines = need(ctx, 'guidanceReminder').lines;
      const late = lines.filter((l) => l.late).length;
      return subjectOf(ctx, `Veiledning som gjenstår: ${lines.length === 1 ? 'én barnehage' : `${lines.length} barnehager`}${late > 0 ? `, ${late} forsinket` : ''}`);
    },
    body: (ctx) => {
      const lines = need(ctx, 'guidanceReminder').lines;
      const w = when(ctx);
      const line = (l: (typeof lines)[number]) =>
        `• ${l.kindergarten} (${l.municipality}${l.place ? `, ${l.place}` : ''}): ${quoted(l.deliverable)}, levert ${w.dateTime(l.submittedAt)} – veiledning ${l.late ? 'skulle vært gitt' : 'gis innen'} ${w.dateTime(l.dueAt)}`;
      const section = (heading: string, items: typeof lines): Paragraph[] => (items.length ? [[`${heading}\n${items.map(line).join('\n')}`]] : []);
      return [
        ['Disse barnehagene har levert og venter på veiledning fra dere. Vi samler alt som gjenstår i én e-post.'],
        ...section('Forsinket:', lines.filter((l) => l.late)),
        ...section('Venter på veiledning:', lines.filter((l) => !l.late)),
        ...(ctx.signInUrl ? [['Skriv veiledningen på innleveringens side i Årshjul (personlig lenke, ingen passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'participant-information': {
    subject: (ctx) => subjectOf(ctx, 'Du er med i kompetansepakken'),
    body: (ctx) => [
      [`Du er meldt på kompetansepakken i ${ctx.programme}${ctx.kindergarten ? ` fra ${ctx.kindergarten.name}` : ''}. Barnehagemyndigheten i kommunen har satt opp gruppene, og hver gruppe har en fast veileder.`],
      ['Du får en egen aktiveringsmail med lenke for å ta i bruk brukeren din. Sjekk søppelposten hvis den ikke har kommet i løpet av noen dager.'],
      [`Kompetansepakken starter ${milestoneTime(ctx)}. Invitasjonene til workshopene kommer på e-post, med kalenderoppføring.`],
      milestoneFacts(ctx),
    ],
  },
  'participant-removed': {
    subject: (ctx) => milestoneSubject(ctx, 'Avlyst for deg: '),
    body: (ctx) => [
      [`Du står ikke lenger i gruppeoppsettet for kompetansepakken${ctx.kindergarten ? ` fra ${ctx.kindergarten.name}` : ''}, og invitasjonen til ${quoted(need(ctx, 'milestone').title)} gjelder derfor ikke lenger for deg. Kalenderoppføringen fjernes.`],
      ['Er dette feil, ta kontakt med barnehagemyndigheten i kommunen.'],
    ],
  },
  'group-setup-prompt': {
    subject: (ctx) => subjectOf(ctx, `Send gruppeoppsettet til kompetansepakken innen ${when(ctx).dayMonth(need(ctx, 'deliverable').dueAt)}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const minimum = ctx.groupSetup?.minimumParticipants ?? 2;
      return [
        [`Barnehagemyndigheten${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} avklarer hvem som deltar på kompetansepakken fra hver av barnehagene deres, og sender ${quoted(d.title)} med navn og e-postadresse til ${d.recipientLabel}.`],
        [`Fra hver barnehage skal minst ${minimum} delta: styreren, og stedfortredende styrer eller en pedagogisk leder. Deltakerne får selv informasjonen om kompetansepakken og invitasjonene til workshopene.`],
        [`Fristen er ${when(ctx).dateTime(d.dueAt)}. Dere kan fylle ut skjemaet i Årshjul eller laste opp et regneark (mal på siden). Dere kan sende en ny versjon fram til ${when(ctx).dateTime(d.lateUntil)}; den siste gjelder.`],
        ...(ctx.signInUrl ? [['Send gruppeoppsettet i Årshjul (personlig lenke, ingen passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'group-setup-reminder': {
    subject: (ctx) => subjectOf(ctx, `Påminnelse: gruppeoppsettet til kompetansepakken, frist ${when(ctx).dayMonth(need(ctx, 'deliverable').dueAt)}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har ennå ikke fått ${quoted(d.title)} fra barnehagemyndigheten${ctx.municipality ? ` i ${ctx.municipality.name}` : ''}. Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        [`Gruppeoppsettet gir navn, e-postadresse og rolle for deltakerne fra hver barnehage, minst ${ctx.groupSetup?.minimumParticipants ?? 2}, styreren blant dem.`],
        ...(ctx.signInUrl ? [['Send gruppeoppsettet i Årshjul (personlig lenke, ingen passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'group-setup-escalation': {
    subject: (ctx) => {
      const missing = need(ctx, 'groupSetup').missing ?? [];
      return subjectOf(ctx, `${missing.length === 1 ? 'Én kommune' : `${missing.length} kommuner`} har ikke sendt gruppeoppsettet`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const missing = need(ctx, 'groupSetup').missing ?? [];
      return [
        [`Fristen for ${quoted(d.title)} var ${when(ctx).dateTime(d.dueAt)}. Disse barnehagemyndighetene har ikke sendt det:`],
        [missing.map((m) => `• ${m.municipality} (${m.authority})`).join('\n')],
        [`Gruppeoppsett tas imot fram til ${when(ctx).dateTime(d.lateUntil)}. Oversikten står på programårets side i konsollen.`],
      ];
    },
  },
  'group-setup-receipt': {
    subject: (ctx) => {
      const g = need(ctx, 'groupSetup');
      return subjectOf(ctx, `Kvittering${g.receiptNumber ? ` ${g.receiptNumber}` : ''}: gruppeoppsettet er mottatt`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const g = need(ctx, 'groupSetup');
      const kindergartens = g.kindergartens ?? [];
      return [
        [`Vi har mottatt ${quoted(d.title)} fra barnehagemyndigheten${ctx.municipality ? ` i ${ctx.municipality.name}` : ''}.`],
        [[`Kvitteringsnummer: ${g.receiptNumber ?? ''}`, `Mottatt: ${g.at ? when(ctx).dateTime(g.at) : ''}${g.late ? ' (etter fristen)' : ''}`, `Versjon: ${g.version ?? ''}`].join('\n')],
        ...kindergartens.map((k): Paragraph => [`${k.name}:\n${k.participants.map((p) => `• ${p.name}, ${roleText(ctx, p.role)}, ${p.email}`).join('\n')}`]),
        [`Dere kan sende en ny versjon fram til ${when(ctx).dateTime(d.lateUntil)}; den siste gjelder.`],
        ...(ctx.signInUrl ? [['Gruppeoppsettet i Årshjul (personlig lenke): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'upload-link-reissued': {
    subject: (ctx) => subjectOf(ctx, `Ny lenke for innlevering av ${need(ctx, 'deliverable').title}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Her er en ny personlig lenke for å sende inn ${quoted(d.title)}${forKindergarten(ctx)}. Lenker du har fått tidligere, virker ikke lenger.`],
        [`Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
      ];
    },
  },
  'coordinator-message': {
    subject: (ctx) => subjectOf(ctx, need(ctx, 'message').subject),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        ...need(ctx, 'message').text.split(/\r?\n\s*\r?\n/).map((p): Paragraph => [p.trim()]).filter((p) => p[0] !== ''),
        [`Fristen for ${quoted(d.title)} er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
      ];
    },
  },
} satisfies TemplateTable;

// ---------------------------------------------------------------------------------------------------------------
// Rendering

/** Both written standards' tables. */
export const TEMPLATES: Record<Language, TemplateTable> = { nb: TEMPLATES_NB, nn: TEMPLATES_NN };

/** Replaces control characters (CR, LF, tab, NUL, C1, line/paragraph separators) by spaces, collapses runs, trims. */
function sanitizeSubject(subject: string): string {
   
  return subject.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/ {2,}/g, ' ').trim();
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

function assertSafeHref(href: string): string {
  let protocol: string;
  try {
    protocol = new URL(href).protocol;
  } catch {
    throw new Error(`invalid link "${href}": not an absolute URL`);
  }
  if (!SAFE_PROTOCOLS.has(protocol)) throw new Error(`invalid link "${href}": only http, https and mailto links are allowed`);
  return href;
}

function inlineText(part: Inline): string {
  if (typeof part === 'string') return part;
  return part.href === part.label || part.href === `mailto:${part.label}` ? part.label : `${part.label} (${part.href})`;
}

function inlineHtml(part: Inline): string {
  const html =
    typeof part === 'string'
      ? esc(part)
      : // A link written out (a personal upload link is some 200 characters) may break anywhere, so a phone's mail
        // client does not scroll sideways.
        `<a href="${esc(assertSafeHref(part.href))}"${part.label === part.href ? ' style="word-break:break-all;overflow-wrap:anywhere"' : ''}>${esc(part.label)}</a>`;
  return html.replace(/\r?\n/g, '<br>\n');
}

function greeting(ctx: EmailContext): Paragraph {
  return [`${words(ctx).hello} ${ctx.recipient.name},`];
}

function signature(ctx: EmailContext): Paragraph {
  const { name, email } = ctx.coordinator;
  return [`${words(ctx).regards}\n${name}\n`, link(`mailto:${email}`, email), `\n${ctx.programme}, ${ctx.countyName}`];
}

function renderText(paragraphs: Paragraph[]): string {
  return `${paragraphs.map((p) => p.map(inlineText).join('')).join('\n\n')}\n`;
}

function renderHtml(subject: string, paragraphs: Paragraph[], language: Language): string {
  const body = paragraphs.map((p) => `<p>${p.map(inlineHtml).join('')}</p>`).join('\n');
  return [
    '<!doctype html>',
    `<html lang="${language}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(subject)}</title>`,
    '</head>',
    '<body style="overflow-wrap:break-word">',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Renders the context's template into a subject, a plain-text part and an HTML part; throws on an unknown template or missing context. */
export function renderEmail(ctx: EmailContext): RenderedEmail {
  if (!isTemplateId(ctx.template)) throw new Error(`unknown email template "${ctx.template}"`);
  const language = languageOf(ctx.language);
  const definition: TemplateDefinition = TEMPLATES[language][ctx.template];
  const subject = sanitizeSubject(definition.subject(ctx));
  const paragraphs = [greeting(ctx), ...definition.body(ctx), signature(ctx)];
  return { subject, text: renderText(paragraphs), html: renderHtml(subject, paragraphs, language) };
}
