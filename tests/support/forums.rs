//! Driving the real bot through its slash commands as a server admin, for the end-to-end tests
//! and benchmarks that run it against the Discord test double (declared as `mod double`).
#![allow(dead_code)]

use std::time::Duration;

use crate::double::{DiscordDouble, MemberSpec, Opt, MEMBER_PERMISSIONS, PERM_MANAGE_GUILD};

/// How long a reply may take.
const REPLY: Duration = Duration::from_secs(20);

/// A member with Manage Server.
pub fn admin() -> MemberSpec {
    MemberSpec {
        permissions: MEMBER_PERMISSIONS | PERM_MANAGE_GUILD,
        ..MemberSpec::new(3_000_000_000_000_000_001, "anna")
    }
}

/// Runs a slash command as [`admin`] in `channel`; returns the reply's text.
pub async fn say(
    d: &DiscordDouble,
    guild: u64,
    channel: u64,
    path: &[&str],
    opts: Vec<Opt<'_>>,
) -> String {
    let i = d.slash(guild, channel, &admin(), path, opts).await;
    d.wait_response(&i, REPLY)
        .await
        .expect("reply")
        .text()
        .to_string()
}

/// A forum meeting on Tuesdays from 3 November 2026, in its own channel.
pub struct Weekly<'a> {
    pub name: &'a str,
    pub channel: u64,
    pub time: &'a str,
    /// The guild's default when `None`.
    pub time_zone: Option<&'a str>,
    pub reminders: &'a str,
}

/// Sets `w` up with `/forum create` and `/forum edit`; returns the two replies.
pub async fn weekly_forum(d: &DiscordDouble, guild: u64, w: &Weekly<'_>) -> (String, String) {
    let created = say(
        d,
        guild,
        w.channel,
        &["forum", "create"],
        vec![
            Opt::Str("name", w.name),
            Opt::Str("tier", "delivery"),
            Opt::Channel("channel", w.channel),
        ],
    )
    .await;
    let mut edit = vec![
        Opt::Str("forum", w.name),
        Opt::Str("cadence", "weekly tue"),
        Opt::Str("time", w.time),
        Opt::Str("start_date", "2026-11-03"),
        Opt::Str("reminders", w.reminders),
    ];
    if let Some(zone) = w.time_zone {
        edit.push(Opt::Str("time_zone", zone));
    }
    let edited = say(d, guild, w.channel, &["forum", "edit"], edit).await;
    (created, edited)
}

/// One rung of an escalation ladder: a forum meeting on Tuesdays at `time` from 3 November
/// 2026, in its own channel, escalating to the forum named (none: the top), with a chair role.
pub struct Rung<'a> {
    pub name: &'a str,
    pub tier: &'a str,
    pub channel: u64,
    pub escalates_to: Option<&'a str>,
    pub chair_role: Option<u64>,
    pub time: &'a str,
}

/// Sets `r` up with `/forum create` and `/forum edit`; returns the two replies.
pub async fn ladder_forum(d: &DiscordDouble, guild: u64, r: &Rung<'_>) -> (String, String) {
    let mut create = vec![
        Opt::Str("name", r.name),
        Opt::Str("tier", r.tier),
        Opt::Channel("channel", r.channel),
    ];
    if let Some(up) = r.escalates_to {
        create.push(Opt::Str("escalates_to", up));
    }
    if let Some(role) = r.chair_role {
        create.push(Opt::Role("chair_role", role));
    }
    let created = say(d, guild, r.channel, &["forum", "create"], create).await;
    let edited = say(
        d,
        guild,
        r.channel,
        &["forum", "edit"],
        vec![
            Opt::Str("forum", r.name),
            Opt::Str("cadence", "weekly tue"),
            Opt::Str("time", r.time),
            Opt::Str("start_date", "2026-11-03"),
        ],
    )
    .await;
    (created, edited)
}
