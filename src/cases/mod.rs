//! The case service: filing, acting, messages, views and the timeline.
//! Every use case takes a transaction, an actor and typed input and returns
//! typed results; routes, the CLI, the demo and the jobs all call these,
//! and nothing else writes to the `cases` table.

pub mod act;
pub mod actions;
pub mod assignment;
pub mod categories;
pub mod context;
pub mod entry;
pub mod evidence;
pub mod feedback;
pub mod file;
pub mod follow_up;
pub mod groups;
pub mod info_requests;
pub mod list;
pub mod messages;
pub mod obligations;
pub mod order;
pub mod queue;
pub mod record;
pub mod related;
pub mod respondents;
pub mod rulebook;
pub mod seal;
pub mod search;
pub mod service_clock;
pub mod service_level;
pub mod service_scan;
pub mod statistics;
pub mod summary;
pub mod templates;
pub mod timeline;
pub mod triage;
pub mod version;
pub mod view;

use crate::db::DbConnection;
use crate::domain::{Actor, CaseId};
use crate::error::ApiResult;
use crate::state::Env;

pub use act::{CaseAction, take};
pub use context::CaseContext;
pub use summary::CaseSummary;
pub use version::{Expected, etag};
pub use view::{CaseView, case_view};

/// One case as `actor` may see it, with what they may do now.
pub fn get(conn: &mut DbConnection, env: &Env, actor: &Actor, id: CaseId) -> ApiResult<CaseView> {
    let (ctx, standing) = CaseContext::load_visible(conn, actor, id, env)?;
    case_view(&ctx, &standing)
}
