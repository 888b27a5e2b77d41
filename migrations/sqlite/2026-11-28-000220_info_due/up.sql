-- The open information requests by deadline: the scan that records a
-- request left unanswered (jobs::info_requests) reads only those due.
CREATE INDEX IF NOT EXISTS cases_info_due ON cases(info_deadline) WHERE info_party IS NOT NULL;
