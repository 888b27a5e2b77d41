//! User accounts.

pub mod create_user;
pub mod erase_user;
pub mod export_user;
pub mod get_me;
pub mod get_user;
pub mod list_users;
pub mod update_user;

pub use crate::accounts::users::{Notifications, UserView};
