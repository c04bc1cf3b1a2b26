//! Client-side rate limits: sliding windows that count a request from the moment it is sent
//! until a window after its answer came back.
//!
//! Discord allows a bot 50 requests in any second, sustained, and 5 messages in any 5 seconds
//! per channel. A token bucket cannot give both the full rate and the burst limit (burst +
//! refill must stay under the limit, so it sustains a fraction of it); a window that remembers
//! the last `limit` requests can: one more may go once the oldest of them is a window old.
//!
//! But Discord counts a request when it *arrives*, and we only know when we *sent* it and
//! when its answer *came back*: the arrival lies somewhere in between. Counting at the send
//! (what this window did first, with 48 in any 1.05 s as the margin) breaks as soon as the
//! spread of send-to-arrival times exceeds the margin: 48 requests sent together may arrive
//! over 80 ms on a loaded machine, and the next 48, sent 1.05 s after the first of them,
//! arrive promptly, so one of Discord's seconds sees more than 50 (13 × 429 in a burst of
//! 500). A bigger margin only moves the threshold and wastes the rate.
//!
//! So a request occupies its place from the moment it is sent (`begin`) until a full window
//! after its answer (`finish`). Why that is enough, whatever the delays: take any span of one
//! window at the server and the requests that arrived in it, and let `j` be the one of them
//! we sent last (at `s_j`). Every other `i` of them was sent before `s_j`, arrived after
//! `a_j − window ≥ s_j − window`, and was answered later still (`r_i ≥ a_i`), so when `j`
//! asked for its place, `i` was either still in flight or answered less than a window
//! before: counted. `j` was let through only with fewer than `limit` counted, so the span
//! holds at most `limit`. Discord's fixed windows are spans of one window too, so they hold
//! at most `limit` as well. The cost is the answer time: a place comes back one window after
//! the answer rather than after the send, so the sustained rate is `limit / (window +
//! latency)`: 48 a second with a 1 s window and 20 ms answers is 47.1 a second.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// At most `limit` requests in any span of `window` at the server, counted from their send
/// to a window after their answer (see the module's comment).
#[derive(Debug, Clone)]
pub struct SlidingWindow {
    limit: usize,
    window: Duration,
    /// Requests sent and not yet answered.
    in_flight: usize,
    /// When the last `limit` answered requests were answered, oldest first.
    log: VecDeque<Instant>,
}

impl SlidingWindow {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            in_flight: 0,
            log: VecDeque::new(),
        }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The earliest moment, not before `now`, at which one more request keeps the limit;
    /// `None` while the requests in flight alone fill it (the next place frees a window
    /// after one of them is answered).
    pub fn earliest(&self, now: Instant) -> Option<Instant> {
        if self.in_flight >= self.limit {
            return None;
        }
        // Besides those in flight, at most `limit - in_flight - 1` answered within a window.
        let room = self.limit - self.in_flight;
        if self.log.len() < room {
            return Some(now);
        }
        let oldest = self.log[self.log.len() - room];
        Some((oldest + self.window).max(now))
    }

    /// Whether one more request may go at `now`.
    pub fn has_room(&self, now: Instant) -> bool {
        self.earliest(now).is_some_and(|at| at <= now)
    }

    /// A request is sent now: it holds a place until a window after `finish`.
    pub fn begin(&mut self) {
        self.in_flight += 1;
    }

    /// A request begun earlier was answered (or failed, or was given up) at `at`.
    pub fn finish(&mut self, at: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        // Answers are recorded in order; a late recorder counts from the latest one.
        let at = self.log.back().map_or(at, |last| at.max(*last));
        self.log.push_back(at);
        while self.log.len() > self.limit {
            self.log.pop_front();
        }
    }

    /// A request sent and answered at `at` (made elsewhere, or in a test).
    pub fn record(&mut self, at: Instant) {
        self.begin();
        self.finish(at);
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
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    /// A request: when it asks for a place, how long its answer takes, and where in that
    /// time it reaches the server (0: at once, 1: just before the answer).
    #[derive(Debug, Clone, Copy)]
    struct Req {
        want_ms: u64,
        latency_us: u64,
        arrival: f64,
    }

    /// When each request was sent and when it reached the server, from the start.
    struct Served {
        sent: Vec<Duration>,
        arrived: Vec<Duration>,
    }

    /// Serves requests in the order they ask, one at a time (as the outbox's queue does),
    /// each at the earliest moment the window allows, with the answers coming back as they
    /// would.
    fn serve(limit: usize, window: Duration, reqs: &[Req]) -> Served {
        let base = Instant::now();
        let mut w = SlidingWindow::new(limit, window);
        let mut reqs = reqs.to_vec();
        reqs.sort_by_key(|r| r.want_ms);
        let mut answers: BinaryHeap<Reverse<Instant>> = BinaryHeap::new();
        let mut t = base;
        let (mut sent, mut arrived) = (Vec::new(), Vec::new());
        for r in &reqs {
            t = t.max(base + Duration::from_millis(r.want_ms));
            loop {
                while let Some(Reverse(a)) = answers.peek().copied() {
                    if a > t {
                        break;
                    }
                    w.finish(a);
                    answers.pop();
                }
                match w.earliest(t) {
                    Some(at) if at <= t => break,
                    Some(at) => t = at,
                    None => t = answers.peek().expect("a request in flight").0,
                }
            }
            w.begin();
            let latency = Duration::from_micros(r.latency_us);
            answers.push(Reverse(t + latency));
            sent.push(t - base);
            arrived.push(t - base + latency.mul_f64(r.arrival));
        }
        Served { sent, arrived }
    }

    fn max_in_any_window(times: &[Duration], window: Duration) -> usize {
        let mut times = times.to_vec();
        times.sort_unstable();
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

    fn reqs(want: &[u64], latency_us: &[u64], arrival: &[f64]) -> Vec<Req> {
        want.iter()
            .enumerate()
            .map(|(i, w)| Req {
                want_ms: *w,
                latency_us: latency_us[i % latency_us.len()],
                arrival: arrival[i % arrival.len()],
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the arrivals and however long each request takes to reach the server
        /// (anywhere between its send and its answer, up to 300 ms): never more than 48 reach
        /// the server in any one second.
        #[test]
        fn no_second_at_the_server_holds_more_than_the_limit(
            want in proptest::collection::vec(0u64..3_000, 1..1_500),
            latency_us in proptest::collection::vec(0u64..300_000, 1..64),
            arrival in proptest::collection::vec(0.0f64..=1.0, 1..64),
        ) {
            let served = serve(48, Duration::from_secs(1), &reqs(&want, &latency_us, &arrival));
            prop_assert!(max_in_any_window(&served.arrived, Duration::from_secs(1)) <= 48);
        }

        /// Sustained: a backlog of n asking within 100 ms, answered within 20 ms each, is
        /// out by n/45 s (48 per 1.02 s at worst: 47 a second).
        #[test]
        fn a_backlog_drains_at_45_a_second_or_faster(
            want in proptest::collection::vec(0u64..100, 45..2_000),
            latency_us in proptest::collection::vec(0u64..20_000, 1..64),
        ) {
            let served = serve(48, Duration::from_secs(1), &reqs(&want, &latency_us, &[0.5]));
            let n = want.len() as f64;
            let last = served.sent.last().unwrap().as_secs_f64();
            prop_assert!(last <= 0.1 + n / 45.0, "{} done at {:.3} s", n, last);
        }

        /// The channel limit: 5 in any 5 seconds at the server, whatever the delays.
        #[test]
        fn channel_window_keeps_five_per_five_seconds(
            want in proptest::collection::vec(0u64..20_000, 1..200),
            latency_us in proptest::collection::vec(0u64..300_000, 1..16),
            arrival in proptest::collection::vec(0.0f64..=1.0, 1..16),
        ) {
            let window = Duration::from_secs(5);
            let served = serve(5, window, &reqs(&want, &latency_us, &arrival));
            prop_assert!(max_in_any_window(&served.arrived, window) <= 5);
        }
    }

    /// No place is wasted: with instant answers a backlog goes 48 a second exactly; with
    /// 10 ms answers each round of 48 starts 10 ms later.
    #[test]
    fn a_backlog_of_500_takes_ten_seconds_plus_the_answer_times() {
        let at_once = |n: usize, latency_us: u64| reqs(&vec![0; n], &[latency_us], &[0.5]);
        let sent = serve(48, Duration::from_secs(1), &at_once(500, 0)).sent;
        assert_eq!(sent.last(), Some(&Duration::from_secs(10)));
        let sent = serve(48, Duration::from_secs(1), &at_once(500, 10_000)).sent;
        assert_eq!(sent.last(), Some(&Duration::from_millis(10_100)));
        let twenty = serve(5, Duration::from_secs(5), &at_once(20, 0)).sent;
        assert_eq!(twenty.last(), Some(&Duration::from_secs(15)));
    }

    /// While the requests in flight fill the window, nothing more goes, however old the
    /// answered ones are.
    #[test]
    fn requests_in_flight_hold_their_places() {
        let now = Instant::now();
        let mut w = SlidingWindow::new(2, Duration::from_secs(1));
        w.begin();
        assert!(w.has_room(now));
        w.begin();
        assert_eq!(w.earliest(now), None);
        w.finish(now);
        assert_eq!(w.earliest(now), Some(now + Duration::from_secs(1)));
        w.finish(now + Duration::from_millis(200));
        assert_eq!(w.earliest(now), Some(now + Duration::from_secs(1)));
        assert!(w.has_room(now + Duration::from_secs(1)));
    }
}
