//! A settings page as the console builds it: the API lists it shows, each
//! fetched whole, and forms that each make one API call. Done, a form goes
//! back to the page; refused, the page comes again with the API's answer
//! and that form filled in as it was sent. The desk's settings, answer
//! templates and rules are sheets.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::{Map, Value, json};

use super::api::{Answer, Refusal, Write};
use super::form;
use super::pages::{Signed, every, failure, field, refusal_json, see_other};
use super::render::page;

/// One settings page.
pub(super) struct Sheet {
    /// Its template.
    pub template: &'static str,
    /// Where its forms come back to.
    pub back: &'static str,
    /// The lists of words its forms choose from, by name (priorities,
    /// languages, event types).
    pub words: &'static [(&'static str, &'static [&'static str])],
    /// The API lists it shows, by name, each fetched whole.
    pub lists: &'static [(&'static str, &'static str)],
}

impl Sheet {
    /// The page, with `error` (a refusal) when a form came back and
    /// `draft`: which form it was (`new`, or the id of what it changed)
    /// and the body it sent, to fill that form in again; and anything
    /// `extra` to show.
    pub async fn show(
        &self,
        me: &Signed,
        status: StatusCode,
        error: Value,
        draft: Option<(&str, Value)>,
        extra: Value,
    ) -> HttpResponse {
        let lists = futures_util::future::join_all(
            self.lists.iter().map(|(_, path)| every(me.api(), path)),
        )
        .await;
        let mut ctx = Map::new();
        for ((name, _), list) in self.lists.iter().zip(lists) {
            match list {
                Ok(items) => ctx.insert(name.to_string(), items),
                Err(r) => return failure(me.lang, &r),
            };
        }
        for (name, words) in self.words {
            ctx.insert(name.to_string(), json!(words));
        }
        ctx.insert("error".into(), error);
        let (draft_for, draft) = draft.unwrap_or(("", Value::Null));
        ctx.insert("draft_for".into(), Value::String(draft_for.to_string()));
        ctx.insert("draft".into(), draft);
        ctx.insert(
            "key".into(),
            Value::String(crate::accounts::secret::random("console-")),
        );
        if let Value::Object(extra) = extra {
            ctx.extend(extra);
        }
        page(status, self.template, me.base(Value::Object(ctx)))
    }

    /// After the call of form `which` (`new`, an id, or empty for a form
    /// with nothing to fill in again, as a delete): back to the page when
    /// it was done, or the page again with the refusal and that form as
    /// it was sent.
    pub async fn after(
        &self,
        me: &Signed,
        which: &str,
        fields: &[(String, String)],
        done: Result<Answer, Refusal>,
    ) -> HttpResponse {
        match done {
            Ok(_) => see_other(self.back),
            Err(r) => {
                let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_GATEWAY);
                let draft = (!which.is_empty()).then(|| (which, form::to_json(fields)));
                self.show(me, status, refusal_json(&r), draft, Value::Null)
                    .await
            }
        }
    }
}

/// The `Idempotency-Key` of a form that adds something.
pub(super) fn adding(fields: &[(String, String)], what: &str) -> Write {
    Write {
        key: field(fields, "key").map(|k| format!("{k}-{what}")),
        ..Write::default()
    }
}
