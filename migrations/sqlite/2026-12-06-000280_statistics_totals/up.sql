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

-- Marks the day and the month a case was filed in stale. SQLite has one
-- writer at a time and the scanner counts in a write transaction, so no
-- change can fall between its count and its mark.
CREATE TRIGGER cases_statistics_filed AFTER INSERT ON cases BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', NEW.created_at), strftime('%Y-%m', NEW.created_at)) AND NOT stale;
END;
CREATE TRIGGER cases_statistics_removed AFTER DELETE ON cases BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', OLD.created_at), strftime('%Y-%m', OLD.created_at)) AND NOT stale;
END;
CREATE TRIGGER cases_statistics_changed AFTER UPDATE ON cases
    WHEN OLD.created_at IS NOT NEW.created_at
    OR OLD.category_id IS NOT NEW.category_id
    OR OLD.state IS NOT NEW.state
    OR OLD.priority IS NOT NEW.priority
    OR OLD.sla_outcome IS NOT NEW.sla_outcome
    OR OLD.first_response_seconds IS NOT NEW.first_response_seconds
    OR OLD.resolution_seconds IS NOT NEW.resolution_seconds
    OR OLD.handling_seconds IS NOT NEW.handling_seconds
    OR OLD.ruling_mediator_id IS NOT NEW.ruling_mediator_id
    OR OLD.assigned_mediator_id IS NOT NEW.assigned_mediator_id
BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', OLD.created_at), strftime('%Y-%m', OLD.created_at)) AND NOT stale;
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', NEW.created_at), strftime('%Y-%m', NEW.created_at)) AND NOT stale;
END;
-- Appeals and ratings count for the period their case was filed in.
CREATE TRIGGER appeals_statistics_added AFTER INSERT ON appeals BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = NEW.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = NEW.case_id))) AND NOT stale;
END;
CREATE TRIGGER appeals_statistics_changed AFTER UPDATE ON appeals BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = OLD.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = OLD.case_id))) AND NOT stale;
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = NEW.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = NEW.case_id))) AND NOT stale;
END;
CREATE TRIGGER appeals_statistics_removed AFTER DELETE ON appeals BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = OLD.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = OLD.case_id))) AND NOT stale;
END;
CREATE TRIGGER case_feedback_statistics_added AFTER INSERT ON case_feedback BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = NEW.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = NEW.case_id))) AND NOT stale;
END;
CREATE TRIGGER case_feedback_statistics_changed AFTER UPDATE ON case_feedback BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = OLD.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = OLD.case_id))) AND NOT stale;
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = NEW.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = NEW.case_id))) AND NOT stale;
END;
CREATE TRIGGER case_feedback_statistics_removed AFTER DELETE ON case_feedback BEGIN
    UPDATE statistics_periods SET stale = TRUE
        WHERE period IN (strftime('%Y-%m-%d', (SELECT created_at FROM cases WHERE id = OLD.case_id)), strftime('%Y-%m', (SELECT created_at FROM cases WHERE id = OLD.case_id))) AND NOT stale;
END;
