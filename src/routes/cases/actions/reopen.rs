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
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// Why the case is reopened.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The refund was never paid."}))]
pub struct ReopenBody {
    /// The reason, 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub reason: String,
}

/// The change `reopen` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: ReopenBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let reason = c.text("reason", &body.reason, 4000);
    c.finish()?;
    Ok(Arc::new(move |_conn, _ctx| {
        // The investigation starts afresh: no ruling pending, no window open.
        let changes = CaseChanges {
            closed_at: Some(None),
            ruling_appealable: Some(false),
            appeal_deadline: Some(None),
            ruling_accepted_complainant: Some(false),
            ruling_accepted_respondent: Some(false),
            appealed_complainant: Some(false),
            appealed_respondent: Some(false),
            settlement_open: Some(false),
            info_party: Some(None),
            info_deadline: Some(None),
            ..CaseChanges::default()
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({ "reason": reason }),
        ))
    }))
}

/// Reopen a closed case within the reopen period (leads and admins):
/// closed → investigation, with the same mediator.
#[utoipa::path(
    tag = "actions",
    operation_id = "reopen",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = ReopenBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<ReopenBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::Reopen,
        apply,
    )
    .await
}
