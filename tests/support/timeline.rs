//! A virtual timeline for the bot under test (`SAMVERKAN_TEST_CLOCK`): it starts at a chosen
//! moment and runs faster than real time; the test shares it to know when things are due.
#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A virtual timeline: `start` now, running `speed` times faster.
pub struct Timeline {
    pub start: DateTime<Utc>,
    pub real_start: DateTime<Utc>,
    pub speed: f64,
}

impl Timeline {
    pub fn new(start: DateTime<Utc>, speed: f64) -> Self {
        Self {
            start,
            real_start: Utc::now(),
            speed,
        }
    }
    pub fn spec(&self) -> String {
        format!(
            "{},{},{}",
            self.start.to_rfc3339(),
            self.real_start.timestamp_millis(),
            self.speed
        )
    }
    pub fn now(&self) -> DateTime<Utc> {
        let real = (Utc::now() - self.real_start).num_milliseconds() as f64 * self.speed;
        self.start + chrono::Duration::milliseconds(real as i64)
    }
    /// Sleeps (really) until the virtual clock reads `t`.
    pub async fn until(&self, t: DateTime<Utc>) {
        let virtual_ms = (t - self.now()).num_milliseconds().max(0) as f64;
        tokio::time::sleep(Duration::from_millis((virtual_ms / self.speed) as u64)).await;
    }
}
