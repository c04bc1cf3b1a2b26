//! Forums in the database.

use std::str::FromStr;

use chrono_tz::Tz;

use super::{
    conflict_on_unique, from_millis, on_conn, on_pool, to_millis, Conn, Result, Store, StoreError,
    Tx,
};
use crate::domain::forum::{Forum, NewForum};
use crate::domain::ids::{ChannelId, ForumId, GuildId, RoleId};
use crate::domain::meeting::MeetingId;
use crate::domain::record::{code_candidates, derive_code};
use crate::domain::reminder::ReminderPolicy;
use crate::domain::text::{name_key, swedish_cmp};
use crate::i18n::Lang;

/// Derived-code candidates checked per query (`LF`, `LF2`, … `LF64`).
const CODE_BATCH: usize = 64;

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
    secretary_role: Option<i64>,
    approver_role: Option<i64>,
    code: Option<String>,
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
            secretary_role: r.secretary_role.map(RoleId::from_db),
            approver_role: r.approver_role.map(RoleId::from_db),
            code: r.code,
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
    secretary_role, approver_role, code, created_at, schedule, reminders, participant_role, delivery_problem";

/// A forum with its guild's language (see [`Store::forum_of_meeting`]).
#[derive(sqlx::FromRow)]
struct ForumLanguageRow {
    #[sqlx(flatten)]
    forum: ForumRow,
    language: Option<String>,
}

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
        let mut forum: Forum = row.try_into()?;
        forum.code = Some(self.assign_code(&forum).await?);
        Ok(forum)
    }

    /// The forum's code, given one derived from its name if it has none yet (a forum created
    /// before codes existed): the first of `LF`, `LF2`, … no other forum of the guild uses,
    /// nor any decision number of another forum.
    pub(crate) async fn assign_code(&mut self, forum: &Forum) -> Result<String> {
        if let Some(code) = &forum.code {
            return Ok(code.clone());
        }
        let base = derive_code(&forum.name);
        // Candidates are checked a batch per query: a guild with hundreds of forums sharing
        // initials (`Forum 1`, `Forum 12`, …) would otherwise cost a query per forum before.
        let mut candidates = code_candidates(&base);
        loop {
            let batch: Vec<String> = candidates.by_ref().take(CODE_BATCH).collect();
            let taken = self.codes_taken(forum.guild, forum.id, &batch).await?;
            let Some(candidate) = batch.into_iter().find(|c| !taken.contains(c)) else {
                continue;
            };
            on_conn!(self, |c| sqlx::query(
                "UPDATE forums SET code = $1 WHERE id = $2 AND code IS NULL"
            )
            .bind(&candidate)
            .bind(forum.id.0)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            return Ok(candidate);
        }
    }

    /// Which of `codes` another forum of the guild uses, as its code or in its decision
    /// numbers: one query for all of them.
    async fn codes_taken(
        &mut self,
        guild: GuildId,
        forum: ForumId,
        codes: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        // `VALUES` names its column `column1` on both backends.
        let values: Vec<String> = (0..codes.len()).map(|i| format!("(${})", i + 3)).collect();
        let sql = format!(
            "SELECT t.column1 FROM (VALUES {}) AS t
             WHERE EXISTS (SELECT 1 FROM forums
                           WHERE guild_id = $1 AND code = t.column1 AND id <> $2)
                OR EXISTS (SELECT 1 FROM decisions
                           WHERE guild_id = $1 AND code = t.column1 AND forum_id <> $2)",
            values.join(", ")
        );
        let rows: Vec<(String,)> = on_conn!(self, |c| {
            let mut q = sqlx::query_as(&sql).bind(guild.to_db()).bind(forum.0);
            for code in codes {
                q = q.bind(code);
            }
            q.fetch_all(c).await
        })?;
        Ok(rows.into_iter().map(|(c,)| c).collect())
    }

    /// Is `code` used by another forum of the guild, or in a decision number of another forum?
    /// (A typed code; derived ones are checked in batches by [`Self::codes_taken`].)
    pub(crate) async fn code_taken(
        &mut self,
        guild: GuildId,
        forum: ForumId,
        code: &str,
    ) -> Result<bool> {
        let row: Option<(i64,)> = on_conn!(self, |c| sqlx::query_as(
            "SELECT id FROM forums WHERE guild_id = $1 AND code = $2 AND id <> $3
             UNION ALL
             SELECT forum_id FROM decisions WHERE guild_id = $1 AND code = $2 AND forum_id <> $3
             LIMIT 1"
        )
        .bind(guild.to_db())
        .bind(code)
        .bind(forum.0)
        .fetch_optional(c)
        .await)?;
        Ok(row.is_some())
    }

    /// Sets the forum's roles and code (`None` leaves one as it is). A code another forum
    /// uses is [`StoreError::Conflict`].
    async fn set_forum_record(&mut self, forum: ForumId, set: &RecordSettings) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "UPDATE forums SET chair_role = COALESCE($1, chair_role),
                               secretary_role = COALESCE($2, secretary_role),
                               approver_role = COALESCE($3, approver_role),
                               code = COALESCE($4, code)
             WHERE id = $5"
        )
        .bind(set.chair_role.map(RoleId::to_db))
        .bind(set.secretary_role.map(RoleId::to_db))
        .bind(set.approver_role.map(RoleId::to_db))
        .bind(set.code.as_deref())
        .bind(forum.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_on_unique(e, "forum code"))?;
        Ok(())
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

    /// A forum by id alone (for jobs, which carry no guild), in one query.
    pub(super) async fn forum_by_id(&mut self, id: ForumId) -> Result<Option<Forum>> {
        let sql = format!("SELECT {COLUMNS} FROM forums WHERE id = $1");
        let row: Option<ForumRow> = on_conn!(self, |c| sqlx::query_as(&sql)
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

/// A forum's record roles and decision code, as `/forum edit` or a template sets them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordSettings {
    pub chair_role: Option<RoleId>,
    pub secretary_role: Option<RoleId>,
    pub approver_role: Option<RoleId>,
    pub code: Option<String>,
}

impl RecordSettings {
    pub fn is_empty(&self) -> bool {
        *self == RecordSettings::default()
    }
}

impl Tx {
    /// Sets a forum's roles and code (see [`RecordSettings`]); a code in use is a conflict.
    pub async fn set_forum_record(&mut self, forum: ForumId, set: &RecordSettings) -> Result<()> {
        self.write()?.set_forum_record(forum, set).await
    }

    /// Is `code` in use by another forum of the guild (or in its decision numbers)?
    pub async fn code_taken(&mut self, guild: GuildId, forum: ForumId, code: &str) -> Result<bool> {
        self.conn().code_taken(guild, forum, code).await
    }

    /// The forum's code, assigned from its name if it had none.
    pub async fn assign_code(&mut self, forum: &Forum) -> Result<String> {
        self.write()?.assign_code(forum).await
    }

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
    /// The forum a meeting belongs to and its guild's language (`None`: not set), in one
    /// query: what a job about the meeting reads besides the meeting itself. `None` when the
    /// meeting or its forum is gone.
    pub async fn forum_of_meeting(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<(Forum, Option<Lang>)>> {
        let cols = COLUMNS
            .split(',')
            .map(|c| format!("f.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols}, g.language FROM meetings m
             JOIN forums f ON f.id = m.forum_id
             LEFT JOIN guilds g ON g.id = f.guild_id
             WHERE m.id = $1"
        );
        let row: Option<ForumLanguageRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_optional(p)
            .await)?;
        row.map(|r| {
            let lang = r.language.as_deref().and_then(Lang::from_code);
            Forum::try_from(r.forum).map(|f| (f, lang))
        })
        .transpose()
    }

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
