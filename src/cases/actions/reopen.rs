//! `reopen`: a lead reopens a closed case within the reopen period.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::parse::Checker;
use crate::error::ApiResult;
use crate::state::Env;

/// Why the case is reopened.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The refund was never paid."}))]
pub struct ReopenBody {
    /// The reason, 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub reason: String,
}

/// Reopen the case.
#[derive(Debug, Clone)]
pub struct Reopen {
    /// Why.
    pub reason: String,
}

impl CaseAction for Reopen {
    const ACTION: Action = Action::Reopen;
    type Body = ReopenBody;

    fn parse(body: ReopenBody, _env: &Env) -> ApiResult<Self> {
        Ok(Reopen {
            reason: Checker::one_text("reason", &body.reason, 4000)?,
        })
    }

    fn apply(self, _conn: &mut DbConnection, _step: &mut Step) -> ApiResult<CaseEvent> {
        Ok(CaseEvent::Reopened {
            reason: self.reason,
        })
    }
}
