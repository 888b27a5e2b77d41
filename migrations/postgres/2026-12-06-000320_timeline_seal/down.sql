DROP TABLE timeline_seal_backfill;
ALTER TABLE timeline_events DROP COLUMN salt;
ALTER TABLE timeline_events DROP COLUMN hash;
ALTER TABLE timeline_events DROP COLUMN prev_hash;
