-- Full-text search (issue 11): one document per case (reference, title,
-- description) and per message, with who may read it (`scope`: 'case',
-- or the message's visibility). `body` is the text as the service
-- normalises it (lower case, words apart, Chinese, Japanese and Korean
-- as overlapping pairs of characters: src/domain/search.rs); SQLite
-- indexes it with FTS5 (unicode61, diacritics kept, as on PostgreSQL).
CREATE TABLE search_docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL REFERENCES cases(id),
    -- The case's id for its own text, the message's id for a message.
    source_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX search_docs_case ON search_docs (case_id);
CREATE UNIQUE INDEX search_docs_source ON search_docs (source_id);
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
CREATE TRIGGER search_docs_changed AFTER UPDATE ON search_docs BEGIN
    INSERT INTO search_words (search_words, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_words (rowid, body) VALUES (new.id, new.body);
END;

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
