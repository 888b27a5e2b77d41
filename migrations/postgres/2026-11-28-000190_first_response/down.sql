ALTER TABLE categories DROP COLUMN first_response_hours;
