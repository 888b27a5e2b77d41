//! Cases over HTTP: filing, reading, listing, the timeline, messages and
//! the lifecycle actions. Each handler extracts, calls the case service and
//! renders.

pub mod actions;
pub mod case_templates;
pub mod draft_message;
pub mod evidence;
pub mod feedback;
pub mod file_case;
pub mod get_case;
pub mod list_cases;
pub mod list_messages;
pub mod list_timeline;
pub mod obligations;
pub mod post_message;
pub mod queue;
pub mod related;
