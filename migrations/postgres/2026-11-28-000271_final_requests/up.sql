-- Whether the open request for information is final: unanswered by the
-- complainant past its deadline, the desk withdraws the case (when
-- `auto_withdraw_silent` is on).
ALTER TABLE cases ADD COLUMN info_final BOOLEAN NOT NULL DEFAULT FALSE;
