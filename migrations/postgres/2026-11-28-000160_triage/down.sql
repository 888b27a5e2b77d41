DROP INDEX case_tags_tag;
DROP TABLE case_tags;
DROP INDEX triage_rules_order;
DROP TABLE triage_rules;
