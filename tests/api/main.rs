//! The API tests: one binary that spawns the app and talks HTTP to it, on
//! SQLite and, with `OMBUD_TEST_POSTGRES_URL` set, on PostgreSQL too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod authz;
mod cases;
mod caucus;
mod cli;
mod concurrency;
mod console;
mod desk;
mod errors;
mod evidence;
mod feedback;
mod flows;
mod follow_up;
mod helpers;
mod lifecycle;
mod logs;
mod mail;
mod messages;
mod outages;
mod plans;
mod privacy;
mod queue;
mod related;
mod rulebook;
mod seal;
mod search;
mod security;
mod service_levels;
mod smtp;
mod spec;
mod templates;
mod transactions;
mod triage;
mod webhooks;
