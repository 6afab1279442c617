-- Up Migration
-- Directors' uploads. A submission row and its files are stored before the kindergarten workflow is asked to accept
-- it; the workflow's answer then marks it accepted (with its version and receipt) or refused (with the reason). A
-- stored-but-unanswered submission ('stored') is retried with the same id, so nothing acknowledged is ever lost.
CREATE TABLE submissions (
  id              uuid PRIMARY KEY,
  receipt_number  bigserial UNIQUE,
  run_id          text NOT NULL,
  orgnr           text NOT NULL,
  deliverable_id  text NOT NULL,
  link_version    integer NOT NULL,
  state           text NOT NULL CHECK (state IN ('stored', 'accepted', 'refused')),
  comment         text,
  refusal         text,
  version         integer,
  late            boolean,
  created_at      timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);
CREATE INDEX submissions_by_kindergarten ON submissions (run_id, orgnr, deliverable_id, created_at);

CREATE TABLE submission_files (
  submission_id  uuid NOT NULL REFERENCES submissions ON DELETE CASCADE,
  position       integer NOT NULL,
  name           text NOT NULL,
  size           bigint NOT NULL,
  sha256         text NOT NULL,
  content_type   text NOT NULL,
  storage_key    text NOT NULL,
  PRIMARY KEY (submission_id, position)
);

-- Read access for the recipients of deliverables (research centre, a municipal authority, the coordinator), by API
-- key. Only the key's SHA-256 is kept.
CREATE TABLE access_keys (
  id              bigserial PRIMARY KEY,
  key_sha256      text NOT NULL UNIQUE,
  run_id          text NOT NULL REFERENCES runs ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('research-centre', 'municipal-authority', 'coordinator')),
  municipality_id text,
  label           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  CHECK ((role = 'municipal-authority') = (municipality_id IS NOT NULL))
);

-- Down Migration
DROP TABLE access_keys;
DROP TABLE submission_files;
DROP TABLE submissions;
