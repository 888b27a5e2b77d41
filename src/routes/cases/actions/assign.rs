use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionParams, Apply, Effect, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::{CaseChanges, UserRow};
use crate::db::schema::users;
use crate::domain::parse::Checker;
use crate::domain::{Action, CaseState, Role};
use crate::error::{ApiError, ApiResult};
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// Whom to give the case to.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "note": "Billing specialist"}))]
pub struct AssignBody {
    /// A mediator or lead who is not a party to the case.
    pub mediator_id: uuid::Uuid,
    /// A note for the timeline.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// The change `assign` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: AssignBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let note = c.opt_text("note", body.note.as_deref(), 4000);
    c.finish()?;
    let mediator = body.mediator_id.hyphenated().to_string();
    Ok(Arc::new(move |conn, ctx| {
        let target: Option<UserRow> = users::table.find(&mediator).first(conn).optional()?;
        let target = target.ok_or_else(|| ApiError::field("mediator_id", "no such user"))?;
        let role: Role = target
            .role
            .parse()
            .map_err(|e: String| anyhow::anyhow!(e))?;
        if !target.active || !matches!(role, Role::Mediator | Role::Lead) {
            return Err(ApiError::field(
                "mediator_id",
                "must be an active mediator or lead",
            ));
        }
        let row = ctx.row;
        if row.complainant_id == target.id
            || row.respondent_id.as_deref() == Some(target.id.as_str())
        {
            return Err(ApiError::field(
                "mediator_id",
                "a party to the case cannot mediate it",
            ));
        }
        if ctx.next == CaseState::Appeal
            && row.ruling_mediator_id.as_deref() == Some(target.id.as_str())
        {
            return Err(ApiError::field(
                "mediator_id",
                "the mediator who ruled cannot review the appeal",
            ));
        }
        if row.assigned_mediator_id.as_deref() == Some(target.id.as_str()) {
            return Err(ApiError::InvalidTransition(
                "the case is already assigned to this mediator".into(),
            ));
        }
        let changes = CaseChanges {
            assigned_mediator_id: Some(Some(target.id.clone())),
            ..CaseChanges::default()
        };
        Ok(Effect::public(
            changes,
            serde_json::json!({
                "mediator_id": target.id,
                "mediator_name": target.name,
                "previous_mediator_id": row.assigned_mediator_id,
                "note": note,
            }),
        ))
    }))
}

/// Assign the case to a mediator, or reassign it (leads and admins):
/// intake → assigned; from assigned, investigation or appeal it stays where it is.
/// An appeal is never given to the mediator who ruled.
#[utoipa::path(
    tag = "actions",
    operation_id = "assign",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = AssignBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<AssignBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::Assign,
        apply,
    )
    .await
}
