-- Two cases are linked once, whichever way round: two links made at once
-- from either end cannot both be stored.
CREATE UNIQUE INDEX case_links_pair ON case_links (LEAST(case_id, linked_id), GREATEST(case_id, linked_id));
