CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    language TEXT NOT NULL,
    password_hash TEXT,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    scopes TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE categories (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    default_priority TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY NOT NULL,
    last_value BIGINT NOT NULL
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category_id TEXT NOT NULL REFERENCES categories(id),
    priority TEXT NOT NULL,
    language TEXT NOT NULL,
    channel TEXT NOT NULL,
    tags TEXT NOT NULL,
    state TEXT NOT NULL,
    complainant_id TEXT NOT NULL REFERENCES users(id),
    respondent_id TEXT REFERENCES users(id),
    respondent_name TEXT NOT NULL,
    respondent_email TEXT,
    assigned_mediator_id TEXT REFERENCES users(id),
    ruling_mediator_id TEXT REFERENCES users(id),
    info_party TEXT,
    info_deadline TIMESTAMP,
    settlement_open BOOLEAN NOT NULL,
    settlement_terms TEXT,
    settlement_accepted_complainant BOOLEAN NOT NULL,
    settlement_accepted_respondent BOOLEAN NOT NULL,
    ruling_appealable BOOLEAN NOT NULL,
    appeal_deadline TIMESTAMP,
    ruling_accepted_complainant BOOLEAN NOT NULL,
    ruling_accepted_respondent BOOLEAN NOT NULL,
    appealed_complainant BOOLEAN NOT NULL,
    appealed_respondent BOOLEAN NOT NULL,
    closed_at TIMESTAMP,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_state ON cases(state);
CREATE INDEX cases_created ON cases(created_at, id);
CREATE INDEX cases_complainant ON cases(complainant_id);
CREATE INDEX cases_respondent ON cases(respondent_id);
CREATE INDEX cases_respondent_email ON cases(respondent_email);
CREATE INDEX cases_mediator ON cases(assigned_mediator_id);

CREATE TABLE rulings (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    mediator_id TEXT REFERENCES users(id),
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    rationale TEXT NOT NULL,
    rules_cited TEXT NOT NULL,
    sanctions TEXT NOT NULL,
    remedies TEXT NOT NULL,
    appealable BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rulings_case ON rulings(case_id, created_at);

CREATE TABLE appeals (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    party TEXT NOT NULL,
    appellant_id TEXT NOT NULL REFERENCES users(id),
    grounds TEXT NOT NULL,
    decision TEXT,
    decision_rationale TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX appeals_case ON appeals(case_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    visibility TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX messages_case ON messages(case_id, created_at, id);

CREATE TABLE timeline_events (
    id BIGSERIAL PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    actor_id TEXT REFERENCES users(id),
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX timeline_case ON timeline_events(case_id, id);

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL REFERENCES users(id),
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    location TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
