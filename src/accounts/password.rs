//! Password hashing with argon2id.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

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
    #[test]
    fn hashes_verify_and_unknown_users_fail() {
        let h = super::hash("correct horse battery").unwrap();
        assert!(super::verify("correct horse battery", Some(&h)));
        assert!(!super::verify("wrong horse battery", Some(&h)));
        assert!(!super::verify("correct horse battery", None));
    }
}
