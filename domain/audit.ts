/**
 * The coordinator's audit log: who did what to which run, and when. Actions that change a running year are written by
 * the workflow that carries them out, in the same Update, with a key that makes a retried write a no-op, so an action
 * and its entry cannot disagree. The console shows each action by its Norwegian label.
 */
export const AUDIT_ACTIONS = {
  'run-started': 'Startet programåret',
  'milestone-moved': 'Flyttet en milepæl',
  'deadline-extended': 'Forlenget en frist',
  'upload-link-reissued': 'Sendte ny innleveringslenke',
  'kindergarten-added': 'La til en barnehage',
  'kindergarten-withdrawn': 'Trakk en barnehage',
  'run-paused': 'Satte programåret på pause',
  'run-resumed': 'Gjenopptok programåret',
  'run-cancelled': 'Avsluttet programåret',
  'region-exported': 'Lastet ned innleveringene for en region',
  'signed-in': 'Logget inn',
  'user-added': 'La til en konto',
  'access-key-added': 'Laget en tilgangsnøkkel',
  'contact-changed': 'Endret en kontaktperson',
  'message-sent': 'Sendte en melding til dem som ikke har levert',
  'submission-accepted': 'Godkjente en innlevering',
  'submission-returned': 'Sendte en innlevering tilbake til revisjon',
  'guidance-given': 'Ga veiledning på en innlevering',
  'group-setup-received': 'Sendte gruppeoppsett',
  'run-archived': 'Lastet ned arkivet for programåret',
  'run-purged': 'Slettet personopplysningene etter oppbevaringstiden',
  'person-exported': 'Eksporterte det som er lagret om en person',
  'person-erased': 'Slettet en persons opplysninger',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export interface AuditEntry {
  /** Makes the write idempotent: a retried activity or request with the same key adds nothing. */
  key: string;
  runId: string | null;
  actor: string;
  action: AuditAction;
  at: number;
  details: Record<string, unknown>;
}

/** The entry of a changed contact person, written in the same transaction as the change. */
export function contactChangedEntry(
  input: { runId: string; target: { kind: 'director'; orgnr: string } | { kind: 'authority'; municipalityId: string }; name: string; email: string; actor: string; at: number },
  before: { name: string; email: string },
  names: { kindergarten?: string; municipality?: string },
  linksReissued: number,
): AuditEntry {
  const who = input.target.kind === 'director' ? input.target.orgnr : input.target.municipalityId;
  return {
    key: `${input.runId}/contact-changed/${input.target.kind}/${who}/${input.at}`,
    runId: input.runId,
    actor: input.actor,
    action: 'contact-changed',
    at: input.at,
    details: {
      role: input.target.kind,
      ...(input.target.kind === 'director' ? { orgnr: input.target.orgnr, kindergarten: names.kindergarten } : { municipalityId: input.target.municipalityId, municipality: names.municipality }),
      fromName: before.name,
      fromEmail: before.email,
      toName: input.name,
      toEmail: input.email,
      linksReissued,
    },
  };
}

/** The entry of a re-issued upload link, written in the same transaction as the new link version. */
export function uploadLinkReissuedEntry(input: { runId: string; orgnr: string; deliverableId: string; deliverable: string; actor: string; at: number }, version: number): AuditEntry {
  const { runId, orgnr, deliverableId } = input;
  return {
    key: `${runId}/upload-link-reissued/${orgnr}/${deliverableId}/v${version}`,
    runId,
    actor: input.actor,
    action: 'upload-link-reissued',
    at: input.at,
    details: { orgnr, deliverableId, deliverable: input.deliverable, version },
  };
}
