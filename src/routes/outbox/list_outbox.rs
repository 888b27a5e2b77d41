use actix_web::{get, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{MailStatus, MailView};
use crate::accounts::Caller;
use crate::db::StoreError;
use crate::db::models::OutboxRow;
use crate::db::schema::outbox;
use crate::error::ApiResult;
use crate::pagination::{self, Page, PageQuery, page_of};
use crate::routes::docs::ReadErrors;
use crate::state::AppState;

page_of!(
    /// A page of mail, newest first.
    MailPage,
    MailView
);

/// Which mail to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// Only mail in this state.
    pub status: Option<MailStatus>,
    /// Only mail about this case.
    pub case_id: Option<uuid::Uuid>,
}

/// List the outbox (admins), newest first.
#[utoipa::path(
    tag = "outbox",
    operation_id = "list_outbox",
    params(OutboxFilter, PageQuery),
    responses((status = 200, description = "A page of mail", body = MailPage), ReadErrors)
)]
#[get("/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<OutboxFilter>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<MailPage>> {
    caller.require_admin()?;
    let f = filter.into_inner();
    let Page {
        limit,
        after: before,
    } = page.checked()?;
    let rows: Vec<OutboxRow> = state
        .db
        .read(move |conn| -> Result<_, StoreError> {
            let mut q = outbox::table.into_boxed();
            if let Some(s) = f.status {
                q = q.filter(outbox::status.eq(s.as_str()));
            }
            if let Some(c) = f.case_id {
                q = q.filter(outbox::case_id.eq(c.hyphenated().to_string()));
            }
            if let Some(b) = before {
                q = q.filter(outbox::id.lt(b));
            }
            Ok(q.order(outbox::id.desc()).limit(limit + 1).load(conn)?)
        })
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |m| m.id.clone());
    let items = rows
        .into_iter()
        .map(MailView::try_from)
        .collect::<ApiResult<_>>()?;
    Ok(web::Json(MailPage { items, next_cursor }))
}
