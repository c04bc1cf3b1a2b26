//! Durable jobs. The database is the queue (see `store::jobs`); this loop claims what is due,
//! hands each job to the handler for its kind, and records the outcome.
//!
//! The loop sleeps until the next due time (asked from the store, so it costs nothing while
//! idle) or until it is woken because a job was enqueued. A long safety cap on the sleep covers
//! jobs enqueued by another process sharing a PostgreSQL database.
//!
//! Leases: while this process runs a job it renews the job's lease (a heartbeat at a third of
//! the lease), so a job that waits long for a rate-limit slot is never taken over by another
//! worker while its process lives; a job handed back to us by a claim while still running
//! here is not started twice. Only a process that died (or lost the database for a whole
//! lease) loses its jobs, and the one taking over finds what it had sent (`delivery`).
//!
//! Retries: one policy for every kind. A transient failure counts; a rate-limit hand-back or
//! a wait does not. After `MAX_FAILURES` failures, with exponential backoff and jitter in
//! between, the job gives up: recorded as failed with its reason, and its handler told (a
//! reminder shows it to the forum's chair).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use tokio::sync::{watch, Notify, Semaphore};

pub mod agenda;
pub mod delivery;
pub mod escalation;
pub mod kinds;
pub mod live;
pub mod meetings;
pub mod minutes;
pub mod record;
pub mod whistleblowing;

use crate::clock::Clock;
use crate::notifier::SendError;
use crate::store::{Job, JobState, Store};

/// Longest sleep when nothing is due (real time), for work enqueued by other processes.
pub const MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(30);
/// Jobs claimed per round.
const BATCH: i64 = 64;
/// Jobs handled at once. Most of them wait for a rate-limit slot (cheap: a sleeping task),
/// so this is large enough that a channel's backlog never holds up other channels.
const CONCURRENCY: usize = 512;
/// Transient failures a job may have before it gives up.
pub const MAX_FAILURES: i32 = 10;
/// Backoff after the first failure, doubling up to `MAX_BACKOFF` (real time).
const FIRST_BACKOFF: std::time::Duration = std::time::Duration::from_secs(2);
const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(600);

/// What a handler decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished; the text says how (e.g. `sent`, `sent_late`).
    Done(String),
    /// Finished by posting (or finding) this Discord message; the text says how.
    Sent(u64, String),
    /// Deliberately not done; the text says why. Recorded, never silently dropped.
    Skipped(String),
    /// Not a failure: try again at this time (rate limited, waiting for a moment, the
    /// database busy). Costs no try.
    RetryAt(DateTime<Utc>, String),
    /// Run again at this time with a new payload (a recurring job).
    Reschedule(DateTime<Utc>, serde_json::Value),
    /// A failed try that may succeed later (a 5xx, a network error): retried with backoff,
    /// counted against `MAX_FAILURES`.
    Transient(String),
    /// Gave up; the text says why.
    Failed(String),
}

impl Outcome {
    /// The one mapping of a send error: a rate limit is waited out exactly as Discord asks
    /// (real time, hence `speed`), a permanent error gives up, anything else is a failure.
    pub fn from_send_error(err: &SendError, now: DateTime<Utc>, speed: f64) -> Outcome {
        match err {
            SendError::RateLimited(d) => Outcome::RetryAt(
                now + Duration::milliseconds((d.as_millis() as f64 * speed) as i64),
                "rate limited".to_string(),
            ),
            e if e.is_permanent() => Outcome::Failed(e.to_string()),
            e => Outcome::Transient(e.to_string()),
        }
    }
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, job: &Job) -> Outcome;

    /// Told when the job gave up (failed for good), to show it where a person looks.
    async fn gave_up(&self, _job: &Job, _reason: &str) {}
}

/// The wait before the next try after `failures` failures: doubling from `FIRST_BACKOFF`,
/// at most `MAX_BACKOFF`, with jitter (half to all of it) so that a storm's victims do not
/// come back together.
pub fn backoff(failures: i32, jitter: f64) -> std::time::Duration {
    let doubling = 2_u32.saturating_pow(failures.clamp(1, 20) as u32 - 1);
    let full = FIRST_BACKOFF.saturating_mul(doubling).min(MAX_BACKOFF);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
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
    /// Jobs this process is running: their leases are renewed, and a claim that hands one
    /// of them back (its lease ran out meanwhile) does not start it twice.
    running: Arc<Mutex<HashSet<i64>>>,
}

/// Leaves the running set when a job's task ends, however it ends.
struct RunningGuard(Arc<Mutex<HashSet<i64>>>, i64);

impl Drop for RunningGuard {
    fn drop(&mut self) {
        lock(&self.0).remove(&self.1);
    }
}

fn lock(m: &Mutex<HashSet<i64>>) -> std::sync::MutexGuard<'_, HashSet<i64>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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
            running: Arc::default(),
        }
    }

    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(kind.to_string(), handler);
    }

    /// The kinds with a handler.
    pub fn kinds(&self) -> Vec<String> {
        let mut k: Vec<String> = self.handlers.keys().cloned().collect();
        k.sort();
        k
    }

    /// Renews the leases of the jobs running here, a third of a lease apart, for ever. The
    /// next beat is counted from the moment a renewal is computed for, not from when the
    /// database answered: a slow write must not stretch the interval, or a lease could run
    /// out between two beats.
    async fn heartbeat(self: Arc<Self>) {
        let mut next = self.clock.now() + self.lease / 3;
        loop {
            self.clock.sleep_until(next).await;
            let now = self.clock.now();
            next = now + self.lease / 3;
            let ids: Vec<i64> = lock(&self.running).iter().copied().collect();
            if ids.is_empty() {
                continue;
            }
            let until = now + self.lease;
            match self.store.renew_leases(&ids, &self.worker, until).await {
                Ok(lost) if !lost.is_empty() => {
                    tracing::warn!(jobs = ?lost, "leases lost while running (the database was out of reach for a whole lease)");
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "could not renew leases"),
            }
        }
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Runs until `stop` turns true; jobs being handled then are finished first.
    pub async fn run(self, stop: watch::Receiver<bool>) {
        let this = Arc::new(self);
        // In this task, not a task of its own: whatever ends the loop (a stop once the jobs in
        // hand are finished, or the process dying) ends the heartbeat with it.
        tokio::select! {
            _ = this.clone().claim_loop(stop) => {}
            _ = this.clone().heartbeat() => {}
        }
    }

    async fn claim_loop(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let this = self;
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        let mut running = tokio::task::JoinSet::new();
        match this.store.unfinished_kinds().await {
            Ok(kinds) => {
                for k in kinds.iter().filter(|k| !this.handlers.contains_key(*k)) {
                    tracing::error!(kind = %k, "jobs of a kind without a handler are queued");
                }
            }
            Err(e) => tracing::error!(error = %e, "could not list queued job kinds"),
        }
        tracing::info!(worker = %this.worker, "scheduler started");
        loop {
            if *stop.borrow() {
                break;
            }
            let now = this.clock.now();
            let claim_started = std::time::Instant::now();
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
            if !claimed.is_empty() {
                tracing::debug!(
                    jobs = claimed.len(),
                    claim_us = claim_started.elapsed().as_micros() as u64,
                    "claimed"
                );
            }
            let full = claimed.len() as i64 >= BATCH;
            for job in claimed {
                // Ours and still running (its lease ran out under a clock jump, and the claim
                // just renewed it): it is not started twice.
                if !lock(&this.running).insert(job.id) {
                    continue;
                }
                let guard = RunningGuard(this.running.clone(), job.id);
                let permit = permits.clone().acquire_owned().await;
                let this = this.clone();
                running.spawn(async move {
                    let _permit = permit;
                    let _running = guard;
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
            let woke = tokio::select! {
                _ = this.clock.sleep_until(until) => "due",
                _ = this.wake.0.notified() => "woken",
                _ = stop.changed() => "stop",
            };
            // When the loop woke against the moment it slept for (negative: before it, woken
            // by new work): a late wake-up delays a whole burst.
            tracing::debug!(
                woke,
                after_ms = (this.clock.now() - until).num_milliseconds(),
                running = running.len(),
                "scheduler woke"
            );
        }
        while running.join_next().await.is_some() {}
        tracing::info!("scheduler stopped");
    }

    async fn handle(&self, job: Job) {
        let Some(handler) = self.handlers.get(&job.kind).cloned() else {
            tracing::error!(kind = %job.kind, "no handler for job kind");
            if let Err(e) = self
                .store
                .finish_job(
                    job.id,
                    &self.worker,
                    JobState::Failed,
                    "no handler",
                    self.clock.now(),
                )
                .await
            {
                tracing::error!(job = job.id, error = %e, "could not record a job without handler");
            }
            return;
        };
        let started = std::time::Instant::now();
        tracing::debug!(
            job = job.id,
            kind = %job.kind,
            late_ms = (self.clock.now() - job.due_at).num_milliseconds(),
            "job started"
        );
        let outcome = handler.run(&job).await;
        let now = self.clock.now();
        tracing::debug!(
            job = job.id,
            kind = %job.kind,
            run_us = started.elapsed().as_micros() as u64,
            "job ran"
        );
        let w = &self.worker;
        let recorded = match &outcome {
            Outcome::Done(text) => {
                self.store
                    .finish_job(job.id, w, JobState::Done, text, now)
                    .await
            }
            Outcome::Sent(message, text) => {
                self.store.finish_sent(job.id, w, text, *message, now).await
            }
            Outcome::Skipped(text) => {
                self.store
                    .finish_job(job.id, w, JobState::Skipped, text, now)
                    .await
            }
            Outcome::Failed(text) => self.give_up(&*handler, &job, text, now).await,
            Outcome::Transient(text) if job.failures + 1 >= MAX_FAILURES => {
                let reason = format!("gave up after {MAX_FAILURES} failures: {text}");
                self.give_up(&*handler, &job, &reason, now).await
            }
            Outcome::Transient(text) => {
                let wait = backoff(job.failures + 1, rand::thread_rng().gen());
                let wait = wait.mul_f64(self.clock.speed());
                let at = now + Duration::from_std(wait).unwrap_or(Duration::minutes(10));
                self.store.record_failure(job.id, w, at, text).await
            }
            Outcome::RetryAt(at, text) => self.store.requeue_job(job.id, w, *at, text, None).await,
            Outcome::Reschedule(at, payload) => {
                self.store
                    .requeue_job(job.id, w, *at, "rescheduled", Some(payload))
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

impl Scheduler {
    async fn give_up(
        &self,
        handler: &dyn JobHandler,
        job: &Job,
        reason: &str,
        now: DateTime<Utc>,
    ) -> crate::store::Result<bool> {
        tracing::warn!(kind = %job.kind, job = job.id, %reason, "job gave up");
        let recorded = self
            .store
            .finish_job(job.id, &self.worker, JobState::Failed, reason, now)
            .await;
        if matches!(recorded, Ok(true)) {
            handler.gave_up(job, reason).await;
        }
        recorded
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
