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
    scope TEXT NOT NULL,
    body TEXT NOT NULL,
    words TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
);
CREATE INDEX search_docs_words ON search_docs USING GIN (words);
CREATE INDEX search_docs_case ON search_docs (case_id);

-- What was written before: words as they are (text in Chinese, Japanese
-- or Korean is found by whole runs of characters until it is written
-- again).
INSERT INTO search_docs (case_id, scope, body)
SELECT id, 'case', regexp_replace(lower(reference || ' ' || title || ' ' || description), '[[:punct:][:space:]]+', ' ', 'g')
FROM cases;
INSERT INTO search_docs (case_id, scope, body)
SELECT case_id, visibility, regexp_replace(lower(body), '[[:punct:][:space:]]+', ' ', 'g')
FROM messages;
