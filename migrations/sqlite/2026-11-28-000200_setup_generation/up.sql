-- The generation of the desk's setup: what filing reads on every request
-- but what changes rarely (the categories, the triage rules, the leads and
-- admins who are mailed). Every change to it counts one up, by trigger, so
-- no code path can forget; a process keeps its copy of the setup for as
-- long as the generation it read with it is current (db::setup).
CREATE TABLE setup_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO setup_generation (id, n) VALUES (1, 0);

CREATE TRIGGER categories_setup_insert AFTER INSERT ON categories
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER categories_setup_update AFTER UPDATE ON categories
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER categories_setup_delete AFTER DELETE ON categories
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER triage_rules_setup_insert AFTER INSERT ON triage_rules
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER triage_rules_setup_update AFTER UPDATE ON triage_rules
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER triage_rules_setup_delete AFTER DELETE ON triage_rules
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
-- Only leads and admins (before or after the change) are part of the setup.
CREATE TRIGGER users_setup_insert AFTER INSERT ON users
WHEN NEW.role IN ('lead', 'admin')
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER users_setup_update
AFTER UPDATE OF email, name, role, language, active, muted, desk_mail ON users
WHEN OLD.role IN ('lead', 'admin') OR NEW.role IN ('lead', 'admin')
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER users_setup_delete AFTER DELETE ON users
WHEN OLD.role IN ('lead', 'admin')
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
