-- Webhooks (issue 11): endpoints admins register, and one delivery per
-- case event and matching endpoint, written in the transaction of the
-- event (src/webhooks/).

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    -- The event types wanted, space-separated, or '*' for every type.
    events TEXT NOT NULL,
    -- Only cases of this category, when set.
    category_id TEXT REFERENCES categories(id),
    -- The signing secret (kept: every delivery is signed with it).
    secret TEXT NOT NULL,
    -- 'active' or 'disabled'.
    status TEXT NOT NULL,
    disabled_reason TEXT,
    -- Consecutive failed attempts, since when, and when the endpoint may
    -- be tried again (a receiver that is down is probed, not flooded).
    failures INTEGER NOT NULL,
    failing_since TIMESTAMP,
    retry_at TIMESTAMP,
    -- The last time a delivery was taken: a delivery is given up only if
    -- the endpoint has taken others since it first failed.
    last_success_at TIMESTAMP,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    -- Also the order: a case's deliveries to an endpoint go out in it.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    -- The event's id, the same on every retry and every endpoint.
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    -- The case; NULL for a ping.
    case_id TEXT REFERENCES cases(id),
    payload TEXT NOT NULL,
    -- 'pending', 'held' (its endpoint is disabled), 'sending', 'delivered'
    -- or 'failed' (given up).
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    first_failed_at TIMESTAMP,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
-- The claim: pending deliveries by due time; expired leases by their end.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_leases ON webhook_deliveries (locked_until) WHERE status = 'sending';
-- Order per case: is an earlier delivery of this case to this endpoint open?
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (endpoint_id, case_id, id) WHERE status IN ('pending', 'held', 'sending');
-- A failing endpoint is probed with its oldest pending delivery only.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending';
-- The log of an endpoint, newest first.
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    worker TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    duration_ms INTEGER NOT NULL,
    -- The receiver's HTTP status, if it answered.
    status_code INTEGER,
    -- What went wrong, if it did.
    error TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
