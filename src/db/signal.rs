//! Tells the delivery workers of this process that new work was committed
//! (mail in the outbox, webhook deliveries), so they send at once instead
//! of at their next look.
//!
//! A transaction runs start to end on one thread (a blocking thread on
//! PostgreSQL, the writer's on SQLite), so a write marks that thread when
//! it writes such a row; [`crate::db::Db::write`] (or SQLite's writer)
//! reads and clears the marks when the transaction ends and, if it
//! committed, wakes the workers. Work written by another process is found
//! by the workers' regular look (`delivery_interval_ms`).

use std::cell::Cell;

thread_local! {
    static WROTE_MAIL: Cell<bool> = const { Cell::new(false) };
    static WROTE_WEBHOOK: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current transaction as one that wrote mail.
pub fn mail_written() {
    WROTE_MAIL.with(|f| f.set(true));
}

/// Marks the current transaction as one that wrote webhook deliveries.
pub fn webhook_written() {
    WROTE_WEBHOOK.with(|f| f.set(true));
}

/// What the transaction that just ended on this thread wrote (mail,
/// webhook deliveries); clears the marks.
pub(crate) fn take_written() -> (bool, bool) {
    (
        WROTE_MAIL.with(|f| f.replace(false)),
        WROTE_WEBHOOK.with(|f| f.replace(false)),
    )
}
