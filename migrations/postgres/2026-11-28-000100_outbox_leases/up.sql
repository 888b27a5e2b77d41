-- Claims whose worker died are found by their lease's end, through an index
-- (the claim of pending mail uses outbox_due).
CREATE INDEX outbox_leases ON outbox(status, locked_until);
