//! Taking an action on a case: the one path by which a case changes state.
//! [`take`] reads the case once, checks who may (403), the version (412) and
//! the lifecycle (409), lets the action add its own effects and rows,
//! applies every effect in memory, writes the case with a versioned update
//! and records the event (timeline and mail) in the same transaction.

use super::context::CaseContext;
use super::record::record;
use super::version::{Expected, etag};
use crate::db::DbConnection;
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::lifecycle::{Decision, Effect, decide, permitted};
use crate::domain::{Action, Actor, CaseId, CaseState, Denial, Party, Standing};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// What an action sees while it is being taken.
pub struct Step<'a> {
    /// The case, as read for this action.
    pub ctx: &'a mut CaseContext,
    /// Who acts.
    pub actor: &'a Actor,
    /// How they stand to the case.
    pub standing: Standing,
    /// The next state and the effects the lifecycle requires.
    pub decision: Decision,
    /// The settings and the time of the action.
    pub env: &'a Env,
}

impl Step<'_> {
    /// The actor's side; actions only parties may take can rely on it.
    pub fn party(&self) -> ApiResult<Party> {
        self.standing
            .party()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("party action without a party")))
    }

    /// Adds an effect that carries the action's input.
    pub fn effect(&mut self, effect: Effect) {
        self.decision.effects.push(effect);
    }
}

/// One lifecycle action: its request body, how the body becomes typed input
/// (422 on bad fields, before the database is touched), and what the action
/// does beyond what the lifecycle table says.
pub trait CaseAction: Clone + Send + 'static {
    /// The action.
    const ACTION: Action;
    /// What a client sends.
    type Body;
    /// Checks the body into the action's input.
    fn parse(body: Self::Body, env: &Env) -> ApiResult<Self>;
    /// Adds effects and writes rows of its own (a ruling, an appeal);
    /// returns the event to record.
    fn apply(self, conn: &mut DbConnection, step: &mut Step) -> ApiResult<CaseEvent>;
    /// What follows once the change is saved and recorded, in the same
    /// transaction (an appeal is routed to a reviewer); nothing by default.
    fn then(_conn: &mut DbConnection, _env: &Env, _ctx: &mut CaseContext) -> ApiResult<()> {
        Ok(())
    }
}

/// Takes action `A` on case `id` for `actor`, inside the caller's
/// transaction. Returns the changed case and the actor's standing after it.
pub fn take<A: CaseAction>(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    expected: &Expected,
    input: A,
) -> ApiResult<(CaseContext, Standing)> {
    let (mut ctx, _) = CaseContext::load_visible(conn, actor, id, env)?;
    let standing = take_on(conn, env, actor, &mut ctx, expected, input)?;
    Ok((ctx, standing))
}

/// Takes action `A` on a case already read in this transaction (a case
/// just filed, or one an action has just changed). Returns the actor's
/// standing after it.
pub fn take_on<A: CaseAction>(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    ctx: &mut CaseContext,
    expected: &Expected,
    input: A,
) -> ApiResult<Standing> {
    let standing = ctx.standing(actor);
    permitted(&standing, A::ACTION).map_err(ApiError::Forbidden)?;
    if !expected.accepts(ctx.row.version) {
        return Err(ApiError::PreconditionFailed(etag(ctx.row.version)));
    }
    let decision = decide(&standing, A::ACTION, &ctx.facts).map_err(|d| match d {
        Denial::Forbidden(m) => ApiError::Forbidden(m),
        Denial::Conflict(m) => ApiError::InvalidTransition(m),
    })?;
    if A::ACTION.needs_if_match() && !expected.names_a_version() {
        return Err(ApiError::PreconditionRequired(format!(
            "`{}` must name the case version you read: send its ETag as If-Match (`*` names none)",
            A::ACTION
        )));
    }
    let from = ctx.facts.state;
    let before = super::service_level::Before::of(ctx);
    let mut step = Step {
        ctx,
        actor,
        standing,
        decision,
        env,
    };
    let event = input.apply(conn, &mut step)?;
    let Decision { next, effects } = step.decision;
    for effect in &effects {
        ctx.facts.apply(effect);
    }
    ctx.facts.state = next;
    let answered = super::service_level::answers(A::ACTION);
    super::service_level::settle(ctx, &before, answered, env.now, env.now)?;
    ctx.save(conn, env.now)?;
    let event = EventRecord {
        case_id: ctx.id(),
        actor: actor.user,
        at: env.now,
        transition: Some((A::ACTION, from, next)),
        event,
    };
    record(conn, &env.settings, ctx, &event)?;
    // The ruling is final: what it asks for is followed up from now on.
    if next == CaseState::FollowUp && from != CaseState::FollowUp {
        super::obligations::open(conn, env, ctx)?;
    }
    if ctx.row.group_lead_id.is_some() || ctx.row.group_members > 0 {
        super::groups::after_transition(conn, env, actor, ctx, A::ACTION)?;
    }
    A::then(conn, env, ctx)?;
    Ok(ctx.standing(actor))
}
