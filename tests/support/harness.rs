//! Service-level test harness: the real scheduler over a driven clock with a recording
//! notifier, running a job when its time comes, and a use case's reply rendered as plain
//! text (asserting it was answered, or refused).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use samverkan::clock::ManualClock;
use samverkan::domain::ids::GuildId;
use samverkan::render::Plain;
use samverkan::scheduler::{kinds, Scheduler};
use samverkan::service::{Presented, Reply, Services, Status};
use samverkan::store::{JobRecord, JobState};
use tokio::sync::watch;

use super::recorder::Recorder;

/// A scheduler running in the background until `stop`.
pub struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(StdDuration::from_secs(15), self.task).await;
    }
}

/// Every job kind's handler, sending through `notifier`, on the services' store and clock.
pub fn run_scheduler(s: &Services, clock: &ManualClock, notifier: &Recorder) -> Running {
    let mut sched = Scheduler::new(
        s.store.clone(),
        Arc::new(clock.clone()),
        s.wake.clone(),
        StdDuration::from_secs(30),
    );
    kinds::register_all(&mut sched, s, Arc::new(notifier.clone()));
    let (stop, rx) = watch::channel(false);
    Running {
        stop,
        task: tokio::spawn(sched.run(rx)),
    }
}

/// Sets the clock to the job's time (never back) and waits until it has run.
pub async fn run_job(s: &Services, clock: &ManualClock, key: &str) -> JobRecord {
    let end = Instant::now() + StdDuration::from_secs(20);
    loop {
        let j = s.store.job(key).await.unwrap().expect(key);
        if j.state != JobState::Pending && j.state != JobState::Running {
            return j;
        }
        if j.due_at > samverkan::clock::Clock::now(clock) {
            clock.set(j.due_at);
        }
        s.wake.notify();
        assert!(Instant::now() < end, "gave up waiting for {key}: {j:?}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

/// The reply as the shell shows it.
pub async fn present(s: &Services, g: GuildId, r: samverkan::error::Result<Reply>) -> Presented {
    s.present(Some(g), r, &Plain::default()).await
}

/// The reply's text; it must have been answered.
pub async fn ok(s: &Services, g: GuildId, r: samverkan::error::Result<Reply>) -> String {
    let p = present(s, g, r).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    p.text
}

/// The refusal's text; it must have been refused.
pub async fn refused(s: &Services, g: GuildId, r: samverkan::error::Result<Reply>) -> String {
    let p = present(s, g, r).await;
    assert_eq!(p.status, Status::Refused, "{}", p.text);
    p.text
}
