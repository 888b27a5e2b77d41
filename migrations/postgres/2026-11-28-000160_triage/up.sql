-- Triage rules, run in order on every filing: conditions -> actions (JSON).
CREATE TABLE triage_rules (
    id TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    conditions TEXT NOT NULL,
    actions TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX triage_rules_order ON triage_rules(position, id);

-- A case's tags, one row each, so that a tag is a filter an index serves
-- (cases.tags keeps the list as the case shows it).
CREATE TABLE case_tags (
    case_id TEXT NOT NULL REFERENCES cases(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (case_id, tag)
);
CREATE INDEX case_tags_tag ON case_tags(tag, case_id);
-- As for the other list filters (000134): without statistics every tag is
-- taken for a rare one, read through its index, whatever ANALYZE saw.
ALTER TABLE case_tags ALTER COLUMN tag SET STATISTICS 0;
INSERT INTO case_tags (case_id, tag) SELECT DISTINCT id, jsonb_array_elements_text(tags::jsonb) FROM cases WHERE tags <> '[]';
