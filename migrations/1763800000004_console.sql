-- Up Migration
-- People who sign in to the console: coordinators (everything) and recipients of deliverables (read access to
-- their own part of one run: the research centre, or one municipality's authority).
CREATE TABLE users (
  id              bigserial PRIMARY KEY,
  email           text NOT NULL,
  name            text NOT NULL,
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('coordinator', 'research-centre', 'municipal-authority')),
  run_id          text,
  municipality_id text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz,
  CHECK ((role = 'coordinator') = (run_id IS NULL)),
  CHECK ((role = 'municipal-authority') = (municipality_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- Sessions: only the SHA-256 of the cookie's value is kept; signing out deletes the row.
CREATE TABLE sessions (
  id_sha256   text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  csrf_secret text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Who did what and when; rows are only ever added.
CREATE TABLE audit_log (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  actor    text NOT NULL,
  action   text NOT NULL,
  run_id   text,
  details  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_by_run ON audit_log (run_id, at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- A plan and roster the coordinator uploaded and previewed, waiting for "Start".
CREATE TABLE run_drafts (
  id         uuid PRIMARY KEY,
  created_by text NOT NULL,
  plan       jsonb NOT NULL,
  roster     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The console's read model at national scale: overdue lists, failed emails and a kindergarten's emails.
CREATE INDEX deliverable_states_by_status ON deliverable_states (run_id, status);
CREATE INDEX email_outbox_failed ON email_outbox (run_id, requested_at) WHERE state = 'failed';
CREATE INDEX email_outbox_by_kindergarten ON email_outbox (run_id, (meta->>'orgnr'), requested_at);

-- Down Migration
DROP TABLE run_drafts;
DROP INDEX email_outbox_by_kindergarten;
DROP INDEX email_outbox_failed;
DROP INDEX deliverable_states_by_status;
DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE users;
