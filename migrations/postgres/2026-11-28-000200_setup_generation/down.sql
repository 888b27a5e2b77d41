DROP TRIGGER users_setup_delete ON users;
DROP TRIGGER users_setup_update ON users;
DROP TRIGGER users_setup_insert ON users;
DROP TRIGGER triage_rules_setup ON triage_rules;
DROP TRIGGER categories_setup ON categories;
DROP FUNCTION bump_setup_generation();
DROP TABLE setup_generation;
