//! Complaint categories.

pub mod create_category;
pub mod list_categories;
pub mod update_category;

pub use crate::cases::categories::CategoryView;
