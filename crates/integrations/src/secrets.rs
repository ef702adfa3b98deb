//! Secrets at rest: AES-256-GCM keyed by `SEATSYNC_SECRETS_KEY`.
//!
//! Each value gets a fresh random 96-bit nonce, stored in front of its ciphertext. The
//! integration and field are the associated data, so a ciphertext copied onto another field
//! does not decrypt. A key is known by its id, a hash of it, which is stored beside each value:
//! a wrong key is told apart from damaged data, and a rotation knows what to re-encrypt.

use aes_gcm::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    Aes256Gcm, Key, Nonce,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 12;

/// A key for secrets at rest.
#[derive(Clone)]
pub struct SecretsKey {
    cipher: Aes256Gcm,
    id: String,
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretsKey({})", self.id)
    }
}

/// Why a stored secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("it was encrypted with another key")]
    WrongKey,
    #[error("its stored form is damaged")]
    Damaged,
}

impl SecretsKey {
    /// What the variable must hold, for error messages.
    pub const EXPECTED: &'static str =
        "32 random bytes in base64 (openssl rand -base64 32) or as 64 hexadecimal characters";

    /// Reads a key written as base64 or hexadecimal; 32 bytes either way.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).expect("checked hex")).collect()
        } else {
            STANDARD.decode(text).map_err(|_| format!("{}; this is neither", Self::EXPECTED))?
        };
        let bytes: [u8; 32] =
            bytes.try_into().map_err(|b: Vec<u8>| format!("{}; this decodes to {} bytes", Self::EXPECTED, b.len()))?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"seatsync secrets key id:").chain_update(bytes).finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)), id }
    }

    /// A hash naming the key; safe to store and to print.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Nonce followed by ciphertext and tag. `context` binds it to its place (integration/field).
    pub fn seal(&self, context: &str, plaintext: &str) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("AES-GCM encrypts any message shorter than 64 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The plaintext of what [`SecretsKey::seal`] made with this key and context.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<String, SecretError> {
        if sealed.len() < NONCE_LEN + 16 {
            return Err(SecretError::Damaged);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() })
            .map_err(|_| SecretError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SecretError::Damaged)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(byte: u8) -> SecretsKey {
        SecretsKey::from_bytes([byte; 32])
    }

    #[test]
    fn keys_are_read_from_base64_or_hex() {
        let b64 = STANDARD.encode([7u8; 32]);
        let hex: String = std::iter::repeat_n("07", 32).collect();
        assert_eq!(SecretsKey::parse(&b64).unwrap().id(), key(7).id());
        assert_eq!(SecretsKey::parse(&hex).unwrap().id(), key(7).id());
        assert!(SecretsKey::parse("short").unwrap_err().contains("openssl rand -base64 32"));
        assert!(SecretsKey::parse(&STANDARD.encode([1u8; 16])).unwrap_err().contains("16 bytes"));
        assert_ne!(key(1).id(), key(2).id());
    }

    #[test]
    fn a_secret_opens_only_with_its_key_and_in_its_place() {
        let sealed = key(1).seal("autotask/secret", "hunter2");
        assert!(!String::from_utf8_lossy(&sealed).contains("hunter2"));
        assert_eq!(key(1).open("autotask/secret", &sealed).unwrap(), "hunter2");
        assert_eq!(key(2).open("autotask/secret", &sealed), Err(SecretError::Damaged));
        assert_eq!(key(1).open("pax8/client_secret", &sealed), Err(SecretError::Damaged));
        let mut flipped = sealed.clone();
        flipped[20] ^= 1;
        assert_eq!(key(1).open("autotask/secret", &flipped), Err(SecretError::Damaged));
        assert_eq!(key(1).open("autotask/secret", &sealed[..10]), Err(SecretError::Damaged));
    }

    #[test]
    fn the_same_secret_seals_differently_each_time() {
        assert_ne!(key(1).seal("a/b", "same"), key(1).seal("a/b", "same"));
    }

    proptest! {
        #[test]
        fn whatever_is_sealed_opens_unchanged(text in "\\PC{0,200}", context in "[a-z_/]{1,30}") {
            let k = key(9);
            prop_assert_eq!(k.open(&context, &k.seal(&context, &text)), Ok(text));
        }
    }
}
