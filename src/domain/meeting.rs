//! Meetings: occurrences of a forum's schedule (and extra meetings), which of them to keep
//! ready in the database, and the reminders each one gets.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::ids::{ForumId, GuildId};
use super::recurrence::{reminder_at, Occurrence, Offset, Recurrence};
use super::reminder::{offset_duration, ReminderPolicy};

/// A meeting's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MeetingId(pub i64);

impl std::fmt::Display for MeetingId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which meeting this is, stable across moves and schedule edits: the recurring meeting of a
/// scheduled local date, or an extra meeting. Reminder idempotency keys are built from it, so
/// a reminder sent for a meeting is never sent again for that meeting.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OccurrenceKey {
    Recurring(NaiveDate),
    /// An extra meeting ("vid behov"), by its original start in milliseconds.
    Extra(i64),
}

impl OccurrenceKey {
    pub fn to_key(&self) -> String {
        match self {
            OccurrenceKey::Recurring(d) => format!("r:{d}"),
            OccurrenceKey::Extra(ms) => format!("x:{ms}"),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        if let Some(d) = s.strip_prefix("r:") {
            return d.parse().ok().map(OccurrenceKey::Recurring);
        }
        s.strip_prefix("x:")?.parse().ok().map(OccurrenceKey::Extra)
    }
}

/// Where a meeting is in its life. Every change goes through [`MeetingState::apply`], the
/// one table of allowed transitions:
///
/// ```text
///  scheduled ──move──► moved ──move──► moved
///      │  └──────cancel───┴──► cancelled (final)
///      └──open──► open ◄──open── moved
///                  │
///                 end
///                  ▼
///                held ──draft minutes──► minutes draft ──approve──► minutes approved
///                  │                       (redraft ↺)                    │
///                  └────────────close────────────► closed ◄──close────────┘
/// ```
///
/// A schedule edit re-times only a `scheduled` meeting: `moved` and `cancelled` are what a
/// person decided, and are left alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    Scheduled,
    Moved,
    Cancelled,
    Open,
    Held,
    MinutesDraft,
    MinutesApproved,
    Closed,
}

/// What happens to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingEvent {
    /// A person gives it another time.
    Move,
    /// A person (or a schedule edit that removes its date) cancels it.
    Cancel,
    /// Its start time is reached.
    Open,
    /// Its end time is reached.
    End,
    /// Minutes are drafted (or redrafted).
    DraftMinutes,
    ApproveMinutes,
    Close,
}

/// A transition the life cycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} meeting cannot {event:?}")]
pub struct NotAllowed {
    pub from: MeetingState,
    pub event: MeetingEvent,
}

impl MeetingState {
    pub const ALL: [MeetingState; 8] = [
        MeetingState::Scheduled,
        MeetingState::Moved,
        MeetingState::Cancelled,
        MeetingState::Open,
        MeetingState::Held,
        MeetingState::MinutesDraft,
        MeetingState::MinutesApproved,
        MeetingState::Closed,
    ];

    /// The state after `event`, or why not.
    pub fn apply(self, event: MeetingEvent) -> Result<MeetingState, NotAllowed> {
        use MeetingEvent as E;
        use MeetingState as S;
        Ok(match (self, event) {
            (S::Scheduled | S::Moved, E::Move) => S::Moved,
            (S::Scheduled | S::Moved, E::Cancel) => S::Cancelled,
            (S::Scheduled | S::Moved, E::Open) => S::Open,
            (S::Open, E::End) => S::Held,
            (S::Held | S::MinutesDraft, E::DraftMinutes) => S::MinutesDraft,
            (S::MinutesDraft, E::ApproveMinutes) => S::MinutesApproved,
            (S::Held | S::MinutesApproved, E::Close) => S::Closed,
            (from, event) => return Err(NotAllowed { from, event }),
        })
    }

    /// Still to come: reminders and a Discord event are kept for it.
    pub fn is_planned(self) -> bool {
        matches!(self, MeetingState::Scheduled | MeetingState::Moved)
    }

    pub fn is_cancelled(self) -> bool {
        self == MeetingState::Cancelled
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingState::Scheduled => "scheduled",
            MeetingState::Moved => "moved",
            MeetingState::Cancelled => "cancelled",
            MeetingState::Open => "open",
            MeetingState::Held => "held",
            MeetingState::MinutesDraft => "minutes_draft",
            MeetingState::MinutesApproved => "minutes_approved",
            MeetingState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MeetingState::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: MeetingId,
    pub forum: ForumId,
    pub guild: GuildId,
    pub occurrence: OccurrenceKey,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: MeetingState,
    pub cancel_reason: Option<String>,
}

impl Meeting {
    pub fn is_extra(&self) -> bool {
        matches!(self.occurrence, OccurrenceKey::Extra(_))
    }

    /// Held meetings are those whose end has passed.
    pub fn is_past(&self, now: DateTime<Utc>) -> bool {
        self.ends_at <= now
    }
}

/// A meeting in a forum's coming list: one the database holds, or one its schedule implies
/// that is not stored yet (it is stored when someone acts on it, or when planning reaches it).
#[derive(Debug, Clone, PartialEq)]
pub enum Upcoming {
    Stored(Meeting),
    Unstored(Occurrence),
}

impl Upcoming {
    pub fn starts_at(&self) -> DateTime<Utc> {
        match self {
            Upcoming::Stored(m) => m.starts_at,
            Upcoming::Unstored(o) => o.starts_at,
        }
    }

    pub fn ends_at(&self) -> DateTime<Utc> {
        match self {
            Upcoming::Stored(m) => m.ends_at,
            Upcoming::Unstored(o) => o.ends_at,
        }
    }

    pub fn occurrence(&self) -> OccurrenceKey {
        match self {
            Upcoming::Stored(m) => m.occurrence.clone(),
            Upcoming::Unstored(o) => OccurrenceKey::Recurring(o.local_date),
        }
    }

    pub fn state(&self) -> MeetingState {
        match self {
            Upcoming::Stored(m) => m.state,
            Upcoming::Unstored(_) => MeetingState::Scheduled,
        }
    }
}

/// A forum's schedule: its recurrence, reminders and who to mention.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub recurrence: Recurrence,
    pub reminders: ReminderPolicy,
}

/// How far ahead meetings are kept in the database (so reminders and events are queued):
/// enough for the earliest reminder, and at least this long for Discord events.
pub const EVENT_HORIZON: Duration = Duration::days(14);

/// The window of meetings to keep ready: from now to the earliest reminder of anything in it.
pub fn horizon(policy: &ReminderPolicy) -> Duration {
    let longest = policy
        .rules
        .iter()
        .map(|r| offset_duration(r.offset))
        .max()
        .unwrap_or_else(Duration::zero);
    (longest + Duration::days(1)).max(EVENT_HORIZON)
}

/// The occurrences to materialise now, and when to plan again: every occurrence starting
/// within the horizon (at least the next one), and the moment the window must slide to take
/// in the following occurrence.
pub fn plan(
    recurrence: &Recurrence,
    policy: &ReminderPolicy,
    now: DateTime<Utc>,
) -> (Vec<Occurrence>, DateTime<Utc>) {
    let h = horizon(policy);
    let mut take = Vec::new();
    let mut next_plan = now + Duration::days(366);
    for occ in recurrence.occurrences_from(now) {
        if take.is_empty() || occ.starts_at <= now + h {
            take.push(occ);
            continue;
        }
        next_plan = occ.starts_at - h;
        break;
    }
    (take, next_plan.max(now + Duration::seconds(1)))
}

/// An occurrence-shaped view of a meeting (moved or extra ones included), so reminder times
/// come from one rule: `recurrence::reminder_at`.
pub fn as_occurrence(m: &Meeting, tz: Tz) -> Occurrence {
    let local = m.starts_at.with_timezone(&tz).naive_local();
    Occurrence {
        local_date: local.date(),
        scheduled_local: local,
        local_start: local,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
    }
}

/// One reminder job of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedReminder {
    pub key: String,
    pub offset: Offset,
    pub mention: bool,
    pub due_at: DateTime<Utc>,
}

/// The idempotency key of a reminder: forum, occurrence, offset.
pub fn reminder_key(forum: ForumId, occurrence: &OccurrenceKey, offset: Offset) -> String {
    format!(
        "reminder:{}:{}:{}",
        forum.0,
        occurrence.to_key(),
        offset.to_spec()
    )
}

/// The key prefix of all reminders of one meeting.
pub fn reminder_prefix(forum: ForumId, occurrence: &OccurrenceKey) -> String {
    format!("reminder:{}:{}:", forum.0, occurrence.to_key())
}

/// The reminders of a meeting, earliest first.
pub fn reminders_for(m: &Meeting, tz: Tz, policy: &ReminderPolicy) -> Vec<PlannedReminder> {
    let occ = as_occurrence(m, tz);
    let mut out: Vec<PlannedReminder> = policy
        .rules
        .iter()
        .map(|r| PlannedReminder {
            key: reminder_key(m.forum, &m.occurrence, r.offset),
            offset: r.offset,
            mention: r.mention,
            due_at: reminder_at(&occ, tz, r.offset),
        })
        .collect();
    out.sort_by_key(|r| r.due_at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::recurrence::{Cadence, MonthDay};
    use chrono::{NaiveTime, TimeZone, Weekday};

    fn rec(c: Cadence) -> Recurrence {
        Recurrence::new(
            c,
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            90,
            chrono_tz::Europe::Stockholm,
        )
        .unwrap()
    }

    /// The whole transition table: every (state, event) pair, allowed or not.
    #[test]
    fn life_cycle_transitions() {
        use MeetingEvent as E;
        use MeetingState as S;
        let allowed = [
            (S::Scheduled, E::Move, S::Moved),
            (S::Scheduled, E::Cancel, S::Cancelled),
            (S::Scheduled, E::Open, S::Open),
            (S::Moved, E::Move, S::Moved),
            (S::Moved, E::Cancel, S::Cancelled),
            (S::Moved, E::Open, S::Open),
            (S::Open, E::End, S::Held),
            (S::Held, E::DraftMinutes, S::MinutesDraft),
            (S::Held, E::Close, S::Closed),
            (S::MinutesDraft, E::DraftMinutes, S::MinutesDraft),
            (S::MinutesDraft, E::ApproveMinutes, S::MinutesApproved),
            (S::MinutesApproved, E::Close, S::Closed),
        ];
        let events = [
            E::Move,
            E::Cancel,
            E::Open,
            E::End,
            E::DraftMinutes,
            E::ApproveMinutes,
            E::Close,
        ];
        for from in S::ALL {
            for event in events {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.apply(event).ok(), expected, "{from:?} --{event:?}-->");
            }
        }
        // Final states: nothing leads out of them.
        for end in [S::Cancelled, S::Closed] {
            assert!(events.iter().all(|e| end.apply(*e).is_err()), "{end:?}");
        }
    }

    #[test]
    fn states_round_trip_through_their_stored_names() {
        for s in MeetingState::ALL {
            assert_eq!(MeetingState::parse(s.as_str()), Some(s));
        }
        assert_eq!(MeetingState::parse("moved "), None);
    }

    #[test]
    fn occurrence_keys_round_trip() {
        for k in [
            OccurrenceKey::Recurring(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            OccurrenceKey::Extra(1_795_000_000_000),
        ] {
            assert_eq!(OccurrenceKey::parse(&k.to_key()), Some(k));
        }
        assert_eq!(OccurrenceKey::parse("q:1"), None);
    }

    #[test]
    fn plan_keeps_the_window_and_says_when_to_slide() {
        let r = rec(Cadence::monthly(MonthDay::Day(15)));
        let policy = ReminderPolicy::default_for(r.min_gap());
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let (occs, next) = plan(&r, &policy, now);
        // Monthly with a 14-day call: only March 15 is within 15 days.
        assert_eq!(occs.len(), 1);
        assert_eq!(
            occs[0].local_date,
            NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
        );
        // Next planning when April 15 comes within the window.
        let april = r.next_after(occs[0].starts_at).unwrap();
        assert_eq!(next, april.starts_at - horizon(&policy));
    }

    #[test]
    fn weekly_forums_keep_two_weeks_ready() {
        let r = rec(Cadence::weekly(Weekday::Tue));
        let policy = ReminderPolicy::default_for(r.min_gap());
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let (occs, _) = plan(&r, &policy, now);
        assert_eq!(occs.len(), 2);
    }

    #[test]
    fn reminders_keep_local_time_across_dst() {
        // Sunday 29 March 2026 (clocks go forward at 02:00), 13:30 CEST = 11:30 UTC. The day
        // before, 13:30 is still CET = 12:30 UTC: 23 hours earlier, same wall time.
        let m = Meeting {
            id: MeetingId(1),
            forum: ForumId(7),
            guild: GuildId(1),
            occurrence: OccurrenceKey::Recurring(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap()),
            starts_at: Utc.with_ymd_and_hms(2026, 3, 29, 11, 30, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2026, 3, 29, 13, 0, 0).unwrap(),
            state: MeetingState::Scheduled,
            cancel_reason: None,
        };
        let policy = ReminderPolicy::parse("1d, 15m@").unwrap();
        let rs = reminders_for(&m, chrono_tz::Europe::Stockholm, &policy);
        assert_eq!(
            rs[0].due_at,
            Utc.with_ymd_and_hms(2026, 3, 28, 12, 30, 0).unwrap()
        );
        assert_eq!(
            rs[1].due_at,
            Utc.with_ymd_and_hms(2026, 3, 29, 11, 15, 0).unwrap()
        );
        assert_eq!(rs[1].key, "reminder:7:r:2026-03-29:15m");
        assert!(rs[1].mention);
    }
}
