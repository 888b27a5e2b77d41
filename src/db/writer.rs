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
//! come while it runs, up to [`MOST_PER_BATCH`] and [`BATCH_TIME`]; on a
//! quiet server it holds one write. A write is started only with
//! [`MARGIN`] left before its deadline; if any write of a batch is past
//! its deadline when the batch would commit, the whole batch is rolled
//! back and each write answered as unavailable, because its caller may
//! have been told so already.

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
/// A write starts only with this much left before its deadline.
pub const MARGIN: Duration = Duration::from_millis(25);

/// One write waiting for its turn.
pub struct Job {
    deadline: Instant,
    work: Box<dyn Work>,
}

/// A write with its caller's types hidden.
trait Work: Send {
    /// Runs the write; `None` when it failed (its error is answered already).
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Option<Answer>;
    /// Answers without running.
    fn refuse(self: Box<Self>, why: StoreError);
}

/// Answers a write that succeeded, once its transaction has committed
/// (`Ok`) or not.
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
    fn run(self: Box<Self>, conn: &mut DbConnection) -> Option<Answer> {
        let Typed { f, reply } = *self;
        match f(conn) {
            Ok(value) => Some(Box::new(move |committed: Result<(), StoreError>| {
                let _ = reply.send(committed.map(|()| value).map_err(E::from));
            })),
            Err(e) => {
                let _ = reply.send(Err(e));
                None
            }
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
                while let Ok(first) = jobs.recv() {
                    self.batch(first, &jobs);
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
        // for what is left of the first write's budget.
        let _ = conn.batch_execute("ROLLBACK");
        let left = connect::millis(first.deadline.saturating_duration_since(started)).max(1);
        if let Err(e) =
            conn.batch_execute(&format!("PRAGMA busy_timeout = {left}; BEGIN IMMEDIATE"))
        {
            let _ = conn.batch_execute("ROLLBACK");
            return first.work.refuse(e.into());
        }
        let mut kept: Vec<(Instant, Answer)> = Vec::new();
        let (mut next, mut taken) = (Some(first), 1);
        while let Some(job) = next.take() {
            match step(&mut conn, job) {
                Step::Kept(deadline, answer) => kept.push((deadline, answer)),
                Step::Undone => {}
                Step::Lost(why) => {
                    // SQLite rolled the whole transaction back (a full disk
                    // can): what the batch kept is gone with it.
                    let _ = conn.batch_execute("ROLLBACK");
                    return answer_all(kept, Err(why));
                }
            }
            if taken < MOST_PER_BATCH && started.elapsed() < self.batch_time {
                next = jobs.try_recv().ok();
                taken += 1;
            }
        }
        let now = Instant::now();
        let done = if kept.iter().any(|(deadline, _)| now >= *deadline) {
            let _ = conn.batch_execute("ROLLBACK");
            Err(late())
        } else {
            conn.batch_execute("COMMIT").map_err(|e| {
                let _ = conn.batch_execute("ROLLBACK");
                StoreError::from(e)
            })
        };
        // Only a commit that changed data shows the database takes writes.
        if Watch::take_changed(&mut conn) && done.is_ok() {
            self.health.wrote();
        }
        let (mail, webhook) = signal::take_written();
        if done.is_ok() && !kept.is_empty() {
            if mail {
                self.new_mail.notify_one();
            }
            if webhook {
                self.new_webhook.notify_one();
            }
        }
        drop(conn);
        answer_all(kept, done);
    }
}

enum Step {
    /// The write succeeded; answered at the end of the batch.
    Kept(Instant, Answer),
    /// The write failed or was refused, and is answered; what it wrote is undone.
    Undone,
    /// The write failed and took the whole transaction with it.
    Lost(StoreError),
}

/// Runs one write in a savepoint of the batch's transaction.
fn step(conn: &mut DbConnection, job: Job) -> Step {
    let Job { deadline, work } = job;
    if deadline.saturating_duration_since(Instant::now()) < MARGIN {
        work.refuse(late());
        return Step::Undone;
    }
    if let Err(e) = conn.batch_execute("SAVEPOINT write") {
        work.refuse(StoreError::from(e));
        return Step::Undone;
    }
    // A panic drops the write's reply, which its caller reads as a failed
    // task; the writer goes on.
    let answer = catch_unwind(AssertUnwindSafe(|| work.run(conn)))
        .ok()
        .flatten();
    match answer {
        Some(answer) if Instant::now() < deadline => match conn.batch_execute("RELEASE write") {
            Ok(()) => Step::Kept(deadline, answer),
            Err(e) => {
                let why = rolled_back(e);
                answer(Err(again(&why)));
                Step::Lost(why)
            }
        },
        answer => {
            let undone = conn.batch_execute("ROLLBACK TO write; RELEASE write");
            if let Some(answer) = answer {
                answer(Err(late()));
            }
            match undone {
                Ok(()) => Step::Undone,
                Err(e) => Step::Lost(rolled_back(e)),
            }
        }
    }
}

/// The transaction a write was in is gone (its savepoint with it).
fn rolled_back(e: diesel::result::Error) -> StoreError {
    StoreError::Unavailable(format!("the transaction was rolled back: {e}"))
}

fn late() -> StoreError {
    StoreError::Unavailable("the database took too long".into())
}

/// Answers every kept write with `done`.
fn answer_all(kept: Vec<(Instant, Answer)>, done: Result<(), StoreError>) {
    for (_, answer) in kept {
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
