//! The Discord adapter (serenity + poise). It turns interactions into typed requests for the
//! services and renders their replies; it holds no business rule. The composition root
//! (`app.rs`) builds the services, the scheduler and the outbox and starts [`serve`].
//!
//! The bot needs no privileged intent: GUILDS only. serenity's cache is not compiled in: the
//! guild directory the services need (channel and role names) is kept in the store, which keeps
//! memory low with many guilds and lets the shell and several processes share it.

mod commands;
mod events;
pub mod interactions;
mod localize;
pub mod outbox;
pub mod ratelimit;
pub mod render;
mod reply;
mod whistleblowing;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use sha2::{Digest, Sha256};
use tokio::sync::{watch, Notify};

use crate::service::Services;

pub type Error = anyhow::Error;
pub type Ctx<'a> = poise::Context<'a, Data, Error>;

/// What every command handler gets.
pub struct Data {
    pub services: Services,
    inflight: InFlight,
    /// Guild directories to record (see `events::directory_writer`).
    directories: tokio::sync::mpsc::UnboundedSender<crate::store::GuildDirectory>,
}

/// Counts commands being handled, so shutdown can let them finish.
#[derive(Default, Clone)]
pub struct InFlight(Arc<(AtomicUsize, Notify)>);

pub struct InFlightGuard(InFlight);

impl InFlight {
    pub fn enter(&self) -> InFlightGuard {
        self.0 .0.fetch_add(1, Ordering::SeqCst);
        InFlightGuard(self.clone())
    }

    /// Waits until nothing is in flight, or the grace period ends.
    pub async fn drained(&self, grace: Duration) {
        let wait = async {
            loop {
                let notified = self.0 .1.notified();
                if self.0 .0.load(Ordering::SeqCst) == 0 {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(grace, wait).await.is_err() {
            tracing::warn!("commands still in flight after the grace period");
        }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0 .0 .0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0 .0 .1.notify_waiters();
        }
    }
}

/// Every command, localised from the catalogue.
pub fn command_set() -> Vec<poise::Command<Data, Error>> {
    let mut commands = commands::all();
    localize::apply(&mut commands);
    commands
}

/// The Discord adapter: connects to the gateway and serves interactions until `stop` turns
/// true (the composition root's shutdown signal), then lets commands in flight finish.
pub async fn serve(services: Services, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let config = services.config.clone();
    let token = config.discord.token.expose().trim().to_string();
    let mut http = serenity::HttpBuilder::new(&token);
    if config.discord.uses_proxy() {
        // serenity's rate limiter builds requests without the proxy: it must be off for the
        // proxy to be used, and the proxy then does the limiting.
        http = http
            .proxy(config.discord.api_base_url.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let http = http.build();

    let inflight = InFlight::default();
    let (directories, directory_rx) = tokio::sync::mpsc::unbounded_channel();
    let directory_writer = tokio::spawn(events::directory_writer(services.clone(), directory_rx));
    let data_services = services.clone();
    let data_inflight = inflight.clone();
    let test_guild = config.discord.test_guild;

    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: command_set(),
            on_error: |err| Box::pin(reply::on_error(err)),
            event_handler: |framework, event| Box::pin(events::on_event(framework, event)),
            // poise's own cooldown tracking keeps a map of user ids per command in memory; the
            // whistleblowing intake must not have one (its cooldown is a keyed hash).
            manual_cooldowns: true,
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                tracing::info!(guilds = ready.guilds.len(), "connected to Discord");
                // A failed setup would leave poise waiting for its data forever: registration
                // problems are logged, never returned.
                if let Err(e) = register_commands(
                    ctx,
                    &data_services,
                    &framework.options().commands,
                    test_guild,
                    ready.application.id.get(),
                )
                .await
                {
                    tracing::error!(error = format!("{e:#}"), "could not register commands");
                }
                Ok(Data {
                    services: data_services,
                    inflight: data_inflight,
                    directories,
                })
            })
        })
        .build();

    let mut client = serenity::ClientBuilder::new_with_http(http, serenity::GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .context("could not build the Discord client")?;

    let shard_manager = client.shard_manager.clone();
    let stopper = tokio::spawn(async move {
        // An error means the sender is gone: stop as well.
        stop.wait_for(|s| *s).await.ok();
        // A shard manager still starting its shards ignores a shutdown (it has no runner to
        // stop yet): ask again until the client has stopped and this task is aborted.
        loop {
            shard_manager.shutdown_all().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });

    let result = client.start().await;
    stopper.abort();
    inflight.drained(Duration::from_secs(10)).await;
    // The framework (and with it the directory sender) is gone once the client stopped.
    drop(client);
    if let Err(e) = directory_writer.await {
        tracing::error!(error = %e, "the guild directory writer ended abnormally");
    }
    result.context("the Discord connection failed")
}

/// What registering the command set sends: poise's slash commands, and the context menus
/// with their localised names.
fn application_commands(commands: &[poise::Command<Data, Error>]) -> Vec<serenity::CreateCommand> {
    commands
        .iter()
        .filter_map(|c| match c.context_menu_action {
            Some(_) => interactions::context_menu_registration(c),
            None => c.create_as_slash_command(),
        })
        .collect()
}

/// Registers the command set, only when it differs from the last one registered in this scope
/// (a digest of it is kept in the store): restarts do not re-register.
async fn register_commands(
    ctx: &serenity::Context,
    services: &Services,
    commands: &[poise::Command<Data, Error>],
    test_guild: Option<u64>,
    application: u64,
) -> anyhow::Result<()> {
    let create = application_commands(commands);
    let json = serde_json::to_vec(&create)?;
    let digest = hex::encode(Sha256::digest(&json));
    let scope = match test_guild {
        Some(g) => format!("guild:{g}"),
        None => "global".to_string(),
    };
    let key = format!("commands:{application}:{scope}");
    let stored = services
        .store
        .meta(&key)
        .await
        .context("reading the registered commands' digest")?;
    if stored.as_deref() == Some(digest.as_str()) {
        // The digest says what we registered, not what Discord still has (commands can be
        // deleted by hand): one cheap GET checks that every command is still there.
        let registered = match test_guild {
            Some(g) => serenity::GuildId::new(g).get_commands(ctx).await,
            None => serenity::Command::get_global_commands(ctx).await,
        }
        .context("listing the registered commands")?;
        let mut theirs: Vec<&str> = registered.iter().map(|c| c.name.as_str()).collect();
        // A context menu is registered under its display name.
        let mut ours: Vec<&str> = commands
            .iter()
            .map(|c| c.context_menu_name.as_deref().unwrap_or(&c.name))
            .collect();
        theirs.sort_unstable();
        ours.sort_unstable();
        if theirs == ours {
            tracing::info!(%scope, "commands unchanged; not registering");
            return Ok(());
        }
        tracing::warn!(%scope, "commands missing in Discord; registering again");
    }
    match test_guild {
        Some(g) => {
            serenity::GuildId::new(g)
                .set_commands(ctx, create)
                .await
                .context("registering guild commands")?;
        }
        None => {
            serenity::Command::set_global_commands(ctx, create)
                .await
                .context("registering global commands")?;
        }
    }
    services
        .store
        .set_meta(&key, &digest)
        .await
        .context("storing the registered commands' digest")?;
    tracing::info!(%scope, count = commands.len(), "commands registered");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_option_is_described_in_both_languages() {
        fn walk(cmds: &[poise::Command<Data, Error>], problems: &mut Vec<String>) {
            for c in cmds {
                if c.context_menu_action.is_some() {
                    // A context menu has a name only; checked in `context_menus_are_named…`.
                    continue;
                }
                if c.description.as_deref().unwrap_or("").is_empty() {
                    problems.push(format!("{}: no description", c.name));
                }
                if !c.name_localizations.iter().any(|(l, _)| l == "sv-SE") {
                    problems.push(format!("{}: no sv-SE name", c.name));
                }
                for p in &c.parameters {
                    if p.description.as_deref().unwrap_or("").is_empty()
                        || !p.name_localizations.iter().any(|(l, _)| l == "sv-SE")
                    {
                        problems.push(format!("{} {}: not localised", c.name, p.name));
                    }
                }
                walk(&c.subcommands, problems);
            }
        }
        let mut problems = Vec::new();
        walk(&command_set(), &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn slash_commands_are_the_declared_command_set() {
        // Every spec is a subcommand with exactly its declared options, in order; the group
        // commands hold nothing else (whistleblowing's are their own, not in the shell).
        let commands = command_set();
        let declared: Vec<String> = crate::command::COMMANDS
            .iter()
            .map(|s| {
                let opts: Vec<String> = s
                    .options
                    .iter()
                    .filter(|o| !o.hidden)
                    .map(|o| format!("{}{}", o.name, if o.required { "!" } else { "" }))
                    .collect();
                format!("{} {}", s.path.join(" "), opts.join(","))
            })
            .collect();
        // Walked in declaration order: a command with no subcommands is a spec's own, at any
        // depth; a group holds only subcommands and (under a top-level command) groups.
        fn walk(c: &poise::Command<Data, Error>, path: &mut Vec<String>, built: &mut Vec<String>) {
            path.push(c.name.to_string());
            if c.subcommands.is_empty() {
                let opts: Vec<String> = c
                    .parameters
                    .iter()
                    .map(|p| format!("{}{}", p.name, if p.required { "!" } else { "" }))
                    .collect();
                built.push(format!("{} {}", path.join(" "), opts.join(",")));
            } else {
                assert!(
                    c.parameters.is_empty(),
                    "{}: a group takes no options",
                    c.name
                );
                assert!(path.len() < crate::command::MAX_DEPTH, "{path:?} too deep");
                for sub in &c.subcommands {
                    walk(sub, path, built);
                }
            }
            path.pop();
        }
        let mut built = Vec::new();
        for root in commands
            .iter()
            .filter(|c| crate::command::roots().contains(&c.name.as_ref()))
        {
            walk(root, &mut Vec::new(), &mut built);
        }
        assert_eq!(built, declared);
    }

    #[test]
    fn context_menus_are_named_in_both_languages_within_discords_limit() {
        let menus: Vec<_> = command_set()
            .into_iter()
            .filter(|c| c.context_menu_action.is_some())
            .collect();
        assert_eq!(menus.len(), crate::command::MESSAGE_COMMANDS.len());
        for c in &menus {
            let en = c.context_menu_name.as_deref().unwrap_or("");
            let sv = c
                .name_localizations
                .iter()
                .find(|(l, _)| l == "sv-SE")
                .map(|(_, n)| n.to_string())
                .unwrap_or_default();
            for n in [en, sv.as_str()] {
                assert!(
                    !n.is_empty() && n.chars().count() <= 32,
                    "{}: {n:?}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn forms_are_labelled_in_both_languages_within_discords_limits() {
        let catalog = crate::i18n::Catalog::get();
        let mut bad = Vec::new();
        for spec in crate::command::COMMANDS.iter().filter(|s| s.form.is_some()) {
            let key = format!("cmd-{}", spec.path.join("-"));
            for lang in crate::i18n::Lang::ALL {
                let mut texts = vec![("form-title".to_string(), 45)];
                for f in spec.fields() {
                    texts.push((format!("{}-label", f.name), 45));
                }
                for (attr, max) in texts {
                    match catalog.lookup(lang, &key, Some(&attr), &[]) {
                        Some(t) if !t.is_empty() && t.chars().count() <= max => {}
                        other => bad.push(format!("{key}.{attr} ({lang:?}): {other:?}")),
                    }
                }
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn localised_names_follow_discords_rules() {
        fn walk(cmds: &[poise::Command<Data, Error>], bad: &mut Vec<String>) {
            for c in cmds.iter().filter(|c| c.context_menu_action.is_none()) {
                let names = c
                    .name_localizations
                    .iter()
                    .map(|(_, n)| n.to_string())
                    .chain(
                        c.parameters
                            .iter()
                            .flat_map(|p| p.name_localizations.iter().map(|(_, n)| n.to_string())),
                    );
                for n in names {
                    let ok = !n.is_empty()
                        && n.chars().count() <= 32
                        && n.chars().all(|ch| {
                            (ch.is_alphanumeric() && !ch.is_uppercase()) || ch == '-' || ch == '_'
                        });
                    if !ok {
                        bad.push(n);
                    }
                }
                let descs = c
                    .description_localizations
                    .iter()
                    .map(|(_, d)| d.to_string());
                for d in descs.chain(c.description.clone().map(|d| d.to_string())) {
                    if d.chars().count() > 100 {
                        bad.push(d);
                    }
                }
                walk(&c.subcommands, bad);
            }
        }
        let mut bad = Vec::new();
        walk(&command_set(), &mut bad);
        assert!(bad.is_empty(), "{bad:#?}");
    }
}
