//! What can go wrong in storage, in storage's own words. The HTTP edge
//! turns these into problems (503 for an unavailable database, 409 for a
//! clash, 404 for a row that is not there); everything else is a bug.

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The write clashes with a unique row that already exists.
    #[error("this clashes with something that already exists")]
    Conflict,
    /// The database cannot be reached or is busy past the timeout; retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug, or a damaged stored value.
    #[error("storage failed: {0}")]
    Failed(#[source] anyhow::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => StoreError::NotFound,
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, info) => {
                StoreError::Unavailable(info.message().to_string())
            }
            E::DatabaseError(K::UniqueViolation, _) => StoreError::Conflict,
            // SQLite gave up waiting for another writer (busy_timeout elapsed).
            E::DatabaseError(_, info) if info.message().contains("database is locked") => {
                StoreError::Unavailable(info.message().to_string())
            }
            other => StoreError::Failed(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}
