//! Whistleblowing cases, handlers, messages and the handler audit log.
//!
//! Nothing here identifies a reporter: reporter-side dates are days, content is ciphertext made
//! by the service, the case key is stored only sealed to handler public keys.

use chrono::NaiveDate;

use chrono::{DateTime, Utc};

use super::{
    begin_write, conflict_on_unique, on_pool, to_millis, NewJob, Result, Store, StoreError,
};
use crate::domain::whistleblowing::{CaseDates, CaseStatus, Outcome};

/// A handler's key material as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerRecord {
    pub user_id: u64,
    /// Hex X25519 public key.
    pub public_key: String,
    /// `EncryptedPrivateKey` string form.
    pub encrypted_private: String,
}

/// A new case: everything already encrypted or hashed.
pub struct NewCase {
    pub code: String,
    pub received_on: NaiveDate,
    pub receipt_phc: String,
    pub content: Vec<u8>,
    /// The reporter's private key, encrypted under the receipt secret.
    pub reporter_private: String,
    /// The case key sealed to the reporter's public key.
    pub reporter_sealed: Vec<u8>,
    /// (handler user id, sealed case key).
    pub keys: Vec<(u64, Vec<u8>)>,
    /// The case key sealed to the operator's recovery key, if one is configured.
    pub recovery_sealed: Option<Vec<u8>>,
    /// Handlers the reporter asked to exclude at intake (remembered as exclusions).
    pub excluded: Vec<u64>,
    /// Received over the hourly limit: kept, and flagged for the handlers.
    pub flagged: bool,
    /// The content-free notices to the handlers, enqueued in the case's own transaction, so a
    /// receipt is never shown for a case whose notice was lost (nor a notice for a lost case).
    pub notices: Vec<NewJob>,
    /// The notices' creation time (a reporter action: the service passes a day's start).
    pub notices_created: DateTime<Utc>,
}

/// Where a request to exclude a handler from a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExclusionStep {
    /// Recorded; it waits for a second handler's approval.
    Requested,
    /// The same handler asked again; still waiting for someone else.
    AlreadyRequested,
    /// Approved (or a handler's own recusal): the key is gone.
    Excluded,
    /// The handler was already excluded.
    AlreadyExcluded,
    /// Refused: no other allowed handler would be left on the case.
    LastHandler,
    /// The handler holds no key to the case and is not excluded.
    NotOnCase,
}

/// A case without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMeta {
    pub id: i64,
    pub code: String,
    pub status: CaseStatus,
    pub outcome: Option<Outcome>,
    pub dates: CaseDates,
    pub failed_attempts: u32,
    /// Locked against reporter access until (excluding) this day.
    pub locked_until: Option<NaiveDate>,
    pub lockouts: u32,
    pub flagged: bool,
    pub has_recovery: bool,
}

/// A stored message of the conversation (ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub seq: u32,
    pub body: Vec<u8>,
    pub sent_on: NaiveDate,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub handler_id: u64,
    pub action: String,
    pub at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct MetaRow {
    id: i64,
    code: String,
    status: String,
    outcome: Option<String>,
    received_on: String,
    acknowledged_on: Option<String>,
    feedback_on: Option<String>,
    closed_on: Option<String>,
    failed_attempts: i32,
    locked_until: Option<String>,
    lockouts: i32,
    flagged: i32,
    has_recovery: i32,
}

const META: &str = "id, code, status, outcome, received_on, acknowledged_on, feedback_on, \
                    closed_on, failed_attempts, locked_until, lockouts, flagged, \
                    CASE WHEN recovery_sealed IS NULL THEN 0 ELSE 1 END AS has_recovery";

fn day(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt("whistleblowing date".to_string()))
}

fn day_opt(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(day).transpose()
}

fn fmt_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl TryFrom<MetaRow> for CaseMeta {
    type Error = StoreError;
    fn try_from(r: MetaRow) -> Result<Self> {
        Ok(CaseMeta {
            id: r.id,
            status: CaseStatus::parse(&r.status)
                .map_err(|_| StoreError::Corrupt("case status".to_string()))?,
            outcome: r
                .outcome
                .as_deref()
                .map(Outcome::parse)
                .transpose()
                .map_err(|_| StoreError::Corrupt("case outcome".to_string()))?,
            dates: CaseDates {
                received: day(&r.received_on)?,
                acknowledged: day_opt(r.acknowledged_on)?,
                feedback_given: day_opt(r.feedback_on)?,
                closed: day_opt(r.closed_on)?,
            },
            failed_attempts: u32::try_from(r.failed_attempts).unwrap_or(0),
            locked_until: day_opt(r.locked_until)?,
            lockouts: u32::try_from(r.lockouts).unwrap_or(0),
            flagged: r.flagged != 0,
            has_recovery: r.has_recovery != 0,
            code: r.code,
        })
    }
}

fn metas(rows: Vec<MetaRow>) -> Result<Vec<CaseMeta>> {
    rows.into_iter().map(CaseMeta::try_from).collect()
}

impl Store {
    /// Registers a handler's key pair. An existing handler is [`StoreError::Conflict`]: a new
    /// key would orphan every case sealed to the old one.
    pub async fn wb_add_handler(&self, h: &HandlerRecord, now_ms: i64) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO wb_handlers (user_id, public_key, encrypted_private, added_at)
             VALUES ($1, $2, $3, $4)"
        )
        .bind(h.user_id as i64)
        .bind(&h.public_key)
        .bind(&h.encrypted_private)
        .bind(now_ms)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(|e| conflict_on_unique(e, "handler already registered"))
    }

    /// Every registered handler.
    pub async fn wb_handlers(&self) -> Result<Vec<HandlerRecord>> {
        let rows: Vec<(i64, String, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT user_id, public_key, encrypted_private FROM wb_handlers ORDER BY user_id"
        )
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(u, public_key, encrypted_private)| HandlerRecord {
                user_id: u as u64,
                public_key,
                encrypted_private,
            })
            .collect())
    }

    /// One handler.
    pub async fn wb_handler(&self, user_id: u64) -> Result<Option<HandlerRecord>> {
        Ok(self
            .wb_handlers()
            .await?
            .into_iter()
            .find(|h| h.user_id == user_id))
    }

    /// Stores a new case with its sealed keys, the reporter's exclusions and its notice, in one
    /// transaction. A taken code is [`StoreError::Conflict`].
    pub async fn wb_create_case(&self, c: &NewCase) -> Result<i64> {
        let received = fmt_day(c.received_on);
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO wb_cases (code, status, received_on, receipt_phc, content,
                                       reporter_private, reporter_sealed, recovery_sealed, flagged)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&c.code)
            .bind(CaseStatus::Received.as_str())
            .bind(&received)
            .bind(&c.receipt_phc)
            .bind(&c.content)
            .bind(&c.reporter_private)
            .bind(&c.reporter_sealed)
            .bind(c.recovery_sealed.as_deref())
            .bind(i32::from(c.flagged))
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, "case code taken"))?;
            for (handler, sealed) in &c.keys {
                sqlx::query(
                    "INSERT INTO wb_case_keys (case_id, handler_id, sealed) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(*handler as i64)
                .bind(sealed)
                .execute(&mut *tx)
                .await?;
            }
            for handler in &c.excluded {
                sqlx::query(
                    "INSERT INTO wb_exclusions (case_id, handler_id) VALUES ($1, $2)
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(*handler as i64)
                .execute(&mut *tx)
                .await?;
            }
            for job in &c.notices {
                sqlx::query(
                    "INSERT INTO jobs (kind, key, due_at, payload, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
                )
                .bind(&job.kind)
                .bind(&job.key)
                .bind(to_millis(job.due_at))
                .bind(job.payload.to_string())
                .bind(to_millis(c.notices_created))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(id)
        })
    }

    /// A case's metadata by code.
    pub async fn wb_case(&self, code: &str) -> Result<Option<CaseMeta>> {
        let sql = format!("SELECT {META} FROM wb_cases WHERE code = $1");
        let row: Option<MetaRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(code)
            .fetch_optional(p)
            .await)?;
        row.map(CaseMeta::try_from).transpose()
    }

    /// The receipt hash of a case (for the access check).
    pub async fn wb_receipt(&self, case_id: i64) -> Result<String> {
        let (phc,): (String,) = on_pool!(self, |p| sqlx::query_as(
            "SELECT receipt_phc FROM wb_cases WHERE id = $1"
        )
        .bind(case_id)
        .fetch_one(p)
        .await)?;
        Ok(phc)
    }

    /// The reporter's encrypted private key and sealed case key.
    pub async fn wb_reporter_key(&self, case_id: i64) -> Result<(String, Vec<u8>)> {
        let row: (String, Vec<u8>) = on_pool!(self, |p| sqlx::query_as(
            "SELECT reporter_private, reporter_sealed FROM wb_cases WHERE id = $1"
        )
        .bind(case_id)
        .fetch_one(p)
        .await)?;
        Ok(row)
    }

    /// The encrypted content of a case.
    pub async fn wb_content(&self, case_id: i64) -> Result<Vec<u8>> {
        let (c,): (Vec<u8>,) = on_pool!(self, |p| sqlx::query_as(
            "SELECT content FROM wb_cases WHERE id = $1"
        )
        .bind(case_id)
        .fetch_one(p)
        .await)?;
        Ok(c)
    }

    /// Counts an access attempt *before* the secret is checked, in one statement, and returns
    /// the count reached (this attempt included) and whether the case is locked. A lock whose
    /// day has come is lifted by the same statement, which leaves the count at `max`: one more
    /// wrong secret locks again, for longer.
    pub async fn wb_take_attempt(
        &self,
        case_id: i64,
        today: NaiveDate,
        max: u32,
    ) -> Result<(u32, bool)> {
        let today = fmt_day(today);
        let row: (i32, Option<String>) = on_pool!(self, |p| sqlx::query_as(
            "UPDATE wb_cases SET
               failed_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2
                                      THEN $3 ELSE failed_attempts + 1 END,
               locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2
                                   THEN NULL ELSE locked_until END
             WHERE id = $1 RETURNING failed_attempts, locked_until"
        )
        .bind(case_id)
        .bind(&today)
        .bind(max as i32)
        .fetch_one(p)
        .await)?;
        Ok((u32::try_from(row.0).unwrap_or(0), row.1.is_some()))
    }

    /// Locks reporter access until `until` (unless a lock is already set), one more lockout.
    pub async fn wb_lock(&self, case_id: i64, until: NaiveDate) -> Result<bool> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET locked_until = $2, lockouts = lockouts + 1
             WHERE id = $1 AND locked_until IS NULL"
        )
        .bind(case_id)
        .bind(fmt_day(until))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A right secret: forgives the attempts counted up to and including it (`taken`), not those
    /// that came in since (a parallel guesser's).
    pub async fn wb_attempt_succeeded(&self, case_id: i64, taken: u32) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET failed_attempts = CASE WHEN failed_attempts > $2
                                                        THEN failed_attempts - $2 ELSE 0 END
             WHERE id = $1"
        )
        .bind(case_id)
        .bind(taken as i32)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A handler lifts a lock: the count and the backoff start over.
    pub async fn wb_lift_lock(&self, case_id: i64) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET failed_attempts = 0, locked_until = NULL, lockouts = 0
             WHERE id = $1"
        )
        .bind(case_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Appends a message to a case that is not closed; `seal` gets the message's sequence
    /// number (part of its AAD). `None`: the case is closed (checked in the same statement that
    /// takes the number, so a message racing a close is refused, not added to a closed case).
    pub async fn wb_add_message(
        &self,
        case_id: i64,
        sent_on: NaiveDate,
        seal: impl FnOnce(u32) -> Vec<u8>,
    ) -> Result<Option<u32>> {
        let sent = fmt_day(sent_on);
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            let row: Option<(i32,)> = sqlx::query_as(
                "UPDATE wb_cases SET next_seq = next_seq + 1 WHERE id = $1 AND status <> $2
                 RETURNING next_seq - 1",
            )
            .bind(case_id)
            .bind(CaseStatus::Closed.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some((seq,)) = row else {
                return Ok(None);
            };
            let seq = u32::try_from(seq).map_err(|_| StoreError::Corrupt("seq".into()))?;
            let body = seal(seq);
            sqlx::query(
                "INSERT INTO wb_messages (case_id, seq, body, sent_on) VALUES ($1, $2, $3, $4)",
            )
            .bind(case_id)
            .bind(seq as i32)
            .bind(&body)
            .bind(&sent)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(seq))
        })
    }

    /// The conversation of a case, oldest first.
    pub async fn wb_messages(&self, case_id: i64) -> Result<Vec<StoredMessage>> {
        let rows: Vec<(i32, Vec<u8>, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT seq, body, sent_on FROM wb_messages WHERE case_id = $1 ORDER BY seq"
        )
        .bind(case_id)
        .fetch_all(p)
        .await)?;
        rows.into_iter()
            .map(|(seq, body, sent)| {
                Ok(StoredMessage {
                    seq: u32::try_from(seq).map_err(|_| StoreError::Corrupt("seq".into()))?,
                    body,
                    sent_on: day(&sent)?,
                })
            })
            .collect()
    }

    /// The case key sealed to `handler`, if the handler is on the case.
    pub async fn wb_sealed_key(&self, case_id: i64, handler: u64) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT sealed FROM wb_case_keys WHERE case_id = $1 AND handler_id = $2"
        )
        .bind(case_id)
        .bind(handler as i64)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| r.0))
    }

    /// Handlers who hold a key to the case.
    pub async fn wb_case_handlers(&self, case_id: i64) -> Result<Vec<u64>> {
        let rows: Vec<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT handler_id FROM wb_case_keys WHERE case_id = $1 ORDER BY handler_id"
        )
        .bind(case_id)
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(|r| r.0 as u64).collect())
    }

    /// Seals the case key to handlers who lack it (re-sealing on unlock), except those excluded
    /// from the case: an exclusion is never undone by re-sealing. Returns how many were added.
    pub async fn wb_add_keys(&self, case_id: i64, keys: &[(u64, Vec<u8>)]) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            let mut n = 0;
            for (handler, sealed) in keys {
                n += sqlx::query(
                    "INSERT INTO wb_case_keys (case_id, handler_id, sealed)
                     SELECT $1, $2, $3 WHERE NOT EXISTS
                       (SELECT 1 FROM wb_exclusions WHERE case_id = $1 AND handler_id = $2
                          AND (requested_by IS NULL OR approved_by IS NOT NULL))
                     ON CONFLICT DO NOTHING",
                )
                .bind(case_id)
                .bind(*handler as i64)
                .bind(sealed)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok::<u64, StoreError>(n)
        })
    }

    /// Handlers excluded from the case (approved, or asked by the reporter).
    pub async fn wb_excluded(&self, case_id: i64) -> Result<Vec<u64>> {
        let rows: Vec<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT handler_id FROM wb_exclusions WHERE case_id = $1
               AND (requested_by IS NULL OR approved_by IS NOT NULL) ORDER BY handler_id"
        )
        .bind(case_id)
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(|r| r.0 as u64).collect())
    }

    /// Sets the recovery copy of the case key if the case has none.
    pub async fn wb_set_recovery(&self, case_id: i64, sealed: &[u8]) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET recovery_sealed = $2 WHERE id = $1 AND recovery_sealed IS NULL"
        )
        .bind(case_id)
        .bind(sealed)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The case key sealed to the operator's recovery key.
    pub async fn wb_recovery_sealed(&self, case_id: i64) -> Result<Option<Vec<u8>>> {
        let row: Option<(Option<Vec<u8>>,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT recovery_sealed FROM wb_cases WHERE id = $1"
        )
        .bind(case_id)
        .fetch_optional(p)
        .await)?;
        Ok(row.and_then(|r| r.0))
    }

    /// `by` asks that `target` be excluded from a case. One transaction, with the case row
    /// locked, so two exclusions racing cannot together leave no handler:
    /// - a handler excluding themselves (recusal) takes effect at once;
    /// - otherwise the first request is recorded, and a second handler's (anyone but the
    ///   requester, the target included) approves it.
    ///
    /// `allowed` is the allow-list: only handlers on it count as "another handler left".
    pub async fn wb_exclude(
        &self,
        case_id: i64,
        target: u64,
        by: u64,
        allowed: &[u64],
    ) -> Result<ExclusionStep> {
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            // Takes the row lock on PostgreSQL (SQLite's IMMEDIATE transaction already holds
            // the database's write lock).
            sqlx::query("UPDATE wb_cases SET next_seq = next_seq WHERE id = $1")
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            let existing: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                "SELECT requested_by, approved_by FROM wb_exclusions
                 WHERE case_id = $1 AND handler_id = $2",
            )
            .bind(case_id)
            .bind(target as i64)
            .fetch_optional(&mut *tx)
            .await?;
            let holders: Vec<(i64,)> =
                sqlx::query_as("SELECT handler_id FROM wb_case_keys WHERE case_id = $1")
                    .bind(case_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let holders: Vec<u64> = holders.into_iter().map(|r| r.0 as u64).collect();
            let step = match existing {
                Some((None, _)) | Some((Some(_), Some(_))) => ExclusionStep::AlreadyExcluded,
                _ if !holders.contains(&target) => ExclusionStep::NotOnCase,
                Some((Some(req), None)) if req as u64 == by => ExclusionStep::AlreadyRequested,
                None if by != target => ExclusionStep::Requested,
                _ => {
                    let others = holders
                        .iter()
                        .filter(|h| **h != target && allowed.contains(h))
                        .count();
                    if others == 0 {
                        ExclusionStep::LastHandler
                    } else {
                        ExclusionStep::Excluded
                    }
                }
            };
            match step {
                ExclusionStep::Requested => {
                    sqlx::query(
                        "INSERT INTO wb_exclusions (case_id, handler_id, requested_by)
                         VALUES ($1, $2, $3)",
                    )
                    .bind(case_id)
                    .bind(target as i64)
                    .bind(by as i64)
                    .execute(&mut *tx)
                    .await?;
                }
                ExclusionStep::Excluded => {
                    sqlx::query(
                        "INSERT INTO wb_exclusions (case_id, handler_id, requested_by, approved_by)
                         VALUES ($1, $2, $3, $3)
                         ON CONFLICT (case_id, handler_id) DO UPDATE SET approved_by = $3",
                    )
                    .bind(case_id)
                    .bind(target as i64)
                    .bind(by as i64)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM wb_case_keys WHERE case_id = $1 AND handler_id = $2")
                        .bind(case_id)
                        .bind(target as i64)
                        .execute(&mut *tx)
                        .await?;
                }
                _ => {}
            }
            tx.commit().await?;
            Ok::<ExclusionStep, StoreError>(step)
        })
    }

    /// Every (case, handler) key pair: which handlers can open which case.
    pub async fn wb_key_holders(&self) -> Result<Vec<(i64, u64)>> {
        let rows: Vec<(i64, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT case_id, handler_id FROM wb_case_keys ORDER BY case_id, handler_id"
        )
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(|(c, h)| (c, h as u64)).collect())
    }

    /// Cases the handler holds a key to, oldest first.
    pub async fn wb_cases_for(&self, handler: u64) -> Result<Vec<CaseMeta>> {
        let sql = format!(
            "SELECT {META} FROM wb_cases WHERE id IN
               (SELECT case_id FROM wb_case_keys WHERE handler_id = $1)
             ORDER BY received_on, id"
        );
        let rows: Vec<MetaRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(handler as i64)
            .fetch_all(p)
            .await)?;
        metas(rows)
    }

    /// Every case (for reminders and purging).
    pub async fn wb_all_cases(&self) -> Result<Vec<CaseMeta>> {
        let sql = format!("SELECT {META} FROM wb_cases ORDER BY id");
        let rows: Vec<MetaRow> = on_pool!(self, |p| sqlx::query_as(&sql).fetch_all(p).await)?;
        metas(rows)
    }

    /// Writes status, outcome and dates if the status is still `expected`. Returns false if
    /// another action changed it first (a reply racing a close cannot reopen the case).
    pub async fn wb_update_case(
        &self,
        case_id: i64,
        expected: CaseStatus,
        status: CaseStatus,
        outcome: Option<Outcome>,
        dates: &CaseDates,
    ) -> Result<bool> {
        let n = on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET status = $1, outcome = $2, acknowledged_on = $3,
                                 feedback_on = $4, closed_on = $5
             WHERE id = $6 AND status = $7"
        )
        .bind(status.as_str())
        .bind(outcome.map(Outcome::as_str))
        .bind(dates.acknowledged.map(fmt_day))
        .bind(dates.feedback_given.map(fmt_day))
        .bind(dates.closed.map(fmt_day))
        .bind(case_id)
        .bind(expected.as_str())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Records what a handler did to a case.
    pub async fn wb_audit(
        &self,
        case_id: i64,
        handler: u64,
        action: &str,
        at_ms: i64,
    ) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO wb_audit (case_id, handler_id, action, at) VALUES ($1, $2, $3, $4)"
        )
        .bind(case_id)
        .bind(handler as i64)
        .bind(action)
        .bind(at_ms)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// A case's audit log, oldest first.
    pub async fn wb_audit_log(&self, case_id: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<(i64, String, i64)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT handler_id, action, at FROM wb_audit WHERE case_id = $1 ORDER BY at, id"
        )
        .bind(case_id)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(h, action, at_ms)| AuditEntry {
                handler_id: h as u64,
                action,
                at_ms,
            })
            .collect())
    }

    /// Deletes a case and everything of it (keys, messages, audit, exclusions, and its
    /// reminder jobs, whose keys name the case). Call [`Store::wb_compact`] after a batch.
    pub async fn wb_purge(&self, case_id: i64) -> Result<()> {
        let reminders = format!("wb:reminder:{case_id}:%");
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            for sql in [
                "DELETE FROM wb_audit WHERE case_id = $1",
                "DELETE FROM wb_messages WHERE case_id = $1",
                "DELETE FROM wb_case_keys WHERE case_id = $1",
                "DELETE FROM wb_exclusions WHERE case_id = $1",
                "DELETE FROM wb_cases WHERE id = $1",
            ] {
                sqlx::query(sql).bind(case_id).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM jobs WHERE key LIKE $1")
                .bind(&reminders)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// After purging: SQLite copies the log into the (secure-deleted) file and truncates it, so
    /// no old page survives in a WAL frame; PostgreSQL vacuums the case tables, so dead tuples
    /// with purged ciphertext are reclaimed (free space is reused, not zeroed: see README).
    pub async fn wb_compact(&self) -> Result<()> {
        match &self.pool {
            super::Pool::Sqlite(p) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(p)
                    .await?;
            }
            super::Pool::Postgres(p) => {
                // VACUUM cannot run inside a transaction: each is its own statement.
                for table in [
                    "wb_cases",
                    "wb_case_keys",
                    "wb_messages",
                    "wb_audit",
                    "wb_exclusions",
                    "jobs",
                ] {
                    sqlx::query(&format!("VACUUM {table}")).execute(p).await?;
                }
            }
        }
        Ok(())
    }

    /// SQLite: whether `secure_delete` is on for a pooled connection (always true on
    /// PostgreSQL, where the question does not arise the same way).
    pub async fn secure_delete_enabled(&self) -> Result<bool> {
        match &self.pool {
            super::Pool::Sqlite(p) => {
                let (v,): (i64,) = sqlx::query_as("PRAGMA secure_delete").fetch_one(p).await?;
                Ok(v == 1)
            }
            super::Pool::Postgres(_) => Ok(true),
        }
    }

    /// Rows in one of the whistleblowing tables (for tests and operators).
    pub async fn count_rows(&self, table: &str) -> Result<i64> {
        let table = match table {
            "wb_cases" | "wb_case_keys" | "wb_messages" | "wb_handlers" | "wb_audit"
            | "wb_exclusions" | "jobs" | "decisions" | "decision_counters" | "actions"
            | "meeting_sessions" => table,
            _ => return Err(StoreError::NotFound),
        };
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = on_pool!(self, |p| sqlx::query_as(&sql).fetch_one(p).await)?;
        Ok(n)
    }

    /// SQLite: moves the WAL into the database file and truncates it.
    pub async fn checkpoint(&self) -> Result<()> {
        if let super::Pool::Sqlite(p) = &self.pool {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
        }
        Ok(())
    }
}
