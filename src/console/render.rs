//! The console's pages: minijinja templates (as the mail uses), embedded at
//! build time, escaping everything they insert.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use minijinja::{Environment, State, Value};

use super::i18n;

const TEMPLATES: [(&str, &str); 20] = [
    ("mediators.html", include_str!("templates/mediators.html")),
    ("templates.html", include_str!("templates/templates.html")),
    ("rules.html", include_str!("templates/rules.html")),
    ("account.html", include_str!("templates/account.html")),
    ("users.html", include_str!("templates/users.html")),
    ("categories.html", include_str!("templates/categories.html")),
    ("triage.html", include_str!("templates/triage.html")),
    (
        "service_levels.html",
        include_str!("templates/service_levels.html"),
    ),
    ("webhooks.html", include_str!("templates/webhooks.html")),
    ("webhook.html", include_str!("templates/webhook.html")),
    ("desk.html", include_str!("templates/desk.html")),
    (
        "session_ended.html",
        include_str!("templates/session_ended.html"),
    ),
    ("statistics.html", include_str!("templates/statistics.html")),
    ("layout.html", include_str!("templates/layout.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("cases.html", include_str!("templates/cases.html")),
    ("case.html", include_str!("templates/case.html")),
    ("file.html", include_str!("templates/file.html")),
    ("error.html", include_str!("templates/error.html")),
    ("macros.html", include_str!("templates/macros.html")),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // A broken template fails its test (`every_template_compiles`),
            // and its page answers 500, never a half page.
            let _ = env.add_template(name, source);
        }
        env.add_function("t", t);
        env.add_filter("when", when);
        env.add_filter("day", day);
        env
    })
}

/// `t("key")`: the wording of `key` in the page's language (`lang`);
/// `t("key", "fallback")` gives the fallback where no catalogue has it.
fn t(state: &State, key: &str, fallback: Option<&str>) -> String {
    let lang = state.lookup("lang");
    let lang = lang.as_ref().and_then(Value::as_str).unwrap_or("en");
    let text = i18n::text(lang, key);
    match fallback {
        Some(f) if text == key => f.to_string(),
        _ => text,
    }
}

/// An RFC 3339 time as `2026-11-22 10:00 UTC`.
fn when(value: Value) -> String {
    let Some(s) = value.as_str() else {
        return String::new();
    };
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => s.to_string(),
    }
}

/// An RFC 3339 time as its day, `2026-11-22`.
fn day(value: Value) -> String {
    when(value).chars().take(10).collect()
}

/// Renders `name` with `ctx` as an HTML answer with `status`.
pub fn page(status: StatusCode, name: &str, ctx: Value) -> HttpResponse {
    let html = env().get_template(name).and_then(|t| t.render(ctx));
    match html {
        Ok(html) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, template = name, "a console page could not be rendered");
            HttpResponse::InternalServerError()
                .insert_header((header::CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("The page could not be shown.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        env.add_function("t", t);
        env.add_filter("when", when);
        env.add_filter("day", day);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
        for (name, _) in TEMPLATES {
            env.get_template(name)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn times_read_as_utc_minutes() {
        assert_eq!(
            when(Value::from("2026-11-22T10:00:59Z")),
            "2026-11-22 10:00 UTC"
        );
        assert_eq!(day(Value::from("2026-11-22T10:00:59+02:00")), "2026-11-22");
        assert_eq!(when(Value::from(())), "");
    }
}
