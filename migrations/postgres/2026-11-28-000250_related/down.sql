DROP TABLE case_links;
DROP INDEX cases_same_respondent_email;
DROP INDEX cases_same_respondent;
DROP INDEX cases_group;
ALTER TABLE cases DROP COLUMN group_members;
ALTER TABLE cases DROP COLUMN group_lead_id;
