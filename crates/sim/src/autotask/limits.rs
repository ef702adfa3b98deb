//! Autotask's request limits: a rolling 60-minute threshold per database and at most three
//! requests in flight per integration code and entity endpoint.

use std::{
    collections::{HashMap, VecDeque},
    time::{Duration, Instant},
};

/// Requests one integration code may have in flight per entity endpoint.
pub const THREADS_PER_ENDPOINT: usize = 3;
/// The threshold's window.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Latency added at 100 % of the threshold; it grows linearly from 50 %.
pub const MAX_ADDED_LATENCY: Duration = Duration::from_millis(300);

#[derive(Debug)]
pub struct Usage {
    limit: u64,
    window: VecDeque<Instant>,
    in_flight: HashMap<String, usize>,
    /// Bumped by a reset, so requests in flight before it do not decrement the fresh counters.
    generation: u64,
    pub refused_threshold: u64,
    pub refused_threads: u64,
}

impl Usage {
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            window: VecDeque::new(),
            in_flight: HashMap::new(),
            generation: 0,
            refused_threshold: 0,
            refused_threads: 0,
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    fn prune(&mut self, now: Instant) {
        while self.window.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            self.window.pop_front();
        }
    }

    /// Requests counted in the last 60 minutes.
    pub fn count(&mut self, now: Instant) -> u64 {
        self.prune(now);
        self.window.len() as u64
    }

    /// Counts a request against the threshold; `Err` with the count when the threshold is reached.
    pub fn admit(&mut self, now: Instant) -> Result<u64, u64> {
        let count = self.count(now);
        if count >= self.limit {
            self.refused_threshold += 1;
            return Err(count);
        }
        self.window.push_back(now);
        Ok(count + 1)
    }

    /// The latency Autotask adds at this usage: none below half the threshold, then growing.
    pub fn added_latency(&self, count: u64) -> Duration {
        let share = count as f64 / self.limit.max(1) as f64;
        if share <= 0.5 {
            return Duration::ZERO;
        }
        MAX_ADDED_LATENCY.mul_f64(((share - 0.5) / 0.5).min(1.0))
    }

    /// Takes one of the endpoint's threads; `None` when all are busy.
    pub fn enter(&mut self, key: &str) -> Option<u64> {
        let n = self.in_flight.entry(key.to_string()).or_default();
        if *n >= THREADS_PER_ENDPOINT {
            self.refused_threads += 1;
            return None;
        }
        *n += 1;
        Some(self.generation)
    }

    pub fn leave(&mut self, key: &str, generation: u64) {
        if generation != self.generation {
            return;
        }
        if let Some(n) = self.in_flight.get_mut(key) {
            *n = n.saturating_sub(1);
        }
    }

    /// Forgets the hour's requests and the threads in use (`/_sim/autotask/reset-usage`).
    pub fn reset(&mut self) {
        self.window.clear();
        self.in_flight.clear();
        self.generation += 1;
        self.refused_threshold = 0;
        self.refused_threads = 0;
    }

    pub fn in_flight(&self) -> &HashMap<String, usize> {
        &self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_threads_and_latency() {
        let mut u = Usage::new(4);
        let now = Instant::now();
        assert_eq!(u.admit(now), Ok(1));
        assert_eq!(u.added_latency(2), Duration::ZERO);
        assert_eq!(u.added_latency(3), Duration::from_millis(150));
        assert_eq!(u.added_latency(4), MAX_ADDED_LATENCY);
        for _ in 0..3 {
            u.admit(now).unwrap();
        }
        assert_eq!(u.admit(now), Err(4));
        assert_eq!(u.admit(now + WINDOW), Ok(1), "the window rolls");

        let g = (0..3).map(|_| u.enter("X/Companies").unwrap()).last().unwrap();
        assert_eq!(u.enter("X/Companies"), None);
        assert!(u.enter("X/Contracts").is_some());
        u.leave("X/Companies", g);
        assert!(u.enter("X/Companies").is_some());
        u.reset();
        u.leave("X/Companies", g);
        assert_eq!(u.in_flight().get("X/Companies"), None, "a stale leave does not touch the fresh counters");
    }
}
