//! Time is an input. Everything that needs "now", or needs to wait for a moment, gets a
//! [`Clock`]; tests drive a [`ManualClock`] instead of sleeping, and end-to-end tests run the
//! real binary on a [`ScaledClock`] (another date, time running faster).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::watch;

pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Resolves once `now() >= at`.
    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep;

    /// How many seconds of this clock pass in one real second. Timeouts that guard against a
    /// process dying (job leases) are real time, so they are scaled by this.
    fn speed(&self) -> f64 {
        1.0
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that moves only when told to; sleepers wake when it passes their moment.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<watch::Sender<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Arc::new(watch::channel(at).0))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.0.send_replace(at);
    }

    pub fn advance(&self, by: Duration) {
        self.0.send_modify(|t| *t += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.borrow()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let mut rx = self.0.subscribe();
        Box::pin(async move {
            // A dropped sender means the test is over; stop waiting.
            let _ = rx.wait_for(|now| *now >= at).await;
        })
    }
}

/// Virtual time that starts at `virtual_anchor` when the wall clock reads `real_anchor` and
/// runs `speed` times faster. Restarted processes given the same anchors agree on the time,
/// so an end-to-end test can kill and restart the bot on a shared virtual timeline.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    pub virtual_anchor: DateTime<Utc>,
    pub real_anchor: DateTime<Utc>,
    pub speed: f64,
}

impl ScaledClock {
    /// Parses `VIRTUAL_RFC3339,REAL_UNIX_MILLIS,SPEED`, e.g.
    /// `2026-03-29T00:00:00Z,1795000000000,60`.
    pub fn parse(spec: &str) -> Option<Self> {
        let mut parts = spec.split(',').map(str::trim);
        let virtual_anchor = DateTime::parse_from_rfc3339(parts.next()?)
            .ok()?
            .with_timezone(&Utc);
        let real_anchor = DateTime::from_timestamp_millis(parts.next()?.parse().ok()?)?;
        let speed: f64 = parts.next().unwrap_or("1").parse().ok()?;
        (speed.is_finite() && speed > 0.0 && parts.next().is_none()).then_some(Self {
            virtual_anchor,
            real_anchor,
            speed,
        })
    }

    fn at_real(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        let elapsed_ms = (real - self.real_anchor).num_milliseconds() as f64 * self.speed;
        self.virtual_anchor + Duration::milliseconds(elapsed_ms as i64)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        self.at_real(Utc::now())
    }

    fn speed(&self) -> f64 {
        self.speed
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Sleep {
        let virtual_wait = (at - self.now()).num_milliseconds().max(0) as f64;
        let real = std::time::Duration::from_micros((virtual_wait * 1000.0 / self.speed) as u64);
        Box::pin(tokio::time::sleep(real))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-29T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[tokio::test]
    async fn manual_clock_wakes_sleepers_when_driven() {
        let c = ManualClock::new(t0());
        let sleeper = tokio::spawn(c.sleep_until(t0() + Duration::minutes(90)));
        c.advance(Duration::minutes(60));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        c.advance(Duration::minutes(30));
        sleeper.await.unwrap();
        assert_eq!(c.now(), t0() + Duration::minutes(90));
    }

    #[test]
    fn scaled_clock_parses_and_scales() {
        let c = ScaledClock::parse("2026-03-29T00:00:00Z,1000,60").unwrap();
        let real = DateTime::from_timestamp_millis(1000 + 1000).unwrap();
        assert_eq!(c.at_real(real), t0() + Duration::seconds(60));
        assert!(ScaledClock::parse("2026-03-29T00:00:00Z,1000,0").is_none());
        assert!(ScaledClock::parse("nonsense").is_none());
    }
}
