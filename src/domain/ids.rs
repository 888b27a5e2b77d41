//! Identifier newtypes, so that a `CaseId` is never passed where a `UserId` is meant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// The identifier as stored in the database (hyphenated lower-case text).
            pub fn to_db(self) -> String {
                self.0.hyphenated().to_string()
            }

            /// Reads an identifier back from its stored text.
            pub fn from_db(s: &str) -> Result<Self, uuid::Error> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(
    /// Identifies a case.
    CaseId
);
id_type!(
    /// Identifies a user (person or integration account).
    UserId
);
id_type!(
    /// Identifies a category.
    CategoryId
);
id_type!(
    /// Identifies a message on a case.
    MessageId
);
id_type!(
    /// Identifies a piece of evidence on a case.
    EvidenceId
);
id_type!(
    /// Identifies an API token.
    TokenId
);
id_type!(
    /// Identifies a webhook endpoint.
    WebhookId
);
