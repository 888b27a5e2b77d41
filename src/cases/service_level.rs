//! Service levels on a case: the first answer. Filing sets a case's
//! deadlines from the policy for its priority and category
//! (`domain::service_level`); the first answer is the first message from
//! staff the complainant can read, or the start of the investigation,
//! whichever comes first, and is recorded once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::context::CaseContext;
use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::schema::cases;
use crate::domain::events::Visibility;
use crate::domain::{Action, Standing};
use crate::error::ApiResult;

/// Records `now` as the case's first answer, unless it has one. In the
/// caller's transaction.
fn answered(conn: &mut DbConnection, ctx: &mut CaseContext, now: DateTime<Utc>) -> ApiResult<()> {
    if ctx.row.first_response_at.is_some() {
        return Ok(());
    }
    let at = to_db_time(now);
    diesel::update(
        cases::table
            .filter(cases::id.eq(ctx.id()))
            .filter(cases::first_response_at.is_null()),
    )
    .set(cases::first_response_at.eq(at))
    .execute(conn)?;
    ctx.row.first_response_at = Some(at);
    Ok(())
}

/// After a lifecycle action: starting the investigation answers the case.
pub fn after_action(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    action: Action,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    match action {
        Action::StartInvestigation => answered(conn, ctx, now),
        _ => Ok(()),
    }
}

/// After a message: one from staff that the complainant can read answers
/// the case (an internal note or one for the respondent does not).
pub fn after_message(
    conn: &mut DbConnection,
    ctx: &mut CaseContext,
    author: &Standing,
    visibility: Visibility,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let staff = matches!(author, Standing::Staff { .. });
    let complainant_reads = matches!(visibility, Visibility::AllParties | Visibility::Complainant);
    if staff && complainant_reads {
        answered(conn, ctx, now)?;
    }
    Ok(())
}
