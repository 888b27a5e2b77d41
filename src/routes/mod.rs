//! HTTP handlers, one folder per resource and one file per handler.

pub mod auth;
pub mod cases;
pub mod categories;
pub mod client;
pub mod docs;
pub mod errors;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod mediators;
pub mod outbox;
pub mod rules;
pub mod security;
pub mod service_policies;
pub mod spec;
pub mod statistics;
pub mod templates;
pub mod triage;
pub mod users;
pub mod webhooks;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every API handler (under `/api/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/openapi.json", actix_web::web::get().to(spec::serve));
    cfg.service(auth::create_token::create_token)
        .service(auth::list_tokens::list_tokens)
        .service(auth::revoke_token::revoke_token)
        .service(auth::create_service_token::create_service_token)
        .service(users::get_me::get_me)
        .service(users::create_user::create_user)
        .service(users::list_users::list_users)
        .service(users::get_user::get_user)
        .service(users::export_user::export_user)
        .service(users::erase_user::erase_user)
        .service(users::update_user::update_user)
        .service(categories::list_categories::list_categories)
        .service(categories::create_category::create_category)
        .service(categories::update_category::update_category)
        .service(cases::file_case::file_case)
        .service(cases::list_cases::list_cases)
        .service(cases::queue::get_queue)
        .service(cases::get_case::get_case)
        .service(cases::list_timeline::list_timeline)
        .service(cases::list_timeline::verify_timeline)
        .service(cases::list_messages::list_messages)
        .service(cases::list_messages::list_threads)
        .service(cases::post_message::post_message)
        .service(cases::evidence::add_evidence)
        .service(cases::evidence::list_evidence)
        .service(cases::evidence::download_evidence)
        .service(cases::evidence::hide_evidence)
        .service(cases::evidence::remove_evidence)
        .service(cases::feedback::give_feedback)
        .service(cases::feedback::list_feedback)
        .service(cases::obligations::list_obligations)
        .service(cases::obligations::record_obligation)
        .service(cases::related::get_related)
        .service(cases::related::link_case)
        .service(cases::related::unlink_case)
        .service(cases::related::group_cases)
        .service(cases::related::ungroup_case);
    use mediators as m;
    cfg.service(m::list_mediators::list_mediators)
        .service(m::get_mediator::get_mediator)
        .service(m::put_mediator::put_mediator)
        .service(m::set_availability::set_availability)
        .service(m::hand_over::hand_over)
        .service(m::list_conflicts::list_conflicts)
        .service(m::declare_conflict::declare_conflict)
        .service(m::withdraw_conflict::withdraw_conflict)
        .service(triage::list_triage_rules::list_triage_rules)
        .service(triage::create_triage_rule::create_triage_rule)
        .service(triage::put_triage_rule::put_triage_rule)
        .service(triage::delete_triage_rule::delete_triage_rule)
        .service(service_policies::list_service_policies)
        .service(service_policies::create_service_policy)
        .service(service_policies::put_service_policy)
        .service(service_policies::delete_service_policy)
        .service(statistics::get_statistics)
        .service(rules::list_rules::list_rules)
        .service(rules::publish_rule::publish_rule)
        .service(rules::get_rule::get_rule)
        .service(rules::get_rule_version::get_rule_version)
        .service(templates::list_templates::list_templates)
        .service(templates::put_template::put_template)
        .service(templates::delete_template::delete_template)
        .service(cases::case_templates::list_case_templates)
        .service(cases::draft_message::draft_message);
    cfg.service(outbox::list_outbox::list_outbox)
        .service(outbox::get_mail::get_mail)
        .service(outbox::retry_mail::retry_mail);
    use webhooks as w;
    cfg.service(w::create_webhook::create_webhook)
        .service(w::list_webhooks::list_webhooks)
        .service(w::get_webhook::get_webhook)
        .service(w::update_webhook::update_webhook)
        .service(w::delete_webhook::delete_webhook)
        .service(w::ping_webhook::ping_webhook)
        .service(w::list_deliveries::list_deliveries)
        .service(w::get_delivery::get_delivery)
        .service(w::retry_delivery::retry_delivery);
    use cases::actions as a;
    cfg.service(a::assign)
        .service(a::claim)
        .service(a::start_investigation)
        .service(a::request_info)
        .service(a::propose_settlement)
        .service(a::accept_settlement)
        .service(a::reject_settlement)
        .service(a::issue_ruling)
        .service(a::accept_ruling)
        .service(a::appeal)
        .service(a::decide_appeal)
        .service(a::close)
        .service(a::reopen)
        .service(a::withdraw)
        .service(a::dismiss);
}
