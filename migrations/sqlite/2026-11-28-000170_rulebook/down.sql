ALTER TABLE case_tags DROP COLUMN internal;
ALTER TABLE cases DROP COLUMN staff_tags;
ALTER TABLE rulings DROP COLUMN cited_rules;
ALTER TABLE cases DROP COLUMN cited_rules;
DROP TABLE community_rules;
