//! Live documents: the coalesced refresh job of a document, and the mirror of the messages
//! that show it (see `crate::live` and `scheduler::live`).

use chrono::{DateTime, Utc};

use super::{on_conn, on_pool, to_millis, Conn, Result, Store, Tx};
use crate::domain::ids::ChannelId;

/// The job kind that refreshes live documents (declared in `scheduler::kinds::Live`).
pub const LIVE_KIND: &str = "live";

/// The refresh job's key for a document.
pub fn live_job_key(doc: &str) -> String {
    format!("live:{doc}")
}

/// The key of the job that starts the thread for `what` (`meeting:12`).
pub fn thread_job_key(what: &str) -> String {
    format!("thread:{what}")
}

/// One message of a document, as mirrored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePart {
    pub part: i64,
    pub channel: ChannelId,
    /// `None` while its post is being attempted.
    pub message: Option<u64>,
    pub floor: Option<u64>,
    pub content_digest: String,
    pub shown_digest: String,
}

#[derive(sqlx::FromRow)]
struct PartRow {
    part: i64,
    channel_id: i64,
    message_id: Option<i64>,
    floor: Option<i64>,
    content_digest: String,
    shown_digest: String,
}

impl Conn<'_> {
    /// Asks for a refresh of each of `docs` (in one statement), coalesced: a pending refresh
    /// stays as it is (it will show the latest state); a running one runs again when it
    /// finishes; otherwise one is due `gap` from now, and no sooner than `gap` after the last
    /// one finished.
    async fn live_changed(
        &mut self,
        docs: &[&str],
        now: DateTime<Utc>,
        gap: chrono::Duration,
    ) -> Result<()> {
        let keyed = live_rows(docs);
        if keyed.is_empty() {
            return Ok(());
        }
        let rows = (0..keyed.len())
            .map(|i| format!("($1, ${}, $2, ${}, $3)", 5 + 2 * i, 6 + 2 * i))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO jobs (kind, key, due_at, payload, created_at) VALUES {rows}
             {LIVE_CONFLICT}"
        );
        on_conn!(self, |c| {
            let mut q = sqlx::query(&sql)
                .bind(LIVE_KIND)
                .bind(to_millis(now + gap))
                .bind(to_millis(now))
                .bind(gap.num_milliseconds());
            for (key, payload) in &keyed {
                q = q.bind(key).bind(payload);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

/// How a refresh asked for meets the document's existing job (see [`Conn::live_changed`]);
/// `$4` is the gap in milliseconds.
pub(super) const LIVE_CONFLICT: &str = "ON CONFLICT (key) DO UPDATE SET
                 due_at = CASE
                     WHEN jobs.state IN ('pending', 'running') THEN jobs.due_at
                     WHEN jobs.finished_at IS NOT NULL AND jobs.finished_at + $4 > excluded.due_at
                         THEN jobs.finished_at + $4
                     ELSE excluded.due_at END,
                 rearm_at = CASE WHEN jobs.state = 'running'
                     THEN COALESCE(jobs.rearm_at, excluded.due_at) ELSE jobs.rearm_at END,
                 failures = CASE WHEN jobs.state IN ('pending', 'running')
                     THEN jobs.failures ELSE 0 END,
                 state = CASE WHEN jobs.state = 'running' THEN 'running' ELSE 'pending' END";

/// The refresh jobs' (key, payload) for `docs`, each document once (one statement may not
/// touch a row twice), in a fixed order.
pub(super) fn live_rows(docs: &[&str]) -> Vec<(String, String)> {
    let mut docs = docs.to_vec();
    docs.sort_unstable();
    docs.dedup();
    docs.iter()
        .map(|doc| {
            (
                live_job_key(doc),
                serde_json::json!({ "doc": doc }).to_string(),
            )
        })
        .collect()
}

impl Store {
    /// Asks for a refresh of a live document (see [`Tx::live_changed`]).
    pub async fn live_changed(&self, doc: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn()
            .live_changed(&[doc], now, crate::live::MIN_GAP)
            .await
    }

    /// The messages that show `doc`, in order.
    pub async fn live_parts(&self, doc: &str) -> Result<Vec<LivePart>> {
        let rows: Vec<PartRow> = on_pool!(self, |p| sqlx::query_as(
            "SELECT part, channel_id, message_id, floor, content_digest, shown_digest
             FROM live_messages WHERE doc = $1 ORDER BY part"
        )
        .bind(doc)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| LivePart {
                part: r.part,
                channel: ChannelId::from_db(r.channel_id),
                message: r.message_id.map(|m| m as u64),
                floor: r.floor.map(|f| f as u64),
                content_digest: r.content_digest,
                shown_digest: r.shown_digest,
            })
            .collect())
    }

    /// Records, before posting part `part` of `doc`, where its message would be found: fenced
    /// by the refresh job's lease (false: the job is no longer ours, do not post).
    #[allow(clippy::too_many_arguments)]
    pub async fn live_begin_post(
        &self,
        doc: &str,
        part: i64,
        channel: ChannelId,
        floor: u64,
        content_digest: &str,
        job: i64,
        worker: &str,
    ) -> Result<bool> {
        let r = on_pool!(self, |p| sqlx::query(
            "INSERT INTO live_messages
                 (doc, part, channel_id, message_id, floor, content_digest, shown_digest)
             SELECT $1, $2, $3, NULL, $4, $5, ''
             WHERE EXISTS (SELECT 1 FROM jobs WHERE id = $6 AND leased_by = $7
                           AND state = 'running')
             ON CONFLICT (doc, part) DO UPDATE SET channel_id = excluded.channel_id,
                 message_id = NULL, floor = excluded.floor,
                 content_digest = excluded.content_digest, shown_digest = ''"
        )
        .bind(doc)
        .bind(part)
        .bind(channel.to_db())
        .bind(floor as i64)
        .bind(content_digest)
        .bind(job)
        .bind(worker)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    /// Records the message that shows part `part` of `doc`, and what it shows.
    pub async fn live_set_message(
        &self,
        doc: &str,
        part: i64,
        message: u64,
        content_digest: &str,
        shown_digest: &str,
    ) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE live_messages SET message_id = $1, floor = NULL, content_digest = $2,
                 shown_digest = $3
             WHERE doc = $4 AND part = $5"
        )
        .bind(message as i64)
        .bind(content_digest)
        .bind(shown_digest)
        .bind(doc)
        .bind(part)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets part `part` of `doc` (its message was deleted, or never posted).
    pub async fn live_forget(&self, doc: &str, part: i64) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM live_messages WHERE doc = $1 AND part = $2"
        )
        .bind(doc)
        .bind(part)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Which of these messages already show a live document.
    pub async fn live_known_messages(&self, ids: &[u64]) -> Result<std::collections::HashSet<u64>> {
        let mut out = std::collections::HashSet::new();
        for chunk in ids.chunks(500) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT message_id FROM live_messages WHERE message_id IN ({list})");
            let rows: Vec<(Option<i64>,)> = on_pool!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id as i64);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows.into_iter().filter_map(|r| r.0.map(|m| m as u64)));
        }
        Ok(out)
    }

    /// The messages that show `doc` now (for linking to it), in order.
    pub async fn live_message_ids(&self, doc: &str) -> Result<Vec<(ChannelId, u64)>> {
        Ok(self
            .live_parts(doc)
            .await?
            .into_iter()
            .filter_map(|p| p.message.map(|m| (p.channel, m)))
            .collect())
    }
}

impl Store {
    /// The thread started for `what` (see `kinds::Thread`), once it exists.
    pub async fn thread_for(&self, what: &str) -> Result<Option<ChannelId>> {
        let row: Option<(Option<i64>,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT message_id FROM jobs WHERE key = $1 AND state = 'done'"
        )
        .bind(thread_job_key(what))
        .fetch_optional(p)
        .await)?;
        Ok(row.and_then(|r| r.0).map(ChannelId::from_db))
    }
}

impl Tx {
    /// Asks for a refresh of a live document inside the use case's transaction, so the
    /// refresh commits with the change that needs it. Coalesced (see `crate::live`).
    pub async fn live_changed(&mut self, doc: &str, now: DateTime<Utc>) -> Result<()> {
        self.live_changed_all(&[doc], now).await
    }

    /// [`Tx::live_changed`] for several documents, in one statement.
    pub async fn live_changed_all(&mut self, docs: &[&str], now: DateTime<Utc>) -> Result<()> {
        self.write()?
            .live_changed(docs, now, crate::live::MIN_GAP)
            .await
    }
}
