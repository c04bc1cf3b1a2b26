//! The meeting record: forum codes, decision numbers, the words full-text search indexes,
//! and the rules of actions. Pure.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::ids::{ChannelId, ForumId, GuildId, MessageRef, UserId};
use super::meeting::MeetingId;
use super::text::{clean_name, NameProblem};

/// A decision's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DecisionId(pub i64);

/// An action's row id (what users type to mark it done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionId(pub i64);

/// A meeting opened by a person (`/meeting start`) and, once ended, how.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub meeting: MeetingId,
    pub opened_by: UserId,
    pub opened_at: DateTime<Utc>,
    /// When it is closed automatically if still open.
    pub closes_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// `None` with `ended_at` set: closed automatically.
    pub ended_by: Option<UserId>,
    /// The thread that holds the record, once started.
    pub thread: Option<ChannelId>,
    /// The agenda entry under discussion (its number on the agenda), and since when.
    pub current_item: Option<i64>,
    pub item_started_at: Option<DateTime<Utc>>,
    /// The chair asked the attendees for consent to recording.
    pub consent_asked: bool,
}

/// A recorded decision. Never edited or deleted: a correction supersedes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub id: DecisionId,
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: MeetingId,
    pub year: i32,
    pub seq: i64,
    /// `LF-2026-07`, as given when recorded.
    pub number: String,
    pub title: String,
    pub text: String,
    /// The item's position on the meeting's agenda.
    pub agenda_item: Option<i64>,
    pub supersedes: Option<DecisionId>,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

/// A decision to record; the store numbers it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: MeetingId,
    pub code: String,
    pub year: i32,
    pub title: String,
    pub text: String,
    pub agenda_item: Option<i64>,
    pub supersedes: Option<DecisionId>,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

/// Something a person undertook to do by a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: ActionId,
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: Option<MeetingId>,
    pub what: String,
    pub owner: UserId,
    /// In the forum's time zone.
    pub due: NaiveDate,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<UserId>,
}

/// An action to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    pub guild: GuildId,
    pub forum: ForumId,
    pub meeting: Option<MeetingId>,
    pub what: String,
    pub owner: UserId,
    pub due: NaiveDate,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
}

/// Longest forum code.
pub const MAX_CODE: usize = 8;
/// Longest decision title.
pub const MAX_TITLE: usize = 200;
/// Longest decision text (a Discord modal's paragraph holds 4000).
pub const MAX_TEXT: usize = 4000;
/// Longest action description.
pub const MAX_WHAT: usize = 300;
/// Most words a search query uses.
pub const MAX_QUERY_WORDS: usize = 8;

/// Endings of Swedish forum names that count as a word of their own for the code:
/// "Leveransforum" is `LF`, like "Leverans forum".
const SUFFIXES: &[&str] = &[
    "forum",
    "forumet",
    "rådet",
    "råd",
    "gruppen",
    "grupp",
    "mötet",
    "möte",
    "kommittén",
    "kommitté",
    "board",
    "council",
    "group",
    "meeting",
    "committee",
];

/// A forum's code as derived from its name: the initials of its words (and of a compound's
/// last part, see [`SUFFIXES`]), upper-case ASCII (å, ä → A, ö → O), at most [`MAX_CODE`].
/// Never empty: a name without letters gives `F`.
pub fn derive_code(name: &str) -> String {
    let mut code = String::new();
    for word in name.split(|c: char| !c.is_alphanumeric()) {
        let Some(first) = word.chars().next() else {
            continue;
        };
        code.push(first);
        let lower = word.to_lowercase();
        if let Some(suffix) = SUFFIXES
            .iter()
            .find(|s| lower.ends_with(*s) && lower.chars().count() > s.chars().count() + 2)
        {
            code.extend(suffix.chars().next());
        }
    }
    let code: String = code
        .chars()
        .filter_map(ascii_letter)
        .take(MAX_CODE - 1)
        .collect();
    if code.is_empty() {
        "F".to_string()
    } else {
        code
    }
}

fn ascii_letter(c: char) -> Option<char> {
    let up = match c.to_lowercase().next()? {
        'å' | 'ä' | 'à' | 'á' | 'â' => 'A',
        'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'O',
        'é' | 'è' | 'ê' | 'ë' => 'E',
        'ü' | 'ú' | 'ù' => 'U',
        other => other.to_ascii_uppercase(),
    };
    (up.is_ascii_alphanumeric()).then_some(up)
}

/// The candidates for a derived code, in order: `LF`, `LF2`, `LF3`, … without end, so
/// creating a forum never fails for want of a code, however many names share initials. A
/// long base gives way to the number (`ABCDEFG9`, `ABCDEF10`): a code stays within
/// [`MAX_CODE`].
pub fn code_candidates(base: &str) -> impl Iterator<Item = String> + '_ {
    std::iter::once(base.to_string()).chain((2u64..).map(move |n| {
        let number = n.to_string();
        // `base` is ASCII (derived codes are), so any byte index is a character boundary.
        let keep = base.len().min(MAX_CODE.saturating_sub(number.len()));
        format!("{}{number}", &base[..keep])
    }))
}

/// Why a typed code was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeProblem {
    /// 1 to [`MAX_CODE`] letters A–Z and digits, starting with a letter.
    Shape,
}

/// A code as typed: trimmed, upper-cased; A–Z and digits, starting with a letter.
pub fn validate_code(input: &str) -> Result<String, CodeProblem> {
    let code = input.trim().to_ascii_uppercase();
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(code)
    } else {
        Err(CodeProblem::Shape)
    }
}

/// A decision's number: `LF-2026-07` (at least two digits).
pub fn decision_number(code: &str, year: i32, seq: i64) -> String {
    format!("{code}-{year}-{seq:02}")
}

/// The year a decision is numbered in: the forum's local year at the moment it is recorded.
pub fn decision_year(at: DateTime<Utc>, tz: Tz) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&tz).year()
}

/// The words of a text as full-text search indexes them, on both backends alike: runs of
/// letters and digits, lower-cased (full Unicode, so `Å` is `å` whatever the database's
/// locale), at most 100 characters each, separated by single spaces. SQLite's FTS5 and
/// PostgreSQL's `array_to_tsvector` both take exactly these words, so a query finds the same
/// decisions on both.
pub fn search_words(text: &str) -> String {
    words(text).collect::<Vec<_>>().join(" ")
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().chars().take(100).collect::<String>())
        .filter(|w| w.chars().all(char::is_alphanumeric) && !w.is_empty())
}

/// A search query as words, each matched as a prefix; every word must match. `None` when it
/// has no word at all.
pub fn query_words(query: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for w in words(query) {
        if !out.contains(&w) {
            out.push(w);
        }
        if out.len() == MAX_QUERY_WORDS {
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Why decision input was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionProblem {
    Title(NameProblem),
    Text(NameProblem),
}

/// A decision's title and text, cleaned.
pub fn validate_decision(title: &str, text: &str) -> Result<(String, String), DecisionProblem> {
    let title = clean_name(title, MAX_TITLE).map_err(DecisionProblem::Title)?;
    let text = clean_text(text, MAX_TEXT).map_err(DecisionProblem::Text)?;
    Ok((title, text))
}

/// Multi-line text: trimmed, not empty, not too long, no control characters but line breaks
/// and tabs. Markup is allowed (it is shown as typed text, fenced by each platform).
pub fn clean_text(input: &str, max: usize) -> Result<String, NameProblem> {
    let t = input.trim().replace("\r\n", "\n");
    if t.is_empty() {
        return Err(NameProblem::Empty);
    }
    if t.chars().count() > max {
        return Err(NameProblem::TooLong { max });
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(NameProblem::Control);
    }
    Ok(t)
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionProblem {
    What(NameProblem),
    /// Not a date (`YYYY-MM-DD`).
    Date,
    /// Before today in the forum's zone.
    DueInPast,
}

/// The due date of an action: `YYYY-MM-DD`, today or later in the forum's zone.
pub fn validate_due(input: &str, now: DateTime<Utc>, tz: Tz) -> Result<NaiveDate, ActionProblem> {
    let date =
        NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| ActionProblem::Date)?;
    if date < now.with_timezone(&tz).date_naive() {
        return Err(ActionProblem::DueInPast);
    }
    Ok(date)
}

/// How many days before the due date the owner is reminded (besides on the day).
pub const REMIND_DAYS_BEFORE: i64 = 2;
/// Local time of day action reminders go out.
pub const REMIND_HOUR: u32 = 9;

/// Which action reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionReminder {
    Before,
    OnTheDay,
}

impl ActionReminder {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionReminder::Before => "before",
            ActionReminder::OnTheDay => "due",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "before" => Some(ActionReminder::Before),
            "due" => Some(ActionReminder::OnTheDay),
            _ => None,
        }
    }
}

/// The reminders of an action due on `due`, with their times: [`REMIND_DAYS_BEFORE`] days
/// before and on the day, at [`REMIND_HOUR`] local; those already past at `now` are left out.
pub fn action_reminders(
    due: NaiveDate,
    tz: Tz,
    now: DateTime<Utc>,
) -> Vec<(ActionReminder, DateTime<Utc>)> {
    let at = |d: NaiveDate| {
        super::recurrence::resolve_local(tz, d.and_hms_opt(REMIND_HOUR, 0, 0).unwrap_or_default())
    };
    [
        (
            ActionReminder::Before,
            at(due - chrono::Duration::days(REMIND_DAYS_BEFORE)),
        ),
        (ActionReminder::OnTheDay, at(due)),
    ]
    .into_iter()
    .filter(|(_, t)| *t > now)
    .collect()
}

/// An action is overdue once its due day has passed in the forum's zone.
pub fn is_overdue(due: NaiveDate, now: DateTime<Utc>, tz: Tz) -> bool {
    due < now.with_timezone(&tz).date_naive()
}

/// A CSV document for spreadsheets: RFC 4180 quoting and CRLF line ends, but `;` between
/// fields and a UTF-8 byte-order mark first, because that is what Excel with a Swedish locale
/// opens correctly on a double-click (with `,` it puts every row in one column; without the
/// mark it reads the file as Windows-1252 and breaks å, ä and ö). A field that a spreadsheet
/// would take for a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
pub fn csv_document(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn csv_field(f: &str) -> String {
    let f = if f.starts_with(['=', '+', '-', '@']) {
        format!("'{f}")
    } else {
        f.to_string()
    };
    if f.contains([';', '"', '\n', '\r', ',']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f
    }
}

/// How an attendee took part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presence {
    /// There (pressed "I'm here", or added as present by the chair).
    Present,
    /// Expected and not there (added by the chair).
    Absent,
    /// Not a member of the forum, invited to the meeting (added by the chair).
    Guest,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::Absent => "absent",
            Presence::Guest => "guest",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "present" => Presence::Present,
            "absent" => Presence::Absent,
            "guest" => Presence::Guest,
            _ => return None,
        })
    }

    /// As typed in `/meeting attendee add` (English or Swedish).
    pub fn from_input(input: &str) -> Option<Self> {
        match input.trim().to_lowercase().as_str() {
            "present" | "närvarande" | "narvarande" | "här" => Some(Presence::Present),
            "absent" | "frånvarande" | "franvarande" => Some(Presence::Absent),
            "guest" | "gäst" | "gast" => Some(Presence::Guest),
            _ => None,
        }
    }

    /// Counts as in the room (asked for consent).
    pub fn attends(self) -> bool {
        matches!(self, Presence::Present | Presence::Guest)
    }
}

/// Someone on a meeting's attendance list.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub id: i64,
    pub meeting: MeetingId,
    /// The member, when there is one (guests and absentees may have none).
    pub user: Option<UserId>,
    /// The name shown (the member's name when they pressed "I'm here", or as the chair typed).
    pub name: String,
    /// The organisation (a role `/settings org-add` marked, by name, or as the chair typed).
    pub organisation: Option<String>,
    /// The role in the forum (chair, secretary, approver: the role's name), or as typed.
    pub role: Option<String>,
    pub presence: Presence,
    /// The answer to the consent-to-recording prompt: `None` while unanswered.
    pub consent: Option<bool>,
}

/// An attendee to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttendee {
    pub meeting: MeetingId,
    pub user: Option<UserId>,
    pub name: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    pub presence: Presence,
    pub added_by: UserId,
    pub added_at: DateTime<Utc>,
}

/// A note for the minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: i64,
    pub meeting: MeetingId,
    /// The agenda entry's number (as `decisions.agenda_item`); `None`: the meeting as a whole.
    pub item: Option<i64>,
    pub body: String,
    /// Who wrote the text: a chat message's author, or whoever typed `/note`.
    pub author: UserId,
    pub author_name: String,
    pub at: DateTime<Utc>,
    /// Who put it in the record (the secretary or chair).
    pub recorded_by: UserId,
    /// The chat message it was taken from (a link).
    pub source: Option<MessageRef>,
}

/// A note to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNote {
    pub meeting: MeetingId,
    pub item: Option<i64>,
    pub body: String,
    pub author: UserId,
    pub author_name: String,
    pub at: DateTime<Utc>,
    pub recorded_by: UserId,
    pub source: Option<MessageRef>,
}

/// Longest note (a Discord message holds 2000 characters; a modal field 4000).
pub const MAX_NOTE: usize = 4000;
/// Longest attendee name, organisation or role.
pub const MAX_ATTENDEE_FIELD: usize = 100;
/// Most people on one attendance list.
pub const MAX_ATTENDEES: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn codes_come_from_the_name() {
        assert_eq!(derive_code("Leveransforum"), "LF");
        assert_eq!(derive_code("Verkställande forum"), "VF");
        assert_eq!(derive_code("Ledningsforum"), "LF");
        assert_eq!(derive_code("Övergripande råd"), "OR");
        assert_eq!(derive_code("IT-rådet"), "IR");
        assert_eq!(derive_code("!!!"), "F");
        assert_eq!(
            code_candidates("LF").take(3).collect::<Vec<_>>(),
            ["LF", "LF2", "LF3"]
        );
        // More than a hundred forums may share initials; codes stay short and distinct.
        let many: Vec<String> = code_candidates("F0").take(1000).collect();
        assert_eq!(many[100], "F0101");
        assert_eq!(
            many.iter().collect::<std::collections::HashSet<_>>().len(),
            1000
        );
        let long: Vec<String> = code_candidates("ABCDEFG").take(12).collect();
        assert_eq!(long[8], "ABCDEFG9");
        assert_eq!(long[9], "ABCDEF10");
        assert!(long
            .iter()
            .all(|c| c.len() <= MAX_CODE && validate_code(c).is_ok()));
        assert_eq!(validate_code(" lf2 "), Ok("LF2".to_string()));
        assert!(validate_code("2LF").is_err());
        assert!(validate_code("LÅ").is_err());
        assert!(validate_code("ABCDEFGHI").is_err());
    }

    #[test]
    fn csv_is_excel_swedish_friendly() {
        let doc = csv_document(
            &["Nummer".to_string(), "Beslut".to_string()],
            &[
                vec![
                    "LF-2026-01".to_string(),
                    "Åtgärd; \"snart\"\nrad två".to_string(),
                ],
                vec!["=1+1".to_string(), "ok".to_string()],
            ],
        );
        let text = String::from_utf8(doc).unwrap();
        assert_eq!(
            text,
            "\u{feff}Nummer;Beslut\r\nLF-2026-01;\"Åtgärd; \"\"snart\"\"\nrad två\"\r\n'=1+1;ok\r\n"
        );
    }

    #[test]
    fn numbers_have_two_digits_at_least() {
        assert_eq!(decision_number("LF", 2026, 7), "LF-2026-07");
        assert_eq!(decision_number("LF", 2026, 123), "LF-2026-123");
        let new_year_eve = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(
            decision_year(new_year_eve, chrono_tz::Europe::Stockholm),
            2027
        );
    }

    #[test]
    fn search_words_fold_case_and_keep_swedish_letters() {
        assert_eq!(
            search_words("ÅTGÄRD: Leverans-plan 2026, öppen!"),
            "åtgärd leverans plan 2026 öppen"
        );
        assert_eq!(search_words("  "), "");
        assert_eq!(
            query_words("Åtg LEV åtg"),
            Some(vec!["åtg".to_string(), "lev".to_string()])
        );
        assert_eq!(query_words("* ' \""), None);
    }

    #[test]
    fn due_dates_are_today_or_later_in_the_forum_zone() {
        let tz = chrono_tz::Europe::Stockholm;
        // 23:30 UTC on 6 December is already 7 December in Stockholm.
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 23, 30, 0).unwrap();
        assert_eq!(
            validate_due("2026-12-06", now, tz),
            Err(ActionProblem::DueInPast)
        );
        assert!(validate_due("2026-12-07", now, tz).is_ok());
        assert_eq!(validate_due("7/12", now, tz), Err(ActionProblem::Date));
        let due = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let r = action_reminders(due, tz, now);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].1, Utc.with_ymd_and_hms(2026, 12, 8, 8, 0, 0).unwrap());
        assert_eq!(r[1].1, Utc.with_ymd_and_hms(2026, 12, 10, 8, 0, 0).unwrap());
        assert!(!is_overdue(due, r[1].1, tz));
        assert!(is_overdue(
            due,
            Utc.with_ymd_and_hms(2026, 12, 10, 23, 0, 0).unwrap(),
            tz
        ));
    }
}
