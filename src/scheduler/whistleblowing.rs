//! Whistleblowing jobs: the fixed, content-free notices to the handler channel, and the daily
//! run that enqueues deadline reminders and purges closed cases after retention.

use std::sync::Arc;

use async_trait::async_trait;

use super::kinds::{JobKind, WbDaily, WbDailyPayload, WbNotice};
use super::{JobHandler, Outcome};
use crate::domain::ids::ChannelId;
use crate::notifier::{nonce_for, Notifier, Outgoing};
use crate::service::Services;

/// Posts a notice. The text is fixed by the payload's kind; no mention, no case code.
pub struct NoticeHandler {
    pub services: Services,
    pub notifier: Arc<dyn Notifier>,
}

#[async_trait]
impl JobHandler for NoticeHandler {
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let Some(channel) = self.services.config.whistleblowing.handler_channel else {
            return Outcome::Skipped("no handler channel".to_string());
        };
        let message = Outgoing {
            channel: ChannelId(channel),
            content: self.services.wb_notice_msg(&job.payload).render_with(
                self.services.config.default_language(),
                self.notifier.renderer(),
            ),
            nonce: nonce_for(&job.key),
            mention_role: None,
            actions: Vec::new(),
        };
        let now = self.services.clock.now();
        match super::delivery::post_once(&self.services.store, &*self.notifier, job, &message).await
        {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            Err(e) => Outcome::from_send_error(&e, now, self.services.clock.speed()),
        }
    }
}

/// Once a day at `digest_time`: reminders and purges, then the next day's run.
pub struct DailyHandler {
    pub services: Services,
}

#[async_trait]
impl JobHandler for DailyHandler {
    async fn run(&self, _job: &crate::store::Job) -> Outcome {
        let now = self.services.clock.now();
        match self.services.wb_daily().await {
            Ok((reminders, purged)) => {
                if let Err(e) = schedule_daily(&self.services, false).await {
                    tracing::error!(error = %e, "could not schedule the next whistleblowing run");
                }
                Outcome::Done(format!("{reminders} reminders, {purged} purged"))
            }
            Err(e) => Outcome::RetryAt(
                now + chrono::Duration::minutes(10),
                format!("daily run failed: {e}"),
            ),
        }
    }
}

/// Enqueues the daily run at the next `digest_time` (idempotent per time). With `catch_up`
/// (at start) also one run now, at most once per day, so a bot that was down at `digest_time`
/// still sends today's reminders and purges; both are idempotent, so a second run is harmless.
pub async fn schedule_daily(services: &Services, catch_up: bool) -> anyhow::Result<()> {
    let now = services.clock.now();
    if catch_up {
        let key = format!("start:{}", services.wb_today());
        let job = WbDaily::job(&key, &WbDailyPayload::default(), now);
        services.store.enqueue(&job, now).await?;
    }
    let next = services.wb_next_local(now);
    let job = WbDaily::job(
        &next.timestamp().to_string(),
        &WbDailyPayload::default(),
        next,
    );
    services.store.enqueue(&job, now).await?;
    services.wake.notify();
    Ok(())
}

/// Registers the whistleblowing job handlers.
pub(super) fn register(
    scheduler: &mut super::Scheduler,
    services: &Services,
    notifier: Arc<dyn Notifier>,
) {
    scheduler.register(
        WbNotice::NAME,
        Arc::new(NoticeHandler {
            services: services.clone(),
            notifier,
        }),
    );
    scheduler.register(
        WbDaily::NAME,
        Arc::new(DailyHandler {
            services: services.clone(),
        }),
    );
}
