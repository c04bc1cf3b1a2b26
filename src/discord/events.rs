//! Gateway events that keep the guild directory in the store current.

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use serenity::FullEvent;

use super::{Data, Error};
use crate::domain::ids::{ChannelId, GuildId, RoleId};
use crate::store::GuildDirectory;

pub async fn on_event(
    framework: poise::FrameworkContext<'_, Data, Error>,
    event: &FullEvent,
) -> Result<(), Error> {
    let data = framework.user_data;
    let store = &data.services.store;
    match event {
        FullEvent::InteractionCreate { interaction } => {
            super::whistleblowing::on_interaction(framework, interaction).await;
            super::interactions::on_interaction(framework, interaction).await;
        }
        FullEvent::GuildCreate { guild, .. } => {
            // Hand over the small directory and return at once: serenity keeps the whole
            // `Guild` alive until this handler returns, and at start-up a thousand of them
            // arrive together. One writer stores them, many per transaction.
            let handed_over = data.directories.send(directory(guild));
            if handed_over.is_err() {
                tracing::warn!(guild = %guild.id, "the directory writer has stopped; guild not recorded");
            }
        }
        FullEvent::GuildUpdate { new_data, .. } => {
            // Name and roles (a GUILD_UPDATE carries no channels).
            let mut roles: Vec<(RoleId, String)> = new_data
                .roles
                .values()
                .map(|r| (RoleId(r.id.get()), r.name.clone()))
                .collect();
            roles.sort();
            store
                .update_guild(GuildId(new_data.id.get()), &new_data.name, &roles)
                .await
                .context("recording a GUILD_UPDATE")?;
        }
        // `unavailable` is an outage, which passes; otherwise the bot left or was removed, and
        // its channels and roles are no longer ours to know. Forums and settings stay.
        FullEvent::GuildDelete { incomplete, .. } if !incomplete.unavailable => {
            store
                .forget_guild_directory(GuildId(incomplete.id.get()))
                .await
                .context("recording a GUILD_DELETE")?;
        }
        FullEvent::ChannelCreate { channel } | FullEvent::ChannelUpdate { new: channel, .. }
            if keeps(channel.kind) =>
        {
            store
                .upsert_channel(
                    GuildId(channel.guild_id.get()),
                    ChannelId(channel.id.get()),
                    &channel.name,
                )
                .await
                .context("recording a channel")?;
        }
        FullEvent::ChannelDelete { channel, .. } => {
            store
                .remove_channel(GuildId(channel.guild_id.get()), ChannelId(channel.id.get()))
                .await
                .context("removing a channel")?;
        }
        FullEvent::GuildRoleCreate { new } | FullEvent::GuildRoleUpdate { new, .. } => {
            store
                .upsert_role(GuildId(new.guild_id.get()), RoleId(new.id.get()), &new.name)
                .await
                .context("recording a role")?;
        }
        FullEvent::GuildRoleDelete {
            guild_id,
            removed_role_id,
            ..
        } => {
            store
                .remove_role(GuildId(guild_id.get()), RoleId(removed_role_id.get()))
                .await
                .context("removing a role")?;
        }
        _ => {}
    }
    Ok(())
}

/// Stores guild directories as they arrive, batching whatever is waiting into one
/// transaction. Ends when every sender is gone.
pub async fn directory_writer(
    services: crate::service::Services,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<GuildDirectory>,
) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, 200).await > 0 {
        let now = services.now_ms();
        match services.store.sync_guilds(&batch, now).await {
            Ok(changed) => {
                tracing::debug!(changed, received = batch.len(), "guild directories stored")
            }
            Err(e) => {
                tracing::error!(error = %e, count = batch.len(), "could not store guild directories")
            }
        }
        batch.clear();
    }
}

/// Channels a forum can meet in: those with a text chat.
pub(super) fn keeps(kind: serenity::ChannelType) -> bool {
    matches!(
        kind,
        serenity::ChannelType::Text
            | serenity::ChannelType::News
            | serenity::ChannelType::Voice
            | serenity::ChannelType::Stage
    )
}

fn directory(guild: &serenity::Guild) -> GuildDirectory {
    let mut channels: Vec<(ChannelId, String)> = guild
        .channels
        .values()
        .filter(|c| keeps(c.kind))
        .map(|c| (ChannelId(c.id.get()), c.name.clone()))
        .collect();
    channels.sort();
    let mut roles: Vec<(RoleId, String)> = guild
        .roles
        .values()
        .map(|r| (RoleId(r.id.get()), r.name.clone()))
        .collect();
    roles.sort();
    GuildDirectory {
        id: GuildId(guild.id.get()),
        name: guild.name.clone(),
        channels,
        roles,
    }
}
