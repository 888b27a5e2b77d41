//! The lifecycle actions, one file each: the body a client sends, its parse
//! into typed input, and what the action does beyond the lifecycle table.
//! They are taken through [`super::act::take`].

pub mod accept_ruling;
pub mod accept_settlement;
pub mod appeal;
pub mod apply_group_ruling;
pub mod assign;
pub mod auto_assign;
pub mod claim;
pub mod close;
pub mod decide_appeal;
pub mod dismiss;
pub mod issue_ruling;
pub mod propose_settlement;
pub mod reject_settlement;
pub mod reopen;
pub mod request_info;
pub mod start_follow_up;
pub mod start_investigation;
pub mod withdraw;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::act::Step;
use crate::cases::rulebook::check_citations;
use crate::db::DbConnection;
use crate::db::models::{RulingRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::rulings;
use crate::domain::UserId;
use crate::domain::parse::Checker;
use crate::domain::rulebook::CitedRule;
use crate::domain::ruling::{Outcome, Remedy, Sanction};
use crate::error::{ApiError, ApiResult};

/// An optional note most actions accept.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Starting with the order history."}))]
pub struct NoteBody {
    /// A note for the timeline, up to 4000 characters.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

impl NoteBody {
    /// The checked note.
    pub fn checked(self) -> ApiResult<Option<String>> {
        let mut c = Checker::new();
        let note = c.opt_text("note", self.note.as_deref(), 4000);
        c.finish()?;
        Ok(note)
    }
}

/// A ruling to store.
pub struct NewRuling {
    /// Who ruled: the mediator (for a settlement, the assigned one).
    pub mediator: Option<UserId>,
    /// `ruling`, `settlement` or `appeal_decision`.
    pub kind: &'static str,
    /// The outcome.
    pub outcome: Outcome,
    /// Why.
    pub rationale: String,
    /// The rule versions cited, as they read now.
    pub cited: Vec<CitedRule>,
    /// Sanctions.
    pub sanctions: Vec<Sanction>,
    /// Remedies.
    pub remedies: Vec<Remedy>,
    /// Whether it may be appealed.
    pub appealable: bool,
}

/// Stores a ruling on the case of `step`; it becomes the ruling in force.
pub fn record_ruling(
    conn: &mut DbConnection,
    step: &mut Step,
    r: NewRuling,
) -> ApiResult<uuid::Uuid> {
    let json = |v: serde_json::Result<String>| v.map_err(|e| ApiError::Internal(e.into()));
    let id = uuid::Uuid::now_v7();
    let row = RulingRow {
        id: id.hyphenated().to_string(),
        case_id: step.ctx.row.id,
        mediator_id: r.mediator,
        kind: r.kind.into(),
        outcome: r.outcome,
        rationale: r.rationale,
        rules_cited: json(serde_json::to_string(
            &r.cited.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
        ))?,
        cited_rules: json(serde_json::to_string(&r.cited))?,
        sanctions: json(serde_json::to_string(&r.sanctions))?,
        remedies: json(serde_json::to_string(&r.remedies))?,
        appealable: r.appealable,
        created_at: to_db_time(step.env.now),
    };
    Prepared(diesel::insert_into(rulings::table).values(&row)).execute(conn)?;
    step.ctx.ruling = Some(row);
    Ok(id)
}

/// The terms shared by rulings and appeal decisions, checked.
#[derive(Debug, Clone)]
pub struct Terms {
    /// Why.
    pub rationale: String,
    /// Codes of the published rules cited.
    pub rules: Vec<String>,
    /// Sanctions.
    pub sanctions: Vec<Sanction>,
    /// Remedies.
    pub remedies: Vec<Remedy>,
}

/// Checks the parts of a ruling shared by rulings and appeal decisions.
pub fn check_terms(
    c: &mut Checker,
    outcome: Outcome,
    rationale: &str,
    rules: &[String],
    sanctions: Vec<Sanction>,
    remedies: Vec<Remedy>,
) -> Terms {
    if outcome == Outcome::Settled {
        c.fail(
            "outcome",
            "`settled` comes only from a settlement both parties accept",
        );
    }
    let rationale = c.text("rationale", rationale, 20_000);
    let rules = check_citations(c, "rules_cited", rules);
    if sanctions.len() > 10 {
        c.fail("sanctions", "at most 10 sanctions");
    }
    for (i, s) in sanctions.iter().enumerate() {
        if let Err(m) = s.check() {
            c.fail(format!("sanctions[{i}]"), m);
        }
    }
    if remedies.len() > 10 {
        c.fail("remedies", "at most 10 remedies");
    }
    for (i, r) in remedies.iter().enumerate() {
        if let Err(m) = r.check() {
            c.fail(format!("remedies[{i}]"), m);
        }
    }
    Terms {
        rationale,
        rules,
        sanctions,
        remedies,
    }
}

/// Declares an action whose only input is an optional note.
macro_rules! note_action {
    ($(#[$meta:meta])* $name:ident, $action:ident, $event:ident, $($party:ident)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            /// The note, if any.
            pub note: Option<String>,
        }

        impl crate::cases::act::CaseAction for $name {
            const ACTION: crate::domain::Action = crate::domain::Action::$action;
            type Body = crate::cases::actions::NoteBody;

            fn parse(body: Self::Body, _env: &crate::state::Env) -> crate::error::ApiResult<Self> {
                Ok($name { note: body.checked()? })
            }

            fn apply(
                self,
                _conn: &mut crate::db::DbConnection,
                _step: &mut crate::cases::act::Step,
            ) -> crate::error::ApiResult<crate::domain::events::CaseEvent> {
                Ok(crate::domain::events::CaseEvent::$event {
                    $($party: _step.party()?,)?
                    note: self.note,
                })
            }
        }
    };
}
pub(crate) use note_action;
