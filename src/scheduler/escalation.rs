//! Job handler for escalation notices: the receiving forum's chair told that one arrived, the
//! originating forum told its outcome. Each is one keyed job, posted once (`post_once`).

use std::sync::Arc;

use async_trait::async_trait;
use tracing::instrument;

use super::delivery::{post_once, Sent};
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler};
use crate::domain::escalation::EscalationId;
use crate::notifier::{nonce_for, Notifier, Outgoing};
use crate::service::Services;
use crate::store::Job;

/// Registers the escalation job handler (see `kinds::register_all`).
pub(super) fn register(scheduler: &mut Scheduler, services: Services, notifier: Arc<dyn Notifier>) {
    scheduler.register(
        kinds::EscalationNotice::NAME,
        Arc::new(Notice { services, notifier }),
    );
}

struct Notice {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for Notice {
    #[instrument(name = "job.escalation_notice", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &Job) -> Outcome {
        let s = &self.services;
        let p = match kinds::EscalationNotice::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (forum, msg, role) = match s
            .escalation_notice(EscalationId(p.escalation), &p.notice)
            .await
        {
            Ok(Some(x)) => x,
            Ok(None) => return Outcome::Skipped("escalation or forum gone".to_string()),
            Err(e) => return Outcome::Transient(e.to_string()),
        };
        let lang = s.language(Some(forum.guild)).await;
        let out = Outgoing {
            channel: forum.channel,
            content: msg.render_with(lang, self.notifier.renderer()),
            nonce: nonce_for(&job.key),
            mention_role: role,
            actions: Vec::new(),
        };
        let now = s.clock.now();
        match post_once(&s.store, &*self.notifier, job, &out).await {
            Ok(Sent::Posted(id)) => Outcome::Sent(id, "sent".to_string()),
            Ok(Sent::Found(id)) => Outcome::Sent(id, "sent_found".to_string()),
            Err(e) if e.is_permanent() => Outcome::Failed(e.to_string()),
            Err(e) => Outcome::from_send_error(&e, now, s.clock.speed()),
        }
    }
}
