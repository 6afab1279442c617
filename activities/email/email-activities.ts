import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { ErrorType } from '../../domain/errors';
import type { Recipient, Store } from '../store';
import type { SendEmailInput, SendEmailResult } from '../../domain/activity-contracts';
import { type EmailContext, renderEmail } from './templates';
import { signUploadToken } from '../../security/upload-tokens';
import { RECIPIENT_LINK_DAYS, signRecipientLink } from '../../security/recipient-links';
import { CANCELLATION_TEMPLATES, INVITATION_TEMPLATES } from '../../domain/email-templates';
import { calendarInvitation, eventUid } from './calendar';
import type { FileStore } from '../files/file-store';
import { guidanceDueFor } from '../../domain/guidance';
import { placeName } from '../../domain/timeline';
import { type Language, languageOf } from '../../texts/language';

/** How long a director's link in a guidance email lets them read it, at least (the upload link's own expiry may be later). */
const GUIDANCE_LINK_MS = 30 * 86_400_000;

export interface EmailDeps {
  store: Store;
  mailer: Pick<Transporter, 'sendMail'>;
  /** Where uploaded files are stored: the research centre's guidance files go to the director as attachments. */
  files?: Pick<FileStore, 'open'>;
  /** `uploadSecret` signs the personal upload links in prompts and reminders. */
  mail: { from: string; publicBaseUrl: string; jitterMs?: number; uploadSecret: string };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The Message-ID derives from the business key, so the rare ambiguous resend carries the same Message-ID. */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@arshjul>`;
}

export function createEmailActivities({ store, mailer, mail, files }: EmailDeps) {
  return {
    /**
     * Sends one email to every recipient the selector names, each at most once per business key: called by the
     * kindergarten, region and run workflows when a step is due. A 5xx reply from the SMTP server is permanent.
     */
    async sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
      // Alive while it waits (jitter, a slow mail server): the workflows give sends a heartbeat timeout, so a send
      // whose worker died is retried within seconds instead of after the whole start-to-close timeout.
      const ctx = Context.current();
      const ticker = setInterval(() => ctx.heartbeat(), SEND_HEARTBEAT_MS);
      try {
        return await send(input);
      } finally {
        clearInterval(ticker);
      }
    },
  };

  /**
   * The research centre's and an authority's personal sign-in link, bound to the person and the run; its expiry counts
   * from when the email was asked for, so a retried send renders the same link.
   */
  function signInFor(input: SendEmailInput, recipient: Recipient): { signInUrl?: string } {
    if (recipient.role !== 'research-centre' && recipient.role !== 'municipal-authority') return {};
    const claims = {
      runId: input.runId,
      role: recipient.role,
      municipalityId: recipient.role === 'municipal-authority' ? recipient.id.replace(/^authority-/, '') : null,
      email: recipient.email,
      expiresAt: input.requestedAt + RECIPIENT_LINK_DAYS * 24 * 3_600_000,
    };
    return { signInUrl: `${mail.publicBaseUrl}/mottaker/${signRecipientLink(claims, mail.uploadSecret)}` };
  }

  /** A group set-up's receipt (its version, kindergartens and participants) or the escalation's missing municipalities. */
  async function groupSetupContext(runId: string, deliverableId: string, g: NonNullable<SendEmailInput['groupSetup']>) {
    if (g.setupId) {
      const record = await store.groupSetup(runId, g.setupId);
      if (!record) throw ApplicationFailure.create({ type: ErrorType.NotFound, nonRetryable: true, message: `no group set-up ${g.setupId} in run ${runId}` });
      // The kindergartens' names in one query; the set-up names only kindergartens still in the run.
      const kindergartens = new Map((await store.municipalityKindergartens(runId, record.municipalityId)).map((k) => [k.orgnr, k.name]));
      const names = new Map(record.participants.map((p) => [p.orgnr, kindergartens.get(p.orgnr) ?? p.orgnr]));
      return {
        receiptNumber: record.receiptNumber,
        version: record.version,
        at: iso(record.receivedAt),
        late: record.late,
        kindergartens: [...names.entries()].map(([orgnr, name]) => ({ name, participants: record.participants.filter((p) => p.orgnr === orgnr).map((p) => ({ name: p.name, email: p.email, role: p.role })) })),
      };
    }
    if (g.asOf === undefined) return { ...(g.minimumParticipants !== undefined ? { minimumParticipants: g.minimumParticipants } : {}) };
    const missing = new Set(await store.municipalitiesWithoutGroupSetup(runId, deliverableId, g.asOf));
    const all = await store.groupSetups(runId, deliverableId);
    const authorities = await Promise.all(all.filter((m) => missing.has(m.municipalityId)).map(async (m) => ({ municipality: m.municipality, authority: (await store.findRecipients(runId, { kind: 'authority', municipalityId: m.municipalityId }))[0]?.name ?? '' })));
    return { missing: authorities };
  }

  /** What the research centre still owed at the reminder's instant, each with its due instant and whether it is late. */
  async function guidanceReminderLines(runId: string, reminder: NonNullable<SendEmailInput['guidanceReminder']>) {
    const titles = new Map(reminder.plan.deliverables.map((d) => [d.id, d.title]));
    const owed = await store.owedGuidance(runId, reminder.plan.deliverables.map((d) => d.id), reminder.asOf);
    return owed
      .map((o) => {
        const dueAt = guidanceDueFor(reminder.plan, o.deliverableId, o.regionId, o.groupId, o.firstSubmittedAt) ?? o.firstSubmittedAt;
        return {
          kindergarten: o.kindergarten,
          municipality: o.municipality,
          place: placeName(reminder.plan, o.regionId, o.groupId),
          deliverable: titles.get(o.deliverableId) ?? o.deliverableId,
          submittedAt: iso(o.firstSubmittedAt),
          dueAt: iso(dueAt),
          late: dueAt < reminder.asOf,
          dueMs: dueAt,
        };
      })
      .sort((a, b) => a.dueMs - b.dueMs || a.kindergarten.localeCompare(b.kindergarten, 'nb'))
      .map(({ dueMs: _dueMs, ...line }) => line);
  }

  async function send(input: SendEmailInput): Promise<SendEmailResult> {
    const run = await store.getRunContext(input.runId);
    const recipients = await store.findRecipients(input.runId, input.to);
    // A region or group with no (remaining) kindergartens has no authorities to tell: nothing to send.
    // Nor a kindergarten whose authority has sent no group set-up yet: no participants to tell (release 1.2.0).
    if (recipients.length === 0 && ['municipal-authorities', 'participants', 'removed-participants', 'added-participants'].includes(input.to.kind)) return { sent: 0, alreadySent: 0, recipients: [] };
    if (recipients.length === 0) {
      throw ApplicationFailure.create({ type: ErrorType.NotFound, nonRetryable: true, message: `no recipient for ${JSON.stringify(input.to)} in run ${input.runId}` });
    }
    const result: SendEmailResult = { sent: 0, alreadySent: 0, recipients: [] };
    // Prompts and reminders carry the kindergarten's personal link, valid until late submissions close.
    const orgnr = input.about?.orgnr;
    const uploadUrl =
      input.deliverable && orgnr && input.to.kind === 'director'
        ? `${mail.publicBaseUrl}/levering/${signUploadToken(
            {
              runId: input.runId,
              orgnr,
              deliverableId: input.deliverable.id,
              // The guidance is worth reading after the late window has closed.
              expiresAt: input.guidance ? Math.max(input.deliverable.lateUntil, input.requestedAt + GUIDANCE_LINK_MS) : input.deliverable.lateUntil,
              version: await store.uploadLinkVersion(input.runId, orgnr, input.deliverable.id),
            },
            mail.uploadSecret,
          )}`
        : null;
    // Receipts and notices to the research centre or the coordinator name the kindergarten they are about.
    const aboutKindergarten = input.submission && orgnr ? (await store.findRecipients(input.runId, { kind: 'director', orgnr }))[0]?.kindergarten : undefined;
    // The authorities' daily digest is read when it goes, so it says what is outstanding then.
    const digest =
      input.digest && input.to.kind === 'authority' ? await store.authorityDigest(input.runId, input.to.municipalityId, input.digest.day, input.requestedAt) : undefined;
    // The research centre's guidance and the reminder of guidance owed are read when they go.
    const guidance = input.guidance ? await store.guidance(input.runId, input.guidance.guidanceId) : null;
    if (input.guidance && !guidance) {
      throw ApplicationFailure.create({ type: ErrorType.NotFound, nonRetryable: true, message: `no guidance ${input.guidance.guidanceId} in run ${input.runId}` });
    }
    if (guidance && guidance.files.length > 0 && !files) {
      throw ApplicationFailure.create({ type: ErrorType.InvalidInput, nonRetryable: true, message: 'this worker has no file store for the guidance files (UPLOAD_DIR)' });
    }
    const owedGuidance = input.guidanceReminder ? await guidanceReminderLines(input.runId, input.guidanceReminder) : undefined;
    const groupSetup = input.groupSetup && input.deliverable ? await groupSetupContext(input.runId, input.deliverable.id, input.groupSetup) : undefined;
    // Jitter spreads a burst (every director's reminder at 08:00) so the provider does not see one spike.
    if (mail.jitterMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * (mail.jitterMs as number)));
    for (const recipient of recipients) {
      Context.current().heartbeat(recipient.id);
      const key = `${input.key}/${recipient.id}`;
      // The standard of the recipient's municipality; the research centre and the coordinator read bokmål.
      const language = languageOf(recipient.municipality?.language);
      const context: EmailContext = {
        template: input.template,
        language,
        recipient: { name: recipient.name, role: recipient.role },
        programme: run.programme,
        countyName: run.countyName,
        schoolYear: run.schoolYear,
        timezone: run.timezone,
        coordinator: run.contacts.coordinator,
        ...(input.milestone ? { milestone: { ...input.milestone, at: iso(input.milestone.at) } } : {}),
        ...(input.deliverable
          ? {
              deliverable: {
                id: input.deliverable.id,
                title: input.deliverable.title,
                recipientLabel: recipientLabel(input.deliverable.recipient, run.contacts.researchCentre.name, language),
                opensAt: iso(input.deliverable.opensAt),
                dueAt: iso(input.deliverable.dueAt),
                lateUntil: iso(input.deliverable.lateUntil),
              },
              ...(uploadUrl ? { uploadUrl } : {}),
            }
          : {}),
        ...(input.submission
          ? {
              submission: { ...input.submission, at: iso(input.submission.at) },
              downloadUrl: `${mail.publicBaseUrl}/api/submissions/${input.submission.id}`,
            }
          : {}),
        ...(recipient.kindergarten ?? aboutKindergarten ? { kindergarten: recipient.kindergarten ?? aboutKindergarten } : {}),
        ...(recipient.municipality ? { municipality: recipient.municipality } : {}),
        ...(input.message ? { message: input.message } : {}),
        ...(input.review ? { review: { ...input.review, at: iso(input.review.at) } } : {}),
        ...(digest && input.digest
          ? {
              digest: {
                day: input.digest.day,
                lines: digest.lines.map((l) => ({ ...l, dueAt: iso(l.dueAt), lateUntil: iso(l.lateUntil) })),
              },
            }
          : {}),
        ...(guidance ? { guidance: { text: guidance.text, files: guidance.files.map((f) => ({ name: f.name, size: f.size })), at: iso(guidance.at), version: guidance.version } } : {}),
        ...(owedGuidance ? { guidanceReminder: { lines: owedGuidance } } : {}),
        ...(groupSetup ? { groupSetup } : {}),
        ...signInFor(input, recipient),
      };
      let rendered;
      try {
        rendered = renderEmail(context);
      } catch (error) {
        throw ApplicationFailure.create({ type: ErrorType.InvalidInput, nonRetryable: true, message: `cannot render ${input.template}: ${(error as Error).message}` });
      }
      const messageId = messageIdFor(key);
      const claim = await store.claimEmail({
        key,
        runId: input.runId,
        template: input.template,
        recipientId: recipient.id,
        to: recipient.email,
        ...rendered,
        messageId,
        scheduledFor: input.scheduledFor,
        requestedAt: input.requestedAt,
        meta: {
          milestoneId: input.milestone?.id ?? null,
          deliverableId: input.deliverable?.id ?? null,
          regionId: input.where?.regionId ?? (input.to.kind === 'municipal-authorities' ? input.to.regionId : null),
          groupId: input.where?.groupId ?? (input.to.kind === 'municipal-authorities' ? input.to.groupId : null),
          orgnr: input.about?.orgnr ?? recipient.kindergarten?.orgnr ?? null,
        },
      });
      if (claim === 'already-sent') {
        result.alreadySent += 1;
        result.recipients.push(recipient.email);
        continue;
      }
      try {
        const invitation = invitationFor(input, recipient, run.contacts.coordinator, rendered.text, language);
        const info = await mailer.sendMail({
          from: mail.from,
          to: { name: recipient.name, address: recipient.email },
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId,
          ...(invitation ? { icalEvent: { method: CANCELLATION_TEMPLATES.has(input.template) ? 'CANCEL' : 'REQUEST', filename: 'invitasjon.ics', content: invitation } } : {}),
          ...(guidance && guidance.files.length > 0 && files
            ? { attachments: guidance.files.map((f) => ({ filename: f.name, contentType: f.contentType, content: files.open(f.storageKey) })) }
            : {}),
        });
        // Sent means an SMTP server said it accepted this recipient; a transport that only pretends (JSON, stream)
        // or a reply that names someone else does not count.
        const accepted = (info as { accepted?: unknown }).accepted;
        const confirmed = Array.isArray(accepted) && accepted.some((a) => String(typeof a === 'object' && a ? (a as { address?: unknown }).address : a).toLowerCase() === recipient.email.toLowerCase());
        if (!confirmed) throw new NotConfirmedError(`no SMTP server confirmed the message to ${recipient.email}: ${String((info as { response?: unknown }).response ?? 'no reply')}`);
        await store.markEmailSent(key, { response: String((info as { response?: unknown }).response), at: Date.now() });
      } catch (error) {
        await store.markEmailFailed(key, String(error));
        if (error instanceof NotConfirmedError) throw ApplicationFailure.create({ type: ErrorType.Refused, nonRetryable: true, message: error.message });
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) {
          throw ApplicationFailure.create({ type: ErrorType.Refused, nonRetryable: true, message: `the mail server refused ${recipient.email}: ${String(error)}` });
        }
        throw error;
      }
      result.sent += 1;
      result.recipients.push(recipient.email);
    }
    return result;
  }
}

/** The transport answered, but no SMTP server confirmed this recipient: never recorded as sent, not retried. */
class NotConfirmedError extends Error {}

/** How often a send reports that it is alive (the workflows' heartbeat timeout for a send is four times this). */
export const SEND_HEARTBEAT_MS = 5_000;

/** A calendar invitation for invitation templates about a known occurrence; null otherwise. */
function invitationFor(input: SendEmailInput, recipient: { name: string; email: string }, organizer: { name: string; email: string }, text: string, language: Language): string | null {
  const m = input.milestone;
  const cancel = CANCELLATION_TEMPLATES.has(input.template);
  if (!m || (!cancel && !INVITATION_TEMPLATES.has(input.template))) return null;
  return calendarInvitation({
    uid: eventUid(input.runId, m.occurrenceKey ?? `${m.id}/${input.where?.regionId ?? '*'}/${input.where?.groupId ?? '*'}`),
    // A cancellation must outrank the invitation it withdraws.
    sequence: (m.version ?? 0) + (cancel ? 1 : 0),
    method: cancel ? 'CANCEL' : 'REQUEST',
    start: m.at,
    durationMinutes: m.durationMinutes ?? 120,
    summary: m.title,
    location: m.location,
    description: text,
    organizer,
    attendee: recipient,
    language,
  });
}

/** Who a deliverable goes to, as the email's reader says it. */
function recipientLabel(recipient: string, researchCentre: string, language: Language): string {
  if (recipient === 'research-centre') return researchCentre;
  if (recipient === 'municipal-authority') return language === 'nn' ? 'barnehagemyndigheita i kommunen' : 'barnehagemyndigheten i kommunen';
  return 'fylkeskoordinatoren';
}
