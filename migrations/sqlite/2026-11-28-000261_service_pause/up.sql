-- The policy a case's deadlines came from (no foreign key: a policy may be
-- removed; the case keeps its deadlines and counts a pause round the
-- clock), and since when its clock has been paused, waiting on a party.
ALTER TABLE cases ADD COLUMN sla_policy_id TEXT;
ALTER TABLE cases ADD COLUMN sla_paused_since TIMESTAMP;
