-- Whether any webhook endpoint exists is part of the desk's setup
-- (db::setup): a filing writes no webhook delivery, and builds no event
-- body, when none does. Adding or removing an endpoint counts the setup
-- generation one up, so every process sees the change at its next filing.
CREATE TRIGGER webhook_endpoints_setup_insert AFTER INSERT ON webhook_endpoints
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER webhook_endpoints_setup_delete AFTER DELETE ON webhook_endpoints
BEGIN UPDATE setup_generation SET n = n + 1 WHERE id = 1; END;
