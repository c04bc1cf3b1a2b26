//! Forums: the standing meetings of a buyer and its suppliers, in tiers, each escalating to
//! the next forum up the ladder.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::ids::{ChannelId, ForumId, GuildId, RoleId};
use super::recurrence::Recurrence;
use super::reminder::ReminderPolicy;
use super::text::{clean_name, name_key, NameProblem};

/// Longest forum name: it must fit a Discord autocomplete choice (100) with room to spare.
pub const MAX_NAME: usize = 80;
/// Longest tier label.
pub const MAX_TIER: usize = 40;

/// The tiers the source documents use; any other label is allowed too.
pub const SUGGESTED_TIERS: &[&str] = &["delivery", "contract", "business", "cross-supplier"];

#[derive(Debug, Clone, PartialEq)]
pub struct Forum {
    pub id: ForumId,
    pub guild: GuildId,
    pub name: String,
    pub tier: String,
    pub channel: ChannelId,
    pub time_zone: Tz,
    pub escalates_to: Option<ForumId>,
    pub chair_role: Option<RoleId>,
    /// Keeps the record (notes, decisions) with the chair.
    pub secretary_role: Option<RoleId>,
    /// The buyer who approves minutes.
    pub approver_role: Option<RoleId>,
    /// The short code of its decision numbers (`LF` in `LF-2026-07`); unique in the guild.
    pub code: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The recurring meetings, if scheduled.
    pub schedule: Option<Recurrence>,
    /// The reminder policy as set (`None`: the defaults for the cadence).
    pub reminders: Option<ReminderPolicy>,
    /// Mentioned by reminders marked with `@`.
    pub participant_role: Option<RoleId>,
    /// Why the last post to the forum's channel failed, if it did.
    pub delivery_problem: Option<String>,
}

impl Forum {
    /// The reminder policy in force: as set, or the defaults for the cadence.
    pub fn reminder_policy(&self) -> ReminderPolicy {
        match (&self.reminders, &self.schedule) {
            (Some(p), _) => p.clone(),
            (None, Some(r)) => ReminderPolicy::default_for(r.min_gap()),
            (None, None) => ReminderPolicy { rules: Vec::new() },
        }
    }
}

/// A validated request to create a forum; the store adds the id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewForum {
    pub guild: GuildId,
    pub name: String,
    pub tier: String,
    pub channel: ChannelId,
    pub time_zone: Tz,
    pub escalates_to: Option<ForumId>,
    pub chair_role: Option<RoleId>,
    pub created_at: DateTime<Utc>,
}

impl NewForum {
    /// The key the name is unique by within a guild.
    pub fn name_key(&self) -> String {
        name_key(&self.name)
    }
}

/// Why forum input was refused; the service turns each into a translated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForumProblem {
    Name(NameProblem),
    Tier(NameProblem),
    TimeZone(String),
}

pub fn validate_name(input: &str) -> Result<String, ForumProblem> {
    clean_name(input, MAX_NAME).map_err(ForumProblem::Name)
}

/// A tier is free text; the suggested ones are accepted in Swedish too and stored in English
/// so that filters and templates agree.
pub fn validate_tier(input: &str) -> Result<String, ForumProblem> {
    let tier = clean_name(input, MAX_TIER).map_err(ForumProblem::Tier)?;
    let canonical = match name_key(&tier).as_str() {
        "leverans" | "leveransnivå" | "leveransniva" => "delivery",
        "kontrakt" | "kontraktsnivå" | "kontraktsniva" => "contract",
        "affär" | "affärsnivå" | "affarsniva" | "affar" => "business",
        "leverantörsövergripande" | "tvärgående" => "cross-supplier",
        other => return Ok(other.to_string()),
    };
    Ok(canonical.to_string())
}

pub fn parse_time_zone(input: &str) -> Result<Tz, ForumProblem> {
    let trimmed = input.trim();
    Tz::from_str(trimmed)
        .or_else(|_| {
            // Be forgiving about case: "europe/stockholm".
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
                .copied()
                .ok_or(())
        })
        .map_err(|_| ForumProblem::TimeZone(trimmed.chars().take(64).collect()))
}

/// Time zone names matching what a user has typed so far, for autocomplete.
pub fn time_zone_suggestions(partial: &str, limit: usize) -> Vec<&'static str> {
    let p = partial.trim().to_lowercase();
    let mut hits: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| n.to_lowercase().contains(&p))
        .collect();
    // Europe/Stockholm first: most users are Swedish.
    hits.sort_by_key(|n| {
        (
            *n != "Europe/Stockholm",
            !n.to_lowercase().starts_with(&p),
            *n,
        )
    });
    hits.truncate(limit);
    hits
}

/// Would letting `forum` escalate to `target` make the ladder loop? `next` gives each forum's
/// current escalation target.
pub fn escalation_makes_cycle(
    forum: ForumId,
    target: ForumId,
    next: impl Fn(ForumId) -> Option<ForumId>,
) -> bool {
    let mut at = Some(target);
    let mut steps = 0;
    while let Some(f) = at {
        if f == forum {
            return true;
        }
        steps += 1;
        if steps > 1000 {
            return true;
        }
        at = next(f);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_tiers_are_stored_canonically() {
        assert_eq!(validate_tier("Leveransnivå").unwrap(), "delivery");
        assert_eq!(validate_tier("contract").unwrap(), "contract");
        assert_eq!(validate_tier("programledning").unwrap(), "programledning");
    }

    #[test]
    fn time_zones() {
        assert_eq!(
            parse_time_zone("europe/stockholm").unwrap(),
            chrono_tz::Europe::Stockholm
        );
        assert!(matches!(
            parse_time_zone("Mars/Base"),
            Err(ForumProblem::TimeZone(_))
        ));
        assert_eq!(time_zone_suggestions("stock", 25), vec!["Europe/Stockholm"]);
        assert_eq!(time_zone_suggestions("", 3)[0], "Europe/Stockholm");
    }

    #[test]
    fn escalation_cycles_are_found() {
        // 1 -> 2 -> 3; letting 3 escalate to 1 closes a loop.
        let next = |f: ForumId| match f.0 {
            1 => Some(ForumId(2)),
            2 => Some(ForumId(3)),
            _ => None,
        };
        assert!(escalation_makes_cycle(ForumId(3), ForumId(1), next));
        assert!(!escalation_makes_cycle(ForumId(4), ForumId(1), next));
        assert!(escalation_makes_cycle(ForumId(1), ForumId(1), next));
    }
}
