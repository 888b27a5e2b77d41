//! Throttled sign-in: sign-in attempts are counted per email address (as
//! given, whether or not an account has it, so the answer never says which)
//! and per client address, before the password is checked; a success is
//! forgiven. Past a number of free failures each further one makes that key
//! wait, twice as long each time, up to a longest wait; while a key waits,
//! every sign-in with it is refused before any password is checked (429
//! with `Retry-After`), the right password included. A success forgets the
//! account's failures, not the address's.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};

use crate::config::Settings;
use crate::db::DbConnection;
use crate::db::models::{from_db_time, to_db_time};
use crate::db::schema::{sign_in_throttle, throttle_secret};
use crate::domain::parse::Email;
use crate::error::ApiResult;

/// Who tries to sign in: the email address given and the client's address.
#[derive(Debug, Clone)]
pub struct Who {
    /// The email address as given (whether or not an account has it).
    pub email: Email,
    /// The client's address, if known.
    pub address: Option<IpAddr>,
}

/// What a sign-in is counted against: keyed digests of the email and of
/// the client's network.
struct Keys {
    account: String,
    address: Option<String>,
}

impl Keys {
    /// The keys of `who` under this installation's secret.
    fn of(conn: &mut DbConnection, who: &Who) -> ApiResult<Keys> {
        let secret: String = throttle_secret::table
            .find(1)
            .select(throttle_secret::secret)
            .first(conn)?;
        Ok(Keys {
            account: digest(&secret, "account", who.email.as_str()),
            address: who.address.map(|a| digest(&secret, "address", &network(a))),
        })
    }
}

/// The part of an address one client holds: all of an IPv4 address, the
/// /64 network of an IPv6 one (one subscriber's usual allocation).
fn network(a: IpAddr) -> String {
    match a {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn digest(secret: &str, kind: &str, value: &str) -> String {
    let message = format!("{kind}\0{value}");
    crate::webhooks::signature::hmac_sha256(secret.as_bytes(), message.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The limits, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    account_failures: i64,
    address_failures: i64,
    longest_wait: i64,
    window: chrono::Duration,
}

impl Limits {
    /// The limits the settings give.
    pub fn from_settings(s: &Settings) -> Limits {
        Limits {
            account_failures: s.sign_in_account_failures,
            address_failures: s.sign_in_address_failures,
            longest_wait: s.sign_in_lockout_max_seconds,
            window: chrono::Duration::minutes(s.sign_in_window_minutes),
        }
    }

    /// The wait (seconds) after the `n`th failure in a row when `free` go
    /// unpunished: none up to `free`, then 1, 2, 4 … up to the longest.
    fn wait_after(&self, n: i64, free: i64) -> Option<i64> {
        let over = n - free;
        (over > 0).then(|| {
            let doubled = 1_i64 << (over - 1).min(30);
            doubled.min(self.longest_wait)
        })
    }
}

/// Whole seconds from `now` until `until` (at least 1).
fn seconds_until(until: chrono::NaiveDateTime, now: DateTime<Utc>) -> u64 {
    let ms = (from_db_time(until) - now).num_milliseconds().max(1);
    u64::try_from((ms + 999) / 1000).unwrap_or(1)
}

/// Counts a sign-in attempt against every key before its password is
/// checked, in the caller's transaction: the count and the check of the
/// wait happen in one statement per key, under that key's row lock, so
/// attempts sent at once are counted one after the other and only those
/// within the free ones get a password check. A key past its free
/// attempts starts to wait. If any key is waiting, the attempt is refused
/// with the seconds to wait, and the caller rolls the transaction back (it
/// counts nothing). A success is forgiven afterwards ([`succeeded`]).
/// Keys quiet for the whole window are forgotten on the way.
pub fn attempt(
    conn: &mut DbConnection,
    who: &Who,
    limits: &Limits,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let keys = Keys::of(conn, who)?;
    #[derive(QueryableByName)]
    struct Counted {
        #[diesel(sql_type = Integer)]
        failures: i32,
        #[diesel(sql_type = Nullable<Timestamp>)]
        locked_until: Option<chrono::NaiveDateTime>,
    }
    let forgotten = to_db_time(now - limits.window);
    let at = to_db_time(now);
    diesel::delete(sign_in_throttle::table.filter(sign_in_throttle::last_failed_at.lt(forgotten)))
        .execute(conn)?;
    // A waiting key keeps its count (and its wait); another key is counted.
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "INSERT INTO sign_in_throttle (key, failures, last_failed_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_throttle.locked_until > excluded.last_failed_at \
                 THEN sign_in_throttle.failures ELSE sign_in_throttle.failures + 1 END, \
             last_failed_at = excluded.last_failed_at \
             RETURNING failures, locked_until"
        }
        DbConnection::Sqlite(_) => {
            "INSERT INTO sign_in_throttle (key, failures, last_failed_at) VALUES (?, 1, ?) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_throttle.locked_until > excluded.last_failed_at \
                 THEN sign_in_throttle.failures ELSE sign_in_throttle.failures + 1 END, \
             last_failed_at = excluded.last_failed_at \
             RETURNING failures, locked_until"
        }
    };
    let mut counted = vec![(keys.account.clone(), limits.account_failures, "account")];
    if let Some(a) = &keys.address {
        counted.push((a.clone(), limits.address_failures, "address"));
    }
    let mut wait: Option<u64> = None;
    for (key, free, kind) in counted {
        let n: Counted = diesel::sql_query(sql)
            .bind::<Text, _>(&key)
            .bind::<Timestamp, _>(at)
            .get_result(conn)?;
        if let Some(until) = n.locked_until.filter(|u| from_db_time(*u) > now) {
            let left = seconds_until(until, now);
            wait = Some(wait.map_or(left, |w| w.max(left)));
            continue;
        }
        // This attempt is the `failures`th in a row: past the free ones,
        // the next must wait (this one is checked: it may be right).
        if let Some(seconds) = limits.wait_after(i64::from(n.failures), free) {
            let until = to_db_time(now + chrono::Duration::seconds(seconds));
            diesel::update(sign_in_throttle::table.find(&key))
                .set(sign_in_throttle::locked_until.eq(until))
                .execute(conn)?;
            tracing::info!(
                kind,
                failures = n.failures,
                wait = seconds,
                "sign-in throttled"
            );
        }
    }
    match wait {
        Some(seconds) => Err(crate::error::ApiError::TooManyAttempts(seconds)),
        None => Ok(()),
    }
}

/// Forgives a sign-in that succeeded: the account's count is forgotten,
/// and the attempt no longer counts against the client address (whose
/// earlier failures stay: one good password must not buy guesses at other
/// accounts).
pub fn succeeded(conn: &mut DbConnection, who: &Who) -> ApiResult<()> {
    let keys = Keys::of(conn, who)?;
    diesel::delete(sign_in_throttle::table.find(&keys.account)).execute(conn)?;
    if let Some(address) = &keys.address {
        diesel::update(
            sign_in_throttle::table
                .find(address)
                .filter(sign_in_throttle::failures.gt(0)),
        )
        .set(sign_in_throttle::failures.eq(sign_in_throttle::failures - 1))
        .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_longest() {
        let limits = Limits::from_settings(&Settings::default());
        let waits: Vec<Option<i64>> = (1..=17).map(|n| limits.wait_after(n, 5)).collect();
        assert_eq!(&waits[..5], &[None; 5]);
        assert_eq!(
            &waits[5..],
            &[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900].map(Some)
        );
        assert_eq!(limits.wait_after(i64::from(i32::MAX), 5), Some(900));
    }

    #[test]
    fn an_ipv6_client_is_its_network_and_a_mapped_ipv4_its_address() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(network(mapped), "192.0.2.7");
    }
}
