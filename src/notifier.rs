//! Outgoing messages from jobs (reminders, notices), independent of the platform. The Discord
//! implementation is `discord::outbox`; tests run the real one against the Discord test double.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::action::OutAction;
use crate::domain::ids::{ChannelId, GuildId, RoleId, UserId};

/// A message for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub channel: ChannelId,
    pub content: String,
    /// Derived from the job's idempotency key: a re-send after a crash carries the same nonce,
    /// and Discord answers with the message it already has instead of posting it again.
    pub nonce: String,
    /// The only role that may be pinged (the forum's participant role), if any.
    pub mention_role: Option<RoleId>,
    /// Buttons under the message (platform-neutral; see [`crate::action`]).
    pub actions: Vec<OutAction>,
}

impl Outgoing {
    /// A message without mentions or buttons.
    pub fn new(channel: ChannelId, content: impl Into<String>, nonce: impl Into<String>) -> Self {
        Self {
            channel,
            content: content.into(),
            nonce: nonce.into(),
            mention_role: None,
            actions: Vec::new(),
        }
    }
}

/// A guild scheduled event mirroring a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSpec {
    pub guild: GuildId,
    pub name: String,
    pub description: String,
    pub location: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Scheduled,
    Active,
    Completed,
    Cancelled,
}

/// Why a send failed, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// Too many requests: try again after this long.
    #[error("rate limited for {0:?}")]
    RateLimited(std::time::Duration),
    /// A server error or a network problem: retry with backoff.
    #[error("transient: {0}")]
    Transient(String),
    /// The channel (or event) is gone.
    #[error("not found: {0}")]
    NotFound(String),
    /// The bot may not post there.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Discord refused the request itself; retrying will not help.
    #[error("rejected: {0}")]
    Rejected(String),
}

impl SendError {
    /// Problems a retry cannot fix: record them and tell a person.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            SendError::NotFound(_) | SendError::Forbidden(_) | SendError::Rejected(_)
        )
    }
}

#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// How this platform shows catalogue messages: jobs render what they post with it.
    fn renderer(&self) -> &dyn crate::render::Render;
    /// Posts a message; returns its id.
    async fn post(&self, message: &Outgoing) -> Result<u64, SendError>;
    /// Posts a message with files attached; returns its id.
    async fn post_with_files(
        &self,
        message: &Outgoing,
        files: &[crate::service::File],
    ) -> Result<u64, SendError> {
        let _ = (message, files);
        Err(SendError::Rejected("files are not supported here".into()))
    }
    /// Starts a thread from a message the bot posted; the thread has the message's id. When
    /// the message already has its thread (an earlier attempt made it), that one is returned.
    async fn start_thread(
        &self,
        channel: ChannelId,
        message: u64,
        name: &str,
    ) -> Result<ChannelId, SendError> {
        let _ = (channel, message, name);
        Err(SendError::Rejected("threads are not supported here".into()))
    }
    /// The channel of direct messages with a user.
    async fn open_dm(&self, user: UserId) -> Result<ChannelId, SendError>;
    /// Sends a direct message (no mentions at all).
    async fn direct(&self, user: UserId, content: &str, nonce: &str) -> Result<u64, SendError> {
        let channel = self.open_dm(user).await?;
        self.post(&Outgoing::new(channel, content, nonce)).await
    }
    /// Replaces the content and buttons of a message the bot posted (its nonce is unused).
    async fn edit(&self, message: u64, out: &Outgoing) -> Result<(), SendError> {
        let _ = (message, out);
        Err(SendError::Rejected("editing is not supported here".into()))
    }
    /// Deletes a message the bot posted.
    async fn delete(&self, channel: ChannelId, message: u64) -> Result<(), SendError> {
        let _ = (channel, message);
        Err(SendError::Rejected("deleting is not supported here".into()))
    }
    /// A message id at or before that of any message posted from now on (a little earlier:
    /// clocks differ). Recorded before a send, it bounds the search for what that send posted.
    fn message_floor(&self) -> u64;
    /// The bot's own messages in a channel with ids after `after` (a floor) and within the
    /// span in which the attempt that recorded it can have posted: (id, content), oldest
    /// first. Finds a message posted by a process that died before recording it, however
    /// long ago (Discord's nonce de-duplication lasts only minutes).
    async fn own_messages_after(
        &self,
        channel: ChannelId,
        after: u64,
    ) -> Result<Vec<(u64, String)>, SendError>;
    /// Creates a scheduled event; returns its id. `marker` goes into the description so an
    /// event created just before a crash can be found again instead of duplicated.
    async fn create_event(&self, spec: &EventSpec, marker: &str) -> Result<u64, SendError>;
    /// Finds an event of ours by its marker.
    async fn find_event(&self, guild: GuildId, marker: &str) -> Result<Option<u64>, SendError>;
    async fn update_event(
        &self,
        guild: GuildId,
        event: u64,
        spec: Option<&EventSpec>,
        status: Option<EventStatus>,
    ) -> Result<(), SendError>;
}

/// A Discord nonce (at most 25 characters) from an idempotency key.
pub fn nonce_for(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(digest)[..25].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_stable_short_and_distinct() {
        let a = nonce_for("reminder:1:r:2026-12-01:1d");
        assert_eq!(a, nonce_for("reminder:1:r:2026-12-01:1d"));
        assert_eq!(a.len(), 25);
        assert_ne!(a, nonce_for("reminder:1:r:2026-12-01:15m"));
    }
}
