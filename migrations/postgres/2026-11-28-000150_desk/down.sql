ALTER TABLE users DROP COLUMN desk_digest_at;
ALTER TABLE users DROP COLUMN desk_mail;
ALTER TABLE categories DROP COLUMN auto_assign;
DROP INDEX mediator_conflicts_user;
DROP TABLE mediator_conflicts;
DROP TABLE mediator_profiles;
