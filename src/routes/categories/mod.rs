//! Complaint categories.

pub mod create_category;
pub mod list_categories;
pub mod update_category;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::CategoryRow;
use crate::domain::Priority;

/// A category as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "slug": "billing", "name": "Billing",
    "description": "Charges, refunds and invoices", "default_priority": "normal", "active": true
}))]
pub struct CategoryView {
    /// The category's id.
    pub id: uuid::Uuid,
    /// A short stable name for URLs and filters.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What belongs here.
    pub description: String,
    /// Priority of a case filed here unless the complainant says otherwise.
    pub default_priority: Priority,
    /// Whether new cases may be filed here.
    pub active: bool,
}

impl From<CategoryRow> for CategoryView {
    fn from(c: CategoryRow) -> CategoryView {
        CategoryView {
            id: c.id.0,
            default_priority: c.default_priority,
            slug: c.slug,
            name: c.name,
            description: c.description,
            active: c.active,
        }
    }
}
