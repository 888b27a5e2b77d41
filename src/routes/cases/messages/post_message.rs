use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MessageView;
use crate::auth::Caller;
use crate::db::models::{MessageRow, to_db_time};
use crate::db::schema::{cases, messages};
use crate::domain::parse::Checker;
use crate::domain::{CaseId, MessageId, Party, Scope};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, CaseEvent, Visibility};
use crate::routes::cases::access::{Actor, info_request, load_visible, state_of};
use crate::routes::cases::view::PersonRef;
use crate::routes::docs::WriteErrors;
use crate::routes::extract::idempotency_key;
use crate::routes::idempotency::{self, Created};
use crate::startup::AppState;

/// A message to post.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "The tracking number is 00340434.", "visibility": "all_parties"}))]
pub struct PostMessage {
    /// The text, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub body: String,
    /// Who may read it; `all_parties` when left out. Parties may post to
    /// both parties or privately to the mediator (their own side); only
    /// staff may post to the other side alone or `internal` notes.
    #[serde(default)]
    pub visibility: Visibility,
}

/// Post a message on a case. A party the mediator asked for information
/// answers by posting; the case then stops waiting on them. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "messages",
    operation_id = "post_message",
    params(
        ("case_id" = uuid::Uuid, Path, description = "The case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key returns the first response", min_length = 1, max_length = 255, pattern = r"^[!-~]+$"),
    ),
    request_body = PostMessage,
    responses((status = 201, description = "Posted", body = MessageView), WriteErrors)
)]
#[post("/cases/{case_id}/messages")]
pub async fn post_message(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    body: web::Json<PostMessage>,
) -> ApiResult<HttpResponse> {
    caller.require_scope(Scope::CasesWrite)?;
    let key = idempotency_key(&req)?;
    let case_id = CaseId(path.into_inner());
    let fp = idempotency::fingerprint(&format!("post_message {case_id}"), &*body);
    let mut c = Checker::new();
    let text = c.text("body", &body.body, 20_000);
    c.finish()?;
    let visibility = body.visibility;
    let actor = Actor::from(&caller);
    let settings = state.settings.clone();
    let author = PersonRef {
        id: Some(caller.user_id.0),
        name: caller.name.clone(),
    };
    idempotency::create(&state, &caller, key, fp, move |conn| {
        let (row, rel) = load_visible(conn, &actor, case_id)?;
        if state_of(&row)?.is_terminal() {
            return Err(ApiError::InvalidTransition(format!(
                "the case is {}; reopen it to post",
                row.state
            )));
        }
        let party = rel.party();
        if !Visibility::readable_by(party).contains(&visibility) {
            return Err(ApiError::field(
                "visibility",
                "parties may post to all_parties or privately to the mediator (their own side)",
            ));
        }
        let now = Utc::now();
        let id = MessageId::new();
        diesel::insert_into(messages::table)
            .values(MessageRow {
                id: id.to_db(),
                case_id: case_id.to_db(),
                author_id: caller_id(&actor)?,
                visibility: visibility.as_str().into(),
                body: text.clone(),
                created_at: to_db_time(now),
            })
            .execute(conn)?;
        events::record(
            conn,
            &settings,
            &CaseEvent {
                case_id,
                actor: actor.user,
                kind: "message_posted".into(),
                visibility,
                data: serde_json::json!({ "message_id": id }),
                at: now,
            },
        )?;
        let answered = info_request(&row).is_some_and(|r| Some(r.party) == party);
        if let (true, Some(party)) = (answered, party) {
            // Only if the case is as we read it: a newer request stays open.
            let cleared = diesel::update(
                cases::table
                    .filter(cases::id.eq(&row.id))
                    .filter(cases::version.eq(row.version)),
            )
            .set((
                cases::info_party.eq(None::<String>),
                cases::info_deadline.eq(None::<chrono::NaiveDateTime>),
                cases::version.eq(cases::version + 1),
                cases::updated_at.eq(to_db_time(now)),
            ))
            .execute(conn)?;
            if cleared > 0 {
                let visibility = match party {
                    Party::Complainant => Visibility::Complainant,
                    Party::Respondent => Visibility::Respondent,
                };
                let event = CaseEvent {
                    case_id,
                    actor: actor.user,
                    kind: "info_provided".into(),
                    visibility,
                    data: serde_json::json!({ "party": party }),
                    at: now,
                };
                events::record(conn, &settings, &event)?;
            }
        }
        let view = MessageView {
            id: id.0,
            author,
            visibility,
            body: text,
            created_at: now,
        };
        Created::new(view, format!("/api/v1/cases/{case_id}/messages"))
    })
    .await
}

fn caller_id(actor: &Actor) -> ApiResult<String> {
    actor
        .user
        .map(|u| u.to_db())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a message needs an author")))
}
