//! Publication of approved minutes: once, in the forum's channel, a summary with the
//! document attached.

use std::sync::Arc;

use async_trait::async_trait;
use tracing::instrument;

use super::delivery::post_once_with_files;
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler};
use crate::domain::minutes::MinutesId;
use crate::notifier::{nonce_for, Notifier, Outgoing};
use crate::service::Services;

/// Registers the minutes' job handler (see `kinds::register_all`).
pub(super) fn register(scheduler: &mut Scheduler, services: Services, notifier: Arc<dyn Notifier>) {
    scheduler.register(
        kinds::MinutesPublish::NAME,
        Arc::new(Publish { services, notifier }),
    );
}

struct Publish {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for Publish {
    #[instrument(name = "job.minutes_publish", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let s = &self.services;
        let p = match kinds::MinutesPublish::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (forum, text, file) = match s.minutes_publication(MinutesId(p.minutes)).await {
            Ok(Some(x)) => x,
            Ok(None) => return Outcome::Skipped("minutes not approved or gone".to_string()),
            Err(e) => return Outcome::Transient(format!("{e:#}")),
        };
        let lang = s.language(Some(forum.guild)).await;
        let out = Outgoing {
            channel: forum.channel,
            content: text.render_with(lang, self.notifier.renderer()),
            nonce: nonce_for(&job.key),
            mention_role: None,
            actions: Vec::new(),
        };
        match post_once_with_files(&s.store, &*self.notifier, job, &out, &[file]).await {
            Ok(sent) => Outcome::Sent(sent.id(), "published".to_string()),
            Err(e) => Outcome::from_send_error(&e, s.clock.now(), s.clock.speed()),
        }
    }
}
