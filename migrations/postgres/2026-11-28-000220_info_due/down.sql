DROP INDEX IF EXISTS cases_info_due;
