-- The lists filter on one of these columns and read newest first. With
-- statistics, PostgreSQL knows when a value is common (one mediator holding
-- most cases, most cases at normal priority) and then prefers to walk the
-- filing-time index from the newest end, filtering, expecting a match at
-- once; when the newest cases hold other values (new filings in intake,
-- unassigned) it reads all of them before the first match: 31 ms at a
-- million cases instead of 0.1 ms (docs/benchmarks.md). Without statistics
-- on these columns it takes any value as rare and reads the column's own
-- index (`cases_<column>_created`), which serves the filter and the order
-- whatever the values and wherever they lie in time. Nothing else groups
-- or joins on these columns where the estimates would matter.
-- ANALYZE leaves statistics it took before this migration in place; a
-- database analysed earlier needs them cleared by its owner (see
-- docs/operations.md).
ALTER TABLE cases ALTER COLUMN state SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN assigned_mediator_id SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN ruling_mediator_id SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN complainant_id SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN respondent_id SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN category_id SET STATISTICS 0;
ALTER TABLE cases ALTER COLUMN priority SET STATISTICS 0;
