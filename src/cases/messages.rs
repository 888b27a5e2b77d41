//! Messages on a case, each with a visibility: posting (a party asked for
//! information answers by posting) and reading what the caller may read.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::CaseContext;
use super::record::record;
use super::view::{PersonRef, names, person_ref};
use crate::db::models::{MessageRow, from_db_time, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::messages;
use crate::db::{DbConnection, MultiBackend};
use crate::domain::events::{CaseEvent, EventRecord, Visibility};
use crate::domain::lifecycle::Effect;
use crate::domain::parse::Checker;
use crate::domain::{Actor, CaseId, MessageId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};
use crate::state::Env;

/// A message to post.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
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

/// A message as its reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-4444-7a21-9d0b-5c1e8f2a3b4c",
    "author": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
    "visibility": "all_parties", "body": "The tracking number is 00340434.", "created_at": "2026-11-23T09:00:00Z"
}))]
pub struct MessageView {
    /// Message id.
    pub id: uuid::Uuid,
    /// Who wrote it.
    pub author: PersonRef,
    /// Who may read it.
    pub visibility: Visibility,
    /// The text.
    pub body: String,
    /// When it was posted.
    pub created_at: DateTime<Utc>,
}

page_of!(
    /// A page of messages, oldest first.
    MessagePage,
    MessageView
);

/// The checked text of a message.
pub fn check(body: &PostMessage) -> ApiResult<String> {
    let mut c = Checker::new();
    let text = c.text("body", &body.body, 20_000);
    c.finish()?;
    Ok(text)
}

/// Posts a message for `actor` on case `id`, in the caller's transaction.
pub fn post(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    body: PostMessage,
) -> ApiResult<MessageView> {
    let text = check(&body)?;
    let visibility = body.visibility;
    // Held (PostgreSQL) so that the versioned save below, when the message
    // answers a request or is staff's first answer, cannot lose to the
    // scanner or an action committing in between.
    super::context::hold(conn, id)?;
    let (mut ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    standing
        .may_post()
        .map_err(|m| ApiError::Forbidden(m.into()))?;
    if ctx.facts.state.is_terminal() {
        return Err(ApiError::InvalidTransition(format!(
            "the case is {}; reopen it to post",
            ctx.facts.state
        )));
    }
    let party = standing.party();
    if !Visibility::readable_by(party).contains(&visibility) {
        return Err(ApiError::field(
            "visibility",
            "parties may post to all_parties or privately to the mediator (their own side)",
        ));
    }
    let author = actor
        .user
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a message needs an author")))?;
    let message_id = MessageId::new();
    Prepared(diesel::insert_into(messages::table).values(MessageRow {
        id: message_id,
        case_id: id,
        author_id: author,
        visibility,
        body: text.clone(),
        created_at: to_db_time(env.now),
        redacted_at: None,
    }))
    .execute(conn)?;
    super::search::index_message(conn, id, message_id, visibility, &text)?;
    let event = |event| EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event,
    };
    let posted = event(CaseEvent::MessagePosted {
        message_id,
        visibility,
        body: text.clone(),
    });
    record(conn, &env.settings, &ctx, &posted)?;
    // A party's answer to a request for information, and staff's first
    // answer to the case, change the case (and so its version).
    let provided = ctx.facts.info_request.filter(|r| Some(r.party) == party);
    let first_answer = ctx.row.first_response_at.is_none()
        && super::service_level::message_answers(&standing, visibility);
    if provided.is_some() || first_answer {
        let before = super::service_level::Before::of(&ctx);
        if provided.is_some() {
            ctx.facts.apply(&Effect::ClearInfoRequest);
        }
        super::service_level::settle(&mut ctx, &before, first_answer, env.now, env.now)?;
        match ctx.save(conn, env.now) {
            Ok(()) => {
                if let Some(request) = provided {
                    let provided = event(CaseEvent::InfoProvided {
                        party: request.party,
                    });
                    record(conn, &env.settings, &ctx, &provided)?;
                }
            }
            // The case changed since it was read: a newer request stays open.
            Err(ApiError::PreconditionFailed(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(MessageView {
        id: message_id.0,
        author: PersonRef {
            id: Some(author.0),
            name: ctx.name_of(author),
        },
        visibility,
        body: text,
        created_at: env.now,
    })
}

/// The query behind [`list`]: case `id`'s messages of the `readable`
/// visibilities after the page's position, oldest first, one more than a page.
pub fn page_query(
    id: CaseId,
    readable: Vec<Visibility>,
    page: &Page,
) -> messages::BoxedQuery<'static, MultiBackend> {
    let mut q = messages::table
        .filter(messages::case_id.eq(id))
        .filter(messages::visibility.eq_any(readable))
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(messages::id.gt(a.clone()));
    }
    q.order(messages::id.asc()).limit(page.limit + 1)
}

/// The messages on case `id` the actor may read, oldest first: staff read
/// all; each party reads what is for both parties and what is for their side.
///
/// `thread` keeps one visibility only (a thread of the caucus: the joint
/// one, one party's with the mediator, or staff's notes); asking for one
/// the caller may not read gives an empty page, as if it had no messages.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    thread: Option<Visibility>,
    page: &Page,
) -> ApiResult<MessagePage> {
    let (_, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let mut readable = Visibility::readable_by(standing.party());
    if let Some(only) = thread {
        readable.retain(|v| *v == only);
    }
    let rows: Vec<MessageRow> = page_query(id, readable, page).load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |m| m.id.to_db());
    let names = names(conn, rows.iter().map(|m| m.author_id).collect())?;
    let items = rows
        .into_iter()
        .map(|m| MessageView {
            id: m.id.0,
            author: person_ref(m.author_id, &names),
            visibility: m.visibility,
            body: m.body,
            created_at: from_db_time(m.created_at),
        })
        .collect();
    Ok(MessagePage { items, next_cursor })
}

/// One thread of a case's messages as its reader sees it: its visibility,
/// how many messages it holds and the latest.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "thread": "respondent", "messages": 3, "last_at": "2026-11-23T09:00:00Z",
    "last_author": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Mia Mediator"}
}))]
pub struct ThreadView {
    /// The thread: `all_parties` (joint), `complainant` or `respondent`
    /// (that party with the mediator), `internal` (staff's notes).
    pub thread: Visibility,
    /// How many messages it holds.
    pub messages: i64,
    /// When the latest was posted.
    pub last_at: Option<DateTime<Utc>>,
    /// Who posted the latest.
    pub last_author: Option<PersonRef>,
}

/// The threads of a case its reader may read, in a fixed order (joint,
/// complainant, respondent, internal), empty ones included.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThreadList {
    /// The threads.
    pub items: Vec<ThreadView>,
}

/// The caucus at a glance: each thread of case `id` that `actor` may read,
/// with its count and latest message (`GET /cases/{id}/threads`).
pub fn threads(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<ThreadList> {
    use diesel::dsl::{count_star, max};
    let (_, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    let readable = Visibility::readable_by(standing.party());
    let counts: Vec<(Visibility, i64, Option<MessageId>)> = messages::table
        .filter(messages::case_id.eq(id))
        .filter(messages::visibility.eq_any(readable.clone()))
        .group_by(messages::visibility)
        .select((messages::visibility, count_star(), max(messages::id)))
        .load(conn)?;
    let latest_ids: Vec<MessageId> = counts.iter().filter_map(|(_, _, m)| *m).collect();
    let latest: Vec<MessageRow> = messages::table
        .filter(messages::id.eq_any(latest_ids))
        .load(conn)?;
    let names = names(conn, latest.iter().map(|m| m.author_id).collect())?;
    let items = readable
        .into_iter()
        .map(|thread| {
            let (n, last) = counts
                .iter()
                .find(|(v, _, _)| *v == thread)
                .map(|(_, n, last)| (*n, *last))
                .unwrap_or((0, None));
            let last = last.and_then(|id| latest.iter().find(|m| m.id == id));
            ThreadView {
                thread,
                messages: n,
                last_at: last.map(|m| from_db_time(m.created_at)),
                last_author: last.map(|m| person_ref(m.author_id, &names)),
            }
        })
        .collect();
    Ok(ThreadList { items })
}
