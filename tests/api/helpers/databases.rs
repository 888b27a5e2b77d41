//! The backends a test runs on, and a database made for each test.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when `OMBUD_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut b = vec![Backend::Sqlite];
    if postgres_admin_url().is_some() {
        b.push(Backend::Postgres);
    }
    b
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("OMBUD_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A database made for one test and removed afterwards.
pub struct TestDb {
    pub url: String,
    pub(super) backend: Backend,
    pub(super) name: String,
}

impl TestDb {
    pub fn create(backend: Backend) -> TestDb {
        let name = format!("ombud_test_{}", uuid::Uuid::new_v4().simple());
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    name,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("OMBUD_TEST_POSTGRES_URL");
                let mut conn = PgConnection::establish(&admin).expect("connect to PostgreSQL");
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = admin.split('?').next().unwrap_or(&admin);
                let base = &base[..base.rfind('/').expect("URL has a path")];
                // No TLS on loopback: what is tested is PostgreSQL, not
                // libpq's TLS, and OpenSSL's clean-up at process exit can
                // race the servers' threads still holding connections
                // (the test binary crashed at exit, after every test passed).
                TestDb {
                    url: format!("{base}/{name}?sslmode=disable"),
                    backend,
                    name,
                }
            }
        }
    }

    /// Drops the database now (also done on drop).
    pub fn destroy(&self) {
        for folder in ["mail", "evidence"] {
            let _ = std::fs::remove_dir_all(
                std::env::temp_dir().join(format!("{}-{folder}", self.name)),
            );
        }
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://").to_string();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            Backend::Postgres => {
                if let Some(admin) = postgres_admin_url()
                    && let Ok(mut conn) = PgConnection::establish(&admin)
                {
                    let _ = conn.batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ));
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.destroy();
    }
}
