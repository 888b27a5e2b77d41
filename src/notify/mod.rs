//! Email notifications. [`enqueue`] decides who hears about a case event and
//! writes their mail to the outbox inside the caller's transaction; the
//! delivery job ([`crate::jobs::delivery`]) sends it through the [`mailer`].
//! The case service hands over what it already read ([`MailCase`]): nothing
//! about the case is read again here.

pub mod admin;
pub mod mailer;
pub mod plan;
pub mod smtp;
pub mod templates;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::StoreError;
use crate::db::bulk::{self, BulkInsert, Col};
use crate::db::models::{CaseRow, RulingRow, UserRow, to_db_time};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::follow_up::ObligationPart;
use crate::domain::{CaseFacts, MailStatus, Priority, UserId};
use plan::{Who, plan};
use templates::{Detail, word};

/// Why the mail of an event could not be written to the outbox.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The outbox could not be written.
    #[error("mail could not be stored: {0}")]
    Store(#[from] StoreError),
    /// A template or its data is broken (a bug: templates are compiled in).
    #[error("mail could not be rendered: {0}")]
    Render(#[source] anyhow::Error),
}

impl From<anyhow::Error> for MailError {
    fn from(e: anyhow::Error) -> Self {
        MailError::Render(e)
    }
}

/// Someone who may get mail about a case.
#[derive(Debug, Clone)]
struct Recipient {
    user_id: Option<UserId>,
    email: String,
    name: String,
    language: String,
    muted: String,
    has_account: bool,
}

impl Recipient {
    fn user(u: &UserRow) -> Recipient {
        Recipient {
            user_id: Some(u.id),
            email: u.email.clone(),
            name: u.name.clone(),
            language: u.language.clone(),
            muted: u.muted.clone(),
            has_account: true,
        }
    }
}

/// How soon a first response is promised, by priority (until service
/// levels are configurable).
pub fn first_response(priority: Priority) -> Duration {
    match priority {
        Priority::Urgent => Duration::hours(2),
        Priority::High => Duration::hours(8),
        Priority::Normal => Duration::hours(24),
        Priority::Low => Duration::hours(72),
    }
}

/// How soon a first answer is promised on `case`: its category's setting,
/// else by its priority.
fn promised(case: &MailCase) -> Duration {
    case.category.first_response_hours.map_or_else(
        || first_response(case.row.priority),
        |h| Duration::hours(i64::from(h)),
    )
}

fn duration_words(lang: &str, d: Duration) -> anyhow::Result<String> {
    let (key, n) = if d.num_hours() >= 48 && d.num_hours() % 24 == 0 {
        ("durations.days", d.num_days())
    } else {
        ("durations.hours", d.num_hours())
    };
    templates::fill(lang, key, &json!({ "n": n }))
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn host_of(base: &str) -> String {
    let rest = base.split("://").nth(1).unwrap_or(base);
    let authority = rest.split('/').next().unwrap_or("");
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("");
    let usable = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if usable {
        host.to_string()
    } else {
        "ombud.local".into()
    }
}

/// What the mail of an event may tell about its case: what the case
/// service read for the action, after the change.
pub struct MailCase<'a> {
    /// The case as stored (reference, title, language, the respondent's name and address).
    pub row: &'a CaseRow,
    /// Its lifecycle facts after the change (people, appeal window).
    pub facts: &'a CaseFacts,
    /// The people it names, and the actor, by stored id.
    pub users: &'a HashMap<UserId, UserRow>,
    /// The ruling in force.
    pub ruling: Option<&'a RulingRow>,
    /// Its category (how soon a first answer is promised).
    pub category: &'a crate::db::models::CategoryRow,
    /// The leads mailed for a case waiting for a lead, when the use case
    /// already knows them (`db::setup::desk_leads`); read when needed otherwise.
    pub leads: Option<&'a [UserRow]>,
}

/// The people of a case, by their part in it.
struct Cast {
    complainant: Option<Recipient>,
    respondent: Option<Recipient>,
    mediator: Option<Recipient>,
}

fn cast(case: &MailCase) -> Cast {
    let find = |id: Option<UserId>| {
        id.and_then(|id| case.users.get(&id))
            .filter(|u| u.active)
            .map(Recipient::user)
    };
    let people = case.facts.people;
    let row = case.row;
    // The address the complainant gave is used only while the respondent has
    // no account; a deactivated account gets no mail at all.
    let respondent = match people.respondent {
        Some(id) => find(Some(id)),
        None => row.respondent_email.as_ref().map(|email| Recipient {
            user_id: None,
            email: email.clone(),
            name: row.respondent_name.clone(),
            language: row.language.clone(),
            muted: String::new(),
            has_account: false,
        }),
    };
    Cast {
        complainant: find(people.complainant),
        respondent,
        mediator: find(people.mediator),
    }
}

/// A sanction of a ruling, in words (`suspension for 7 days (note)`).
fn sanction_line(lang: &str, s: &Value) -> anyhow::Result<String> {
    let days = s.get("duration_days").cloned().unwrap_or(Value::Null);
    let w = templates::fill(
        lang,
        &format!("sanctions.{}", text(s, "kind")),
        &json!({ "days": days }),
    )?;
    Ok(match s.get("note").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => format!("{w} ({n})"),
        _ => w,
    })
}

/// A remedy of a ruling, in words (`refund: what (due 2026-12-15)`).
fn remedy_line(lang: &str, r: &Value) -> String {
    let due = text(r, "due_at").get(..10).unwrap_or_default().to_string();
    format!(
        "{}: {} ({} {due})",
        word(lang, &format!("remedies.{}", text(r, "kind"))),
        text(r, "description"),
        word(lang, "due")
    )
}

/// An obligation named by an event, in words.
fn obligation_line(
    lang: &str,
    part: ObligationPart,
    kind: &str,
    description: &str,
    days: Option<i64>,
    due: Option<DateTime<Utc>>,
) -> anyhow::Result<String> {
    Ok(match part {
        ObligationPart::Remedy => remedy_line(
            lang,
            &json!({"kind": kind, "description": description,
                    "due_at": due.map(|d| d.to_rfc3339()).unwrap_or_default()}),
        ),
        ObligationPart::Sanction => sanction_line(
            lang,
            &json!({"kind": kind, "duration_days": days, "note": description}),
        )?,
    })
}

fn ruling_details(lang: &str, case: &MailCase) -> Result<Vec<Detail>, MailError> {
    let d = |label, value: String| Detail { label, value };
    let enum_word = |group: &str, key: &str| word(lang, &format!("{group}.{key}"));
    let Some(r) = case.ruling else {
        return Err(MailError::Render(anyhow::anyhow!(
            "a ruling mail without a ruling"
        )));
    };
    let sanctions: Vec<Value> = serde_json::from_str(&r.sanctions).unwrap_or_default();
    let remedies: Vec<Value> = serde_json::from_str(&r.remedies).unwrap_or_default();
    let none = word(lang, "none");
    let lines = |items: Vec<String>| {
        if items.is_empty() {
            none.clone()
        } else {
            items.join("\n")
        }
    };
    let sanctions = sanctions
        .iter()
        .map(|s| sanction_line(lang, s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let remedies = remedies.iter().map(|r| remedy_line(lang, r)).collect();
    let cited: Vec<crate::domain::rulebook::CitedRule> =
        serde_json::from_str(&r.cited_rules).unwrap_or_default();
    let rules = cited
        .iter()
        .map(|c| format!("{} (v{}): {}", c.code, c.version, c.title_in(lang)))
        .collect();
    let mut out = vec![
        d("outcome", enum_word("outcomes", r.outcome.as_str())),
        d("rationale", r.rationale.clone()),
        d("rules", lines(rules)),
        d("sanctions", lines(sanctions)),
        d("remedies", lines(remedies)),
    ];
    match case.facts.appeal_deadline.filter(|_| r.appealable) {
        Some(deadline) => out.push(d("appeal_until", when(deadline))),
        None => out.push(d("appeal_until", word(lang, "not_appealable"))),
    }
    Ok(out)
}

/// The labelled details a mail about `event` carries, in `lang`.
fn details(lang: &str, case: &MailCase, event: &CaseEvent) -> Result<Vec<Detail>, MailError> {
    let d = |label, value: String| Detail { label, value };
    let enum_word = |group: &str, key: &str| word(lang, &format!("{group}.{key}"));
    Ok(match event {
        CaseEvent::InfoRequested {
            question, deadline, ..
        } => vec![
            d("question", question.clone()),
            d("deadline", when(*deadline)),
        ],
        CaseEvent::ServiceLevelWarning { deadline, .. } => vec![d("due_by", when(*deadline))],
        CaseEvent::ServiceLevelBreached {
            deadline, priority, ..
        } => {
            let mut out = vec![d("due_by", when(*deadline))];
            if let Some(p) = priority {
                out.push(d("priority", enum_word("priorities", p.as_str())));
            }
            out
        }
        CaseEvent::MessagePosted { body, .. } => vec![d("message", body.clone())],
        CaseEvent::EvidenceAdded {
            file_name,
            content_type,
            size,
            ..
        } => vec![d("file", format!("{file_name} ({content_type}, {size} B)"))],
        CaseEvent::SettlementProposed { terms } => vec![d("terms", terms.clone())],
        CaseEvent::SettlementAccepted {
            terms,
            settled: true,
            ..
        } => vec![d("terms", terms.clone())],
        CaseEvent::Appealed { grounds, .. } => vec![d("grounds", grounds.clone())],
        CaseEvent::Reopened { reason } => vec![d("reason", reason.clone())],
        CaseEvent::Withdrawn {
            note: Some(note), ..
        } if !note.is_empty() => {
            vec![d("reason", note.clone())]
        }
        CaseEvent::Dismissed { reason, detail } => vec![d(
            "reason",
            format!("{}: {detail}", enum_word("reasons", reason.as_str())),
        )],
        CaseEvent::AppealDecided {
            decision,
            rationale,
            outcome,
            ..
        } => {
            let mut out = vec![
                d("decision", enum_word("decisions", decision.as_str())),
                d("rationale", rationale.clone()),
            ];
            if let Some(o) = outcome {
                out.push(d("outcome", enum_word("outcomes", o.as_str())));
            }
            out
        }
        CaseEvent::RulingIssued { .. } | CaseEvent::RulingFromGroup { .. } => {
            ruling_details(lang, case)?
        }
        CaseEvent::ObligationResolved {
            part,
            obligation_kind: kind,
            description,
            duration_days,
            note,
            starts_at,
            ends_at,
            ..
        } => {
            let days = duration_days.map(i64::from);
            let mut out = vec![
                d(
                    "item",
                    obligation_line(lang, *part, kind, description, days, None)?,
                ),
                d("note", note.clone()),
            ];
            if let Some(start) = starts_at {
                out.push(d(
                    "in_force",
                    match ends_at {
                        Some(end) => format!("{} – {}", when(*start), when(*end)),
                        None => when(*start),
                    },
                ));
            }
            out
        }
        CaseEvent::ObligationOverdue {
            part,
            obligation_kind: kind,
            description,
            duration_days,
            due_at,
            ..
        } => vec![
            d(
                "item",
                obligation_line(
                    lang,
                    *part,
                    kind,
                    description,
                    duration_days.map(i64::from),
                    Some(*due_at),
                )?,
            ),
            d("deadline", when(*due_at)),
        ],
        _ => Vec::new(),
    })
}

/// The party an event names, if any.
fn party_of(event: &CaseEvent) -> Option<crate::domain::Party> {
    match event {
        CaseEvent::InfoRequested { party, .. }
        | CaseEvent::InfoProvided { party }
        | CaseEvent::InfoRequestLapsed { party, .. }
        | CaseEvent::SettlementAccepted { party, .. }
        | CaseEvent::SettlementRejected { party, .. }
        | CaseEvent::RulingAccepted { party, .. }
        | CaseEvent::Appealed { party, .. } => Some(*party),
        _ => None,
    }
}

/// Writes the mail `record` causes to the outbox, in the caller's transaction.
pub fn enqueue(
    conn: &mut DbConnection,
    settings: &Settings,
    case: &MailCase,
    record: &EventRecord,
) -> Result<usize, MailError> {
    let steps = plan(record);
    if steps.is_empty() {
        return Ok(0);
    }
    let people = cast(case);
    let (kind, _) = record.event.to_parts().map_err(anyhow::Error::from)?;
    let mut rows = Vec::new();
    let mut leads: Option<Vec<Recipient>> = None;
    for step in steps {
        let to_all: Vec<Recipient> = match step.who {
            Who::Complainant => people.complainant.iter().cloned().collect(),
            Who::Respondent => people.respondent.iter().cloned().collect(),
            Who::Mediator => people.mediator.iter().cloned().collect(),
            Who::Leads => match &leads {
                Some(l) => l.clone(),
                None => {
                    let l = desk_leads(conn, case)?;
                    leads = Some(l.clone());
                    l
                }
            },
        };
        for to in &to_all {
            rows.extend(mail_for(settings, case, record, &step, to, &kind)?);
        }
    }
    // One statement for all of them.
    insert_mails(conn, rows)
}

/// The desk's leads (`db::setup::desk_leads`, as the case knows them, or
/// read now) who
/// are not a party to this case (a party has only a party's view of it).
fn desk_leads(conn: &mut DbConnection, case: &MailCase) -> Result<Vec<Recipient>, MailError> {
    let parties = [case.facts.people.complainant, case.facts.people.respondent];
    let read;
    let rows = match case.leads {
        Some(rows) => rows,
        None => {
            read = crate::db::setup::desk_leads(conn)?;
            &read
        }
    };
    Ok(rows
        .iter()
        .filter(|u| !parties.contains(&Some(u.id)))
        .map(Recipient::user)
        .collect())
}

/// The outbox row of the mail of `step` to `to`, unless it is not for them.
fn mail_for(
    settings: &Settings,
    case: &MailCase,
    record: &EventRecord,
    step: &plan::Step,
    to: &Recipient,
    kind: &str,
) -> Result<Option<Value>, MailError> {
    let row = case.row;
    if step.skip_actor && to.user_id.is_some() && to.user_id == record.actor {
        return Ok(None);
    }
    // An address nobody has confirmed gets no case content: only the
    // notice of the complaint and news that needs no details, without
    // even the title.
    if !to.has_account && !plan::FOR_GUESTS.contains(&step.template) {
        return Ok(None);
    }
    if !step.essential && to.muted.split_whitespace().any(|m| m == step.category) {
        return Ok(None);
    }
    let author = record
        .actor
        .and_then(|id| case.users.get(&id))
        .map(|u| u.name.clone());
    let decision = match &record.event {
        CaseEvent::AppealDecided { decision, .. } => Some(decision.as_str()),
        _ => None,
    };
    let (reason, appeal) = match &record.event {
        CaseEvent::AwaitingAssignment { reason, appeal } => (Some(reason.as_str()), *appeal),
        // A reviewer is given an appeal to decide, not a case to investigate.
        CaseEvent::Assigned { .. } | CaseEvent::AutoAssigned { .. } => {
            (None, case.facts.state == crate::domain::CaseState::Appeal)
        }
        _ => (None, false),
    };
    let (target, raised) = match &record.event {
        CaseEvent::ServiceLevelWarning { target, .. } => (Some(*target), None),
        CaseEvent::ServiceLevelBreached {
            target, priority, ..
        } => (Some(*target), *priority),
        _ => (None, None),
    };
    let lang = templates::language_for(&to.language);
    let party = party_of(&record.event).map(|p| word(lang, &format!("parties.{}", p.as_str())));
    let vars = json!({
        "name": to.name,
        "email": to.email,
        "has_account": to.has_account,
        "reference": row.reference,
        "title": if to.has_account { row.title.as_str() } else { "" },
        "first_response": duration_words(lang, promised(case))?,
        // Outside the desk's working hours, the acknowledgement says when it opens.
        "desk_opens": (step.template == "acknowledgement")
            .then(|| settings.desk_schedule().ok())
            .flatten()
            .and_then(|s| s.next_opening(record.at).map(|t| s.local(t))),
        "party": party.unwrap_or_default(),
        "author": author.unwrap_or_default(),
        "appealable": case.facts.ruling_appealable,
        "appeal_until": case.facts.appeal_deadline.map(when).unwrap_or_default(),
        "decision": decision.map(|d| word(lang, &format!("decisions.{d}"))),
        "reason": reason.map(|r| word(lang, &format!("desk_reasons.{r}"))),
        "appeal": appeal,
        // A final request for information, and a withdrawal for silence.
        "final": matches!(record.event, CaseEvent::InfoRequested { last: true, .. }),
        "silent": matches!(record.event, CaseEvent::Withdrawn { silent: true, .. }),
        // A service level's target, and the priority a breach raised the case to.
        "target": target.map(|t| word(lang, &format!("targets.{}", t.as_str()))),
        "raised": raised.map(|p| word(lang, &format!("priorities.{}", p.as_str()))),
        // Leads are mailed as the desk, not as people taking part.
        "desk": step.who == Who::Leads,
        // A guest cannot open the case (yet), so gets no link to it.
        "link": to.has_account.then(|| settings.case_url(&row.id.to_db(), &row.reference)),
        // A closed case asks its parties to rate the handling.
        "feedback": (step.template == "closed" && to.has_account)
            .then(|| format!("{}/api/v1/cases/{}/feedback", settings.base_url(), row.id.to_db())),
    });
    let details = details(lang, case, &record.event)?;
    let mail = templates::render(step.template, lang, &vars, &details)?;
    let about = Envelope {
        case_id: Some(row.id),
        event: kind,
        template: step.template,
        essential: step.essential,
        at: record.at,
    };
    Ok(Some(mail_row(settings, &about, to, lang, mail)))
}

/// What a mail is about, for its outbox row.
pub struct Envelope<'a> {
    /// The case, if it is about one.
    pub case_id: Option<crate::domain::CaseId>,
    /// The event (timeline kind) that caused it.
    pub event: &'a str,
    /// The template it was written from.
    pub template: &'a str,
    /// Whether it is essential.
    pub essential: bool,
    /// When it was written (and is first due).
    pub at: DateTime<Utc>,
}

/// The outbox's columns a new mail sets (the rest start `NULL`).
static OUTBOX: BulkInsert = BulkInsert::new(
    "outbox",
    &[
        ("id", Col::Text),
        ("case_id", Col::Text),
        ("event", Col::Text),
        ("template", Col::Text),
        ("essential", Col::Bool),
        ("recipient_user_id", Col::Text),
        ("recipient_email", Col::Text),
        ("recipient_name", Col::Text),
        ("language", Col::Text),
        ("subject", Col::Text),
        ("body_text", Col::Text),
        ("body_html", Col::Text),
        ("message_id", Col::Text),
        ("status", Col::Text),
        ("attempts", Col::Int),
        ("next_attempt_at", Col::Time),
        ("created_at", Col::Time),
        ("updated_at", Col::Time),
    ],
);

/// One rendered mail's outbox row, due at once.
fn mail_row(
    settings: &Settings,
    about: &Envelope,
    to: &Recipient,
    lang: &str,
    mail: templates::Rendered,
) -> Value {
    let id = uuid::Uuid::now_v7().hyphenated().to_string();
    let now = bulk::time(to_db_time(about.at));
    json!({
        "message_id": format!("<{id}@{}>", host_of(&settings.base_url())),
        "id": id,
        "case_id": about.case_id.map(|c| c.to_db()),
        "event": about.event,
        "template": about.template,
        "essential": about.essential,
        "recipient_user_id": to.user_id.map(|u| u.to_db()),
        "recipient_email": to.email,
        "recipient_name": to.name,
        "language": lang,
        "subject": mail.subject,
        "body_text": mail.text,
        "body_html": mail.html,
        "status": MailStatus::Pending.as_str(),
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    })
}

/// Writes rendered mails (outbox rows from [`mail_row`]) in one statement,
/// and wakes this process's delivery worker when the transaction commits.
fn insert_mails(conn: &mut DbConnection, rows: Vec<Value>) -> Result<usize, MailError> {
    let written = OUTBOX.execute(conn, rows).map_err(StoreError::from)?;
    if written > 0 {
        crate::db::signal::mail_written();
    }
    Ok(written)
}

/// One case in a lead's digest.
#[derive(Debug, Clone)]
pub struct DigestLine {
    /// Its reference.
    pub reference: String,
    /// Its priority.
    pub priority: Priority,
    /// Its title.
    pub title: String,
}

/// Writes a lead's digest of the cases waiting for a lead (`count` in
/// all, the most urgent in `lines`) to the outbox.
pub fn enqueue_digest(
    conn: &mut DbConnection,
    settings: &Settings,
    lead: &UserRow,
    count: i64,
    lines: &[DigestLine],
    at: DateTime<Utc>,
) -> Result<(), MailError> {
    let to = Recipient::user(lead);
    let lang = templates::language_for(&to.language);
    let list = lines
        .iter()
        .map(|l| {
            let priority = word(lang, &format!("priorities.{}", l.priority.as_str()));
            format!("{} [{priority}] {}", l.reference, l.title)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let vars = json!({"name": to.name, "email": to.email, "has_account": true, "desk": true,
                      "count": count, "reference": "", "link": null});
    let details = [templates::Detail {
        label: "cases",
        value: list,
    }];
    let mail = templates::render("desk_digest", lang, &vars, &details)?;
    let about = Envelope {
        case_id: None,
        event: "desk_digest",
        template: "desk_digest",
        essential: true,
        at,
    };
    insert_mails(conn, vec![mail_row(settings, &about, &to, lang, mail)])?;
    Ok(())
}

/// A webhook endpoint disabled for failing, as its owner is told.
#[derive(Debug)]
pub struct DisabledWebhook<'a> {
    /// The endpoint's id.
    pub id: uuid::Uuid,
    /// Its URL.
    pub url: &'a str,
    /// Since when every attempt failed.
    pub since: DateTime<Utc>,
    /// The last attempt's error.
    pub error: &'a str,
}

/// Tells `owner` (the admin who registered it) that `hook` was disabled.
pub fn enqueue_webhook_disabled(
    conn: &mut DbConnection,
    settings: &Settings,
    owner: &UserRow,
    hook: &DisabledWebhook,
    at: DateTime<Utc>,
) -> Result<(), MailError> {
    let to = Recipient::user(owner);
    let lang = templates::language_for(&to.language);
    let vars = json!({"name": to.name, "email": to.email, "has_account": true, "admin": true,
                      "reference": "", "link": null, "url": hook.url, "webhook_id": hook.id,
                      "hours": settings.webhook_disable_after_hours,
                      "since": hook.since.format("%Y-%m-%d %H:%M UTC").to_string(),
                      "error": hook.error});
    let mail = templates::render("webhook_disabled", lang, &vars, &[])?;
    let about = Envelope {
        case_id: None,
        event: "webhook_disabled",
        template: "webhook_disabled",
        essential: true,
        at,
    };
    insert_mails(conn, vec![mail_row(settings, &about, &to, lang, mail)])?;
    Ok(())
}
