//! Spawning the app on a fresh database per test, and builders for users,
//! categories and cases in every state.
//!
//! By topic: [`databases`] (the backends and a database per test), [`app`]
//! (spawning the app and talking HTTP to it), [`cast`] (users, categories
//! and cases driven into any state) and [`freezer`] (a PostgreSQL that stops
//! answering).

mod app;
pub mod browser;
mod cast;
mod databases;
mod freezer;

use reqwest::Response;
use serde_json::Value;

pub use app::{
    TestApp, TestUser, on_each_backend, spawn_app, spawn_app_on, spawn_app_with, test_settings,
};
pub use cast::{Cast, PASSWORD, body_for, case_in};
pub use databases::{Backend, TestDb, backends};
pub use freezer::Freezer;

/// The `ombud` binary as a command, run from the system's temporary
/// folder: what it writes by a relative default (`data/`: mail, evidence,
/// a database) never lands in the repository, the working directory of
/// `cargo test`.
pub fn ombud_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ombud"));
    cmd.current_dir(std::env::temp_dir());
    cmd
}

/// Reads a problem+json body, checking the content type.
pub async fn problem(res: Response) -> Value {
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        ct.starts_with("application/problem+json"),
        "content type {ct}"
    );
    res.json().await.expect("problem json")
}
