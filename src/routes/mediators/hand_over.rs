use actix_web::{post, web};

use crate::accounts::Caller;
use crate::cases::assignment::{hand_over as hand_over_case, handed_cases};
use crate::desk::profiles::HandOverView;
use crate::desk::{Access, may};
use crate::domain::UserId;
use crate::error::{ApiError, ApiResult};
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Most cases one hand-over moves; the answer says if more remain.
const BATCH: i64 = 200;

/// Hand over a mediator's open cases (the mediator themself, leads, admins),
/// as when they go on leave: each case whose category is assigned
/// automatically goes to the best other eligible mediator; the others wait
/// for a lead, and the leads are told. A ruled case waiting on the parties
/// stays (nobody may reassign it until it moves on).
#[utoipa::path(
    tag = "desk",
    operation_id = "hand_over",
    params(("user_id" = uuid::Uuid, Path, description = "The mediator's user id")),
    responses((status = 200, description = "What was handed over", body = HandOverView), WriteErrors)
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
        .read(move |conn| handed_cases(conn, from, BATCH + 1))
        .await?;
    let mut out = HandOverView {
        more: ids.len() as i64 > BATCH,
        ..HandOverView::default()
    };
    // One transaction per case, as the scans do: one case's trouble (a
    // race with an action) holds up no other.
    for id in ids.into_iter().take(BATCH as usize) {
        let env = state.env();
        let result = state
            .db
            .write(move |conn| hand_over_case(conn, &env, id, from))
            .await;
        match result {
            Ok(Some(true)) => out.reassigned += 1,
            Ok(Some(false)) => out.waiting += 1,
            Ok(None) | Err(ApiError::PreconditionFailed(_) | ApiError::InvalidTransition(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(web::Json(out))
}
