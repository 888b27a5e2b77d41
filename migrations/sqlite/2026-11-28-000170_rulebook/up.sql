-- The community's published rules, versioned: a version never changes.
CREATE TABLE community_rules (
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    -- JSON objects: language tag -> text.
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_by TEXT NOT NULL REFERENCES users(id),
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code, version)
);

-- The rule versions a complaint and a ruling cite, as they read when cited
-- (JSON array of {code, version, title, text}).
ALTER TABLE cases ADD COLUMN cited_rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE rulings ADD COLUMN cited_rules TEXT NOT NULL DEFAULT '[]';

-- Tags triage adds are for staff: kept apart from the complainant's own.
ALTER TABLE cases ADD COLUMN staff_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE case_tags ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;
