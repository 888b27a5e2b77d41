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
CREATE TRIGGER service_policies_setup AFTER INSERT OR UPDATE OR DELETE ON service_policies
    FOR EACH STATEMENT EXECUTE FUNCTION bump_setup_generation();
-- The deadlines of a case, from the policy in force when it was filed, and
-- when it was first answered.
ALTER TABLE cases ADD COLUMN first_response_due TIMESTAMP;
ALTER TABLE cases ADD COLUMN resolution_due TIMESTAMP;
ALTER TABLE cases ADD COLUMN first_response_at TIMESTAMP;
