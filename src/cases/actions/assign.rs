//! `assign`: a lead or an admin gives the case to a mediator.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::db::DbConnection;
use crate::db::models::UserRow;
use crate::db::schema::users;
use crate::domain::events::CaseEvent;
use crate::domain::lifecycle::Effect;
use crate::domain::parse::Checker;
use crate::domain::{Action, CaseState, Role, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Whom to give the case to.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"mediator_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "note": "Billing specialist"}))]
pub struct AssignBody {
    /// A mediator or lead who is not a party to the case.
    pub mediator_id: uuid::Uuid,
    /// A note for the timeline.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Assign the case.
#[derive(Debug, Clone)]
pub struct Assign {
    /// The mediator.
    pub mediator: UserId,
    /// The note, if any.
    pub note: Option<String>,
}

impl CaseAction for Assign {
    const ACTION: Action = Action::Assign;
    type Body = AssignBody;

    fn parse(body: AssignBody, _env: &Env) -> ApiResult<Self> {
        let mut c = Checker::new();
        let note = c.opt_text("note", body.note.as_deref(), 4000);
        c.finish()?;
        Ok(Assign {
            mediator: UserId(body.mediator_id),
            note,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let target: Option<UserRow> = users::table.find(self.mediator).first(conn).optional()?;
        let target = target.ok_or_else(|| ApiError::field("mediator_id", "no such user"))?;
        if !target.active || !matches!(target.role, Role::Mediator | Role::Lead) {
            return Err(ApiError::field(
                "mediator_id",
                "must be an active mediator or lead",
            ));
        }
        let people = step.ctx.facts.people;
        let me = Some(self.mediator);
        if people.complainant == me || people.respondent == me {
            return Err(ApiError::field(
                "mediator_id",
                "a party to the case cannot mediate it",
            ));
        }
        if step.decision.next == CaseState::Appeal && people.ruling_mediator == me {
            return Err(ApiError::field(
                "mediator_id",
                "the mediator who ruled cannot review the appeal",
            ));
        }
        crate::cases::assignment::check_conflicts(conn, self.mediator, step.ctx)?;
        if people.mediator == me {
            return Err(ApiError::InvalidTransition(
                "the case is already assigned to this mediator".into(),
            ));
        }
        crate::cases::assignment::touch(conn, self.mediator, step.env.now)?;
        step.effect(Effect::Assign(self.mediator));
        let mediator_name = target.name.clone();
        step.ctx.add_user(target);
        Ok(CaseEvent::Assigned {
            mediator_id: self.mediator,
            mediator_name,
            previous_mediator_id: people.mediator,
            note: self.note,
        })
    }
}
