-- Whether any webhook endpoint exists is part of the desk's setup
-- (db::setup): a filing writes no webhook delivery, and builds no event
-- body, when none does. Adding or removing an endpoint counts the setup
-- generation one up, so every process sees the change at its next filing.
CREATE TRIGGER webhook_endpoints_setup AFTER INSERT OR DELETE ON webhook_endpoints
    FOR EACH STATEMENT EXECUTE FUNCTION bump_setup_generation();
