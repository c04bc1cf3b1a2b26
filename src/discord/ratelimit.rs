//! Client-side rate limits, kept as sliding windows of real send times.
//!
//! Discord allows a bot 50 requests in any second, sustained, and 5 messages in any 5 seconds
//! per channel. A token bucket cannot give both the full rate and the burst limit (burst +
//! refill must stay under the limit, so it sustains a fraction of it); a window that remembers
//! the last `limit` send times can: one more may go once the oldest of them is a window old.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// At most `limit` sends in any span of `window`.
#[derive(Debug, Clone)]
pub struct SlidingWindow {
    limit: usize,
    window: Duration,
    /// The last `limit` send times, oldest first.
    log: VecDeque<Instant>,
}

impl SlidingWindow {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            log: VecDeque::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The earliest moment, not before `now`, at which one more send keeps the limit.
    pub fn earliest(&self, now: Instant) -> Instant {
        if self.log.len() < self.limit {
            return now;
        }
        let oldest = self.log[self.log.len() - self.limit];
        (oldest + self.window).max(now)
    }

    /// Counts a send at `at` (not before any recorded one).
    pub fn record(&mut self, at: Instant) {
        self.log.push_back(at);
        while self.log.len() > self.limit {
            self.log.pop_front();
        }
    }

    /// What the server says the limit is (its `X-RateLimit-Limit`).
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.max(1);
        while self.log.len() > self.limit {
            self.log.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Serves requests in arrival order, each at the earliest moment the window allows; says
    /// when each went, from the start.
    fn serve(limit: usize, window: Duration, arrivals_ms: &[u64]) -> Vec<Duration> {
        let base = Instant::now();
        let mut w = SlidingWindow::new(limit, window);
        let mut sorted = arrivals_ms.to_vec();
        sorted.sort_unstable();
        let mut last = base;
        sorted
            .iter()
            .map(|a| {
                // One at a time, as the outbox's queue serves them.
                let at = w.earliest((base + Duration::from_millis(*a)).max(last));
                w.record(at);
                last = at;
                at - base
            })
            .collect()
    }

    fn max_in_any_window(times: &[Duration], window: Duration) -> usize {
        let mut best = 0;
        let mut j = 0;
        for i in 0..times.len() {
            while times[i] - times[j] >= window {
                j += 1;
            }
            best = best.max(i - j + 1);
        }
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the arrivals: never more than 48 in any one second, and no request waits
        /// while the window has room (each one that waited went the moment the second before it
        /// held 48): the window is used to the full, so a backlog drains at 48 a second.
        #[test]
        fn window_keeps_the_limit_and_wastes_no_slot(
            arrivals in proptest::collection::vec(0u64..3_000, 1..1_500),
        ) {
            // The outbox's global window: 48 in any 1.05 s.
            let window = Duration::from_millis(1050);
            let mut sorted = arrivals.clone();
            sorted.sort_unstable();
            let sent = serve(48, window, &sorted);
            prop_assert!(max_in_any_window(&sent, Duration::from_secs(1)) <= 48);
            for (i, at) in sent.iter().enumerate() {
                let arrived = Duration::from_millis(sorted[i]).max(if i > 0 { sent[i - 1] } else { Duration::ZERO });
                if *at > arrived {
                    // Just before it went, the last second (its start included) held 48.
                    let before = sent[..i].iter().filter(|t| **t + window >= *at).count();
                    prop_assert!(before >= 48, "request {} waited with room in the window", i);
                }
            }
        }

        /// Sustained: a backlog of n arriving within 100 ms is out by n/45 s.
        #[test]
        fn a_backlog_drains_at_45_a_second_or_faster(
            arrivals in proptest::collection::vec(0u64..100, 45..2_000),
        ) {
            let sent = serve(48, Duration::from_millis(1050), &arrivals);
            let n = arrivals.len() as f64;
            let last = sent.last().unwrap().as_secs_f64();
            prop_assert!(last <= 0.1 + n / 45.0, "{} done at {:.3} s", n, last);
        }

        /// The channel limit: 5 in any 5 seconds, and 20 due at once are out within 15 s.
        #[test]
        fn channel_window_keeps_five_per_five_seconds(
            arrivals in proptest::collection::vec(0u64..20_000, 1..200),
        ) {
            let window = Duration::from_secs(5);
            let sent = serve(5, window, &arrivals);
            prop_assert!(max_in_any_window(&sent, window) <= 5);
        }
    }

    #[test]
    fn a_backlog_of_500_takes_ten_and_a_half_seconds() {
        let sent = serve(48, Duration::from_millis(1050), &[0; 500]);
        assert_eq!(sent.last(), Some(&Duration::from_millis(10_500)));
        let twenty = serve(5, Duration::from_millis(5150), &[0; 20]);
        assert_eq!(twenty.last(), Some(&Duration::from_millis(15_450)));
    }
}
