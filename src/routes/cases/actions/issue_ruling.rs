use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ActionParams, Apply, Effect, NewRuling, record_ruling, run};
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::models::{CaseChanges, to_db_time};
use crate::domain::Action;
use crate::domain::parse::Checker;
use crate::domain::ruling::{Outcome, Remedy, Sanction};
use crate::error::ApiResult;
use crate::routes::cases::view::CaseView;
use crate::routes::docs::ActionErrors;
use crate::startup::AppState;

/// What a ruling decides.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outcome": "upheld", "rationale": "The order was paid and never delivered.",
    "rules_cited": ["R-4.2"], "sanctions": [{"kind": "warning"}],
    "remedies": [{"kind": "refund", "description": "Refund order 1234 in full", "due_at": "2026-12-15T00:00:00Z"}],
    "appealable": true
}))]
pub struct IssueRulingBody {
    /// `upheld`, `partially_upheld` or `not_upheld` (`settled` comes only from a settlement).
    pub outcome: Outcome,
    /// Why, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub rationale: String,
    /// Codes of the published rules relied on (up to 20, each up to 50 characters).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub rules_cited: Vec<String>,
    /// Sanctions on the respondent (up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub sanctions: Vec<Sanction>,
    /// Remedies the respondent owes (up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub remedies: Vec<Remedy>,
    /// Whether the parties may appeal; `true` when left out. A final ruling
    /// moves on to follow-up at the next scan, or when both parties accept it.
    pub appealable: Option<bool>,
}

/// Checks the parts of a ruling shared by rulings and appeal decisions.
pub fn check_terms(
    c: &mut Checker,
    outcome: Outcome,
    rationale: &str,
    rules: &[String],
    sanctions: &[Sanction],
    remedies: &[Remedy],
) -> (String, Vec<String>) {
    if outcome == Outcome::Settled {
        c.fail(
            "outcome",
            "`settled` comes only from a settlement both parties accept",
        );
    }
    let rationale = c.text("rationale", rationale, 20_000);
    if rules.len() > 20 {
        c.fail("rules_cited", "at most 20 rules");
    }
    let rules = rules
        .iter()
        .enumerate()
        .map(|(i, r)| c.text(&format!("rules_cited[{i}]"), r, 50))
        .collect();
    if sanctions.len() > 10 {
        c.fail("sanctions", "at most 10 sanctions");
    }
    for (i, s) in sanctions.iter().enumerate() {
        if let Err(m) = s.check() {
            c.fail(format!("sanctions[{i}]"), m);
        }
    }
    if remedies.len() > 10 {
        c.fail("remedies", "at most 10 remedies");
    }
    for (i, r) in remedies.iter().enumerate() {
        if let Err(m) = r.check() {
            c.fail(format!("remedies[{i}]"), m);
        }
    }
    (rationale, rules)
}

/// The change `issue_ruling` makes, from a request body; shared by the handler and `ombud demo`.
pub fn apply(body: IssueRulingBody, settings: &Settings) -> ApiResult<Apply> {
    let mut c = Checker::new();
    let (rationale, rules) = check_terms(
        &mut c,
        body.outcome,
        &body.rationale,
        &body.rules_cited,
        &body.sanctions,
        &body.remedies,
    );
    c.finish()?;
    let appealable = body.appealable.unwrap_or(true);
    let window = Duration::seconds(settings.appeal_window_seconds);
    Ok(Arc::new(move |conn, ctx| {
        let ruling_id = record_ruling(
            conn,
            ctx,
            NewRuling {
                mediator_id: ctx.actor.user.map(crate::domain::UserId::to_db),
                kind: "ruling",
                outcome: body.outcome,
                rationale: rationale.clone(),
                rules_cited: rules.clone(),
                sanctions: body.sanctions.clone(),
                remedies: body.remedies.clone(),
                appealable,
            },
        )?;
        let deadline = if appealable {
            ctx.now + window
        } else {
            ctx.now
        };
        let changes = CaseChanges {
            ruling_mediator_id: Some(ctx.actor.user.map(crate::domain::UserId::to_db)),
            ruling_appealable: Some(appealable),
            appeal_deadline: Some(Some(to_db_time(deadline))),
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
            serde_json::json!({
                "ruling_id": ruling_id,
                "outcome": body.outcome,
                "appealable": appealable,
                "appeal_deadline": deadline,
            }),
        ))
    }))
}

/// Issue the ruling (the assigned mediator): investigation → ruling. The
/// appeal window opens (each party may appeal this ruling once); when it
/// closes, the next scan moves the case on to follow-up. A final ruling
/// (`appealable: false`) has no window and moves on at the next scan.
#[utoipa::path(
    tag = "actions",
    operation_id = "issue_ruling",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), ActionParams),
    request_body = IssueRulingBody,
    responses((status = 200, description = "The case after the action", body = CaseView, headers(("ETag" = String, description = "The new version"))), ActionErrors)
)]
#[post("/cases/{case_id}/actions/issue_ruling")]
pub async fn issue_ruling(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<IssueRulingBody>,
) -> ApiResult<HttpResponse> {
    let apply = apply(body.into_inner(), &state.settings)?;
    run(
        &state,
        &caller,
        &req,
        path.into_inner(),
        Action::IssueRuling,
        apply,
    )
    .await
}
