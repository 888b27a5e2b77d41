DROP INDEX case_links_pair;
