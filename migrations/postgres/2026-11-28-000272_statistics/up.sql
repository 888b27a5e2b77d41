-- Statistics read the cases filed in a range through one covering index
-- (what they count, and who handled each case), so counting never reads
-- the table. `sla_outcome` is
-- each target's result as the case's clock has it (1: first answer
-- decided, 2: met by its deadline, 4: resolution decided, 8: met by its
-- deadline); decided means met, or missed and recorded by the scanner.
ALTER TABLE cases ADD COLUMN sla_outcome SMALLINT NOT NULL DEFAULT 0;
-- Cases resolved before times were kept: wall-clock time to resolution.
UPDATE cases SET resolution_seconds = CAST(EXTRACT(EPOCH FROM resolved_at - created_at) AS BIGINT)
    WHERE resolved_at IS NOT NULL AND resolution_seconds IS NULL;
UPDATE cases SET sla_outcome =
    (CASE WHEN first_response_due IS NOT NULL AND first_response_at IS NOT NULL
        THEN 1 + CASE WHEN first_response_at <= first_response_due THEN 2 ELSE 0 END
        WHEN first_response_due IS NOT NULL AND sla_fired % 4 >= 2 THEN 1 ELSE 0 END)
  + (CASE WHEN resolution_due IS NOT NULL AND resolved_at IS NOT NULL
        THEN 4 + CASE WHEN resolved_at <= resolution_due THEN 8 ELSE 0 END
        WHEN resolution_due IS NOT NULL AND sla_fired >= 8 THEN 4 ELSE 0 END);
CREATE INDEX cases_stats ON cases(created_at, category_id, state, priority, sla_outcome,
    first_response_seconds, resolution_seconds, handling_seconds, ruling_mediator_id,
    assigned_mediator_id);
