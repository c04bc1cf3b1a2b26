//! Gateway events that keep the guild directory in the store current.

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
        }
        FullEvent::GuildCreate { guild, .. } => {
            let dir = directory(guild);
            let now = data.services.now_ms();
            if store.sync_guild(&dir, now).await? {
                tracing::debug!(guild = %dir.id, "guild directory updated");
            }
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
                .await?;
        }
        FullEvent::ChannelDelete { channel, .. } => {
            store
                .remove_channel(GuildId(channel.guild_id.get()), ChannelId(channel.id.get()))
                .await?;
        }
        FullEvent::GuildRoleCreate { new } | FullEvent::GuildRoleUpdate { new, .. } => {
            store
                .upsert_role(GuildId(new.guild_id.get()), RoleId(new.id.get()), &new.name)
                .await?;
        }
        FullEvent::GuildRoleDelete {
            guild_id,
            removed_role_id,
            ..
        } => {
            store
                .remove_role(GuildId(guild_id.get()), RoleId(removed_role_id.get()))
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Channels a forum can meet in: those with a text chat.
fn keeps(kind: serenity::ChannelType) -> bool {
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
