ALTER TABLE cases DROP COLUMN suggested_templates;
DROP TABLE response_templates;
