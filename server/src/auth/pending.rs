//! The sign-in in progress, between `/auth/login` and `/auth/callback`: state, nonce and PKCE
//! verifier, kept in a short-lived cookie encrypted and authenticated with a key derived from the
//! session secret. Nothing is stored on the server for a visitor who has not signed in, so
//! anonymous requests cost no database write (and leave the page cache alone).

use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, CookieJar, Key, SameSite};
use sha2::Digest;

use super::oidc::PendingSignIn;

const COOKIE: &str = "seatsync_signin";
/// The callback's path and below: the cookie goes nowhere else.
const PATH: &str = "/auth";
/// How long a sign-in may take at Microsoft.
pub const MAX_AGE_SECONDS: i64 = 600;

/// Seals and opens the pending sign-in cookie.
#[derive(Clone)]
pub struct PendingCookie {
    key: Key,
    secure: bool,
}

impl PendingCookie {
    /// `secret`: the session secret; the key is derived for this one use, so it never equals
    /// the session cookie's signing key.
    pub fn new(secret: &str, secure: bool) -> Self {
        let mut hash = sha2::Sha512::new();
        hash.update(b"seatsync pending sign-in\0");
        hash.update(secret.as_bytes());
        Self { key: Key::from(&hash.finalize()), secure }
    }

    fn base(&self, value: String) -> Cookie<'static> {
        Cookie::build((COOKIE, value))
            .path(PATH)
            .http_only(true)
            .secure(self.secure)
            // Lax: the callback is a top-level navigation back from Microsoft, which Lax allows.
            .same_site(SameSite::Lax)
            .build()
    }

    /// The `Set-Cookie` value holding `pending`, encrypted.
    pub fn seal(&self, pending: &PendingSignIn) -> HeaderValue {
        let mut jar = CookieJar::new();
        let json = serde_json::to_string(pending).expect("a pending sign-in serialises");
        let mut cookie = self.base(json);
        cookie.set_max_age(cookie::time::Duration::seconds(MAX_AGE_SECONDS));
        jar.private_mut(&self.key).add(cookie);
        let sealed = jar.delta().next().expect("the cookie just added").encoded().to_string();
        HeaderValue::from_str(&sealed).expect("an encoded cookie is a valid header value")
    }

    /// The `Set-Cookie` value that deletes the cookie.
    pub fn clear(&self) -> HeaderValue {
        let mut cookie = self.base(String::new());
        cookie.make_removal();
        HeaderValue::from_str(&cookie.encoded().to_string()).expect("an encoded cookie is a valid header value")
    }

    /// The pending sign-in this browser started, if its cookie decrypts and is recent enough.
    pub fn open(&self, headers: &HeaderMap, now: i64) -> Option<PendingSignIn> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for c in Cookie::split_parse_encoded(text.to_string()).flatten() {
                if c.name() == COOKIE {
                    jar.add_original(c.into_owned());
                }
            }
        }
        let plain = jar.private(&self.key).get(COOKIE)?;
        let pending: PendingSignIn = serde_json::from_str(plain.value()).ok()?;
        (0..=MAX_AGE_SECONDS).contains(&(now - pending.started_at)).then_some(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(started_at: i64) -> PendingSignIn {
        PendingSignIn {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            next: "/users".into(),
            started_at,
        }
    }

    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("other=1; {pair}")).unwrap());
        headers
    }

    #[test]
    fn a_sealed_sign_in_opens_only_with_the_key_and_in_time() {
        let jar = PendingCookie::new("a-session-secret-of-enough-length-000", false);
        let set = jar.seal(&pending(1_000));
        let text = set.to_str().unwrap();
        assert!(
            text.contains("HttpOnly")
                && text.contains("SameSite=Lax")
                && text.contains("Path=/auth")
                && text.contains("Max-Age=600"),
            "{text}"
        );
        assert!(!text.contains("users") && !text.contains("pkce"), "the content is encrypted: {text}");
        assert_eq!(jar.open(&request_with(&set), 1_300).map(|p| p.next), Some("/users".into()));
        assert!(jar.open(&request_with(&set), 1_601).is_none(), "older than ten minutes");
        let other = PendingCookie::new("another-session-secret-of-enough-len", false);
        assert!(other.open(&request_with(&set), 1_300).is_none(), "another key cannot open it");
        let mut tampered = request_with(&set);
        let value = tampered[header::COOKIE].to_str().unwrap().replacen("seatsync_signin=", "seatsync_signin=A", 1);
        tampered.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        assert!(jar.open(&tampered, 1_300).is_none(), "a changed cookie is refused");
        assert!(PendingCookie::new("x", true).seal(&pending(0)).to_str().unwrap().contains("Secure"));
        assert!(jar.clear().to_str().unwrap().contains("Max-Age=0"));
    }
}
