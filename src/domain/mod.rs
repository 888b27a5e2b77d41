//! Pure domain types and rules: no I/O, no database, no HTTP. Ids and
//! enums derive diesel's column traits so that rows can hold them; how they
//! are written and read is in `db/sql_types.rs`.

pub mod case;
pub mod events;
pub mod ids;
pub mod lifecycle;
pub mod parse;
pub mod role;
pub mod ruling;
pub mod waiting;

pub use case::{Channel, Priority};
pub use ids::{CaseId, CategoryId, MessageId, TokenId, UserId};
pub use lifecycle::{Action, Actor, CaseFacts, CaseState, Denial, Party, Standing};
pub use role::{Role, Scope, TokenKind};
