//! `withdraw`: the complainant withdraws the complaint before a ruling; or
//! the desk withdraws it for them when they leave a final request for
//! information unanswered past its deadline (`auto_withdraw_silent`).

use crate::cases::act::{CaseAction, Step};
use crate::cases::actions::NoteBody;
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::error::ApiResult;
use crate::state::Env;

/// Withdraw the complaint.
#[derive(Debug, Clone)]
pub struct Withdraw {
    /// The note, if any.
    pub note: Option<String>,
    /// Whether the desk withdraws it: the complainant was silent past a
    /// final request for information.
    pub silent: bool,
}

impl CaseAction for Withdraw {
    const ACTION: Action = Action::Withdraw;
    type Body = NoteBody;

    fn parse(body: NoteBody, _env: &Env) -> ApiResult<Self> {
        Ok(Withdraw {
            note: body.checked()?,
            silent: false,
        })
    }

    fn apply(self, _conn: &mut DbConnection, _step: &mut Step) -> ApiResult<CaseEvent> {
        Ok(CaseEvent::Withdrawn {
            note: self.note,
            silent: self.silent,
        })
    }
}
