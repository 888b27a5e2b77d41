use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionParams, Apply, Effect, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::CaseChanges;
use crate::domain::Action;
use crate::domain::parse::Checker;
use crate::domain::ruling::DismissalReason;
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// Why the case is dismissed.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "duplicate", "detail": "Same complaint as OMB-2026-000041."}))]
pub struct DismissBody {
    /// The kind of reason.
    pub reason: DismissalReason,
    /// The explanation both parties will read, 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub detail: String,
}

/// The change `dismiss` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: DismissBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let detail = c.text("detail", &body.detail, 4000);
    c.finish()?;
    let reason = body.reason;
    Ok(Arc::new(move |_conn, _ctx| {
        let changes = CaseChanges {
            info_party: Some(None),
            info_deadline: Some(None),
            settlement_open: Some(false),
            ..CaseChanges::default()
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({ "reason": reason, "detail": detail }),
        ))
    }))
}

/// Dismiss the case with a reason (the assigned mediator, a lead or an admin),
/// before a ruling: → dismissed.
#[utoipa::path(
    tag = "actions",
    operation_id = "dismiss",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = DismissBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/dismiss")]
pub async fn dismiss(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<DismissBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::Dismiss,
        apply,
    )
    .await
}
