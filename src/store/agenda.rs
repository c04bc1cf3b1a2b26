//! Agenda items and questions, their history, per-forum agenda settings and standing items,
//! organisations, and published agendas. Queries a use case runs inside its [`Tx`] are
//! written once on [`Conn`] and offered on both [`Tx`] and [`Store`].

use chrono::{DateTime, Utc};

use super::{from_millis, on_conn, to_millis, Conn, Result, Store, StoreError, Tx};
use crate::domain::agenda::{
    AgendaItem, AgendaSettings, EmptyPolicy, Format, HistoryEntry, ItemId, ItemKind, ItemStatus,
    NewItem, Place, Standing, Wants,
};
use crate::domain::ids::{ChannelId, ForumId, GuildId, RoleId, UserId};
use crate::domain::meeting::MeetingId;
use crate::domain::text::name_key;

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    guild_id: i64,
    forum_id: i64,
    meeting_id: i64,
    kind: String,
    title: String,
    background: String,
    wants: String,
    minutes: Option<i64>,
    proposer: i64,
    organisation: Option<i64>,
    source_channel: Option<i64>,
    source_message: Option<i64>,
    status: String,
    reason: Option<String>,
    merged_into: Option<i64>,
    late_for: Option<i64>,
    position: i64,
    timebox: Option<i64>,
    presenter: Option<String>,
    carried: i64,
    version: i64,
    created_at: i64,
}

const COLUMNS: &str = "id, guild_id, forum_id, meeting_id, kind, title, background, wants,
    minutes, proposer, organisation, source_channel, source_message, status, reason,
    merged_into, late_for, position, timebox, presenter, carried, version, created_at";

impl TryFrom<ItemRow> for AgendaItem {
    type Error = StoreError;
    fn try_from(r: ItemRow) -> Result<Self> {
        let corrupt =
            |what: &str, v: &str| StoreError::Corrupt(format!("agenda item {what} {v:?}"));
        Ok(AgendaItem {
            id: ItemId(r.id),
            guild: GuildId::from_db(r.guild_id),
            forum: ForumId(r.forum_id),
            meeting: MeetingId(r.meeting_id),
            kind: ItemKind::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
            title: r.title,
            background: r.background,
            wants: Wants::parse(&r.wants).ok_or_else(|| corrupt("wants", &r.wants))?,
            minutes: r.minutes,
            proposer: UserId::from_db(r.proposer),
            organisation: r.organisation.map(RoleId::from_db),
            source: match (r.source_channel, r.source_message) {
                (Some(c), Some(m)) => Some((ChannelId::from_db(c), m as u64)),
                _ => None,
            },
            status: ItemStatus::parse(&r.status).ok_or_else(|| corrupt("status", &r.status))?,
            reason: r.reason,
            merged_into: r.merged_into.map(ItemId),
            late_for: r.late_for.map(MeetingId),
            position: r.position,
            timebox: r.timebox,
            presenter: r.presenter,
            carried: r.carried,
            version: r.version,
            created_at: from_millis(r.created_at)?,
        })
    }
}

/// at, event, meeting, actor, detail.
type HistoryRow = (i64, String, Option<i64>, Option<i64>, Option<String>);

fn items(rows: Vec<ItemRow>) -> Result<Vec<AgendaItem>> {
    rows.into_iter().map(AgendaItem::try_from).collect()
}

/// One line of history to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHistory<'a> {
    pub item: ItemId,
    pub at: DateTime<Utc>,
    pub event: &'a str,
    pub meeting: Option<MeetingId>,
    pub actor: Option<UserId>,
    pub detail: Option<&'a str>,
}

/// What proposing an item writes (see [`Tx::insert_proposal`]): the item at the end of its
/// meeting's agenda unless that has `cap` items, its history line, and the refreshes of the
/// live documents that show it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal<'a> {
    pub item: &'a NewItem,
    pub cap: i64,
    /// The history line (its item is the new one).
    pub at: DateTime<Utc>,
    pub event: &'a str,
    pub meeting: Option<MeetingId>,
    pub actor: Option<UserId>,
    /// Live documents to refresh (empty: none), and the time their refreshes count from.
    pub live: &'a [&'a str],
    pub live_now: DateTime<Utc>,
}

impl NewProposal<'_> {
    /// The writes it makes: the item, its history line, the refreshes.
    fn writes(&self) -> usize {
        2 + usize::from(!self.live.is_empty())
    }
}

impl Conn<'_> {
    /// PostgreSQL: [`NewProposal`] in one statement (one round trip instead of three). The
    /// item's statement is [`Conn::insert_item_below`]'s; the history line and the refreshes
    /// are written only when the item is (`FROM ins`).
    async fn insert_proposal_pg(&mut self, p: &NewProposal<'_>) -> Result<Option<AgendaItem>> {
        let i = p.item;
        let now = to_millis(i.created_at);
        let keyed = super::live::live_rows(p.live);
        let live = if keyed.is_empty() {
            String::new()
        } else {
            let rows = (0..keyed.len())
                .map(|k| format!("(${}, ${})", 24 + 2 * k, 25 + 2 * k))
                .collect::<Vec<_>>()
                .join(", ");
            // `$4` of the shared conflict clause is the gap: renumbered to `$23`.
            let conflict = super::live::LIVE_CONFLICT.replace("$4", "$23");
            format!(
                ", live AS (
                 INSERT INTO jobs (kind, key, due_at, payload, created_at)
                 SELECT $20, v.key, $21, v.payload, $22
                 FROM (VALUES {rows}) AS v (key, payload)
                 WHERE EXISTS (SELECT 1 FROM ins)
                 {conflict})"
            )
        };
        let sql = format!(
            "WITH ins AS (
                 INSERT INTO agenda_items (guild_id, forum_id, meeting_id, kind, title,
                     background, wants, minutes, proposer, organisation, source_channel,
                     source_message, late_for, position, created_at, updated_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items
                      WHERE meeting_id = $3),
                     $14, $14
                 WHERE (SELECT COUNT(*) FROM agenda_items WHERE meeting_id = $3) < $15
                 RETURNING {COLUMNS}),
             history AS (
                 INSERT INTO agenda_history (item_id, at, event, meeting_id, actor, detail)
                 SELECT id, $16, $17, $18, $19, NULL FROM ins){live}
             SELECT {COLUMNS} FROM ins"
        );
        let gap = crate::live::MIN_GAP;
        let row: Option<ItemRow> = on_conn!(self, |c| {
            let mut q = sqlx::query_as(&sql)
                .bind(i.guild.to_db())
                .bind(i.forum.0)
                .bind(i.meeting.0)
                .bind(i.kind.as_str())
                .bind(&i.title)
                .bind(&i.background)
                .bind(i.wants.as_str())
                .bind(i.minutes)
                .bind(i.proposer.to_db())
                .bind(i.organisation.map(RoleId::to_db))
                .bind(i.source.map(|(c, _)| c.to_db()))
                .bind(i.source.map(|(_, m)| m as i64))
                .bind(i.late_for.map(|m| m.0))
                .bind(now)
                .bind(p.cap)
                .bind(to_millis(p.at))
                .bind(p.event)
                .bind(p.meeting.map(|m| m.0))
                .bind(p.actor.map(UserId::to_db));
            if !keyed.is_empty() {
                q = q
                    .bind(super::live::LIVE_KIND)
                    .bind(to_millis(p.live_now + gap))
                    .bind(to_millis(p.live_now))
                    .bind(gap.num_milliseconds());
                for (key, payload) in &keyed {
                    q = q.bind(key).bind(payload);
                }
            }
            q.fetch_optional(c).await
        })?;
        row.map(AgendaItem::try_from).transpose()
    }

    async fn agenda_settings(&mut self, forum: ForumId) -> Result<AgendaSettings> {
        let row: Option<(i64, String, Option<String>)> = on_conn!(self, |c| {
            sqlx::query_as(
            "SELECT deadline_minutes, empty_policy, format FROM agenda_settings WHERE forum_id = $1"
        )
        .bind(forum.0)
        .fetch_optional(c)
        .await
        })?;
        let Some((deadline_minutes, empty, format)) = row else {
            return Ok(AgendaSettings::default());
        };
        Ok(AgendaSettings {
            deadline_minutes,
            empty: EmptyPolicy::parse(&empty)
                .ok_or_else(|| StoreError::Corrupt(format!("empty policy {empty:?}")))?,
            format: format.as_deref().and_then(Format::parse),
        })
    }

    async fn set_agenda_settings(&mut self, forum: ForumId, s: &AgendaSettings) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO agenda_settings (forum_id, deadline_minutes, empty_policy, format)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (forum_id) DO UPDATE SET deadline_minutes = excluded.deadline_minutes,
                 empty_policy = excluded.empty_policy, format = excluded.format"
        )
        .bind(forum.0)
        .bind(s.deadline_minutes)
        .bind(s.empty.as_str())
        .bind(s.format.map(Format::as_str))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    async fn standing(&mut self, forum: ForumId) -> Result<Vec<Standing>> {
        let rows: Vec<(String, String, i64)> = on_conn!(self, |c| sqlx::query_as(
            "SELECT title, place, position FROM agenda_standing WHERE forum_id = $1
             ORDER BY position, id"
        )
        .bind(forum.0)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(title, place, position)| {
                Ok(Standing {
                    title,
                    place: Place::parse(&place)
                        .ok_or_else(|| StoreError::Corrupt(format!("standing place {place:?}")))?,
                    position,
                })
            })
            .collect()
    }

    /// Appends a standing item; a title the forum has already (case-insensitive) is a conflict.
    async fn add_standing(&mut self, forum: ForumId, title: &str, place: Place) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO agenda_standing (forum_id, title, title_key, place, position)
             VALUES ($1, $2, $3, $4,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_standing WHERE forum_id = $1))"
        )
        .bind(forum.0)
        .bind(title)
        .bind(name_key(title))
        .bind(place.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| super::conflict_on_unique(e, "standing item"))?;
        Ok(())
    }

    async fn remove_standing(&mut self, forum: ForumId, title: &str) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "DELETE FROM agenda_standing WHERE forum_id = $1 AND title_key = $2"
        )
        .bind(forum.0)
        .bind(name_key(title.trim()))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n > 0)
    }

    /// Stores a new item at the end of its meeting's agenda.
    async fn insert_item(&mut self, i: &NewItem) -> Result<AgendaItem> {
        self.insert_item_below(i, i64::MAX)
            .await?
            .ok_or_else(|| StoreError::Corrupt("an agenda item was not stored".into()))
    }

    /// Stores an item at the end of its meeting's agenda unless the meeting already has
    /// `cap` items (then `None`): the count, the position and the insert in one statement.
    async fn insert_item_below(&mut self, i: &NewItem, cap: i64) -> Result<Option<AgendaItem>> {
        let now = to_millis(i.created_at);
        let sql = format!(
            "INSERT INTO agenda_items (guild_id, forum_id, meeting_id, kind, title, background,
                 wants, minutes, proposer, organisation, source_channel, source_message,
                 late_for, position, created_at, updated_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                 (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $3),
                 $14, $14
             WHERE (SELECT COUNT(*) FROM agenda_items WHERE meeting_id = $3) < $15
             RETURNING {COLUMNS}"
        );
        let row: Option<ItemRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(i.guild.to_db())
            .bind(i.forum.0)
            .bind(i.meeting.0)
            .bind(i.kind.as_str())
            .bind(&i.title)
            .bind(&i.background)
            .bind(i.wants.as_str())
            .bind(i.minutes)
            .bind(i.proposer.to_db())
            .bind(i.organisation.map(RoleId::to_db))
            .bind(i.source.map(|(c, _)| c.to_db()))
            .bind(i.source.map(|(_, m)| m as i64))
            .bind(i.late_for.map(|m| m.0))
            .bind(now)
            .bind(cap)
            .fetch_optional(c)
            .await)?;
        row.map(AgendaItem::try_from).transpose()
    }

    async fn item(&mut self, id: ItemId) -> Result<Option<AgendaItem>> {
        let sql = format!("SELECT {COLUMNS} FROM agenda_items WHERE id = $1");
        let row: Option<ItemRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        row.map(AgendaItem::try_from).transpose()
    }

    async fn meeting_items(&mut self, meeting: MeetingId) -> Result<Vec<AgendaItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id"
        );
        let rows: Vec<ItemRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_all(c)
            .await)?;
        items(rows)
    }

    async fn count_items(&mut self, meeting: MeetingId) -> Result<i64> {
        let (n,): (i64,) = on_conn!(self, |c| sqlx::query_as(
            "SELECT COUNT(*) FROM agenda_items WHERE meeting_id = $1"
        )
        .bind(meeting.0)
        .fetch_one(c)
        .await)?;
        Ok(n)
    }

    /// Writes an item's changeable fields as given in `item`, if it is still at
    /// `item.version` (bumping it). Returns false when someone changed it first.
    async fn update_item(&mut self, item: &AgendaItem, now: DateTime<Utc>) -> Result<bool> {
        let n = on_conn!(self, |c| {
            sqlx::query(
            "UPDATE agenda_items SET meeting_id = $1, status = $2, reason = $3, merged_into = $4,
                 late_for = $5, position = $6, timebox = $7, presenter = $8, carried = $9,
                 version = version + 1, updated_at = $10
             WHERE id = $11 AND version = $12"
        )
        .bind(item.meeting.0)
        .bind(item.status.as_str())
        .bind(&item.reason)
        .bind(item.merged_into.map(|i| i.0))
        .bind(item.late_for.map(|m| m.0))
        .bind(item.position)
        .bind(item.timebox)
        .bind(&item.presenter)
        .bind(item.carried)
        .bind(to_millis(now))
        .bind(item.id.0)
        .bind(item.version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Renumbers a meeting's items in the order given (1, 2, …).
    async fn set_positions(&mut self, order: &[ItemId]) -> Result<()> {
        for (k, id) in order.iter().enumerate() {
            on_conn!(self, |c| sqlx::query(
                "UPDATE agenda_items SET position = $1 WHERE id = $2"
            )
            .bind(k as i64 + 1)
            .bind(id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    async fn add_history(&mut self, h: &NewHistory<'_>) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO agenda_history (item_id, at, event, meeting_id, actor, detail)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(h.item.0)
        .bind(to_millis(h.at))
        .bind(h.event)
        .bind(h.meeting.map(|m| m.0))
        .bind(h.actor.map(UserId::to_db))
        .bind(h.detail)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Open items (proposed, accepted, deferred) of a forum's other meetings that are over or
    /// cancelled: what carry-over moves to the next meeting.
    async fn items_to_carry(
        &mut self,
        forum: ForumId,
        target: MeetingId,
        now: DateTime<Utc>,
    ) -> Result<Vec<AgendaItem>> {
        let cols = COLUMNS
            .split(',')
            .map(|c| format!("i.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
             WHERE i.forum_id = $1 AND i.meeting_id <> $2
               AND i.status IN ('proposed', 'accepted', 'deferred')
               AND (m.state = 'cancelled' OR m.ends_at <= $3)
             ORDER BY m.starts_at, i.position, i.id"
        );
        let rows: Vec<ItemRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(target.0)
            .bind(to_millis(now))
            .fetch_all(c)
            .await)?;
        items(rows)
    }

    async fn publication(&mut self, meeting: MeetingId) -> Result<Option<(DateTime<Utc>, String)>> {
        let row: Option<(i64, String)> = on_conn!(self, |c| sqlx::query_as(
            "SELECT published_at, outcome FROM agenda_publications WHERE meeting_id = $1"
        )
        .bind(meeting.0)
        .fetch_optional(c)
        .await)?;
        row.map(|(at, o)| Ok((from_millis(at)?, o))).transpose()
    }

    /// Records a meeting's agenda as published; false if it already was.
    async fn set_published(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        outcome: &str,
    ) -> Result<bool> {
        let n = on_conn!(self, |c| {
            sqlx::query(
            "INSERT INTO agenda_publications (meeting_id, published_at, outcome) VALUES ($1, $2, $3)
             ON CONFLICT (meeting_id) DO NOTHING"
        )
        .bind(meeting.0)
        .bind(to_millis(at))
        .bind(outcome)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Whether anything of the agenda refers to the meeting (it must then not be deleted).
    async fn meeting_has_agenda(&mut self, meeting: MeetingId) -> Result<bool> {
        let (n,): (i64,) = on_conn!(self, |c| sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM agenda_items WHERE meeting_id = $1 OR late_for = $1)
                  + (SELECT COUNT(*) FROM agenda_publications WHERE meeting_id = $1)"
        )
        .bind(meeting.0)
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }
}

impl Tx {
    pub async fn agenda_settings(&mut self, forum: ForumId) -> Result<AgendaSettings> {
        self.conn().agenda_settings(forum).await
    }
    pub async fn set_agenda_settings(&mut self, forum: ForumId, s: &AgendaSettings) -> Result<()> {
        self.write()?.set_agenda_settings(forum, s).await
    }
    pub async fn standing(&mut self, forum: ForumId) -> Result<Vec<Standing>> {
        self.conn().standing(forum).await
    }
    /// See [`Store::add_standing`]. On PostgreSQL a conflict aborts the transaction.
    pub async fn add_standing(&mut self, forum: ForumId, title: &str, place: Place) -> Result<()> {
        self.write()?.add_standing(forum, title, place).await
    }
    pub async fn insert_item(&mut self, i: &NewItem) -> Result<AgendaItem> {
        self.write()?.insert_item(i).await
    }
    /// Stores an item at the end of its meeting's agenda unless it already has `cap` items
    /// (`None`), in one statement.
    pub async fn insert_item_below(&mut self, i: &NewItem, cap: i64) -> Result<Option<AgendaItem>> {
        self.write()?.insert_item_below(i, cap).await
    }
    pub async fn item(&mut self, id: ItemId) -> Result<Option<AgendaItem>> {
        self.conn().item(id).await
    }
    pub async fn meeting_items(&mut self, meeting: MeetingId) -> Result<Vec<AgendaItem>> {
        self.conn().meeting_items(meeting).await
    }
    pub async fn count_items(&mut self, meeting: MeetingId) -> Result<i64> {
        self.conn().count_items(meeting).await
    }
    /// See [`Store::update_item`].
    pub async fn update_item(&mut self, item: &AgendaItem, now: DateTime<Utc>) -> Result<bool> {
        self.write()?.update_item(item, now).await
    }
    pub async fn set_positions(&mut self, order: &[ItemId]) -> Result<()> {
        self.write()?.set_positions(order).await
    }
    pub async fn add_history(&mut self, h: &NewHistory<'_>) -> Result<()> {
        self.write()?.add_history(h).await
    }
    /// Stores a proposed item with its history line and queues the refreshes of `p.live`
    /// (`None`, and nothing written: the agenda has `p.cap` items). SQLite: the three
    /// statements; PostgreSQL: one.
    pub async fn insert_proposal(&mut self, p: &NewProposal<'_>) -> Result<Option<AgendaItem>> {
        match self.backend() {
            super::Backend::Postgres => self.write_many(p.writes())?.insert_proposal_pg(p).await,
            super::Backend::Sqlite => {
                let Some(item) = self.insert_item_below(p.item, p.cap).await? else {
                    return Ok(None);
                };
                self.add_history(&NewHistory {
                    item: item.id,
                    at: p.at,
                    event: p.event,
                    meeting: p.meeting,
                    actor: p.actor,
                    detail: None,
                })
                .await?;
                if !p.live.is_empty() {
                    self.live_changed_all(p.live, p.live_now).await?;
                }
                Ok(Some(item))
            }
        }
    }
    pub async fn items_to_carry(
        &mut self,
        forum: ForumId,
        target: MeetingId,
        now: DateTime<Utc>,
    ) -> Result<Vec<AgendaItem>> {
        self.conn().items_to_carry(forum, target, now).await
    }
    pub async fn publication(
        &mut self,
        meeting: MeetingId,
    ) -> Result<Option<(DateTime<Utc>, String)>> {
        self.conn().publication(meeting).await
    }
    pub async fn set_published(
        &mut self,
        meeting: MeetingId,
        at: DateTime<Utc>,
        outcome: &str,
    ) -> Result<bool> {
        self.write()?.set_published(meeting, at, outcome).await
    }
    pub async fn meeting_has_agenda(&mut self, meeting: MeetingId) -> Result<bool> {
        self.conn().meeting_has_agenda(meeting).await
    }
}

impl Store {
    /// [`Tx::insert_proposal`] as a use case's whole write: on PostgreSQL one statement
    /// (atomic, no BEGIN or COMMIT round trip), on SQLite a transaction of its own.
    pub async fn insert_proposal(&self, p: &NewProposal<'_>) -> Result<Option<AgendaItem>> {
        match self.backend() {
            super::Backend::Postgres => self.write_many(p.writes())?.insert_proposal_pg(p).await,
            super::Backend::Sqlite => {
                let mut tx = self.begin().await?;
                let item = tx.insert_proposal(p).await?;
                if item.is_some() {
                    tx.commit().await?;
                }
                Ok(item)
            }
        }
    }

    /// A forum's agenda settings (the defaults when it never changed them).
    pub async fn agenda_settings(&self, forum: ForumId) -> Result<AgendaSettings> {
        self.conn().agenda_settings(forum).await
    }
    pub async fn set_agenda_settings(&self, forum: ForumId, s: &AgendaSettings) -> Result<()> {
        self.conn().set_agenda_settings(forum, s).await
    }
    /// A forum's standing items in order.
    pub async fn standing(&self, forum: ForumId) -> Result<Vec<Standing>> {
        self.conn().standing(forum).await
    }
    /// Appends a standing item; a title the forum has already (case-insensitive) is
    /// [`StoreError::Conflict`].
    pub async fn add_standing(&self, forum: ForumId, title: &str, place: Place) -> Result<()> {
        self.conn().add_standing(forum, title, place).await
    }
    /// Removes a standing item by title (case-insensitive); false if there was none.
    pub async fn remove_standing(&self, forum: ForumId, title: &str) -> Result<bool> {
        self.conn().remove_standing(forum, title).await
    }
    /// Stores a new item at the end of its meeting's agenda.
    pub async fn insert_item(&self, i: &NewItem) -> Result<AgendaItem> {
        self.conn().insert_item(i).await
    }
    /// An item by id (any guild: the caller checks).
    pub async fn item(&self, id: ItemId) -> Result<Option<AgendaItem>> {
        self.conn().item(id).await
    }
    /// A meeting's items in agenda order, any status.
    pub async fn meeting_items(&self, meeting: MeetingId) -> Result<Vec<AgendaItem>> {
        self.conn().meeting_items(meeting).await
    }
    pub async fn count_items(&self, meeting: MeetingId) -> Result<i64> {
        self.conn().count_items(meeting).await
    }
    /// Writes an item's changeable fields (meeting, status, reason, merged into, late for,
    /// position, timebox, presenter, carried) if it is still at `item.version`, bumping the
    /// version. False: someone changed it first, and nothing was written.
    pub async fn update_item(&self, item: &AgendaItem, now: DateTime<Utc>) -> Result<bool> {
        self.conn().update_item(item, now).await
    }
    /// An item's history, oldest first.
    pub async fn history(&self, item: ItemId) -> Result<Vec<HistoryEntry>> {
        let rows: Vec<HistoryRow> = on_conn!(&mut self.conn(), |c| sqlx::query_as(
            "SELECT at, event, meeting_id, actor, detail FROM agenda_history
                 WHERE item_id = $1 ORDER BY id"
        )
        .bind(item.0)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(at, event, meeting, actor, detail)| {
                Ok(HistoryEntry {
                    at: from_millis(at)?,
                    event,
                    meeting: meeting.map(MeetingId),
                    actor: actor.map(UserId::from_db),
                    detail,
                })
            })
            .collect()
    }
    pub async fn add_history(&self, h: &NewHistory<'_>) -> Result<()> {
        self.conn().add_history(h).await
    }
    /// A member's items in a guild, newest first.
    pub async fn items_by(
        &self,
        guild: GuildId,
        user: UserId,
        limit: i64,
    ) -> Result<Vec<AgendaItem>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM agenda_items WHERE guild_id = $1 AND proposer = $2
             ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<ItemRow> = on_conn!(&mut self.conn(), |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(user.to_db())
            .bind(limit)
            .fetch_all(c)
            .await)?;
        items(rows)
    }
    /// Open items of a guild's forums whose title contains `partial` (case-insensitive in
    /// ASCII), newest first, for autocomplete.
    pub async fn open_items_like(
        &self,
        guild: GuildId,
        partial: &str,
        limit: i64,
    ) -> Result<Vec<AgendaItem>> {
        let pattern = format!(
            "%{}%",
            super::jobs::like_escape(&partial.trim().to_lowercase())
        );
        let sql = format!(
            "SELECT {COLUMNS} FROM agenda_items WHERE guild_id = $1
               AND status IN ('proposed', 'accepted', 'deferred')
               AND (LOWER(title) LIKE $2 ESCAPE '\\' OR CAST(id AS TEXT) = $3)
             ORDER BY id DESC LIMIT $4"
        );
        let rows: Vec<ItemRow> = on_conn!(&mut self.conn(), |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(&pattern)
            .bind(partial.trim().trim_start_matches('#'))
            .bind(limit)
            .fetch_all(c)
            .await)?;
        items(rows)
    }
    pub async fn publication(&self, meeting: MeetingId) -> Result<Option<(DateTime<Utc>, String)>> {
        self.conn().publication(meeting).await
    }
    /// Marks roles of a guild as organisations (or not).
    pub async fn set_organisation(&self, guild: GuildId, role: RoleId, on: bool) -> Result<bool> {
        let n = if on {
            on_conn!(&mut self.conn(), |c| sqlx::query(
                "INSERT INTO organisations (guild_id, role_id) VALUES ($1, $2)
                 ON CONFLICT (guild_id, role_id) DO NOTHING"
            )
            .bind(guild.to_db())
            .bind(role.to_db())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?
        } else {
            on_conn!(&mut self.conn(), |c| sqlx::query(
                "DELETE FROM organisations WHERE guild_id = $1 AND role_id = $2"
            )
            .bind(guild.to_db())
            .bind(role.to_db())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?
        };
        Ok(n > 0)
    }
    /// The roles of a guild marked as organisations.
    pub async fn organisations(&self, guild: GuildId) -> Result<Vec<RoleId>> {
        let rows: Vec<(i64,)> = on_conn!(&mut self.conn(), |c| sqlx::query_as(
            "SELECT role_id FROM organisations WHERE guild_id = $1 ORDER BY role_id"
        )
        .bind(guild.to_db())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(|(r,)| RoleId::from_db(r)).collect())
    }
    /// The forums of a guild that meet in a channel.
    pub async fn forums_in_channel(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Result<Vec<ForumId>> {
        let rows: Vec<(i64,)> = on_conn!(&mut self.conn(), |c| sqlx::query_as(
            "SELECT id FROM forums WHERE guild_id = $1 AND channel_id = $2 ORDER BY id"
        )
        .bind(guild.to_db())
        .bind(channel.to_db())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(|(f,)| ForumId(f)).collect())
    }
}
