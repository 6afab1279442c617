import { type EmailContext, type RenderedEmail, renderEmail } from '../activities/email/templates';
import { TEMPLATE_IDS, isTemplateId } from '../domain/email-templates';
import { InputError } from '../config/errors';
import { type Language, isLanguage } from '../texts/language';

const DIRECTOR_TEMPLATES = new Set(['deliverable-prompt', 'deliverable-reminder', 'upload-link-reissued', 'submission-receipt', 'coordinator-message', 'submission-accepted', 'submission-returned', 'guidance-given']);
const RESEARCH_CENTRE_TEMPLATES = new Set(['guidance-reminder']);
const PARTICIPANT_TEMPLATES = new Set(['participant-information', 'participant-removed']);
const AUTHORITY_TEMPLATES = new Set(['group-setup-prompt', 'group-setup-reminder', 'group-setup-receipt', 'deliverable-escalation', 'authority-digest', 'submission-received', 'group-setup-deadline', 'director-meeting-reminder', 'authority-meeting-invitation', 'learning-report-day-invitation']);

/** A realistic context for a template, with the 2017/2018 programme's names and dates, in the given written standard. */
export function sampleContext(template: string, language: Language = 'nb'): EmailContext {
  const authorityLabel = language === 'nn' ? 'barnehagemyndigheita i kommunen' : 'barnehagemyndigheten i kommunen';
  const role = AUTHORITY_TEMPLATES.has(template) ? 'municipal-authority' : RESEARCH_CENTRE_TEMPLATES.has(template) ? 'research-centre' : 'director';
  return {
    template,
    language,
    recipient: PARTICIPANT_TEMPLATES.has(template) ? { name: 'Jonas Berg', role: 'participant' } : template === 'group-setup-escalation' ? { name: 'Fylkesmannen i Hedmark, barnehageseksjonen', role: 'coordinator' } : role === 'director' ? { name: 'Kristin Grønli', role } : role === 'research-centre' ? { name: 'Senter for praksisrettet utdanningsforskning (SePU)', role } : { name: 'Kari Nordby', role },
    programme: 'Kultur for læring – barnehage',
    countyName: 'Hedmark',
    schoolYear: 2017,
    timezone: 'Europe/Oslo',
    coordinator: { name: 'Fylkesmannen i Hedmark, barnehageseksjonen', email: 'kfl-koordinator@fylkesmannen.example' },
    milestone: { id: 'workshop-1', title: 'Workshop 1: Tolke og analysere data', kind: 'workshop', at: '2018-02-02T08:00:00.000Z', location: 'Kongsvinger rådhus' },
    deliverable: {
      id: 'analysis-so-far',
      title: 'Analysen så langt (modul 1 og 2)',
      recipientLabel: 'Senter for praksisrettet utdanningsforskning (SePU)',
      opensAt: '2018-02-02T11:00:00.000Z',
      dueAt: '2018-03-02T15:00:00.000Z',
      lateUntil: '2018-03-08T15:00:00.000Z',
    },
    kindergarten: { orgnr: '976028082', name: 'Solstua barnehage', municipalityName: 'Kongsvinger' },
    municipality: { name: 'Kongsvinger' },
    ...(DIRECTOR_TEMPLATES.has(template) ? { uploadUrl: 'http://localhost:3000/levering/v1.eyJleGFtcGxlIjp0cnVlfQ.c2lnbmF0dXJl' } : {}),
    submission: {
      receiptNumber: 'AH-000042',
      at: '2018-02-27T13:12:00.000Z',
      version: 1,
      late: false,
      files: [{ name: 'Analyse Solstua modul 1-2.pdf', size: 1_482_113, sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }],
      comment: 'Vi har tatt med refleksjonene fra personalmøtet.',
    },
    downloadUrl: 'http://localhost:3000/api/submissions/1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    // What the research centre and the authorities are sent: their personal sign-in link (as the email activity adds it).
    ...(role === 'municipal-authority' || role === 'research-centre' || template === 'submission-received' ? { signInUrl: 'http://localhost:3000/mottaker/m1.eyJleGFtcGxlIjp0cnVlfQ.c2lnbmF0dXJl' } : {}),
    ...(template === 'submission-accepted' || template === 'submission-returned'
      ? {
          review: {
            verdict: template === 'submission-returned' ? ('returned' as const) : ('accepted' as const),
            comment: template === 'submission-returned' ? 'Analysen mangler en vurdering av hva dere vil endre i praksis. Se særlig kapittel 3.' : 'Fin og grundig analyse. Vi tar den med i dialogmøtet i juni.',
            version: 1,
            at: '2018-06-04T08:30:00.000Z',
          },
          deliverable: {
            id: 'full-analysis',
            title: 'Full pedagogisk analyse (modul 3 og 4)',
            recipientLabel: authorityLabel,
            opensAt: '2018-04-20T10:00:00.000Z',
            dueAt: template === 'submission-returned' ? '2018-06-18T14:00:00.000Z' : '2018-05-31T14:00:00.000Z',
            lateUntil: template === 'submission-returned' ? '2018-07-09T14:00:00.000Z' : '2018-06-21T14:00:00.000Z',
          },
        }
      : {}),
    ...(template === 'authority-digest'
      ? {
          digest: {
            day: '2018-03-07',
            lines: [
              { kindergarten: 'Solstua barnehage', deliverable: 'Analysen så langt (modul 1 og 2)', status: 'overdue', dueAt: '2018-03-02T15:00:00.000Z', lateUntil: '2018-03-08T15:00:00.000Z', isNew: true },
              { kindergarten: 'Glomma naturbarnehage', deliverable: 'Analysen så langt (modul 1 og 2)', status: 'overdue', dueAt: '2018-03-02T15:00:00.000Z', lateUntil: '2018-03-08T15:00:00.000Z', isNew: true },
              { kindergarten: 'Vennersberg barnehage', deliverable: 'Bidrag til heftet', status: 'overdue', dueAt: '2018-02-23T15:00:00.000Z', lateUntil: '2018-03-09T15:00:00.000Z', isNew: false },
              { kindergarten: 'Solstua barnehage', deliverable: 'Refleksjonsnotat', status: 'open', dueAt: '2018-03-12T15:00:00.000Z', lateUntil: '2018-03-19T15:00:00.000Z', isNew: false },
            ],
          },
        }
      : {}),
    ...(template === 'guidance-given'
      ? {
          guidance: {
            text: 'Dere har en god beskrivelse av hva dataene viser om språkmiljøet.\n\nTil workshop 2: prøv å skille tydeligere mellom hva dere ser og hvordan dere tolker det, og velg ett område dere vil arbeide videre med.',
            files: [{ name: 'Kommentarer SePU Solstua.pdf', size: 214_332 }],
            at: '2018-03-12T09:15:00.000Z',
            version: 1,
          },
        }
      : {}),
    ...(template.startsWith('group-setup-') && template !== 'group-setup-deadline'
      ? {
          deliverable: {
            id: 'group-setup',
            title: 'Gruppeoppsett til kompetansepakken (deltakere med e-postadresser)',
            recipientLabel: 'Senter for praksisrettet utdanningsforskning (SePU)',
            opensAt: '2017-10-31T15:00:00.000Z',
            dueAt: '2017-12-01T15:00:00.000Z',
            lateUntil: '2017-12-31T15:00:00.000Z',
          },
          groupSetup: {
            receiptNumber: 'GS-000007',
            version: 1,
            at: '2017-11-24T09:40:00.000Z',
            late: false,
            minimumParticipants: 2,
            kindergartens: [
              { name: 'Solstua barnehage', participants: [{ name: 'Kristin Grønli', email: 'styrer@solstua.barnehage.example', role: 'styrer' }, { name: 'Jonas Berg', email: 'jonas.berg@solstua.barnehage.example', role: 'pedagogisk-leder' }] },
            ],
            missing: [{ municipality: 'Eidskog', authority: 'Eva Haugen' }],
          },
        }
      : {}),
    ...(template === 'guidance-reminder'
      ? {
          guidanceReminder: {
            lines: [
              { kindergarten: 'Glomma naturbarnehage', municipality: 'Kongsvinger', place: 'Kongsvingerregionen', deliverable: 'Analysen så langt (modul 1 og 2)', submittedAt: '2018-03-01T10:04:00.000Z', dueAt: '2018-03-08T11:00:00.000Z', late: true },
              { kindergarten: 'Solstua barnehage', municipality: 'Kongsvinger', place: 'Kongsvingerregionen', deliverable: 'Analysen så langt (modul 1 og 2)', submittedAt: '2018-02-27T13:12:00.000Z', dueAt: '2018-03-15T11:00:00.000Z', late: false },
            ],
          },
        }
      : {}),
    ...(template === 'coordinator-message'
      ? { message: { subject: 'Husk analysen før workshop 2', text: 'Vi ser at analysen deres ikke er kommet inn ennå. Ta kontakt om dere trenger mer tid.' } }
      : {}),
  };
}

/** Renders one template with sample data in bokmål or nynorsk; an unknown name or standard lists the known ones. */
export function previewEmail(template: string, language: string = 'nb'): RenderedEmail {
  if (!isTemplateId(template)) {
    throw new InputError('Ukjent e-postmal', [{ path: 'mal', message: `«${template}» er ikke en e-postmal; malene er ${TEMPLATE_IDS.join(', ')}` }]);
  }
  if (!isLanguage(language)) {
    throw new InputError('Ukjent målform', [{ path: 'language', message: `«${language}» er ikke en målform; bruk nb (bokmål) eller nn (nynorsk)` }]);
  }
  return renderEmail(sampleContext(template, language));
}
