//! Ombud: dispute-mediation case management over a REST API.
//!
//! The crate is laid out by concern: [`domain`] holds the pure rules,
//! [`db`] the storage, [`routes`] the HTTP handlers, [`jobs`] background work.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod events;
pub mod jobs;
pub mod notify;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod telemetry;
