//! Job handlers for live documents (one document kept current as messages in a channel), for
//! private messages rendered at send time, and for threads started from a message.
//!
//! A refresh renders the document as it is now, splits it between blocks into messages of at
//! most 2000 characters, and brings the mirrored messages in line: a part whose text changed
//! is edited, a new part is posted, a part no longer needed is deleted. Posting a part is done
//! exactly once, however the process dies: before the post, the part's mirror row records a
//! floor (a message id no later than the post) and the digest of its content, fenced by the
//! job's lease; a refresh that finds such a row without a message id looks for that message
//! among the bot's messages after the floor before posting again (with the same nonce), as
//! `delivery` does for reminders. Edits and deletes are idempotent.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::instrument;

use super::delivery::{digest, post_once};
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler, Wake};
use crate::action::OutAction;
use crate::clock::Clock;
use crate::domain::ids::ChannelId;
use crate::domain::meeting::MeetingId;
use crate::live::{LiveDocument, LiveHook, LiveKey, LiveSource};
use crate::notifier::{nonce_for, Notifier, Outgoing, SendError};
use crate::render::split_blocks;
use crate::service::Services;
use crate::store::{Job, LivePart, Store, Tx};

/// Discord's limit for a message's content.
pub const MAX_CONTENT: usize = 2000;

/// Registers the live-document and private-message handlers (see `kinds::register_all`).
pub fn register(
    scheduler: &mut Scheduler,
    services: Services,
    notifier: Arc<dyn Notifier>,
    source: Arc<dyn LiveSource>,
) {
    scheduler.register(
        kinds::Live::NAME,
        Arc::new(Refresh {
            services: services.clone(),
            notifier: notifier.clone(),
            source,
        }),
    );
    scheduler.register(
        kinds::Private::NAME,
        Arc::new(PrivateMessage {
            services: services.clone(),
            notifier: notifier.clone(),
        }),
    );
    scheduler.register(
        kinds::Thread::NAME,
        Arc::new(StartThread { services, notifier }),
    );
}

/// The hook services call after a change: enqueues (or keeps) the document's one pending
/// refresh and wakes the scheduler.
pub struct LiveRefresh {
    store: Store,
    clock: Arc<dyn Clock>,
    wake: Wake,
}

impl LiveRefresh {
    pub fn new(services: &Services) -> Self {
        Self {
            store: services.store.clone(),
            clock: services.clock.clone(),
            wake: services.wake.clone(),
        }
    }
}

#[async_trait]
impl LiveHook for LiveRefresh {
    async fn changed(&self, key: &LiveKey) {
        match self.store.live_changed(&key.key(), self.clock.now()).await {
            Ok(()) => self.wake.notify(),
            Err(e) => tracing::error!(doc = %key.key(), error = %e, "could not queue a refresh"),
        }
    }

    async fn changed_in(&self, tx: &mut Tx, keys: &[LiveKey]) -> crate::store::Result<()> {
        let docs: Vec<String> = keys.iter().map(LiveKey::key).collect();
        let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
        tx.live_changed_all(&docs, self.clock.now()).await
    }

    fn queued(&self, keys: &[LiveKey]) -> Option<(Vec<String>, chrono::DateTime<chrono::Utc>)> {
        Some((keys.iter().map(LiveKey::key).collect(), self.clock.now()))
    }
}

/// Documents from the services that own them.
pub struct ServicesSource(pub Services);

#[async_trait]
impl LiveSource for ServicesSource {
    async fn document(&self, key: &LiveKey) -> anyhow::Result<Option<LiveDocument>> {
        self.0.live_document(key).await.map_err(|e| match e {
            crate::error::Error::Internal(e) => e,
            crate::error::Error::User(u) => anyhow::anyhow!("refused: {}", u.0.key),
        })
    }
}

struct Refresh {
    services: Services,
    notifier: Arc<dyn Notifier>,
    source: Arc<dyn LiveSource>,
}

/// How a refresh went, for the job's outcome.
#[derive(Default)]
struct Tally {
    posted: usize,
    edited: usize,
    deleted: usize,
    unchanged: usize,
}

/// What a part shows (content and buttons): an edit is needed when this changes.
fn shown_digest(content: &str, actions: &[OutAction]) -> String {
    let mut s = content.trim().to_string();
    for a in actions {
        s.push('\u{1f}');
        s.push_str(&a.label);
        s.push('\u{1e}');
        s.push_str(&a.id);
    }
    digest(&s)
}

fn transient(e: impl std::fmt::Display) -> SendError {
    SendError::Transient(e.to_string())
}

#[async_trait]
impl JobHandler for Refresh {
    #[instrument(name = "job.live", skip_all, fields(job = job.id))]
    async fn run(&self, job: &Job) -> Outcome {
        let p = match kinds::Live::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let Some(key) = LiveKey::parse(&p.doc) else {
            return Outcome::Failed(format!("unknown live document {:?}", p.doc));
        };
        let now = self.services.clock.now();
        let doc = match self.source.document(&key).await {
            Ok(d) => d,
            Err(e) => return Outcome::Transient(format!("could not render the document: {e:#}")),
        };
        match self.refresh(job, &p.doc, doc).await {
            Ok(t) => Outcome::Done(format!(
                "posted {}, edited {}, deleted {}, unchanged {}",
                t.posted, t.edited, t.deleted, t.unchanged
            )),
            Err(e) if e.is_permanent() => {
                tracing::warn!(doc = %p.doc, error = %e, "live document cannot be shown");
                Outcome::Failed(e.to_string())
            }
            Err(e) => Outcome::from_send_error(&e, now, self.services.clock.speed()),
        }
    }
}

impl Refresh {
    async fn refresh(
        &self,
        job: &Job,
        doc: &str,
        document: Option<LiveDocument>,
    ) -> Result<Tally, SendError> {
        let store = &self.services.store;
        let n = &*self.notifier;
        let r = n.renderer();
        let mut parts = store.live_parts(doc).await.map_err(transient)?;
        let mut tally = Tally::default();
        let (channel, pieces, actions, role) = match &document {
            Some(d) => {
                let blocks: Vec<String> =
                    d.blocks.iter().map(|m| m.render_with(d.lang, r)).collect();
                let actions: Vec<OutAction> =
                    d.actions.iter().map(|b| b.render(d.lang, r)).collect();
                let pieces = split_blocks(r, &blocks, MAX_CONTENT);
                (Some(d.channel), pieces, actions, d.mention_role)
            }
            None => (None, Vec::new(), Vec::new(), None),
        };
        // A document that moved to another channel starts again there.
        if let Some(c) = channel {
            for part in parts.iter().filter(|p| p.channel != c) {
                self.remove(doc, part, &mut tally).await?;
            }
            parts.retain(|p| p.channel == c);
        }
        let last = pieces.len().saturating_sub(1);
        for (i, content) in pieces.iter().enumerate() {
            let Some(channel) = channel else { break };
            let out = Outgoing {
                channel,
                content: content.clone(),
                nonce: String::new(),
                mention_role: role,
                actions: if i == last {
                    actions.clone()
                } else {
                    Vec::new()
                },
            };
            let part = parts.iter().find(|p| p.part == i as i64);
            self.show(job, doc, i as i64, part, out, &mut tally).await?;
        }
        for part in parts.iter().filter(|p| p.part >= pieces.len() as i64) {
            self.remove(doc, part, &mut tally).await?;
        }
        Ok(tally)
    }

    /// Brings one part in line: unchanged, edited, found (an interrupted post) or posted.
    async fn show(
        &self,
        job: &Job,
        doc: &str,
        index: i64,
        part: Option<&LivePart>,
        mut out: Outgoing,
        tally: &mut Tally,
    ) -> Result<(), SendError> {
        let store = &self.services.store;
        let n = &*self.notifier;
        let content_digest = digest(&out.content);
        let shown = shown_digest(&out.content, &out.actions);
        let mut floor = None;
        if let Some(part) = part {
            let message = match part.message {
                Some(m) => Some(m),
                // A post that was attempted and not recorded: its message may exist.
                None => {
                    floor = part.floor;
                    self.find_interrupted(part).await?
                }
            };
            if let Some(message) = message {
                if part.message.is_some() && part.shown_digest == shown {
                    tally.unchanged += 1;
                    return Ok(());
                }
                match n.edit(message, &out).await {
                    Ok(()) => {
                        tally.edited += 1;
                        return store
                            .live_set_message(doc, index, message, &content_digest, &shown)
                            .await
                            .map_err(transient);
                    }
                    // Deleted by someone: post it again.
                    Err(SendError::NotFound(_)) => floor = None,
                    Err(e) => return Err(e),
                }
            }
        }
        let floor = floor.unwrap_or_else(|| n.message_floor());
        match store
            .live_begin_post(
                doc,
                index,
                out.channel,
                floor,
                &content_digest,
                job.id,
                &job.worker,
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => return Err(SendError::Transient("lease lost before posting".into())),
            Err(e) => return Err(transient(e)),
        }
        out.nonce = nonce_for(&format!("live:{doc}:{index}:{floor}"));
        let id = n.post(&out).await?;
        tally.posted += 1;
        store
            .live_set_message(doc, index, id, &content_digest, &shown)
            .await
            .map_err(transient)
    }

    /// The message an interrupted post left, if Discord stored it: the bot's own message after
    /// the floor with the attempted content that nothing else claims.
    async fn find_interrupted(&self, part: &LivePart) -> Result<Option<u64>, SendError> {
        let Some(floor) = part.floor else {
            return Ok(None);
        };
        let store = &self.services.store;
        let mine = self
            .notifier
            .own_messages_after(part.channel, floor)
            .await?;
        let candidates: Vec<u64> = mine
            .iter()
            .filter(|(_, c)| digest(c) == part.content_digest)
            .map(|(id, _)| *id)
            .collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        let shown = store
            .live_known_messages(&candidates)
            .await
            .map_err(transient)?;
        let sent = store
            .recorded_messages(&candidates, None)
            .await
            .map_err(transient)?;
        Ok(candidates
            .into_iter()
            .find(|id| !shown.contains(id) && !sent.contains(id)))
    }

    /// Deletes a part's message (one already gone is fine) and forgets the part.
    async fn remove(&self, doc: &str, part: &LivePart, tally: &mut Tally) -> Result<(), SendError> {
        let message = match part.message {
            Some(m) => Some(m),
            None => self.find_interrupted(part).await?,
        };
        if let Some(m) = message {
            match self.notifier.delete(part.channel, m).await {
                Ok(()) | Err(SendError::NotFound(_)) => tally.deleted += 1,
                Err(e) => return Err(e),
            }
        }
        self.services
            .store
            .live_forget(doc, part.part)
            .await
            .map_err(transient)
    }
}

struct PrivateMessage {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for PrivateMessage {
    #[instrument(name = "job.private", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &Job) -> Outcome {
        let s = &self.services;
        let now = s.clock.now();
        let p = match kinds::Private::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let lang = s.language(Some(p.guild)).await;
        let r = self.notifier.renderer();
        let content = p
            .lines
            .iter()
            .map(|m| m.render_with(lang, r))
            .collect::<Vec<_>>()
            .join("\n");
        let content = crate::domain::text::truncate(&content, MAX_CONTENT);
        let sent = async {
            let channel: ChannelId = self.notifier.open_dm(p.user).await?;
            let out = Outgoing::new(channel, content, nonce_for(&job.key));
            post_once(&s.store, &*self.notifier, job, &out).await
        };
        match sent.await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            // DMs closed, or the member left: nothing to retry.
            Err(e) if e.is_permanent() => Outcome::Skipped(format!("dm refused: {e}")),
            Err(e) => Outcome::from_send_error(&e, now, s.clock.speed()),
        }
    }
}

struct StartThread {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for StartThread {
    #[instrument(name = "job.thread", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &Job) -> Outcome {
        let s = &self.services;
        let now = s.clock.now();
        let p = match kinds::Thread::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let lang = s.language(Some(p.guild)).await;
        let r = self.notifier.renderer();
        let content = p
            .starter
            .iter()
            .map(|m| m.render_with(lang, r))
            .collect::<Vec<_>>()
            .join("\n");
        let content = crate::domain::text::truncate(&content, MAX_CONTENT);
        let mut name = crate::domain::text::truncate(p.name.plain(lang).trim(), 100);
        if name.is_empty() {
            name = "…".to_string();
        }
        let started = async {
            // The starter is posted exactly once (found again after a crash), and a message
            // has at most one thread: a retry gets the same thread.
            let mut out = Outgoing::new(p.channel, content, nonce_for(&job.key));
            out.actions = p.actions.iter().map(|b| b.render(lang)).collect();
            let sent = post_once(&s.store, &*self.notifier, job, &out).await?;
            self.notifier
                .start_thread(p.channel, sent.id(), &name)
                .await
        };
        match started.await {
            Ok(thread) => {
                // A meeting's session keeps its thread (a retry finds the same thread).
                if let Some(m) = p.meeting {
                    if let Err(e) = s.thread_started(MeetingId(m), thread).await {
                        return Outcome::Transient(format!("recording the thread: {e:#}"));
                    }
                }
                Outcome::Sent(thread.0, "thread started".to_string())
            }
            Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
            Err(e) => Outcome::from_send_error(&e, now, s.clock.speed()),
        }
    }
}
