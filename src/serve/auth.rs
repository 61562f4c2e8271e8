//! Who may post: bearer tokens, compared in constant time, and Standard Webhooks signatures
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`) verified over the raw body. The same
//! signing scheme signs the actions `--deliver` posts, so a receiver verifies them the same way.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How far a signed request's timestamp may be from the server's clock, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// A webhook signing secret: the bytes behind `whsec_` and base64.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Reads a secret as Standard Webhooks writes it: `whsec_` then base64 (the prefix may be
    /// left out).
    pub fn parse(text: &str) -> Result<Secret, String> {
        let text = text.trim();
        let encoded = text.strip_prefix("whsec_").unwrap_or(text);
        match STANDARD.decode(encoded) {
            Ok(bytes) if !bytes.is_empty() => Ok(Secret(bytes)),
            _ => Err("a webhook secret must be `whsec_` followed by base64".into()),
        }
    }

    /// A secret of raw bytes, as HubSpot's app secret is used.
    pub fn raw(text: &str) -> Secret {
        Secret(text.trim().as_bytes().to_vec())
    }

    /// base64 of HMAC-SHA256 over `parts` in order.
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        // HMAC takes a key of any length, so this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return String::new();
        };
        for part in parts {
            mac.update(part);
        }
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// The `webhook-signature` header of a Standard Webhooks message.
    pub fn webhook_signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let stamp = timestamp.to_string();
        let signed = self.sign(&[id.as_bytes(), b".", stamp.as_bytes(), b".", body]);
        format!("v1,{signed}")
    }
}

/// Whether two strings are equal, in time that depends on neither (their hashes are compared,
/// so not even the length shows).
pub fn same(a: &str, b: &str) -> bool {
    Sha256::digest(a.as_bytes())
        .ct_eq(&Sha256::digest(b.as_bytes()))
        .into()
}

/// What the server accepts as proof of who posts.
#[derive(Clone, Default)]
pub struct Auth {
    /// Bearer tokens.
    pub tokens: Vec<String>,
    /// Standard Webhooks secret for `/v1/events`.
    pub webhook: Option<Secret>,
    /// HubSpot's app secret for `/v1/hubspot`.
    pub hubspot: Option<Secret>,
}

impl Auth {
    /// Whether anything authenticates requests.
    pub fn is_configured(&self) -> bool {
        !self.tokens.is_empty() || self.webhook.is_some() || self.hubspot.is_some()
    }

    /// Whether the `authorization` header carries one of the tokens; with none configured,
    /// anyone may post (only allowed on loopback).
    pub fn bearer(&self, header: Option<&str>) -> bool {
        if !self.is_configured() {
            return true;
        }
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return false;
        };
        // Every token is compared, so which one matched does not show in the time either.
        (self.tokens.iter()).fold(false, |found, t| same(t, token.trim()) | found)
    }

    /// Whether a Standard Webhooks signature over `body` is valid at `now`.
    pub fn webhook(&self, headers: &WebhookHeaders<'_>, body: &[u8], now: i64) -> bool {
        let Some(secret) = &self.webhook else {
            return false;
        };
        verify_webhook(secret, headers, body, now)
    }
}

/// The three Standard Webhooks headers of a request.
pub struct WebhookHeaders<'a> {
    /// `webhook-id`.
    pub id: Option<&'a str>,
    /// `webhook-timestamp`, seconds since the epoch.
    pub timestamp: Option<&'a str>,
    /// `webhook-signature`: space-separated `v1,BASE64` signatures.
    pub signature: Option<&'a str>,
}

/// Whether one of the `v1` signatures matches and the timestamp is within the tolerance.
pub fn verify_webhook(
    secret: &Secret,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now: i64,
) -> bool {
    let (Some(id), Some(stamp), Some(signatures)) =
        (headers.id, headers.timestamp, headers.signature)
    else {
        return false;
    };
    let Ok(timestamp) = stamp.trim().parse::<i64>() else {
        return false;
    };
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return false;
    }
    let expected = secret.webhook_signature(id, timestamp, body);
    (signatures.split(' ')).fold(false, |found, s| same(s, &expected) | found)
}

/// Whether a HubSpot v3 signature (`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of method, URI,
/// body and `X-HubSpot-Request-Timestamp` in milliseconds) is valid at `now_ms`.
pub fn verify_hubspot(
    secret: &Secret,
    (method, uri): (&str, &str),
    body: &[u8],
    (signature, timestamp): (Option<&str>, Option<&str>),
    now_ms: i64,
) -> bool {
    let (Some(signature), Some(stamp)) = (signature, timestamp) else {
        return false;
    };
    let Ok(ms) = stamp.trim().parse::<i64>() else {
        return false;
    };
    if (now_ms - ms).abs() > TOLERANCE_SECS * 1000 {
        return false;
    }
    let expected = secret.sign(&[method.as_bytes(), uri.as_bytes(), body, stamp.as_bytes()]);
    same(signature.trim(), &expected)
}

/// Bearer tokens from a file (one a line; blank lines and `#` comments skipped) and from
/// `HANDOFF_TOKENS` (separated by commas or whitespace).
pub fn tokens(file: Option<&str>, env: Option<&str>) -> Vec<String> {
    let from_file = (file.into_iter().flat_map(str::lines))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let from_env = (env.into_iter())
        .flat_map(|e| e.split(|c: char| c == ',' || c.is_whitespace()))
        .filter(|t| !t.is_empty());
    from_file.chain(from_env).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn standard_webhooks_example_verifies() {
        // The example of the Standard Webhooks specification.
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let headers = WebhookHeaders {
            id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
            timestamp: Some("1614265330"),
            signature: Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        };
        assert!(verify_webhook(&secret, &headers, body, 1_614_265_330));
        assert!(!verify_webhook(
            &secret,
            &headers,
            body,
            1_614_265_330 + 301
        ));
        assert!(!verify_webhook(&secret, &headers, b"{}", 1_614_265_330));
    }

    #[test]
    fn bearer_tokens_match_exactly() {
        let auth = Auth {
            tokens: tokens(Some("# ops\nalpha\n\n"), Some("beta, gamma")),
            ..Auth::default()
        };
        assert!(auth.bearer(Some("Bearer alpha")));
        assert!(auth.bearer(Some("Bearer gamma")));
        assert!(!auth.bearer(Some("Bearer alph")));
        assert!(!auth.bearer(Some("alpha")));
        assert!(!auth.bearer(None));
    }
}
