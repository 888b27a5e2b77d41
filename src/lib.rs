//! Ombud: dispute-mediation case management over a REST API.
//!
//! The crate is laid out in layers whose imports point one way: [`routes`]
//! (HTTP) and [`jobs`] call the use cases in [`cases`] and [`accounts`],
//! which use the pure rules of [`domain`], the storage of [`db`] and the
//! mail of [`notify`].

pub mod accounts;
pub mod allocator;
pub mod cases;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod error;
pub mod files;
pub mod jobs;
pub mod notify;
pub mod openapi;
pub mod pagination;
pub mod privacy;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;
