//! Minutes and addenda of meetings, their versions and their review. A change is an UPDATE
//! conditional on the state (and, for text, the version) read, so of two people approving at
//! once exactly one changes the row; approved rows are also frozen by a trigger.

use chrono::{DateTime, Utc};

use super::meetings::{MeetingRow, COLUMNS as MEETING_COLUMNS};
use super::{
    conflict_on_unique, from_millis, on_conn, on_pool, to_millis, Backend, Conn, Result, Store,
    StoreError, Tx,
};
use crate::domain::ids::{ForumId, GuildId, UserId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingState};
use crate::domain::minutes::{Minutes, MinutesEvent, MinutesId, MinutesState};

#[derive(sqlx::FromRow)]
struct MinutesRow {
    id: i64,
    guild_id: i64,
    forum_id: i64,
    meeting_id: i64,
    seq: i64,
    state: String,
    body: String,
    version: i64,
    created_by: i64,
    created_at: i64,
    updated_by: i64,
    updated_at: i64,
    submitted_by: Option<i64>,
    submitted_at: Option<i64>,
    reviewed_by: Option<i64>,
    reviewed_at: Option<i64>,
    comment: Option<String>,
    sha256: Option<String>,
}

impl TryFrom<MinutesRow> for Minutes {
    type Error = StoreError;
    fn try_from(r: MinutesRow) -> Result<Self> {
        Ok(Minutes {
            id: MinutesId(r.id),
            guild: GuildId::from_db(r.guild_id),
            forum: ForumId(r.forum_id),
            meeting: MeetingId(r.meeting_id),
            seq: r.seq,
            state: MinutesState::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("minutes state {:?}", r.state)))?,
            body: r.body,
            version: r.version,
            created_by: UserId::from_db(r.created_by),
            created_at: from_millis(r.created_at)?,
            updated_by: UserId::from_db(r.updated_by),
            updated_at: from_millis(r.updated_at)?,
            submitted_by: r.submitted_by.map(UserId::from_db),
            submitted_at: r.submitted_at.map(from_millis).transpose()?,
            reviewed_by: r.reviewed_by.map(UserId::from_db),
            reviewed_at: r.reviewed_at.map(from_millis).transpose()?,
            comment: r.comment,
            sha256: r.sha256,
        })
    }
}

const COLUMNS: &str = "id, guild_id, forum_id, meeting_id, seq, state, body, version,
    created_by, created_at, updated_by, updated_at, submitted_by, submitted_at, reviewed_by,
    reviewed_at, comment, sha256";

fn all(rows: Vec<MinutesRow>) -> Result<Vec<Minutes>> {
    rows.into_iter().map(Minutes::try_from).collect()
}

/// New minutes (or an addendum) as a first draft.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMinutes {
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: MeetingId,
    pub seq: i64,
    pub body: String,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// One entry of a document's history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MinutesVersion {
    pub version: i64,
    pub event: String,
    pub state: String,
    pub body: String,
    pub comment: Option<String>,
    pub actor: i64,
    pub at: i64,
}

/// A review step: who, when, and what it sets.
#[derive(Debug, Clone, PartialEq)]
pub enum Review<'a> {
    Submit,
    Approve { sha256: &'a str },
    RequestChanges { comment: &'a str },
}

impl Review<'_> {
    fn starts_from(&self) -> &'static [&'static str] {
        match self {
            Review::Submit => &["draft", "changes_requested"],
            Review::Approve { .. } | Review::RequestChanges { .. } => &["submitted"],
        }
    }

    fn to(&self) -> MinutesState {
        match self {
            Review::Submit => MinutesState::Submitted,
            Review::Approve { .. } => MinutesState::Approved,
            Review::RequestChanges { .. } => MinutesState::ChangesRequested,
        }
    }

    fn event(&self) -> MinutesEvent {
        match self {
            Review::Submit => MinutesEvent::Submitted,
            Review::Approve { .. } => MinutesEvent::Approved,
            Review::RequestChanges { .. } => MinutesEvent::ChangesRequested,
        }
    }
}

impl Conn<'_> {
    async fn minutes(&mut self, meeting: MeetingId, seq: i64) -> Result<Option<Minutes>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql =
            format!("SELECT {COLUMNS} FROM minutes WHERE meeting_id = $1 AND seq = $2 {lock}");
        let row: Option<MinutesRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .bind(seq)
            .fetch_optional(c)
            .await)?;
        row.map(Minutes::try_from).transpose()
    }

    async fn minutes_of_meeting(&mut self, meeting: MeetingId) -> Result<Vec<Minutes>> {
        let sql = format!("SELECT {COLUMNS} FROM minutes WHERE meeting_id = $1 ORDER BY seq");
        let rows: Vec<MinutesRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_all(c)
            .await)?;
        all(rows)
    }

    async fn add_version(
        &mut self,
        m: &Minutes,
        event: MinutesEvent,
        comment: Option<&str>,
        actor: UserId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO minutes_versions (minutes_id, version, event, state, body, comment,
                                           actor, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(m.id.0)
        .bind(m.version)
        .bind(event.as_str())
        .bind(m.state.as_str())
        .bind(&m.body)
        .bind(comment)
        .bind(actor.to_db())
        .bind(to_millis(at))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn insert_minutes(&mut self, n: &NewMinutes) -> Result<Minutes> {
        let sql = format!(
            "INSERT INTO minutes (guild_id, forum_id, meeting_id, seq, state, body, version,
                                  created_by, created_at, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $7, $8) RETURNING {COLUMNS}"
        );
        let row: MinutesRow = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(n.guild.to_db())
            .bind(n.forum.0)
            .bind(n.meeting.0)
            .bind(n.seq)
            .bind(MinutesState::Draft.as_str())
            .bind(&n.body)
            .bind(n.by.to_db())
            .bind(to_millis(n.at))
            .fetch_one(c)
            .await)
        .map_err(|e| conflict_on_unique(e, "minutes"))?;
        row.try_into()
    }

    /// New text for editable minutes, if still at `version` and still editable.
    async fn set_minutes_body(
        &mut self,
        id: MinutesId,
        version: i64,
        body: &str,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        let sql = format!(
            "UPDATE minutes SET body = $1, version = version + 1, updated_by = $2,
                                updated_at = $3
             WHERE id = $4 AND version = $5 AND state IN ('draft', 'changes_requested')
             RETURNING {COLUMNS}"
        );
        let row: Option<MinutesRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(body)
            .bind(by.to_db())
            .bind(to_millis(at))
            .bind(id.0)
            .bind(version)
            .fetch_optional(c)
            .await)?;
        row.map(Minutes::try_from).transpose()
    }

    /// PostgreSQL: [`Conn::set_minutes_body`] and its version row ([`Conn::add_version`]) in
    /// one statement: one round trip, and the text sent once.
    async fn set_minutes_body_versioned_pg(
        &mut self,
        id: MinutesId,
        version: i64,
        body: &str,
        event: MinutesEvent,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        let sql = format!(
            "WITH upd AS (
                 UPDATE minutes SET body = $1, version = version + 1, updated_by = $2,
                                    updated_at = $3
                 WHERE id = $4 AND version = $5 AND state IN ('draft', 'changes_requested')
                 RETURNING {COLUMNS}),
             ver AS (
                 INSERT INTO minutes_versions (minutes_id, version, event, state, body, comment,
                                               actor, at)
                 SELECT id, version, $6, state, body, NULL, $2, $3 FROM upd)
             SELECT {COLUMNS} FROM upd"
        );
        let row: Option<MinutesRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(body)
            .bind(by.to_db())
            .bind(to_millis(at))
            .bind(id.0)
            .bind(version)
            .bind(event.as_str())
            .fetch_optional(c)
            .await)?;
        row.map(Minutes::try_from).transpose()
    }

    /// A review step, if the minutes are still in a state it starts from.
    async fn review_minutes(
        &mut self,
        id: MinutesId,
        review: &Review<'_>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        let from = review
            .starts_from()
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let set = match review {
            Review::Submit => "submitted_by = $2, submitted_at = $3, comment = comment",
            Review::Approve { .. } => "reviewed_by = $2, reviewed_at = $3, sha256 = $5",
            Review::RequestChanges { .. } => "reviewed_by = $2, reviewed_at = $3, comment = $5",
        };
        let extra = match review {
            Review::Submit => None,
            Review::Approve { sha256 } => Some(sha256.to_string()),
            Review::RequestChanges { comment } => Some(comment.to_string()),
        };
        let sql = format!(
            "UPDATE minutes SET state = $1, version = version + 1, {set}
             WHERE id = $4 AND state IN ({from}) RETURNING {COLUMNS}"
        );
        let row: Option<MinutesRow> = on_conn!(self, |c| {
            let q = sqlx::query_as(&sql)
                .bind(review.to().as_str())
                .bind(by.to_db())
                .bind(to_millis(at))
                .bind(id.0);
            let q = match &extra {
                Some(x) => q.bind(x.clone()),
                None => q,
            };
            q.fetch_optional(c).await
        })?;
        row.map(Minutes::try_from).transpose()
    }

    /// The last meeting of a forum that has begun (held, or further), locked on PostgreSQL.
    async fn last_held_meeting(
        &mut self,
        forum: ForumId,
        now: DateTime<Utc>,
    ) -> Result<Option<Meeting>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings
             WHERE forum_id = $1 AND state IN ($2, $3, $4, $5) AND starts_at <= $6
             ORDER BY starts_at DESC, id DESC LIMIT 1 {lock}"
        );
        let row: Option<MeetingRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(MeetingState::Held.as_str())
            .bind(MeetingState::MinutesDraft.as_str())
            .bind(MeetingState::MinutesApproved.as_str())
            .bind(MeetingState::Closed.as_str())
            .bind(to_millis(now))
            .fetch_optional(c)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }
}

impl Tx {
    /// A meeting's minutes (`seq` 0) or addendum, locked on PostgreSQL.
    pub async fn minutes(&mut self, meeting: MeetingId, seq: i64) -> Result<Option<Minutes>> {
        self.conn().minutes(meeting, seq).await
    }

    pub async fn minutes_of_meeting(&mut self, meeting: MeetingId) -> Result<Vec<Minutes>> {
        self.conn().minutes_of_meeting(meeting).await
    }

    /// Stores a first draft and its first version (two writes).
    pub async fn insert_minutes(&mut self, n: &NewMinutes) -> Result<Minutes> {
        let m = self.write()?.insert_minutes(n).await?;
        self.write()?
            .add_version(&m, MinutesEvent::Generated, None, n.by, n.at)
            .await?;
        Ok(m)
    }

    /// Replaces editable text read at `version`; `None` when it changed meanwhile or is no
    /// longer editable. Leaves a version row.
    pub async fn set_minutes_body(
        &mut self,
        id: MinutesId,
        version: i64,
        body: &str,
        event: MinutesEvent,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        if self.backend() == super::Backend::Postgres {
            // Both writes in one statement.
            return self
                .write_many(2)?
                .set_minutes_body_versioned_pg(id, version, body, event, by, at)
                .await;
        }
        let Some(m) = self
            .write()?
            .set_minutes_body(id, version, body, by, at)
            .await?
        else {
            return Ok(None);
        };
        self.write()?.add_version(&m, event, None, by, at).await?;
        Ok(Some(m))
    }

    /// Submits, approves or sends back; `None` when the minutes are not (or no longer) in a
    /// state the step starts from: of two concurrent approvals exactly one gets `Some`.
    pub async fn review_minutes(
        &mut self,
        id: MinutesId,
        review: &Review<'_>,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        let Some(m) = self.write()?.review_minutes(id, review, by, at).await? else {
            return Ok(None);
        };
        let comment = match review {
            Review::RequestChanges { comment } => Some(*comment),
            _ => None,
        };
        self.write()?
            .add_version(&m, review.event(), comment, by, at)
            .await?;
        Ok(Some(m))
    }

    /// The last meeting of the forum that began and is no longer open, locked.
    pub async fn last_held_meeting(
        &mut self,
        forum: ForumId,
        now: DateTime<Utc>,
    ) -> Result<Option<Meeting>> {
        self.conn().last_held_meeting(forum, now).await
    }
}

impl Store {
    /// [`Tx::set_minutes_body`] as a use case's whole write: on PostgreSQL one statement
    /// (atomic, no BEGIN or COMMIT round trip), on SQLite a transaction of its own.
    pub async fn set_minutes_body(
        &self,
        id: MinutesId,
        version: i64,
        body: &str,
        event: MinutesEvent,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Minutes>> {
        if self.backend() == super::Backend::Postgres {
            return self
                .write_many(2)?
                .set_minutes_body_versioned_pg(id, version, body, event, by, at)
                .await;
        }
        let mut tx = self.begin().await?;
        let m = tx
            .set_minutes_body(id, version, body, event, by, at)
            .await?;
        if m.is_some() {
            tx.commit().await?;
        }
        Ok(m)
    }

    pub async fn minutes(&self, meeting: MeetingId, seq: i64) -> Result<Option<Minutes>> {
        let sql = format!("SELECT {COLUMNS} FROM minutes WHERE meeting_id = $1 AND seq = $2");
        let row: Option<MinutesRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(meeting.0)
            .bind(seq)
            .fetch_optional(p)
            .await)?;
        row.map(Minutes::try_from).transpose()
    }

    pub async fn minutes_by_id(&self, id: MinutesId) -> Result<Option<Minutes>> {
        let sql = format!("SELECT {COLUMNS} FROM minutes WHERE id = $1");
        let row: Option<MinutesRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        row.map(Minutes::try_from).transpose()
    }

    /// The minutes and addenda of a meeting, in order.
    pub async fn minutes_of_meeting(&self, meeting: MeetingId) -> Result<Vec<Minutes>> {
        self.conn().minutes_of_meeting(meeting).await
    }

    /// The last meeting of the forum that began and is no longer open.
    pub async fn last_held_meeting(
        &self,
        forum: ForumId,
        now: DateTime<Utc>,
    ) -> Result<Option<Meeting>> {
        self.conn().last_held_meeting(forum, now).await
    }

    /// A forum's approved minutes (and addenda) of meetings that began before `before`, the
    /// newest meeting first: what the next agenda lists under previous minutes.
    pub async fn approved_minutes_before(
        &self,
        forum: ForumId,
        before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(Minutes, Meeting)>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM minutes n
             WHERE n.forum_id = $1 AND n.state = 'approved'
               AND n.meeting_id IN (SELECT id FROM meetings WHERE forum_id = $1 AND starts_at < $2)
             ORDER BY n.reviewed_at DESC, n.id DESC LIMIT $3"
        );
        let rows: Vec<MinutesRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(to_millis(before))
            .bind(limit)
            .fetch_all(p)
            .await)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in all(rows)? {
            if let Some(meeting) = self.meeting_by_id(m.meeting).await? {
                out.push((m, meeting));
            }
        }
        out.sort_by(|a, b| {
            b.1.starts_at
                .cmp(&a.1.starts_at)
                .then(a.0.seq.cmp(&b.0.seq))
        });
        Ok(out)
    }

    /// A document's history, oldest first.
    pub async fn minutes_history(&self, id: MinutesId) -> Result<Vec<MinutesVersion>> {
        let rows: Vec<MinutesVersion> = on_pool!(self, |p| sqlx::query_as(
            "SELECT version, event, state, body, comment, actor, at FROM minutes_versions
             WHERE minutes_id = $1 ORDER BY version"
        )
        .bind(id.0)
        .fetch_all(p)
        .await)?;
        Ok(rows)
    }

    /// A meeting's decisions as minutes show them: (number, title, text, agenda item), in
    /// number order.
    pub async fn meeting_decisions_brief(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<(String, String, String, Option<i64>)>> {
        let rows = on_pool!(self, |p| sqlx::query_as(
            "SELECT number, title, body, agenda_item FROM decisions WHERE meeting_id = $1
             ORDER BY year, seq"
        )
        .bind(meeting.0)
        .fetch_all(p)
        .await)?;
        Ok(rows)
    }

    /// A meeting's actions as minutes show them: (what, owner, the owner's name as the
    /// guild's member list has it, due date), by due date. The names come with the actions
    /// (one query, not one per action).
    pub async fn meeting_actions_brief(
        &self,
        meeting: MeetingId,
        guild: GuildId,
    ) -> Result<Vec<(String, UserId, Option<String>, chrono::NaiveDate)>> {
        let rows: Vec<(String, i64, Option<String>, String)> = on_pool!(self, |p| {
            sqlx::query_as(
                "SELECT a.what, a.owner_id, m.name, a.due_date FROM actions a
                 LEFT JOIN members m ON m.guild_id = $2 AND m.user_id = a.owner_id
                 WHERE a.meeting_id = $1
                 ORDER BY a.due_date, a.id",
            )
            .bind(meeting.0)
            .bind(guild.to_db())
            .fetch_all(p)
            .await
        })?;
        rows.into_iter()
            .map(|(what, owner, name, due)| {
                let due = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d")
                    .map_err(|_| StoreError::Corrupt(format!("action due date {due:?}")))?;
                Ok((what, UserId::from_db(owner), name, due))
            })
            .collect()
    }

    /// Test hook: tries to overwrite a row's text whatever its state (the trigger must refuse
    /// it for approved minutes).
    #[doc(hidden)]
    pub async fn force_minutes_body(&self, id: MinutesId, body: &str) -> Result<u64> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE minutes SET body = $1 WHERE id = $2"
        )
        .bind(body)
        .bind(id.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
        .map_err(StoreError::from)
    }
}
