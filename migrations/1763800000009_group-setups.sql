-- Up Migration
-- Release 1.2.0: the municipal authorities' group set-ups for the competence package: each version a municipality
-- sends (form or file), with its participants. Rows are only ever added, so every version stays; the latest counts.
CREATE TABLE group_setups (
  setup_id        uuid PRIMARY KEY,
  receipt_number  bigserial UNIQUE,
  run_id          text NOT NULL,
  municipality_id text NOT NULL,
  deliverable_id  text NOT NULL,
  version         integer NOT NULL,
  late            boolean NOT NULL,
  received_at     timestamptz NOT NULL,
  submitted_by    text NOT NULL,
  source          text NOT NULL CHECK (source IN ('form', 'file')),
  file_name       text,
  UNIQUE (run_id, municipality_id, deliverable_id, version),
  FOREIGN KEY (run_id, municipality_id) REFERENCES municipalities ON DELETE CASCADE
);

CREATE TABLE group_setup_participants (
  setup_id  uuid NOT NULL REFERENCES group_setups ON DELETE CASCADE,
  position  integer NOT NULL,
  orgnr     text NOT NULL,
  name      text NOT NULL,
  email     text NOT NULL,
  role      text NOT NULL,
  PRIMARY KEY (setup_id, position)
);

-- Down Migration
DROP TABLE group_setup_participants;
DROP TABLE group_setups;
