//! Rendered pages kept for the next request of the same user, for as long as nothing has been
//! committed to the database since they were rendered.
//!
//! Rendering the subscriptions page of a large tenant costs milliseconds of CPU, and the same
//! page is asked for again and again: by each person who has it open, on every reload, and by
//! everyone looking at the same customer. Only pages whose every input is in PostgreSQL are kept
//! (`app::CACHEABLE_PAGES`, declared beside the routes), so a commit mark ([`seatsync_db::commits`]) read before rendering tells
//! whether a kept page is still exactly what rendering would give. Nothing is served that a
//! commit has made stale: the check is made on every request, so a change shows on the very
//! next request, from this instance or any other. The age limit is for what a page says about
//! the clock ("3 min ago", days left), not for the data.
//!
//! The cache runs after the sign-in guard (`auth::guard`), which has ended any session that is
//! over (blocked, revoked, expired) and read the user: a page is kept for that user and served
//! only if nothing was committed since, so the user's row, role included, is as it was when the
//! page was rendered for them. Signing out deletes the session, and a changed role, a block or a
//! removed user is a commit. A kept page keeps its headers, among them the Content-Security-Policy
//! naming the nonce its scripts carry.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use seatsync_db::{commits::CommitMark, PgPool};
use uuid::Uuid;

/// Tells operators and tests whether a page came from the cache: `hit` or `miss`.
pub const CACHE_HEADER: &str = "x-seatsync-page-cache";

/// How long a page may be kept and how much memory all of them may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCacheConfig {
    /// Zero turns the cache off.
    pub max_age: Duration,
    pub max_bytes: usize,
}

/// The cache, shared by every request of one SeatSync instance.
#[derive(Clone)]
pub struct PageCache {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    config: PageCacheConfig,
    pages: Mutex<Pages>,
}

/// One user's view of one address: pages show the user's name and what their role may do.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    user: Uuid,
    uri: String,
}

struct Kept {
    mark: CommitMark,
    rendered_at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Pages {
    kept: HashMap<Key, Kept>,
    bytes: usize,
}

impl Pages {
    /// The kept page, if nothing was committed since it was rendered and it is not too old.
    fn fresh(&mut self, key: &Key, now: &CommitMark, max_age: Duration) -> Option<(HeaderMap, Bytes)> {
        let kept = self.kept.get(key)?;
        if kept.mark == *now && kept.rendered_at.elapsed() < max_age {
            return Some((kept.headers.clone(), kept.body.clone()));
        }
        self.remove(key);
        None
    }

    fn keep(&mut self, key: Key, page: Kept, max_bytes: usize) {
        let size = page.body.len();
        if size > max_bytes / 4 {
            return;
        }
        self.remove(&key);
        // Pages rendered before a commit will never be served again; drop them first, then the
        // oldest, until the new page fits.
        if self.bytes + size > max_bytes {
            let stale: Vec<Key> =
                self.kept.iter().filter(|(_, p)| p.mark != page.mark).map(|(k, _)| k.clone()).collect();
            for k in stale {
                self.remove(&k);
            }
        }
        while self.bytes + size > max_bytes {
            let Some(oldest) = self.kept.iter().min_by_key(|(_, p)| p.rendered_at).map(|(k, _)| k.clone()) else {
                break;
            };
            self.remove(&oldest);
        }
        self.bytes += size;
        self.kept.insert(key, page);
    }

    fn remove(&mut self, key: &Key) {
        if let Some(p) = self.kept.remove(key) {
            self.bytes -= p.body.len();
        }
    }
}

impl PageCache {
    pub fn new(pool: PgPool, config: PageCacheConfig) -> Self {
        Self { inner: Arc::new(Inner { pool, config, pages: Mutex::new(Pages::default()) }) }
    }

    /// The key of a request the cache may answer: a GET of a listed page by a signed-in user
    /// (as the guard read them for this request).
    fn key(&self, req: &Request) -> Option<Key> {
        let uri = req.uri();
        if self.inner.config.max_age.is_zero()
            || req.method() != Method::GET
            || !app::CACHEABLE_PAGES.contains(&uri.path())
        {
            return None;
        }
        let user = req.extensions().get::<app::server::RequestUser>()?.loaded()?.id;
        Some(Key { user, uri: uri.to_string() })
    }

    fn pages(&self) -> std::sync::MutexGuard<'_, Pages> {
        // A panic while holding the lock leaves the map consistent (every change is one step).
        self.inner.pages.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The middleware: answers from the cache when it can, and keeps what it renders otherwise.
pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    let Some(key) = cache.key(&req) else {
        return next.run(req).await;
    };
    // Read before rendering: a commit made while the page renders makes the page stale.
    let mark = match seatsync_db::commits::mark(&cache.inner.pool).await {
        Ok(mark) => mark,
        Err(e) => {
            tracing::warn!(error = %e, "page cache: reading the commit mark; rendering without the cache");
            return next.run(req).await;
        }
    };
    let kept = cache.pages().fresh(&key, &mark, cache.inner.config.max_age);
    if let Some((headers, body)) = kept {
        return answer(StatusCode::OK, headers, body, "hit");
    }
    let response = next.run(req).await;
    if !keepable(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "rendering a page failed half-way");
            return (StatusCode::INTERNAL_SERVER_ERROR, "SeatSync could not finish this page. Reload to try again.")
                .into_response();
        }
    };
    cache.pages().keep(
        key,
        Kept { mark, rendered_at: Instant::now(), headers: parts.headers.clone(), body: body.clone() },
        cache.inner.config.max_bytes,
    );
    answer(parts.status, parts.headers, body, "miss")
}

/// Only a whole, successful HTML page that sets no cookie can be given to the next request.
fn keepable(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"))
}

fn answer(status: StatusCode, headers: HeaderMap, body: Bytes, outcome: &'static str) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response.headers_mut().insert(CACHE_HEADER, HeaderValue::from_static(outcome));
    // The page is one user's: no shared cache on the way may keep it.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(s: &str) -> CommitMark {
        CommitMark::from(s)
    }

    fn page(mark_text: &str, size: usize) -> Kept {
        Kept {
            mark: mark(mark_text),
            rendered_at: Instant::now(),
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; size]),
        }
    }

    fn key(uri: &str) -> Key {
        Key { user: Uuid::nil(), uri: uri.into() }
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_page_is_served_only_while_nothing_was_committed() {
        let mut pages = Pages::default();
        pages.keep(key("/overview"), page("10:12:10", 100), 10_000);
        assert!(pages.fresh(&key("/overview"), &mark("10:12:10"), HOUR).is_some());
        assert!(pages.fresh(&key("/overview"), &mark("10:13:10"), HOUR).is_none(), "transaction 12 completed");
        assert!(
            pages.fresh(&key("/overview"), &mark("10:12:10"), HOUR).is_none(),
            "a stale page is dropped, not kept for later"
        );
        assert_eq!(pages.bytes, 0);
    }

    #[test]
    fn a_page_older_than_the_limit_is_rendered_again() {
        let mut pages = Pages::default();
        pages.keep(key("/overview"), page("1:1:", 100), 10_000);
        assert!(pages.fresh(&key("/overview"), &mark("1:1:"), Duration::ZERO).is_none());
    }

    #[test]
    fn each_user_and_address_has_its_own_page() {
        let mut pages = Pages::default();
        pages.keep(key("/subscriptions?tenant=a"), page("1:1:", 10), 10_000);
        assert!(pages.fresh(&key("/subscriptions?tenant=b"), &mark("1:1:"), HOUR).is_none());
        let other = Key { user: Uuid::from_u128(1), uri: "/subscriptions?tenant=a".into() };
        assert!(pages.fresh(&other, &mark("1:1:"), HOUR).is_none());
        assert!(pages.fresh(&key("/subscriptions?tenant=a"), &mark("1:1:"), HOUR).is_some());
    }

    #[test]
    fn memory_stays_within_the_limit_dropping_stale_then_oldest_pages() {
        let mut pages = Pages::default();
        pages.keep(key("/a"), page("1:1:", 200), 1_000);
        pages.keep(key("/b"), page("2:2:", 200), 1_000);
        pages.keep(key("/c"), page("2:2:", 200), 1_000);
        pages.keep(key("/d"), page("2:2:", 200), 1_000);
        assert_eq!(pages.bytes, 800);
        // /a was rendered before the latest commit: it goes first.
        pages.keep(key("/e"), page("2:2:", 250), 1_000);
        assert!(!pages.kept.contains_key(&key("/a")));
        assert_eq!(pages.bytes, 850);
        // Then the oldest.
        pages.keep(key("/f"), page("2:2:", 250), 1_000);
        assert!(!pages.kept.contains_key(&key("/b")));
        assert!(pages.bytes <= 1_000);
        // A page bigger than a quarter of the budget is never kept.
        pages.keep(key("/g"), page("2:2:", 251), 1_000);
        assert!(!pages.kept.contains_key(&key("/g")));
    }
}
