//! What the pool and readiness learn from the queries that fail: a lost
//! connection is not handed out again, and a database that refused to write
//! keeps `/ready` failing for a while.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

use super::DbConnection;
use super::error::{Outage, outage};

/// How long a refused write keeps readiness failing, unless a write
/// succeeds first. Long enough for a load balancer's probe to see it,
/// short enough that an instance that got no writes since comes back.
pub const REFUSAL_MEMORY: Duration = Duration::from_secs(30);

/// The database's health as this process has seen it, shared by every
/// connection of a pool.
#[derive(Debug, Default)]
pub struct Health {
    refused: Mutex<Option<(Instant, String)>>,
}

impl Health {
    pub(super) fn refused(&self, why: String) {
        if let Ok(mut r) = self.refused.lock() {
            *r = Some((Instant::now(), why));
        }
    }

    /// A write committed: the database takes writes again.
    pub fn wrote(&self) {
        if let Ok(mut r) = self.refused.lock()
            && r.is_some()
        {
            *r = None;
        }
    }

    /// Why writes are being refused, if one was within `memory` and none
    /// has succeeded since.
    pub fn refusing(&self, memory: Duration) -> Option<String> {
        let r = self.refused.lock().ok()?;
        r.as_ref()
            .filter(|(at, _)| at.elapsed() < memory)
            .map(|(_, why)| why.clone())
    }
}

/// Watches every query on one connection (as diesel instrumentation):
/// remembers whether the connection was lost, and tells [`Health`] when
/// the database refuses a write.
pub struct Watch {
    lost: bool,
    /// A statement changed data since the last [`Watch::take_changed`].
    changed: bool,
    health: Arc<Health>,
}

impl Watch {
    /// A watch reporting to `health`.
    pub fn new(health: Arc<Health>) -> Watch {
        Watch {
            lost: false,
            changed: false,
            health,
        }
    }

    /// Whether a statement on `conn` changed data since the last call
    /// (an INSERT, UPDATE, DELETE or schema change that succeeded); clears the mark. A
    /// transaction that only read, such as a claim that found no mail, says
    /// nothing about whether the database takes writes.
    pub fn take_changed(conn: &mut DbConnection) -> bool {
        conn.instrumentation()
            .downcast_mut::<Watch>()
            .is_some_and(|w| std::mem::take(&mut w.changed))
    }

    /// Whether a query on `conn` found its connection lost.
    pub fn lost(conn: &mut DbConnection) -> bool {
        conn.instrumentation()
            .downcast_ref::<Watch>()
            .is_some_and(|w| w.lost)
    }
}

impl Instrumentation for Watch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::FinishQuery { error: Some(e), .. } => match outage(e) {
                Some(Outage::Lost) => self.lost = true,
                Some(Outage::Refused) => self.health.refused(e.to_string()),
                Some(Outage::Busy) | None => {}
            },
            InstrumentationEvent::FinishQuery {
                query, error: None, ..
            } if !self.changed => {
                let sql = query.to_string();
                let verb = sql.trim_start().get(..6).unwrap_or_default();
                self.changed = ["INSERT", "UPDATE", "DELETE", "CREATE", "ALTER ", "DROP "]
                    .iter()
                    .any(|v| verb.eq_ignore_ascii_case(v));
            }
            _ => {}
        }
    }
}

/// Connection failures the pool meets while opening connections in the
/// background: a warning per period with how many it stood for, instead of
/// an error per attempt while the database is away.
#[derive(Debug)]
pub struct PoolErrors;

static POOL_ERRORS: crate::telemetry::Throttle =
    crate::telemetry::Throttle::new(Duration::from_secs(10));

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        if let Some(held_back) = POOL_ERRORS.admit() {
            let error = error.to_string();
            tracing::warn!(
                error = error.trim_end(),
                held_back,
                "cannot open a database connection"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_remembered_until_a_write_succeeds_or_it_is_old() {
        let h = Health::default();
        assert_eq!(h.refusing(REFUSAL_MEMORY), None);
        h.refused("database or disk is full".into());
        assert_eq!(
            h.refusing(REFUSAL_MEMORY).as_deref(),
            Some("database or disk is full")
        );
        assert_eq!(h.refusing(Duration::ZERO), None, "forgotten when old");
        h.wrote();
        assert_eq!(h.refusing(REFUSAL_MEMORY), None);
    }
}
