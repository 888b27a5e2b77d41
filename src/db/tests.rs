//! The database's bounds, on SQLite files of the tests' own (PostgreSQL's
//! are tried over HTTP in tests/api/outages.rs).

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

use super::{Db, DbConnection, Manager, StoreError};

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
#[tokio::test]
async fn a_sqlite_write_waits_only_for_what_is_left_of_its_budget() {
    let file = TempFile::new();
    let manager = Manager::new(&file.url(), Duration::from_secs(5)).unwrap();
    let mut conn = manager.open().unwrap();
    assert_eq!(busy_timeout(&mut conn).unwrap(), 5000, "a fresh connection");
    drop(conn);
    let db = Db::connect(&file.url(), 1, Duration::from_secs(2)).unwrap();
    let waits = db.write(busy_timeout).await.unwrap();
    assert!((1..2000).contains(&waits), "{waits}");
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

/// SQLite's writer, not started: the tests hand it their batches
/// themselves, so what a batch holds does not depend on timing.
fn writer_on(file: &TempFile) -> (super::writer::Writer, DbConnection) {
    let manager = Manager::new(&file.url(), Duration::from_secs(5)).unwrap();
    let mut outside = manager.open().unwrap();
    outside
        .batch_execute("CREATE TABLE marks (x INTEGER)")
        .unwrap();
    let writer = super::writer::Writer {
        health: manager.health.clone(),
        pool: diesel::r2d2::Pool::builder()
            .max_size(1)
            .build(manager)
            .unwrap(),
        new_mail: Default::default(),
        new_webhook: Default::default(),
        batch_time: Duration::from_secs(3600),
    };
    (writer, outside)
}

fn marks(conn: &mut DbConnection) -> Vec<i64> {
    #[derive(QueryableByName)]
    struct Mark {
        #[diesel(sql_type = BigInt)]
        x: i64,
    }
    let rows: Vec<Mark> = diesel::sql_query("SELECT x FROM marks ORDER BY x")
        .load(conn)
        .unwrap();
    rows.into_iter().map(|m| m.x).collect()
}

/// A write that inserts mark `x`, then answers as `fail` says.
fn mark(
    x: i64,
    fail: bool,
) -> impl FnOnce(&mut DbConnection) -> Result<i64, StoreError> + Send + 'static {
    move |conn| {
        conn.batch_execute(&format!("INSERT INTO marks VALUES ({x})"))?;
        if fail {
            return Err(StoreError::Conflict);
        }
        Ok(x)
    }
}

/// Writes waiting together run in one transaction, in the order asked, each
/// seeing those before it (and knowing that it does); a failed write undoes
/// only its own changes and a panic only its own; nobody is answered before
/// the commit.
#[test]
fn writes_waiting_together_share_one_commit_and_fail_alone() {
    let file = TempFile::new();
    let (writer, mut outside) = writer_on(&file);
    let deadline = Instant::now() + Duration::from_secs(5);
    let (queue, jobs) = std::sync::mpsc::channel();
    let (first, a) = super::writer::job(deadline, |conn: &mut DbConnection| {
        conn.batch_execute("INSERT INTO marks VALUES (1)")?;
        Ok::<_, StoreError>(super::after_uncommitted())
    });
    let (job, b) = super::writer::job(deadline, mark(2, true));
    queue.send(job).unwrap();
    let (job, c) = super::writer::job(deadline, |conn: &mut DbConnection| {
        conn.batch_execute("INSERT INTO marks VALUES (3)")?;
        if conn.batch_execute("SELECT 1").is_ok() {
            panic!("a bug in one write");
        }
        Ok::<_, StoreError>(())
    });
    queue.send(job).unwrap();
    // The fourth write sees the first (same transaction), while a reader
    // outside sees nothing yet: the first is not committed, nor answered.
    let (job, d) = super::writer::job(deadline, move |conn: &mut DbConnection| {
        let mut a = a;
        let unanswered = a.try_recv().is_err();
        let inside = marks(conn);
        let seen_outside = marks(&mut outside);
        conn.batch_execute("INSERT INTO marks VALUES (4)")?;
        let sees = super::after_uncommitted();
        Ok::<_, StoreError>((unanswered, inside, seen_outside, sees, outside, a))
    });
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    let (unanswered, inside, seen_outside, sees, mut outside, a) =
        d.blocking_recv().unwrap().unwrap();
    assert!(unanswered, "the first write was answered before the commit");
    assert!(
        !a.blocking_recv().unwrap().unwrap(),
        "the first write sees no other"
    );
    assert!(sees, "the fourth write sees the first, not committed yet");
    assert!(!super::after_uncommitted(), "outside the writer");
    assert_eq!(inside, [1]);
    assert_eq!(seen_outside, Vec::<i64>::new());
    assert!(matches!(
        b.blocking_recv().unwrap(),
        Err(StoreError::Conflict)
    ));
    assert!(
        c.blocking_recv().is_err(),
        "a panic drops the write's answer"
    );
    assert_eq!(marks(&mut outside), [1, 4]);
}

/// A write whose deadline is too near is refused without running, and if
/// one write of a batch is too near its deadline when the batch would
/// commit, nothing of the batch is committed: its caller may soon be
/// answered 503. A write that failed in that batch is answered 503 too:
/// its error may have rested on what was rolled back.
#[test]
fn a_batch_with_a_late_write_commits_nothing() {
    let file = TempFile::new();
    let (writer, mut outside) = writer_on(&file);
    let (queue, jobs) = std::sync::mpsc::channel();
    let soon = Instant::now() + Duration::from_secs(2);
    let (first, a) = super::writer::job(soon, mark(1, false));
    let (job, c) = super::writer::job(Instant::now(), mark(3, false));
    queue.send(job).unwrap();
    let later = Instant::now() + Duration::from_secs(10);
    let (job, e) = super::writer::job(later, mark(5, true));
    queue.send(job).unwrap();
    let (job, b) = super::writer::job(later, move |conn| {
        // Outlasts the first write's deadline, whatever the machine's speed.
        std::thread::sleep(Duration::from_millis(2200));
        mark(2, false)(conn)
    });
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    for answer in [a, b, c, e] {
        let got = answer.blocking_recv().unwrap();
        assert!(matches!(got, Err(StoreError::Unavailable(_))), "{got:?}");
    }
    assert_eq!(marks(&mut outside), Vec::<i64>::new());
}

/// A batch takes no more writes once a write it keeps is near its
/// deadline, so a long write after it cannot make it late: it commits, and
/// the next write waits for the next batch.
#[test]
fn a_write_near_its_deadline_commits_before_others_join() {
    let file = TempFile::new();
    let (writer, mut outside) = writer_on(&file);
    let (queue, jobs) = std::sync::mpsc::channel();
    let near = Instant::now() + super::writer::RESERVE + super::writer::SLACK;
    let (first, a) = super::writer::job(near, mark(1, false));
    let (job, mut b) = super::writer::job(Instant::now() + Duration::from_secs(10), mark(2, false));
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    assert_eq!(a.blocking_recv().unwrap().unwrap(), 1);
    assert!(b.try_recv().is_err(), "the second write waits");
    assert_eq!(marks(&mut outside), [1]);
    writer.batch(jobs.recv().unwrap(), &jobs);
    assert_eq!(b.blocking_recv().unwrap().unwrap(), 2);
    assert_eq!(marks(&mut outside), [1, 2]);
}

/// A write that ends the shared transaction (as SQLite may on a full disk
/// or an I/O error), whether it then succeeds or fails, takes the writes
/// before it along: they are answered as unavailable, not as done, and
/// the writes after it get a new transaction.
#[test]
fn a_lost_transaction_is_answered_as_unavailable() {
    let file = TempFile::new();
    let (writer, mut outside) = writer_on(&file);
    let deadline = Instant::now() + Duration::from_secs(5);
    let (queue, jobs) = std::sync::mpsc::channel();
    let (first, a) = super::writer::job(deadline, mark(1, false));
    let ends = |fail: bool| {
        move |conn: &mut DbConnection| {
            conn.batch_execute("ROLLBACK")?;
            if fail {
                return Err(StoreError::Conflict);
            }
            Ok(())
        }
    };
    let (job, b) = super::writer::job(deadline, ends(false));
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    let (first, c) = super::writer::job(deadline, mark(3, false));
    let (job, d) = super::writer::job(deadline, ends(true));
    queue.send(job).unwrap();
    let (job, e) = super::writer::job(deadline, mark(5, false));
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    for answer in [a, c] {
        let got = answer.blocking_recv().unwrap();
        assert!(matches!(got, Err(StoreError::Unavailable(_))), "{got:?}");
    }
    for answer in [b, d] {
        let got = answer.blocking_recv().unwrap();
        assert!(matches!(got, Err(StoreError::Unavailable(_))), "{got:?}");
    }
    assert_eq!(marks(&mut outside), Vec::<i64>::new());
    writer.batch(jobs.recv().unwrap(), &jobs);
    assert_eq!(e.blocking_recv().unwrap().unwrap(), 5);
    assert_eq!(marks(&mut outside), [5]);
}

/// Readiness after a refused write comes back only with a commit that
/// changed data: changes undone with a failed write's savepoint do not
/// count, even when the batch commits another write.
#[test]
fn changes_undone_in_a_batch_do_not_clear_a_refusal() {
    let file = TempFile::new();
    let (writer, _outside) = writer_on(&file);
    writer.health.refused("database or disk is full".into());
    let deadline = Instant::now() + Duration::from_secs(5);
    let (queue, jobs) = std::sync::mpsc::channel();
    let (first, a) = super::writer::job(deadline, mark(1, true));
    let (job, b) = super::writer::job(deadline, |conn: &mut DbConnection| {
        Ok::<_, StoreError>(marks(conn))
    });
    queue.send(job).unwrap();
    writer.batch(first, &jobs);
    assert!(a.blocking_recv().unwrap().is_err());
    assert_eq!(b.blocking_recv().unwrap().unwrap(), Vec::<i64>::new());
    assert!(writer.health.refusing(super::REFUSAL_MEMORY).is_some());
    let (first, c) = super::writer::job(deadline, mark(2, false));
    writer.batch(first, &jobs);
    assert_eq!(c.blocking_recv().unwrap().unwrap(), 2);
    assert_eq!(writer.health.refusing(super::REFUSAL_MEMORY), None);
}

/// SQLite's bulk insert binds every value: more rows than one statement
/// takes go in several, each column keeps its type, a missing or null
/// value is `NULL`, and a value of the wrong type is refused, not guessed.
#[test]
fn bulk_inserts_on_sqlite_bind_each_value_in_statements_of_bounded_size() {
    use super::bulk::{BulkInsert, Col, SQLITE_ROWS};
    static ROWS: BulkInsert = BulkInsert::new(
        "rows",
        &[
            ("t", Col::Text),
            ("b", Col::Bool),
            ("i", Col::Int),
            ("g", Col::BigInt),
            ("at", Col::Time),
        ],
    );
    let file = TempFile::new();
    let manager = Manager::new(&file.url(), Duration::from_secs(5)).unwrap();
    let mut conn = manager.open().unwrap();
    conn.batch_execute("CREATE TABLE rows (t TEXT, b BOOLEAN, i INTEGER, g BIGINT, at TIMESTAMP)")
        .unwrap();
    let n = 2 * SQLITE_ROWS + 3;
    let rows = (0..n)
        .map(|k| match k {
            0 => serde_json::json!({"t": null, "b": false}),
            _ => serde_json::json!({
                "t": format!("it's \"{k}\""), "b": k.is_multiple_of(2), "i": k, "g": 1_i64 << 40,
                "at": "2026-12-07 05:00:00.5",
            }),
        })
        .collect();
    assert_eq!(ROWS.execute(&mut conn, rows).unwrap(), n);
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        t: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        b: bool,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
        i: Option<i32>,
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        g: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        at: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        kind: String,
    }
    let stored: Vec<Row> = diesel::sql_query(
        "SELECT t, b, i, g, at, typeof(i) || typeof(g) AS kind FROM rows ORDER BY rowid",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(stored.len(), n);
    assert_eq!(
        stored[0],
        Row {
            t: None,
            b: false,
            i: None,
            g: None,
            at: None,
            kind: "nullnull".into()
        }
    );
    assert_eq!(
        stored[n - 1],
        Row {
            t: Some(format!("it's \"{}\"", n - 1)),
            b: (n - 1).is_multiple_of(2),
            i: Some(i32::try_from(n - 1).unwrap()),
            g: Some(1 << 40),
            at: Some("2026-12-07 05:00:00.5".into()),
            kind: "integerinteger".into(),
        }
    );
    // A wrong value in the last of three statements: none is written.
    let mut rows = vec![serde_json::json!({"t": "kept?"}); 2 * SQLITE_ROWS];
    rows.push(serde_json::json!({"i": "seven"}));
    let wrong = ROWS.execute(&mut conn, rows);
    assert!(
        matches!(wrong, Err(diesel::result::Error::SerializationError(_))),
        "{wrong:?}"
    );
    let count: Vec<Row> = diesel::sql_query("SELECT t, b, i, g, at, '' AS kind FROM rows")
        .load(&mut conn)
        .unwrap();
    assert_eq!(count.len(), n, "a wrong row wrote nothing");
}
