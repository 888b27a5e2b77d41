-- Failed sign-ins (issue 12), one row per account (the email as given,
-- whether or not an account has it) and per client address, keyed by a
-- SHA-256 of either so the table holds no address in the clear. A row is
-- forgotten once its last failure is older than the window.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE INDEX sign_in_throttle_last ON sign_in_throttle (last_failed_at);
