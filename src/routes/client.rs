//! Who is on the other end of a request: the client's address and whether
//! it came over TLS, believing `X-Forwarded-For` and `X-Forwarded-Proto`
//! only as far as the operator said proxies stand in front (`proxy_hops`).

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::HeaderMap;

/// The entry `hops` from the right of the comma-separated values of header
/// `name` (all its lines together), or the leftmost if there are fewer.
fn forwarded<'a>(headers: &'a HeaderMap, name: &str, hops: usize) -> Option<&'a str> {
    let entries: Vec<&str> = headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let at = entries.len().saturating_sub(hops);
    entries.get(at).copied()
}

/// The client's address: the peer's, or with `hops` proxies in front the
/// address the outermost of them saw (when it says one that parses).
pub fn address(headers: &HeaderMap, peer: Option<SocketAddr>, hops: usize) -> Option<IpAddr> {
    let peer = peer.map(|p| p.ip());
    if hops == 0 {
        return peer;
    }
    let told = forwarded(headers, "x-forwarded-for", hops).and_then(|e| {
        e.parse::<IpAddr>()
            .ok()
            .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
    });
    told.or(peer)
}

/// The console's way in: it is a client of this API over loopback, and
/// passes on the address and scheme of the browser it serves, with a key
/// only this process knows, so that sign-in throttling counts the browser,
/// not the console.
#[derive(Debug, Clone)]
pub struct Loopback {
    /// The API's base URL on this process (`http://127.0.0.1:8080/api/v1`).
    pub base: String,
    /// The key that makes the forwarded headers believed.
    pub key: String,
}

/// The header carrying [`Loopback::key`].
pub const CONSOLE_KEY: &str = "x-ombud-console-key";
/// The header carrying the browser's address, as the console saw it.
pub const CONSOLE_CLIENT: &str = "x-ombud-console-client";

impl Loopback {
    /// A loopback link to the API listening on `bound`, with a fresh key.
    pub fn new(bound: SocketAddr) -> Loopback {
        let ip = match bound.ip() {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        Loopback {
            base: format!("http://{}/api/v1", SocketAddr::new(ip, bound.port())),
            key: crate::accounts::secret::generate(),
        }
    }

    /// The browser's address when `headers` come from this process's
    /// console (the key matches); `None` otherwise.
    pub fn client(&self, headers: &HeaderMap) -> Option<IpAddr> {
        if self.key.is_empty() {
            return None;
        }
        let key = headers.get(CONSOLE_KEY)?.as_bytes();
        if !crate::accounts::secret::same(key, self.key.as_bytes()) {
            return None;
        }
        headers.get(CONSOLE_CLIENT)?.to_str().ok()?.parse().ok()
    }
}

/// The client's address of a request: the browser's when this process's
/// console asks on its behalf, otherwise as [`address`] reads it.
pub fn of(req: &actix_web::HttpRequest, hops: usize) -> Option<IpAddr> {
    req.app_data::<actix_web::web::Data<Loopback>>()
        .and_then(|l| l.client(req.headers()))
        .or_else(|| address(req.headers(), req.peer_addr(), hops))
}

/// Whether the request came over TLS (only a believed proxy can say so:
/// the service itself speaks plain HTTP).
pub fn over_tls(headers: &HeaderMap, hops: usize) -> bool {
    hops > 0
        && forwarded(headers, "x-forwarded-proto", hops)
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_this_process_key_makes_a_forwarded_address_believed() {
        let link = Loopback::new("0.0.0.0:8080".parse().unwrap());
        assert_eq!(link.base, "http://127.0.0.1:8080/api/v1");
        let with = |key: &str| {
            let mut h = HeaderMap::new();
            h.insert(HeaderName::from_static(CONSOLE_KEY), key.parse().unwrap());
            h.insert(
                HeaderName::from_static(CONSOLE_CLIENT),
                "203.0.113.9".parse().unwrap(),
            );
            h
        };
        assert_eq!(
            link.client(&with(&link.key)),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(link.client(&with("omb_guessed")), None);
        let keyless = Loopback {
            base: link.base.clone(),
            key: String::new(),
        };
        assert_eq!(
            keyless.client(&with("")),
            None,
            "an empty key proves nothing"
        );
    }

    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn forwarded_headers_count_only_as_far_as_the_proxies_go() {
        let peer: Option<SocketAddr> = Some("10.0.0.2:4000".parse().unwrap());
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9, 198.51.100.4"),
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(address(&h, peer, 0), Some("10.0.0.2".parse().unwrap()));
        assert!(!over_tls(&h, 0));
        assert_eq!(address(&h, peer, 1), Some("192.0.2.1".parse().unwrap()));
        assert_eq!(address(&h, peer, 2), Some("198.51.100.4".parse().unwrap()));
        assert_eq!(address(&h, peer, 9), Some("203.0.113.9".parse().unwrap()));
        assert!(over_tls(&h, 1));
        let odd = headers(&[
            ("x-forwarded-for", "unknown"),
            ("x-forwarded-proto", "http"),
        ]);
        assert_eq!(address(&odd, peer, 1), Some("10.0.0.2".parse().unwrap()));
        assert!(!over_tls(&odd, 1));
        let port = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(
            address(&port, peer, 1),
            Some("2001:db8::1".parse().unwrap())
        );
    }
}
