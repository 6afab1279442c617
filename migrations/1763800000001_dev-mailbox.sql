-- Up Migration
-- The development mailbox: every message the embedded SMTP server (npm start without SMTP_URL) receives.
CREATE TABLE dev_mailbox (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  mail_from   text,
  rcpt_to     text[] NOT NULL,
  message_id  text,
  subject     text,
  raw         bytea NOT NULL
);
CREATE INDEX dev_mailbox_by_time ON dev_mailbox (received_at DESC, id DESC);

-- Down Migration
DROP TABLE dev_mailbox;
