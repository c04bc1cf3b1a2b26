//! Recurrence rules for forum meetings.
//!
//! A forum meets on a [`Cadence`] (weekly, every other week, monthly on a day
//! of month / on the Nth weekday / on the last weekday, quarterly,
//! half-yearly, yearly, or a standard 5-field cron expression) at a local
//! wall-clock time in the forum's IANA time zone.
//!
//! # How occurrences are computed
//!
//! The recurrence itself is computed by well-kept crates: [`rrule`] for the
//! presets and [`cron`] for cron expressions. Both are evaluated on a
//! *floating* local wall clock: the crates run in UTC and their UTC result is
//! read as the local naive date-time. Each local date-time is then mapped to
//! an instant with [`resolve_local`], the single place where the daylight
//! saving policy lives. This sidesteps the crates' own DST handling (the
//! `cron` crate skips a 02:30 run on the spring-forward day and fires 01:30
//! twice on the fall-back day) and yields exactly one meeting per scheduled
//! local day.
//!
//! # DST policy
//!
//! * A local time that does not exist (spring-forward gap) moves forward to
//!   the first valid instant after the gap: Europe/Stockholm 2026-03-29 02:30
//!   becomes 03:00 local (01:00 UTC).
//! * A local time that exists twice (fall-back) happens once, at the first
//!   (earlier) instant.
//!
//! # Anchoring
//!
//! Occurrences are always computed from the rule's anchor date, never from the
//! previous occurrence, so nothing drifts: "monthly 31" is the 31st in long
//! months and the last day in shorter ones (Feb 28/29, Apr 30), "every other
//! week" counts ISO weeks (Monday to Sunday) from the anchor's week, and
//! quarterly / half-yearly / yearly count months from the anchor's month. The
//! first occurrence is the first scheduled date on or after the anchor.
//!
//! The module does no I/O and never reads the clock: time is always passed in.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Anchors must lie in these years (the `cron` crate only knows 1970..=2100,
/// and time-zone rules far in the future are guesses anyway).
pub const ANCHOR_YEARS: std::ops::RangeInclusive<i32> = 1970..=2099;
/// Longest meeting, in minutes (24 hours).
pub const MAX_DURATION_MINUTES: u32 = 24 * 60;
/// Allowed intervals for [`Cadence::Weekly`].
pub const WEEKLY_INTERVALS: std::ops::RangeInclusive<u32> = 1..=52;
/// Allowed intervals for [`Cadence::Monthly`] (monthly, every other month,
/// quarterly, every four months, half-yearly, yearly).
pub const MONTHLY_INTERVALS: [u32; 6] = [1, 2, 3, 4, 6, 12];
/// Largest reminder offset in days (and, converted, in minutes).
pub const MAX_OFFSET_DAYS: u32 = 366;

/// No occurrence is generated past this (floating local) year.
const HORIZON_YEAR: i32 = 9000;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A part of the text spec that was expected but missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecPart {
    /// `weekly`, `monthly`, `quarterly`, `cron`, …
    Cadence,
    /// `mon`, `tisdag`, …
    Weekday,
    /// `15`, `last`, `2nd tue`, `sista fredagen`, …
    MonthDay,
    /// An ordinal before a weekday (`2nd tue`, `sista fredagen`).
    WeekdayOrdinal,
    /// `weeks` or `months` after `every N`.
    IntervalUnit,
    /// The five cron fields after `cron`.
    CronExpression,
}

impl fmt::Display for SpecPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecPart::Cadence => {
                "a cadence (weekly, biweekly, monthly, quarterly, half-yearly, yearly, cron)"
            }
            SpecPart::Weekday => "a weekday (mon, tue, …)",
            SpecPart::MonthDay => {
                "a day of month (1-31, last) or an ordinal weekday (2nd tue, last fri)"
            }
            SpecPart::WeekdayOrdinal => "an ordinal before the weekday (1st, 2nd, 3rd, 4th, last)",
            SpecPart::IntervalUnit => "weeks or months",
            SpecPart::CronExpression => {
                "a 5-field cron expression (minute hour day-of-month month day-of-week)"
            }
        })
    }
}

/// Why a recurrence, a cadence spec or a reminder offset was rejected. Every
/// variant carries the offending value so a caller can build a translated
/// message; [`RecurrenceError::code`] gives a stable message id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("weekly interval must be between 1 and 52, got {0}")]
    WeeklyIntervalOutOfRange(u32),
    #[error("monthly interval must be 1, 2, 3, 4, 6 or 12, got {0}")]
    MonthlyIntervalUnsupported(u32),
    #[error("day of month must be between 1 and 31, got {0}")]
    MonthDayOutOfRange(u32),
    #[error("weekday ordinal must be between 1 and 4 (or last), got {0}")]
    NthOutOfRange(u32),
    #[error("duration must be between 1 and 1440 minutes, got {0}")]
    DurationOutOfRange(u32),
    #[error("start time must be a whole minute, got {0}")]
    StartNotWholeMinute(NaiveTime),
    #[error("anchor date {0} is outside the supported years 1970-2099")]
    AnchorOutOfRange(NaiveDate),
    #[error("cron expression {expr:?} must have 5 fields (minute hour day-of-month month day-of-week), found {fields}")]
    CronWrongShape { expr: String, fields: usize },
    #[error("invalid cron expression {expr:?}: {reason}")]
    CronInvalid { expr: String, reason: String },
    #[error("cron expression {expr:?} fires more than once per day")]
    TooFrequent { expr: String },
    #[error("cron expression {expr:?} never fires on or after {from}")]
    CronNeverFires { expr: String, from: NaiveDate },
    #[error("unknown word {word:?}")]
    UnknownWord { word: String },
    #[error("unexpected word {word:?}")]
    UnexpectedWord { word: String },
    #[error("incomplete: expected {expected}")]
    Incomplete { expected: SpecPart },
    #[error("invalid reminder offset {spec:?} (examples: 14d, 1w, 2h, 15m)")]
    InvalidOffset { spec: String },
    #[error("reminder offset {spec:?} is larger than 366 days")]
    OffsetTooLarge { spec: String },
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
}

impl RecurrenceError {
    /// A stable identifier for translations (e.g. a Fluent message id suffix).
    pub fn code(&self) -> &'static str {
        match self {
            Self::WeeklyIntervalOutOfRange(_) => "weekly-interval-out-of-range",
            Self::MonthlyIntervalUnsupported(_) => "monthly-interval-unsupported",
            Self::MonthDayOutOfRange(_) => "month-day-out-of-range",
            Self::NthOutOfRange(_) => "nth-out-of-range",
            Self::DurationOutOfRange(_) => "duration-out-of-range",
            Self::StartNotWholeMinute(_) => "start-not-whole-minute",
            Self::AnchorOutOfRange(_) => "anchor-out-of-range",
            Self::CronWrongShape { .. } => "cron-wrong-shape",
            Self::CronInvalid { .. } => "cron-invalid",
            Self::TooFrequent { .. } => "too-frequent",
            Self::CronNeverFires { .. } => "cron-never-fires",
            Self::UnknownWord { .. } => "unknown-word",
            Self::UnexpectedWord { .. } => "unexpected-word",
            Self::Incomplete { .. } => "incomplete",
            Self::InvalidOffset { .. } => "invalid-offset",
            Self::OffsetTooLarge { .. } => "offset-too-large",
            Self::UnknownTimeZone(_) => "unknown-time-zone",
        }
    }
}

// ---------------------------------------------------------------------------
// Cadence
// ---------------------------------------------------------------------------

/// Which day of the month a monthly cadence falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthDay {
    /// Day 1..=31; in months shorter than the day, the month's last day.
    Day(u32),
    /// The `n`th (1..=4) given weekday of the month.
    Nth { n: u8, weekday: Weekday },
    /// The last given weekday of the month.
    Last { weekday: Weekday },
}

impl MonthDay {
    fn validate(&self) -> Result<(), RecurrenceError> {
        match *self {
            MonthDay::Day(d) if !(1..=31).contains(&d) => {
                Err(RecurrenceError::MonthDayOutOfRange(d))
            }
            MonthDay::Nth { n, .. } if !(1..=4).contains(&n) => {
                Err(RecurrenceError::NthOutOfRange(u32::from(n)))
            }
            _ => Ok(()),
        }
    }
}

/// How often a forum meets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cadence {
    /// Every `interval` weeks (1 = weekly, 2 = every other week) on `weekday`,
    /// counting ISO weeks from the anchor's week. `interval` is 1..=52.
    Weekly { interval: u32, weekday: Weekday },
    /// Every `interval` months (1 monthly, 2 every other month, 3 quarterly,
    /// 4 every four months, 6 half-yearly, 12 yearly) counting from the
    /// anchor's month.
    Monthly { interval: u32, day: MonthDay },
    /// A standard 5-field cron expression (`minute hour day-of-month month
    /// day-of-week`, day-of-week 0 or 7 = Sunday, names allowed) evaluated on
    /// the local wall clock. It must fire at most once per day. The macros
    /// `@daily`, `@weekly`, `@monthly`, `@yearly`/`@annually` are accepted too.
    Cron { expr: String },
}

impl Cadence {
    pub fn weekly(weekday: Weekday) -> Self {
        Cadence::Weekly {
            interval: 1,
            weekday,
        }
    }
    pub fn every_other_week(weekday: Weekday) -> Self {
        Cadence::Weekly {
            interval: 2,
            weekday,
        }
    }
    pub fn monthly(day: MonthDay) -> Self {
        Cadence::Monthly { interval: 1, day }
    }
    pub fn quarterly(day: MonthDay) -> Self {
        Cadence::Monthly { interval: 3, day }
    }
    pub fn half_yearly(day: MonthDay) -> Self {
        Cadence::Monthly { interval: 6, day }
    }
    pub fn yearly(day: MonthDay) -> Self {
        Cadence::Monthly { interval: 12, day }
    }
    pub fn cron(expr: impl Into<String>) -> Self {
        Cadence::Cron { expr: expr.into() }
    }

    /// Checks everything that does not depend on the anchor: intervals, days,
    /// ordinals, and for cron the shape, the values and the frequency.
    pub fn validate(&self) -> Result<(), RecurrenceError> {
        match self {
            Cadence::Weekly { interval, .. } => {
                if WEEKLY_INTERVALS.contains(interval) {
                    Ok(())
                } else {
                    Err(RecurrenceError::WeeklyIntervalOutOfRange(*interval))
                }
            }
            Cadence::Monthly { interval, day } => {
                if !MONTHLY_INTERVALS.contains(interval) {
                    return Err(RecurrenceError::MonthlyIntervalUnsupported(*interval));
                }
                day.validate()
            }
            Cadence::Cron { expr } => compile_cron(expr).map(|_| ()),
        }
    }

    /// Canonical English spec; `parse_cadence(&c.to_spec()) == Ok(c)` for
    /// every valid cadence.
    pub fn to_spec(&self) -> String {
        match self {
            Cadence::Weekly { interval, weekday } => {
                let head = match interval {
                    1 => "weekly".to_string(),
                    2 => "biweekly".to_string(),
                    n => format!("every {n} weeks"),
                };
                format!("{head} {}", weekday_en(*weekday))
            }
            Cadence::Monthly { interval, day } => {
                let head = match interval {
                    1 => "monthly".to_string(),
                    3 => "quarterly".to_string(),
                    6 => "half-yearly".to_string(),
                    12 => "yearly".to_string(),
                    n => format!("every {n} months"),
                };
                let day = match day {
                    MonthDay::Day(d) => d.to_string(),
                    MonthDay::Nth { n, weekday } => {
                        format!("{} {}", ordinal_en(u32::from(*n)), weekday_en(*weekday))
                    }
                    MonthDay::Last { weekday } => format!("last {}", weekday_en(*weekday)),
                };
                format!("{head} {day}")
            }
            Cadence::Cron { expr } => format!("cron {}", normalize_ws(expr)),
        }
    }

    /// Swedish spec (`veckovis måndag`, `kvartalsvis sista fredagen`, …);
    /// also round-trips through [`parse_cadence`].
    pub fn to_spec_sv(&self) -> String {
        match self {
            Cadence::Weekly { interval, weekday } => {
                let head = match interval {
                    1 => "veckovis".to_string(),
                    2 => "varannan vecka".to_string(),
                    n => format!("var {} vecka", ordinal_sv(*n)),
                };
                format!("{head} {}", weekday_sv(*weekday))
            }
            Cadence::Monthly { interval, day } => {
                let head = match interval {
                    1 => "månadsvis".to_string(),
                    2 => "varannan månad".to_string(),
                    3 => "kvartalsvis".to_string(),
                    4 => "tertialvis".to_string(),
                    6 => "halvårsvis".to_string(),
                    12 => "årsvis".to_string(),
                    n => format!("var {} månad", ordinal_sv(*n)),
                };
                let day = match day {
                    MonthDay::Day(d) => d.to_string(),
                    MonthDay::Nth { n, weekday } => {
                        format!("{} {}en", ordinal_sv(u32::from(*n)), weekday_sv(*weekday))
                    }
                    MonthDay::Last { weekday } => format!("sista {}en", weekday_sv(*weekday)),
                };
                format!("{head} {day}")
            }
            Cadence::Cron { expr } => format!("cron {}", normalize_ws(expr)),
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_spec())
    }
}

impl FromStr for Cadence {
    type Err = RecurrenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_cadence(s)
    }
}

// ---------------------------------------------------------------------------
// Recurrence and occurrences
// ---------------------------------------------------------------------------

/// A validated recurrence. Fields are private so the invariants checked by
/// [`Recurrence::new`] always hold; serde goes through the same validation
/// (the time zone is stored as its IANA name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RecurrenceRepr", into = "RecurrenceRepr")]
pub struct Recurrence {
    cadence: Cadence,
    anchor: NaiveDate,
    start: NaiveTime,
    duration_minutes: u32,
    tz: Tz,
}

#[derive(Serialize, Deserialize)]
struct RecurrenceRepr {
    cadence: Cadence,
    anchor: NaiveDate,
    start: NaiveTime,
    duration_minutes: u32,
    tz: String,
}

impl TryFrom<RecurrenceRepr> for Recurrence {
    type Error = RecurrenceError;
    fn try_from(r: RecurrenceRepr) -> Result<Self, Self::Error> {
        let tz = parse_tz(&r.tz)?;
        Recurrence::new(r.cadence, r.anchor, r.start, r.duration_minutes, tz)
    }
}

impl From<Recurrence> for RecurrenceRepr {
    fn from(r: Recurrence) -> Self {
        RecurrenceRepr {
            cadence: r.cadence,
            anchor: r.anchor,
            start: r.start,
            duration_minutes: r.duration_minutes,
            tz: r.tz.name().to_string(),
        }
    }
}

/// Parses an IANA time-zone name (`Europe/Stockholm`).
pub fn parse_tz(name: &str) -> Result<Tz, RecurrenceError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| RecurrenceError::UnknownTimeZone(name.to_string()))
}

/// One meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    /// The local date the rule scheduled.
    pub local_date: NaiveDate,
    /// The local wall-clock time the rule scheduled (may fall in a DST gap).
    pub scheduled_local: NaiveDateTime,
    /// The local wall-clock time the meeting actually starts: equal to
    /// `scheduled_local` unless that fell in a DST gap, in which case it is
    /// the first valid time after the gap.
    pub local_start: NaiveDateTime,
    pub starts_at: DateTime<Utc>,
    /// `starts_at` plus the duration (an exact duration, DST-independent).
    pub ends_at: DateTime<Utc>,
}

impl Recurrence {
    /// Validates everything: the cadence, the anchor year (1970..=2099), the
    /// start time (whole minutes), the duration (1..=1440 minutes) and, for
    /// cron, that the expression fires at least once on or after the anchor.
    ///
    /// For [`Cadence::Cron`] the `start` time is ignored (the expression
    /// carries the time of day); the anchor is the first date considered and
    /// the duration applies.
    pub fn new(
        cadence: Cadence,
        anchor: NaiveDate,
        start: NaiveTime,
        duration_minutes: u32,
        tz: Tz,
    ) -> Result<Self, RecurrenceError> {
        if !ANCHOR_YEARS.contains(&anchor.year()) {
            return Err(RecurrenceError::AnchorOutOfRange(anchor));
        }
        if start.second() != 0 || start.nanosecond() != 0 {
            return Err(RecurrenceError::StartNotWholeMinute(start));
        }
        if duration_minutes == 0 || duration_minutes > MAX_DURATION_MINUTES {
            return Err(RecurrenceError::DurationOutOfRange(duration_minutes));
        }
        cadence.validate()?;
        let rec = Recurrence {
            cadence,
            anchor,
            start,
            duration_minutes,
            tz,
        };
        if let Cadence::Cron { expr } = &rec.cadence {
            let mut engine = rec.engine(rec.anchor);
            if engine.next_floating().is_none() {
                return Err(RecurrenceError::CronNeverFires {
                    expr: expr.clone(),
                    from: rec.anchor,
                });
            }
        }
        Ok(rec)
    }

    pub fn cadence(&self) -> &Cadence {
        &self.cadence
    }
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }
    /// Local start time (ignored for cron cadences).
    pub fn start(&self) -> NaiveTime {
        self.start
    }
    pub fn duration_minutes(&self) -> u32 {
        self.duration_minutes
    }
    pub fn duration(&self) -> TimeDelta {
        TimeDelta::minutes(i64::from(self.duration_minutes))
    }
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// All occurrences from the anchor on, ascending and lazy.
    pub fn occurrences(&self) -> Occurrences {
        Occurrences {
            engine: self.engine(self.anchor),
            tz: self.tz,
            duration: self.duration(),
            from: None,
            last: None,
        }
    }

    /// Occurrences with `starts_at >= from`, ascending (strictly increasing
    /// instants) and lazy. The cost does not grow with the distance between
    /// the anchor and `from`.
    pub fn occurrences_from(&self, from: DateTime<Utc>) -> Occurrences {
        // Scheduled local dates more than a couple of days before `from`'s
        // UTC date cannot start at or after `from` (offsets are < 1 day).
        let engine = match from.naive_utc().date().checked_sub_days(Days::new(3)) {
            Some(earliest) if earliest > self.anchor => self.engine(earliest),
            _ => self.engine(self.anchor),
        };
        Occurrences {
            engine,
            tz: self.tz,
            duration: self.duration(),
            from: Some(from),
            last: None,
        }
    }

    /// Occurrences with `from <= starts_at < to`.
    pub fn occurrences_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        if to <= from {
            return Vec::new();
        }
        self.occurrences_from(from)
            .take_while(|o| o.starts_at < to)
            .collect()
    }

    /// The first occurrence with `starts_at > t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<Occurrence> {
        self.occurrences_from(t).find(|o| o.starts_at > t)
    }

    /// The smallest gap between the scheduled local wall-clock times of two
    /// consecutive occurrences (always whole days here). The elapsed time
    /// across a DST change can be shorter by the shift (usually one hour).
    ///
    /// Exact for the presets (the Gregorian calendar repeats every 400 years
    /// and the whole cycle is examined, in the anchor's phase); sampled for
    /// cron (up to 1500 consecutive runs from 2000-01-01, stopping early at
    /// the 1-day floor). Returns [`TimeDelta::MAX`] if fewer than two runs were
    /// seen.
    pub fn min_gap(&self) -> TimeDelta {
        match &self.cadence {
            Cadence::Weekly { interval, .. } => {
                TimeDelta::try_weeks(i64::from(*interval)).unwrap_or(TimeDelta::MAX)
            }
            Cadence::Monthly { interval, .. } => {
                let Some(base) = NaiveDate::from_ymd_opt(2000, self.anchor.month(), 1) else {
                    return TimeDelta::MAX;
                };
                let count = 4800 / (*interval).max(1) as usize + 1;
                min_consecutive_gap(self.engine_from_anchor(base), count, None)
            }
            Cadence::Cron { .. } => {
                let Some(base) = NaiveDate::from_ymd_opt(2000, 1, 1) else {
                    return TimeDelta::MAX;
                };
                min_consecutive_gap(
                    self.engine_from_anchor(base),
                    1500,
                    Some(TimeDelta::days(1)),
                )
            }
        }
    }

    /// The floating-clock engine, fast-forwarded (phase-preserving) so that
    /// every scheduled date on or after `not_before` is produced.
    fn engine(&self, not_before: NaiveDate) -> Engine {
        let anchor = match &self.cadence {
            Cadence::Weekly { interval, .. } => {
                let week0 = self.anchor
                    - TimeDelta::days(i64::from(self.anchor.weekday().num_days_from_monday()));
                let step = i64::from((*interval).max(1)) * 7;
                let weeks = (not_before - week0).num_days().div_euclid(step) * step;
                match week0.checked_add_signed(TimeDelta::days(weeks)) {
                    Some(d) => d.max(self.anchor),
                    None => return Engine::Empty,
                }
            }
            Cadence::Monthly { interval, .. } => {
                let idx = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
                let step = i64::from((*interval).max(1));
                let months = (idx(not_before) - idx(self.anchor)).div_euclid(step) * step;
                if months <= 0 {
                    self.anchor
                } else {
                    let first = self.anchor.with_day(1).unwrap_or(self.anchor);
                    match u32::try_from(months)
                        .ok()
                        .and_then(|m| first.checked_add_months(Months::new(m)))
                    {
                        Some(d) => d.max(self.anchor),
                        None => return Engine::Empty,
                    }
                }
            }
            Cadence::Cron { .. } => not_before.max(self.anchor),
        };
        self.engine_from_anchor(anchor)
    }

    /// The engine with the given (phase-compatible) anchor.
    fn engine_from_anchor(&self, anchor: NaiveDate) -> Engine {
        if anchor.year() > HORIZON_YEAR {
            return Engine::Empty;
        }
        match &self.cadence {
            Cadence::Weekly { .. } | Cadence::Monthly { .. } => {
                match preset_rrule(&self.cadence, anchor.and_time(self.start)) {
                    Some(set) => Engine::RRule(Box::new((&set).into_iter())),
                    None => Engine::Empty,
                }
            }
            Cadence::Cron { expr } => {
                let Ok(plan) = compile_cron(expr) else {
                    return Engine::Empty;
                };
                let Some(start) = anchor
                    .and_hms_opt(0, 0, 0)
                    .and_then(|d| d.checked_sub_signed(TimeDelta::seconds(1)))
                else {
                    return Engine::Empty;
                };
                let start = Utc.from_utc_datetime(&start);
                let mut iters = plan
                    .schedules
                    .into_iter()
                    .map(|s| s.after_owned(start).peekable());
                match (iters.next(), iters.next()) {
                    (Some(a), b) => Engine::Cron(Box::new(CronMerge { a, b })),
                    (None, _) => Engine::Empty,
                }
            }
        }
    }
}

fn min_consecutive_gap(mut engine: Engine, count: usize, floor: Option<TimeDelta>) -> TimeDelta {
    let mut best = TimeDelta::MAX;
    let mut prev: Option<NaiveDateTime> = None;
    for _ in 0..count {
        let Some(cur) = engine.next_floating() else {
            break;
        };
        if let Some(p) = prev {
            let gap = cur - p;
            if gap > TimeDelta::zero() && gap < best {
                best = gap;
                if floor.is_some_and(|f| best <= f) {
                    break;
                }
            }
        }
        prev = Some(cur);
    }
    best
}

/// Reads a naive local date-time as the floating UTC date-time the crates use.
fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

fn preset_rrule(cadence: &Cadence, dt_start: NaiveDateTime) -> Option<rrule::RRuleSet> {
    use rrule::{Frequency, NWeekday, RRule};
    let rule = match cadence {
        Cadence::Weekly { interval, weekday } => RRule::new(Frequency::Weekly)
            .interval(u16::try_from(*interval).ok()?)
            .week_start(Weekday::Mon)
            .by_weekday(vec![NWeekday::Every(*weekday)]),
        Cadence::Monthly { interval, day } => {
            let rule = RRule::new(Frequency::Monthly)
                .interval(u16::try_from(*interval).ok()?)
                .week_start(Weekday::Mon);
            match *day {
                MonthDay::Day(d) if d <= 28 => rule.by_month_day(vec![i8::try_from(d).ok()?]),
                MonthDay::Day(d) => {
                    // "The 31st, or the month's last day if it is shorter."
                    let days = (28..=d)
                        .map(i8::try_from)
                        .collect::<Result<Vec<_>, _>>()
                        .ok()?;
                    rule.by_month_day(days).by_set_pos(vec![-1])
                }
                MonthDay::Nth { n, weekday } => {
                    rule.by_weekday(vec![NWeekday::Nth(i16::from(n), weekday)])
                }
                MonthDay::Last { weekday } => rule.by_weekday(vec![NWeekday::Nth(-1, weekday)]),
            }
        }
        Cadence::Cron { .. } => return None,
    };
    rule.build(floating(dt_start)).ok()
}

/// Source of floating local date-times.
enum Engine {
    RRule(Box<rrule::RRuleSetIter>),
    Cron(Box<CronMerge>),
    Empty,
}

impl Engine {
    fn next_floating(&mut self) -> Option<NaiveDateTime> {
        let next = match self {
            Engine::RRule(it) => it.next().map(|d| d.naive_utc()),
            Engine::Cron(it) => it.next(),
            Engine::Empty => None,
        };
        match next {
            Some(d) if d.year() <= HORIZON_YEAR => Some(d),
            _ => {
                *self = Engine::Empty;
                None
            }
        }
    }
}

type CronIter = std::iter::Peekable<cron::OwnedScheduleIterator<Utc>>;

/// Merges the (at most two) schedules a cron expression compiles to.
struct CronMerge {
    a: CronIter,
    b: Option<CronIter>,
}

impl CronMerge {
    fn next(&mut self) -> Option<NaiveDateTime> {
        let Some(b) = self.b.as_mut() else {
            return self.a.next().map(|d| d.naive_utc());
        };
        let next = match (self.a.peek(), b.peek()) {
            (Some(x), Some(y)) if x == y => {
                b.next();
                self.a.next()
            }
            (Some(x), Some(y)) if x < y => self.a.next(),
            (_, Some(_)) => b.next(),
            (Some(_), None) => self.a.next(),
            (None, None) => None,
        };
        next.map(|d| d.naive_utc())
    }
}

/// Lazy, ascending iterator over [`Occurrence`]s with strictly increasing
/// instants. Returned by [`Recurrence::occurrences_from`].
pub struct Occurrences {
    engine: Engine,
    tz: Tz,
    duration: TimeDelta,
    from: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl fmt::Debug for Occurrences {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Occurrences")
            .field("tz", &self.tz)
            .field("from", &self.from)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl Iterator for Occurrences {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        loop {
            let scheduled = self.engine.next_floating()?;
            let occ = make_occurrence(self.tz, scheduled, self.duration);
            if self.from.is_some_and(|from| occ.starts_at < from) {
                continue;
            }
            // Two local days can only collapse onto one instant in a zone that
            // skipped a whole calendar day (Pacific/Apia 2011); keep the first.
            if self.last.is_some_and(|last| occ.starts_at <= last) {
                continue;
            }
            self.last = Some(occ.starts_at);
            return Some(occ);
        }
    }
}

fn make_occurrence(tz: Tz, scheduled: NaiveDateTime, duration: TimeDelta) -> Occurrence {
    let starts_at = resolve_local(tz, scheduled);
    let local_start = starts_at.with_timezone(&tz).naive_local();
    Occurrence {
        local_date: scheduled.date(),
        scheduled_local: scheduled,
        local_start,
        starts_at,
        ends_at: starts_at.checked_add_signed(duration).unwrap_or(starts_at),
    }
}

// ---------------------------------------------------------------------------
// DST policy
// ---------------------------------------------------------------------------

/// Maps a local wall-clock time in `tz` to an instant — the DST policy, in one
/// place:
///
/// * a time in a spring-forward gap moves forward to the first valid instant
///   after the gap (Europe/Stockholm 2026-03-29 02:30 → 03:00 local = 01:00
///   UTC; Australia/Lord_Howe 02:15 on its 30-minute gap day → 02:30);
/// * a time in a repeated (fall-back) hour resolves to the first, earlier
///   instant;
/// * anything else is unambiguous.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // Keep well away from the ends of chrono's range, where adding or
    // subtracting an offset would overflow.
    if local.year() <= NaiveDate::MIN.year() + 1 || local.year() >= NaiveDate::MAX.year() - 1 {
        return Utc.from_utc_datetime(&local);
    }
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => first_instant_after_gap(tz, local),
    }
}

fn is_valid_local(tz: Tz, local: NaiveDateTime) -> bool {
    !matches!(tz.from_local_datetime(&local), LocalResult::None)
}

fn earliest(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Some(dt.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// `local` is in a gap: find the gap's end (the first valid wall-clock time
/// after it) and return its instant. Transitions fall on whole seconds, so
/// the search runs on whole seconds: step forward 15 minutes at a time (gaps
/// are at most a day or so), then bisect down to the second.
fn first_instant_after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    const STEP: i64 = 15 * 60;
    let mut lo = local.with_nanosecond(0).unwrap_or(local);
    for _ in 0..(50 * 4) {
        let Some(hi) = lo.checked_add_signed(TimeDelta::seconds(STEP)) else {
            break;
        };
        if is_valid_local(tz, hi) {
            let mut hi = hi;
            // Invariant: `lo` invalid, `hi` valid.
            while (hi - lo).num_seconds() > 1 {
                let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
                if is_valid_local(tz, mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            if let Some(dt) = earliest(tz, hi) {
                return dt;
            }
            break;
        }
        lo = hi;
    }
    // Unreachable with real tz data: read the time with the offset in force
    // at that (UTC-read) instant.
    let offset = tz.offset_from_utc_datetime(&local);
    let secs = chrono::Offset::fix(&offset).local_minus_utc();
    local
        .checked_sub_signed(TimeDelta::seconds(i64::from(secs)))
        .map(|u| Utc.from_utc_datetime(&u))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

// ---------------------------------------------------------------------------
// Cron
// ---------------------------------------------------------------------------

struct CronPlan {
    /// One schedule, or two when both day-of-month and day-of-week are
    /// restricted (standard cron then fires when *either* matches, while the
    /// `cron` crate requires both).
    schedules: Vec<cron::Schedule>,
}

const CRON_FIELD_NAMES: [&str; 5] = ["minute", "hour", "day-of-month", "month", "day-of-week"];

fn compile_cron(expr: &str) -> Result<CronPlan, RecurrenceError> {
    let src = normalize_ws(expr);
    let invalid = |reason: String| RecurrenceError::CronInvalid {
        expr: src.clone(),
        reason,
    };
    let expanded: &str = match src.to_ascii_lowercase().as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => return Err(RecurrenceError::TooFrequent { expr: src.clone() }),
        s if s.starts_with('@') => return Err(invalid(format!("unknown macro {s:?}"))),
        _ => &src,
    };
    let fields: Vec<&str> = expanded.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields[..] else {
        return Err(RecurrenceError::CronWrongShape {
            expr: src.clone(),
            fields: fields.len(),
        });
    };
    for (i, field) in fields.iter().enumerate() {
        let ok = field.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '*' | ',' | '-' | '/')
                || (c == '?' && (i == 2 || i == 4))
        });
        if !ok {
            return Err(invalid(format!(
                "unexpected character in the {} field {field:?}",
                CRON_FIELD_NAMES[i]
            )));
        }
    }
    let days =
        parse_cron_dow(dow).map_err(|r| invalid(format!("day-of-week field {dow:?}: {r}")))?;
    // The `cron` crate numbers days of week 1 = Sunday … 7 = Saturday.
    let dow_list = if days == 0x7f {
        "*".to_string()
    } else {
        (0..7u8)
            .filter(|b| days & (1 << b) != 0)
            .map(|b| (b + 1).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let star = |f: &str| f.starts_with('*') || f.starts_with('?');
    let specs = if star(dom) || star(dow) {
        vec![format!("0 {minute} {hour} {dom} {month} {dow_list}")]
    } else {
        vec![
            format!("0 {minute} {hour} {dom} {month} *"),
            format!("0 {minute} {hour} * {month} {dow_list}"),
        ]
    };
    let mut schedules = Vec::with_capacity(2);
    for spec in specs {
        let schedule = cron::Schedule::from_str(&spec).map_err(|e| invalid(e.to_string()))?;
        schedules.push(schedule);
    }
    if let Some(s) = schedules.first() {
        use cron::TimeUnitSpec;
        if u64::from(s.minutes().count()) * u64::from(s.hours().count()) != 1 {
            return Err(RecurrenceError::TooFrequent { expr: src.clone() });
        }
    }
    Ok(CronPlan { schedules })
}

/// Parses a standard day-of-week field into a bit set (bit 0 = Sunday …
/// bit 6 = Saturday). Accepts 0-7 (0 and 7 = Sunday), names (`mon`,
/// `tuesday`), lists, ranges and steps (`*/2`, `1-5/2`).
fn parse_cron_dow(field: &str) -> Result<u8, String> {
    fn value(s: &str) -> Result<u32, String> {
        if let Ok(n) = s.parse::<u32>() {
            return if n <= 7 {
                Ok(n)
            } else {
                Err(format!("{n} is not 0-7"))
            };
        }
        let n = match s.to_ascii_lowercase().as_str() {
            "sun" | "sunday" => 0,
            "mon" | "monday" => 1,
            "tue" | "tues" | "tuesday" => 2,
            "wed" | "wednesday" => 3,
            "thu" | "thur" | "thurs" | "thursday" => 4,
            "fri" | "friday" => 5,
            "sat" | "saturday" => 6,
            _ => return Err(format!("{s:?} is not a day of week")),
        };
        Ok(n)
    }
    let mut set = 0u8;
    for item in field.split(',') {
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => {
                let step = step
                    .parse::<u32>()
                    .ok()
                    .filter(|s| *s >= 1)
                    .ok_or_else(|| format!("bad step {step:?}"))?;
                (base, Some(step))
            }
            None => (item, None),
        };
        let (lo, hi) = if base == "*" || base == "?" {
            (0, 6)
        } else if let Some((a, b)) = base.split_once('-') {
            let (a, b) = (value(a)?, value(b)?);
            if a > b {
                return Err(format!("range {base:?} runs backwards"));
            }
            (a, b)
        } else {
            if step.is_some() {
                return Err(format!("step needs a range or *, got {item:?}"));
            }
            let v = value(base)?;
            (v, v)
        };
        let step = step.unwrap_or(1);
        let mut v = lo;
        while v <= hi {
            set |= 1 << (v % 7);
            v = v.saturating_add(step);
        }
    }
    Ok(set)
}

// ---------------------------------------------------------------------------
// Text spec
// ---------------------------------------------------------------------------

/// Parses a compact cadence spec, in English or Swedish, case-insensitively:
///
/// * `weekly mon`, `veckovis måndag`, `biweekly thu`, `every-other-week thu`,
///   `varannan-vecka torsdag`, `every 3 weeks tue`, `var 3:e vecka tisdag`
/// * `monthly 15`, `monthly 31`, `monthly last` (= day 31), `monthly 2nd tue`,
///   `monthly last fri`, `månadsvis sista fredagen`, `månadsvis 2:a tisdagen`
/// * `quarterly …`/`kvartalsvis …`, `half-yearly …`/`halvårsvis …`,
///   `yearly …`/`årsvis …`, `every 2 months …`/`varannan månad …`,
///   `tertialvis …` (every four months)
/// * `cron 0 13 * * 2`
///
/// The result is validated (see [`Cadence::validate`]).
pub fn parse_cadence(spec: &str) -> Result<Cadence, RecurrenceError> {
    let trimmed = spec.trim();
    let mut parts = trimmed.splitn(2, char::is_whitespace);
    if parts.next().is_some_and(|w| w.eq_ignore_ascii_case("cron")) {
        let expr = normalize_ws(parts.next().unwrap_or(""));
        if expr.is_empty() {
            return Err(RecurrenceError::Incomplete {
                expected: SpecPart::CronExpression,
            });
        }
        compile_cron(&expr)?;
        return Ok(Cadence::Cron { expr });
    }

    let tokens: Vec<String> = trimmed
        .split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | ','))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let (unit, interval, used) = parse_head(&tokens)?;
    let rest = &tokens[used..];
    let cadence = match unit {
        Unit::Week => Cadence::Weekly {
            interval,
            weekday: parse_weekday_part(rest)?,
        },
        Unit::Month => Cadence::Monthly {
            interval,
            day: parse_month_day_part(rest)?,
        },
    };
    cadence.validate()?;
    Ok(cadence)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Week,
    Month,
}

const HEADS: &[(&[&str], Unit, u32)] = &[
    (&["weekly"], Unit::Week, 1),
    (&["veckovis"], Unit::Week, 1),
    (&["varje", "vecka"], Unit::Week, 1),
    (&["biweekly"], Unit::Week, 2),
    (&["bi", "weekly"], Unit::Week, 2),
    (&["fortnightly"], Unit::Week, 2),
    (&["varannan", "vecka"], Unit::Week, 2),
    (&["varannanvecka"], Unit::Week, 2),
    (&["monthly"], Unit::Month, 1),
    (&["månadsvis"], Unit::Month, 1),
    (&["manadsvis"], Unit::Month, 1),
    (&["månatligen"], Unit::Month, 1),
    (&["varannan", "månad"], Unit::Month, 2),
    (&["varannan", "manad"], Unit::Month, 2),
    (&["quarterly"], Unit::Month, 3),
    (&["kvartalsvis"], Unit::Month, 3),
    (&["tertialvis"], Unit::Month, 4),
    (&["half", "yearly"], Unit::Month, 6),
    (&["halfyearly"], Unit::Month, 6),
    (&["semi", "annually"], Unit::Month, 6),
    (&["semiannually"], Unit::Month, 6),
    (&["halvårsvis"], Unit::Month, 6),
    (&["halvarsvis"], Unit::Month, 6),
    (&["yearly"], Unit::Month, 12),
    (&["annually"], Unit::Month, 12),
    (&["årsvis"], Unit::Month, 12),
    (&["arsvis"], Unit::Month, 12),
    (&["årligen"], Unit::Month, 12),
];

/// Parses the cadence head; returns the unit, the interval and the number of
/// tokens consumed.
fn parse_head(tokens: &[&str]) -> Result<(Unit, u32, usize), RecurrenceError> {
    let Some(first) = tokens.first() else {
        return Err(RecurrenceError::Incomplete {
            expected: SpecPart::Cadence,
        });
    };
    if let Some((phrase, unit, interval)) = HEADS
        .iter()
        .filter(|(p, _, _)| tokens.starts_with(p))
        .max_by_key(|(p, _, _)| p.len())
    {
        return Ok((*unit, *interval, phrase.len()));
    }
    // every [N|other] week(s)/month(s)/quarter/year; var [N:e] vecka/månad.
    if matches!(*first, "every" | "each" | "var" | "varje") {
        let Some(second) = tokens.get(1) else {
            return Err(RecurrenceError::Incomplete {
                expected: SpecPart::IntervalUnit,
            });
        };
        if let Some((unit, mult)) = interval_unit(second) {
            return Ok((unit, mult, 2));
        }
        let count = match *second {
            "other" | "annan" => 2,
            w => parse_number_like(w).ok_or_else(|| RecurrenceError::UnknownWord {
                word: w.to_string(),
            })?,
        };
        let Some(third) = tokens.get(2) else {
            return Err(RecurrenceError::Incomplete {
                expected: SpecPart::IntervalUnit,
            });
        };
        let (unit, mult) = interval_unit(third).ok_or_else(|| RecurrenceError::UnknownWord {
            word: third.to_string(),
        })?;
        return Ok((unit, count.saturating_mul(mult), 3));
    }
    Err(RecurrenceError::UnknownWord {
        word: first.to_string(),
    })
}

fn interval_unit(word: &str) -> Option<(Unit, u32)> {
    Some(match word {
        "week" | "weeks" | "vecka" | "veckor" | "veckan" => (Unit::Week, 1),
        "month" | "months" | "månad" | "månader" | "manad" | "manader" => (Unit::Month, 1),
        "quarter" | "quarters" | "kvartal" => (Unit::Month, 3),
        "tertial" => (Unit::Month, 4),
        "halvår" => (Unit::Month, 6),
        "year" | "years" | "år" => (Unit::Month, 12),
        _ => return None,
    })
}

const FILLERS: &[&str] = &[
    "on", "the", "den", "på", "day", "dag", "every", "varje", "of", "i", "in", "month", "månaden",
    "manaden",
];

fn strip_fillers<'a, 'b>(mut rest: &'a [&'b str]) -> &'a [&'b str] {
    while let Some((first, tail)) = rest.split_first() {
        if FILLERS.contains(first) {
            rest = tail;
        } else {
            break;
        }
    }
    rest
}

fn ensure_done(rest: &[&str]) -> Result<(), RecurrenceError> {
    match strip_fillers(rest).first() {
        Some(w) => Err(RecurrenceError::UnexpectedWord {
            word: w.to_string(),
        }),
        None => Ok(()),
    }
}

fn parse_weekday_part(rest: &[&str]) -> Result<Weekday, RecurrenceError> {
    let rest = strip_fillers(rest);
    let Some((word, tail)) = rest.split_first() else {
        return Err(RecurrenceError::Incomplete {
            expected: SpecPart::Weekday,
        });
    };
    let weekday = parse_weekday(word).ok_or_else(|| RecurrenceError::UnknownWord {
        word: word.to_string(),
    })?;
    ensure_done(tail)?;
    Ok(weekday)
}

fn parse_month_day_part(rest: &[&str]) -> Result<MonthDay, RecurrenceError> {
    let rest = strip_fillers(rest);
    let Some((word, tail)) = rest.split_first() else {
        return Err(RecurrenceError::Incomplete {
            expected: SpecPart::MonthDay,
        });
    };
    let weekday_after = |tail: &[&str]| -> Result<Option<(Weekday, usize)>, RecurrenceError> {
        match tail.first() {
            None => Ok(None),
            Some(w) if FILLERS.contains(w) => Ok(None),
            Some(w) => match parse_weekday(w) {
                Some(wd) => Ok(Some((wd, 1))),
                None if parse_number_like(w).is_some()
                    || matches!(*w, "last" | "sista" | "final") =>
                {
                    Err(RecurrenceError::UnexpectedWord {
                        word: w.to_string(),
                    })
                }
                None => Err(RecurrenceError::UnknownWord {
                    word: w.to_string(),
                }),
            },
        }
    };
    if matches!(*word, "last" | "sista" | "final") {
        return match weekday_after(tail)? {
            Some((weekday, used)) => {
                ensure_done(&tail[used..])?;
                Ok(MonthDay::Last { weekday })
            }
            None => {
                ensure_done(tail)?;
                Ok(MonthDay::Day(31))
            }
        };
    }
    if let Some(n) = parse_number_like(word) {
        return match weekday_after(tail)? {
            Some((weekday, used)) => {
                ensure_done(&tail[used..])?;
                let n = u8::try_from(n)
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or(RecurrenceError::NthOutOfRange(n))?;
                Ok(MonthDay::Nth { n, weekday })
            }
            None => {
                ensure_done(tail)?;
                if (1..=31).contains(&n) {
                    Ok(MonthDay::Day(n))
                } else {
                    Err(RecurrenceError::MonthDayOutOfRange(n))
                }
            }
        };
    }
    if parse_weekday(word).is_some() {
        return Err(RecurrenceError::Incomplete {
            expected: SpecPart::WeekdayOrdinal,
        });
    }
    Err(RecurrenceError::UnknownWord {
        word: word.to_string(),
    })
}

/// `15`, `1st`, `2nd`, `3rd`, `4th`, `21st`, `2:a`, `3:e`, `15:e`, `2.`,
/// `first` … `fifth`, `första` … `femte`.
fn parse_number_like(word: &str) -> Option<u32> {
    let named = match word {
        "first" | "första" | "forsta" => Some(1),
        "second" | "andra" => Some(2),
        "third" | "tredje" => Some(3),
        "fourth" | "fjärde" | "fjarde" => Some(4),
        "fifth" | "femte" => Some(5),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let digits_end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    if digits_end == 0 {
        return None;
    }
    let (digits, suffix) = word.split_at(digits_end);
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th" | ":a" | ":e" | ".") {
        return None;
    }
    // Saturate absurdly long numbers so the range check reports them.
    Some(digits.parse::<u32>().unwrap_or(u32::MAX))
}

/// English and Swedish weekday names, full or short, case already folded;
/// Swedish definite/plural forms (`tisdagen`, `tisdagar`) and English plurals
/// (`mondays`) too.
pub fn parse_weekday(word: &str) -> Option<Weekday> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    let base = w
        .strip_suffix("dagen")
        .or_else(|| w.strip_suffix("dagar"))
        .map(|stem| format!("{stem}dag"))
        .unwrap_or_else(|| w.to_string());
    let base = base
        .strip_suffix("days")
        .map(|s| format!("{s}day"))
        .unwrap_or(base);
    Some(match base.as_str() {
        "mon" | "monday" | "mån" | "måndag" | "mandag" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "tis" | "tisdag" => Weekday::Tue,
        "wed" | "wednesday" | "ons" | "onsdag" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "tor" | "tors" | "torsdag" => Weekday::Thu,
        "fri" | "friday" | "fre" | "fredag" => Weekday::Fri,
        "sat" | "saturday" | "lör" | "lördag" | "lordag" => Weekday::Sat,
        "sun" | "sunday" | "sön" | "söndag" | "sondag" => Weekday::Sun,
        _ => return None,
    })
}

fn weekday_en(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

fn weekday_sv(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "måndag",
        Weekday::Tue => "tisdag",
        Weekday::Wed => "onsdag",
        Weekday::Thu => "torsdag",
        Weekday::Fri => "fredag",
        Weekday::Sat => "lördag",
        Weekday::Sun => "söndag",
    }
}

fn ordinal_en(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn ordinal_sv(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11 | 12) => ":e",
        (1 | 2, _) => ":a",
        _ => ":e",
    };
    format!("{n}{suffix}")
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// Reminder offsets
// ---------------------------------------------------------------------------

/// How long before a meeting a reminder goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Offset {
    /// Local calendar days before, at the meeting's local wall time.
    Days(u32),
    /// An exact duration before the start.
    Minutes(u32),
}

impl Offset {
    /// Parses `14d`, `3d`, `1w`, `2h`, `15m`, `0m`, and the long forms
    /// `2 days`, `1 week`, `2 hours`, `15 minutes`, `14 dagar`, `1 vecka`,
    /// `2 tim`, `2 timmar`, `15 min`. At most 366 days.
    pub fn parse(spec: &str) -> Result<Offset, RecurrenceError> {
        let invalid = || RecurrenceError::InvalidOffset {
            spec: spec.to_string(),
        };
        let s = spec.trim().to_lowercase();
        let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        if digits_end == 0 {
            return Err(invalid());
        }
        let (digits, unit) = s.split_at(digits_end);
        let too_large = || RecurrenceError::OffsetTooLarge {
            spec: spec.to_string(),
        };
        let n: u32 = digits.parse().map_err(|_| too_large())?;
        let (days_per, minutes_per) = match unit.trim() {
            "d" | "day" | "days" | "dag" | "dagar" | "dygn" => (Some(1), None),
            "w" | "wk" | "week" | "weeks" | "v" | "vecka" | "veckor" => (Some(7), None),
            "h" | "hr" | "hrs" | "hour" | "hours" | "t" | "tim" | "timme" | "timmar" => {
                (None, Some(60))
            }
            "m" | "min" | "mins" | "minute" | "minutes" | "minut" | "minuter" => (None, Some(1)),
            _ => return Err(invalid()),
        };
        let offset = match (days_per, minutes_per) {
            (Some(k), _) => Offset::Days(n.checked_mul(k).ok_or_else(too_large)?),
            (_, Some(k)) => Offset::Minutes(n.checked_mul(k).ok_or_else(too_large)?),
            _ => return Err(invalid()),
        };
        if offset.exceeds_max() {
            return Err(too_large());
        }
        Ok(offset)
    }

    fn exceeds_max(self) -> bool {
        match self {
            Offset::Days(d) => d > MAX_OFFSET_DAYS,
            Offset::Minutes(m) => m > MAX_OFFSET_DAYS * 24 * 60,
        }
    }

    /// Canonical compact spec (`14d`, `3d`, `2h`, `15m`; weeks are written
    /// as days); round-trips through [`Offset::parse`].
    pub fn to_spec(&self) -> String {
        match *self {
            Offset::Days(d) => format!("{d}d"),
            Offset::Minutes(m) if m > 0 && m % 60 == 0 => format!("{}h", m / 60),
            Offset::Minutes(m) => format!("{m}m"),
        }
    }
}

/// Parses a reminder offset; see [`Offset::parse`].
pub fn parse_offset(spec: &str) -> Result<Offset, RecurrenceError> {
    Offset::parse(spec)
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_spec())
    }
}

impl FromStr for Offset {
    type Err = RecurrenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Offset::parse(s)
    }
}

/// When to send a reminder for `occ` (whose recurrence is in `tz`).
///
/// Day and week offsets go back that many local calendar days at the
/// meeting's scheduled local wall time, resolved with [`resolve_local`], so a
/// day-before reminder stays at the meeting's local time across a DST change.
/// Minute and hour offsets are exact durations before `starts_at`.
pub fn reminder_at(occ: &Occurrence, tz: Tz, offset: Offset) -> DateTime<Utc> {
    match offset {
        Offset::Days(d) => occ
            .scheduled_local
            .checked_sub_days(Days::new(u64::from(d)))
            .map(|local| resolve_local(tz, local))
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
        Offset::Minutes(m) => occ
            .starts_at
            .checked_sub_signed(TimeDelta::minutes(i64::from(m)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WEEKDAYS: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
    }
    fn utc(y: i32, mo: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&d(y, mo, day).and_time(t(h, mi)))
    }
    fn rec(spec: &str, anchor: NaiveDate, start: NaiveTime, tz: Tz) -> Recurrence {
        let cadence = parse_cadence(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
        Recurrence::new(cadence, anchor, start, 60, tz).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }
    /// Occurrences whose local date is in `[from, to)`.
    fn by_local_dates(r: &Recurrence, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        let start = utc(from.year(), from.month(), from.day(), 0, 0) - TimeDelta::days(2);
        r.occurrences_from(start)
            .skip_while(|o| o.local_date < from)
            .take_while(|o| o.local_date < to)
            .collect()
    }

    // ----- DST table -------------------------------------------------------

    #[test]
    fn dst_table_weekly_sunday() {
        use chrono_tz::{America, Asia, Australia, Europe};
        // (zone, local date, local time, expected instant, expected local wall time)
        let rows: &[(Tz, NaiveDate, NaiveTime, DateTime<Utc>, NaiveTime)] = &[
            // Stockholm: gap 02:00-03:00 → 03:00 CEST; repeated 02:00-03:00 → first (UTC+2).
            (
                Europe::Stockholm,
                d(2026, 3, 29),
                t(2, 30),
                utc(2026, 3, 29, 1, 0),
                t(3, 0),
            ),
            (
                Europe::Stockholm,
                d(2026, 10, 25),
                t(2, 30),
                utc(2026, 10, 25, 0, 30),
                t(2, 30),
            ),
            // New York: gap 02:00-03:00; repeated 01:00-02:00 → first (EDT, UTC-4).
            (
                America::New_York,
                d(2026, 3, 8),
                t(2, 30),
                utc(2026, 3, 8, 7, 0),
                t(3, 0),
            ),
            (
                America::New_York,
                d(2026, 11, 1),
                t(1, 30),
                utc(2026, 11, 1, 5, 30),
                t(1, 30),
            ),
            (
                America::New_York,
                d(2026, 11, 1),
                t(2, 30),
                utc(2026, 11, 1, 7, 30),
                t(2, 30),
            ),
            // Sydney (southern hemisphere): gap in October, repeat in April.
            (
                Australia::Sydney,
                d(2026, 10, 4),
                t(2, 30),
                utc(2026, 10, 3, 16, 0),
                t(3, 0),
            ),
            (
                Australia::Sydney,
                d(2026, 4, 5),
                t(2, 30),
                utc(2026, 4, 4, 15, 30),
                t(2, 30),
            ),
            // Lord Howe: 30-minute DST; gap 02:00-02:30, repeated 01:30-02:00.
            (
                Australia::Lord_Howe,
                d(2026, 10, 4),
                t(2, 15),
                utc(2026, 10, 3, 15, 30),
                t(2, 30),
            ),
            (
                Australia::Lord_Howe,
                d(2026, 4, 5),
                t(1, 45),
                utc(2026, 4, 4, 14, 45),
                t(1, 45),
            ),
            // Kolkata: no DST, always UTC+5:30.
            (
                Asia::Kolkata,
                d(2026, 3, 29),
                t(2, 30),
                utc(2026, 3, 28, 21, 0),
                t(2, 30),
            ),
            (
                Asia::Kolkata,
                d(2026, 10, 25),
                t(2, 30),
                utc(2026, 10, 24, 21, 0),
                t(2, 30),
            ),
        ];
        for &(tz, date, time, expected, wall) in rows {
            let ctx = format!("{tz} {date} {time}");
            assert_eq!(resolve_local(tz, date.and_time(time)), expected, "{ctx}");
            let r = rec("weekly sun", d(2026, 1, 1), time, tz);
            let week = by_local_dates(&r, date - TimeDelta::days(7), date + TimeDelta::days(8));
            let dates: Vec<_> = week.iter().map(|o| o.local_date).collect();
            assert_eq!(
                dates,
                vec![date - TimeDelta::days(7), date, date + TimeDelta::days(7)],
                "{ctx}"
            );
            let occ = week[1];
            assert_eq!(occ.starts_at, expected, "{ctx}");
            assert_eq!(occ.scheduled_local, date.and_time(time), "{ctx}");
            assert_eq!(occ.local_start, date.and_time(wall), "{ctx}");
            assert_eq!(
                occ.starts_at.with_timezone(&tz).naive_local(),
                date.and_time(wall),
                "{ctx}"
            );
            assert_eq!(occ.ends_at - occ.starts_at, TimeDelta::minutes(60), "{ctx}");
            // Neighbours are at the scheduled wall time.
            for o in [week[0], week[2]] {
                assert_eq!(o.local_start, o.scheduled_local, "{ctx}");
            }
            // The DST day's occurrence is found exactly once by every query path.
            let between = r.occurrences_between(
                expected - TimeDelta::hours(30),
                expected + TimeDelta::hours(30),
            );
            assert_eq!(between.len(), 1, "{ctx}");
            assert_eq!(
                r.next_after(expected - TimeDelta::seconds(1))
                    .map(|o| o.starts_at),
                Some(expected),
                "{ctx}"
            );
            assert_eq!(
                r.next_after(expected).map(|o| o.local_date),
                Some(date + TimeDelta::days(7)),
                "{ctx}"
            );
            // And the whole ten years around it hold every invariant, with
            // the gap / repeated hour hit every year where the zone has DST.
            check_invariants(&r, 10, 0, 0).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let odd = r
                .occurrences()
                .take_while(|o| o.local_date.year() < 2036)
                .filter(|o| {
                    !matches!(
                        tz.from_local_datetime(&o.scheduled_local),
                        LocalResult::Single(_)
                    )
                })
                .count();
            let expected_odd = if tz == Asia::Kolkata { 0 } else { 5 };
            assert!(odd >= expected_odd, "{ctx}: {odd} DST-affected occurrences");
        }
    }

    #[test]
    fn resolve_local_handles_other_transitions() {
        use chrono_tz::{America, Pacific};
        // Chile moves clocks at local midnight: 00:30 on the gap day → 01:00.
        let santiago = America::Santiago;
        let gap_day = (1..=30)
            .map(|day| d(2026, 9, day))
            .find(|date| {
                matches!(
                    santiago.from_local_datetime(&date.and_time(t(0, 30))),
                    LocalResult::None
                )
            })
            .expect("Chile has a September gap at midnight");
        let got = resolve_local(santiago, gap_day.and_time(t(0, 30)));
        assert_eq!(
            got.with_timezone(&santiago).naive_local(),
            gap_day.and_time(t(1, 0))
        );
        // Samoa skipped 2011-12-30 entirely: noon that day → midnight on the 31st.
        let apia = Pacific::Apia;
        let got = resolve_local(apia, d(2011, 12, 30).and_time(t(12, 0)));
        assert_eq!(
            got.with_timezone(&apia).naive_local(),
            d(2011, 12, 31).and_time(t(0, 0))
        );
        // Sub-minute precision is kept outside gaps.
        let odd = d(2026, 3, 29).and_hms_opt(2, 30, 17).expect("time");
        assert_eq!(
            resolve_local(chrono_tz::Europe::Stockholm, odd),
            utc(2026, 3, 29, 1, 0),
            "gap end is a whole second"
        );
    }

    // ----- Ten-year properties -----------------------------------------------

    fn months_index(x: NaiveDate) -> i64 {
        i64::from(x.year()) * 12 + i64::from(x.month0())
    }

    fn days_in_month(y: i32, m: u32) -> u32 {
        (28..=31)
            .rev()
            .find(|&day| NaiveDate::from_ymd_opt(y, m, day).is_some())
            .expect("month")
    }

    /// Brute-force, independent of rrule: the scheduled day in a month.
    fn oracle_month_day(y: i32, m: u32, md: MonthDay) -> NaiveDate {
        let len = days_in_month(y, m);
        match md {
            MonthDay::Day(day) => d(y, m, day.min(len)),
            MonthDay::Nth { n, weekday } => (1..=len)
                .map(|day| d(y, m, day))
                .filter(|x| x.weekday() == weekday)
                .nth(usize::from(n) - 1)
                .expect("1st-4th weekday exists"),
            MonthDay::Last { weekday } => (1..=len)
                .rev()
                .map(|day| d(y, m, day))
                .find(|x| x.weekday() == weekday)
                .expect("weekday exists"),
        }
    }

    fn oracle_dates(c: &Cadence, anchor: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
        let monday =
            |x: NaiveDate| x - TimeDelta::days(i64::from(x.weekday().num_days_from_monday()));
        anchor
            .iter_days()
            .take_while(|x| *x < end)
            .filter(|x| match *c {
                Cadence::Weekly { interval, weekday } => {
                    x.weekday() == weekday
                        && ((monday(*x) - monday(anchor)).num_days() / 7) % i64::from(interval) == 0
                }
                Cadence::Monthly { interval, day } => {
                    (months_index(*x) - months_index(anchor)) % i64::from(interval) == 0
                        && *x == oracle_month_day(x.year(), x.month(), day)
                }
                Cadence::Cron { .. } => unreachable!("presets only"),
            })
            .collect()
    }

    /// Checks every invariant of a recurrence over `years` years from its
    /// anchor, plus the query paths starting at `probe` (an index into the
    /// occurrences) shifted by `jitter_min` minutes.
    fn check_invariants(
        r: &Recurrence,
        years: u32,
        probe: usize,
        jitter_min: i64,
    ) -> Result<(), TestCaseError> {
        let tz = r.tz();
        let end = r
            .anchor()
            .checked_add_months(Months::new(12 * years))
            .expect("end");
        let occs: Vec<Occurrence> = r.occurrences().take_while(|o| o.local_date < end).collect();
        let dates: Vec<NaiveDate> = occs.iter().map(|o| o.local_date).collect();
        prop_assert_eq!(
            &dates,
            &oracle_dates(r.cadence(), r.anchor(), end),
            "scheduled local days"
        );
        for w in occs.windows(2) {
            prop_assert!(
                w[0].starts_at < w[1].starts_at,
                "strictly increasing: {:?}",
                w
            );
        }
        for o in &occs {
            let scheduled = o.local_date.and_time(r.start());
            prop_assert_eq!(o.scheduled_local, scheduled);
            let local = o.starts_at.with_timezone(&tz).naive_local();
            prop_assert_eq!(local, o.local_start);
            prop_assert_eq!(local.date(), o.local_date, "local date kept: {:?}", o);
            prop_assert_eq!(o.ends_at - o.starts_at, r.duration());
            match tz.from_local_datetime(&scheduled) {
                LocalResult::Single(x) => prop_assert_eq!(o.starts_at, x.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, b) => {
                    prop_assert_eq!(o.starts_at, a.min(b).with_timezone(&Utc))
                }
                LocalResult::None => {
                    // First valid instant after the gap: just before it the
                    // wall clock was still before the scheduled time.
                    prop_assert!(local > scheduled, "{:?}", o);
                    let before = (o.starts_at - TimeDelta::seconds(1))
                        .with_timezone(&tz)
                        .naive_local();
                    prop_assert!(before < scheduled, "{:?} before {}", o, before);
                }
            }
        }
        if occs.len() >= 2 {
            let i = probe % (occs.len() - 1);
            let from = occs[i].starts_at + TimeDelta::minutes(jitter_min);
            let expected: Vec<&Occurrence> = occs
                .iter()
                .filter(|o| o.starts_at >= from)
                .take(4)
                .collect();
            let got: Vec<Occurrence> = r.occurrences_from(from).take(expected.len()).collect();
            prop_assert_eq!(
                got.iter().collect::<Vec<_>>(),
                expected,
                "occurrences_from({})",
                from
            );
            prop_assert_eq!(r.next_after(occs[i].starts_at), Some(occs[i + 1]));
            let between = r.occurrences_between(occs[0].starts_at, occs[i + 1].starts_at);
            prop_assert_eq!(&between[..], &occs[..=i]);
        }
        Ok(())
    }

    fn weekday_s() -> impl Strategy<Value = Weekday> {
        (0usize..7).prop_map(|i| WEEKDAYS[i])
    }
    fn month_day_s() -> impl Strategy<Value = MonthDay> {
        prop_oneof![
            (1u32..=31).prop_map(MonthDay::Day),
            (24u32..=31).prop_map(MonthDay::Day),
            (1u8..=4, weekday_s()).prop_map(|(n, weekday)| MonthDay::Nth { n, weekday }),
            weekday_s().prop_map(|weekday| MonthDay::Last { weekday }),
        ]
    }
    /// Weekly, every other week, monthly, quarterly (and a few longer ones).
    fn preset_s() -> impl Strategy<Value = Cadence> {
        prop_oneof![
            3 => (1u32..=2, weekday_s()).prop_map(|(interval, weekday)| Cadence::Weekly { interval, weekday }),
            3 => (prop::sample::select(vec![1u32, 3]), month_day_s())
                .prop_map(|(interval, day)| Cadence::Monthly { interval, day }),
            1 => (prop::sample::select(vec![2u32, 4, 6, 12]), month_day_s())
                .prop_map(|(interval, day)| Cadence::Monthly { interval, day }),
        ]
    }
    /// Local start times, biased towards the DST-prone small hours.
    fn start_s() -> impl Strategy<Value = NaiveTime> {
        prop_oneof![
            3 => (2u32..3, 0u32..60),
            2 => (0u32..4, prop::sample::select(vec![0u32, 15, 30, 45])),
            2 => (0u32..24, 0u32..60),
        ]
        .prop_map(|(h, m)| t(h, m))
    }
    fn anchor_s() -> impl Strategy<Value = NaiveDate> {
        (0i64..(366 * 15)).prop_map(|n| d(2015, 1, 1) + TimeDelta::days(n))
    }

    const OTHER_ZONES: [Tz; 8] = [
        chrono_tz::America::New_York,
        chrono_tz::Australia::Sydney,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Asia::Kolkata,
        chrono_tz::America::Santiago,
        chrono_tz::Europe::London,
        chrono_tz::Pacific::Auckland,
        chrono_tz::America::Sao_Paulo,
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn ten_years_stockholm(c in preset_s(), anchor in anchor_s(), start in start_s(),
                               probe in 0usize..1000, jitter in -3000i64..3000) {
            let r = Recurrence::new(c, anchor, start, 45, chrono_tz::Europe::Stockholm).expect("valid");
            check_invariants(&r, 10, probe, jitter)?;
        }

        #[test]
        fn ten_years_other_zones(zone in 0usize..OTHER_ZONES.len(), c in preset_s(), anchor in anchor_s(),
                                 start in start_s(), probe in 0usize..1000, jitter in -3000i64..3000) {
            let r = Recurrence::new(c, anchor, start, 90, OTHER_ZONES[zone]).expect("valid");
            check_invariants(&r, 10, probe, jitter)?;
        }
    }

    // ----- Anchoring -----------------------------------------------------------

    #[test]
    fn monthly_31_follows_month_ends() {
        let r = rec(
            "monthly 31",
            d(2026, 1, 31),
            t(10, 0),
            chrono_tz::Europe::Stockholm,
        );
        let got: Vec<NaiveDate> = r.occurrences().take(26).map(|o| o.local_date).collect();
        let expected_2026 = [
            d(2026, 1, 31),
            d(2026, 2, 28),
            d(2026, 3, 31),
            d(2026, 4, 30),
            d(2026, 5, 31),
            d(2026, 6, 30),
            d(2026, 7, 31),
            d(2026, 8, 31),
            d(2026, 9, 30),
            d(2026, 10, 31),
            d(2026, 11, 30),
            d(2026, 12, 31),
        ];
        assert_eq!(&got[..12], &expected_2026);
        assert_eq!(got[12], d(2027, 1, 31));
        assert_eq!(got[13], d(2027, 2, 28));
        assert_eq!(got[14], d(2027, 3, 31), "back to 31, not 28 forever");
        assert_eq!(got[25], d(2028, 2, 29), "leap year");
        // Day 30 and 29 likewise.
        let r30 = rec(
            "monthly 30",
            d(2028, 1, 1),
            t(10, 0),
            chrono_tz::Europe::Stockholm,
        );
        let got: Vec<NaiveDate> = r30.occurrences().take(3).map(|o| o.local_date).collect();
        assert_eq!(got, vec![d(2028, 1, 30), d(2028, 2, 29), d(2028, 3, 30)]);
        // `monthly last` is day 31.
        assert_eq!(parse_cadence("monthly last"), parse_cadence("monthly 31"));
    }

    #[test]
    fn every_other_week_is_phased_from_the_anchor() {
        let tz = chrono_tz::Europe::Stockholm;
        // Anchor on a Wednesday: the Thursday of the anchor's week is week 0.
        let r = rec("biweekly thu", d(2026, 1, 7), t(9, 0), tz);
        let occs: Vec<Occurrence> = r
            .occurrences()
            .take_while(|o| o.local_date.year() < 2036)
            .collect();
        assert_eq!(occs[0].local_date, d(2026, 1, 8));
        assert!(occs.len() > 250);
        for w in occs.windows(2) {
            assert_eq!(w[1].local_date - w[0].local_date, TimeDelta::days(14));
            assert_eq!(w[1].local_start.time(), t(9, 0));
        }
        // Anchor on the Friday of that week: week 0's Thursday has passed, the
        // next one in phase is two weeks later (not next week).
        let r = rec("biweekly thu", d(2026, 1, 9), t(9, 0), tz);
        assert_eq!(
            r.occurrences().next().map(|o| o.local_date),
            Some(d(2026, 1, 22))
        );
        // Far from the anchor, the phase is unchanged.
        let late = r.next_after(utc(2031, 6, 1, 0, 0)).expect("occurrence");
        assert_eq!((late.local_date - d(2026, 1, 22)).num_days() % 14, 0);
    }

    #[test]
    fn stockholm_forum_cadences_are_expressible() {
        let tz = chrono_tz::Europe::Stockholm;
        let anchor = d(2026, 1, 1);
        let cases: &[(&str, &[NaiveDate])] = &[
            (
                "weekly tue",
                &[d(2026, 1, 6), d(2026, 1, 13), d(2026, 1, 20)],
            ),
            (
                "varannan vecka torsdag",
                &[d(2026, 1, 1), d(2026, 1, 15), d(2026, 1, 29)],
            ),
            (
                "monthly 2nd tue",
                &[d(2026, 1, 13), d(2026, 2, 10), d(2026, 3, 10)],
            ),
            (
                "månadsvis sista fredagen",
                &[d(2026, 1, 30), d(2026, 2, 27), d(2026, 3, 27)],
            ),
            (
                "quarterly 1st mon",
                &[d(2026, 1, 5), d(2026, 4, 6), d(2026, 7, 6), d(2026, 10, 5)],
            ),
            (
                "half-yearly 15",
                &[d(2026, 1, 15), d(2026, 7, 15), d(2027, 1, 15)],
            ),
            (
                "yearly last fri",
                &[d(2026, 1, 30), d(2027, 1, 29), d(2028, 1, 28)],
            ),
            (
                "cron 0 13 * * 2",
                &[d(2026, 1, 6), d(2026, 1, 13), d(2026, 1, 20)],
            ),
        ];
        for (spec, expected) in cases {
            let r = rec(spec, anchor, t(13, 0), tz);
            let got: Vec<NaiveDate> = r
                .occurrences()
                .take(expected.len())
                .map(|o| o.local_date)
                .collect();
            assert_eq!(&got, expected, "{spec}");
            assert!(
                r.occurrences()
                    .take(5)
                    .all(|o| o.local_start.time() == t(13, 0)),
                "{spec}"
            );
        }
    }

    #[test]
    fn quarterly_counts_from_the_anchor_month() {
        let tz = chrono_tz::Europe::Stockholm;
        let r = rec("quarterly 15", d(2026, 2, 20), t(10, 0), tz);
        let got: Vec<NaiveDate> = r.occurrences().take(3).map(|o| o.local_date).collect();
        assert_eq!(got, vec![d(2026, 5, 15), d(2026, 8, 15), d(2026, 11, 15)]);
    }

    #[test]
    fn min_gap_is_exact_for_presets() {
        let tz = chrono_tz::Europe::Stockholm;
        let gap = |spec: &str, anchor: NaiveDate| rec(spec, anchor, t(10, 0), tz).min_gap();
        let a = d(2026, 1, 1);
        assert_eq!(gap("weekly mon", a), TimeDelta::days(7));
        assert_eq!(gap("biweekly mon", a), TimeDelta::days(14));
        assert_eq!(gap("monthly 15", a), TimeDelta::days(28));
        assert_eq!(gap("monthly 31", a), TimeDelta::days(28));
        assert_eq!(gap("monthly 30", a), TimeDelta::days(29));
        assert_eq!(gap("monthly 2nd tue", a), TimeDelta::days(28));
        assert_eq!(
            gap("quarterly 1", a),
            TimeDelta::days(90),
            "Jan 1 → Apr 1 in a common year"
        );
        assert_eq!(
            gap("quarterly 1", d(2026, 2, 1)),
            TimeDelta::days(89),
            "Feb 1 → May 1"
        );
        assert_eq!(gap("yearly 1", a), TimeDelta::days(365));
        assert_eq!(gap("cron 0 13 * * 2", a), TimeDelta::days(7));
        assert_eq!(gap("cron 0 13 * * 1-5", a), TimeDelta::days(1));
        assert_eq!(gap("cron 0 13 1 * *", a), TimeDelta::days(28));
    }

    // ----- Cron ------------------------------------------------------------------

    #[test]
    fn cron_tuesday_13_local() {
        let tz = chrono_tz::Europe::Stockholm;
        let r = rec("cron 0 13 * * 2", d(2026, 1, 1), t(0, 0), tz);
        let occs: Vec<Occurrence> = r.occurrences().take(60).collect();
        for o in &occs {
            let local = o.starts_at.with_timezone(&tz);
            assert_eq!(local.weekday(), Weekday::Tue);
            assert_eq!(local.time(), t(13, 0));
        }
        assert_eq!(occs[0].starts_at, utc(2026, 1, 6, 12, 0));
        let summer = r.next_after(utc(2026, 7, 1, 0, 0)).expect("occurrence");
        assert_eq!(summer.starts_at, utc(2026, 7, 7, 11, 0));
        // Standard numbering and names.
        for (expr, days) in [
            ("0 13 * * TUE", vec![Weekday::Tue]),
            ("0 13 * * 0", vec![Weekday::Sun]),
            ("0 13 * * 7", vec![Weekday::Sun]),
            ("0 13 * * sun", vec![Weekday::Sun]),
            (
                "0 13 * * 1-5",
                vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
            ),
            (
                "0 13 * * mon,wed,fri",
                vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            ),
            (
                "0 13 * * 5-7",
                vec![Weekday::Fri, Weekday::Sat, Weekday::Sun],
            ),
            (
                "0 13 * * */2",
                vec![Weekday::Sun, Weekday::Tue, Weekday::Thu, Weekday::Sat],
            ),
        ] {
            let r =
                Recurrence::new(Cadence::cron(expr), d(2026, 1, 1), t(0, 0), 60, tz).expect(expr);
            let mut seen: Vec<Weekday> = r
                .occurrences()
                .take(21)
                .map(|o| o.starts_at.with_timezone(&tz).weekday())
                .collect();
            seen.sort_by_key(|w| w.num_days_from_monday());
            seen.dedup();
            let mut days = days.clone();
            days.sort_by_key(|w| w.num_days_from_monday());
            assert_eq!(seen, days, "{expr}");
        }
    }

    #[test]
    fn cron_standard_or_semantics_for_day_fields() {
        // Both day fields restricted: fires on the 1st OR on Mondays.
        let r = rec(
            "cron 0 13 1 * mon",
            d(2026, 1, 1),
            t(0, 0),
            chrono_tz::Europe::Stockholm,
        );
        let got: Vec<NaiveDate> = r.occurrences().take(4).map(|o| o.local_date).collect();
        assert_eq!(
            got,
            vec![d(2026, 1, 1), d(2026, 1, 5), d(2026, 1, 12), d(2026, 1, 19)]
        );
        // One star: AND (i.e. only the restricted one).
        let r = rec(
            "cron 0 13 1 * *",
            d(2026, 1, 1),
            t(0, 0),
            chrono_tz::Europe::Stockholm,
        );
        let got: Vec<NaiveDate> = r.occurrences().take(2).map(|o| o.local_date).collect();
        assert_eq!(got, vec![d(2026, 1, 1), d(2026, 2, 1)]);
    }

    #[test]
    fn cron_daily_0230_is_once_per_day_across_dst() {
        use chrono_tz::{America, Europe};
        for (tz, day) in [
            (Europe::Stockholm, d(2026, 3, 29)),
            (Europe::Stockholm, d(2026, 10, 25)),
            (America::New_York, d(2026, 3, 8)),
            (America::New_York, d(2026, 11, 1)),
        ] {
            for expr in ["30 2 * * *", "30 1 * * *"] {
                let r = Recurrence::new(Cadence::cron(expr), d(2026, 1, 1), t(0, 0), 30, tz)
                    .expect("valid");
                let occs = by_local_dates(&r, day - TimeDelta::days(3), day + TimeDelta::days(4));
                let dates: Vec<NaiveDate> = occs.iter().map(|o| o.local_date).collect();
                let expected: Vec<NaiveDate> = (-3..=3).map(|k| day + TimeDelta::days(k)).collect();
                assert_eq!(dates, expected, "{tz} {expr}");
                for w in occs.windows(2) {
                    assert!(w[0].starts_at < w[1].starts_at);
                }
                for o in &occs {
                    assert_eq!(
                        o.starts_at,
                        resolve_local(tz, o.scheduled_local),
                        "{tz} {expr}"
                    );
                    assert_eq!(o.starts_at.with_timezone(&tz).date_naive(), o.local_date);
                }
            }
        }
        // Spot checks: spring day → 03:00 local, fall day → first 02:30.
        let r = rec("cron 30 2 * * *", d(2026, 1, 1), t(0, 0), Europe::Stockholm);
        let spring = by_local_dates(&r, d(2026, 3, 29), d(2026, 3, 30));
        assert_eq!(spring[0].starts_at, utc(2026, 3, 29, 1, 0));
        let fall = by_local_dates(&r, d(2026, 10, 25), d(2026, 10, 26));
        assert_eq!(fall[0].starts_at, utc(2026, 10, 25, 0, 30));
    }

    #[test]
    fn cron_validation() {
        let tz = chrono_tz::Europe::Stockholm;
        let new = |expr: &str| Recurrence::new(Cadence::cron(expr), d(2026, 1, 1), t(0, 0), 60, tz);
        for expr in [
            "* * * * *",
            "0 * * * *",
            "0,30 13 * * *",
            "0 13,14 * * *",
            "*/15 9 * * 1",
            "@hourly",
        ] {
            assert!(
                matches!(new(expr), Err(RecurrenceError::TooFrequent { .. })),
                "{expr}"
            );
        }
        assert_eq!(
            new("0 13 * *"),
            Err(RecurrenceError::CronWrongShape {
                expr: "0 13 * *".into(),
                fields: 4
            })
        );
        assert!(matches!(
            new("0 0 13 * * *"),
            Err(RecurrenceError::CronWrongShape { fields: 6, .. })
        ));
        assert!(matches!(
            new(""),
            Err(RecurrenceError::CronWrongShape { fields: 0, .. })
        ));
        for expr in [
            "61 13 * * *",
            "0 24 * * *",
            "0 13 32 * *",
            "0 13 0 * *",
            "0 13 * 13 *",
            "0 13 * * 8",
            "0 13 * * foo",
            "0 13 * * 5-1",
            "0 13 * * 1/2",
            "0 13 L * *",
            "0 13 * * 1#2",
            "x 13 * * *",
            "@reboot",
        ] {
            assert!(
                matches!(new(expr), Err(RecurrenceError::CronInvalid { .. })),
                "{expr}: {:?}",
                new(expr)
            );
        }
        assert!(matches!(
            new("0 13 30 2 *"),
            Err(RecurrenceError::CronNeverFires { .. })
        ));
        assert!(new("0 13 29 2 *").is_ok(), "leap days do occur");
        assert!(new("@weekly").is_ok());
        assert!(new("  0   13 *  * 2 ").is_ok());
    }

    // ----- Validation ------------------------------------------------------------

    #[test]
    fn recurrence_validation() {
        let tz = chrono_tz::Europe::Stockholm;
        let a = d(2026, 1, 1);
        let new = |c: Cadence, start: NaiveTime, dur: u32| Recurrence::new(c, a, start, dur, tz);
        let weekly = |interval| Cadence::Weekly {
            interval,
            weekday: Weekday::Mon,
        };
        let monthly = |interval, day| Cadence::Monthly { interval, day };
        assert_eq!(
            new(weekly(0), t(10, 0), 60),
            Err(RecurrenceError::WeeklyIntervalOutOfRange(0))
        );
        assert_eq!(
            new(weekly(53), t(10, 0), 60),
            Err(RecurrenceError::WeeklyIntervalOutOfRange(53))
        );
        assert!(new(weekly(52), t(10, 0), 60).is_ok());
        for bad in [0, 5, 7, 13, 24] {
            assert_eq!(
                new(monthly(bad, MonthDay::Day(1)), t(10, 0), 60),
                Err(RecurrenceError::MonthlyIntervalUnsupported(bad))
            );
        }
        for good in MONTHLY_INTERVALS {
            assert!(new(monthly(good, MonthDay::Day(1)), t(10, 0), 60).is_ok());
        }
        assert_eq!(
            new(monthly(1, MonthDay::Day(0)), t(10, 0), 60),
            Err(RecurrenceError::MonthDayOutOfRange(0))
        );
        assert_eq!(
            new(monthly(1, MonthDay::Day(32)), t(10, 0), 60),
            Err(RecurrenceError::MonthDayOutOfRange(32))
        );
        let nth = |n| MonthDay::Nth {
            n,
            weekday: Weekday::Tue,
        };
        assert_eq!(
            new(monthly(1, nth(0)), t(10, 0), 60),
            Err(RecurrenceError::NthOutOfRange(0))
        );
        assert_eq!(
            new(monthly(1, nth(5)), t(10, 0), 60),
            Err(RecurrenceError::NthOutOfRange(5))
        );
        assert_eq!(
            new(weekly(1), t(10, 0), 0),
            Err(RecurrenceError::DurationOutOfRange(0))
        );
        assert_eq!(
            new(weekly(1), t(10, 0), 1441),
            Err(RecurrenceError::DurationOutOfRange(1441))
        );
        assert!(new(weekly(1), t(10, 0), 1440).is_ok());
        let odd = NaiveTime::from_hms_opt(10, 0, 30).expect("time");
        assert_eq!(
            new(weekly(1), odd, 60),
            Err(RecurrenceError::StartNotWholeMinute(odd))
        );
        assert_eq!(
            Recurrence::new(weekly(1), d(1969, 12, 31), t(10, 0), 60, tz),
            Err(RecurrenceError::AnchorOutOfRange(d(1969, 12, 31)))
        );
        // Serde goes through the same validation (tz stored by name).
        let r = new(weekly(2), t(10, 0), 60).expect("valid");
        let repr = RecurrenceRepr::from(r.clone());
        assert_eq!(repr.tz, "Europe/Stockholm");
        assert_eq!(Recurrence::try_from(repr), Ok(r));
        let bad = RecurrenceRepr {
            cadence: weekly(1),
            anchor: a,
            start: t(10, 0),
            duration_minutes: 60,
            tz: "Mars/Olympus".into(),
        };
        assert_eq!(
            Recurrence::try_from(bad),
            Err(RecurrenceError::UnknownTimeZone("Mars/Olympus".into()))
        );
    }

    // ----- Spec language ---------------------------------------------------------

    #[test]
    fn parse_examples() {
        use MonthDay::*;
        use Weekday::*;
        let w = |interval, weekday| Cadence::Weekly { interval, weekday };
        let m = |interval, day| Cadence::Monthly { interval, day };
        let cases: Vec<(&str, Cadence)> = vec![
            ("weekly mon", w(1, Mon)),
            ("veckovis måndag", w(1, Mon)),
            ("Veckovis MÅNDAG", w(1, Mon)),
            ("weekly tue", w(1, Tue)),
            ("weekly on Tuesday", w(1, Tue)),
            ("veckovis tisdagar", w(1, Tue)),
            ("weekly wed", w(1, Wed)),
            ("veckovis ons", w(1, Wed)),
            ("weekly fre", w(1, Fri)),
            ("weekly lör", w(1, Sat)),
            ("weekly söndag", w(1, Sun)),
            ("biweekly thu", w(2, Thu)),
            ("every-other-week thu", w(2, Thu)),
            ("every other week thursday", w(2, Thu)),
            ("varannan-vecka torsdag", w(2, Thu)),
            ("varannan vecka tor", w(2, Thu)),
            ("every 3 weeks tue", w(3, Tue)),
            ("var 3:e vecka tisdag", w(3, Tue)),
            ("every week mon", w(1, Mon)),
            ("monthly 15", m(1, Day(15))),
            ("monthly 31", m(1, Day(31))),
            ("monthly last", m(1, Day(31))),
            ("månadsvis sista", m(1, Day(31))),
            ("monthly 2nd tue", m(1, Nth { n: 2, weekday: Tue })),
            ("monthly 1st mon", m(1, Nth { n: 1, weekday: Mon })),
            ("monthly first monday", m(1, Nth { n: 1, weekday: Mon })),
            (
                "monthly on the 3rd wednesday",
                m(1, Nth { n: 3, weekday: Wed }),
            ),
            ("monthly 4th fri", m(1, Nth { n: 4, weekday: Fri })),
            ("monthly last fri", m(1, Last { weekday: Fri })),
            ("månadsvis sista fredagen", m(1, Last { weekday: Fri })),
            (
                "månadsvis sista fredagen i månaden",
                m(1, Last { weekday: Fri }),
            ),
            ("månadsvis 2:a tisdagen", m(1, Nth { n: 2, weekday: Tue })),
            ("månadsvis andra tisdagen", m(1, Nth { n: 2, weekday: Tue })),
            ("månadsvis 3:e onsdagen", m(1, Nth { n: 3, weekday: Wed })),
            (
                "månadsvis fjärde torsdagen",
                m(1, Nth { n: 4, weekday: Thu }),
            ),
            ("månadsvis 15", m(1, Day(15))),
            ("månadsvis den 15:e", m(1, Day(15))),
            ("monthly 15th", m(1, Day(15))),
            ("every 2 months 1", m(2, Day(1))),
            ("varannan månad 1", m(2, Day(1))),
            ("quarterly 1st mon", m(3, Nth { n: 1, weekday: Mon })),
            ("kvartalsvis 1:a måndagen", m(3, Nth { n: 1, weekday: Mon })),
            ("tertialvis 10", m(4, Day(10))),
            ("half-yearly 15", m(6, Day(15))),
            ("halvårsvis 15", m(6, Day(15))),
            ("yearly last fri", m(12, Last { weekday: Fri })),
            ("årsvis sista fredagen", m(12, Last { weekday: Fri })),
            ("annually 1", m(12, Day(1))),
            ("cron 0 13 * * 2", Cadence::cron("0 13 * * 2")),
            ("CRON   0 13 * *   TUE ", Cadence::cron("0 13 * * TUE")),
        ];
        for (spec, expected) in cases {
            assert_eq!(parse_cadence(spec), Ok(expected.clone()), "{spec}");
            assert_eq!(spec.parse::<Cadence>(), Ok(expected), "{spec}");
        }
    }

    #[test]
    fn canonical_specs() {
        let cases = [
            ("veckovis måndag", "weekly mon", "veckovis måndag"),
            (
                "every-other-week thu",
                "biweekly thu",
                "varannan vecka torsdag",
            ),
            (
                "every 3 weeks tue",
                "every 3 weeks tue",
                "var 3:e vecka tisdag",
            ),
            (
                "månadsvis 2:a tisdagen",
                "monthly 2nd tue",
                "månadsvis 2:a tisdagen",
            ),
            ("monthly last", "monthly 31", "månadsvis 31"),
            (
                "kvartalsvis sista fredagen",
                "quarterly last fri",
                "kvartalsvis sista fredagen",
            ),
            ("halvårsvis 15", "half-yearly 15", "halvårsvis 15"),
            (
                "årsvis 1:a måndagen",
                "yearly 1st mon",
                "årsvis 1:a måndagen",
            ),
            ("varannan månad 3", "every 2 months 3", "varannan månad 3"),
            ("tertialvis 3", "every 4 months 3", "tertialvis 3"),
            ("cron  0 13 * *  2", "cron 0 13 * * 2", "cron 0 13 * * 2"),
        ];
        for (input, en, sv) in cases {
            let c = parse_cadence(input).expect(input);
            assert_eq!(c.to_spec(), en, "{input}");
            assert_eq!(c.to_string(), en, "{input}");
            assert_eq!(c.to_spec_sv(), sv, "{input}");
        }
    }

    #[test]
    fn parse_errors() {
        use RecurrenceError as E;
        let word = |w: &str| E::UnknownWord { word: w.into() };
        let cases: Vec<(&str, RecurrenceError)> = vec![
            (
                "",
                E::Incomplete {
                    expected: SpecPart::Cadence,
                },
            ),
            (
                "   ",
                E::Incomplete {
                    expected: SpecPart::Cadence,
                },
            ),
            ("sometimes mon", word("sometimes")),
            ("weekly funday", word("funday")),
            ("veckovis blåmåndag", word("blåmåndag")),
            ("monthly 2nd tuesdag", word("tuesdag")),
            ("monthly soon", word("soon")),
            ("every 2 fortnights mon", word("fortnights")),
            ("every few weeks mon", word("few")),
            (
                "weekly",
                E::Incomplete {
                    expected: SpecPart::Weekday,
                },
            ),
            (
                "monthly",
                E::Incomplete {
                    expected: SpecPart::MonthDay,
                },
            ),
            (
                "monthly tue",
                E::Incomplete {
                    expected: SpecPart::WeekdayOrdinal,
                },
            ),
            (
                "every",
                E::Incomplete {
                    expected: SpecPart::IntervalUnit,
                },
            ),
            (
                "every 3",
                E::Incomplete {
                    expected: SpecPart::IntervalUnit,
                },
            ),
            (
                "cron",
                E::Incomplete {
                    expected: SpecPart::CronExpression,
                },
            ),
            ("weekly mon tue", E::UnexpectedWord { word: "tue".into() }),
            ("monthly 15 16", E::UnexpectedWord { word: "16".into() }),
            ("monthly 0", E::MonthDayOutOfRange(0)),
            ("monthly 32", E::MonthDayOutOfRange(32)),
            ("monthly 99999999999999", E::MonthDayOutOfRange(u32::MAX)),
            ("monthly 5th tue", E::NthOutOfRange(5)),
            ("månadsvis 5:e tisdagen", E::NthOutOfRange(5)),
            ("monthly 0th tue", E::NthOutOfRange(0)),
            ("every 0 weeks mon", E::WeeklyIntervalOutOfRange(0)),
            ("every 53 weeks mon", E::WeeklyIntervalOutOfRange(53)),
            ("every 5 months 1", E::MonthlyIntervalUnsupported(5)),
            (
                "cron * * * * *",
                E::TooFrequent {
                    expr: "* * * * *".into(),
                },
            ),
            (
                "cron 0 13 * *",
                E::CronWrongShape {
                    expr: "0 13 * *".into(),
                    fields: 4,
                },
            ),
        ];
        for (spec, expected) in cases {
            assert_eq!(parse_cadence(spec), Err(expected), "{spec}");
        }
        assert!(matches!(
            parse_cadence("cron 61 13 * * *"),
            Err(E::CronInvalid { .. })
        ));
        assert_eq!(
            E::TooFrequent {
                expr: String::new()
            }
            .code(),
            "too-frequent"
        );
    }

    fn any_cadence_s() -> impl Strategy<Value = Cadence> {
        prop_oneof![
            (1u32..=52, weekday_s())
                .prop_map(|(interval, weekday)| Cadence::Weekly { interval, weekday }),
            (
                prop::sample::select(MONTHLY_INTERVALS.to_vec()),
                month_day_s()
            )
                .prop_map(|(interval, day)| Cadence::Monthly { interval, day }),
            prop::sample::select(vec![
                "0 13 * * 2",
                "30 2 * * *",
                "0 9 1 * mon-fri",
                "15 8 */2 * *",
                "@monthly"
            ])
            .prop_map(Cadence::cron),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn spec_round_trips(c in any_cadence_s()) {
            prop_assert_eq!(parse_cadence(&c.to_spec()), Ok(c.clone()));
            prop_assert_eq!(parse_cadence(&c.to_spec_sv()), Ok(c.clone()));
            if !matches!(c, Cadence::Cron { .. }) {
                prop_assert_eq!(parse_cadence(&c.to_spec().to_uppercase()), Ok(c.clone()));
                prop_assert_eq!(parse_cadence(&c.to_spec_sv().to_uppercase()), Ok(c.clone()));
            }
        }

        #[test]
        fn offset_round_trips(days in 0u32..=MAX_OFFSET_DAYS, minutes in 0u32..=(MAX_OFFSET_DAYS * 1440)) {
            for o in [Offset::Days(days), Offset::Minutes(minutes)] {
                prop_assert_eq!(Offset::parse(&o.to_spec()), Ok(o));
            }
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}", words in prop::collection::vec(
            prop::sample::select(vec!["weekly", "monthly", "every", "var", "other", "2:a", "5th", "last", "sista",
                                      "mon", "tisdagen", "cron", "*", "0", "13", "32", "-", "månad", "weeks", "@daily"]),
            0..6)) {
            let _ = parse_cadence(&s);
            let _ = Offset::parse(&s);
            let _ = parse_cadence(&words.join(" "));
        }

        #[test]
        fn cron_never_panics(expr in "[0-9a-zA-Z*,/?@ -]{0,24}", probe in any::<i64>()) {
            let tz = chrono_tz::Europe::Stockholm;
            if let Ok(r) = Recurrence::new(Cadence::cron(expr), d(2026, 1, 1), t(0, 0), 60, tz) {
                let at = DateTime::<Utc>::from_timestamp(probe % 5_000_000_000, 0).unwrap_or_default();
                let _ = r.next_after(at);
                prop_assert!(r.min_gap() >= TimeDelta::days(1));
            }
        }

        #[test]
        fn queries_never_panic(secs in any::<i64>(), c in any_cadence_s(), zone in 0usize..OTHER_ZONES.len()) {
            let r = Recurrence::new(c, d(2026, 1, 1), t(2, 30), 60, OTHER_ZONES[zone]).expect("valid");
            let at = DateTime::<Utc>::from_timestamp(secs / 1000, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);
            if let Some(o) = r.next_after(at) {
                prop_assert!(o.starts_at > at);
                let _ = reminder_at(&o, r.tz(), Offset::Days(u32::MAX));
                let _ = reminder_at(&o, r.tz(), Offset::Minutes(u32::MAX));
            }
            let local = DateTime::<Utc>::from_timestamp(secs / 1000, 0).map(|x| x.naive_utc()).unwrap_or(NaiveDateTime::MAX);
            let _ = resolve_local(OTHER_ZONES[zone], local);
        }
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let tz = chrono_tz::Pacific::Kiritimati;
        for spec in ["weekly mon", "yearly last fri", "cron 0 13 * * 2"] {
            let r = rec(spec, d(2026, 1, 1), t(10, 0), tz);
            assert!(r.next_after(DateTime::<Utc>::MIN_UTC).is_some(), "{spec}");
            assert!(r.next_after(DateTime::<Utc>::MAX_UTC).is_none(), "{spec}");
            assert!(r
                .occurrences_between(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC)
                .is_empty());
        }
        for local in [NaiveDateTime::MIN, NaiveDateTime::MAX] {
            let _ = resolve_local(tz, local);
        }
        // Far-future queries stop at the cron engine's horizon (2100).
        let r = rec("cron 0 13 * * 2", d(2026, 1, 1), t(10, 0), tz);
        assert!(r.next_after(utc(2101, 1, 1, 0, 0)).is_none());
        // Presets keep going.
        let r = rec("weekly mon", d(2026, 1, 1), t(10, 0), tz);
        assert!(r.next_after(utc(2500, 1, 1, 0, 0)).is_some());
    }

    // ----- Offsets -----------------------------------------------------------------

    #[test]
    fn offsets_parse() {
        let cases = [
            ("14d", Offset::Days(14)),
            ("3d", Offset::Days(3)),
            ("1d", Offset::Days(1)),
            ("1w", Offset::Days(7)),
            ("2h", Offset::Minutes(120)),
            ("15m", Offset::Minutes(15)),
            ("0m", Offset::Minutes(0)),
            ("14 dagar", Offset::Days(14)),
            ("1 dag", Offset::Days(1)),
            ("2 veckor", Offset::Days(14)),
            ("2 tim", Offset::Minutes(120)),
            ("1 timme", Offset::Minutes(60)),
            ("15 min", Offset::Minutes(15)),
            ("2 Days", Offset::Days(2)),
            ("1 week", Offset::Days(7)),
            ("3 hours", Offset::Minutes(180)),
            ("45 minutes", Offset::Minutes(45)),
        ];
        for (spec, expected) in cases {
            assert_eq!(Offset::parse(spec), Ok(expected), "{spec}");
            assert_eq!(spec.parse::<Offset>(), Ok(expected), "{spec}");
            assert_eq!(parse_offset(spec), Ok(expected), "{spec}");
        }
        for (o, spec) in [
            (Offset::Days(14), "14d"),
            (Offset::Days(7), "7d"),
            (Offset::Days(3), "3d"),
            (Offset::Days(0), "0d"),
            (Offset::Minutes(120), "2h"),
            (Offset::Minutes(90), "90m"),
        ] {
            assert_eq!(o.to_spec(), spec);
        }
        for bad in ["", "d", "14", "14x", "-1d", "1.5h", "två dagar", "1d2h"] {
            assert_eq!(
                Offset::parse(bad),
                Err(RecurrenceError::InvalidOffset { spec: bad.into() }),
                "{bad}"
            );
        }
        for big in ["367d", "53w", "99999999999d", "900000h"] {
            assert_eq!(
                Offset::parse(big),
                Err(RecurrenceError::OffsetTooLarge { spec: big.into() }),
                "{big}"
            );
        }
    }

    #[test]
    fn day_before_reminder_keeps_local_time_across_dst() {
        let tz = chrono_tz::Europe::Stockholm;
        let r = rec("weekly mon", d(2026, 3, 1), t(10, 0), tz);
        // The Monday right after the spring-forward Sunday (2026-03-29).
        let occ = r.next_after(utc(2026, 3, 29, 0, 0)).expect("occurrence");
        assert_eq!(occ.local_date, d(2026, 3, 30));
        assert_eq!(occ.starts_at, utc(2026, 3, 30, 8, 0));
        let local = |x: DateTime<Utc>| x.with_timezone(&tz).naive_local();
        let day_before = reminder_at(&occ, tz, Offset::Days(1));
        assert_eq!(
            local(day_before),
            d(2026, 3, 29).and_time(t(10, 0)),
            "Sunday 10:00 local"
        );
        assert_eq!(day_before.with_timezone(&tz).weekday(), Weekday::Sun);
        // Two days before is Saturday 10:00 CET: 47 hours, not 48.
        let two = reminder_at(&occ, tz, Offset::Days(2));
        assert_eq!(local(two), d(2026, 3, 28).and_time(t(10, 0)));
        assert_eq!(occ.starts_at - two, TimeDelta::hours(47));
        let week = reminder_at(&occ, tz, Offset::Days(7));
        assert_eq!(week, utc(2026, 3, 23, 9, 0));
        // Minute/hour offsets are exact durations.
        assert_eq!(
            reminder_at(&occ, tz, Offset::Minutes(120)),
            utc(2026, 3, 30, 6, 0)
        );
        assert_eq!(
            reminder_at(&occ, tz, Offset::Minutes(15)),
            utc(2026, 3, 30, 7, 45)
        );
        // A day-before reminder for a meeting in the gap uses the scheduled wall time.
        let r = rec("weekly mon", d(2026, 3, 1), t(2, 30), tz);
        let occ = r.next_after(utc(2026, 3, 29, 0, 0)).expect("occurrence");
        let sunday = reminder_at(&occ, tz, Offset::Days(1));
        assert_eq!(
            sunday,
            utc(2026, 3, 29, 1, 0),
            "Sunday 02:30 does not exist → 03:00"
        );
    }
}
