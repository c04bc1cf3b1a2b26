//! Forms, buttons and message context menus on Discord, for every spec declared in
//! [`crate::command`]:
//!
//! - a spec with a [`Form`](crate::command::Form) opens a modal (its slash options, or a
//!   button's preset values, travel in the modal's id; preset field values prefill it);
//! - a button's id is an encoded [`Invoke`]: pressing it runs that spec's request as the
//!   presser, or opens its form;
//! - a message context menu opens its spec's form prefilled from the message.
//!
//! Everything is decided by the ids (`v1:…`), so buttons and forms keep working across
//! restarts and processes; nothing waits in memory for a submit.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use poise::serenity_prelude as serenity;
use poise::BoxFuture;
use serenity::{
    ActionRowComponent, ButtonStyle as SButton, ComponentInteraction, CreateActionRow,
    CreateAllowedMentions, CreateButton, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateModal,
    InputTextStyle, Interaction, ModalInteraction,
};

use super::render::DiscordRender;
use super::{Data, Error};
use crate::action::{ButtonStyle, Invoke, OutAction, MAX_ID, VERSION};
use crate::command::{
    message_command, FieldStyle, MessageCommand, Origin, Spec, Value, Values, MESSAGE_COMMANDS,
};
use crate::domain::ids::{ChannelId, GuildId, MessageRef, RoleId, UserId};
use crate::domain::text::truncate;
use crate::error::{refuse, Result as UseCaseResult};
use crate::i18n::{Catalog, Lang};
use crate::msg;
use crate::service::{Actor, Presented, Reply, Services};

type Command = poise::Command<Data, Error>;
type AppCtx<'a> = poise::ApplicationContext<'a, Data, Error>;

/// Discord's limit for a message's content.
const MAX_CONTENT: usize = 2000;
/// Discord's limits for a modal's title and a text input's label and placeholder.
const MAX_TITLE: usize = 45;
const MAX_PLACEHOLDER: usize = 100;
/// Buttons per row, and rows per message.
const PER_ROW: usize = 5;
const MAX_ROWS: usize = 5;

/// Who acts, from an interaction's member (no cache, no extra request).
pub fn actor_of(
    guild: Option<serenity::GuildId>,
    member: Option<&serenity::Member>,
    user: &serenity::User,
) -> Option<Actor> {
    let guild = guild?;
    let (roles, manage_guild) = match member {
        Some(m) => (
            m.roles.iter().map(|r| RoleId(r.get())).collect(),
            m.permissions
                .map(|p| p.manage_guild() || p.administrator())
                .unwrap_or(false),
        ),
        None => (Vec::new(), false),
    };
    Some(Actor {
        guild: GuildId(guild.get()),
        user: UserId(user.id.get()),
        roles,
        manage_guild,
    })
}

/// Buttons as Discord components: five to a row, at most five rows (more are left off).
pub fn components(actions: &[OutAction]) -> Vec<CreateActionRow> {
    actions
        .chunks(PER_ROW)
        .take(MAX_ROWS)
        .map(|row| {
            CreateActionRow::Buttons(
                row.iter()
                    .map(|a| {
                        CreateButton::new(truncate(&a.id, MAX_ID))
                            .label(a.label.clone())
                            .style(button_style(a.style))
                    })
                    .collect(),
            )
        })
        .collect()
}

fn button_style(s: ButtonStyle) -> SButton {
    match s {
        ButtonStyle::Primary => SButton::Primary,
        ButtonStyle::Secondary => SButton::Secondary,
        ButtonStyle::Success => SButton::Success,
        ButtonStyle::Danger => SButton::Danger,
    }
}

/// A spec's catalogue key (`cmd-agenda-propose`).
fn key_of(spec: &Spec) -> String {
    format!("cmd-{}", spec.path.join("-"))
}

/// The modal of a spec's form. Its id carries the options' values (and the source message);
/// `prefill` fills the fields. An id longer than Discord allows is refused.
pub fn form_modal(
    lang: Lang,
    spec: &'static Spec,
    invoke: &Invoke,
    prefill: &Values,
) -> UseCaseResult<CreateModal> {
    let id = invoke.options_only().encode();
    if id.chars().count() > MAX_ID {
        return Err(refuse(msg!("error-form-too-long")));
    }
    let catalog = Catalog::get();
    let key = key_of(spec);
    let text = |attr: &str| catalog.lookup(lang, &key, Some(attr), &[]);
    let title = text("form-title").unwrap_or_else(|| spec.path.join(" "));
    let inputs = spec
        .fields()
        .iter()
        .map(|f| {
            let style = match f.style {
                FieldStyle::Short => InputTextStyle::Short,
                FieldStyle::Paragraph => InputTextStyle::Paragraph,
            };
            let label = text(&format!("{}-label", f.name)).unwrap_or_else(|| f.name.to_string());
            let mut input = CreateInputText::new(style, truncate(&label, MAX_TITLE), f.name)
                .required(f.required)
                .max_length(f.max);
            if f.min > 0 {
                input = input.min_length(f.min);
            }
            if let Some(p) = text(&format!("{}-placeholder", f.name)) {
                input = input.placeholder(truncate(&p, MAX_PLACEHOLDER));
            }
            if let Some(Value::Text(v)) = prefill.0.get(f.name) {
                let v: String = v.chars().take(usize::from(f.max)).collect();
                if !v.is_empty() {
                    input = input.value(v);
                }
            }
            CreateActionRow::InputText(input)
        })
        .collect();
    Ok(CreateModal::new(id, truncate(&title, MAX_TITLE)).components(inputs))
}

/// What prefills a form: the preset field values, then whatever the spec's own prefill adds.
async fn prefill_of(
    services: &Services,
    actor: &Actor,
    spec: &'static Spec,
    invoke: &Invoke,
) -> UseCaseResult<Values> {
    let mut values = invoke.values.clone();
    values.0.retain(|name, _| spec.field(name).is_some());
    if let Some(hook) = spec.form.and_then(|f| f.prefill) {
        let extra = hook(services, actor, &invoke.values).await?;
        for (k, v) in extra.0 {
            values.0.entry(k).or_insert(v);
        }
    }
    Ok(values)
}

/// Opens a spec's form as the answer to a slash command or a context menu.
pub async fn open_form_from_command(
    ctx: AppCtx<'_>,
    spec: &'static Spec,
    invoke: Invoke,
) -> Result<(), Error> {
    let data = ctx.data();
    let _guard = data.inflight.enter();
    let services = data.services.clone();
    let guild = ctx.interaction.guild_id;
    let Some(actor) = actor_of(
        guild,
        ctx.interaction.member.as_deref(),
        &ctx.interaction.user,
    ) else {
        let p = services
            .present(None, Err(refuse(msg!("error-guild-only"))), &DiscordRender)
            .await;
        return super::reply::send(ctx.into(), p).await;
    };
    let lang = services.language(Some(actor.guild)).await;
    let modal = match prefill_of(&services, &actor, spec, &invoke).await {
        Ok(prefill) => form_modal(lang, spec, &invoke, &prefill),
        Err(e) => Err(e),
    };
    match modal {
        Ok(modal) => {
            ctx.interaction
                .create_response(ctx.http(), CreateInteractionResponse::Modal(modal))
                .await?;
            ctx.has_sent_initial_response.store(true, Ordering::SeqCst);
            Ok(())
        }
        Err(e) => {
            let p = services
                .present(Some(actor.guild), Err(e), &DiscordRender)
                .await;
            super::reply::send(ctx.into(), p).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Message context menus
// ---------------------------------------------------------------------------------------------

/// One context-menu command per [`MESSAGE_COMMANDS`] entry, named from the catalogue.
pub fn message_commands() -> Vec<Command> {
    MESSAGE_COMMANDS.iter().map(message_menu).collect()
}

fn message_menu(m: &'static MessageCommand) -> Command {
    let catalog = Catalog::get();
    let en = catalog
        .lookup(Lang::En, m.key, None, &[])
        .unwrap_or_else(|| m.key.to_string());
    let sv = catalog.lookup(Lang::Sv, m.key, None, &[]);
    Command {
        name: Cow::Borrowed(m.key),
        qualified_name: Cow::Borrowed(m.key),
        identifying_name: Cow::Borrowed(m.key),
        source_code_name: Cow::Borrowed(m.key),
        context_menu_name: Some(Cow::Owned(en)),
        name_localizations: Cow::Owned(
            sv.map(|n| vec![(Cow::Borrowed(Lang::Sv.discord_locale()), Cow::Owned(n))])
                .unwrap_or_default(),
        ),
        guild_only: true,
        context_menu_action: Some(poise::ContextMenuCommandAction::Message(on_message_menu)),
        custom_data: Box::new(m),
        ..Default::default()
    }
}

/// The command to register for a context menu, with its Swedish name (poise leaves
/// context-menu names unlocalised).
pub fn context_menu_registration(c: &Command) -> Option<serenity::CreateCommand> {
    let mut b = c.create_as_context_menu_command()?;
    for (locale, name) in c.name_localizations.iter() {
        b = b.name_localized(locale.to_string(), name.to_string());
    }
    Some(b)
}

fn on_message_menu(
    ctx: AppCtx<'_>,
    message: serenity::Message,
) -> BoxFuture<'_, Result<(), poise::FrameworkError<'_, Data, Error>>> {
    Box::pin(async move {
        let fail = |e: Error| poise::FrameworkError::new_command(ctx.into(), e);
        let Some(m) = ctx
            .command()
            .custom_data
            .downcast_ref::<&'static MessageCommand>()
            .copied()
            .or_else(|| message_command(&ctx.command().name))
        else {
            return Err(fail(anyhow::anyhow!(
                "context menu without its declaration"
            )));
        };
        let Some(spec) = crate::command::find(m.path) else {
            return Err(fail(anyhow::anyhow!(
                "context menu for an undeclared command"
            )));
        };
        let text = message.content.trim();
        if text.is_empty() {
            // Empty, embed-only or attachment-only: nothing to propose from.
            let services = &ctx.data().services;
            let guild = ctx.interaction.guild_id.map(|g| GuildId(g.get()));
            let p = services
                .present(
                    guild,
                    Err(refuse(msg!("error-message-empty"))),
                    &DiscordRender,
                )
                .await;
            return super::reply::send(ctx.into(), p).await.map_err(fail);
        }
        let source = ctx.interaction.guild_id.map(|g| MessageRef {
            guild: GuildId(g.get()),
            channel: ChannelId(message.channel_id.get()),
            message: message.id.get(),
        });
        if spec.form.is_none() {
            // Nothing to ask: the command runs at once on the message.
            return run_on_message(ctx, m, spec, &message, text, source)
                .await
                .map_err(fail);
        }
        let mut invoke = Invoke::new(spec.path).with(m.content, Value::Text(text.to_string()));
        if let Some(title_field) = m.title {
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let max = spec.field(title_field).map_or(100, |f| usize::from(f.max));
            invoke = invoke.with(title_field, Value::Text(truncate(first.trim(), max)));
        }
        invoke.source = source;
        open_form_from_command(ctx, spec, invoke)
            .await
            .map_err(fail)
    })
}

/// A context menu whose spec has no form: runs it on the message's text (and author, whose
/// name the member directory learns), as the member who used the menu.
async fn run_on_message(
    ctx: AppCtx<'_>,
    m: &'static MessageCommand,
    spec: &'static Spec,
    message: &serenity::Message,
    text: &str,
    source: Option<MessageRef>,
) -> Result<(), Error> {
    let mut values = Values::default();
    values.insert(m.content, Value::Text(text.to_string()));
    if let Some(author) = m.author {
        values.insert(author, Value::User(UserId(message.author.id.get())));
        if let Some(g) = ctx.interaction.guild_id {
            let name = message
                .member
                .as_ref()
                .and_then(|pm| pm.nick.clone())
                .or_else(|| message.author.global_name.clone())
                .unwrap_or_else(|| message.author.name.clone());
            let store = &ctx.data().services.store;
            let user = UserId(message.author.id.get());
            if let Err(e) = store.upsert_member(GuildId(g.get()), user, &name).await {
                tracing::warn!(error = %e, "could not record a message's author");
            }
        }
    }
    let origin = Origin {
        channel: Some(ChannelId(ctx.interaction.channel_id.get())),
        by_bot: ctx.interaction.user.bot,
        source,
    };
    super::reply::run(ctx.into(), |s, a| async move {
        run(&s, &a, spec, values, &origin).await
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Buttons and form submits (from the event handler)
// ---------------------------------------------------------------------------------------------

/// Whether an id is one of ours (`v1:…`, and any later version: those are answered as stale).
fn ours(id: &str) -> bool {
    id.split_once(':').is_some_and(|(v, _)| {
        v.len() >= 2 && v.starts_with('v') && v[1..].bytes().all(|b| b.is_ascii_digit())
    })
}

/// Handles buttons and form submits with our ids; anything else is left alone.
pub async fn on_interaction(
    framework: poise::FrameworkContext<'_, Data, Error>,
    interaction: &Interaction,
) {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match interaction {
        Interaction::Component(c) if ours(&c.data.custom_id) => {
            let _guard = data.inflight.enter();
            if let Err(e) = on_button(ctx, data, c).await {
                tracing::warn!(error = format!("{e:#}"), "answering a button failed");
            }
        }
        Interaction::Modal(m) if ours(&m.data.custom_id) => {
            let _guard = data.inflight.enter();
            if let Err(e) = on_submit(ctx, data, m).await {
                tracing::warn!(error = format!("{e:#}"), "answering a form failed");
            }
        }
        _ => {}
    }
}

async fn on_button(
    ctx: &serenity::Context,
    data: &Data,
    c: &ComponentInteraction,
) -> Result<(), Error> {
    let services = data.services.clone();
    let guild = c.guild_id.map(|g| GuildId(g.get()));
    let invoke = match decode(&c.data.custom_id) {
        Ok(i) => i,
        Err(e) => return answer(ctx, Responder::Button(c), &services, guild, Err(e)).await,
    };
    let Some(actor) = actor_of(c.guild_id, c.member.as_ref(), &c.user) else {
        let e = refuse(msg!("error-guild-only"));
        return answer(ctx, Responder::Button(c), &services, guild, Err(e)).await;
    };
    learn_presser(&services, &actor, c.member.as_ref()).await;
    let Some(spec) = invoke.spec() else {
        let e = refuse(msg!("error-stale-button"));
        return answer(ctx, Responder::Button(c), &services, guild, Err(e)).await;
    };
    if spec.form.is_some() {
        let lang = services.language(guild).await;
        let modal = match prefill_of(&services, &actor, spec, &invoke).await {
            Ok(prefill) => form_modal(lang, spec, &invoke, &prefill),
            Err(e) => Err(e),
        };
        return match modal {
            Ok(modal) => {
                c.create_response(&ctx.http, CreateInteractionResponse::Modal(modal))
                    .await?;
                Ok(())
            }
            Err(e) => answer(ctx, Responder::Button(c), &services, guild, Err(e)).await,
        };
    }
    let origin = Origin {
        channel: Some(ChannelId(c.channel_id.get())),
        by_bot: c.user.bot,
        source: None,
    };
    let p = services
        .run_presented(
            guild,
            run(&services, &actor, spec, invoke.values, &origin),
            &DiscordRender,
        )
        .await;
    answer_presented(ctx, Responder::Button(c), p).await
}

async fn on_submit(
    ctx: &serenity::Context,
    data: &Data,
    m: &ModalInteraction,
) -> Result<(), Error> {
    let services = data.services.clone();
    let guild = m.guild_id.map(|g| GuildId(g.get()));
    let invoke = match decode(&m.data.custom_id) {
        Ok(i) => i,
        Err(e) => return answer(ctx, Responder::Modal(m), &services, guild, Err(e)).await,
    };
    let Some(actor) = actor_of(m.guild_id, m.member.as_ref(), &m.user) else {
        let e = refuse(msg!("error-guild-only"));
        return answer(ctx, Responder::Modal(m), &services, guild, Err(e)).await;
    };
    let Some(spec) = invoke.spec() else {
        let e = refuse(msg!("error-stale-button"));
        return answer(ctx, Responder::Modal(m), &services, guild, Err(e)).await;
    };
    let mut values = invoke.values;
    for row in &m.data.components {
        for c in &row.components {
            if let ActionRowComponent::InputText(t) = c {
                // Only the form's own fields; an empty optional field is no value.
                if spec.field(&t.custom_id).is_none() {
                    let e = refuse(msg!("error-stale-button"));
                    return answer(ctx, Responder::Modal(m), &services, guild, Err(e)).await;
                }
                let v = t.value.clone().unwrap_or_default();
                if !v.is_empty() {
                    values.insert(t.custom_id.clone(), Value::Text(v));
                }
            }
        }
    }
    let origin = Origin {
        channel: Some(ChannelId(m.channel_id.get())),
        by_bot: m.user.bot,
        source: invoke.source,
    };
    let p = services
        .run_presented(
            guild,
            run(&services, &actor, spec, values, &origin),
            &DiscordRender,
        )
        .await;
    answer_presented(ctx, Responder::Modal(m), p).await
}

/// The member directory learns who pressed a button (their name shows on an attendance
/// list), as it does for slash commands.
async fn learn_presser(services: &Services, actor: &Actor, member: Option<&serenity::Member>) {
    let Some(m) = member else { return };
    let name = m.display_name().to_string();
    if let Err(e) = services
        .store
        .upsert_member(actor.guild, actor.user, &name)
        .await
    {
        tracing::warn!(error = %e, "could not record a member from a button");
    }
}

/// Our id, or the stale-button refusal.
fn decode(id: &str) -> UseCaseResult<Invoke> {
    if !id.starts_with(&format!("{VERSION}:")) {
        return Err(refuse(msg!("error-stale-button")));
    }
    Invoke::decode(id).map_err(|_| refuse(msg!("error-stale-button")))
}

/// Runs a spec's request as `actor`. Values the spec no longer takes mean the button or
/// form is older than the command: stale.
pub async fn run(
    services: &Services,
    actor: &Actor,
    spec: &'static Spec,
    values: Values,
    origin: &Origin,
) -> UseCaseResult<Reply> {
    let mut request = spec.request(values)?;
    request.set_origin(origin);
    request.run(services, actor).await
}

enum Responder<'a> {
    Button(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

/// Answers a button or a form with the use case's reply (split over follow-ups when long).
/// User text never pings: no mention is allowed.
async fn answer(
    ctx: &serenity::Context,
    to: Responder<'_>,
    services: &Services,
    guild: Option<GuildId>,
    result: UseCaseResult<Reply>,
) -> Result<(), Error> {
    let p: Presented = services.present(guild, result, &DiscordRender).await;
    answer_presented(ctx, to, p).await
}

/// [`answer`] with the reply already presented.
async fn answer_presented(
    ctx: &serenity::Context,
    to: Responder<'_>,
    p: Presented,
) -> Result<(), Error> {
    let parts = super::whistleblowing::chunks(&p.text, MAX_CONTENT);
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.into_iter().enumerate() {
        let rows = if i == last {
            components(&p.actions)
        } else {
            Vec::new()
        };
        if i == 0 {
            let msg = CreateInteractionResponseMessage::new()
                .content(part)
                .ephemeral(p.ephemeral)
                .components(rows)
                .allowed_mentions(CreateAllowedMentions::new());
            let r = CreateInteractionResponse::Message(msg);
            match to {
                Responder::Button(c) => c.create_response(&ctx.http, r).await?,
                Responder::Modal(m) => m.create_response(&ctx.http, r).await?,
            }
        } else {
            let f = CreateInteractionResponseFollowup::new()
                .content(part)
                .ephemeral(p.ephemeral)
                .components(rows)
                .allowed_mentions(CreateAllowedMentions::new());
            match to {
                Responder::Button(c) => c.create_followup(&ctx.http, f).await?,
                Responder::Modal(m) => m.create_followup(&ctx.http, f).await?,
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_ids_are_told_from_others() {
        assert!(ours("v1:agenda:accept:item=1"));
        assert!(ours("v9:anything"));
        assert!(!ours("wb:v1:open"));
        assert!(!ours("m1"));
        assert!(!ours("v:x"));
    }

    #[test]
    fn buttons_fill_rows_of_five() {
        let a = OutAction {
            label: "x".into(),
            style: ButtonStyle::Primary,
            id: "v1:forum:list".into(),
        };
        assert_eq!(components(&vec![a.clone(); 7]).len(), 2);
        assert_eq!(components(&vec![a; 40]).len(), MAX_ROWS);
        assert!(components(&[]).is_empty());
    }
}
