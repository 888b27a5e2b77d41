//! Signing in and managing tokens.

pub mod create_service_token;
pub mod create_token;
pub mod list_tokens;
pub mod revoke_token;

pub use crate::accounts::tokens::{IssuedToken, TokenKind, TokenView};
