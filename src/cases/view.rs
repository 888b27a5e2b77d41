//! How a case looks to the one who asks: the full view and the list summary.

use crate::domain::related::GroupRole;
use crate::domain::rulebook::CitedRule;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::context::{CaseContext, corrupt};
use crate::db::DbConnection;
use crate::db::models::from_db_time;
use crate::db::schema::users;
use crate::domain::lifecycle::allowed_actions;
use crate::domain::ruling::{AppealDecision, Outcome, Remedy, Sanction};
use crate::domain::waiting::{WaitingOn, waiting_on};
use crate::domain::{Action, CaseFacts, CaseState, Channel, Party, Priority, Standing, UserId};
use crate::error::ApiResult;

/// A person on a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    /// Their user id, if they have an account.
    pub id: Option<uuid::Uuid>,
    /// Their name.
    pub name: String,
}

/// The respondent: a user, or a name and email who gets access once they
/// have an account with that email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RespondentView {
    /// Their user id, once they have an account (shown to staff and the respondent).
    pub id: Option<uuid::Uuid>,
    /// Their name.
    pub name: String,
    /// Their email address (shown to staff and the respondent).
    pub email: Option<String>,
    /// Whether they have an account and can act on the case (shown to staff
    /// and the respondent; the complainant learns nothing about accounts).
    pub has_account: Option<bool>,
}

/// The category of a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryRef {
    /// Category id.
    pub id: uuid::Uuid,
    /// Category slug.
    pub slug: String,
    /// Category name.
    pub name: String,
}

/// An open request for information.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InfoRequestView {
    /// Who was asked.
    pub party: Party,
    /// By when.
    pub deadline: DateTime<Utc>,
    /// A final request: without an answer by the deadline the case is withdrawn.
    #[serde(rename = "final")]
    pub last: bool,
}

/// The open settlement proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SettlementView {
    /// The proposed terms.
    pub terms: String,
    /// Whether the complainant has accepted.
    pub accepted_by_complainant: bool,
    /// Whether the respondent has accepted.
    pub accepted_by_respondent: bool,
}

/// A ruling on a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulingView {
    /// Ruling id.
    pub id: uuid::Uuid,
    /// `ruling`, `settlement` (both parties accepted terms) or `appeal_decision`.
    pub kind: String,
    /// How the complaint was decided.
    pub outcome: Outcome,
    /// Why.
    pub rationale: String,
    /// Codes of the published rules it relies on.
    pub rules_cited: Vec<String>,
    /// Those rules, each in the version cited, as it read then.
    pub cited_rules: Vec<CitedRule>,
    /// Sanctions on the respondent.
    pub sanctions: Vec<Sanction>,
    /// Remedies the respondent owes.
    pub remedies: Vec<Remedy>,
    /// Whether it may be appealed.
    pub appealable: bool,
    /// Who ruled.
    pub mediator: Option<PersonRef>,
    /// When.
    pub issued_at: DateTime<Utc>,
}

/// An appeal and its decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealView {
    /// Appeal id.
    pub id: uuid::Uuid,
    /// Which party appealed.
    pub party: Party,
    /// Their grounds.
    pub grounds: String,
    /// The decision, once made.
    pub decision: Option<AppealDecision>,
    /// Why it was decided so.
    pub decision_rationale: Option<String>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
}

/// A case as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "reference": "OMB-2026-000042",
    "title": "Order never arrived", "description": "I paid for order 1234 on 2 November and nothing came.",
    "category": {"id": "0192f0c4-1111-7a21-9d0b-5c1e8f2a3b4c", "slug": "delivery", "name": "Delivery"},
    "priority": "normal", "language": "en", "channel": "api", "tags": ["order-1234"], "staff_tags": ["lost-parcel"],
    "cited_rules": [{"code": "R-4.2", "version": 2, "title": {"en": "Goods paid for are delivered"},
                     "text": {"en": "A seller delivers goods paid for within 14 days or refunds them."}}],
    "state": "assigned",
    "complainant": {"id": "0192f0c4-2222-7a21-9d0b-5c1e8f2a3b4c", "name": "Ann Example"},
    "respondent": {"id": null, "name": "Shop Ltd", "email": null, "has_account": null},
    "mediator": {"id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Mia Mediator"},
    "info_request": null, "settlement": null, "ruling": null, "appeals": [],
    "appeal_deadline": null, "closed_at": null, "reopen_until": null,
    "your_party": "complainant",
    "waiting_on": {"who": "mediator", "what": "the mediator to start the investigation", "deadline": null, "on_you": false},
    "allowed_actions": ["withdraw"], "version": 2,
    "created_at": "2026-11-22T10:00:00Z", "updated_at": "2026-11-22T10:05:00Z"
}))]
pub struct CaseView {
    /// Case id.
    pub id: uuid::Uuid,
    /// Human reference, unique (`OMB-2026-000042`).
    pub reference: String,
    /// Short title.
    pub title: String,
    /// What happened, in the complainant's words.
    pub description: String,
    /// Category.
    pub category: CategoryRef,
    /// Priority.
    pub priority: Priority,
    /// Language of the case (BCP 47).
    pub language: String,
    /// Where it came in from.
    pub channel: Channel,
    /// Tags.
    pub tags: Vec<String>,
    /// Tags the desk's triage rules added: shown to staff only (absent for a party).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_tags: Option<Vec<String>>,
    /// The published rules the complaint cites, as they read when it was filed.
    pub cited_rules: Vec<CitedRule>,
    /// Lifecycle state.
    pub state: CaseState,
    /// Who filed it.
    pub complainant: PersonRef,
    /// Who it is about.
    pub respondent: RespondentView,
    /// The assigned mediator.
    pub mediator: Option<PersonRef>,
    /// The open request for information.
    pub info_request: Option<InfoRequestView>,
    /// The open settlement proposal.
    pub settlement: Option<SettlementView>,
    /// The ruling in force (the latest).
    pub ruling: Option<RulingView>,
    /// Appeals, oldest first.
    pub appeals: Vec<AppealView>,
    /// When the appeal window of the ruling closes (while the case is in `ruling`).
    pub appeal_deadline: Option<DateTime<Utc>>,
    /// When the case was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Until when a lead may reopen it.
    pub reopen_until: Option<DateTime<Utc>>,
    /// When the first answer is due, by the service-level policy for its
    /// priority and category (none without a policy).
    pub first_response_due: Option<DateTime<Utc>>,
    /// When staff first answered: a message the complainant can read, or
    /// the start of the investigation.
    pub first_response_at: Option<DateTime<Utc>>,
    /// When a full answer is due, by the same policy.
    pub resolution_due: Option<DateTime<Utc>>,
    /// Since when the deadlines have been paused: the case waits on a party
    /// (an information request or a settlement proposal); when that ends,
    /// the deadlines not yet met move on by the business time it took.
    pub clock_paused_since: Option<DateTime<Utc>>,
    /// Where the case stands against its service level (staff only, and
    /// only when a policy applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level: Option<super::service_clock::ServiceLevelView>,
    /// The group of complaints the case leads or belongs to, if any. A
    /// party sees only its part in it; staff also see the lead case (of a
    /// member) or the size (of a lead case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupRef>,
    /// The caller's side, if they are a party.
    pub your_party: Option<Party>,
    /// What the case is waiting for, and whether from the caller.
    pub waiting_on: Option<WaitingOn>,
    /// What the caller may do now; each is `POST .../actions/{action}`.
    pub allowed_actions: Vec<Action>,
    /// Version for optimistic concurrency; the `ETag` is `"v{version}"`.
    pub version: i64,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn uuid(s: &str) -> ApiResult<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(corrupt)
}

fn json<T: serde::de::DeserializeOwned>(s: &str) -> ApiResult<T> {
    serde_json::from_str(s).map_err(corrupt)
}

/// Names of the given users, by id.
pub fn names(conn: &mut DbConnection, ids: Vec<UserId>) -> ApiResult<HashMap<UserId, String>> {
    let rows: Vec<(UserId, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The user `id`, named from `names` (see [`names`]).
pub fn person_ref(id: UserId, names: &HashMap<UserId, String>) -> PersonRef {
    PersonRef {
        id: Some(id.0),
        name: names.get(&id).cloned().unwrap_or_default(),
    }
}

pub(super) fn person(id: Option<UserId>, name: impl Fn(UserId) -> String) -> Option<PersonRef> {
    id.map(|id| PersonRef {
        id: Some(id.0),
        name: name(id),
    })
}

/// What the lifecycle lets someone of `standing` do, and what the case waits on.
pub(super) fn moves(facts: &CaseFacts, standing: &Standing) -> (Vec<Action>, Option<WaitingOn>) {
    (
        allowed_actions(standing, facts),
        waiting_on(facts, standing),
    )
}

/// The respondent's account id, hidden from the complainant, who learns
/// nothing about accounts.
pub(super) fn respondent_id(facts: &CaseFacts, standing: &Standing) -> Option<uuid::Uuid> {
    facts
        .people
        .respondent
        .filter(|_| standing.party() != Some(Party::Complainant))
        .map(|u| u.0)
}

/// A case's part in a group of complaints.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"role": "member", "lead_case_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c"}))]
pub struct GroupRef {
    /// `lead` (the case the mediator works; its ruling applies to every
    /// member) or `member` (gets the lead case's ruling).
    pub role: GroupRole,
    /// For staff, the lead case of a member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_case_id: Option<uuid::Uuid>,
    /// For staff, how many cases a lead case holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<i32>,
}

fn group_ref(row: &crate::db::models::CaseRow, standing: &Standing) -> Option<GroupRef> {
    let staff = matches!(standing, Standing::Staff { .. } | Standing::System);
    match (row.group_lead_id, row.group_members) {
        (Some(lead), _) => Some(GroupRef {
            role: GroupRole::Member,
            lead_case_id: staff.then_some(lead.0),
            members: None,
        }),
        (None, n) if n > 0 => Some(GroupRef {
            role: GroupRole::Lead,
            lead_case_id: None,
            members: staff.then_some(n),
        }),
        _ => None,
    }
}

/// The full view of one case for someone of `standing`, from what was read.
pub fn case_view(ctx: &CaseContext, standing: &Standing) -> ApiResult<CaseView> {
    let (row, facts) = (&ctx.row, &ctx.facts);
    let name = |id: UserId| ctx.name_of(id);
    let (allowed_actions, waiting_on) = moves(facts, standing);
    let ruling = ctx
        .ruling
        .as_ref()
        .map(|r| -> ApiResult<RulingView> {
            Ok(RulingView {
                id: uuid(&r.id)?,
                outcome: r.outcome,
                rules_cited: json(&r.rules_cited)?,
                cited_rules: json(&r.cited_rules)?,
                sanctions: json(&r.sanctions)?,
                remedies: json(&r.remedies)?,
                mediator: person(r.mediator_id, name),
                kind: r.kind.clone(),
                rationale: r.rationale.clone(),
                appealable: r.appealable,
                issued_at: from_db_time(r.created_at),
            })
        })
        .transpose()?;
    let appeals = ctx
        .appeals
        .iter()
        .map(|a| -> ApiResult<AppealView> {
            Ok(AppealView {
                id: uuid(&a.id)?,
                party: a.party,
                decision: a.decision,
                grounds: a.grounds.clone(),
                decision_rationale: a.decision_rationale.clone(),
                decided_at: a.decided_at.map(from_db_time),
                filed_at: from_db_time(a.created_at),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let sees_account = standing.party() != Some(Party::Complainant);
    Ok(CaseView {
        id: row.id.0,
        category: CategoryRef {
            id: ctx.category.id.0,
            slug: ctx.category.slug.clone(),
            name: ctx.category.name.clone(),
        },
        priority: row.priority,
        channel: row.channel,
        tags: json(&row.tags)?,
        staff_tags: matches!(standing, Standing::Staff { .. } | Standing::System)
            .then(|| json(&row.staff_tags))
            .transpose()?,
        cited_rules: json(&row.cited_rules)?,
        state: facts.state,
        complainant: person(facts.people.complainant, name).unwrap_or(PersonRef {
            id: None,
            name: String::new(),
        }),
        respondent: RespondentView {
            id: respondent_id(facts, standing),
            name: row.respondent_name.clone(),
            email: row.respondent_email.clone().filter(|_| sees_account),
            has_account: sees_account.then_some(facts.people.respondent.is_some()),
        },
        mediator: person(facts.people.mediator, name),
        info_request: facts.info_request.map(|r| InfoRequestView {
            party: r.party,
            deadline: r.deadline,
            last: r.last,
        }),
        settlement: facts.settlement_open.then(|| SettlementView {
            terms: facts.settlement_terms.clone().unwrap_or_default(),
            accepted_by_complainant: facts.accepted_settlement.complainant,
            accepted_by_respondent: facts.accepted_settlement.respondent,
        }),
        ruling,
        appeals,
        appeal_deadline: facts
            .appeal_deadline
            .filter(|_| facts.state == CaseState::Ruling),
        closed_at: facts.closed_at,
        reopen_until: facts.reopen_until(),
        first_response_due: ctx.row.first_response_due.map(from_db_time),
        first_response_at: ctx.row.first_response_at.map(from_db_time),
        resolution_due: ctx.row.resolution_due.map(from_db_time),
        clock_paused_since: ctx.row.sla_paused_since.map(from_db_time),
        service_level: super::service_clock::view(&ctx.row, standing),
        group: group_ref(&ctx.row, standing),
        your_party: standing.party(),
        waiting_on,
        allowed_actions,
        version: row.version,
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
        reference: row.reference.clone(),
        title: row.title.clone(),
        description: row.description.clone(),
        language: row.language.clone(),
    })
}
