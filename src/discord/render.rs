//! Discord's way of showing a reply: timestamps every reader sees in their own time zone,
//! mentions, and markdown emphasis. Whether a mention pings is decided where a message is sent
//! (allowed mentions), never here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::ids::{ChannelId, RoleId, UserId};
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
}
