//! Background work that runs beside the HTTP server (or alone).

pub mod follow_up;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::db::Db;

/// Starts every background job; they stop when their handles are aborted.
pub fn spawn_all(db: Db, settings: Arc<Settings>) -> Vec<tokio::task::JoinHandle<()>> {
    let every = Duration::from_secs(settings.scan_interval_seconds);
    vec![tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match follow_up::run_once(&db, &settings).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(cases = n, "moved ruled cases on to follow-up"),
                Err(e) => tracing::warn!(error = %e, "follow-up scan failed"),
            }
        }
    })]
}
