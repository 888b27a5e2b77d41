ALTER TABLE cases DROP COLUMN sla_paused_since;
ALTER TABLE cases DROP COLUMN sla_calendar;
ALTER TABLE cases DROP COLUMN sla_policy_id;
