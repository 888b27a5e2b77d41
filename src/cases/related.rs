//! Related and mass complaints. A lead links two cases (`duplicate_of`,
//! `related_to`), and groups many complaints about one respondent or
//! incident under a lead case: each complainant keeps their own case and
//! sees only that it is part of a group; the mediator works the lead case,
//! and its ruling is applied to every grouped case in the same transaction
//! (`apply_group_ruling`), each then going on with its own appeal window
//! and follow-up. Staff also see likely duplicates of a case: the same
//! respondent and category, filed within `duplicate_window_days`.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::act::take_on;
use super::actions::apply_group_ruling::ApplyGroupRuling;
use super::assignment::check_conflicts;
use super::context::{CaseContext, facts_of, hold};
use super::groups::{BEFORE_RULING, entry, set_group, set_members};
use super::record::record;
use super::summary::{CaseSummary, summaries};
use super::version::Expected;
use crate::db::models::{CaseRow, from_db_time, to_db_time};
use crate::db::schema::{case_links, cases};
use crate::db::{DbConnection, MultiBackend};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::parse::Checker;
use crate::domain::related::LinkKind;
use crate::domain::{Actor, CaseId, Standing, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// The most cases one group holds.
pub const MAX_GROUP: i32 = 500;

/// A link between two cases, as seen from one of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000041",
    "kind": "duplicate_of", "from_this": true, "note": "Same order, filed twice.",
    "created_at": "2026-11-28T10:00:00Z"
}))]
pub struct LinkView {
    /// The other case.
    pub case_id: uuid::Uuid,
    /// Its reference.
    pub reference: String,
    /// `duplicate_of` or `related_to`.
    pub kind: LinkKind,
    /// Whether the link was made from this case (for `duplicate_of`: this
    /// case is the duplicate of the other).
    pub from_this: bool,
    /// Why they are linked.
    pub note: String,
    /// When.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A group of complaints: the lead case and every case grouped under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"lead": {"id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000042", "title": "Order never arrived",
        "category": "delivery", "priority": "normal", "state": "investigation",
        "complainant": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
        "respondent": {"id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Shop Ltd"},
        "mediator": {"id": "0192f0c4-4444-7a21-9d0b-5c1e8f2a3b4c", "name": "Mia Mediator"},
        "waiting_on": null, "allowed_actions": [], "version": 4,
        "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z"}, "members": [{"id": "0192f0c4-8f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000043", "title": "Order never arrived",
        "category": "delivery", "priority": "normal", "state": "intake",
        "complainant": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
        "respondent": {"id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Shop Ltd"},
        "mediator": null,
        "waiting_on": null, "allowed_actions": [], "version": 4,
        "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z"}]}))]
pub struct GroupView {
    /// The case the mediator works; its ruling applies to every member
    /// (absent for a mediator who may not open it).
    pub lead: Option<CaseSummary>,
    /// The grouped cases, oldest first (at most 500, so not paged), that
    /// the caller may open.
    pub members: Vec<CaseSummary>,
}

/// Everything staff see around one case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "links": [{"case_id": "0192f0c4-9f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000041",
               "kind": "related_to", "from_this": false, "note": "Same shop, same week.",
               "created_at": "2026-11-28T10:00:00Z"}],
    "group": null,
    "suggested_duplicates": [{"id": "0192f0c4-8f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000043", "title": "Order never arrived",
        "category": "delivery", "priority": "normal", "state": "intake",
        "complainant": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
        "respondent": {"id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Shop Ltd"},
        "mediator": null,
        "waiting_on": null, "allowed_actions": [], "version": 4,
        "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-23T10:00:00Z"}]
}))]
pub struct RelatedView {
    /// Links a lead made, newest first.
    pub links: Vec<LinkView>,
    /// The group the case leads or belongs to.
    pub group: Option<GroupView>,
    /// Cases about the same respondent in the same category filed within
    /// `duplicate_window_days` of this one, not already linked or grouped
    /// with it: likely duplicates, newest first (at most 10).
    pub suggested_duplicates: Vec<CaseSummary>,
}

/// A link to make.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "kind": "duplicate_of", "note": "Same order, filed twice."}))]
pub struct LinkCase {
    /// The other case.
    pub case_id: uuid::Uuid,
    /// `duplicate_of` (this case repeats the other) or `related_to`.
    pub kind: LinkKind,
    /// Why, up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Cases to group under this one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"case_ids": ["0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c"]}))]
pub struct GroupCases {
    /// 1 to 500 cases, each before its ruling and in no other group.
    #[schema(min_items = 1, max_items = 500)]
    pub case_ids: Vec<uuid::Uuid>,
}

fn supervisor(standing: &Standing, what: &str) -> ApiResult<()> {
    if standing.is_supervisor() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only a lead or an admin (not a party to the case) may {what}"
        )))
    }
}

/// Links case `id` with another, for a lead or an admin; staff-only
/// entries on both timelines.
pub fn link(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    body: LinkCase,
) -> ApiResult<LinkView> {
    let mut c = Checker::new();
    let note = c
        .opt_text("note", Some(&body.note), 2000)
        .unwrap_or_default();
    let other_id = CaseId(body.case_id);
    if other_id == id {
        c.fail("case_id", "a case cannot be linked with itself");
    }
    c.finish()?;
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    supervisor(&standing, "link cases")?;
    let other = CaseContext::load(conn, other_id, actor, env)?
        .ok_or_else(|| ApiError::field("case_id", "no case has that id"))?;
    let existing: i64 = case_links::table
        .filter(
            (case_links::case_id
                .eq(id)
                .and(case_links::linked_id.eq(other_id)))
            .or(case_links::case_id
                .eq(other_id)
                .and(case_links::linked_id.eq(id))),
        )
        .count()
        .get_result(conn)?;
    let taken =
        || ApiError::Conflict("these cases are linked already; remove the link first".into());
    if existing > 0 {
        return Err(taken());
    }
    let at = to_db_time(env.now);
    let by: UserId = actor
        .user
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a link without a person")))?;
    match diesel::insert_into(case_links::table)
        .values((
            case_links::case_id.eq(id),
            case_links::linked_id.eq(other_id),
            case_links::kind.eq(body.kind),
            case_links::note.eq(&note),
            case_links::created_by.eq(by),
            case_links::created_at.eq(at),
        ))
        .execute(conn)
    {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(taken()),
        other => other?,
    };
    for (this, that, from_this) in [(&ctx, &other, true), (&other, &ctx, false)] {
        let linked = CaseEvent::CaseLinked {
            other_case_id: that.id(),
            other_reference: that.row.reference.clone(),
            link: body.kind,
            from_this,
            note: note.clone(),
        };
        record(
            conn,
            &env.settings,
            this,
            &entry(this.id(), actor, env, linked),
        )?;
    }
    Ok(LinkView {
        case_id: other_id.0,
        reference: other.row.reference.clone(),
        kind: body.kind,
        from_this: true,
        note,
        created_at: env.now,
    })
}

/// Removes the link between case `id` and `other_id` (either way round),
/// for a lead or an admin.
pub fn unlink(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
    other_id: CaseId,
) -> ApiResult<()> {
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    supervisor(&standing, "unlink cases")?;
    let removed = diesel::delete(
        case_links::table.filter(
            (case_links::case_id
                .eq(id)
                .and(case_links::linked_id.eq(other_id)))
            .or(case_links::case_id
                .eq(other_id)
                .and(case_links::linked_id.eq(id))),
        ),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(ApiError::NotFound("link"));
    }
    let Some(other) = CaseContext::load(conn, other_id, actor, env)? else {
        return Err(ApiError::NotFound("link"));
    };
    for (this, that) in [(&ctx, &other), (&other, &ctx)] {
        let unlinked = CaseEvent::CaseUnlinked {
            other_case_id: that.id(),
            other_reference: that.row.reference.clone(),
        };
        record(
            conn,
            &env.settings,
            this,
            &entry(this.id(), actor, env, unlinked),
        )?;
    }
    Ok(())
}

fn links_of(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<Vec<LinkView>> {
    type Link = (String, String, LinkKind, String, chrono::NaiveDateTime);
    let rows: Vec<Link> = case_links::table
        .filter(case_links::case_id.eq(id).or(case_links::linked_id.eq(id)))
        .order(case_links::created_at.desc())
        .select((
            case_links::case_id,
            case_links::linked_id,
            case_links::kind,
            case_links::note,
            case_links::created_at,
        ))
        .load(conn)?;
    let others: Vec<String> = rows
        .iter()
        .map(|(a, b, ..)| {
            if *a == id.to_db() {
                b.clone()
            } else {
                a.clone()
            }
        })
        .collect();
    let cases: Vec<CaseRow> = cases::table.filter(cases::id.eq_any(&others)).load(conn)?;
    // Only the cases the caller may open themselves.
    let refs: std::collections::HashMap<String, String> = visible(cases, actor, env)
        .into_iter()
        .map(|c| (c.id.to_db(), c.reference))
        .collect();
    rows.into_iter()
        .zip(others)
        .filter(|(_, other)| refs.contains_key(other))
        .map(|((from, _, kind, note, at), other)| {
            let case_id = CaseId::from_db(&other).map_err(anyhow::Error::from)?;
            Ok(LinkView {
                case_id: case_id.0,
                reference: refs.get(&other).cloned().unwrap_or_default(),
                kind,
                from_this: from == id.to_db(),
                note,
                created_at: from_db_time(at),
            })
        })
        .collect()
}

/// The rows of `rows` that `actor` may open (a mediator sees only the
/// cases assigned to them, that they ruled, or that wait in intake).
fn visible(rows: Vec<CaseRow>, actor: &Actor, env: &Env) -> Vec<CaseRow> {
    rows.into_iter()
        .filter(|r| {
            let f = facts_of(r, env.now, env.settings.reopen_period_days);
            Standing::of(actor, &f.people).can_view(f.state)
        })
        .collect()
}

fn group_of(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    lead: CaseRow,
) -> ApiResult<GroupView> {
    let members: Vec<CaseRow> = cases::table
        .filter(cases::group_lead_id.eq(lead.id))
        .order((cases::created_at.asc(), cases::id.asc()))
        .limit(i64::from(MAX_GROUP))
        .load(conn)?;
    let lead = summaries(conn, visible(vec![lead], actor, env), actor, env)?;
    Ok(GroupView {
        lead: lead.into_iter().next(),
        members: summaries(conn, visible(members, actor, env), actor, env)?,
    })
}

/// The likely duplicates of case `row`, newest first, at most 30: the same
/// respondent (account, or address) and category, filed within `window`
/// either side of it, not among `excluded` and not in the group `lead`
/// leads. Read through `cases_same_respondent` (or `_email`), which hold
/// respondent, category and filing time in that order.
pub fn suggestions(
    row: &CaseRow,
    excluded: &[CaseId],
    lead: Option<CaseId>,
    window: Duration,
) -> cases::BoxedQuery<'static, MultiBackend> {
    let filed = from_db_time(row.created_at);
    let mut q = cases::table
        .filter(cases::id.ne_all(excluded.to_vec()))
        .filter(cases::category_id.eq(row.category_id))
        .filter(cases::created_at.ge(to_db_time(filed - window)))
        .filter(cases::created_at.le(to_db_time(filed + window)))
        .into_boxed();
    if let Some(lead) = lead {
        q = q.filter(
            cases::group_lead_id
                .is_null()
                .or(cases::group_lead_id.ne(lead)),
        );
    }
    q = match (&row.respondent_id, &row.respondent_email) {
        (Some(r), _) => q.filter(cases::respondent_id.eq(*r)),
        (None, Some(email)) => q.filter(cases::respondent_email.eq(email.clone())),
        (None, None) => q.filter(cases::id.eq(row.id)), // nothing to compare by
    };
    q.order(cases::created_at.desc()).limit(30)
}

/// Links, the group and likely duplicates of case `id`, for a lead, an
/// admin or the case's mediator; each case listed is one the caller may
/// open themselves.
pub fn related(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<RelatedView> {
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    if !(standing.is_supervisor() || standing.is_in_charge()) {
        return Err(ApiError::Forbidden(
            "links, groups and likely duplicates are for leads, admins and the case's mediator"
                .into(),
        ));
    }
    let links = links_of(conn, env, actor, id)?;
    let row = &ctx.row;
    let lead_id = match (row.group_lead_id, row.group_members) {
        (Some(lead), _) => Some(lead),
        (None, n) if n > 0 => Some(row.id),
        _ => None,
    };
    let lead_row: Option<CaseRow> = match lead_id {
        Some(lead) if lead == row.id => Some(row.clone()),
        Some(lead) => cases::table.find(lead).first(conn).optional()?,
        None => None,
    };
    let group = lead_row
        .map(|lead| group_of(conn, env, actor, lead))
        .transpose()?;
    // Likely duplicates: the same respondent (account or address) and
    // category, filed within the window either side of this case, not
    // linked with it and not in its group.
    let window = Duration::days(env.settings.duplicate_window_days);
    let linked: Vec<CaseId> = case_links::table
        .filter(case_links::case_id.eq(id))
        .select(case_links::linked_id)
        .load::<CaseId>(conn)?
        .into_iter()
        .chain(
            case_links::table
                .filter(case_links::linked_id.eq(id))
                .select(case_links::case_id)
                .load::<CaseId>(conn)?,
        )
        .chain(lead_id)
        .chain([id])
        .collect();
    let q = suggestions(row, &linked, lead_id, window);
    // Read a few more than shown: some may be cases the caller cannot open.
    let candidates: Vec<CaseRow> = q.load(conn)?;
    let candidates: Vec<CaseRow> = visible(candidates, actor, env)
        .into_iter()
        .take(10)
        .collect();
    Ok(RelatedView {
        links,
        group,
        suggested_duplicates: summaries(conn, candidates, actor, env)?,
    })
}

/// Groups cases under case `lead_id`, for a lead or an admin. The lead
/// case and every case added must be before their ruling; a case in a
/// group (or leading one) cannot join another. All or nothing.
pub fn group(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    lead_id: CaseId,
    body: GroupCases,
) -> ApiResult<GroupView> {
    let mut ids: Vec<CaseId> = body.case_ids.iter().copied().map(CaseId).collect();
    ids.sort_by_key(|c| c.0);
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_GROUP as usize {
        return Err(ApiError::field("case_ids", "1 to 500 cases"));
    }
    if ids.contains(&lead_id) {
        return Err(ApiError::field(
            "case_ids",
            "the lead case cannot be grouped under itself",
        ));
    }
    // The lead case's row is held: a ruling on it (which reads the group)
    // and another change to the group wait for this one.
    hold(conn, lead_id)?;
    let (mut lead, standing) = CaseContext::load_visible(conn, actor, lead_id, env)?;
    supervisor(&standing, "group cases")?;
    if !BEFORE_RULING.contains(&lead.facts.state) {
        return Err(ApiError::InvalidTransition(format!(
            "the lead case is {}; cases are grouped before the ruling",
            lead.facts.state
        )));
    }
    if lead.row.group_lead_id.is_some() {
        return Err(ApiError::InvalidTransition(
            "this case is itself grouped under another; group under that lead case".into(),
        ));
    }
    let total = lead.row.group_members + ids.len() as i32;
    if total > MAX_GROUP {
        return Err(ApiError::Conflict(format!(
            "a group holds at most {MAX_GROUP} cases; this one would hold {total}"
        )));
    }
    let mut members = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let field = format!("case_ids[{i}]");
        let Some(m) = CaseContext::load(conn, *id, actor, env)? else {
            return Err(ApiError::field(&field, "no case has that id"));
        };
        let refusal = if !BEFORE_RULING.contains(&m.facts.state) {
            Some(format!(
                "{} is {}; only cases before their ruling join a group",
                m.row.reference, m.facts.state
            ))
        } else if m.row.group_lead_id.is_some() {
            Some(format!("{} is in a group already", m.row.reference))
        } else if m.row.group_members > 0 {
            Some(format!("{} leads a group of its own", m.row.reference))
        } else if !same_respondent(&m.row, &lead.row) {
            // The lead case's ruling (its sanctions, its words) goes to
            // every member: they must be about the same respondent.
            Some(format!(
                "{} is about another respondent than the lead case",
                m.row.reference
            ))
        } else {
            None
        };
        if let Some(why) = refusal {
            return Err(ApiError::InvalidTransition(why));
        }
        if let Some(mediator) = lead.facts.people.mediator {
            may_rule(conn, mediator, &m)?;
        }
        members.push(m);
    }
    for m in &mut members {
        set_group(conn, env, actor, m, &lead, true)?;
    }
    set_members(conn, env, &mut lead, total)?;
    let changed = CaseEvent::GroupChanged {
        added: ids,
        removed: Vec::new(),
        members: total,
    };
    record(
        conn,
        &env.settings,
        &lead,
        &entry(lead_id, actor, env, changed),
    )?;
    group_of(conn, env, actor, lead.row.clone())
}

/// Takes case `member_id` out of the group led by `lead_id` (while it is
/// before its ruling), for a lead or an admin.
pub fn ungroup(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    lead_id: CaseId,
    member_id: CaseId,
) -> ApiResult<GroupView> {
    hold(conn, lead_id)?;
    let (mut lead, standing) = CaseContext::load_visible(conn, actor, lead_id, env)?;
    supervisor(&standing, "change a group")?;
    let mut member = CaseContext::load(conn, member_id, actor, env)?
        .filter(|m| m.row.group_lead_id == Some(lead_id))
        .ok_or(ApiError::NotFound("case in this group"))?;
    // A case that got the group's ruling stays with it; one still waiting
    // can always leave (also when the lead case was withdrawn or dismissed).
    if !BEFORE_RULING.contains(&member.facts.state) {
        return Err(ApiError::InvalidTransition(format!(
            "{} is {}; it has had the group's ruling",
            member.row.reference, member.facts.state
        )));
    }
    set_group(conn, env, actor, &mut member, &lead, false)?;
    let members = lead.row.group_members - 1;
    set_members(conn, env, &mut lead, members)?;
    let changed = CaseEvent::GroupChanged {
        added: Vec::new(),
        removed: vec![member_id],
        members,
    };
    record(
        conn,
        &env.settings,
        &lead,
        &entry(lead_id, actor, env, changed),
    )?;
    group_of(conn, env, actor, lead.row.clone())
}

/// Whether two cases are about the same respondent: the same account, or
/// (for a respondent named by address) the same address.
fn same_respondent(a: &CaseRow, b: &CaseRow) -> bool {
    match (a.respondent_id, b.respondent_id) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a
            .respondent_email
            .as_deref()
            .zip(b.respondent_email.as_deref())
            .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y)),
        _ => false,
    }
}

/// Refuses (409, naming the case) a grouped case that `mediator` may not
/// rule: they are a party to it, or declared a conflict with a party, as
/// `assign` would refuse them.
fn may_rule(conn: &mut DbConnection, mediator: UserId, member: &CaseContext) -> ApiResult<()> {
    let p = member.facts.people;
    let conflict = p.complainant == Some(mediator)
        || p.respondent == Some(mediator)
        || check_conflicts(conn, mediator, member).is_err();
    if conflict {
        return Err(ApiError::InvalidTransition(format!(
            "the lead case's mediator may not rule on {} (a party to it, or a declared \
             conflict of interest): take it out of the group first",
            member.row.reference
        )));
    }
    Ok(())
}

/// Applies the ruling just issued on lead case `lead` to every case grouped
/// under it, in the caller's transaction (all of them, or none with the
/// ruling): each still before its ruling gets `apply_group_ruling`; one
/// already past it (settled, withdrawn, dismissed) keeps its own course,
/// and is named on the lead case's timeline.
pub fn rule_group(conn: &mut DbConnection, env: &Env, lead: &CaseContext) -> ApiResult<()> {
    let Some(ruling) = lead.ruling.clone() else {
        return Ok(());
    };
    let Some(deadline) = lead.facts.appeal_deadline else {
        return Ok(());
    };
    let mediator = ruling.mediator_id;
    let ids: Vec<CaseId> = cases::table
        .filter(cases::group_lead_id.eq(lead.id()))
        .order((cases::created_at.asc(), cases::id.asc()))
        .select(cases::id)
        .load(conn)?;
    let system = Actor::system();
    let (mut applied, mut skipped) = (0, Vec::new());
    for id in ids {
        // Held, so that a change to the member at the same moment waits
        // instead of failing the whole ruling with the member's version.
        hold(conn, id)?;
        let Some(mut member) = CaseContext::load(conn, id, &system, env)? else {
            continue;
        };
        if !BEFORE_RULING.contains(&member.facts.state) {
            skipped.push(member.row.reference.clone());
            continue;
        }
        if let Some(mediator) = mediator {
            may_rule(conn, mediator, &member)?;
        }
        let input = ApplyGroupRuling {
            ruling: ruling.clone(),
            appeal_deadline: deadline,
        };
        take_on(conn, env, &system, &mut member, &Expected::Absent, input)?;
        applied += 1;
    }
    let ruled = EventRecord {
        case_id: lead.id(),
        actor: None,
        at: env.now,
        transition: None,
        event: CaseEvent::GroupRuled { applied, skipped },
    };
    record(conn, &env.settings, lead, &ruled)
}
