DROP INDEX cases_stats;
ALTER TABLE cases DROP COLUMN sla_outcome;
