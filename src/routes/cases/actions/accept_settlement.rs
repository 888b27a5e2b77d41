use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{ActionParams, Apply, Effect, NewRuling, NoteBody, record_ruling, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::CaseChanges;
use crate::domain::ruling::Outcome;
use crate::domain::{Action, CaseState, Party};
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::routes::extract::OptionalJson;
use crate::startup::AppState;

/// The change `accept_settlement` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: NoteBody, _settings: &Settings) -> ApiResult<Apply> {
    let note = body.checked()?;
    Ok(Arc::new(move |conn, ctx| {
        let party = ctx.party()?;
        let mut changes = match party {
            Party::Complainant => CaseChanges {
                settlement_accepted_complainant: Some(true),
                ..CaseChanges::default()
            },
            Party::Respondent => CaseChanges {
                settlement_accepted_respondent: Some(true),
                ..CaseChanges::default()
            },
        };
        let terms = ctx.row.settlement_terms.clone().unwrap_or_default();
        let mut data = serde_json::json!({ "party": party, "terms": terms, "note": note });
        if ctx.next == CaseState::FollowUp {
            let ruling_id = record_ruling(
                conn,
                ctx,
                NewRuling {
                    mediator_id: ctx.row.assigned_mediator_id.clone(),
                    kind: "settlement",
                    outcome: Outcome::Settled,
                    rationale: terms,
                    rules_cited: Vec::new(),
                    sanctions: Vec::new(),
                    remedies: Vec::new(),
                    appealable: false,
                },
            )?;
            changes.settlement_open = Some(false);
            changes.ruling_mediator_id = Some(ctx.row.assigned_mediator_id.clone());
            changes.ruling_appealable = Some(false);
            changes.ruling_accepted_complainant = Some(true);
            changes.ruling_accepted_respondent = Some(true);
            changes.info_party = Some(None);
            changes.info_deadline = Some(None);
            data["settled"] = true.into();
            data["ruling_id"] = ruling_id.into();
        }
        Ok(Effect::public(changes, data))
    }))
}

/// Accept the open settlement proposal (a party). `If-Match` is required, so
/// that what you accept is the proposal you read (428 without it). When both parties have
/// accepted, the terms become a `settled` ruling that is final, and the case
/// moves on to follow_up.
#[utoipa::path(
    tag = "actions",
    operation_id = "accept_settlement",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body(content = Option<NoteBody>, description = "Optional; may be left out"),
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/accept_settlement")]
pub async fn accept_settlement(
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
        Action::AcceptSettlement,
        apply,
    )
    .await
}
