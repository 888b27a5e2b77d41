use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::domain::{CaseId, CaseState, CategoryId, Channel, Party, Priority, UserId};

use crate::db::schema::cases;

/// A case as stored.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: CaseId,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub category_id: CategoryId,
    pub priority: Priority,
    pub language: String,
    pub channel: Channel,
    pub tags: String,
    pub state: CaseState,
    pub complainant_id: UserId,
    pub respondent_id: Option<UserId>,
    pub respondent_name: String,
    pub respondent_email: Option<String>,
    pub assigned_mediator_id: Option<UserId>,
    pub ruling_mediator_id: Option<UserId>,
    pub info_party: Option<Party>,
    pub info_deadline: Option<NaiveDateTime>,
    pub settlement_open: bool,
    pub settlement_terms: Option<String>,
    pub settlement_accepted_complainant: bool,
    pub settlement_accepted_respondent: bool,
    pub ruling_appealable: bool,
    pub appeal_deadline: Option<NaiveDateTime>,
    pub ruling_accepted_complainant: bool,
    pub ruling_accepted_respondent: bool,
    pub appealed_complainant: bool,
    pub appealed_respondent: bool,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Whose move it is, as stored for the queues (`waiting::queue_slot`).
    pub waiting_on: String,
    /// The priority's place in the urgent order ([`Priority::rank`]).
    pub priority_rank: i16,
    /// The deadline the case waits on, or `waiting::no_deadline()`.
    pub due_at: NaiveDateTime,
    /// JSON array of the rule versions the complaint cites.
    pub cited_rules: String,
    /// JSON array of the tags triage added, for staff.
    pub staff_tags: String,
    /// JSON array of template codes triage suggested, for staff.
    pub suggested_templates: String,
    /// The lead case of the group this case belongs to.
    pub group_lead_id: Option<CaseId>,
    /// How many cases are grouped under this one (a lead case).
    pub group_members: i32,
    /// When the first answer is due, by the service-level policy.
    pub first_response_due: Option<NaiveDateTime>,
    /// When a full answer is due, by the service-level policy.
    pub resolution_due: Option<NaiveDateTime>,
    /// When staff first answered (a message the complainant reads, or the
    /// start of the investigation).
    pub first_response_at: Option<NaiveDateTime>,
    /// The service-level policy the deadlines came from.
    pub sla_policy_id: Option<String>,
    /// That policy's calendar when the case was filed (JSON: hours, zone, holidays).
    pub sla_calendar: Option<String>,
    /// Since when the service-level clock has been paused (the case waits
    /// on a party).
    pub sla_paused_since: Option<NaiveDateTime>,
    /// When a warning on the first answer is due.
    pub first_response_warn_at: Option<NaiveDateTime>,
    /// When a warning on the full answer is due.
    pub resolution_warn_at: Option<NaiveDateTime>,
    /// The service-level thresholds already recorded (`domain::service_level::Fired`).
    pub sla_fired: i32,
    /// When the next threshold falls due, if one can (the scanner's index).
    pub sla_next_at: Option<NaiveDateTime>,
    /// The next service-level deadline not yet met, while one runs.
    pub sla_due: Option<NaiveDateTime>,
    /// Business time spent paused so far, in seconds.
    pub sla_paused_seconds: i64,
    /// When the current mediator was given the case.
    pub assigned_at: Option<NaiveDateTime>,
    /// When the case was resolved (ruled, settled, dismissed or withdrawn).
    pub resolved_at: Option<NaiveDateTime>,
    /// Business time from filing to the first answer, in seconds.
    pub first_response_seconds: Option<i64>,
    /// Business time from filing to resolution, in seconds.
    pub resolution_seconds: Option<i64>,
    /// Time from assignment to resolution, in seconds.
    pub handling_seconds: Option<i64>,
    /// Whether the open request for information is final.
    pub info_final: bool,
    /// Each target's result (`domain::service_level::Clock::outcome`).
    pub sla_outcome: i16,
    pub complaint_redacted_at: Option<NaiveDateTime>,
    pub anonymised_at: Option<NaiveDateTime>,
}

/// A case to file.
#[derive(Debug, Insertable)]
#[diesel(table_name = cases)]
pub struct NewCase {
    pub id: CaseId,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub category_id: CategoryId,
    pub priority: Priority,
    pub language: String,
    pub channel: Channel,
    pub tags: String,
    pub state: CaseState,
    pub complainant_id: UserId,
    pub respondent_id: Option<UserId>,
    pub respondent_name: String,
    pub respondent_email: Option<String>,
    pub settlement_open: bool,
    pub settlement_accepted_complainant: bool,
    pub settlement_accepted_respondent: bool,
    pub ruling_appealable: bool,
    pub ruling_accepted_complainant: bool,
    pub ruling_accepted_respondent: bool,
    pub appealed_complainant: bool,
    pub appealed_respondent: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub waiting_on: String,
    pub priority_rank: i16,
    pub due_at: NaiveDateTime,
    /// JSON array of the rule versions the complaint cites.
    pub cited_rules: String,
    /// JSON array of the tags triage added, for staff.
    pub staff_tags: String,
    /// JSON array of template codes triage suggested, for staff.
    pub suggested_templates: String,
    /// When the first answer is due (a service-level policy applies).
    pub first_response_due: Option<NaiveDateTime>,
    /// When a full answer is due.
    pub resolution_due: Option<NaiveDateTime>,
    /// The service-level policy the deadlines came from.
    pub sla_policy_id: Option<String>,
    /// Its calendar, as it was (JSON).
    pub sla_calendar: Option<String>,
    /// When a warning on the first answer is due.
    pub first_response_warn_at: Option<NaiveDateTime>,
    /// When a warning on the full answer is due.
    pub resolution_warn_at: Option<NaiveDateTime>,
    /// When the scanner next has something to check.
    pub sla_next_at: Option<NaiveDateTime>,
    /// The next deadline not yet met.
    pub sla_due: Option<NaiveDateTime>,
}

impl NewCase {
    /// The row as stored: what was inserted, and nothing yet of the rest.
    pub fn into_row(self) -> CaseRow {
        CaseRow {
            id: self.id,
            reference: self.reference,
            title: self.title,
            description: self.description,
            category_id: self.category_id,
            priority: self.priority,
            language: self.language,
            channel: self.channel,
            tags: self.tags,
            state: self.state,
            complainant_id: self.complainant_id,
            respondent_id: self.respondent_id,
            respondent_name: self.respondent_name,
            respondent_email: self.respondent_email,
            assigned_mediator_id: None,
            ruling_mediator_id: None,
            info_party: None,
            info_deadline: None,
            settlement_open: self.settlement_open,
            settlement_terms: None,
            settlement_accepted_complainant: self.settlement_accepted_complainant,
            settlement_accepted_respondent: self.settlement_accepted_respondent,
            ruling_appealable: self.ruling_appealable,
            appeal_deadline: None,
            ruling_accepted_complainant: self.ruling_accepted_complainant,
            ruling_accepted_respondent: self.ruling_accepted_respondent,
            appealed_complainant: self.appealed_complainant,
            appealed_respondent: self.appealed_respondent,
            closed_at: None,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            waiting_on: self.waiting_on,
            priority_rank: self.priority_rank,
            due_at: self.due_at,
            cited_rules: self.cited_rules,
            staff_tags: self.staff_tags,
            suggested_templates: self.suggested_templates,
            group_lead_id: None,
            group_members: 0,
            first_response_due: self.first_response_due,
            resolution_due: self.resolution_due,
            first_response_at: None,
            sla_policy_id: self.sla_policy_id,
            sla_calendar: self.sla_calendar,
            sla_paused_since: None,
            first_response_warn_at: self.first_response_warn_at,
            resolution_warn_at: self.resolution_warn_at,
            sla_fired: 0,
            sla_next_at: self.sla_next_at,
            sla_due: self.sla_due,
            sla_paused_seconds: 0,
            assigned_at: None,
            resolved_at: None,
            first_response_seconds: None,
            resolution_seconds: None,
            handling_seconds: None,
            info_final: false,
            sla_outcome: 0,
            complaint_redacted_at: None,
            anonymised_at: None,
        }
    }
}

/// What an action changes on a case. `None` leaves a column as it is;
/// `Some(None)` clears a nullable one.
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseChanges {
    pub state: Option<CaseState>,
    pub assigned_mediator_id: Option<Option<UserId>>,
    pub ruling_mediator_id: Option<Option<UserId>>,
    pub info_party: Option<Option<Party>>,
    pub info_deadline: Option<Option<NaiveDateTime>>,
    pub info_final: Option<bool>,
    pub settlement_open: Option<bool>,
    pub settlement_terms: Option<Option<String>>,
    pub settlement_accepted_complainant: Option<bool>,
    pub settlement_accepted_respondent: Option<bool>,
    pub ruling_appealable: Option<bool>,
    pub appeal_deadline: Option<Option<NaiveDateTime>>,
    pub ruling_accepted_complainant: Option<bool>,
    pub ruling_accepted_respondent: Option<bool>,
    pub appealed_complainant: Option<bool>,
    pub appealed_respondent: Option<bool>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub version: Option<i64>,
    pub updated_at: Option<NaiveDateTime>,
    pub waiting_on: Option<String>,
    pub due_at: Option<NaiveDateTime>,
    pub priority: Option<Priority>,
    pub priority_rank: Option<i16>,
    pub first_response_due: Option<Option<NaiveDateTime>>,
    pub resolution_due: Option<Option<NaiveDateTime>>,
    pub first_response_at: Option<Option<NaiveDateTime>>,
    pub sla_paused_since: Option<Option<NaiveDateTime>>,
    pub first_response_warn_at: Option<Option<NaiveDateTime>>,
    pub resolution_warn_at: Option<Option<NaiveDateTime>>,
    pub sla_fired: Option<i32>,
    pub sla_next_at: Option<Option<NaiveDateTime>>,
    pub sla_due: Option<Option<NaiveDateTime>>,
    pub sla_paused_seconds: Option<i64>,
    pub assigned_at: Option<Option<NaiveDateTime>>,
    pub resolved_at: Option<Option<NaiveDateTime>>,
    pub first_response_seconds: Option<Option<i64>>,
    pub resolution_seconds: Option<Option<i64>>,
    pub handling_seconds: Option<Option<i64>>,
    pub sla_outcome: Option<i16>,
}
