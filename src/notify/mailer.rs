//! Sending mail: over SMTP (lettre), or, with no SMTP server configured, as
//! `.eml` files in a folder. Either way nothing is dropped.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Settings;
use crate::db::models::OutboxRow;

/// Why a mail did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying: the server is down, busy, or answered 4xx.
    Temporary(String),
    /// Not worth retrying: a 5xx answer, or an address that cannot be used.
    Permanent(String),
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp {
        /// The transport (with its connection pool).
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Where it connects, without credentials, for the logs.
        server: String,
    },
    /// A folder of `.eml` files.
    Folder {
        /// The transport.
        transport: AsyncFileTransport<Tokio1Executor>,
        /// The folder.
        dir: String,
    },
}

impl Mailer {
    /// The transport the settings ask for.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Mailer> {
        if s.smtp_url.trim().is_empty() {
            std::fs::create_dir_all(&s.mail_dir)
                .map_err(|e| anyhow::anyhow!("cannot create mail folder {}: {e}", s.mail_dir))?;
            return Ok(Mailer::Folder {
                transport: AsyncFileTransport::new(&s.mail_dir),
                dir: s.mail_dir.clone(),
            });
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(s.smtp_url.trim())
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(Duration::from_secs(s.smtp_timeout_seconds)))
            // One connection per mail in flight, kept open between mails.
            .pool_config(PoolConfig::new().max_size(s.mail_concurrency))
            .build();
        let server = s.smtp_url.split('@').next_back().unwrap_or_default();
        let server = server
            .trim_start_matches("smtps://")
            .trim_start_matches("smtp://");
        Ok(Mailer::Smtp {
            transport,
            server: server.split('?').next().unwrap_or_default().to_string(),
        })
    }

    /// A line for the start-up banner.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp { server, .. } => format!("SMTP via {server}"),
            Mailer::Folder { dir, .. } => {
                format!("written as .eml files to {dir}/ (no SMTP_URL set)")
            }
        }
    }

    /// Sends one outbox mail.
    pub async fn send(&self, row: &OutboxRow, from: &Mailbox) -> Result<(), SendError> {
        let address = row
            .recipient_email
            .parse()
            .map_err(|e| SendError::Permanent(format!("unusable address: {e}")))?;
        let to = Mailbox::new(Some(row.recipient_name.clone()), address);
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("cannot build the mail: {e}")))?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map(|_| ()).map_err(|e| {
                    // A refused login (530, 534, 535, 538) is our configuration,
                    // not the recipient: retry, so fixing SMTP_URL sends the mail.
                    let code = e.status().map(u16::from);
                    let auth = code.is_some_and(|c| matches!(c, 530 | 534 | 535 | 538));
                    if e.is_permanent() && !auth {
                        SendError::Permanent(e.to_string())
                    } else {
                        SendError::Temporary(e.to_string())
                    }
                })
            }
            Mailer::Folder { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Temporary(e.to_string())),
        }
    }
}
