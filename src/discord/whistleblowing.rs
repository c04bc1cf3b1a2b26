//! The whistleblowing intake on Discord: `/whistleblow report|followup|panel`, the panel's
//! buttons, the modals, and the handlers' `/case` commands.
//!
//! The reporter path never reads who the reporter is, except the user id for the in-memory
//! cooldown token (a keyed hash, never stored). It does not go through `reply::run` (which
//! builds an `Actor` with the user id), logs nothing about the interaction, and every answer is
//! ephemeral from the first response on. Modal submits and buttons are handled statelessly by
//! their versioned `custom_id` (`wb:v1:…`), so they keep working across restarts.

use std::sync::atomic::Ordering;

use poise::serenity_prelude as serenity;
use poise::CreateReply;
use secrecy::SecretString;
use serenity::{
    ActionRowComponent, ComponentInteraction, CreateActionRow, CreateAllowedMentions, CreateButton,
    CreateInputText, CreateInteractionResponse, CreateInteractionResponseFollowup, CreateModal,
    EditInteractionResponse, InputTextStyle, Interaction, ModalInteraction,
};

use super::render::DiscordRender;
use super::reply::{actor, send};
use super::{Ctx, Data, Error};
use crate::domain::ids::GuildId;
use crate::domain::whistleblowing::case::{MAX_FIELD_CHARS, MAX_MESSAGE_CHARS, MAX_WHAT_CHARS};
use crate::error::{refuse, Result as UseCaseResult};
use crate::i18n::{Lang, Msg};
use crate::msg;
use crate::service::{render, HandlerId, Intake, Reply, Services};

/// Discord's limit for a message's content.
const MAX_CONTENT: usize = 2000;

const ID_OPEN: &str = "wb:v1:open";
const ID_FOLLOW: &str = "wb:v1:follow";
const ID_REPORT: &str = "wb:v1:report";
/// A report modal opened with `/whistleblow report exclude:…`: the handler to exclude follows.
const ID_REPORT_EXCLUDING: &str = "wb:v1:report:x:";
const ID_FOLLOWUP: &str = "wb:v1:followup";
const ID_VIEW: &str = "wb:v1:view:";
const ID_REPLY: &str = "wb:v1:reply:";

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

#[poise::command(
    slash_command,
    guild_only,
    subcommands("wb_report", "wb_followup", "wb_panel"),
    subcommand_required,
    rename = "whistleblow"
)]
pub async fn whistleblow(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

// `exclude`, `also_exclude`: handlers the reporter does not want to read the report (carried
// in the modal's `custom_id`: only handlers' ids).
/// Opens the report modal. Reads nothing about the user.
#[poise::command(slash_command, guild_only, rename = "report")]
async fn wb_report(
    ctx: Ctx<'_>,
    exclude: Option<serenity::UserId>,
    also_exclude: Option<serenity::UserId>,
) -> Result<(), Error> {
    let lang = lang_of(ctx.data(), ctx.guild_id()).await;
    let excluded: Vec<String> = exclude
        .into_iter()
        .chain(also_exclude)
        .map(|u| u.get().to_string())
        .collect();
    let modal = if excluded.is_empty() {
        report_modal(lang, ID_REPORT)
    } else {
        report_modal(
            lang,
            &format!("{ID_REPORT_EXCLUDING}{}", excluded.join(",")),
        )
    };
    reporter_path(open_modal_from_command(ctx, modal).await);
    Ok(())
}

/// Opens the follow-up modal.
#[poise::command(slash_command, guild_only, rename = "followup")]
async fn wb_followup(ctx: Ctx<'_>) -> Result<(), Error> {
    let lang = lang_of(ctx.data(), ctx.guild_id()).await;
    reporter_path(open_modal_from_command(ctx, followup_modal(lang)).await);
    Ok(())
}

/// On the reporter path an error is reduced to a fixed category before anything is logged: a
/// Discord error can carry the interaction's URL, which holds its token (and its `Debug` form
/// the whole request). Nothing goes back to poise's error handler either.
fn reporter_path(result: Result<(), Error>) {
    if let Err(e) = result {
        tracing::warn!(
            category = failure_category(&e),
            "whistleblowing: answering a reporter's interaction failed"
        );
    }
}

/// A fixed description of an error, never its text.
pub fn failure_category(e: &Error) -> &'static str {
    use serenity::{Error as SErr, HttpError};
    match e.downcast_ref::<SErr>() {
        Some(SErr::Http(HttpError::UnsuccessfulRequest(r))) => {
            if r.status_code.is_client_error() {
                "discord refused the request (4xx)"
            } else {
                "discord failed the request (5xx)"
            }
        }
        Some(SErr::Http(HttpError::Request(_))) => "network error",
        Some(SErr::Http(_)) => "http error",
        Some(SErr::Json(_)) => "malformed answer",
        Some(_) => "discord client error",
        None => "other error",
    }
}

/// Posts the information panel with its buttons (managers only; the admin is not anonymous).
#[poise::command(slash_command, guild_only, rename = "panel")]
async fn wb_panel(ctx: Ctx<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let _guard = data.inflight.enter();
    let services = data.services.clone();
    let Some(actor) = actor(ctx) else {
        let p = services
            .present(None, Err(refuse(msg!("error-guild-only"))), &DiscordRender)
            .await;
        return send(ctx, p).await;
    };
    let lang = services.language(Some(actor.guild)).await;
    if let Err(e) = services.require_manager(&actor).await {
        return send(ctx, render(lang, Err(e), &DiscordRender)).await;
    }
    let text = services
        .wb_panel_lines()
        .iter()
        .map(|m| m.render_with(lang, &DiscordRender))
        .collect::<Vec<_>>()
        .join("\n\n");
    let buttons = CreateActionRow::Buttons(vec![
        CreateButton::new(ID_OPEN)
            .label(msg!("wb-button-report").plain(lang))
            .style(serenity::ButtonStyle::Primary),
        CreateButton::new(ID_FOLLOW)
            .label(msg!("wb-button-followup").plain(lang))
            .style(serenity::ButtonStyle::Secondary),
    ]);
    ctx.send(
        CreateReply::default()
            .content(crate::domain::text::truncate(&text, MAX_CONTENT))
            .components(vec![buttons])
            .allowed_mentions(CreateAllowedMentions::new()),
    )
    .await?;
    Ok(())
}

#[poise::command(
    slash_command,
    subcommands(
        "case_list",
        "case_view",
        "case_ack",
        "case_reply",
        "case_status",
        "case_close",
        "case_exclude",
        "case_feedback",
        "case_audit",
        "case_unlock"
    ),
    subcommand_required
)]
pub async fn case(_ctx: Ctx<'_>) -> Result<(), Error> {
    Ok(())
}

/// Runs a handler use case; the answer is always ephemeral, and a long one is split over
/// several messages (never cut at Discord's 2000 characters).
async fn run_handler<F, Fut>(ctx: Ctx<'_>, use_case: F) -> Result<(), Error>
where
    F: FnOnce(Services, HandlerId) -> Fut,
    Fut: std::future::Future<Output = UseCaseResult<Reply>>,
{
    let data = ctx.data();
    let _guard = data.inflight.enter();
    let services = data.services.clone();
    let lang = lang_of(data, ctx.guild_id()).await;
    let result = use_case(services, HandlerId(ctx.author().id.get())).await;
    let text = render(lang, result, &DiscordRender).text;
    for part in chunks(&text, MAX_CONTENT) {
        let sent = ctx
            .send(
                CreateReply::default()
                    .content(part)
                    .ephemeral(true)
                    .allowed_mentions(CreateAllowedMentions::new()),
            )
            .await;
        if let Err(e) = sent {
            // As on the reporter path: a category, never the error (its URL holds the token).
            tracing::warn!(
                category = failure_category(&e.into()),
                "whistleblowing: answering a handler's interaction failed"
            );
            break;
        }
    }
    Ok(())
}

#[poise::command(slash_command, rename = "list")]
async fn case_list(ctx: Ctx<'_>) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move { s.wb_list(h).await }).await
}

#[poise::command(slash_command, rename = "view")]
async fn case_view(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    handler_modal(ctx, &case, ID_VIEW).await
}

#[poise::command(slash_command, rename = "reply")]
async fn case_reply(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    handler_modal(ctx, &case, ID_REPLY).await
}

#[poise::command(slash_command, rename = "ack")]
async fn case_ack(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move { s.wb_ack(h, &case).await }).await
}

#[poise::command(slash_command, rename = "status")]
async fn case_status(
    ctx: Ctx<'_>,
    case: String,
    #[autocomplete = "autocomplete_status"] status: String,
) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move {
        s.wb_set_status(h, &case, &status).await
    })
    .await
}

#[poise::command(slash_command, rename = "close")]
async fn case_close(
    ctx: Ctx<'_>,
    case: String,
    #[autocomplete = "autocomplete_outcome"] outcome: String,
) -> Result<(), Error> {
    run_handler(
        ctx,
        |s, h| async move { s.wb_close(h, &case, &outcome).await },
    )
    .await
}

#[poise::command(slash_command, rename = "exclude")]
async fn case_exclude(ctx: Ctx<'_>, case: String, handler: serenity::UserId) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move {
        s.wb_exclude(h, &case, HandlerId(handler.get())).await
    })
    .await
}

#[poise::command(slash_command, rename = "feedback")]
async fn case_feedback(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move { s.wb_feedback(h, &case).await }).await
}

#[poise::command(slash_command, rename = "audit")]
async fn case_audit(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move { s.wb_audit_view(h, &case).await }).await
}

#[poise::command(slash_command, rename = "unlock")]
async fn case_unlock(ctx: Ctx<'_>, case: String) -> Result<(), Error> {
    run_handler(ctx, |s, h| async move { s.wb_lift_lock(h, &case).await }).await
}

async fn autocomplete_status<'a>(
    ctx: Ctx<'a>,
    _partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    use crate::domain::whistleblowing::CaseStatus;
    let items = [CaseStatus::Acknowledged, CaseStatus::InProgress]
        .into_iter()
        .map(|s| {
            (
                crate::service::whistleblowing::status_label(s),
                s.as_str().to_string(),
            )
        })
        .collect();
    super::reply::translated_choices(ctx, items).await
}

async fn autocomplete_outcome<'a>(
    ctx: Ctx<'a>,
    _partial: &'a str,
) -> serenity::CreateAutocompleteResponse {
    use crate::domain::whistleblowing::Outcome;
    let items = Outcome::ALL
        .into_iter()
        .map(|o| {
            (
                crate::service::whistleblowing::outcome_label(o),
                o.as_str().to_string(),
            )
        })
        .collect();
    super::reply::translated_choices(ctx, items).await
}

/// `/case view` and `/case reply`: refuse non-handlers at once, else ask for the passphrase.
async fn handler_modal(ctx: Ctx<'_>, case: &str, prefix: &str) -> Result<(), Error> {
    let data = ctx.data();
    let lang = lang_of(data, ctx.guild_id()).await;
    if !data
        .services
        .config
        .whistleblowing
        .is_handler(ctx.author().id.get())
    {
        let mut p = render(lang, Err(refuse(msg!("wb-not-handler"))), &DiscordRender);
        p.ephemeral = true;
        return send(ctx, p).await;
    }
    // The code goes into the custom_id (at most 100 characters): keep only code symbols.
    let code: String = case
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(24)
        .collect();
    let modal = if prefix == ID_REPLY {
        CreateModal::new(
            format!("{prefix}{code}"),
            msg!("wb-modal-reply-title").plain(lang),
        )
        .components(vec![
            passphrase_input(lang),
            input(
                lang,
                "message",
                "wb-modal-message",
                true,
                MAX_MESSAGE_CHARS,
                true,
            ),
        ])
    } else {
        CreateModal::new(
            format!("{prefix}{code}"),
            msg!("wb-modal-view-title").plain(lang),
        )
        .components(vec![passphrase_input(lang)])
    };
    if let Err(e) = open_modal_from_command(ctx, modal).await {
        tracing::warn!(
            category = failure_category(&e),
            "whistleblowing: opening a handler's modal failed"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Modals
// ---------------------------------------------------------------------------------------------

fn input(
    lang: Lang,
    id: &str,
    label: &'static str,
    required: bool,
    max: usize,
    paragraph: bool,
) -> CreateActionRow {
    let style = if paragraph {
        InputTextStyle::Paragraph
    } else {
        InputTextStyle::Short
    };
    CreateActionRow::InputText(
        CreateInputText::new(style, Msg::new(label).plain(lang), id)
            .required(required)
            .max_length(max.min(4000) as u16),
    )
}

fn passphrase_input(lang: Lang) -> CreateActionRow {
    input(lang, "passphrase", "wb-modal-passphrase", true, 200, false)
}

fn report_modal(lang: Lang, custom_id: &str) -> CreateModal {
    CreateModal::new(custom_id, msg!("wb-modal-report-title").plain(lang)).components(vec![
        input(lang, "what", "wb-modal-what", true, MAX_WHAT_CHARS, true),
        input(
            lang,
            "when_where",
            "wb-modal-when-where",
            true,
            MAX_FIELD_CHARS,
            true,
        ),
        input(lang, "who", "wb-modal-who", true, MAX_FIELD_CHARS, true),
        input(
            lang,
            "evidence",
            "wb-modal-evidence",
            false,
            MAX_FIELD_CHARS,
            true,
        ),
        input(
            lang,
            "contact",
            "wb-modal-contact",
            false,
            MAX_FIELD_CHARS,
            true,
        ),
    ])
}

fn followup_modal(lang: Lang) -> CreateModal {
    CreateModal::new(ID_FOLLOWUP, msg!("wb-modal-followup-title").plain(lang)).components(vec![
        input(lang, "code", "wb-modal-code", true, 40, false),
        input(lang, "secret", "wb-modal-secret", true, 60, false),
        input(
            lang,
            "addition",
            "wb-modal-addition",
            false,
            MAX_MESSAGE_CHARS,
            true,
        ),
    ])
}

/// Answers a slash command with a modal (its first and only response).
async fn open_modal_from_command(ctx: Ctx<'_>, modal: CreateModal) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    app.interaction
        .create_response(ctx.http(), CreateInteractionResponse::Modal(modal))
        .await?;
    app.has_sent_initial_response.store(true, Ordering::SeqCst);
    Ok(())
}

async fn lang_of(data: &Data, guild: Option<serenity::GuildId>) -> Lang {
    data.services
        .language(guild.map(|g| GuildId(g.get())))
        .await
}

// ---------------------------------------------------------------------------------------------
// Buttons and modal submits (from the event handler)
// ---------------------------------------------------------------------------------------------

/// Handles `wb:v1:*` components and modal submits. Anything else is left alone.
pub async fn on_interaction(
    framework: poise::FrameworkContext<'_, Data, Error>,
    interaction: &Interaction,
) {
    let ctx = framework.serenity_context;
    let data = framework.user_data;
    match interaction {
        Interaction::Component(c) if c.data.custom_id.starts_with("wb:v1:") => {
            let _guard = data.inflight.enter();
            on_button(ctx, data, c).await;
        }
        Interaction::Modal(m) if m.data.custom_id.starts_with("wb:v1:") => {
            let _guard = data.inflight.enter();
            on_modal(ctx, data, m).await;
        }
        _ => {}
    }
}

async fn on_button(ctx: &serenity::Context, data: &Data, c: &ComponentInteraction) {
    let lang = lang_of(data, c.guild_id).await;
    let modal = match c.data.custom_id.as_str() {
        ID_OPEN => report_modal(lang, ID_REPORT),
        ID_FOLLOW => followup_modal(lang),
        _ => return,
    };
    // A failure here (a replayed or expired interaction) is not logged: nothing to act on, and
    // the error could only say which interaction it was.
    let _ = c
        .create_response(&ctx.http, CreateInteractionResponse::Modal(modal))
        .await;
}

/// The value of a modal's text input.
fn field(m: &ModalInteraction, id: &str) -> Option<String> {
    m.data
        .components
        .iter()
        .flat_map(|row| row.components.iter())
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == id => {
                Some(t.value.clone().unwrap_or_default())
            }
            _ => None,
        })
}

fn opt_field(m: &ModalInteraction, id: &str) -> Option<String> {
    field(m, id).filter(|v| !v.trim().is_empty())
}

async fn on_modal(ctx: &serenity::Context, data: &Data, m: &ModalInteraction) {
    // First response: deferred and ephemeral. If it fails (a replayed interaction, already
    // answered), nothing is done at all.
    if m.defer_ephemeral(&ctx.http).await.is_err() {
        return;
    }
    let services = data.services.clone();
    let lang = lang_of(data, m.guild_id).await;
    let id = m.data.custom_id.as_str();
    let report = if id == ID_REPORT {
        Some(Vec::new())
    } else {
        // Only a number is taken from a crafted id; the service keeps only allow-listed
        // handlers, and a reporter choosing whom to exclude is theirs to choose anyway.
        id.strip_prefix(ID_REPORT_EXCLUDING).map(|rest| {
            rest.split(',')
                .filter_map(|h| h.parse::<u64>().ok())
                .take(2)
                .collect::<Vec<_>>()
        })
    };
    let result: UseCaseResult<Reply> = if let Some(exclude) = report {
        let intake = Intake {
            what: field(m, "what").unwrap_or_default(),
            when_where: field(m, "when_where").unwrap_or_default(),
            who: field(m, "who").unwrap_or_default(),
            evidence: opt_field(m, "evidence"),
            contact: opt_field(m, "contact"),
            exclude,
        };
        // The user id is read only here, for the in-memory cooldown token.
        let token = services.wb.cooldown_token(&m.user.id.get().to_le_bytes());
        services
            .wb_submit(&intake, Some(token))
            .await
            .map(|r| r.reply())
    } else if id == ID_FOLLOWUP {
        let code = field(m, "code").unwrap_or_default();
        let secret = field(m, "secret").unwrap_or_default();
        let addition = opt_field(m, "addition");
        let token = services.wb.cooldown_token(&m.user.id.get().to_le_bytes());
        services
            .wb_followup(&code, &secret, addition.as_deref(), Some(token))
            .await
            .map(|v| v.reply())
    } else if let Some(code) = id.strip_prefix(ID_VIEW) {
        let pass = SecretString::from(field(m, "passphrase").unwrap_or_default());
        services
            .wb_view(HandlerId(m.user.id.get()), code, pass)
            .await
    } else if let Some(code) = id.strip_prefix(ID_REPLY) {
        let pass = SecretString::from(field(m, "passphrase").unwrap_or_default());
        let text = field(m, "message").unwrap_or_default();
        services
            .wb_reply(HandlerId(m.user.id.get()), code, pass, &text)
            .await
    } else {
        Err(refuse(msg!("wb-invalid-request")))
    };
    let text = render(lang, result, &DiscordRender).text;
    let mut chunks = chunks(&text, MAX_CONTENT).into_iter();
    let first = chunks.next().unwrap_or_default();
    let none = CreateAllowedMentions::new;
    if m.edit_response(
        &ctx.http,
        EditInteractionResponse::new()
            .content(first)
            .allowed_mentions(none()),
    )
    .await
    .is_err()
    {
        return;
    }
    for chunk in chunks {
        let followup = CreateInteractionResponseFollowup::new()
            .content(chunk)
            .ephemeral(true)
            .allowed_mentions(none());
        if m.create_followup(&ctx.http, followup).await.is_err() {
            return;
        }
    }
}

/// Splits text into pieces of at most `max` characters, at line breaks where possible. A piece
/// that ends inside a fenced block of typed text closes it, and the next reopens it, so typed
/// text never escapes its block when a long answer is split.
pub fn chunks(text: &str, max: usize) -> Vec<String> {
    const FENCE: &str = super::render::FENCE;
    // Room kept for closing a fence ("\n```") at the end of a piece.
    let room_for_close = FENCE.len() + 1;
    let max = max.max(room_for_close + 2);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_fence = false;
    let flush = |cur: &mut String, out: &mut Vec<String>, in_fence: bool| {
        if in_fence {
            if !cur.ends_with('\n') {
                cur.push('\n');
            }
            cur.push_str(FENCE);
        }
        out.push(std::mem::take(cur));
        if in_fence {
            cur.push_str(FENCE);
            cur.push('\n');
        }
    };
    for line in text.split_inclusive('\n') {
        let mut line = line;
        loop {
            let reserve = if in_fence { room_for_close } else { 0 };
            let room = max.saturating_sub(cur.chars().count() + reserve);
            if line.chars().count() <= room {
                cur.push_str(line);
                if line.trim_end_matches(['\n', '\r']) == FENCE {
                    in_fence = !in_fence;
                }
                break;
            }
            let only_reopened = in_fence && cur == format!("{FENCE}\n");
            if !cur.is_empty() && !only_reopened {
                flush(&mut cur, &mut out, in_fence);
                continue;
            }
            let room = room.max(1);
            let cut = line.char_indices().nth(room).map_or(line.len(), |(i, _)| i);
            cur.push_str(&line[..cut]);
            line = &line[cut..];
            flush(&mut cur, &mut out, in_fence);
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_respect_the_limit_and_keep_everything() {
        let text = format!("{}\n{}\nshort", "a".repeat(1500), "b".repeat(4500));
        let parts = chunks(&text, 2000);
        assert!(parts.iter().all(|p| p.chars().count() <= 2000));
        assert_eq!(parts.concat(), text);
        assert_eq!(chunks("", 2000), vec![String::new()]);
    }

    /// A long fenced text split over messages: every piece has balanced fences, so no part of
    /// the typed text is ever rendered as markdown, and nothing is lost.
    #[test]
    fn chunks_keep_typed_text_fenced() {
        use super::super::render::fenced;
        let typed = format!(
            "{}\n**bold** https://x.example\n{}",
            "x".repeat(1900),
            "y".repeat(2500)
        );
        let text = format!("Label:{}\nafter", fenced(&typed));
        let parts = chunks(&text, 2000);
        assert!(parts.len() >= 3);
        for p in &parts {
            assert!(p.chars().count() <= 2000, "{}", p.chars().count());
            assert_eq!(p.lines().filter(|l| *l == "```").count() % 2, 0, "{p}");
        }
        let joined: String = parts.concat().replace("```", "").replace('\n', "");
        assert_eq!(joined, text.replace("```", "").replace('\n', ""));
    }

    #[test]
    fn failure_categories_never_carry_the_error_text() {
        let e: Error = anyhow::anyhow!("https://discord.com/api/v10/interactions/1/TOKEN/callback");
        assert_eq!(failure_category(&e), "other error");
    }
}
