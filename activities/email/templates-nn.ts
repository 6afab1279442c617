/**
 * Every email template in nynorsk, for the municipalities that have chosen it (the roster's `language: nn`): their
 * authorities, their kindergartens' directors and the participants of the competence package. The same templates as
 * the bokmål table in `templates.ts`, written as a nynorsk reader expects, not word for word; the compiler checks that
 * none is missing, and a test that none holds a bokmål form.
 */
import { formatFileSize, formatNorwegian, OSLO } from '../../texts/norwegian-format';
import {
  type Paragraph,
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
} from './template-parts';

export const TEMPLATES_NN: TemplateTable = {
  'survey-information': {
    subject: (ctx) => subjectOf(ctx, 'Informasjon om spørjeundersøkinga blant dei tilsette'),
    body: (ctx) => [
      [
        `I barnehageåret ${schoolYearLabel(ctx)} gjennomfører ${ctx.programme} ei spørjeundersøking blant dei tilsette i barnehagane i ${ctx.countyName}. ` +
          'Undersøkinga er utvikla av SePU (Senter for praksisretta utdanningsforsking), og svara blir grunnlaget for utviklingsarbeidet i barnehagen.',
      ],
      milestoneFacts(ctx),
      [`Vi ber deg informere personalet allereie no, slik at flest mogleg svarer når undersøkinga startar ${milestoneTime(ctx)}. Alle svar er anonyme.`],
      ['Du får ein eigen e-post med praktisk informasjon når portalen opnar.'],
    ],
  },
  'gathering-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til '),
    body: (ctx) => [
      [`Vi har gleda av å invitere til regional samling i ${ctx.programme}. Her møtest barnehagane i regionen for fagleg påfyll og erfaringsdeling.`],
      milestoneFacts(ctx),
      ['Set av tida allereie no, og sørg for at barnehagen er representert. Vi gler oss til å sjå dykk!'],
    ],
  },
  'portal-opens': {
    subject: (ctx) => subjectOf(ctx, `Portalen for spørjeundersøkinga opnar ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [`Portalen for spørjeundersøkinga blant dei tilsette opnar ${milestoneTime(ctx)}. Frå då kan alle tilsette i barnehagen svare.`],
      milestoneFacts(ctx),
      ['Set gjerne av tid i arbeidstida, til dømes på eit personalmøte, slik at alle får svart. Svara er anonyme.'],
    ],
  },
  'kick-off-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til felles oppstart: '),
    body: (ctx) => [
      [`Velkomen til felles oppstart av ${ctx.programme} i ${ctx.countyName} for barnehageåret ${schoolYearLabel(ctx)}!`],
      ['På oppstartssamlinga får de ei innføring i programmet, årshjulet for året og kva som er venta av barnehagane undervegs.'],
      milestoneFacts(ctx),
      ['Vi ser fram til å møte dykk!'],
    ],
  },
  'survey-reminder': {
    subject: (ctx) => subjectOf(ctx, 'Påminning om spørjeundersøkinga blant dei tilsette'),
    body: (ctx) => [
      ['Dette er ei venleg påminning om spørjeundersøkinga blant dei tilsette.'],
      [`Vi ber deg oppmode alle tilsette som ikkje har svart enno, om å svare innan ${milestoneTime(ctx)}. Di fleire som svarer, di nyttigare blir resultata for barnehagen.`],
      milestoneFacts(ctx),
    ],
  },
  'group-setup-deadline': {
    subject: (ctx) => subjectOf(ctx, `Frist for gruppeoppsett til kompetansepakken ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [
        `Før kompetansepakken startar, treng vi gruppeoppsettet${ctx.municipality ? ` for ${ctx.municipality.name}` : ' frå kommunen'}: ` +
          'kva deltakarar som skal vere i kva gruppe, med e-postadressa til kvar deltakar.',
      ],
      [`Send oppsettet til ${ctx.coordinator.name} (${ctx.coordinator.email}) innan ${milestoneTime(ctx)}.`],
      ['E-postadressene blir brukte til å sende aktiveringsmail til deltakarane, så sjekk gjerne at dei er rette.'],
    ],
  },
  'portal-closes': {
    subject: (ctx) => subjectOf(ctx, `Portalen for spørjeundersøkinga stengjer ${when(ctx).dayMonth(need(ctx, 'milestone').at)}`),
    body: (ctx) => [
      [`Portalen for spørjeundersøkinga stengjer ${milestoneTime(ctx)}. Etter dette er det ikkje lenger mogleg å svare.`],
      ['Minn gjerne dei tilsette som ikkje har svart enno, på å gjere det i god tid før fristen.'],
    ],
  },
  'response-rate-check': {
    subject: (ctx) => subjectOf(ctx, 'Vurder svarprosenten før resultatportalen opnar'),
    body: (ctx) => [
      ['Før resultatportalen opnar, skal svarprosenten i spørjeundersøkinga vurderast for kvar barnehage, slik at ingen resultat blir viste der for få har svart til at anonymiteten er teken vare på.'],
      [`Gå gjennom svarprosentane og gi beskjed om barnehagar som må følgjast opp, innan ${milestoneTime(ctx)}.`],
      milestoneFacts(ctx),
    ],
  },
  'result-portal-opens': {
    subject: (ctx) => subjectOf(ctx, 'Resultatportalen er open'),
    body: (ctx) => [
      [`Resultata frå spørjeundersøkinga er klare. Resultatportalen opnar ${milestoneTime(ctx)}, og der finn du resultata for barnehagen din.`],
      ['I portalen ligg det òg ei brukarrettleiing som viser korleis du loggar inn, les resultata og kan bruke dei saman med personalet. Les ho gjerne før de går i gang.'],
    ],
  },
  'competence-package-information': {
    subject: (ctx) => subjectOf(ctx, 'Informasjon om kompetansepakken'),
    body: (ctx) => [
      [`Barnehagen deltek i kompetansepakken i ${ctx.programme}. Personalet arbeider med pakken i grupper, og kvar gruppe har ein fast rettleiar.`],
      ['Kvar deltakar er plassert i ei gruppe og får ein aktiveringsmail med lenkje for å ta i bruk brukaren sin. Be deltakarane sjekke søppelposten dersom e-posten ikkje har komme.'],
      [`Kompetansepakken startar ${milestoneTime(ctx)}.`],
      milestoneFacts(ctx),
    ],
  },
  'director-meeting-reminder': {
    subject: (ctx) => subjectOf(ctx, 'Hugs møtet med styrarane før workshop 1'),
    body: (ctx) => [
      ['Som barnehagemyndigheit skal kommunen ha eit møte med styrarane før workshop 1, der de går gjennom resultata frå spørjeundersøkinga og førebur arbeidet på workshopen.'],
      [`Vi ber om at møtet blir halde innan ${milestoneTime(ctx)}.`],
    ],
  },
  'workshop-invitation': {
    subject: (ctx) => milestoneSubject(ctx, ''),
    body: (ctx) => [
      [`Velkomen til ${quoted(need(ctx, 'milestone').title)}! På workshopen arbeider de vidare med utviklingsarbeidet i barnehagen, med utgangspunkt i resultata frå spørjeundersøkinga.`],
      milestoneFacts(ctx),
      ['Vi gler oss til ein inspirerande dag saman med dykk.'],
    ],
  },
  'invitation-cancelled': {
    subject: (ctx) => milestoneSubject(ctx, 'Avlyst: '),
    body: (ctx) => [
      [`${need(ctx, 'kindergarten').name} er trekt frå ${ctx.programme}, og invitasjonen til ${quoted(need(ctx, 'milestone').title)} gjeld difor ikkje lenger. Kalenderoppføringa blir fjerna.`],
      milestoneFacts(ctx),
      [`Ta kontakt med ${ctx.coordinator.name} dersom dette ikkje stemmer.`],
    ],
  },
  'learning-report-day-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til fagdag: '),
    body: (ctx) => [
      [`Vi inviterer til fagdag i ${ctx.programme}. På fagdagen blir læringsrapportane for kvar region presenterte, og barnehagane deler erfaringar frå arbeidet gjennom året.`],
      milestoneFacts(ctx),
      ['Vi ser fram til ein lærerik dag!'],
    ],
  },
  'authority-meeting-invitation': {
    subject: (ctx) => milestoneSubject(ctx, 'Invitasjon til '),
    body: (ctx) => [
      [`Vi inviterer barnehagemyndigheitene i kommunane til regionalt møte i ${ctx.programme}. Her ser vi på status i programmet, resultata i regionen og vegen vidare.`],
      milestoneFacts(ctx),
      [`Gi beskjed til ${ctx.coordinator.name} dersom kommunen ikkje kan stille.`],
    ],
  },
  'booklet-information': {
    subject: (ctx) => subjectOf(ctx, 'Bidrag til heftet som presenterer barnehagane'),
    body: (ctx) => [
      [`I haust lagar vi eit hefte som presenterer barnehagane i ${ctx.programme} i ${ctx.countyName}. Vi ber kvar barnehage sende ein kort presentasjon av seg sjølv, gjerne med bilete.`],
      [`Send materialet til ${ctx.coordinator.name} (${ctx.coordinator.email}) innan ${milestoneTime(ctx)}.`],
      ['Hugs samtykke frå foreldra for bilete der born kan kjennast att.'],
    ],
  },
  'milestone-notice': {
    subject: (ctx) => milestoneSubject(ctx, ''),
    body: (ctx) => [
      [`Her er ei melding om ${quoted(need(ctx, 'milestone').title)} i ${ctx.programme}.`],
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
        [`No kan du sende inn ${quoted(d.title)}${forKindergarten(ctx)}. Innleveringa går til ${d.recipientLabel}.`],
        [`Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
      ];
    },
  },
  'deliverable-reminder': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      return subjectOf(ctx, `Påminning: ${d.title} – frist ${when(ctx).dayMonth(d.dueAt)}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har enno ikkje fått ${quoted(d.title)}${forKindergarten(ctx)}. Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        uploadParagraph(ctx),
        ['Har du nett sendt inn, kan du sjå bort frå denne påminninga.'],
      ];
    },
  },
  'deliverable-escalation': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      const k = need(ctx, 'kindergarten');
      return subjectOf(ctx, `${k.name} har ikkje levert ${d.title}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const k = need(ctx, 'kindergarten');
      const w = when(ctx);
      return [
        [`${k.name} i ${k.municipalityName} har ikkje levert ${quoted(d.title)}, som hadde frist ${w.dateTime(d.dueAt)}.`],
        ['Vi gir beskjed til dykk som barnehagemyndigheit, slik at de kan følgje opp barnehagen.'],
        [`Forseinka innlevering blir teken imot fram til ${w.dateTime(d.lateUntil)}.`],
        ...(ctx.signInUrl ? [['Sjå status for barnehagane dykkar i Årshjul (personleg lenkje): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'authority-digest': {
    subject: (ctx) => {
      const d = need(ctx, 'digest');
      const news = d.lines.filter((l) => l.isNew).length;
      return subjectOf(ctx, `Samandrag for ${ctx.municipality?.name ?? 'kommunen'} ${formatNorwegian(`${d.day}T12:00:00`, 'dayMonth', ctx.timezone || OSLO, 'nn')}: ${news === 1 ? 'éi innlevering' : `${news} innleveringar`} manglar`);
    },
    body: (ctx) => {
      const d = need(ctx, 'digest');
      const w = when(ctx);
      const line = (l: (typeof d.lines)[number]) =>
        l.status === 'open'
          ? `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)}`
          : l.status === 'missed'
            ? `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)} – ikkje levert, og forseinka innlevering er stengd`
            : `• ${l.kindergarten}: ${quoted(l.deliverable)}, frist ${w.dateTime(l.dueAt)} – forseinka innlevering blir teken imot til ${w.dateTime(l.lateUntil)}`;
      const section = (heading: string, lines: typeof d.lines): Paragraph[] => (lines.length ? [[`${heading}\n${lines.map(line).join('\n')}`]] : []);
      return [
        [
          `Her er dagens samandrag for barnehagane i ${ctx.municipality?.name ?? 'kommunen'}. Vi samlar alt som gjeld dykk i éin e-post om dagen, ` +
            'i staden for eitt varsel per barnehage, slik at de kan følgje opp barnehagane samla.',
        ],
        ...section('Nytt sidan førre samandrag – fristen er passert, og barnehagen har ikkje levert:', d.lines.filter((l) => l.isNew)),
        ...section('Framleis ikkje levert etter fristen:', d.lines.filter((l) => !l.isNew && l.status !== 'open')),
        ...section('Frist dei neste sju dagane, ikkje levert enno:', d.lines.filter((l) => !l.isNew && l.status === 'open')),
        ...(ctx.signInUrl ? [['Sjå status for barnehagane dykkar i Årshjul (personleg lenkje, utan passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'submission-receipt': {
    subject: (ctx) => {
      const s = need(ctx, 'submission');
      return subjectOf(ctx, `Kvittering${s.receiptNumber ? ` ${s.receiptNumber}` : ''}: vi har fått ${need(ctx, 'deliverable').title}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har fått ${quoted(d.title)}${forKindergarten(ctx)}. Innleveringa går vidare til ${d.recipientLabel}.`],
        ...receiptFacts(ctx),
        ['Du kan sende inn ein ny versjon fram til fristen. Den siste versjonen er den som gjeld.'],
        ...(ctx.uploadUrl ? [['Innleveringssida: ', link(ctx.uploadUrl)] as Paragraph] : []),
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
        ...(s.comment ? [[`Kommentar frå barnehagen:\n${s.comment}`] as Paragraph] : []),
        ctx.signInUrl
          ? ['Sjå innleveringa og last ned filene i Årshjul (personleg lenkje, utan passord): ', link(ctx.signInUrl)]
          : ['De hentar filene med dykkar eigen tilgangsnøkkel i Årshjul: ', link(need(ctx, 'downloadUrl'))],
      ];
    },
  },
  'submission-accepted': {
    subject: (ctx) => subjectOf(ctx, `${need(ctx, 'deliverable').title} er godkjend av barnehagemyndigheita`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const r = need(ctx, 'review');
      return [
        [`Barnehagemyndigheita${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} har gått gjennom ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${r.version}) og godkjende innleveringa ${when(ctx).dateTime(r.at)}.`],
        ...(r.comment ? [[`Kommentar frå barnehagemyndigheita:\n${r.comment}`] as Paragraph] : []),
        ['Du treng ikkje gjere meir med denne innleveringa.'],
      ];
    },
  },
  'submission-returned': {
    subject: (ctx) => {
      const d = need(ctx, 'deliverable');
      return subjectOf(ctx, `${d.title} er send tilbake til revisjon – ny frist ${when(ctx).dayMonth(d.dueAt)}`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const r = need(ctx, 'review');
      return [
        [`Barnehagemyndigheita${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} har gått gjennom ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${r.version}) og sender innleveringa tilbake til revisjon.`],
        [`Kommentar frå barnehagemyndigheita:\n${r.comment ?? ''}`],
        [`Send inn ein ny versjon innan ${when(ctx).dateTime(d.dueAt)}. Forseinka innlevering blir teken imot fram til ${when(ctx).dateTime(d.lateUntil)}. Den førre versjonen ligg framleis i historikken.`],
        uploadParagraph(ctx),
      ];
    },
  },
  'guidance-given': {
    subject: (ctx) => subjectOf(ctx, `Rettleiing frå ${ctx.deliverable?.recipientLabel ?? 'forskingssenteret'} på ${need(ctx, 'deliverable').title}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const g = need(ctx, 'guidance');
      return [
        [`${d.recipientLabel} har lese ${quoted(d.title)}${forKindergarten(ctx)} (versjon ${g.version}) og gir denne rettleiinga ${when(ctx).dateTime(g.at)}:`],
        ...g.text.split(/\r?\n\s*\r?\n/).map((p): Paragraph => [p.trim()]).filter((p) => p[0] !== ''),
        ...(g.files.length > 0
          ? [[`Vedlegg til rettleiinga (òg lagde ved denne e-posten):\n${g.files.map((f) => `${f.name} (${formatFileSize(f.size)})`).join('\n')}`] as Paragraph]
          : []),
        ['Ta med rettleiinga inn i arbeidet med analysen fram mot neste workshop.'],
        ...(ctx.uploadUrl ? [['Rettleiinga og innleveringane dykkar ligg òg på innleveringssida: ', link(ctx.uploadUrl)] as Paragraph] : []),
      ];
    },
  },
  'guidance-reminder': {
    subject: (ctx) => {
      const lines = need(ctx, 'guidanceReminder').lines;
      const late = lines.filter((l) => l.late).length;
      return subjectOf(ctx, `Rettleiing som står att: ${lines.length === 1 ? 'éin barnehage' : `${lines.length} barnehagar`}${late > 0 ? `, ${late} forseinka` : ''}`);
    },
    body: (ctx) => {
      const lines = need(ctx, 'guidanceReminder').lines;
      const w = when(ctx);
      const line = (l: (typeof lines)[number]) =>
        `• ${l.kindergarten} (${l.municipality}${l.place ? `, ${l.place}` : ''}): ${quoted(l.deliverable)}, levert ${w.dateTime(l.submittedAt)} – rettleiing ${l.late ? 'skulle vore gitt' : 'blir gitt innan'} ${w.dateTime(l.dueAt)}`;
      const section = (heading: string, items: typeof lines): Paragraph[] => (items.length ? [[`${heading}\n${items.map(line).join('\n')}`]] : []);
      return [
        ['Desse barnehagane har levert og ventar på rettleiing frå dykk. Vi samlar alt som står att i éin e-post.'],
        ...section('Forseinka:', lines.filter((l) => l.late)),
        ...section('Ventar på rettleiing:', lines.filter((l) => !l.late)),
        ...(ctx.signInUrl ? [['Skriv rettleiinga på sida til innleveringa i Årshjul (personleg lenkje, utan passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'participant-information': {
    subject: (ctx) => subjectOf(ctx, 'Du er med i kompetansepakken'),
    body: (ctx) => [
      [`Du er meld på kompetansepakken i ${ctx.programme}${ctx.kindergarten ? ` frå ${ctx.kindergarten.name}` : ''}. Barnehagemyndigheita i kommunen har sett opp gruppene, og kvar gruppe har ein fast rettleiar.`],
      ['Du får ein eigen aktiveringsmail med lenkje for å ta i bruk brukaren din. Sjekk søppelposten dersom han ikkje har komme i løpet av nokre dagar.'],
      [`Kompetansepakken startar ${milestoneTime(ctx)}. Invitasjonane til workshopane kjem på e-post, med kalenderoppføring.`],
      milestoneFacts(ctx),
    ],
  },
  'participant-removed': {
    subject: (ctx) => milestoneSubject(ctx, 'Avlyst for deg: '),
    body: (ctx) => [
      [`Du står ikkje lenger i gruppeoppsettet for kompetansepakken${ctx.kindergarten ? ` frå ${ctx.kindergarten.name}` : ''}, og invitasjonen til ${quoted(need(ctx, 'milestone').title)} gjeld difor ikkje lenger for deg. Kalenderoppføringa blir fjerna.`],
      ['Er dette feil, ta kontakt med barnehagemyndigheita i kommunen.'],
    ],
  },
  'group-setup-prompt': {
    subject: (ctx) => subjectOf(ctx, `Send gruppeoppsettet til kompetansepakken innan ${when(ctx).dayMonth(need(ctx, 'deliverable').dueAt)}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const minimum = ctx.groupSetup?.minimumParticipants ?? 2;
      return [
        [`Barnehagemyndigheita${ctx.municipality ? ` i ${ctx.municipality.name}` : ''} avklarer kven som deltek på kompetansepakken frå kvar av barnehagane dykkar, og sender ${quoted(d.title)} med namn og e-postadresse til ${d.recipientLabel}.`],
        [`Frå kvar barnehage skal minst ${minimum} delta: styraren, og stadfortredaren eller ein pedagogisk leiar. Deltakarane får sjølve informasjonen om kompetansepakken og invitasjonane til workshopane.`],
        [`Fristen er ${when(ctx).dateTime(d.dueAt)}. De kan fylle ut skjemaet i Årshjul eller laste opp eit rekneark (mal på sida). De kan sende ein ny versjon fram til ${when(ctx).dateTime(d.lateUntil)}; den siste gjeld.`],
        ...(ctx.signInUrl ? [['Send gruppeoppsettet i Årshjul (personleg lenkje, utan passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'group-setup-reminder': {
    subject: (ctx) => subjectOf(ctx, `Påminning: gruppeoppsettet til kompetansepakken, frist ${when(ctx).dayMonth(need(ctx, 'deliverable').dueAt)}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Vi har enno ikkje fått ${quoted(d.title)} frå barnehagemyndigheita${ctx.municipality ? ` i ${ctx.municipality.name}` : ''}. Fristen er ${when(ctx).dateTime(d.dueAt)}.`],
        [`Gruppeoppsettet gir namn, e-postadresse og rolle for deltakarane frå kvar barnehage, minst ${ctx.groupSetup?.minimumParticipants ?? 2}, styraren blant dei.`],
        ...(ctx.signInUrl ? [['Send gruppeoppsettet i Årshjul (personleg lenkje, utan passord): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'group-setup-escalation': {
    subject: (ctx) => {
      const missing = need(ctx, 'groupSetup').missing ?? [];
      return subjectOf(ctx, `${missing.length === 1 ? 'Éin kommune' : `${missing.length} kommunar`} har ikkje sendt gruppeoppsettet`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const missing = need(ctx, 'groupSetup').missing ?? [];
      return [
        [`Fristen for ${quoted(d.title)} var ${when(ctx).dateTime(d.dueAt)}. Desse barnehagemyndigheitene har ikkje sendt det:`],
        [missing.map((m) => `• ${m.municipality} (${m.authority})`).join('\n')],
        [`Gruppeoppsett blir tekne imot fram til ${when(ctx).dateTime(d.lateUntil)}. Oversikta står på sida for programåret i konsollen.`],
      ];
    },
  },
  'group-setup-receipt': {
    subject: (ctx) => {
      const g = need(ctx, 'groupSetup');
      return subjectOf(ctx, `Kvittering${g.receiptNumber ? ` ${g.receiptNumber}` : ''}: vi har fått gruppeoppsettet`);
    },
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      const g = need(ctx, 'groupSetup');
      const kindergartens = g.kindergartens ?? [];
      return [
        [`Vi har fått ${quoted(d.title)} frå barnehagemyndigheita${ctx.municipality ? ` i ${ctx.municipality.name}` : ''}.`],
        [[`Kvitteringsnummer: ${g.receiptNumber ?? ''}`, `Kom inn: ${g.at ? when(ctx).dateTime(g.at) : ''}${g.late ? ' (etter fristen)' : ''}`, `Versjon: ${g.version ?? ''}`].join('\n')],
        ...kindergartens.map((k): Paragraph => [`${k.name}:\n${k.participants.map((p) => `• ${p.name}, ${roleText(ctx, p.role)}, ${p.email}`).join('\n')}`]),
        [`De kan sende ein ny versjon fram til ${when(ctx).dateTime(d.lateUntil)}; den siste gjeld.`],
        ...(ctx.signInUrl ? [['Gruppeoppsettet i Årshjul (personleg lenkje): ', link(ctx.signInUrl)] as Paragraph] : []),
      ];
    },
  },
  'upload-link-reissued': {
    subject: (ctx) => subjectOf(ctx, `Ny lenkje for innlevering av ${need(ctx, 'deliverable').title}`),
    body: (ctx) => {
      const d = need(ctx, 'deliverable');
      return [
        [`Her er ei ny personleg lenkje for å sende inn ${quoted(d.title)}${forKindergarten(ctx)}. Lenkjer du har fått tidlegare, verkar ikkje lenger.`],
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
};
