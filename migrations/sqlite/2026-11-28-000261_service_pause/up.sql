-- The policy a case's deadlines came from, and its calendar as it was
-- then (a pause is counted on it even if the policy changes or goes), and
-- since when the case's clock has been paused, waiting on a party.
ALTER TABLE cases ADD COLUMN sla_policy_id TEXT;
ALTER TABLE cases ADD COLUMN sla_calendar TEXT;
ALTER TABLE cases ADD COLUMN sla_paused_since TIMESTAMP;
