-- Notification preferences: a space-separated list of muted optional kinds.
ALTER TABLE users ADD COLUMN muted TEXT NOT NULL DEFAULT '';

-- Mail waiting to go out, written in the same transaction as the change
-- that caused it; rendered when written, so it says what was true then.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT REFERENCES cases(id),
    event TEXT NOT NULL,
    template TEXT NOT NULL,
    essential BOOLEAN NOT NULL,
    recipient_user_id TEXT REFERENCES users(id),
    recipient_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_case ON outbox(case_id);

-- Every delivery attempt, for operators.
CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id TEXT NOT NULL REFERENCES outbox(id),
    worker TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_attempts_row ON outbox_attempts(outbox_id, id);
