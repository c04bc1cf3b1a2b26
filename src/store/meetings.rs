//! Forum schedules, meetings, their Discord mirrors, DM reminder subscriptions, delivery
//! problems. Queries that use cases run inside a [`Tx`] are written once, on [`Conn`], and
//! offered both on the [`Store`] (a statement of its own) and on the [`Tx`].

use chrono::{DateTime, Utc};

use super::{
    from_millis, on_conn, on_pool, to_millis, Backend, Conn, Result, Store, StoreError, Tx,
};
use crate::domain::forum::Forum;
use crate::domain::ids::{ForumId, GuildId, RoleId, UserId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingState, OccurrenceKey};
use crate::domain::recurrence::Recurrence;
use crate::domain::reminder::ReminderPolicy;

#[derive(sqlx::FromRow)]
pub(super) struct MeetingRow {
    id: i64,
    forum_id: i64,
    guild_id: i64,
    occurrence: String,
    starts_at: i64,
    ends_at: i64,
    state: String,
    cancel_reason: Option<String>,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StoreError;
    fn try_from(r: MeetingRow) -> Result<Self> {
        Ok(Meeting {
            id: MeetingId(r.id),
            forum: ForumId(r.forum_id),
            guild: GuildId::from_db(r.guild_id),
            occurrence: OccurrenceKey::parse(&r.occurrence)
                .ok_or_else(|| StoreError::Corrupt(format!("occurrence {:?}", r.occurrence)))?,
            starts_at: from_millis(r.starts_at)?,
            ends_at: from_millis(r.ends_at)?,
            state: MeetingState::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("meeting state {:?}", r.state)))?,
            cancel_reason: r.cancel_reason,
        })
    }
}

pub(super) const COLUMNS: &str =
    "id, forum_id, guild_id, occurrence, starts_at, ends_at, state, cancel_reason";

fn rows(rows: Vec<MeetingRow>) -> Result<Vec<Meeting>> {
    rows.into_iter().map(Meeting::try_from).collect()
}

/// A forum's schedule settings, as one update.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleUpdate {
    pub schedule: Option<Recurrence>,
    pub reminders: Option<ReminderPolicy>,
    pub participant_role: Option<RoleId>,
}

/// The one text of each query a use case may run inside a transaction.
impl Conn<'_> {
    async fn set_forum_schedule(&mut self, forum: &Forum, update: &ScheduleUpdate) -> Result<()> {
        let schedule = update
            .schedule
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let reminders = update.reminders.as_ref().map(ReminderPolicy::to_spec);
        let tz = update
            .schedule
            .as_ref()
            .map_or(forum.time_zone.name(), |r| r.tz().name());
        on_conn!(self, |c| sqlx::query(
            "UPDATE forums SET schedule = $1, reminders = $2, participant_role = $3, time_zone = $4
             WHERE id = $5 AND guild_id = $6"
        )
        .bind(&schedule)
        .bind(&reminders)
        .bind(update.participant_role.map(RoleId::to_db))
        .bind(tz)
        .bind(forum.id.0)
        .bind(forum.guild.to_db())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn ensure_meeting(
        &mut self,
        forum: &Forum,
        occurrence: &OccurrenceKey,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let key = occurrence.to_key();
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO meetings (forum_id, guild_id, occurrence, starts_at, ends_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (forum_id, occurrence) DO NOTHING"
        )
        .bind(forum.id.0)
        .bind(forum.guild.to_db())
        .bind(&key)
        .bind(to_millis(starts_at))
        .bind(to_millis(ends_at))
        .bind(to_millis(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        self.meeting_by_occurrence(forum.id, occurrence)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn create_extra_meeting(
        &mut self,
        forum: &Forum,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let occurrence = OccurrenceKey::Extra(to_millis(starts_at));
        let sql = format!(
            "INSERT INTO meetings (forum_id, guild_id, occurrence, starts_at, ends_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        );
        let row: MeetingRow = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.id.0)
            .bind(forum.guild.to_db())
            .bind(occurrence.to_key())
            .bind(to_millis(starts_at))
            .bind(to_millis(ends_at))
            .bind(to_millis(now))
            .fetch_one(c)
            .await)
        .map_err(|e| super::conflict_on_unique(e, "meeting"))?;
        row.try_into()
    }

    async fn meeting_by_occurrence(
        &mut self,
        forum: ForumId,
        occurrence: &OccurrenceKey,
    ) -> Result<Option<Meeting>> {
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE forum_id = $1 AND occurrence = $2");
        let row: Option<MeetingRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(occurrence.to_key())
            .fetch_optional(c)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }

    /// A meeting by id; on PostgreSQL its row stays locked until the transaction ends, so the
    /// state a use case decides from is the state it changes.
    async fn meeting_for_update(&mut self, id: MeetingId) -> Result<Option<Meeting>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE id = $1 {lock}");
        let row: Option<MeetingRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }

    async fn meetings_from(
        &mut self,
        forum: ForumId,
        from: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Meeting>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM meetings WHERE forum_id = $1 AND ends_at > $2
             ORDER BY starts_at, id LIMIT $3"
        );
        let found: Vec<MeetingRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(to_millis(from))
            .bind(limit)
            .fetch_all(c)
            .await)?;
        rows(found)
    }

    /// Moves `m` from the state it was read in to `to`, with new times and (for a cancel) a
    /// reason. A meeting changed by someone else since it was read is a conflict.
    async fn change_meeting(
        &mut self,
        m: &Meeting,
        to: MeetingState,
        times: Option<(DateTime<Utc>, DateTime<Utc>)>,
        reason: Option<&str>,
    ) -> Result<()> {
        let (starts_at, ends_at) = times.unwrap_or((m.starts_at, m.ends_at));
        let changed = on_conn!(self, |c| sqlx::query(
            "UPDATE meetings SET state = $1, starts_at = $2, ends_at = $3,
                                 cancel_reason = COALESCE($4, cancel_reason)
             WHERE id = $5 AND state = $6"
        )
        .bind(to.as_str())
        .bind(to_millis(starts_at))
        .bind(to_millis(ends_at))
        .bind(reason)
        .bind(m.id.0)
        .bind(m.state.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        match changed {
            1 => Ok(()),
            _ => Err(StoreError::Conflict("meeting changed meanwhile")),
        }
    }

    /// Re-times a recurring meeting after a schedule edit (it keeps its occurrence key). Only
    /// a `scheduled` one: a person decided the others.
    async fn retime_meeting(
        &mut self,
        id: MeetingId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "UPDATE meetings SET starts_at = $1, ends_at = $2 WHERE id = $3 AND state = $4"
        )
        .bind(to_millis(starts_at))
        .bind(to_millis(ends_at))
        .bind(id.0)
        .bind(MeetingState::Scheduled.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn delete_meeting(&mut self, id: MeetingId) -> Result<()> {
        on_conn!(self, |c| sqlx::query("DELETE FROM meetings WHERE id = $1")
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn meeting_event(&mut self, id: MeetingId) -> Result<Option<u64>> {
        let row: Option<(i64,)> = on_conn!(self, |c| sqlx::query_as(
            "SELECT event_id FROM discord_event_mirrors WHERE meeting_id = $1"
        )
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
        Ok(row.map(|(e,)| e as u64))
    }
}

impl Tx {
    /// Sets a forum's schedule, reminder policy and participant role (all three as given).
    pub async fn set_forum_schedule(
        &mut self,
        forum: &Forum,
        update: &ScheduleUpdate,
    ) -> Result<()> {
        self.write()?.set_forum_schedule(forum, update).await
    }

    /// Inserts a meeting unless one with its occurrence key exists; returns the stored one.
    pub async fn ensure_meeting(
        &mut self,
        forum: &Forum,
        occurrence: &OccurrenceKey,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        self.write()?
            .ensure_meeting(forum, occurrence, starts_at, ends_at, now)
            .await
    }

    /// Inserts an extra meeting; a meeting already at that moment is a conflict.
    pub async fn create_extra_meeting(
        &mut self,
        forum: &Forum,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        self.write()?
            .create_extra_meeting(forum, starts_at, ends_at, now)
            .await
    }

    /// A meeting by id, locked for this transaction (see `Conn::meeting_for_update`).
    pub async fn meeting_for_update(&mut self, id: MeetingId) -> Result<Option<Meeting>> {
        self.conn().meeting_for_update(id).await
    }

    /// A forum's meetings ending after `from`, cancelled ones included, by start.
    pub async fn meetings_from(
        &mut self,
        forum: ForumId,
        from: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Meeting>> {
        self.conn().meetings_from(forum, from, limit).await
    }

    /// Moves a meeting to state `to` (checked by the caller with `MeetingState::apply`),
    /// optionally to new times; a cancel gives its reason.
    pub async fn change_meeting(
        &mut self,
        m: &Meeting,
        to: MeetingState,
        times: Option<(DateTime<Utc>, DateTime<Utc>)>,
        reason: Option<&str>,
    ) -> Result<()> {
        self.write()?.change_meeting(m, to, times, reason).await
    }

    /// Re-times a `scheduled` recurring meeting after a schedule edit.
    pub async fn retime_meeting(
        &mut self,
        id: MeetingId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<()> {
        self.write()?.retime_meeting(id, starts_at, ends_at).await
    }

    /// Removes a future recurring meeting that a schedule edit made disappear.
    pub async fn delete_meeting(&mut self, id: MeetingId) -> Result<()> {
        self.write()?.delete_meeting(id).await
    }

    /// The Discord event mirroring a meeting, if one was made.
    pub async fn meeting_event(&mut self, id: MeetingId) -> Result<Option<u64>> {
        self.conn().meeting_event(id).await
    }
}

impl Store {
    /// Sets a forum's schedule, reminder policy and participant role (all three as given),
    /// without planning (the use cases plan in the same transaction: see `Tx`).
    pub async fn set_forum_schedule(&self, forum: &Forum, update: &ScheduleUpdate) -> Result<()> {
        self.conn().set_forum_schedule(forum, update).await
    }

    /// A forum by id alone (for jobs, which carry no guild).
    pub async fn forum_by_id(&self, id: ForumId) -> Result<Option<Forum>> {
        self.conn().forum_by_id(id).await
    }

    /// The names of forums by id alone (those that exist), in one query.
    pub async fn forum_names(&self, ids: &[ForumId]) -> Result<Vec<(ForumId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT id, name FROM forums WHERE id IN ({list})");
        let rows: Vec<(i64, String)> = on_pool!(self, |p| {
            let mut q = sqlx::query_as(&sql);
            for id in ids {
                q = q.bind(id.0);
            }
            q.fetch_all(p).await
        })?;
        Ok(rows.into_iter().map(|(id, n)| (ForumId(id), n)).collect())
    }

    /// Records (or clears, with `None`) why posting to the forum's channel failed.
    pub async fn set_delivery_problem(
        &self,
        forum: ForumId,
        problem: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE forums SET delivery_problem = $1, delivery_problem_at = $2 WHERE id = $3"
        )
        .bind(problem)
        .bind(problem.map(|_| to_millis(now)))
        .bind(forum.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Inserts a meeting unless one with its occurrence key exists; returns the stored one.
    pub async fn ensure_meeting(
        &self,
        forum: &Forum,
        occurrence: &OccurrenceKey,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        self.conn()
            .ensure_meeting(forum, occurrence, starts_at, ends_at, now)
            .await
    }

    pub async fn meeting_by_occurrence(
        &self,
        forum: ForumId,
        occurrence: &OccurrenceKey,
    ) -> Result<Option<Meeting>> {
        self.conn().meeting_by_occurrence(forum, occurrence).await
    }

    /// A meeting by id; `None` for another guild's.
    pub async fn meeting(&self, guild: GuildId, id: MeetingId) -> Result<Option<Meeting>> {
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE id = $1 AND guild_id = $2");
        let row: Option<MeetingRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(id.0)
            .bind(guild.to_db())
            .fetch_optional(p)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }

    /// A meeting by id alone (for jobs).
    pub async fn meeting_by_id(&self, id: MeetingId) -> Result<Option<Meeting>> {
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE id = $1");
        let row: Option<MeetingRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }

    /// A forum's meetings ending after `from`, cancelled ones included, by start.
    pub async fn meetings_from(
        &self,
        forum: ForumId,
        from: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Meeting>> {
        self.conn().meetings_from(forum, from, limit).await
    }

    /// Takes a meeting one step along its life cycle as time passes (opened at its start,
    /// held at its end), unless it changed meanwhile. Returns whether it moved.
    pub async fn advance_meeting(&self, m: &Meeting, to: MeetingState) -> Result<bool> {
        match self.conn().change_meeting(m, to, None, None).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The Discord event mirroring a meeting, if one was made.
    pub async fn meeting_event(&self, id: MeetingId) -> Result<Option<u64>> {
        self.conn().meeting_event(id).await
    }

    /// Records (or forgets, with `None`) the Discord event mirroring a meeting.
    pub async fn set_meeting_event(&self, m: &Meeting, event: Option<u64>) -> Result<()> {
        match event {
            Some(e) => on_conn!(&mut self.conn(), |c| sqlx::query(
                "INSERT INTO discord_event_mirrors (meeting_id, guild_id, event_id)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (meeting_id) DO UPDATE SET event_id = excluded.event_id"
            )
            .bind(m.id.0)
            .bind(m.guild.to_db())
            .bind(e as i64)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?,
            None => on_conn!(&mut self.conn(), |c| sqlx::query(
                "DELETE FROM discord_event_mirrors WHERE meeting_id = $1"
            )
            .bind(m.id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?,
        };
        Ok(())
    }

    /// How many of a guild's meetings have a Discord event that is not over.
    pub async fn open_events(&self, guild: GuildId, now: DateTime<Utc>) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT COUNT(*) FROM discord_event_mirrors e JOIN meetings m ON m.id = e.meeting_id
             WHERE e.guild_id = $1 AND m.state IN ('scheduled', 'moved', 'open')
             AND m.ends_at > $2"
        )
        .bind(guild.to_db())
        .bind(to_millis(now))
        .fetch_one(p)
        .await
        })?;
        Ok(n)
    }

    /// Opts a member in (true) or out of DM reminders for a forum.
    pub async fn set_subscription(&self, forum: ForumId, user: UserId, on: bool) -> Result<()> {
        if on {
            on_pool!(self, |p| sqlx::query(
                "INSERT INTO reminder_subscriptions (forum_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (forum_id, user_id) DO NOTHING"
            )
            .bind(forum.0)
            .bind(user.to_db())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        } else {
            on_pool!(self, |p| sqlx::query(
                "DELETE FROM reminder_subscriptions WHERE forum_id = $1 AND user_id = $2"
            )
            .bind(forum.0)
            .bind(user.to_db())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    pub async fn subscribers(&self, forum: ForumId) -> Result<Vec<UserId>> {
        let found: Vec<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT user_id FROM reminder_subscriptions WHERE forum_id = $1 ORDER BY user_id"
        )
        .bind(forum.0)
        .fetch_all(p)
        .await)?;
        Ok(found.into_iter().map(|(u,)| UserId::from_db(u)).collect())
    }
}
