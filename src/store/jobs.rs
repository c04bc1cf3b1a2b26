//! The job queue. Jobs are claimed atomically with a lease: on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so several bot processes share one database without taking the
//! same job; on SQLite inside a `BEGIN IMMEDIATE` transaction (a single writer). A job whose
//! lease runs out (its process died) is claimed again. Finishing is fenced by the lease holder,
//! so a process that lost its lease cannot overwrite the outcome of the one that took over.

use chrono::{DateTime, Duration, Utc};

use super::{
    begin_write, from_millis, on_conn, on_pool, to_millis, Backend, Conn, Result, Store, Tx,
};

/// A job to enqueue. `key` is its idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// A claimed job.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub payload: serde_json::Value,
    /// Claims so far, this one included.
    pub attempts: i32,
    /// The worker holding the lease (the fencing token of everything recorded for the job).
    pub worker: String,
    /// Failed tries so far (transient errors; rate-limit hand-backs do not count).
    pub failures: i32,
    /// Taken over from a worker whose lease ran out: that worker may have acted (posted a
    /// message) without recording it.
    pub reclaimed: bool,
    /// Set once a send was attempted: a Discord message id at or before the first attempt,
    /// and the digest of the content last attempted. Whatever happened to that attempt, its
    /// message (if Discord stored it) is among the bot's messages after the floor.
    pub attempt: Option<(u64, String)>,
}

/// Where a job ended (or stands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Done,
    Skipped,
    Failed,
    /// No longer wanted (its meeting was cancelled or rescheduled away).
    Obsolete,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Skipped => "skipped",
            JobState::Failed => "failed",
            JobState::Obsolete => "obsolete",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => JobState::Pending,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "skipped" => JobState::Skipped,
            "failed" => JobState::Failed,
            "obsolete" => JobState::Obsolete,
            _ => return None,
        })
    }
}

/// A job as recorded, for inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub due_at: DateTime<Utc>,
    pub state: JobState,
    pub attempts: i32,
    pub failures: i32,
    pub outcome: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    pub payload: serde_json::Value,
    /// The Discord message it posted, if it posted one.
    pub message_id: Option<u64>,
    /// While running: until when its worker holds it.
    pub lease_until: Option<DateTime<Utc>>,
    /// The worker that holds it, or last held it.
    pub worker: Option<String>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    key: String,
    due_at: i64,
    payload: String,
    attempts: i32,
    failures: i32,
    attempt_floor: Option<i64>,
    attempt_digest: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    kind: String,
    key: String,
    due_at: i64,
    state: String,
    attempts: i32,
    failures: i32,
    outcome: Option<String>,
    finished_at: Option<i64>,
    payload: String,
    message_id: Option<i64>,
    lease_until: Option<i64>,
    leased_by: Option<String>,
}

impl TryFrom<JobRow> for Job {
    type Error = super::StoreError;
    fn try_from(r: JobRow) -> Result<Self> {
        Ok(Job {
            id: r.id,
            kind: r.kind,
            key: r.key,
            due_at: from_millis(r.due_at)?,
            payload: parse_payload(&r.payload)?,
            attempts: r.attempts,
            worker: String::new(),
            failures: r.failures,
            reclaimed: false,
            attempt: r
                .attempt_floor
                .zip(r.attempt_digest)
                .map(|(f, d)| (f as u64, d)),
        })
    }
}

impl TryFrom<RecordRow> for JobRecord {
    type Error = super::StoreError;
    fn try_from(r: RecordRow) -> Result<Self> {
        Ok(JobRecord {
            id: r.id,
            kind: r.kind,
            key: r.key,
            due_at: from_millis(r.due_at)?,
            state: JobState::parse(&r.state)
                .ok_or_else(|| super::StoreError::Corrupt(format!("job state {:?}", r.state)))?,
            attempts: r.attempts,
            failures: r.failures,
            outcome: r.outcome,
            finished_at: r.finished_at.map(from_millis).transpose()?,
            payload: parse_payload(&r.payload)?,
            message_id: r.message_id.map(|m| m as u64),
            lease_until: r.lease_until.map(from_millis).transpose()?,
            worker: r.leased_by,
        })
    }
}

fn parse_payload(s: &str) -> Result<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| super::StoreError::Corrupt(format!("job payload: {e}")))
}

const RETURNING: &str = "RETURNING id, kind, key, due_at, payload, attempts, failures, \
                         attempt_floor, attempt_digest";
const RECORD_COLUMNS: &str =
    "id, kind, key, due_at, state, attempts, failures, outcome, finished_at, payload, message_id, \
     lease_until, leased_by";

/// Runs `$body` inside a write transaction bound to `$tx`, committing on success.
macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        on_pool!($store, |p| {
            let mut $tx = begin_write!(p).await?;
            let out = $body;
            $tx.commit().await?;
            out
        })
    };
}
#[allow(unused_imports)]
pub(crate) use in_tx;

/// Queue operations a use case may run inside its transaction (one text for pool and [`Tx`]).
impl Conn<'_> {
    /// Enqueues a job, or moves a still-pending one to a new due time and payload. A job that
    /// already ran (done, skipped, failed) is left alone: what was sent is never sent again.
    /// An obsolete one comes back to life (a cancelled meeting reinstated).
    async fn upsert_pending(&mut self, job: &NewJob, now: DateTime<Utc>) -> Result<()> {
        let payload = job.payload.to_string();
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO jobs (kind, key, due_at, payload, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload,
                 state = 'pending'
             WHERE jobs.state IN ('pending', 'obsolete')"
        )
        .bind(&job.kind)
        .bind(&job.key)
        .bind(to_millis(job.due_at))
        .bind(&payload)
        .bind(to_millis(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Puts a finished job back in the queue (a job that reconciles state, such as a meeting's
    /// Discord event, after the state changed). A running job is left to its worker.
    async fn rearm_job(&mut self, key: &str, due_at: DateTime<Utc>) -> Result<()> {
        // A running job keeps its worker; the request is remembered and honoured when the
        // worker records its outcome (the worker may have read the state before this change).
        on_conn!(self, |c| sqlx::query(
            "UPDATE jobs SET
                 state = CASE WHEN state = 'running' THEN state ELSE 'pending' END,
                 due_at = CASE WHEN state = 'running' THEN due_at ELSE $1 END,
                 lease_until = CASE WHEN state = 'running' THEN lease_until ELSE NULL END,
                 leased_by = CASE WHEN state = 'running' THEN leased_by ELSE NULL END,
                 rearm_at = CASE WHEN state = 'running' THEN $1 ELSE NULL END
             WHERE key = $2"
        )
        .bind(to_millis(due_at))
        .bind(key)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks pending jobs whose key starts with `prefix` obsolete. Returns how many.
    async fn obsolete_pending(&mut self, prefix: &str, now: DateTime<Utc>) -> Result<u64> {
        let pattern = format!("{}%", like_escape(prefix));
        let r = on_conn!(self, |c| sqlx::query(
            "UPDATE jobs SET state = 'obsolete', finished_at = $1
             WHERE state = 'pending' AND key LIKE $2 ESCAPE '\\'"
        )
        .bind(to_millis(now))
        .bind(&pattern)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r)
    }

    async fn job(&mut self, key: &str) -> Result<Option<JobRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM jobs WHERE key = $1");
        let row: Option<RecordRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(key)
            .fetch_optional(c)
            .await)?;
        row.map(JobRecord::try_from).transpose()
    }
}

impl Store {
    /// Enqueues a job, or moves a still-pending one to a new due time and payload. A job that
    /// already ran (done, skipped, failed) is left alone: what was sent is never sent again.
    /// An obsolete one comes back to life (a cancelled meeting reinstated).
    pub async fn upsert_pending(&self, job: &NewJob, now: DateTime<Utc>) -> Result<()> {
        self.conn().upsert_pending(job, now).await
    }

    /// Puts a finished job back in the queue (see [`Tx::rearm_job`]).
    pub async fn rearm_job(&self, key: &str, due_at: DateTime<Utc>) -> Result<()> {
        self.conn().rearm_job(key, due_at).await
    }

    /// Marks pending jobs whose key starts with `prefix` obsolete. Returns how many.
    pub async fn obsolete_pending(&self, prefix: &str, now: DateTime<Utc>) -> Result<u64> {
        self.conn().obsolete_pending(prefix, now).await
    }

    pub async fn job(&self, key: &str) -> Result<Option<JobRecord>> {
        self.conn().job(key).await
    }
}

impl Tx {
    /// As [`Store::upsert_pending`], inside the use case's transaction.
    pub async fn upsert_pending(&mut self, job: &NewJob, now: DateTime<Utc>) -> Result<()> {
        self.write()?.upsert_pending(job, now).await
    }

    /// Puts a finished job back in the queue (a job that reconciles state, such as a meeting's
    /// Discord event, after the state changed). A running job is left to its worker and goes
    /// back to the queue when the worker records its outcome.
    pub async fn rearm_job(&mut self, key: &str, due_at: DateTime<Utc>) -> Result<()> {
        self.write()?.rearm_job(key, due_at).await
    }

    /// As [`Store::obsolete_pending`], inside the use case's transaction.
    pub async fn obsolete_pending(&mut self, prefix: &str, now: DateTime<Utc>) -> Result<u64> {
        self.write()?.obsolete_pending(prefix, now).await
    }

    pub async fn job(&mut self, key: &str) -> Result<Option<JobRecord>> {
        self.conn().job(key).await
    }
}

impl Store {
    /// Enqueues a job unless one with its key was ever enqueued. Returns whether it was new.
    pub async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<bool> {
        let payload = job.payload.to_string();
        let done = on_pool!(self, |p| {
            sqlx::query(
            "INSERT INTO jobs (kind, key, due_at, payload, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (key) DO NOTHING"
        )
        .bind(&job.kind)
        .bind(&job.key)
        .bind(to_millis(job.due_at))
        .bind(&payload)
        .bind(to_millis(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// Enqueues many jobs in one transaction (as [`Store::enqueue`] each). Returns how many were
    /// new. Seeds large queues quickly (the scheduler scale benchmark).
    pub async fn enqueue_many(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<u64> {
        let created = to_millis(now);
        let n: u64 = in_tx!(self, |tx| {
            let mut n = 0;
            for job in jobs {
                n += sqlx::query(
                    "INSERT INTO jobs (kind, key, due_at, payload, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&job.kind)
                .bind(&job.key)
                .bind(to_millis(job.due_at))
                .bind(job.payload.to_string())
                .bind(created)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            n
        });
        Ok(n)
    }

    /// Claims up to `limit` jobs that are due (or whose lease ran out), leasing them to
    /// `worker` until `now + lease`.
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Job>> {
        // PostgreSQL skips rows another process has locked; SQLite has one writer at a time.
        let (lock, relax_commit) = match self.backend() {
            Backend::Postgres => (
                "FOR UPDATE SKIP LOCKED",
                Some("SET LOCAL synchronous_commit = off"),
            ),
            Backend::Sqlite => ("", None),
        };
        let expired = format!(
            "UPDATE jobs SET lease_until = $1, leased_by = $2, attempts = attempts + 1
             WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $3
                          ORDER BY lease_until LIMIT $4 {lock})
             {RETURNING}"
        );
        let due = format!(
            "UPDATE jobs SET state = 'running', lease_until = $1, leased_by = $2,
                             attempts = attempts + 1
             WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= $3
                          ORDER BY due_at LIMIT $4 {lock})
             {RETURNING}"
        );
        let until = to_millis(now + lease);
        let now_ms = to_millis(now);
        let (expired_rows, due_rows): (Vec<JobRow>, Vec<JobRow>) = in_tx!(self, |tx| {
            let taken: Vec<JobRow> = sqlx::query_as(&expired)
                .bind(until)
                .bind(worker)
                .bind(now_ms)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
            let left = limit - taken.len() as i64;
            let fresh: Vec<JobRow> = if left > 0 {
                sqlx::query_as(&due)
                    .bind(until)
                    .bind(worker)
                    .bind(now_ms)
                    .bind(left)
                    .fetch_all(&mut *tx)
                    .await?
            } else {
                Vec::new()
            };
            // A claim is only a lease: lost in a server crash, the job is pending again and
            // is claimed again (the outcome is committed durably, and a message sent twice
            // carries the same nonce). So the claim does not wait for PostgreSQL's disk flush.
            if let (Some(relax), false) = (relax_commit, taken.is_empty() && fresh.is_empty()) {
                sqlx::query(relax).execute(&mut *tx).await?;
            }
            (taken, fresh)
        });
        let mut jobs = Vec::with_capacity(expired_rows.len() + due_rows.len());
        for row in expired_rows {
            jobs.push(Job {
                reclaimed: true,
                worker: worker.to_string(),
                ..Job::try_from(row)?
            });
        }
        for row in due_rows {
            jobs.push(Job {
                worker: worker.to_string(),
                ..Job::try_from(row)?
            });
        }
        jobs.sort_by_key(|j| j.due_at);
        Ok(jobs)
    }

    /// Extends a lease the worker still holds. False if it lost it.
    pub async fn renew_lease(&self, id: i64, worker: &str, until: DateTime<Utc>) -> Result<bool> {
        let r = on_pool!(self, |p| {
            sqlx::query(
            "UPDATE jobs SET lease_until = $1 WHERE id = $2 AND leased_by = $3 AND state = 'running'"
        )
        .bind(to_millis(until))
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(r == 1)
    }

    /// Records how a claimed job ended. Only the lease holder can; returns false otherwise.
    pub async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        state: JobState,
        outcome: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let r = on_pool!(self, |p| sqlx::query(
            "UPDATE jobs SET state = CASE WHEN rearm_at IS NULL THEN $1 ELSE 'pending' END,
                             due_at = COALESCE(rearm_at, due_at),
                             outcome = $2, finished_at = $3, lease_until = NULL,
                             leased_by = CASE WHEN rearm_at IS NULL THEN leased_by END,
                             rearm_at = NULL
             WHERE id = $4 AND leased_by = $5 AND state = 'running'"
        )
        .bind(state.as_str())
        .bind(outcome)
        .bind(to_millis(now))
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    /// Puts a claimed job back in the queue for `due_at` (a retry, or a recurring job's next
    /// run), optionally with a new payload. Only the lease holder can.
    pub async fn requeue_job(
        &self,
        id: i64,
        worker: &str,
        due_at: DateTime<Utc>,
        outcome: &str,
        payload: Option<&serde_json::Value>,
    ) -> Result<bool> {
        let payload = payload.map(|p| p.to_string());
        let r = on_pool!(self, |p| sqlx::query(
            "UPDATE jobs SET state = 'pending',
                             due_at = CASE WHEN rearm_at < $1 THEN rearm_at ELSE $1 END,
                             outcome = $2, lease_until = NULL, leased_by = NULL,
                             payload = COALESCE($3, payload), rearm_at = NULL
             WHERE id = $4 AND leased_by = $5 AND state = 'running'"
        )
        .bind(to_millis(due_at))
        .bind(outcome)
        .bind(payload)
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    /// Extends the leases of jobs this worker is running (its heartbeat). Returns the ids it
    /// no longer holds.
    pub async fn renew_leases(
        &self,
        ids: &[i64],
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut lost = Vec::new();
        for chunk in ids.chunks(500) {
            let list = placeholders(3, chunk.len());
            let sql = format!(
                "UPDATE jobs SET lease_until = $1 WHERE leased_by = $2 AND state = 'running'
                 AND id IN ({list}) RETURNING id"
            );
            let held: Vec<(i64,)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql).bind(to_millis(until)).bind(worker);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await
            })?;
            let held: std::collections::HashSet<i64> = held.into_iter().map(|r| r.0).collect();
            lost.extend(chunk.iter().filter(|id| !held.contains(id)));
        }
        Ok(lost)
    }

    /// Records, before a send, where its message would be found (see [`Job::attempt`]): the
    /// floor of the first attempt is kept, the digest is that of this attempt. Only the
    /// lease holder can; false otherwise (then it must not send).
    pub async fn begin_attempt(
        &self,
        id: i64,
        worker: &str,
        floor: u64,
        digest: &str,
    ) -> Result<bool> {
        let r = on_pool!(self, |p| sqlx::query(
            "UPDATE jobs SET attempt_floor = COALESCE(attempt_floor, $1), attempt_digest = $2
             WHERE id = $3 AND leased_by = $4 AND state = 'running'"
        )
        .bind(floor as i64)
        .bind(digest)
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    /// Which of these Discord messages some job already recorded as its own.
    pub async fn recorded_messages(&self, ids: &[u64]) -> Result<std::collections::HashSet<u64>> {
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT message_id FROM jobs WHERE message_id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows: Vec<(i64,)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id as i64);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows.into_iter().map(|r| r.0 as u64));
        }
        Ok(out)
    }

    /// Records that a claimed job ended by posting (or finding) a message.
    pub async fn finish_sent(
        &self,
        id: i64,
        worker: &str,
        outcome: &str,
        message: u64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let r = on_pool!(self, |p| {
            sqlx::query(
            "UPDATE jobs SET state = 'done', outcome = $1, finished_at = $2, lease_until = NULL,
                             message_id = $3
             WHERE id = $4 AND leased_by = $5 AND state = 'running'"
        )
        .bind(outcome)
        .bind(to_millis(now))
        .bind(message as i64)
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(r == 1)
    }

    /// Puts a claimed job back after a failed try, counting the failure. Only the lease
    /// holder can.
    pub async fn record_failure(
        &self,
        id: i64,
        worker: &str,
        due_at: DateTime<Utc>,
        reason: &str,
    ) -> Result<bool> {
        let r = on_pool!(self, |p| sqlx::query(
            "UPDATE jobs SET state = 'pending', outcome = $2, lease_until = NULL,
                             due_at = CASE WHEN rearm_at < $1 THEN rearm_at ELSE $1 END,
                             leased_by = NULL, failures = failures + 1, rearm_at = NULL
             WHERE id = $3 AND leased_by = $4 AND state = 'running'"
        )
        .bind(to_millis(due_at))
        .bind(reason)
        .bind(id)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    /// Jobs waiting to run (for benchmarks and operators).
    pub async fn count_pending_jobs(&self) -> Result<u64> {
        let (n,): (i64,) = on_pool!(self, |p| sqlx::query_as(
            "SELECT COUNT(*) FROM jobs WHERE state = 'pending'"
        )
        .fetch_one(p)
        .await)?;
        Ok(n as u64)
    }

    /// Kinds of the jobs still to run (pending or running), for checking each has a handler.
    pub async fn unfinished_kinds(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT DISTINCT kind FROM jobs WHERE state IN ('pending', 'running') ORDER BY kind"
        )
        .fetch_all(p)
        .await
        })?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// When the next job falls due (a pending job's due time or a running job's lease end).
    pub async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>> {
        let row: (Option<i64>, Option<i64>) = on_pool!(self, |p| sqlx::query_as(
            "SELECT (SELECT MIN(due_at) FROM jobs WHERE state = 'pending'),
                    (SELECT MIN(lease_until) FROM jobs WHERE state = 'running')"
        )
        .fetch_one(p)
        .await)?;
        let next = match row {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        next.map(from_millis).transpose()
    }

    /// Jobs whose key starts with `prefix`, by due time.
    pub async fn jobs_with_prefix(&self, prefix: &str) -> Result<Vec<JobRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM jobs WHERE key LIKE $1 ESCAPE '\\' ORDER BY due_at, id"
        );
        let pattern = format!("{}%", like_escape(prefix));
        let rows: Vec<RecordRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(&pattern)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(JobRecord::try_from).collect()
    }
}

/// `$first, $first+1, …` for `n` values bound in order.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes LIKE wildcards so user-influenced text matches literally (with `ESCAPE '\'`).
pub(crate) fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
