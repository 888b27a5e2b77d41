//! Background work that runs beside the HTTP server (or alone, `ombud worker`).

pub mod delivery;
pub mod follow_up;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::db::Db;
use crate::notify::mailer::Mailer;

/// Starts every background job; they stop when their handles are aborted.
pub fn spawn_all(
    db: Db,
    settings: Arc<Settings>,
    mailer: Mailer,
) -> Vec<tokio::task::JoinHandle<()>> {
    let every = Duration::from_secs(settings.scan_interval_seconds);
    let (scan_db, scan_settings) = (db.clone(), settings.clone());
    let follow_up = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match follow_up::run_once(&scan_db, &scan_settings).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "moved ruled cases on to follow-up"),
                Err(e) => tracing::warn!(error = %e, "follow-up scan failed"),
            }
        }
    });
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let poll = Duration::from_millis(settings.delivery_interval_ms);
    let delivery = tokio::spawn(async move {
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match delivery::run_once(&db, &mailer, &settings, &worker).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(mails = n, "delivered mail"),
                Err(e) => tracing::warn!(error = %e, "mail delivery scan failed"),
            }
        }
    });
    vec![follow_up, delivery]
}
