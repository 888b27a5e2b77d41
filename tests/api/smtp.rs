//! A real SMTP server on loopback for the tests (mailin-embedded), keeping
//! what it receives. Recipients starting with `reject` get a permanent 550.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// A received mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message.
    pub data: String,
}

impl Mail {
    /// A header's value (unfolded, encoded words decoded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        unfolded
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| decode_words(l[prefix.len()..].trim()))
    }

    /// The plain-text part, decoded (quoted-printable or base64).
    pub fn text(&self) -> String {
        let Some(part) = self.data.split("Content-Type: text/plain").nth(1) else {
            return String::new();
        };
        let (head, rest) = part.split_once("\r\n\r\n").unwrap_or((part, ""));
        let boundary = self
            .data
            .split("boundary=\"")
            .nth(1)
            .and_then(|b| b.split('"').next())
            .unwrap_or("--none--");
        let body = rest
            .split(&format!("\r\n--{boundary}"))
            .next()
            .unwrap_or_default();
        if head.to_ascii_lowercase().contains("base64") {
            let joined: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap_or_default();
            String::from_utf8_lossy(&bytes).replace("\r\n", "\n")
        } else {
            decode_qp(body).replace("\r\n", "\n")
        }
    }
}

fn decode_qp(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    for token in value.split(' ') {
        let lower = token.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && token.ends_with("?=") {
            let b = &token[10..token.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default();
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else if lower.starts_with("=?utf-8?q?") && token.ends_with("?=") {
            out.push_str(&decode_qp(&token[10..token.len() - 2].replace('_', " ")));
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
        }
    }
    out
}

#[derive(Clone)]
struct Sink {
    store: Arc<Mutex<Vec<Mail>>>,
    delay: Duration,
    /// Mails between DATA and their acceptance, now and at most so far.
    open: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    /// Hold each mail until this many were open at once (for at most 20 s).
    meet: usize,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.trim_start_matches('<').starts_with("reject") {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        let open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(open, Ordering::SeqCst);
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        std::thread::sleep(self.delay);
        let started = Instant::now();
        while self.peak.load(Ordering::SeqCst) < self.meet
            && started.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.open.fetch_sub(1, Ordering::SeqCst);
        let mail = Mail {
            to: self.to.clone(),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        };
        self.store.lock().unwrap().push(mail);
        response::OK
    }
}

/// The running server and what it has received.
pub struct SmtpSink {
    pub port: u16,
    store: Arc<Mutex<Vec<Mail>>>,
    peak: Arc<AtomicUsize>,
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    /// Starts a server on a free port.
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(0)
    }

    /// Starts a server on `port` (0: any).
    pub fn start_on(port: u16) -> SmtpSink {
        SmtpSink::start_with(port, Duration::ZERO)
    }

    /// Starts a server that takes `delay` to accept each mail.
    pub fn start_with(port: u16, delay: Duration) -> SmtpSink {
        SmtpSink::serve(port, delay, 0)
    }

    /// Starts a server that accepts no mail until `n` are being sent to it
    /// at once (or 20 s have passed, longer than the client's SMTP timeout).
    pub fn start_meeting(n: usize) -> SmtpSink {
        SmtpSink::serve(0, Duration::ZERO, n)
    }

    fn serve(port: u16, delay: Duration, meet: usize) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let store = Arc::new(Mutex::new(Vec::new()));
        let peak = Arc::new(AtomicUsize::new(0));
        let handler = Sink {
            delay,
            open: Arc::new(AtomicUsize::new(0)),
            peak: peak.clone(),
            meet,
            store: store.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("sink.test")
            // A thread per connection: more than the workers' SMTP pools
            // (`mail_concurrency`) open between them.
            .with_num_threads(160)
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpSink { port, store, peak }
    }

    /// The most mails that were being sent to it at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// The URL for the app's settings.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.store.lock().unwrap().clone()
    }

    /// Waits until at least `n` mails arrived (or fails after 30 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let started = Instant::now();
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "only {} of {n} mails arrived",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
