-- What the service-level scanner and the statistics need on a case.
--
-- Warnings are due at a share of each target (`warn_percent`), kept as
-- instants that move with the deadlines when a pause ends. `sla_fired`
-- holds the thresholds already recorded (1: first-response warning, 2:
-- first-response breach, 4: resolution warning, 8: resolution breach), so
-- each fires once. `sla_next_at` is the next threshold still to fire
-- (NULL when none can: answered and resolved, paused, or no policy): the
-- scanner reads it through a partial index, so a scan with nothing due
-- reads no case. `sla_due` is the next deadline not yet met (NULL when
-- none is running), for the lists' filter and order.
ALTER TABLE cases ADD COLUMN first_response_warn_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN resolution_warn_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN sla_fired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN sla_next_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN sla_due TIMESTAMP;
-- Business time the clock has been paused, in seconds; when the current
-- mediator was given the case; when it was resolved (ruled, settled,
-- dismissed or withdrawn), and the business time to the first answer and
-- to resolution, and the wall-clock time from assignment to resolution,
-- in seconds, counted when each happened (the statistics read them).
ALTER TABLE cases ADD COLUMN sla_paused_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN assigned_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN resolved_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN first_response_seconds BIGINT;
ALTER TABLE cases ADD COLUMN resolution_seconds BIGINT;
ALTER TABLE cases ADD COLUMN handling_seconds BIGINT;
-- Cases filed before: those past a ruling count as resolved when their
-- first ruling, settlement, withdrawal or dismissal was recorded (else when
-- they last changed). Deadlines already passed are taken as recorded, so
-- the scanner does not warn, mail and escalate every old case at once;
-- it watches the ones still ahead.
UPDATE cases SET resolved_at = COALESCE(
        (SELECT MIN(t.created_at) FROM timeline_events t WHERE t.case_id = cases.id
            AND t.kind IN ('issue_ruling', 'apply_group_ruling', 'accept_settlement', 'withdraw', 'dismiss')),
        updated_at)
    WHERE state NOT IN ('intake', 'assigned', 'investigation');
UPDATE cases SET sla_fired =
        (CASE WHEN first_response_due IS NOT NULL AND first_response_due <= strftime('%Y-%m-%d %H:%M:%f', 'now') THEN 3 ELSE 0 END)
      + (CASE WHEN resolution_due IS NOT NULL AND resolution_due <= strftime('%Y-%m-%d %H:%M:%f', 'now') THEN 12 ELSE 0 END)
    WHERE resolved_at IS NULL;
UPDATE cases SET sla_due = CASE WHEN first_response_at IS NULL
        THEN first_response_due ELSE resolution_due END
    WHERE resolved_at IS NULL AND sla_paused_since IS NULL;
UPDATE cases SET sla_next_at = CASE
        WHEN first_response_at IS NULL AND first_response_due > strftime('%Y-%m-%d %H:%M:%f', 'now') THEN first_response_due
        WHEN resolution_due > strftime('%Y-%m-%d %H:%M:%f', 'now') THEN resolution_due END
    WHERE resolved_at IS NULL AND sla_paused_since IS NULL;
-- Staff are waited on by the next deadline (the queues' order).
UPDATE cases SET due_at = sla_due
    WHERE sla_due IS NOT NULL AND waiting_on IN ('lead', 'mediator');
CREATE INDEX cases_sla_next ON cases(sla_next_at) WHERE sla_next_at IS NOT NULL;
CREATE INDEX cases_sla_due ON cases(sla_due, id) WHERE sla_due IS NOT NULL;
