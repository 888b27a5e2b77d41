//! Settings: defaults, then an optional TOML file, then environment variables.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;

/// The name of every setting, as in the TOML file and (upper-cased, after
/// `OMBUD_`) in the environment.
pub const KEYS: [&str; 53] = [
    "database_url",
    "bind",
    "public_base_url",
    "db_pool_size",
    "db_timeout_seconds",
    "password_checks_at_once",
    "password_check_wait_ms",
    "sign_in_account_failures",
    "sign_in_address_failures",
    "sign_in_lockout_max_seconds",
    "sign_in_window_minutes",
    "proxy_hops",
    "hsts_max_age_seconds",
    "cors_allowed_origins",
    "token_ttl_hours",
    "service_token_max_days",
    "appeal_window_seconds",
    "reopen_period_days",
    "scan_interval_seconds",
    "max_body_bytes",
    "http_workers",
    "run_jobs",
    "smtp_url",
    "mail_from",
    "mail_dir",
    "smtp_timeout_seconds",
    "mail_max_attempts",
    "mail_retry_seconds",
    "mail_lease_seconds",
    "delivery_interval_ms",
    "mail_batch",
    "mail_concurrency",
    "case_link",
    "desk_digest_minutes",
    "desk_hours",
    "desk_time_zone",
    "evidence_dir",
    "evidence_max_bytes",
    "evidence_max_per_case",
    "evidence_types",
    "follow_up_auto_close",
    "sanction_due_hours",
    "duplicate_window_days",
    "sla_escalate",
    "auto_withdraw_silent",
    "webhook_allow_http",
    "webhook_allow_private",
    "webhook_timeout_seconds",
    "webhook_retry_seconds",
    "webhook_disable_after_hours",
    "webhook_log_days",
    "retention_days",
    "idempotency_days",
];

/// Every setting of the service. The README has the table; keep them in step.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// Address and port the HTTP server listens on.
    pub bind: String,
    /// The address people reach the service at, for links in mail and docs;
    /// `http://` + `bind` when left empty.
    pub public_base_url: String,
    /// Largest connection pool per process.
    pub db_pool_size: u32,
    /// The most one database call may take (waiting for a connection or
    /// for the SQLite writer's turn included) before the request gets 503.
    pub db_timeout_seconds: u64,
    /// Password checks (argon2, ~19 MiB each) running at once (0: one per core).
    pub password_checks_at_once: usize,
    /// How long a password check waits for its turn before the request gets 503.
    pub password_check_wait_ms: u64,
    /// Failed sign-ins allowed for one email address (whether or not an
    /// account has it) before each further failure makes it wait, twice as
    /// long each time, up to `sign_in_lockout_max_seconds`.
    pub sign_in_account_failures: i64,
    /// The same for one client address (an IPv6 client by its /64).
    pub sign_in_address_failures: i64,
    /// The longest wait (lockout) a run of failed sign-ins earns.
    pub sign_in_lockout_max_seconds: i64,
    /// How long failures are remembered after the last one.
    pub sign_in_window_minutes: i64,
    /// Reverse proxies in front of the service whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed: the client is the address this many
    /// entries from the right of `X-Forwarded-For`, and `https` there means
    /// the request came over TLS. 0: no proxy; the peer is the client and
    /// the headers are ignored (a client could forge them).
    pub proxy_hops: usize,
    /// `Strict-Transport-Security: max-age` sent on answers to requests that
    /// came over TLS (as a believed proxy says); 0: no header.
    pub hsts_max_age_seconds: u64,
    /// Web origins (`https://app.example.org`) whose scripts may call the
    /// API from a browser (CORS), separated by spaces or commas; `*` for
    /// any; empty: none (the default).
    pub cors_allowed_origins: String,
    /// Lifetime of a token issued by signing in.
    pub token_ttl_hours: i64,
    /// Longest lifetime an admin may give a service token.
    pub service_token_max_days: i64,
    /// How long parties may appeal after a ruling.
    pub appeal_window_seconds: i64,
    /// How long after closing a lead may reopen a case.
    pub reopen_period_days: i64,
    /// How often the background scanner moves ruled cases on to follow-up.
    pub scan_interval_seconds: u64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads (0: one per core).
    pub http_workers: usize,
    /// Run background jobs in this process.
    pub run_jobs: bool,
    /// SMTP server for mail (`smtp://`, `smtp://...?tls=required` for
    /// STARTTLS, `smtps://` for implicit TLS; credentials as `user:pass@`).
    /// Empty: mail is written as `.eml` files to `mail_dir`.
    pub smtp_url: String,
    /// The From address of every mail.
    pub mail_from: String,
    /// Where mail goes when no SMTP server is configured.
    pub mail_dir: String,
    /// How long one SMTP exchange may take.
    pub smtp_timeout_seconds: u64,
    /// Attempts before a temporarily failing mail is marked failed.
    pub mail_max_attempts: i32,
    /// First retry delay; doubles with each attempt (with jitter), at most an hour.
    pub mail_retry_seconds: i64,
    /// How long a worker's claim on a mail lasts before another may take it.
    pub mail_lease_seconds: i64,
    /// How often an idle delivery worker looks for due mail (mail written by
    /// the same process wakes it at once; while mail is due it never waits).
    pub delivery_interval_ms: u64,
    /// Most mail one worker claims at a time.
    pub mail_batch: i64,
    /// Most mails one worker has in flight to the SMTP server at once (and
    /// the size of its SMTP connection pool).
    pub mail_concurrency: u32,
    /// Link to a case in mail: `{case_id}` and `{reference}` are replaced;
    /// empty: the case's page in the console under `public_base_url`.
    pub case_link: String,
    /// How often a lead who chose the digest gets it (while any case waits
    /// for a lead).
    pub desk_digest_minutes: i64,
    /// The desk's working hours, `Mon-Fri 09:00-17:00; Sat 10:00-14:00`;
    /// empty: always open. Outside them the acknowledgement of a complaint
    /// says when the desk opens.
    pub desk_hours: String,
    /// The time zone of `desk_hours` (IANA, such as `Europe/Warsaw`).
    pub desk_time_zone: String,
    /// The folder evidence is kept in (by SHA-256; uploads in progress in
    /// its `staging` folder).
    pub evidence_dir: String,
    /// The largest file a case accepts, in bytes.
    pub evidence_max_bytes: u64,
    /// The most files one case holds.
    pub evidence_max_per_case: i64,
    /// The kinds of file accepted (media types, detected from the bytes),
    /// separated by spaces or commas.
    pub evidence_types: String,
    /// Close a case in follow-up by itself once every remedy and sanction of
    /// its ruling is done or waived.
    pub follow_up_auto_close: bool,
    /// How long after follow-up starts a sanction must be put in place
    /// before it is overdue.
    pub sanction_due_hours: i64,
    /// How close together (in days) two complaints about the same
    /// respondent in the same category must be filed for staff to be shown
    /// one as a likely duplicate of the other.
    pub duplicate_window_days: i64,
    /// When a service-level deadline is missed, raise the case's priority
    /// one step and hand a case whose mediator is unavailable back to
    /// automatic assignment.
    pub sla_escalate: bool,
    /// Withdraw a case by itself when the complainant does not answer a
    /// request for information marked `final` by its deadline (off by
    /// default: the mediator is told and decides).
    pub auto_withdraw_silent: bool,
    /// Allow webhook endpoints at `http://` URLs (otherwise `https://` only).
    pub webhook_allow_http: bool,
    /// Allow webhook endpoints on this machine or in private, link-local or
    /// other non-public address ranges (refused by default, against
    /// server-side request forgery).
    pub webhook_allow_private: bool,
    /// How long a webhook receiver has to answer one delivery.
    pub webhook_timeout_seconds: u64,
    /// First retry delay of a failed webhook delivery; doubles with each
    /// attempt (with jitter), at most an hour.
    pub webhook_retry_seconds: i64,
    /// How long an endpoint may fail without a success before it is
    /// disabled and its owner told by mail (and how long one delivery is
    /// tried before it is given up).
    pub webhook_disable_after_hours: i64,
    /// How long the log keeps a delivery that is done (delivered or given
    /// up), with its attempts; pending ones are kept whatever their age.
    pub webhook_log_days: i64,
    /// How long after it ended (closed, withdrawn or dismissed) a case
    /// keeps its content: then the scanner removes its texts, files and
    /// the parties' contact details, keeping its shape for statistics.
    /// 0: kept for ever.
    pub retention_days: i64,
    /// How long the answer to a request with an `Idempotency-Key` is kept
    /// for replays; a retry after that runs again.
    pub idempotency_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/ombud.db".into(),
            bind: "127.0.0.1:8080".into(),
            public_base_url: String::new(),
            db_pool_size: 10,
            db_timeout_seconds: 5,
            password_checks_at_once: 0,
            password_check_wait_ms: 2000,
            sign_in_account_failures: 5,
            sign_in_address_failures: 20,
            sign_in_lockout_max_seconds: 900,
            sign_in_window_minutes: 60,
            proxy_hops: 0,
            hsts_max_age_seconds: 31_536_000,
            cors_allowed_origins: String::new(),
            token_ttl_hours: 24 * 7,
            service_token_max_days: 365,
            appeal_window_seconds: 14 * 24 * 3600,
            reopen_period_days: 30,
            scan_interval_seconds: 30,
            max_body_bytes: 256 * 1024,
            http_workers: 0,
            run_jobs: true,
            smtp_url: String::new(),
            mail_from: "Ombud <ombud@localhost>".into(),
            mail_dir: "data/mail".into(),
            smtp_timeout_seconds: 10,
            mail_max_attempts: 8,
            mail_retry_seconds: 30,
            mail_lease_seconds: 120,
            delivery_interval_ms: 1000,
            mail_batch: 100,
            mail_concurrency: 8,
            case_link: String::new(),
            desk_digest_minutes: 60,
            desk_hours: String::new(),
            desk_time_zone: "UTC".into(),
            evidence_dir: "data/evidence".into(),
            evidence_max_bytes: 20 * 1024 * 1024,
            evidence_max_per_case: 100,
            evidence_types: crate::domain::evidence::DEFAULT_TYPES.into(),
            follow_up_auto_close: true,
            sanction_due_hours: 72,
            duplicate_window_days: 30,
            sla_escalate: true,
            auto_withdraw_silent: false,
            webhook_allow_http: false,
            webhook_allow_private: false,
            webhook_timeout_seconds: 10,
            webhook_retry_seconds: 30,
            webhook_disable_after_hours: 72,
            webhook_log_days: 30,
            retention_days: 0,
            idempotency_days: 7,
        }
    }
}

impl Settings {
    /// The desk's working hours (checked when the settings are loaded).
    pub fn desk_schedule(&self) -> Result<crate::domain::hours::Schedule, String> {
        crate::domain::hours::Schedule::parse(&self.desk_hours, &self.desk_time_zone)
    }

    /// Loads settings: defaults, then `file` (or `ombud.toml` if present), then
    /// `OMBUD_*` variables and `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "config file {} not found", path.display());
                fig = fig.merge(Toml::file(path));
            }
            None => fig = fig.merge(Toml::file("ombud.toml")),
        }
        // Only settings: other OMBUD_* variables (OMBUD_CONFIG, OMBUD_PASSWORD,
        // test settings) are not for this table.
        fig = fig
            .merge(Env::prefixed("OMBUD_").only(&KEYS))
            .merge(Env::raw().only(&["database_url", "smtp_url"]));
        let s: Settings = fig.extract()?;
        s.check()?;
        Ok(s)
    }

    /// The link to a case for mail.
    pub fn case_url(&self, case_id: &str, reference: &str) -> String {
        if self.case_link.trim().is_empty() {
            format!("{}/console/cases/{case_id}", self.base_url())
        } else {
            self.case_link
                .replace("{case_id}", case_id)
                .replace("{reference}", reference)
        }
    }

    /// The public base URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        if self.public_base_url.trim().is_empty() {
            format!("http://{}", self.bind)
        } else {
            self.public_base_url
                .trim()
                .trim_end_matches('/')
                .to_string()
        }
    }

    /// The origins of `cors_allowed_origins`, each as a browser sends it
    /// (`scheme://host[:port]`), or `["*"]`; an error names one that is not.
    pub fn cors_origins(&self) -> Result<Vec<String>, String> {
        let mut origins = Vec::new();
        for o in self
            .cors_allowed_origins
            .split([' ', ',', '\n', '\t'])
            .filter(|o| !o.is_empty())
        {
            if o == "*" {
                origins.push(o.to_string());
                continue;
            }
            let url = url::Url::parse(o).map_err(|e| format!("{o}: {e}"))?;
            let origin = url.origin().ascii_serialization();
            let bare = url.path() == "/"
                && url.query().is_none()
                && url.fragment().is_none()
                && url.username().is_empty()
                && !o.trim_end_matches('/').ends_with(['?', '#']);
            if !matches!(url.scheme(), "http" | "https") || !bare {
                return Err(format!(
                    "{o} is not an origin (scheme://host[:port], no path)"
                ));
            }
            origins.push(origin);
        }
        if origins.len() > 1 && origins.iter().any(|o| o == "*") {
            return Err("`*` stands alone".into());
        }
        Ok(origins)
    }

    fn check(&self) -> anyhow::Result<()> {
        const TEN_YEARS_DAYS: i64 = 3650;
        fn within(v: i64, lo: i64, hi: i64, name: &str) -> anyhow::Result<()> {
            anyhow::ensure!(
                (lo..=hi).contains(&v),
                "{name} must be between {lo} and {hi}"
            );
            Ok(())
        }
        let wide = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        within(i64::from(self.db_pool_size), 1, 1000, "db_pool_size")?;
        within(wide(self.db_timeout_seconds), 1, 600, "db_timeout_seconds")?;
        let at_once = i64::try_from(self.password_checks_at_once).unwrap_or(i64::MAX);
        within(at_once, 0, 1024, "password_checks_at_once")?;
        within(
            wide(self.password_check_wait_ms),
            0,
            60_000,
            "password_check_wait_ms",
        )?;
        within(
            self.sign_in_account_failures,
            1,
            1000,
            "sign_in_account_failures",
        )?;
        within(
            self.sign_in_address_failures,
            1,
            100_000,
            "sign_in_address_failures",
        )?;
        within(
            self.sign_in_lockout_max_seconds,
            1,
            86_400,
            "sign_in_lockout_max_seconds",
        )?;
        // Failures must be remembered for longer than the longest wait,
        // or waiting it out would also wipe the count.
        within(
            self.sign_in_window_minutes,
            self.sign_in_lockout_max_seconds / 60 + 1,
            7 * 24 * 60,
            "sign_in_window_minutes (longer than sign_in_lockout_max_seconds)",
        )?;
        within(
            i64::try_from(self.proxy_hops).unwrap_or(i64::MAX),
            0,
            10,
            "proxy_hops",
        )?;
        self.cors_origins()
            .map_err(|e| anyhow::anyhow!("cors_allowed_origins: {e}"))?;
        within(
            self.token_ttl_hours,
            1,
            TEN_YEARS_DAYS * 24,
            "token_ttl_hours",
        )?;
        within(
            self.service_token_max_days,
            1,
            TEN_YEARS_DAYS,
            "service_token_max_days",
        )?;
        within(
            self.appeal_window_seconds,
            0,
            TEN_YEARS_DAYS * 86_400,
            "appeal_window_seconds",
        )?;
        within(
            self.reopen_period_days,
            0,
            TEN_YEARS_DAYS,
            "reopen_period_days",
        )?;
        within(
            wide(self.scan_interval_seconds),
            1,
            86_400,
            "scan_interval_seconds",
        )?;
        within(
            wide(self.smtp_timeout_seconds),
            1,
            600,
            "smtp_timeout_seconds",
        )?;
        within(
            i64::from(self.mail_max_attempts),
            1,
            100,
            "mail_max_attempts",
        )?;
        within(self.mail_retry_seconds, 1, 86_400, "mail_retry_seconds")?;
        within(
            wide(self.webhook_timeout_seconds),
            1,
            300,
            "webhook_timeout_seconds",
        )?;
        within(self.webhook_retry_seconds, 1, 3600, "webhook_retry_seconds")?;
        within(
            self.webhook_disable_after_hours,
            1,
            24 * 365,
            "webhook_disable_after_hours",
        )?;
        within(self.webhook_log_days, 1, TEN_YEARS_DAYS, "webhook_log_days")?;
        within(
            self.retention_days,
            0,
            10 * TEN_YEARS_DAYS,
            "retention_days",
        )?;
        within(self.idempotency_days, 1, TEN_YEARS_DAYS, "idempotency_days")?;
        within(self.mail_lease_seconds, 5, 86_400, "mail_lease_seconds")?;
        // One SMTP exchange has several steps, each with the timeout; the
        // lease, renewed before each mail, must outlast them all.
        anyhow::ensure!(
            self.mail_lease_seconds >= 6 * wide(self.smtp_timeout_seconds),
            "mail_lease_seconds must be at least 6 x smtp_timeout_seconds"
        );
        within(
            wide(self.delivery_interval_ms),
            10,
            600_000,
            "delivery_interval_ms",
        )?;
        within(self.mail_batch, 1, 1000, "mail_batch")?;
        within(
            self.desk_digest_minutes,
            5,
            7 * 24 * 60,
            "desk_digest_minutes",
        )?;
        self.desk_schedule()
            .map_err(|e| anyhow::anyhow!("desk_hours / desk_time_zone: {e}"))?;
        within(i64::from(self.mail_concurrency), 1, 256, "mail_concurrency")?;
        within(
            wide(self.evidence_max_bytes),
            1,
            1 << 40,
            "evidence_max_bytes",
        )?;
        within(
            self.evidence_max_per_case,
            1,
            100_000,
            "evidence_max_per_case",
        )?;
        within(self.sanction_due_hours, 1, 24 * 365, "sanction_due_hours")?;
        within(self.duplicate_window_days, 1, 3650, "duplicate_window_days")?;
        anyhow::ensure!(
            !self.evidence_dir.trim().is_empty(),
            "evidence_dir must name a folder"
        );
        lettre::message::Mailbox::from_str(&self.mail_from)
            .map_err(|e| anyhow::anyhow!("mail_from is not an address: {e}"))?;
        let body = i64::try_from(self.max_body_bytes).unwrap_or(i64::MAX);
        within(body, 1024, 64 * 1024 * 1024, "max_body_bytes")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_that_cannot_be_read_stop_the_start() {
        for (hours, zone) in [
            ("Funday 09:00-17:00", "UTC"),
            ("Mon-Fri 09:00-17:00", "Moon/Base"),
        ] {
            let s = Settings {
                desk_hours: hours.into(),
                desk_time_zone: zone.into(),
                ..Settings::default()
            };
            let e = s.check().unwrap_err().to_string();
            assert!(e.contains("desk_hours"), "{e}");
        }
        let ok = Settings {
            desk_hours: "Mon-Fri 09:00-17:00".into(),
            desk_time_zone: "Europe/Warsaw".into(),
            ..Settings::default()
        };
        assert!(ok.check().is_ok());
    }

    #[test]
    fn cors_origins_are_origins() {
        let with = |o: &str| {
            Settings {
                cors_allowed_origins: o.into(),
                ..Settings::default()
            }
            .cors_origins()
        };
        assert_eq!(with(""), Ok(vec![]));
        assert_eq!(with("*"), Ok(vec!["*".to_string()]));
        assert_eq!(
            with("https://a.example.org, http://localhost:5173\nhttps://B.example.org/"),
            Ok(vec![
                "https://a.example.org".to_string(),
                "http://localhost:5173".to_string(),
                "https://b.example.org".to_string(),
            ])
        );
        for bad in [
            "https://a.example.org/app",
            "a.example.org",
            "ftp://a.example.org",
            "*, https://a.example.org",
            "https://a.example.org?x=1",
        ] {
            assert!(with(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_name_every_setting() {
        let value = serde_json::to_value(Settings::default()).unwrap();
        let mut fields: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut keys = KEYS.to_vec();
        fields.sort();
        keys.sort();
        assert_eq!(fields, keys);
    }

    #[test]
    fn readme_documents_every_setting() {
        let readme = include_str!("../README.md");
        for key in KEYS {
            assert!(
                readme.contains(&format!("| `{key}` |")),
                "README lacks {key}"
            );
        }
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail closure returns figment::Error
    fn file_and_environment_override_defaults_and_typos_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "ombud.toml",
                "bind = \"0.0.0.0:9000\"\nreopen_period_days = 7",
            )?;
            jail.set_env("OMBUD_REOPEN_PERIOD_DAYS", "9");
            jail.set_env("OMBUD_PASSWORD", "not a setting");
            jail.set_env("DATABASE_URL", "postgres://db/ombud");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.bind, "0.0.0.0:9000");
            assert_eq!(s.reopen_period_days, 9);
            assert_eq!(s.database_url, "postgres://db/ombud");
            assert_eq!(s.base_url(), "http://0.0.0.0:9000");
            jail.create_file("typo.toml", "bnid = \"x\"")?;
            assert!(Settings::load(Some(Path::new("typo.toml"))).is_err());
            jail.create_file("far.toml", "appeal_window_seconds = 999999999999")?;
            assert!(
                Settings::load(Some(Path::new("far.toml"))).is_err(),
                "out of range"
            );
            jail.create_file(
                "lease.toml",
                "mail_lease_seconds = 10\nsmtp_timeout_seconds = 10",
            )?;
            assert!(
                Settings::load(Some(Path::new("lease.toml"))).is_err(),
                "lease shorter than a send"
            );
            Ok(())
        });
    }
}
