//! `dismiss`: the case is dismissed with a reason, before a ruling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::parse::Checker;
use crate::domain::ruling::DismissalReason;
use crate::error::ApiResult;
use crate::state::Env;

/// Why the case is dismissed.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "duplicate", "detail": "Same complaint as OMB-2026-000041."}))]
pub struct DismissBody {
    /// The kind of reason.
    pub reason: DismissalReason,
    /// The explanation both parties will read, 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub detail: String,
}

/// Dismiss the case.
#[derive(Debug, Clone)]
pub struct Dismiss {
    /// The kind of reason.
    pub reason: DismissalReason,
    /// The explanation.
    pub detail: String,
}

impl CaseAction for Dismiss {
    const ACTION: Action = Action::Dismiss;
    type Body = DismissBody;

    fn parse(body: DismissBody, _env: &Env) -> ApiResult<Self> {
        Ok(Dismiss {
            reason: body.reason,
            detail: Checker::one_text("detail", &body.detail, 4000)?,
        })
    }

    fn apply(self, _conn: &mut DbConnection, _step: &mut Step) -> ApiResult<CaseEvent> {
        Ok(CaseEvent::Dismissed {
            reason: self.reason,
            detail: self.detail,
        })
    }
}
