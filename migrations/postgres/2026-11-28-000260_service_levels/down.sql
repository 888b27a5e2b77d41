ALTER TABLE cases DROP COLUMN first_response_at;
ALTER TABLE cases DROP COLUMN resolution_due;
ALTER TABLE cases DROP COLUMN first_response_due;
DROP TRIGGER service_policies_setup ON service_policies;
DROP TABLE service_policies;
