//! Identifier newtypes, so a channel id can never be passed where a role id belongs.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! snowflake {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl $name {
            /// Databases have no unsigned 64-bit integer: store the same bits as i64.
            pub fn to_db(self) -> i64 {
                self.0 as i64
            }
            pub fn from_db(v: i64) -> Self {
                Self(v as u64)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

snowflake!(
    /// A Discord guild (server), or a shell-local one.
    GuildId,
    /// A channel in a guild.
    ChannelId,
    /// A role in a guild.
    RoleId,
    /// A Discord user.
    UserId,
);

/// A chat message, where it is: what a context-menu command was used on, and what an item
/// made from it links back to. Shown by each platform its own way (Discord: a jump link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    pub guild: GuildId,
    pub channel: ChannelId,
    pub message: u64,
}

impl fmt::Display for MessageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.guild, self.channel, self.message)
    }
}

impl MessageRef {
    /// `guild/channel/message`, or a message link ending so
    /// (`https://discord.com/channels/1/2/3`).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().trim_end_matches('/').rsplit('/');
        let message = parts.next()?.parse().ok()?;
        let channel = ChannelId(parts.next()?.parse().ok()?);
        let guild = GuildId(parts.next()?.parse().ok()?);
        Some(Self {
            guild,
            channel,
            message,
        })
    }
}

/// A forum's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ForumId(pub i64);

impl fmt::Display for ForumId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Ids below this are never Discord snowflakes (a snowflake carries its creation time in the
/// high bits, so even the first ones from 2015 are above 2^40): the shell uses them for guilds,
/// channels, roles and users it makes up locally.
pub const LOCAL_ID_LIMIT: u64 = 1 << 40;

/// A stable local id for a name (FNV-1a, folded into the local range, never 0).
pub fn local_id(namespace: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in namespace
        .bytes()
        .chain([0u8])
        .chain(name.to_lowercase().bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % (LOCAL_ID_LIMIT - 1)) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_round_trip_keeps_all_bits() {
        let id = GuildId(u64::MAX - 5);
        assert_eq!(GuildId::from_db(id.to_db()), id);
    }

    #[test]
    fn local_ids_are_stable_case_insensitive_and_local() {
        let a = local_id("channel", "Leveransforum");
        assert_eq!(a, local_id("channel", "leveransforum"));
        assert_ne!(a, local_id("role", "leveransforum"));
        assert!(a > 0 && a < LOCAL_ID_LIMIT);
    }
}
