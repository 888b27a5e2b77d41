//! `issue_ruling`: the assigned mediator rules; the appeal window opens.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{NewRuling, Terms, check_terms, record_ruling};
use crate::cases::act::{CaseAction, Step};
use crate::cases::context::CaseContext;
use crate::cases::rulebook::cite_for_ruling;
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::domain::parse::Checker;
use crate::domain::ruling::{Outcome, Remedy, Sanction};
use crate::error::ApiResult;
use crate::state::Env;

/// What a ruling decides.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outcome": "upheld", "rationale": "The order was paid and never delivered.",
    "rules_cited": ["R-4.2"], "sanctions": [{"kind": "warning"}],
    "remedies": [{"kind": "refund", "description": "Refund order 1234 in full", "due_at": "2026-12-15T00:00:00Z"}],
    "appealable": true
}))]
pub struct IssueRulingBody {
    /// `upheld`, `partially_upheld` or `not_upheld` (`settled` comes only from a settlement).
    pub outcome: Outcome,
    /// Why, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub rationale: String,
    /// Codes of the published rules relied on (up to 20); the latest
    /// version of each is stored with the ruling. A ruling that upholds the
    /// complaint (in whole or in part) must cite one once any rule is published.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub rules_cited: Vec<String>,
    /// Sanctions on the respondent (up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub sanctions: Vec<Sanction>,
    /// Remedies the respondent owes (up to 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub remedies: Vec<Remedy>,
    /// Whether the parties may appeal; `true` when left out. A final ruling
    /// moves on to follow-up at the next scan, or when both parties accept it.
    pub appealable: Option<bool>,
}

/// Issue a ruling.
#[derive(Debug, Clone)]
pub struct IssueRuling {
    /// The outcome.
    pub outcome: Outcome,
    /// The rationale, rules, sanctions and remedies.
    pub terms: Terms,
    /// Whether it may be appealed.
    pub appealable: bool,
}

impl CaseAction for IssueRuling {
    const ACTION: Action = Action::IssueRuling;
    type Body = IssueRulingBody;

    fn parse(body: IssueRulingBody, _env: &Env) -> ApiResult<Self> {
        let mut c = Checker::new();
        let terms = check_terms(
            &mut c,
            body.outcome,
            &body.rationale,
            &body.rules_cited,
            body.sanctions,
            body.remedies,
        );
        c.finish()?;
        Ok(IssueRuling {
            outcome: body.outcome,
            terms,
            appealable: body.appealable.unwrap_or(true),
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let now = step.env.now;
        let window = Duration::seconds(step.env.settings.appeal_window_seconds);
        let deadline = if self.appealable { now + window } else { now };
        let by = step.actor.user;
        let cited = cite_for_ruling(conn, self.outcome, &self.terms.rules)?;
        let ruling_id = record_ruling(
            conn,
            step,
            NewRuling {
                mediator: by,
                kind: "ruling",
                outcome: self.outcome,
                rationale: self.terms.rationale,
                cited,
                sanctions: self.terms.sanctions,
                remedies: self.terms.remedies,
                appealable: self.appealable,
            },
        )?;
        step.effect(Effect::Rule {
            by,
            appealable: self.appealable,
            appeal_deadline: deadline,
        });
        Ok(CaseEvent::RulingIssued {
            ruling_id,
            outcome: self.outcome,
            appealable: self.appealable,
            appeal_deadline: deadline,
        })
    }

    /// A lead case's ruling goes to every case grouped under it.
    fn then(conn: &mut DbConnection, env: &Env, ctx: &mut CaseContext) -> ApiResult<()> {
        if ctx.row.group_members > 0 {
            crate::cases::related::rule_group(conn, env, ctx)?;
        }
        Ok(())
    }
}
