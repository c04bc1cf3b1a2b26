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
        let _turn = self.write_turn().await;
        self.conn().upsert_pending(job, now).await
    }

    /// Puts a finished job back in the queue (see [`Tx::rearm_job`]).
    pub async fn rearm_job(&self, key: &str, due_at: DateTime<Utc>) -> Result<()> {
        let _turn = self.write_turn().await;
        self.conn().rearm_job(key, due_at).await
    }

    /// Marks pending jobs whose key starts with `prefix` obsolete. Returns how many.
    pub async fn obsolete_pending(&self, prefix: &str, now: DateTime<Utc>) -> Result<u64> {
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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
    /// `worker` until `now + lease`. (On PostgreSQL up to `limit` of each: see
    /// [`claim_due_sql`].)
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        worker: &str,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let until = to_millis(now + lease);
        let now_ms = to_millis(now);
        let (expired_rows, due_rows): (Vec<JobRow>, Vec<JobRow>) = match &self.pool {
            super::Pool::Postgres(p) => {
                let rows: Vec<ClaimRow> = sqlx::query_as(&claim_due_sql(Backend::Postgres, limit))
                    .bind(until)
                    .bind(worker)
                    .bind(now_ms)
                    .fetch_all(p)
                    .await?;
                let (taken, fresh): (Vec<ClaimRow>, Vec<ClaimRow>) =
                    rows.into_iter().partition(|r| r.reclaimed);
                (
                    taken.into_iter().map(|r| r.job).collect(),
                    fresh.into_iter().map(|r| r.job).collect(),
                )
            }
            super::Pool::Sqlite(p) => {
                // One writer at a time: the two claims in one `BEGIN IMMEDIATE` transaction.
                let _turn = self.write_turn().await;
                let mut tx = begin_write!(p).await?;
                let taken: Vec<JobRow> = sqlx::query_as(&claim_sql(true, limit, ""))
                    .bind(until)
                    .bind(worker)
                    .bind(now_ms)
                    .fetch_all(&mut *tx)
                    .await?;
                let left = limit - taken.len() as i64;
                let fresh: Vec<JobRow> = if left > 0 {
                    sqlx::query_as(&claim_sql(false, left, ""))
                        .bind(until)
                        .bind(worker)
                        .bind(now_ms)
                        .fetch_all(&mut *tx)
                        .await?
                } else {
                    Vec::new()
                };
                tx.commit().await?;
                (taken, fresh)
            }
        };
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
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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
    ///
    /// This write sits between a job falling due and its message going out, and a burst of
    /// jobs claimed together makes it at the same moment. One at a time they queued for
    /// SQLite's single writer (each waiting out the busy handler's sleeps) and added tens of
    /// milliseconds to a burst of 45. So the attempts of concurrent senders are recorded
    /// together: whoever finds no write in progress writes every attempt queued so far in
    /// one statement; the ones arriving meanwhile go in the next. Each is still fenced by its
    /// own lease, and none sends before its record is committed.
    pub async fn begin_attempt(
        &self,
        id: i64,
        worker: &str,
        floor: u64,
        digest: &str,
    ) -> Result<bool> {
        let (answer, mut answered) = tokio::sync::oneshot::channel();
        lock_queue(&self.attempts.queue).push(QueuedAttempt {
            id,
            worker: worker.to_string(),
            floor,
            digest: digest.to_string(),
            answer,
        });
        {
            let _turn = self.attempts.turn.lock().await;
            // Written by the batch before ours?
            if let Ok(r) = answered.try_recv() {
                return r.map_err(super::StoreError::Batch);
            }
            let batch = std::mem::take(&mut *lock_queue(&self.attempts.queue));
            let held = self.record_attempts(&batch).await;
            for a in batch {
                let r = match &held {
                    Ok(held) => Ok(held.contains(&(a.id, a.worker))),
                    Err(e) => Err(format!("could not record the attempt: {e}")),
                };
                // The caller may have gone (its task was cancelled): nothing to tell.
                let _ = a.answer.send(r);
            }
        }
        match answered.await {
            Ok(r) => r.map_err(super::StoreError::Batch),
            // The writer was cancelled before it answered: not recorded, so not sent.
            Err(_) => Err(super::StoreError::Batch(
                "the attempt's record was abandoned".into(),
            )),
        }
    }

    /// Writes queued attempts (see [`Store::begin_attempt`]) in one statement per few hundred;
    /// returns the (job, worker) pairs whose lease held.
    async fn record_attempts(
        &self,
        batch: &[QueuedAttempt],
    ) -> Result<std::collections::HashSet<(i64, String)>> {
        let _turn = self.write_turn().await;
        let mut held = std::collections::HashSet::new();
        for chunk in batch.chunks(200) {
            let values = (0..chunk.len())
                .map(|i| {
                    let p = 4 * i + 1;
                    format!(
                        "(CAST(${p} AS BIGINT), CAST(${} AS TEXT), CAST(${} AS BIGINT), CAST(${} AS TEXT))",
                        p + 1,
                        p + 2,
                        p + 3
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "WITH v (id, worker, floor, digest) AS (VALUES {values})
                 UPDATE jobs SET attempt_floor = COALESCE(jobs.attempt_floor, v.floor),
                                 attempt_digest = v.digest
                 FROM v WHERE jobs.id = v.id AND jobs.leased_by = v.worker
                          AND jobs.state = 'running'
                 RETURNING jobs.id, jobs.leased_by"
            );
            let rows: Vec<(i64, String)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for a in chunk {
                    q = q
                        .bind(a.id)
                        .bind(&a.worker)
                        .bind(a.floor as i64)
                        .bind(&a.digest);
                }
                q.fetch_all(p).await
            })?;
            held.extend(rows);
        }
        Ok(held)
    }

    /// Which of these Discord messages some job already recorded as its own.
    /// A job other than `except` (a job looking for its own earlier message: one it took
    /// already is still its own).
    pub async fn recorded_messages(
        &self,
        ids: &[u64],
        except: Option<i64>,
    ) -> Result<std::collections::HashSet<u64>> {
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT message_id FROM jobs WHERE message_id IN ({}) AND id <> $1",
                placeholders(2, chunk.len())
            );
            let rows: Vec<(i64,)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql).bind(except.unwrap_or(0));
                for id in chunk {
                    q = q.bind(*id as i64);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows.into_iter().map(|r| r.0 as u64));
        }
        Ok(out)
    }

    /// Takes a message found in the channel (an earlier attempt's, see
    /// `scheduler::delivery`) as this running job's own, unless another job has it already.
    /// Two jobs with the same text may find the same message at the same moment (in two
    /// processes): only one of them gets it, and the other looks on or posts its own. On
    /// SQLite the write turn and the single writer make the check and the write one step; on
    /// PostgreSQL a transaction-scoped advisory lock on the message id does, the check being a
    /// statement of its own after the lock (so it sees what a rival committed while we
    /// waited). False when another job has the message or the lease is gone.
    pub async fn claim_found_message(&self, id: i64, worker: &str, message: u64) -> Result<bool> {
        const TAKE: &str = "UPDATE jobs SET message_id = $1
             WHERE id = $2 AND leased_by = $3 AND state = 'running'
               AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.message_id = $1 AND o.id <> $2)";
        let _turn = self.write_turn().await;
        let n = match &self.pool {
            super::Pool::Sqlite(p) => sqlx::query(TAKE)
                .bind(message as i64)
                .bind(id)
                .bind(worker)
                .execute(p)
                .await?
                .rows_affected(),
            super::Pool::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(message as i64)
                    .execute(&mut *tx)
                    .await?;
                let n = sqlx::query(TAKE)
                    .bind(message as i64)
                    .bind(id)
                    .bind(worker)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                n
            }
        };
        Ok(n == 1)
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
        let _turn = self.write_turn().await;
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
        let _turn = self.write_turn().await;
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

/// One of the claims: jobs whose lease ran out (`expired`, taken over) or pending jobs that
/// are due, leased to `$2` until `$1` if due by `$3`. The limit is written into the text, not
/// bound: a prepared statement's generic plan then knows it claims a few rows (with a bound
/// limit PostgreSQL guesses a tenth of the table and may pick a scan of all of it).
fn claim_sql(expired: bool, limit: i64, lock: &str) -> String {
    let limit = limit.max(0);
    let (set_state, pick) = if expired {
        (
            "",
            "state = 'running' AND lease_until <= $3 ORDER BY lease_until",
        )
    } else {
        (
            "state = 'running', ",
            "state = 'pending' AND due_at <= $3 ORDER BY due_at",
        )
    };
    format!(
        "UPDATE jobs SET {set_state}lease_until = $1, leased_by = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM jobs WHERE {pick} LIMIT {limit} {lock})
         {RETURNING}"
    )
}

/// The claim as one statement (PostgreSQL): up to `limit` jobs whose lease ran out and up to
/// `limit` due ones (taking over from a dead process is rare; a limit left after it would have
/// to be computed in the statement, and a computed limit makes the planner guess a tenth of
/// the table), one round trip instead of five (begin, two claims, the commit setting,
/// commit). `FOR UPDATE SKIP LOCKED` lets several processes claim at once without taking the
/// same job. A claim is only a lease (lost in a crash, the job is only pending again and is
/// claimed again; the outcome is committed durably), so its commit does not wait for the disk
/// flush (`synchronous_commit` off for this transaction only). Public for the scale benchmark,
/// which prints its plan.
#[doc(hidden)]
pub fn claim_due_sql(backend: Backend, limit: i64) -> String {
    match backend {
        Backend::Postgres => {
            let limit = limit.max(0);
            let cols = "id, kind, key, due_at, payload, attempts, failures, attempt_floor, \
                        attempt_digest";
            format!(
                "WITH relax AS (SELECT set_config('synchronous_commit', 'off', true) AS s),
                 expired AS (
                     UPDATE jobs SET lease_until = $1, leased_by = $2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM jobs WHERE state = 'running' AND lease_until <= $3
                                  ORDER BY lease_until LIMIT {limit} FOR UPDATE SKIP LOCKED)
                     RETURNING {cols}),
                 fresh AS (
                     UPDATE jobs SET state = 'running', lease_until = $1, leased_by = $2,
                                     attempts = attempts + 1
                     WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= $3
                                  ORDER BY due_at LIMIT {limit} FOR UPDATE SKIP LOCKED)
                     RETURNING {cols})
                 SELECT {cols}, TRUE AS reclaimed FROM expired, relax WHERE relax.s IS NOT NULL
                 UNION ALL
                 SELECT {cols}, FALSE AS reclaimed FROM fresh, relax WHERE relax.s IS NOT NULL"
            )
        }
        Backend::Sqlite => claim_sql(false, limit, ""),
    }
}

#[derive(sqlx::FromRow)]
struct ClaimRow {
    #[sqlx(flatten)]
    job: JobRow,
    reclaimed: bool,
}

/// A send's attempt waiting to be recorded with others (see [`Store::begin_attempt`]).
pub(crate) struct QueuedAttempt {
    id: i64,
    worker: String,
    floor: u64,
    digest: String,
    answer: tokio::sync::oneshot::Sender<std::result::Result<bool, String>>,
}

/// The attempts queued for the next write, and the turn to write them.
#[derive(Default)]
pub(crate) struct AttemptBatch {
    queue: std::sync::Mutex<Vec<QueuedAttempt>>,
    turn: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for AttemptBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptBatch")
    }
}

fn lock_queue(
    q: &std::sync::Mutex<Vec<QueuedAttempt>>,
) -> std::sync::MutexGuard<'_, Vec<QueuedAttempt>> {
    // Only pushed to and taken whole: never left half-updated.
    q.lock().unwrap_or_else(|p| p.into_inner())
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
