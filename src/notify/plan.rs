//! Who hears about which event, with which mail: the table in
//! docs/notifications.md, as code. The match is exhaustive: a new event
//! without a mail decision does not compile.

use crate::domain::CaseState;
use crate::domain::Party;
use crate::domain::events::{CaseEvent, EventRecord, Visibility};
use crate::domain::follow_up::{ObligationPart, ObligationStatus};

/// The mail a respondent who has no account yet may get: nothing that
/// quotes the case, since their address is only what the complainant typed.
pub const FOR_GUESTS: [&str; 3] = ["respondent_notice", "investigation_started", "closed"];

/// A part someone plays in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The complainant.
    Complainant,
    /// The respondent (an account, or the name and email they were named by).
    Respondent,
    /// The assigned mediator.
    Mediator,
    /// Every lead and admin who asked for a mail per case waiting for
    /// leads (and is not a party to it).
    Leads,
}

impl From<Party> for Who {
    fn from(p: Party) -> Who {
        match p {
            Party::Complainant => Who::Complainant,
            Party::Respondent => Who::Respondent,
        }
    }
}

/// One mail to send for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// To whom.
    pub who: Who,
    /// The mail's template (a key under `events` in the catalogues).
    pub template: &'static str,
    /// Essential mail always goes; other mail can be muted by category.
    pub essential: bool,
    /// The preference category a user can mute (`messages`, `updates`).
    pub category: &'static str,
    /// Don't tell the one who did it.
    pub skip_actor: bool,
}

fn to(who: &[Who], template: &'static str, essential: bool) -> Vec<Step> {
    who.iter()
        .map(|w| Step {
            who: *w,
            template,
            essential,
            category: "updates",
            skip_actor: false,
        })
        .collect()
}

/// The mail an event causes.
pub fn plan(record: &EventRecord) -> Vec<Step> {
    use Who::*;
    let parties = [Complainant, Respondent];
    let everyone = [Complainant, Respondent, Mediator];
    match &record.event {
        CaseEvent::CaseFiled { .. } => [
            to(&[Complainant], "acknowledgement", true),
            to(&[Respondent], "respondent_notice", true),
        ]
        .concat(),
        CaseEvent::Assigned { .. } | CaseEvent::AutoAssigned { .. } => {
            to(&[Mediator], "assigned", true)
        }
        // The mediator took it themselves; triage is the desk's own note.
        CaseEvent::Claimed { .. } | CaseEvent::Triaged { .. } => Vec::new(),
        CaseEvent::AwaitingAssignment { .. } => to(&[Leads], "awaiting_assignment", true),
        CaseEvent::InvestigationStarted { .. } => to(&parties, "investigation_started", false),
        CaseEvent::InfoRequested { party, .. } => to(&[Who::from(*party)], "info_requested", true),
        CaseEvent::InfoProvided { .. } => to(&[Mediator], "info_provided", false),
        CaseEvent::InfoRequestLapsed { .. } => to(&[Mediator], "info_overdue", true),
        CaseEvent::ServiceLevelWarning { .. } => to(&[Mediator, Leads], "sla_warning", true),
        CaseEvent::ServiceLevelBreached { .. } => to(&[Mediator, Leads], "sla_breached", true),
        CaseEvent::MessagePosted { visibility, .. }
        | CaseEvent::EvidenceAdded { visibility, .. } => {
            let template = match &record.event {
                CaseEvent::EvidenceAdded { .. } => "new_evidence",
                _ => "new_message",
            };
            let readers: &[Who] = match visibility {
                Visibility::AllParties => &everyone,
                Visibility::Complainant => &[Complainant, Mediator],
                Visibility::Respondent => &[Respondent, Mediator],
                Visibility::Internal => &[Mediator],
            };
            readers
                .iter()
                .map(|w| Step {
                    who: *w,
                    template,
                    essential: false,
                    category: "messages",
                    skip_actor: true,
                })
                .collect()
        }
        CaseEvent::SettlementProposed { .. } => to(&parties, "settlement_proposed", true),
        CaseEvent::SettlementAccepted { settled: true, .. } => to(&everyone, "settled", true),
        CaseEvent::SettlementAccepted { settled: false, .. } => Vec::new(),
        CaseEvent::SettlementRejected { .. } => to(&[Mediator], "settlement_rejected", false),
        CaseEvent::RulingIssued { .. } | CaseEvent::RulingFromGroup { .. } => {
            to(&parties, "ruling_issued", true)
        }
        // Links and groups are the desk's own notes.
        CaseEvent::GroupRuled { .. }
        | CaseEvent::CaseLinked { .. }
        | CaseEvent::CaseUnlinked { .. }
        | CaseEvent::GroupJoined { .. }
        | CaseEvent::GroupLeft { .. }
        | CaseEvent::GroupChanged { .. } => Vec::new(),
        // An erasure is recorded, not announced (a mail would say more
        // about the person than the record does).
        CaseEvent::PersonalDataErased { .. } | CaseEvent::CaseAnonymised { .. } => Vec::new(),
        // Both accepted the ruling: it is final, and follow-up begins.
        CaseEvent::RulingAccepted { .. } if record.to_state() == Some(CaseState::FollowUp) => {
            to(&parties, "follow_up", false)
        }
        CaseEvent::RulingAccepted { .. } => Vec::new(),
        // Reading, hiding and removing a file are kept on the timeline only.
        CaseEvent::EvidenceRead { .. }
        | CaseEvent::EvidenceHidden { .. }
        | CaseEvent::EvidenceRemoved { .. }
        | CaseEvent::FeedbackGiven { .. } => Vec::new(),
        CaseEvent::Appealed { .. } => to(&everyone, "appeal_filed", true),
        CaseEvent::AppealDecided { .. } => to(&parties, "appeal_decided", true),
        CaseEvent::FollowUpStarted { .. } => to(&parties, "follow_up", false),
        CaseEvent::ObligationResolved { status, .. } => match status {
            ObligationStatus::Waived => to(&parties, "obligation_waived", false),
            _ => to(&parties, "obligation_done", false),
        },
        // A remedy is the respondent's to carry out; a sanction, staff's.
        CaseEvent::ObligationOverdue {
            part: ObligationPart::Remedy,
            ..
        } => to(&[Mediator, Respondent], "obligation_overdue", true),
        CaseEvent::ObligationOverdue { .. } => to(&[Mediator], "obligation_overdue", true),
        CaseEvent::Closed { .. } => to(&parties, "closed", false),
        CaseEvent::Reopened { .. } => to(&everyone, "reopened", true),
        CaseEvent::Withdrawn { .. } => to(&everyone, "withdrawn", true),
        CaseEvent::Dismissed { .. } => to(&everyone, "dismissed", true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CaseId, MessageId};
    use chrono::Utc;

    fn record(event: CaseEvent) -> EventRecord {
        EventRecord {
            case_id: CaseId::new(),
            actor: None,
            at: Utc::now(),
            transition: None,
            event,
        }
    }

    fn message(visibility: Visibility) -> EventRecord {
        record(CaseEvent::MessagePosted {
            message_id: MessageId::new(),
            visibility,
            body: String::new(),
        })
    }

    #[test]
    fn an_internal_note_never_reaches_a_party() {
        let steps = plan(&message(Visibility::Internal));
        assert!(steps.iter().all(|s| s.who == Who::Mediator));
        let steps = plan(&message(Visibility::Complainant));
        assert!(!steps.iter().any(|s| s.who == Who::Respondent));
    }

    #[test]
    fn essential_mail_is_the_acknowledgement_rulings_and_deadlines() {
        let filed = record(CaseEvent::CaseFiled {
            reference: "OMB-2026-000001".into(),
            title: "t".into(),
            category: "c".into(),
            priority: crate::domain::Priority::Normal,
        });
        let ruled = record(CaseEvent::RulingIssued {
            ruling_id: uuid::Uuid::now_v7(),
            outcome: crate::domain::ruling::Outcome::Upheld,
            appealable: true,
            appeal_deadline: Utc::now(),
        });
        let ask = record(CaseEvent::InfoRequested {
            party: Party::Respondent,
            question: "q".into(),
            deadline: Utc::now(),
            last: false,
        });
        for r in [&filed, &ruled, &ask] {
            assert!(plan(r).iter().all(|s| s.essential), "{:?}", r.event);
        }
        let steps = plan(&ask);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].who, Who::Respondent);
    }
}
