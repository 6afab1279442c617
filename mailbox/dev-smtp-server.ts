import type { AddressInfo } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import type { MailboxRepository } from '../activities/db/mailbox-repository';

export interface DevSmtpServer {
  port: number;
  close: () => Promise<void>;
}

const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

/**
 * The development mailbox's SMTP side: a real SMTP server on the loopback interface (no TLS, no auth) that stores
 * every message it accepts, so `npm start` without SMTP_URL exercises the real delivery path end to end.
 */
export async function startDevSmtpServer(repository: MailboxRepository, options: { host: string; port: number }): Promise<DevSmtpServer> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_MESSAGE_BYTES,
    banner: 'Årshjul development mailbox',
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large for the development mailbox'), { responseCode: 552 }));
          return;
        }
        PostalMime.parse(raw)
          .then((parsed) =>
            repository.add({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              messageId: parsed.messageId ?? null,
              subject: parsed.subject ?? null,
              raw,
            }),
          )
          .then(() => callback(), (error: unknown) => callback(Object.assign(new Error(`could not store the message: ${String(error)}`), { responseCode: 451 })));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  // The server re-emits every client connection's error (a sender killed mid-message resets its socket): that ends
  // the one session, never the mailbox. Without a listener it would be an uncaught error in npm start's process.
  server.on('error', () => undefined);
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
