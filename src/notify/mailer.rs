//! Sending mail: over SMTP (lettre), or, with no SMTP server configured, as
//! `.eml` files in a folder. Either way nothing is dropped.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub use super::smtp::SendError;
use super::smtp::{DirectSmtp, classify};
use crate::config::Settings;
use crate::db::models::OutboxRow;

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An `smtp://` server (plain or STARTTLS), over our own connections.
    Direct {
        /// The server and the open connections.
        smtp: Arc<DirectSmtp>,
        /// Where it connects, without credentials, for the logs.
        server: String,
    },
    /// An `smtps://` server, over lettre's transport.
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
        let url = s.smtp_url.trim();
        let server = url.split('@').next_back().unwrap_or_default();
        let server = server
            .trim_start_matches("smtps://")
            .trim_start_matches("smtp://");
        let server = server.split('?').next().unwrap_or_default().to_string();
        let timeout = Duration::from_secs(s.smtp_timeout_seconds);
        let keep = usize::try_from(s.mail_concurrency).unwrap_or(1);
        if let Some(smtp) = DirectSmtp::from_url(url, timeout, keep)? {
            let smtp = Arc::new(smtp);
            return Ok(Mailer::Direct { smtp, server });
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("SMTP_URL is not usable: {e}"))?
            .timeout(Some(timeout))
            // One connection per mail in flight, kept open between mails.
            .pool_config(PoolConfig::new().max_size(s.mail_concurrency))
            .build();
        Ok(Mailer::Smtp { transport, server })
    }

    /// A line for the start-up banner.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Direct { server, .. } | Mailer::Smtp { server, .. } => {
                format!("SMTP via {server}")
            }
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
            Mailer::Direct { smtp, .. } => {
                smtp.send(message.envelope(), &message.formatted()).await
            }
            Mailer::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| classify(&e)),
            Mailer::Folder { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| SendError::Temporary(e.to_string())),
        }
    }
}
