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
-- The open cases of an erased person whose words wait for the case to
-- close (the scanner finishes them then, and forgets the row).
CREATE TABLE erasure_pending (
    case_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
