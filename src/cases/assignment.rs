//! Routing a case that needs a mediator: a case just filed, or an appeal
//! that needs someone other than the mediator who ruled. Where its category
//! is assigned automatically, the desk picks among the eligible mediators
//! ([`crate::domain::desk::ranked`]) and takes `auto_assign` through the one
//! path that changes cases; otherwise, or if nobody can take it, the case
//! waits and the leads are told.
//!
//! Capacity holds however many filings run at once. On SQLite writers take
//! turns, so what a filing counts is what is committed. On PostgreSQL the
//! chosen mediator's profile row is locked (`FOR UPDATE`) and their load
//! counted again under the lock, so a second filing that chose the same
//! person waits, then counts the first one's case. A candidate found full
//! is released at once (the lock is taken inside a savepoint that is rolled
//! back), so a filing holds at most one profile lock and filings cannot
//! deadlock on each other's.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;
use diesel::dsl::{count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::act::take_on;
use super::actions::auto_assign::AutoAssign;
use super::context::{CaseContext, corrupt};
use super::record::record;
use super::version::Expected;
use crate::db::DbConnection;
use crate::db::models::{ProfileRow, UserRow, from_db_time, to_db_time};
use crate::db::schema::{cases, mediator_conflicts, mediator_profiles, users};
use crate::domain::desk::{AwaitingReason, Candidate, Ineligible, Need, eligible, ranked};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::waiting::NOBODY;
use crate::domain::{Actor, CaseState, CategoryId, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Someone who may take a case, with their account (for the event and the mail).
#[derive(Debug, Clone)]
pub struct Pick {
    /// Their profile, load and conflicts, as the policy sees them.
    pub candidate: Candidate,
    /// Their account.
    pub user: UserRow,
}

/// The open cases (assigned and not ended) of each of `mediators`, read
/// through the partial index `cases_mediator_queue`.
pub fn loads(conn: &mut DbConnection, mediators: &[UserId]) -> ApiResult<HashMap<UserId, i64>> {
    if mediators.is_empty() {
        return Ok(HashMap::new());
    }
    // A literal, as the partial index's condition is: SQLite uses the
    // index only when it can see the query meets it.
    let open = sql::<Bool>(&format!("cases.waiting_on <> '{NOBODY}'"));
    let rows: Vec<(Option<UserId>, i64)> = cases::table
        .filter(cases::assigned_mediator_id.eq_any(mediators.to_vec()))
        .filter(open)
        .group_by(cases::assigned_mediator_id)
        .select((cases::assigned_mediator_id, count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, n)| m.map(|m| (m, n)))
        .collect())
}

fn json_list<T: serde::de::DeserializeOwned>(raw: &str) -> ApiResult<Vec<T>> {
    serde_json::from_str(raw).map_err(|e| corrupt(format!("profile list: {e}")))
}

fn candidate_of(
    profile: &ProfileRow,
    user: &UserRow,
    load: i64,
    conflicts: Vec<UserId>,
) -> ApiResult<Candidate> {
    Ok(Candidate {
        user: profile.user_id,
        role: user.role,
        active: user.active,
        skills: json_list::<CategoryId>(&profile.skills)?,
        languages: json_list(&profile.languages)?,
        capacity: profile.capacity,
        on_duty: profile.on_duty,
        absent_until: profile.absent_until.map(from_db_time),
        last_assigned_at: profile.last_assigned_at.map(from_db_time),
        load,
        conflicts,
    })
}

/// The people with a profile (all of them, or only `only`), with their
/// load and their declared conflicts with `parties`.
pub fn candidates(
    conn: &mut DbConnection,
    only: Option<UserId>,
    parties: &[UserId],
) -> ApiResult<Vec<Pick>> {
    let mut q = mediator_profiles::table
        .inner_join(users::table)
        .select((ProfileRow::as_select(), UserRow::as_select()))
        .into_boxed();
    if let Some(id) = only {
        q = q.filter(mediator_profiles::user_id.eq(id));
    } else {
        // Off-duty people are never offered; the rest is the policy's to judge.
        q = q
            .filter(mediator_profiles::on_duty.eq(true))
            .filter(users::active.eq(true));
    }
    let rows: Vec<(ProfileRow, UserRow)> = q.load(conn)?;
    let ids: Vec<UserId> = rows.iter().map(|(p, _)| p.user_id).collect();
    let loads = loads(conn, &ids)?;
    let conflicted: HashSet<(UserId, UserId)> = if parties.is_empty() || ids.is_empty() {
        HashSet::new()
    } else {
        mediator_conflicts::table
            .filter(mediator_conflicts::user_id.eq_any(parties.to_vec()))
            .filter(mediator_conflicts::mediator_id.eq_any(ids))
            .select((mediator_conflicts::mediator_id, mediator_conflicts::user_id))
            .load::<(UserId, UserId)>(conn)?
            .into_iter()
            .collect()
    };
    let mut out = Vec::with_capacity(rows.len());
    for (p, u) in rows {
        let mine = parties
            .iter()
            .filter(|party| conflicted.contains(&(p.user_id, **party)))
            .copied()
            .collect();
        let load = loads.get(&p.user_id).copied().unwrap_or(0);
        // One damaged profile must not stop every filing: it is left out, and logged.
        match candidate_of(&p, &u, load, mine) {
            Ok(candidate) => out.push(Pick { candidate, user: u }),
            Err(e) => {
                tracing::error!(mediator = %p.user_id, error = %e, "unreadable mediator profile")
            }
        }
    }
    Ok(out)
}

/// What the case of `ctx` needs of whoever takes it now.
pub fn need_of(ctx: &CaseContext, now: DateTime<Utc>) -> Need {
    let p = ctx.facts.people;
    Need {
        category: ctx.row.category_id,
        language: ctx.row.language.clone(),
        parties: [p.complainant, p.respondent]
            .into_iter()
            .flatten()
            .collect(),
        excluded: [p.mediator, p.ruling_mediator]
            .into_iter()
            .flatten()
            .collect(),
        now,
    }
}

/// Runs `sql` on PostgreSQL only (savepoints and row locks; SQLite's one
/// writer at a time needs neither).
fn on_postgres(conn: &mut DbConnection, sql: &str) -> ApiResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        diesel::connection::SimpleConnection::batch_execute(pg, sql)?;
    }
    Ok(())
}

/// What a second look under the lock found.
#[derive(Debug)]
pub enum Verdict {
    /// Still eligible: their profile stays locked until commit.
    Taken(Box<Pick>),
    /// Not eligible (`None`: they have no profile); the lock is released.
    Refused(Option<Ineligible>),
    /// Eligible, but their load grew since they were ranked (another
    /// filing got them first): someone else may now rank first. The lock
    /// is released.
    Outrun,
}

/// Takes the lock on `user`'s profile (PostgreSQL) and judges them again
/// with what is committed now; `ranked_load` is the load they were
/// ranked with, if they were. The lock is taken inside a savepoint, so
/// that a refusal releases it at once.
pub fn confirm(
    conn: &mut DbConnection,
    user: UserId,
    need: &Need,
    ranked_load: Option<i64>,
) -> ApiResult<Verdict> {
    on_postgres(conn, "SAVEPOINT desk_pick")?;
    if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT 1 FROM mediator_profiles WHERE user_id = $1 FOR UPDATE")
            .bind::<Text, _>(user.to_db())
            .execute(pg)?;
    }
    let fresh = candidates(conn, Some(user), &need.parties)?.pop();
    let verdict = match fresh {
        None => Verdict::Refused(None),
        Some(pick) => match eligible(&pick.candidate, need) {
            Err(why) => Verdict::Refused(Some(why)),
            Ok(()) if ranked_load.is_some_and(|l| pick.candidate.load > l) => Verdict::Outrun,
            Ok(()) => Verdict::Taken(Box::new(pick)),
        },
    };
    match verdict {
        Verdict::Taken(_) => on_postgres(conn, "RELEASE SAVEPOINT desk_pick")?,
        // Rolling back releases the lock; releasing then ends the savepoint.
        _ => on_postgres(
            conn,
            "ROLLBACK TO SAVEPOINT desk_pick; RELEASE SAVEPOINT desk_pick",
        )?,
    }
    Ok(verdict)
}

/// Records that `user` was just given a case: automatic assignment's tie
/// breaker ("longest since their last assignment"). Nothing for someone
/// without a profile.
pub fn touch(conn: &mut DbConnection, user: UserId, now: DateTime<Utc>) -> ApiResult<()> {
    diesel::update(mediator_profiles::table.find(user))
        .set(mediator_profiles::last_assigned_at.eq(Some(to_db_time(now))))
        .execute(conn)?;
    Ok(())
}

/// How often [`pick`] ranks afresh after being outrun before it takes the
/// best it can lock as it is.
const ROUNDS: usize = 10;

/// The best eligible mediator who is still free once locked, if any.
///
/// Concurrent filings rank from what had committed when they read, so a
/// burst would all choose the same person; each would then wait for that
/// person's lock in turn and, still under capacity, take them. So a
/// candidate whose load grew while the filing waited is let go and the
/// ranking read again (at most [`ROUNDS`] times; the last round takes the
/// best it can lock as it is), which spreads a burst as the ranking says.
pub fn pick(conn: &mut DbConnection, need: &Need) -> ApiResult<Option<Pick>> {
    for round in 1..=ROUNDS {
        let all = candidates(conn, None, &need.parties)?;
        let last = round == ROUNDS;
        let mut outrun = false;
        for c in ranked(all.into_iter().map(|p| p.candidate).collect(), need) {
            let ranked_load = (!last).then_some(c.load);
            match confirm(conn, c.user, need, ranked_load)? {
                Verdict::Taken(pick) => return Ok(Some(*pick)),
                Verdict::Refused(_) => {}
                Verdict::Outrun => {
                    outrun = true;
                    break;
                }
            }
        }
        if !outrun {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Whether the case needs someone to be given it: a new case in intake,
/// or an appeal still held by the mediator who ruled.
pub fn needs_mediator(ctx: &CaseContext) -> bool {
    let p = ctx.facts.people;
    match ctx.facts.state {
        CaseState::Intake => p.mediator.is_none(),
        CaseState::Appeal => p.mediator.is_none() || p.mediator == p.ruling_mediator,
        _ => false,
    }
}

/// Routes the case of `ctx` if it needs a mediator: given to the best
/// eligible one when its category is assigned automatically (and triage
/// did not `hold` it), otherwise left for a lead, who is told. In the
/// caller's transaction.
pub fn route(
    conn: &mut DbConnection,
    env: &Env,
    ctx: &mut CaseContext,
    hold: bool,
) -> ApiResult<()> {
    if !needs_mediator(ctx) {
        return Ok(());
    }
    let reason = if hold {
        AwaitingReason::HeldByTriage
    } else if ctx.category.auto_assign {
        match pick(conn, &need_of(ctx, env.now))? {
            Some(chosen) => {
                touch(conn, chosen.user.id, env.now)?;
                let input = AutoAssign {
                    mediator: chosen.user,
                };
                take_on(conn, env, &Actor::system(), ctx, &Expected::Absent, input)?;
                return Ok(());
            }
            None => AwaitingReason::NobodyAvailable,
        }
    } else {
        AwaitingReason::NotAutomatic
    };
    let waiting = EventRecord {
        case_id: ctx.id(),
        actor: None,
        at: env.now,
        transition: None,
        event: CaseEvent::AwaitingAssignment {
            reason,
            appeal: ctx.facts.state == CaseState::Appeal,
        },
    };
    record(conn, &env.settings, ctx, &waiting)
}

/// Refuses a manual assignment to a mediator who declared a conflict of
/// interest with a party (422 on `mediator_id`).
pub fn check_conflicts(
    conn: &mut DbConnection,
    mediator: UserId,
    ctx: &CaseContext,
) -> ApiResult<()> {
    let p = ctx.facts.people;
    let parties: Vec<UserId> = [p.complainant, p.respondent]
        .into_iter()
        .flatten()
        .collect();
    let n: i64 = mediator_conflicts::table
        .filter(mediator_conflicts::mediator_id.eq(mediator))
        .filter(mediator_conflicts::user_id.eq_any(parties))
        .count()
        .get_result(conn)?;
    if n > 0 {
        return Err(ApiError::field(
            "mediator_id",
            Ineligible::Conflict.reason(),
        ));
    }
    Ok(())
}

/// The open cases assigned to `mediator` that someone else may be given
/// (not a ruled case waiting on the parties), at most `limit`, oldest first.
pub fn handed_cases(
    conn: &mut DbConnection,
    mediator: UserId,
    limit: i64,
) -> ApiResult<Vec<crate::domain::CaseId>> {
    let open = sql::<Bool>(&format!("cases.waiting_on <> '{NOBODY}'"));
    Ok(cases::table
        .filter(cases::assigned_mediator_id.eq(mediator))
        .filter(open)
        .filter(cases::state.eq_any([
            CaseState::Assigned,
            CaseState::Investigation,
            CaseState::Appeal,
            CaseState::FollowUp,
        ]))
        .order((cases::created_at.asc(), cases::id.asc()))
        .select(cases::id)
        .limit(limit)
        .load(conn)?)
}

/// Hands case `id` over from `from` to the best other eligible mediator,
/// when its category is assigned automatically and someone can take it.
/// Returns whether it went to someone; `None` if it is no longer `from`'s.
/// A case that stays is left as it is, for a lead to reassign.
pub fn hand_over(
    conn: &mut DbConnection,
    env: &Env,
    id: crate::domain::CaseId,
    from: UserId,
) -> ApiResult<Option<bool>> {
    let system = Actor::system();
    let Some(mut ctx) = CaseContext::load(conn, id, &system, env)? else {
        return Ok(None);
    };
    if ctx.facts.people.mediator != Some(from) {
        return Ok(None);
    }
    if !ctx.category.auto_assign {
        return Ok(Some(false));
    }
    let Some(chosen) = pick(conn, &need_of(&ctx, env.now))? else {
        return Ok(Some(false));
    };
    touch(conn, chosen.user.id, env.now)?;
    let input = AutoAssign {
        mediator: chosen.user,
    };
    take_on(conn, env, &system, &mut ctx, &Expected::Absent, input)?;
    Ok(Some(true))
}
