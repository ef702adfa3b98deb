//! A client's requests spread evenly under a per-minute allowance (no burst: a run's requests are
//! spread over the minute rather than sent at once), and counted, so each billing tool's run can
//! say how many requests it cost against the vendor's budget.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub struct Pace {
    limiter: DefaultDirectRateLimiter,
    sent: AtomicU64,
}

impl Pace {
    pub fn per_minute(requests: u32) -> Self {
        let per_minute = NonZeroU32::new(requests).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::direct(Quota::per_minute(per_minute).allow_burst(NonZeroU32::MIN)),
            sent: AtomicU64::new(0),
        }
    }

    /// Waits for the request's turn, and counts it as sent.
    pub async fn until_ready(&self) {
        self.limiter.until_ready().await;
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests sent through this pace so far (retries included: each is one of the vendor's).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}
