//! What every response and every state-changing request goes through: the cross-site request
//! check, and the headers that keep SeatSync's pages out of other sites' frames and scripts.

use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use url::Url;

/// The public URL's origin and sign-in authority, for the checks and headers.
#[derive(Clone)]
pub struct Policy {
    /// `scheme://host[:port]` of `SEATSYNC_PUBLIC_URL`.
    origin: String,
    /// The sign-in authority's origin: the sign-in redirects there.
    authority_origin: String,
    https: bool,
}

impl Policy {
    pub fn new(public_url: &Url, authority: &Url) -> Self {
        Self {
            origin: public_url.origin().ascii_serialization(),
            authority_origin: authority.origin().ascii_serialization(),
            https: public_url.scheme() == "https",
        }
    }

    /// Whether a request that changes something came from one of SeatSync's own pages.
    ///
    /// SameSite=Lax keeps the session cookie off cross-site posts, but "site" is the registrable
    /// domain: a page on another port of the same host or on a sibling subdomain is same-site and
    /// gets the cookie. So the browser's own statement of where the request came from decides:
    /// `Sec-Fetch-Site` must not be `cross-site` or `same-site`, and `Origin` (or, without one,
    /// `Referer`) must be the public URL's origin. A request carrying neither is refused: every
    /// browser sends `Origin` on a POST.
    pub fn same_origin(&self, headers: &HeaderMap) -> Result<(), &'static str> {
        let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
                return Err("it was sent by another site");
            }
        }
        let from = match (text(header::ORIGIN), text(header::REFERER)) {
            (Some(origin), _) => Some(origin.trim_end_matches('/').to_string()),
            (None, Some(referer)) => Url::parse(referer).ok().map(|u| u.origin().ascii_serialization()),
            (None, None) => None,
        };
        match from {
            Some(origin) if origin == self.origin => Ok(()),
            Some(_) => Err("it came from a page that is not SeatSync's"),
            None => Err("it does not say which page sent it"),
        }
    }

    /// The Content-Security-Policy of a page whose scripts carry `nonce`. Hydration needs the
    /// nonce on Leptos' module script and `'wasm-unsafe-eval'` to compile the WASM.
    pub fn page_csp(&self, nonce: &str) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self' {}",
            self.authority_origin
        )
    }
}

/// Methods that change nothing.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// Refuses every state-changing request (server functions under `/api/`, sign-out, any later
/// route that uses the session cookie) that did not come from SeatSync's own pages. Routes
/// authenticated by a token rather than the session cookie would be mounted outside this layer.
pub async fn refuse_cross_site(State(policy): State<Policy>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    match policy.same_origin(req.headers()) {
        Ok(()) => next.run(req).await,
        Err(why) => {
            tracing::warn!(path = %req.uri().path(), %why, "refused a cross-site request");
            let message = format!(
                "SeatSync refused this request because {why} (cross-site request protection). Open SeatSync at {} and try again.",
                policy.origin
            );
            if req.uri().path().starts_with("/api/") {
                // The typed error the pages read, so the message shows where the user acted.
                let body = serde_json::to_string(&app::error::AppError::Refused(message)).expect("an error serialises");
                (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response()
            } else {
                (StatusCode::FORBIDDEN, message).into_response()
            }
        }
    }
}

/// Refuses a request to a file-upload server function whose body is not multipart form data
/// with a boundary, with a 400 the page can show (server_fn would panic on it).
pub async fn refuse_malformed_uploads(req: Request, next: Next) -> Response {
    if req.method() == Method::POST && app::api::UPLOAD_PATHS.contains(&req.uri().path()) {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !(content_type.starts_with("multipart/form-data") && content_type.contains("boundary=")) {
            let error = app::error::AppError::Invalid("Send the file as a form upload (multipart/form-data).".into());
            let body = serde_json::to_string(&error).expect("an error serialises");
            return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "application/json")], body).into_response();
        }
    }
    next.run(req).await
}

/// The nonce of the page being rendered, put on its scripts by Leptos and named in its
/// Content-Security-Policy.
#[derive(Clone)]
pub struct PageNonce(pub leptos::nonce::Nonce);

/// Gives each page a fresh nonce and the Content-Security-Policy naming it. Runs inside the page
/// cache, so a kept page is served again with the policy that matches its scripts.
pub async fn content_security_policy(State(policy): State<Policy>, mut req: Request, next: Next) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    req.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html {
        if let Ok(value) = HeaderValue::from_str(&policy.page_csp(&nonce)) {
            res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    res
}

/// Headers on every response: no framing, no type sniffing, no address leaked to other sites,
/// HTTPS only once reached over HTTPS, and a policy allowing nothing for anything that is not a
/// page (a page gets its own, see [`content_security_policy`]).
pub async fn security_headers(State(policy): State<Policy>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if policy.https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::new(
            &Url::parse("https://seatsync.msp.example").unwrap(),
            &Url::parse("https://login.microsoftonline.com/t/v2.0").unwrap(),
        )
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_requests_from_our_own_pages_pass() {
        let p = policy();
        assert!(p.same_origin(&headers(&[("origin", "https://seatsync.msp.example")])).is_ok());
        assert!(p
            .same_origin(&headers(&[("origin", "https://seatsync.msp.example"), ("sec-fetch-site", "same-origin")]))
            .is_ok());
        assert!(p.same_origin(&headers(&[("referer", "https://seatsync.msp.example/overview?x=1")])).is_ok());
        for bad in [
            headers(&[("origin", "https://seatsync.msp.example:8443")]),
            headers(&[("origin", "https://other.msp.example")]),
            headers(&[("origin", "http://seatsync.msp.example")]),
            headers(&[("origin", "null")]),
            headers(&[("origin", "https://seatsync.msp.example"), ("sec-fetch-site", "same-site")]),
            headers(&[("origin", "https://seatsync.msp.example"), ("sec-fetch-site", "cross-site")]),
            headers(&[("referer", "https://seatsync.msp.example.evil.example/")]),
            headers(&[]),
        ] {
            assert!(p.same_origin(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_page_policy_allows_hydration_and_nothing_foreign() {
        let csp = policy().page_csp("abc");
        for part in [
            "'nonce-abc'",
            "'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self' https://login.microsoftonline.com",
        ] {
            assert!(csp.contains(part), "{csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }
}
