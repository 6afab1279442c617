import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it: the envelope and the raw DATA. */
export interface ReceivedMessage {
  mailFrom: string | null;
  rcptTo: string[];
  raw: string;
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
        sink.messages.push({
          mailFrom: mailFrom ? mailFrom.address : null,
          rcptTo: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}

// ---------------------------------------------------------------------------------------------------------------
// A small MIME reader: enough to read what nodemailer writes (headers, multipart, base64 and quoted-printable).

/** A parsed MIME entity: lower-cased header names (values unfolded, not decoded) and the decoded text of its leaves. */
export interface MimePart {
  headers: Map<string, string>;
  /** Decoded bodies of every text leaf below this entity, keyed by content type (text/plain, text/html). */
  texts: Map<string, string>;
}

function splitHead(raw: string): { head: string; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  return at < 0 ? { head: raw, body: '' } : { head: raw.slice(0, at), body: raw.slice(at + 4) };
}

function parseHeaders(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function parameter(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}="?([^";]+)"?`, 'i').exec(value);
  return match?.[1] ?? null;
}

function decodeQuotedPrintable(text: string): Buffer {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const ch = joined[i] as string;
    if (ch === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    default:
      return body;
  }
}

/** Parses a raw message (or entity) into its headers and decoded text parts. */
export function parseMime(raw: string): MimePart {
  const { head, body } = splitHead(raw);
  const headers = parseHeaders(head);
  const contentType = headers.get('content-type') ?? 'text/plain';
  const texts = new Map<string, string>();
  const boundary = parameter(contentType, 'boundary');
  if (contentType.toLowerCase().startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const child = parseMime(section.replace(/^\r\n/, '').replace(/\r\n$/, ''));
      for (const [type, text] of child.texts) texts.set(type, text);
    }
  } else {
    const type = (contentType.split(';')[0] ?? 'text/plain').trim().toLowerCase();
    texts.set(type, decodeBody(body, headers.get('content-transfer-encoding')));
  }
  return { headers, texts };
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) in a header value. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_all, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
    );
}
