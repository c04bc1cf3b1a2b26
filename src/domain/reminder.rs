//! Reminder policy: which reminders a forum's meetings get, what each one is for, and what to
//! do with a reminder that could not be sent on time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::recurrence::{parse_offset, Offset};

/// A reminder is "delayed" when sent more than this after its due time.
pub const LATE_AFTER: Duration = Duration::seconds(60);

/// What a reminder says, from how long before the meeting it goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// A week or more before: propose agenda items.
    CallForAgenda,
    /// Two to six days before: the agenda closes soon.
    AgendaDeadline,
    /// Half a day to two days before.
    DayBefore,
    /// Under twelve hours: starting soon.
    StartingSoon,
}

impl ReminderKind {
    pub fn of(offset: Offset) -> Self {
        let d = offset_duration(offset);
        if d >= Duration::days(7) {
            ReminderKind::CallForAgenda
        } else if d >= Duration::days(2) {
            ReminderKind::AgendaDeadline
        } else if d >= Duration::hours(12) {
            ReminderKind::DayBefore
        } else {
            ReminderKind::StartingSoon
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::CallForAgenda => "call_for_agenda",
            ReminderKind::AgendaDeadline => "agenda_deadline",
            ReminderKind::DayBefore => "day_before",
            ReminderKind::StartingSoon => "starting_soon",
        }
    }
}

/// The nominal length of an offset (days count as 24 hours here; the exact instant comes from
/// `recurrence::reminder_at`, which keeps local wall time across daylight-saving changes).
pub fn offset_duration(offset: Offset) -> Duration {
    match offset {
        Offset::Days(d) => Duration::days(i64::from(d)),
        Offset::Minutes(m) => Duration::minutes(i64::from(m)),
    }
}

/// One reminder of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderRule {
    pub offset: Offset,
    /// Mention the forum's participant role (only that role may be pinged).
    pub mention: bool,
}

/// A forum's reminders, earliest (largest offset) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderPolicy {
    pub rules: Vec<ReminderRule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReminderProblem {
    /// An entry that is not an offset such as `14d`, `3d`, `2h` or `15m`.
    BadOffset(String),
    /// An offset that reaches back past the previous meeting.
    LongerThanCadence(String),
    TooMany,
    Duplicate(String),
}

/// At most this many reminders a meeting.
pub const MAX_RULES: usize = 8;

impl ReminderPolicy {
    /// The defaults: call for agenda 14 days before, agenda deadline 3 days before, the day
    /// before, and 15 minutes before (mentioning the participants) — keeping only those shorter
    /// than the gap between meetings (a weekly forum gets no 14-day call).
    pub fn default_for(min_gap: Duration) -> Self {
        let rules = [
            (Offset::Days(14), false),
            (Offset::Days(3), false),
            (Offset::Days(1), false),
            (Offset::Minutes(15), true),
        ]
        .into_iter()
        .filter(|(o, _)| offset_duration(*o) < min_gap)
        .map(|(offset, mention)| ReminderRule { offset, mention })
        .collect();
        Self { rules }
    }

    /// Parses `14d, 3d, 1d, 15m@`: offsets separated by commas or spaces; a trailing `@`
    /// mentions the participant role. `none` or empty is no reminders.
    pub fn parse(spec: &str) -> Result<Self, ReminderProblem> {
        let mut rules = Vec::new();
        let trimmed = spec.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("none") || trimmed == "inga" {
            return Ok(Self { rules });
        }
        for part in trimmed
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (text, mention) = match part.strip_suffix('@') {
                Some(t) => (t.trim(), true),
                None => (part, false),
            };
            let offset = parse_offset(text)
                .map_err(|_| ReminderProblem::BadOffset(part.chars().take(20).collect()))?;
            if rules.iter().any(|r: &ReminderRule| r.offset == offset) {
                return Err(ReminderProblem::Duplicate(offset.to_spec()));
            }
            rules.push(ReminderRule { offset, mention });
        }
        if rules.len() > MAX_RULES {
            return Err(ReminderProblem::TooMany);
        }
        rules.sort_by_key(|r| std::cmp::Reverse(offset_duration(r.offset)));
        Ok(Self { rules })
    }

    pub fn to_spec(&self) -> String {
        if self.rules.is_empty() {
            return "none".to_string();
        }
        self.rules
            .iter()
            .map(|r| format!("{}{}", r.offset.to_spec(), if r.mention { "@" } else { "" }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Refuses offsets that reach back to (or past) the previous meeting.
    pub fn validate(&self, min_gap: Duration) -> Result<(), ReminderProblem> {
        match self
            .rules
            .iter()
            .find(|r| offset_duration(r.offset) >= min_gap)
        {
            Some(r) => Err(ReminderProblem::LongerThanCadence(r.offset.to_spec())),
            None => Ok(()),
        }
    }
}

/// What to do with a due reminder now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    OnTime,
    /// Still meaningful: send it, marked as delayed.
    Late,
    /// No longer meaningful: record it as skipped, with why.
    Skip(SkipReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The meeting has started (or was due to).
    MeetingStarted,
    /// A later reminder for the same meeting is already due: that one is sent instead.
    Superseded,
    /// The meeting was cancelled.
    Cancelled,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::MeetingStarted => "meeting_started",
            SkipReason::Superseded => "superseded",
            SkipReason::Cancelled => "cancelled",
        }
    }
}

/// The catch-up policy, one place: a reminder is sent while it is still the latest reminder due
/// for its meeting and the meeting has not started; sent more than [`LATE_AFTER`] after its
/// due time it is marked delayed. Otherwise it is skipped and recorded as skipped.
pub fn decide(
    now: DateTime<Utc>,
    due_at: DateTime<Utc>,
    meeting_starts_at: DateTime<Utc>,
    next_reminder_due: Option<DateTime<Utc>>,
) -> Delivery {
    if now >= meeting_starts_at {
        return Delivery::Skip(SkipReason::MeetingStarted);
    }
    if next_reminder_due.is_some_and(|next| now >= next) {
        return Delivery::Skip(SkipReason::Superseded);
    }
    if now - due_at > LATE_AFTER {
        Delivery::Late
    } else {
        Delivery::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
    }

    #[test]
    fn defaults_fit_the_cadence() {
        let monthly = ReminderPolicy::default_for(Duration::days(28));
        assert_eq!(monthly.to_spec(), "14d, 3d, 1d, 15m@");
        let weekly = ReminderPolicy::default_for(Duration::days(7));
        assert_eq!(weekly.to_spec(), "3d, 1d, 15m@");
        assert!(monthly.validate(Duration::days(28)).is_ok());
    }

    #[test]
    fn parse_sorts_and_marks_mentions() {
        let p = ReminderPolicy::parse("15m@, 14d,1d ; 3d").unwrap();
        assert_eq!(p.to_spec(), "14d, 3d, 1d, 15m@");
        assert_eq!(ReminderPolicy::parse("none").unwrap().rules.len(), 0);
        assert!(matches!(
            ReminderPolicy::parse("14d, soon"),
            Err(ReminderProblem::BadOffset(_))
        ));
        assert!(matches!(
            ReminderPolicy::parse("1d, 1d"),
            Err(ReminderProblem::Duplicate(_))
        ));
    }

    #[test]
    fn offsets_longer_than_the_cadence_are_refused() {
        let p = ReminderPolicy::parse("14d, 1d").unwrap();
        assert_eq!(
            p.validate(Duration::days(7)),
            Err(ReminderProblem::LongerThanCadence("14d".to_string()))
        );
    }

    #[test]
    fn kinds_by_offset() {
        assert_eq!(
            ReminderKind::of(Offset::Days(14)),
            ReminderKind::CallForAgenda
        );
        assert_eq!(
            ReminderKind::of(Offset::Days(3)),
            ReminderKind::AgendaDeadline
        );
        assert_eq!(ReminderKind::of(Offset::Days(1)), ReminderKind::DayBefore);
        assert_eq!(
            ReminderKind::of(Offset::Minutes(15)),
            ReminderKind::StartingSoon
        );
    }

    #[test]
    fn catch_up_policy() {
        let start = t(13, 0);
        // On time.
        assert_eq!(decide(t(12, 45), t(12, 45), start, None), Delivery::OnTime);
        // Late but the meeting has not started and nothing later is due.
        assert_eq!(decide(t(12, 50), t(12, 45), start, None), Delivery::Late);
        // A "15 minutes" reminder after the start is skipped.
        assert_eq!(
            decide(t(13, 5), t(12, 45), start, None),
            Delivery::Skip(SkipReason::MeetingStarted)
        );
        // A day-before reminder whose successor is already due is superseded.
        assert_eq!(
            decide(t(12, 50), t(0, 0), start, Some(t(12, 45))),
            Delivery::Skip(SkipReason::Superseded)
        );
        // ... but not before the successor's due time.
        assert_eq!(
            decide(t(12, 0), t(0, 0), start, Some(t(12, 45))),
            Delivery::Late
        );
    }
}
