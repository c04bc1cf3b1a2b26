//! Whistleblowing cases, handlers, messages and the handler audit log.
//!
//! Nothing here identifies a reporter: reporter-side dates are days, content is ciphertext made
//! by the service, the case key is stored only sealed to handler public keys.

use chrono::NaiveDate;

use super::{begin_write, conflict_on_unique, on_pool, Result, Store, StoreError};
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
}

const META: &str = "id, code, status, outcome, received_on, acknowledged_on, feedback_on, \
                    closed_on, failed_attempts";

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

    /// Stores a new case with its sealed keys. A taken code is [`StoreError::Conflict`].
    pub async fn wb_create_case(&self, c: &NewCase) -> Result<i64> {
        let received = fmt_day(c.received_on);
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO wb_cases (code, status, received_on, receipt_phc, content,
                                       reporter_private, reporter_sealed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&c.code)
            .bind(CaseStatus::Received.as_str())
            .bind(&received)
            .bind(&c.receipt_phc)
            .bind(&c.content)
            .bind(&c.reporter_private)
            .bind(&c.reporter_sealed)
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

    /// Counts a wrong secret against a case (durable: a lock survives restarts).
    pub async fn wb_record_failure(&self, case_id: i64) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET failed_attempts = failed_attempts + 1 WHERE id = $1"
        )
        .bind(case_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Resets the failure counter after a right secret (only below the lock threshold).
    pub async fn wb_reset_failures(&self, case_id: i64) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET failed_attempts = 0 WHERE id = $1"
        )
        .bind(case_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Appends a message; `seal` gets the message's sequence number (part of its AAD).
    pub async fn wb_add_message(
        &self,
        case_id: i64,
        sent_on: NaiveDate,
        seal: impl FnOnce(u32) -> Vec<u8>,
    ) -> Result<u32> {
        let sent = fmt_day(sent_on);
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            let (seq,): (i32,) = sqlx::query_as(
                "UPDATE wb_cases SET next_seq = next_seq + 1 WHERE id = $1 RETURNING next_seq - 1",
            )
            .bind(case_id)
            .fetch_one(&mut *tx)
            .await?;
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
            Ok(seq)
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

    /// Removes a handler's key from a case. Returns whether there was one.
    pub async fn wb_remove_key(&self, case_id: i64, handler: u64) -> Result<bool> {
        let n = on_pool!(self, |p| sqlx::query(
            "DELETE FROM wb_case_keys WHERE case_id = $1 AND handler_id = $2"
        )
        .bind(case_id)
        .bind(handler as i64)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
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

    /// Writes status, outcome and dates.
    pub async fn wb_update_case(
        &self,
        case_id: i64,
        status: CaseStatus,
        outcome: Option<Outcome>,
        dates: &CaseDates,
    ) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE wb_cases SET status = $1, outcome = $2, acknowledged_on = $3,
                                 feedback_on = $4, closed_on = $5
             WHERE id = $6"
        )
        .bind(status.as_str())
        .bind(outcome.map(Outcome::as_str))
        .bind(dates.acknowledged.map(fmt_day))
        .bind(dates.feedback_given.map(fmt_day))
        .bind(dates.closed.map(fmt_day))
        .bind(case_id)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
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

    /// Deletes a case and everything of it (keys, messages, audit).
    pub async fn wb_purge(&self, case_id: i64) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            for sql in [
                "DELETE FROM wb_audit WHERE case_id = $1",
                "DELETE FROM wb_messages WHERE case_id = $1",
                "DELETE FROM wb_case_keys WHERE case_id = $1",
                "DELETE FROM wb_cases WHERE id = $1",
            ] {
                sqlx::query(sql).bind(case_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
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
            "wb_cases" | "wb_case_keys" | "wb_messages" | "wb_handlers" | "wb_audit" | "jobs" => {
                table
            }
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
