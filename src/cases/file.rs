//! Filing a complaint: checked, stored in `intake` with a new reference, and
//! recorded as the first entry of its timeline (with its acknowledgement mail).

use chrono::Datelike;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::{CaseContext, ChainHead, to_json};
use super::record::record;
use super::rulebook::{check_citations, resolve};
use super::triage::{store_tags, triage};
use crate::db::DbConnection;
use crate::db::models::{CategoryRow, NewCase, UserRow, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::{cases, users};
use crate::db::setup::Setup;
use crate::domain::case::MAX_TAGS;
use crate::domain::case::{language, reference, tags};
use crate::domain::events::{CaseEvent, EventRecord};
use crate::domain::parse::{Checker, Email};
use crate::domain::service_level;
use crate::domain::triage::Filing;
use crate::domain::waiting::{WaitingWho, no_deadline};
use crate::domain::{Actor, CaseId, CaseState, Channel, Priority, UserId};
use crate::error::{ApiError, ApiResult};
use crate::state::Env;

/// Who the complaint is about: an existing user, or a name and an email
/// address (they get access once they have an account with that address).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Shop Ltd", "email": "support@shop.example"}))]
pub struct RespondentInput {
    /// An existing user.
    pub user_id: Option<uuid::Uuid>,
    /// Name, when not an existing user.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: Option<String>,
    /// Email address, when not an existing user.
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// A complaint to file.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Order never arrived", "description": "I paid for order 1234 on 2 November and nothing came.",
    "category": "delivery", "priority": "normal", "language": "en", "channel": "web", "tags": ["order-1234"],
    "respondent": {"name": "Shop Ltd", "email": "support@shop.example"}
}))]
pub struct FileCase {
    /// Short title, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// What happened, 1 to 20000 characters.
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub description: String,
    /// Category slug (or id).
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub category: String,
    /// Priority; the category's default when left out.
    pub priority: Option<Priority>,
    /// Language of the case (BCP 47); the complainant's when left out.
    #[schema(max_length = 35, example = "en")]
    pub language: Option<String>,
    /// Where the complaint came in from; `api` when left out.
    pub channel: Option<Channel>,
    /// Up to 10 tags of a-z, 0-9, - and _.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub tags: Vec<String>,
    /// Codes of published rules the complaint says were broken (up to 20);
    /// the version in force now is kept with the case.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub rules_cited: Vec<String>,
    /// Who the complaint is about.
    pub respondent: RespondentInput,
}

struct Checked {
    title: String,
    description: String,
    language: Option<String>,
    tags: Vec<String>,
    rules: Vec<String>,
    respondent_email: Option<Email>,
    respondent_name: Option<String>,
}

fn check(body: &FileCase) -> ApiResult<Checked> {
    let mut c = Checker::new();
    let title = c.text("title", &body.title, 200);
    let description = c.text("description", &body.description, 20_000);
    let language = body
        .language
        .as_deref()
        .map(|l| language(&mut c, "language", l));
    let tags = tags(&mut c, &body.tags);
    let rules = check_citations(&mut c, "rules_cited", &body.rules_cited);
    let r = &body.respondent;
    let (mut respondent_email, mut respondent_name) = (None, None);
    match (r.user_id, &r.name, &r.email) {
        (Some(_), None, None) => {}
        (None, Some(name), Some(email)) => {
            respondent_name = Some(c.text("respondent.name", name, 200));
            respondent_email = c.email("respondent.email", email);
        }
        _ => c.fail("respondent", "give either user_id, or name and email"),
    }
    if body.category.trim().is_empty() || body.category.chars().count() > 100 {
        c.fail("category", "name a category by slug or id");
    }
    c.finish()?;
    Ok(Checked {
        title,
        description,
        language,
        tags,
        rules,
        respondent_email,
        respondent_name,
    })
}

/// The number of the next case and the generation of the desk's setup
/// (`db::setup`), in one statement. The number is PostgreSQL's
/// `case_number_seq`, which no filing ever waits for, or SQLite's one
/// counter row of the same name (writers take turns there anyway). Unique,
/// not gapless: a filing that fails or rolls back leaves its number unused.
fn next_number(conn: &mut DbConnection) -> ApiResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Next {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        generation: i64,
    }
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "SELECT nextval('case_number_seq') AS n, \
             (SELECT n FROM setup_generation WHERE id = 1) AS generation"
        }
        DbConnection::Sqlite(_) => {
            "UPDATE case_number_seq SET last_value = last_value + 1 RETURNING last_value AS n, \
             (SELECT n FROM setup_generation WHERE id = 1) AS generation"
        }
    };
    let next: Next = Prepared(diesel::sql_query(sql)).get_result(conn)?;
    Ok((next.n, next.generation))
}

fn find_category(setup: &Setup, key: &str) -> ApiResult<CategoryRow> {
    match setup.category(key) {
        Some(c) if c.active => Ok(c.clone()),
        Some(_) => Err(ApiError::field(
            "category",
            "this category is closed to new cases",
        )),
        None => Err(ApiError::field("category", "no such category")),
    }
}

/// Files a complaint for `actor` in the caller's transaction: checks it,
/// stores it in `intake` with a new reference, records the filing, and
/// routes it (to a mediator, or to the leads). Returns the filed case.
pub fn file(
    conn: &mut DbConnection,
    env: &Env,
    actor: &Actor,
    body: FileCase,
) -> ApiResult<CaseContext> {
    let checked = check(&body)?;
    let me = actor
        .user
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("only a user can file")))?;
    // The number first: the same statement says whether the kept setup is current.
    let (number, generation) = next_number(conn)?;
    let setup = env.setup.at(conn, generation)?;
    let category = find_category(&setup, &body.category)?;
    let respondent_email = checked
        .respondent_email
        .as_ref()
        .map(|e| e.as_str().to_string());
    // The complainant and the respondent's account, if any, in one query.
    let mut people = users::table.filter(users::id.eq(me)).into_boxed();
    people = match (body.respondent.user_id, &respondent_email) {
        (Some(uid), _) => people.or_filter(users::id.eq(UserId(uid))),
        (None, Some(email)) => people.or_filter(users::email.eq(email.clone())),
        (None, None) => people,
    };
    let people: Vec<UserRow> = people.load(conn)?;
    let complainant = people
        .iter()
        .find(|u| u.id == me)
        .cloned()
        .ok_or(diesel::result::Error::NotFound)?;
    let (respondent, respondent_name, respondent_email) = match body.respondent.user_id {
        Some(uid) => {
            let u = people.into_iter().find(|u| u.id == UserId(uid));
            let u = u.ok_or_else(|| ApiError::field("respondent.user_id", "no such user"))?;
            let (name, email) = (u.name.clone(), Some(u.email.clone()));
            (Some(u), name, email)
        }
        None => {
            let existing = people
                .into_iter()
                .find(|u| Some(&u.email) == respondent_email.as_ref());
            (
                existing,
                checked.respondent_name.clone().unwrap_or_default(),
                respondent_email,
            )
        }
    };
    let respondent_id = respondent.as_ref().map(|u| u.id);
    if respondent_id == Some(me) || respondent_email.as_deref() == Some(complainant.email.as_str())
    {
        return Err(ApiError::field(
            "respondent",
            "you cannot file a complaint against yourself",
        ));
    }
    let now = env.now;
    let id = CaseId::new();
    let filing = Filing {
        category: &category.slug,
        title: &checked.title,
        description: &checked.description,
        respondent_id,
        respondent_email: respondent_email.as_deref(),
        history: &[],
    };
    let triaged = triage(conn, &setup.rules, me, now, filing)?;
    let cited = resolve(conn, "rules_cited", &checked.rules)?;
    // A triage rule's priority wins over the one the complainant chose.
    let priority = triaged
        .priority
        .unwrap_or(body.priority.unwrap_or(category.default_priority));
    // The service-level policy for the final priority sets the deadlines.
    let policy = service_level::pick(
        setup.policies.iter().map(|p| (p.scope.as_str(), p)),
        priority,
        category.id,
    );
    let deadlines = policy.map(|p| p.policy.deadlines(now));
    let clock = service_level::Clock::of_new(deadlines);
    let tags = checked.tags;
    // Triage's tags are the desk's: kept apart, and shown to staff only.
    let staff_tags: Vec<String> = triaged
        .tags
        .iter()
        .filter(|t| !tags.contains(t))
        .take(MAX_TAGS)
        .cloned()
        .collect();
    let row = NewCase {
        id,
        reference: reference(now.year(), number),
        title: checked.title,
        description: checked.description,
        category_id: category.id,
        priority,
        language: checked.language.unwrap_or(complainant.language.clone()),
        channel: body.channel.unwrap_or_default(),
        tags: serde_json::to_string(&tags).map_err(anyhow::Error::from)?,
        state: CaseState::Intake,
        complainant_id: me,
        respondent_id,
        respondent_name,
        respondent_email,
        settlement_open: false,
        settlement_accepted_complainant: false,
        settlement_accepted_respondent: false,
        ruling_appealable: false,
        ruling_accepted_complainant: false,
        ruling_accepted_respondent: false,
        appealed_complainant: false,
        appealed_respondent: false,
        version: 1,
        created_at: to_db_time(now),
        updated_at: to_db_time(now),
        // A new case waits on a lead, by the first answer's deadline if a
        // service level applies.
        waiting_on: WaitingWho::Lead.as_str().into(),
        priority_rank: priority.rank(),
        due_at: clock.next_due().map_or_else(no_deadline, to_db_time),
        cited_rules: to_json(&cited)?,
        staff_tags: to_json(&staff_tags)?,
        suggested_templates: to_json(&triaged.templates)?,
        first_response_due: deadlines.and_then(|d| d.first_response).map(to_db_time),
        resolution_due: deadlines.and_then(|d| d.resolution).map(to_db_time),
        sla_policy_id: policy.map(|p| p.id.clone()),
        sla_calendar: policy.map(|p| p.calendar.clone()),
        first_response_warn_at: deadlines
            .and_then(|d| d.first_response_warn)
            .map(to_db_time),
        resolution_warn_at: deadlines.and_then(|d| d.resolution_warn).map(to_db_time),
        sla_next_at: clock.next_check().map(to_db_time),
        sla_due: clock.next_due().map(to_db_time),
    };
    Prepared(diesel::insert_into(cases::table).values(&row)).execute(conn)?;
    super::search::index_case(conn, row.id, &row.reference, &row.title, &row.description)?;
    store_tags(conn, id, &tags, false)?;
    store_tags(conn, id, &staff_tags, true)?;
    let event = CaseEvent::CaseFiled {
        reference: row.reference.clone(),
        title: row.title.clone(),
        category: category.slug.clone(),
        priority,
    };
    // What was just written is known: the context is built, not read back.
    let people = [Some(complainant), respondent].into_iter().flatten();
    let mut ctx = CaseContext::filed(row.into_row(), category, people, setup, env);
    let filed = EventRecord {
        case_id: id,
        actor: actor.user,
        at: now,
        transition: None,
        event,
    };
    record(conn, &env.settings, &ctx, &filed)?;
    if !triaged.matched.is_empty() {
        let note = EventRecord {
            case_id: id,
            actor: None,
            at: now,
            transition: None,
            event: CaseEvent::Triaged {
                rules: triaged.matched,
                priority: triaged.priority,
                tags: staff_tags,
                held: triaged.held,
            },
        };
        record(conn, &env.settings, &ctx, &note)?;
    }
    // Last, so that a lock on the chosen mediator's profile is held as
    // briefly as possible.
    super::assignment::route(conn, env, &mut ctx, triaged.held)?;
    // Whoever records on the case next reads its head.
    ctx.chain_head = ChainHead::default();
    Ok(ctx)
}
