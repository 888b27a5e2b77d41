//! `auto_assign`: the desk gives a case to the mediator it picked
//! ([`crate::cases::assignment::route`] picks and locks; there is no API
//! operation).

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::db::models::UserRow;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Give the case to the mediator the desk picked.
#[derive(Debug, Clone)]
pub struct AutoAssign {
    /// The mediator's account.
    pub mediator: UserRow,
}

impl CaseAction for AutoAssign {
    const ACTION: Action = Action::AutoAssign;
    type Body = ();

    fn parse(_body: (), _env: &Env) -> ApiResult<Self> {
        Err(ApiError::Internal(anyhow::anyhow!(
            "auto_assign is taken by the desk, never parsed from a request"
        )))
    }

    fn apply(self, _conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let previous = step.ctx.facts.people.mediator;
        let (id, name) = (self.mediator.id, self.mediator.name.clone());
        step.effect(Effect::Assign(id));
        step.ctx.add_user(self.mediator);
        Ok(CaseEvent::AutoAssigned {
            mediator_id: id,
            mediator_name: name,
            previous_mediator_id: previous,
        })
    }
}
