//! Response templates: leads manage canned replies (one text per language,
//! with variables); a mediator asks for a draft from one, rendered for the
//! recipient in their language, edits it if need be, and posts it as a
//! message. Templates are suggested for a case by its category and by the
//! triage rules that matched it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::context::to_json;
use super::context::{CaseContext, corrupt};
use crate::db::DbConnection;
use crate::db::models::{CategoryRow, TemplateRow, from_db_time, to_db_time};
use crate::db::schema::{categories, response_templates};
use crate::domain::case::language;
use crate::domain::events::Visibility;
use crate::domain::parse::Checker;
use crate::domain::rulebook::MAX_LANGUAGES;
use crate::domain::templates::{check_code, check_text, render, text_for};
use crate::domain::{Actor, CategoryId, Standing};
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Page, page_of};

/// A response template as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "ask-tracking", "name": "Ask for the tracking number",
    "bodies": {"en": "Dear {{ recipient_name }}, please send the tracking number of the parcel in case {{ reference }}.",
               "pl": "Dzień dobry {{ recipient_name }}, prosimy o numer przesyłki w sprawie {{ reference }}."},
    "fallback_language": "en", "categories": ["delivery"],
    "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z"
}))]
pub struct TemplateView {
    /// Its code: 1 to 50 of a-z, 0-9, - and _.
    pub code: String,
    /// What it is for.
    pub name: String,
    /// The text in each language it is written in.
    pub bodies: BTreeMap<String, String>,
    /// The language used when the recipient's is missing; `null`: refuse.
    pub fallback_language: Option<String>,
    /// The categories (slugs) it is suggested for.
    pub categories: Vec<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

page_of!(
    /// A page of response templates, by code.
    TemplatePage,
    TemplateView
);

/// A template to store whole.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Ask for the tracking number",
    "bodies": {"en": "Dear {{ recipient_name }}, please send the tracking number of the parcel in case {{ reference }}.",
               "pl": "Dzień dobry {{ recipient_name }}, prosimy o numer przesyłki w sprawie {{ reference }}."},
    "fallback_language": "en", "categories": ["delivery"]
}))]
pub struct PutTemplate {
    /// What it is for, 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// The text in 1 to 10 languages (language tag → up to 20000
    /// characters), with variables such as `{{ recipient_name }}`,
    /// `{{ reference }}`, `{{ deadline }}`.
    pub bodies: BTreeMap<String, String>,
    /// One of the languages of `bodies`, used when the recipient's is
    /// missing; without it such a draft is refused.
    pub fallback_language: Option<String>,
    /// Category slugs to suggest it for.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub categories: Vec<String>,
}

/// A checked template.
#[derive(Debug, Clone)]
pub struct TemplateInput {
    name: String,
    bodies: BTreeMap<String, String>,
    fallback_language: Option<String>,
    categories: Vec<String>,
}

impl PutTemplate {
    /// Checks every field at once (category slugs are looked up on storing).
    pub fn parse(self) -> ApiResult<TemplateInput> {
        let mut c = Checker::new();
        let name = c.text("name", &self.name, 200);
        if self.bodies.is_empty() || self.bodies.len() > MAX_LANGUAGES {
            c.fail("bodies", format!("give 1 to {MAX_LANGUAGES} languages"));
        }
        let bodies: BTreeMap<String, String> = self
            .bodies
            .iter()
            .map(|(lang, text)| {
                let field = format!("bodies.{lang}");
                (
                    language(&mut c, &field, lang),
                    check_text(&mut c, &field, text),
                )
            })
            .collect();
        let fallback_language = self.fallback_language.as_deref().map(|l| {
            let l = language(&mut c, "fallback_language", l);
            if !bodies.contains_key(&l) {
                c.fail(
                    "fallback_language",
                    "must be one of the languages of `bodies`",
                );
            }
            l
        });
        if self.categories.len() > 50 {
            c.fail("categories", "at most 50");
        }
        let categories = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, s)| {
                crate::domain::templates::check_code(&mut c, &format!("categories[{i}]"), s)
            })
            .collect();
        c.finish()?;
        Ok(TemplateInput {
            name,
            bodies,
            fallback_language,
            categories,
        })
    }
}

fn view(row: &TemplateRow, cats: &[CategoryRow]) -> ApiResult<TemplateView> {
    let ids: Vec<CategoryId> = serde_json::from_str(&row.categories)
        .map_err(|e| corrupt(format!("template categories: {e}")))?;
    Ok(TemplateView {
        code: row.code.clone(),
        name: row.name.clone(),
        bodies: serde_json::from_str(&row.bodies)
            .map_err(|e| corrupt(format!("template bodies: {e}")))?,
        fallback_language: row.fallback_language.clone(),
        categories: cats
            .iter()
            .filter(|c| ids.contains(&c.id))
            .map(|c| c.slug.clone())
            .collect(),
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
    })
}

/// Every template, by code, a page at a time.
pub fn list(conn: &mut DbConnection, page: &Page) -> ApiResult<TemplatePage> {
    let mut q = response_templates::table
        .order(response_templates::code.asc())
        .limit(page.limit + 1)
        .into_boxed();
    if let Some(after) = &page.after {
        let mut c = Checker::new();
        check_code(&mut c, "cursor", after);
        c.finish()
            .map_err(|_| crate::pagination::PageError::Cursor)?;
        q = q.filter(response_templates::code.gt(after.clone()));
    }
    let rows: Vec<TemplateRow> = q.load(conn)?;
    let cats: Vec<CategoryRow> = categories::table.load(conn)?;
    let (rows, next_cursor) = pagination::split(rows, page.limit, |t| t.code.clone());
    let items = rows
        .iter()
        .map(|r| view(r, &cats))
        .collect::<ApiResult<_>>()?;
    Ok(TemplatePage { items, next_cursor })
}

/// Stores template `code` whole (made if new); 422 on `categories[i]` for
/// a slug no category has. Returns it and whether it was new.
pub fn put(
    conn: &mut DbConnection,
    code: &str,
    input: TemplateInput,
    now: DateTime<Utc>,
) -> ApiResult<(TemplateView, bool)> {
    let mut c = Checker::new();
    let code = check_code(&mut c, "code", code);
    c.finish()?;
    let cats: Vec<CategoryRow> = categories::table.load(conn)?;
    let mut c = Checker::new();
    let mut ids = Vec::new();
    for (i, slug) in input.categories.iter().enumerate() {
        match cats.iter().find(|cat| &cat.slug == slug) {
            Some(cat) => ids.push(cat.id),
            None => c.fail(format!("categories[{i}]"), "no such category"),
        }
    }
    c.finish()?;
    let existing: Option<TemplateRow> = response_templates::table
        .filter(response_templates::code.eq(&code))
        .first(conn)
        .optional()?;
    let at = to_db_time(now);
    let row = TemplateRow {
        id: existing.as_ref().map_or_else(
            || uuid::Uuid::now_v7().hyphenated().to_string(),
            |e| e.id.clone(),
        ),
        code,
        name: input.name,
        bodies: to_json(&input.bodies)?,
        fallback_language: input.fallback_language,
        categories: to_json(&ids)?,
        created_at: existing.as_ref().map_or(at, |e| e.created_at),
        updated_at: at,
    };
    let new = existing.is_none();
    if new {
        diesel::insert_into(response_templates::table)
            .values(&row)
            .execute(conn)?;
    } else {
        diesel::update(response_templates::table.find(&row.id))
            .set((
                response_templates::name.eq(&row.name),
                response_templates::bodies.eq(&row.bodies),
                response_templates::fallback_language.eq(&row.fallback_language),
                response_templates::categories.eq(&row.categories),
                response_templates::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
    }
    Ok((view(&row, &cats)?, new))
}

/// Removes template `code`; 404 if there is none.
pub fn delete(conn: &mut DbConnection, code: &str) -> ApiResult<()> {
    let mut c = Checker::new();
    let code = check_code(&mut c, "code", code);
    if c.finish().is_err() {
        return Err(ApiError::NotFound("template"));
    }
    let n = diesel::delete(response_templates::table.filter(response_templates::code.eq(&code)))
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound("template"));
    }
    Ok(())
}

/// The templates suggested for a case: those triage suggested when it was
/// filed, then those for its category, by code, each once.
pub fn suggested(conn: &mut DbConnection, ctx: &CaseContext) -> ApiResult<Vec<TemplateView>> {
    let by_triage: Vec<String> = serde_json::from_str(&ctx.row.suggested_templates)
        .map_err(|e| corrupt(format!("suggested templates: {e}")))?;
    let rows: Vec<TemplateRow> = response_templates::table
        .order(response_templates::code.asc())
        .load(conn)?;
    let cats: Vec<CategoryRow> = categories::table.load(conn)?;
    let category = ctx.row.category_id.to_db();
    let mut out: Vec<TemplateView> = Vec::new();
    for code in &by_triage {
        if let Some(r) = rows.iter().find(|r| &r.code == code) {
            out.push(view(r, &cats)?);
        }
    }
    for r in &rows {
        if r.categories.contains(&category) && !out.iter().any(|v| v.code == r.code) {
            out.push(view(r, &cats)?);
        }
    }
    Ok(out)
}

/// A draft message from a template.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template": "ask-tracking", "visibility": "respondent"}))]
pub struct DraftRequest {
    /// The template's code.
    pub template: String,
    /// Whom the message will be for; its recipient's language is used.
    pub visibility: Visibility,
}

/// A message drafted from a template, for the sender to edit and post.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"template": "ask-tracking", "language": "pl", "visibility": "respondent",
    "body": "Dzień dobry Shop Ltd, prosimy o numer przesyłki w sprawie OMB-2026-000042."}))]
pub struct Draft {
    /// The template used.
    pub template: String,
    /// The language it was written in (the recipient's, or the fallback).
    pub language: String,
    /// Whom it is for.
    pub visibility: Visibility,
    /// The text, variables filled in: post it (edited or not) as a message.
    pub body: String,
}

/// Drafts a message from template `req.template` on the case of `ctx`, for
/// `actor` (who must be one who may post as staff), in the recipient's
/// language: the complainant's or the respondent's for a message to one
/// party, the case's for both, the sender's own for an internal note. 422
/// on `template` when it has no text in that language and no fallback.
pub fn draft(
    conn: &mut DbConnection,
    ctx: &CaseContext,
    actor: &Actor,
    standing: &Standing,
    req: DraftRequest,
) -> ApiResult<Draft> {
    if !(standing.is_in_charge() || standing.is_supervisor()) {
        return Err(ApiError::Forbidden(
            "only the assigned mediator, leads and admins answer from templates".into(),
        ));
    }
    let mut c = Checker::new();
    let code = check_code(&mut c, "template", &req.template);
    c.finish()?;
    let row: Option<TemplateRow> = response_templates::table
        .filter(response_templates::code.eq(&code))
        .first(conn)
        .optional()?;
    let row = row.ok_or_else(|| ApiError::field("template", "no such template"))?;
    let bodies: BTreeMap<String, String> =
        serde_json::from_str(&row.bodies).map_err(|e| corrupt(format!("template bodies: {e}")))?;
    let people = ctx.facts.people;
    let user = |id: Option<crate::domain::UserId>| id.and_then(|id| ctx.users.get(&id));
    let complainant = user(people.complainant);
    let respondent = user(people.respondent);
    let sender = user(actor.user);
    let (recipient_name, lang) = match req.visibility {
        Visibility::Complainant => (
            complainant.map(|u| u.name.clone()).unwrap_or_default(),
            complainant.map_or(ctx.row.language.clone(), |u| u.language.clone()),
        ),
        // The respondent is named as the complainant named them: their
        // account's name is not for the complainant's side to learn.
        Visibility::Respondent => (
            ctx.row.respondent_name.clone(),
            respondent.map_or(ctx.row.language.clone(), |u| u.language.clone()),
        ),
        Visibility::AllParties => (String::new(), ctx.row.language.clone()),
        Visibility::Internal => (
            sender.map(|u| u.name.clone()).unwrap_or_default(),
            sender.map_or(ctx.row.language.clone(), |u| u.language.clone()),
        ),
    };
    let Some((written_in, text)) = text_for(&bodies, &lang, row.fallback_language.as_deref())
    else {
        return Err(ApiError::field(
            "template",
            format!("this template has no text in `{lang}` and no fallback language"),
        ));
    };
    // The deadline the case waits on now: an information request, or the
    // appeal window of a ruling (not one long closed).
    let appeal_window = ctx
        .facts
        .appeal_deadline
        .filter(|_| ctx.facts.state == crate::domain::CaseState::Ruling);
    let deadline = ctx
        .facts
        .info_request
        .map(|r| r.deadline)
        .or(appeal_window)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let mediator = user(people.mediator).or(sender).map(|u| u.name.clone());
    let vars = json!({
        "recipient_name": recipient_name,
        "complainant_name": complainant.map(|u| u.name.clone()).unwrap_or_default(),
        "respondent_name": ctx.row.respondent_name,
        "mediator_name": mediator.unwrap_or_default(),
        "reference": ctx.row.reference,
        "title": ctx.row.title,
        "category": ctx.category.name,
        "deadline": deadline,
    });
    let body = render(text, &vars);
    Ok(Draft {
        template: row.code,
        language: written_in.to_string(),
        visibility: req.visibility,
        body,
    })
}
