//! Webhooks, the pure part: where an endpoint is in its life, where a
//! delivery is, and which addresses a delivery may never reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether an endpoint receives deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum WebhookStatus {
    /// Deliveries go out.
    Active,
    /// Deliveries are written and held (the endpoint was disabled by an
    /// admin, or after failing for too long); they go out in order once an
    /// admin enables it again.
    Disabled,
}

crate::domain::wire_names!(WebhookStatus, "webhook status" {
    Active => "active",
    Disabled => "disabled",
});

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum DeliveryStatus {
    /// Waiting for its turn (its retry time, the endpoint's, or an
    /// earlier delivery of the same case to the same endpoint).
    Pending,
    /// Held while its endpoint is disabled; pending again when it is enabled.
    Held,
    /// Claimed by a worker, being sent.
    Sending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: refused for `webhook_disable_after_hours` while the
    /// endpoint took other deliveries (an admin may send it again).
    Failed,
}

crate::domain::wire_names!(DeliveryStatus, "delivery status" {
    Pending => "pending",
    Held => "held",
    Sending => "sending",
    Delivered => "delivered",
    Failed => "failed",
});

/// Whether a delivery may go to `ip` when private addresses are not
/// allowed: only public unicast addresses may be reached; this machine,
/// private and shared ranges, link-local (cloud metadata services live
/// there), multicast, documentation and reserved ranges may not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        // shared address space (carrier-grade NAT), 100.64.0.0/10
        || (a == 100 && (b & 0xc0) == 64)
        // IETF protocol assignments, 192.0.0.0/24
        || (a == 192 && b == 0 && c == 0)
        // benchmarking, 198.18.0.0/15
        || (a == 198 && (b & 0xfe) == 18)
        // reserved, 240.0.0.0/4
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address inside.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
    if s[0] == 0x2002 {
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        return is_public_v4(Ipv4Addr::new(a, b, c, d));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // unique local, fc00::/7
        || (s[0] & 0xfe00) == 0xfc00
        // link-local, fe80::/10
        || (s[0] & 0xffc0) == 0xfe80
        // site-local (deprecated), fec0::/10
        || (s[0] & 0xffc0) == 0xfec0
        // documentation, 2001:db8::/32
        || (s[0] == 0x2001 && s[1] == 0xdb8)
        // Teredo tunnels, 2001::/32
        || (s[0] == 0x2001 && s[1] == 0)
        // local-use NAT64, 64:ff9b:1::/48
        || (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
        // IPv4-compatible (deprecated), ::/96
        || s[..6] == [0, 0, 0, 0, 0, 0])
}

/// Host names that always mean this machine or the local network.
pub fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.ends_with(".local")
        || host.ends_with(".internal")
        || host.ends_with(".home.arpa")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn only_public_unicast_addresses_are_public() {
        for ok in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700:4700::1111",
            "100.128.0.1",
        ] {
            assert!(public(ok), "{ok}");
        }
        for no in [
            "127.0.0.1",
            "127.8.9.1",
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::1",
            "2002:a00:1::1",
        ] {
            assert!(!public(no), "{no}");
        }
        assert!(public("64:ff9b::808:808"));
        assert!(public("::ffff:8.8.8.8"));
        assert!(public("2002:808:808::1"));
    }

    #[test]
    fn local_names_are_refused_by_name() {
        for name in [
            "localhost",
            "LOCALHOST.",
            "api.localhost",
            "printer.local",
            "db.internal",
        ] {
            assert!(is_local_name(name), "{name}");
        }
        assert!(!is_local_name("hooks.example.org"));
        assert!(!is_local_name("localhost.example.org"));
    }
}
