//! Case actions: one handler per action, all running through [`take`], the
//! single place where a case changes state. The change, its timeline entry
//! (and, later, its notifications) commit in one transaction.

pub mod accept_ruling;
pub mod accept_settlement;
pub mod appeal;
pub mod assign;
pub mod close;
pub mod decide_appeal;
pub mod dismiss;
pub mod issue_ruling;
pub mod propose_settlement;
pub mod reject_settlement;
pub mod reopen;
pub mod request_info;
pub mod start_investigation;
pub mod withdraw;

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::access::{Actor, facts, load_visible};
use super::view::case_view;
use crate::auth::Caller;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{CaseChanges, CaseRow, to_db_time};
use crate::db::schema::cases;
use crate::domain::lifecycle::{decide, permitted};
use crate::domain::{Action, CaseId, CaseState, Denial, Party, Relation, Scope};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, CaseEvent, Visibility};
use crate::routes::extract::{etag, if_match, matches};
use crate::startup::AppState;

/// What an action handler sees while its change is being made.
pub struct Ctx<'a> {
    /// The case before the action.
    pub row: &'a CaseRow,
    /// The actor's relation to it.
    pub rel: Relation,
    /// Who acts.
    pub actor: &'a Actor,
    /// The time of the action.
    pub now: DateTime<Utc>,
    /// The state the lifecycle moves the case to.
    pub next: CaseState,
    /// The settings in force.
    pub settings: &'a Settings,
}

impl Ctx<'_> {
    /// The actor's side; actions only parties may take can rely on it.
    pub fn party(&self) -> ApiResult<Party> {
        self.rel
            .party()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("party action without a party")))
    }
}

/// What an action changes beyond the state, and what its timeline entry says.
pub struct Effect {
    /// Columns to change (state, version and updated_at are filled in by [`take`]).
    pub changes: CaseChanges,
    /// Details for the timeline entry.
    pub data: serde_json::Value,
    /// Who may see the timeline entry.
    pub visibility: Visibility,
}

impl Effect {
    /// An effect visible to both parties.
    pub fn public(changes: CaseChanges, data: serde_json::Value) -> Effect {
        Effect {
            changes,
            data,
            visibility: Visibility::AllParties,
        }
    }
}

/// The part of an action specific to it; may write rows of its own.
pub type Apply = Arc<dyn Fn(&mut DbConnection, &Ctx) -> ApiResult<Effect> + Send + Sync>;

/// An optional note most actions accept.
#[derive(Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Starting with the order history."}))]
pub struct NoteBody {
    /// A note for the timeline, up to 4000 characters.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

impl NoteBody {
    /// The checked note.
    pub fn checked(&self) -> ApiResult<Option<String>> {
        let mut c = crate::domain::parse::Checker::new();
        let note = c.opt_text("note", self.note.as_deref(), 4000);
        c.finish()?;
        Ok(note)
    }
}

/// Takes `action` on a case inside the caller's transaction: checks who may
/// (403), the `If-Match` version (412) and the lifecycle (409), applies the
/// change and records it. Returns the changed case.
pub fn take(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CaseId,
    action: Action,
    expected: Option<&[String]>,
    settings: &Settings,
    apply: &Apply,
) -> ApiResult<(CaseRow, Relation)> {
    let (row, rel) = load_visible(conn, actor, id)?;
    permitted(&rel, action).map_err(ApiError::Forbidden)?;
    if let Some(tags) = expected
        && !matches(tags, row.version)
    {
        return Err(ApiError::PreconditionFailed(etag(row.version)));
    }
    let now = Utc::now();
    let next = decide(&rel, action, &facts(&row, now, settings)?).map_err(|d| match d {
        Denial::Forbidden(m) => ApiError::Forbidden(m),
        Denial::Conflict(m) => ApiError::InvalidTransition(m),
    })?;
    if action.needs_if_match() && expected.is_none() {
        return Err(ApiError::PreconditionRequired(format!(
            "`{action}` must name the case version you read: send its ETag as If-Match"
        )));
    }
    let ctx = Ctx {
        row: &row,
        rel,
        actor,
        now,
        next,
        settings,
    };
    let effect = apply(conn, &ctx)?;
    let mut changes = effect.changes;
    changes.state = Some(next.as_str().to_string());
    changes.version = Some(row.version + 1);
    changes.updated_at = Some(to_db_time(now));
    let updated = diesel::update(
        cases::table
            .filter(cases::id.eq(&row.id))
            .filter(cases::version.eq(row.version)),
    )
    .set(&changes)
    .execute(conn)?;
    if updated == 0 {
        // Someone else changed the case between our read and our write.
        return Err(ApiError::PreconditionFailed(etag(row.version + 1)));
    }
    let mut data = effect.data;
    if let Some(obj) = data.as_object_mut() {
        obj.insert("from".into(), row.state.clone().into());
        obj.insert("to".into(), next.as_str().into());
    }
    events::record(
        conn,
        settings,
        &CaseEvent {
            case_id: id,
            actor: actor.user,
            kind: action.as_str().to_string(),
            visibility: effect.visibility,
            data,
            at: now,
        },
    )?;
    let row: CaseRow = cases::table.find(&row.id).first(conn)?;
    Ok((row, rel))
}

/// Runs an action for an HTTP caller and answers with the changed case and
/// its new `ETag`. Without `If-Match`, a lost race is retried against the
/// fresh case (which then usually answers 409).
pub async fn run(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    case_id: uuid::Uuid,
    action: Action,
    apply: Apply,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let expected = if_match(req)?;
    let id = CaseId(case_id);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let actor = Actor::from(caller);
        let settings = state.settings.clone();
        let (apply, expected_now) = (apply.clone(), expected.clone());
        let result = state
            .db
            .write(move |conn| {
                let (row, _) = take(
                    conn,
                    &actor,
                    id,
                    action,
                    expected_now.as_deref(),
                    &settings,
                    &apply,
                )?;
                // The view is built for the caller's relation after the change.
                let rel = super::access::relation(&actor, &row);
                case_view(conn, row, &rel, &settings)
            })
            .await;
        match result {
            Err(ApiError::PreconditionFailed(_)) if expected.is_none() && attempt < 3 => continue,
            Err(e) => return Err(e),
            Ok(view) => {
                return Ok(HttpResponse::Ok()
                    .insert_header(("ETag", etag(view.version)))
                    .json(view));
            }
        }
    }
}

/// The `If-Match` header every action takes.
pub struct ActionParams;

impl utoipa::IntoParams for ActionParams {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::Required;
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "The ETag of the case as you last read it; a stale one gets 412 and changes nothing",
                ))
                .example(Some(serde_json::json!("\"v3\"")))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .build(),
        ]
    }
}

/// A ruling to store.
pub struct NewRuling {
    /// Who ruled: the mediator (for a settlement, the one who proposed it).
    pub mediator_id: Option<String>,
    /// `ruling`, `settlement` or `appeal_decision`.
    pub kind: &'static str,
    /// The outcome.
    pub outcome: crate::domain::ruling::Outcome,
    /// Why.
    pub rationale: String,
    /// Rule codes cited.
    pub rules_cited: Vec<String>,
    /// Sanctions.
    pub sanctions: Vec<crate::domain::ruling::Sanction>,
    /// Remedies.
    pub remedies: Vec<crate::domain::ruling::Remedy>,
    /// Whether it may be appealed.
    pub appealable: bool,
}

/// Stores a ruling on the case of `ctx`.
pub fn record_ruling(conn: &mut DbConnection, ctx: &Ctx, r: NewRuling) -> ApiResult<String> {
    use crate::db::models::RulingRow;
    use crate::db::schema::rulings;
    let json = |v: serde_json::Result<String>| v.map_err(|e| ApiError::Internal(e.into()));
    let id = uuid::Uuid::now_v7().hyphenated().to_string();
    diesel::insert_into(rulings::table)
        .values(RulingRow {
            id: id.clone(),
            case_id: ctx.row.id.clone(),
            mediator_id: r.mediator_id,
            kind: r.kind.into(),
            outcome: r.outcome.as_str().into(),
            rationale: r.rationale,
            rules_cited: json(serde_json::to_string(&r.rules_cited))?,
            sanctions: json(serde_json::to_string(&r.sanctions))?,
            remedies: json(serde_json::to_string(&r.remedies))?,
            appealable: r.appealable,
            created_at: to_db_time(ctx.now),
        })
        .execute(conn)?;
    Ok(id)
}
