//! Email notifications. [`enqueue`] decides who hears about a case event and
//! writes their mail to the outbox inside the caller's transaction; the
//! delivery job ([`crate::jobs::delivery`]) sends it through the [`mailer`].

pub mod mailer;
pub mod plan;
pub mod templates;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{CaseRow, OutboxRow, RulingRow, UserRow, to_db_time};
use crate::db::schema::{cases, messages, outbox, rulings, users};
use crate::domain::Priority;
use crate::error::{ApiError, ApiResult};
use crate::events::CaseEvent;
use plan::{Who, plan};
use templates::{Detail, word};

/// Outbox states.
pub mod status {
    /// Waiting for its next attempt.
    pub const PENDING: &str = "pending";
    /// Claimed by a worker (until its lease ends).
    pub const SENDING: &str = "sending";
    /// Accepted by the mail server (or written to the mail folder).
    pub const SENT: &str = "sent";
    /// Given up: a permanent failure, or too many temporary ones.
    pub const FAILED: &str = "failed";
    /// Every state.
    pub const ALL: [&str; 4] = [PENDING, SENDING, SENT, FAILED];
}

/// Someone who may get mail about a case.
#[derive(Debug, Clone)]
struct Recipient {
    user_id: Option<String>,
    email: String,
    name: String,
    language: String,
    muted: String,
    has_account: bool,
}

impl Recipient {
    fn user(u: &UserRow) -> Recipient {
        Recipient {
            user_id: Some(u.id.clone()),
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

fn duration_words(lang: &str, d: Duration) -> anyhow::Result<String> {
    let (key, n) = if d.num_hours() >= 48 && d.num_hours() % 24 == 0 {
        ("durations.days", d.num_days())
    } else {
        ("durations.hours", d.num_hours())
    };
    templates::fill(&word(lang, key), &json!({ "n": n }))
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

/// The people of a case, by their part in it.
struct Cast {
    complainant: Option<Recipient>,
    respondent: Option<Recipient>,
    mediator: Option<Recipient>,
}

fn cast(conn: &mut DbConnection, row: &CaseRow) -> ApiResult<Cast> {
    let ids: Vec<String> = [
        Some(row.complainant_id.clone()),
        row.respondent_id.clone(),
        row.assigned_mediator_id.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let people: Vec<UserRow> = users::table.filter(users::id.eq_any(ids)).load(conn)?;
    let find = |id: Option<&String>| {
        id.and_then(|id| people.iter().find(|u| &u.id == id && u.active))
            .map(Recipient::user)
    };
    // The address the complainant gave is used only while the respondent has
    // no account; a deactivated account gets no mail at all.
    let respondent = match &row.respondent_id {
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
    Ok(Cast {
        complainant: find(Some(&row.complainant_id)),
        respondent,
        mediator: find(row.assigned_mediator_id.as_ref()),
    })
}

/// The labelled details a mail of `template` carries, in `lang`.
fn details(
    conn: &mut DbConnection,
    template: &str,
    lang: &str,
    row: &CaseRow,
    data: &Value,
) -> ApiResult<Vec<Detail>> {
    let d = |label, value: String| Detail { label, value };
    let enum_word = |group: &str, key: &str| word(lang, &format!("{group}.{key}"));
    Ok(match template {
        "info_requested" => {
            let deadline = data
                .get("deadline")
                .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
                .map(when)
                .unwrap_or_default();
            vec![
                d("question", text(data, "question")),
                d("deadline", deadline),
            ]
        }
        "new_message" => {
            let body: Option<String> = messages::table
                .find(text(data, "message_id"))
                .select(messages::body)
                .first(conn)
                .optional()?;
            vec![d("message", body.unwrap_or_default())]
        }
        "settlement_proposed" | "settled" => vec![d("terms", text(data, "terms"))],
        "appeal_filed" => vec![d("grounds", text(data, "grounds"))],
        "reopened" => vec![d("reason", text(data, "reason"))],
        "withdrawn" if !text(data, "note").is_empty() => vec![d("reason", text(data, "note"))],
        "dismissed" => vec![d(
            "reason",
            format!(
                "{}: {}",
                enum_word("reasons", &text(data, "reason")),
                text(data, "detail")
            ),
        )],
        "appeal_decided" => {
            let mut out = vec![
                d("decision", enum_word("decisions", &text(data, "decision"))),
                d("rationale", text(data, "rationale")),
            ];
            if let Some(o) = data.get("outcome").and_then(Value::as_str) {
                out.push(d("outcome", enum_word("outcomes", o)));
            }
            out
        }
        "ruling_issued" => {
            let r: RulingRow = rulings::table
                .filter(rulings::case_id.eq(&row.id))
                .order((rulings::created_at.desc(), rulings::id.desc()))
                .first(conn)?;
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
                .map(|s| {
                    let days = s.get("duration_days").cloned().unwrap_or(Value::Null);
                    templates::fill(
                        &enum_word("sanctions", &text(s, "kind")),
                        &json!({ "days": days }),
                    )
                    .map(|w| match s.get("note").and_then(Value::as_str) {
                        Some(n) => format!("{w} ({n})"),
                        None => w,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let remedies = remedies
                .iter()
                .map(|r| {
                    let due = text(r, "due_at").get(..10).unwrap_or_default().to_string();
                    format!(
                        "{}: {} ({} {due})",
                        enum_word("remedies", &text(r, "kind")),
                        text(r, "description"),
                        word(lang, "due")
                    )
                })
                .collect();
            let mut out = vec![
                d("outcome", enum_word("outcomes", &r.outcome)),
                d("rationale", r.rationale),
                d("sanctions", lines(sanctions)),
                d("remedies", lines(remedies)),
            ];
            match row.appeal_deadline.filter(|_| r.appealable) {
                Some(deadline) => out.push(d("appeal_until", when(deadline.and_utc()))),
                None => out.push(d("appeal_until", word(lang, "not_appealable"))),
            }
            out
        }
        _ => Vec::new(),
    })
}

/// Writes the mail `event` causes to the outbox, in the caller's transaction.
pub fn enqueue(
    conn: &mut DbConnection,
    settings: &Settings,
    event: &CaseEvent,
) -> ApiResult<usize> {
    let row: CaseRow = cases::table.find(event.case_id.to_db()).first(conn)?;
    let steps = plan(&event.kind, &event.data, event.visibility);
    if steps.is_empty() {
        return Ok(0);
    }
    let people = cast(conn, &row)?;
    let actor = event.actor.map(|a| a.to_db());
    let author: Option<String> = match &actor {
        Some(id) => users::table
            .find(id)
            .select(users::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let priority: Priority = row
        .priority
        .parse()
        .map_err(|e: String| anyhow::anyhow!(e))?;
    let appeal_until = row
        .appeal_deadline
        .map(|t| when(t.and_utc()))
        .unwrap_or_default();
    let mut written = 0;
    for step in steps {
        let who = match step.who {
            Who::Complainant => &people.complainant,
            Who::Respondent => &people.respondent,
            Who::Mediator => &people.mediator,
        };
        let Some(to) = who else { continue };
        if step.skip_actor && to.user_id.is_some() && to.user_id == actor {
            continue;
        }
        // An address nobody has confirmed gets no case content: only the
        // notice of the complaint and news that needs no details.
        if !to.has_account && !plan::FOR_GUESTS.contains(&step.template) {
            continue;
        }
        if !step.essential && to.muted.split_whitespace().any(|m| m == step.category) {
            continue;
        }
        let lang = templates::language_for(&to.language);
        let party = data_party(&event.data).map(|p| word(lang, &format!("parties.{p}")));
        let vars = json!({
            "name": to.name,
            "email": to.email,
            "has_account": to.has_account,
            "reference": row.reference,
            "title": row.title,
            "first_response": duration_words(lang, first_response(priority))?,
            "party": party.unwrap_or_default(),
            "author": author.clone().unwrap_or_default(),
            "appealable": row.ruling_appealable,
            "appeal_until": appeal_until,
            "decision": word(lang, &format!("decisions.{}", text(&event.data, "decision"))),
            "link": settings.case_url(&row.id, &row.reference),
        });
        let details = details(conn, step.template, lang, &row, &event.data)?;
        let mail = templates::render(step.template, lang, &vars, &details)?;
        let id = uuid::Uuid::now_v7().hyphenated().to_string();
        let now = to_db_time(event.at);
        diesel::insert_into(outbox::table)
            .values(OutboxRow {
                message_id: format!("<{id}@{}>", host_of(&settings.base_url())),
                id,
                case_id: Some(row.id.clone()),
                event: event.kind.clone(),
                template: step.template.into(),
                essential: step.essential,
                recipient_user_id: to.user_id.clone(),
                recipient_email: to.email.clone(),
                recipient_name: to.name.clone(),
                language: lang.into(),
                subject: mail.subject,
                body_text: mail.text,
                body_html: mail.html,
                status: status::PENDING.into(),
                attempts: 0,
                next_attempt_at: now,
                locked_until: None,
                locked_by: None,
                last_error: None,
                created_at: now,
                sent_at: None,
                updated_at: now,
            })
            .execute(conn)
            .map_err(ApiError::from)?;
        written += 1;
    }
    Ok(written)
}

fn data_party(data: &Value) -> Option<&str> {
    data.get("party").and_then(Value::as_str)
}
