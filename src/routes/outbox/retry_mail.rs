use actix_web::{post, web};
use diesel::prelude::*;

use super::MailView;
use crate::accounts::Caller;
use crate::db::models::{OutboxRow, to_db_time};
use crate::db::schema::outbox;
use crate::error::{ApiError, ApiResult};
use crate::notify::status;
use crate::routes::docs::WriteErrors;
use crate::state::AppState;

/// Send a failed mail again (admins): it goes back to `pending`, due now,
/// with a fresh allowance of attempts. Its earlier attempts stay on record.
#[utoipa::path(
    tag = "outbox",
    operation_id = "retry_mail",
    params(("mail_id" = uuid::Uuid, Path, description = "The mail's id")),
    responses((status = 200, description = "The mail, pending again", body = MailView), WriteErrors)
)]
#[post("/outbox/{mail_id}/retry")]
pub async fn retry_mail(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<uuid::Uuid>,
) -> ApiResult<web::Json<MailView>> {
    let now = state.clock.now();
    caller.require_admin()?;
    let id = path.into_inner().hyphenated().to_string();
    let row: OutboxRow = state
        .db
        .write(move |conn| {
            let row: Option<OutboxRow> = outbox::table.find(&id).first(conn).optional()?;
            let row = row.ok_or(ApiError::NotFound("mail"))?;
            if row.status != status::FAILED {
                return Err(ApiError::InvalidTransition(format!(
                    "only failed mail can be retried; this one is {}",
                    row.status
                )));
            }
            let at = to_db_time(now);
            let changed = diesel::update(
                outbox::table
                    .filter(outbox::id.eq(&id))
                    .filter(outbox::status.eq(status::FAILED)),
            )
            .set((
                outbox::status.eq(status::PENDING),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(at),
                outbox::updated_at.eq(at),
            ))
            .execute(conn)?;
            if changed == 0 {
                return Err(ApiError::InvalidTransition(
                    "the mail is being retried already".into(),
                ));
            }
            Ok(outbox::table.find(&id).first(conn)?)
        })
        .await?;
    Ok(web::Json(MailView::try_from(row)?))
}
