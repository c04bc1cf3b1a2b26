//! Agenda collection: items proposed for a meeting (and questions sent in advance), how the
//! chair triages them, the forum's agenda settings (deadline, empty-agenda policy, sectioned
//! format, standing items), and the agenda as catalogue messages, one block per entry.
//!
//! Pure: the clock, the database and the platform are the callers'. Text people type is kept as
//! typed and travels as [`Arg::Inline`]/[`Arg::Typed`], so every renderer escapes it its own way.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::feed::{FeedKind, Feeds};
use super::ids::{ChannelId, ForumId, GuildId, RoleId, UserId};
use super::meeting::{MeetingId, MeetingState};
use crate::i18n::{Arg, Msg};
use crate::msg;

/// Longest item title (one line on an agenda).
pub const MAX_TITLE: usize = 200;
/// Longest background: a Discord modal text input holds at most 4000 characters.
pub const MAX_BACKGROUND: usize = 4000;
/// Longest question.
pub const MAX_QUESTION: usize = 2000;
/// Longest rejection reason (sent to the proposer).
pub const MAX_REASON: usize = 1000;
/// Longest presenter name.
pub const MAX_PRESENTER: usize = 100;
/// Longest estimate or timebox, in minutes.
pub const MAX_MINUTES: i64 = 600;
/// Longest agenda deadline: 60 days before the meeting.
pub const MAX_DEADLINE_MINUTES: i64 = 60 * 24 * 60;
/// The default deadline: 3 days before the meeting.
pub const DEFAULT_DEADLINE_MINUTES: i64 = 3 * 24 * 60;
/// Most standing items a forum keeps.
pub const MAX_STANDING: usize = 20;
/// Most items (proposals and questions) one meeting takes.
pub const MAX_ITEMS: i64 = 200;

/// An agenda item's row id, shown to people as `#12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemId(pub i64);

impl std::fmt::Display for ItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Proposal,
    /// A question to be answered at the meeting ("frågor i förväg"): gathered under one item.
    Question,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Proposal => "proposal",
            ItemKind::Question => "question",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "proposal" => Some(ItemKind::Proposal),
            "question" => Some(ItemKind::Question),
            _ => None,
        }
    }
}

/// What the proposer wants from the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wants {
    Information,
    Discussion,
    Decision,
}

impl Wants {
    pub fn as_str(self) -> &'static str {
        match self {
            Wants::Information => "information",
            Wants::Discussion => "discussion",
            Wants::Decision => "decision",
        }
    }

    /// Stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "information" => Some(Wants::Information),
            "discussion" => Some(Wants::Discussion),
            "decision" => Some(Wants::Decision),
            _ => None,
        }
    }

    /// What a person typed in a modal: English or Swedish, any case, a prefix of three letters
    /// or more (`info`, `diskussion`, `beslut`); empty is a discussion.
    pub fn from_input(input: &str) -> Option<Self> {
        let t = input.trim().to_lowercase();
        if t.is_empty() {
            return Some(Wants::Discussion);
        }
        let words: [(&str, Wants); 6] = [
            ("information", Wants::Information),
            ("discussion", Wants::Discussion),
            ("diskussion", Wants::Discussion),
            ("decision", Wants::Decision),
            ("beslut", Wants::Decision),
            ("informera", Wants::Information),
        ];
        if t.chars().count() < 3 {
            return None;
        }
        words
            .iter()
            .find(|(w, _)| w.starts_with(t.as_str()))
            .map(|(_, v)| *v)
    }

    pub fn label(self) -> Msg {
        match self {
            Wants::Information => msg!("agenda-wants-information"),
            Wants::Discussion => msg!("agenda-wants-discussion"),
            Wants::Decision => msg!("agenda-wants-decision"),
        }
    }
}

/// Where an item is in triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    /// Waiting for the chair.
    Proposed,
    Accepted,
    /// With a reason the proposer was told privately.
    Rejected,
    /// Moved to a later meeting, to be triaged there.
    Deferred,
    /// A duplicate, merged into another item.
    Merged,
    /// Dealt with at the meeting.
    Handled,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Proposed => "proposed",
            ItemStatus::Accepted => "accepted",
            ItemStatus::Rejected => "rejected",
            ItemStatus::Deferred => "deferred",
            ItemStatus::Merged => "merged",
            ItemStatus::Handled => "handled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "proposed" => ItemStatus::Proposed,
            "accepted" => ItemStatus::Accepted,
            "rejected" => ItemStatus::Rejected,
            "deferred" => ItemStatus::Deferred,
            "merged" => ItemStatus::Merged,
            "handled" => ItemStatus::Handled,
            _ => return None,
        })
    }

    /// Still on its way to a meeting: shown on the agenda, carried over, changeable.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ItemStatus::Proposed | ItemStatus::Accepted | ItemStatus::Deferred
        )
    }

    /// Waiting for the chair's decision.
    pub fn awaits_triage(self) -> bool {
        matches!(self, ItemStatus::Proposed | ItemStatus::Deferred)
    }

    pub fn label(self) -> Msg {
        match self {
            ItemStatus::Proposed => msg!("agenda-status-proposed"),
            ItemStatus::Accepted => msg!("agenda-status-accepted"),
            ItemStatus::Rejected => msg!("agenda-status-rejected"),
            ItemStatus::Deferred => msg!("agenda-status-deferred"),
            ItemStatus::Merged => msg!("agenda-status-merged"),
            ItemStatus::Handled => msg!("agenda-status-handled"),
        }
    }
}

/// One item on (or once on) a meeting's agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub id: ItemId,
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: MeetingId,
    pub kind: ItemKind,
    /// As typed (trimmed, whitespace folded).
    pub title: String,
    pub background: String,
    pub wants: Wants,
    pub minutes: Option<i64>,
    pub proposer: UserId,
    pub organisation: Option<RoleId>,
    /// The chat message it was proposed from.
    pub source: Option<(ChannelId, u64)>,
    pub status: ItemStatus,
    pub reason: Option<String>,
    pub merged_into: Option<ItemId>,
    /// Proposed after this meeting's deadline (the chair may pull it in).
    pub late_for: Option<MeetingId>,
    pub position: i64,
    pub timebox: Option<i64>,
    pub presenter: Option<String>,
    /// How many times it was carried over to a later meeting.
    pub carried: i64,
    /// Bumped by every change: a triage decided from an older version is refused.
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

/// A validated new item; the store adds id, position and version.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: MeetingId,
    pub kind: ItemKind,
    pub title: String,
    pub background: String,
    pub wants: Wants,
    pub minutes: Option<i64>,
    pub proposer: UserId,
    pub organisation: Option<RoleId>,
    pub source: Option<(ChannelId, u64)>,
    pub late_for: Option<MeetingId>,
    pub created_at: DateTime<Utc>,
}

/// One line of an item's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// `proposed`, `accepted`, `rejected`, `deferred`, `merged`, `moved`, `carried`,
    /// `pulled_in`, `handled`, `timeboxed`, `presenter`.
    pub event: String,
    pub meeting: Option<MeetingId>,
    pub actor: Option<UserId>,
    pub detail: Option<String>,
}

/// What a forum does when, at the deadline, nothing but standing items is on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EmptyPolicy {
    /// Publish it and meet anyway.
    #[default]
    Hold,
    /// Publish it and tell the chair.
    Notify,
    /// Cancel the meeting (the `cancel_without_agenda` template flag).
    Cancel,
}

impl EmptyPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            EmptyPolicy::Hold => "hold",
            EmptyPolicy::Notify => "notify",
            EmptyPolicy::Cancel => "cancel",
        }
    }

    /// Stored form, or what a person typed (English or Swedish).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "hold" | "håll" | "hall" | "genomför" | "genomfor" => Some(EmptyPolicy::Hold),
            "notify" | "meddela" | "notify-chair" => Some(EmptyPolicy::Notify),
            "cancel" | "ställ in" | "ställin" | "stall in" | "inställ" => {
                Some(EmptyPolicy::Cancel)
            }
            _ => None,
        }
    }

    pub fn label(self) -> Msg {
        match self {
            EmptyPolicy::Hold => msg!("agenda-empty-hold"),
            EmptyPolicy::Notify => msg!("agenda-empty-notify"),
            EmptyPolicy::Cancel => msg!("agenda-empty-cancel"),
        }
    }
}

/// A sectioned agenda with timeboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The A3 dialogue template ("samtalsmall"): prerequisites and participants 5 min,
    /// background 20, reflection and analysis 45, best of all worlds and next steps 15.
    A3,
}

/// One section of a format: its catalogue label and its timebox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    pub label: &'static str,
    pub minutes: i64,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::A3 => "a3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "a3" | "a3-dialog" | "samtalsmall" => Some(Format::A3),
            _ => None,
        }
    }

    pub fn sections(self) -> &'static [Section] {
        match self {
            Format::A3 => &[
                Section {
                    label: "agenda-a3-prerequisites",
                    minutes: 5,
                },
                Section {
                    label: "agenda-a3-background",
                    minutes: 20,
                },
                Section {
                    label: "agenda-a3-reflection",
                    minutes: 45,
                },
                Section {
                    label: "agenda-a3-next-steps",
                    minutes: 15,
                },
            ],
        }
    }

    /// The section the proposed items are listed under.
    pub fn items_section(self) -> usize {
        match self {
            Format::A3 => 2,
        }
    }
}

/// A forum's agenda settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaSettings {
    /// How long before the meeting proposals close and the agenda is published.
    pub deadline_minutes: i64,
    pub empty: EmptyPolicy,
    pub format: Option<Format>,
}

impl Default for AgendaSettings {
    fn default() -> Self {
        Self {
            deadline_minutes: DEFAULT_DEADLINE_MINUTES,
            empty: EmptyPolicy::Hold,
            format: None,
        }
    }
}

impl AgendaSettings {
    /// When proposals for a meeting starting at `starts_at` close.
    pub fn deadline(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at - Duration::minutes(self.deadline_minutes)
    }

    /// The deadline as people write it: `3d`, `36h`, `90m`, `0h`.
    pub fn deadline_spec(&self) -> String {
        deadline_spec(self.deadline_minutes)
    }
}

/// Where a standing item goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// Before the proposed items ("Föregående minnesanteckningar").
    Start,
    /// After them ("Övriga frågor").
    End,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Start => "start",
            Place::End => "end",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "" | "start" | "först" | "forst" | "början" | "borjan" | "top" => Some(Place::Start),
            "end" | "sist" | "slut" | "slutet" | "bottom" => Some(Place::End),
            _ => None,
        }
    }
}

/// An item on every agenda of a forum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub title: String,
    pub place: Place,
    pub position: i64,
}

/// Why text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong { max: usize },
    Control,
}

/// A one-line text (a title, a presenter): trimmed, inner whitespace (line breaks included)
/// folded to single spaces, 1..=`max` characters, no control characters. Markdown and mentions
/// are kept as typed: they are escaped where shown.
pub fn one_line(input: &str, max: usize) -> Result<String, TextProblem> {
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextProblem::Control);
    }
    let folded = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.is_empty() {
        return Err(TextProblem::Empty);
    }
    if folded.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(folded)
}

/// A longer text (a background, a question): trimmed, line breaks kept (`\r\n` → `\n`),
/// at most `max` characters, no other control characters. Empty is allowed here; the caller
/// decides whether it must not be.
pub fn long_text(input: &str, max: usize) -> Result<String, TextProblem> {
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(TextProblem::Control);
    }
    let text = input.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(text.to_string())
}

/// Input that could not be read as what it should be (a number of minutes, a deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUnderstood;

/// Minutes as typed in a modal (`20`, `20 min`, `1h`); empty is none.
pub fn parse_minutes(input: &str) -> Result<Option<i64>, NotUnderstood> {
    let t = input.trim().to_lowercase();
    if t.is_empty() {
        return Ok(None);
    }
    let t = t
        .trim_end_matches("minuter")
        .trim_end_matches("minutes")
        .trim_end_matches("min")
        .trim_end_matches('m')
        .trim();
    let n = if let Some(h) = t.strip_suffix('h') {
        h.trim()
            .parse::<i64>()
            .map_err(|_| NotUnderstood)?
            .checked_mul(60)
    } else {
        t.parse::<i64>().ok()
    };
    match n {
        Some(n) if (1..=MAX_MINUTES).contains(&n) => Ok(Some(n)),
        _ => Err(NotUnderstood),
    }
}

/// An agenda deadline as typed: `3d`, `72h`, `90m`, `0` (proposals until the start), or a
/// bare number of days; at most 60 days.
pub fn parse_deadline(input: &str) -> Result<i64, NotUnderstood> {
    let t = input.trim().to_lowercase().replace(' ', "");
    let (num, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t.as_str(), "d"),
    };
    let n: i64 = num.parse().map_err(|_| NotUnderstood)?;
    let per = match unit {
        "d" | "dag" | "dagar" | "days" | "day" => 24 * 60,
        "h" | "tim" | "timmar" | "hours" | "hour" => 60,
        "m" | "min" | "minuter" | "minutes" => 1,
        _ => return Err(NotUnderstood),
    };
    let minutes = n.checked_mul(per).ok_or(NotUnderstood)?;
    if (0..=MAX_DEADLINE_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(NotUnderstood)
    }
}

/// The deadline as people write it.
pub fn deadline_spec(minutes: i64) -> String {
    if minutes == 0 {
        "0h".to_string()
    } else if minutes % (24 * 60) == 0 {
        format!("{}d", minutes / (24 * 60))
    } else if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// What the chair does to an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriageAction {
    Accept,
    Reject { reason: String },
    Defer,
    Merge { into: i64 },
    Move { position: i64 },
    Timebox { minutes: i64 },
    Presenter { name: String },
    PullIn,
    Done,
}

impl TriageAction {
    /// The history event it records.
    pub fn event(&self) -> &'static str {
        match self {
            TriageAction::Accept => "accepted",
            TriageAction::Reject { .. } => "rejected",
            TriageAction::Defer => "deferred",
            TriageAction::Merge { .. } => "merged",
            TriageAction::Move { .. } => "moved",
            TriageAction::Timebox { .. } => "timeboxed",
            TriageAction::Presenter { .. } => "presenter",
            TriageAction::PullIn => "pulled_in",
            TriageAction::Done => "handled",
        }
    }
}

/// Why a triage step is not possible for an item in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriageProblem {
    /// It already is in the state asked for.
    Already(ItemStatus),
    /// It is closed (rejected, merged, handled) for this action.
    Closed(ItemStatus),
    /// `/agenda done` on an item not accepted.
    NotAccepted,
    /// Pull-in of an item that was not late.
    NotLate,
}

/// The status after `action`, or why not. Ordering, timeboxes and presenters keep the status.
pub fn triage(status: ItemStatus, action: &TriageAction) -> Result<ItemStatus, TriageProblem> {
    use ItemStatus as S;
    use TriageAction as A;
    match action {
        A::Accept => match status {
            S::Proposed | S::Deferred | S::Rejected => Ok(S::Accepted),
            S::Accepted => Err(TriageProblem::Already(S::Accepted)),
            s => Err(TriageProblem::Closed(s)),
        },
        A::Reject { .. } => match status {
            S::Proposed | S::Deferred | S::Accepted => Ok(S::Rejected),
            S::Rejected => Err(TriageProblem::Already(S::Rejected)),
            s => Err(TriageProblem::Closed(s)),
        },
        A::Defer => match status {
            S::Proposed | S::Deferred | S::Accepted => Ok(S::Deferred),
            s => Err(TriageProblem::Closed(s)),
        },
        A::Merge { .. } => match status {
            S::Proposed | S::Deferred | S::Accepted => Ok(S::Merged),
            s => Err(TriageProblem::Closed(s)),
        },
        A::Move { .. } | A::Timebox { .. } | A::Presenter { .. } | A::PullIn => {
            if status.is_open() {
                Ok(status)
            } else {
                Err(TriageProblem::Closed(status))
            }
        }
        A::Done => match status {
            S::Accepted => Ok(S::Handled),
            S::Handled => Err(TriageProblem::Already(S::Handled)),
            S::Proposed | S::Deferred => Err(TriageProblem::NotAccepted),
            s => Err(TriageProblem::Closed(s)),
        },
    }
}

/// May items of a meeting in this state still be marked handled? Until its record (minutes)
/// arrives.
pub fn may_mark_handled(state: MeetingState) -> bool {
    matches!(
        state,
        MeetingState::Scheduled | MeetingState::Moved | MeetingState::Open | MeetingState::Held
    )
}

/// Whether a meeting's agenda still takes proposals at `now`.
pub fn agenda_open(
    state: MeetingState,
    starts_at: DateTime<Utc>,
    settings: &AgendaSettings,
    now: DateTime<Utc>,
) -> bool {
    state.is_planned() && now < settings.deadline(starts_at) && now < starts_at
}

/// Nothing but standing items: no proposal or question that is still open.
pub fn is_empty(items: &[AgendaItem]) -> bool {
    !items.iter().any(|i| i.status.is_open())
}

/// Everything the agenda of one meeting shows.
#[derive(Debug, Clone)]
pub struct AgendaView<'a> {
    pub forum_name: &'a str,
    pub starts_at: DateTime<Utc>,
    pub zone: Tz,
    pub state: MeetingState,
    pub cancel_reason: Option<&'a str>,
    pub deadline: DateTime<Utc>,
    pub published: bool,
    pub format: Option<Format>,
    pub standing: &'a [Standing],
    /// The meeting's items in their order (any status: closed ones are left out here).
    pub items: &'a [AgendaItem],
}

/// The agenda as catalogue messages, one block per entry: a header, each standing item, each
/// section, each item, the questions, what awaits triage. A splitter may break between blocks
/// (never inside one). Pure and cheap: no I/O, one pass over the items.
pub fn render(view: &AgendaView<'_>) -> Vec<Msg> {
    render_with_feeds(view, &Feeds::default())
}

/// [`render`] with the generated lines of the standing items ([`crate::domain::feed`]): each
/// under the standing item whose title names its kind, or, when the forum has none, under a
/// heading of the kind's own in the kind's place (after the standing items at the start, or
/// before those at the end).
pub fn render_with_feeds(view: &AgendaView<'_>, feeds: &Feeds) -> Vec<Msg> {
    let mut out = Vec::with_capacity(view.items.len() + view.standing.len() + 8);
    let when = Arg::time(view.starts_at, view.zone);
    out.push(msg!(
        "agenda-header",
        name = view.forum_name,
        when = when.clone()
    ));
    if view.state.is_cancelled() {
        out.push(msg!(
            "agenda-cancelled",
            reason = Arg::Inline(view.cancel_reason.unwrap_or_default().to_string())
        ));
        return out;
    }
    if !view.published {
        out.push(msg!(
            "agenda-draft",
            deadline = Arg::time(view.deadline, view.zone)
        ));
    }
    let mut n: i64 = 0;
    // The kinds the forum's standing items name (the first item of a kind gets its lines).
    let mut named: Vec<FeedKind> = Vec::new();
    let mut standing_line = |out: &mut Vec<Msg>, n: i64, s: &Standing| {
        out.push(msg!(
            "agenda-line-standing",
            n = n,
            title = Arg::Inline(s.title.clone())
        ));
        if let Some(k) = FeedKind::of_title(&s.title).filter(|k| !named.contains(k)) {
            named.push(k);
            out.extend(feeds.lines(k, view.zone));
        }
    };
    let unnamed: Vec<FeedKind> = FeedKind::ALL
        .into_iter()
        .filter(|k| {
            !feeds.is_empty_for(*k)
                && !view
                    .standing
                    .iter()
                    .any(|s| FeedKind::of_title(&s.title) == Some(*k))
        })
        .collect();
    let feed_heading = |out: &mut Vec<Msg>, n: i64, k: FeedKind| {
        out.push(msg!("agenda-line-feed", n = n, title = k.title()));
        out.extend(feeds.lines(k, view.zone));
    };
    for s in view.standing.iter().filter(|s| s.place == Place::Start) {
        n += 1;
        standing_line(&mut out, n, s);
    }
    for k in unnamed.iter().filter(|k| k.place() == Place::Start) {
        n += 1;
        feed_heading(&mut out, n, *k);
    }
    let on_agenda = |i: &&AgendaItem| {
        i.kind == ItemKind::Proposal
            && matches!(i.status, ItemStatus::Accepted | ItemStatus::Handled)
    };
    match view.format {
        None => {
            for i in view.items.iter().filter(on_agenda) {
                n += 1;
                out.push(item_line(i, n));
            }
        }
        Some(format) => {
            for (k, s) in format.sections().iter().enumerate() {
                n += 1;
                out.push(msg!(
                    "agenda-line-section",
                    n = n,
                    label = Msg::new(s.label),
                    minutes = s.minutes
                ));
                if k == format.items_section() {
                    for (j, i) in view.items.iter().filter(on_agenda).enumerate() {
                        out.push(item_line(i, j as i64 + 1));
                    }
                }
            }
        }
    }
    let questions: Vec<&AgendaItem> = view
        .items
        .iter()
        .filter(|i| {
            i.kind == ItemKind::Question && (i.status.is_open() || i.status == ItemStatus::Handled)
        })
        .collect();
    if !questions.is_empty() {
        n += 1;
        out.push(msg!(
            "agenda-line-questions",
            n = n,
            count = questions.len()
        ));
        for q in questions {
            out.push(msg!(
                "agenda-line-question",
                id = q.id.0,
                text = Arg::Inline(q.title.clone()),
                who = Arg::User(q.proposer)
            ));
        }
    }
    for k in unnamed.iter().filter(|k| k.place() == Place::End) {
        n += 1;
        feed_heading(&mut out, n, *k);
    }
    for s in view.standing.iter().filter(|s| s.place == Place::End) {
        n += 1;
        standing_line(&mut out, n, s);
    }
    let waiting: Vec<&AgendaItem> = view
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Proposal && i.status.awaits_triage())
        .collect();
    if !waiting.is_empty() {
        out.push(msg!("agenda-waiting-header", count = waiting.len()));
        for i in waiting {
            out.push(item_line(i, 0));
        }
    }
    out
}

/// One item: number (0: unnumbered, awaiting triage), title, what is wanted, time, presenter,
/// organisation, and whether it was carried over or handled.
pub fn item_line(i: &AgendaItem, n: i64) -> Msg {
    let time = match (i.timebox, i.minutes) {
        (Some(t), _) => Arg::from(msg!("agenda-item-timebox", minutes = t)),
        (None, Some(m)) => Arg::from(msg!("agenda-item-estimate", minutes = m)),
        (None, None) => Arg::Text(String::new()),
    };
    let presenter = match &i.presenter {
        Some(p) => Arg::from(msg!("agenda-item-presenter", name = Arg::Inline(p.clone()))),
        None => Arg::Text(String::new()),
    };
    let org = match i.organisation {
        Some(r) => Arg::from(msg!("agenda-item-org", org = Arg::Role(r))),
        None => Arg::Text(String::new()),
    };
    let note = if i.status == ItemStatus::Handled {
        Arg::from(msg!("agenda-item-handled"))
    } else if i.status == ItemStatus::Deferred {
        Arg::from(msg!("agenda-item-deferred"))
    } else if i.carried > 0 {
        Arg::from(msg!("agenda-item-carried", times = i.carried))
    } else {
        Arg::Text(String::new())
    };
    msg!(
        "agenda-line-item",
        n = n,
        id = i.id.0,
        title = Arg::Inline(i.title.clone()),
        wants = i.wants.label(),
        time = time,
        presenter = presenter,
        org = org,
        note = note
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wants_from_what_people_type() {
        assert_eq!(Wants::from_input(""), Some(Wants::Discussion));
        assert_eq!(Wants::from_input(" Beslut "), Some(Wants::Decision));
        assert_eq!(Wants::from_input("info"), Some(Wants::Information));
        assert_eq!(Wants::from_input("DISK"), Some(Wants::Discussion));
        assert_eq!(Wants::from_input("decision"), Some(Wants::Decision));
        assert_eq!(Wants::from_input("xy"), None);
        assert_eq!(Wants::from_input("lunch"), None);
    }

    #[test]
    fn titles_are_one_line_and_bounded_but_keep_markup() {
        assert_eq!(one_line("  a\n b  ", 10).unwrap(), "a b");
        assert_eq!(one_line(" \n\t ", 10), Err(TextProblem::Empty));
        assert_eq!(
            one_line(&"x".repeat(201), MAX_TITLE),
            Err(TextProblem::TooLong { max: MAX_TITLE })
        );
        assert_eq!(one_line("a\u{0}b", 10), Err(TextProblem::Control));
        assert_eq!(one_line("**@everyone**", 20).unwrap(), "**@everyone**");
        assert_eq!(long_text("a\r\nb\n", 10).unwrap(), "a\nb");
        assert!(long_text(&"x".repeat(4000), MAX_BACKGROUND).is_ok());
        assert!(long_text(&"x".repeat(4001), MAX_BACKGROUND).is_err());
    }

    #[test]
    fn minutes_and_deadlines() {
        assert_eq!(parse_minutes(""), Ok(None));
        assert_eq!(parse_minutes("20 min"), Ok(Some(20)));
        assert_eq!(parse_minutes("1h"), Ok(Some(60)));
        assert!(parse_minutes("0").is_err());
        assert!(parse_minutes("601").is_err());
        assert!(parse_minutes("lång").is_err());
        assert_eq!(parse_deadline("3d"), Ok(3 * 1440));
        assert_eq!(parse_deadline("36h"), Ok(36 * 60));
        assert_eq!(parse_deadline("0"), Ok(0));
        assert_eq!(parse_deadline("2"), Ok(2 * 1440));
        assert!(parse_deadline("61d").is_err());
        assert!(parse_deadline("-1d").is_err());
        assert!(parse_deadline("soon").is_err());
        for m in [0, 90, 120, 4320] {
            assert_eq!(parse_deadline(&deadline_spec(m)), Ok(m));
        }
    }

    #[test]
    fn triage_table() {
        use ItemStatus as S;
        use TriageAction as A;
        let reject = A::Reject { reason: "x".into() };
        assert_eq!(triage(S::Proposed, &A::Accept), Ok(S::Accepted));
        assert_eq!(
            triage(S::Accepted, &A::Accept),
            Err(TriageProblem::Already(S::Accepted))
        );
        assert_eq!(triage(S::Rejected, &A::Accept), Ok(S::Accepted));
        assert_eq!(triage(S::Accepted, &reject), Ok(S::Rejected));
        assert_eq!(
            triage(S::Merged, &reject),
            Err(TriageProblem::Closed(S::Merged))
        );
        assert_eq!(triage(S::Accepted, &A::Defer), Ok(S::Deferred));
        assert_eq!(triage(S::Proposed, &A::Merge { into: 2 }), Ok(S::Merged));
        assert_eq!(triage(S::Accepted, &A::Done), Ok(S::Handled));
        assert_eq!(
            triage(S::Proposed, &A::Done),
            Err(TriageProblem::NotAccepted)
        );
        assert_eq!(
            triage(S::Handled, &A::Move { position: 1 }),
            Err(TriageProblem::Closed(S::Handled))
        );
        assert_eq!(
            triage(S::Accepted, &A::Timebox { minutes: 5 }),
            Ok(S::Accepted)
        );
    }

    #[test]
    fn the_agenda_is_open_until_its_deadline() {
        let start = Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap();
        let s = AgendaSettings::default();
        let before = start - Duration::days(3) - Duration::seconds(1);
        assert!(agenda_open(MeetingState::Scheduled, start, &s, before));
        assert!(!agenda_open(
            MeetingState::Scheduled,
            start,
            &s,
            start - Duration::days(3)
        ));
        assert!(!agenda_open(MeetingState::Cancelled, start, &s, before));
        assert!(agenda_open(MeetingState::Moved, start, &s, before));
    }

    #[test]
    fn feeds_go_under_their_standing_items_or_under_a_heading_of_their_own() {
        use crate::domain::escalation::{Escalation, EscalationId, EscalationState};
        use crate::domain::feed::{Feeds, Incoming};
        use crate::domain::record::{Action, ActionId};
        use crate::i18n::Lang;
        let start = Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap();
        let action = Action {
            id: ActionId(4),
            guild: GuildId(1),
            forum: ForumId(1),
            meeting: None,
            what: "Uppdatera riskregistret".into(),
            owner: UserId(42),
            due: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
            created_by: UserId(1),
            created_at: start,
            done_at: None,
            done_by: None,
        };
        let escalation = Escalation {
            id: EscalationId(7),
            guild: GuildId(1),
            from_forum: ForumId(2),
            to_forum: ForumId(1),
            meeting: None,
            agenda_item: None,
            parent: None,
            subject: "Leveransförseningar @everyone".into(),
            reason: "Ingen enighet".into(),
            state: EscalationState::Open,
            outcome: None,
            decision: None,
            decision_number: None,
            created_by: UserId(1),
            created_at: start,
            updated_at: start,
            decided_by: None,
        };
        let feeds = Feeds {
            overdue_actions: vec![action],
            incoming: vec![Incoming {
                escalation,
                from_name: "Leveransforum".into(),
                meeting_at: None,
                steps: vec![(
                    "Förvaltningsmöte".into(),
                    "Leveransforum".into(),
                    "Olöst".into(),
                )],
            }],
            ..Feeds::default()
        };
        let standing = [
            Standing {
                title: "Föregående minnesanteckningar".into(),
                place: Place::Start,
                position: 1,
            },
            Standing {
                title: "öppna  ÅTGÄRDER".into(),
                place: Place::End,
                position: 2,
            },
        ];
        fn view(standing: &[Standing], start: DateTime<Utc>) -> AgendaView<'_> {
            AgendaView {
                forum_name: "Verkställande forum",
                starts_at: start,
                zone: chrono_tz::Europe::Stockholm,
                state: MeetingState::Scheduled,
                cancel_reason: None,
                deadline: start,
                published: true,
                format: None,
                standing,
                items: &[],
            }
        }
        let text = |lines: Vec<Msg>| lines.iter().map(|m| m.plain(Lang::En)).collect::<Vec<_>>();
        let lines = text(render_with_feeds(&view(&standing, start), &feeds));
        let at = |needle: &str| {
            lines
                .iter()
                .position(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("{needle} not in {lines:#?}"))
        };
        // Previous minutes (no lines yet), then the escalations under a heading of their own
        // (the forum has no such standing item), then the actions under their standing item.
        assert!(
            lines[at("1. Föregående minnesanteckningar") + 1].contains("2. Incoming escalations")
        );
        assert!(lines[at("2. Incoming escalations") + 1].contains("Escalation 7"));
        assert!(lines[at("Escalation 7")].contains("from Leveransforum"));
        assert!(lines[at("Escalation 7") + 1].contains("Förvaltningsmöte → Leveransforum: Olöst"));
        assert_eq!(at("3. öppna  ÅTGÄRDER") + 1, at("Uppdatera riskregistret"));
        assert!(lines[at("Uppdatera riskregistret")].contains("Action 4"));
        assert!(
            !lines.iter().any(|l| l.contains("Open actions")),
            "{lines:#?}"
        );
        // Without feeds the agenda is the plain one; without standing items every kind that
        // has lines gets its heading, in its place.
        assert_eq!(
            render_with_feeds(&view(&standing, start), &Feeds::default()),
            render(&view(&standing, start))
        );
        let bare = text(render_with_feeds(&view(&[], start), &feeds));
        assert!(bare[1].contains("1. Incoming escalations"), "{bare:#?}");
        assert!(
            bare.iter().any(|l| l.contains("2. Open actions")),
            "{bare:#?}"
        );
        assert!(
            !bare.iter().any(|l| l.contains("Previous minutes")),
            "{bare:#?}"
        );
    }
}
