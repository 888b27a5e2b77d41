//! Accounts: users, passwords, tokens and the caller behind a request.

pub mod caller;
pub mod password;
pub mod secret;
pub mod sign_in;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use caller::{Caller, authenticate};
