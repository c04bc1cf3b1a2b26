//! Feeds: generated lines under an agenda's standing items. A standing item is recognised by
//! its title (Swedish or English, any case and spacing): "Öppna åtgärder" / "Open actions"
//! lists the forum's overdue actions, "Inkomna eskaleringar" / "Incoming escalations" the
//! escalations it received and the outcomes of its own, "Föregående minnesanteckningar" /
//! "Previous minutes" the previous meeting's approved minutes. A forum without such a standing
//! item still gets the lines, under a heading of the kind's own title in the kind's place
//! ([`FeedKind::place`]).
//!
//! Pure: the service gathers the plain data ([`Feeds`]), the agenda renders it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::agenda::Place;
use super::escalation::{Escalation, EscalationState};
use super::record::Action;
use crate::i18n::{Arg, Msg};
use crate::msg;

/// What a standing item's generated lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// The previous meeting's approved minutes (filled by the minutes).
    PreviousMinutes,
    /// Escalations received, and outcomes of the forum's own.
    Escalations,
    /// Overdue actions: what, who, when.
    OpenActions,
}

/// The titles each kind is recognised by, normalised (see [`normalise`]).
const TITLES: &[(&str, FeedKind)] = &[
    ("föregående minnesanteckningar", FeedKind::PreviousMinutes),
    ("tidigare minnesanteckningar", FeedKind::PreviousMinutes),
    ("föregående protokoll", FeedKind::PreviousMinutes),
    ("previous minutes", FeedKind::PreviousMinutes),
    ("inkomna eskaleringar", FeedKind::Escalations),
    ("eskaleringar", FeedKind::Escalations),
    ("incoming escalations", FeedKind::Escalations),
    ("escalations", FeedKind::Escalations),
    ("öppna åtgärder", FeedKind::OpenActions),
    ("öppna actions", FeedKind::OpenActions),
    ("open actions", FeedKind::OpenActions),
    ("open action items", FeedKind::OpenActions),
];

/// A title as it is compared: lower case, whitespace folded, trailing punctuation dropped.
pub fn normalise(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_end_matches(['.', ':', '!', '?'])
        .trim()
        .to_string()
}

impl FeedKind {
    pub const ALL: [FeedKind; 3] = [
        FeedKind::PreviousMinutes,
        FeedKind::Escalations,
        FeedKind::OpenActions,
    ];

    /// The stable key (`previous-minutes`, `escalations`, `open-actions`).
    pub fn key(self) -> &'static str {
        match self {
            FeedKind::PreviousMinutes => "previous-minutes",
            FeedKind::Escalations => "escalations",
            FeedKind::OpenActions => "open-actions",
        }
    }

    /// The kind a standing item's title names, if any.
    pub fn of_title(title: &str) -> Option<Self> {
        let t = normalise(title);
        TITLES.iter().find(|(k, _)| *k == t).map(|(_, v)| *v)
    }

    /// The heading when the forum has no standing item of this kind.
    pub fn title(self) -> Msg {
        match self {
            FeedKind::PreviousMinutes => msg!("feed-title-previous-minutes"),
            FeedKind::Escalations => msg!("feed-title-escalations"),
            FeedKind::OpenActions => msg!("feed-title-open-actions"),
        }
    }

    /// Where its heading goes when the forum has no standing item of this kind: the previous
    /// minutes and the escalations first (after the standing items at the start), the open
    /// actions last (before the standing items at the end).
    pub fn place(self) -> Place {
        match self {
            FeedKind::PreviousMinutes | FeedKind::Escalations => Place::Start,
            FeedKind::OpenActions => Place::End,
        }
    }
}

/// An escalation this forum received, with what the agenda shows of its history.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub escalation: Escalation,
    /// The forum it came from.
    pub from_name: String,
    /// When the originating meeting was, if it came from one.
    pub meeting_at: Option<DateTime<Utc>>,
    /// Earlier steps, oldest first: (from forum, to forum, reason).
    pub steps: Vec<(String, String, String)>,
}

/// The outcome of one of this forum's own escalations.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub escalation: Escalation,
    /// The forum that decided it.
    pub to_name: String,
}

/// Everything the feeds of one agenda show, as plain data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feeds {
    /// Lines about the previous meeting's minutes. Extension point: the minutes fill it
    /// (`Services::feed_previous_minutes`); empty until then.
    pub previous_minutes: Vec<Msg>,
    /// Open actions due before the meeting's day (overdue when it meets), by due date.
    pub overdue_actions: Vec<Action>,
    /// Escalations received and still open or accepted.
    pub incoming: Vec<Incoming>,
    /// Outcomes of own escalations decided since the previous meeting.
    pub outcomes: Vec<Outcome>,
}

impl Feeds {
    pub fn is_empty(&self) -> bool {
        FeedKind::ALL.iter().all(|k| self.is_empty_for(*k))
    }

    pub fn is_empty_for(&self, kind: FeedKind) -> bool {
        match kind {
            FeedKind::PreviousMinutes => self.previous_minutes.is_empty(),
            FeedKind::Escalations => self.incoming.is_empty() && self.outcomes.is_empty(),
            FeedKind::OpenActions => self.overdue_actions.is_empty(),
        }
    }

    /// The lines of one kind, one block each; times and dates in `zone` where the platform
    /// needs one.
    pub fn lines(&self, kind: FeedKind, zone: Tz) -> Vec<Msg> {
        let mut out = Vec::new();
        match kind {
            FeedKind::PreviousMinutes => out.extend(self.previous_minutes.iter().cloned()),
            FeedKind::OpenActions => {
                for a in &self.overdue_actions {
                    out.push(msg!(
                        "feed-action",
                        id = a.id.0,
                        what = Arg::Inline(a.what.clone()),
                        who = Arg::User(a.owner),
                        due = date_arg(a.due, zone)
                    ));
                }
            }
            FeedKind::Escalations => {
                for i in &self.incoming {
                    out.extend(incoming_lines(i, zone));
                }
                for o in &self.outcomes {
                    out.push(outcome_line(o));
                }
            }
        }
        out
    }
}

/// A local day as a date argument (noon of it, so no zone moves it to another day).
pub fn date_arg(day: chrono::NaiveDate, zone: Tz) -> Arg {
    let noon =
        super::recurrence::resolve_local(zone, day.and_hms_opt(12, 0, 0).unwrap_or_default());
    Arg::date(noon, zone)
}

/// An escalation received: a line with its subject, where it came from and why, then a line
/// per earlier step.
pub fn incoming_lines(i: &Incoming, zone: Tz) -> Vec<Msg> {
    let e = &i.escalation;
    let from = match i.meeting_at {
        Some(at) => Arg::from(msg!(
            "feed-escalation-from-meeting",
            name = i.from_name.as_str(),
            when = Arg::date(at, zone)
        )),
        None => Arg::from(msg!("feed-escalation-from", name = i.from_name.as_str())),
    };
    let mut out = vec![msg!(
        "feed-escalation",
        id = e.id.0,
        subject = Arg::Inline(e.subject.clone()),
        state = e.state.label(),
        from = from,
        reason = Arg::Inline(e.reason.clone())
    )];
    out.extend(i.steps.iter().map(|(from, to, reason)| {
        msg!(
            "feed-escalation-step",
            from = from.as_str(),
            to = to.as_str(),
            reason = Arg::Inline(reason.clone())
        )
    }));
    out
}

/// The outcome of an own escalation.
pub fn outcome_line(o: &Outcome) -> Msg {
    let e = &o.escalation;
    match e.state {
        EscalationState::Resolved => msg!(
            "feed-outcome-resolved",
            id = e.id.0,
            subject = Arg::Inline(e.subject.clone()),
            name = o.to_name.as_str(),
            number = e.decision_number.clone().unwrap_or_default()
        ),
        _ => msg!(
            "feed-outcome-returned",
            id = e.id.0,
            subject = Arg::Inline(e.subject.clone()),
            name = o.to_name.as_str(),
            reason = Arg::Inline(e.outcome.clone().unwrap_or_default())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_their_kinds_in_both_languages() {
        assert_eq!(
            FeedKind::of_title("Öppna åtgärder"),
            Some(FeedKind::OpenActions)
        );
        assert_eq!(
            FeedKind::of_title("  open   ACTIONS: "),
            Some(FeedKind::OpenActions)
        );
        assert_eq!(
            FeedKind::of_title("Inkomna eskaleringar"),
            Some(FeedKind::Escalations)
        );
        assert_eq!(
            FeedKind::of_title("Incoming escalations"),
            Some(FeedKind::Escalations)
        );
        assert_eq!(
            FeedKind::of_title("FÖREGÅENDE MINNESANTECKNINGAR"),
            Some(FeedKind::PreviousMinutes)
        );
        assert_eq!(
            FeedKind::of_title("Previous minutes."),
            Some(FeedKind::PreviousMinutes)
        );
        assert_eq!(FeedKind::of_title("Resurser"), None);
        assert_eq!(FeedKind::of_title("Öppna åtgärder i projektet"), None);
    }

    #[test]
    fn empty_feeds() {
        let f = Feeds::default();
        assert!(f.is_empty());
        for k in FeedKind::ALL {
            assert!(f.lines(k, chrono_tz::Europe::Stockholm).is_empty());
        }
        let f = Feeds {
            previous_minutes: vec![msg!("feed-title-previous-minutes")],
            ..Feeds::default()
        };
        assert!(!f.is_empty());
        assert!(f.is_empty_for(FeedKind::Escalations));
    }
}
