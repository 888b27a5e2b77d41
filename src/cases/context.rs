//! One case as an action, a message or a view needs it, read once: the
//! stored row, its lifecycle facts as domain types, its category, the people
//! it names, the ruling in force and the appeals. Actions change the facts
//! in memory and [`CaseContext::save`] writes them with a versioned update;
//! the mail plan and the view then use the same values.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::models::{
    AppealRow, CaseChanges, CaseRow, CategoryRow, RulingRow, UserRow, from_db_time, to_db_time,
};
use crate::db::prepared::Prepared;
use crate::db::schema::{appeals, cases, categories, rulings, users};
use crate::db::setup::Setup;
use crate::domain::lifecycle::{CaseFacts, InfoRequest, PerParty, Roles};
use crate::domain::waiting::queue_slot;
use crate::domain::{Actor, CaseId, Standing, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

use super::version::etag;

/// A case and everything around it that its actions and views use.
#[derive(Debug, Clone)]
pub struct CaseContext {
    /// The case as stored when it was read; its lifecycle columns are
    /// superseded by [`CaseContext::facts`], its version and `updated_at`
    /// follow every save.
    pub row: CaseRow,
    /// The lifecycle part of the case, typed; actions change it.
    pub facts: CaseFacts,
    /// The case's category.
    pub category: CategoryRow,
    /// The people the case names (and the actor).
    pub users: HashMap<UserId, UserRow>,
    /// The ruling in force (the latest), if any.
    pub ruling: Option<RulingRow>,
    /// The appeals, oldest first.
    pub appeals: Vec<AppealRow>,
    /// The desk's setup, when the use case read it (filing does): its
    /// leads are then not read again for the mail.
    pub setup: Option<Arc<Setup>>,
    /// The seal of the case's newest entry, when known without asking.
    pub chain_head: ChainHead,
}

/// The seal of a case's newest timeline entry, when the transaction knows
/// it without reading it (`seal::head`): a case just filed has none, and
/// each entry recorded through the same context moves it on. Only a
/// filing's context knows it, because it is the only context of its case
/// in its transaction; a context read from the database, or a copy of
/// one, reads it.
#[derive(Debug, Default)]
pub struct ChainHead(std::cell::RefCell<Option<String>>);

impl ChainHead {
    /// Known: `seal` (`""`: no entry yet).
    fn known(seal: &str) -> ChainHead {
        ChainHead(std::cell::RefCell::new(Some(seal.to_string())))
    }

    /// The head, if known.
    pub fn get(&self) -> Option<String> {
        self.0.borrow().clone()
    }

    /// After an entry sealed `seal` was recorded: known now, if it was.
    pub fn moved_to(&self, seal: &str) {
        let mut head = self.0.borrow_mut();
        if head.is_some() {
            *head = Some(seal.to_string());
        }
    }
}

impl Clone for ChainHead {
    /// A copy does not know the head: the original may move it on.
    fn clone(&self) -> ChainHead {
        ChainHead::default()
    }
}

/// A stored value that does not parse: a bug or a damaged row, never the
/// client's fault.
pub fn corrupt(what: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("stored value does not parse: {what}"))
}

/// A value as stored in a JSON text column; failing is a bug, never the
/// client's fault.
pub fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::Internal(e.into()))
}

/// The lifecycle facts of a stored case, as of `now`.
pub fn facts_of(row: &CaseRow, now: DateTime<Utc>, reopen_days: i64) -> CaseFacts {
    let info_request = match (row.info_party, row.info_deadline) {
        (Some(party), Some(deadline)) => Some(InfoRequest {
            party,
            deadline: from_db_time(deadline),
            last: row.info_final,
        }),
        _ => None,
    };
    CaseFacts {
        state: row.state,
        now,
        people: Roles {
            complainant: Some(row.complainant_id),
            respondent: row.respondent_id,
            mediator: row.assigned_mediator_id,
            ruling_mediator: row.ruling_mediator_id,
        },
        info_request,
        appeal_deadline: row.appeal_deadline.map(from_db_time),
        ruling_appealable: row.ruling_appealable,
        appealed: PerParty {
            complainant: row.appealed_complainant,
            respondent: row.appealed_respondent,
        },
        accepted_ruling: PerParty {
            complainant: row.ruling_accepted_complainant,
            respondent: row.ruling_accepted_respondent,
        },
        settlement_open: row.settlement_open,
        settlement_terms: row.settlement_terms.clone(),
        accepted_settlement: PerParty {
            complainant: row.settlement_accepted_complainant,
            respondent: row.settlement_accepted_respondent,
        },
        closed_at: row.closed_at.map(from_db_time),
        reopen_period: Duration::days(reopen_days),
        grouped: row.group_lead_id.is_some(),
        service_due: row.sla_due.map(from_db_time),
    }
}

/// The columns a save writes: every lifecycle column, from the facts, and
/// the priority and service-level columns, from the row.
fn changes(
    f: &CaseFacts,
    r: &CaseRow,
    version: i64,
    now: DateTime<Utc>,
    (waiting, due_at): (&str, NaiveDateTime),
) -> CaseChanges {
    CaseChanges {
        priority: Some(r.priority),
        priority_rank: Some(r.priority_rank),
        first_response_due: Some(r.first_response_due),
        resolution_due: Some(r.resolution_due),
        first_response_at: Some(r.first_response_at),
        sla_paused_since: Some(r.sla_paused_since),
        first_response_warn_at: Some(r.first_response_warn_at),
        resolution_warn_at: Some(r.resolution_warn_at),
        sla_fired: Some(r.sla_fired),
        sla_next_at: Some(r.sla_next_at),
        sla_due: Some(r.sla_due),
        sla_paused_seconds: Some(r.sla_paused_seconds),
        assigned_at: Some(r.assigned_at),
        resolved_at: Some(r.resolved_at),
        first_response_seconds: Some(r.first_response_seconds),
        resolution_seconds: Some(r.resolution_seconds),
        handling_seconds: Some(r.handling_seconds),
        sla_outcome: Some(r.sla_outcome),
        state: Some(f.state),
        assigned_mediator_id: Some(f.people.mediator),
        ruling_mediator_id: Some(f.people.ruling_mediator),
        info_party: Some(f.info_request.map(|r| r.party)),
        info_deadline: Some(f.info_request.map(|r| to_db_time(r.deadline))),
        info_final: Some(f.info_request.is_some_and(|r| r.last)),
        settlement_open: Some(f.settlement_open),
        settlement_terms: Some(f.settlement_terms.clone()),
        settlement_accepted_complainant: Some(f.accepted_settlement.complainant),
        settlement_accepted_respondent: Some(f.accepted_settlement.respondent),
        ruling_appealable: Some(f.ruling_appealable),
        appeal_deadline: Some(f.appeal_deadline.map(to_db_time)),
        ruling_accepted_complainant: Some(f.accepted_ruling.complainant),
        ruling_accepted_respondent: Some(f.accepted_ruling.respondent),
        appealed_complainant: Some(f.appealed.complainant),
        appealed_respondent: Some(f.appealed.respondent),
        closed_at: Some(f.closed_at.map(to_db_time)),
        version: Some(version),
        updated_at: Some(to_db_time(now)),
        waiting_on: Some(waiting.into()),
        due_at: Some(due_at),
    }
}

impl CaseContext {
    /// Reads case `id` and what goes with it, or `None` if there is no such case.
    pub fn load(
        conn: &mut DbConnection,
        id: CaseId,
        actor: &Actor,
        env: &Env,
    ) -> ApiResult<Option<CaseContext>> {
        let row: Option<CaseRow> = cases::table.find(id).first(conn).optional()?;
        let Some(row) = row else { return Ok(None) };
        let facts = facts_of(&row, env.now, env.settings.reopen_period_days);
        let category: CategoryRow = categories::table.find(row.category_id).first(conn)?;
        let ruling: Option<RulingRow> = rulings::table
            .filter(rulings::case_id.eq(&row.id))
            .order((rulings::created_at.desc(), rulings::id.desc()))
            .first(conn)
            .optional()?;
        let appeals: Vec<AppealRow> = appeals::table
            .filter(appeals::case_id.eq(&row.id))
            .order((appeals::created_at.asc(), appeals::id.asc()))
            .load(conn)?;
        let p = facts.people;
        let wanted: Vec<UserId> = [p.complainant, p.respondent, p.mediator, actor.user]
            .into_iter()
            .chain([ruling.as_ref().and_then(|r| r.mediator_id)])
            .flatten()
            .collect();
        let users: Vec<UserRow> = users::table.filter(users::id.eq_any(wanted)).load(conn)?;
        Ok(Some(CaseContext {
            row,
            facts,
            category,
            users: users.into_iter().map(|u| (u.id, u)).collect(),
            ruling,
            appeals,
            setup: None,
            chain_head: ChainHead::default(),
        }))
    }

    /// The context of a case just filed, from what filing wrote and read.
    pub fn filed(
        row: CaseRow,
        category: CategoryRow,
        people: impl IntoIterator<Item = UserRow>,
        setup: Arc<Setup>,
        env: &Env,
    ) -> CaseContext {
        CaseContext {
            facts: facts_of(&row, env.now, env.settings.reopen_period_days),
            row,
            category,
            users: people.into_iter().map(|u| (u.id, u)).collect(),
            ruling: None,
            appeals: Vec::new(),
            setup: Some(setup),
            // Filed in this transaction: no entry yet.
            chain_head: ChainHead::known(""),
        }
    }

    /// Reads a case the actor may see, with their standing on it; 404
    /// otherwise, exactly as if it did not exist.
    pub fn load_visible(
        conn: &mut DbConnection,
        actor: &Actor,
        id: CaseId,
        env: &Env,
    ) -> ApiResult<(CaseContext, Standing)> {
        let ctx = CaseContext::load(conn, id, actor, env)?.ok_or(ApiError::NotFound("case"))?;
        let standing = ctx.standing(actor);
        if !standing.can_view(ctx.facts.state) {
            return Err(ApiError::NotFound("case"));
        }
        Ok((ctx, standing))
    }

    /// How `actor` stands to the case as it is now.
    pub fn standing(&self, actor: &Actor) -> Standing {
        Standing::of(actor, &self.facts.people)
    }

    /// The case's id.
    pub fn id(&self) -> CaseId {
        self.row.id
    }

    /// The name of a user the case names, or an empty string.
    pub fn name_of(&self, id: UserId) -> String {
        self.users
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    }

    /// Remembers a user an action brought in (a newly assigned mediator).
    pub fn add_user(&mut self, user: UserRow) {
        self.users.insert(user.id, user);
    }

    /// Writes the facts with a versioned update: if someone else changed the
    /// case since it was read, nothing is written and the answer is 412.
    pub fn save(&mut self, conn: &mut DbConnection, now: DateTime<Utc>) -> ApiResult<()> {
        let version = self.row.version + 1;
        let (due, next, outcome) = super::service_clock::marks(&self.row);
        self.row.sla_due = due.map(to_db_time);
        self.row.sla_next_at = next.map(to_db_time);
        self.row.sla_outcome = outcome;
        self.facts.service_due = due;
        let slot = queue_slot(&self.facts);
        let updated = Prepared(
            diesel::update(
                cases::table
                    .filter(cases::id.eq(self.row.id))
                    .filter(cases::version.eq(self.row.version)),
            )
            .set(&changes(&self.facts, &self.row, version, now, slot)),
        )
        .execute(conn)?;
        if updated == 0 {
            // Someone else changed the case since it was read: name the version it has now.
            let current: Option<i64> = cases::table
                .find(self.row.id)
                .select(cases::version)
                .first(conn)
                .optional()?;
            return Err(match current {
                Some(v) => ApiError::PreconditionFailed(etag(v)),
                None => ApiError::NotFound("case"),
            });
        }
        self.row.version = version;
        self.row.updated_at = to_db_time(now);
        self.row.waiting_on = slot.0.into();
        self.row.due_at = slot.1;
        Ok(())
    }
}

/// Holds case `id`'s row until the transaction ends (PostgreSQL; SQLite's
/// writers take turns anyway), so that what a change counts or checks
/// next stays true until it commits: two uploads at once cannot both take
/// a case's last place for a file, a removal cannot slip in as the
/// investigation starts (whose versioned update waits for it), and of two
/// obligations recorded at once the later sees the earlier (so the last
/// one closes the case).
pub fn hold(conn: &mut DbConnection, id: CaseId) -> ApiResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        let _: Option<String> = cases::table
            .find(id.to_db())
            .select(cases::id)
            .for_update()
            .first(pg)
            .optional()?;
    }
    Ok(())
}
