use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::issue_ruling::check_terms;
use super::{ActionParams, Apply, Effect, NewRuling, record_ruling, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::{CaseChanges, to_db_time};
use crate::db::schema::appeals;
use crate::domain::parse::Checker;
use crate::domain::ruling::{AppealDecision, Outcome, Remedy, Sanction};
use crate::domain::{Action, UserId};
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// The decision on an appeal.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "amend", "rationale": "The receipt shows partial delivery.",
    "outcome": "partially_upheld",
    "remedies": [{"kind": "refund", "description": "Refund half of order 1234", "due_at": "2026-12-15T00:00:00Z"}]
}))]
pub struct DecideAppealBody {
    /// `uphold` (the ruling stands), `amend` or `overturn` (a new outcome).
    pub decision: AppealDecision,
    /// Why, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub rationale: String,
    /// The new outcome; required for amend and overturn, refused for uphold.
    pub outcome: Option<Outcome>,
    /// Rules the new ruling cites.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub rules_cited: Vec<String>,
    /// Sanctions of the new ruling.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub sanctions: Vec<Sanction>,
    /// Remedies of the new ruling.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub remedies: Vec<Remedy>,
}

/// The change `decide_appeal` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: DecideAppealBody, _settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let outcome = match (body.decision, body.outcome) {
        (AppealDecision::Uphold, None) => None,
        (AppealDecision::Uphold, Some(_)) => {
            c.fail(
                "outcome",
                "an upheld ruling keeps its outcome; leave this out",
            );
            None
        }
        (_, Some(o)) => Some(o),
        (_, None) => {
            c.fail("outcome", "amend and overturn need the new outcome");
            None
        }
    };
    let (rationale, rules) = check_terms(
        &mut c,
        outcome.unwrap_or(Outcome::Upheld),
        &body.rationale,
        &body.rules_cited,
        &body.sanctions,
        &body.remedies,
    );
    c.finish()?;
    Ok(Arc::new(move |conn, ctx| {
        let decided_by = ctx.actor.user.map(UserId::to_db);
        diesel::update(
            appeals::table
                .filter(appeals::case_id.eq(&ctx.row.id))
                .filter(appeals::decision.is_null()),
        )
        .set((
            appeals::decision.eq(body.decision.as_str()),
            appeals::decision_rationale.eq(&rationale),
            appeals::decided_by.eq(decided_by),
            appeals::decided_at.eq(to_db_time(ctx.now)),
        ))
        .execute(conn)?;
        let mut data = serde_json::json!({ "decision": body.decision, "rationale": rationale });
        if let Some(outcome) = outcome {
            let id = record_ruling(
                conn,
                ctx,
                NewRuling {
                    mediator_id: ctx.actor.user.map(crate::domain::UserId::to_db),
                    kind: "appeal_decision",
                    outcome,
                    rationale: rationale.clone(),
                    rules_cited: rules.clone(),
                    sanctions: body.sanctions.clone(),
                    remedies: body.remedies.clone(),
                    appealable: false,
                },
            )?;
            data["ruling_id"] = id.into();
            data["outcome"] = serde_json::to_value(outcome).unwrap_or_default();
        }
        let changes = CaseChanges {
            ruling_appealable: Some(false),
            appeal_deadline: Some(None),
            ..CaseChanges::default()
        };
        Ok(Effect::public(changes, data))
    }))
}

/// Decide the appeal (a lead, an admin, or the mediator the appeal was
/// assigned to; never the mediator who ruled): appeal → follow_up. Amend and
/// overturn replace the ruling with a final one.
#[utoipa::path(
    tag = "actions",
    operation_id = "decide_appeal",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = DecideAppealBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/decide_appeal")]
pub async fn decide_appeal(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<DecideAppealBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::DecideAppeal,
        apply,
    )
    .await
}
