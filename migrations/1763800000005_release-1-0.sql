-- Up Migration
-- Entries written by the workflow that carries out an action (and every other writer) have a key: a retried write
-- with the same key adds nothing, so an action and its entry cannot disagree. Rows are still only ever added.
ALTER TABLE audit_log ADD COLUMN key text NOT NULL DEFAULT gen_random_uuid()::text;
CREATE UNIQUE INDEX audit_log_key ON audit_log (key);

-- The Årshjul release that started a run (its workflows carry it in their memo too): patches are retired by it.
ALTER TABLE runs ADD COLUMN release text;

-- Down Migration
ALTER TABLE runs DROP COLUMN release;
DROP INDEX audit_log_key;
ALTER TABLE audit_log DROP COLUMN key;
