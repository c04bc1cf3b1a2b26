//! Governance templates: a buyer's whole forum structure (forums, tiers, cadences, the
//! escalation ladder) as a TOML file, created in one step by `/forum setup`.
//!
//! The format is documented at the top of `config/templates/stockholm.toml`. Parsing is pure
//! (text in, validated [`Template`] out); reading the files is `crate::templates`.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Deserialize;

use super::agenda::{
    one_line as agenda_line, parse_deadline, AgendaSettings, EmptyPolicy, Format, Place,
    MAX_STANDING, MAX_TITLE,
};
use super::forum::{escalation_makes_cycle, parse_time_zone, validate_name, validate_tier};
use super::ids::ForumId;
use super::recurrence::{parse_cadence, Cadence, Recurrence};
use super::text::name_key;

/// Longest template key (the file name without `.toml`).
pub const MAX_KEY: usize = 40;
/// Most forums in one template (a Discord message must list them all).
pub const MAX_FORUMS: usize = 25;

/// A validated template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// What users type: the file name without `.toml` (`stockholm`).
    pub key: String,
    /// Display name (`Stockholms stad – samarbetsformer`).
    pub name: String,
    pub description: String,
    /// Time zone of every forum; `None`: the configured default.
    pub time_zone: Option<Tz>,
    /// Forums in creation order: every escalation target comes before the forums that
    /// escalate to it.
    pub forums: Vec<TemplateForum>,
}

/// One forum of a template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateForum {
    pub name: String,
    /// Canonical tier (`delivery`, …; see [`validate_tier`]).
    pub tier: String,
    /// The cadence as written (passed to `/forum edit` logic, which parses it again).
    pub cadence_spec: String,
    pub cadence: Cadence,
    /// Local start time.
    pub time: NaiveTime,
    pub duration_minutes: u32,
    /// Name of the forum of this template it escalates to.
    pub escalates_to: Option<String>,
    /// The meeting is cancelled when nobody proposed an agenda item (the same as
    /// `empty_agenda = "cancel"`; `agenda` holds the result).
    pub cancel_without_agenda: bool,
    /// The forum's agenda settings: `agenda_deadline`, `empty_agenda` (or
    /// `cancel_without_agenda`), `agenda_format`.
    pub agenda: AgendaSettings,
    /// Standing items in order: `standing` (before the proposals), `standing_end` (after).
    pub standing: Vec<(String, Place)>,
    /// Free text for people reading the template (original wording, who chairs, …).
    pub note: Option<String>,
    /// Names of the guild's roles that chair, keep the record and approve minutes; set when
    /// the guild has a role of that name.
    pub chair_role: Option<String>,
    pub secretary_role: Option<String>,
    pub approver_role: Option<String>,
    /// The decision code (`LF`); default: derived from the name.
    pub code: Option<String>,
}

/// Why a template was refused, for the operator (English, not translated: it is read at start).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {key:?}: {problem}")]
pub struct TemplateError {
    pub key: String,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    name: String,
    #[serde(default)]
    description: String,
    time_zone: Option<String>,
    #[serde(default, rename = "forum")]
    forums: Vec<RawForum>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForum {
    name: String,
    tier: String,
    cadence: String,
    time: String,
    duration: u32,
    escalates_to: Option<String>,
    #[serde(default)]
    cancel_without_agenda: bool,
    agenda_deadline: Option<String>,
    empty_agenda: Option<String>,
    agenda_format: Option<String>,
    #[serde(default)]
    standing: Vec<String>,
    #[serde(default)]
    standing_end: Vec<String>,
    note: Option<String>,
    chair_role: Option<String>,
    secretary_role: Option<String>,
    approver_role: Option<String>,
    code: Option<String>,
}

/// A role name as written (`@` and spaces around it dropped); empty is none.
fn role_name(name: Option<String>) -> Option<String> {
    name.map(|n| n.trim().trim_start_matches('@').trim().to_string())
        .filter(|n| !n.is_empty())
}

/// A template forum's agenda settings: the defaults, changed by what it says.
fn agenda_settings(f: &RawForum) -> Result<AgendaSettings, String> {
    let mut s = AgendaSettings::default();
    if let Some(d) = &f.agenda_deadline {
        s.deadline_minutes = parse_deadline(d)
            .map_err(|_| format!("agenda_deadline {d:?} is not like 3d or 36h"))?;
    }
    if let Some(e) = &f.empty_agenda {
        s.empty = EmptyPolicy::parse(e)
            .ok_or_else(|| format!("empty_agenda {e:?} is not hold, notify or cancel"))?;
        if f.cancel_without_agenda && s.empty != EmptyPolicy::Cancel {
            return Err("cancel_without_agenda = true contradicts empty_agenda".to_string());
        }
    }
    if f.cancel_without_agenda {
        s.empty = EmptyPolicy::Cancel;
    }
    if let Some(fmt) = &f.agenda_format {
        s.format =
            Some(Format::parse(fmt).ok_or_else(|| format!("agenda_format {fmt:?} is not a3"))?);
    }
    Ok(s)
}

/// Is `key` usable as a template key: lowercase ASCII letters, digits and `-`, 1..=40.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl Template {
    /// Parses and validates a template: unknown keys are refused, names and tiers follow the
    /// forum rules, cadences parse with [`parse_cadence`], times and durations make a valid
    /// [`Recurrence`], escalation targets are forums of the template and the ladder has no
    /// cycle.
    pub fn parse(key: &str, toml_text: &str) -> Result<Template, TemplateError> {
        let fail = |problem: String| TemplateError {
            key: key.to_string(),
            problem,
        };
        if !valid_key(key) {
            return Err(fail(
                "the file name must be lowercase letters, digits and -, at most 40".to_string(),
            ));
        }
        let raw: RawTemplate = toml::from_str(toml_text).map_err(|e| fail(one_line(&e)))?;
        let name =
            validate_name(&raw.name).map_err(|p| fail(format!("name {:?}: {p:?}", raw.name)))?;
        let time_zone = match raw.time_zone.as_deref() {
            Some(tz) => {
                Some(parse_time_zone(tz).map_err(|_| fail(format!("unknown time zone {tz:?}")))?)
            }
            None => None,
        };
        if raw.forums.is_empty() {
            return Err(fail("it has no [[forum]]".to_string()));
        }
        if raw.forums.len() > MAX_FORUMS {
            return Err(fail(format!("more than {MAX_FORUMS} forums")));
        }
        let mut forums = Vec::with_capacity(raw.forums.len());
        let mut seen = HashMap::new();
        for (i, f) in raw.forums.into_iter().enumerate() {
            let fname = validate_name(&f.name)
                .map_err(|p| fail(format!("forum name {:?}: {p:?}", f.name)))?;
            let at = |problem: String| fail(format!("forum {fname:?}: {problem}"));
            if seen.insert(name_key(&fname), i).is_some() {
                return Err(at("the name is used twice".to_string()));
            }
            let tier = validate_tier(&f.tier).map_err(|p| at(format!("tier: {p:?}")))?;
            let cadence = parse_cadence(&f.cadence)
                .map_err(|e| at(format!("cadence {:?}: {e}", f.cadence)))?;
            let time = NaiveTime::parse_from_str(f.time.trim(), "%H:%M")
                .map_err(|_| at(format!("time {:?} is not HH:MM", f.time)))?;
            // The same checks the forum's schedule gets when the template is used.
            let probe = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
            Recurrence::new(
                cadence.clone(),
                probe,
                time,
                f.duration,
                time_zone.unwrap_or(chrono_tz::Europe::Stockholm),
            )
            .map_err(|e| at(e.to_string()))?;
            let agenda = agenda_settings(&f).map_err(at)?;
            let mut standing = Vec::new();
            for (list, place) in [(&f.standing, Place::Start), (&f.standing_end, Place::End)] {
                for t in list {
                    let title = agenda_line(t, MAX_TITLE)
                        .map_err(|p| at(format!("standing item {t:?}: {p:?}")))?;
                    if standing
                        .iter()
                        .any(|(s, _): &(String, Place)| name_key(s) == name_key(&title))
                    {
                        return Err(at(format!("standing item {title:?} is listed twice")));
                    }
                    standing.push((title, place));
                }
            }
            if standing.len() > MAX_STANDING {
                return Err(at(format!("more than {MAX_STANDING} standing items")));
            }
            let note = f
                .note
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|n| !n.is_empty());
            let code = f
                .code
                .map(|c| {
                    super::record::validate_code(&c)
                        .map_err(|_| at(format!("code {c:?}: 1-8 letters A-Z and digits")))
                })
                .transpose()?;
            forums.push(TemplateForum {
                name: fname,
                tier,
                cadence_spec: f.cadence.trim().to_string(),
                cadence,
                time,
                duration_minutes: f.duration,
                escalates_to: f.escalates_to.map(|e| e.trim().to_string()),
                cancel_without_agenda: f.cancel_without_agenda,
                agenda,
                standing,
                note,
                chair_role: role_name(f.chair_role),
                secretary_role: role_name(f.secretary_role),
                approver_role: role_name(f.approver_role),
                code,
            });
        }
        // Escalation targets: forums of this template, by name (case-insensitive).
        let mut target: Vec<Option<usize>> = Vec::with_capacity(forums.len());
        for f in &mut forums {
            match &f.escalates_to {
                None => target.push(None),
                Some(t) => {
                    let Some(&j) = seen.get(&name_key(t)) else {
                        return Err(fail(format!(
                            "forum {:?} escalates to {t:?}, which is not a forum of the template",
                            f.name
                        )));
                    };
                    target.push(Some(j));
                }
            }
        }
        for (i, t) in target.iter().enumerate() {
            let next = |f: ForumId| target[f.0 as usize].map(|j| ForumId(j as i64));
            if let Some(j) = t {
                if escalation_makes_cycle(ForumId(i as i64), ForumId(*j as i64), next) {
                    return Err(fail(format!(
                        "the escalation ladder loops through {:?}",
                        forums[i].name
                    )));
                }
            }
        }
        // Canonical target names, then creation order: targets first.
        let names: Vec<String> = forums.iter().map(|f| f.name.clone()).collect();
        for (f, t) in forums.iter_mut().zip(&target) {
            f.escalates_to = t.map(|j| names[j].clone());
        }
        let depth = |mut i: usize| {
            let mut d = 0;
            while let Some(j) = target[i] {
                d += 1;
                i = j;
            }
            d
        };
        let mut order: Vec<usize> = (0..forums.len()).collect();
        order.sort_by_key(|&i| (depth(i), i));
        let mut slots: Vec<Option<TemplateForum>> = forums.into_iter().map(Some).collect();
        let forums = order.into_iter().filter_map(|i| slots[i].take()).collect();
        Ok(Template {
            key: key.to_string(),
            name,
            description: raw.description.trim().to_string(),
            time_zone,
            forums,
        })
    }

    /// The forum of this template called `name` (case-insensitive).
    pub fn forum(&self, name: &str) -> Option<&TemplateForum> {
        let k = name_key(name.trim());
        self.forums.iter().find(|f| name_key(&f.name) == k)
    }
}

/// Why a `mapping` option was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingProblem {
    /// An entry is not `Forum name = channel`.
    Malformed(String),
    /// The same forum is mapped twice.
    Duplicate(String),
}

/// Parses `Leveransforum=#lev, Ledningsforum=<#123>` into (forum name, channel text) pairs,
/// keyed by [`name_key`] of the forum name. Entries are separated by `,`, `;` or new lines;
/// an empty mapping is no entries.
pub fn parse_mapping(spec: &str) -> Result<BTreeMap<String, (String, String)>, MappingProblem> {
    let mut out = BTreeMap::new();
    for entry in spec.split([',', ';', '\n']) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let shown = || entry.chars().take(60).collect::<String>();
        let Some((forum, channel)) = entry.split_once('=') else {
            return Err(MappingProblem::Malformed(shown()));
        };
        let (forum, channel) = (forum.trim(), channel.trim());
        if forum.is_empty() || channel.is_empty() || channel.contains(char::is_whitespace) {
            return Err(MappingProblem::Malformed(shown()));
        }
        let forum = forum.split_whitespace().collect::<Vec<_>>().join(" ");
        if out
            .insert(name_key(&forum), (forum.clone(), channel.to_string()))
            .is_some()
        {
            return Err(MappingProblem::Duplicate(forum.chars().take(60).collect()));
        }
    }
    Ok(out)
}

/// A channel as typed in a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelText {
    /// `<#123>` (as Discord inserts a channel into a string option) or a bare id.
    Id(u64),
    /// `#name` or `name`.
    Name(String),
}

pub fn parse_channel_text(text: &str) -> ChannelText {
    let t = text.trim();
    if let Ok(id) = t.parse::<u64>() {
        return ChannelText::Id(id);
    }
    if let Some(id) = t
        .strip_prefix("<#")
        .and_then(|r| r.strip_suffix('>'))
        .and_then(|r| r.parse::<u64>().ok())
    {
        return ChannelText::Id(id);
    }
    ChannelText::Name(t.trim_start_matches('#').to_string())
}

fn one_line(e: &toml::de::Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
name = "Test"
[[forum]]
name = "Topp"
tier = "business"
cadence = "yearly 1st tue"
time = "13:00"
duration = 60
[[forum]]
name = "Botten"
tier = "leveransnivå"
cadence = "månadsvis 2:a tisdagen"
time = "09:30"
duration = 90
escalates_to = "topp"
cancel_without_agenda = true
"#;

    fn err(text: &str) -> String {
        Template::parse("t", text).unwrap_err().problem
    }

    #[test]
    fn a_minimal_template_parses_with_targets_first() {
        let t = Template::parse("test", MINIMAL).unwrap();
        assert_eq!(t.forums.len(), 2);
        assert_eq!(t.forums[0].name, "Topp");
        let b = t.forum("BOTTEN").unwrap();
        assert_eq!(b.tier, "delivery");
        assert_eq!(b.escalates_to.as_deref(), Some("Topp"));
        assert!(b.cancel_without_agenda);
        assert_eq!(b.time, NaiveTime::from_hms_opt(9, 30, 0).unwrap());
        assert_eq!(t.time_zone, None);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = MINIMAL.replace("duration = 60", "duration = 60\ncolour = \"red\"");
        assert!(err(&text).contains("colour"), "{}", err(&text));
        let text = format!("owner = \"x\"\n{MINIMAL}");
        assert!(err(&text).contains("owner"));
    }

    #[test]
    fn bad_cadence_time_duration_and_zone_are_refused() {
        assert!(err(&MINIMAL.replace("yearly 1st tue", "every fortnight-ish")).contains("cadence"));
        assert!(err(&MINIMAL.replace("\"13:00\"", "\"25:00\"")).contains("time"));
        assert!(err(&MINIMAL.replace("duration = 60", "duration = 0")).contains("Topp"));
        assert!(err(&format!("time_zone = \"Mars/Base\"\n{MINIMAL}")).contains("time zone"));
        assert!(err("name = \"Tom\"").contains("no [[forum]]"));
        assert!(err(&MINIMAL.replace("\"Botten\"", "\"**Botten**\"")).contains("name"));
    }

    #[test]
    fn escalation_must_stay_in_the_template_and_not_loop() {
        assert!(err(&MINIMAL.replace("\"topp\"", "\"Ledningsforum\"")).contains("not a forum"));
        let looped = MINIMAL.replace("duration = 60", "duration = 60\nescalates_to = \"Botten\"");
        assert!(err(&looped).contains("loops"), "{}", err(&looped));
        let own = MINIMAL.replace("duration = 60", "duration = 60\nescalates_to = \"Topp\"");
        assert!(err(&own).contains("loops"));
        let twice = MINIMAL.replace("\"Botten\"", "\"topp\"");
        assert!(err(&twice).contains("twice"));
    }

    #[test]
    fn keys_are_file_names() {
        assert!(valid_key("stockholm"));
        assert!(valid_key("region-vast-2"));
        assert!(!valid_key("Stockholm"));
        assert!(!valid_key("../etc"));
        assert!(Template::parse("Bad Key", MINIMAL).is_err());
    }

    #[test]
    fn mappings() {
        let m = parse_mapping("Leveransforum=#lev, Ledningsforum = <#123> ;x=42").unwrap();
        assert_eq!(m["leveransforum"].1, "#lev");
        assert_eq!(
            m["ledningsforum"],
            ("Ledningsforum".into(), "<#123>".into())
        );
        assert_eq!(m.len(), 3);
        assert!(parse_mapping("").unwrap().is_empty());
        assert!(matches!(
            parse_mapping("Leveransforum #lev"),
            Err(MappingProblem::Malformed(_))
        ));
        assert!(matches!(
            parse_mapping("=#lev"),
            Err(MappingProblem::Malformed(_))
        ));
        assert!(matches!(
            parse_mapping("a=#x, A=#y"),
            Err(MappingProblem::Duplicate(_))
        ));
        assert_eq!(parse_channel_text("<#123>"), ChannelText::Id(123));
        assert_eq!(parse_channel_text("123"), ChannelText::Id(123));
        assert_eq!(parse_channel_text("#lev"), ChannelText::Name("lev".into()));
        assert_eq!(parse_channel_text("lev"), ChannelText::Name("lev".into()));
    }
}
