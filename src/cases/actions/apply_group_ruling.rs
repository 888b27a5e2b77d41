//! `apply_group_ruling`: the system gives a case grouped under a lead case
//! a copy of the lead case's ruling, in the transaction that ruled the lead
//! case (`cases::related::rule_group`); there is no API operation. The case
//! is given to the mediator who ruled, and goes on with its own appeal
//! window and follow-up.

use chrono::{DateTime, Utc};

use super::{NewRuling, record_ruling};
use crate::cases::act::{CaseAction, Step};
use crate::cases::context::corrupt;
use crate::db::DbConnection;
use crate::db::models::RulingRow;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::error::ApiResult;
use crate::state::Env;

/// Apply the lead case's ruling.
#[derive(Debug, Clone)]
pub struct ApplyGroupRuling {
    /// The lead case's ruling, as stored.
    pub ruling: RulingRow,
    /// When the lead case's appeal window closes (the same for every case of the group).
    pub appeal_deadline: DateTime<Utc>,
}

impl CaseAction for ApplyGroupRuling {
    const ACTION: Action = Action::ApplyGroupRuling;
    type Body = ();

    fn parse(_body: (), _env: &Env) -> ApiResult<Self> {
        Err(crate::error::ApiError::Internal(anyhow::anyhow!(
            "apply_group_ruling has no API operation"
        )))
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let r = self.ruling;
        let cited = parse(&r.cited_rules, "citations")?;
        let sanctions = parse(&r.sanctions, "sanctions")?;
        let remedies = parse(&r.remedies, "remedies")?;
        if let Some(mediator) = r.mediator_id
            && step.ctx.facts.people.mediator != Some(mediator)
        {
            step.effect(Effect::Assign(mediator));
        }
        let ruling_id = record_ruling(
            conn,
            step,
            NewRuling {
                mediator: r.mediator_id,
                kind: "group_ruling",
                outcome: r.outcome,
                rationale: r.rationale,
                cited,
                sanctions,
                remedies,
                appealable: r.appealable,
            },
        )?;
        step.effect(Effect::Rule {
            by: r.mediator_id,
            appealable: r.appealable,
            appeal_deadline: self.appeal_deadline,
        });
        Ok(CaseEvent::RulingFromGroup {
            ruling_id,
            outcome: r.outcome,
            appealable: r.appealable,
            appeal_deadline: self.appeal_deadline,
        })
    }
}

/// Reads one JSON column of a stored ruling.
fn parse<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> ApiResult<T> {
    serde_json::from_str(json).map_err(|_| corrupt(format!("ruling {what}")))
}
