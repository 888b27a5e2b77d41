//! Who hears about which event, with which mail: the table in
//! docs/notifications.md, as code.

use serde_json::Value;

use crate::events::Visibility;

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

/// The mail an event of `kind` causes.
pub fn plan(kind: &str, data: &Value, visibility: Visibility) -> Vec<Step> {
    use Who::*;
    let party = match data.get("party").and_then(Value::as_str) {
        Some("respondent") => Respondent,
        _ => Complainant,
    };
    let parties = [Complainant, Respondent];
    let everyone = [Complainant, Respondent, Mediator];
    match kind {
        "case_filed" => [
            to(&[Complainant], "acknowledgement", true),
            to(&[Respondent], "respondent_notice", true),
        ]
        .concat(),
        "assign" => to(&[Mediator], "assigned", true),
        "start_investigation" => to(&parties, "investigation_started", false),
        "request_info" => to(&[party], "info_requested", true),
        "info_provided" => to(&[Mediator], "info_provided", false),
        "message_posted" => {
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
                    template: "new_message",
                    essential: false,
                    category: "messages",
                    skip_actor: true,
                })
                .collect()
        }
        "propose_settlement" => to(&parties, "settlement_proposed", true),
        "accept_settlement" if data.get("settled").and_then(Value::as_bool) == Some(true) => {
            to(&everyone, "settled", true)
        }
        "reject_settlement" => to(&[Mediator], "settlement_rejected", false),
        "issue_ruling" => to(&parties, "ruling_issued", true),
        // Both accepted the ruling: it is final, and follow-up begins.
        "accept_ruling" if data.get("to").and_then(Value::as_str) == Some("follow_up") => {
            to(&parties, "follow_up", false)
        }
        "appeal" => to(&everyone, "appeal_filed", true),
        "decide_appeal" => to(&parties, "appeal_decided", true),
        "start_follow_up" => to(&parties, "follow_up", false),
        "close" => to(&parties, "closed", false),
        "reopen" => to(&everyone, "reopened", true),
        "withdraw" => to(&everyone, "withdrawn", true),
        "dismiss" => to(&everyone, "dismissed", true),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_internal_note_never_reaches_a_party() {
        let steps = plan("message_posted", &json!({}), Visibility::Internal);
        assert!(steps.iter().all(|s| s.who == Who::Mediator));
        let steps = plan("message_posted", &json!({}), Visibility::Complainant);
        assert!(!steps.iter().any(|s| s.who == Who::Respondent));
    }

    #[test]
    fn essential_mail_is_the_acknowledgement_rulings_and_deadlines() {
        for (kind, data) in [
            ("case_filed", json!({})),
            ("issue_ruling", json!({})),
            ("request_info", json!({"party": "respondent"})),
        ] {
            assert!(
                plan(kind, &data, Visibility::AllParties)
                    .iter()
                    .all(|s| s.essential),
                "{kind}"
            );
        }
        let ask = plan(
            "request_info",
            &json!({"party": "respondent"}),
            Visibility::Respondent,
        );
        assert_eq!(ask.len(), 1);
        assert_eq!(ask[0].who, Who::Respondent);
    }
}
