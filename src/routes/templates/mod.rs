//! Response templates: canned replies in several languages.

pub mod delete_template;
pub mod list_templates;
pub mod put_template;
