//! Running a meeting through its agenda: the numbered entries in order (as the published
//! agenda numbers them, so a decision's or note's `agenda_item` is the number people see),
//! the next one, when an entry's timebox runs out, and which items count as handled.
//!
//! **Handled, for the carry-over rule.** An accepted proposal the meeting *reached* — it was
//! made current with `/meeting item next` — counts as handled when the chair moves past it
//! (and the one current when the meeting ends counts too): it was on the table. Entries the
//! meeting never reached stay accepted and carry over to the next meeting, as the agenda's
//! rule says. Questions are one entry: reaching past it marks the questions handled.
//! In a sectioned format (A3) the entries are its sections, whose proposals are handled with
//! the items section.
//!
//! Pure: no clock, no I/O.

use chrono::{DateTime, Duration, Utc};

use super::agenda::{AgendaItem, Format, ItemId, ItemKind, ItemStatus, Place, Standing};

/// One numbered entry of a meeting's agenda.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its number on the agenda (1-based).
    pub n: i64,
    pub title: EntryTitle,
    /// Its timebox in minutes (the chair's, else the proposer's estimate, or the section's).
    pub minutes: Option<i64>,
    /// The items that moving past this entry marks handled.
    pub items: Vec<ItemId>,
}

/// What an entry is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryTitle {
    /// As typed (a standing item, a proposal).
    Typed(String),
    /// A catalogue label (a section of a format).
    Label(&'static str),
    /// The questions gathered under one entry (how many).
    Questions(usize),
}

/// The agenda's numbered entries in order, numbered as `agenda::render` numbers them.
pub fn entries(standing: &[Standing], items: &[AgendaItem], format: Option<Format>) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut n = 0;
    let mut push = |title, minutes, items| {
        n += 1;
        out.push(Entry {
            n,
            title,
            minutes,
            items,
        });
    };
    for s in standing.iter().filter(|s| s.place == Place::Start) {
        push(EntryTitle::Typed(s.title.clone()), None, Vec::new());
    }
    let on_agenda: Vec<&AgendaItem> = items
        .iter()
        .filter(|i| {
            i.kind == ItemKind::Proposal
                && matches!(i.status, ItemStatus::Accepted | ItemStatus::Handled)
        })
        .collect();
    match format {
        None => {
            for i in &on_agenda {
                push(
                    EntryTitle::Typed(i.title.clone()),
                    i.timebox.or(i.minutes),
                    vec![i.id],
                );
            }
        }
        Some(format) => {
            for (k, s) in format.sections().iter().enumerate() {
                let handled = if k == format.items_section() {
                    on_agenda.iter().map(|i| i.id).collect()
                } else {
                    Vec::new()
                };
                push(EntryTitle::Label(s.label), Some(s.minutes), handled);
            }
        }
    }
    let questions: Vec<&AgendaItem> = items
        .iter()
        .filter(|i| {
            i.kind == ItemKind::Question && (i.status.is_open() || i.status == ItemStatus::Handled)
        })
        .collect();
    if !questions.is_empty() {
        push(
            EntryTitle::Questions(questions.len()),
            None,
            questions.iter().map(|q| q.id).collect(),
        );
    }
    for s in standing.iter().filter(|s| s.place == Place::End) {
        push(EntryTitle::Typed(s.title.clone()), None, Vec::new());
    }
    out
}

/// Why the meeting cannot move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunProblem {
    /// The current entry is the last (or the agenda has none).
    PastEnd { last: i64 },
}

/// The entry after `current` (the first when none is current yet).
pub fn next_entry(entries: &[Entry], current: Option<i64>) -> Result<&Entry, RunProblem> {
    let next = current.map_or(1, |c| c + 1);
    entries
        .iter()
        .find(|e| e.n == next)
        .ok_or(RunProblem::PastEnd {
            last: entries.last().map_or(0, |e| e.n),
        })
}

/// When an entry made current at `started` runs over its timebox (`None`: it has none).
pub fn overrun_at(started: DateTime<Utc>, entry: &Entry) -> Option<DateTime<Utc>> {
    entry
        .minutes
        .filter(|m| *m > 0)
        .map(|m| started + Duration::minutes(m))
}

/// Whether the overrun warning of entry `n`, made current at `started`, still applies: the
/// same entry is current since the same moment (the chair did not move on in time).
pub fn overrun_applies(
    n: i64,
    started: DateTime<Utc>,
    current: Option<i64>,
    current_since: Option<DateTime<Utc>>,
) -> bool {
    current == Some(n) && current_since == Some(started)
}

/// The items that leaving entry `n` marks handled: accepted proposals (and open questions)
/// of that entry.
pub fn handled_on_leaving<'a>(
    entries: &[Entry],
    n: i64,
    items: &'a [AgendaItem],
) -> Vec<&'a AgendaItem> {
    let Some(e) = entries.iter().find(|e| e.n == n) else {
        return Vec::new();
    };
    items
        .iter()
        .filter(|i| e.items.contains(&i.id))
        .filter(|i| match i.kind {
            ItemKind::Proposal => i.status == ItemStatus::Accepted,
            ItemKind::Question => i.status.is_open(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agenda::Wants;
    use crate::domain::ids::{ForumId, GuildId, UserId};
    use crate::domain::meeting::MeetingId;
    use chrono::TimeZone;

    fn item(id: i64, kind: ItemKind, status: ItemStatus, timebox: Option<i64>) -> AgendaItem {
        AgendaItem {
            id: ItemId(id),
            guild: GuildId(1),
            forum: ForumId(1),
            meeting: MeetingId(1),
            kind,
            title: format!("Punkt {id}"),
            background: String::new(),
            wants: Wants::Discussion,
            minutes: Some(5),
            proposer: UserId(1),
            organisation: None,
            source: None,
            status,
            reason: None,
            merged_into: None,
            late_for: None,
            position: id,
            timebox,
            presenter: None,
            carried: 0,
            version: 1,
            created_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap(),
        }
    }

    fn standing(title: &str, place: Place) -> Standing {
        Standing {
            title: title.into(),
            place,
            position: 1,
        }
    }

    #[test]
    fn entries_are_numbered_as_the_agenda_shows_them() {
        let items = [
            item(1, ItemKind::Proposal, ItemStatus::Accepted, Some(20)),
            item(2, ItemKind::Proposal, ItemStatus::Proposed, None),
            item(3, ItemKind::Proposal, ItemStatus::Rejected, None),
            item(4, ItemKind::Proposal, ItemStatus::Accepted, None),
            item(5, ItemKind::Question, ItemStatus::Proposed, None),
        ];
        let st = [
            standing("Mötets öppnande", Place::Start),
            standing("Övriga frågor", Place::End),
        ];
        let e = entries(&st, &items, None);
        let shown: Vec<(i64, EntryTitle, Option<i64>)> = e
            .iter()
            .map(|e| (e.n, e.title.clone(), e.minutes))
            .collect();
        assert_eq!(
            shown,
            vec![
                (1, EntryTitle::Typed("Mötets öppnande".into()), None),
                (2, EntryTitle::Typed("Punkt 1".into()), Some(20)),
                (3, EntryTitle::Typed("Punkt 4".into()), Some(5)),
                (4, EntryTitle::Questions(1), None),
                (5, EntryTitle::Typed("Övriga frågor".into()), None),
            ]
        );
        // The numbers match what the published agenda renders.
        let view = crate::domain::agenda::AgendaView {
            forum_name: "LF",
            starts_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
            zone: chrono_tz::Europe::Stockholm,
            state: crate::domain::meeting::MeetingState::Open,
            cancel_reason: None,
            deadline: Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap(),
            published: true,
            format: None,
            standing: &st,
            items: &items,
        };
        let rendered = crate::domain::agenda::render(&view);
        let numbers: Vec<i64> = rendered
            .iter()
            .filter_map(|m| m.args.iter().find(|(k, _)| *k == "n"))
            .filter_map(|(_, v)| match v {
                crate::i18n::Arg::Number(n) if *n > 0 => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn next_moves_in_order_and_stops_at_the_end() {
        let items = [item(1, ItemKind::Proposal, ItemStatus::Accepted, None)];
        let e = entries(&[standing("Öppnande", Place::Start)], &items, None);
        assert_eq!(next_entry(&e, None).unwrap().n, 1);
        assert_eq!(next_entry(&e, Some(1)).unwrap().n, 2);
        assert_eq!(
            next_entry(&e, Some(2)),
            Err(RunProblem::PastEnd { last: 2 })
        );
        assert_eq!(next_entry(&[], None), Err(RunProblem::PastEnd { last: 0 }));
    }

    #[test]
    fn overrun_is_due_at_the_timebox_and_only_while_the_entry_is_current() {
        let items = [item(1, ItemKind::Proposal, ItemStatus::Accepted, Some(15))];
        let e = entries(&[], &items, None);
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        assert_eq!(overrun_at(t, &e[0]), Some(t + Duration::minutes(15)));
        assert!(overrun_applies(1, t, Some(1), Some(t)));
        assert!(!overrun_applies(1, t, Some(2), Some(t)), "moved on");
        assert!(
            !overrun_applies(1, t, Some(1), Some(t + Duration::seconds(1))),
            "made current again later: its own warning"
        );
        let untimed = Entry {
            n: 1,
            title: EntryTitle::Label("x"),
            minutes: None,
            items: Vec::new(),
        };
        assert_eq!(overrun_at(t, &untimed), None);
    }

    #[test]
    fn leaving_an_entry_handles_its_accepted_items_only() {
        let items = [
            item(1, ItemKind::Proposal, ItemStatus::Accepted, None),
            item(2, ItemKind::Proposal, ItemStatus::Handled, None),
            item(3, ItemKind::Question, ItemStatus::Proposed, None),
        ];
        let e = entries(&[], &items, None);
        let ids = |n| {
            handled_on_leaving(&e, n, &items)
                .iter()
                .map(|i| i.id.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(1), vec![1]);
        assert_eq!(ids(2), Vec::<i64>::new(), "handled already");
        assert_eq!(ids(3), vec![3], "the questions");
        assert_eq!(ids(9), Vec::<i64>::new());
        // A3: the items section handles every accepted proposal.
        let a3 = entries(&[], &items, Some(Format::A3));
        let k = Format::A3.items_section() as i64 + 1;
        assert_eq!(
            handled_on_leaving(&a3, k, &items)
                .iter()
                .map(|i| i.id.0)
                .collect::<Vec<_>>(),
            vec![1]
        );
    }
}
