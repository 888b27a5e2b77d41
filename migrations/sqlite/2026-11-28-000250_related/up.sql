-- Related and mass complaints. A case grouped under a lead case names it
-- (group_lead_id); a lead case counts its members (group_members), so a
-- case's own row says whether it is in a group, with no query more.
ALTER TABLE cases ADD COLUMN group_lead_id TEXT REFERENCES cases(id);
ALTER TABLE cases ADD COLUMN group_members INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_group ON cases(group_lead_id) WHERE group_lead_id IS NOT NULL;
-- Likely duplicates: the same respondent (an account, or the address the
-- complainant gave) and category, filed close together.
CREATE INDEX cases_same_respondent ON cases(respondent_id, category_id, created_at) WHERE respondent_id IS NOT NULL;
CREATE INDEX cases_same_respondent_email ON cases(respondent_email, category_id, created_at) WHERE respondent_email IS NOT NULL;
-- Links a lead made between two cases: `duplicate_of` (case_id is a
-- duplicate of linked_id) or `related_to` (either way round).
CREATE TABLE case_links (
    case_id TEXT NOT NULL REFERENCES cases(id),
    linked_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('duplicate_of', 'related_to')),
    note TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, linked_id),
    CHECK (case_id <> linked_id)
);
CREATE INDEX case_links_linked ON case_links(linked_id);
