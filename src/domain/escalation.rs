//! Escalations up the ladder: a forum hands an issue (an agenda item or a free-text subject)
//! with a reason to the forum it escalates to. The receiving forum's chair accepts it, resolves
//! it with one of that forum's decisions, or returns it with a reason; the originating forum is
//! told the outcome. An escalation passed further up names the one it came from (its earlier
//! step), so its history travels with it.
//!
//! Pure: the state machine, the rules of who receives what, and the texts' limits.

use chrono::{DateTime, Utc};

use super::forum::Forum;
use super::ids::{ForumId, GuildId, UserId};
use super::meeting::MeetingId;
use super::record::DecisionId;
use crate::i18n::Msg;
use crate::msg;

/// Longest subject (one line on an agenda).
pub const MAX_SUBJECT: usize = 200;
/// Longest reason (why it is escalated, or why it is returned).
pub const MAX_REASON: usize = 1000;
/// Most steps of history shown (an escalation passed up a long ladder).
pub const MAX_HISTORY: usize = 10;

/// An escalation's row id, what people type (`/escalation accept id:7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EscalationId(pub i64);

impl std::fmt::Display for EscalationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EscalationState {
    /// Sent up, waiting for the receiving forum.
    Open,
    /// The receiving forum took it on.
    Accepted,
    /// Decided by the receiving forum (a decision of its own).
    Resolved,
    /// Sent back to the originating forum, with a reason.
    Returned,
}

impl EscalationState {
    pub const ALL: [EscalationState; 4] = [
        EscalationState::Open,
        EscalationState::Accepted,
        EscalationState::Resolved,
        EscalationState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EscalationState::Open => "open",
            EscalationState::Accepted => "accepted",
            EscalationState::Resolved => "resolved",
            EscalationState::Returned => "returned",
        }
    }

    /// Stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => EscalationState::Open,
            "accepted" => EscalationState::Accepted,
            "resolved" => EscalationState::Resolved,
            "returned" => EscalationState::Returned,
            _ => return None,
        })
    }

    /// What a person typed (English or Swedish, any case).
    pub fn from_input(s: &str) -> Option<Self> {
        match s.trim().to_lowercase().as_str() {
            "open" | "öppen" | "öppna" | "oppen" | "oppna" => Some(EscalationState::Open),
            "accepted" | "accepterad" | "accepterade" | "mottagen" => {
                Some(EscalationState::Accepted)
            }
            "resolved" | "avgjord" | "avgjorda" | "löst" | "lost" => {
                Some(EscalationState::Resolved)
            }
            "returned" | "återsänd" | "återsända" | "atersand" | "returnerad" => {
                Some(EscalationState::Returned)
            }
            _ => None,
        }
    }

    /// Still with the receiving forum: on its agendas until it is resolved or returned.
    pub fn is_active(self) -> bool {
        matches!(self, EscalationState::Open | EscalationState::Accepted)
    }

    pub fn label(self) -> Msg {
        match self {
            EscalationState::Open => msg!("escalation-state-open"),
            EscalationState::Accepted => msg!("escalation-state-accepted"),
            EscalationState::Resolved => msg!("escalation-state-resolved"),
            EscalationState::Returned => msg!("escalation-state-returned"),
        }
    }
}

/// One escalation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    pub id: EscalationId,
    pub guild: GuildId,
    /// The forum that escalated it.
    pub from_forum: ForumId,
    /// The forum it was escalated to (the one `from_forum` escalates to).
    pub to_forum: ForumId,
    /// The originating forum's meeting it came from (the item's meeting, or the meeting open
    /// when a free-text subject was escalated).
    pub meeting: Option<MeetingId>,
    /// The agenda item's id (`#12`) when an item was escalated.
    pub agenda_item: Option<i64>,
    /// The earlier step when an escalation received was passed further up.
    pub parent: Option<EscalationId>,
    pub subject: String,
    pub reason: String,
    pub state: EscalationState,
    /// Why it was returned.
    pub outcome: Option<String>,
    /// The receiving forum's decision that resolved it, and its number (`VF-2026-03`).
    pub decision: Option<DecisionId>,
    pub decision_number: Option<String>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    /// Of the last change of state (the creation until then).
    pub updated_at: DateTime<Utc>,
    /// Who made the last change of state.
    pub decided_by: Option<UserId>,
}

/// A validated escalation to store; the store adds the id and the state (open).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEscalation {
    pub guild: GuildId,
    pub from_forum: ForumId,
    pub to_forum: ForumId,
    pub meeting: Option<MeetingId>,
    pub agenda_item: Option<i64>,
    pub parent: Option<EscalationId>,
    pub subject: String,
    pub reason: String,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// Why a forum cannot escalate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalateProblem {
    /// It is at the top of the ladder: it escalates to no forum.
    TopOfLadder,
    /// An escalation received is passed on, but it is no longer with this forum.
    NotActive(EscalationState),
    /// An escalation passed on by a forum that did not receive it.
    NotReceived,
}

/// The forum `from` escalates to, or why there is none.
pub fn target(from: &Forum) -> Result<ForumId, EscalateProblem> {
    match from.escalates_to {
        Some(to) if to != from.id => Ok(to),
        _ => Err(EscalateProblem::TopOfLadder),
    }
}

/// Whether `forum` may pass the escalation it received further up.
pub fn may_pass_on(forum: ForumId, received: &Escalation) -> Result<(), EscalateProblem> {
    if received.to_forum != forum {
        return Err(EscalateProblem::NotReceived);
    }
    if !received.state.is_active() {
        return Err(EscalateProblem::NotActive(received.state));
    }
    Ok(())
}

/// What the receiving forum's chair does with an escalation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    Accept,
    /// Decided by this decision of the receiving forum.
    Resolve {
        decision: DecisionId,
    },
    /// Sent back with a reason.
    Return {
        reason: String,
    },
}

impl Transition {
    pub fn target(&self) -> EscalationState {
        match self {
            Transition::Accept => EscalationState::Accepted,
            Transition::Resolve { .. } => EscalationState::Resolved,
            Transition::Return { .. } => EscalationState::Returned,
        }
    }
}

/// Why a transition is not possible from the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionProblem {
    /// It already is in the state asked for.
    Already(EscalationState),
    /// It is closed (resolved or returned): nothing changes it any more.
    Closed(EscalationState),
}

/// The state after `t`, or why not. Open → accepted; open or accepted → resolved or
/// returned; resolved and returned are final.
pub fn transition(
    state: EscalationState,
    t: &Transition,
) -> Result<EscalationState, TransitionProblem> {
    use EscalationState as S;
    let to = t.target();
    match state {
        s if s == to => Err(TransitionProblem::Already(s)),
        S::Resolved | S::Returned => Err(TransitionProblem::Closed(state)),
        S::Open | S::Accepted => Ok(to),
    }
}

/// The chain of earlier steps of an escalation, oldest first, from a lookup of escalations by
/// id (at most [`MAX_HISTORY`], and safe against a loop in corrupt data).
pub fn history<'a>(
    e: &Escalation,
    lookup: impl Fn(EscalationId) -> Option<&'a Escalation>,
) -> Vec<&'a Escalation> {
    let mut out: Vec<&Escalation> = Vec::new();
    let mut next = e.parent;
    while let Some(id) = next {
        if out.len() >= MAX_HISTORY || id == e.id || out.iter().any(|x| x.id == id) {
            break;
        }
        match lookup(id) {
            Some(p) => {
                next = p.parent;
                out.push(p);
            }
            None => break,
        }
    }
    out.reverse();
    out
}

/// Whether an outcome of one of the forum's own escalations belongs on the agenda of a meeting
/// starting at `starts_at`, the forum's previous meeting having started at `previous` (none:
/// every earlier outcome): decided in between. So each outcome is on exactly one agenda (and on
/// the coming one's live message as soon as it is decided).
pub fn outcome_for_agenda(
    e: &Escalation,
    previous: Option<DateTime<Utc>>,
    starts_at: DateTime<Utc>,
) -> bool {
    !e.state.is_active() && e.updated_at < starts_at && previous.is_none_or(|p| e.updated_at >= p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use EscalationState as S;

    fn esc(id: i64, parent: Option<i64>, state: S) -> Escalation {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        Escalation {
            id: EscalationId(id),
            guild: GuildId(1),
            from_forum: ForumId(1),
            to_forum: ForumId(2),
            meeting: None,
            agenda_item: None,
            parent: parent.map(EscalationId),
            subject: "Leveransförseningar".into(),
            reason: "Ingen enighet".into(),
            state,
            outcome: None,
            decision: None,
            decision_number: None,
            created_by: UserId(5),
            created_at: at,
            updated_at: at,
            decided_by: None,
        }
    }

    #[test]
    fn transition_table() {
        let resolve = Transition::Resolve {
            decision: DecisionId(3),
        };
        let ret = Transition::Return { reason: "x".into() };
        assert_eq!(transition(S::Open, &Transition::Accept), Ok(S::Accepted));
        assert_eq!(transition(S::Open, &resolve), Ok(S::Resolved));
        assert_eq!(transition(S::Open, &ret), Ok(S::Returned));
        assert_eq!(transition(S::Accepted, &resolve), Ok(S::Resolved));
        assert_eq!(transition(S::Accepted, &ret), Ok(S::Returned));
        assert_eq!(
            transition(S::Accepted, &Transition::Accept),
            Err(TransitionProblem::Already(S::Accepted))
        );
        // Double resolution, and anything after the end.
        assert_eq!(
            transition(S::Resolved, &resolve),
            Err(TransitionProblem::Already(S::Resolved))
        );
        assert_eq!(
            transition(S::Resolved, &ret),
            Err(TransitionProblem::Closed(S::Resolved))
        );
        assert_eq!(
            transition(S::Returned, &resolve),
            Err(TransitionProblem::Closed(S::Returned))
        );
        assert_eq!(
            transition(S::Returned, &Transition::Accept),
            Err(TransitionProblem::Closed(S::Returned))
        );
        assert_eq!(
            transition(S::Returned, &ret),
            Err(TransitionProblem::Already(S::Returned))
        );
    }

    #[test]
    fn states_round_trip_and_read_as_typed() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
            assert_eq!(S::from_input(s.as_str()), Some(s));
        }
        assert_eq!(S::from_input(" Avgjord "), Some(S::Resolved));
        assert_eq!(S::from_input("återsänd"), Some(S::Returned));
        assert_eq!(S::from_input("closed"), None);
        assert!(S::Open.is_active() && S::Accepted.is_active());
        assert!(!S::Resolved.is_active() && !S::Returned.is_active());
    }

    #[test]
    fn the_top_of_the_ladder_has_no_target() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let mut f = Forum {
            id: ForumId(1),
            guild: GuildId(1),
            name: "Ledningsforum".into(),
            tier: "business".into(),
            channel: crate::domain::ids::ChannelId(1),
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            secretary_role: None,
            approver_role: None,
            code: None,
            created_at: now,
            schedule: None,
            reminders: None,
            participant_role: None,
            delivery_problem: None,
        };
        assert_eq!(target(&f), Err(EscalateProblem::TopOfLadder));
        f.escalates_to = Some(ForumId(1));
        assert_eq!(target(&f), Err(EscalateProblem::TopOfLadder));
        f.escalates_to = Some(ForumId(2));
        assert_eq!(target(&f), Ok(ForumId(2)));
    }

    #[test]
    fn passing_on_needs_an_active_escalation_received() {
        let e = esc(1, None, S::Accepted);
        assert_eq!(may_pass_on(ForumId(2), &e), Ok(()));
        assert_eq!(
            may_pass_on(ForumId(1), &e),
            Err(EscalateProblem::NotReceived)
        );
        let done = esc(1, None, S::Resolved);
        assert_eq!(
            may_pass_on(ForumId(2), &done),
            Err(EscalateProblem::NotActive(S::Resolved))
        );
    }

    #[test]
    fn history_is_the_chain_of_earlier_steps_oldest_first() {
        let all = [
            esc(1, None, S::Accepted),
            esc(2, Some(1), S::Accepted),
            esc(3, Some(2), S::Open),
        ];
        let find = |id: EscalationId| all.iter().find(|e| e.id == id);
        let h: Vec<i64> = history(&all[2], find).iter().map(|e| e.id.0).collect();
        assert_eq!(h, vec![1, 2]);
        assert!(history(&all[0], find).is_empty());
        // A loop in the data ends the walk.
        let looped = [esc(1, Some(2), S::Open), esc(2, Some(1), S::Open)];
        let find = |id: EscalationId| looped.iter().find(|e| e.id == id);
        assert_eq!(history(&looped[0], find).len(), 1);
    }

    #[test]
    fn an_outcome_is_on_the_agenda_after_it_was_decided() {
        let m1 = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
        let m2 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let mut e = esc(1, None, S::Resolved);
        e.updated_at = m1 + Duration::days(3);
        assert!(outcome_for_agenda(&e, Some(m1), m2));
        assert!(outcome_for_agenda(&e, None, m2));
        assert!(!outcome_for_agenda(&e, Some(m2), m2 + Duration::days(30)));
        assert!(!outcome_for_agenda(&e, None, m1));
        e.state = S::Accepted;
        assert!(!outcome_for_agenda(&e, Some(m1), m2));
    }
}
