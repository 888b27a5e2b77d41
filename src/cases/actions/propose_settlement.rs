//! `propose_settlement`: the assigned mediator puts terms to both parties.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::domain::parse::Checker;
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Settlement terms to put to both parties.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"terms": "The shop refunds order 1234 in full within 7 days; the complaint is withdrawn."}))]
pub struct ProposeSettlementBody {
    /// The terms, 1 to 8000 characters.
    #[schema(min_length = 1, max_length = 8000, pattern = r"\S")]
    pub terms: String,
}

/// Propose a settlement.
#[derive(Debug, Clone)]
pub struct ProposeSettlement {
    /// The terms.
    pub terms: String,
}

impl CaseAction for ProposeSettlement {
    const ACTION: Action = Action::ProposeSettlement;
    type Body = ProposeSettlementBody;

    fn parse(body: ProposeSettlementBody, _env: &Env) -> ApiResult<Self> {
        Ok(ProposeSettlement {
            terms: Checker::one_text("terms", &body.terms, 8000)?,
        })
    }

    fn apply(self, _conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        if step.ctx.facts.people.respondent.is_none() {
            return Err(ApiError::InvalidTransition(
                "the respondent has no account yet and could not answer a settlement".into(),
            ));
        }
        step.effect(Effect::OpenSettlement(self.terms.clone()));
        Ok(CaseEvent::SettlementProposed { terms: self.terms })
    }
}
