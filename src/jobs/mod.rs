//! Background work that runs beside the HTTP server (or alone, `ombud worker`).

pub mod delivery;
pub mod digest;
pub mod evidence;
pub mod follow_up;
pub mod info_requests;
pub mod obligations;
pub mod service_levels;
pub mod statistics;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::notify::mailer::Mailer;

/// One scan of a job that works case by case: reads what is due at the
/// clock's time with `due`, then hands each to `handle` in a transaction
/// of its own (so one does not wait on the others, and a process that
/// loses a race to another just finds nothing to do; one that fails is
/// logged and left for the next scan); returns how many `handle` did
/// something with.
pub(crate) async fn each_due<T, D, H>(
    db: &Db,
    settings: &Arc<Settings>,
    clock: &Clock,
    due: D,
    handle: H,
) -> crate::error::ApiResult<usize>
where
    T: Send + 'static,
    D: FnOnce(
            &mut crate::db::DbConnection,
            chrono::NaiveDateTime,
        ) -> Result<Vec<T>, crate::db::StoreError>
        + Send
        + 'static,
    H: Fn(&mut crate::db::DbConnection, &crate::state::Env, T) -> crate::error::ApiResult<bool>
        + Send
        + Sync
        + 'static,
{
    let now = crate::db::models::to_db_time(clock.now());
    let items = db.read(move |conn| due(conn, now)).await?;
    let handle = Arc::new(handle);
    let mut done = 0;
    for item in items {
        let env = crate::state::Env::new(settings.clone(), clock.now());
        let handle = handle.clone();
        match db.write(move |conn| handle(conn, &env, item)).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            // The database is away: the next scan tries again.
            Err(e @ crate::error::ApiError::Unavailable(_)) => return Err(e),
            // One broken item must not hold up the others; it is logged
            // and tried again next scan.
            Err(e) => tracing::error!(error = %e, "a scan could not handle one item"),
        }
    }
    Ok(done)
}

/// The deadline scanner: every kind of deadline a case can pass, in turn
/// (appeal windows closing, requests for information left unanswered,
/// remedies and sanctions overdue, service-level warnings and breaches).
/// Each reads what is due through an index on its due time and handles
/// each case in a transaction of its own, once with any number of
/// processes.
pub async fn deadlines(db: &Db, settings: &Arc<Settings>, clock: &Clock) {
    match follow_up::run_once(db, settings, clock).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(cases = n, "moved ruled cases on to follow-up"),
        Err(e) => tracing::warn!(error = %e, "follow-up scan failed"),
    }
    match info_requests::run_once(db, settings, clock).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(cases = n, "recorded information requests left unanswered"),
        Err(e) => tracing::warn!(error = %e, "information request scan failed"),
    }
    match obligations::run_once(db, settings, clock).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(obligations = n, "recorded remedies and sanctions overdue"),
        Err(e) => tracing::warn!(error = %e, "obligation scan failed"),
    }
    match service_levels::run_once(db, settings, clock).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(cases = n, "recorded service-level warnings and breaches"),
        Err(e) => tracing::warn!(error = %e, "service-level scan failed"),
    }
}

/// [`each_due`] for a scan of cases: `due` reads the ids of at most
/// `BATCH` cases due at the clock's time, `handle` takes one case.
pub(crate) async fn each_case_due<H>(
    db: &Db,
    settings: &Arc<Settings>,
    clock: &Clock,
    due: fn(chrono::NaiveDateTime, i64) -> crate::cases::order::CaseIds,
    handle: H,
) -> crate::error::ApiResult<usize>
where
    H: Fn(
            &mut crate::db::DbConnection,
            &crate::state::Env,
            crate::domain::CaseId,
        ) -> crate::error::ApiResult<bool>
        + Send
        + Sync
        + 'static,
{
    use diesel::RunQueryDsl;
    each_due(
        db,
        settings,
        clock,
        move |conn, now| Ok(due(now, BATCH).load::<String>(conn)?),
        move |conn, env, id: String| {
            let id = crate::domain::CaseId::from_db(&id).map_err(anyhow::Error::from)?;
            handle(conn, env, id)
        },
    )
    .await
}

/// Most cases or obligations a scan handles at once; the rest wait for the next.
pub(crate) const BATCH: i64 = 200;

/// The running background jobs.
pub struct Jobs {
    stop: watch::Sender<bool>,
    handles: Vec<tokio::task::JoinHandle<()>>,
    /// Long enough for a mail in flight to finish and be recorded.
    least_grace: Duration,
}

impl Jobs {
    /// Asks every job to stop between two pieces of work and waits for them
    /// (at most `grace`, or the longest a mail's sending may take plus ten
    /// seconds if that is longer; then they are aborted). A mail being sent
    /// is finished and recorded; unsent claims are given back.
    pub async fn shutdown(self, grace: Duration) {
        let grace = grace.max(self.least_grace);
        let _ = self.stop.send(true);
        for handle in self.handles {
            let abort = handle.abort_handle();
            if tokio::time::timeout(grace, handle).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Starts every background job; they read the time from `clock`.
pub fn spawn_all(db: Db, settings: Arc<Settings>, mailer: Mailer, clock: Clock) -> Jobs {
    let (stop, stopped) = watch::channel(false);
    let every = Duration::from_secs(settings.scan_interval_seconds);
    let (scan_db, scan_settings, scan_clock) = (db.clone(), settings.clone(), clock.clone());
    let mut scan_stop = stopped.clone();
    let store = crate::files::store_for(&settings);
    let follow_up = tokio::spawn(async move {
        let mut next_sweep = scan_clock.now();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = scan_stop.changed() => return,
            }
            deadlines(&scan_db, &scan_settings, &scan_clock).await;
            match digest::run_once(&scan_db, &scan_settings, &scan_clock).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(digests = n, "wrote the leads' digests"),
                Err(e) => tracing::warn!(error = %e, "digest scan failed"),
            }
            match statistics::run_once(&scan_db, &scan_clock).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(periods = n, "rolled up the statistics"),
                Err(e) => tracing::warn!(error = %e, "statistics roll-up failed"),
            }
            let search = crate::cases::search::backfill;
            backfill(
                &scan_db,
                search,
                "indexing earlier cases and messages for search",
            )
            .await;
            // What erased people wrote on cases closed since (50 cases a
            // batch), then the content of cases past the retention period
            // (20 a batch; none when it is 0).
            let (db, set, clk) = (&scan_db, &scan_settings, &scan_clock);
            let finish = crate::privacy::erase::finish;
            over_cases(db, set, clk, &store, (finish, 20, "finishing erasures")).await;
            let retention = crate::privacy::retention::run;
            over_cases(db, set, clk, &store, (retention, 10, "retention")).await;
            let seal = crate::cases::seal::backfill;
            backfill(&scan_db, seal, "sealing the timelines of earlier cases").await;
            let (s, now) = (scan_settings.clone(), scan_clock.now());
            match scan_db
                .write(move |conn| webhooks::prune(conn, &s, now))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(deliveries = n, "removed old webhook deliveries"),
                Err(e) => tracing::warn!(error = %e, "webhook log pruning failed"),
            }
            let (days, now) = (scan_settings.idempotency_days, scan_clock.now());
            match scan_db
                .write(move |conn| forget_replays(conn, days, now))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(answers = n, "forgot answers kept for replays"),
                Err(e) => tracing::warn!(error = %e, "forgetting replays failed"),
            }
            let now = scan_clock.now();
            if now >= next_sweep {
                next_sweep = now + evidence::EVERY;
                match evidence::run_once(&scan_db, store.clone(), now).await {
                    Ok(s) if s == evidence::Swept::default() => {}
                    Ok(s) => tracing::info!(
                        staging = s.staging,
                        contents = s.contents,
                        "removed evidence leftovers"
                    ),
                    Err(e) => tracing::warn!(error = %e, "evidence sweep failed"),
                }
            }
        }
    });
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let idle = Duration::from_millis(settings.delivery_interval_ms);
    let least_grace = delivery::send_bound(&settings)
        .max(Duration::from_secs(settings.webhook_timeout_seconds))
        + Duration::from_secs(10);
    let mut handles = Vec::new();
    match crate::webhooks::sender::Sender::from_settings(&settings) {
        Ok(sender) => handles.push(tokio::spawn(webhook_loop(
            db.clone(),
            sender,
            settings.clone(),
            clock.clone(),
            worker.clone(),
            stopped.clone(),
        ))),
        Err(e) => {
            tracing::error!(error = %e, "webhooks cannot be sent: the HTTP client did not start")
        }
    }
    let mut mail_stop = stopped.clone();
    // Delivers while mail is due; when a round finds less than a full batch,
    // waits for new mail from this process, the next look, or the stop.
    let delivery = tokio::spawn(async move {
        let full = usize::try_from(settings.mail_batch).unwrap_or(usize::MAX);
        loop {
            if *stopped.borrow() {
                return;
            }
            let round = delivery::run_once(&db, &mailer, &settings, &clock, &worker, &stopped);
            match round.await {
                // Straight on only while mail goes out: with the server
                // down, failed mail waits for its retry time instead.
                Ok(round) if round.claimed >= full && round.sent > 0 => {
                    tracing::debug!(mails = round.sent, "delivered mail; more is due");
                    continue;
                }
                Ok(round) if round.sent > 0 => {
                    tracing::info!(mails = round.sent, "delivered mail")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail delivery round failed"),
            }
            tokio::select! {
                _ = db.new_mail() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = mail_stop.changed() => return,
            }
        }
    });
    handles.extend([follow_up, delivery]);
    Jobs {
        stop,
        handles,
        least_grace,
    }
}

/// A privacy step over cases: one batch in a transaction, returning how
/// many cases it did and the file contents it let go.
type CaseStep = fn(
    &mut crate::db::DbConnection,
    &crate::state::Env,
) -> crate::error::ApiResult<(usize, Vec<String>)>;

/// Runs `step` batch after batch (up to `batches` a scan) while it finds
/// cases, deleting the contents each batch let go once it has committed,
/// then logs `what` it did once.
async fn over_cases(
    db: &Db,
    settings: &Arc<Settings>,
    clock: &Clock,
    store: &Arc<dyn crate::files::ContentStore>,
    (step, batches, what): (CaseStep, usize, &'static str),
) {
    let mut cases = 0;
    for _ in 0..batches {
        let env = crate::state::Env::new(settings.clone(), clock.now());
        match db.write(move |conn| step(conn, &env)).await {
            Ok((0, _)) => break,
            Ok((n, contents)) => {
                cases += n;
                remove_unused(db, store, contents).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, what, "privacy step failed");
                break;
            }
        }
    }
    if cases > 0 {
        tracing::info!(cases, what, "privacy step done");
    }
}

/// Forgets the answers kept for `Idempotency-Key` replays that are older
/// than `days` (they hold what was answered, names included).
pub fn forget_replays(
    conn: &mut crate::db::DbConnection,
    days: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::error::ApiResult<usize> {
    use crate::db::schema::idempotency_keys as keys;
    use diesel::prelude::*;
    let before = crate::db::models::to_db_time(now - chrono::Duration::days(days));
    Ok(diesel::delete(keys::table.filter(keys::created_at.lt(before))).execute(conn)?)
}

/// Deletes from the store the contents (by SHA-256) that no file refers
/// to any more, after the change that let them go has committed (the
/// evidence sweep would, within the hour; this is sooner).
async fn remove_unused(
    db: &Db,
    store: &Arc<dyn crate::files::ContentStore>,
    contents: Vec<String>,
) {
    for sha in contents {
        let (store, check) = (store.clone(), sha.clone());
        let unused = db
            .read(move |conn| crate::cases::evidence::in_use(conn, &check).map(|u| !u))
            .await;
        if matches!(unused, Ok(true)) {
            let _ = crate::files::on_store(move || store.remove(&sha)).await;
        }
    }
}

/// Runs a one-time catch-up after an upgrade (`step` does one batch in a
/// transaction of its own and says how much it did, 0 when all is done):
/// up to forty batches a scan, then one log line saying what was done.
async fn backfill(
    db: &Db,
    step: fn(&mut crate::db::DbConnection) -> crate::error::ApiResult<usize>,
    what: &'static str,
) {
    let mut done = 0;
    for _ in 0..40 {
        match db.write(step).await {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => {
                tracing::warn!(error = %e, what, "catching up failed");
                break;
            }
        }
    }
    if done > 0 {
        tracing::info!(items = done, what, "caught up");
    }
}

/// Delivers webhooks while any are due; when a round finds less than a
/// full batch, waits for new deliveries from this process, the next look,
/// or the stop.
async fn webhook_loop(
    db: Db,
    sender: crate::webhooks::sender::Sender,
    settings: Arc<Settings>,
    clock: Clock,
    worker: String,
    stopped: watch::Receiver<bool>,
) {
    let idle = Duration::from_millis(settings.delivery_interval_ms);
    let full = usize::try_from(webhooks::BATCH).unwrap_or(usize::MAX);
    let mut stop = stopped.clone();
    loop {
        if *stopped.borrow() {
            return;
        }
        match webhooks::run_once(&db, &sender, &settings, &clock, &worker, &stopped).await {
            Ok(round) if round.claimed >= full && round.delivered > 0 => continue,
            Ok(round) if round.delivered > 0 => {
                tracing::info!(deliveries = round.delivered, "delivered webhooks")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook delivery round failed"),
        }
        tokio::select! {
            _ = db.new_webhook() => {}
            _ = tokio::time::sleep(idle) => {}
            _ = stop.changed() => return,
        }
    }
}
