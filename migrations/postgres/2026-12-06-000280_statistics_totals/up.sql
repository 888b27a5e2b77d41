-- Statistics over long ranges read totals kept per filing day and per
-- month (`cases::statistics::totals`) instead of every case filed in the
-- range. A period is a UTC day ('2026-11-24') or month ('2026-11'); the
-- scanner writes its totals once the period has ended, and marks it fresh.
-- Any later change to what the statistics count about a case filed in it
-- (its state, priority, category, results, times, mediators; an appeal; a
-- rating) marks the period stale here, in the writer's transaction, and
-- the statistics count that period from the cases again until the scanner
-- has rewritten its totals.
CREATE TABLE statistics_periods (
    period TEXT PRIMARY KEY,
    stale BOOLEAN NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
-- One row per figure of a period: `kind` says which (1 cases by state,
-- priority and result; 2 first answers and 3 resolutions by minutes; 4
-- cases handled, 5 appeals and 6 ratings by mediator), the other key
-- columns what it is about, n, n2 and n3 the counts.
CREATE TABLE statistics_totals (
    period TEXT NOT NULL,
    kind SMALLINT NOT NULL,
    category_id TEXT NOT NULL,
    k1 TEXT NOT NULL,
    k2 TEXT NOT NULL,
    outcome SMALLINT NOT NULL,
    minutes BIGINT NOT NULL,
    n BIGINT NOT NULL,
    n2 BIGINT NOT NULL,
    n3 BIGINT NOT NULL,
    PRIMARY KEY (period, kind, category_id, k1, k2, outcome, minutes)
);

-- Marks the day and the month of `filed` stale. The shared advisory locks
-- (one of 256 for days and one of 256 for months, chosen by the name; many
-- writers hold them at once) let the scanner, which takes a period's lock
-- exclusively before it counts, know that no transaction that changed a
-- case of the period is still open, and hold back new ones until it has
-- committed: no change falls between its count and its mark. (At most 512
-- locks a transaction, however many days a bulk update touches.)
CREATE FUNCTION statistics_stale(filed TIMESTAMP) RETURNS void AS $$
DECLARE
    d TEXT := to_char(filed, 'YYYY-MM-DD');
    m TEXT := to_char(filed, 'YYYY-MM');
BEGIN
    IF filed IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(1937006964, hashtext(d) & 255);
    PERFORM pg_advisory_xact_lock_shared(1937006965, hashtext(m) & 255);
    UPDATE statistics_periods SET stale = TRUE WHERE period IN (d, m) AND NOT stale;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION cases_statistics_stale() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM statistics_stale(NEW.created_at);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM statistics_stale(OLD.created_at);
    ELSE
        PERFORM statistics_stale(OLD.created_at);
        IF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
            PERFORM statistics_stale(NEW.created_at);
        END IF;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER cases_statistics_filed AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_statistics_stale();
CREATE TRIGGER cases_statistics_changed AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.category_id IS DISTINCT FROM NEW.category_id
        OR OLD.state IS DISTINCT FROM NEW.state
        OR OLD.priority IS DISTINCT FROM NEW.priority
        OR OLD.sla_outcome IS DISTINCT FROM NEW.sla_outcome
        OR OLD.first_response_seconds IS DISTINCT FROM NEW.first_response_seconds
        OR OLD.resolution_seconds IS DISTINCT FROM NEW.resolution_seconds
        OR OLD.handling_seconds IS DISTINCT FROM NEW.handling_seconds
        OR OLD.ruling_mediator_id IS DISTINCT FROM NEW.ruling_mediator_id
        OR OLD.assigned_mediator_id IS DISTINCT FROM NEW.assigned_mediator_id)
    EXECUTE FUNCTION cases_statistics_stale();

-- Appeals and ratings count for the period their case was filed in.
CREATE FUNCTION case_rows_statistics_stale() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM statistics_stale((SELECT created_at FROM cases WHERE id = OLD.case_id));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM statistics_stale((SELECT created_at FROM cases WHERE id = NEW.case_id));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER appeals_statistics AFTER INSERT OR UPDATE OR DELETE ON appeals
    FOR EACH ROW EXECUTE FUNCTION case_rows_statistics_stale();
CREATE TRIGGER case_feedback_statistics AFTER INSERT OR UPDATE OR DELETE ON case_feedback
    FOR EACH ROW EXECUTE FUNCTION case_rows_statistics_stale();
