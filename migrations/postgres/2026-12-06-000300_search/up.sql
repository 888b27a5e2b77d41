-- Full-text search (issue 11): one document per case (reference, title,
-- description) and per message, with who may read it (`scope`: 'case',
-- or the message's visibility). `body` is the text as the service
-- normalises it (lower case, words apart, Chinese, Japanese and Korean
-- as overlapping pairs of characters: src/domain/search.rs); PostgreSQL
-- indexes its words with the 'simple' configuration (no stemming, every
-- language alike) in a GIN index.
CREATE TABLE search_docs (
    id BIGSERIAL PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- The case's id for its own text, the message's id for a message.
    source_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    body TEXT NOT NULL,
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
);
CREATE INDEX search_docs_words ON search_docs USING GIN (words);
CREATE INDEX search_docs_case ON search_docs (case_id);
CREATE UNIQUE INDEX search_docs_source ON search_docs (source_id);

-- What was written before this migration is indexed by the scanner
-- (src/cases/search.rs `backfill`), with the same words as new text: the
-- cases, then the messages, in id order, from where it got to.
CREATE TABLE search_backfill (
    id INTEGER PRIMARY KEY,
    cases_after TEXT NOT NULL,
    messages_after TEXT NOT NULL,
    done BOOLEAN NOT NULL
);
INSERT INTO search_backfill (id, cases_after, messages_after, done) VALUES (1, '', '', FALSE);
