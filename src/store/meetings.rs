//! Forum schedules, meetings, DM reminder subscriptions, delivery problems.

use chrono::{DateTime, Utc};

use super::{from_millis, on_pool, to_millis, Result, Store, StoreError};
use crate::domain::forum::Forum;
use crate::domain::ids::{ForumId, GuildId, RoleId, UserId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingStatus, OccurrenceKey};
use crate::domain::recurrence::Recurrence;
use crate::domain::reminder::ReminderPolicy;

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: i64,
    forum_id: i64,
    guild_id: i64,
    occurrence: String,
    starts_at: i64,
    ends_at: i64,
    status: String,
    moved: bool,
    cancel_reason: Option<String>,
    discord_event_id: Option<i64>,
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
            status: MeetingStatus::parse(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("meeting status {:?}", r.status)))?,
            moved: r.moved,
            cancel_reason: r.cancel_reason,
            discord_event: r.discord_event_id.map(|e| e as u64),
        })
    }
}

const COLUMNS: &str = "id, forum_id, guild_id, occurrence, starts_at, ends_at, status, moved,
    cancel_reason, discord_event_id";

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

impl Store {
    /// Sets a forum's schedule, reminder policy and participant role (all three as given).
    pub async fn set_forum_schedule(&self, forum: &Forum, update: &ScheduleUpdate) -> Result<()> {
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
        on_pool!(self, |p| sqlx::query(
            "UPDATE forums SET schedule = $1, reminders = $2, participant_role = $3, time_zone = $4
             WHERE id = $5 AND guild_id = $6"
        )
        .bind(&schedule)
        .bind(&reminders)
        .bind(update.participant_role.map(RoleId::to_db))
        .bind(tz)
        .bind(forum.id.0)
        .bind(forum.guild.to_db())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A forum by id alone (for jobs, which carry no guild).
    pub async fn forum_by_id(&self, id: ForumId) -> Result<Option<Forum>> {
        let guild: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT guild_id FROM forums WHERE id = $1"
        )
        .bind(id.0)
        .fetch_optional(p)
        .await)?;
        match guild {
            Some((g,)) => self.forum(GuildId::from_db(g), id).await,
            None => Ok(None),
        }
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
        let key = occurrence.to_key();
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO meetings (forum_id, guild_id, occurrence, starts_at, ends_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (forum_id, occurrence) DO NOTHING"
        )
        .bind(forum.id.0)
        .bind(forum.guild.to_db())
        .bind(&key)
        .bind(to_millis(starts_at))
        .bind(to_millis(ends_at))
        .bind(to_millis(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.meeting_by_occurrence(forum.id, occurrence)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Inserts an extra meeting; a meeting already at that moment is a conflict.
    pub async fn create_extra_meeting(
        &self,
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
        let row: MeetingRow = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.id.0)
            .bind(forum.guild.to_db())
            .bind(occurrence.to_key())
            .bind(to_millis(starts_at))
            .bind(to_millis(ends_at))
            .bind(to_millis(now))
            .fetch_one(p)
            .await)
        .map_err(|e| super::conflict_on_unique(e, "meeting"))?;
        row.try_into()
    }

    pub async fn meeting_by_occurrence(
        &self,
        forum: ForumId,
        occurrence: &OccurrenceKey,
    ) -> Result<Option<Meeting>> {
        let sql = format!("SELECT {COLUMNS} FROM meetings WHERE forum_id = $1 AND occurrence = $2");
        let row: Option<MeetingRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(occurrence.to_key())
            .fetch_optional(p)
            .await)?;
        row.map(Meeting::try_from).transpose()
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
        let sql = format!(
            "SELECT {COLUMNS} FROM meetings WHERE forum_id = $1 AND ends_at > $2
             ORDER BY starts_at, id LIMIT $3"
        );
        let found: Vec<MeetingRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(to_millis(from))
            .bind(limit)
            .fetch_all(p)
            .await)?;
        rows(found)
    }

    /// Moves a meeting (a person decided its time: schedule edits leave it alone).
    pub async fn move_meeting(
        &self,
        id: MeetingId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<()> {
        self.set_meeting_time(id, starts_at, ends_at, true).await
    }

    /// Re-times a recurring meeting after a schedule edit (it keeps its occurrence key); a
    /// meeting moved by a person is left alone.
    pub async fn retime_meeting(
        &self,
        id: MeetingId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<()> {
        self.set_meeting_time(id, starts_at, ends_at, false).await
    }

    async fn set_meeting_time(
        &self,
        id: MeetingId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        by_person: bool,
    ) -> Result<()> {
        // By a person: always, and mark it moved. By the schedule: only if not moved.
        on_pool!(self, |p| sqlx::query(
            "UPDATE meetings SET starts_at = $1, ends_at = $2, moved = (moved OR $4)
             WHERE id = $3 AND ($4 OR moved = FALSE)"
        )
        .bind(to_millis(starts_at))
        .bind(to_millis(ends_at))
        .bind(id.0)
        .bind(by_person)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Cancels a meeting (it stays visible as cancelled), or reinstates one with `None`.
    pub async fn set_meeting_cancelled(&self, id: MeetingId, reason: Option<&str>) -> Result<()> {
        let status = if reason.is_some() {
            MeetingStatus::Cancelled
        } else {
            MeetingStatus::Scheduled
        };
        on_pool!(self, |p| sqlx::query(
            "UPDATE meetings SET status = $1, cancel_reason = $2 WHERE id = $3"
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(id.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes a future recurring meeting that a schedule edit made disappear.
    pub async fn delete_meeting(&self, id: MeetingId) -> Result<()> {
        on_pool!(self, |p| sqlx::query("DELETE FROM meetings WHERE id = $1")
            .bind(id.0)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_meeting_event(&self, id: MeetingId, event: Option<u64>) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "UPDATE meetings SET discord_event_id = $1 WHERE id = $2"
        )
        .bind(event.map(|e| e as i64))
        .bind(id.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// How many of a guild's meetings have a Discord event that is not over.
    pub async fn open_events(&self, guild: GuildId, now: DateTime<Utc>) -> Result<i64> {
        let (n,): (i64,) = on_pool!(self, |p| sqlx::query_as(
            "SELECT COUNT(*) FROM meetings WHERE guild_id = $1 AND discord_event_id IS NOT NULL
             AND status = 'scheduled' AND ends_at > $2"
        )
        .bind(guild.to_db())
        .bind(to_millis(now))
        .fetch_one(p)
        .await)?;
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
