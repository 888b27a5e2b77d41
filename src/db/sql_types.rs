//! Domain types as columns: ids go in and out of queries as hyphenated UUID
//! text and enums as their snake_case names, the same on both backends, so
//! that rows hold `CaseId`, `CaseState`, `Role` … and a malformed stored
//! value fails once, here, as a deserialisation error.

use std::io::Write;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

use super::MultiBackend;
use crate::domain::desk::DeskMail;
use crate::domain::events::Visibility;
use crate::domain::follow_up::{ObligationPart, ObligationStatus};
use crate::domain::related::LinkKind;
use crate::domain::ruling::{AppealDecision, Outcome};
use crate::domain::webhook::{DeliveryStatus, WebhookStatus};
use crate::domain::{
    CaseId, CaseState, CategoryId, Channel, EvidenceId, MailStatus, MessageId, Party, Priority,
    Role, TokenId, TokenKind, UserId, WebhookId,
};

/// Implements `ToSql<Text>` and `FromSql<Text>` for `$ty` on PostgreSQL,
/// SQLite and the connection over both: written as `$text` (a `&str` or
/// `String` made from `$v`), read back with `$parse` (from `$s: String`).
macro_rules! text_column {
    ($ty:ty, |$v:ident| $text:expr, |$s:ident| $parse:expr) => {
        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                let $v = self;
                out.write_all(AsRef::<str>::as_ref(&$text).as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                let $v = self;
                out.set_value(String::from(AsRef::<str>::as_ref(&$text)));
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let $s = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                $parse
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(bytes: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                let $s = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                $parse
            }
        }

        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(
                bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }
    };
}

macro_rules! id_column {
    ($($ty:ident),*) => {$(
        text_column!($ty, |v| v.to_db(), |s| Ok($ty::from_db(&s)?));
    )*};
}

macro_rules! enum_column {
    ($($ty:ident),*) => {$(
        text_column!($ty, |v| v.as_str(), |s| s.parse::<$ty>().map_err(Into::into));
    )*};
}

id_column!(
    CaseId, UserId, CategoryId, EvidenceId, MessageId, TokenId, WebhookId
);
enum_column!(
    CaseState,
    Party,
    Role,
    Priority,
    Channel,
    Visibility,
    Outcome,
    AppealDecision,
    TokenKind,
    MailStatus,
    DeskMail,
    ObligationPart,
    ObligationStatus,
    LinkKind,
    WebhookStatus,
    DeliveryStatus
);
