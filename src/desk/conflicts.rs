//! Declared conflicts of interest: a mediator never works a case naming
//! the user (automatic assignment skips them, a claim and a manual
//! assignment are refused).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbConnection;
use crate::db::models::{ConflictRow, UserRow, from_db_time, to_db_time};
use crate::db::schema::{mediator_conflicts, users};
use crate::domain::parse::Checker;
use crate::domain::{Role, UserId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// A declared conflict as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "user_id": "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c",
    "user_name": "Carl Complainant", "reason": "My brother-in-law",
    "declared_by": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "created_at": "2026-11-28T09:00:00Z"
}))]
pub struct ConflictView {
    /// The mediator.
    pub mediator_id: uuid::Uuid,
    /// The user they may not work cases of.
    pub user_id: uuid::Uuid,
    /// That user's name.
    pub user_name: String,
    /// Why.
    pub reason: String,
    /// Who declared it (the mediator, a lead or an admin).
    pub declared_by: uuid::Uuid,
    /// When.
    pub created_at: DateTime<Utc>,
}

page_of!(
    /// A page of declared conflicts.
    ConflictPage,
    ConflictView
);

/// A conflict to declare.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c", "reason": "My brother-in-law"}))]
pub struct DeclareConflict {
    /// The user.
    pub user_id: uuid::Uuid,
    /// Why, 1 to 1000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = r"\S")]
    pub reason: String,
}

fn view(c: ConflictRow, name: String) -> ConflictView {
    ConflictView {
        mediator_id: c.mediator_id.0,
        user_id: c.user_id.0,
        user_name: name,
        reason: c.reason,
        declared_by: c.declared_by.0,
        created_at: from_db_time(c.created_at),
    }
}

/// A page of `mediator`'s declared conflicts, by user id.
pub fn list(conn: &mut DbConnection, mediator: UserId, page: &Page) -> ApiResult<ConflictPage> {
    let mut q = mediator_conflicts::table
        .inner_join(users::table.on(users::id.eq(mediator_conflicts::user_id)))
        .filter(mediator_conflicts::mediator_id.eq(mediator))
        .select((ConflictRow::as_select(), users::name))
        .order(mediator_conflicts::user_id.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(mediator_conflicts::user_id.gt(after.clone()));
    }
    let rows: Vec<(ConflictRow, String)> = q.load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |(c, _)| c.user_id.to_db());
    let items = rows.into_iter().map(|(c, n)| view(c, n)).collect();
    Ok(ConflictPage { items, next_cursor })
}

/// Records that `mediator` may not work cases naming the user; 409 if
/// already declared.
pub fn declare(
    conn: &mut DbConnection,
    mediator: UserId,
    by: UserId,
    body: DeclareConflict,
    now: DateTime<Utc>,
) -> ApiResult<ConflictView> {
    let reason = Checker::one_text("reason", &body.reason, 1000)?;
    let subject = UserId(body.user_id);
    if subject == mediator {
        return Err(ApiError::field(
            "user_id",
            "a conflict is with someone else",
        ));
    }
    let people: Vec<UserRow> = users::table
        .filter(users::id.eq_any([mediator, subject]))
        .load(conn)?;
    let target = people.iter().find(|u| u.id == mediator);
    match target {
        None => return Err(ApiError::NotFound("user")),
        Some(u) if !matches!(u.role, Role::Mediator | Role::Lead) => {
            return Err(ApiError::field(
                "mediator_id",
                "only a mediator or lead declares conflicts",
            ));
        }
        Some(_) => {}
    }
    let Some(user) = people.iter().find(|u| u.id == subject) else {
        return Err(ApiError::field("user_id", "no such user"));
    };
    let taken: i64 = mediator_conflicts::table
        .filter(mediator_conflicts::mediator_id.eq(mediator))
        .filter(mediator_conflicts::user_id.eq(subject))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(
            "this conflict is already declared".into(),
        ));
    }
    let row = ConflictRow {
        mediator_id: mediator,
        user_id: subject,
        reason,
        declared_by: by,
        created_at: to_db_time(now),
    };
    diesel::insert_into(mediator_conflicts::table)
        .values(&row)
        .execute(conn)?;
    Ok(view(row, user.name.clone()))
}

/// Withdraws a declared conflict; 404 if there is none.
pub fn withdraw(conn: &mut DbConnection, mediator: UserId, user: UserId) -> ApiResult<()> {
    let n = diesel::delete(
        mediator_conflicts::table
            .filter(mediator_conflicts::mediator_id.eq(mediator))
            .filter(mediator_conflicts::user_id.eq(user)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("conflict"));
    }
    Ok(())
}
