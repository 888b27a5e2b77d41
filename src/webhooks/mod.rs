//! Webhooks: endpoints admins register, one delivery per case event and
//! matching endpoint written in the event's transaction, signed HTTP
//! POSTs sent by the background workers (`jobs::webhooks`), and the log.
//! docs/integrations.md explains them to integrators.

pub mod deliveries;
pub mod endpoints;
pub mod sender;
pub mod signature;
