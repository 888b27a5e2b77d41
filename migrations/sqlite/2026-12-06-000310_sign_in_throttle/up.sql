-- Sign-in attempts (issue 12), one row per account (the email as given,
-- whether or not an account has it) and per client address, each under a
-- keyed digest (HMAC-SHA256) so the table holds no address in the clear.
-- A row is forgotten once its last attempt is older than the window.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE INDEX sign_in_throttle_last ON sign_in_throttle (last_failed_at);
-- The key of those digests (HMAC-SHA256), made once per installation from
-- the database's random source: without it a digest of an IPv4 address
-- cannot be reversed by trying every address.
CREATE TABLE throttle_secret (
    id INTEGER PRIMARY KEY,
    secret TEXT NOT NULL
);
INSERT INTO throttle_secret (id, secret) VALUES (1, lower(hex(randomblob(32))));
