//! Sending exactly once, however long the outage.
//!
//! Discord de-duplicates a re-send by its nonce for a few minutes only. So before a send, the
//! job records (fenced by its lease) a floor — a message id no later than the message it is
//! about to post — and the digest of the content. A job that comes back with such a record
//! (taken over from a process that died, or retried after an answer that never arrived)
//! first looks through the bot's own messages in the channel after the floor for that
//! content; one that no other job has recorded as its own is the earlier attempt's message,
//! and the job is done. Only when there is none does it post (again with its nonce).

use sha2::{Digest, Sha256};

use crate::domain::ids::ChannelId;
use crate::notifier::{Notifier, Outgoing, SendError};
use crate::store::{Job, Store};

/// How a message came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Posted now.
    Posted(u64),
    /// Posted by an earlier attempt, found in the channel.
    Found(u64),
}

impl Sent {
    pub fn id(self) -> u64 {
        match self {
            Sent::Posted(id) | Sent::Found(id) => id,
        }
    }
}

/// What identifies a message's content: Discord trims surrounding whitespace.
pub fn digest(content: &str) -> String {
    hex::encode(Sha256::digest(content.trim().as_bytes()))
}

/// Posts `out` for `job`, unless an earlier attempt of the job already did.
pub async fn post_once(
    store: &Store,
    notifier: &dyn Notifier,
    job: &Job,
    out: &Outgoing,
) -> Result<Sent, SendError> {
    post_once_with_files(store, notifier, job, out, &[]).await
}

/// [`post_once`] with files attached (approved minutes): found again by the text like any
/// other post.
pub async fn post_once_with_files(
    store: &Store,
    notifier: &dyn Notifier,
    job: &Job,
    out: &Outgoing,
    files: &[crate::service::File],
) -> Result<Sent, SendError> {
    let t0 = std::time::Instant::now();
    if let Some(id) = find_earlier(store, notifier, job, out.channel).await? {
        tracing::info!(
            job = job.id,
            message = id,
            "found the message an earlier attempt posted"
        );
        return Ok(Sent::Found(id));
    }
    let t1 = std::time::Instant::now();
    let floor = notifier.message_floor();
    match store
        .begin_attempt(job.id, &job.worker, floor, &digest(&out.content))
        .await
    {
        Ok(true) => {}
        // Another worker holds the job now: it must not be sent from here.
        Ok(false) => return Err(SendError::Transient("lease lost before sending".into())),
        Err(e) => {
            return Err(SendError::Transient(format!(
                "could not record the attempt: {e}"
            )))
        }
    }
    let t2 = std::time::Instant::now();
    let posted = if files.is_empty() {
        notifier.post(out).await
    } else {
        notifier.post_with_files(out, files).await
    }
    .map(Sent::Posted);
    // Where a send's time goes (`RUST_LOG=samverkan::scheduler=debug`; the punctuality
    // benchmark's `--bot-log`).
    tracing::debug!(
        job = job.id,
        find_us = (t1 - t0).as_micros() as u64,
        record_us = (t2 - t1).as_micros() as u64,
        post_us = t2.elapsed().as_micros() as u64,
        "sent"
    );
    posted
}

/// The message an earlier attempt of `job` posted in `channel`, if any.
pub async fn find_earlier(
    store: &Store,
    notifier: &dyn Notifier,
    job: &Job,
    channel: ChannelId,
) -> Result<Option<u64>, SendError> {
    let Some((floor, wanted)) = &job.attempt else {
        return Ok(None);
    };
    let mine = notifier.own_messages_after(channel, *floor).await?;
    let candidates: Vec<u64> = mine
        .iter()
        .filter(|(_, content)| digest(content) == *wanted)
        .map(|(id, _)| *id)
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    // The same text may have been posted for another job (notices have fixed texts): a
    // message another job recorded is not this one's. Which of two identical messages a job
    // takes does not matter (they are the same text in the same channel); that each job
    // takes a different one does, so the taking is one atomic step in the store even when
    // two processes recover such jobs at once.
    let taken = store
        .recorded_messages(&candidates, Some(job.id))
        .await
        .map_err(|e| SendError::Transient(format!("could not read recorded messages: {e}")))?;
    for id in candidates.into_iter().filter(|id| !taken.contains(id)) {
        let mine = store
            .claim_found_message(job.id, &job.worker, id)
            .await
            .map_err(|e| SendError::Transient(format!("could not take the message: {e}")))?;
        if mine {
            return Ok(Some(id));
        }
    }
    Ok(None)
}
