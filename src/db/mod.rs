//! Database access: one connection type over PostgreSQL and SQLite, a pool,
//! embedded migrations, and the two ways handlers reach the database
//! ([`Db::read`] and [`Db::write`]).

pub mod error;
pub mod models;
pub mod schema;
pub mod signal;
pub mod sql_types;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use error::StoreError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL.
    Postgresql(PgConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}

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
/// setting SQLite up for concurrent use on every connection.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    target: String,
    busy_timeout_ms: u64,
}

impl Manager {
    /// A manager for `url`; SQLite waits up to `busy` for another writer.
    pub fn new(url: &str, busy: Duration) -> anyhow::Result<Self> {
        let (backend, target) = Backend::from_url(url)?;
        let busy_timeout_ms = u64::try_from(busy.as_millis()).unwrap_or(u64::MAX);
        Ok(Manager {
            backend,
            target,
            busy_timeout_ms,
        })
    }

    /// Opens one connection, with the backend's real error on failure.
    pub fn open(&self) -> Result<DbConnection, diesel::r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.target)
                .map(DbConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = {}; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                    self.busy_timeout_ms
                ))
                .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// The database as handlers and jobs see it: a pool plus the rules for
/// reading and writing. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// SQLite allows one writer at a time; writers in this process queue here
    /// (for at most `timeout`) rather than fail with "database is locked".
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// How long to wait for a connection or for the SQLite writer's turn.
    timeout: Duration,
    /// Woken when a transaction that wrote mail commits ([`signal`]).
    new_mail: Arc<tokio::sync::Notify>,
}

impl Db {
    /// Connects to `url`, applies pending migrations and builds the pool.
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<Db> {
        let manager = Manager::new(url, timeout)?;
        let backend = manager.backend;
        // One direct connection first, so a bad URL reports its real cause.
        let mut conn = manager
            .open()
            .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        run_migrations(&mut conn)?;
        drop(conn);
        // No minimum of idle connections: with one, taking the last idle
        // connection makes the pool open another in the background, and a
        // short command (`ombud demo`) that exits while libpq is in the middle
        // of that can crash in its exit handlers (seen once in CI: SIGSEGV
        // after the demo's last line). Connections are opened when asked for
        // and kept while idle.
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .build(manager)?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            timeout,
            new_mail: Arc::new(tokio::sync::Notify::new()),
        })
    }

    /// Runs `f` on a pooled connection on a blocking thread. `f` fails with
    /// its caller's error type, which storage failures convert into.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(|e| StoreError::Failed(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Runs `f` in one transaction on a blocking thread: everything it writes
    /// commits together or not at all.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let turn = match self.backend {
            Backend::Sqlite => {
                let lock = self.write_lock.clone().lock_owned();
                let waited = tokio::time::timeout(self.timeout, lock).await;
                Some(
                    waited
                        .map_err(|_| StoreError::Unavailable("waited too long to write".into()))?,
                )
            }
            Backend::Postgres => None,
        };
        let (pool, backend, new_mail) = (self.pool.clone(), self.backend, self.new_mail.clone());
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut conn = pool.get().map_err(StoreError::from)?;
            signal::take_mail_written();
            let done = in_transaction(&mut conn, backend, f);
            if signal::take_mail_written() && done.is_ok() {
                new_mail.notify_one();
            }
            done
        })
        .await
        .map_err(|e| StoreError::Failed(anyhow::anyhow!("database task failed: {e}")))?
    }

    /// Resolves when a transaction of this process that wrote mail has
    /// committed since the last call (one wake-up is kept if nobody waits).
    pub async fn new_mail(&self) {
        self.new_mail.notified().await;
    }

    /// [`Db::write`] for callers on a blocking thread outside the async
    /// runtime's workers (the CLI's commands).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        E: From<StoreError>,
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
    {
        let _guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.blocking_lock()),
            Backend::Postgres => None,
        };
        let mut conn = self.pool.get().map_err(StoreError::from)?;
        in_transaction(&mut conn, self.backend, f)
    }
}

/// Runs `f` in a transaction. On SQLite the transaction is `BEGIN IMMEDIATE`:
/// it takes the write lock up front (waiting up to the busy timeout for
/// another process), so a transaction that reads and then writes can never
/// fail half-way because someone else wrote in between.
fn in_transaction<T, E, F>(conn: &mut DbConnection, backend: Backend, f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
{
    let store = |e: diesel::result::Error| E::from(StoreError::from(e));
    if backend == Backend::Postgres {
        return conn
            .transaction(|c| f(c).map_err(InTransaction::Failed))
            .map_err(|e| match e {
                InTransaction::Failed(e) => e,
                InTransaction::Store(e) => store(e),
            });
    }
    // A connection given back to the pool by a panic may still be inside a
    // transaction; end it (an error here just means there was none).
    let _ = conn.batch_execute("ROLLBACK");
    conn.batch_execute("BEGIN IMMEDIATE").map_err(store)?;
    match f(conn) {
        Ok(value) => match conn.batch_execute("COMMIT") {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = conn.batch_execute("ROLLBACK");
                Err(store(e))
            }
        },
        Err(e) => {
            let _ = conn.batch_execute("ROLLBACK");
            Err(e)
        }
    }
}

/// Why a PostgreSQL transaction ended: the work's own error, or the
/// database's (begin, commit).
enum InTransaction<E> {
    Failed(E),
    Store(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for InTransaction<E> {
    fn from(e: diesel::result::Error) -> Self {
        InTransaction::Store(e)
    }
}

/// Applies the pending migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    for m in applied {
        tracing::info!(migration = %m, "applied migration");
    }
    Ok(())
}
