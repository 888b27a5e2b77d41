use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::desk::DeskMail;
use crate::domain::{Role, UserId};

use crate::db::schema::users;

/// A user as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub muted: String,
    pub desk_mail: DeskMail,
    pub desk_digest_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
}

/// A user to create.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: String,
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub desk_mail: DeskMail,
}
