use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionParams, Apply, Effect, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::{AppealRow, CaseChanges, to_db_time};
use crate::db::schema::appeals;
use crate::domain::parse::Checker;
use crate::domain::{Action, Party, UserId};
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// Why the ruling should change.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grounds": "The mediator did not consider the delivery receipt I sent."}))]
pub struct AppealBody {
    /// The grounds, 1 to 8000 characters.
    #[schema(min_length = 1, max_length = 8000, pattern = r"\S")]
    pub grounds: String,
}

/// The change `appeal` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: AppealBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let grounds = c.text("grounds", &body.grounds, 8000);
    c.finish()?;
    Ok(Arc::new(move |conn, ctx| {
        let party = ctx.party()?;
        let id = uuid::Uuid::now_v7().hyphenated().to_string();
        diesel::insert_into(appeals::table)
            .values(AppealRow {
                id: id.clone(),
                case_id: ctx.row.id.clone(),
                party: party.as_str().into(),
                appellant_id: ctx.actor.user.map(UserId::to_db).unwrap_or_default(),
                grounds: grounds.clone(),
                decision: None,
                decision_rationale: None,
                decided_by: None,
                decided_at: None,
                created_at: to_db_time(ctx.now),
            })
            .execute(conn)?;
        let changes = match party {
            Party::Complainant => CaseChanges {
                appealed_complainant: Some(true),
                ..CaseChanges::default()
            },
            Party::Respondent => CaseChanges {
                appealed_respondent: Some(true),
                ..CaseChanges::default()
            },
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({ "appeal_id": id, "party": party, "grounds": grounds }),
        ))
    }))
}

/// Appeal the ruling (a party, once, within the appeal window, unless the
/// ruling is final or you accepted it): ruling → appeal. Someone other than
/// the mediator who ruled decides it.
#[utoipa::path(
    tag = "actions",
    operation_id = "appeal",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = AppealBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/appeal")]
pub async fn appeal(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<AppealBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::Appeal,
        apply,
    )
    .await
}
