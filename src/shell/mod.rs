//! The shell adapter: slash-command lines from standard input, plain-text replies on standard
//! output. Same command set as Discord (`crate::command`), same services; this file only
//! reads lines into option values and prints replies.
//!
//! ```text
//! /forum create name:"Leveransforum" tier:delivery channel:#leveransforum
//! /forum list
//! ```

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use crate::command::{self, Kind, Opt, Value, Values};
use crate::domain::ids::{local_id, ChannelId, GuildId, RoleId, UserId};
use crate::error::{refuse, Result};
use crate::i18n::Msg;
use crate::msg;
use crate::render::Plain;
use crate::service::{Actor, Presented, Reply, Services, Status};
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
            Err(_) => {
                let id = UserId(local_id("user", who.user.trim()));
                // A member of the local guild by that name (an attendance list shows it), as
                // Discord tells the bot who invokes a command.
                if guild.is_local && !who.user.trim().is_empty() {
                    store.upsert_member(guild.id, id, who.user.trim()).await?;
                }
                id
            }
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
            // A file (an export) follows its reply, headed like `tail` heads files.
            for f in &p.files {
                let text = String::from_utf8_lossy(&f.bytes);
                writeln!(out, "==> {} <==", f.name)?;
                write!(out, "{}", text.trim_start_matches('\u{feff}'))?;
            }
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

    /// Finds the line's command in the declared command set, reads its options by their
    /// declared kinds and runs the request: the same specs Discord's commands are built from.
    async fn dispatch(&self, line: Line) -> Result<Reply> {
        let path: Vec<&str> = line.path.iter().map(String::as_str).collect();
        if path == ["help"] {
            return Ok(Reply::private(vec![msg!(
                "shell-help",
                commands = command::summary()
            )]));
        }
        let Some(spec) = command::find(&path) else {
            // `/meeting item`: the beginning of commands, not one; say what may follow.
            let next = command::completions(&path);
            if next.is_empty() {
                return Err(refuse(msg!("error-unknown-command")));
            }
            return Err(refuse(msg!(
                "error-incomplete-command",
                command = format!("/{}", path.join(" ")),
                choices = next.join(", ")
            )));
        };
        let mut values = Values::default();
        for (name, raw) in line.options {
            // A form's fields are ordinary text options here.
            if spec.field(&name).is_some() {
                values.insert(name, Value::Text(raw));
                continue;
            }
            let Some(option) = spec.option(&name) else {
                return Err(refuse(
                    Msg::new("shell-unknown-option")
                        .arg("option", name.chars().take(40).collect::<String>()),
                ));
            };
            values.insert(name, self.value(option, &raw).await?);
        }
        spec.request(values)?.run(&self.services, &self.actor).await
    }

    /// A `name:value` as its option's kind: numbers and yes/no read, `#channel` and `@role`
    /// looked up (or made up in a shell-local guild).
    async fn value(&self, option: &Opt, raw: &str) -> Result<Value> {
        let bad = || {
            refuse(msg!(
                "error-bad-option",
                detail = format!(
                    "{}: {}",
                    option.name,
                    raw.trim().chars().take(20).collect::<String>()
                )
            ))
        };
        Ok(match option.kind {
            Kind::Text => Value::Text(raw.to_string()),
            Kind::Mapping => {
                self.make_up_mapped_channels(raw).await?;
                Value::Text(raw.to_string())
            }
            Kind::Integer | Kind::Count => Value::Integer(raw.trim().parse().map_err(|_| bad())?),
            Kind::Bool => Value::Bool(match raw.trim().to_lowercase().as_str() {
                "true" | "on" | "yes" | "ja" | "på" => true,
                "false" | "off" | "no" | "nej" | "av" => false,
                _ => return Err(bad()),
            }),
            Kind::Channel => Value::Channel(self.channel(raw).await?),
            Kind::Role => Value::Role(self.role(raw).await?),
            Kind::User => Value::User(self.user(raw).await?),
            Kind::Attachment => Value::File(read_upload(raw).map_err(|_| bad())?),
        })
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

impl Shell {
    /// `@name`, `<@id>` or an id. A name is looked up among the guild's members; in a
    /// shell-local guild an unknown `@name` is made up as a member.
    async fn user(&self, value: &str) -> Result<UserId> {
        let v = value.trim();
        if let Some(id) = mention_id(v, "<@").or_else(|| mention_id(v, "<@!")) {
            return Ok(UserId(id));
        }
        let name = v.trim_start_matches('@');
        let store = &self.services.store;
        if let Some(id) = store.member_named(self.guild.id, name).await? {
            return Ok(id);
        }
        if self.guild.is_local && !name.is_empty() {
            let id = UserId(local_id("user", name));
            store.upsert_member(self.guild.id, id, name).await?;
            return Ok(id);
        }
        // Unknown: the service refuses it as not a member.
        Ok(UserId(0))
    }
}

/// The id in `<#123>` / `<@&123>`, or a bare number.
fn mention_id(v: &str, prefix: &str) -> Option<u64> {
    if let Ok(id) = v.parse::<u64>() {
        return Some(id);
    }
    v.strip_prefix(prefix)?.strip_suffix('>')?.parse().ok()
}

/// A file named on the command line (`file:path/to/minutes.md`), read as an attachment: at
/// most [`crate::command::MAX_FETCH`] bytes are read, a larger file arrives with its size only.
fn read_upload(raw: &str) -> std::io::Result<crate::command::Upload> {
    let path = std::path::Path::new(raw.trim());
    let size = std::fs::metadata(path)?.len();
    let bytes = if size <= crate::command::MAX_FETCH {
        std::fs::read(path)?
    } else {
        Vec::new()
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(crate::command::Upload { name, size, bytes })
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
