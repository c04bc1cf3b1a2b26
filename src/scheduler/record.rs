//! Job handlers of the meeting record: the chair's nudge and the auto-close of a meeting left
//! open, and DM reminders of actions.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::instrument;

use super::delivery::post_once;
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler};
use crate::domain::meeting::MeetingId;
use crate::domain::record::{ActionId, ActionReminder};
use crate::i18n::Arg;
use crate::msg;
use crate::notifier::{nonce_for, Notifier, Outgoing};
use crate::service::meetings::when;
use crate::service::record::AutoClose;
use crate::service::ActionDm;
use crate::service::Services;

/// Registers the record's job handlers (see `kinds::register_all`).
pub(super) fn register(scheduler: &mut Scheduler, services: Services, notifier: Arc<dyn Notifier>) {
    let h = Arc::new(RecordJobs { services, notifier });
    scheduler.register(kinds::MeetingNudge::NAME, Arc::new(Nudge(h.clone())));
    scheduler.register(kinds::MeetingClose::NAME, Arc::new(Close(h.clone())));
    scheduler.register(kinds::ActionRemind::NAME, Arc::new(Remind(h.clone())));
    scheduler.register(kinds::MeetingPost::NAME, Arc::new(Post(h)));
}

struct RecordJobs {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

struct Nudge(Arc<RecordJobs>);
struct Close(Arc<RecordJobs>);
struct Remind(Arc<RecordJobs>);
struct Post(Arc<RecordJobs>);

impl RecordJobs {
    fn send_failed(&self, e: &crate::notifier::SendError) -> Outcome {
        let s = &self.services;
        Outcome::from_send_error(e, s.clock.now(), s.clock.speed())
    }
}

#[async_trait]
impl JobHandler for Nudge {
    #[instrument(name = "job.meeting_nudge", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::MeetingNudge::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let session = match s.session_running(MeetingId(p.meeting)).await {
            Ok(Some(session)) => session,
            Ok(None) => return Outcome::Skipped("meeting not open".to_string()),
            Err(e) => return Outcome::Transient(format!("{e:#}")),
        };
        let forum = match s.store.meeting_by_id(MeetingId(p.meeting)).await {
            Ok(Some(m)) => match s.forum_for_job(m.forum).await {
                Ok(Some(f)) => f,
                Ok(None) => return Outcome::Skipped("forum gone".to_string()),
                Err(e) => return Outcome::Transient(format!("{e:#}")),
            },
            Ok(None) => return Outcome::Skipped("meeting gone".to_string()),
            Err(e) => return Outcome::Transient(e.to_string()),
        };
        let lang = s.language(Some(forum.guild)).await;
        let chair = forum.chair_role.map_or_else(|| Arg::from("-"), Arg::Role);
        let text = msg!(
            "meeting-nudge",
            name = forum.name.as_str(),
            chair = chair,
            closes = when(&forum, session.closes_at)
        )
        .render_with(lang, h.notifier.renderer());
        let out = Outgoing {
            channel: forum.channel,
            content: text,
            nonce: nonce_for(&job.key),
            mention_role: forum.chair_role,
            actions: Vec::new(),
        };
        match post_once(&s.store, &*h.notifier, job, &out).await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            Err(e) => h.send_failed(&e),
        }
    }
}

#[async_trait]
impl JobHandler for Close {
    #[instrument(name = "job.meeting_close", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::MeetingClose::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        // Closing is idempotent: a retry after the close finds the meeting held and only
        // posts the notice (once: `post_once` looks for an earlier copy).
        let (forum, m) = match s.auto_close(MeetingId(p.meeting)).await {
            Ok(AutoClose::Closed(closed)) => *closed,
            Ok(AutoClose::NotYet(at)) => return Outcome::RetryAt(at, "not yet".to_string()),
            Ok(AutoClose::Nothing) if job.attempts > 1 => match s.closed_meeting(p.meeting).await {
                Ok(Some(x)) => x,
                _ => return Outcome::Skipped("meeting not open".to_string()),
            },
            Ok(AutoClose::Nothing) => return Outcome::Skipped("meeting not open".to_string()),
            Err(e) => return Outcome::Transient(format!("{e:#}")),
        };
        let lang = s.language(Some(forum.guild)).await;
        let text = msg!(
            "meeting-auto-closed",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at)
        )
        .render_with(lang, h.notifier.renderer());
        let out = Outgoing {
            channel: forum.channel,
            content: text,
            nonce: nonce_for(&job.key),
            mention_role: None,
            actions: Vec::new(),
        };
        match post_once(&s.store, &*h.notifier, job, &out).await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            Err(e) => h.send_failed(&e),
        }
    }
}

#[async_trait]
impl JobHandler for Remind {
    #[instrument(name = "job.action_reminder", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::ActionRemind::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let Some(which) = ActionReminder::parse(&p.which) else {
            return Outcome::Failed(format!("unknown action reminder {:?}", p.which));
        };
        let (user, content) = match s.action_reminder(ActionId(p.action), which).await {
            Ok(ActionDm::Send { user, guild, text }) => {
                let lang = s.language(Some(guild)).await;
                (user, text.render_with(lang, h.notifier.renderer()))
            }
            Ok(ActionDm::Skip(reason)) => return Outcome::Skipped(reason.to_string()),
            Err(e) => return Outcome::Transient(format!("{e:#}")),
        };
        let sent = async {
            let channel = h.notifier.open_dm(user).await?;
            let out = Outgoing {
                channel,
                content,
                nonce: nonce_for(&job.key),
                mention_role: None,
                actions: Vec::new(),
            };
            post_once(&s.store, &*h.notifier, job, &out).await
        };
        match sent.await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            Err(e) if e.is_permanent() => Outcome::Skipped(format!("dm refused: {e}")),
            Err(e) => h.send_failed(&e),
        }
    }
}

/// Posts into a meeting's thread (the current entry, the consent prompt, a timebox warning),
/// once the thread exists; nothing once the meeting ended or (a warning) the chair moved on.
#[async_trait]
impl JobHandler for Post {
    #[instrument(name = "job.meeting_post", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::MeetingPost::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (guild, thread) = match s.meeting_post_target(&p).await {
            Ok(Some(Some(target))) => target,
            // The thread job has not started the thread yet: look again in a second.
            Ok(Some(None)) => {
                let wait = chrono::Duration::milliseconds((1000.0 * s.clock.speed()) as i64);
                return Outcome::RetryAt(s.clock.now() + wait, "waiting for the thread".into());
            }
            Ok(None) => return Outcome::Skipped("no longer applies".to_string()),
            Err(e) => return Outcome::Transient(format!("{e:#}")),
        };
        let lang = s.language(Some(guild)).await;
        let r = h.notifier.renderer();
        let content = p
            .lines
            .iter()
            .map(|m| m.render_with(lang, r))
            .collect::<Vec<_>>()
            .join("\n");
        let out = Outgoing {
            channel: thread,
            content: crate::domain::text::truncate(&content, super::live::MAX_CONTENT),
            nonce: nonce_for(&job.key),
            mention_role: None,
            actions: p.actions.iter().map(|b| b.render(lang)).collect(),
        };
        match post_once(&s.store, &*h.notifier, job, &out).await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            Err(e) => h.send_failed(&e),
        }
    }
}
