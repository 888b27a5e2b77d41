-- Canned replies: one text per language, with variables.
CREATE TABLE response_templates (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- JSON object: language tag -> text.
    bodies TEXT NOT NULL,
    -- The language used when the recipient's is missing; none: refuse.
    fallback_language TEXT,
    -- JSON array of category ids the template is suggested for.
    categories TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Templates triage suggested for a case (JSON array of codes), for staff.
ALTER TABLE cases ADD COLUMN suggested_templates TEXT NOT NULL DEFAULT '[]';
