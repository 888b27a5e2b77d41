//! Password hashing with argon2id, and the gate every check on a request
//! goes through.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{ApiError, ApiResult};

/// Hashes a password into a PHC string.
pub fn hash(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("password hashing failed: {e}"))
}

/// Checks a password against a stored hash. With no stored hash, still does
/// the same work, so the answer takes as long for unknown users.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let target = match stored {
        Some(s) => s,
        None => DUMMY.get_or_init(|| hash(&super::secret::generate()).unwrap_or_default()),
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), target)
        .is_ok();
    ok && stored.is_some()
}

/// Bounds how many password checks run at once. Each takes ~19 MiB for the
/// time it runs (argon2's defaults) and signing in is open to anyone, so
/// without a bound a burst of sign-ins takes as much memory as it likes.
/// A check waits its turn for a short while, then is refused as busy.
#[derive(Debug, Clone)]
pub struct PasswordChecks {
    turns: Arc<tokio::sync::Semaphore>,
    wait: Duration,
}

impl PasswordChecks {
    /// At most `at_once` checks at a time (0: one per core), each waiting
    /// at most `wait` for its turn.
    pub fn new(at_once: usize, wait: Duration) -> PasswordChecks {
        let at_once = match at_once {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        PasswordChecks {
            turns: Arc::new(tokio::sync::Semaphore::new(at_once)),
            wait,
        }
    }

    /// Runs `check` on a blocking thread when a turn is free; a busy error
    /// if none frees up in time.
    pub async fn run<T, F>(&self, check: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let turn = tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::Busy("too many password checks at once".into()))?
            .map_err(anyhow::Error::from)?;
        let done = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            check()
        });
        Ok(done.await.map_err(anyhow::Error::from)?)
    }
}

/// The rules a new password must meet; `Err` says which one it breaks.
pub fn check_strength(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("must be at least 10 characters".into());
    }
    if n > 256 {
        return Err("must be at most 256 characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::PasswordChecks;

    #[tokio::test]
    async fn a_check_waits_its_turn_then_is_refused_as_busy() {
        let checks = PasswordChecks::new(1, Duration::from_millis(50));
        let (hold, held) = tokio::sync::oneshot::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let first = checks.clone();
        let first = tokio::spawn(async move {
            first
                .run(move || {
                    let _ = started.send(());
                    let _ = held.blocking_recv();
                })
                .await
        });
        running.await.unwrap();
        let second = checks.run(|| ()).await;
        assert!(
            matches!(second, Err(crate::error::ApiError::Busy(_))),
            "{second:?}"
        );
        hold.send(()).unwrap();
        first.await.unwrap().unwrap();
        checks.run(|| ()).await.unwrap();
    }

    #[test]
    fn hashes_verify_and_unknown_users_fail() {
        let h = super::hash("correct horse battery").unwrap();
        assert!(super::verify("correct horse battery", Some(&h)));
        assert!(!super::verify("wrong horse battery", Some(&h)));
        assert!(!super::verify("correct horse battery", None));
    }
}
