//! Removes what evidence uploads leave behind: staging files of uploads
//! that never finished (the client went away, the process was killed), and
//! content no evidence refers to any more (its file was removed, or the
//! upload failed after the content was kept). Only what is older than
//! [`GRACE`] goes, so an upload in progress, or one whose row is about to
//! be committed, is never touched: keeping content marks it as just used
//! (`files::ContentStore::keep`).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::evidence;
use crate::db::{Db, StoreError};
use crate::error::ApiResult;
use crate::files::{ContentStore, on_store};

/// How old leftovers must be before they are removed.
pub const GRACE: Duration = Duration::hours(1);

/// How often the sweep runs.
pub const EVERY: Duration = Duration::hours(1);

/// What one sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Staging files of unfinished uploads.
    pub staging: usize,
    /// Content no evidence refers to.
    pub contents: usize,
}

fn old(at: std::time::SystemTime, now: DateTime<Utc>) -> bool {
    DateTime::<Utc>::from(at) + GRACE < now
}

/// One sweep, as of `now`.
pub async fn run_once(
    db: &Db,
    store: Arc<dyn ContentStore>,
    now: DateTime<Utc>,
) -> ApiResult<Swept> {
    let mut swept = Swept::default();
    let staged = on_store({
        let store = store.clone();
        move || store.staged()
    })
    .await?;
    for (path, at) in staged {
        if old(at, now) {
            let store = store.clone();
            on_store(move || store.discard(&path)).await?;
            swept.staging += 1;
        }
    }
    let kept = on_store({
        let store = store.clone();
        move || store.contents()
    })
    .await?;
    let candidates: Vec<String> = kept
        .into_iter()
        .filter(|(_, at)| old(*at, now))
        .map(|(sha, _)| sha)
        .collect();
    for chunk in candidates.chunks(500) {
        let chunk = chunk.to_vec();
        let asked = chunk.clone();
        let used: Vec<String> = db
            .read(move |conn| -> Result<_, StoreError> {
                Ok(evidence::table
                    .filter(evidence::sha256.eq_any(asked))
                    .select(evidence::sha256)
                    .distinct()
                    .load(conn)?)
            })
            .await?;
        for sha in chunk.into_iter().filter(|s| !used.contains(s)) {
            let store = store.clone();
            // Kept again since it was listed: an upload is using it.
            let removed = on_store(move || match store.kept_at(&sha)? {
                Some(at) if old(at, now) => store.remove(&sha).map(|()| true),
                _ => Ok(false),
            })
            .await?;
            swept.contents += usize::from(removed);
        }
    }
    Ok(swept)
}
