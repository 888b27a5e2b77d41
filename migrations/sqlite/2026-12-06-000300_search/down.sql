DROP TABLE search_backfill;
DROP TRIGGER search_docs_changed;
DROP TRIGGER search_docs_removed;
DROP TRIGGER search_docs_added;
DROP TABLE search_words;
DROP TABLE search_docs;
