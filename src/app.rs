//! The composition root: the one place that builds the parts and wires them together.
//!
//! It builds the configuration's store, clock and services once, the outbound deliverers
//! (today the Discord REST outbox), the job registry and the scheduler, and then starts the
//! adapters (today Discord; a web server next) as peers. One shutdown signal stops them all:
//! SIGINT/SIGTERM, or any adapter ending on its own (an adapter that fails takes the process
//! down cleanly rather than leaving the others running without it).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;

use crate::clock::{Clock, ScaledClock, SystemClock};
use crate::config::Config;
use crate::notifier::Notifier;
use crate::scheduler::Scheduler;
use crate::service::Services;
use crate::store::Store;
use crate::templates::TemplateCatalog;

/// Opens (and migrates) the configured database.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    Store::open(
        config.database.url.expose(),
        config.database.max_connections,
    )
    .await
    .context("could not open the database")
}

/// The clock: the system's, or for end-to-end tests a virtual one (`SAMVERKAN_TEST_CLOCK`).
fn clock() -> anyhow::Result<Arc<dyn Clock>> {
    Ok(match std::env::var("SAMVERKAN_TEST_CLOCK") {
        Ok(spec) => match ScaledClock::parse(&spec) {
            Some(c) => {
                tracing::warn!(%spec, "SAMVERKAN_TEST_CLOCK is set: running on a virtual clock");
                Arc::new(c)
            }
            None => {
                anyhow::bail!("SAMVERKAN_TEST_CLOCK must be VIRTUAL_RFC3339,REAL_UNIX_MILLIS,SPEED")
            }
        },
        Err(_) => Arc::new(SystemClock),
    })
}

/// Store, clock and configuration as the use cases see them (every subcommand starts here).
pub async fn services(config: Config, templates: TemplateCatalog) -> anyhow::Result<Services> {
    let store = open_store(&config).await?;
    let services = Services::new(store, clock()?, Arc::new(config)).with_templates(templates);
    // Changes to live documents (a published agenda) queue their refresh job.
    let live = Arc::new(crate::scheduler::live::LiveRefresh::new(&services));
    Ok(services.with_live(live))
}

/// The job registry: every job kind and its handler, sending through `notifier`.
pub fn scheduler(services: &Services, notifier: Arc<dyn Notifier>) -> Scheduler {
    let mut scheduler = Scheduler::new(
        services.store.clone(),
        services.clock.clone(),
        services.wake.clone(),
        Duration::from_secs(services.config.scheduler.lease_seconds),
    );
    crate::scheduler::kinds::register_all(&mut scheduler, services, notifier);
    scheduler
}

/// `samverkan run`: serves until SIGINT/SIGTERM or until an adapter stops.
pub async fn run(config: Config, templates: TemplateCatalog) -> anyhow::Result<()> {
    let services = services(config, templates).await?;
    let config = services.config.clone();
    let (stop_tx, stop) = watch::channel(false);

    // Outbound deliverers: jobs send through them, whichever adapter queued the job.
    let notifier: Arc<dyn Notifier> = Arc::new(
        crate::discord::outbox::DiscordOutbox::new(
            &config.discord.api_base_url,
            config.discord.token.expose().trim(),
            stop.clone(),
        )
        .context("could not build the Discord outbox")?,
    );

    // Durable jobs (reminders, events, whistleblowing notices and purges).
    let scheduler = scheduler(&services, notifier);
    if let Err(e) = crate::scheduler::whistleblowing::schedule_daily(&services, true).await {
        tracing::error!(
            error = format!("{e:#}"),
            "could not schedule whistleblowing jobs"
        );
    }
    let scheduler = tokio::spawn(scheduler.run(stop.clone()));

    let signal = tokio::spawn({
        let stop_tx = stop_tx.clone();
        async move {
            shutdown_signal().await;
            tracing::info!("shutting down: finishing commands in flight");
            stop_tx.send_replace(true);
        }
    });

    // The adapters, as peers. The first to end stops the others.
    let mut adapters = tokio::task::JoinSet::new();
    adapters.spawn(crate::discord::serve(services.clone(), stop.clone()));
    let mut result = Ok(());
    while let Some(ended) = adapters.join_next().await {
        stop_tx.send_replace(true);
        let outcome = ended.context("an adapter panicked").and_then(|r| r);
        if let Err(e) = outcome {
            if result.is_ok() {
                result = Err(e);
            }
        }
    }
    signal.abort();
    if let Err(e) = scheduler.await {
        tracing::error!(error = %e, "the scheduler task ended abnormally");
    }
    services.store.close().await;
    result?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "no SIGTERM handler; stopping on Ctrl-C only");
                    ctrl_c.await.ok();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c.await.ok();
    }
}
