-- Case numbers come from one counter row instead of one per year (the
-- same numbering as PostgreSQL's case_number_seq, of which this is the
-- stand-in): unique and increasing, not gapless, not restarting each year.
-- SQLite writers take turns anyway, so the row adds no waiting. It starts
-- above every number already issued in any year.
CREATE TABLE case_number_seq (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_value BIGINT NOT NULL
);
INSERT INTO case_number_seq (id, last_value)
SELECT 1, MAX(
    (SELECT COALESCE(MAX(last_value), 0) FROM reference_counters),
    (SELECT COALESCE(MAX(CAST(substr(reference, 10) AS INTEGER)), 0) FROM cases));
DROP TABLE reference_counters;
