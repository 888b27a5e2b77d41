//! The console's only way to the data: the public API of this very
//! process, over loopback HTTP, with the signed-in user's bearer token.
//! Whatever the console shows or does, an integrator's client can too.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::routes::client::{CONSOLE_CLIENT, CONSOLE_KEY, Loopback};

/// A client of the API for one console request.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    link: Loopback,
    token: Option<String>,
    client: Option<IpAddr>,
    request_id: Option<String>,
}

/// What the API answered with a 2xx status.
#[derive(Debug)]
pub struct Answer {
    /// The body (null when empty).
    pub body: Value,
    /// The `ETag` header.
    pub etag: Option<String>,
}

/// What the API refused, or why it could not be asked.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The HTTP status (503 when the API could not be reached).
    pub status: u16,
    /// The problem's `detail` (or `title`).
    pub detail: String,
    /// Field errors, `field: message`.
    pub fields: Vec<(String, String)>,
    /// `Retry-After` in seconds, when the API said to wait (0 otherwise).
    pub retry_after: u64,
}

impl Refusal {
    /// The API answered something the console did not expect.
    pub fn odd() -> Refusal {
        Refusal {
            status: 502,
            detail: "the service gave an answer the console cannot read".into(),
            fields: Vec::new(),
            retry_after: 0,
        }
    }

    /// The browser's upload could not be read to its end.
    pub fn unreadable() -> Refusal {
        Refusal {
            status: 400,
            detail: "the upload could not be read; send it again".into(),
            fields: Vec::new(),
            retry_after: 0,
        }
    }

    /// An upload larger than any file the API takes.
    pub fn too_large(limit: u64) -> Refusal {
        Refusal {
            status: 413,
            detail: format!("the upload is larger than {} KiB", limit / 1024),
            fields: Vec::new(),
            retry_after: 0,
        }
    }

    /// No such page.
    pub fn not_found() -> Refusal {
        Refusal {
            status: 404,
            detail: "there is no such page".into(),
            fields: Vec::new(),
            retry_after: 0,
        }
    }

    fn from_problem(status: u16, body: &Value, retry_after: u64) -> Refusal {
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        let fields = body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        let f = |k: &str| {
                            e.get(k)
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string()
                        };
                        (f("field"), f("message"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Refusal {
            status,
            detail: text("detail")
                .or_else(|| text("title"))
                .unwrap_or_else(|| format!("the service answered {status}")),
            fields,
            retry_after,
        }
    }

    fn unreachable(e: &reqwest::Error) -> Refusal {
        tracing::warn!(error = %e, "the console could not reach the API");
        Refusal {
            status: 503,
            detail: "the service is not answering; try again in a moment".into(),
            fields: Vec::new(),
            retry_after: 5,
        }
    }
}

/// How long a call of the API may take in all, a file's download apart.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a download may take in all: it goes at the pace of the
/// browser that takes it, so only a stall ends it early (`read_timeout`).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The shared HTTP client: no proxy (loopback only), no redirects; any
/// read that waits a minute for the API ends the call.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(CALL_TIMEOUT)
        .read_timeout(CALL_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("Ombud-Console/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// A file being downloaded: its headers, and its body still arriving.
pub struct Download {
    /// `Content-Disposition` as the API gave it.
    pub disposition: Option<String>,
    /// `Content-Length`, when the API gave one.
    pub length: Option<u64>,
    /// The body, chunk by chunk.
    pub body: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = Result<actix_web::web::Bytes, reqwest::Error>>>,
    >,
}

/// Extra headers of a writing call.
#[derive(Debug, Default, Clone)]
pub struct Write {
    /// `If-Match`: the version the user saw.
    pub if_match: Option<String>,
    /// `Idempotency-Key`: the form's, so a double submit acts once.
    pub key: Option<String>,
}

impl Api {
    /// A client for the browser at `client`, signed in with `token` if any.
    pub fn new(
        http: reqwest::Client,
        link: Loopback,
        token: Option<String>,
        client: Option<IpAddr>,
        request_id: Option<String>,
    ) -> Api {
        Api {
            http,
            link,
            token,
            client,
            request_id,
        }
    }

    /// `GET path` (relative to `/api/v1`).
    pub async fn get(&self, path: &str) -> Result<Answer, Refusal> {
        self.call(Method::GET, path, None, Write::default()).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value, write: Write) -> Result<Answer, Refusal> {
        self.call(Method::POST, path, Some(body), write).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> Result<Answer, Refusal> {
        self.call(Method::PUT, path, Some(body), Write::default())
            .await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, body: &Value) -> Result<Answer, Refusal> {
        self.call(Method::PATCH, path, Some(body), Write::default())
            .await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Result<Answer, Refusal> {
        self.call(Method::DELETE, path, None, Write::default())
            .await
    }

    /// `POST path` with a body sent as it came (an upload's multipart
    /// form, boundary and all).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: actix_web::web::Bytes,
        write: Write,
    ) -> Result<Answer, Refusal> {
        let req = self
            .request(Method::POST, path, write)
            .header("Content-Type", content_type)
            .body(body);
        self.send(req).await
    }

    /// `GET path` for a file: on success its body as a stream, passed on
    /// chunk by chunk as the API sends it (never held whole), with its
    /// `Content-Disposition` and `Content-Length`; otherwise the refusal.
    pub async fn download(&self, path: &str) -> Result<Download, Refusal> {
        let res = self
            .request(Method::GET, path, Write::default())
            .timeout(DOWNLOAD_TIMEOUT)
            .send()
            .await
            .map_err(|e| Refusal::unreachable(&e))?;
        let status = res.status().as_u16();
        if !(200..300).contains(&status) {
            let retry_after = retry_after(res.headers());
            let bytes = res.bytes().await.map_err(|e| Refusal::unreachable(&e))?;
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            return Err(Refusal::from_problem(status, &body, retry_after));
        }
        let disposition = res
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let length = res.content_length();
        // Each chunk as it arrives; after an error, nothing more.
        let body = futures_util::stream::unfold(Some(res), |res| async move {
            let mut res = res?;
            match res.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(res))),
                Ok(None) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "a download from the API broke off");
                    Some((Err(e), None))
                }
            }
        });
        Ok(Download {
            disposition,
            length,
            body: Box::pin(body),
        })
    }

    fn request(&self, method: Method, path: &str, write: Write) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.link.base))
            .header(CONSOLE_KEY, &self.link.key);
        if let Some(ip) = self.client {
            req = req.header(CONSOLE_CLIENT, ip.to_string());
        }
        if let Some(token) = &self.token {
            req = req.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(id) = &self.request_id {
            req = req.header("X-Request-Id", id);
        }
        if let Some(tag) = write.if_match {
            req = req.header("If-Match", tag);
        }
        if let Some(key) = write.key {
            req = req.header("Idempotency-Key", key);
        }
        req
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        write: Write,
    ) -> Result<Answer, Refusal> {
        let mut req = self.request(method, path, write);
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        self.send(req).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Answer, Refusal> {
        let res = req.send().await.map_err(|e| Refusal::unreachable(&e))?;
        let status = res.status().as_u16();
        let etag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = retry_after(res.headers());
        let bytes = res.bytes().await.map_err(|e| Refusal::unreachable(&e))?;
        let body: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        if (200..300).contains(&status) {
            Ok(Answer { body, etag })
        } else {
            Err(Refusal::from_problem(status, &body, retry_after))
        }
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> u64 {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
