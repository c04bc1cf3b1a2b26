//! Buttons, platform-neutral. A button invokes a command declared in [`crate::command`] with
//! preset values, as whoever presses it: "accept item 12" is the `agenda accept` spec with
//! `item=12`, the very request `/agenda accept item:12` makes. When the spec has a form, the
//! preset values of its fields prefill it instead (its modal opens on Discord).
//!
//! The state lives in the button's id (`v1:agenda:accept:item=12`), so a button keeps working
//! after a restart and across processes: nothing is remembered in memory. An id of another
//! version, a path no longer declared, or values the spec no longer takes is [`Stale`], and
//! the presser is told the button is out of date.

use crate::command::{self, Kind, Spec, Value, Values};
use crate::domain::ids::{ChannelId, MessageRef, RoleId};
use crate::i18n::{Lang, Msg};
use crate::render::Render;

/// The version of the id format. Bump it (and keep reading the old one, or let it go stale)
/// when the encoding changes.
pub const VERSION: &str = "v1";
/// The pseudo-value that carries [`Invoke::source`].
const SOURCE: &str = "~src";
/// Discord's limit for a component's (and a modal's) custom id.
pub const MAX_ID: usize = 100;

/// How a button looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

/// A command with preset values.
#[derive(Debug, Clone, PartialEq)]
pub struct Invoke {
    pub path: &'static [&'static str],
    pub values: Values,
    /// The chat message a context-menu command was used on (carried through its form).
    pub source: Option<MessageRef>,
}

/// A button: its label, its look, what it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    pub label: Msg,
    pub style: ButtonStyle,
    pub invoke: Invoke,
}

/// A button rendered for sending: the label in the reader's language, the id encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutAction {
    pub label: String,
    pub style: ButtonStyle,
    pub id: String,
}

/// A button id that no longer means anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale;

impl Button {
    pub fn new(label: Msg, style: ButtonStyle, invoke: Invoke) -> Self {
        Self {
            label,
            style,
            invoke,
        }
    }

    /// The label rendered in `lang` (labels show no formatting), the id encoded.
    pub fn render(&self, lang: Lang, r: &dyn Render) -> OutAction {
        let _ = r;
        OutAction {
            label: crate::domain::text::truncate(&self.label.plain(lang), 80),
            style: self.style,
            id: self.invoke.encode(),
        }
    }
}

impl Invoke {
    pub fn new(path: &'static [&'static str]) -> Self {
        Self {
            path,
            values: Values::default(),
            source: None,
        }
    }

    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.values.insert(name, value);
        self
    }

    /// The declared command, if it still is one.
    pub fn spec(&self) -> Option<&'static Spec> {
        command::find(self.path)
    }

    /// `v1:<path, one name a segment>:<name>=<value>;…` (`v1:note:text=…`,
    /// `v1:agenda:accept:item=12`, `v1:meeting:item:next`). Values are percent-encoded, so
    /// only the path's segments are free of `=`; the whole id must fit Discord's 100
    /// characters (a unit test keeps our buttons within it; a longer one is cut, and then
    /// reads as stale rather than wrong).
    pub fn encode(&self) -> String {
        let mut id = format!("{VERSION}:{}", self.path.join(":"));
        let mut first = true;
        for (name, value) in &self.values.0 {
            id.push(if first { ':' } else { ';' });
            first = false;
            id.push_str(&escape(name));
            id.push('=');
            id.push_str(&escape(&value_text(value)));
        }
        if let Some(src) = self.source {
            id.push(if first { ':' } else { ';' });
            id.push_str(SOURCE);
            id.push('=');
            id.push_str(&src.to_string());
        }
        id
    }

    /// The same command with only its options' values (a form's id: the fields travel in
    /// the form itself).
    pub fn options_only(&self) -> Invoke {
        let spec = self.spec();
        let mut values = self.values.clone();
        values
            .0
            .retain(|name, _| spec.is_none_or(|s| s.field(name).is_none()));
        Invoke {
            path: self.path,
            values,
            source: self.source,
        }
    }

    /// Reads an id made by [`Invoke::encode`]. The values are typed by the spec's
    /// declaration of each option or field; anything it does not declare is stale.
    pub fn decode(id: &str) -> Result<Invoke, Stale> {
        let rest = id
            .strip_prefix(VERSION)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or(Stale)?;
        // The path's names, then (at most) one segment of values: the first with an `=`.
        let segments: Vec<&str> = rest.split(':').collect();
        let n = segments
            .iter()
            .position(|s| s.contains('='))
            .unwrap_or(segments.len());
        let (path, pairs) = match &segments[n..] {
            [] => (&segments[..n], None),
            [pairs] => (&segments[..n], Some(*pairs)),
            _ => return Err(Stale),
        };
        // An empty last segment is an empty set of values (`v1:forum:list:`).
        let path = match path {
            [names @ .., ""] if pairs.is_none() => names,
            names => names,
        };
        let spec = command::find(path).or_else(|| renamed(path)).ok_or(Stale)?;
        let mut values = Values::default();
        let mut source = None;
        if let Some(pairs) = pairs.filter(|p| !p.is_empty()) {
            for pair in pairs.split(';') {
                let (name, raw) = pair.split_once('=').ok_or(Stale)?;
                let name = unescape(name).ok_or(Stale)?;
                let raw = unescape(raw).ok_or(Stale)?;
                if name == SOURCE {
                    source = Some(MessageRef::parse(&raw).ok_or(Stale)?);
                    continue;
                }
                let value = if let Some(o) = spec.option(&name) {
                    parse_value(o.kind, &raw).ok_or(Stale)?
                } else if spec.field(&name).is_some() {
                    Value::Text(raw)
                } else {
                    return Err(Stale);
                };
                values.insert(name, value);
            }
        }
        Ok(Invoke {
            path: spec.path,
            values,
            source,
        })
    }
}

/// Commands renamed since buttons that invoke them were posted: (old path, new path). A button
/// on a message sent before the rename keeps working.
const RENAMED: &[(&[&str], &[&str])] = &[
    (&["meeting", "next-item"], &["meeting", "item", "next"]),
    (&["note", "add"], &["note"]),
];

fn renamed(path: &[&str]) -> Option<&'static Spec> {
    let (_, new) = RENAMED.iter().find(|(old, _)| *old == path)?;
    command::find(new)
}

/// An option value as text in an id.
fn value_text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Channel(c) => c.0.to_string(),
        Value::Role(r) => r.0.to_string(),
        Value::User(u) => u.0.to_string(),
        // Files never travel in an id: a button or form cannot carry one.
        Value::File(f) => f.name.clone(),
    }
}

/// An option value from its text in an id, by the option's kind.
pub fn parse_value(kind: Kind, raw: &str) -> Option<Value> {
    Some(match kind {
        Kind::Text | Kind::Mapping => Value::Text(raw.to_string()),
        Kind::Integer | Kind::Count => Value::Integer(raw.parse().ok()?),
        Kind::Bool => Value::Bool(raw.parse().ok()?),
        Kind::Channel => Value::Channel(ChannelId(raw.parse().ok()?)),
        Kind::Role => Value::Role(RoleId(raw.parse().ok()?)),
        Kind::User => Value::User(crate::domain::ids::UserId(raw.parse().ok()?)),
        Kind::Attachment => return None,
    })
}

/// Percent-encodes everything but a few safe characters (and never the separators).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub fn unescape(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_odd_text_survives() {
        let i = Invoke::new(&["meeting", "cancel"])
            .with("forum", Value::Text("Lev:forum; å=ö%".into()))
            .with("meeting", Value::Text("2026-12-01".into()));
        let id = i.encode();
        assert!(id.starts_with("v1:meeting:cancel:"), "{id}");
        assert_eq!(Invoke::decode(&id), Ok(i.clone()));
        let mut with_source = i;
        with_source.source = Some(MessageRef {
            guild: crate::domain::ids::GuildId(1),
            channel: ChannelId(2),
            message: 3,
        });
        let id = with_source.encode();
        assert!(id.ends_with(";~src=1/2/3"), "{id}");
        assert_eq!(Invoke::decode(&id), Ok(with_source));
    }

    #[test]
    fn stale_ids_are_refused() {
        for id in [
            "",
            "v0:meeting:cancel",
            "v2:meeting:cancel:forum=a",
            "v1:meeting:nonesuch",
            "v1:meeting:cancel:colour=red",
            "v1:meeting:list:count=many",
            "v1:meeting:cancel:forum=%ZZ",
            "wb:v1:open",
        ] {
            assert_eq!(Invoke::decode(id), Err(Stale), "{id}");
        }
        assert!(Invoke::decode("v1:forum:list").is_ok());
        assert!(Invoke::decode("v1:forum:list:").is_ok());
        for id in [
            "v1:meeting",
            "v1:meeting:item",
            "v1:meeting:item:next:forum=a:more=b",
            "v1:note:add:text=x:more",
        ] {
            assert_eq!(Invoke::decode(id), Err(Stale), "{id}");
        }
    }

    #[test]
    fn paths_of_one_to_three_names_round_trip() {
        let note = Invoke::new(&["note"]).with("text", Value::Text("Sen: leverans".into()));
        let id = note.encode();
        assert!(id.starts_with("v1:note:text="), "{id}");
        assert_eq!(Invoke::decode(&id), Ok(note));
        let next = Invoke::new(&["meeting", "item", "next"]);
        assert_eq!(next.encode(), "v1:meeting:item:next");
        assert_eq!(Invoke::decode("v1:meeting:item:next"), Ok(next.clone()));
        let with_forum = next.with("forum", Value::Text("Lev".into()));
        let id = with_forum.encode();
        assert_eq!(id, "v1:meeting:item:next:forum=Lev");
        assert_eq!(Invoke::decode(&id), Ok(with_forum));
    }

    #[test]
    fn buttons_posted_before_a_rename_still_work() {
        let old = Invoke::decode("v1:meeting:next-item").unwrap();
        assert_eq!(old.path, ["meeting", "item", "next"]);
        let old = Invoke::decode("v1:note:add:text=x").unwrap();
        assert_eq!(old.path, ["note"]);
        assert_eq!(old.values.0["text"], Value::Text("x".into()));
    }
}
