//! Discord's way of showing a reply: timestamps every reader sees in their own time zone,
//! mentions, and markdown emphasis. Whether a mention pings is decided where a message is sent
//! (allowed mentions), never here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::ids::{ChannelId, MessageRef, RoleId, UserId};
use crate::domain::whistleblowing::display::is_bidi_control;
use crate::i18n::Lang;
use crate::render::{Mark, Render, TimeStyle};

#[derive(Debug, Clone, Copy, Default)]
pub struct DiscordRender;

impl Render for DiscordRender {
    fn mark(&self, mark: Mark, inner: String) -> String {
        if inner.trim().is_empty() {
            return inner;
        }
        match mark {
            Mark::Strong => format!("**{inner}**"),
            Mark::Struck => format!("~~{inner}~~"),
            Mark::Code => format!("`{}`", inner.replace('`', "'")),
        }
    }

    fn time(&self, _lang: Lang, at: DateTime<Utc>, _zone: Tz, style: TimeStyle) -> String {
        let t = at.timestamp();
        match style {
            TimeStyle::Full => format!("<t:{t}:F> (<t:{t}:R>)"),
            TimeStyle::Date => format!("<t:{t}:D>"),
        }
    }

    fn channel(&self, id: ChannelId) -> String {
        format!("<#{id}>")
    }

    fn role(&self, id: RoleId) -> String {
        format!("<@&{id}>")
    }

    fn user(&self, id: UserId) -> String {
        format!("<@{id}>")
    }

    fn typed(&self, text: &str) -> String {
        fenced(text)
    }

    /// Typed text stays fenced in every piece.
    fn split(&self, text: &str, max: usize) -> Vec<String> {
        super::whistleblowing::chunks(text, max)
    }

    fn inline(&self, text: &str) -> String {
        escaped(text)
    }

    fn message(&self, m: &MessageRef) -> String {
        format!(
            "https://discord.com/channels/{}/{}/{}",
            m.guild, m.channel, m.message
        )
    }
}

/// Text a person typed, shown inside a line of ours: on one line, every character Discord reads
/// as markdown, a link or a mention escaped with a backslash, and `@everyone`/`@here` broken
/// with a zero-width space (allowed mentions already keep it from pinging; this keeps it from
/// even looking like one).
pub fn escaped(text: &str) -> String {
    let one = crate::render::one_line(text);
    let mut out = String::with_capacity(one.len() + 8);
    for c in one.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '[' | ']' | '(' | ')'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("@everyone", "@\u{200b}everyone")
        .replace("@here", "@\u{200b}here")
}

/// The fence line that opens and closes a block of typed text.
pub const FENCE: &str = "```";

/// What a reporter or handler typed, inside a code block: no markdown, no clickable links, no
/// mentions, and it cannot close the block to forge a label or a line of ours. Bidirectional
/// controls are removed and every backtick is replaced by a look-alike that cannot end a block.
pub fn fenced(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 10);
    out.push('\n');
    out.push_str(FENCE);
    out.push('\n');
    for c in text.chars() {
        match c {
            '`' => out.push('\u{02CB}'),
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(FENCE);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_format_link_or_mention() {
        let shown = escaped("**bold** <@&1> @everyone [x](http://e) `c`\nnext");
        assert_eq!(
            shown,
            "\\*\\*bold\\*\\* \\<@&1\\> @\u{200b}everyone \\[x\\]\\(http://e\\) \\`c\\` next"
        );
    }

    #[test]
    fn typed_text_cannot_leave_its_block() {
        let forged = "ok\n```\n**Handler:** pay here\u{202E}txt.exe\n`x`";
        let shown = fenced(forged);
        // Exactly our two fence lines; the typed ones are defused.
        assert_eq!(shown.lines().filter(|l| *l == FENCE).count(), 2);
        assert_eq!(shown.matches('`').count(), 6);
        assert!(shown.starts_with("\n```\n") && shown.ends_with("\n```"));
        assert!(!shown.chars().any(is_bidi_control));
        assert!(shown.contains("**Handler:** pay here"));
    }
}
