//! What every answer carries for browsers: security headers (content
//! sniffing off, no referrer, no framing, a content security policy per
//! kind of page, HSTS behind a TLS proxy, no caching of personal data) and
//! CORS for the origins the operator allowed (none by default).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::config::Settings;
use crate::routes::client;

/// The policy of every answer but the docs page: nothing may load, nothing
/// may frame it.
pub const API_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The policy of the vendored Swagger UI under `/docs/`: its own scripts,
/// styles and images only (it sets styles inline and draws icons from
/// `data:` URLs), and requests to this origin only.
pub const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of the console under `/console`: its own stylesheet and
/// scripts, forms posted to itself, nothing inline, nothing framed.
pub const CONSOLE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Request headers a browser script may send cross-origin.
const ALLOWED_HEADERS: &str =
    "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id";
/// Answer headers a browser script may read cross-origin.
const EXPOSED_HEADERS: &str = "ETag, Location, Retry-After, X-Request-Id, Repr-Digest";
const ALLOWED_METHODS: &str = "GET, POST, PUT, PATCH, DELETE";

/// The edge's settings, read once at start.
#[derive(Debug, Clone)]
pub struct Edge {
    origins: Vec<String>,
    hops: usize,
    hsts: Option<HeaderValue>,
}

impl Edge {
    /// The edge the settings describe (they were checked at load).
    pub fn from_settings(s: &Settings) -> Edge {
        Edge {
            origins: s.cors_origins().unwrap_or_default(),
            hops: s.proxy_hops,
            hsts: (s.hsts_max_age_seconds > 0)
                .then(|| HeaderValue::from_str(&format!("max-age={}", s.hsts_max_age_seconds)))
                .and_then(Result::ok),
        }
    }

    /// The `Access-Control-Allow-Origin` value for `origin`, if allowed.
    fn allow(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        let origin = origin?;
        if self.origins.iter().any(|o| o == "*") {
            return Some(HeaderValue::from_static("*"));
        }
        let given = origin.to_str().ok()?;
        self.origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(given))
            .then(|| origin.clone())
    }
}

fn set_if_absent(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    if !headers.contains_key(&name) {
        headers.insert(name, value);
    }
}

/// Answers an allowed CORS preflight itself; adds the headers to every
/// other answer.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let edge = req
        .app_data::<web::Data<Edge>>()
        .map(|e| e.get_ref().clone())
        .unwrap_or_else(|| Edge::from_settings(&Settings::default()));
    let allowed = edge.allow(req.headers().get(header::ORIGIN));
    let tls = client::over_tls(req.headers(), edge.hops);
    let path = req.path().to_string();
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = match (&allowed, preflight) {
        (Some(origin), true) => {
            let answer = HttpResponse::build(StatusCode::NO_CONTENT)
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, "600"))
                .finish();
            req.into_response(answer).map_into_right_body()
        }
        _ => next.call(req).await?.map_into_left_body(),
    };
    let h = res.headers_mut();
    if let Some(origin) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
    }
    if !edge.origins.is_empty() {
        h.append(header::VARY, HeaderValue::from_static("Origin"));
    }
    let docs = path == "/docs" || path.starts_with("/docs/");
    let console = path == "/console" || path.starts_with("/console/");
    let policy = if docs {
        DOCS_POLICY
    } else if console {
        CONSOLE_POLICY
    } else {
        API_POLICY
    };
    set_if_absent(
        h,
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    set_if_absent(
        h,
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set_if_absent(h, header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The console's forms need their origin sent (a browser says
    // `Origin: null` under `no-referrer`); it still tells no other site.
    set_if_absent(
        h,
        header::REFERRER_POLICY,
        HeaderValue::from_static(if console {
            "same-origin"
        } else {
            "no-referrer"
        }),
    );
    set_if_absent(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // What the API answers is about people and their disputes: no cache
    // on the way keeps it (the spec, which is public, may be cached).
    if path.starts_with("/api/") && path != "/api/v1/openapi.json" {
        set_if_absent(
            h,
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
    }
    if let (true, Some(hsts)) = (tls, edge.hsts) {
        h.insert(header::STRICT_TRANSPORT_SECURITY, hsts);
    }
    Ok(res)
}
