//! `claim`: a mediator takes an unassigned case they are eligible for
//! (skills, availability, capacity, no conflict), as automatic assignment
//! would judge them.

use crate::cases::act::{CaseAction, Step};
use crate::cases::actions::NoteBody;
use crate::cases::assignment::{Verdict, confirm, need_of, touch};
use crate::db::DbConnection;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Claim the case.
#[derive(Debug, Clone)]
pub struct Claim {
    /// A note for the timeline.
    pub note: Option<String>,
}

impl CaseAction for Claim {
    const ACTION: Action = Action::Claim;
    type Body = NoteBody;

    fn parse(body: NoteBody, _env: &Env) -> ApiResult<Self> {
        Ok(Claim {
            note: body.checked()?,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let me = step
            .actor
            .user
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a claim needs a user")))?;
        let need = need_of(step.ctx, step.env.now);
        let pick = match confirm(conn, me, &need, None)? {
            Verdict::Taken(pick) => *pick,
            Verdict::Refused(Some(why)) => {
                return Err(ApiError::InvalidTransition(format!(
                    "you cannot take this case: {}",
                    why.reason()
                )));
            }
            // Not ranked, so never outrun.
            Verdict::Refused(None) | Verdict::Outrun => {
                return Err(ApiError::InvalidTransition(
                    "you have no mediator profile yet: a lead sets one up with PUT /mediators/{id}"
                        .into(),
                ));
            }
        };
        touch(conn, me, step.env.now)?;
        step.effect(Effect::Assign(me));
        let name = pick.user.name.clone();
        step.ctx.add_user(pick.user);
        Ok(CaseEvent::Claimed {
            mediator_id: me,
            mediator_name: name,
            note: self.note,
        })
    }
}
