//! Pure domain types and rules: no I/O, no database, no HTTP. Ids and
//! enums derive diesel's column traits so that rows can hold them; how they
//! are written and read is in `db/sql_types.rs`.

/// Gives a fieldless enum its wire and storage names from one list: `ALL`
/// (in the order listed), `as_str`, `FromStr` and `Display`. The names must
/// be serde's too (a test checks every enum).
macro_rules! wire_names {
    ($ty:ident, $what:literal { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in order.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// The wire and storage name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(format!(concat!("unknown ", $what, " `{}`"), s)),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_names;

pub mod calendar;
pub mod case;
pub mod desk;
pub mod events;
pub mod evidence;
pub mod follow_up;
pub mod hours;
pub mod ids;
pub mod lifecycle;
pub mod mail;
pub mod parse;
pub mod related;
pub mod role;
pub mod rulebook;
pub mod ruling;
pub mod search;
pub mod service_level;
pub mod templates;
pub mod triage;
pub mod waiting;
pub mod webhook;

pub use case::{Channel, Priority};
pub use ids::{CaseId, CategoryId, EvidenceId, MessageId, TokenId, UserId, WebhookId};
pub use lifecycle::{Action, Actor, CaseFacts, CaseState, Denial, Party, Standing};
pub use mail::MailStatus;
pub use role::{Role, Scope, TokenKind};
pub use webhook::{DeliveryStatus, WebhookStatus};

#[cfg(test)]
mod tests {
    use super::events::Visibility;
    use super::ruling::{AppealDecision, DismissalReason, Outcome};
    use super::*;

    /// Every value's wire name is its serde name and parses back to it.
    fn agree<T>(all: &[T])
    where
        T: serde::Serialize + std::fmt::Display + std::str::FromStr + PartialEq + std::fmt::Debug,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for v in all {
            assert_eq!(serde_json::to_value(v).unwrap(), v.to_string(), "{v:?}");
            assert_eq!(&v.to_string().parse::<T>().unwrap(), v);
        }
    }

    #[test]
    fn wire_names_are_serde_names() {
        agree(&CaseState::ALL);
        agree(&Action::ALL);
        agree(&Party::ALL);
        agree(&Role::ALL);
        agree(&Scope::ALL);
        agree(&TokenKind::ALL);
        agree(&Priority::ALL);
        agree(&Channel::ALL);
        agree(&Outcome::ALL);
        agree(&AppealDecision::ALL);
        agree(&DismissalReason::ALL);
        agree(&Visibility::ALL);
        agree(&MailStatus::ALL);
        agree(&desk::DeskMail::ALL);
        agree(&desk::AwaitingReason::ALL);
        agree(&follow_up::ObligationPart::ALL);
        agree(&follow_up::ObligationStatus::ALL);
        agree(&related::LinkKind::ALL);
        agree(&webhook::WebhookStatus::ALL);
        agree(&webhook::DeliveryStatus::ALL);
        assert!("limbo".parse::<CaseState>().is_err());
    }
}
