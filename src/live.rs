//! Messages the bot keeps current ("live messages"): what the agenda side says changed, and the
//! content the live-message facility renders when it (re)draws one.
//!
//! The use cases call [`LiveHook::changed`] after committing a change to something shown in a
//! live message; the facility (built in `app.rs`) coalesces those calls, asks
//! `Services::live_document` for the current content and edits its message(s). The default hook
//! does nothing, so services and tests without a platform need none.

use async_trait::async_trait;

use crate::domain::ids::{ChannelId, ForumId, GuildId, RoleId};
use crate::domain::meeting::MeetingId;
use crate::i18n::{Lang, Msg};

/// What a live message shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiveKey {
    /// A meeting's published agenda, in its forum's channel.
    Agenda(MeetingId),
    /// What awaits the chair's triage in a forum.
    Triage(ForumId),
}

impl LiveKey {
    /// A stable text form (`agenda:12`, `triage:3`), for keys and custom ids.
    pub fn key(&self) -> String {
        match self {
            LiveKey::Agenda(m) => format!("agenda:{}", m.0),
            LiveKey::Triage(f) => format!("triage:{}", f.0),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (kind, id) = s.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "agenda" => Some(LiveKey::Agenda(MeetingId(id))),
            "triage" => Some(LiveKey::Triage(ForumId(id))),
            _ => None,
        }
    }
}

/// The current content of a live message.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveDocument {
    pub guild: GuildId,
    pub channel: ChannelId,
    /// The guild's language.
    pub lang: Lang,
    /// One block per entry; a message may be split between blocks only
    /// (`render::split_blocks`).
    pub blocks: Vec<Msg>,
    /// The only role a live message may ping (none for agendas).
    pub mention_role: Option<RoleId>,
}

#[async_trait]
pub trait LiveHook: Send + Sync + 'static {
    /// Something behind `key` changed and is committed: re-render it soon.
    async fn changed(&self, key: &LiveKey);
}

/// No live messages (the shell, service tests).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLive;

#[async_trait]
impl LiveHook for NoLive {
    async fn changed(&self, _key: &LiveKey) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for k in [LiveKey::Agenda(MeetingId(12)), LiveKey::Triage(ForumId(3))] {
            assert_eq!(LiveKey::parse(&k.key()), Some(k));
        }
        assert_eq!(LiveKey::parse("agenda:x"), None);
        assert_eq!(LiveKey::parse("other:1"), None);
    }
}
