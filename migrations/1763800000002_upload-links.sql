-- Up Migration
-- The current version of each kindergarten's personal upload link per deliverable; re-issuing bumps it, which
-- revokes every token signed with an older version.
CREATE TABLE upload_links (
  run_id         text NOT NULL,
  orgnr          text NOT NULL,
  deliverable_id text NOT NULL,
  version        integer NOT NULL DEFAULT 1,
  issued_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, orgnr, deliverable_id),
  FOREIGN KEY (run_id, orgnr) REFERENCES kindergartens ON DELETE CASCADE
);

-- Down Migration
DROP TABLE upload_links;
