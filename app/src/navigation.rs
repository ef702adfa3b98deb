//! Where the sign-in may send a browser, and what it may say when it fails. Shared by the
//! server (sign-in routes) and the sign-in page, so both accept exactly the same.

/// `next` when it is a path on this site that a browser will read the same way: it starts with
/// one `/`, holds no control character (browsers drop tabs and newlines from URLs, so
/// `/\t/evil.example` becomes `//evil.example`) and no backslash (which browsers read as `/`), and
/// does not lead back into the sign-in flow. Any such path, resolved against the public URL,
/// stays on its origin.
pub fn safe_return_path(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//");
    let clean = !next.chars().any(|c| c.is_control() || c == '\\');
    (local && clean && !next.starts_with("/auth/")).then_some(next)
}

/// Why a sign-in did not complete, as a fixed code in the sign-in page's address. The page shows
/// the fixed message of the code, never text from the address or the identity provider, so
/// nothing a third party writes is ever shown or can imitate SeatSync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// The authority could not be reached (or its metadata read).
    Unreachable,
    /// No sign-in was started in this browser, or it is older than ten minutes.
    NotStarted,
    /// The person cancelled at Microsoft, or consent was refused.
    Cancelled,
    /// The authority refused for another reason.
    Refused,
    /// The code could not be exchanged for tokens.
    Exchange,
    Signature,
    Nonce,
    Audience,
    Issuer,
    Expired,
    /// Any other problem with the ID token.
    Token,
    NoEmail,
    /// SeatSync's database or session store failed.
    Unavailable,
    /// An Admin has blocked the account.
    Blocked,
    /// The session ended: idle too long or past its longest life.
    SessionEnded,
    /// An Admin ended every session of the account.
    SignedOutByAdmin,
}

impl SignInFailure {
    pub const ALL: [SignInFailure; 16] = [
        SignInFailure::Unreachable,
        SignInFailure::NotStarted,
        SignInFailure::Cancelled,
        SignInFailure::Refused,
        SignInFailure::Exchange,
        SignInFailure::Signature,
        SignInFailure::Nonce,
        SignInFailure::Audience,
        SignInFailure::Issuer,
        SignInFailure::Expired,
        SignInFailure::Token,
        SignInFailure::NoEmail,
        SignInFailure::Unavailable,
        SignInFailure::Blocked,
        SignInFailure::SessionEnded,
        SignInFailure::SignedOutByAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SignInFailure::Unreachable => "unreachable",
            SignInFailure::NotStarted => "not_started",
            SignInFailure::Cancelled => "cancelled",
            SignInFailure::Refused => "refused",
            SignInFailure::Exchange => "exchange",
            SignInFailure::Signature => "signature",
            SignInFailure::Nonce => "nonce",
            SignInFailure::Audience => "audience",
            SignInFailure::Issuer => "issuer",
            SignInFailure::Expired => "expired",
            SignInFailure::Token => "token",
            SignInFailure::NoEmail => "no_email",
            SignInFailure::Unavailable => "unavailable",
            SignInFailure::Blocked => "blocked",
            SignInFailure::SessionEnded => "session_ended",
            SignInFailure::SignedOutByAdmin => "signed_out_by_admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the sign-in page says.
    pub fn message(self) -> &'static str {
        match self {
            SignInFailure::Unreachable => "Sign-in could not be started: Microsoft's sign-in service did not answer. Try again shortly; if it persists, tell your SeatSync administrator.",
            SignInFailure::NotStarted => "The sign-in was not started in this browser or took longer than ten minutes. Start again.",
            SignInFailure::Cancelled => "The sign-in was cancelled at Microsoft. Start again when you are ready.",
            SignInFailure::Refused => "Microsoft Entra ID refused the sign-in. Your administrator can see the reason in Entra's sign-in logs.",
            SignInFailure::Exchange => "Sign-in failed: SeatSync could not redeem Microsoft's answer. Try again; if it persists, tell your SeatSync administrator.",
            SignInFailure::Signature => "Sign-in failed: the ID token's signature did not verify.",
            SignInFailure::Nonce => "Sign-in failed: the ID token's nonce did not match this sign-in.",
            SignInFailure::Audience => "Sign-in failed: the ID token was issued for another application (wrong audience).",
            SignInFailure::Issuer => "Sign-in failed: the ID token came from an unexpected issuer.",
            SignInFailure::Expired => "Sign-in failed: the ID token had expired. Check this server's clock, then try again.",
            SignInFailure::Token => "Sign-in failed: the ID token was refused.",
            SignInFailure::NoEmail => "Sign-in failed: your account has no e-mail address or user name SeatSync can use.",
            SignInFailure::Unavailable => "Sign-in failed: SeatSync's database did not answer. Try again shortly.",
            SignInFailure::Blocked => "Your access to SeatSync has been blocked by an Admin.",
            SignInFailure::SessionEnded => "Your session has ended. Sign in again to continue.",
            SignInFailure::SignedOutByAdmin => "An Admin signed you out of SeatSync on every device. Sign in again to continue.",
        }
    }

    /// The sign-in page showing this failure.
    pub fn signin_url(self) -> String {
        format!("/signin?error={}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_a_browser_reads_as_local_are_followed() {
        assert_eq!(safe_return_path("/users?x=1"), Some("/users?x=1"));
        assert_eq!(safe_return_path("/subscriptions?tenant=a%2Fb#top"), Some("/subscriptions?tenant=a%2Fb#top"));
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example/",
            "/\u{9}/evil.example",
            "/%09/evil.example/\r\nSet-Cookie: x=1",
            "/ok\n",
            "/x\\y",
            "/auth/logout",
            "evil",
            "",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_failure_has_a_code_and_a_fixed_message() {
        for f in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_code(f.code()), Some(f));
            assert!(f.message().ends_with('.'));
        }
        assert_eq!(SignInFailure::from_code("<script>"), None);
    }
}
