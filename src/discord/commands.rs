//! Slash commands. Each turns its options into a typed request and calls one use case; names
//! and descriptions come from the catalogue (see `localize.rs`).

use poise::serenity_prelude as serenity;

use super::reply::{choices, run, translated_choices};
use super::{Ctx, Data, Error};
use crate::domain::forum::{time_zone_suggestions, SUGGESTED_TIERS};
use crate::domain::ids::{ChannelId, GuildId, RoleId};
use crate::i18n::Msg;
use crate::service::{CreateForum, ForumRef};

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        forum(),
        settings(),
        super::whistleblowing::whistleblow(),
        super::whistleblowing::case(),
    ]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("forum_create", "forum_list", "forum_show"),
    subcommand_required
)]
pub async fn forum(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, rename = "create")]
async fn forum_create(
    ctx: Ctx<'_>,
    name: String,
    #[autocomplete = "autocomplete_tier"] tier: String,
    #[channel_types("Text", "News")] channel: serenity::ChannelId,
    #[autocomplete = "autocomplete_time_zone"] time_zone: Option<String>,
    #[autocomplete = "autocomplete_forum"] escalates_to: Option<String>,
    chair_role: Option<serenity::RoleId>,
) -> Result<(), Error> {
    let req = CreateForum {
        name,
        tier,
        channel: ChannelId(channel.get()),
        time_zone,
        escalates_to,
        chair_role: chair_role.map(|r| RoleId(r.get())),
    };
    run(
        ctx,
        |s, actor| async move { s.forum_create(&actor, req).await },
    )
    .await
}

#[poise::command(slash_command, guild_only, rename = "list")]
async fn forum_list(ctx: Ctx<'_>) -> Result<(), Error> {
    run(ctx, |s, actor| async move { s.forum_list(&actor).await }).await
}

#[poise::command(slash_command, guild_only, rename = "show")]
async fn forum_show(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
) -> Result<(), Error> {
    run(ctx, |s, actor| async move {
        s.forum_show(&actor, ForumRef(forum)).await
    })
    .await
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands("settings_language"),
    subcommand_required
)]
pub async fn settings(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, rename = "language")]
async fn settings_language(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_language"] language: String,
) -> Result<(), Error> {
    run(ctx, |s, actor| async move {
        s.set_language(&actor, &language).await
    })
    .await
}

async fn autocomplete_forum<'a>(
    ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let Some(guild) = ctx.guild_id() else {
        return choices(Vec::new());
    };
    choices(
        ctx.data()
            .services
            .forum_name_suggestions(GuildId(guild.get()), partial)
            .await,
    )
}

async fn autocomplete_tier<'a>(
    ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let p = partial.to_lowercase();
    let items = SUGGESTED_TIERS
        .iter()
        .filter(|t| t.contains(&p))
        .map(|t| (crate::service::tier_label(t), t.to_string()))
        .collect();
    translated_choices(ctx, items).await
}

async fn autocomplete_time_zone<'a>(
    _ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    choices(
        time_zone_suggestions(partial, 25)
            .into_iter()
            .map(str::to_string)
            .collect(),
    )
}

async fn autocomplete_language<'a>(
    ctx: Ctx<'a>,
    _partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let items = crate::i18n::Lang::ALL
        .iter()
        .map(|l| {
            (
                Msg::new("language-name").arg("code", l.code()),
                l.code().to_string(),
            )
        })
        .collect();
    translated_choices(ctx, items).await
}
