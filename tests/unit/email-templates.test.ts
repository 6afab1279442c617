import { type EmailContext, renderEmail } from '../../activities/email/templates';
import { TEMPLATE_IDS, isTemplateId } from '../../domain/email-templates';
import { formatNorwegian } from '../../texts/norwegian-format';

const WINTER = '2018-01-18T08:00:00Z';
const SUMMER = '2018-06-01T14:00:00Z';

function sampleContext(template: string, overrides: Partial<EmailContext> = {}): EmailContext {
  return {
    template,
    recipient: { name: 'Kari Nordmann', role: 'director' },
    programme: 'Kultur for læring – barnehage',
    countyName: 'Hedmark',
    schoolYear: 2017,
    timezone: 'Europe/Oslo',
    milestone: {
      id: 'workshop-1',
      title: 'Workshop 1 for Hedmarkregionen, Ringsaker og Løten',
      kind: 'workshop',
      at: WINTER,
      location: 'Scandic Hamar',
    },
    deliverable: {
      id: 'development-plan',
      title: 'Utviklingsplan',
      recipientLabel: 'SePU',
      opensAt: '2017-11-20T08:00:00Z',
      dueAt: '2017-12-01T15:00:00Z',
      lateUntil: '2017-12-15T15:00:00Z',
    },
    kindergarten: { orgnr: '974123456', name: 'Solsikken barnehage', municipalityName: 'Ringsaker' },
    municipality: { name: 'Ringsaker' },
    uploadUrl: 'https://arshjul.example.no/upload/abc123?token=x&y=1',
    submission: {
      receiptNumber: 'AH-000007',
      at: '2018-02-27T13:12:00.000Z',
      version: 2,
      late: true,
      files: [
        { name: 'analyse.pdf', size: 1_482_113, sha256: 'a'.repeat(64) },
        { name: 'vedlegg <b>.docx', size: 900, sha256: 'b'.repeat(64) },
      ],
      comment: '<script>alert(1)</script>',
    },
    downloadUrl: 'https://arshjul.example.no/api/submissions/1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    coordinator: { name: 'Ola Koordinator', email: 'ola@example.no' },
    message: { subject: 'Husk <analysen>', text: 'Første avsnitt.\n\nAndre avsnitt med <b>tegn</b>.' },
    review: { verdict: 'returned', comment: 'Mangler <tiltak>.', version: 2, at: '2018-06-04T08:30:00.000Z' },
    digest: {
      day: '2018-03-07',
      lines: [
        { kindergarten: 'Solsikken <barnehage>', deliverable: 'Utviklingsplan', status: 'overdue', dueAt: '2017-12-01T15:00:00Z', lateUntil: '2017-12-15T15:00:00Z', isNew: true },
        { kindergarten: 'Bjørka barnehage', deliverable: 'Utviklingsplan', status: 'missed', dueAt: '2017-12-01T15:00:00Z', lateUntil: '2017-12-15T15:00:00Z', isNew: true },
        { kindergarten: 'Furutoppen barnehage', deliverable: 'Refleksjonsnotat', status: 'overdue', dueAt: '2017-11-24T15:00:00Z', lateUntil: '2017-12-08T15:00:00Z', isNew: false },
        { kindergarten: 'Solsikken <barnehage>', deliverable: 'Heftet', status: 'open', dueAt: '2017-12-05T15:00:00Z', lateUntil: '2017-12-12T15:00:00Z', isNew: false },
      ],
    },
    guidance: { text: 'Godt arbeid med <datagrunnlaget>.\n\nTil workshop 2: velg ett område.', files: [{ name: 'kommentarer.pdf', size: 214_332 }], at: '2018-03-12T09:15:00.000Z', version: 2 },
    groupSetup: {
      receiptNumber: 'GS-000003',
      version: 2,
      at: '2017-11-28T12:30:00.000Z',
      late: false,
      kindergartens: [{ name: 'Solsikken <barnehage>', participants: [{ name: 'Kari Nordmann', email: 'kari@solsikken.example', role: 'styrer' }, { name: 'Per Pedleder', email: 'per@solsikken.example', role: 'pedagogisk-leder' }] }],
      missing: [{ municipality: 'Eidskog', authority: 'Eva Eidskog' }, { municipality: 'Grue', authority: 'Gro Grue' }],
      minimumParticipants: 2,
    },
    guidanceReminder: {
      lines: [
        { kindergarten: 'Bjørka barnehage', municipality: 'Ringsaker', place: 'Hedmarkregionen', deliverable: 'Analysen så langt', submittedAt: '2018-03-01T10:04:00.000Z', dueAt: '2018-03-08T11:00:00.000Z', late: true },
        { kindergarten: 'Solsikken <barnehage>', municipality: 'Ringsaker', place: null, deliverable: 'Analysen så langt', submittedAt: '2018-02-27T13:12:00.000Z', dueAt: '2018-03-15T11:00:00.000Z', late: false },
      ],
    },
    ...overrides,
  };
}

describe('email templates', () => {
  it.each(TEMPLATE_IDS.map((id) => [id]))('renders %s with a full context', (id) => {
    const email = renderEmail(sampleContext(id));
    expect(email.subject.length).toBeGreaterThan(0);
    expect(email.subject.startsWith('Kultur for læring')).toBe(true);
    expect(email.text.length).toBeGreaterThan(0);
    expect(email.html.startsWith('<!doctype html>')).toBe(true);
    expect(email.html).toContain('<html lang="nb">');
    expect(email.text).toContain('Hei Kari Nordmann,');
  });

  it('ends every email with a signature naming the coordinator and the programme', () => {
    for (const id of TEMPLATE_IDS) {
      const { text, html } = renderEmail(sampleContext(id));
      expect(text.trimEnd().endsWith('Ola Koordinator\nola@example.no\nKultur for læring – barnehage, Hedmark')).toBe(true);
      expect(html).toContain('<a href="mailto:ola@example.no">ola@example.no</a>');
    }
  });

  it('puts the receipt number, Oslo time, and each file with size and SHA-256 in the receipt', () => {
    const { subject, text, html } = renderEmail(sampleContext('submission-receipt'));
    expect(subject).toBe('Kultur for læring: Kvittering AH-000007: Utviklingsplan er mottatt');
    expect(text).toContain('Kvitteringsnummer: AH-000007');
    expect(text).toContain('Mottatt: tirsdag 27. februar 2018 kl. 14.12 (etter fristen)');
    expect(text).toContain('Versjon: 2');
    expect(text).toContain(`analyse.pdf (1,5 MB)\nSHA-256: ${'a'.repeat(64)}`);
    expect(text).toContain(`vedlegg <b>.docx (900 byte)\nSHA-256: ${'b'.repeat(64)}`);
    expect(html).toContain('vedlegg &lt;b&gt;.docx');
  });

  it("tells the recipient what arrived, with the director's comment escaped and where to download it", () => {
    const { subject, text, html } = renderEmail(sampleContext('submission-received', { recipient: { name: 'SePU', role: 'research-centre' } }));
    expect(subject).toBe('Kultur for læring: Solsikken barnehage har levert Utviklingsplan');
    expect(text).toContain('Kommentar fra barnehagen:\n<script>alert(1)</script>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('href="https://arshjul.example.no/api/submissions/1b4e28ba-2fa1-11d2-883f-0016d3cca427"');
  });

  it('recognises known template ids and rejects others', () => {
    expect(isTemplateId('workshop-invitation')).toBe(true);
    expect(isTemplateId('deliverable-escalation')).toBe(true);
    expect(isTemplateId('no-such-template')).toBe(false);
    expect(isTemplateId('toString')).toBe(false);
  });

  it('writes the workshop time the Norwegian way in Oslo time', () => {
    const email = renderEmail(sampleContext('workshop-invitation'));
    expect(email.subject).toBe('Kultur for læring: Workshop 1 for Hedmarkregionen, Ringsaker og Løten torsdag 18. januar');
    expect(email.text).toContain('torsdag 18. januar 2018 kl. 09.00');
    expect(email.text).toContain('Scandic Hamar');
    expect(email.html).toContain('torsdag 18. januar 2018 kl. 09.00');
  });

  it('formats winter instants at UTC+1 and summer instants at UTC+2', () => {
    expect(formatNorwegian(WINTER)).toBe('torsdag 18. januar 2018 kl. 09.00');
    expect(formatNorwegian(SUMMER)).toBe('fredag 1. juni 2018 kl. 16.00');
    expect(formatNorwegian(WINTER, 'date')).toBe('torsdag 18. januar 2018');
    expect(formatNorwegian('2017-12-01T15:00:00Z')).toBe('fredag 1. desember 2017 kl. 16.00');
  });

  it('uses Oslo time across daylight saving time in rendered emails', () => {
    const ctx = sampleContext('milestone-notice');
    const summer = renderEmail({ ...ctx, milestone: { ...ctx.milestone!, at: SUMMER } });
    expect(summer.text).toContain('kl. 16.00');
    const winter = renderEmail(ctx);
    expect(winter.text).toContain('kl. 09.00');
  });

  it('rejects an invalid instant', () => {
    expect(() => formatNorwegian('not a date')).toThrow(/not a date/);
  });

  it('escapes HTML in a kindergarten name in html and keeps it verbatim in text', () => {
    const evil = '<script>alert(1)</script>';
    const ctx = sampleContext('deliverable-escalation', {
      kindergarten: { orgnr: '974123456', name: evil, municipalityName: 'Løten & "Omegn"' },
    });
    const email = renderEmail(ctx);
    expect(email.html).not.toContain(evil);
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('Løten &amp; &quot;Omegn&quot;');
    expect(email.text).toContain(evil);
    expect(email.text).toContain('Løten & "Omegn"');
  });

  it('escapes quotes and ampersands in link hrefs', () => {
    const email = renderEmail(sampleContext('deliverable-prompt'));
    // A written-out link may break anywhere, so a phone does not scroll sideways.
    expect(email.html).toContain('<a href="https://arshjul.example.no/upload/abc123?token=x&amp;y=1" style="word-break:break-all;overflow-wrap:anywhere">');
  });

  it('refuses links that are not http, https or mailto', () => {
    expect(() => renderEmail(sampleContext('deliverable-prompt', { uploadUrl: 'javascript:alert(1)' }))).toThrow(/javascript/);
  });

  it('never lets CR/LF in a milestone title reach the subject', () => {
    const ctx = sampleContext('workshop-invitation');
    const email = renderEmail({
      ...ctx,
      milestone: { ...ctx.milestone!, title: 'Workshop 1\r\nBcc: victim@example.com\u0000' },
    });
    expect(email.subject).not.toMatch(/[\r\n\u0000-\u001f]/);
    expect(email.subject).toBe('Kultur for læring: Workshop 1 Bcc: victim@example.com torsdag 18. januar');
  });

  it('puts the upload link and the due date in the deliverable prompt', () => {
    const email = renderEmail(sampleContext('deliverable-prompt'));
    expect(email.text).toContain('https://arshjul.example.no/upload/abc123?token=x&y=1');
    expect(email.text).toContain('fredag 1. desember 2017 kl. 16.00');
    expect(email.text).toContain('SePU');
    expect(email.html).toContain('fredag 1. desember 2017 kl. 16.00');
    expect(email.subject).toBe('Kultur for læring: Utviklingsplan – frist fredag 1. desember');
  });

  it('tells the municipal authority which kindergarten is late and until when late submissions are accepted', () => {
    const email = renderEmail(sampleContext('deliverable-escalation'));
    expect(email.text).toContain('Solsikken barnehage i Ringsaker');
    expect(email.text).toContain('fredag 1. desember 2017 kl. 16.00');
    expect(email.text).toContain('fredag 15. desember 2017 kl. 16.00');
  });

  it('throws an error naming an unknown template id', () => {
    expect(() => renderEmail(sampleContext('no-such-template'))).toThrow(/no-such-template/);
  });

  it('throws naming the template when milestone context is missing', () => {
    expect(() => renderEmail(sampleContext('workshop-invitation', { milestone: undefined }))).toThrow(
      'template "workshop-invitation" needs ctx.milestone',
    );
  });

  it('throws naming the template when deliverable, kindergarten or upload link is missing', () => {
    expect(() => renderEmail(sampleContext('deliverable-prompt', { deliverable: undefined }))).toThrow(
      'template "deliverable-prompt" needs ctx.deliverable',
    );
    expect(() => renderEmail(sampleContext('deliverable-escalation', { kindergarten: undefined }))).toThrow(
      'template "deliverable-escalation" needs ctx.kindergarten',
    );
    expect(() => renderEmail(sampleContext('deliverable-reminder', { uploadUrl: undefined }))).toThrow(
      'template "deliverable-reminder" needs ctx.uploadUrl',
    );
  });

  it('omits the location line when a milestone has no location', () => {
    const ctx = sampleContext('gathering-invitation');
    const email = renderEmail({ ...ctx, milestone: { ...ctx.milestone!, location: null } });
    expect(email.text).not.toContain('Sted:');
  });

  it("writes the coordinator's own message as its paragraphs, escaped, with the deadline and the personal link", () => {
    const email = renderEmail(sampleContext('coordinator-message'));
    expect(email.subject).toBe('Kultur for læring: Husk <analysen>');
    expect(email.text).toContain('Første avsnitt.\n\nAndre avsnitt med <b>tegn</b>.');
    expect(email.html).toContain('Andre avsnitt med &lt;b&gt;tegn&lt;/b&gt;.');
    expect(email.text).toContain('Fristen for «Utviklingsplan» er fredag 1. desember 2017 kl. 16.00.');
    expect(email.text).toContain('Last opp her: https://arshjul.example.no/upload/abc123');
  });

  it('writes the authorities\' daily digest in three sections: new since the last one, still overdue, due within a week', () => {
    const email = renderEmail(sampleContext('authority-digest', { recipient: { name: 'Kari Nordmann', role: 'municipal-authority' }, signInUrl: 'https://arshjul.example.no/mottaker/m1.x.y' }));
    expect(email.subject).toBe('Kultur for læring: Sammendrag for Ringsaker onsdag 7. mars: 2 innleveringer mangler');
    expect(email.text).toContain(
      'Nytt siden forrige sammendrag – fristen er passert, og barnehagen har ikke levert:\n' +
        '• Solsikken <barnehage>: «Utviklingsplan», frist fredag 1. desember 2017 kl. 16.00 – forsinket innlevering tas imot til fredag 15. desember 2017 kl. 16.00\n' +
        '• Bjørka barnehage: «Utviklingsplan», frist fredag 1. desember 2017 kl. 16.00 – ikke levert, og forsinket innlevering er stengt',
    );
    expect(email.text).toContain('Fortsatt ikke levert etter fristen:\n• Furutoppen barnehage: «Refleksjonsnotat», frist fredag 24. november 2017 kl. 16.00');
    expect(email.text).toContain('Frist de neste sju dagene, ikke levert ennå:\n• Solsikken <barnehage>: «Heftet», frist tirsdag 5. desember 2017 kl. 16.00');
    expect(email.text).toContain('(personlig lenke, ingen passord): https://arshjul.example.no/mottaker/m1.x.y');
    expect(email.html).toContain('Solsikken &lt;barnehage&gt;');
    expect(email.html).not.toContain('<barnehage>');
  });

  it('leaves out a digest section with nothing in it, and names one missing delivery in the singular', () => {
    const only = sampleContext('authority-digest').digest?.lines.slice(0, 1) ?? [];
    const email = renderEmail(sampleContext('authority-digest', { digest: { day: '2018-03-07', lines: only } }));
    expect(email.subject).toBe('Kultur for læring: Sammendrag for Ringsaker onsdag 7. mars: én innlevering mangler');
    expect(email.text).not.toContain('Fortsatt ikke levert');
    expect(email.text).not.toContain('Frist de neste sju dagene');
  });

  it('refuses to render a digest without its lines', () => {
    expect(() => renderEmail(sampleContext('authority-digest', { digest: undefined }))).toThrow('template "authority-digest" needs ctx.digest');
  });

  it('tells the director why the authority returned the analysis, with the new deadline and the link, and that an accepted one needs nothing more', () => {
    const returned = renderEmail(sampleContext('submission-returned'));
    expect(returned.subject).toBe('Kultur for læring: Utviklingsplan er sendt tilbake til revisjon – ny frist fredag 1. desember');
    expect(returned.text).toContain('Barnehagemyndigheten i Ringsaker har gått gjennom «Utviklingsplan» for Solsikken barnehage (versjon 2) og sender den tilbake til revisjon.');
    expect(returned.text).toContain('Kommentar fra barnehagemyndigheten:\nMangler <tiltak>.');
    expect(returned.text).toContain('Send inn en ny versjon innen fredag 1. desember 2017 kl. 16.00. Forsinket innlevering tas imot fram til fredag 15. desember 2017 kl. 16.00.');
    expect(returned.text).toContain('Last opp her: https://arshjul.example.no/upload/abc123?token=x&y=1');
    expect(returned.html).toContain('Mangler &lt;tiltak&gt;.');
    const accepted = renderEmail(sampleContext('submission-accepted', { review: { verdict: 'accepted', comment: null, version: 2, at: '2018-06-04T08:30:00.000Z' } }));
    expect(accepted.subject).toBe('Kultur for læring: Utviklingsplan er godkjent av barnehagemyndigheten');
    expect(accepted.text).toContain('og godkjent den mandag 4. juni 2018 kl. 10.30.');
    expect(accepted.text).not.toContain('Kommentar fra barnehagemyndigheten');
  });

  it('gives the director the research centre\'s guidance in its own paragraphs, names the attached files and links the upload page', () => {
    const email = renderEmail(sampleContext('guidance-given'));
    expect(email.subject).toBe('Kultur for læring: Veiledning fra SePU på Utviklingsplan');
    expect(email.text).toContain('SePU har lest «Utviklingsplan» for Solsikken barnehage (versjon 2) og gir denne veiledningen mandag 12. mars 2018 kl. 10.15:');
    expect(email.text).toContain('Godt arbeid med <datagrunnlaget>.\n\nTil workshop 2: velg ett område.');
    expect(email.text).toContain('Vedlegg til veiledningen (også lagt ved denne e-posten):\nkommentarer.pdf (214,3 kB)');
    expect(email.text).toContain('https://arshjul.example.no/upload/abc123?token=x&y=1');
    expect(email.html).toContain('Godt arbeid med &lt;datagrunnlaget&gt;.');
    const noFiles = renderEmail(sampleContext('guidance-given', { guidance: { text: 'Kort.', files: [], at: '2018-03-12T09:15:00.000Z', version: 1 } }));
    expect(noFiles.text).not.toContain('Vedlegg');
  });

  it('reminds the research centre of every guidance owed in one email, the late first, with its personal link', () => {
    const email = renderEmail(sampleContext('guidance-reminder', { recipient: { name: 'SePU', role: 'research-centre' }, signInUrl: 'https://arshjul.example.no/mottaker/m1.x.y' }));
    expect(email.subject).toBe('Kultur for læring: Veiledning som gjenstår: 2 barnehager, 1 forsinket');
    expect(email.text).toContain('Forsinket:\n• Bjørka barnehage (Ringsaker, Hedmarkregionen): «Analysen så langt», levert torsdag 1. mars 2018 kl. 11.04 – veiledning skulle vært gitt torsdag 8. mars 2018 kl. 12.00');
    expect(email.text).toContain('Venter på veiledning:\n• Solsikken <barnehage> (Ringsaker): «Analysen så langt», levert tirsdag 27. februar 2018 kl. 14.12 – veiledning gis innen torsdag 15. mars 2018 kl. 12.00');
    expect(email.text).toContain('https://arshjul.example.no/mottaker/m1.x.y');
    expect(email.html).not.toContain('<barnehage>');
    const one = renderEmail(sampleContext('guidance-reminder', { guidanceReminder: { lines: [{ kindergarten: 'Bjørka barnehage', municipality: 'Ringsaker', place: null, deliverable: 'Analysen', submittedAt: '2018-03-01T10:04:00.000Z', dueAt: '2018-03-15T11:00:00.000Z', late: false }] } }));
    expect(one.subject).toBe('Kultur for læring: Veiledning som gjenstår: én barnehage');
    expect(one.text).not.toContain('Forsinket:');
  });

  it('asks the authority for its group set-up with the deadline, the rule of at least two with the director, and its link; reminds it; tells the coordinator who has not sent it', () => {
    const authority = { recipient: { name: 'Kari Nordmann', role: 'municipal-authority' as const }, signInUrl: 'https://arshjul.example.no/mottaker/m1.x.y' };
    const prompt = renderEmail(sampleContext('group-setup-prompt', authority));
    expect(prompt.subject).toBe('Kultur for læring: Send gruppeoppsettet til kompetansepakken innen fredag 1. desember');
    expect(prompt.text).toContain('Fra hver barnehage skal minst 2 delta: styreren, og stedfortredende styrer eller en pedagogisk leder.');
    expect(prompt.text).toContain('Fristen er fredag 1. desember 2017 kl. 16.00.');
    expect(prompt.text).toContain('https://arshjul.example.no/mottaker/m1.x.y');
    const reminder = renderEmail(sampleContext('group-setup-reminder', authority));
    expect(reminder.subject).toBe('Kultur for læring: Påminnelse: gruppeoppsettet til kompetansepakken, frist fredag 1. desember');
    expect(reminder.text).toContain('Vi har ennå ikke fått «Utviklingsplan» fra barnehagemyndigheten i Ringsaker.');
    const escalation = renderEmail(sampleContext('group-setup-escalation', { recipient: { name: 'Ola Koordinator', role: 'coordinator' } }));
    expect(escalation.subject).toBe('Kultur for læring: 2 kommuner har ikke sendt gruppeoppsettet');
    expect(escalation.text).toContain('• Eidskog (Eva Eidskog)\n• Grue (Gro Grue)');
    const receipt = renderEmail(sampleContext('group-setup-receipt', authority));
    expect(receipt.subject).toBe('Kultur for læring: Kvittering GS-000003: gruppeoppsettet er mottatt');
    expect(receipt.text).toContain('Kvitteringsnummer: GS-000003\nMottatt: tirsdag 28. november 2017 kl. 13.30\nVersjon: 2');
    expect(receipt.text).toContain('Solsikken <barnehage>:\n• Kari Nordmann, styrer, kari@solsikken.example\n• Per Pedleder, pedagogisk leder, per@solsikken.example');
    expect(receipt.html).not.toContain('<barnehage>');
  });
});
