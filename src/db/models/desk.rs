use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{mediator_conflicts, mediator_profiles};
use crate::domain::UserId;

/// A mediator's profile as stored; also the form that writes it whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = mediator_profiles, treat_none_as_null = true)]
pub struct ProfileRow {
    pub user_id: UserId,
    /// JSON array of category ids.
    pub skills: String,
    /// JSON array of language tags.
    pub languages: String,
    pub capacity: i32,
    pub on_duty: bool,
    pub absent_until: Option<NaiveDateTime>,
    pub last_assigned_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A declared conflict of interest, as stored and written.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mediator_conflicts)]
pub struct ConflictRow {
    pub mediator_id: UserId,
    pub user_id: UserId,
    pub reason: String,
    pub declared_by: UserId,
    pub created_at: NaiveDateTime,
}

/// A triage rule as stored; also the form that writes it whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::triage_rules)]
pub struct TriageRuleRow {
    pub id: String,
    pub position: i32,
    pub name: String,
    pub enabled: bool,
    /// JSON of `domain::triage::Conditions`.
    pub conditions: String,
    /// JSON of `domain::triage::Actions`.
    pub actions: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One tag of one case.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::db::schema::case_tags)]
pub struct CaseTagRow {
    pub case_id: crate::domain::CaseId,
    pub tag: String,
    /// Added by triage: for staff only.
    pub internal: bool,
}

/// One version of a published community rule; never changed once written.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::community_rules)]
pub struct RuleVersionRow {
    pub code: String,
    pub version: i32,
    /// JSON object: language tag -> title.
    pub title: String,
    /// JSON object: language tag -> text.
    pub body: String,
    pub published_by: UserId,
    pub published_at: NaiveDateTime,
}

/// A response template as stored; also the form that writes it whole.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::db::schema::response_templates)]
pub struct TemplateRow {
    pub id: String,
    pub code: String,
    pub name: String,
    /// JSON object: language tag -> text.
    pub bodies: String,
    pub fallback_language: Option<String>,
    /// JSON array of category ids.
    pub categories: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
