//! A respondent named only by name and email gets access once they have an
//! account with that address.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::schema::cases;
use crate::domain::UserId;
use crate::domain::parse::Email;
use crate::error::ApiResult;

/// Makes `user` the respondent of every case that named `email` before
/// they had an account. Each case gets a new version.
pub fn link_account(
    conn: &mut DbConnection,
    user: UserId,
    email: &Email,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    Ok(diesel::update(
        cases::table
            .filter(cases::respondent_email.eq(email.as_str()))
            .filter(cases::respondent_id.is_null()),
    )
    .set((
        cases::respondent_id.eq(user),
        cases::version.eq(cases::version + 1),
        cases::updated_at.eq(to_db_time(now)),
    ))
    .execute(conn)?)
}
