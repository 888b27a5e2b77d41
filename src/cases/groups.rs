//! Group membership as stored: a grouped case names its lead case
//! (`group_lead_id`) and a lead case counts its members (`group_members`).
//! Joining and leaving are changes of the case (a new version) with
//! staff-only timeline entries. [`after_transition`] keeps groups true as
//! cases move: a lead case that leaves without a ruling (withdrawn,
//! dismissed, settled) lets its waiting members go, and a member that is
//! reopened leaves its group, so no case waits on a ruling that will not
//! come.

use diesel::prelude::*;

use super::context::{CaseContext, hold};
use super::record::record;
use crate::db::DbConnection;
use crate::db::models::to_db_time;
use crate::db::schema::cases;
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::{Action, Actor, CaseId, CaseState};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// The states a case may be grouped in: before any ruling.
pub const BEFORE_RULING: [CaseState; 3] = [
    CaseState::Intake,
    CaseState::Assigned,
    CaseState::Investigation,
];

/// Sets or clears the group of `member` with a versioned update (its
/// representation changes), then records it on its timeline.
pub fn set_group(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    member: &mut CaseContext,
    lead: &CaseContext,
    join: bool,
) -> ApiResult<()> {
    let version = member.row.version + 1;
    let lead_id = join.then_some(lead.id());
    let updated = diesel::update(
        cases::table
            .filter(cases::id.eq(member.id()))
            .filter(cases::version.eq(member.row.version)),
    )
    .set((
        cases::group_lead_id.eq(lead_id),
        cases::version.eq(version),
        cases::updated_at.eq(to_db_time(env.now)),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::Conflict(format!(
            "case {} changed while the group was being changed; try again",
            member.row.reference
        )));
    }
    member.row.version = version;
    member.row.group_lead_id = lead_id;
    member.facts.grouped = join;
    let (lead_case_id, lead_reference) = (lead.id(), lead.row.reference.clone());
    let what = if join {
        CaseEvent::GroupJoined {
            lead_case_id,
            lead_reference,
        }
    } else {
        CaseEvent::GroupLeft {
            lead_case_id,
            lead_reference,
        }
    };
    record(
        conn,
        &env.settings,
        member,
        &entry(member.id(), actor, env, what),
    )
}

pub fn set_members(
    conn: &mut DbConnection,
    env: &Env,
    lead: &mut CaseContext,
    members: i32,
) -> ApiResult<()> {
    diesel::update(cases::table.filter(cases::id.eq(lead.id())))
        .set((
            cases::group_members.eq(members),
            cases::version.eq(lead.row.version + 1),
            cases::updated_at.eq(to_db_time(env.now)),
        ))
        .execute(conn)?;
    lead.row.version += 1;
    lead.row.group_members = members;
    Ok(())
}

/// A staff-only entry of `actor` on case `id`'s timeline.
pub fn entry(id: CaseId, actor: &Actor, env: &Env, event: CaseEvent) -> EventRecord {
    EventRecord {
        case_id: id,
        actor: actor.user,
        at: env.now,
        transition: None,
        event,
    }
}

/// What a lifecycle move means for groups, in the move's transaction: a
/// lead case that leaves the states before a ruling other than by its
/// ruling lets every member still waiting go; a reopened member leaves its
/// group (the lead case's ruling has been given; a new one is its own).
pub fn after_transition(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    ctx: &mut CaseContext,
    action: Action,
) -> ApiResult<()> {
    let next = ctx.facts.state;
    if let (Some(lead_id), Action::Reopen) = (ctx.row.group_lead_id, action) {
        hold(conn, lead_id)?;
        if let Some(mut lead) = CaseContext::load(conn, lead_id, actor, env)? {
            diesel::update(cases::table.filter(cases::id.eq(ctx.id())))
                .set(cases::group_lead_id.eq(None::<CaseId>))
                .execute(conn)?;
            ctx.row.group_lead_id = None;
            ctx.facts.grouped = false;
            left(conn, env, actor, ctx, &lead)?;
            let members = lead.row.group_members - 1;
            set_members(conn, env, &mut lead, members)?;
            changed(conn, env, actor, &lead, vec![ctx.id()], members)?;
        }
    }
    let leaves = !BEFORE_RULING.contains(&next) && next != CaseState::Ruling;
    if ctx.row.group_members > 0 && leaves {
        let waiting: Vec<CaseId> = cases::table
            .filter(cases::group_lead_id.eq(ctx.id()))
            .filter(cases::state.eq_any(BEFORE_RULING))
            .select(cases::id)
            .load(conn)?;
        for id in &waiting {
            if let Some(mut member) = CaseContext::load(conn, *id, actor, env)? {
                let lead = &*ctx;
                set_group(conn, env, actor, &mut member, lead, false)?;
            }
        }
        if !waiting.is_empty() {
            let members = ctx.row.group_members - waiting.len() as i32;
            diesel::update(cases::table.filter(cases::id.eq(ctx.id())))
                .set(cases::group_members.eq(members))
                .execute(conn)?;
            ctx.row.group_members = members;
            changed(conn, env, actor, ctx, waiting, members)?;
        }
    }
    Ok(())
}

fn left(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    member: &CaseContext,
    lead: &CaseContext,
) -> ApiResult<()> {
    let left = CaseEvent::GroupLeft {
        lead_case_id: lead.id(),
        lead_reference: lead.row.reference.clone(),
    };
    record(
        conn,
        &env.settings,
        member,
        &entry(member.id(), actor, env, left),
    )
}

fn changed(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    lead: &CaseContext,
    removed: Vec<CaseId>,
    members: i32,
) -> ApiResult<()> {
    let changed = CaseEvent::GroupChanged {
        added: Vec::new(),
        removed,
        members,
    };
    record(
        conn,
        &env.settings,
        lead,
        &entry(lead.id(), actor, env, changed),
    )
}
