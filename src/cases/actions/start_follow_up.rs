//! `start_follow_up`: the system moves a ruled case on when its appeal
//! window has closed (the follow-up scan takes it; there is no API operation).

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::error::ApiResult;
use crate::state::Env;

/// Start follow-up.
#[derive(Debug, Clone)]
pub struct StartFollowUp;

impl CaseAction for StartFollowUp {
    const ACTION: Action = Action::StartFollowUp;
    type Body = ();

    fn parse(_body: (), _env: &Env) -> ApiResult<Self> {
        Ok(StartFollowUp)
    }

    fn apply(self, _conn: &mut DbConnection, _step: &mut Step) -> ApiResult<CaseEvent> {
        Ok(CaseEvent::FollowUpStarted {
            reason: "appeal window closed".into(),
        })
    }
}
