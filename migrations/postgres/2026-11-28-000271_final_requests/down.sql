ALTER TABLE cases DROP COLUMN info_final;
