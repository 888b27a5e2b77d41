DROP INDEX cases_ruling_due;
