//! Logging set-up and the request-id middleware.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

/// The header that carries the request id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// A request's id, stored in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Installs the global subscriber: `RUST_LOG` filters, default `info`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Gives every request an id (the caller's `X-Request-Id` if it is sane),
/// logs one line per request inside a span carrying it, and returns it.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    let mut res = next.call(req).instrument(span.clone()).await?;
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "handled"
        )
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), v);
    }
    Ok(res)
}

/// `text` with every word that holds an `@` (an email address, as an SMTP
/// server's reply quotes it) replaced: logs name things by id, not people.
pub fn without_addresses(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            if word.contains('@') {
                let end = &word[word.trim_end().len()..];
                format!("<address>{end}")
            } else {
                word.to_string()
            }
        })
        .collect()
}

/// Lets one log line through per period and counts the rest: an outage
/// that fails every request logs a line a period (with how many it stood
/// for), not one per request.
#[derive(Debug)]
pub struct Throttle {
    period: std::time::Duration,
    state: std::sync::Mutex<(Option<std::time::Instant>, u64)>,
}

impl Throttle {
    /// A throttle letting one line through per `period`.
    pub const fn new(period: std::time::Duration) -> Throttle {
        Throttle {
            period,
            state: std::sync::Mutex::new((None, 0)),
        }
    }

    /// `Some(n)` when a line may be written now, `n` being how many were
    /// held back since the last one; `None` (and counted) otherwise.
    pub fn admit(&self) -> Option<u64> {
        let mut state = self.state.lock().ok()?;
        let (last, held) = &mut *state;
        if last.is_some_and(|at| at.elapsed() < self.period) {
            *held += 1;
            return None;
        }
        *last = Some(std::time::Instant::now());
        Some(std::mem::take(held))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Throttle;

    #[test]
    fn a_throttle_lets_one_line_through_per_period_and_counts_the_rest() {
        let t = Throttle::new(Duration::from_secs(3600));
        assert_eq!(t.admit(), Some(0));
        assert_eq!(t.admit(), None);
        assert_eq!(t.admit(), None);
        let open = Throttle::new(Duration::ZERO);
        assert_eq!(open.admit(), Some(0));
        assert_eq!(open.admit(), Some(0));
    }
}

#[cfg(test)]
mod address_tests {
    #[test]
    fn addresses_in_a_server_reply_are_left_out() {
        let reply = "Permanent(\"550 5.1.1 <ann@example.org>: Recipient address rejected\")";
        let logged = super::without_addresses(reply);
        assert!(!logged.contains("ann@example.org"), "{logged}");
        assert!(
            logged.contains("550 5.1.1 <address> Recipient address rejected"),
            "{logged}"
        );
    }
}
