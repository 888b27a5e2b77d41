-- Whose move a case waits for, how urgent it is and by when, kept on the
-- case by every change (src/cases/context.rs), so that the lists can sort
-- most urgent first and the queues find each person's open cases through
-- an index. The same as `waiting_on` in the API: lead, mediator,
-- complainant, respondent, parties, or nobody once the case has ended.
-- `priority_rank` orders priorities (0 urgent, 1 high, 2 normal, 3 low);
-- `due_at` is the deadline the case waits on, or 9999-12-31 when there is
-- none, so that "most urgent" is one ascending order on
-- (priority_rank, due_at, created_at, id).
ALTER TABLE cases ADD COLUMN waiting_on TEXT NOT NULL DEFAULT 'nobody';
ALTER TABLE cases ADD COLUMN priority_rank SMALLINT NOT NULL DEFAULT 2;
ALTER TABLE cases ADD COLUMN due_at TIMESTAMP NOT NULL DEFAULT '9999-12-31 00:00:00';

UPDATE cases SET
    priority_rank = CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
    waiting_on = CASE state
        WHEN 'intake' THEN 'lead'
        WHEN 'assigned' THEN 'mediator'
        WHEN 'investigation' THEN CASE
            WHEN info_party IS NOT NULL THEN info_party
            WHEN settlement_open AND settlement_accepted_complainant AND NOT settlement_accepted_respondent THEN 'respondent'
            WHEN settlement_open AND settlement_accepted_respondent THEN 'complainant'
            WHEN settlement_open THEN 'parties'
            ELSE 'mediator' END
        WHEN 'ruling' THEN CASE
            WHEN ruling_accepted_complainant AND NOT ruling_accepted_respondent THEN 'respondent'
            WHEN ruling_accepted_respondent THEN 'complainant'
            ELSE 'parties' END
        WHEN 'appeal' THEN CASE
            WHEN assigned_mediator_id IS NOT NULL
                 AND (ruling_mediator_id IS NULL OR assigned_mediator_id <> ruling_mediator_id) THEN 'mediator'
            ELSE 'lead' END
        WHEN 'follow_up' THEN 'mediator'
        ELSE 'nobody' END,
    due_at = COALESCE(CASE
        WHEN state = 'investigation' AND info_party IS NOT NULL THEN info_deadline
        WHEN state = 'ruling' THEN appeal_deadline END, '9999-12-31 00:00:00');

-- Each index on a column that is empty on many cases (the mediator before
-- assignment, the ruling mediator before a ruling, the respondent without
-- an account) holds only the cases where it is set: the lists only ever
-- ask for one value of it, and a filing writes fewer index entries. The
-- same for the filing-time indexes of those columns (2026-11-28-000132).
DROP INDEX IF EXISTS cases_respondent_created;
DROP INDEX IF EXISTS cases_mediator_created;
DROP INDEX IF EXISTS cases_ruling_mediator_created;
CREATE INDEX IF NOT EXISTS cases_respondent_created ON cases(respondent_id, created_at, id) WHERE respondent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_mediator_created ON cases(assigned_mediator_id, created_at, id) WHERE assigned_mediator_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_ruling_mediator_created ON cases(ruling_mediator_id, created_at, id) WHERE ruling_mediator_id IS NOT NULL;

-- Most urgent first (`GET /cases?sort=urgent`): for every list, an index
-- that serves its filter and that order (a priority filter reads
-- cases_urgent, whose first column is the priority's rank).
CREATE INDEX IF NOT EXISTS cases_urgent ON cases(priority_rank, due_at, created_at, id);
CREATE INDEX IF NOT EXISTS cases_state_urgent ON cases(state, priority_rank, due_at, created_at, id);
CREATE INDEX IF NOT EXISTS cases_complainant_urgent ON cases(complainant_id, priority_rank, due_at, created_at, id);
CREATE INDEX IF NOT EXISTS cases_respondent_urgent ON cases(respondent_id, priority_rank, due_at, created_at, id) WHERE respondent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_mediator_urgent ON cases(assigned_mediator_id, priority_rank, due_at, created_at, id) WHERE assigned_mediator_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_ruling_mediator_urgent ON cases(ruling_mediator_id, priority_rank, due_at, created_at, id) WHERE ruling_mediator_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_category_urgent ON cases(category_id, priority_rank, due_at, created_at, id);

-- The queues (`GET /queue`): each person's open cases by whose move it
-- is, most urgent first. Only open cases are in them; a query uses them
-- only if it says waiting_on <> 'nobody' as written here.
CREATE INDEX IF NOT EXISTS cases_queue ON cases(waiting_on, priority_rank, due_at, created_at, id) WHERE waiting_on <> 'nobody';
CREATE INDEX IF NOT EXISTS cases_mediator_queue ON cases(assigned_mediator_id, waiting_on, priority_rank, due_at, created_at, id) WHERE waiting_on <> 'nobody' AND assigned_mediator_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_complainant_queue ON cases(complainant_id, waiting_on, priority_rank, due_at, created_at, id) WHERE waiting_on <> 'nobody';
CREATE INDEX IF NOT EXISTS cases_respondent_queue ON cases(respondent_id, waiting_on, priority_rank, due_at, created_at, id) WHERE waiting_on <> 'nobody' AND respondent_id IS NOT NULL;

-- As for the other list columns (2026-11-28-000134): no statistics, so a
-- common value never sends a list walking another index and filtering.
ALTER TABLE cases ALTER COLUMN waiting_on SET STATISTICS 0;
