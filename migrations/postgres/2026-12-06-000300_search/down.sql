DROP TABLE search_backfill;
DROP TABLE search_docs;
