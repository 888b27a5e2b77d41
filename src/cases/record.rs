//! The one place where something that happened to a case is recorded: its
//! timeline entry and the mail it causes are written here, inside the
//! caller's transaction, so they commit with the change that caused them or
//! not at all.

use diesel::prelude::*;

use super::context::CaseContext;
use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{NewTimelineEvent, to_db_time};
use crate::db::prepared::Prepared;
use crate::db::schema::timeline_events;
use crate::domain::events::EventRecord;
use crate::error::ApiResult;
use crate::notify::{self, MailCase};

/// Records `record` on the case of `ctx`: the timeline entry and the mail.
pub fn record(
    conn: &mut DbConnection,
    settings: &Settings,
    ctx: &CaseContext,
    record: &EventRecord,
) -> ApiResult<()> {
    let (kind, data) = record.timeline_parts().map_err(anyhow::Error::from)?;
    Prepared(
        diesel::insert_into(timeline_events::table).values(NewTimelineEvent {
            case_id: record.case_id,
            actor_id: record.actor,
            kind,
            visibility: record.event.visibility(),
            data: data.to_string(),
            created_at: to_db_time(record.at),
        }),
    )
    .execute(conn)?;
    let case = MailCase {
        row: &ctx.row,
        facts: &ctx.facts,
        users: &ctx.users,
        ruling: ctx.ruling.as_ref(),
        category: &ctx.category,
        leads: ctx.setup.as_ref().map(|s| s.leads.as_slice()),
    };
    notify::enqueue(conn, settings, &case, record)?;
    Ok(())
}
