import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Email } from 'postal-mime';
import { readMail } from './smtp-sink';

/** A message the server received in full (whether or not the client heard the reply), with its Message-ID. */
export interface FaultyMessage {
  messageId: string;
  rcptTo: string[];
  raw: string;
  /** The message as postal-mime reads it. */
  mail: Email;
  /** What the client was told: `ok` (250), `dropped` (connection cut after DATA), `held-then-released`. */
  answer: 'ok' | 'dropped' | 'held';
  receivedAt: number;
}

interface HeldData {
  arrived: Promise<FaultyMessage>;
  release: () => void;
}

/**
 * A real SMTP server on 127.0.0.1 that can misbehave on request, for the fault tests:
 * - `hold()`: the next message is received in full and kept, but the 250 reply waits until `release()` (so the
 *   sender can be killed in the middle of the conversation: the ambiguous case);
 * - `dropAfterData(n)`: the next n messages are received in full and kept, then the connection is cut without a reply;
 * - `down()` / `up()`: stop listening (connections refused) and listen again on the same port.
 */
export interface FaultySmtp {
  port: number;
  messages: FaultyMessage[];
  hold: () => HeldData;
  dropAfterData: (count: number) => void;
  down: () => Promise<void>;
  up: () => Promise<void>;
  close: () => Promise<void>;
}

interface Connection {
  remotePort: number;
  _socket: Socket;
}

export async function startFaultySmtp(): Promise<FaultySmtp> {
  const messages: FaultyMessage[] = [];
  let drops = 0;
  let held: { resolve: (m: FaultyMessage) => void; released: Promise<void> } | null = null;
  let server: SMTPServer;
  let port = 0;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', async () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const receivedAt = Date.now();
          // Read before any answer is given, so a dropped or held message is as readable as one accepted.
          const mail = await readMail(raw);
          const message: FaultyMessage = {
            messageId: mail.messageId ?? '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            mail,
            answer: 'ok',
            receivedAt,
          };
          messages.push(message);
          if (drops > 0) {
            drops--;
            message.answer = 'dropped';
            const connections = (server as unknown as { connections: Set<Connection> }).connections;
            for (const c of connections) if (c.remotePort === session.remotePort) c._socket.destroy();
            return;
          }
          if (held) {
            const h = held;
            held = null;
            message.answer = 'held';
            h.resolve(message);
            void h.released.then(() => callback());
            return;
          }
          callback();
        });
      },
    });

  const listen = async () => {
    server = create();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    // A worker killed mid-session resets its connection; the server re-emits that as 'error', which must not be uncaught.
    server.on('error', () => undefined);
    port = (server.server.address() as { port: number }).port;
  };

  const stop = async () => {
    const connections = (server as unknown as { connections: Set<Connection> }).connections;
    for (const c of connections) c._socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  await listen();
  const smtp: FaultySmtp = {
    port,
    messages,
    hold: () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let resolveArrived!: (m: FaultyMessage) => void;
      const arrived = new Promise<FaultyMessage>((resolve) => (resolveArrived = resolve));
      held = { resolve: resolveArrived, released };
      return { arrived, release };
    },
    dropAfterData: (count) => {
      drops = count;
    },
    down: stop,
    up: listen,
    close: stop,
  };
  return smtp;
}
