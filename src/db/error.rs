//! What can go wrong in storage, in storage's own words. The HTTP edge
//! turns these into problems (503 for an unavailable database, 409 for a
//! clash, 404 for a row that is not there); everything else is a bug.

use diesel::result::{DatabaseErrorKind as K, Error as E};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The write clashes with a unique row that already exists.
    #[error("this clashes with something that already exists")]
    Conflict,
    /// The database cannot be reached, refuses to write, or is busy past
    /// the timeout; retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug, or a damaged stored value.
    #[error("storage failed: {0}")]
    Failed(#[source] anyhow::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        if outage(&e).is_some() {
            return StoreError::Unavailable(e.to_string());
        }
        match e {
            E::NotFound => StoreError::NotFound,
            E::DatabaseError(K::UniqueViolation, _) => StoreError::Conflict,
            other => StoreError::Failed(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Why the database cannot do what was asked, when the reason is the
/// database's state rather than the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The connection is gone (server shut down, restarted, network): it
    /// must not be used again.
    Lost,
    /// The database refuses to write: disk full, read-only, I/O errors.
    Refused,
    /// Too busy to answer in time: another writer holds the lock, or a
    /// statement ran past its timeout.
    Busy,
}

/// What SQLite (`sqlite3_errmsg`, fixed English texts) and PostgreSQL
/// (its messages in the server's `lc_messages`; English by default) say
/// for each kind of outage. PostgreSQL's SQLSTATE is not visible through
/// diesel except for the kinds it names, so its messages are matched.
const OUTAGE_MESSAGES: [(&str, Outage); 18] = [
    // SQLITE_FULL, SQLITE_READONLY*, SQLITE_IOERR*, SQLITE_CANTOPEN, SQLITE_NOMEM
    ("database or disk is full", Outage::Refused),
    ("attempt to write a readonly database", Outage::Refused),
    ("disk I/O error", Outage::Refused),
    ("unable to open database file", Outage::Refused),
    ("out of memory", Outage::Refused),
    // SQLITE_BUSY, SQLITE_PROTOCOL
    ("database is locked", Outage::Busy),
    ("locking protocol", Outage::Busy),
    // 53100 disk_full, 58030 io_error
    ("No space left on device", Outage::Refused),
    ("could not extend file", Outage::Refused),
    ("could not write to file", Outage::Refused),
    // 57014 query_canceled by statement_timeout, 55P03 lock_not_available
    ("canceling statement due to statement timeout", Outage::Busy),
    ("canceling statement due to lock timeout", Outage::Busy),
    // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
    (
        "terminating connection due to administrator command",
        Outage::Lost,
    ),
    ("terminating connection because of crash", Outage::Lost),
    ("the database system is shutting down", Outage::Lost),
    ("the database system is starting up", Outage::Lost),
    ("the database system is in recovery mode", Outage::Lost),
    (
        "the database system is not yet accepting connections",
        Outage::Lost,
    ),
];

/// The outage behind `e`, if it is one.
pub fn outage(e: &diesel::result::Error) -> Option<Outage> {
    let E::DatabaseError(kind, info) = e else {
        return None;
    };
    match kind {
        K::ClosedConnection | K::UnableToSendCommand => return Some(Outage::Lost),
        // 25006: a read-only transaction (a standby, or
        // default_transaction_read_only while the disk is being freed).
        K::ReadOnlyTransaction => return Some(Outage::Refused),
        _ => {}
    }
    let message = info.message();
    OUTAGE_MESSAGES
        .iter()
        .find(|(text, _)| message.contains(text))
        .map(|(_, outage)| *outage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_error(kind: K, message: &str) -> E {
        E::DatabaseError(kind, Box::new(message.to_string()))
    }

    #[test]
    fn outages_are_unavailability_and_the_rest_is_not() {
        let cases = [
            (
                K::Unknown,
                "database or disk is full",
                Some(Outage::Refused),
            ),
            (
                K::Unknown,
                "attempt to write a readonly database",
                Some(Outage::Refused),
            ),
            (K::Unknown, "disk I/O error", Some(Outage::Refused)),
            (K::Unknown, "database is locked", Some(Outage::Busy)),
            (
                K::Unknown,
                "could not extend file \"base/1/2\": No space left on device",
                Some(Outage::Refused),
            ),
            (
                K::ReadOnlyTransaction,
                "cannot execute INSERT in a read-only transaction",
                Some(Outage::Refused),
            ),
            (
                K::ClosedConnection,
                "server closed the connection unexpectedly",
                Some(Outage::Lost),
            ),
            (
                K::Unknown,
                "canceling statement due to statement timeout",
                Some(Outage::Busy),
            ),
            (K::Unknown, "no such column: nope", None),
            (K::CheckViolation, "CHECK constraint failed", None),
        ];
        for (kind, message, expected) in cases {
            let e = db_error(kind, message);
            assert_eq!(outage(&e), expected, "{message}");
            let unavailable = matches!(StoreError::from(e), StoreError::Unavailable(_));
            assert_eq!(unavailable, expected.is_some(), "{message}");
        }
        assert!(matches!(
            StoreError::from(E::NotFound),
            StoreError::NotFound
        ));
    }
}
