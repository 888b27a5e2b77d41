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

/// The change `accept_ruling` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: NoteBody, _settings: &Settings) -> ApiResult<Apply> {
    let note = body.checked()?;
    Ok(Arc::new(move |_conn, ctx| {
        let changes = match ctx.party()? {
            crate::domain::Party::Complainant => CaseChanges {
                ruling_accepted_complainant: Some(true),
                ..CaseChanges::default()
            },
            crate::domain::Party::Respondent => CaseChanges {
                ruling_accepted_respondent: Some(true),
                ..CaseChanges::default()
            },
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({ "party": ctx.party()?, "note": note }),
        ))
    }))
}

/// Accept the ruling (a party). When both parties have, the case moves on to follow_up.
#[utoipa::path(
    tag = "actions",
    operation_id = "accept_ruling",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body(content = Option<NoteBody>, description = "Optional; may be left out"),
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/accept_ruling")]
pub async fn accept_ruling(
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
        Action::AcceptRuling,
        apply,
    )
    .await
}
