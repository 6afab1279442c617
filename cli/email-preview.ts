import { type EmailContext, type RenderedEmail, TEMPLATE_IDS, isTemplateId, renderEmail } from '../activities/email/templates';
import { InputError } from '../config/errors';

const DIRECTOR_TEMPLATES = new Set(['deliverable-prompt', 'deliverable-reminder']);
const AUTHORITY_TEMPLATES = new Set(['deliverable-escalation', 'group-setup-deadline', 'director-meeting-reminder', 'authority-meeting-invitation', 'learning-report-day-invitation']);

/** A realistic context for a template, with the 2017/2018 programme's names and dates. */
export function sampleContext(template: string): EmailContext {
  const role = AUTHORITY_TEMPLATES.has(template) ? 'municipal-authority' : 'director';
  return {
    template,
    recipient: role === 'director' ? { name: 'Kristin Grønli', role } : { name: 'Kari Nordby', role },
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
    ...(DIRECTOR_TEMPLATES.has(template) ? { uploadUrl: 'http://localhost:3000/levering/arshjul-2017-hedmark/976028082/analysis-so-far' } : {}),
  };
}

/** Renders one template with sample data; an unknown name lists the known ones. */
export function previewEmail(template: string): RenderedEmail {
  if (!isTemplateId(template)) {
    throw new InputError('Unknown email template', [{ path: 'template', message: `"${template}" is not a template; expected one of: ${TEMPLATE_IDS.join(', ')}` }]);
  }
  return renderEmail(sampleContext(template));
}
