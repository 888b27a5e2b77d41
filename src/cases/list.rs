//! Listing the cases a caller may see, filtered and paged: newest first,
//! oldest first or most urgent first; and the queues, built the same way.
//!
//! A page costs the same at ten thousand cases and at a million: every
//! query here reads at most one page of rows, in order, through an index
//! that serves both its filter and its order (`cases_<column>_created`:
//! the column, then `created_at`, then `id`, read either way for newest
//! or oldest; `cases_<column>_urgent`: the column, then the priority's
//! rank, the deadline the case waits on, `created_at` and `id`). Who may see a case is an OR
//! over columns (a member sees what they filed or answer; a mediator also
//! what is assigned to them, what they ruled on and everything in intake),
//! and no index serves an OR in order. So a list is split into *arms*, each
//! an AND of equalities, read by its own query; their pages are merged here.
//!
//! A search (`q`) is the exception: it ranks every document that holds its
//! words (`search::ranked`), so its cost follows the number of matches.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

pub use super::order::{CaseQuery, CaseSort};
use super::order::{Position, arrange, in_order, once_each};
use super::summary::{CaseSummary, summaries};
use crate::db::DbConnection;
use crate::db::models::{CaseRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::{case_tags, cases, categories};
use crate::domain::waiting::WaitingWho;
use crate::domain::{Actor, CaseState, Priority, Role};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};
use crate::state::Env;

page_of!(
    /// A page of cases, in the order asked for.
    CasePage,
    CaseSummary
);

/// Filters for listing cases; all optional and combined with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilter {
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only cases in this category (slug).
    pub category: Option<String>,
    /// Only cases of this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this mediator.
    pub mediator_id: Option<uuid::Uuid>,
    /// Only cases where this user is complainant or respondent.
    pub party_id: Option<uuid::Uuid>,
    /// Only cases with this tag.
    #[param(max_length = 40)]
    pub tag: Option<String>,
    /// Only cases filed at or after this time (RFC 3339).
    pub created_after: Option<DateTime<Utc>>,
    /// Only cases filed before this time (RFC 3339).
    pub created_before: Option<DateTime<Utc>>,
    /// Only cases whose next service-level deadline (first answer, then
    /// full answer) is running and falls before this time (RFC 3339),
    /// missed ones included: `due_before` two hours from now lists what
    /// breaches within two hours.
    pub due_before: Option<DateTime<Utc>>,
    /// Words to find (1 to 200 characters, at most 16 words): cases whose
    /// own text (reference, title and description) or a message the
    /// caller may read holds every word, each as the beginning of a word
    /// (a one-letter word whole; in Chinese, Japanese and Korean the
    /// characters in a row), best match first. The other filters apply;
    /// pages run through the best 1,000 matches; not with `sort`.
    #[param(min_length = 1, max_length = 200)]
    pub q: Option<String>,
    /// The order: `newest` (the default), `oldest`, `urgent` (highest
    /// priority, then the earliest deadline the case waits on) or
    /// `deadline` (earliest service-level deadline first; only cases whose
    /// clock is running).
    #[param(inline)]
    pub sort: Option<CaseSort>,
}

/// The cases `actor` may see that match `f`, in the order it asks for:
/// members their own, mediators theirs and those in intake, leads and
/// admins all.
pub fn list(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    f: CaseFilter,
    page: &Page,
) -> ApiResult<CasePage> {
    if let Some(q) = f.q.clone() {
        return found(conn, env, actor, &q, f, page);
    }
    let sort = f.sort.unwrap_or_default();
    let mut rows: Vec<CaseRow> = Vec::new();
    for q in queries(actor, &f, page)? {
        // Prepared: a cursor's row comparison and some filters are SQL
        // literals, which diesel would otherwise plan afresh every time.
        rows.extend(Prepared(q).load::<CaseRow>(conn)?);
    }
    arrange(&mut rows, sort);
    once_each(&mut rows, |r| r.id);
    let (rows, next_cursor) =
        pagination::split(rows, page.limit, |r| Position::of(sort, r).encode());
    let items = summaries(conn, rows, actor, env)?;
    Ok(CasePage { items, next_cursor })
}

/// [`list`] with `q`: the best matches `actor` may see within the other
/// filters (`search::ranked`, which applies them), checked again against
/// the list's own arms, best first; the cursor is the position and id of
/// a page's last case. Unlike a list, it reads every match of the words
/// to rank them (the index finds them; the filters and the visibility are
/// applied to each).
fn found(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    q: &str,
    f: CaseFilter,
    page: &Page,
) -> ApiResult<CasePage> {
    let terms = crate::domain::search::query_terms(q).map_err(ApiError::BadRequest)?;
    if f.sort.is_some() {
        return Err(ApiError::BadRequest(
            "`q` lists the best matches first; leave `sort` out".into(),
        ));
    }
    check_words(&f)?;
    let narrow = super::search::Narrow {
        state: f.state.map(|s| s.as_str().to_string()),
        category: f.category.as_ref().map(|c| c.trim().to_string()),
        priority: f.priority.map(|p| p.as_str().to_string()),
        mediator: f.mediator_id.map(|m| m.hyphenated().to_string()),
        party: f.party_id.map(|p| p.hyphenated().to_string()),
        tag: f.tag.as_ref().map(|t| t.trim().to_ascii_lowercase()),
        created_after: f.created_after.map(to_db_time),
        created_before: f.created_before.map(to_db_time),
        due_before: f.due_before.map(to_db_time),
    };
    let ranked = super::search::ranked(conn, actor, &terms, &narrow)?;
    let ids: Vec<String> = ranked.iter().map(|id| id.to_db()).collect();
    let staff = actor.role.is_none_or(Role::is_staff);
    let mut kept = std::collections::HashSet::new();
    if !ids.is_empty() {
        for arm in arms(actor, &f) {
            let q = arm
                .filtered(&f, CaseSort::Newest, staff)
                .filter(cases::id.eq_any(&ids))
                .select(cases::id);
            kept.extend(q.load::<String>(conn)?);
        }
    }
    let order: Vec<String> = ids.into_iter().filter(|id| kept.contains(id)).collect();
    let start = match page.after.as_deref() {
        None => 0,
        Some(cursor) => {
            let bad = || ApiError::BadRequest("cursor is not one this API issued".into());
            let (at, id) = cursor.split_once(':').ok_or_else(bad)?;
            let at: usize = at.parse().map_err(|_| bad())?;
            // Where that case is now (matches may have moved), else where it was.
            let at = order.iter().position(|o| o == id).unwrap_or(at);
            at.checked_add(1).ok_or_else(bad)?
        }
    };
    let limit = usize::try_from(page.limit).unwrap_or(20);
    let window: Vec<(usize, String)> = order
        .into_iter()
        .enumerate()
        .skip(start)
        .take(limit + 1)
        .collect();
    let (window, next_cursor) =
        pagination::split(window, page.limit, |(at, id)| format!("{at}:{id}"));
    let wanted: Vec<String> = window.into_iter().map(|(_, id)| id).collect();
    let mut rows: Vec<CaseRow> = cases::table.filter(cases::id.eq_any(&wanted)).load(conn)?;
    rows.sort_by_key(|r| wanted.iter().position(|w| *w == r.id.to_db()));
    let items = summaries(conn, rows, actor, env)?;
    Ok(CasePage { items, next_cursor })
}

/// The queries [`list`] runs for `actor`, `f` and `page`: one per arm, each
/// in the list's order and one longer than the page.
pub fn queries(actor: &Actor, f: &CaseFilter, page: &Page) -> ApiResult<Vec<CaseQuery>> {
    check_words(f)?;
    let sort = f.sort.unwrap_or_default();
    let after = page
        .after
        .as_deref()
        .map(|c| Position::decode(sort, c))
        .transpose()?;
    // Only staff may find a case by the tags triage gave it.
    let staff = actor.role.is_none_or(Role::is_staff);
    Ok(arms(actor, f)
        .iter()
        .map(|arm| arm.query(f, sort, after.as_ref(), page.limit + 1, staff))
        .collect())
}

/// Refuses a `tag` or `category` parameter that no tag or slug can be
/// (400, as for any malformed parameter), before it reaches the database
/// (PostgreSQL refuses a NUL byte with an error).
fn check_words(f: &CaseFilter) -> ApiResult<()> {
    let word = |s: &str, max: usize, extra: char| {
        let s = s.trim();
        (1..=max).contains(&s.len())
            && s.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == extra)
    };
    if f.tag.as_deref().is_some_and(|t| !word(t, 40, '_')) {
        return Err(ApiError::BadRequest(
            "`tag` must be 1 to 40 of a-z, 0-9, - and _".into(),
        ));
    }
    if f.category.as_deref().is_some_and(|s| !word(s, 50, '-')) {
        return Err(ApiError::BadRequest(
            "`category` must be a category slug: 1 to 50 of a-z, 0-9 and -".into(),
        ));
    }
    Ok(())
}

/// One arm of a list: equalities on the columns that say who may see a
/// case and on the filters that name one of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Arm {
    complainant: Option<String>,
    respondent: Option<String>,
    mediator: Option<String>,
    ruling_mediator: Option<String>,
    state: Option<CaseState>,
    /// Only open cases waiting on this (the queues).
    waiting: Option<WaitingWho>,
}

/// Both of two equalities on one column: `None` if they contradict.
fn both<T: Clone + PartialEq>(a: &Option<T>, b: &Option<T>) -> Option<Option<T>> {
    match (a, b) {
        (Some(x), Some(y)) if x != y => None,
        (Some(x), _) | (_, Some(x)) => Some(Some(x.clone())),
        (None, None) => Some(None),
    }
}

/// Whether equality `a` holds wherever `b` does.
fn within<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
    b.is_none() || a == b
}

impl Arm {
    pub(super) fn complainant(id: &str) -> Arm {
        Arm {
            complainant: Some(id.to_string()),
            ..Arm::default()
        }
    }

    pub(super) fn respondent(id: &str) -> Arm {
        Arm {
            respondent: Some(id.to_string()),
            ..Arm::default()
        }
    }

    pub(super) fn mediator(id: &str) -> Arm {
        Arm {
            mediator: Some(id.to_string()),
            ..Arm::default()
        }
    }

    /// This arm, open cases only, waiting on `who`.
    pub(super) fn waiting(self, who: WaitingWho) -> Arm {
        Arm {
            waiting: Some(who),
            ..self
        }
    }

    /// The cases both arms hold, or `None` when none can be.
    fn and(&self, other: &Arm) -> Option<Arm> {
        Some(Arm {
            complainant: both(&self.complainant, &other.complainant)?,
            respondent: both(&self.respondent, &other.respondent)?,
            mediator: both(&self.mediator, &other.mediator)?,
            ruling_mediator: both(&self.ruling_mediator, &other.ruling_mediator)?,
            state: both(&self.state, &other.state)?,
            waiting: both(&self.waiting, &other.waiting)?,
        })
    }

    /// Whether every case of this arm is also in `other`.
    fn within(&self, other: &Arm) -> bool {
        within(&self.complainant, &other.complainant)
            && within(&self.respondent, &other.respondent)
            && within(&self.mediator, &other.mediator)
            && within(&self.ruling_mediator, &other.ruling_mediator)
            && within(&self.state, &other.state)
            && within(&self.waiting, &other.waiting)
    }

    /// This arm's page: its equalities, the rest of the filter, after
    /// `after`, in `sort` order, `limit` rows.
    fn query(
        &self,
        f: &CaseFilter,
        sort: CaseSort,
        after: Option<&Position>,
        limit: i64,
        staff: bool,
    ) -> CaseQuery {
        in_order(self.filtered(f, sort, staff), sort, after).limit(limit)
    }

    /// This arm's cases that match the rest of the filter, written for a
    /// list in `sort` order, in no order yet.
    fn filtered(&self, f: &CaseFilter, sort: CaseSort, staff: bool) -> CaseQuery {
        let mut q = self.equalities();
        if let Some(slug) = &f.category {
            // `=` a single value (the slug is unique), not `IN`: an equality
            // lets the category index deliver the order as well.
            let id = categories::table
                .filter(categories::slug.eq(slug.clone()))
                .select(categories::id)
                .single_value();
            q = q.filter(cases::category_id.nullable().eq(id));
        }
        if let Some(tag) = &f.tag {
            let tag = tag.trim().to_ascii_lowercase();
            let tagged = case_tags::table.filter(case_tags::tag.eq(tag));
            q = if staff {
                q.filter(cases::id.eq_any(tagged.select(case_tags::case_id)))
            } else {
                let public = tagged.filter(case_tags::internal.eq(false));
                q.filter(cases::id.eq_any(public.select(case_tags::case_id)))
            };
        }
        match f.priority {
            // Most urgent first, a priority is a range of the urgent index.
            Some(p) if sort == CaseSort::Urgent => {
                q = q.filter(cases::priority_rank.eq(p.rank()));
            }
            Some(p) => q = q.filter(cases::priority.eq(p)),
            None => {}
        }
        if sort == CaseSort::Urgent {
            // Written so that no index on the filing time can serve it: a
            // planner would rather read a range of `cases_<column>_created`
            // and sort it than read the urgent index in order and filter,
            // and the sort grows with the range. COALESCE of a column that
            // is never NULL is the column.
            let filed = || sql::<Timestamp>("COALESCE(cases.created_at, cases.created_at)");
            if let Some(t) = f.created_after {
                q = q.filter(filed().ge(to_db_time(t)));
            }
            if let Some(t) = f.created_before {
                q = q.filter(filed().lt(to_db_time(t)));
            }
        } else {
            if let Some(t) = f.created_after {
                q = q.filter(cases::created_at.ge(to_db_time(t)));
            }
            if let Some(t) = f.created_before {
                q = q.filter(cases::created_at.lt(to_db_time(t)));
            }
        }
        if let Some(t) = f.due_before {
            q = q.filter(cases::sla_due.lt(to_db_time(t)));
        }
        q
    }

    /// The cases this arm holds, in no order yet.
    pub(super) fn equalities(&self) -> CaseQuery {
        let mut q = cases::table.into_boxed();
        if let Some(id) = &self.complainant {
            q = q.filter(cases::complainant_id.eq(id.clone()));
        }
        if let Some(id) = &self.respondent {
            q = q.filter(cases::respondent_id.eq(id.clone()));
        }
        if let Some(id) = &self.mediator {
            q = q.filter(cases::assigned_mediator_id.eq(id.clone()));
        }
        if let Some(id) = &self.ruling_mediator {
            q = q.filter(cases::ruling_mediator_id.eq(id.clone()));
        }
        if let Some(s) = self.state {
            q = q.filter(cases::state.eq(s));
        }
        if let Some(w) = self.waiting {
            // The literal lets both backends read the queue indexes, which
            // hold open cases only (`WHERE waiting_on <> 'nobody'`).
            q = q
                .filter(sql::<Bool>("cases.waiting_on <> 'nobody'"))
                .filter(cases::waiting_on.eq(w.as_str()));
        }
        q
    }
}

/// The arms of `actor`'s list with filter `f`: who may see what, times the
/// party filter (complainant or respondent), with the state and mediator
/// filters added to each; contradictions and arms inside another dropped.
fn arms(actor: &Actor, f: &CaseFilter) -> Vec<Arm> {
    let me = actor.user.map(|u| u.to_db()).unwrap_or_default();
    let sees = match actor.role.unwrap_or(Role::Admin) {
        Role::Member => vec![Arm::complainant(&me), Arm::respondent(&me)],
        Role::Mediator => vec![
            Arm::complainant(&me),
            Arm::respondent(&me),
            Arm {
                mediator: Some(me.clone()),
                ..Arm::default()
            },
            Arm {
                ruling_mediator: Some(me.clone()),
                ..Arm::default()
            },
            Arm {
                state: Some(CaseState::Intake),
                ..Arm::default()
            },
        ],
        Role::Lead | Role::Admin => vec![Arm::default()],
    };
    let party = match f.party_id {
        Some(p) => {
            let p = p.hyphenated().to_string();
            vec![Arm::complainant(&p), Arm::respondent(&p)]
        }
        None => vec![Arm::default()],
    };
    let filters = Arm {
        state: f.state,
        mediator: f.mediator_id.map(|m| m.hyphenated().to_string()),
        ..Arm::default()
    };
    let mut all: Vec<Arm> = Vec::new();
    for s in &sees {
        for p in &party {
            if let Some(arm) = s.and(p).and_then(|a| a.and(&filters))
                && !all.contains(&arm)
            {
                all.push(arm);
            }
        }
    }
    all.iter()
        .filter(|a| !all.iter().any(|b| b != *a && a.within(b)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    fn mediator() -> (Actor, String) {
        let id = UserId::new();
        (Actor::user(id, Role::Mediator), id.to_db())
    }

    #[test]
    fn a_mediator_sees_five_arms_and_intake_covers_the_rest_of_intake() {
        let (actor, me) = mediator();
        let all = arms(&actor, &CaseFilter::default());
        assert_eq!(all.len(), 5);
        assert!(all.contains(&Arm::complainant(&me)));
        let intake = CaseFilter {
            state: Some(CaseState::Intake),
            ..CaseFilter::default()
        };
        let only = arms(&actor, &intake);
        assert_eq!(
            only,
            vec![Arm {
                state: Some(CaseState::Intake),
                ..Arm::default()
            }],
            "every other arm in intake is inside this one"
        );
    }

    #[test]
    fn contradictions_are_dropped() {
        let (actor, me) = mediator();
        let other = uuid::Uuid::now_v7();
        let f = CaseFilter {
            party_id: Some(other),
            state: Some(CaseState::Closed),
            ..CaseFilter::default()
        };
        let all = arms(&actor, &f);
        // Intake and closed contradict; I cannot be both complainant and `other`.
        assert!(all.iter().all(|a| a.state == Some(CaseState::Closed)));
        assert!(
            all.iter()
                .all(|a| a.complainant.as_deref() != Some(&me) || a.respondent.is_some())
        );
        assert_eq!(all.len(), 6, "{all:?}");
    }

    #[test]
    fn a_lead_with_no_filter_has_one_arm() {
        let actor = Actor::user(UserId::new(), Role::Lead);
        assert_eq!(arms(&actor, &CaseFilter::default()), vec![Arm::default()]);
    }
}
