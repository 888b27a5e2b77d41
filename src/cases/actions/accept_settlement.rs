//! `accept_settlement`: a party accepts the open proposal; when both have,
//! the terms become a final `settled` ruling and follow-up begins.

use super::{NewRuling, NoteBody, record_ruling};
use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::domain::ruling::Outcome;
use crate::error::ApiResult;
use crate::state::Env;

/// Accept the settlement proposal.
#[derive(Debug, Clone)]
pub struct AcceptSettlement {
    /// The note, if any.
    pub note: Option<String>,
}

impl CaseAction for AcceptSettlement {
    const ACTION: Action = Action::AcceptSettlement;
    type Body = NoteBody;

    fn parse(body: NoteBody, _env: &Env) -> ApiResult<Self> {
        Ok(AcceptSettlement {
            note: body.checked()?,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let party = step.party()?;
        let terms = step.ctx.facts.settlement_terms.clone().unwrap_or_default();
        let settled = step.decision.effects.contains(&Effect::Settle);
        let ruling_id = if settled {
            let mediator = step.ctx.facts.people.mediator;
            Some(record_ruling(
                conn,
                step,
                NewRuling {
                    mediator,
                    kind: "settlement",
                    outcome: Outcome::Settled,
                    rationale: terms.clone(),
                    cited: Vec::new(),
                    sanctions: Vec::new(),
                    remedies: Vec::new(),
                    appealable: false,
                },
            )?)
        } else {
            None
        };
        Ok(CaseEvent::SettlementAccepted {
            party,
            terms,
            note: self.note,
            settled,
            ruling_id,
        })
    }
}
