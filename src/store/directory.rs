//! The guild directory: the guilds, channels and roles the bot has seen, so that a forum's
//! channel can be checked to belong to its guild, names shown in the shell, and the bot run
//! without serenity's cache. Shell-local guilds live here too.

use sha2::{Digest, Sha256};

use super::{begin_write, on_pool, Result, Store};
use crate::domain::ids::{local_id, ChannelId, GuildId, RoleId};
use crate::domain::text::name_key;
use crate::i18n::Lang;

/// A guild as Discord describes it (GUILD_CREATE), reduced to what the bot needs.
#[derive(Debug, Clone, PartialEq)]
pub struct GuildDirectory {
    pub id: GuildId,
    pub name: String,
    pub channels: Vec<(ChannelId, String)>,
    pub roles: Vec<(RoleId, String)>,
}

impl GuildDirectory {
    /// A digest of the directory, so an unchanged guild is not rewritten at every start.
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.name.as_bytes());
        for (id, name) in &self.channels {
            h.update(b"\0c");
            h.update(id.0.to_le_bytes());
            h.update(name.as_bytes());
        }
        for (id, name) in &self.roles {
            h.update(b"\0r");
            h.update(id.0.to_le_bytes());
            h.update(name.as_bytes());
        }
        hex::encode(&h.finalize()[..16])
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GuildRecord {
    pub id: GuildId,
    pub name: String,
    pub language: Option<Lang>,
    pub is_local: bool,
}

#[derive(sqlx::FromRow)]
struct GuildRow {
    id: i64,
    name: String,
    language: Option<String>,
    is_local: bool,
}

impl From<GuildRow> for GuildRecord {
    fn from(r: GuildRow) -> Self {
        Self {
            id: GuildId::from_db(r.id),
            name: r.name,
            language: r.language.as_deref().and_then(Lang::from_code),
            is_local: r.is_local,
        }
    }
}

const GUILD_COLUMNS: &str = "id, name, language, is_local";

impl Store {
    /// Records a guild's name, channels and roles. Returns whether anything changed.
    pub async fn sync_guild(&self, dir: &GuildDirectory, now_ms: i64) -> Result<bool> {
        Ok(self.sync_guilds(std::slice::from_ref(dir), now_ms).await? == 1)
    }

    /// Records several guilds in one transaction, skipping those whose directory is unchanged
    /// since it was last stored. Returns how many were written.
    pub async fn sync_guilds(&self, dirs: &[GuildDirectory], now_ms: i64) -> Result<usize> {
        let mut changed = Vec::new();
        for dir in dirs {
            let digest = dir.digest();
            let current: Option<(Option<String>,)> = on_pool!(self, |p| sqlx::query_as(
                "SELECT directory_hash FROM guilds WHERE id = $1"
            )
            .bind(dir.id.to_db())
            .fetch_optional(p)
            .await)?;
            if current.and_then(|c| c.0).as_deref() != Some(digest.as_str()) {
                changed.push((dir, digest));
            }
        }
        if changed.is_empty() {
            return Ok(0);
        }
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            for (dir, digest) in &changed {
                sqlx::query(
                    "INSERT INTO guilds (id, name, name_key, is_local, directory_hash, updated_at)
                 VALUES ($1, $2, $3, FALSE, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
                     directory_hash = excluded.directory_hash, updated_at = excluded.updated_at",
                )
                .bind(dir.id.to_db())
                .bind(&dir.name)
                .bind(name_key(&dir.name))
                .bind(digest)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM channels WHERE guild_id = $1")
                    .bind(dir.id.to_db())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM roles WHERE guild_id = $1")
                    .bind(dir.id.to_db())
                    .execute(&mut *tx)
                    .await?;
                for (id, name) in &dir.channels {
                    sqlx::query(
                    "INSERT INTO channels (guild_id, id, name, name_key) VALUES ($1, $2, $3, $4)",
                )
                .bind(dir.id.to_db())
                .bind(id.to_db())
                .bind(name)
                .bind(name_key(name))
                .execute(&mut *tx)
                .await?;
                }
                for (id, name) in &dir.roles {
                    sqlx::query(
                        "INSERT INTO roles (guild_id, id, name, name_key) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(dir.id.to_db())
                    .bind(id.to_db())
                    .bind(name)
                    .bind(name_key(name))
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await
        })?;
        Ok(changed.len())
    }

    /// GUILD_UPDATE: the guild's name and its roles as they are now (channels are not part of
    /// it). The digest is cleared so the next full GUILD_CREATE rewrites the guild.
    pub async fn update_guild(
        &self,
        id: GuildId,
        name: &str,
        roles: &[(RoleId, String)],
    ) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            sqlx::query(
                "UPDATE guilds SET name = $1, name_key = $2, directory_hash = NULL
                 WHERE id = $3 AND is_local = FALSE",
            )
            .bind(name)
            .bind(name_key(name))
            .bind(id.to_db())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM roles WHERE guild_id = $1")
                .bind(id.to_db())
                .execute(&mut *tx)
                .await?;
            for (role, name) in roles {
                sqlx::query(
                    "INSERT INTO roles (guild_id, id, name, name_key) VALUES ($1, $2, $3, $4)",
                )
                .bind(id.to_db())
                .bind(role.to_db())
                .bind(name)
                .bind(name_key(name))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// GUILD_DELETE (the bot left or was removed): its channels and roles are forgotten; the
    /// guild's own row (its language) and its forums stay, should the bot come back.
    pub async fn forget_guild_directory(&self, id: GuildId) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            for sql in [
                "DELETE FROM channels WHERE guild_id = $1",
                "DELETE FROM roles WHERE guild_id = $1",
                "UPDATE guilds SET directory_hash = NULL WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id.to_db()).execute(&mut *tx).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// A channel was created or renamed. The directory digest is cleared so the next full
    /// GUILD_CREATE rewrites the guild.
    pub async fn upsert_channel(&self, guild: GuildId, id: ChannelId, name: &str) -> Result<()> {
        self.upsert_entry("channels", guild, id.to_db(), name).await
    }

    pub async fn remove_channel(&self, guild: GuildId, id: ChannelId) -> Result<()> {
        self.remove_entry("channels", guild, id.to_db()).await
    }

    pub async fn upsert_role(&self, guild: GuildId, id: RoleId, name: &str) -> Result<()> {
        self.upsert_entry("roles", guild, id.to_db(), name).await
    }

    pub async fn remove_role(&self, guild: GuildId, id: RoleId) -> Result<()> {
        self.remove_entry("roles", guild, id.to_db()).await
    }

    async fn upsert_entry(&self, table: &str, guild: GuildId, id: i64, name: &str) -> Result<()> {
        debug_assert!(table == "channels" || table == "roles");
        let sql = format!(
            "INSERT INTO {table} (guild_id, id, name, name_key) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id, id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key"
        );
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            sqlx::query(&sql)
                .bind(guild.to_db())
                .bind(id)
                .bind(name)
                .bind(name_key(name))
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE guilds SET directory_hash = NULL WHERE id = $1")
                .bind(guild.to_db())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    async fn remove_entry(&self, table: &str, guild: GuildId, id: i64) -> Result<()> {
        debug_assert!(table == "channels" || table == "roles");
        let sql = format!("DELETE FROM {table} WHERE guild_id = $1 AND id = $2");
        on_pool!(self, |p| {
            let mut tx = begin_write!(p).await?;
            sqlx::query(&sql)
                .bind(guild.to_db())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE guilds SET directory_hash = NULL WHERE id = $1")
                .bind(guild.to_db())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    pub async fn guild(&self, id: GuildId) -> Result<Option<GuildRecord>> {
        let sql = format!("SELECT {GUILD_COLUMNS} FROM guilds WHERE id = $1");
        let row: Option<GuildRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(id.to_db())
            .fetch_optional(p)
            .await)?;
        Ok(row.map(Into::into))
    }

    /// Guilds with this name (case-insensitive); names are not unique on Discord.
    pub async fn guilds_named(&self, name: &str) -> Result<Vec<GuildRecord>> {
        let sql = format!("SELECT {GUILD_COLUMNS} FROM guilds WHERE name_key = $1 ORDER BY id");
        let rows: Vec<GuildRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(name_key(name))
            .fetch_all(p)
            .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The shell's own guild of this name, created if missing.
    pub async fn ensure_local_guild(&self, name: &str, now_ms: i64) -> Result<GuildRecord> {
        let id = GuildId(local_id("guild", name));
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO guilds (id, name, name_key, is_local, updated_at)
             VALUES ($1, $2, $3, TRUE, $4) ON CONFLICT (id) DO NOTHING"
        )
        .bind(id.to_db())
        .bind(name)
        .bind(name_key(name))
        .bind(now_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        self.guild(id).await?.ok_or(super::StoreError::NotFound)
    }

    pub async fn set_guild_language(&self, id: GuildId, lang: Lang, now_ms: i64) -> Result<()> {
        // A guild the directory has not seen yet still gets its setting.
        on_pool!(self, |p| {
            sqlx::query(
            "INSERT INTO guilds (id, name, name_key, language, updated_at) VALUES ($1, '', '', $2, $3)
             ON CONFLICT (id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at"
        )
        .bind(id.to_db())
        .bind(lang.code())
        .bind(now_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn channel_name(&self, guild: GuildId, id: ChannelId) -> Result<Option<String>> {
        self.entry_name("channels", guild, id.to_db()).await
    }

    pub async fn role_name(&self, guild: GuildId, id: RoleId) -> Result<Option<String>> {
        self.entry_name("roles", guild, id.to_db()).await
    }

    pub async fn channel_named(&self, guild: GuildId, name: &str) -> Result<Option<ChannelId>> {
        Ok(self
            .entry_named("channels", guild, name)
            .await?
            .map(ChannelId::from_db))
    }

    pub async fn role_named(&self, guild: GuildId, name: &str) -> Result<Option<RoleId>> {
        Ok(self
            .entry_named("roles", guild, name)
            .await?
            .map(RoleId::from_db))
    }

    /// Channels of a guild (id, name), by name.
    pub async fn channels(&self, guild: GuildId) -> Result<Vec<(ChannelId, String)>> {
        let rows: Vec<(i64, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT id, name FROM channels WHERE guild_id = $1 ORDER BY name_key"
        )
        .bind(guild.to_db())
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (ChannelId::from_db(id), n))
            .collect())
    }

    /// Roles of a guild (id, name), by name.
    pub async fn roles(&self, guild: GuildId) -> Result<Vec<(RoleId, String)>> {
        let rows: Vec<(i64, String)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT id, name FROM roles WHERE guild_id = $1 ORDER BY name_key"
        )
        .bind(guild.to_db())
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (RoleId::from_db(id), n))
            .collect())
    }

    async fn entry_name(&self, table: &str, guild: GuildId, id: i64) -> Result<Option<String>> {
        let sql = format!("SELECT name FROM {table} WHERE guild_id = $1 AND id = $2");
        let row: Option<(String,)> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(id)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|r| r.0))
    }

    async fn entry_named(&self, table: &str, guild: GuildId, name: &str) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT id FROM {table} WHERE guild_id = $1 AND name_key = $2 ORDER BY id LIMIT 1"
        );
        let row: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(name_key(name))
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|r| r.0))
    }
}
