//! The message catalogue: every user-facing string, in Swedish and English, as Fluent files
//! under `locales/`, compiled into the binary.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

use crate::domain::ids::{ChannelId, RoleId, UserId};
use crate::render::{self, Atom, Mark, Plain, Render, TimeStyle};

/// A language the bot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    /// Accepts `sv`, `sv-SE`, `svenska`, `en`, `en-US`, `en-GB`, `english` (any case).
    pub fn from_code(code: &str) -> Option<Self> {
        let c = code.trim().to_lowercase();
        let primary = c.split(['-', '_']).next().unwrap_or("");
        match primary {
            "sv" | "svenska" | "swedish" => Some(Lang::Sv),
            "en" | "engelska" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Discord's locale for command localisations.
    pub fn discord_locale(self) -> &'static str {
        match self {
            Lang::Sv => "sv-SE",
            Lang::En => "en-US",
        }
    }
}

/// One argument of a message. Times, channels, roles and users stay typed until a
/// [`Render`] shows them in its platform's form.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Number(i64),
    /// Another message, rendered in the same language first (a translated label).
    Msg(Box<Msg>),
    /// An instant, shown in `zone` where the platform cannot show each reader their own.
    Time {
        at: DateTime<Utc>,
        zone: Tz,
        style: TimeStyle,
    },
    Channel(ChannelId),
    Role(RoleId),
    User(UserId),
    /// What a person typed (a report, a reply): each platform shows it so it cannot format,
    /// link, mention or forge a line of ours.
    Typed(String),
    /// A short text a person typed, shown inside a line of ours (an agenda item's title): as
    /// typed, with the platform's markup escaped and mentions defused.
    Inline(String),
    /// A link to a chat message.
    Message(crate::domain::ids::MessageRef),
}

impl Arg {
    /// A meeting's time: weekday, date and time (and how far away, where the platform can).
    pub fn time(at: DateTime<Utc>, zone: Tz) -> Self {
        Arg::Time {
            at,
            zone,
            style: TimeStyle::Full,
        }
    }

    /// Text a person typed.
    pub fn typed(text: &str) -> Self {
        Arg::Typed(text.to_string())
    }

    /// A day.
    pub fn date(at: DateTime<Utc>, zone: Tz) -> Self {
        Arg::Time {
            at,
            zone,
            style: TimeStyle::Date,
        }
    }
}

impl From<ChannelId> for Arg {
    fn from(c: ChannelId) -> Self {
        Arg::Channel(c)
    }
}
impl From<RoleId> for Arg {
    fn from(r: RoleId) -> Self {
        Arg::Role(r)
    }
}
impl From<UserId> for Arg {
    fn from(u: UserId) -> Self {
        Arg::User(u)
    }
}

impl From<crate::domain::ids::MessageRef> for Arg {
    fn from(m: crate::domain::ids::MessageRef) -> Self {
        Arg::Message(m)
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Self {
        Arg::Msg(Box::new(m))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Number(i64::from(n))
    }
}

/// A message to show someone: a catalogue key and its arguments, rendered in their language
/// at the edge. Services return these, never finished strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Renders the message for one platform.
    pub fn render_with(&self, lang: Lang, r: &dyn Render) -> String {
        Catalog::get().render(lang, self, r)
    }

    /// Renders the message as plain text without a guild directory: for labels, titles and
    /// the command line, where no formatting shows (see [`Plain`]).
    pub fn plain(&self, lang: Lang) -> String {
        self.render_with(lang, &Plain::default())
    }
}

/// Builds a [`Msg`]: `msg!("forum-created", name = forum.name)`.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Msg::new($key)$(.arg(stringify!($name), $value))*
    };
}

/// The Fluent sources, one file per area, per language.
const SOURCES: &[(Lang, &str)] = &[
    (Lang::Sv, include_str!("../locales/sv/main.ftl")),
    (Lang::En, include_str!("../locales/en/main.ftl")),
    (Lang::Sv, include_str!("../locales/sv/commands.ftl")),
    (Lang::En, include_str!("../locales/en/commands.ftl")),
    (Lang::Sv, include_str!("../locales/sv/whistleblowing.ftl")),
    (Lang::En, include_str!("../locales/en/whistleblowing.ftl")),
    (Lang::Sv, include_str!("../locales/sv/agenda.ftl")),
    (Lang::En, include_str!("../locales/en/agenda.ftl")),
    (Lang::Sv, include_str!("../locales/sv/interactions.ftl")),
    (Lang::En, include_str!("../locales/en/interactions.ftl")),
    (Lang::Sv, include_str!("../locales/sv/run.ftl")),
    (Lang::En, include_str!("../locales/en/run.ftl")),
    (Lang::Sv, include_str!("../locales/sv/minutes.ftl")),
    (Lang::En, include_str!("../locales/en/minutes.ftl")),
    (Lang::Sv, include_str!("../locales/sv/escalation.ftl")),
    (Lang::En, include_str!("../locales/en/escalation.ftl")),
];

pub struct Catalog {
    sv: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::build);

impl Catalog {
    pub fn get() -> &'static Catalog {
        &CATALOG
    }

    fn build() -> Self {
        let bundle = |lang: Lang| {
            let id: LanguageIdentifier = lang.code().parse().expect("static language id");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Unicode isolation marks around arguments render as junk in Discord and shells.
            bundle.set_use_isolating(false);
            // Emphasis is the renderer's: the catalogue only says which text it applies to.
            for (name, mark) in [
                ("STRONG", Mark::Strong),
                ("STRUCK", Mark::Struck),
                ("CODE", Mark::Code),
            ] {
                bundle
                    .add_function(name, move |positional, _named| {
                        let inner: String = positional
                            .iter()
                            .map(|v| match v {
                                FluentValue::String(s) => s.to_string(),
                                FluentValue::Number(n) => n.as_string().to_string(),
                                _ => String::new(),
                            })
                            .collect();
                        FluentValue::from(render::marked(mark, &inner))
                    })
                    .expect("function defined once");
            }
            for (l, source) in SOURCES {
                if *l == lang {
                    // The files are ours and checked by tests: a syntax error is a build bug.
                    let res = FluentResource::try_new(source.to_string())
                        .expect("locale file has a syntax error");
                    bundle.add_resource(res).expect("duplicate message id");
                }
            }
            bundle
        };
        Self {
            sv: bundle(Lang::Sv),
            en: bundle(Lang::En),
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// Whether `key` exists in `lang`.
    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }

    /// Renders a message for one platform; a missing key renders as the key itself (and is
    /// caught by tests).
    pub fn render(&self, lang: Lang, msg: &Msg, r: &dyn Render) -> String {
        let mut atoms = Vec::new();
        let marked = self.format(lang, msg, &mut atoms);
        render::finish(&marked, &atoms, lang, r)
    }

    /// Formats a message with its typed arguments and marks left as placeholders, collecting
    /// the typed arguments into `atoms` (nested messages share them).
    fn format(&self, lang: Lang, msg: &Msg, atoms: &mut Vec<Atom>) -> String {
        self.format_pattern(lang, msg.key, None, &msg.args, atoms)
            .unwrap_or_else(|| msg.key.to_string())
    }

    /// Looks up a message or one of its attributes as plain text; `None` when absent.
    pub fn lookup(
        &self,
        lang: Lang,
        key: &str,
        attribute: Option<&str>,
        args: &[(&'static str, Arg)],
    ) -> Option<String> {
        let mut atoms = Vec::new();
        let marked = self.format_pattern(lang, key, attribute, args, &mut atoms)?;
        Some(render::finish(&marked, &atoms, lang, &Plain::default()))
    }

    fn format_pattern(
        &self,
        lang: Lang,
        key: &str,
        attribute: Option<&str>,
        args: &[(&'static str, Arg)],
        atoms: &mut Vec<Atom>,
    ) -> Option<String> {
        let bundle = self.bundle(lang);
        let message = bundle.get_message(key)?;
        let pattern = match attribute {
            Some(attr) => message.get_attribute(attr)?.value(),
            None => message.value()?,
        };
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            let v = match value {
                Arg::Text(s) => FluentValue::from(render::strip_placeholders(s).into_owned()),
                Arg::Number(n) => FluentValue::from(*n),
                Arg::Time { at, zone, style } => atom(
                    atoms,
                    Atom::Time {
                        at: *at,
                        zone: *zone,
                        style: *style,
                    },
                ),
                Arg::Channel(c) => atom(atoms, Atom::Channel(*c)),
                Arg::Role(r) => atom(atoms, Atom::Role(*r)),
                Arg::User(u) => atom(atoms, Atom::User(*u)),
                Arg::Typed(t) => atom(
                    atoms,
                    Atom::Typed(render::strip_placeholders(t).into_owned()),
                ),
                Arg::Inline(t) => atom(
                    atoms,
                    Atom::Inline(render::strip_placeholders(t).into_owned()),
                ),
                Arg::Msg(m) => FluentValue::from(self.format(lang, m, atoms)),
                Arg::Message(m) => atom(atoms, Atom::Message(*m)),
            };
            fargs.set(*name, v);
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
        Some(text.into_owned())
    }

    /// Every message id of a language (for tests that both languages agree).
    pub fn ids(lang: Lang) -> Vec<String> {
        let mut ids = Vec::new();
        for (l, source) in SOURCES {
            if *l != lang {
                continue;
            }
            if let Ok(res) = FluentResource::try_new(source.to_string()) {
                for entry in res.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        ids.push(m.id.name.to_string());
                    }
                }
            }
        }
        ids.sort();
        ids
    }
}

/// Leaves a typed argument for the renderer: Fluent sees only its placeholder.
fn atom(atoms: &mut Vec<Atom>, a: Atom) -> FluentValue<'static> {
    atoms.push(a);
    FluentValue::from(render::atom_placeholder(atoms.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_messages() {
        let sv = Catalog::ids(Lang::Sv);
        let en = Catalog::ids(Lang::En);
        let only_sv: Vec<_> = sv.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !sv.contains(k)).collect();
        assert!(
            only_sv.is_empty() && only_en.is_empty(),
            "only in sv: {only_sv:?}; only in en: {only_en:?}"
        );
        assert!(sv.len() > 20);
    }

    #[test]
    fn every_key_used_in_the_source_exists() {
        // Scan src/ for msg!("key"...) and Msg::new("key") so a typo in a key fails here,
        // not in front of a user.
        let mut missing = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for marker in ["msg!(\"", "Msg::new(\""] {
                    for (i, _) in text.match_indices(marker) {
                        let rest = &text[i + marker.len()..];
                        let key = &rest[..rest.find('"').unwrap()];
                        if key == "key" {
                            continue;
                        }
                        for lang in Lang::ALL {
                            if !Catalog::get().has(lang, key) {
                                missing.push(format!("{}: {key} ({lang:?})", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing messages: {missing:#?}");
    }

    #[test]
    fn renders_with_arguments_without_isolation_marks() {
        let text = msg!("error-internal", reference = "AB12").plain(Lang::En);
        assert!(text.contains("AB12"), "{text}");
        assert!(!text.contains('\u{2068}'));
    }

    #[test]
    fn language_codes() {
        assert_eq!(Lang::from_code("sv-SE"), Some(Lang::Sv));
        assert_eq!(Lang::from_code("EN-gb"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }
}

/// Messages kept in job payloads (a direct message rendered when it is sent, in the language
/// of that moment): keys and argument names are interned, so a stored message reads back as
/// the same `Msg`.
mod stored {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Arg, Msg};
    use crate::domain::ids::{ChannelId, MessageRef, RoleId, UserId};
    use crate::render::TimeStyle;

    #[derive(Serialize, Deserialize)]
    struct StoredMsg {
        key: String,
        #[serde(default)]
        args: Vec<(String, StoredArg)>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "t", content = "v", rename_all = "snake_case")]
    enum StoredArg {
        Text(String),
        Number(i64),
        Msg(Box<StoredMsg>),
        Time {
            at: DateTime<Utc>,
            zone: String,
            date_only: bool,
        },
        Channel(ChannelId),
        Role(RoleId),
        User(UserId),
        Typed(String),
        Inline(String),
        Message(MessageRef),
    }

    /// The one `&'static str` for a text: a stored message's key or argument name. The set is
    /// bounded by the catalogue's keys and the names our code uses.
    fn intern(s: &str) -> &'static str {
        static SEEN: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
        let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
        let set = seen.get_or_insert_with(HashSet::new);
        if let Some(known) = set.get(s) {
            return known;
        }
        let leaked: &'static str = Box::leak(s.to_string().into_boxed_str());
        set.insert(leaked);
        leaked
    }

    fn store(m: &Msg) -> StoredMsg {
        StoredMsg {
            key: m.key.to_string(),
            args: m
                .args
                .iter()
                .map(|(n, a)| {
                    let a = match a {
                        Arg::Text(s) => StoredArg::Text(s.clone()),
                        Arg::Number(n) => StoredArg::Number(*n),
                        Arg::Msg(m) => StoredArg::Msg(Box::new(store(m))),
                        Arg::Time { at, zone, style } => StoredArg::Time {
                            at: *at,
                            zone: zone.name().to_string(),
                            date_only: *style == TimeStyle::Date,
                        },
                        Arg::Channel(c) => StoredArg::Channel(*c),
                        Arg::Role(r) => StoredArg::Role(*r),
                        Arg::User(u) => StoredArg::User(*u),
                        Arg::Typed(t) => StoredArg::Typed(t.clone()),
                        Arg::Inline(t) => StoredArg::Inline(t.clone()),
                        Arg::Message(m) => StoredArg::Message(*m),
                    };
                    (n.to_string(), a)
                })
                .collect(),
        }
    }

    fn load(s: StoredMsg) -> Msg {
        Msg {
            key: intern(&s.key),
            args: s
                .args
                .into_iter()
                .map(|(n, a)| {
                    let a = match a {
                        StoredArg::Text(s) => Arg::Text(s),
                        StoredArg::Number(n) => Arg::Number(n),
                        StoredArg::Msg(m) => Arg::Msg(Box::new(load(*m))),
                        StoredArg::Time {
                            at,
                            zone,
                            date_only,
                        } => Arg::Time {
                            at,
                            zone: zone.parse().unwrap_or(chrono_tz::Europe::Stockholm),
                            style: if date_only {
                                TimeStyle::Date
                            } else {
                                TimeStyle::Full
                            },
                        },
                        StoredArg::Channel(c) => Arg::Channel(c),
                        StoredArg::Role(r) => Arg::Role(r),
                        StoredArg::User(u) => Arg::User(u),
                        StoredArg::Typed(t) => Arg::Typed(t),
                        StoredArg::Inline(t) => Arg::Inline(t),
                        StoredArg::Message(m) => Arg::Message(m),
                    };
                    (intern(&n), a)
                })
                .collect(),
        }
    }

    impl Serialize for Msg {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            store(self).serialize(s)
        }
    }

    impl<'de> Deserialize<'de> for Msg {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            StoredMsg::deserialize(d).map(load)
        }
    }

    #[cfg(test)]
    mod tests {
        use chrono::TimeZone;

        use super::*;

        #[test]
        fn a_stored_message_reads_back_the_same() {
            let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
            let m = msg!(
                "meeting-moved",
                name = "Lev",
                from = Arg::time(at, chrono_tz::Europe::Stockholm),
                to = Arg::date(at, chrono_tz::Europe::Stockholm),
                who = UserId(5),
                why = Arg::typed("x"),
                inner = msg!("language-name", code = "sv"),
                n = 3_i64
            );
            let json = serde_json::to_string(&m).unwrap();
            let back: Msg = serde_json::from_str(&json).unwrap();
            assert_eq!(back, m);
        }
    }
}
