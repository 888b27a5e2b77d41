//! Feedback: once a case is closed, each party rates how it was handled,
//! from 1 to 5 with an optional comment, once. Staff read every rating
//! (and see it on the timeline); a party reads their own.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::CaseContext;
use super::record::record;
use crate::db::DbConnection;
use crate::db::models::{FeedbackRow, from_db_time, to_db_time};
use crate::db::schema::case_feedback;
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::parse::Checker;
use crate::domain::{Actor, CaseId, CaseState, Party};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// A rating of the handling of a closed case.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"rating": 4, "comment": "Quick and fair, thank you."}))]
pub struct GiveFeedback {
    /// From 1 (poor) to 5 (very good).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    /// What you would like to say, up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
}

/// A party's rating, as staff (or that party) read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"party": "complainant", "rating": 4, "comment": "Quick and fair, thank you.", "at": "2026-11-28T10:00:00Z"}))]
pub struct FeedbackView {
    /// Who rated.
    pub party: Party,
    /// From 1 to 5.
    pub rating: i32,
    /// Their comment (may be empty).
    pub comment: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The ratings of a case the caller may read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackList {
    /// The ratings, the complainant's first.
    pub items: Vec<FeedbackView>,
}

fn view(row: FeedbackRow) -> FeedbackView {
    FeedbackView {
        party: row.party,
        rating: row.rating,
        comment: row.comment,
        at: from_db_time(row.created_at),
    }
}

/// Records `actor`'s rating of closed case `id` (a party, once), with a
/// staff-only timeline entry. In the caller's transaction.
pub fn give(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    body: GiveFeedback,
) -> ApiResult<FeedbackView> {
    let mut c = Checker::new();
    if !(1..=5).contains(&body.rating) {
        c.fail("rating", "from 1 to 5");
    }
    let comment = c
        .opt_text("comment", Some(&body.comment), 2000)
        .unwrap_or_default();
    c.finish()?;
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let (Some(party), Some(user)) = (standing.party(), actor.user) else {
        return Err(ApiError::Forbidden(
            "only the parties rate how their case was handled".into(),
        ));
    };
    if ctx.facts.state != CaseState::Closed {
        return Err(ApiError::InvalidTransition(format!(
            "the case is {}; it can be rated once it is closed",
            ctx.facts.state
        )));
    }
    let row = FeedbackRow {
        case_id: id,
        party,
        user_id: user,
        rating: body.rating,
        comment,
        created_at: to_db_time(env.now),
    };
    let again = || ApiError::Conflict("you have rated this case already".into());
    let rated: i64 = case_feedback::table
        .filter(case_feedback::case_id.eq(id))
        .filter(case_feedback::party.eq(party))
        .count()
        .get_result(conn)?;
    if rated > 0 {
        return Err(again());
    }
    // Two at once: the primary key lets one in.
    match diesel::insert_into(case_feedback::table)
        .values(row.clone())
        .execute(conn)
    {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(again()),
        other => other?,
    };
    // The case's lock, as every recorded event holds it (`record`).
    super::context::hold(conn, id)?;
    let given = EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event: CaseEvent::FeedbackGiven {
            party,
            rating: row.rating,
            comment: row.comment.clone(),
        },
    };
    record(conn, &env.settings, &ctx, &given)?;
    Ok(view(row))
}

/// The ratings of case `id`: all for staff, their own for a party.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<FeedbackList> {
    let (_, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let mut q = case_feedback::table
        .filter(case_feedback::case_id.eq(id))
        .into_boxed();
    if let Some(party) = standing.party() {
        q = q.filter(case_feedback::party.eq(party));
    }
    let mut rows: Vec<FeedbackRow> = q.load(conn)?;
    rows.sort_by_key(|r| r.party != Party::Complainant);
    Ok(FeedbackList {
        items: rows.into_iter().map(view).collect(),
    })
}
