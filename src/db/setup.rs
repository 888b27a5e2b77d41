//! The desk's setup as a filing needs it, kept by the process: the
//! categories, the enabled triage rules, the leads and admins mailed for
//! each case waiting for a lead, the service-level policies (migration
//! 000260 adds their trigger) and whether any webhook endpoint exists
//! (000360). Filing read them on every request, for data that changes a
//! few times a day.
//!
//! The copy is never stale. Every change to those tables counts the
//! database's setup generation one up, by trigger (migration 000200), in
//! the transaction of the change; a filing reads the generation with its
//! case number, in the same statement, and uses the kept copy only if it
//! was read at that generation. Otherwise it reads the setup again, in its
//! own transaction, and keeps it. Data read after the generation is at
//! least as new as it, so a copy is never older than its generation says;
//! a change committed by any process is seen by the next filing in every
//! other process.

use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use super::models::{CategoryRow, ServicePolicyRow, TriageRuleRow, UserRow};
use super::schema::{categories, service_policies, triage_rules, users, webhook_endpoints};
use super::{DbConnection, StoreError};
use crate::domain::Role;
use crate::domain::desk::DeskMail;
use crate::domain::service_level::{CalendarSpec, Policy};
use chrono::Duration;

/// The setup, as read at `generation`.
#[derive(Debug)]
pub struct Setup {
    /// The generation it was read at.
    pub generation: i64,
    /// Every category, open or closed.
    pub categories: Vec<CategoryRow>,
    /// The enabled triage rules, in order (parsed where they are run).
    pub rules: Vec<TriageRuleRow>,
    /// The active leads and admins who want a mail for each case waiting
    /// for a lead, by id.
    pub leads: Vec<UserRow>,
    /// The service-level policies, by scope, parsed once per generation
    /// (filing counts with them on every request).
    pub policies: Vec<SetupPolicy>,
    /// Whether any webhook endpoint exists (enabled or not): without one,
    /// a filing writes no delivery and builds no event body.
    pub webhooks: bool,
}

/// A service-level policy as filing uses it: parsed, with the calendar a
/// case keeps (JSON, `CalendarSpec`).
#[derive(Debug)]
pub struct SetupPolicy {
    /// The policy's id.
    pub id: String,
    /// `<priority>/<category id or *>`.
    pub scope: String,
    /// The targets and calendar, ready to count with.
    pub policy: Policy,
    /// The calendar as a case keeps it.
    pub calendar: String,
}

impl SetupPolicy {
    /// Parses a stored policy; `None` (and an error in the log) for one
    /// that cannot be read, which writing it refuses, so it never is.
    fn of(row: ServicePolicyRow) -> Option<SetupPolicy> {
        let parsed = serde_json::from_str::<Vec<String>>(&row.holidays)
            .map_err(|e| e.to_string())
            .and_then(|holidays| {
                let spec = CalendarSpec {
                    hours: row.hours.clone(),
                    time_zone: row.time_zone.clone(),
                    holidays,
                };
                let calendar = spec.calendar()?;
                let json = serde_json::to_string(&spec).map_err(|e| e.to_string())?;
                Ok((calendar, json))
            });
        match parsed {
            Ok((calendar, json)) => Some(SetupPolicy {
                policy: Policy {
                    first_response: Duration::minutes(i64::from(row.first_response_minutes)),
                    resolution: Duration::minutes(i64::from(row.resolution_minutes)),
                    calendar,
                    warn_percent: row.warn_percent,
                },
                calendar: json,
                id: row.id,
                scope: row.scope,
            }),
            Err(e) => {
                tracing::error!(policy = %row.id, error = %e, "a service-level policy cannot be read");
                None
            }
        }
    }
}

impl Setup {
    /// Reads the setup in the caller's transaction, as of `generation`.
    fn read(conn: &mut DbConnection, generation: i64) -> Result<Setup, StoreError> {
        Ok(Setup {
            generation,
            categories: categories::table.order(categories::id.asc()).load(conn)?,
            rules: enabled_rules(conn)?,
            leads: desk_leads(conn)?,
            policies: service_policies::table
                .order(service_policies::scope.asc())
                .load::<ServicePolicyRow>(conn)?
                .into_iter()
                .filter_map(SetupPolicy::of)
                .collect(),
            webhooks: diesel::select(diesel::dsl::exists(
                webhook_endpoints::table.select(webhook_endpoints::id),
            ))
            .get_result(conn)?,
        })
    }

    /// The category named by `key`: its slug (in any case) or its id.
    pub fn category(&self, key: &str) -> Option<&CategoryRow> {
        let key = key.trim();
        let slug = key.to_ascii_lowercase();
        let by_id = uuid::Uuid::parse_str(key)
            .ok()
            .map(|u| u.hyphenated().to_string());
        self.categories
            .iter()
            .find(|c| c.slug == slug || by_id.as_ref() == Some(&c.id.to_db()))
    }
}

/// The process's copy of the setup (one per `AppState`; a fresh one is
/// correct too, only slower).
#[derive(Debug, Default)]
pub struct SetupCache(Mutex<Option<Arc<Setup>>>);

impl SetupCache {
    /// The setup at `generation`, which the caller read in this
    /// transaction: the kept copy if it is that generation's, otherwise
    /// read now (and kept, unless a newer one was kept meanwhile, or what
    /// this transaction reads may still be rolled back with earlier writes
    /// of SQLite's batch: a generation rolled back is counted again by the
    /// next change, with another setup).
    pub fn at(&self, conn: &mut DbConnection, generation: i64) -> Result<Arc<Setup>, StoreError> {
        if let Some(kept) = self.kept().filter(|s| s.generation == generation) {
            return Ok(kept);
        }
        let fresh = Arc::new(Setup::read(conn, generation)?);
        if crate::db::after_uncommitted() {
            return Ok(fresh);
        }
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_none_or(|s| s.generation <= generation) {
            *slot = Some(fresh.clone());
        }
        Ok(fresh)
    }

    fn kept(&self) -> Option<Arc<Setup>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The enabled triage rules, in order.
pub fn enabled_rules(conn: &mut DbConnection) -> Result<Vec<TriageRuleRow>, StoreError> {
    Ok(triage_rules::table
        .filter(triage_rules::enabled.eq(true))
        .order((triage_rules::position.asc(), triage_rules::id.asc()))
        .load(conn)?)
}

/// The active leads and admins who want a mail for each case waiting for
/// a lead, by id.
pub fn desk_leads(conn: &mut DbConnection) -> Result<Vec<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq_any([Role::Lead, Role::Admin]))
        .filter(users::desk_mail.eq(DeskMail::Each))
        .order(users::id.asc())
        .load(conn)?)
}
