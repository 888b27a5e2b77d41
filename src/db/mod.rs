//! Database access: one connection type over PostgreSQL and SQLite, a pool,
//! embedded migrations, and the two ways handlers reach the database
//! ([`Db::read`] and [`Db::write`]), each of which answers within the
//! database timeout whatever the database does.

pub mod bulk;
mod connect;
pub mod error;
mod health;
pub mod models;
pub mod prepared;
pub mod schema;
pub mod setup;
pub mod signal;
pub mod sql_types;
#[cfg(test)]
mod tests;
mod writer;

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub use connect::{Backend, Manager};
pub use error::StoreError;
use health::Health;
pub use health::REFUSAL_MEMORY;
pub use writer::after_uncommitted;

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

/// The database as handlers and jobs see it: a pool plus the rules for
/// reading and writing. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    /// SQLite allows one writer at a time: this process's writes go to its
    /// one writer ([`writer`]), which runs them in turn and commits those
    /// waiting together. `None` on PostgreSQL.
    writer: Option<std::sync::mpsc::Sender<writer::Job>>,
    /// The most a call may take, from being asked for to its answer: the
    /// writer's queue, the pool, SQLite's busy wait and the work together.
    timeout: Duration,
    health: Arc<Health>,
    /// Woken when a transaction that wrote mail commits ([`signal`]).
    new_mail: Arc<tokio::sync::Notify>,
    /// Woken when a transaction that wrote webhook deliveries commits.
    new_webhook: Arc<tokio::sync::Notify>,
}

impl Db {
    /// Connects to `url`, applies pending migrations and builds the pool.
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<Db> {
        let manager = Manager::new(url, timeout)?;
        let (backend, health) = (manager.backend, manager.health.clone());
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
        // and kept while idle. No test query before each checkout: a lost
        // connection is known by the error it gave (`Manager::has_broken`).
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(0))
            .test_on_check_out(false)
            .error_handler(Box::new(health::PoolErrors))
            .connection_timeout(timeout)
            .build(manager)?;
        let new_mail = Arc::new(tokio::sync::Notify::new());
        let new_webhook = Arc::new(tokio::sync::Notify::new());
        let writer = match backend {
            Backend::Sqlite => Some(
                writer::Writer {
                    pool: pool.clone(),
                    health: health.clone(),
                    new_mail: new_mail.clone(),
                    new_webhook: new_webhook.clone(),
                    batch_time: writer::BATCH_TIME,
                }
                .start()?,
            ),
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            writer,
            timeout,
            health,
            new_mail,
            new_webhook,
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
        let deadline = Instant::now() + self.timeout;
        let pool = self.pool.clone();
        within(deadline, move || {
            let mut conn = checkout(&pool, deadline)?;
            f(&mut conn)
        })
        .await
    }

    /// Runs `f` in one transaction (on PostgreSQL on a blocking thread, on
    /// SQLite on the writer's thread, in a savepoint of a transaction it may
    /// share): everything it writes commits together or not at all, and it
    /// is answered once that is known.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        if let Some(queue) = &self.writer {
            let (job, answer) = writer::job(deadline, f);
            queue.send(job).map_err(|_| writer_gone())?;
            return match tokio::time::timeout_at(deadline.into(), answer).await {
                Ok(Ok(done)) => done,
                Ok(Err(_)) => Err(task_failed().into()),
                Err(_) => Err(StoreError::Unavailable(
                    "the database did not answer in time".into(),
                )
                .into()),
            };
        }
        let (pool, health) = (self.pool.clone(), self.health.clone());
        let (new_mail, new_webhook) = (self.new_mail.clone(), self.new_webhook.clone());
        within(deadline, move || {
            let mut conn = checkout(&pool, deadline)?;
            signal::take_written();
            health::Watch::take_changed(&mut conn);
            let done = in_transaction(&mut conn, deadline, f);
            // Only a commit that changed data shows the database takes writes.
            if health::Watch::take_changed(&mut conn) && done.is_ok() {
                health.wrote();
            }
            let (mail, webhook) = signal::take_written();
            if mail && done.is_ok() {
                new_mail.notify_one();
            }
            if webhook && done.is_ok() {
                new_webhook.notify_one();
            }
            done
        })
        .await
    }

    /// Resolves when a transaction of this process that wrote mail has
    /// committed since the last call (one wake-up is kept if nobody waits).
    pub async fn new_mail(&self) {
        self.new_mail.notified().await;
    }

    /// Resolves when a transaction of this process that wrote webhook
    /// deliveries has committed since the last call.
    pub async fn new_webhook(&self) {
        self.new_webhook.notified().await;
    }

    /// [`Db::write`] for callers on a blocking thread outside the async
    /// runtime's workers (the CLI's commands).
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
    {
        let deadline = Instant::now() + self.timeout;
        if let Some(queue) = &self.writer {
            if writer::on_writer() {
                // It would wait for itself.
                let why = anyhow::anyhow!("a write cannot wait for another write");
                return Err(StoreError::Failed(why).into());
            }
            let (job, answer) = writer::job(deadline, f);
            queue.send(job).map_err(|_| writer_gone())?;
            return answer
                .blocking_recv()
                .unwrap_or_else(|_| Err(task_failed().into()));
        }
        let mut conn = checkout(&self.pool, deadline)?;
        in_transaction(&mut conn, deadline, f)
    }

    /// Whether the database serves: it answers a query within the timeout,
    /// and has not refused a write lately (disk full, read-only) unless a
    /// write succeeded since.
    pub async fn ready(&self) -> Result<(), StoreError> {
        if let Some(why) = self.health.refusing(REFUSAL_MEMORY) {
            return Err(StoreError::Unavailable(format!("writes refused: {why}")));
        }
        self.read(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map(drop)
                .map_err(StoreError::from)
        })
        .await
    }
}

/// A write's task ended without an answer (it panicked).
fn task_failed() -> StoreError {
    StoreError::Failed(anyhow::anyhow!("database task failed"))
}

fn writer_gone() -> StoreError {
    StoreError::Failed(anyhow::anyhow!("the SQLite writer has stopped"))
}

/// Runs `work` on a blocking thread and answers by `deadline` whatever the
/// work does: a database that stops answering leaves the thread waiting
/// (bounded by the pool's size, since it holds a connection) but not the
/// caller.
async fn within<T, E, W>(deadline: Instant, work: W) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    W: FnOnce() -> Result<T, E> + Send + 'static,
{
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout_at(deadline.into(), task).await {
        Ok(joined) => {
            joined.map_err(|e| StoreError::Failed(anyhow::anyhow!("database task failed: {e}")))?
        }
        Err(_) => Err(StoreError::Unavailable("the database did not answer in time".into()).into()),
    }
}

/// A pooled connection, waiting for one no later than `deadline`.
fn checkout(
    pool: &Pool<Manager>,
    deadline: Instant,
) -> Result<PooledConnection<Manager>, StoreError> {
    let left = deadline.saturating_duration_since(Instant::now());
    Ok(pool.get_timeout(left)?)
}

/// Runs `f` in a PostgreSQL transaction that is committed only if `f`
/// succeeds before `deadline`: past it the caller has been answered 503, so
/// what it was told did not happen is rolled back. (SQLite's writes go to
/// its writer, which keeps the same rule: [`writer`].)
///
/// The transaction opens `READ COMMITTED` whatever the server's default
/// (each statement sees what has committed before it: the desk's recount
/// under a profile lock relies on it), with `SET LOCAL statement_timeout`
/// to what is left of the deadline, so no statement outlasts it; both go in
/// one round trip.
fn in_transaction<T, E, F>(conn: &mut DbConnection, deadline: Instant, f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
{
    let store = |e: diesel::result::Error| E::from(StoreError::from(e));
    let late = || E::from(StoreError::Unavailable("the database took too long".into()));
    let left = connect::millis(deadline.saturating_duration_since(Instant::now())).max(1);
    let begin =
        format!("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = {left}");
    if let Err(e) = conn.batch_execute(&begin) {
        // The BEGIN may have gone through before what followed it failed.
        let _ = conn.batch_execute("ROLLBACK");
        return Err(store(e));
    }
    // A panic in `f` ends the transaction before it goes on up, so the
    // connection goes back to the pool outside one.
    let done = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))) {
        Ok(done) => done,
        Err(panic) => {
            let _ = conn.batch_execute("ROLLBACK");
            std::panic::resume_unwind(panic)
        }
    };
    match done {
        Ok(_) if Instant::now() >= deadline => {
            let _ = conn.batch_execute("ROLLBACK");
            Err(late())
        }
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

/// Applies the pending migrations of the connection's backend. They may
/// take longer than a request's statement timeout (an index on a large
/// table), so that timeout is lifted on this connection.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<()> {
    let applied = match conn {
        DbConnection::Postgresql(c) => {
            c.batch_execute("SET statement_timeout = 0")?;
            c.run_pending_migrations(POSTGRES_MIGRATIONS)
        }
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    for m in applied {
        tracing::info!(migration = %m, "applied migration");
    }
    Ok(())
}
