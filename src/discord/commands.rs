//! Slash commands. Each turns its options into a typed request and calls one use case; names
//! and descriptions come from the catalogue (see `localize.rs`).

use poise::serenity_prelude as serenity;

use super::reply::{choices, run, translated_choices};
use super::{Ctx, Data, Error};
use crate::domain::forum::{time_zone_suggestions, SUGGESTED_TIERS};
use crate::domain::ids::{ChannelId, GuildId, RoleId};
use crate::i18n::Msg;
use crate::service::{CreateForum, EditForum, ForumRef, SetupForums};

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        forum(),
        meeting(),
        settings(),
        super::whistleblowing::whistleblow(),
        super::whistleblowing::case(),
    ]
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "forum_create",
        "forum_list",
        "forum_show",
        "forum_edit",
        "forum_setup"
    ),
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

/// `/forum setup`: a governance template's forums in one step.
#[poise::command(slash_command, guild_only, rename = "setup")]
async fn forum_setup(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_template"] template: String,
    #[channel_types("Text", "News")] channel: serenity::ChannelId,
    mapping: Option<String>,
) -> Result<(), Error> {
    let req = SetupForums {
        template,
        channel: ChannelId(channel.get()),
        mapping,
    };
    run(
        ctx,
        |s, actor| async move { s.forum_setup(&actor, req).await },
    )
    .await
}

async fn autocomplete_template<'a>(
    ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let choices = ctx
        .data()
        .services
        .template_suggestions(partial)
        .into_iter()
        .map(|(key, name)| {
            serenity::AutocompleteChoice::new(
                crate::domain::text::truncate(&format!("{key} – {name}"), 100),
                key,
            )
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
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

#[poise::command(slash_command, guild_only, rename = "edit")]
#[allow(clippy::too_many_arguments)]
async fn forum_edit(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    cadence: Option<String>,
    time: Option<String>,
    duration: Option<i64>,
    start_date: Option<String>,
    #[autocomplete = "autocomplete_time_zone"] time_zone: Option<String>,
    reminders: Option<String>,
    participant_role: Option<serenity::RoleId>,
) -> Result<(), Error> {
    let req = EditForum {
        forum,
        cadence,
        time,
        duration_minutes: duration,
        start_date,
        time_zone,
        reminders,
        participant_role: participant_role.map(|r| RoleId(r.get())),
    };
    run(
        ctx,
        |s, actor| async move { s.forum_edit(&actor, req).await },
    )
    .await
}

#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "meeting_next",
        "meeting_list",
        "meeting_schedule",
        "meeting_cancel",
        "meeting_move",
        "meeting_remind_me"
    ),
    subcommand_required
)]
pub async fn meeting(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

#[poise::command(slash_command, guild_only, rename = "next")]
async fn meeting_next(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
) -> Result<(), Error> {
    run(ctx, |s, a| async move { s.meeting_next(&a, &forum).await }).await
}

#[poise::command(slash_command, guild_only, rename = "list")]
async fn meeting_list(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    #[min = 1]
    #[max = 10]
    count: Option<i64>,
) -> Result<(), Error> {
    let n = count.unwrap_or(5);
    run(
        ctx,
        |s, a| async move { s.meeting_list(&a, &forum, n).await },
    )
    .await
}

#[poise::command(slash_command, guild_only, rename = "schedule")]
async fn meeting_schedule(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    date: String,
    time: String,
    duration: Option<i64>,
) -> Result<(), Error> {
    run(ctx, |s, a| async move {
        s.meeting_schedule(&a, &forum, &date, &time, duration).await
    })
    .await
}

#[poise::command(slash_command, guild_only, rename = "cancel")]
async fn meeting_cancel(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    #[autocomplete = "autocomplete_meeting"] meeting: String,
    reason: String,
) -> Result<(), Error> {
    run(ctx, |s, a| async move {
        s.meeting_cancel(&a, &forum, &meeting, &reason).await
    })
    .await
}

#[poise::command(slash_command, guild_only, rename = "move")]
async fn meeting_move(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    #[autocomplete = "autocomplete_meeting"] meeting: String,
    date: String,
    time: String,
) -> Result<(), Error> {
    run(ctx, |s, a| async move {
        s.meeting_move(&a, &forum, &meeting, &date, &time).await
    })
    .await
}

#[poise::command(slash_command, guild_only, rename = "remind-me")]
async fn meeting_remind_me(
    ctx: Ctx<'_>,
    #[autocomplete = "autocomplete_forum"] forum: String,
    on: bool,
) -> Result<(), Error> {
    run(ctx, |s, a| async move {
        s.meeting_remind_me(&a, &forum, on).await
    })
    .await
}

/// Upcoming meetings of the forum chosen in the same command.
async fn autocomplete_meeting<'a>(
    ctx: Ctx<'a>,
    _partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let forum = match ctx {
        poise::Context::Application(a) => a
            .interaction
            .data
            .options()
            .iter()
            .flat_map(|o| match &o.value {
                serenity::ResolvedValue::SubCommand(inner) => inner.clone(),
                _ => Vec::new(),
            })
            .find(|o| o.name == "forum")
            .and_then(|o| match o.value {
                serenity::ResolvedValue::String(s) => Some(s.to_string()),
                serenity::ResolvedValue::Autocomplete { value, .. } => Some(value.to_string()),
                _ => None,
            }),
        poise::Context::Prefix(_) => None,
    };
    let (Some(forum), Some(actor)) = (forum, super::reply::actor(ctx)) else {
        return choices(Vec::new());
    };
    choices(
        ctx.data()
            .services
            .meeting_suggestions(&actor, &forum)
            .await,
    )
}
