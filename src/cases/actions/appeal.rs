//! `appeal`: a party appeals the ruling, once, within the window.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::cases::act::{CaseAction, Step};
use crate::cases::context::CaseContext;
use crate::db::DbConnection;
use crate::db::models::{AppealRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::appeals;
use crate::domain::Action;
use crate::domain::events::CaseEvent;
use crate::domain::parse::Checker;
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Why the ruling should change.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"grounds": "The mediator did not consider the delivery receipt I sent."}))]
pub struct AppealBody {
    /// The grounds, 1 to 8000 characters.
    #[schema(min_length = 1, max_length = 8000, pattern = r"\S")]
    pub grounds: String,
}

/// Appeal the ruling.
#[derive(Debug, Clone)]
pub struct Appeal {
    /// The grounds.
    pub grounds: String,
}

impl CaseAction for Appeal {
    const ACTION: Action = Action::Appeal;
    type Body = AppealBody;

    fn parse(body: AppealBody, _env: &Env) -> ApiResult<Self> {
        Ok(Appeal {
            grounds: Checker::one_text("grounds", &body.grounds, 8000)?,
        })
    }

    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent> {
        let party = step.party()?;
        let id = uuid::Uuid::now_v7();
        let row = AppealRow {
            id: id.hyphenated().to_string(),
            case_id: step.ctx.row.id,
            party,
            appellant_id: step
                .actor
                .user
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("an appeal needs a party")))?,
            grounds: self.grounds.clone(),
            decision: None,
            decision_rationale: None,
            decided_by: None,
            decided_at: None,
            created_at: to_db_time(step.env.now),
        };
        Prepared(diesel::insert_into(appeals::table).values(&row)).execute(conn)?;
        step.ctx.appeals.push(row);
        Ok(CaseEvent::Appealed {
            appeal_id: id,
            party,
            grounds: self.grounds,
        })
    }

    /// The appeal needs someone other than the mediator who ruled: given
    /// to them automatically where the category says so, else the leads
    /// are told.
    fn then(conn: &mut DbConnection, env: &Env, ctx: &mut CaseContext) -> ApiResult<()> {
        crate::cases::assignment::route(conn, env, ctx, false)
    }
}
