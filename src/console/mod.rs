//! The web console at `/console`: pages for parties, mediators, leads and
//! admins, rendered on the server from the answers of the public API,
//! which the console calls over loopback with the signed-in user's token
//! ([`api`]). It can do nothing the API cannot, and it is the reference
//! front end for integrators: docs/console.md maps each page to the
//! operations it uses.

pub mod admin;
pub mod api;
pub mod desk;
pub mod form;
pub mod i18n;
pub mod mediator;
pub mod pages;
pub mod render;
pub mod session;
pub mod sheet;

use actix_web::http::header;

use actix_web::{HttpResponse, web};
use pages::{case, cases, evidence, sign_in};

/// What the console's handlers share: one HTTP client for the API.
#[derive(Clone)]
pub struct Console {
    /// The client for loopback calls.
    pub http: reqwest::Client,
}

impl Console {
    /// The console's shared parts.
    pub fn new() -> anyhow::Result<Console> {
        Ok(Console {
            http: api::http_client()?,
        })
    }
}

const STYLE: &str = include_str!("static/console.css");

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLE)
}

/// htmx 2.0.11 (`htmx.org` on npm, Zero-Clause BSD: `static/htmx-LICENSE.txt`),
/// as published (`dist/htmx.min.js`): the small script library the pages use
/// for partial updates. Its name carries its version, so it is cached for good.
const HTMX: &str = include_str!("static/htmx-2.0.11.min.js");

async fn htmx() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(HTMX)
}

/// The console's routes, under `/console`; forms up to `limit` bytes
/// (evidence uploads are read by their handler, up to the evidence limit).
pub fn configure(cfg: &mut web::ServiceConfig, limit: usize) {
    cfg.service(
        web::scope("/console")
            .app_data(web::FormConfig::default().limit(limit))
            .route("", web::get().to(sign_in::home))
            .route("/", web::get().to(sign_in::home))
            .route("/console.css", web::get().to(style))
            .route("/htmx-2.0.11.min.js", web::get().to(htmx))
            .route("/sign-in", web::get().to(sign_in::sign_in_page))
            .route("/sign-in", web::post().to(sign_in::sign_in))
            .route("/sign-out", web::post().to(sign_in::sign_out))
            .route("/cases", web::get().to(cases::cases))
            .route("/statistics", web::get().to(cases::statistics))
            .route("/account", web::get().to(admin::account))
            .route("/account", web::post().to(admin::update_account))
            .route("/users", web::get().to(admin::users))
            .route("/users", web::post().to(admin::create_user))
            .route("/users/{id}", web::post().to(admin::update_user))
            .route("/categories", web::get().to(desk::categories))
            .route("/categories", web::post().to(desk::create_category))
            .route("/categories/{id}", web::post().to(desk::update_category))
            .route("/triage", web::get().to(desk::triage))
            .route("/triage", web::post().to(desk::create_triage_rule))
            .route("/triage/{id}", web::post().to(desk::put_triage_rule))
            .route(
                "/triage/{id}/delete",
                web::post().to(desk::delete_triage_rule),
            )
            .route("/service-levels", web::get().to(desk::service_levels))
            .route(
                "/service-levels",
                web::post().to(desk::create_service_policy),
            )
            .route(
                "/service-levels/{id}",
                web::post().to(desk::put_service_policy),
            )
            .route(
                "/service-levels/{id}/delete",
                web::post().to(desk::delete_service_policy),
            )
            .route("/webhooks", web::get().to(desk::webhooks))
            .route("/webhooks", web::post().to(desk::create_webhook))
            .route("/webhooks/{id}", web::get().to(desk::webhook))
            .route("/webhooks/{id}", web::post().to(desk::update_webhook))
            .route("/webhooks/{id}/ping", web::post().to(desk::ping_webhook))
            .route(
                "/webhooks/{id}/delete",
                web::post().to(desk::delete_webhook),
            )
            .route(
                "/webhooks/{id}/deliveries/{delivery_id}/retry",
                web::post().to(desk::retry_delivery),
            )
            .route("/templates", web::get().to(admin::templates))
            .route("/templates", web::post().to(admin::put_template))
            .route(
                "/templates/{code}/delete",
                web::post().to(admin::delete_template),
            )
            .route("/rules", web::get().to(admin::rules))
            .route("/rules", web::post().to(admin::publish_rule))
            .route("/mediators", web::get().to(admin::mediators))
            .route("/mediators/{user_id}", web::post().to(admin::put_mediator))
            .route("/mediators/{user_id}", web::get().to(mediator::desk))
            .route(
                "/mediators/{user_id}/availability",
                web::post().to(mediator::set_availability),
            )
            .route(
                "/mediators/{user_id}/hand-over",
                web::post().to(mediator::hand_over),
            )
            .route(
                "/mediators/{user_id}/conflicts/{other_id}/withdraw",
                web::post().to(mediator::withdraw_conflict),
            )
            .route(
                "/cases/{id}/conflict",
                web::post().to(mediator::declare_conflict),
            )
            .route("/cases", web::post().to(cases::file_case))
            .route("/cases/new", web::get().to(cases::new_case))
            .route("/cases/{id}", web::get().to(case::case))
            .route("/cases/{id}/messages", web::post().to(case::post_message))
            .route("/cases/{id}/drafts", web::post().to(case::draft))
            .route("/cases/{id}/actions/{action}", web::post().to(case::act))
            .route(
                "/cases/{id}/evidence",
                web::post().to(evidence::add_evidence),
            )
            .route(
                "/cases/{id}/evidence/{evidence_id}",
                web::get().to(evidence::download_evidence),
            )
            .route(
                "/cases/{id}/evidence/{evidence_id}/hide",
                web::post().to(evidence::hide_evidence),
            )
            .route(
                "/cases/{id}/evidence/{evidence_id}/remove",
                web::post().to(evidence::remove_evidence),
            ),
    );
}
