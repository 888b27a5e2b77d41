-- Full-text search (issue 11): one document per case (reference, title,
-- description) and per message, with who may read it (`scope`: 'case',
-- or the message's visibility). `body` is the text as the service
-- normalises it (lower case, words apart, Chinese, Japanese and Korean
-- as overlapping pairs of characters: src/domain/search.rs); SQLite
-- indexes it with FTS5 (unicode61, diacritics kept, as on PostgreSQL).
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases(id),
    scope TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX search_docs_case ON search_docs (case_id);
CREATE VIRTUAL TABLE search_words USING fts5(
    body, content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER search_docs_added AFTER INSERT ON search_docs BEGIN
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER search_docs_removed AFTER DELETE ON search_docs BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
END;

-- What was written before: words as they are (text in Chinese, Japanese
-- or Korean is found by whole runs of characters until it is written
-- again).
INSERT INTO search_docs (case_id, scope, body)
SELECT id, 'case', reference || ' ' || title || ' ' || description FROM cases;
INSERT INTO search_docs (case_id, scope, body)
SELECT case_id, visibility, body FROM messages;
