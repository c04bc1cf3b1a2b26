//! An escalation ladder for service-level tests: one guild with three forums, each in its own
//! channel with its own chair role, weekly on Tuesdays 10:00 (Europe/Stockholm, from
//! 3 November 2026), answers in English: Leveransforum → Verkställande forum → Ledningsforum
//! (the top: it escalates nowhere). Anna chairs Leveransforum, Bo Verkställande forum, Cecilia
//! Ledningsforum.
#![allow(dead_code)]

use std::sync::Arc;

use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, ForumId, GuildId, RoleId, UserId};
use samverkan::service::{Actor, EditForum, Presented, Reply, Services, Status};
use samverkan::store::{GuildDirectory, Store};

pub const G: GuildId = GuildId(900_000_000_000_000_021);

/// One rung: its forum, channel, chair role and chair.
#[derive(Debug, Clone, Copy)]
pub struct Rung {
    pub name: &'static str,
    pub forum: ForumId,
    pub channel: ChannelId,
    pub chair_role: RoleId,
    pub chair: UserId,
}

impl Rung {
    /// Its chair as an actor.
    pub fn chair(&self) -> Actor {
        member(self.chair, &[self.chair_role])
    }
}

pub struct Ladder {
    pub services: Services,
    pub lf: Rung,
    pub vf: Rung,
    pub top: Rung,
}

pub fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

pub fn member(user: UserId, roles: &[RoleId]) -> Actor {
    Actor {
        guild: G,
        user,
        roles: roles.to_vec(),
        manage_guild: false,
    }
}

/// Builds the ladder at the clock's time.
pub async fn setup(store: &Store, clock: &ManualClock) -> Ladder {
    let rungs = [
        ("Ledningsforum", "business", 3u64),
        ("Verkställande forum", "contract", 2),
        ("Leveransforum", "delivery", 1),
    ];
    let channel = |n: u64| ChannelId(800_000_000_000_000_000 + n);
    let role = |n: u64| RoleId(700_000_000_000_000_000 + n);
    let user = |n: u64| UserId(600_000_000_000_000_000 + n);
    store
        .sync_guild(
            &GuildDirectory {
                id: G,
                name: "Stockholms stad".into(),
                channels: rungs
                    .iter()
                    .map(|(name, _, n)| (channel(*n), name.to_lowercase().replace(' ', "-")))
                    .collect(),
                roles: rungs
                    .iter()
                    .map(|(name, _, n)| (role(*n), format!("Ordförande {name}")))
                    .collect(),
            },
            0,
        )
        .await
        .unwrap();
    store
        .set_guild_language(G, samverkan::i18n::Lang::En, 0)
        .await
        .unwrap();
    let services = Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    );
    let mut up: Option<ForumId> = None;
    let mut made = Vec::new();
    for (name, tier, n) in rungs {
        let f = store
            .create_forum(&NewForum {
                guild: G,
                name: name.into(),
                tier: tier.into(),
                channel: channel(n),
                time_zone: chrono_tz::Europe::Stockholm,
                escalates_to: up,
                chair_role: Some(role(n)),
                created_at: clock.now(),
            })
            .await
            .unwrap();
        store
            .upsert_member(G, user(n), &format!("Ordförande {n}"))
            .await
            .unwrap();
        let p = present(
            &services,
            services
                .forum_edit(
                    &admin(),
                    EditForum {
                        forum: name.into(),
                        cadence: Some("weekly tue".into()),
                        time: Some("10:00".into()),
                        start_date: Some("2026-11-03".into()),
                        ..EditForum::default()
                    },
                )
                .await,
        )
        .await;
        assert_eq!(p.status, Status::Ok, "{}", p.text);
        up = Some(f.id);
        made.push(Rung {
            name,
            forum: f.id,
            channel: channel(n),
            chair_role: role(n),
            chair: user(n),
        });
    }
    Ladder {
        services,
        lf: made[2],
        vf: made[1],
        top: made[0],
    }
}

pub async fn present(s: &Services, r: samverkan::error::Result<Reply>) -> Presented {
    crate::harness::present(s, G, r).await
}

/// The reply's text, which must be a success.
pub async fn ok(s: &Services, r: samverkan::error::Result<Reply>) -> String {
    crate::harness::ok(s, G, r).await
}

/// The reply's text, which must be a refusal.
pub async fn refused(s: &Services, r: samverkan::error::Result<Reply>) -> String {
    crate::harness::refused(s, G, r).await
}
