//! Live documents: one logical document (a published agenda) shown as one or more messages in
//! a channel and kept current. Services say *that* something changed ([`LiveHook::changed`],
//! or [`crate::store::Tx::live_changed`] inside their transaction); the refresh job
//! (`scheduler::live`) asks a [`LiveSource`] for the document as it is now, renders it for
//! the platform, splits it between blocks, and edits the messages in place (adding or
//! deleting messages as it grows or shrinks). Edits are coalesced: at most one refresh is
//! pending per document, and refreshes are at least [`MIN_GAP`] apart.
//!
//! The messages' ids are a mirror (`live_messages`), never part of the domain.

use async_trait::async_trait;

use crate::action::Button;
use crate::domain::ids::{ChannelId, ForumId, GuildId, RoleId};
use crate::domain::meeting::MeetingId;
use crate::i18n::{Lang, Msg};
use crate::store::{Result as StoreResult, Tx};

/// The first refresh comes this long after a change (changes in between join it), and
/// refreshes of one document are at least this far apart: 50 changes in 10 s cost at most 10
/// edits, and the latest state shows within about two of these.
pub const MIN_GAP: chrono::Duration = chrono::Duration::seconds(1);

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveKey {
    /// A meeting's published agenda, in its forum's channel.
    Agenda(MeetingId),
    /// A forum's triage list for its chair.
    Triage(ForumId),
}

impl LiveKey {
    /// `agenda:<meeting>`, `triage:<forum>`.
    pub fn key(&self) -> String {
        match self {
            LiveKey::Agenda(m) => format!("agenda:{}", m.0),
            LiveKey::Triage(f) => format!("triage:{}", f.0),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "agenda" => Some(LiveKey::Agenda(MeetingId(id))),
            "triage" => Some(LiveKey::Triage(ForumId(id))),
            _ => None,
        }
    }
}

/// Told when something behind a document changed.
#[async_trait]
pub trait LiveHook: Send + Sync + 'static {
    /// After the change committed (a refresh that cannot be queued is logged).
    async fn changed(&self, key: &LiveKey);

    /// Inside the change's own transaction, so the refresh commits with it, in no extra
    /// round trip or commit (the caller wakes the scheduler after committing). Does nothing
    /// unless the hook queues refreshes.
    async fn changed_in(&self, tx: &mut Tx, keys: &[LiveKey]) -> StoreResult<()> {
        let _ = (tx, keys);
        Ok(())
    }

    /// What [`LiveHook::changed_in`] would queue, for a use case that writes its rows and the
    /// refreshes in one statement (the store's `live_changed` rule): the documents' keys and
    /// the time the refreshes are counted from. `None` when the hook queues nothing.
    fn queued(&self, keys: &[LiveKey]) -> Option<(Vec<String>, chrono::DateTime<chrono::Utc>)> {
        let _ = keys;
        None
    }
}

/// Does nothing (the default, and the shell's).
pub struct NoLive;

#[async_trait]
impl LiveHook for NoLive {
    async fn changed(&self, _key: &LiveKey) {}
}

/// A document as it is now.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveDocument {
    pub guild: GuildId,
    pub channel: ChannelId,
    pub lang: Lang,
    /// The document splits only between blocks (one per agenda entry, say); a block longer
    /// than a message is split at its line breaks.
    pub blocks: Vec<Msg>,
    /// The only role its messages may ping (usually none).
    pub mention_role: Option<RoleId>,
    /// Buttons under the document's last message.
    pub actions: Vec<Button>,
}

/// Where documents come from: the services that own them.
#[async_trait]
pub trait LiveSource: Send + Sync + 'static {
    /// The document now; `None` when there is nothing to show (its messages are deleted).
    async fn document(&self, key: &LiveKey) -> anyhow::Result<Option<LiveDocument>>;
}

/// Knows no documents.
pub struct NoSource;

#[async_trait]
impl LiveSource for NoSource {
    async fn document(&self, _key: &LiveKey) -> anyhow::Result<Option<LiveDocument>> {
        Ok(None)
    }
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
        assert_eq!(LiveKey::parse("minutes:1"), None);
    }
}
