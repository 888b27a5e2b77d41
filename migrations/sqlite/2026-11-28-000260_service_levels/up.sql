-- Service-level policies: a first-response and a resolution target per
-- priority, optionally per category, counted on a business calendar.
-- `scope` is `<priority>/<category id or *>`: one policy per pair.
CREATE TABLE service_policies (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL UNIQUE,
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category_id TEXT REFERENCES categories(id),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes INTEGER NOT NULL CHECK (resolution_minutes > 0),
    hours TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    holidays TEXT NOT NULL,
    warn_percent INTEGER NOT NULL CHECK (warn_percent BETWEEN 1 AND 99),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Filing reads the policies from the process's copy of the setup.
CREATE TRIGGER service_policies_setup_insert AFTER INSERT ON service_policies
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER service_policies_setup_update AFTER UPDATE ON service_policies
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER service_policies_setup_delete AFTER DELETE ON service_policies
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
-- The deadlines of a case, from the policy in force when it was filed, and
-- when it was first answered.
ALTER TABLE cases ADD COLUMN first_response_due TIMESTAMP;
ALTER TABLE cases ADD COLUMN resolution_due TIMESTAMP;
ALTER TABLE cases ADD COLUMN first_response_at TIMESTAMP;
