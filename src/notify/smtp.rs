//! Our own pool of SMTP connections for `smtp://` servers (plain, or
//! upgraded with STARTTLS), with `TCP_NODELAY` set on each socket.
//!
//! lettre 0.11's transport writes a mail's body and its closing `.` as two
//! writes on a socket with Nagle's algorithm on, so every mail waits for
//! the server's delayed acknowledgement (40 ms on Linux): one connection
//! carried 22 mails a second on loopback. lettre's own connection type
//! takes a socket we open ourselves, so we open it with `TCP_NODELAY` and
//! keep the connections in a small pool. `smtps://` (TLS from the first
//! byte) still goes through lettre's transport.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// Why a mail did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying: the server is down, busy, or answered 4xx.
    Temporary(String),
    /// Not worth retrying: a 5xx answer, or an address that cannot be used.
    Permanent(String),
}

/// Whether to upgrade with STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StartTls {
    Never,
    IfOffered,
    Required,
}

/// An `smtp://` server and our open connections to it.
pub struct DirectSmtp {
    host: String,
    port: u16,
    starttls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// How long one SMTP step may take.
    timeout: Duration,
    /// Connections that finished their last mail cleanly; at most `keep`.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    keep: usize,
}

impl DirectSmtp {
    /// The server an `smtp://` URL names (`None` for other schemes), read
    /// as lettre reads it: `?tls=required|opportunistic`, credentials before
    /// the host, the EHLO name as the path; port 25, or 587 with `tls`.
    pub fn from_url(url: &str, timeout: Duration, keep: usize) -> anyhow::Result<Option<Self>> {
        let parsed = url::Url::parse(url).map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?;
        if parsed.scheme() != "smtp" {
            return Ok(None);
        }
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let starttls = match tls.as_deref() {
            None => StartTls::Never,
            Some("opportunistic") => StartTls::IfOffered,
            Some("required") => StartTls::Required,
            Some(other) => anyhow::bail!("SMTP_URL: unknown tls={other}"),
        };
        let host = parsed
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("SMTP_URL names no host"))?
            .to_string();
        let port = parsed.port().unwrap_or(match starttls {
            StartTls::Never => 25,
            _ => 587,
        });
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let credentials = parsed
            .password()
            .map(|p| Credentials::new(decode(parsed.username()), decode(p)));
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Some(DirectSmtp {
            host,
            port,
            starttls,
            credentials,
            hello,
            timeout,
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        }))
    }

    /// Sends one mail on an idle connection (or a new one); the connection
    /// goes back to the pool if the exchange ended cleanly.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let reused = self.idle.lock().await.pop();
        let mut conn = match reused {
            // A connection the server closed while idle is left behind.
            Some(conn) => match self.alive(conn).await {
                Some(conn) => conn,
                None => self.connect().await?,
            },
            None => self.connect().await?,
        };
        // Every command of the exchange has the timeout; the whole at most
        // five of them (MAIL, RCPT, DATA, the content, the answer).
        let sent = tokio::time::timeout(self.timeout * 5, conn.send(envelope, message)).await;
        match sent {
            Err(_) => Err(SendError::Temporary(
                "the SMTP server did not answer in time".into(),
            )),
            Ok(Err(e)) => Err(classify(&e)),
            Ok(Ok(_)) => {
                if !conn.has_broken() {
                    let mut idle = self.idle.lock().await;
                    if idle.len() < self.keep {
                        idle.push(conn);
                    }
                }
                Ok(())
            }
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let unreachable =
            |e: String| SendError::Temporary(format!("cannot reach the SMTP server: {e}"));
        let tcp = self
            .step(TcpStream::connect((self.host.as_str(), self.port)))
            .await?
            .map_err(|e| unreachable(e.to_string()))?;
        tcp.set_nodelay(true)
            .map_err(|e| unreachable(e.to_string()))?;
        let mut conn = self
            .step(AsyncSmtpConnection::connect_with_transport(
                Box::new(tcp),
                &self.hello,
            ))
            .await?
            .map_err(|e| classify(&e))?;
        let offered = conn.can_starttls();
        if self.starttls == StartTls::Required || (self.starttls == StartTls::IfOffered && offered)
        {
            let tls = TlsParameters::new(self.host.clone()).map_err(|e| classify(&e))?;
            self.step(conn.starttls(tls, &self.hello))
                .await?
                .map_err(|e| classify(&e))?;
        }
        if let Some(credentials) = &self.credentials {
            self.step(conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials))
                .await?
                .map_err(|e| classify(&e))?;
        }
        Ok(conn)
    }

    async fn alive(&self, mut conn: AsyncSmtpConnection) -> Option<AsyncSmtpConnection> {
        self.step(conn.test_connected())
            .await
            .unwrap_or(false)
            .then_some(conn)
    }

    /// One step of the exchange, within the timeout.
    async fn step<T>(&self, f: impl Future<Output = T>) -> Result<T, SendError> {
        tokio::time::timeout(self.timeout, f)
            .await
            .map_err(|_| SendError::Temporary("the SMTP server did not answer in time".into()))
    }
}

/// A refused login (530, 534, 535, 538) is our configuration, not the
/// recipient: retry, so fixing `SMTP_URL` sends the mail. Other 5xx
/// answers are permanent; everything else is worth another try.
pub fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(u16::from);
    let auth = code.is_some_and(|c| matches!(c, 530 | 534 | 535 | 538));
    if e.is_permanent() && !auth {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Temporary(e.to_string())
    }
}
