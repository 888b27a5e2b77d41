//! How a delivery is signed, and how a receiver checks it.
//!
//! Each delivery carries `Ombud-Signature: t=<unix seconds>,v1=<hex>`,
//! where the hex is HMAC-SHA256, keyed with the endpoint's secret (the
//! whole `whsec_…` text, as UTF-8), of `<t>.<body>` (the timestamp, a dot
//! and the raw request body). A receiver computes the same, compares in
//! constant time, and refuses a timestamp more than five minutes from its
//! own clock, so a captured delivery cannot be replayed later
//! (docs/integrations.md has the same check in Python and TypeScript).

use sha2::{Digest, Sha256};

/// The header that carries the signature.
pub const HEADER: &str = "Ombud-Signature";

/// How far a signature's time may be from the receiver's clock.
pub const TOLERANCE_SECONDS: i64 = 300;

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!(
        "t={timestamp},v1={}",
        hex(&hmac_sha256(secret.as_bytes(), &signed))
    )
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The header is missing a part or cannot be read.
    #[error("the signature header cannot be read")]
    Malformed,
    /// The signature's time is too far from now (a replay, or a wrong clock).
    #[error("the signature is too old or from the future")]
    Stale,
    /// No signature matches the body and the secret.
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks `header` (the `Ombud-Signature` value) against `body` and
/// `secret` at `now` (Unix seconds), as a receiver should.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64) -> Result<(), Refused> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.push(s),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Refused::Malformed)?;
    if signatures.is_empty() {
        return Err(Refused::Malformed);
    }
    if now.abs_diff(timestamp) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(Refused::Stale);
    }
    let expected = sign(secret, timestamp, body);
    let expected = expected.rsplit('=').next().unwrap_or_default().as_bytes();
    let matches = signatures
        .iter()
        .any(|s| crate::accounts::secret::same(s.as_bytes(), expected));
    if matches {
        Ok(())
    } else {
        Err(Refused::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test cases 1, 2 and 6 (a key longer than the block).
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_signature_verifies_until_it_is_too_old() {
        let body = br#"{"id":"e","type":"ping"}"#;
        let header = sign("whsec_test", 1_000_000, body);
        assert!(header.starts_with("t=1000000,v1="));
        assert_eq!(verify("whsec_test", &header, body, 1_000_000), Ok(()));
        assert_eq!(verify("whsec_test", &header, body, 1_000_300), Ok(()));
        assert_eq!(
            verify("whsec_test", &header, body, 1_000_301),
            Err(Refused::Stale)
        );
        assert_eq!(
            verify("whsec_other", &header, body, 1_000_000),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify(
                "whsec_test",
                &header,
                br#"{"id":"e","type":"pong"}"#,
                1_000_000
            ),
            Err(Refused::Mismatch)
        );
        // Another timestamp with the old signature: the time is signed too.
        let moved = header.replace("t=1000000", "t=1000100");
        assert_eq!(
            verify("whsec_test", &moved, body, 1_000_100),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify("whsec_test", "v1=00", body, 1_000_000),
            Err(Refused::Malformed)
        );
        // One matching signature among several (as during a secret's rotation).
        let two = format!("{header},v1=deadbeef");
        assert_eq!(verify("whsec_test", &two, body, 1_000_000), Ok(()));
    }
}
