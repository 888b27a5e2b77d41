use actix_web::{HttpResponse, get, web};

use crate::accounts::Caller;
use crate::domain::UserId;
use crate::error::ApiResult;
use crate::privacy::export::{self, UserExport};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

/// Everything Ombud holds about a user, as one JSON document (the user
/// themself, or an admin for them).
///
/// The account and its tokens (never a secret); every case the user is a
/// party to, or wrote or uploaded on, that they may see now, as they see
/// it (the case, its timeline, messages and files' metadata), whoever
/// asks; every message they wrote and file they uploaded, wherever it is
/// now; and every mail addressed to them, with its text. Sent as an
/// attachment (`ombud-export-<user id>.json`).
#[utoipa::path(
    tag = "users",
    operation_id = "export_user",
    params(("user_id" = uuid::Uuid, Path, description = "The user's id")),
    responses((status = 200, description = "The user's data", body = UserExport), ReadErrors)
)]
#[get("/users/{user_id}/export")]
#[tracing::instrument(skip_all, fields(user_id = %path))]
pub async fn export_user(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<HttpResponse> {
    let id = UserId(path.into_inner());
    export::may_export(&caller, id)?;
    let env = state.env();
    let document = state
        .db
        .read(move |conn| export::export(conn, &env, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"ombud-export-{}.json\"", id.0),
        ))
        .json(document))
}
