DROP TABLE erasure_pending;
ALTER TABLE timeline_events DROP COLUMN data_digest;
ALTER TABLE cases DROP COLUMN complaint_redacted_at;
ALTER TABLE evidence DROP COLUMN redacted_at;
ALTER TABLE messages DROP COLUMN redacted_at;
ALTER TABLE users DROP COLUMN erased_at;
