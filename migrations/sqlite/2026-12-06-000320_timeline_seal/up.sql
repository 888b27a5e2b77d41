-- A tamper-evident timeline (issue 12): each entry's hash covers its
-- content and the hash of the entry before it in its case (`prev_hash`,
-- '' for the first), so an entry altered, removed or slipped in breaks the
-- chain from there on (src/cases/seal.rs). Entries recorded before this
-- are sealed by a background job, case by case, once; a database without
-- any entry has nothing to seal.
ALTER TABLE timeline_events ADD COLUMN prev_hash TEXT;
ALTER TABLE timeline_events ADD COLUMN hash TEXT;
-- A random value per entry, covered by its seal and never shown: a party
-- who sees the seals around an entry hidden from them cannot test guesses
-- of its content against them.
ALTER TABLE timeline_events ADD COLUMN salt TEXT;
-- `last_legacy`: the newest entry recorded before sealing began; an
-- entry after it without a seal had its seal removed, whatever `done` says.
CREATE TABLE timeline_seal_backfill (
    id INTEGER PRIMARY KEY,
    cases_after TEXT NOT NULL,
    done BOOLEAN NOT NULL,
    last_legacy BIGINT NOT NULL
);
INSERT INTO timeline_seal_backfill (id, cases_after, done, last_legacy)
    SELECT 1, '', NOT EXISTS (SELECT 1 FROM timeline_events),
        (SELECT COALESCE(MAX(id), 0) FROM timeline_events);
