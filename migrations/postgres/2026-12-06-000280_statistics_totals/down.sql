DROP TRIGGER case_feedback_statistics ON case_feedback;
DROP TRIGGER appeals_statistics ON appeals;
DROP TRIGGER cases_statistics_changed ON cases;
DROP TRIGGER cases_statistics_filed ON cases;
DROP FUNCTION case_rows_statistics_stale();
DROP FUNCTION cases_statistics_stale();
DROP FUNCTION statistics_stale(TIMESTAMP);
DROP TABLE statistics_totals;
DROP TABLE statistics_periods;
