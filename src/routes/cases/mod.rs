//! Cases: filing, reading, listing, actions, messages and the timeline.

pub mod access;
pub mod actions;
pub mod file_case;
pub mod get_case;
pub mod list_cases;
pub mod list_timeline;
pub mod messages;
pub mod view;
