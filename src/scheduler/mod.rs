//! Durable jobs. The database is the queue (see `store::jobs`); this loop claims what is due,
//! hands each job to the handler for its kind, and records the outcome.
//!
//! The loop sleeps until the next due time (asked from the store, so it costs nothing while
//! idle) or until it is woken because a job was enqueued. A long safety cap on the sleep covers
//! jobs enqueued by another process sharing a PostgreSQL database.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tokio::sync::{watch, Notify, Semaphore};

pub mod whistleblowing;

use crate::clock::Clock;
use crate::store::{Job, JobState, Store};

pub mod meetings;

/// Longest sleep when nothing is due (real time), for work enqueued by other processes.
pub const MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(30);
/// Jobs claimed per round, and handled at once.
const BATCH: i64 = 64;
const CONCURRENCY: usize = 32;

/// What a handler decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished; the text says how (e.g. `sent`, `sent_late`).
    Done(String),
    /// Deliberately not done; the text says why. Recorded, never silently dropped.
    Skipped(String),
    /// Try again at this time (rate limited, a transient error, or a recurring job's next run).
    RetryAt(DateTime<Utc>, String),
    /// Run again at this time with a new payload (a recurring job).
    Reschedule(DateTime<Utc>, serde_json::Value),
    /// Gave up; the text says why.
    Failed(String),
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, job: &Job) -> Outcome;
}

/// Wakes the scheduler when work was enqueued. Cheap to clone.
#[derive(Clone, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn notify(&self) {
        self.0.notify_one();
    }
}

pub struct Scheduler {
    store: Store,
    clock: Arc<dyn Clock>,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    wake: Wake,
    worker: String,
    lease: Duration,
    max_idle: Duration,
}

impl Scheduler {
    /// `lease` (real time) is how long a claimed job stays reserved for this worker: one that
    /// dies holding it loses it after that long, and another takes the job over (re-sending
    /// with the same nonce, so nothing arrives twice).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        wake: Wake,
        lease: std::time::Duration,
    ) -> Self {
        let scale = |d: std::time::Duration| {
            let ms = d.as_millis() as f64 * clock.speed();
            Duration::milliseconds(ms.min(i64::MAX as f64 / 2.0) as i64)
        };
        let (lease, max_idle) = (scale(lease), scale(MAX_IDLE));
        Self {
            store,
            clock,
            handlers: HashMap::new(),
            wake,
            worker: worker_id(),
            lease,
            max_idle,
        }
    }

    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_string(), handler);
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Runs until `stop` turns true; jobs being handled then are finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let this = Arc::new(self);
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        let mut running = tokio::task::JoinSet::new();
        tracing::info!(worker = %this.worker, "scheduler started");
        loop {
            if *stop.borrow() {
                break;
            }
            let now = this.clock.now();
            let claimed = match this
                .store
                .claim_due(now, this.lease, &this.worker, BATCH)
                .await
            {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "could not claim jobs");
                    Vec::new()
                }
            };
            let full = claimed.len() as i64 == BATCH;
            for job in claimed {
                let permit = permits.clone().acquire_owned().await;
                let this = this.clone();
                running.spawn(async move {
                    let _permit = permit;
                    this.handle(job).await;
                });
            }
            while running.try_join_next().is_some() {}
            if full {
                continue;
            }
            let next = match this.store.next_due_at().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "could not read the next due time");
                    None
                }
            };
            let now = this.clock.now();
            let cap = now + this.max_idle;
            let until = next.map_or(cap, |n| n.min(cap));
            if until <= now {
                // Due work that is still leased by a running handler here: let it finish.
                tokio::select! {
                    _ = running.join_next(), if !running.is_empty() => {}
                    _ = tokio::time::sleep(std::time::Duration::from_millis(20)) => {}
                }
                continue;
            }
            tokio::select! {
                _ = this.clock.sleep_until(until) => {}
                _ = this.wake.0.notified() => {}
                _ = stop.changed() => {}
            }
        }
        while running.join_next().await.is_some() {}
        tracing::info!("scheduler stopped");
    }

    async fn handle(&self, job: Job) {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            tracing::error!(kind = %job.kind, "no handler for job kind");
            let _ = self
                .store
                .finish_job(
                    job.id,
                    &self.worker,
                    JobState::Failed,
                    "no handler",
                    self.clock.now(),
                )
                .await;
            return;
        };
        let outcome = handler.run(&job).await;
        let now = self.clock.now();
        let recorded = match &outcome {
            Outcome::Done(text) => {
                self.store
                    .finish_job(job.id, &self.worker, JobState::Done, text, now)
                    .await
            }
            Outcome::Skipped(text) => {
                self.store
                    .finish_job(job.id, &self.worker, JobState::Skipped, text, now)
                    .await
            }
            Outcome::Failed(text) => {
                tracing::warn!(kind = %job.kind, job = job.id, reason = %text, "job failed");
                self.store
                    .finish_job(job.id, &self.worker, JobState::Failed, text, now)
                    .await
            }
            Outcome::RetryAt(at, text) => {
                self.store
                    .requeue_job(job.id, &self.worker, *at, text, None)
                    .await
            }
            Outcome::Reschedule(at, payload) => {
                self.store
                    .requeue_job(job.id, &self.worker, *at, "rescheduled", Some(payload))
                    .await
            }
        };
        // The loop may be asleep until this job's lease end: let it look at the queue again
        // (a retry or a recurring job's next run can be due sooner).
        self.wake.notify();
        match recorded {
            Ok(true) => {}
            // Another worker took the job over after our lease ran out; its outcome stands.
            Ok(false) => tracing::warn!(job = job.id, "lease lost before the outcome was recorded"),
            Err(e) => tracing::error!(job = job.id, error = %e, "could not record a job outcome"),
        }
    }
}

/// Identifies this process in leases: host and pid, plus randomness for restarts.
fn worker_id() -> String {
    use rand::Rng;
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_string());
    format!(
        "{host}:{}:{:06x}",
        std::process::id(),
        rand::thread_rng().gen_range(0..0xff_ffff)
    )
}
