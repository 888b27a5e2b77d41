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
use crate::error::{ApiError, ApiResult};
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// Settlement terms to put to both parties.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"terms": "The shop refunds order 1234 in full within 7 days; the complaint is withdrawn."}))]
pub struct ProposeSettlementBody {
    /// The terms, 1 to 8000 characters.
    #[schema(min_length = 1, max_length = 8000, pattern = r"\S")]
    pub terms: String,
}

/// The change `propose_settlement` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: ProposeSettlementBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let terms = c.text("terms", &body.terms, 8000);
    c.finish()?;
    Ok(Arc::new(move |_conn, ctx| {
        if ctx.row.respondent_id.is_none() {
            return Err(ApiError::InvalidTransition(
                "the respondent has no account yet and could not answer a settlement".into(),
            ));
        }
        let changes = CaseChanges {
            settlement_open: Some(true),
            settlement_terms: Some(Some(terms.clone())),
            settlement_accepted_complainant: Some(false),
            settlement_accepted_respondent: Some(false),
            ..CaseChanges::default()
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({ "terms": terms }),
        ))
    }))
}

/// Propose a settlement (the assigned mediator). A new proposal replaces an
/// open one; when both parties accept, the case is settled.
#[utoipa::path(
    tag = "actions",
    operation_id = "propose_settlement",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = ProposeSettlementBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/propose_settlement")]
pub async fn propose_settlement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<ProposeSettlementBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::ProposeSettlement,
        apply,
    )
    .await
}
