//! What request handlers share: the database, the settings, the clock and
//! the gate for password checks.
//! Nothing here knows about HTTP.

use std::sync::Arc;

use crate::accounts::password::PasswordChecks;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::db::setup::SetupCache;
use crate::files::ContentStore;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings the process started with.
    pub settings: Arc<Settings>,
    /// The time as the service sees it.
    pub clock: Clock,
    /// The gate password checks go through.
    pub passwords: PasswordChecks,
    /// The desk's setup as this process last read it.
    pub setup: Arc<SetupCache>,
    /// Where evidence content is kept.
    pub evidence: Arc<dyn ContentStore>,
}

impl AppState {
    /// What a use case needs to know besides its input: the settings and
    /// the time of the request.
    pub fn env(&self) -> Env {
        Env {
            settings: self.settings.clone(),
            now: self.clock.now(),
            setup: self.setup.clone(),
        }
    }
}

/// The settings in force and the time a piece of work happens at: every
/// use case reads the time from here, never from the system clock.
#[derive(Debug, Clone)]
pub struct Env {
    /// The settings.
    pub settings: Arc<Settings>,
    /// The time of the request (or of the job's step).
    pub now: chrono::DateTime<chrono::Utc>,
    /// The desk's setup as this process last read it (`db::setup`).
    pub setup: Arc<SetupCache>,
}

impl Env {
    /// `settings` at `now`, with a setup cache of its own (correct, only
    /// slower than the process's).
    pub fn new(settings: Arc<Settings>, now: chrono::DateTime<chrono::Utc>) -> Env {
        Env {
            settings,
            now,
            setup: Arc::default(),
        }
    }
}
