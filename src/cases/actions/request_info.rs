//! `request_info`: the assigned mediator asks a party for information by a
//! deadline; the case waits on that party until they post a message.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::{Effect, InfoRequest};
use crate::domain::parse::Checker;
use crate::domain::{Action, Party};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// What to ask, of whom, by when.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"party": "respondent", "question": "Please send the tracking number of order 1234.", "deadline": "2026-12-01T17:00:00Z"}))]
pub struct RequestInfoBody {
    /// The party asked.
    pub party: Party,
    /// The question, 1 to 4000 characters; only the party asked (and staff) see it.
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub question: String,
    /// When the answer is due: in the future, at most 90 days ahead.
    pub deadline: DateTime<Utc>,
    /// A final request to the complainant: without an answer by the
    /// deadline the case is withdrawn, and the request says so. Only where
    /// the desk allows it (`auto_withdraw_silent`; `422` otherwise).
    #[serde(default, rename = "final")]
    pub last: bool,
}

/// Ask a party for information.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// The party asked.
    pub party: Party,
    /// The question.
    pub question: String,
    /// The deadline.
    pub deadline: DateTime<Utc>,
    /// Whether it is final.
    pub last: bool,
}

impl CaseAction for RequestInfo {
    const ACTION: Action = Action::RequestInfo;
    type Body = RequestInfoBody;

    fn parse(body: RequestInfoBody, env: &Env) -> ApiResult<Self> {
        let mut c = Checker::new();
        let question = c.text("question", &body.question, 4000);
        if body.deadline <= env.now || body.deadline > env.now + Duration::days(90) {
            c.fail(
                "deadline",
                "must be in the future and at most 90 days ahead",
            );
        }
        if body.last && body.party != Party::Complainant {
            c.fail("final", "only a request to the complainant can be final");
        } else if body.last && !env.settings.auto_withdraw_silent {
            c.fail(
                "final",
                "this desk does not withdraw cases by itself (auto_withdraw_silent is off)",
            );
        }
        c.finish()?;
        Ok(RequestInfo {
            party: body.party,
            question,
            deadline: body.deadline,
            last: body.last,
        })
    }

    fn apply(self, _conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        if self.party == Party::Respondent && step.ctx.facts.people.respondent.is_none() {
            return Err(ApiError::field(
                "party",
                "the respondent has no account yet and could not answer",
            ));
        }
        step.effect(Effect::AskParty(InfoRequest {
            party: self.party,
            deadline: self.deadline,
            last: self.last,
        }));
        Ok(CaseEvent::InfoRequested {
            party: self.party,
            question: self.question,
            deadline: self.deadline,
            last: self.last,
        })
    }
}
