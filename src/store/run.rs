//! Running a meeting: the session's thread, current agenda entry and consent prompt;
//! attendance (with answers to the consent prompt) and notes for the minutes.

use chrono::{DateTime, Utc};

use super::record::{SessionRow, SESSION_COLUMNS};
use super::{from_millis, on_conn, on_pool, to_millis, Conn, Result, Store, StoreError, Tx};
use crate::domain::ids::{ChannelId, GuildId, MessageRef, UserId};
use crate::domain::meeting::MeetingId;
use crate::domain::record::{Attendee, NewAttendee, NewNote, Note, Presence, Session};
use crate::domain::text::name_key;

#[derive(sqlx::FromRow)]
struct AttendeeRow {
    id: i64,
    meeting_id: i64,
    user_id: Option<i64>,
    name: String,
    organisation: Option<String>,
    role: Option<String>,
    presence: String,
    consent: Option<i64>,
}

impl TryFrom<AttendeeRow> for Attendee {
    type Error = StoreError;
    fn try_from(r: AttendeeRow) -> Result<Self> {
        Ok(Attendee {
            id: r.id,
            meeting: MeetingId(r.meeting_id),
            user: r.user_id.map(UserId::from_db),
            name: r.name,
            organisation: r.organisation,
            role: r.role,
            presence: Presence::parse(&r.presence)
                .ok_or_else(|| StoreError::Corrupt(format!("presence {:?}", r.presence)))?,
            consent: r.consent.map(|c| c != 0),
        })
    }
}

const ATTENDEE_COLUMNS: &str =
    "id, meeting_id, user_id, name, organisation, role, presence, consent";

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    meeting_id: i64,
    item: Option<i64>,
    body: String,
    author_id: i64,
    author_name: String,
    recorded_by: i64,
    at: i64,
    source_guild: Option<i64>,
    source_channel: Option<i64>,
    source_message: Option<i64>,
}

impl TryFrom<NoteRow> for Note {
    type Error = StoreError;
    fn try_from(r: NoteRow) -> Result<Self> {
        let source = match (r.source_guild, r.source_channel, r.source_message) {
            (Some(g), Some(c), Some(m)) => Some(MessageRef {
                guild: GuildId::from_db(g),
                channel: ChannelId::from_db(c),
                message: m as u64,
            }),
            _ => None,
        };
        Ok(Note {
            id: r.id,
            meeting: MeetingId(r.meeting_id),
            item: r.item,
            body: r.body,
            author: UserId::from_db(r.author_id),
            author_name: r.author_name,
            at: from_millis(r.at)?,
            recorded_by: UserId::from_db(r.recorded_by),
            source,
        })
    }
}

const NOTE_COLUMNS: &str = "id, meeting_id, item, body, author_id, author_name, recorded_by, at,
    source_guild, source_channel, source_message";

/// Queries of a running meeting, on the pool or inside a use case's transaction.
impl Conn<'_> {
    async fn attendees(&mut self, meeting: MeetingId) -> Result<Vec<Attendee>> {
        let sql = format!(
            "SELECT {ATTENDEE_COLUMNS} FROM meeting_attendees WHERE meeting_id = $1 ORDER BY id"
        );
        let rows: Vec<AttendeeRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_all(c)
            .await)?;
        rows.into_iter().map(Attendee::try_from).collect()
    }

    async fn attendee_of(&mut self, meeting: MeetingId, user: UserId) -> Result<Option<Attendee>> {
        let sql = format!(
            "SELECT {ATTENDEE_COLUMNS} FROM meeting_attendees
             WHERE meeting_id = $1 AND user_id = $2"
        );
        let row: Option<AttendeeRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .bind(user.to_db())
            .fetch_optional(c)
            .await)?;
        row.map(Attendee::try_from).transpose()
    }

    async fn attendees_named(&mut self, meeting: MeetingId, name: &str) -> Result<Vec<Attendee>> {
        let sql = format!(
            "SELECT {ATTENDEE_COLUMNS} FROM meeting_attendees
             WHERE meeting_id = $1 AND name_key = $2 ORDER BY id"
        );
        let rows: Vec<AttendeeRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .bind(name_key(name.trim()))
            .fetch_all(c)
            .await)?;
        rows.into_iter().map(Attendee::try_from).collect()
    }

    /// Adds an attendee; a member already on the list is left as they are (`None`).
    async fn insert_attendee(&mut self, a: &NewAttendee) -> Result<Option<Attendee>> {
        let sql = format!(
            "INSERT INTO meeting_attendees (meeting_id, user_id, name, name_key, organisation,
                                            role, presence, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (meeting_id, user_id) WHERE user_id IS NOT NULL DO NOTHING
             RETURNING {ATTENDEE_COLUMNS}"
        );
        let row: Option<AttendeeRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(a.meeting.0)
            .bind(a.user.map(UserId::to_db))
            .bind(&a.name)
            .bind(name_key(&a.name))
            .bind(&a.organisation)
            .bind(&a.role)
            .bind(a.presence.as_str())
            .bind(a.added_by.to_db())
            .bind(to_millis(a.added_at))
            .fetch_optional(c)
            .await)?;
        row.map(Attendee::try_from).transpose()
    }

    /// Changes what is known of an attendee (presence, organisation, role); `false` if gone.
    async fn update_attendee(&mut self, a: &Attendee) -> Result<bool> {
        let n = on_conn!(self, |c| {
            sqlx::query(
            "UPDATE meeting_attendees SET name = $1, name_key = $2, organisation = $3, role = $4,
                                          presence = $5
             WHERE id = $6"
        )
        .bind(&a.name)
        .bind(name_key(&a.name))
        .bind(&a.organisation)
        .bind(&a.role)
        .bind(a.presence.as_str())
        .bind(a.id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    async fn remove_attendee(&mut self, id: i64) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "DELETE FROM meeting_attendees WHERE id = $1"
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_consent(&mut self, id: i64, consent: Option<bool>) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "UPDATE meeting_attendees SET consent = $1 WHERE id = $2"
        )
        .bind(consent.map(i64::from))
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn notes(&mut self, meeting: MeetingId) -> Result<Vec<Note>> {
        let sql =
            format!("SELECT {NOTE_COLUMNS} FROM meeting_notes WHERE meeting_id = $1 ORDER BY id");
        let rows: Vec<NoteRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_all(c)
            .await)?;
        rows.into_iter().map(Note::try_from).collect()
    }

    async fn note_from_message(
        &mut self,
        meeting: MeetingId,
        message: u64,
    ) -> Result<Option<Note>> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM meeting_notes WHERE meeting_id = $1 AND source_message = $2"
        );
        let row: Option<NoteRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .bind(message as i64)
            .fetch_optional(c)
            .await)?;
        row.map(Note::try_from).transpose()
    }

    /// Stores a note; one from a chat message already in the record is not stored again
    /// (`None`).
    async fn insert_note(&mut self, n: &NewNote) -> Result<Option<Note>> {
        let sql = format!(
            "INSERT INTO meeting_notes (meeting_id, item, body, author_id, author_name,
                                        recorded_by, at, source_guild, source_channel,
                                        source_message)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (meeting_id, source_message) WHERE source_message IS NOT NULL
             DO NOTHING
             RETURNING {NOTE_COLUMNS}"
        );
        let row: Option<NoteRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(n.meeting.0)
            .bind(n.item)
            .bind(&n.body)
            .bind(n.author.to_db())
            .bind(&n.author_name)
            .bind(n.recorded_by.to_db())
            .bind(to_millis(n.at))
            .bind(n.source.map(|s| s.guild.to_db()))
            .bind(n.source.map(|s| s.channel.to_db()))
            .bind(n.source.map(|s| s.message as i64))
            .fetch_optional(c)
            .await)?;
        row.map(Note::try_from).transpose()
    }

    /// Records the session's thread; `false` if it has one already (kept).
    async fn set_session_thread(&mut self, meeting: MeetingId, thread: ChannelId) -> Result<bool> {
        let n = on_conn!(self, |c| {
            sqlx::query(
            "UPDATE meeting_sessions SET thread_id = $1 WHERE meeting_id = $2 AND thread_id IS NULL"
        )
        .bind(thread.to_db())
        .bind(meeting.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    async fn set_current_item(
        &mut self,
        meeting: MeetingId,
        item: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "UPDATE meeting_sessions SET current_item = $1, item_started_at = $2
             WHERE meeting_id = $3"
        )
        .bind(item)
        .bind(to_millis(at))
        .bind(meeting.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn set_consent_asked(&mut self, meeting: MeetingId) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "UPDATE meeting_sessions SET consent_asked = 1
             WHERE meeting_id = $1 AND consent_asked = 0"
        )
        .bind(meeting.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    async fn session_in_thread(&mut self, thread: ChannelId) -> Result<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM meeting_sessions WHERE thread_id = $1");
        let row: Option<SessionRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(thread.to_db())
            .fetch_optional(c)
            .await)?;
        row.map(Session::try_from).transpose()
    }
}

impl Tx {
    pub async fn attendees(&mut self, meeting: MeetingId) -> Result<Vec<Attendee>> {
        self.conn().attendees(meeting).await
    }

    pub async fn attendee_of(
        &mut self,
        meeting: MeetingId,
        user: UserId,
    ) -> Result<Option<Attendee>> {
        self.conn().attendee_of(meeting, user).await
    }

    /// Attendees by name, any case.
    pub async fn attendees_named(
        &mut self,
        meeting: MeetingId,
        name: &str,
    ) -> Result<Vec<Attendee>> {
        self.conn().attendees_named(meeting, name).await
    }

    pub async fn insert_attendee(&mut self, a: &NewAttendee) -> Result<Option<Attendee>> {
        self.write()?.insert_attendee(a).await
    }

    pub async fn update_attendee(&mut self, a: &Attendee) -> Result<bool> {
        self.write()?.update_attendee(a).await
    }

    pub async fn remove_attendee(&mut self, id: i64) -> Result<bool> {
        self.write()?.remove_attendee(id).await
    }

    pub async fn set_consent(&mut self, id: i64, consent: Option<bool>) -> Result<bool> {
        self.write()?.set_consent(id, consent).await
    }

    pub async fn note_from_message(
        &mut self,
        meeting: MeetingId,
        message: u64,
    ) -> Result<Option<Note>> {
        self.conn().note_from_message(meeting, message).await
    }

    pub async fn insert_note(&mut self, n: &NewNote) -> Result<Option<Note>> {
        self.write()?.insert_note(n).await
    }

    pub async fn set_current_item(
        &mut self,
        meeting: MeetingId,
        item: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        self.write()?.set_current_item(meeting, item, at).await
    }

    pub async fn set_consent_asked(&mut self, meeting: MeetingId) -> Result<bool> {
        self.write()?.set_consent_asked(meeting).await
    }
}

impl Store {
    /// A meeting's attendance list, in the order people were added.
    pub async fn attendees(&self, meeting: MeetingId) -> Result<Vec<Attendee>> {
        self.conn().attendees(meeting).await
    }

    /// A meeting's notes, in the order they were taken.
    pub async fn notes(&self, meeting: MeetingId) -> Result<Vec<Note>> {
        self.conn().notes(meeting).await
    }

    pub async fn insert_attendee(&self, a: &NewAttendee) -> Result<Option<Attendee>> {
        self.conn().insert_attendee(a).await
    }

    pub async fn insert_note(&self, n: &NewNote) -> Result<Option<Note>> {
        self.conn().insert_note(n).await
    }

    pub async fn set_consent(&self, id: i64, consent: Option<bool>) -> Result<bool> {
        self.conn().set_consent(id, consent).await
    }

    /// Records the thread a meeting's record is kept in (the thread job, once it started it).
    pub async fn set_session_thread(&self, meeting: MeetingId, thread: ChannelId) -> Result<bool> {
        self.conn().set_session_thread(meeting, thread).await
    }

    /// The session whose record is kept in this thread.
    pub async fn session_in_thread(&self, thread: ChannelId) -> Result<Option<Session>> {
        self.conn().session_in_thread(thread).await
    }

    /// A member's name as last seen (see `upsert_member`).
    pub async fn member_name(&self, guild: GuildId, user: UserId) -> Result<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT name FROM members WHERE guild_id = $1 AND user_id = $2"
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| r.0))
    }
}
