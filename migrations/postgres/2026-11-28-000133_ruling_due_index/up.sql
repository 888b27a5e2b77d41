-- The follow-up scan finds its due work through an index on the due time:
-- cases in `ruling` by the end of their appeal window.
-- Only those cases are in it, so a scan with nothing due reads nothing.
-- A query uses it only if it says state = 'ruling' as a literal
-- (jobs::follow_up::due). Unlike SQLite's, it has no state column: the
-- planner drops a condition the index's own WHERE implies, and with a
-- leading column left unconstrained the scan would read every entry.
CREATE INDEX IF NOT EXISTS cases_ruling_due ON cases(appeal_deadline) WHERE state = 'ruling';
