//! The console's session: the bearer token a sign-in returned, kept in a
//! cookie the page's scripts cannot read (`HttpOnly`), sent back only to
//! the console (`Path=/console`, `SameSite=Strict`), `Secure` when the
//! browser came over TLS. Every form carries a CSRF token derived from the
//! session's token, checked before anything is sent to the API.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::web;

use super::api::Api;
use super::i18n;
use crate::accounts::secret;
use crate::routes::client::{self, Loopback};
use crate::state::AppState;

/// The cookie's name.
pub const COOKIE: &str = "ombud_session";
const CSRF_PURPOSE: &str = "ombud-console-csrf";

/// What a console request knows before asking the API anything.
pub struct Visit {
    /// The API, as this browser's user.
    pub api: Api,
    /// The session's token, if signed in.
    pub token: Option<String>,
    /// The id of the session's token.
    token_id: Option<String>,
    /// The language to speak before the user's own is known.
    pub lang: &'static str,
    /// Whether the browser came over TLS.
    pub tls: bool,
}

impl Visit {
    /// Reads the session from `req`.
    pub fn of(req: &HttpRequest, http: &reqwest::Client) -> Visit {
        let state = req.app_data::<web::Data<AppState>>();
        let hops = state.map(|s| s.settings.proxy_hops).unwrap_or(0);
        let link = req
            .app_data::<web::Data<Loopback>>()
            .map(|l| l.get_ref().clone())
            .unwrap_or_else(|| Loopback {
                base: String::new(),
                key: String::new(),
            });
        // The cookie holds `{token id}.{token}`: the id to revoke it by.
        let (token_id, token) = req
            .cookie(COOKIE)
            .and_then(|c| {
                let (id, token) = c.value().split_once('.')?;
                let ok = uuid::Uuid::parse_str(id).is_ok()
                    && token.starts_with(secret::PREFIX)
                    && token.len() < 200;
                ok.then(|| (id.to_string(), token.to_string()))
            })
            .unzip();
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let address = client::address(req.headers(), req.peer_addr(), hops);
        Visit {
            api: Api::new(http.clone(), link, token.clone(), address, request_id),
            token,
            token_id,
            lang: i18n::from_accept(req),
            tls: client::over_tls(req.headers(), hops),
        }
    }

    /// The id of the session's token (to revoke it on signing out).
    pub fn token_id(&self) -> Option<&str> {
        self.token_id.as_deref()
    }

    /// Whether a form was sent from a page of this site: a browser names
    /// the page's origin in `Origin`, and it must be this host (a form
    /// without `Origin` comes from no browser that could be misled, and
    /// still needs the CSRF token where one applies). This also stops a
    /// foreign page from signing a browser in to an account of its choosing.
    ///
    /// The origin may be the service's public address (`public_base_url`,
    /// what browsers see behind a proxy that rewrites `Host`) or the host
    /// the request was sent to.
    pub fn same_origin(req: &HttpRequest) -> bool {
        let Some(origin) = req.headers().get("origin") else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let public = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.public_base_url.clone())
            .unwrap_or_default();
        if !public.is_empty()
            && let Ok(url) = url::Url::parse(&public)
            && url.origin().is_tuple()
            && url
                .origin()
                .ascii_serialization()
                .eq_ignore_ascii_case(origin)
        {
            return true;
        }
        let host = req
            .headers()
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        origin
            .split_once("://")
            .is_some_and(|(_, rest)| !host.is_empty() && rest.eq_ignore_ascii_case(host))
    }

    /// The CSRF token forms carry in this session (empty when signed out).
    pub fn csrf(&self) -> String {
        self.token
            .as_deref()
            .map(|t| secret::derive(t, CSRF_PURPOSE))
            .unwrap_or_default()
    }

    /// Whether `given` is this session's CSRF token.
    pub fn csrf_ok(&self, given: Option<&str>) -> bool {
        match (self.token.as_deref(), given) {
            (Some(t), Some(given)) => {
                secret::same(secret::derive(t, CSRF_PURPOSE).as_bytes(), given.as_bytes())
            }
            _ => false,
        }
    }

    /// The session cookie holding `token` for `hours`.
    pub fn cookie(&self, token: String, hours: i64) -> Cookie<'static> {
        Cookie::build(COOKIE, token)
            .path("/console")
            .http_only(true)
            .secure(self.tls)
            .same_site(SameSite::Strict)
            .max_age(time::Duration::hours(hours))
            .finish()
    }

    /// The cookie that ends the session in the browser.
    pub fn removal(&self) -> Cookie<'static> {
        let mut c = Cookie::build(COOKIE, "")
            .path("/console")
            .http_only(true)
            .secure(self.tls)
            .same_site(SameSite::Strict)
            .finish();
        c.make_removal();
        c
    }
}
