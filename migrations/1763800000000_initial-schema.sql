-- Up Migration
CREATE TABLE runs (
  run_id      text PRIMARY KEY,
  school_year integer NOT NULL,
  county      text NOT NULL,
  plan        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE municipalities (
  run_id          text NOT NULL REFERENCES runs ON DELETE CASCADE,
  municipality_id text NOT NULL,
  name            text NOT NULL,
  region_id       text NOT NULL,
  authority_name  text NOT NULL,
  authority_email text NOT NULL,
  PRIMARY KEY (run_id, municipality_id)
);

CREATE TABLE kindergartens (
  run_id           text NOT NULL,
  orgnr            text NOT NULL,
  name             text NOT NULL,
  municipality_id  text NOT NULL,
  region_id        text NOT NULL,
  group_id         text NOT NULL,
  director_name    text NOT NULL,
  director_email   text NOT NULL,
  participants     integer,
  added_at         timestamptz,
  withdrawn_at     timestamptz,
  withdrawn_reason text,
  PRIMARY KEY (run_id, orgnr),
  FOREIGN KEY (run_id, municipality_id) REFERENCES municipalities ON DELETE CASCADE
);
CREATE INDEX kindergartens_by_region ON kindergartens (run_id, region_id, orgnr);
CREATE INDEX kindergartens_by_group ON kindergartens (run_id, region_id, group_id, municipality_id);

CREATE TABLE deliverable_states (
  run_id             text NOT NULL,
  orgnr              text NOT NULL,
  deliverable_id     text NOT NULL,
  status             text NOT NULL,
  due_at             timestamptz NOT NULL,
  late_until         timestamptz NOT NULL,
  last_submission_id text,
  updated_at         timestamptz NOT NULL,
  PRIMARY KEY (run_id, orgnr, deliverable_id),
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);

CREATE TABLE events (
  id           bigserial PRIMARY KEY,
  run_id       text NOT NULL,
  type         text NOT NULL,
  at           timestamptz NOT NULL,
  milestone_id text,
  region_id    text,
  group_id     text,
  orgnr        text,
  data         jsonb NOT NULL DEFAULT '{}',
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
-- A retried activity records an event once.
CREATE UNIQUE INDEX events_once ON events (run_id, type, at, coalesce(milestone_id, ''), coalesce(region_id, ''), coalesce(group_id, ''), coalesce(orgnr, ''));

CREATE TABLE email_outbox (
  key           text PRIMARY KEY,
  run_id        text NOT NULL,
  template      text NOT NULL,
  recipient_id  text NOT NULL,
  recipient     text NOT NULL,
  subject       text NOT NULL,
  body_text     text NOT NULL,
  body_html     text NOT NULL,
  message_id    text NOT NULL,
  state         text NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  smtp_response text,
  scheduled_for timestamptz NOT NULL,
  requested_at  timestamptz NOT NULL,
  meta          jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz
);
CREATE INDEX email_outbox_by_recipient ON email_outbox (run_id, recipient_id);

-- Down Migration
DROP TABLE email_outbox;
DROP TABLE events;
DROP TABLE deliverable_states;
DROP TABLE kindergartens;
DROP TABLE municipalities;
DROP TABLE runs;
