//! `close`: the assigned mediator closes the case after follow-up (or the
//! case closes by itself once every obligation is resolved). Closing while
//! remedies or sanctions are still open needs a reason; they are recorded
//! as waived with it.

use crate::cases::act::{CaseAction, Step};
use crate::cases::actions::NoteBody;
use crate::cases::obligations::{open_count, waive_open};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Close the case.
#[derive(Debug, Clone)]
pub struct Close {
    /// The note; required while obligations are open.
    pub note: Option<String>,
}

impl CaseAction for Close {
    const ACTION: Action = Action::Close;
    type Body = NoteBody;

    fn parse(body: NoteBody, _env: &Env) -> ApiResult<Self> {
        Ok(Close {
            note: body.checked()?,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let id = step.ctx.id();
        let open = open_count(conn, id)?;
        let waived = match (&self.note, open) {
            (_, 0) => Vec::new(),
            (None, n) => {
                return Err(ApiError::field(
                    "note",
                    format!(
                        "{n} remedies or sanctions of the ruling are still open; give the reason \
                         for closing (they are recorded as waived with it), or record each one first"
                    ),
                ));
            }
            (Some(note), _) => waive_open(conn, id, step.actor.user, note, step.env.now)?,
        };
        Ok(CaseEvent::Closed {
            note: self.note,
            waived,
        })
    }
}
