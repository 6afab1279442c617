-- Up Migration
-- Issue 16, point 2: what the workflows need to carry on, kept in PostgreSQL as it happens, so `arshjul run recover`
-- can start a year again on an empty Temporal. Written by the store together with the audit entry of the step that
-- changes it (the run's start and each move; a kindergarten's extension or return for revision), keyed so a retried
-- write adds nothing. No foreign keys, like audit_log and events: a write never fails on a row removed meanwhile.

-- The run's resolved timeline: at its start (revision 1) and after every move (its overrides with it). Only the
-- newest revision is kept; an older one arriving late (a retried write) does not replace it.
CREATE TABLE recovery_timelines (
  run_id      text PRIMARY KEY,
  revision    integer NOT NULL,
  timeline    jsonb NOT NULL,
  overrides   jsonb NOT NULL,
  recorded_at timestamptz NOT NULL
);

-- A kindergarten's own window of a deliverable after an extension or a return for revision: its deadline,
-- reminders, escalation, late window and version (the version is in the reminders' and escalation's email keys).
CREATE TABLE recovery_windows (
  run_id         text NOT NULL,
  orgnr          text NOT NULL,
  deliverable_id text NOT NULL,
  version        integer NOT NULL,
  "window"       jsonb NOT NULL,
  recorded_at    timestamptz NOT NULL,
  PRIMARY KEY (run_id, orgnr, deliverable_id, version)
);

-- Down Migration
DROP TABLE recovery_windows;
DROP TABLE recovery_timelines;
