//! Tells the delivery worker of this process that new mail was committed,
//! so it sends at once instead of at its next look.
//!
//! A transaction runs start to end on one blocking thread, so the outbox
//! marks that thread when it writes a mail; [`crate::db::Db::write`] reads
//! and clears the mark when the transaction ends and, if it committed, wakes
//! the worker. Mail written by another process is found by the worker's
//! regular look (`delivery_interval_ms`).

use std::cell::Cell;

thread_local! {
    static WROTE_MAIL: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current transaction as one that wrote mail.
pub fn mail_written() {
    WROTE_MAIL.with(|f| f.set(true));
}

/// Whether the transaction that just ended on this thread wrote mail; clears the mark.
pub(crate) fn take_mail_written() -> bool {
    WROTE_MAIL.with(|f| f.replace(false))
}
