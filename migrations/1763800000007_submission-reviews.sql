-- Up Migration
-- Release 1.1.0: the municipal authority's verdict on a submission addressed to it (the full pedagogical analysis):
-- accepted, or returned for revision with a comment and a new deadline. Written by the kindergarten workflow's
-- Update, once per review id; rows are only ever added, so a submission's history keeps every verdict.
CREATE TABLE submission_reviews (
  review_id      text PRIMARY KEY,
  run_id         text NOT NULL,
  orgnr          text NOT NULL,
  deliverable_id text NOT NULL,
  submission_id  text NOT NULL,
  version        integer NOT NULL,
  verdict        text NOT NULL CHECK (verdict IN ('accepted', 'returned')),
  comment        text,
  reviewed_by    text NOT NULL,
  reviewed_at    timestamptz NOT NULL,
  due_at         timestamptz,
  late_until     timestamptz,
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);
CREATE INDEX submission_reviews_by_submission ON submission_reviews (run_id, submission_id);

-- Down Migration
DROP TABLE submission_reviews;
