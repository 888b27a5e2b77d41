use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{ActionParams, Apply, Effect, NoteBody, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::CaseChanges;
use crate::domain::Action;
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::routes::extract::OptionalJson;
use crate::startup::AppState;

/// The change `withdraw` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: NoteBody, _settings: &Settings) -> ApiResult<Apply> {
    let note = body.checked()?;
    Ok(Arc::new(move |_conn, _ctx| {
        let changes = CaseChanges {
            info_party: Some(None),
            info_deadline: Some(None),
            settlement_open: Some(false),
            ..CaseChanges::default()
        };
        Ok(Effect::public(changes, serde_json::json!({ "note": note })))
    }))
}

/// Withdraw the complaint (the complainant), before a ruling: → withdrawn.
#[utoipa::path(
    tag = "actions",
    operation_id = "withdraw",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body(content = Option<NoteBody>, description = "Optional; may be left out"),
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: OptionalJson<NoteBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.0, &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::Withdraw,
        apply,
    )
    .await
}
