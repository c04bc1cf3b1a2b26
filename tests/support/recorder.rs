//! A recording notifier for in-process scheduler tests: keeps what was posted per channel,
//! answers as scripted (rate limits, transient errors, a message stored but its answer lost,
//! a send that hangs like a process that died mid-request), and has no nonce memory at all —
//! the worst case, an outage longer than Discord's nonce window — unless told to remember
//! nonces (`remember_nonces`: Discord within its window, for sends that overlap).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::notifier::{EventSpec, EventStatus, Notifier, Outgoing, SendError};
use tokio::sync::Notify;

/// How the next post is answered.
#[derive(Debug, Clone)]
pub enum Answer {
    Ok,
    RateLimited(Duration),
    /// A 5xx: nothing stored.
    Transient,
    /// Stored, but the answer never arrived (a timeout, a reset connection).
    StoredButLost,
    /// Stored, then the request hangs for ever: the process dies before it hears back.
    StoredThenHang,
    /// Hangs before anything is stored.
    Hang,
    /// Unknown Channel.
    NotFound,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    pub id: u64,
    pub channel: ChannelId,
    pub content: String,
    pub nonce: String,
}

#[derive(Default)]
struct State {
    last_id: u64,
    messages: Vec<Posted>,
    script: VecDeque<Answer>,
    posts: usize,
    lists: usize,
    /// Status changes asked of scheduled events: (event, status).
    events: Vec<(u64, EventStatus)>,
    edits: usize,
    deletes: usize,
    /// Threads started: (thread id = message id, parent, name).
    threads: Vec<(u64, ChannelId, String)>,
    /// A post whose nonce a stored message of the channel carries answers with that message.
    remember_nonces: bool,
    /// Files posted with messages: (message id, file name, bytes).
    files: Vec<(u64, String, Vec<u8>)>,
}

#[derive(Clone, Default)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
    /// Released by `release`: posts scripted to wait on the gate (`gated`).
    gate: Arc<Notify>,
    gated: Arc<Mutex<bool>>,
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    fn st(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Answers for the next posts, in order; then `Ok`.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.st().script.extend(answers);
    }

    /// From now on a post with the nonce of a message stored in its channel stores nothing and
    /// answers with that message, as Discord does within its nonce window.
    pub fn remember_nonces(&self) {
        self.st().remember_nonces = true;
    }

    /// Posts wait until `release` (a slow Discord, or a long rate-limit wait).
    pub fn hold(&self) {
        *self.gated.lock().unwrap() = true;
    }

    pub fn release(&self) {
        *self.gated.lock().unwrap() = false;
        self.gate.notify_waiters();
    }

    pub fn messages(&self, channel: ChannelId) -> Vec<Posted> {
        self.st()
            .messages
            .iter()
            .filter(|m| m.channel == channel)
            .cloned()
            .collect()
    }

    pub fn all_messages(&self) -> Vec<Posted> {
        self.st().messages.clone()
    }

    /// Post requests made (stored or not).
    /// Files posted with messages: (message id, file name, bytes).
    pub fn files(&self) -> Vec<(u64, String, Vec<u8>)> {
        self.st().files.clone()
    }

    pub fn posts(&self) -> usize {
        self.st().posts
    }

    /// Status changes asked of scheduled events, in order.
    pub fn event_statuses(&self) -> Vec<(u64, EventStatus)> {
        self.st().events.clone()
    }

    /// Edits made (of messages that exist).
    pub fn edits(&self) -> usize {
        self.st().edits
    }

    /// Threads started.
    pub fn threads(&self) -> Vec<(u64, ChannelId, String)> {
        self.st().threads.clone()
    }

    /// Deletes made.
    pub fn deletes(&self) -> usize {
        self.st().deletes
    }

    /// Channel listings made (searches for an earlier attempt's message).
    pub fn lists(&self) -> usize {
        self.st().lists
    }

    fn store(&self, m: &Outgoing) -> u64 {
        let mut st = self.st();
        if st.remember_nonces {
            if let Some(known) = st
                .messages
                .iter()
                .find(|p| p.channel == m.channel && p.nonce == m.nonce)
            {
                return known.id;
            }
        }
        st.last_id += 1;
        let id = st.last_id;
        st.messages.push(Posted {
            id,
            channel: m.channel,
            content: m.content.trim().to_string(),
            nonce: m.nonce.clone(),
        });
        id
    }

    async fn wait_gate(&self) {
        loop {
            let notified = self.gate.notified();
            if !*self.gated.lock().unwrap() {
                return;
            }
            notified.await;
        }
    }
}

#[async_trait]
impl Notifier for Recorder {
    fn renderer(&self) -> &dyn samverkan::render::Render {
        &samverkan::discord::render::DiscordRender
    }

    async fn post(&self, m: &Outgoing) -> Result<u64, SendError> {
        let answer = {
            let mut st = self.st();
            st.posts += 1;
            st.script.pop_front().unwrap_or(Answer::Ok)
        };
        self.wait_gate().await;
        match answer {
            Answer::Ok => Ok(self.store(m)),
            Answer::RateLimited(d) => Err(SendError::RateLimited(d)),
            Answer::Transient => Err(SendError::Transient("502 Bad Gateway".into())),
            Answer::StoredButLost => {
                self.store(m);
                Err(SendError::Transient("connection reset".into()))
            }
            Answer::StoredThenHang => {
                self.store(m);
                std::future::pending().await
            }
            Answer::Hang => std::future::pending().await,
            Answer::NotFound => Err(SendError::NotFound("404 Unknown Channel".into())),
        }
    }

    /// As `post`, keeping the files beside the message when it is stored.
    async fn post_with_files(
        &self,
        m: &Outgoing,
        files: &[samverkan::service::File],
    ) -> Result<u64, SendError> {
        let before = self.st().messages.len();
        let result = self.post(m).await;
        let mut st = self.st();
        if st.messages.len() > before {
            let id = st.messages.last().map(|p| p.id).unwrap_or_default();
            for f in files {
                st.files.push((id, f.name.clone(), f.bytes.clone()));
            }
        }
        result
    }

    async fn edit(&self, message: u64, m: &Outgoing) -> Result<(), SendError> {
        let mut st = self.st();
        let Some(found) = st
            .messages
            .iter_mut()
            .find(|p| p.id == message && p.channel == m.channel)
        else {
            return Err(SendError::NotFound("404 Unknown Message".into()));
        };
        found.content = m.content.trim().to_string();
        st.edits += 1;
        Ok(())
    }

    async fn delete(&self, channel: ChannelId, message: u64) -> Result<(), SendError> {
        let mut st = self.st();
        let before = st.messages.len();
        st.messages
            .retain(|p| !(p.id == message && p.channel == channel));
        if st.messages.len() == before {
            return Err(SendError::NotFound("404 Unknown Message".into()));
        }
        st.deletes += 1;
        Ok(())
    }

    async fn start_thread(
        &self,
        channel: ChannelId,
        message: u64,
        name: &str,
    ) -> Result<ChannelId, SendError> {
        let mut st = self.st();
        if !st.threads.iter().any(|t| t.0 == message) {
            st.threads.push((message, channel, name.to_string()));
        }
        Ok(ChannelId(message))
    }

    async fn open_dm(&self, user: UserId) -> Result<ChannelId, SendError> {
        Ok(ChannelId(user.0 + 1_000_000))
    }

    fn message_floor(&self) -> u64 {
        self.st().last_id
    }

    async fn own_messages_after(
        &self,
        channel: ChannelId,
        after: u64,
    ) -> Result<Vec<(u64, String)>, SendError> {
        let mut st = self.st();
        st.lists += 1;
        Ok(st
            .messages
            .iter()
            .filter(|m| m.channel == channel && m.id > after)
            .map(|m| (m.id, m.content.clone()))
            .collect())
    }

    async fn create_event(&self, _spec: &EventSpec, _marker: &str) -> Result<u64, SendError> {
        let mut st = self.st();
        st.last_id += 1;
        Ok(st.last_id)
    }

    async fn find_event(&self, _guild: GuildId, _marker: &str) -> Result<Option<u64>, SendError> {
        Ok(None)
    }

    async fn update_event(
        &self,
        _guild: GuildId,
        event: u64,
        _spec: Option<&EventSpec>,
        status: Option<EventStatus>,
    ) -> Result<(), SendError> {
        if let Some(status) = status {
            self.st().events.push((event, status));
        }
        Ok(())
    }
}
