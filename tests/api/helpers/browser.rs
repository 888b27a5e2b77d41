//! Headless Chromium, driven over the W3C WebDriver protocol through
//! chromedriver (Debian's `chromium` and `chromium-driver`). A few calls
//! of the protocol, spoken with the suite's own HTTP client: no browser
//! automation crate is needed.
//!
//! Without chromedriver the console's browser tests say so and stop,
//! unless `OMBUD_TEST_BROWSER=required` (as `.ci/run` sets), where that is
//! a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

impl Driver {
    /// Starts chromedriver, or `None` when it is not installed (and not
    /// required).
    pub async fn start() -> Option<Driver> {
        // The suite's reqwest has no TLS provider of its own.
        ombud::webhooks::sender::install_tls_provider();
        let driver = std::env::var("CHROMEDRIVER")
            .ok()
            .map(PathBuf::from)
            .or_else(|| find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
        let required = std::env::var("OMBUD_TEST_BROWSER").is_ok_and(|v| v == "required");
        let Some(driver) = driver.filter(|p| p.exists()) else {
            assert!(
                !required,
                "OMBUD_TEST_BROWSER=required but chromedriver is not installed \
                 (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "NOTE: the console's browser tests did not run: chromedriver is not installed \
                 (apt-get install chromium chromium-driver); .ci/run installs it and runs them"
            );
            return None;
        };
        // A free port: bound, read and let go just before chromedriver binds it.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
        };
        // Waiting for it to listen; a minute is far more than it ever takes.
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = d
                .http
                .get(format!("{}/status", d.base))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success());
            if ready.is_some() {
                break;
            }
            assert!(Instant::now() < until, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(d)
    }

    /// A new browser with a profile of its own (its own cookies), at
    /// `width` × `height`, asking for `language` first.
    pub async fn browser(&self, width: u32, height: u32, language: &str) -> Browser {
        let binary = std::env::var("CHROMIUM")
            .ok()
            .or_else(|| {
                find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"])
                    .map(|p| p.display().to_string())
            })
            .expect("chromium is installed beside chromedriver");
        let mut options = json!({
            "binary": binary,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                format!("--window-size={},{height}", width.max(500)), format!("--lang={language}")
            ],
            "prefs": {"intl.accept_languages": language}
        });
        // A window is never narrower than 500 px: a phone is emulated.
        if width < 500 {
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0}});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options
        }}});
        let res = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .expect("new session");
        let body: Value = res.json().await.expect("session json");
        let id = body["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {body}"))
            .to_string();
        Browser {
            http: self.http.clone(),
            session: format!("{}/session/{id}", self.base),
        }
    }
}

/// One browser window with its own cookies.
pub struct Browser {
    http: reqwest::Client,
    session: String,
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        } else if method == reqwest::Method::POST {
            req = req.json(&json!({}));
        }
        let res = req.send().await.expect("webdriver call");
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "webdriver {method} {path}: {status} {}",
            body["value"]["message"]
        );
        body["value"].clone()
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The page's address.
    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The element `css` selects (it must exist).
    pub async fn element(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_string()
    }

    /// How many elements `css` selects.
    pub async fn count(&self, css: &str) -> usize {
        self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .map_or(0, Vec::len)
    }

    /// Clicks the element `css` selects (a link or a button waits for the
    /// page it loads).
    pub async fn click(&self, css: &str) {
        let el = self.element(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/click"), None)
            .await;
    }

    /// Clicks the submit button `css` selects and waits until the page it
    /// sent the form to has loaded (the old page is marked, and the new one
    /// lacks the mark).
    pub async fn submit(&self, css: &str) {
        self.script("window.__ombudOld = true; return null;").await;
        self.click(css).await;
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let done = self
                .script("return document.readyState === 'complete' && !window.__ombudOld;")
                .await;
            if done == Value::Bool(true) {
                return;
            }
            assert!(
                Instant::now() < until,
                "the form sent by {css} never answered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until `condition` (a script's expression) holds on the page,
    /// for a change the page makes to itself; fails after a minute.
    pub async fn wait_until(&self, condition: &str) {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let done = self.script(&format!("return !!({condition});")).await;
            if done == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < until, "the page never came to {condition}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `text` into the field `css` selects, as a user would.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.element(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/clear"), None)
            .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Sets the value of the field `css` selects as its picker would (a
    /// date field's typing depends on the browser's locale).
    pub async fn set(&self, css: &str, value: &str) {
        let script = format!(
            "document.querySelector({}).value = {}; return null;",
            json!(css),
            json!(value)
        );
        self.script(&script).await;
    }

    /// Chooses the option with `value` in the select `css` selects.
    pub async fn choose(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// The visible text of the element `css` selects.
    pub async fn text(&self, css: &str) -> String {
        let el = self.element(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Saves a PNG of the window to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("png");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, bytes).expect("screenshot written");
    }

    /// Forgets every cookie of the page's site, as a session that ended
    /// elsewhere (signed out in another window, or expired).
    pub async fn forget_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
    }

    /// Closes the window.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}
