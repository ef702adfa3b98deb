//! SeatSync's share of the Autotask database's request threshold.
//!
//! Autotask allows 10,000 requests per rolling hour per database, shared by every integration
//! of the MSP (its RMM, documentation and billing tools too); above that it refuses requests
//! until the window drops. SeatSync keeps its own sliding window of the requests it sent and
//! stays below `hourly_share` of the threshold, and also backs off when the database as a whole
//! (as `ThresholdInformation` last reported it) is close to the threshold.

use std::{
    collections::VecDeque,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};

/// The window Autotask counts requests in.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Autotask's documented threshold, assumed until `ThresholdInformation` says otherwise.
pub const DEFAULT_THRESHOLD: i64 = 10_000;
/// Re-read the threshold this often...
const REFRESH_EVERY: Duration = Duration::from_secs(300);
/// ...or after this many requests, whichever comes first.
const REFRESH_AFTER_REQUESTS: u64 = 250;
/// From this share of the threshold in use by the whole database, SeatSync slows down and
/// re-reads the count more often.
const SLOW_FROM: f64 = 0.8;
/// From this share SeatSync stops until a re-read shows the window has dropped.
const STOP_FROM: f64 = 0.95;
const SLOW_DELAY: Duration = Duration::from_millis(250);
const NEAR_REFRESH_EVERY: Duration = Duration::from_secs(60);
const NEAR_REFRESH_AFTER_REQUESTS: u64 = 50;

/// What SeatSync has used of its Autotask allowance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetUsage {
    /// Requests SeatSync sent in the last 60 minutes.
    pub used_last_hour: u64,
    /// Requests SeatSync may send per 60 minutes (its share of the database's threshold).
    pub allowed_per_hour: u64,
    /// The database's request count in the current window, as last reported (all integrations).
    pub database_count: Option<i64>,
    /// The database's threshold, as last reported.
    pub database_threshold: Option<i64>,
}

/// Why a request cannot go now, and when it might.
#[derive(Debug, Clone, PartialEq)]
pub struct Wait {
    pub until: Instant,
    pub detail: String,
}

#[derive(Debug, Default)]
struct State {
    sent: VecDeque<Instant>,
    threshold: Option<i64>,
    database_count: Option<i64>,
    reported_at: Option<Instant>,
    sent_since_report: u64,
}

impl State {
    fn prune(&mut self, now: Instant) {
        while self.sent.front().is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW) {
            self.sent.pop_front();
        }
    }

    /// The database's count now: the last report plus what SeatSync sent since.
    fn database_estimate(&self) -> Option<(i64, i64)> {
        Some((self.database_count? + self.sent_since_report as i64, self.threshold?))
    }
}

/// The client-wide request budget.
#[derive(Debug)]
pub struct Budget {
    share: f64,
    state: Mutex<State>,
}

fn minutes(d: Duration) -> u64 {
    d.as_secs().div_ceil(60).max(1)
}

impl Budget {
    /// `share` of the threshold (0 < share <= 1; anything else falls back to a half).
    pub fn new(share: f64) -> Self {
        let share = if share.is_finite() && share > 0.0 { share.min(1.0) } else { 0.5 };
        Self { share, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn allowed(&self, threshold: i64) -> u64 {
        ((threshold.max(0) as f64 * self.share).floor() as u64).max(1)
    }

    /// Whether the threshold should be read (again) before the next request.
    pub fn refresh_due(&self, now: Instant) -> bool {
        let s = self.state();
        let Some(at) = s.reported_at else { return true };
        let near = s.database_estimate().is_some_and(|(count, threshold)| count as f64 >= threshold as f64 * SLOW_FROM);
        let (every, after) = if near {
            (NEAR_REFRESH_EVERY, NEAR_REFRESH_AFTER_REQUESTS)
        } else {
            (REFRESH_EVERY, REFRESH_AFTER_REQUESTS)
        };
        now.saturating_duration_since(at) >= every || s.sent_since_report >= after
    }

    pub fn knows_threshold(&self) -> bool {
        self.state().threshold.is_some()
    }

    /// Records what `ThresholdInformation` said.
    pub fn record(&self, threshold: i64, database_count: i64, now: Instant) {
        let mut s = self.state();
        s.threshold = Some(threshold);
        s.database_count = Some(database_count);
        s.reported_at = Some(now);
        s.sent_since_report = 0;
    }

    /// After a failed re-read: keep the last figures and try again in a minute.
    pub fn postpone_refresh(&self, now: Instant) {
        let mut s = self.state();
        s.reported_at = Some(now.checked_sub(REFRESH_EVERY - NEAR_REFRESH_EVERY).unwrap_or(now));
    }

    /// Takes one request from the budget: `Ok` with a delay to add before sending (a slow-down
    /// near the database's threshold), or when to try again. `refresh` marks the request that
    /// re-reads the threshold: it is not held back by the database's count, which it is about
    /// to learn.
    pub fn take(&self, now: Instant, refresh: bool) -> Result<Duration, Wait> {
        let mut s = self.state();
        s.prune(now);
        let threshold = s.threshold.unwrap_or(DEFAULT_THRESHOLD);
        let allowed = self.allowed(threshold);
        if s.sent.len() as u64 >= allowed {
            let until = s.sent.front().map(|t| *t + WINDOW).unwrap_or(now);
            return Err(Wait {
                until,
                detail: format!(
                    "SeatSync has sent {} requests in the last hour, its share ({:.0} %) of the database's {threshold}; budget frees up in {} min",
                    s.sent.len(),
                    self.share * 100.0,
                    minutes(until.saturating_duration_since(now)),
                ),
            });
        }
        let mut delay = Duration::ZERO;
        if let (false, Some((count, threshold))) = (refresh, s.database_estimate()) {
            let used = count as f64 / threshold.max(1) as f64;
            if used >= STOP_FROM {
                let until =
                    s.reported_at.map(|t| t + NEAR_REFRESH_EVERY).unwrap_or(now).max(now + Duration::from_secs(1));
                return Err(Wait {
                    until,
                    detail: format!(
                        "the Autotask database has used about {count} of its {threshold} requests this hour (all integrations together); SeatSync pauses until it drops, checking again in {} min",
                        minutes(until.saturating_duration_since(now)),
                    ),
                });
            }
            if used >= SLOW_FROM {
                delay = SLOW_DELAY;
            }
        }
        s.sent.push_back(now);
        s.sent_since_report += 1;
        Ok(delay)
    }

    pub fn usage(&self, now: Instant) -> BudgetUsage {
        let mut s = self.state();
        s.prune(now);
        BudgetUsage {
            used_last_hour: s.sent.len() as u64,
            allowed_per_hour: self.allowed(s.threshold.unwrap_or(DEFAULT_THRESHOLD)),
            database_count: s.database_count,
            database_threshold: s.threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_share_of_the_window() {
        let b = Budget::new(0.5);
        let t0 = Instant::now();
        assert!(b.refresh_due(t0));
        b.take(t0, true).unwrap();
        b.record(40, 1, t0);
        assert!(!b.refresh_due(t0));
        for i in 1..20 {
            assert_eq!(b.take(t0 + Duration::from_secs(i), false), Ok(Duration::ZERO));
        }
        let wait = b.take(t0 + Duration::from_secs(30), false).unwrap_err();
        assert_eq!(wait.until, t0 + WINDOW);
        assert!(wait.detail.contains("20 requests") && wait.detail.contains("50 %"), "{}", wait.detail);
        assert!(b.take(t0 + WINDOW, false).is_ok(), "the oldest request left the window");
        let usage = b.usage(t0 + WINDOW);
        assert_eq!((usage.used_last_hour, usage.allowed_per_hour, usage.database_threshold), (20, 20, Some(40)));
    }

    #[test]
    fn a_busy_database_slows_then_stops_seatsync() {
        let b = Budget::new(0.5);
        let t0 = Instant::now();
        b.record(10_000, 8_100, t0);
        assert_eq!(b.take(t0, false), Ok(SLOW_DELAY));
        assert!(b.refresh_due(t0 + NEAR_REFRESH_EVERY), "re-read more often when near");
        b.record(10_000, 9_600, t0);
        let wait = b.take(t0, false).unwrap_err();
        assert!(wait.detail.contains("all integrations"), "{}", wait.detail);
        assert_eq!(wait.until, t0 + NEAR_REFRESH_EVERY);
        assert!(b.take(t0, true).is_ok(), "the re-read itself may go");
        assert!(b.refresh_due(t0 + REFRESH_EVERY));
        assert!(Budget::new(f64::NAN).take(t0, false).is_ok());
    }
}
