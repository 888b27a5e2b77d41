//! Erasing a person: their identity replaced by a pseudonym everywhere it
//! is stored, what they wrote and uploaded removed from every closed case
//! they are in (from an open case when it closes: the other party and the
//! mediator still need it), their tokens revoked and mail to them stopped,
//! and each case they were in keeping its shape for the other party and
//! for statistics, with an entry that records the erasure without the
//! erased data. See docs/security.md.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::context::{CaseContext, hold};
use crate::cases::record::record;
use crate::cases::seal;
use crate::db::DbConnection;
use crate::db::models::{TimelineRow, UserRow, to_db_time};
use crate::db::schema::{
    api_tokens, appeals, case_feedback, cases, erasure_pending, evidence, idempotency_keys,
    messages, outbox, outbox_attempts, timeline_events, users,
};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::{Actor, CaseId, CaseState, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// What replaces a removed text.
pub const REMOVED: &str = "[removed: its author's personal data was erased]";

/// The outcome of an erasure.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "user_id": "0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c", "pseudonym": "Erased user 7f4e7a21",
    "erased_at": "2026-12-06T10:00:00Z", "cases": 3, "cases_kept_until_closed": 1,
    "messages_removed": 12, "files_removed": 2
}))]
pub struct Erasure {
    /// The person (the account stays, disabled, under the pseudonym).
    pub user_id: uuid::Uuid,
    /// What they are called everywhere from now on.
    pub pseudonym: String,
    /// When.
    pub erased_at: DateTime<Utc>,
    /// The cases they were in (party, author, uploader or mediator).
    pub cases: usize,
    /// Of those, the open ones whose messages and files by them stay (under
    /// the pseudonym) until the case closes.
    pub cases_kept_until_closed: usize,
    /// Messages of theirs removed now.
    pub messages_removed: usize,
    /// Files of theirs removed now.
    pub files_removed: usize,
}

fn is_closed(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::Closed | CaseState::Withdrawn | CaseState::Dismissed
    )
}

/// Replaces a person's name and email address (or their removed words) in
/// stored text, in each form the text may hold them in (as written, inside
/// JSON, as the mail templates escape HTML), longest first, and only where
/// they stand alone: not inside a longer word or address (`bob@x.org` in
/// `jimbob@x.org`, `Ann Lee` in `Ann Leeds`).
struct Swap(Vec<(String, String)>);

impl Swap {
    /// Replacements of texts of at least `shortest` characters (a shorter
    /// one would match too much).
    fn new(pairs: &[(&str, &str)], shortest: usize) -> Swap {
        let mut all: Vec<(String, String)> = Vec::new();
        for (old, new) in pairs {
            if old.chars().count() < shortest {
                continue;
            }
            let json = |s: &str| {
                let q = serde_json::to_string(s).unwrap_or_default();
                q.get(1..q.len().saturating_sub(1))
                    .unwrap_or_default()
                    .to_string()
            };
            let html = |s: &str| minijinja::HtmlEscape(s).to_string();
            for (o, n) in [
                (old.to_string(), new.to_string()),
                (json(old), json(new)),
                (html(old), html(new)),
            ] {
                if !o.is_empty() && !all.iter().any(|(a, _)| *a == o) {
                    all.push((o, n));
                }
            }
        }
        all.sort_by_key(|(o, _)| std::cmp::Reverse(o.len()));
        Swap(all)
    }

    /// The text with every replacement made, if any was.
    fn apply(&self, text: &str) -> Option<String> {
        let mut out = text.to_string();
        for (old, new) in &self.0 {
            out = replace_alone(&out, old, new);
        }
        (out != text).then_some(out)
    }

    /// A JSON text with the replacements made inside its strings only (its
    /// shape cannot change); `None` if nothing changed or it is not JSON.
    fn apply_json(&self, text: &str) -> Option<String> {
        fn walk(swap: &Swap, v: &mut serde_json::Value, changed: &mut bool) {
            match v {
                serde_json::Value::String(s) => {
                    if let Some(new) = swap.apply(s) {
                        *s = new;
                        *changed = true;
                    }
                }
                serde_json::Value::Array(items) => {
                    items.iter_mut().for_each(|i| walk(swap, i, changed))
                }
                serde_json::Value::Object(map) => {
                    map.values_mut().for_each(|i| walk(swap, i, changed))
                }
                _ => {}
            }
        }
        let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
        let mut changed = false;
        walk(self, &mut value, &mut changed);
        changed.then(|| value.to_string())
    }
}

/// Whether `c` continues a word or an address.
fn joins(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '@' | '_' | '+' | '-')
}

/// `text` with each occurrence of `old` that stands alone replaced.
fn replace_alone(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(old) {
        let (before, after) = (&rest[..at], &rest[at + old.len()..]);
        let prev = before.chars().next_back().or(out.chars().next_back());
        let mut next = after.chars();
        let alone_before = prev.is_none_or(|c| !joins(c) && c != '.');
        let alone_after = match next.next() {
            None => true,
            // A full stop ends a sentence unless a word goes on after it.
            Some('.') => next.next().is_none_or(|c| !c.is_alphanumeric()),
            Some(c) => !joins(c),
        };
        out.push_str(before);
        out.push_str(if alone_before && alone_after {
            new
        } else {
            old
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Who may erase: admins, not themselves (an admin cannot lock themself
/// out this way; another admin erases them).
pub fn may_erase(by: &crate::accounts::Caller, whose: UserId) -> ApiResult<()> {
    by.require_admin()?;
    if by.user_id == whose {
        return Err(ApiError::Forbidden(
            "an admin cannot erase their own account; another admin can".into(),
        ));
    }
    Ok(())
}

/// Erases user `whose` on behalf of admin `by`, in the caller's
/// transaction. Returns what was done and the content (by SHA-256) of the
/// files removed, for the caller to delete from the store once committed
/// (content still used by another file stays).
pub fn erase(
    conn: &mut DbConnection,
    env: &Env,
    by: &Actor,
    whose: UserId,
) -> ApiResult<(Erasure, Vec<String>)> {
    let user: UserRow = users::table
        .find(whose)
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound("user"))?;
    if user.erased_at.is_some() {
        return Err(ApiError::InvalidTransition(
            "this person's data was already erased".into(),
        ));
    }
    let mediating: i64 = cases::table
        .filter(cases::assigned_mediator_id.eq(whose))
        .filter(cases::state.ne_all(["closed", "withdrawn", "dismissed"]))
        .count()
        .get_result(conn)?;
    if mediating > 0 {
        return Err(ApiError::InvalidTransition(format!(
            "they mediate {mediating} open case(s): hand them over first"
        )));
    }
    let short = whose.0.simple().to_string();
    let pseudonym = format!("Erased user {}", &short[..8]);
    let pseudo_email = format!("erased-{short}@erased.invalid");
    let now = env.now;
    let at = to_db_time(now);

    // The account: disabled, under the pseudonym, no way back in.
    diesel::update(users::table.find(whose))
        .set((
            users::name.eq(&pseudonym),
            users::email.eq(&pseudo_email),
            users::password_hash.eq(None::<String>),
            users::active.eq(false),
            users::muted.eq(""),
            users::updated_at.eq(at),
            users::erased_at.eq(Some(at)),
        ))
        .execute(conn)?;
    diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(whose))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(at)))
    .execute(conn)?;
    // The answers kept for replays: theirs go; others' (a case view that
    // names them) keep their shape with the pseudonym.
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::user_id.eq(whose)))
        .execute(conn)?;
    let names = [
        (user.name.as_str(), pseudonym.as_str()),
        (user.email.as_str(), pseudo_email.as_str()),
    ];
    let swap = Swap::new(&names, 3);
    for (old, _) in names.iter().filter(|(old, _)| old.chars().count() >= 3) {
        let escaped = old.replace('!', "!!").replace('%', "!%").replace('_', "!_");
        let kept: Vec<(String, String, String)> = idempotency_keys::table
            .filter(
                idempotency_keys::body
                    .like(format!("%{escaped}%"))
                    .escape('!'),
            )
            .select((
                idempotency_keys::user_id,
                idempotency_keys::idem_key,
                idempotency_keys::body,
            ))
            .load(conn)?;
        for (owner, key, body) in kept {
            if let Some(body) = swap.apply_json(&body) {
                diesel::update(idempotency_keys::table.find((owner, key)))
                    .set(idempotency_keys::body.eq(body))
                    .execute(conn)?;
            }
        }
    }
    // Mail to them: what is waiting is not sent; what was sent keeps its
    // record (when, whether it arrived) but not its text or address.
    let to_them = outbox::recipient_user_id
        .eq(whose)
        .or(outbox::recipient_email.eq(user.email.clone()));
    // The servers' replies about mail to them may quote their address.
    let theirs: Vec<String> = outbox::table
        .filter(to_them.clone())
        .select(outbox::id)
        .load(conn)?;
    for chunk in theirs.chunks(500) {
        diesel::update(outbox_attempts::table.filter(outbox_attempts::outbox_id.eq_any(chunk)))
            .set(outbox_attempts::detail.eq(""))
            .execute(conn)?;
    }
    diesel::update(
        outbox::table
            .filter(to_them.clone())
            .filter(outbox::status.eq("pending")),
    )
    .set((
        outbox::status.eq("failed"),
        outbox::last_error.eq(Some("the recipient's data was erased")),
    ))
    .execute(conn)?;
    diesel::update(outbox::table.filter(to_them))
        .set((
            outbox::recipient_email.eq(&pseudo_email),
            outbox::recipient_name.eq(&pseudonym),
            outbox::subject.eq(REMOVED),
            outbox::body_text.eq(REMOVED),
            outbox::body_html.eq(REMOVED),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;

    // Every case they are in.
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let party: Vec<String> = cases::table
        .filter(
            cases::complainant_id
                .eq(whose)
                .or(cases::respondent_id.eq(whose))
                .or(cases::respondent_email.eq(&user.email))
                .or(cases::ruling_mediator_id.eq(whose))
                .or(cases::assigned_mediator_id.eq(whose)),
        )
        .select(cases::id)
        .load(conn)?;
    ids.extend(party);
    let wrote: Vec<CaseId> = messages::table
        .filter(messages::author_id.eq(whose))
        .select(messages::case_id)
        .distinct()
        .load(conn)?;
    ids.extend(wrote.iter().map(|c| c.to_db()));
    let uploaded: Vec<CaseId> = evidence::table
        .filter(evidence::uploaded_by.eq(whose))
        .select(evidence::case_id)
        .distinct()
        .load(conn)?;
    ids.extend(uploaded.iter().map(|c| c.to_db()));
    if user.role.is_staff() {
        // Assignments name the mediator in their data (a scan of those
        // entries: erasing staff is rare).
        let named: Vec<CaseId> = timeline_events::table
            .filter(timeline_events::kind.eq_any(["assign", "auto_assign", "claim"]))
            .filter(timeline_events::data.like(format!("%{}%", whose.to_db())))
            .select(timeline_events::case_id)
            .distinct()
            .load(conn)?;
        ids.extend(named.iter().map(|c| c.to_db()));
    }

    let mut erasure = Erasure {
        user_id: whose.0,
        pseudonym: pseudonym.clone(),
        erased_at: now,
        cases: ids.len(),
        cases_kept_until_closed: 0,
        messages_removed: 0,
        files_removed: 0,
    };
    let mut contents = Vec::new();
    for id in ids {
        let Ok(uuid) = id.parse::<uuid::Uuid>() else {
            continue;
        };
        let id = CaseId(uuid);
        hold(conn, id)?;
        let mut rewritten = pseudonymise_case(conn, id, whose, &user.email, &pseudonym, &names)?;
        let ctx = CaseContext::load(conn, id, by, env)?.ok_or(ApiError::NotFound("case"))?;
        let closed = is_closed(ctx.facts.state);
        if closed {
            let removed = remove_their_words(conn, id, whose, now)?;
            erasure.messages_removed += removed.messages;
            erasure.files_removed += removed.contents.len();
            contents.extend(removed.contents);
            rewritten.extend(removed.entries);
        } else {
            erasure.cases_kept_until_closed += 1;
            diesel::insert_into(erasure_pending::table)
                .values((
                    erasure_pending::case_id.eq(id.to_db()),
                    erasure_pending::user_id.eq(whose.to_db()),
                ))
                .execute(conn)?;
        }
        crate::cases::search::reindex_case(conn, id)?;
        rewritten.sort_unstable();
        rewritten.dedup();
        let erased = EventRecord {
            case_id: id,
            actor: by.user,
            at: now,
            transition: None,
            event: CaseEvent::PersonalDataErased {
                user_id: whose,
                redacted_entries: rewritten,
                removed_their_words: closed,
            },
        };
        record(conn, &env.settings, &ctx, &erased)?;
    }
    Ok((erasure, contents))
}

/// Puts the pseudonym in place of the person's name and address on case
/// `id`: its respondent's contact, the texts of others that name them, its
/// timeline's data, the mail sent about it, its webhook deliveries.
/// Returns the timeline entries rewritten.
fn pseudonymise_case(
    conn: &mut DbConnection,
    id: CaseId,
    whose: UserId,
    email: &str,
    pseudonym: &str,
    names: &[(&str, &str)],
) -> ApiResult<Vec<i64>> {
    let key = id.to_db();
    // The name the complainant gave the respondent (kept as typed, which
    // may differ from the account's) goes too, on this case.
    let typed: Option<String> = cases::table
        .find(&key)
        .filter(
            cases::respondent_id
                .eq(whose)
                .or(cases::respondent_email.eq(email)),
        )
        .select(cases::respondent_name)
        .first(conn)
        .optional()?;
    let mut pairs = names.to_vec();
    if let Some(typed) = &typed {
        pairs.push((typed.as_str(), pseudonym));
    }
    let swap = &Swap::new(&pairs, 3);
    diesel::update(
        cases::table.find(&key).filter(
            cases::respondent_id
                .eq(whose)
                .or(cases::respondent_email.eq(email)),
        ),
    )
    .set((
        cases::respondent_name.eq(pseudonym),
        cases::respondent_email.eq(None::<String>),
    ))
    .execute(conn)?;
    let (title, description, terms): (String, String, Option<String>) = cases::table
        .find(&key)
        .select((cases::title, cases::description, cases::settlement_terms))
        .first(conn)?;
    let (t, d) = (swap.apply(&title), swap.apply(&description));
    let terms = terms.as_deref().and_then(|s| swap.apply(s));
    if t.is_some() || d.is_some() || terms.is_some() {
        diesel::update(cases::table.find(&key))
            .set((
                cases::title.eq(t.unwrap_or(title)),
                cases::description.eq(d.unwrap_or(description)),
            ))
            .execute(conn)?;
        if let Some(terms) = terms {
            diesel::update(cases::table.find(&key))
                .set(cases::settlement_terms.eq(Some(terms)))
                .execute(conn)?;
        }
    }
    let texts: Vec<(crate::domain::MessageId, String)> = messages::table
        .filter(messages::case_id.eq(id))
        .select((messages::id, messages::body))
        .load(conn)?;
    for (message, body) in texts {
        if let Some(body) = swap.apply(&body) {
            diesel::update(messages::table.find(message))
                .set(messages::body.eq(body))
                .execute(conn)?;
        }
    }
    let files: Vec<(crate::domain::EvidenceId, String)> = evidence::table
        .filter(evidence::case_id.eq(id))
        .select((evidence::id, evidence::description))
        .load(conn)?;
    for (file, description) in files {
        if let Some(description) = swap.apply(&description) {
            diesel::update(evidence::table.find(file))
                .set(evidence::description.eq(description))
                .execute(conn)?;
        }
    }
    swap_in_texts(conn, id, swap)?;
    swap_in_records(conn, id, swap, Some((whose, pseudonym)))
}

/// The free-text columns of a case's other records, by table: (table,
/// the column that tells rows apart, the text column).
const TEXTS: [(&str, &str, &str); 7] = [
    ("rulings", "id", "rationale"),
    ("appeals", "id", "grounds"),
    ("appeals", "id", "decision_rationale"),
    ("obligations", "id", "description"),
    ("obligations", "id", "note"),
    ("case_feedback", "party", "comment"),
    ("case_links", "linked_id", "note"),
];

/// Makes `swap`'s replacements in case `id`'s rulings, appeals,
/// obligations, feedback and link notes.
fn swap_in_texts(conn: &mut DbConnection, id: CaseId, swap: &Swap) -> ApiResult<()> {
    use diesel::sql_types::{Nullable, Text};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        which: String,
        #[diesel(sql_type = Nullable<Text>)]
        words: Option<String>,
    }
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let (p1, p2) = if pg { ("$1", "$2") } else { ("?", "?") };
    for (table, row, column) in TEXTS {
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT {row} AS which, {column} AS words FROM {table} WHERE case_id = {p1}"
        ))
        .bind::<Text, _>(id.to_db())
        .load(conn)?;
        for r in rows {
            let Some(text) = r.words.as_deref().and_then(|t| swap.apply(t)) else {
                continue;
            };
            diesel::sql_query(format!(
                "UPDATE {table} SET {column} = {p1} WHERE case_id = {p2} AND {row} = {p3}",
                p3 = if pg { "$3" } else { "?" }
            ))
            .bind::<Text, _>(text)
            .bind::<Text, _>(id.to_db())
            .bind::<Text, _>(r.which)
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Makes `swap`'s replacements in what was sent and recorded about case
/// `id`: its mail, its webhook deliveries, its timeline's data (and, with
/// `mediator`, puts their new name in the assignments that name them).
/// Returns the timeline entries rewritten.
fn swap_in_records(
    conn: &mut DbConnection,
    id: CaseId,
    swap: &Swap,
    mediator: Option<(UserId, &str)>,
) -> ApiResult<Vec<i64>> {
    let mails: Vec<(String, String, String, String)> = outbox::table
        .filter(outbox::case_id.eq(id))
        .select((
            outbox::id,
            outbox::subject,
            outbox::body_text,
            outbox::body_html,
        ))
        .load(conn)?;
    for (mail, subject, text, html) in mails {
        let (s, t, h) = (swap.apply(&subject), swap.apply(&text), swap.apply(&html));
        if s.is_some() || t.is_some() || h.is_some() {
            diesel::update(outbox::table.find(mail))
                .set((
                    outbox::subject.eq(s.unwrap_or(subject)),
                    outbox::body_text.eq(t.unwrap_or(text)),
                    outbox::body_html.eq(h.unwrap_or(html)),
                ))
                .execute(conn)?;
        }
    }
    super::rewrite_records(conn, id, |json| {
        // A mediator named in an assignment, by their id (then the rest).
        if let Some((whose, pseudonym)) = mediator {
            let mut data: serde_json::Value = serde_json::from_str(json).ok()?;
            if data["mediator_id"].as_str() == Some(whose.to_db().as_str())
                && data.get("mediator_name").is_some_and(|n| n != pseudonym)
            {
                data["mediator_name"] = pseudonym.into();
                let text = data.to_string();
                return Some(swap.apply_json(&text).unwrap_or(text));
            }
        }
        swap.apply_json(json)
    })
}

/// What [`remove_their_words`] removed.
struct Removed {
    messages: usize,
    contents: Vec<String>,
    entries: Vec<i64>,
}

/// Removes what `whose` wrote and uploaded on case `id` (closed): their
/// messages' text, their complaint's title and description, their files
/// (content and name), and the file names in the timeline.
fn remove_their_words(
    conn: &mut DbConnection,
    id: CaseId,
    whose: UserId,
    now: DateTime<Utc>,
) -> ApiResult<Removed> {
    let at = to_db_time(now);
    // Their words as they were, to take out of the mail and the records too.
    let mut said: Vec<String> = messages::table
        .filter(messages::case_id.eq(id))
        .filter(messages::author_id.eq(whose))
        .filter(messages::redacted_at.is_null())
        .select(messages::body)
        .load(conn)?;
    let complaint: Option<(String, String)> = cases::table
        .find(id.to_db())
        .filter(cases::complainant_id.eq(whose))
        .filter(cases::complaint_redacted_at.is_null())
        .select((cases::title, cases::description))
        .first(conn)
        .optional()?;
    if let Some((title, description)) = complaint {
        said.extend([title, description]);
    }
    // Their appeal's grounds and their feedback, as the party they were.
    let parties: Option<(String, Option<String>)> = cases::table
        .find(id.to_db())
        .select((cases::complainant_id, cases::respondent_id))
        .first(conn)
        .optional()?;
    let me = whose.to_db();
    let party = match parties {
        Some((c, _)) if c == me => Some("complainant"),
        Some((_, Some(r))) if r == me => Some("respondent"),
        _ => None,
    };
    if let Some(party) = party {
        let grounds: Vec<String> = appeals::table
            .filter(appeals::case_id.eq(id))
            .filter(appeals::party.eq(party))
            .select(appeals::grounds)
            .load(conn)?;
        said.extend(grounds.into_iter().filter(|g| g != REMOVED));
        diesel::update(
            appeals::table
                .filter(appeals::case_id.eq(id))
                .filter(appeals::party.eq(party)),
        )
        .set(appeals::grounds.eq(REMOVED))
        .execute(conn)?;
        let comments: Vec<String> = case_feedback::table
            .filter(case_feedback::case_id.eq(id.to_db()))
            .filter(case_feedback::party.eq(party))
            .select(case_feedback::comment)
            .load(conn)?;
        said.extend(
            comments
                .into_iter()
                .filter(|c| c != REMOVED && !c.is_empty()),
        );
        diesel::update(
            case_feedback::table
                .filter(case_feedback::case_id.eq(id.to_db()))
                .filter(case_feedback::party.eq(party)),
        )
        .set(case_feedback::comment.eq(REMOVED))
        .execute(conn)?;
    }
    let messages = diesel::update(
        messages::table
            .filter(messages::case_id.eq(id))
            .filter(messages::author_id.eq(whose))
            .filter(messages::redacted_at.is_null()),
    )
    .set((
        messages::body.eq(REMOVED),
        messages::redacted_at.eq(Some(at)),
    ))
    .execute(conn)?;
    diesel::update(
        cases::table
            .find(id.to_db())
            .filter(cases::complainant_id.eq(whose))
            .filter(cases::complaint_redacted_at.is_null()),
    )
    .set((
        cases::title.eq(REMOVED),
        cases::description.eq(REMOVED),
        cases::complaint_redacted_at.eq(Some(at)),
    ))
    .execute(conn)?;
    let files: Vec<(crate::domain::EvidenceId, String, String)> = evidence::table
        .filter(evidence::case_id.eq(id))
        .filter(evidence::uploaded_by.eq(whose))
        .filter(evidence::redacted_at.is_null())
        .select((evidence::id, evidence::file_name, evidence::sha256))
        .load(conn)?;
    let mut contents = Vec::new();
    let mut names = Vec::new();
    for (file, name, sha256) in files {
        diesel::update(evidence::table.find(file))
            .set((
                evidence::file_name.eq("removed"),
                evidence::description.eq(REMOVED),
                evidence::sha256.eq(""),
                evidence::size.eq(0_i64),
                evidence::redacted_at.eq(Some(at)),
            ))
            .execute(conn)?;
        if !crate::cases::evidence::in_use(conn, &sha256)? {
            contents.push(sha256);
        }
        names.push((file.0.to_string(), name));
    }
    let mut entries = Vec::new();
    if !names.is_empty() {
        let rows: Vec<TimelineRow> = timeline_events::table
            .filter(timeline_events::case_id.eq(id.to_db()))
            .filter(timeline_events::kind.like("evidence_%"))
            .select(TimelineRow::as_select())
            .load(conn)?;
        for row in rows {
            let mut data: serde_json::Value =
                serde_json::from_str(&row.data).map_err(anyhow::Error::from)?;
            let named = names
                .iter()
                .any(|(file, _)| data["evidence_id"].as_str() == Some(file.as_str()));
            if named && data.get("file_name").is_some() {
                data["file_name"] = "removed".into();
                seal::rewrite(conn, &row, &data.to_string())?;
                entries.push(row.id);
            }
        }
    }
    let pairs: Vec<(&str, &str)> = said.iter().map(|t| (t.as_str(), REMOVED)).collect();
    // A short text ("ok", "yes") would match inside others' words: only
    // texts of a sentence's length are taken out of the mail and records.
    entries.extend(swap_in_records(conn, id, &Swap::new(&pairs, 12), None)?);
    Ok(Removed {
        messages,
        contents,
        entries,
    })
}

/// Finishes erasures on cases closed since (those the erasure noted in
/// `erasure_pending`, so this reads only them): removes what erased people
/// wrote and uploaded there and records it. Up to 50 cases per call (the
/// scanner calls it while there is work); returns the cases done and the
/// content to delete from the store.
pub fn finish(conn: &mut DbConnection, env: &Env) -> ApiResult<(usize, Vec<String>)> {
    let pending: Vec<(String, String)> = erasure_pending::table
        .inner_join(cases::table.on(cases::id.eq(erasure_pending::case_id)))
        .filter(cases::state.eq_any(["closed", "withdrawn", "dismissed"]))
        .select((erasure_pending::case_id, erasure_pending::user_id))
        .limit(50)
        .load(conn)?;
    let mut contents = Vec::new();
    let mut done = 0;
    for (case, user) in pending {
        diesel::delete(
            erasure_pending::table
                .filter(erasure_pending::case_id.eq(&case))
                .filter(erasure_pending::user_id.eq(&user)),
        )
        .execute(conn)?;
        let (Ok(case), Ok(user)) = (case.parse(), user.parse()) else {
            continue;
        };
        let (id, whose) = (CaseId(case), UserId(user));
        hold(conn, id)?;
        let removed = remove_their_words(conn, id, whose, env.now)?;
        let ctx = CaseContext::load(conn, id, &Actor::system(), env)?
            .ok_or(ApiError::NotFound("case"))?;
        crate::cases::search::reindex_case(conn, id)?;
        let erased = EventRecord {
            case_id: id,
            actor: None,
            at: env.now,
            transition: None,
            event: CaseEvent::PersonalDataErased {
                user_id: whose,
                redacted_entries: removed.entries,
                removed_their_words: true,
            },
        };
        record(conn, &env.settings, &ctx, &erased)?;
        contents.extend(removed.contents);
        done += 1;
    }
    Ok((done, contents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_addresses_are_replaced_where_they_stand_alone() {
        let swap = Swap::new(
            &[
                ("Ann Lee", "Erased user 1"),
                ("bob@example.org", "erased-1@erased.invalid"),
            ],
            3,
        );
        let text = "Ann Lee wrote to bob@example.org. Ann Leeds and jimbob@example.org stay; \
                    so do bob@example.org.uk and xAnn Lee.";
        assert_eq!(
            swap.apply(text).unwrap(),
            "Erased user 1 wrote to erased-1@erased.invalid. Ann Leeds and jimbob@example.org \
             stay; so do bob@example.org.uk and xAnn Lee."
        );
        assert_eq!(swap.apply("Nothing here."), None);
    }

    #[test]
    fn json_keeps_its_shape_and_html_its_escapes() {
        let swap = Swap::new(
            &[("true", "Erased user 1"), ("O'Brien & Co", "Erased user 2")],
            3,
        );
        let json = r#"{"final":true,"name":"true","note":"O'Brien & Co said"}"#;
        let out: serde_json::Value = serde_json::from_str(&swap.apply_json(json).unwrap()).unwrap();
        assert_eq!(out["final"], true, "a literal is not a name");
        assert_eq!(out["name"], "Erased user 1");
        assert_eq!(out["note"], "Erased user 2 said");
        let html = format!("<p>{} said</p>", minijinja::HtmlEscape("O'Brien & Co"));
        assert_eq!(swap.apply(&html).unwrap(), "<p>Erased user 2 said</p>");
    }
}
