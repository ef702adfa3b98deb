//! The signed part of a link: a JSON Web Token (HS256) naming the link, its tenant, each
//! subscription with its target quantity, the ticket it was put in and when it expires. The key
//! is derived from the session secret (HKDF-SHA256), so changing that secret voids every link.
//! The signature makes a link unforgeable and tamper-evident; the database record, claimed once,
//! makes it single-use.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use hkdf::Hkdf;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// What a link says, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The link's id (its record).
    pub jti: Uuid,
    /// The tenant.
    pub tid: String,
    /// Each subscription and the quantity it goes down to.
    pub items: Vec<(String, i64)>,
    /// The dedup key of the ticket (delivery) it was put in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tkt: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
}

impl Claims {
    pub fn expires_at(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.exp, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Why a token is not one SeatSync signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOurs;

pub struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Signer {
    /// The link key from the session secret.
    pub fn from_session_secret(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"seatsync"), secret)
            .expand(b"remediation links v1", &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self { encoding: EncodingKey::from_secret(&key), decoding: DecodingKey::from_secret(&key) }
    }

    pub fn sign(&self, claims: &Claims) -> String {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .expect("HS256 signing of plain claims cannot fail")
    }

    /// The claims of a token SeatSync signed, expired or not (expiry is the caller's to judge,
    /// so an expired link can say so rather than look forged).
    pub fn verify(&self, token: &str) -> Result<Claims, NotOurs> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims = HashSet::from(["exp".to_string()]);
        decode::<Claims>(token.trim(), &self.decoding, &validation).map(|data| data.claims).map_err(|_| NotOurs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            jti: Uuid::nil(),
            tid: "tenant".into(),
            items: vec![("sub".into(), 7)],
            tkt: Some("licence-alerts:tenant:1".into()),
            exp: 2_000_000_000,
        }
    }

    #[test]
    fn a_signed_link_reads_back_and_a_changed_one_does_not() {
        let signer = Signer::from_session_secret(b"a session secret of at least thirty-two bytes");
        let token = signer.sign(&claims());
        assert_eq!(signer.verify(&token), Ok(claims()));

        // Another target quantity in the payload, the signature kept.
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims();
        forged.items[0].1 = 1;
        let forged_payload = signer.sign(&forged).split('.').nth(1).unwrap().to_string();
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert_eq!(signer.verify(&tampered), Err(NotOurs));

        let other = Signer::from_session_secret(b"another secret, also long enough to be used");
        assert_eq!(other.verify(&token), Err(NotOurs), "a link from another installation");
        assert_eq!(signer.verify("not a token"), Err(NotOurs));
    }
}
