//! The mail outbox, for admins: what went out, what is waiting, what failed.

pub mod get_mail;
pub mod list_outbox;
pub mod retry_mail;

pub use crate::notify::admin::{MailStatus, MailView};
