//! Everything that can happen to a case, as typed events. The timeline
//! stores them, the mail plan matches on them (a new event without a mail
//! decision does not compile), and integrations will receive them as is.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::desk::AwaitingReason;
use super::follow_up::{ObligationPart, ObligationStatus};
use super::lifecycle::{Action, CaseState, Party};
use super::related::LinkKind;
use super::ruling::{AppealDecision, DismissalReason, Outcome};
use super::service_level::Target;
use super::triage::RuleRef;
use super::{CaseId, EvidenceId, MessageId, Priority, UserId};

/// Who may see a message or a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Visibility {
    /// Both parties and staff.
    #[default]
    AllParties,
    /// The complainant and staff.
    Complainant,
    /// The respondent and staff.
    Respondent,
    /// Staff only.
    Internal,
}

crate::domain::wire_names!(Visibility, "visibility" {
    AllParties => "all_parties",
    Complainant => "complainant",
    Respondent => "respondent",
    Internal => "internal",
});

impl Visibility {
    /// The visibilities a viewer may read: staff read all; a party reads what
    /// is for both parties and what is for their side.
    pub fn readable_by(party: Option<Party>) -> Vec<Visibility> {
        match party {
            None => Visibility::ALL.to_vec(),
            Some(Party::Complainant) => vec![Visibility::AllParties, Visibility::Complainant],
            Some(Party::Respondent) => vec![Visibility::AllParties, Visibility::Respondent],
        }
    }
}

impl From<Party> for Visibility {
    /// What only one party (and staff) may see.
    fn from(party: Party) -> Visibility {
        match party {
            Party::Complainant => Visibility::Complainant,
            Party::Respondent => Visibility::Respondent,
        }
    }
}

/// Something that happened to a case. The variant is the timeline's `kind`
/// (lifecycle actions keep the action's name); the fields are its `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The complaint was filed.
    CaseFiled {
        /// The case reference.
        reference: String,
        /// The title.
        title: String,
        /// The category slug.
        category: String,
        /// The priority.
        priority: Priority,
    },
    /// The case was given to a mediator.
    #[serde(rename = "assign")]
    Assigned {
        /// The new mediator.
        mediator_id: UserId,
        /// Their name.
        mediator_name: String,
        /// The mediator before, if any.
        previous_mediator_id: Option<UserId>,
        /// A note.
        note: Option<String>,
    },
    /// The desk gave the case to a mediator by itself.
    #[serde(rename = "auto_assign")]
    AutoAssigned {
        /// The new mediator.
        mediator_id: UserId,
        /// Their name.
        mediator_name: String,
        /// The mediator before (for an appeal, the one who ruled), if any.
        previous_mediator_id: Option<UserId>,
    },
    /// A mediator took the unassigned case.
    #[serde(rename = "claim")]
    Claimed {
        /// The mediator.
        mediator_id: UserId,
        /// Their name.
        mediator_name: String,
        /// A note.
        note: Option<String>,
    },
    /// Triage rules matched the filing (staff only).
    Triaged {
        /// The rules that matched, in order.
        rules: Vec<RuleRef>,
        /// The priority they set, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<Priority>,
        /// The tags they added.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tags: Vec<String>,
        /// Whether one held the case for a lead.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        held: bool,
    },
    /// The case waits for a lead to give it to someone (staff only).
    AwaitingAssignment {
        /// Why it was not given to anyone automatically.
        reason: AwaitingReason,
        /// It is an appeal to decide, not a new case.
        appeal: bool,
    },
    /// The investigation started.
    #[serde(rename = "start_investigation")]
    InvestigationStarted {
        /// A note.
        note: Option<String>,
    },
    /// A party was asked for information.
    #[serde(rename = "request_info")]
    InfoRequested {
        /// The party asked.
        party: Party,
        /// The question.
        question: String,
        /// When the answer is due.
        deadline: DateTime<Utc>,
        /// A final request: without an answer by the deadline the case is
        /// withdrawn.
        #[serde(default, rename = "final", skip_serializing_if = "std::ops::Not::not")]
        last: bool,
    },
    /// The party asked answered (by posting a message).
    InfoProvided {
        /// The party who answered.
        party: Party,
    },
    /// The party asked did not answer by the deadline; the case waits on
    /// the mediator again, who may go on without the answer.
    InfoRequestLapsed {
        /// The party who was asked.
        party: Party,
        /// The deadline that passed.
        deadline: DateTime<Utc>,
    },
    /// A share of a service-level target went by without it being met
    /// (`warn_percent` of the policy).
    #[serde(rename = "service_level_warning")]
    ServiceLevelWarning {
        /// The target.
        target: Target,
        /// Its deadline.
        deadline: DateTime<Utc>,
    },
    /// A service-level deadline passed without its target being met.
    #[serde(rename = "service_level_breached")]
    ServiceLevelBreached {
        /// The target.
        target: Target,
        /// The deadline that passed.
        deadline: DateTime<Utc>,
        /// The priority the case was raised to (escalation), if it was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<Priority>,
    },
    /// A message was posted.
    MessagePosted {
        /// The message.
        message_id: MessageId,
        /// Who may read it (also the entry's visibility).
        #[serde(skip)]
        visibility: Visibility,
        /// The text, for the mail; the timeline keeps only the id.
        #[serde(skip)]
        body: String,
    },
    /// A file was attached to the case as evidence.
    EvidenceAdded {
        /// The evidence.
        evidence_id: EvidenceId,
        /// Its file name.
        file_name: String,
        /// Its kind, detected from its bytes.
        content_type: String,
        /// Its size in bytes.
        size: i64,
        /// Its SHA-256, in hex.
        sha256: String,
        /// Who may see it (also the entry's visibility).
        #[serde(skip)]
        visibility: Visibility,
    },
    /// Someone downloaded a file (staff see who read what).
    EvidenceRead {
        /// The evidence.
        evidence_id: EvidenceId,
        /// Its file name.
        file_name: String,
    },
    /// A mediator hid a file from the parties; it is kept, for staff.
    EvidenceHidden {
        /// The evidence.
        evidence_id: EvidenceId,
        /// Its file name.
        file_name: String,
        /// Why.
        reason: String,
    },
    /// Whoever added a file removed it, before the investigation began.
    EvidenceRemoved {
        /// The evidence.
        evidence_id: EvidenceId,
        /// Its file name.
        file_name: String,
        /// Who could see it (also the entry's visibility).
        #[serde(skip)]
        visibility: Visibility,
    },
    /// A party rated the handling of the closed case (for staff).
    FeedbackGiven {
        /// Who rated it.
        party: Party,
        /// From 1 (poor) to 5 (very good).
        rating: i32,
        /// What they said, if anything.
        comment: String,
    },
    /// Settlement terms were put to both parties.
    #[serde(rename = "propose_settlement")]
    SettlementProposed {
        /// The terms.
        terms: String,
    },
    /// A party accepted the settlement proposal.
    #[serde(rename = "accept_settlement")]
    SettlementAccepted {
        /// Who accepted.
        party: Party,
        /// The terms accepted.
        terms: String,
        /// A note.
        note: Option<String>,
        /// Both have now accepted: the case is settled.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        settled: bool,
        /// The settled ruling, once both have accepted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ruling_id: Option<uuid::Uuid>,
    },
    /// A party rejected the settlement proposal.
    #[serde(rename = "reject_settlement")]
    SettlementRejected {
        /// Who rejected.
        party: Party,
        /// A note.
        note: Option<String>,
    },
    /// The mediator ruled.
    #[serde(rename = "issue_ruling")]
    RulingIssued {
        /// The ruling.
        ruling_id: uuid::Uuid,
        /// Its outcome.
        outcome: Outcome,
        /// Whether it may be appealed.
        appealable: bool,
        /// When the appeal window closes.
        appeal_deadline: DateTime<Utc>,
    },
    /// The ruling on the lead case of this case's group was applied to it.
    #[serde(rename = "apply_group_ruling")]
    RulingFromGroup {
        /// This case's copy of the ruling.
        ruling_id: uuid::Uuid,
        /// Its outcome.
        outcome: Outcome,
        /// Whether it may be appealed.
        appealable: bool,
        /// When the appeal window closes.
        appeal_deadline: DateTime<Utc>,
    },
    /// The lead case's ruling was applied to the cases grouped under it (staff only).
    GroupRuled {
        /// How many grouped cases got it.
        applied: usize,
        /// The references of grouped cases that were past ruling already
        /// (settled, withdrawn, dismissed) and kept their own course.
        skipped: Vec<String>,
    },
    /// A lead linked this case with another (staff only).
    CaseLinked {
        /// The other case.
        other_case_id: CaseId,
        /// Its reference.
        other_reference: String,
        /// `duplicate_of` or `related_to`.
        link: LinkKind,
        /// Whether this case is the duplicate (or the one the link was made from).
        from_this: bool,
        /// Why.
        note: String,
    },
    /// A lead removed the link between this case and another (staff only).
    CaseUnlinked {
        /// The other case.
        other_case_id: CaseId,
        /// Its reference.
        other_reference: String,
    },
    /// A lead grouped this case under a lead case (staff only; the parties
    /// see only that the case is part of a group).
    GroupJoined {
        /// The lead case.
        lead_case_id: CaseId,
        /// Its reference.
        lead_reference: String,
    },
    /// A lead took this case out of its group (staff only).
    GroupLeft {
        /// The lead case.
        lead_case_id: CaseId,
        /// Its reference.
        lead_reference: String,
    },
    /// Cases were grouped under this lead case, or taken out (staff only).
    GroupChanged {
        /// The cases added.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        added: Vec<CaseId>,
        /// The cases taken out.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        removed: Vec<CaseId>,
        /// How many cases the group holds now.
        members: i32,
    },
    /// A party accepted the ruling.
    #[serde(rename = "accept_ruling")]
    RulingAccepted {
        /// Who accepted.
        party: Party,
        /// A note.
        note: Option<String>,
    },
    /// A party appealed.
    #[serde(rename = "appeal")]
    Appealed {
        /// The appeal.
        appeal_id: uuid::Uuid,
        /// Who appealed.
        party: Party,
        /// Their grounds.
        grounds: String,
    },
    /// The appeal was decided.
    #[serde(rename = "decide_appeal")]
    AppealDecided {
        /// Uphold, amend or overturn.
        decision: AppealDecision,
        /// Why.
        rationale: String,
        /// The new ruling (amend, overturn).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ruling_id: Option<uuid::Uuid>,
        /// Its outcome.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Outcome>,
    },
    /// The appeal window closed and follow-up began.
    #[serde(rename = "start_follow_up")]
    FollowUpStarted {
        /// Why (`appeal window closed`).
        reason: String,
    },
    /// Staff recorded a remedy or sanction of the final ruling as done or
    /// waived.
    ObligationResolved {
        /// The obligation.
        obligation_id: uuid::Uuid,
        /// Remedy or sanction.
        part: ObligationPart,
        /// Its kind (`refund`, `suspension`, ...).
        obligation_kind: String,
        /// What it asks for (a remedy's description, a sanction's note).
        description: String,
        /// How long a restriction or suspension lasts, in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_days: Option<i32>,
        /// `done` or `waived`.
        status: ObligationStatus,
        /// What was done, or why it was waived.
        note: String,
        /// A file of the case that shows it, if one was named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence_id: Option<EvidenceId>,
        /// When a sanction took effect.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_at: Option<DateTime<Utc>>,
        /// When a temporary sanction ends.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends_at: Option<DateTime<Utc>>,
    },
    /// A remedy or sanction was still pending when it fell due.
    ObligationOverdue {
        /// The obligation.
        obligation_id: uuid::Uuid,
        /// Remedy or sanction.
        part: ObligationPart,
        /// Its kind.
        obligation_kind: String,
        /// What it asks for.
        description: String,
        /// How long a restriction or suspension lasts, in days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_days: Option<i32>,
        /// When it was due.
        due_at: DateTime<Utc>,
    },
    /// The case was closed.
    #[serde(rename = "close")]
    Closed {
        /// A note (required when obligations were still open).
        note: Option<String>,
        /// The obligations still open at closing, recorded as waived with the note.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        waived: Vec<uuid::Uuid>,
    },
    /// The case was reopened.
    #[serde(rename = "reopen")]
    Reopened {
        /// Why.
        reason: String,
    },
    /// The complainant withdrew.
    #[serde(rename = "withdraw")]
    Withdrawn {
        /// A note.
        note: Option<String>,
        /// Withdrawn by the desk: the complainant left a final request for
        /// information unanswered past its deadline.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        silent: bool,
    },
    /// The case was dismissed.
    #[serde(rename = "dismiss")]
    Dismissed {
        /// The kind of reason.
        reason: DismissalReason,
        /// The explanation.
        detail: String,
    },
    /// A person's data was erased from the case: their name and address
    /// replaced by a pseudonym, and (once the case is closed) what they
    /// wrote and uploaded removed. Says nothing of what was erased.
    PersonalDataErased {
        /// The person (their account now carries the pseudonym).
        user_id: UserId,
        /// The timeline entries whose data was rewritten.
        redacted_entries: Vec<i64>,
        /// Whether what they wrote and uploaded here is removed (`false`:
        /// the case is open; it goes when the case closes).
        removed_their_words: bool,
    },
    /// The case ended longer ago than the retention period: its texts,
    /// files and contact details were removed.
    CaseAnonymised {
        /// The timeline entries whose data was rewritten.
        redacted_entries: Vec<i64>,
        /// The retention period in force, in days.
        retention_days: i64,
    },
}

impl CaseEvent {
    /// Who may see the timeline entry.
    pub fn visibility(&self) -> Visibility {
        match self {
            CaseEvent::InfoRequested { party, .. }
            | CaseEvent::InfoProvided { party }
            | CaseEvent::InfoRequestLapsed { party, .. } => Visibility::from(*party),
            CaseEvent::MessagePosted { visibility, .. }
            | CaseEvent::EvidenceAdded { visibility, .. }
            | CaseEvent::EvidenceRemoved { visibility, .. } => *visibility,
            CaseEvent::AwaitingAssignment { .. }
            | CaseEvent::ServiceLevelWarning { .. }
            | CaseEvent::ServiceLevelBreached { .. }
            | CaseEvent::Triaged { .. }
            | CaseEvent::EvidenceRead { .. }
            | CaseEvent::EvidenceHidden { .. }
            | CaseEvent::FeedbackGiven { .. }
            | CaseEvent::GroupRuled { .. }
            | CaseEvent::CaseLinked { .. }
            | CaseEvent::CaseUnlinked { .. }
            | CaseEvent::GroupJoined { .. }
            | CaseEvent::GroupLeft { .. }
            | CaseEvent::GroupChanged { .. } => Visibility::Internal,
            _ => Visibility::AllParties,
        }
    }

    /// The timeline `kind` and `data` of the event.
    pub fn to_parts(&self) -> serde_json::Result<(String, serde_json::Value)> {
        let mut value = serde_json::to_value(self)?;
        let kind = value
            .as_object_mut()
            .and_then(|o| o.remove("kind"))
            .and_then(|k| k.as_str().map(str::to_string))
            .unwrap_or_default();
        Ok((kind, value))
    }
}

impl CaseEvent {
    /// Every `kind` an event can have (the timeline's, and the types a
    /// webhook endpoint subscribes to); a test holds it to the enum.
    pub const KINDS: [&'static str; 41] = [
        "case_filed",
        "assign",
        "auto_assign",
        "claim",
        "triaged",
        "awaiting_assignment",
        "start_investigation",
        "request_info",
        "info_provided",
        "info_request_lapsed",
        "service_level_warning",
        "service_level_breached",
        "message_posted",
        "evidence_added",
        "evidence_read",
        "evidence_hidden",
        "evidence_removed",
        "feedback_given",
        "propose_settlement",
        "accept_settlement",
        "reject_settlement",
        "issue_ruling",
        "apply_group_ruling",
        "group_ruled",
        "case_linked",
        "case_unlinked",
        "group_joined",
        "group_left",
        "group_changed",
        "accept_ruling",
        "appeal",
        "decide_appeal",
        "start_follow_up",
        "obligation_resolved",
        "obligation_overdue",
        "close",
        "reopen",
        "withdraw",
        "dismiss",
        "personal_data_erased",
        "case_anonymised",
    ];
}

/// A recorded event: what happened, to which case, by whom, when, and the
/// move it made in the lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// The case.
    pub case_id: CaseId,
    /// Who did it; `None` for the system.
    pub actor: Option<UserId>,
    /// When.
    pub at: DateTime<Utc>,
    /// The lifecycle action and the states before and after, if it was one.
    pub transition: Option<(Action, CaseState, CaseState)>,
    /// What happened.
    pub event: CaseEvent,
}

impl EventRecord {
    /// The state the case moved to, if the event was a lifecycle action.
    pub fn to_state(&self) -> Option<CaseState> {
        self.transition.map(|(_, _, to)| to)
    }

    /// The timeline `kind` and `data` (actions carry `from` and `to`).
    pub fn timeline_parts(&self) -> serde_json::Result<(String, serde_json::Value)> {
        let (kind, mut data) = self.event.to_parts()?;
        if let (Some((_, from, to)), Some(obj)) = (self.transition, data.as_object_mut()) {
            obj.insert("from".into(), from.as_str().into());
            obj.insert("to".into(), to.as_str().into());
        }
        Ok((kind, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_every_variant() {
        // serde lists every variant when it meets an unknown one.
        let err = serde_json::from_value::<CaseEvent>(serde_json::json!({"kind": "?"}))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        let listed = err
            .split("expected one of ")
            .nth(1)
            .unwrap_or_default()
            .split(", ")
            .map(|k| k.trim_matches(|c: char| c == '`' || !c.is_ascii() || c.is_whitespace()))
            .map(|k| k.split('`').next().unwrap_or(k).to_string())
            .collect::<Vec<_>>();
        assert_eq!(listed, CaseEvent::KINDS.to_vec(), "{err}");
    }

    #[test]
    fn timeline_data_keeps_the_wire_shape() {
        let record = EventRecord {
            case_id: CaseId::new(),
            actor: None,
            at: Utc::now(),
            transition: Some((Action::Close, CaseState::FollowUp, CaseState::Closed)),
            event: CaseEvent::Closed {
                note: None,
                waived: Vec::new(),
            },
        };
        let (kind, data) = record.timeline_parts().unwrap();
        assert_eq!(kind, "close");
        assert_eq!(
            data,
            serde_json::json!({"note": null, "from": "follow_up", "to": "closed"})
        );
        let posted = CaseEvent::MessagePosted {
            message_id: MessageId::new(),
            visibility: Visibility::Internal,
            body: "secret".into(),
        };
        let (kind, data) = posted.to_parts().unwrap();
        assert_eq!(kind, "message_posted");
        assert!(data.get("body").is_none() && data.get("visibility").is_none());
        assert_eq!(posted.visibility(), Visibility::Internal);
    }
}
