import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it: the envelope, the raw DATA, and the message as postal-mime reads it. */
export interface ReceivedMessage {
  mailFrom: string | null;
  rcptTo: string[];
  raw: string;
  mail: Email;
}

/** A message read by postal-mime (headers, decoded subject, text and HTML parts, attachments). */
export function readMail(raw: string): Promise<Email> {
  return PostalMime.parse(raw);
}

/** The first header of that (lower-case) name, unfolded, or null. */
export function headerOf(mail: Email, name: string): string | null {
  return mail.headers.find((h) => h.key === name)?.value ?? null;
}

/** A refusal the sink gives to RCPT TO, e.g. `{ code: 550, message: 'no such user' }`. */
export interface RcptRefusal {
  code: number;
  message: string;
}

/**
 * A real SMTP server in this process on 127.0.0.1 (random port, no TLS, no auth) that keeps every message it accepts.
 * `refuseRcpt` makes it answer RCPT TO with the given reply until it is set back to null.
 */
export interface SmtpSink {
  port: number;
  messages: ReceivedMessage[];
  refuseRcpt: RcptRefusal | null;
  close: () => Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, messages: [], refuseRcpt: null, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (!sink.refuseRcpt) return callback();
      const error = new Error(sink.refuseRcpt.message) as Error & { responseCode: number };
      error.responseCode = sink.refuseRcpt.code;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        const raw = Buffer.concat(chunks).toString('utf8');
        // Parsed once on arrival (postal-mime), before the sender hears 250: a test reads every message synchronously.
        readMail(raw).then(
          (mail) => {
            sink.messages.push({ mailFrom: mailFrom ? mailFrom.address : null, rcptTo: rcptTo.map((r) => r.address), raw, mail });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A client's reset connection is re-emitted by the server as 'error'; it ends that session only.
  server.on('error', () => undefined);
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
