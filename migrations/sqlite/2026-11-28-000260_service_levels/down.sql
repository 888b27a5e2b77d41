ALTER TABLE cases DROP COLUMN first_response_at;
ALTER TABLE cases DROP COLUMN resolution_due;
ALTER TABLE cases DROP COLUMN first_response_due;
DROP TABLE service_policies;
