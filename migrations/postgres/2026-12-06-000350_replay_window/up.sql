-- Answers kept for Idempotency-Key replays are forgotten after
-- `idempotency_days` (issue 12: they hold what was answered, names
-- included); the scanner finds them by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
