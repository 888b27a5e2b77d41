//! `decide_appeal`: someone other than the mediator who ruled decides the
//! appeal; amend and overturn replace the ruling with a final one.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{NewRuling, Terms, check_terms, record_ruling};
use crate::cases::act::{CaseAction, Step};
use crate::cases::rulebook::cite_for_ruling;
use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::prepared::Prepared;
use crate::db::schema::appeals;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::parse::Checker;
use crate::domain::ruling::{AppealDecision, Outcome, Remedy, Sanction};
use crate::error::ApiResult;
use crate::state::Env;

/// The decision on an appeal.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "amend", "rationale": "The receipt shows partial delivery.",
    "outcome": "partially_upheld",
    "remedies": [{"kind": "refund", "description": "Refund half of order 1234", "due_at": "2026-12-15T00:00:00Z"}]
}))]
pub struct DecideAppealBody {
    /// `uphold` (the ruling stands), `amend` or `overturn` (a new outcome).
    pub decision: AppealDecision,
    /// Why, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub rationale: String,
    /// The new outcome; required for amend and overturn, refused for uphold.
    pub outcome: Option<Outcome>,
    /// Rules the new ruling cites.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub rules_cited: Vec<String>,
    /// Sanctions of the new ruling.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub sanctions: Vec<Sanction>,
    /// Remedies of the new ruling.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub remedies: Vec<Remedy>,
}

/// Decide the appeal.
#[derive(Debug, Clone)]
pub struct DecideAppeal {
    /// Uphold, amend or overturn.
    pub decision: AppealDecision,
    /// The new outcome (amend, overturn).
    pub outcome: Option<Outcome>,
    /// The rationale and the terms of a new ruling.
    pub terms: Terms,
}

impl CaseAction for DecideAppeal {
    const ACTION: Action = Action::DecideAppeal;
    type Body = DecideAppealBody;

    fn parse(body: DecideAppealBody, _env: &Env) -> ApiResult<Self> {
        let mut c = Checker::new();
        let outcome = match (body.decision, body.outcome) {
            (AppealDecision::Uphold, None) => {
                // Upholding keeps the ruling's terms: new ones would be
                // silently dropped, so they are refused.
                for (field, given) in [
                    ("rules_cited", !body.rules_cited.is_empty()),
                    ("sanctions", !body.sanctions.is_empty()),
                    ("remedies", !body.remedies.is_empty()),
                ] {
                    if given {
                        c.fail(field, "an upheld ruling keeps its terms; leave this out");
                    }
                }
                None
            }
            (AppealDecision::Uphold, Some(_)) => {
                c.fail(
                    "outcome",
                    "an upheld ruling keeps its outcome; leave this out",
                );
                None
            }
            (_, Some(o)) => Some(o),
            (_, None) => {
                c.fail("outcome", "amend and overturn need the new outcome");
                None
            }
        };
        let terms = check_terms(
            &mut c,
            outcome.unwrap_or(Outcome::Upheld),
            &body.rationale,
            &body.rules_cited,
            body.sanctions,
            body.remedies,
        );
        c.finish()?;
        Ok(DecideAppeal {
            decision: body.decision,
            outcome,
            terms,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let decided_by = step.actor.user;
        let at = to_db_time(step.env.now);
        let rationale = self.terms.rationale.clone();
        Prepared(
            diesel::update(
                appeals::table
                    .filter(appeals::case_id.eq(step.ctx.row.id))
                    .filter(appeals::decision.is_null()),
            )
            .set((
                appeals::decision.eq(self.decision),
                appeals::decision_rationale.eq(&rationale),
                appeals::decided_by.eq(decided_by),
                appeals::decided_at.eq(at),
            )),
        )
        .execute(conn)?;
        for a in step.ctx.appeals.iter_mut().filter(|a| a.decision.is_none()) {
            a.decision = Some(self.decision);
            a.decision_rationale = Some(rationale.clone());
            a.decided_by = decided_by;
            a.decided_at = Some(at);
        }
        let ruling_id = match self.outcome {
            Some(outcome) => {
                let cited = cite_for_ruling(conn, outcome, &self.terms.rules)?;
                Some(record_ruling(
                    conn,
                    step,
                    NewRuling {
                        mediator: step.actor.user,
                        kind: "appeal_decision",
                        outcome,
                        rationale: rationale.clone(),
                        cited,
                        sanctions: self.terms.sanctions,
                        remedies: self.terms.remedies,
                        appealable: false,
                    },
                )?)
            }
            None => None,
        };
        Ok(CaseEvent::AppealDecided {
            decision: self.decision,
            rationale,
            ruling_id,
            outcome: self.outcome,
        })
    }
}
