use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionParams, Apply, Effect, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::{CaseChanges, to_db_time};
use crate::domain::parse::Checker;
use crate::domain::{Action, Party};
use crate::error::{ApiError, ApiResult};
use crate::events::Visibility;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// What to ask, of whom, by when.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "respondent", "question": "Please send the tracking number of order 1234.", "deadline": "2026-12-01T17:00:00Z"}))]
pub struct RequestInfoBody {
    /// The party asked.
    pub party: Party,
    /// The question, 1 to 4000 characters; only the party asked (and staff) see it.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub question: String,
    /// When the answer is due: in the future, at most 90 days ahead.
    pub deadline: DateTime<Utc>,
}

/// The change `request_info` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: RequestInfoBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let question = c.text("question", &body.question, 4000);
    let now = Utc::now();
    if body.deadline <= now || body.deadline > now + Duration::days(90) {
        c.fail(
            "deadline",
            "must be in the future and at most 90 days ahead",
        );
    }
    c.finish()?;
    let (party, deadline) = (body.party, body.deadline);
    Ok(Arc::new(move |_conn, ctx| {
        if party == Party::Respondent && ctx.row.respondent_id.is_none() {
            return Err(ApiError::field(
                "party",
                "the respondent has no account yet and could not answer",
            ));
        }
        let changes = CaseChanges {
            info_party: Some(Some(party.as_str().into())),
            info_deadline: Some(Some(to_db_time(deadline))),
            ..CaseChanges::default()
        };
        Ok(Effect {
            changes,
            data: serde_json::json!({ "party": party, "question": question, "deadline": deadline }),
            visibility: match party {
                Party::Complainant => Visibility::Complainant,
                Party::Respondent => Visibility::Respondent,
            },
        })
    }))
}

/// Ask a party for information by a deadline (the assigned mediator). The case
/// waits on that party until they post a message on it.
#[utoipa::path(
    tag = "actions",
    operation_id = "request_info",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = RequestInfoBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/request_info")]
pub async fn request_info(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<RequestInfoBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::RequestInfo,
        apply,
    )
    .await
}
