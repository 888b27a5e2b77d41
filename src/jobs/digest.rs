//! The leads' digest: every `desk_digest_minutes`, each lead or admin whose
//! `desk_mail` is `digest` gets one mail listing the cases waiting for a
//! lead (how many, and the most urgent), if any are.
//!
//! Safe to run in many processes at once: a lead's period is claimed by a
//! conditional update of their `desk_digest_at` in the same transaction as
//! the mail, so only one process writes each digest.

use std::sync::Arc;

use chrono::Duration;
use diesel::prelude::*;

use crate::cases::queue::waiting_for_leads;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::{UserRow, to_db_time};
use crate::db::schema::users;
use crate::db::{Db, StoreError};
use crate::domain::Role;
use crate::domain::desk::DeskMail;
use crate::error::ApiResult;
use crate::notify::{DigestLine, enqueue_digest};

/// Most cases a digest lists; the rest are counted.
pub const LISTED: i64 = 20;

/// One look; returns how many digests were written.
pub async fn run_once(db: &Db, settings: &Arc<Settings>, clock: &Clock) -> ApiResult<usize> {
    let now = clock.now();
    let cutoff = to_db_time(now - Duration::minutes(settings.desk_digest_minutes));
    let due = move || {
        users::desk_digest_at
            .is_null()
            .or(users::desk_digest_at.le(cutoff))
    };
    let leads: Vec<UserRow> = db
        .read(move |conn| -> Result<_, StoreError> {
            Ok(users::table
                .filter(users::active.eq(true))
                .filter(users::role.eq_any([Role::Lead, Role::Admin]))
                .filter(users::desk_mail.eq(DeskMail::Digest))
                .filter(due())
                .load(conn)?)
        })
        .await?;
    let mut written = 0;
    for lead in leads {
        let settings = settings.clone();
        let id = lead.id;
        let wrote = db
            .write(move |conn| -> ApiResult<bool> {
                // Nothing waits: nothing is sent, and the period is not used
                // up, so the first case to wait is told at the next look.
                let (count, rows) = waiting_for_leads(conn, lead.id, LISTED)?;
                if count == 0 {
                    return Ok(false);
                }
                // Claimed only if still due and still wanted (a lead may have
                // changed their choice, or been deactivated, since the read).
                let claimed = diesel::update(
                    users::table
                        .find(lead.id)
                        .filter(due())
                        .filter(users::active.eq(true))
                        .filter(users::role.eq_any([Role::Lead, Role::Admin]))
                        .filter(users::desk_mail.eq(DeskMail::Digest)),
                )
                .set(users::desk_digest_at.eq(Some(to_db_time(now))))
                .execute(conn)?;
                if claimed == 0 {
                    return Ok(false);
                }
                let lines: Vec<DigestLine> = rows
                    .into_iter()
                    .map(|c| DigestLine {
                        reference: c.reference,
                        priority: c.priority,
                        // One line per case, whatever its title holds.
                        title: c.title.replace(['\r', '\n'], " "),
                    })
                    .collect();
                enqueue_digest(conn, &settings, &lead, count, &lines, now)?;
                Ok(true)
            })
            .await;
        match wrote {
            Ok(wrote) => written += usize::from(wrote),
            // One lead's failure must not hold up the others' digests.
            Err(e) => tracing::warn!(lead = %id, error = %e, "could not write a digest"),
        }
    }
    Ok(written)
}
