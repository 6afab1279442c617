-- Up Migration
-- Release 1.1.0: escalations a kindergarten workflow hands to its municipal authority's daily digest. A row is
-- queued once (its key is the workflow's step), and the run workflow's claim of a digest day stamps every row not
-- yet in a digest with that day: the day's email to the authority lists them.
CREATE TABLE authority_digest_items (
  key             text PRIMARY KEY,
  run_id          text NOT NULL,
  orgnr           text NOT NULL,
  municipality_id text NOT NULL,
  deliverable_id  text NOT NULL,
  due_at          timestamptz NOT NULL,
  late_until      timestamptz NOT NULL,
  queued_at       timestamptz NOT NULL,
  digest_day      text,
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);
CREATE INDEX authority_digest_items_unclaimed ON authority_digest_items (run_id, queued_at) WHERE digest_day IS NULL;
CREATE INDEX authority_digest_items_by_day ON authority_digest_items (run_id, digest_day, municipality_id);

-- Down Migration
DROP TABLE authority_digest_items;
