-- Up Migration
-- Personal data kept only as long as allowed (issue 16, part 3). A run ends when its run workflow records
-- run-completed or run-cancelled; its retention time runs from then (the plan's `retention.months`, or
-- RETENTION_MONTHS). When it has passed, the daily retention Schedule removes the run's personal data and files and
-- stamps `purged_at`, keeping the counts it found in `purge_summary`. `archived_at` is the last archive export.
ALTER TABLE runs ADD COLUMN ended_at timestamptz;
ALTER TABLE runs ADD COLUMN archived_at timestamptz;
ALTER TABLE runs ADD COLUMN purged_at timestamptz;
ALTER TABLE runs ADD COLUMN purge_summary jsonb;

UPDATE runs r SET ended_at = e.at
  FROM (SELECT run_id, min(at) AS at FROM events WHERE type IN ('run-completed', 'run-cancelled') GROUP BY run_id) e
 WHERE e.run_id = r.run_id;

-- The end is taken from the event the run workflow writes anyway, so no released workflow changes.
CREATE FUNCTION runs_mark_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE runs SET ended_at = NEW.at WHERE run_id = NEW.run_id AND ended_at IS NULL;
  RETURN NEW;
END;
$$;
CREATE TRIGGER events_run_ended AFTER INSERT ON events FOR EACH ROW
  WHEN (NEW.type IN ('run-completed', 'run-cancelled')) EXECUTE FUNCTION runs_mark_ended();

CREATE INDEX runs_awaiting_purge ON runs (ended_at) WHERE purged_at IS NULL;
CREATE INDEX kindergartens_by_director_email ON kindergartens (lower(director_email));
CREATE INDEX municipalities_by_authority_email ON municipalities (lower(authority_email));
CREATE INDEX group_setup_participants_by_email ON group_setup_participants (lower(email));
CREATE INDEX email_outbox_by_address ON email_outbox (lower(recipient));

-- The audit log stays append-only: rows are never deleted, and a row's key, time, action and run never change. The
-- one exception is the removal of personal data (a purged run, an erased person): inside a transaction that has said
-- `SET LOCAL arshjul.redacting = 'on'`, the actor and details of a row may be replaced.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND coalesce(current_setting('arshjul.redacting', true), '') = 'on'
     AND NEW.id = OLD.id AND NEW.key = OLD.key AND NEW.at = OLD.at AND NEW.action = OLD.action
     AND NEW.run_id IS NOT DISTINCT FROM OLD.run_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
DROP INDEX email_outbox_by_address;
DROP INDEX group_setup_participants_by_email;
DROP INDEX municipalities_by_authority_email;
DROP INDEX kindergartens_by_director_email;
DROP INDEX runs_awaiting_purge;
DROP TRIGGER events_run_ended ON events;
DROP FUNCTION runs_mark_ended();
ALTER TABLE runs DROP COLUMN purge_summary;
ALTER TABLE runs DROP COLUMN purged_at;
ALTER TABLE runs DROP COLUMN archived_at;
ALTER TABLE runs DROP COLUMN ended_at;
