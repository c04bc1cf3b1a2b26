//! Forums in the database.

use std::str::FromStr;

use chrono_tz::Tz;

use super::{
    conflict_on_unique, from_millis, on_conn, on_pool, to_millis, Conn, Result, Store, StoreError,
    Tx,
};
use crate::domain::forum::{Forum, NewForum};
use crate::domain::ids::{ChannelId, ForumId, GuildId, RoleId};
use crate::domain::reminder::ReminderPolicy;
use crate::domain::text::{name_key, swedish_cmp};

#[derive(sqlx::FromRow)]
struct ForumRow {
    id: i64,
    guild_id: i64,
    name: String,
    tier: String,
    channel_id: i64,
    time_zone: String,
    escalates_to: Option<i64>,
    chair_role: Option<i64>,
    created_at: i64,
    schedule: Option<String>,
    reminders: Option<String>,
    participant_role: Option<i64>,
    delivery_problem: Option<String>,
}

impl TryFrom<ForumRow> for Forum {
    type Error = StoreError;
    fn try_from(r: ForumRow) -> Result<Self> {
        Ok(Forum {
            id: ForumId(r.id),
            guild: GuildId::from_db(r.guild_id),
            name: r.name,
            tier: r.tier,
            channel: ChannelId::from_db(r.channel_id),
            time_zone: Tz::from_str(&r.time_zone)
                .map_err(|_| StoreError::Corrupt(format!("time zone {:?}", r.time_zone)))?,
            escalates_to: r.escalates_to.map(ForumId),
            chair_role: r.chair_role.map(RoleId::from_db),
            created_at: from_millis(r.created_at)?,
            schedule: r
                .schedule
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("forum schedule: {e}")))?,
            reminders: r
                .reminders
                .as_deref()
                .map(ReminderPolicy::parse)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("reminder policy: {e:?}")))?,
            participant_role: r.participant_role.map(RoleId::from_db),
            delivery_problem: r.delivery_problem,
        })
    }
}

const COLUMNS: &str = "id, guild_id, name, tier, channel_id, time_zone, escalates_to, chair_role,
    created_at, schedule, reminders, participant_role, delivery_problem";

/// Forums in Swedish alphabetical order (sorted here: database collations differ).
fn rows_to_forums(rows: Vec<ForumRow>) -> Result<Vec<Forum>> {
    let mut forums = rows
        .into_iter()
        .map(Forum::try_from)
        .collect::<Result<Vec<_>>>()?;
    forums.sort_by(|a, b| swedish_cmp(&a.name, &b.name));
    Ok(forums)
}

/// Forum queries a use case may run inside its transaction.
impl Conn<'_> {
    async fn create_forum(&mut self, f: &NewForum) -> Result<Forum> {
        if let Some(target) = f.escalates_to {
            let found: Option<(i64,)> = on_conn!(self, |c| sqlx::query_as(
                "SELECT id FROM forums WHERE id = $1 AND guild_id = $2"
            )
            .bind(target.0)
            .bind(f.guild.to_db())
            .fetch_optional(c)
            .await)?;
            if found.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        let sql = format!(
            "INSERT INTO forums (guild_id, name, name_key, tier, channel_id, time_zone,
                                 escalates_to, chair_role, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        );
        let row: ForumRow = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(f.guild.to_db())
            .bind(&f.name)
            .bind(f.name_key())
            .bind(&f.tier)
            .bind(f.channel.to_db())
            .bind(f.time_zone.name())
            .bind(f.escalates_to.map(|e| e.0))
            .bind(f.chair_role.map(RoleId::to_db))
            .bind(to_millis(f.created_at))
            .fetch_one(c)
            .await)
        .map_err(|e| conflict_on_unique(e, "forum name"))?;
        row.try_into()
    }

    async fn forum(&mut self, guild: GuildId, id: ForumId) -> Result<Option<Forum>> {
        let sql = format!("SELECT {COLUMNS} FROM forums WHERE guild_id = $1 AND id = $2");
        let row: Option<ForumRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        row.map(Forum::try_from).transpose()
    }

    async fn forum_named(&mut self, guild: GuildId, name: &str) -> Result<Option<Forum>> {
        let sql = format!("SELECT {COLUMNS} FROM forums WHERE guild_id = $1 AND name_key = $2");
        let row: Option<ForumRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(name_key(name.trim()))
            .fetch_optional(c)
            .await)?;
        row.map(Forum::try_from).transpose()
    }
}

impl Tx {
    /// Creates a forum (see [`Store::create_forum`]) inside the use case's transaction. On
    /// PostgreSQL a conflict aborts the transaction: the use case must end it.
    pub async fn create_forum(&mut self, f: &NewForum) -> Result<Forum> {
        self.write()?.create_forum(f).await
    }

    pub async fn forum(&mut self, guild: GuildId, id: ForumId) -> Result<Option<Forum>> {
        self.conn().forum(guild, id).await
    }

    pub async fn forum_named(&mut self, guild: GuildId, name: &str) -> Result<Option<Forum>> {
        self.conn().forum_named(guild, name).await
    }
}

impl Store {
    /// Creates a forum. A name already used in the guild (case-insensitive) is
    /// [`StoreError::Conflict`]; an escalation target must be a forum of the same guild.
    pub async fn create_forum(&self, f: &NewForum) -> Result<Forum> {
        let mut tx = self.begin().await?;
        let forum = tx.create_forum(f).await?;
        tx.commit().await?;
        Ok(forum)
    }

    /// A forum of this guild, by id: another guild's forum is not found.
    pub async fn forum(&self, guild: GuildId, id: ForumId) -> Result<Option<Forum>> {
        self.conn().forum(guild, id).await
    }

    /// A forum of this guild by name, case-insensitive.
    pub async fn forum_named(&self, guild: GuildId, name: &str) -> Result<Option<Forum>> {
        self.conn().forum_named(guild, name).await
    }

    /// All forums of a guild, by name.
    pub async fn forums(&self, guild: GuildId) -> Result<Vec<Forum>> {
        let sql = format!("SELECT {COLUMNS} FROM forums WHERE guild_id = $1");
        let rows: Vec<ForumRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .fetch_all(p)
            .await)?;
        rows_to_forums(rows)
    }

    /// Names of this guild's forums containing `partial` (case-insensitive), for autocomplete.
    pub async fn forum_names_like(
        &self,
        guild: GuildId,
        partial: &str,
        limit: i64,
    ) -> Result<Vec<String>> {
        // LIKE's wildcards in the user's text are matched literally.
        let pattern = format!("%{}%", super::jobs::like_escape(&name_key(partial.trim())));
        let rows: Vec<(String,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT name FROM forums WHERE guild_id = $1 AND name_key LIKE $2 ESCAPE '\\'"
        )
        .bind(guild.to_db())
        .bind(&pattern)
        .fetch_all(p)
        .await)?;
        let mut names: Vec<String> = rows.into_iter().map(|r| r.0).collect();
        names.sort_by(|a, b| swedish_cmp(a, b));
        names.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(names)
    }
}
