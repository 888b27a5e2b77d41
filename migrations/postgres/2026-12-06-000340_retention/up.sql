-- Retention (issue 12): when a closed case's content was removed because
-- it was older than `retention_days` (src/privacy/retention.rs).
ALTER TABLE cases ADD COLUMN anonymised_at TIMESTAMP;
