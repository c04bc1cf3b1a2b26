//! The shell adapter: slash-command lines from standard input, plain-text replies on standard
//! output. Same services as Discord; this file only parses lines and prints replies.
//!
//! ```text
//! /forum create name:"Leveransforum" tier:delivery channel:#leveransforum
//! /forum list
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use crate::domain::ids::{local_id, ChannelId, GuildId, RoleId, UserId};
use crate::error::{refuse, Result};
use crate::i18n::Msg;
use crate::msg;
use crate::render::Plain;
use crate::service::{
    Actor, CreateForum, EditForum, ForumRef, Presented, Reply, Services, SetupForums, Status,
};
use crate::store::GuildRecord;

/// Who the shell acts as.
#[derive(Debug, Clone)]
pub struct ShellIdentity {
    /// A guild name (the bot's directory, or a shell-local guild made on first use) or id.
    pub guild: String,
    /// A user name or id.
    pub user: String,
    /// Role names the user has.
    pub roles: Vec<String>,
    /// Act as a member with Manage Server.
    pub admin: bool,
}

pub struct Shell {
    services: Services,
    guild: GuildRecord,
    actor: Actor,
}

/// One parsed line: the command path and its `name:value` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub path: Vec<String>,
    pub options: BTreeMap<String, String>,
}

/// Parses `/forum create name:"A B" tier:delivery`. Quotes follow POSIX shell rules.
pub fn parse_line(line: &str) -> Result<Option<Line>, String> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') && !trimmed.starts_with("#!") {
        return Ok(None);
    }
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Err("a command starts with /".to_string());
    };
    let tokens = shlex::split(rest).ok_or_else(|| "unbalanced quotes".to_string())?;
    let mut path = Vec::new();
    let mut options = BTreeMap::new();
    for token in tokens {
        match token.split_once(':') {
            Some((name, value)) if !name.is_empty() => {
                let name = name.to_lowercase();
                if options.insert(name.clone(), value.to_string()).is_some() {
                    return Err(format!("option {name} given twice"));
                }
            }
            _ if options.is_empty() => path.push(token.to_lowercase()),
            _ => return Err(format!("expected name:value, found {token}")),
        }
    }
    if path.is_empty() {
        return Err("no command".to_string());
    }
    Ok(Some(Line { path, options }))
}

impl Shell {
    /// Resolves the identity against the store: a guild the bot knows by that name or id, or
    /// a shell-local guild (created on first use, with channels and roles made up by name).
    pub async fn open(services: Services, who: &ShellIdentity) -> anyhow::Result<Self> {
        let store = &services.store;
        let now = services.now_ms();
        let by_id = match who.guild.trim().parse::<u64>() {
            Ok(id) => store.guild(GuildId(id)).await?,
            Err(_) => None,
        };
        let guild = match by_id {
            Some(g) => g,
            None => {
                let mut named = store.guilds_named(who.guild.trim()).await?;
                match named.len() {
                    0 => store.ensure_local_guild(who.guild.trim(), now).await?,
                    1 => named.remove(0),
                    n => anyhow::bail!(
                        "{n} guilds are called {:?}; give the guild's id instead",
                        who.guild
                    ),
                }
            }
        };
        let user = match who.user.trim().parse::<u64>() {
            Ok(id) => UserId(id),
            Err(_) => UserId(local_id("user", who.user.trim())),
        };
        let mut roles = Vec::new();
        for name in who.roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            let name = name.trim_start_matches('@');
            match store.role_named(guild.id, name).await? {
                Some(id) => roles.push(id),
                None if guild.is_local => {
                    let id = RoleId(local_id("role", name));
                    store.upsert_role(guild.id, id, name).await?;
                    roles.push(id);
                }
                None => anyhow::bail!("the guild {:?} has no role {name:?}", guild.name),
            }
        }
        let actor = Actor {
            guild: guild.id,
            user,
            roles,
            manage_guild: who.admin,
        };
        Ok(Self {
            services,
            guild,
            actor,
        })
    }

    /// Runs one line and renders the reply as plain text. `None` for blank and comment lines.
    pub async fn execute(&self, line: &str) -> Option<Presented> {
        let result = match parse_line(line) {
            Ok(None) => return None,
            Ok(Some(parsed)) => self.dispatch(parsed).await,
            Err(detail) => Err(refuse(msg!("shell-parse-error", detail = detail))),
        };
        let renderer = self.renderer().await;
        Some(
            self.services
                .present(Some(self.guild.id), result, &renderer)
                .await,
        )
    }

    /// Plain text with the guild directory's names: `#name`, `@name`, times in words.
    async fn renderer(&self) -> Plain {
        let store = &self.services.store;
        let (channels, roles) = match (
            store.channels(self.guild.id).await,
            store.roles(self.guild.id).await,
        ) {
            (Ok(c), Ok(r)) => (c, r),
            (Err(e), _) | (_, Err(e)) => {
                // Ids instead of names: the reply itself is still worth showing.
                tracing::warn!(error = %e, "could not read the guild directory");
                (Vec::new(), Vec::new())
            }
        };
        Plain {
            channels: channels.into_iter().collect(),
            roles: roles.into_iter().collect(),
            users: Default::default(),
        }
    }

    /// Reads lines until end of input. With `strict`, stops at the first line that fails and
    /// returns false.
    pub async fn run(
        &self,
        input: impl BufRead,
        mut out: impl Write,
        strict: bool,
    ) -> std::io::Result<bool> {
        let mut all_ok = true;
        for line in input.lines() {
            let line = line?;
            let Some(p) = self.execute(&line).await else {
                continue;
            };
            writeln!(out, "{}", p.text)?;
            out.flush()?;
            if p.status != Status::Ok {
                all_ok = false;
                if strict {
                    return Ok(false);
                }
            }
        }
        Ok(all_ok)
    }

    async fn dispatch(&self, line: Line) -> Result<Reply> {
        let s = &self.services;
        let a = &self.actor;
        let path: Vec<&str> = line.path.iter().map(String::as_str).collect();
        let mut opts = Options(line.options);
        let reply = match path.as_slice() {
            ["help"] => Ok(Reply::private(vec![msg!("shell-help")])),
            ["forum", "create"] => {
                let req = CreateForum {
                    name: opts.required("name")?,
                    tier: opts.required("tier")?,
                    channel: self.channel(&opts.required("channel")?).await?,
                    time_zone: opts.optional("time_zone"),
                    escalates_to: opts.optional("escalates_to"),
                    chair_role: match opts.optional("chair_role") {
                        Some(r) => Some(self.role(&r).await?),
                        None => None,
                    },
                };
                opts.finish()?;
                s.forum_create(a, req).await
            }
            ["forum", "list"] => {
                opts.finish()?;
                s.forum_list(a).await
            }
            ["forum", "show"] => {
                let forum = ForumRef(opts.required("forum")?);
                opts.finish()?;
                s.forum_show(a, forum).await
            }
            ["forum", "edit"] => {
                let req = EditForum {
                    forum: opts.required("forum")?,
                    cadence: opts.optional("cadence"),
                    time: opts.optional("time"),
                    duration_minutes: opts.number("duration")?,
                    start_date: opts.optional("start_date"),
                    time_zone: opts.optional("time_zone"),
                    reminders: opts.optional("reminders"),
                    participant_role: match opts.optional("participant_role") {
                        Some(r) => Some(self.role(&r).await?),
                        None => None,
                    },
                };
                opts.finish()?;
                s.forum_edit(a, req).await
            }
            ["forum", "setup"] => {
                let template = opts.required("template")?;
                let channel = self.channel(&opts.required("channel")?).await?;
                let mapping = opts.optional("mapping");
                opts.finish()?;
                if let Some(m) = &mapping {
                    self.make_up_mapped_channels(m).await?;
                }
                s.forum_setup(
                    a,
                    SetupForums {
                        template,
                        channel,
                        mapping,
                    },
                )
                .await
            }
            ["meeting", "next"] => {
                let forum = opts.required("forum")?;
                opts.finish()?;
                s.meeting_next(a, &forum).await
            }
            ["meeting", "list"] => {
                let forum = opts.required("forum")?;
                let count = opts.number("count")?.unwrap_or(5);
                opts.finish()?;
                s.meeting_list(a, &forum, count).await
            }
            ["meeting", "schedule"] => {
                let (forum, date, time) = (
                    opts.required("forum")?,
                    opts.required("date")?,
                    opts.required("time")?,
                );
                let duration = opts.number("duration")?;
                opts.finish()?;
                s.meeting_schedule(a, &forum, &date, &time, duration).await
            }
            ["meeting", "cancel"] => {
                let (forum, meeting, reason) = (
                    opts.required("forum")?,
                    opts.required("meeting")?,
                    opts.required("reason")?,
                );
                opts.finish()?;
                s.meeting_cancel(a, &forum, &meeting, &reason).await
            }
            ["meeting", "move"] => {
                let (forum, meeting, date, time) = (
                    opts.required("forum")?,
                    opts.required("meeting")?,
                    opts.required("date")?,
                    opts.required("time")?,
                );
                opts.finish()?;
                s.meeting_move(a, &forum, &meeting, &date, &time).await
            }
            ["meeting", "remind-me"] => {
                let forum = opts.required("forum")?;
                let on = opts.boolean("on")?;
                opts.finish()?;
                s.meeting_remind_me(a, &forum, on).await
            }
            ["settings", "language"] => {
                let language = opts.required("language")?;
                opts.finish()?;
                s.set_language(a, &language).await
            }
            _ => Err(refuse(msg!("error-unknown-command"))),
        };
        reply
    }

    /// `#name`, `<#id>` or an id. In a shell-local guild an unknown `#name` is made up.
    async fn channel(&self, value: &str) -> Result<ChannelId> {
        let v = value.trim();
        if let Some(id) = mention_id(v, "<#") {
            return Ok(ChannelId(id));
        }
        let name = v.trim_start_matches('#');
        let store = &self.services.store;
        if let Some(id) = store.channel_named(self.guild.id, name).await? {
            return Ok(id);
        }
        if self.guild.is_local && !name.is_empty() {
            let id = ChannelId(local_id("channel", name));
            store.upsert_channel(self.guild.id, id, name).await?;
            return Ok(id);
        }
        // Unknown: the service refuses it as not in this guild.
        Ok(ChannelId(0))
    }

    /// In a shell-local guild, channels named in a `/forum setup` mapping are made up like any
    /// other `#name`, so the service finds them. A malformed mapping is left to the service.
    async fn make_up_mapped_channels(&self, mapping: &str) -> Result<()> {
        if !self.guild.is_local {
            return Ok(());
        }
        if let Ok(entries) = crate::domain::template::parse_mapping(mapping) {
            for (_, channel) in entries.values() {
                if channel.starts_with('#') {
                    self.channel(channel).await?;
                }
            }
        }
        Ok(())
    }

    /// `@name`, `<@&id>`, a name or an id.
    async fn role(&self, value: &str) -> Result<RoleId> {
        let v = value.trim();
        if let Some(id) = mention_id(v, "<@&") {
            return Ok(RoleId(id));
        }
        let name = v.trim_start_matches('@');
        let store = &self.services.store;
        if let Some(id) = store.role_named(self.guild.id, name).await? {
            return Ok(id);
        }
        if self.guild.is_local && !name.is_empty() {
            let id = RoleId(local_id("role", name));
            store.upsert_role(self.guild.id, id, name).await?;
            return Ok(id);
        }
        Ok(RoleId(0))
    }
}

/// The id in `<#123>` / `<@&123>`, or a bare number.
fn mention_id(v: &str, prefix: &str) -> Option<u64> {
    if let Ok(id) = v.parse::<u64>() {
        return Some(id);
    }
    v.strip_prefix(prefix)?.strip_suffix('>')?.parse().ok()
}

/// A line's options, consumed by name; leftovers are an error.
struct Options(BTreeMap<String, String>);

impl Options {
    fn required(&mut self, name: &'static str) -> Result<String> {
        self.0
            .remove(name)
            .ok_or_else(|| refuse(msg!("error-missing-option", option = name)))
    }

    fn optional(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    fn number(&mut self, name: &'static str) -> Result<Option<i64>> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                refuse(msg!(
                    "error-bad-option",
                    detail = format!("{name}: {}", v.chars().take(20).collect::<String>())
                ))
            }),
        }
    }

    fn boolean(&mut self, name: &'static str) -> Result<bool> {
        match self.required(name)?.trim().to_lowercase().as_str() {
            "true" | "on" | "yes" | "ja" | "på" => Ok(true),
            "false" | "off" | "no" | "nej" | "av" => Ok(false),
            other => Err(refuse(msg!(
                "error-bad-option",
                detail = format!("{name}: {}", other.chars().take(20).collect::<String>())
            ))),
        }
    }

    fn finish(self) -> Result<()> {
        match self.0.into_keys().next() {
            None => Ok(()),
            Some(extra) => Err(refuse(
                Msg::new("shell-unknown-option")
                    .arg("option", extra.chars().take(40).collect::<String>()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_options() {
        let l = parse_line(r#"/forum create name:"Leverans forum" tier:delivery channel:#lev"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.path, vec!["forum", "create"]);
        assert_eq!(l.options["name"], "Leverans forum");
        assert_eq!(l.options["channel"], "#lev");
    }

    #[test]
    fn blank_and_comments_are_skipped() {
        assert_eq!(parse_line("   ").unwrap(), None);
        assert_eq!(parse_line("# a comment").unwrap(), None);
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse_line(r#"/forum create name:"open"#).is_err());
        assert!(parse_line("forum list").is_err());
        assert!(parse_line("/forum create name:a name:b").is_err());
        assert!(parse_line("/forum create name:a stray").is_err());
        assert!(parse_line("/").is_err());
    }

    #[test]
    fn mention_ids() {
        assert_eq!(mention_id("<#42>", "<#"), Some(42));
        assert_eq!(mention_id("<@&7>", "<@&"), Some(7));
        assert_eq!(mention_id("9", "<#"), Some(9));
        assert_eq!(mention_id("#x", "<#"), None);
    }
}
