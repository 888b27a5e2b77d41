//! Webhook endpoints and their deliveries (admins).

pub mod create_webhook;
pub mod delete_webhook;
pub mod get_delivery;
pub mod get_webhook;
pub mod list_deliveries;
pub mod list_webhooks;
pub mod ping_webhook;
pub mod retry_delivery;
pub mod update_webhook;
