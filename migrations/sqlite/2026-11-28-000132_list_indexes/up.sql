-- Every list reads through an index that serves both its filter and its
-- order, so a page costs the same at ten thousand cases as at a million
-- (see src/cases/list.rs). Cases list newest first, by (created_at, id):
-- each column a list filters on leads an index that goes on in that order.
-- They replace the single-column indexes on the same columns, whose
-- lookups they serve as well. IF NOT EXISTS lets an operator build them
-- beforehand on a large PostgreSQL database with CREATE INDEX CONCURRENTLY
-- (docs/operations.md).
DROP INDEX IF EXISTS cases_state;
DROP INDEX IF EXISTS cases_complainant;
DROP INDEX IF EXISTS cases_respondent;
DROP INDEX IF EXISTS cases_mediator;
CREATE INDEX IF NOT EXISTS cases_state_created ON cases(state, created_at, id);
CREATE INDEX IF NOT EXISTS cases_complainant_created ON cases(complainant_id, created_at, id);
CREATE INDEX IF NOT EXISTS cases_respondent_created ON cases(respondent_id, created_at, id);
CREATE INDEX IF NOT EXISTS cases_mediator_created ON cases(assigned_mediator_id, created_at, id);
CREATE INDEX IF NOT EXISTS cases_ruling_mediator_created ON cases(ruling_mediator_id, created_at, id);
CREATE INDEX IF NOT EXISTS cases_category_created ON cases(category_id, created_at, id);
CREATE INDEX IF NOT EXISTS cases_priority_created ON cases(priority, created_at, id);

-- A case's messages, by id.
DROP INDEX IF EXISTS messages_case;
CREATE INDEX IF NOT EXISTS messages_case_id ON messages(case_id, id);

-- The outbox list, newest first: by status, or a case's.
DROP INDEX IF EXISTS outbox_case;
CREATE INDEX IF NOT EXISTS outbox_case_id ON outbox(case_id, id);
CREATE INDEX IF NOT EXISTS outbox_status_id ON outbox(status, id);

-- Tokens, newest first: a user's, or the service tokens.
DROP INDEX IF EXISTS api_tokens_user;
CREATE INDEX IF NOT EXISTS api_tokens_user_id ON api_tokens(user_id, id);
CREATE INDEX IF NOT EXISTS api_tokens_kind_id ON api_tokens(kind, id);

-- Users, by id: by role, by whether active, or both (users change seldom,
-- so three indexes cost little).
CREATE INDEX IF NOT EXISTS users_role_id ON users(role, id);
CREATE INDEX IF NOT EXISTS users_active_id ON users(active, id);
CREATE INDEX IF NOT EXISTS users_role_active_id ON users(role, active, id);
