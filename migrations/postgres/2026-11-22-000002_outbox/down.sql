DROP TABLE outbox_attempts;
DROP TABLE outbox;
ALTER TABLE users DROP COLUMN muted;
