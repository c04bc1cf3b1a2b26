//! Job handlers for agendas: the forum's agenda clock (publication at the deadline), the
//! proposer's private notices and the notices in the forum's channel.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::instrument;

use super::delivery::{post_once, Sent};
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler};
use crate::domain::agenda::ItemId;
use crate::domain::ids::ForumId;
use crate::domain::meeting::MeetingId;
use crate::notifier::{nonce_for, Notifier, Outgoing};
use crate::service::Services;
use crate::store::Job;

/// Registers the agenda job handlers (see `kinds::register_all`).
pub(super) fn register(scheduler: &mut Scheduler, services: Services, notifier: Arc<dyn Notifier>) {
    let h = Arc::new(AgendaJobs { services, notifier });
    scheduler.register(kinds::AgendaPublish::NAME, Arc::new(Publish(h.clone())));
    scheduler.register(kinds::AgendaDm::NAME, Arc::new(Direct(h.clone())));
    scheduler.register(kinds::AgendaNotice::NAME, Arc::new(Notice(h)));
}

struct AgendaJobs {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

struct Publish(Arc<AgendaJobs>);
struct Direct(Arc<AgendaJobs>);
struct Notice(Arc<AgendaJobs>);

fn retry(e: impl std::fmt::Display) -> Outcome {
    Outcome::Transient(e.to_string())
}

#[async_trait]
impl JobHandler for Publish {
    #[instrument(name = "job.agenda_publish", skip_all, fields(job = job.id))]
    async fn run(&self, job: &Job) -> Outcome {
        let s = &self.0.services;
        let p = match kinds::AgendaPublish::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let forum = match s.forum_for_job(ForumId(p.forum)).await {
            Ok(Some(f)) => f,
            Ok(None) => return Outcome::Skipped("forum gone".to_string()),
            Err(e) => return retry(e),
        };
        // The forum's one agenda job: it runs again at the next deadline.
        match s.agenda_tick(&forum).await {
            Ok(next) => Outcome::Reschedule(next, job.payload.clone()),
            Err(e) => {
                tracing::warn!(forum = %forum.id, error = format!("{e:#}"), "agenda publication failed");
                retry(e)
            }
        }
    }
}

#[async_trait]
impl JobHandler for Direct {
    #[instrument(name = "job.agenda_dm", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::AgendaDm::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (item, msg) = match s.agenda_notice_dm(ItemId(p.item)).await {
            Ok(Some(x)) => x,
            Ok(None) => return Outcome::Skipped("item gone or no longer rejected".to_string()),
            Err(e) => return retry(e),
        };
        let lang = s.language(Some(item.guild)).await;
        let content = msg.render_with(lang, h.notifier.renderer());
        let now = s.clock.now();
        let sent = async {
            let channel = h.notifier.open_dm(item.proposer).await?;
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
            // DMs closed, or the member left: nothing to retry.
            Err(e) if e.is_permanent() => Outcome::Skipped(format!("dm refused: {e}")),
            Err(e) => Outcome::from_send_error(&e, now, s.clock.speed()),
        }
    }
}

#[async_trait]
impl JobHandler for Notice {
    #[instrument(name = "job.agenda_notice", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::AgendaNotice::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (forum, msg, role) = match s
            .agenda_notice_channel(MeetingId(p.meeting), &p.notice)
            .await
        {
            Ok(Some(x)) => x,
            Ok(None) => return Outcome::Skipped("meeting gone".to_string()),
            Err(e) => return retry(e),
        };
        let lang = s.language(Some(forum.guild)).await;
        let out = Outgoing {
            channel: forum.channel,
            content: msg.render_with(lang, h.notifier.renderer()),
            nonce: nonce_for(&job.key),
            mention_role: role,
            actions: Vec::new(),
        };
        let now = s.clock.now();
        match post_once(&s.store, &*h.notifier, job, &out).await {
            Ok(Sent::Posted(id)) => Outcome::Sent(id, "sent".to_string()),
            Ok(Sent::Found(id)) => Outcome::Sent(id, "sent_found".to_string()),
            Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
            Err(e) => Outcome::from_send_error(&e, now, s.clock.speed()),
        }
    }
}
