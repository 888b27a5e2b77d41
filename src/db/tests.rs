//! The database's bounds, on SQLite files of the tests' own (PostgreSQL's
//! are tried over HTTP in tests/api/outages.rs).

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

use super::{Backend, Db, DbConnection, Manager, StoreError, in_transaction};

/// A fresh SQLite file, removed on drop.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new() -> TempFile {
        let name = format!("ombud_db_test_{}.db", uuid::Uuid::new_v4().simple());
        TempFile(std::env::temp_dir().join(name))
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[derive(QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = BigInt)]
    timeout: i64,
}

fn busy_timeout(conn: &mut DbConnection) -> Result<i64, StoreError> {
    let row: BusyTimeout = diesel::sql_query("PRAGMA busy_timeout").get_result(conn)?;
    Ok(row.timeout)
}

/// A write waits for another process's lock only for what is left of its
/// budget, so that waiting in this process's queue first does not add up.
#[test]
fn a_sqlite_write_waits_only_for_what_is_left_of_its_budget() {
    let file = TempFile::new();
    let manager = Manager::new(&file.url(), Duration::from_secs(5)).unwrap();
    let mut conn = manager.open().unwrap();
    assert_eq!(busy_timeout(&mut conn).unwrap(), 5000, "a fresh connection");
    let deadline = Instant::now() + Duration::from_millis(300);
    let waits = in_transaction(&mut conn, Backend::Sqlite, deadline, busy_timeout).unwrap();
    assert!((1..=300).contains(&waits), "{waits}");
}

/// Writes to `db` with its file held at one page: the write is refused as full.
async fn fill_up(db: &Db) -> Result<(), StoreError> {
    db.write(|conn| -> Result<(), StoreError> {
        conn.batch_execute("PRAGMA max_page_count = 1")?;
        conn.batch_execute("CREATE TABLE filler (x BLOB)")?;
        Ok(())
    })
    .await
}

/// A full database (here: at its page limit) refuses the write as
/// unavailable, not as a bug, and readiness fails until a write succeeds.
#[tokio::test]
async fn a_full_sqlite_database_is_unavailable_and_not_ready() {
    let file = TempFile::new();
    let db = Db::connect(&file.url(), 1, Duration::from_secs(5)).unwrap();
    db.ready().await.unwrap();
    let full = fill_up(&db).await;
    let Err(StoreError::Unavailable(why)) = full else {
        panic!("{full:?}");
    };
    assert!(why.contains("full"), "{why}");
    let ready = db.ready().await;
    assert!(
        matches!(ready, Err(StoreError::Unavailable(_))),
        "{ready:?}"
    );
    db.write(|conn| -> Result<(), StoreError> {
        conn.batch_execute("PRAGMA max_page_count = 1000000")?;
        conn.batch_execute("CREATE TABLE filler (x BLOB)")?;
        Ok(())
    })
    .await
    .unwrap();
    db.ready().await.unwrap();
}

/// A PostgreSQL that accepts connections and never answers (a frozen
/// postmaster) makes connecting fail within the timeout, not hang.
#[test]
fn connecting_to_a_server_that_never_answers_gives_up() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let url = format!("postgres://ombud@127.0.0.1:{port}/ombud?sslmode=disable&gssencmode=disable");
    let manager = Manager::new(&url, Duration::from_secs(2)).unwrap();
    assert!(manager.open().is_err());
    drop(listener);
}

/// A transaction that wrote nothing (a claim that found no mail) says
/// nothing about whether the database takes writes: readiness keeps failing.
#[tokio::test]
async fn a_write_that_changes_nothing_does_not_clear_a_refusal() {
    let file = TempFile::new();
    let db = Db::connect(&file.url(), 1, Duration::from_secs(5)).unwrap();
    let full = fill_up(&db).await;
    assert!(matches!(full, Err(StoreError::Unavailable(_))), "{full:?}");
    db.write(|conn| -> Result<(), StoreError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    })
    .await
    .unwrap();
    let ready = db.ready().await;
    assert!(
        matches!(ready, Err(StoreError::Unavailable(_))),
        "{ready:?}"
    );
}

/// Work that runs past the deadline has been answered 503; it is rolled
/// back, not committed behind the caller's back.
#[tokio::test]
async fn work_past_the_deadline_is_rolled_back() {
    let file = TempFile::new();
    let db = Db::connect(&file.url(), 1, Duration::from_secs(1)).unwrap();
    db.write(|conn| -> Result<(), StoreError> {
        conn.batch_execute("CREATE TABLE marks (x INTEGER)")?;
        Ok(())
    })
    .await
    .unwrap();
    let late = db
        .write(|conn| -> Result<(), StoreError> {
            conn.batch_execute("INSERT INTO marks VALUES (1)")?;
            // Longer than the whole budget, whatever the machine's speed.
            std::thread::sleep(Duration::from_millis(1500));
            Ok(())
        })
        .await;
    assert!(matches!(late, Err(StoreError::Unavailable(_))), "{late:?}");
    // The pool's one connection comes back only when the late work has
    // ended, so this reads what it left behind.
    let count = db
        .read(|conn| -> Result<i64, StoreError> {
            #[derive(QueryableByName)]
            struct N {
                #[diesel(sql_type = BigInt)]
                n: i64,
            }
            let n: N = diesel::sql_query("SELECT count(*) AS n FROM marks").get_result(conn)?;
            Ok(n.n)
        })
        .await
        .unwrap();
    assert_eq!(count, 0);
}

/// A SQLite file in a folder that does not exist yet (the default is
/// `data/ombud.db`): the folder is made, and the database works.
#[test]
fn a_sqlite_file_gets_its_folder_made() {
    let folder =
        std::env::temp_dir().join(format!("ombud_db_folder_{}", uuid::Uuid::new_v4().simple()));
    let url = format!(
        "sqlite://{}",
        folder.join("nested").join("ombud.db").display()
    );
    let db = Db::connect(&url, 1, Duration::from_secs(5)).unwrap();
    drop(db);
    assert!(folder.join("nested").join("ombud.db").is_file());
    let _ = std::fs::remove_dir_all(folder);
}
