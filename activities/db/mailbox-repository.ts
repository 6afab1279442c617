import type { Pool } from 'pg';

export interface MailboxSummary {
  id: number;
  receivedAt: number;
  mailFrom: string | null;
  rcptTo: string[];
  messageId: string | null;
  subject: string | null;
}

export interface MailboxMessage extends MailboxSummary {
  raw: Buffer;
}

/** The development mailbox's table: what the embedded SMTP server received, newest first. */
export class MailboxRepository {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async add(message: { mailFrom: string | null; rcptTo: string[]; messageId: string | null; subject: string | null; raw: Buffer }): Promise<number> {
    const { rows } = await this.pool.query<{ id: string }>(
      'INSERT INTO dev_mailbox (mail_from, rcpt_to, message_id, subject, raw) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [message.mailFrom, message.rcptTo, message.messageId, message.subject, message.raw],
    );
    return Number(rows[0]?.id);
  }

  async list(options: { limit: number; offset: number; to?: string }): Promise<{ total: number; messages: MailboxSummary[] }> {
    const filter = options.to ? `%${options.to.toLowerCase()}%` : null;
    const { rows } = await this.pool.query<{ id: string; received_at: Date; mail_from: string | null; rcpt_to: string[]; message_id: string | null; subject: string | null; total: string }>(
      `SELECT id, received_at, mail_from, rcpt_to, message_id, subject, count(*) OVER () AS total FROM dev_mailbox
        WHERE $3::text IS NULL OR lower(array_to_string(rcpt_to, ',')) LIKE $3
        ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2`,
      [options.limit, options.offset, filter],
    );
    return { total: Number(rows[0]?.total ?? 0), messages: rows.map(summary) };
  }

  async get(id: number): Promise<MailboxMessage | null> {
    const { rows } = await this.pool.query<{ id: string; received_at: Date; mail_from: string | null; rcpt_to: string[]; message_id: string | null; subject: string | null; raw: Buffer }>(
      'SELECT id, received_at, mail_from, rcpt_to, message_id, subject, raw FROM dev_mailbox WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row ? { ...summary(row), raw: row.raw } : null;
  }
}

function summary(row: { id: string; received_at: Date; mail_from: string | null; rcpt_to: string[]; message_id: string | null; subject: string | null }): MailboxSummary {
  return { id: Number(row.id), receivedAt: row.received_at.getTime(), mailFrom: row.mail_from, rcptTo: row.rcpt_to, messageId: row.message_id, subject: row.subject };
}
