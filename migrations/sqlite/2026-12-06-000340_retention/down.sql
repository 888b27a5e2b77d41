ALTER TABLE cases DROP COLUMN anonymised_at;
