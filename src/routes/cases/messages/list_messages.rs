use actix_web::{get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::MessageView;
use crate::auth::Caller;
use crate::db::models::{MessageRow, from_db_time};
use crate::db::schema::messages;
use crate::domain::{CaseId, Scope};
use crate::error::{ApiError, ApiResult};
use crate::events::Visibility;
use crate::routes::cases::access::{Actor, load_visible};
use crate::routes::cases::view::{names, person_ref};
use crate::routes::docs::ReadErrors;
use crate::routes::pagination::{self, page_of};
use crate::startup::AppState;

page_of!(
    /// A page of messages, oldest first.
    MessagePage,
    MessageView
);

/// Paging through messages.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The messages on a case the caller may read, oldest first: staff read all;
/// each party reads what is for both parties and what is for their side.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_messages",
    params(("case_id" = uuid::Uuid, Path, description = "The case id"), MessageQuery),
    responses((status = 200, description = "A page of messages", body = MessagePage), ReadErrors)
)]
#[get("/cases/{case_id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
    query: web::Query<MessageQuery>,
) -> ApiResult<web::Json<MessagePage>> {
    caller.require_scope(Scope::CasesRead)?;
    let case_id = CaseId(path.into_inner());
    let limit = pagination::limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let actor = Actor::from(&caller);
    let page = state
        .db
        .read(move |conn| {
            let (_, rel) = load_visible(conn, &actor, case_id)?;
            let readable = Visibility::readable_names(rel.party());
            let mut q = messages::table
                .filter(messages::case_id.eq(case_id.to_db()))
                .filter(messages::visibility.eq_any(readable))
                .into_boxed();
            if let Some(a) = after {
                q = q.filter(messages::id.gt(a));
            }
            let rows: Vec<MessageRow> = q.order(messages::id.asc()).limit(limit + 1).load(conn)?;
            let (rows, next_cursor) = pagination::split(rows, limit, |m| m.id.clone());
            let names = names(conn, rows.iter().map(|m| m.author_id.clone()).collect())?;
            let items = rows
                .into_iter()
                .map(|m| {
                    Ok(MessageView {
                        id: uuid::Uuid::parse_str(&m.id).map_err(anyhow::Error::from)?,
                        author: person_ref(&m.author_id, &names)?,
                        visibility: Visibility::parse(&m.visibility)
                            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad visibility")))?,
                        body: m.body,
                        created_at: from_db_time(m.created_at),
                    })
                })
                .collect::<ApiResult<_>>()?;
            Ok(MessagePage { items, next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}
