-- The follow-up scan finds its due work through an index on the due time:
-- cases in `ruling` by the end of their appeal window.
-- Only those cases are in it, so a scan with nothing due reads nothing.
-- A query uses it only if it says state = 'ruling' as a literal
-- (jobs::follow_up::due); the state is a column too so that SQLite,
-- without statistics, prefers it to cases_state_created.
CREATE INDEX IF NOT EXISTS cases_ruling_due ON cases(state, appeal_deadline) WHERE state = 'ruling';
