//! Slash commands, built from the command set declared once in [`crate::command`]: each spec
//! becomes a command of its own (`/note`), a subcommand of a group (`/forum create`) or a
//! subcommand of a subcommand group (`/meeting item next`), as long as its path; its options
//! and autocompletes follow its declaration, and one action reads the interaction's options
//! into a request. Names and descriptions come from the catalogue (see `localize.rs`).

use std::borrow::Cow;

use poise::serenity_prelude as serenity;
use poise::BoxFuture;

use super::reply::{choices, run, translated_choices};
use super::{Ctx, Data, Error};
use crate::command::{self, Complete, Kind, Opt, Origin, Spec, Value, Values};
use crate::domain::forum::{time_zone_suggestions, SUGGESTED_TIERS};
use crate::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use crate::i18n::Msg;

type Command = poise::Command<Data, Error>;
type AppCtx<'a> = poise::ApplicationContext<'a, Data, Error>;

pub fn all() -> Vec<Command> {
    let mut out: Vec<Command> = command::roots()
        .into_iter()
        .map(|root| node(vec![root]))
        .collect();
    out.extend(super::interactions::message_commands());
    out.push(super::whistleblowing::whistleblow());
    out.push(super::whistleblowing::case());
    out
}

/// The command at `path`: the spec's own command when a spec has that path, otherwise a
/// group (`/forum`, `/meeting item`) of what follows it.
fn node(path: Vec<&'static str>) -> Command {
    if let Some(spec) = command::find(&path) {
        return leaf(spec);
    }
    let name = *path.last().expect("a path names a command");
    Command {
        name: Cow::Borrowed(name),
        qualified_name: Cow::Owned(path.join(" ")),
        identifying_name: Cow::Owned(path.join("_")),
        source_code_name: Cow::Owned(path.join("_")),
        guild_only: true,
        subcommand_required: true,
        // Discord never invokes a group itself; poise needs an action to register it.
        slash_action: Some(|_| Box::pin(async { Ok(()) })),
        subcommands: command::children(&path)
            .into_iter()
            .map(|child| {
                let mut p = path.clone();
                p.push(child);
                node(p)
            })
            .collect(),
        ..Default::default()
    }
}

/// A spec's own command (a subcommand, or a top-level command with a one-name path).
fn leaf(spec: &'static Spec) -> Command {
    let name = *spec.path.last().expect("a path names a command");
    Command {
        name: Cow::Borrowed(name),
        qualified_name: Cow::Owned(spec.path.join(" ")),
        identifying_name: Cow::Owned(spec.path.join("_")),
        source_code_name: Cow::Owned(spec.path.join("_")),
        guild_only: true,
        slash_action: Some(invoke),
        parameters: spec
            .options
            .iter()
            .filter(|o| !o.hidden)
            .map(parameter)
            .collect(),
        custom_data: Box::new(spec),
        ..Default::default()
    }
}

fn parameter(o: &'static Opt) -> poise::CommandParameter<Data, Error> {
    use serenity::CommandOptionType as T;
    type Setter = fn(serenity::CreateCommandOption) -> serenity::CreateCommandOption;
    let type_setter: Setter = match o.kind {
        Kind::Text | Kind::Mapping => |b| b.kind(T::String),
        // The range of integers JavaScript clients keep exact (what poise declares for i64).
        Kind::Integer => |b| {
            b.kind(T::Integer)
                .min_number_value(-9007199254740991.)
                .max_number_value(9007199254740991.)
        },
        Kind::Count => |b| {
            let max = crate::service::meetings::MAX_LIST as f64;
            b.kind(T::Integer)
                .min_number_value(1.)
                .max_number_value(max)
        },
        Kind::Bool => |b| b.kind(T::Boolean),
        Kind::Channel => |b| b.kind(T::Channel),
        Kind::Role => |b| b.kind(T::Role),
        Kind::User => |b| b.kind(T::User),
        Kind::Attachment => |b| b.kind(T::Attachment),
    };
    poise::CommandParameter {
        name: Cow::Borrowed(o.name),
        name_localizations: Cow::Borrowed(&[]),
        description: None,
        description_localizations: Cow::Borrowed(&[]),
        required: o.required,
        channel_types: (o.kind == Kind::Channel).then(|| {
            Cow::Borrowed(&[serenity::ChannelType::Text, serenity::ChannelType::News][..])
        }),
        choices: Cow::Borrowed(&[]),
        type_setter: Some(type_setter),
        autocomplete_callback: o.complete.map(autocomplete),
        __non_exhaustive: (),
    }
}

/// Every spec's action: the interaction's options, as values, make the spec's request.
fn invoke(ctx: AppCtx<'_>) -> BoxFuture<'_, Result<(), poise::FrameworkError<'_, Data, Error>>> {
    Box::pin(async move {
        let Some(spec) = ctx.command().custom_data.downcast_ref::<&'static Spec>() else {
            let e = anyhow::anyhow!("command {} has no spec", ctx.command().name);
            return Err(poise::FrameworkError::new_command(ctx.into(), e));
        };
        let mut values = values(ctx.args);
        fetch_uploads(&mut values).await;
        if spec.form.is_some() {
            // The fields are asked for in a modal; the options travel in its id.
            let mut invoke = crate::action::Invoke::new(spec.path);
            invoke.values = values;
            return super::interactions::open_form_from_command(ctx, spec, invoke)
                .await
                .map_err(|e| poise::FrameworkError::new_command(ctx.into(), e));
        }
        let origin = Origin {
            channel: Some(ChannelId(ctx.interaction.channel_id.get())),
            by_bot: ctx.interaction.user.bot,
            source: None,
        };
        run(ctx.into(), |s, a| async move {
            super::interactions::run(&s, &a, spec, values, &origin).await
        })
        .await
        .map_err(|e| poise::FrameworkError::new_command(ctx.into(), e))
    })
}

/// The options Discord resolved, by name.
fn values(args: &[serenity::ResolvedOption<'_>]) -> Values {
    use serenity::ResolvedValue as R;
    let mut values = Values::default();
    for a in args {
        let v = match &a.value {
            R::String(s) => Value::Text(s.to_string()),
            R::Integer(n) => Value::Integer(*n),
            R::Boolean(b) => Value::Bool(*b),
            R::Channel(c) => Value::Channel(ChannelId(c.id.get())),
            R::Role(r) => Value::Role(RoleId(r.id.get())),
            R::User(u, _) => Value::User(UserId(u.id.get())),
            // Fetched before the use case runs (see `fetch_uploads`).
            R::Attachment(a) => Value::File(crate::command::Upload {
                name: a.filename.clone(),
                size: u64::from(a.size),
                bytes: a.url.clone().into_bytes(),
            }),
            _ => continue,
        };
        values.insert(a.name, v);
    }
    values
}

/// Replaces each attachment's URL (what `values` put in its bytes) by its content, unless it
/// is larger than any use case takes (then it arrives with its size and no bytes) or cannot
/// be fetched (no bytes either: the use case refuses it as empty).
async fn fetch_uploads(values: &mut Values) {
    for v in values.0.values_mut() {
        let Value::File(f) = v else { continue };
        let url = String::from_utf8(std::mem::take(&mut f.bytes)).unwrap_or_default();
        if f.size > crate::command::MAX_FETCH || url.is_empty() {
            continue;
        }
        match fetch(&url).await {
            Ok(bytes) => {
                f.size = f.size.max(bytes.len() as u64);
                f.bytes = bytes;
            }
            Err(e) => tracing::warn!(error = %e, "could not fetch an attachment"),
        }
    }
}

async fn fetch(url: &str) -> anyhow::Result<Vec<u8>> {
    let resp = reqwest::Client::new()
        .get(url)
        .timeout(std::time::Duration::from_secs(20))
        .send()
        .await?
        .error_for_status()?;
    let mut out = Vec::new();
    let mut resp = resp;
    while let Some(chunk) = resp.chunk().await? {
        out.extend_from_slice(&chunk);
        if out.len() as u64 > crate::command::MAX_FETCH {
            break;
        }
    }
    Ok(out)
}

type Autocomplete =
    for<'a> fn(AppCtx<'a>, &'a str) -> BoxFuture<'a, serenity::CreateAutocompleteResponse>;

fn autocomplete(c: Complete) -> Autocomplete {
    match c {
        Complete::Forum => |ctx, p| Box::pin(autocomplete_forum(ctx.into(), p)),
        Complete::Meeting => |ctx, p| Box::pin(autocomplete_meeting(ctx.into(), p)),
        Complete::Tier => |ctx, p| Box::pin(autocomplete_tier(ctx.into(), p)),
        Complete::TimeZone => |ctx, p| Box::pin(autocomplete_time_zone(ctx.into(), p)),
        Complete::Template => |ctx, p| Box::pin(autocomplete_template(ctx.into(), p)),
        Complete::Language => |ctx, p| Box::pin(autocomplete_language(ctx.into(), p)),
        Complete::Item => |ctx, p| Box::pin(autocomplete_item(ctx.into(), p)),
        Complete::Escalation => |ctx, p| Box::pin(autocomplete_escalation(ctx.into(), p)),
    }
}

async fn autocomplete_item<'a>(
    ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let Some(actor) = super::reply::actor(ctx) else {
        return serenity::CreateAutocompleteResponse::new();
    };
    let choices = ctx
        .data()
        .services
        .agenda_item_suggestions(&actor, partial)
        .await
        .into_iter()
        .map(|(id, label)| serenity::AutocompleteChoice::new(label, id))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

async fn autocomplete_escalation<'a>(
    ctx: Ctx<'a>,
    partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    let Some(actor) = super::reply::actor(ctx) else {
        return serenity::CreateAutocompleteResponse::new();
    };
    let choices = ctx
        .data()
        .services
        .escalation_suggestions(&actor, partial)
        .await
        .into_iter()
        .map(|(id, label)| serenity::AutocompleteChoice::new(label, id))
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
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

async fn autocomplete_meeting<'a>(
    ctx: Ctx<'a>,
    _partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    // The options of the invoked (sub)command, however deep it is: poise hands them over.
    let forum = match ctx {
        poise::Context::Application(a) => {
            a.args
                .iter()
                .find(|o| o.name == "forum")
                .and_then(|o| match o.value {
                    serenity::ResolvedValue::String(s) => Some(s.to_string()),
                    serenity::ResolvedValue::Autocomplete { value, .. } => Some(value.to_string()),
                    _ => None,
                })
        }
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
