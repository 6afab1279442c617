-- Up Migration
-- Release 1.2.0: the research centre's guidance (veiledning) on a submission: text and any files, given on the
-- submission's page and emailed to the director. Rows are only ever added (one per guidance id, chosen by the form,
-- so a form sent twice adds one), so a submission's history keeps all guidance given on it.
CREATE TABLE submission_guidance (
  guidance_id    uuid PRIMARY KEY,
  run_id         text NOT NULL,
  orgnr          text NOT NULL,
  deliverable_id text NOT NULL,
  submission_id  text NOT NULL,
  version        integer NOT NULL,
  text           text NOT NULL,
  files          jsonb NOT NULL DEFAULT '[]',
  given_by       text NOT NULL,
  given_at       timestamptz NOT NULL,
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);
CREATE INDEX submission_guidance_by_kindergarten ON submission_guidance (run_id, orgnr, deliverable_id, given_at);

-- Down Migration
DROP TABLE submission_guidance;
