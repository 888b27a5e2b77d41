//! The caller's working list (`GET /queue`): their open cases, those whose
//! move is theirs first, each part most urgent first (highest priority,
//! then the earliest deadline the case waits on, then oldest).
//!
//! - A member: the cases they filed or answer, those waiting on them first.
//! - A mediator: the cases assigned to them, those waiting on them first.
//! - A lead or an admin: first the cases waiting on a lead (new cases to
//!   assign, appeals to decide), then, like a mediator, the cases assigned
//!   to them.
//!
//! Each part is read through the queue indexes, which hold open cases only
//! (`cases_queue`, `cases_<column>_queue`), one query per value of
//! `waiting_on`, so that every query reads its page in order.

use diesel::prelude::*;

use super::list::{Arm, CasePage};
use super::order::{CaseQuery, CaseSort, Position, UrgentKey, in_order, once_each, urgent_place};
use super::summary::summaries;
use crate::db::DbConnection;
use crate::db::models::CaseRow;
use crate::db::prepared::Prepared;
use crate::domain::waiting::WaitingWho;
use crate::domain::{Actor, Role};
use crate::error::ApiResult;
use crate::pagination::{self, Page, PageError};
use crate::state::Env;

/// The parts of `actor`'s queue, in order, each a set of arms.
fn parts(actor: &Actor) -> Vec<Vec<Arm>> {
    use WaitingWho::*;
    let me = actor.user.map(|u| u.to_db()).unwrap_or_default();
    let role = actor.role.unwrap_or(Role::Admin);
    let arms = |make: &dyn Fn(WaitingWho) -> Arm, on: &[WaitingWho]| -> Vec<Arm> {
        on.iter().map(|w| make(*w)).collect()
    };
    if !role.is_staff() {
        let complainant = |w| Arm::complainant(&me).waiting(w);
        let respondent = |w| Arm::respondent(&me).waiting(w);
        let mut mine = arms(&complainant, &[Complainant, Parties]);
        mine.extend(arms(&respondent, &[Respondent, Parties]));
        let mut rest = arms(&complainant, &[Lead, Mediator, Respondent]);
        rest.extend(arms(&respondent, &[Lead, Mediator, Complainant]));
        return vec![mine, rest];
    }
    let assigned = |w| Arm::mediator(&me).waiting(w);
    let mut mine = arms(&assigned, &[Mediator]);
    if role.is_supervisor() {
        mine.push(Arm::default().waiting(Lead));
    }
    // Cases assigned to a lead and waiting on a lead are all in the first
    // part already: listed again here, they would come back on a later page.
    let rest: &[WaitingWho] = if role.is_supervisor() {
        &[Complainant, Respondent, Parties]
    } else {
        &[Lead, Complainant, Respondent, Parties]
    };
    let rest = arms(&assigned, rest);
    vec![mine, rest]
}

/// Where a page of the queue ended: the part and the urgent key.
fn encode(part: usize, row: &CaseRow) -> String {
    format!("q:{part}|{}", UrgentKey::of(row).encode())
}

fn decode(cursor: &str) -> Result<(usize, UrgentKey), PageError> {
    let rest = cursor.strip_prefix("q:").ok_or(PageError::Cursor)?;
    let (part, key) = rest.split_once('|').ok_or(PageError::Cursor)?;
    let part = part.parse().map_err(|_| PageError::Cursor)?;
    Ok((part, UrgentKey::decode(key)?))
}

/// The queries [`queue`] runs for `actor` and `page`, each with its part.
pub fn queries(actor: &Actor, page: &Page) -> ApiResult<Vec<(usize, CaseQuery)>> {
    let after = page.after.as_deref().map(decode).transpose()?;
    let mut out = Vec::new();
    for (part, arms) in parts(actor).into_iter().enumerate() {
        let from = match &after {
            Some((p, _)) if *p > part => continue,
            Some((p, key)) if *p == part => Some(Position::Urgent(key.clone())),
            _ => None,
        };
        for arm in arms {
            let q = in_order(arm.equalities(), CaseSort::Urgent, from.as_ref());
            out.push((part, q.limit(page.limit + 1)));
        }
    }
    Ok(out)
}

/// A page of `actor`'s queue.
pub fn queue(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    page: &Page,
) -> ApiResult<CasePage> {
    let mut rows: Vec<(usize, CaseRow)> = Vec::new();
    for (part, q) in queries(actor, page)? {
        // Prepared: the open-cases condition is an SQL literal (see list.rs).
        let found = Prepared(q).load::<CaseRow>(conn)?;
        rows.extend(found.into_iter().map(|r| (part, r)));
    }
    rows.sort_by_key(|(part, r)| (*part, urgent_place(r)));
    once_each(&mut rows, |(_, r)| r.id);
    let (rows, next_cursor) = pagination::split(rows, page.limit, |(part, r)| encode(*part, r));
    let rows = rows.into_iter().map(|(_, r)| r).collect();
    let items = summaries(conn, rows, actor, env)?;
    Ok(CasePage { items, next_cursor })
}

/// The cases waiting on a lead that `lead` is not a party to: how many,
/// and the `limit` most urgent (for a lead's digest), read through
/// `cases_queue`.
pub fn waiting_for_leads(
    conn: &mut DbConnection,
    lead: crate::domain::UserId,
    limit: i64,
) -> ApiResult<(i64, Vec<CaseRow>)> {
    use crate::db::schema::cases;
    use crate::domain::waiting::NOBODY;
    use diesel::dsl::sql;
    use diesel::sql_types::Bool;
    // Literals, as the partial index's condition is, so that SQLite uses it.
    let waiting = || {
        sql::<Bool>(&format!(
            "cases.waiting_on = '{}' AND cases.waiting_on <> '{NOBODY}'",
            WaitingWho::Lead.as_str()
        ))
    };
    let not_party = || {
        cases::complainant_id.ne(lead).and(
            cases::respondent_id
                .is_null()
                .or(cases::respondent_id.ne(lead)),
        )
    };
    let count: i64 = cases::table
        .filter(waiting())
        .filter(not_party())
        .count()
        .get_result(conn)?;
    let rows: Vec<CaseRow> = cases::table
        .filter(waiting())
        .filter(not_party())
        .order((
            cases::priority_rank.asc(),
            cases::due_at.asc(),
            cases::created_at.asc(),
            cases::id.asc(),
        ))
        .limit(limit)
        .load(conn)?;
    Ok((count, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    #[test]
    fn each_role_has_its_parts() {
        let member = Actor::user(UserId::new(), Role::Member);
        let sizes: Vec<usize> = parts(&member).iter().map(Vec::len).collect();
        assert_eq!(sizes, [4, 6]);
        let mediator = Actor::user(UserId::new(), Role::Mediator);
        let sizes: Vec<usize> = parts(&mediator).iter().map(Vec::len).collect();
        assert_eq!(sizes, [1, 4]);
        let lead = Actor::user(UserId::new(), Role::Lead);
        let sizes: Vec<usize> = parts(&lead).iter().map(Vec::len).collect();
        assert_eq!(sizes, [2, 3]);
    }

    #[test]
    fn queue_cursors_round_trip() {
        assert!(decode("u:1|x").is_err());
        assert!(decode("q:x|1").is_err());
        assert!(decode("q:1|1|2|3").is_err());
    }
}
