-- Erasure (issue 12): when a person's data was erased; which of their
-- messages and files have been removed (at erasure on a closed case,
-- when the case closes otherwise); and, for a timeline entry whose data
-- was rewritten, the SHA-256 of the data it was sealed with, so the chain
-- still checks (src/cases/seal.rs).
ALTER TABLE users ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE messages ADD COLUMN redacted_at TIMESTAMP;
ALTER TABLE evidence ADD COLUMN redacted_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN complaint_redacted_at TIMESTAMP;
ALTER TABLE timeline_events ADD COLUMN data_digest TEXT;
