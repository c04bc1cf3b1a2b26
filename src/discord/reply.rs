//! From interaction to service and back: who is asking, and how a reply is sent.

use std::future::Future;

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::render::DiscordRender;
use super::{Ctx, Data, Error};
use crate::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use crate::domain::text::truncate;
use crate::error::{refuse, Result};
use crate::i18n::Msg;
use crate::msg;
use crate::service::{render, Actor, Presented, Reply, Services};

/// Discord's limit for a message's content.
const MAX_CONTENT: usize = 2000;

/// Who invoked a command, from the interaction itself (no cache, no extra request).
pub fn actor(ctx: Ctx<'_>) -> Option<Actor> {
    let member = match ctx {
        poise::Context::Application(a) => a.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    super::interactions::actor_of(ctx.guild_id(), member, ctx.author())
}

/// Runs a guild use case and answers with its reply. Every command goes through here, so
/// every reply sets allowed mentions, fits Discord's limits, and counts as in flight.
pub async fn run<F, Fut>(ctx: Ctx<'_>, use_case: F) -> Result<(), Error>
where
    F: FnOnce(Services, Actor) -> Fut,
    Fut: Future<Output = Result<Reply>>,
{
    let data = ctx.data();
    let _guard = data.inflight.enter();
    let services = data.services.clone();
    let presented = match actor(ctx) {
        Some(actor) => {
            let guild = actor.guild;
            learn_from_interaction(ctx, &services, guild).await;
            learn_members(ctx, &services, guild).await;
            services
                .run_presented(
                    Some(guild),
                    use_case(services.clone(), actor),
                    &DiscordRender,
                )
                .await
        }
        None => {
            services
                .present(None, Err(refuse(msg!("error-guild-only"))), &DiscordRender)
                .await
        }
    };
    send(ctx, presented).await
}

/// Records the channels and roles the interaction itself names (options the member picked,
/// resolved by Discord for this guild) while the guild is not in the directory yet. The
/// directory is written asynchronously from GUILD_CREATE, so a command in the first moment
/// after the bot joined a server would otherwise be refused with "the channel is not in this
/// server". Once the guild is there, the directory alone decides (a channel id of another
/// guild stays refused).
async fn learn_from_interaction(ctx: Ctx<'_>, services: &Services, guild: GuildId) {
    let poise::Context::Application(a) = ctx else {
        return;
    };
    let resolved = &a.interaction.data.resolved;
    if resolved.channels.is_empty() && resolved.roles.is_empty() {
        return;
    }
    let store = &services.store;
    match store.guild(guild).await {
        Ok(None) => {}
        Ok(Some(_)) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the guild directory");
            return;
        }
    }
    for (id, channel) in &resolved.channels {
        let (Some(name), true) = (&channel.name, super::events::keeps(channel.kind)) else {
            continue;
        };
        let id = ChannelId(id.get());
        let learned = match store.channel_name(guild, id).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => store.upsert_channel(guild, id, name).await,
            Err(e) => Err(e),
        };
        if let Err(e) = learned {
            tracing::warn!(error = %e, "could not record a channel from an interaction");
        }
    }
    for (id, role) in &resolved.roles {
        let id = RoleId(id.get());
        let learned = match store.role_name(guild, id).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => store.upsert_role(guild, id, &role.name).await,
            Err(e) => Err(e),
        };
        if let Err(e) = learned {
            tracing::warn!(error = %e, "could not record a role from an interaction");
        }
    }
}

/// Keeps the member directory (`members`) true for the users an interaction names: the
/// member who invoked it, and each user option, a member when Discord resolved a member for
/// it and not one (left, or never joined) when it did not. An action's owner is checked
/// against it.
async fn learn_members(ctx: Ctx<'_>, services: &Services, guild: GuildId) {
    let poise::Context::Application(a) = ctx else {
        return;
    };
    let store = &services.store;
    let mut seen: Vec<(UserId, Option<String>)> = Vec::new();
    if let Some(m) = &a.interaction.member {
        seen.push((UserId(m.user.id.get()), Some(m.display_name().to_string())));
    }
    let resolved = &a.interaction.data.resolved;
    for (id, user) in &resolved.users {
        let name = resolved.members.get(id).map(|m| {
            m.nick.clone().unwrap_or_else(|| {
                user.global_name
                    .clone()
                    .unwrap_or_else(|| user.name.clone())
            })
        });
        seen.push((UserId(id.get()), name));
    }
    for (user, name) in seen {
        let done = match name {
            Some(n) => store.upsert_member(guild, user, &n).await,
            None => store.remove_member(guild, user).await,
        };
        if let Err(e) = done {
            tracing::warn!(error = %e, "could not record a member from an interaction");
        }
    }
}

/// Sends a rendered reply, with its files attached. User text in it can never ping: no
/// mention is allowed.
pub async fn send(ctx: Ctx<'_>, p: Presented) -> Result<(), Error> {
    let mut reply = CreateReply::default()
        .content(truncate(&p.text, MAX_CONTENT))
        .components(super::interactions::components(&p.actions))
        .ephemeral(p.ephemeral)
        .allowed_mentions(serenity::CreateAllowedMentions::new());
    for f in p.files {
        reply = reply.attachment(serenity::CreateAttachment::bytes(f.bytes, f.name));
    }
    ctx.send(reply).await?;
    Ok(())
}

/// Framework errors: input poise could not parse gets a translated refusal; anything else is
/// logged with a reference id and the user sees only that id.
pub async fn on_error(err: poise::FrameworkError<'_, Data, Error>) {
    match err {
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!(error = format!("{error:#}"), "setup failed");
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::error!(
                error = format!("{error:#}"),
                event = event.snake_case_name(),
                "event handling failed"
            );
        }
        poise::FrameworkError::Command { error, ctx, .. } => {
            answer(ctx, Err(crate::error::Error::Internal(error))).await;
        }
        poise::FrameworkError::ArgumentParse { error, ctx, .. } => {
            let detail: String = error.to_string().chars().take(200).collect();
            answer(ctx, Err(refuse(msg!("error-bad-option", detail = detail)))).await;
        }
        poise::FrameworkError::GuildOnly { ctx, .. } => {
            answer(ctx, Err(refuse(msg!("error-guild-only")))).await;
        }
        other => {
            // Unknown commands, stale registrations, checks: nothing the user can act on.
            tracing::warn!(error = %other, "framework error");
        }
    }
}

async fn answer(ctx: Ctx<'_>, result: Result<Reply>) {
    let services = &ctx.data().services;
    let guild = ctx.guild_id().map(|g| GuildId(g.get()));
    let lang = services.language(guild).await;
    if let Err(e) = send(ctx, render(lang, result, &DiscordRender)).await {
        tracing::warn!(error = %e, "could not send an error reply");
    }
}

/// Autocomplete choices from plain strings (names and values are the same).
pub fn choices(items: Vec<String>) -> serenity::CreateAutocompleteResponse {
    let choices = items
        .into_iter()
        .take(25)
        .map(|s| serenity::AutocompleteChoice::new(truncate(&s, 100), s))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// A choice list from messages rendered in the guild's language (name) with raw values.
pub async fn translated_choices(
    ctx: Ctx<'_>,
    items: Vec<(Msg, String)>,
) -> serenity::CreateAutocompleteResponse {
    let lang = ctx
        .data()
        .services
        .language(ctx.guild_id().map(|g| GuildId(g.get())))
        .await;
    let choices = items
        .into_iter()
        .take(25)
        .map(|(m, v)| serenity::AutocompleteChoice::new(m.plain(lang), v))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}
