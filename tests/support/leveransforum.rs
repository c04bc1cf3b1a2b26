//! The in-process set-up the service-level tests share: one guild ("Stockholms stad") with its
//! channels, one forum ("Leveransforum", Europe/Stockholm, in the first channel, no schedule yet)
//! and the services over a driven clock.
#![allow(dead_code)]

use std::sync::Arc;

use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId};
use samverkan::service::Services;
use samverkan::store::{GuildDirectory, Store};

/// Stores the guild with `channels` (the forum meets in the first) and the forum, created at the
/// clock's time, and returns the services.
pub async fn setup(
    store: &Store,
    clock: &ManualClock,
    guild: GuildId,
    channels: &[(ChannelId, &str)],
) -> Services {
    store
        .sync_guild(
            &GuildDirectory {
                id: guild,
                name: "Stockholms stad".into(),
                channels: channels
                    .iter()
                    .map(|(id, n)| (*id, n.to_string()))
                    .collect(),
                roles: vec![],
            },
            0,
        )
        .await
        .unwrap();
    store
        .create_forum(&NewForum {
            guild,
            name: "Leveransforum".into(),
            tier: "delivery".into(),
            channel: channels[0].0,
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            created_at: clock.now(),
        })
        .await
        .unwrap();
    Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    )
}
