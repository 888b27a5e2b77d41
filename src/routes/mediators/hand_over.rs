use actix_web::{post, web};

use crate::accounts::Caller;
use crate::cases::assignment::{hand_over as hand_over_case, handed_cases};
use crate::desk::profiles::HandOverView;
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Most cases one mediator can hold (any more are left for the next call).
const AT_MOST: i64 = 5000;

/// Hand over a mediator's open cases (the mediator themself, leads, admins),
/// as when they go on leave: each case whose category is assigned
/// automatically goes to the best other eligible mediator, who is mailed.
/// The others stay theirs and are listed in `left`, for a lead to reassign
/// (`GET /cases?mediator_id=`); a ruled case waiting on the parties stays
/// too (nobody may be given it until it moves on).
#[utoipa::path(
    tag = "desk",
    operation_id = "hand_over",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id")),
    responses((status = 200, description = "What was handed over, and what is left", body = HandOverView), WriteErrors)
)]
#[post("/mediators/{user_id}/hand_over")]
pub async fn hand_over(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<HandOverView>> {
    let from = UserId(path.into_inner());
    may(&caller, from, Access::Own)?;
    let ids = state
        .db
        .read(move |conn| handed_cases(conn, from, AT_MOST))
        .await?;
    let mut out = HandOverView::default();
    // One transaction per case, as the scans do: one case's trouble (a
    // race with an action) holds up no other, and what moved stays moved.
    for id in ids {
        let env = state.env();
        let result = state
            .db
            .write(move |conn| hand_over_case(conn, &env, id, from))
            .await;
        match result {
            Ok(Some(true)) => out.reassigned += 1,
            Ok(None) => {}
            Ok(Some(false)) => out.left.push(id.0),
            // Changed meanwhile, or the database was too busy: it stays, listed.
            Err(e) => {
                tracing::warn!(case = %id, error = %e, "could not hand a case over");
                out.left.push(id.0);
            }
        }
    }
    Ok(web::Json(out))
}
