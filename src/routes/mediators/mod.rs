//! The desk's people: mediator profiles and declared conflicts.

pub mod declare_conflict;
pub mod get_mediator;
pub mod hand_over;
pub mod list_conflicts;
pub mod list_mediators;
pub mod put_mediator;
pub mod set_availability;
pub mod withdraw_conflict;
