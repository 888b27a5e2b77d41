//! The rules catalogue: admins publish versions of the community's rules;
//! complaints and rulings cite them, and keep the version they cited as
//! it read then (a new version never changes what was cited before).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::corrupt;
use super::context::to_json;
use crate::db::DbConnection;
use crate::db::models::{RuleVersionRow, from_db_time, to_db_time};
use crate::db::schema::community_rules;
use crate::domain::UserId;
use crate::domain::parse::Checker;
use crate::domain::rulebook::{CitedRule, check_code, check_texts, must_cite};
use crate::domain::ruling::Outcome;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// Most rules one complaint or ruling cites.
pub const MAX_CITED: usize = 20;

/// One version of a rule as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "R-4.2", "version": 2,
    "title": {"en": "Goods paid for are delivered", "pl": "Opłacony towar jest dostarczany"},
    "text": {"en": "A seller delivers goods paid for within 14 days or refunds them.", "pl": "Sprzedawca dostarcza opłacony towar w ciągu 14 dni albo zwraca pieniądze."},
    "published_at": "2026-11-28T09:00:00Z"
}))]
pub struct RuleView {
    /// The rule's code.
    pub code: String,
    /// This version (1 for the first).
    pub version: i32,
    /// Its title, by language.
    pub title: BTreeMap<String, String>,
    /// Its text, by language.
    pub text: BTreeMap<String, String>,
    /// When this version was published.
    pub published_at: DateTime<Utc>,
}

page_of!(
    /// A page of rules (the latest version of each), by code.
    RulePage,
    RuleView
);

/// A rule to publish: its first version, or a new version of it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "R-4.2",
    "title": {"en": "Goods paid for are delivered", "pl": "Opłacony towar jest dostarczany"},
    "text": {"en": "A seller delivers goods paid for within 14 days or refunds them.", "pl": "Sprzedawca dostarcza opłacony towar w ciągu 14 dni albo zwraca pieniądze."}
}))]
pub struct PublishRule {
    /// 1 to 50 of A-Z, a-z, 0-9, `.`, `-` and `_`.
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"^\s*[A-Za-z0-9._-]{1,50}\s*$"
    )]
    pub code: String,
    /// The title in 1 to 10 languages (language tag → up to 200 characters).
    pub title: BTreeMap<String, String>,
    /// The text in 1 to 10 languages (language tag → up to 20000 characters).
    pub text: BTreeMap<String, String>,
}

/// A checked rule to publish.
#[derive(Debug, Clone)]
pub struct RuleInput {
    code: String,
    title: BTreeMap<String, String>,
    text: BTreeMap<String, String>,
}

impl PublishRule {
    /// Checks every field at once.
    pub fn parse(self) -> ApiResult<RuleInput> {
        let mut c = Checker::new();
        let code = check_code(&mut c, "code", &self.code);
        let title = check_texts(&mut c, "title", &self.title, 200);
        let text = check_texts(&mut c, "text", &self.text, 20_000);
        c.finish()?;
        Ok(RuleInput { code, title, text })
    }
}

fn map(raw: &str) -> ApiResult<BTreeMap<String, String>> {
    serde_json::from_str(raw).map_err(|e| corrupt(format!("rule texts: {e}")))
}

fn view(r: &RuleVersionRow) -> ApiResult<RuleView> {
    Ok(RuleView {
        code: r.code.clone(),
        version: r.version,
        title: map(&r.title)?,
        text: map(&r.body)?,
        published_at: from_db_time(r.published_at),
    })
}

fn cited(r: &RuleVersionRow) -> ApiResult<CitedRule> {
    Ok(CitedRule {
        code: r.code.clone(),
        version: r.version,
        title: map(&r.title)?,
        text: map(&r.body)?,
    })
}

/// The latest version of `code`, if it was ever published.
fn latest(conn: &mut DbConnection, code: &str) -> ApiResult<Option<RuleVersionRow>> {
    Ok(community_rules::table
        .filter(community_rules::code.eq(code))
        .order(community_rules::version.desc())
        .first(conn)
        .optional()?)
}

/// Publishes `input`: version 1 of a new code, or the next version of an
/// existing one. Earlier versions stay as they were.
pub fn publish(
    conn: &mut DbConnection,
    by: UserId,
    input: RuleInput,
    now: DateTime<Utc>,
) -> ApiResult<RuleView> {
    let version = latest(conn, &input.code)?.map_or(1, |r| r.version + 1);
    let row = RuleVersionRow {
        code: input.code,
        version,
        title: to_json(&input.title)?,
        body: to_json(&input.text)?,
        published_by: by,
        published_at: to_db_time(now),
    };
    diesel::insert_into(community_rules::table)
        .values(&row)
        .execute(conn)?;
    view(&row)
}

/// The latest version of each rule, by code, a page at a time.
pub fn list(conn: &mut DbConnection, page: &Page) -> ApiResult<RulePage> {
    // Rules are few (a community's rulebook); their versions fewer still.
    let mut q = community_rules::table
        .order((community_rules::code.asc(), community_rules::version.desc()))
        .into_boxed();
    if let Some(after) = &page.after {
        let mut c = Checker::new();
        check_code(&mut c, "cursor", after);
        c.finish()
            .map_err(|_| crate::pagination::PageError::Cursor)?;
        q = q.filter(community_rules::code.gt(after.clone()));
    }
    let rows: Vec<RuleVersionRow> = q.load(conn)?;
    let mut newest: Vec<RuleVersionRow> = Vec::new();
    for r in rows {
        if newest.last().is_none_or(|n| n.code != r.code) {
            newest.push(r);
        }
        if newest.len() as i64 > page.limit {
            break;
        }
    }
    let (rows, next_cursor) = pagination::split(newest, page.limit, |r| r.code.clone());
    let items = rows.iter().map(view).collect::<ApiResult<Vec<_>>>()?;
    Ok(RulePage { items, next_cursor })
}

/// Version `version` of `code` (the latest if `None`); 404 if there is none.
pub fn get(conn: &mut DbConnection, code: &str, version: Option<i32>) -> ApiResult<RuleView> {
    // A code no rule can have is not looked up (nor sent to the database).
    let mut c = Checker::new();
    let code = check_code(&mut c, "code", code);
    if c.finish().is_err() {
        return Err(ApiError::NotFound("rule"));
    }
    let code = code.as_str();
    let row = match version {
        None => latest(conn, code)?,
        Some(v) => community_rules::table
            .find((code, v))
            .first(conn)
            .optional()?,
    };
    view(&row.ok_or(ApiError::NotFound("rule"))?)
}

/// Checks a list of cited codes (at most [`MAX_CITED`], each a code) under
/// `field`; duplicates are dropped.
pub fn check_citations(c: &mut Checker, field: &str, codes: &[String]) -> Vec<String> {
    if codes.len() > MAX_CITED {
        c.fail(field, format!("at most {MAX_CITED} rules"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let code = check_code(c, &format!("{field}[{i}]"), code);
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// The latest version of each of `codes`, as it reads now; 422 on
/// `{field}[i]` for a code never published.
pub fn resolve(
    conn: &mut DbConnection,
    field: &str,
    codes: &[String],
) -> ApiResult<Vec<CitedRule>> {
    let mut c = Checker::new();
    let mut out = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        match latest(conn, code)? {
            Some(row) => out.push(cited(&row)?),
            None => c.fail(format!("{field}[{i}]"), "no such published rule"),
        }
    }
    c.finish()?;
    Ok(out)
}

/// The rules a ruling with `outcome` cites, resolved; 422 on `rules_cited`
/// when it upholds the complaint and cites none while rules are published.
pub fn cite_for_ruling(
    conn: &mut DbConnection,
    outcome: Outcome,
    codes: &[String],
) -> ApiResult<Vec<CitedRule>> {
    if codes.is_empty() && must_cite(outcome) {
        let published: i64 = community_rules::table.count().get_result(conn)?;
        if published > 0 {
            return Err(ApiError::field(
                "rules_cited",
                "a ruling that upholds the complaint must cite at least one published rule",
            ));
        }
    }
    resolve(conn, "rules_cited", codes)
}
