//! How a catalogue message becomes text on one platform.
//!
//! Services return [`Msg`]s whose arguments may be typed: a time ([`Arg::Time`]), a channel,
//! a role or a user; the catalogue marks emphasis with functions (`{ STRONG($name) }`,
//! `{ STRUCK($when) }`, `{ CODE("/forum list") }`), never with a platform's markup. Fluent
//! formats the message with each typed argument and each mark left as a placeholder; a
//! [`Render`] then turns the placeholders into its platform's form: Discord timestamps and
//! mentions, or readable local times and `#name`/`@name` for a person at a terminal. An HTML
//! page, an iCalendar feed or a webhook's JSON is one more implementation of [`Render`].
//!
//! [`Msg`]: crate::i18n::Msg
//! [`Arg::Time`]: crate::i18n::Arg::Time

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use crate::domain::ids::{ChannelId, MessageRef, RoleId, UserId};
use crate::i18n::Lang;
use crate::msg;

/// How much of a time to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStyle {
    /// Weekday, date and time, and how far away it is where the platform can keep that true.
    Full,
    /// The date only.
    Date,
}

/// Emphasis the catalogue asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `{ STRONG(…) }`: a name or a key fact.
    Strong,
    /// `{ STRUCK(…) }`: something that no longer holds (a cancelled meeting).
    Struck,
    /// `{ CODE(…) }`: something to type, such as a command.
    Code,
}

/// A typed argument left for the renderer.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    Time {
        at: DateTime<Utc>,
        zone: Tz,
        style: TimeStyle,
    },
    Channel(ChannelId),
    Role(RoleId),
    User(UserId),
    Typed(String),
    Inline(String),
    Message(MessageRef),
}

/// One platform's way of showing messages. Implementations: `discord::render::DiscordRender`
/// and [`Plain`] (the shell, the command line, labels that show no formatting).
pub trait Render: Send + Sync {
    /// Literal text, the catalogue's and the arguments' (an HTML renderer escapes it here).
    fn text(&self, text: &str) -> String {
        text.to_string()
    }
    /// Emphasised text, already rendered.
    fn mark(&self, mark: Mark, inner: String) -> String;
    fn time(&self, lang: Lang, at: DateTime<Utc>, zone: Tz, style: TimeStyle) -> String;
    fn channel(&self, id: ChannelId) -> String;
    fn role(&self, id: RoleId) -> String;
    fn user(&self, id: UserId) -> String;
    /// Text a person typed, shown so that it cannot format, link, mention, or pass for a line
    /// of ours; on lines of its own.
    fn typed(&self, text: &str) -> String;
    /// A short text a person typed, inside a line of ours: on one line, markup escaped,
    /// mentions defused. Plain text shows it as typed, on one line.
    fn inline(&self, text: &str) -> String {
        one_line(text)
    }
    /// Splits text longer than a message into pieces of at most `max` characters, at line
    /// breaks where possible, each of which shows right on its own.
    fn split(&self, text: &str, max: usize) -> Vec<String> {
        split_lines(text, max)
    }
    /// A link to a chat message (plain: its `guild/channel/message`).
    fn message(&self, m: &MessageRef) -> String {
        self.text(&m.to_string())
    }

    fn atom(&self, lang: Lang, atom: &Atom) -> String {
        match atom {
            Atom::Time { at, zone, style } => self.time(lang, *at, *zone, *style),
            Atom::Channel(c) => self.channel(*c),
            Atom::Role(r) => self.role(*r),
            Atom::User(u) => self.user(*u),
            Atom::Typed(t) => self.typed(t),
            Atom::Inline(t) => self.inline(t),
            Atom::Message(m) => self.message(m),
        }
    }
}

// Placeholders are private-use characters: Fluent passes them through untouched, and text
// from users is stripped of them before it reaches Fluent (see `strip_placeholders`).
const STRONG: char = '\u{E000}';
const STRUCK: char = '\u{E001}';
const CODE: char = '\u{E002}';
const MARK_END: char = '\u{E00F}';
const ATOM: char = '\u{E010}';
const ATOM_END: char = '\u{E011}';

/// Wraps formatted text in a mark's placeholders (the catalogue's functions call this).
pub(crate) fn marked(mark: Mark, inner: &str) -> String {
    let open = match mark {
        Mark::Strong => STRONG,
        Mark::Struck => STRUCK,
        Mark::Code => CODE,
    };
    format!("{open}{inner}{MARK_END}")
}

/// The placeholder of the `index`th atom.
pub(crate) fn atom_placeholder(index: usize) -> String {
    format!("{ATOM}{index}{ATOM_END}")
}

/// Text from outside (names, reasons) must not carry placeholders of its own.
pub(crate) fn strip_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_placeholder) {
        text.chars().filter(|c| !is_placeholder(*c)).collect()
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn is_placeholder(c: char) -> bool {
    ('\u{E000}'..='\u{E01F}').contains(&c)
}

/// Turns Fluent's output with placeholders into the platform's text.
pub(crate) fn finish(marked: &str, atoms: &[Atom], lang: Lang, r: &dyn Render) -> String {
    // A stack of open marks, each with the text rendered inside it so far.
    let mut stack: Vec<(Option<Mark>, String)> = vec![(None, String::new())];
    let mut literal = String::new();
    let mut chars = marked.chars();
    let flush = |literal: &mut String, stack: &mut Vec<(Option<Mark>, String)>| {
        if !literal.is_empty() {
            let top = stack.last_mut().map(|(_, s)| s);
            if let Some(s) = top {
                s.push_str(&r.text(literal));
            }
            literal.clear();
        }
    };
    while let Some(c) = chars.next() {
        match c {
            STRONG | STRUCK | CODE => {
                flush(&mut literal, &mut stack);
                let mark = match c {
                    STRONG => Mark::Strong,
                    STRUCK => Mark::Struck,
                    _ => Mark::Code,
                };
                stack.push((Some(mark), String::new()));
            }
            MARK_END => {
                flush(&mut literal, &mut stack);
                if stack.len() > 1 {
                    if let Some((Some(mark), inner)) = stack.pop() {
                        let out = r.mark(mark, inner);
                        if let Some((_, s)) = stack.last_mut() {
                            s.push_str(&out);
                        }
                    }
                }
            }
            ATOM => {
                flush(&mut literal, &mut stack);
                let index: String = chars.by_ref().take_while(|c| *c != ATOM_END).collect();
                let rendered = index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| atoms.get(i))
                    .map(|a| r.atom(lang, a))
                    .unwrap_or_default();
                if let Some((_, s)) = stack.last_mut() {
                    s.push_str(&rendered);
                }
            }
            c if is_placeholder(c) => {}
            c => literal.push(c),
        }
    }
    flush(&mut literal, &mut stack);
    // A mark left open (never from our functions) ends with the text, without emphasis.
    while stack.len() > 1 {
        if let Some((_, inner)) = stack.pop() {
            if let Some((_, s)) = stack.last_mut() {
                s.push_str(&inner);
            }
        }
    }
    stack.pop().map(|(_, s)| s).unwrap_or_default()
}

/// Plain text: readable local times in the given zone (`tisdag 8 december 2026 10:00
/// (Europe/Stockholm)`), channels and roles by name from the guild directory (`#name`,
/// `@name`; the id when the name is unknown), no emphasis characters.
#[derive(Debug, Clone, Default)]
pub struct Plain {
    pub channels: HashMap<ChannelId, String>,
    pub roles: HashMap<RoleId, String>,
    pub users: HashMap<UserId, String>,
}

impl Render for Plain {
    fn mark(&self, _mark: Mark, inner: String) -> String {
        inner
    }

    fn time(&self, lang: Lang, at: DateTime<Utc>, zone: Tz, style: TimeStyle) -> String {
        let local = at.with_timezone(&zone);
        let date = msg!(
            "time-date",
            day = local.day().to_string(),
            month = msg!("month-name", month = local.month()),
            year = local.year().to_string()
        );
        let m = match style {
            TimeStyle::Date => date,
            TimeStyle::Full => msg!(
                "time-full",
                weekday = msg!("weekday-name", day = local.weekday().number_from_monday()),
                date = date,
                time = local.format("%H:%M").to_string(),
                zone = zone.name()
            ),
        };
        m.render_with(lang, self)
    }

    fn channel(&self, id: ChannelId) -> String {
        match self.channels.get(&id) {
            Some(name) => format!("#{name}"),
            None => format!("#{id}"),
        }
    }

    fn role(&self, id: RoleId) -> String {
        match self.roles.get(&id) {
            Some(name) => format!("@{name}"),
            None => format!("@{id}"),
        }
    }

    fn user(&self, id: UserId) -> String {
        match self.users.get(&id) {
            Some(name) => format!("@{name}"),
            None => format!("@{id}"),
        }
    }

    /// Indented under the line that introduces it, so it cannot pass for a line of ours.
    fn typed(&self, text: &str) -> String {
        without_bidi_controls(text)
            .lines()
            .map(|l| format!("\n    {l}"))
            .collect()
    }
}

/// `text` on one line (line breaks become spaces), without bidirectional controls.
pub fn one_line(text: &str) -> String {
    without_bidi_controls(text)
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

/// Pieces of at most `max` characters (at least 1), cut at line breaks where possible and
/// inside a line only when the line alone is longer. Nothing is lost: the pieces joined are
/// the text.
pub fn split_lines(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for line in text.split_inclusive('\n') {
        let mut line = line;
        loop {
            let n = line.chars().count();
            if cur_len + n <= max {
                cur.push_str(line);
                cur_len += n;
                break;
            }
            if cur_len > 0 {
                out.push(std::mem::take(&mut cur));
                cur_len = 0;
                continue;
            }
            let cut = line.char_indices().nth(max).map_or(line.len(), |(i, _)| i);
            out.push(line[..cut].to_string());
            line = &line[cut..];
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Packs rendered blocks into messages of at most `max` characters: blocks are joined by a
/// line break and a message ends only between blocks; a block longer than a message is split
/// by the platform ([`Render::split`]). Never cuts anything off; no blocks is one empty piece.
pub fn split_blocks(r: &dyn Render, blocks: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for block in blocks {
        let n = block.chars().count();
        let joined = if cur_len == 0 { n } else { cur_len + 1 + n };
        if joined <= max {
            if cur_len > 0 {
                cur.push('\n');
            }
            cur.push_str(block);
            cur_len = joined;
            continue;
        }
        if cur_len > 0 {
            out.push(std::mem::take(&mut cur));
        }
        if n <= max {
            cur.push_str(block);
            cur_len = n;
        } else {
            let mut pieces = r.split(block, max);
            let last = pieces.pop().unwrap_or_default();
            out.extend(pieces);
            cur_len = last.chars().count();
            cur = last;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// `text` without bidirectional formatting characters, which could reorder what surrounds it.
pub fn without_bidi_controls(text: &str) -> String {
    text.chars()
        .filter(|c| !crate::domain::whistleblowing::display::is_bidi_control(*c))
        .collect()
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn blocks_pack_between_blocks_and_nothing_is_lost() {
        let blocks: Vec<String> = (0..30)
            .map(|i| format!("{i}: {}", "x".repeat(150)))
            .collect();
        let parts = split_blocks(&Plain::default(), &blocks, 2000);
        assert!(parts.len() >= 3);
        for p in &parts {
            assert!(p.chars().count() <= 2000);
            // Every piece starts at a block's beginning.
            assert!(
                p.split('\n').all(|b| blocks.contains(&b.to_string())),
                "{p}"
            );
        }
        assert_eq!(parts.join("\n"), blocks.join("\n"));
        assert_eq!(
            split_blocks(&Plain::default(), &[], 2000),
            vec![String::new()]
        );
    }

    #[test]
    fn a_block_longer_than_a_message_is_split_at_lines() {
        let long = (0..50)
            .map(|i| format!("line {i} {}", "y".repeat(90)))
            .collect::<Vec<_>>();
        let blocks = vec!["head".to_string(), long.join("\n"), "tail".to_string()];
        let parts = split_blocks(&Plain::default(), &blocks, 2000);
        assert!(parts.iter().all(|p| p.chars().count() <= 2000));
        let all: String = parts.concat();
        for l in &long {
            assert!(all.contains(l.as_str()), "{l} lost");
        }
        assert!(parts[0].starts_with("head") && parts.last().unwrap().ends_with("tail"));
        let one_line = split_lines(&"z".repeat(4500), 2000);
        assert_eq!(
            one_line.iter().map(String::len).collect::<Vec<_>>(),
            [2000, 2000, 500]
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::discord::render::DiscordRender;
    use crate::i18n::{Arg, Msg};

    const STOCKHOLM: Tz = chrono_tz::Europe::Stockholm;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        STOCKHOLM
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn shell() -> Plain {
        Plain {
            channels: [(ChannelId(42), "leveransforum".to_string())].into(),
            roles: [(RoleId(7), "Ordförande".to_string())].into(),
            users: HashMap::new(),
        }
    }

    /// One reply with a name, two times, a channel and a role.
    fn reply() -> Vec<Msg> {
        let from = at(2026, 12, 8, 10, 0);
        let to = at(2026, 12, 9, 13, 30);
        vec![
            msg!(
                "meeting-moved",
                name = "Leveransforum",
                from = Arg::time(from, STOCKHOLM),
                to = Arg::time(to, STOCKHOLM)
            ),
            msg!(
                "forum-created",
                name = "Leveransforum",
                channel = ChannelId(42)
            ),
            msg!("reminder-for-role", role = RoleId(7), text = "x"),
        ]
    }

    fn rendered(lang: Lang, r: &dyn Render) -> Vec<String> {
        reply().iter().map(|m| m.render_with(lang, r)).collect()
    }

    #[test]
    fn one_reply_for_discord_in_swedish_and_english() {
        let (f, t) = (
            at(2026, 12, 8, 10, 0).timestamp(),
            at(2026, 12, 9, 13, 30).timestamp(),
        );
        assert_eq!(
            rendered(Lang::Sv, &DiscordRender),
            [
                format!(
                    "Mötet i **Leveransforum** är flyttat från <t:{f}:F> (<t:{f}:R>) \
                     till <t:{t}:F> (<t:{t}:R>)."
                ),
                "Forumet **Leveransforum** är skapat och möts i <#42>.".to_string(),
                "<@&7> x".to_string(),
            ]
        );
        assert_eq!(
            rendered(Lang::En, &DiscordRender),
            [
                format!(
                    "The meeting of **Leveransforum** is moved from <t:{f}:F> (<t:{f}:R>) \
                     to <t:{t}:F> (<t:{t}:R>)."
                ),
                "The forum **Leveransforum** is created and meets in <#42>.".to_string(),
                "<@&7> x".to_string(),
            ]
        );
    }

    #[test]
    fn one_reply_for_the_shell_in_swedish_and_english() {
        assert_eq!(
            rendered(Lang::Sv, &shell()),
            [
                "Mötet i Leveransforum är flyttat från tisdag 8 december 2026 10:00 \
                 (Europe/Stockholm) till onsdag 9 december 2026 13:30 (Europe/Stockholm).",
                "Forumet Leveransforum är skapat och möts i #leveransforum.",
                "@Ordförande x",
            ]
        );
        assert_eq!(
            rendered(Lang::En, &shell()),
            [
                "The meeting of Leveransforum is moved from Tuesday 8 December 2026 10:00 \
                 (Europe/Stockholm) to Wednesday 9 December 2026 13:30 (Europe/Stockholm).",
                "The forum Leveransforum is created and meets in #leveransforum.",
                "@Ordförande x",
            ]
        );
    }

    #[test]
    fn times_are_shown_in_the_zone_given_and_unknown_names_as_ids() {
        // 23:30 UTC on 31 December is already New Year in Stockholm.
        let t = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        let m = msg!("meeting-next-line", when = Arg::time(t, STOCKHOLM));
        assert_eq!(
            m.plain(Lang::Sv),
            "Nästa möte: fredag 1 januari 2027 00:30 (Europe/Stockholm)"
        );
        let m = msg!("meeting-next-line", when = Arg::date(t, chrono_tz::UTC));
        assert_eq!(m.plain(Lang::En), "Next meeting: 31 December 2026");
        let m = msg!("forum-created", name = "A", channel = ChannelId(9));
        assert!(m.plain(Lang::En).ends_with("meets in #9."));
    }

    #[test]
    fn struck_and_code_marks() {
        let t = at(2026, 12, 8, 10, 0);
        let m = msg!(
            "meeting-line-cancelled",
            when = Arg::time(t, STOCKHOLM),
            reason = "sjuk"
        );
        let s = t.timestamp();
        assert_eq!(
            m.render_with(Lang::Sv, &DiscordRender),
            format!("• ~~<t:{s}:F> (<t:{s}:R>)~~ inställt: sjuk")
        );
        assert_eq!(
            m.plain(Lang::Sv),
            "• tisdag 8 december 2026 10:00 (Europe/Stockholm) inställt: sjuk"
        );
        let m = msg!("forum-list-empty");
        assert!(m
            .render_with(Lang::En, &DiscordRender)
            .ends_with("with `/forum create`."));
        assert!(m.plain(Lang::En).ends_with("with /forum create."));
    }

    #[test]
    fn typed_text_is_fenced_in_discord_and_indented_in_plain_text() {
        let m = msg!(
            "wb-view-what",
            text = Arg::typed("ok\n```\n**Handler:** pay\u{202E} <@&1>")
        );
        let discord = m.render_with(Lang::En, &DiscordRender);
        assert_eq!(
            discord.lines().filter(|l| *l == "```").count(),
            2,
            "{discord}"
        );
        assert!(discord.ends_with("\n```") && !discord.contains('\u{202E}'));
        let plain = m.plain(Lang::En);
        assert!(
            plain.ends_with("\n    ok\n    ```\n    **Handler:** pay <@&1>"),
            "{plain}"
        );
    }

    #[test]
    fn text_from_users_cannot_forge_placeholders() {
        // A name carrying the private-use characters the catalogue's marks and typed
        // arguments use: they are dropped, so it neither renders emphasis nor a mention.
        let forged = format!("a{STRONG}b{MARK_END}{ATOM}0{ATOM_END}c");
        let m = msg!("forum-created", name = forged, channel = ChannelId(42));
        assert_eq!(
            m.render_with(Lang::En, &DiscordRender),
            "The forum **ab0c** is created and meets in <#42>."
        );
    }

    /// Walks the files of a folder below the crate root.
    fn files(dir: &str, ext: &str) -> Vec<(std::path::PathBuf, String)> {
        let mut out = Vec::new();
        let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == ext) {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path, text));
                }
            }
        }
        out
    }

    #[test]
    fn no_discord_markup_in_services_domain_scheduler_or_catalogue() {
        let mut found = Vec::new();
        // Code: what would build a timestamp, a mention or markdown into a reply. Reading a
        // mention someone typed (`strip_prefix("<#")`) and tests are not replies.
        let code_markup = ["<t:", "<#{", "<@{", "<@&{", "<@!{", "**", "~~", "```"];
        for dir in ["src/service", "src/domain", "src/scheduler"] {
            for (path, text) in files(dir, "rs") {
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                for (n, line) in code.lines().enumerate() {
                    let l = line.trim_start();
                    if l.starts_with("//") {
                        continue;
                    }
                    for m in code_markup.iter().filter(|m| l.contains(*m)) {
                        found.push(format!("{}:{}: {m}", path.display(), n + 1));
                    }
                }
            }
        }
        // Catalogue: emphasis is STRONG/STRUCK/CODE, times and mentions are typed arguments.
        let ftl_markup = ["**", "~~", "__", "||", "<t:", "<#", "<@"];
        for (path, text) in files("locales", "ftl") {
            for (n, line) in text.lines().enumerate() {
                if line.starts_with('#') {
                    continue;
                }
                for m in ftl_markup.iter().filter(|m| line.contains(*m)) {
                    found.push(format!("{}:{}: {m}", path.display(), n + 1));
                }
                if line.matches('`').count() >= 2 {
                    found.push(format!("{}:{}: `code`", path.display(), n + 1));
                }
            }
        }
        assert!(found.is_empty(), "Discord markup: {found:#?}");
    }
}
