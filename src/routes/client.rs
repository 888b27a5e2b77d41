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

/// Whether the request came over TLS (only a believed proxy can say so:
/// the service itself speaks plain HTTP).
pub fn over_tls(headers: &HeaderMap, hops: usize) -> bool {
    hops > 0
        && forwarded(headers, "x-forwarded-proto", hops)
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
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
