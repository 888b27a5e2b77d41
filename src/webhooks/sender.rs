//! Sends one delivery: a signed HTTP POST, over pooled connections, to
//! public addresses only (unless the settings allow others), without
//! following redirects, within `webhook_timeout_seconds`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::signature;
use crate::config::Settings;
use crate::domain::webhook::{is_local_name, is_public};

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// What went wrong, if anything did (a status other than 2xx included).
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i32,
}

impl Attempt {
    /// Whether the receiver took the delivery (answered 2xx).
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// What a delivery needs to go out (its `Debug` leaves the secret out).
#[derive(Clone)]
pub struct Outbound {
    /// The endpoint's URL.
    pub url: String,
    /// The endpoint's id.
    pub webhook_id: String,
    /// The endpoint's secret.
    pub secret: String,
    /// The delivery's id.
    pub delivery_id: i64,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// The body.
    pub payload: String,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("delivery_id", &self.delivery_id)
            .field("webhook_id", &self.webhook_id)
            .field("event_type", &self.event_type)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The HTTP client that sends deliveries.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
    allow_http: bool,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("allow_private", &self.allow_private)
            .finish()
    }
}

/// Resolves names to their public addresses only: a name that resolves to
/// this machine or a private network is refused at every delivery, not
/// only when the endpoint was registered (a name can change its address).
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            if is_local_name(&host) {
                return Err(format!("{host} is a name of this machine or network").into());
            }
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Makes ring this process's TLS provider (the one lettre uses too), for
/// any HTTP client built without a configuration of its own. Calling it
/// again does nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn tls() -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Sender {
    /// The client the settings describe.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Sender> {
        install_tls_provider();
        let timeout = Duration::from_secs(settings.webhook_timeout_seconds.max(1));
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls()?)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, out of the address check's reach.
            .no_proxy()
            .user_agent(concat!("Ombud-Webhooks/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(60));
        if !settings.webhook_allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Sender {
            client: builder.build()?,
            allow_private: settings.webhook_allow_private,
            allow_http: settings.webhook_allow_http,
        })
    }

    /// Sends `out`, signed at `now`.
    pub async fn send(&self, out: &Outbound, now: DateTime<Utc>) -> Attempt {
        let started = Instant::now();
        let result = self.post(out, now).await;
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match result {
            Ok(status) if (200..300).contains(&status) => Attempt {
                status: Some(status),
                error: None,
                duration_ms,
            },
            Ok(status) => Attempt {
                status: Some(status),
                error: Some(format!("the receiver answered {status}")),
                duration_ms,
            },
            Err(error) => Attempt {
                status: None,
                error: Some(error),
                duration_ms,
            },
        }
    }

    async fn post(&self, out: &Outbound, now: DateTime<Utc>) -> Result<u16, String> {
        let url =
            reqwest::Url::parse(&out.url).map_err(|e| format!("the URL cannot be read: {e}"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            other => {
                return Err(format!(
                    "{other}:// URLs are not allowed (webhook_allow_http)"
                ));
            }
        }
        if !self.allow_private {
            let literal = match url.host() {
                Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
                _ => None,
            };
            if literal.is_some_and(|ip| !is_public(ip)) {
                return Err("the address is not a public one; webhooks may not reach it".into());
            }
        }
        let signed = signature::sign(&out.secret, now.timestamp(), out.payload.as_bytes());
        let answer = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header(signature::HEADER, signed)
            .header("Ombud-Event-Id", &out.event_id)
            .header("Ombud-Event-Type", &out.event_type)
            .header("Ombud-Delivery-Id", out.delivery_id.to_string())
            .header("Ombud-Webhook-Id", &out.webhook_id)
            .body(out.payload.clone())
            .send()
            .await
            .map_err(describe)?;
        Ok(answer.status().as_u16())
    }
}

/// An error of the HTTP client, with its causes, in one line.
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        return "the receiver did not answer in time".into();
    }
    let mut text = if e.is_connect() {
        "could not connect".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.chars().take(500).collect()
}
