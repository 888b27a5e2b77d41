//! Mediator profiles: the skills (categories), languages, capacity and
//! availability automatic assignment and claims judge people by.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::cases::assignment::loads;
use crate::cases::context::to_json;
use crate::db::DbConnection;
use crate::db::models::{CategoryRow, ProfileRow, UserRow, from_db_time, to_db_time};
use crate::db::schema::{categories, mediator_profiles, users};
use crate::domain::case::language;
use crate::domain::desk::available;
use crate::domain::parse::Checker;
use crate::domain::{CategoryId, Role, UserId};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// The most open cases a profile may allow at once.
pub const MAX_CAPACITY: i32 = 1000;

/// A mediator's profile as the API shows it, with their load now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "user_id": "0192f0c4-3333-7a21-9d0b-5c1e8f2a3b4c", "name": "Mia Mediator", "role": "mediator",
    "active": true, "skills": ["billing", "delivery"], "languages": ["en", "pl"], "capacity": 12,
    "on_duty": true, "absent_until": null, "available": true, "load": 7,
    "last_assigned_at": "2026-11-28T09:12:00Z", "updated_at": "2026-11-27T16:00:00Z"
}))]
pub struct MediatorView {
    /// The mediator's user id.
    pub user_id: uuid::Uuid,
    /// Their name.
    pub name: String,
    /// `mediator` or `lead`.
    pub role: Role,
    /// Whether their account is active.
    pub active: bool,
    /// The categories (slugs) they take; empty means every category.
    pub skills: Vec<String>,
    /// The languages they work in; cases in these go to them first.
    pub languages: Vec<String>,
    /// Most open cases at once.
    pub capacity: i32,
    /// On duty (a shift, say); off-duty people are not given new cases.
    pub on_duty: bool,
    /// Away until then (leave); not given new cases before it.
    pub absent_until: Option<DateTime<Utc>>,
    /// On duty, not away and active: may be given new cases if under capacity.
    pub available: bool,
    /// Their open cases now (assigned to them and not ended).
    pub load: i64,
    /// When they were last given a case.
    pub last_assigned_at: Option<DateTime<Utc>>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
}

page_of!(
    /// A page of mediator profiles.
    MediatorPage,
    MediatorView
);

/// Which profiles to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediatorFilter {
    /// Only those available (`true`) or unavailable (`false`) now.
    pub available: Option<bool>,
}

/// A whole profile to store (a new one, or a replacement).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"skills": ["billing", "delivery"], "languages": ["en", "pl"], "capacity": 12}))]
pub struct PutProfile {
    /// Categories (slug or id) they take, up to 100; empty for every category.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub skills: Vec<String>,
    /// Languages they work in (BCP 47), up to 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub languages: Vec<String>,
    /// Most open cases at once, 0 to 1000 (0 takes no new cases).
    #[schema(minimum = 0, maximum = 1000)]
    pub capacity: i64,
    /// On duty; `true` when left out.
    pub on_duty: Option<bool>,
    /// Away until then; not away when left out.
    pub absent_until: Option<DateTime<Utc>>,
}

/// A checked profile.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    skills: Vec<String>,
    languages: Vec<String>,
    capacity: i32,
    on_duty: bool,
    absent_until: Option<DateTime<Utc>>,
}

impl PutProfile {
    /// Checks every field at once (the skills are looked up on storing).
    pub fn parse(self) -> ApiResult<ProfileInput> {
        let mut c = Checker::new();
        if self.skills.len() > 100 {
            c.fail("skills", "at most 100 categories");
        }
        if self.languages.len() > 20 {
            c.fail("languages", "at most 20 languages");
        }
        let mut languages: Vec<String> = self
            .languages
            .iter()
            .enumerate()
            .map(|(i, l)| language(&mut c, &format!("languages[{i}]"), l))
            .collect();
        languages.dedup();
        let capacity = match i32::try_from(self.capacity) {
            Ok(n) if (0..=MAX_CAPACITY).contains(&n) => n,
            _ => {
                c.fail("capacity", format!("must be between 0 and {MAX_CAPACITY}"));
                0
            }
        };
        check_absence(&mut c, self.absent_until);
        c.finish()?;
        Ok(ProfileInput {
            skills: self.skills,
            languages,
            capacity,
            on_duty: self.on_duty.unwrap_or(true),
            absent_until: self.absent_until,
        })
    }
}

/// Availability, which a mediator sets for themself.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"on_duty": false, "absent_until": "2026-12-07T08:00:00Z"}))]
pub struct Availability {
    /// On duty.
    pub on_duty: bool,
    /// Away until then; `null` (or left out) for not away.
    #[serde(default)]
    pub absent_until: Option<DateTime<Utc>>,
}

/// Refuses an absence no database stores alike (before 2000 or after 9999).
fn check_absence(c: &mut Checker, until: Option<DateTime<Utc>>) {
    use chrono::Datelike;
    if until.is_some_and(|t| !(2000..=9999).contains(&t.year())) {
        c.fail(
            "absent_until",
            "must be a date between the years 2000 and 9999",
        );
    }
}

impl Availability {
    /// Checks the absence's date.
    pub fn parse(self) -> ApiResult<Availability> {
        let mut c = Checker::new();
        check_absence(&mut c, self.absent_until);
        c.finish()?;
        Ok(self)
    }
}

/// The category ids of `keys` (slugs or ids); 422 on `skills[i]` for an unknown one.
fn skill_ids(conn: &mut DbConnection, keys: &[String]) -> ApiResult<Vec<CategoryId>> {
    let all: Vec<CategoryRow> = categories::table.load(conn)?;
    let mut c = Checker::new();
    let mut out = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let key = key.trim();
        let found = all.iter().find(|cat| {
            cat.slug.eq_ignore_ascii_case(key) || cat.id.0.hyphenated().to_string() == key
        });
        match found {
            Some(cat) if !out.contains(&cat.id) => out.push(cat.id),
            Some(_) => {}
            None => c.fail(format!("skills[{i}]"), "no such category"),
        }
    }
    c.finish()?;
    Ok(out)
}

/// The view of each profile, with category slugs and loads.
fn views(
    conn: &mut DbConnection,
    rows: Vec<(ProfileRow, UserRow)>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<MediatorView>> {
    let slugs: HashMap<CategoryId, String> = categories::table
        .select((categories::id, categories::slug))
        .load::<(CategoryId, String)>(conn)?
        .into_iter()
        .collect();
    let ids: Vec<UserId> = rows.iter().map(|(p, _)| p.user_id).collect();
    let loads = loads(conn, &ids)?;
    rows.into_iter()
        .map(|(p, u)| {
            let skills: Vec<CategoryId> = serde_json::from_str(&p.skills)
                .map_err(|e| crate::cases::context::corrupt(format!("skills: {e}")))?;
            let languages: Vec<String> = serde_json::from_str(&p.languages)
                .map_err(|e| crate::cases::context::corrupt(format!("languages: {e}")))?;
            Ok(MediatorView {
                user_id: p.user_id.0,
                name: u.name,
                role: u.role,
                active: u.active,
                skills: skills
                    .iter()
                    .filter_map(|id| slugs.get(id).cloned())
                    .collect(),
                languages,
                capacity: p.capacity,
                on_duty: p.on_duty,
                absent_until: p.absent_until.map(from_db_time),
                available: u.active && available(p.on_duty, p.absent_until.map(from_db_time), now),
                load: loads.get(&p.user_id).copied().unwrap_or(0),
                last_assigned_at: p.last_assigned_at.map(from_db_time),
                updated_at: from_db_time(p.updated_at),
            })
        })
        .collect()
}

fn read(conn: &mut DbConnection, user: UserId) -> ApiResult<Option<(ProfileRow, UserRow)>> {
    Ok(mediator_profiles::table
        .inner_join(users::table)
        .filter(mediator_profiles::user_id.eq(user))
        .select((ProfileRow::as_select(), UserRow::as_select()))
        .first(conn)
        .optional()?)
}

/// The profile of `user`; 404 if they have none.
pub fn get(conn: &mut DbConnection, user: UserId, now: DateTime<Utc>) -> ApiResult<MediatorView> {
    let row = read(conn, user)?.ok_or(ApiError::NotFound("mediator profile"))?;
    views(conn, vec![row], now)?
        .pop()
        .ok_or(ApiError::NotFound("mediator profile"))
}

/// A page of profiles, by user id.
pub fn list(
    conn: &mut DbConnection,
    filter: &MediatorFilter,
    page: &Page,
    now: DateTime<Utc>,
) -> ApiResult<MediatorPage> {
    // Availability depends on the clock, so it is filtered after reading;
    // a page is then read in full batches until it is full or the end.
    let mut items = Vec::new();
    let mut q_after = page.after.clone();
    loop {
        let mut batch = mediator_profiles::table
            .inner_join(users::table)
            .select((ProfileRow::as_select(), UserRow::as_select()))
            .order(mediator_profiles::user_id.asc())
            .limit(page.limit + 1)
            .into_boxed();
        if let Some(after) = &q_after {
            batch = batch.filter(mediator_profiles::user_id.gt(after.clone()));
        }
        let rows: Vec<(ProfileRow, UserRow)> = batch.load(conn)?;
        let last = rows.len() as i64 <= page.limit;
        q_after = rows.last().map(|(p, _)| p.user_id.to_db());
        let views = views(conn, rows, now)?;
        items.extend(
            views
                .into_iter()
                .filter(|v| filter.available.is_none_or(|want| v.available == want)),
        );
        if last || items.len() as i64 > page.limit {
            break;
        }
    }
    let (items, next_cursor) =
        pagination::split(items, page.limit, |v| v.user_id.hyphenated().to_string());
    Ok(MediatorPage { items, next_cursor })
}

/// Stores the whole profile of `user` (an active mediator or lead),
/// keeping when they were last given a case and when it was created.
pub fn put(
    conn: &mut DbConnection,
    user: UserId,
    input: ProfileInput,
    now: DateTime<Utc>,
) -> ApiResult<MediatorView> {
    let target: Option<UserRow> = users::table.find(user).first(conn).optional()?;
    let target = target.ok_or(ApiError::NotFound("user"))?;
    if !target.active || !matches!(target.role, Role::Mediator | Role::Lead) {
        return Err(ApiError::field(
            "user_id",
            "only an active mediator or lead has a mediator profile",
        ));
    }
    let skills = skill_ids(conn, &input.skills)?;
    let existing: Option<ProfileRow> =
        mediator_profiles::table.find(user).first(conn).optional()?;
    let at = to_db_time(now);
    let row = ProfileRow {
        user_id: user,
        skills: to_json(&skills)?,
        languages: to_json(&input.languages)?,
        capacity: input.capacity,
        on_duty: input.on_duty,
        absent_until: input.absent_until.map(to_db_time),
        last_assigned_at: None,
        created_at: at,
        updated_at: at,
    };
    if existing.is_some() {
        // Not `last_assigned_at`: an assignment committed meanwhile keeps its mark.
        diesel::update(mediator_profiles::table.find(user))
            .set((
                mediator_profiles::skills.eq(&row.skills),
                mediator_profiles::languages.eq(&row.languages),
                mediator_profiles::capacity.eq(row.capacity),
                mediator_profiles::on_duty.eq(row.on_duty),
                mediator_profiles::absent_until.eq(row.absent_until),
                mediator_profiles::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    } else {
        diesel::insert_into(mediator_profiles::table)
            .values(&row)
            .execute(conn)?;
    }
    get(conn, user, now)
}

/// Sets the availability of `user`; 404 if they have no profile.
pub fn set_availability(
    conn: &mut DbConnection,
    user: UserId,
    a: Availability,
    now: DateTime<Utc>,
) -> ApiResult<MediatorView> {
    let n = diesel::update(mediator_profiles::table.find(user))
        .set((
            mediator_profiles::on_duty.eq(a.on_duty),
            mediator_profiles::absent_until.eq(a.absent_until.map(to_db_time)),
            mediator_profiles::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("mediator profile"));
    }
    get(conn, user, now)
}

/// How a hand-over went.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[schema(example = json!({"reassigned": 4, "left": ["0192f0c4-7f4e-7a21-9d0b-5c1e8f2a3b4c"]}))]
pub struct HandOverView {
    /// Cases given to another mediator automatically.
    pub reassigned: usize,
    /// Cases still theirs, for a lead to reassign: in a category assigned
    /// by hand, nobody eligible free, or changed while being handed over.
    pub left: Vec<uuid::Uuid>,
}
