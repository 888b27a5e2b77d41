//! SQLite's one writer: a thread of this process that runs its writes one
//! after another, and puts the writes waiting at the same time into one
//! transaction (group commit).
//!
//! SQLite lets one connection write at a time. Writers used to take turns
//! at a lock, each with its own transaction on a blocking thread: the turn
//! passed between threads at every write, and every commit wrote the pages
//! it touched to the WAL, the same index and counter pages again and
//! again. Here each write still runs in its own savepoint, so its failure
//! undoes only what it wrote, in the order the writes were asked for, each
//! seeing everything before it: as if the transactions had run one after
//! another. A write is answered only when the transaction it is in has
//! committed, so nobody is told of a change that could still be lost.
//!
//! A batch takes the writes that are waiting when it starts and those that
//! come while it runs, up to [`MOST_PER_BATCH`] and [`BATCH_TIME`], and
//! only while the earliest deadline of the writes it keeps is [`SLACK`]
//! away, so that a long write never makes an earlier one late; on a quiet
//! server it holds one write. A write is started only with [`MARGIN`] left
//! before its deadline less [`RESERVE`], and a batch commits only while
//! each write it keeps has [`RESERVE`] left, time for the commit and the
//! answer; otherwise the whole batch is rolled back and each write
//! answered as unavailable, because its caller may soon be told so.
//! Failed writes are answered when the batch ends too: their error may rest
//! on an earlier write of the batch, and if the batch is rolled back they
//! are answered as unavailable instead.
//!
//! Each [`super::Db`] has its writer (a process normally has one `Db`;
//! the tests and short CLI commands open others). Writes from other
//! processes wait for SQLite's lock as before.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::r2d2::Pool;
use tokio::sync::{Notify, oneshot};

use super::health::{Health, Watch};
use super::{DbConnection, Manager, StoreError, checkout, connect, signal};

/// The most writes in one transaction.
pub const MOST_PER_BATCH: usize = 64;
/// A batch takes no more writes once it has run this long.
pub const BATCH_TIME: Duration = Duration::from_millis(10);
/// A write starts only with this much left before its deadline less
/// [`RESERVE`].
pub const MARGIN: Duration = Duration::from_millis(25);
/// A batch commits only while every write it keeps has this much left.
pub const RESERVE: Duration = Duration::from_millis(200);
/// A batch takes another write only while every write it keeps has this
/// much left besides [`RESERVE`].
pub const SLACK: Duration = Duration::from_millis(500);

thread_local! {
    /// Set on the writer's thread.
    static ON_WRITER: Cell<bool> = const { Cell::new(false) };
    /// Set while a write runs after writes of its batch that are kept but
    /// not committed yet.
    static AFTER_UNCOMMITTED: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is a writer's: a write there cannot wait for
/// another write.
pub fn on_writer() -> bool {
    ON_WRITER.with(Cell::get)
}

/// Whether the write running on this thread sees changes of earlier
/// writes that may still be rolled back with their batch: what it reads
/// then must not be kept beyond the write (`db::setup`'s copy). Always
/// `false` outside SQLite's writer.
pub fn after_uncommitted() -> bool {
    AFTER_UNCOMMITTED.with(Cell::get)
}

/// One write waiting for its turn.
pub struct Job {
    deadline: Instant,
    work: Box<dyn Work>,
}

/// A write with its caller's types hidden.
trait Work: Send {
    /// Whether its caller no longer waits (answered 503 already).
    fn gone(&self) -> bool;
    /// Runs the write: whether it succeeded, and its answer.
    fn run(self: Box<Self>, conn: &mut DbConnection) -> (bool, Answer);
    /// Answers without running.
    fn refuse(self: Box<Self>, why: StoreError);
}

/// Answers a write once its batch has committed (`Ok`: its own result) or
/// not (`Err`: why).
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

struct Typed<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Work for Typed<F, T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    fn gone(&self) -> bool {
        self.reply.is_closed()
    }

    fn run(self: Box<Self>, conn: &mut DbConnection) -> (bool, Answer) {
        let Typed { f, reply } = *self;
        match f(conn) {
            Ok(value) => (
                true,
                Box::new(move |committed: Result<(), StoreError>| {
                    let _ = reply.send(committed.map(|()| value).map_err(E::from));
                }),
            ),
            Err(e) => (
                false,
                Box::new(move |committed: Result<(), StoreError>| {
                    let _ = reply.send(Err(committed.map_or_else(E::from, |()| e)));
                }),
            ),
        }
    }

    fn refuse(self: Box<Self>, why: StoreError) {
        let _ = self.reply.send(Err(E::from(why)));
    }
}

/// A write for the writer, and where its answer will come.
pub fn job<T, E, F>(deadline: Instant, f: F) -> (Job, oneshot::Receiver<Result<T, E>>)
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    let work = Box::new(Typed { f, reply });
    (Job { deadline, work }, answer)
}

/// What the writer needs besides its queue.
pub struct Writer {
    pub pool: Pool<Manager>,
    pub health: Arc<Health>,
    pub new_mail: Arc<Notify>,
    pub new_webhook: Arc<Notify>,
    /// A batch takes no more writes once it has run this long
    /// ([`BATCH_TIME`]; the tests take theirs whole).
    pub batch_time: Duration,
}

impl Writer {
    /// Starts the writer's thread; it ends when every sender is gone.
    pub fn start(self) -> anyhow::Result<Sender<Job>> {
        let (queue, jobs) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                ON_WRITER.with(|w| w.set(true));
                while let Ok(first) = jobs.recv() {
                    // A panic outside the writes (answering one whose
                    // value panics on drop) ends this batch, not the writer:
                    // the writes it held see a failed task.
                    if catch_unwind(AssertUnwindSafe(|| self.batch(first, &jobs))).is_err() {
                        tracing::error!("SQLite's writer lost a batch to a panic");
                    }
                }
            })?;
        Ok(queue)
    }

    /// Runs `first` and what joins it in one transaction, and answers each.
    pub(super) fn batch(&self, first: Job, jobs: &Receiver<Job>) {
        let started = Instant::now();
        let mut conn = match checkout(&self.pool, first.deadline) {
            Ok(conn) => conn,
            Err(e) => return first.work.refuse(e),
        };
        signal::take_written();
        Watch::take_changed(&mut conn);
        // A connection given back to the pool by a panic elsewhere may
        // still be inside a transaction; end it (an error here just means
        // there was none). SQLite waits for another process's lock only
        // for what is left of the first write's budget, less the time a
        // write needs to start and to be committed.
        let _ = conn.batch_execute("ROLLBACK");
        let budget = first.deadline.saturating_duration_since(started);
        let left = connect::millis(budget.saturating_sub(RESERVE + MARGIN)).max(1);
        if let Err(e) =
            conn.batch_execute(&format!("PRAGMA busy_timeout = {left}; BEGIN IMMEDIATE"))
        {
            let _ = conn.batch_execute("ROLLBACK");
            return first.work.refuse(e.into());
        }
        // Every write run, answered when the batch ends; the earliest
        // deadline of those kept; whether any kept one changed data.
        let mut answers: Vec<Answer> = Vec::new();
        let mut earliest: Option<Instant> = None;
        let mut changed = false;
        let (mut next, mut taken) = (Some(first), 1);
        while let Some(job) = next.take() {
            AFTER_UNCOMMITTED.with(|a| a.set(earliest.is_some()));
            let step = step(&mut conn, job);
            AFTER_UNCOMMITTED.with(|a| a.set(false));
            match step {
                Step::Kept(deadline, wrote, answer) => {
                    earliest = Some(earliest.map_or(deadline, |e| e.min(deadline)));
                    changed |= wrote;
                    answers.push(answer);
                }
                Step::Undone(answer) => answers.push(answer),
                Step::Refused => {}
                Step::Lost(why, answer) => {
                    // SQLite rolled the whole transaction back (a full disk
                    // can): every write of the batch is gone with it.
                    let _ = conn.batch_execute("ROLLBACK");
                    answers.extend(answer);
                    return answer_all(answers, &Err(why));
                }
            }
            let roomy = earliest
                .is_none_or(|e| e.saturating_duration_since(Instant::now()) >= RESERVE + SLACK);
            if taken < MOST_PER_BATCH && started.elapsed() < self.batch_time && roomy {
                next = jobs.try_recv().ok();
                taken += 1;
            }
        }
        let done = if earliest.is_some_and(|e| Instant::now() + RESERVE > e) {
            let _ = conn.batch_execute("ROLLBACK");
            Err(late())
        } else {
            conn.batch_execute("COMMIT").map_err(|e| {
                let _ = conn.batch_execute("ROLLBACK");
                StoreError::from(e)
            })
        };
        // Only a commit that changed data shows the database takes writes
        // (changes undone with their write's savepoint do not count).
        Watch::take_changed(&mut conn);
        if changed && done.is_ok() {
            self.health.wrote();
        }
        let (mail, webhook) = signal::take_written();
        if done.is_ok() && earliest.is_some() {
            if mail {
                self.new_mail.notify_one();
            }
            if webhook {
                self.new_webhook.notify_one();
            }
        }
        drop(conn);
        answer_all(answers, &done);
    }
}

enum Step {
    /// The write succeeded and is kept (its deadline, whether it changed
    /// data); answered at the end of the batch.
    Kept(Instant, bool, Answer),
    /// The write failed and what it wrote is undone; answered at the end
    /// of the batch.
    Undone(Answer),
    /// The write was not run, or its outcome is known and answered.
    Refused,
    /// The transaction is gone, with what the batch kept (and this
    /// write's answer, if it has one).
    Lost(StoreError, Option<Answer>),
}

/// Runs one write in a savepoint of the batch's transaction.
fn step(conn: &mut DbConnection, job: Job) -> Step {
    let Job { deadline, work } = job;
    let left = deadline.saturating_duration_since(Instant::now());
    if work.gone() || left < RESERVE + MARGIN {
        work.refuse(late());
        return Step::Refused;
    }
    if let Err(e) = conn.batch_execute("SAVEPOINT write") {
        work.refuse(StoreError::from(e));
        return Step::Refused;
    }
    // A panic drops the write's reply, which its caller reads as a failed
    // task; the writer goes on.
    let ran = catch_unwind(AssertUnwindSafe(|| work.run(conn))).ok();
    let wrote = Watch::take_changed(conn);
    let ran = match ran {
        Some((true, answer)) if Instant::now() + RESERVE <= deadline => {
            return match conn.batch_execute("RELEASE write") {
                Ok(()) => Step::Kept(deadline, wrote, answer),
                Err(e) => Step::Lost(rolled_back(e), Some(answer)),
            };
        }
        other => other,
    };
    let undone = conn.batch_execute("ROLLBACK TO write; RELEASE write");
    match (ran, undone) {
        (Some((_, answer)), Err(e)) => Step::Lost(rolled_back(e), Some(answer)),
        (None, Err(e)) => Step::Lost(rolled_back(e), None),
        (Some((false, answer)), Ok(())) => Step::Undone(answer),
        (Some((true, answer)), Ok(())) => {
            answer(Err(late()));
            Step::Refused
        }
        (None, Ok(())) => Step::Refused,
    }
}

/// The transaction a write was in is gone (its savepoint with it).
fn rolled_back(e: diesel::result::Error) -> StoreError {
    StoreError::Unavailable(format!("the transaction was rolled back: {e}"))
}

fn late() -> StoreError {
    StoreError::Unavailable("the database took too long".into())
}

/// Answers each write with `done`.
fn answer_all(answers: Vec<Answer>, done: &Result<(), StoreError>) {
    for answer in answers {
        answer(done.as_ref().map(|_| ()).map_err(again));
    }
}

/// The same failure again, for the next write it is told to.
fn again(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict => StoreError::Conflict,
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        StoreError::Failed(e) => StoreError::Failed(anyhow::anyhow!("{e:#}")),
    }
}
