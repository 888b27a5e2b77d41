-- Case numbers come from one sequence instead of a counter row per year:
-- nextval never waits for another transaction, so concurrent filings no
-- longer queue behind each other's row lock. Numbers stay unique and
-- increasing but are not gapless (a rolled-back filing uses one up) and no
-- longer restart each year. The sequence starts above every number already
-- issued in any year, so a new reference cannot repeat an old one; the
-- UNIQUE constraint on cases.reference still guards that.
CREATE SEQUENCE case_number_seq AS BIGINT;
SELECT setval('case_number_seq', GREATEST(
    (SELECT COALESCE(MAX(last_value), 0) FROM reference_counters),
    (SELECT COALESCE(MAX(CAST(substr(reference, 10) AS BIGINT)), 0) FROM cases)
) + 1, false);
DROP TABLE reference_counters;
