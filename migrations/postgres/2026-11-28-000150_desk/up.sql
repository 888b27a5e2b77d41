-- The mediation desk: who can take which cases, and how leads hear of work.

-- A mediator's (or case-taking lead's) profile. Only people with a profile
-- are considered by automatic assignment and may claim cases.
CREATE TABLE mediator_profiles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id),
    -- JSON array of category ids; an empty array means every category.
    skills TEXT NOT NULL,
    -- JSON array of language tags (BCP 47) they work in.
    languages TEXT NOT NULL,
    -- Most open cases at once.
    capacity INTEGER NOT NULL,
    on_duty BOOLEAN NOT NULL,
    absent_until TIMESTAMP,
    last_assigned_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Declared conflicts of interest: the mediator never works a case naming the user.
CREATE TABLE mediator_conflicts (
    mediator_id TEXT NOT NULL REFERENCES users(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    declared_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (mediator_id, user_id)
);
CREATE INDEX mediator_conflicts_user ON mediator_conflicts(user_id);

ALTER TABLE categories ADD COLUMN auto_assign BOOLEAN NOT NULL DEFAULT FALSE;

-- How a lead hears of work waiting for leads: each, digest or off.
ALTER TABLE users ADD COLUMN desk_mail TEXT NOT NULL DEFAULT 'each';
ALTER TABLE users ADD COLUMN desk_digest_at TIMESTAMP;
