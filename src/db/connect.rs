//! Opening connections: which backend a URL names, and the settings every
//! connection gets so that no call on it can wait without end and no
//! connection's memory follows the size of the database.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::ManageConnection;
use diesel::{Connection, PgConnection, SqliteConnection};

use super::DbConnection;
use super::health::{Health, Watch};

/// SQLite's page cache per connection, in KiB: SQLite's usual default,
/// made explicit so no build or file changes it. A sort without an index
/// buffers at most as much before spilling to a temporary file. With the
/// pool's size this bounds what the process keeps of the file, however
/// large the file grows: see docs/operations.md.
pub const SQLITE_CACHE_KIB: u32 = 2048;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL (`postgres://` or `postgresql://`).
    Postgres,
    /// SQLite (`sqlite://PATH` or `sqlite:PATH`).
    Sqlite,
}

impl Backend {
    /// Reads the backend from the URL scheme; for SQLite, also returns the file path.
    pub fn from_url(url: &str) -> anyhow::Result<(Backend, String)> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok((Backend::Postgres, url.to_string()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            anyhow::ensure!(!path.is_empty(), "DATABASE_URL names no SQLite file");
            anyhow::ensure!(
                !path.contains(":memory:"),
                "an in-memory SQLite database cannot be shared by the pool; name a file"
            );
            return Ok((Backend::Sqlite, path.to_string()));
        }
        anyhow::bail!("DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
    }
}

/// Opens connections for the pool, choosing the backend from the URL and
/// setting every connection up for bounded waits.
#[derive(Clone)]
pub struct Manager {
    pub(super) backend: Backend,
    target: String,
    timeout: Duration,
    pub(super) health: Arc<Health>,
}

impl Manager {
    /// A manager for `url`; no call on its connections waits longer than
    /// `timeout` for the database (SQLite: for another writer).
    pub fn new(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let (backend, target) = Backend::from_url(url)?;
        let target = match backend {
            Backend::Postgres => with_timeouts(&target, timeout),
            Backend::Sqlite => {
                // The file's folder (`data/` by default) is made if missing;
                // a SQLite URI (`file:...?mode=ro`) is taken as it is.
                let plain = !target.starts_with("file:");
                let folder = plain
                    .then(|| std::path::Path::new(&target).parent())
                    .flatten();
                if let Some(folder) = folder.filter(|f| !f.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder).map_err(|e| {
                        anyhow::anyhow!("cannot create the folder {}: {e}", folder.display())
                    })?;
                }
                target
            }
        };
        Ok(Manager {
            backend,
            target,
            timeout,
            health: Arc::new(Health::default()),
        })
    }

    /// Opens one connection, with the backend's real error on failure.
    pub fn open(&self) -> Result<DbConnection, diesel::r2d2::Error> {
        let ms = millis(self.timeout);
        let mut conn = match self.backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&self.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // Enforced by the server, so a slow statement ends there too
                // and its connection comes back.
                conn.batch_execute(&format!("SET statement_timeout = {ms}"))
                    .map_err(diesel::r2d2::Error::QueryError)?;
                DbConnection::Postgresql(conn)
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // The page cache is bounded and the file is read through it,
                // not mapped; temporary sorts go to files, not memory.
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {ms}; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
                     PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA mmap_size = 0; \
                     PRAGMA temp_store = FILE;"
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                DbConnection::Sqlite(conn)
            }
        };
        conn.set_instrumentation(Watch::new(self.health.clone()));
        Ok(conn)
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        diesel::r2d2::R2D2Connection::ping(conn).map_err(diesel::r2d2::Error::QueryError)
    }

    /// A connection is not reused when a query on it found the connection
    /// lost (see [`Watch`]), or when diesel's own transaction state says it
    /// was left in a transaction; no test query is needed before each
    /// checkout. Writes open and end their transactions themselves
    /// (`in_transaction`, and SQLite's writer), on every path including a panic, so a
    /// connection goes back to the pool outside one.
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn) || Watch::lost(conn)
    }
}

/// Whole milliseconds of `d`, for SQL settings.
pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Adds libpq's connection timeouts to a PostgreSQL URL, keeping any the
/// URL sets itself: connecting gives up after `timeout`, a server that
/// stops acknowledging what is sent is given up after `timeout`, and idle
/// pooled connections are probed so a vanished server is noticed.
pub fn with_timeouts(url: &str, timeout: Duration) -> String {
    let secs = timeout.as_secs().max(2);
    let probe = (secs / 3).max(1);
    let wanted = [
        ("connect_timeout", secs.to_string()),
        ("tcp_user_timeout", millis(timeout).to_string()),
        ("keepalives", "1".to_string()),
        ("keepalives_idle", (secs * 6).to_string()),
        ("keepalives_interval", probe.to_string()),
        ("keepalives_count", "3".to_string()),
    ];
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let present: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .collect();
    let mut out = url.to_string();
    for (key, value) in wanted {
        if present.contains(&key) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&format!("{key}={value}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_get_timeouts_unless_they_set_their_own() {
        let five = Duration::from_secs(5);
        let url = with_timeouts("postgres://u@h/db", five);
        assert!(
            url.starts_with("postgres://u@h/db?connect_timeout=5&"),
            "{url}"
        );
        assert!(url.contains("tcp_user_timeout=5000"), "{url}");
        assert!(url.contains("keepalives=1"), "{url}");
        let own = with_timeouts("postgres://u@h/db?sslmode=require&connect_timeout=9", five);
        assert!(own.contains("connect_timeout=9"), "{own}");
        assert!(!own.contains("connect_timeout=5"), "{own}");
        assert!(
            own.contains("connect_timeout=9&tcp_user_timeout=5000&"),
            "{own}"
        );
    }
}
