//! Minutes of a meeting: the draft made from the record, the Markdown document as sections
//! with stable keys (each edited alone), what an edit or an upload changed, the standalone
//! printable HTML and the SHA-256 of the frozen text. Pure: labels come in translated, times
//! come in as local dates and times.

use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveTime};
use sha2::{Digest, Sha256};

/// Largest uploaded document (bytes). Stated in the refusal and the README.
pub const MAX_UPLOAD: usize = 256 * 1024;
/// Largest section a modal edits (Discord's text input holds 4000 characters).
pub const MAX_MODAL_SECTION: usize = 4000;
/// Longest section key.
pub const MAX_KEY: usize = 40;

/// A minutes row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MinutesId(pub i64);

/// Where minutes (or an addendum) are in their review.
///
/// ```text
/// draft ──submit──► submitted ──approve──► approved (frozen)
///   ▲                   │
///   └──edit── changes requested ◄──request changes
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutesState {
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
}

impl MinutesState {
    pub fn as_str(self) -> &'static str {
        match self {
            MinutesState::Draft => "draft",
            MinutesState::Submitted => "submitted",
            MinutesState::ChangesRequested => "changes_requested",
            MinutesState::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            MinutesState::Draft,
            MinutesState::Submitted,
            MinutesState::ChangesRequested,
            MinutesState::Approved,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// The secretary may change the text (and regenerate it) only in these states.
    pub fn editable(self) -> bool {
        matches!(self, MinutesState::Draft | MinutesState::ChangesRequested)
    }
}

/// A minutes document of a meeting (seq 0) or an addendum to it (seq 1, 2, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Minutes {
    pub id: MinutesId,
    pub guild: super::ids::GuildId,
    pub forum: super::ids::ForumId,
    pub meeting: super::meeting::MeetingId,
    pub seq: i64,
    pub state: MinutesState,
    pub body: String,
    pub version: i64,
    pub created_by: super::ids::UserId,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: super::ids::UserId,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub submitted_by: Option<super::ids::UserId>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reviewed_by: Option<super::ids::UserId>,
    pub reviewed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub comment: Option<String>,
    pub sha256: Option<String>,
}

impl Minutes {
    pub fn is_addendum(&self) -> bool {
        self.seq > 0
    }
}

/// What happened to minutes, as kept in their history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinutesEvent {
    Generated,
    Edited,
    Uploaded,
    Submitted,
    Approved,
    ChangesRequested,
}

impl MinutesEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            MinutesEvent::Generated => "generated",
            MinutesEvent::Edited => "edited",
            MinutesEvent::Uploaded => "uploaded",
            MinutesEvent::Submitted => "submitted",
            MinutesEvent::Approved => "approved",
            MinutesEvent::ChangesRequested => "changes_requested",
        }
    }
}

/// The headings and fixed words of a draft, in the guild's language (from the catalogue).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels {
    /// `Minnesanteckningar` / `Minutes`
    pub title: String,
    pub date: String,
    pub place: String,
    pub time: String,
    pub attendance: String,
    pub absent: String,
    pub guests: String,
    /// Shown for an empty list (`Inga`).
    pub none: String,
    pub agenda: String,
    pub opening: String,
    /// Consent to recording: `{agreed}` of `{asked}` replaced.
    pub consent: String,
    pub other: String,
    pub decision: String,
    pub actions: String,
    pub what: String,
    pub who: String,
    pub when: String,
    pub no_actions: String,
    pub escalations: String,
    pub no_escalations: String,
    pub next_meeting: String,
    pub next_unknown: String,
    pub signatures: String,
    pub chair: String,
    pub secretary: String,
}

/// A person in the attendance lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub name: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
}

impl Person {
    pub fn new(name: &str, organisation: Option<&str>, role: Option<&str>) -> Self {
        Self {
            name: name.to_string(),
            organisation: organisation.map(str::to_string),
            role: role.map(str::to_string),
        }
    }
}

/// A decision as the minutes show it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecisionLine {
    pub number: String,
    pub title: String,
    pub text: String,
}

/// One agenda item with what was said and decided under it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ItemInput {
    /// Its position on the agenda (1-based).
    pub position: i64,
    pub title: String,
    pub notes: Vec<String>,
    pub decisions: Vec<DecisionLine>,
}

/// An action: what, who, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionLine {
    pub what: String,
    pub who: String,
    pub due: NaiveDate,
}

/// An escalation made in (or concerning) the meeting; `state` already translated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EscalationLine {
    pub to: String,
    pub subject: String,
    pub reason: String,
    pub state: String,
}

/// Everything a draft is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesInput {
    pub forum: String,
    pub date: NaiveDate,
    pub place: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub attendees: Vec<Person>,
    pub absentees: Vec<Person>,
    pub guests: Vec<Person>,
    /// Consent to recording asked of attendees: (agreed, asked); `None` when not asked.
    pub consent: Option<(usize, usize)>,
    /// Notes made before or outside the agenda items (the opening).
    pub opening: Vec<String>,
    pub items: Vec<ItemInput>,
    /// Decisions recorded without an item (or for an item not on the agenda).
    pub other_decisions: Vec<DecisionLine>,
    pub actions: Vec<ActionLine>,
    pub escalations: Vec<EscalationLine>,
    /// The next meeting as the minutes say it (`2025-11-18 13:30`, `planeras till november`).
    pub next_meeting: Option<String>,
    pub chair: Option<String>,
    pub secretary: Option<String>,
}

/// One section of a minutes document: a stable key (`header`, `attendance`, `agenda`,
/// `opening`, `item-3`, `other`, `actions`, `escalations`, `next-meeting`, `signatures`) and
/// its Markdown (heading included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub key: String,
    pub body: String,
}

/// A minutes document: its sections in order. Written out as Markdown with an invisible
/// `<!-- section: key -->` line before each section, which is how an uploaded file is split
/// back into sections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub sections: Vec<Section>,
}

/// Why a text is not a minutes document (or a section).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocProblem {
    #[error("larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("not UTF-8")]
    NotUtf8,
    #[error("control characters")]
    Control,
    #[error("no section markers")]
    NoSections,
    #[error("text before the first section")]
    TextBeforeFirst,
    #[error("bad section key {0:?}")]
    BadKey(String),
    #[error("section {0:?} twice")]
    Duplicate(String),
    #[error("a section marker inside a section")]
    MarkerInSection,
    #[error("section {0:?} empty")]
    EmptySection(String),
}

const MARKER_OPEN: &str = "<!-- section:";
const MARKER_CLOSE: &str = "-->";

fn marker(key: &str) -> String {
    format!("{MARKER_OPEN} {key} {MARKER_CLOSE}")
}

/// The key of a marker line, if the line is one.
fn marker_key(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix(MARKER_OPEN)?;
    Some(rest.strip_suffix(MARKER_CLOSE)?.trim())
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The section key of agenda item `position`.
pub fn item_key(position: i64) -> String {
    format!("item-{position}")
}

/// Escapes the Markdown that would change a one-line value's meaning (a name, a title):
/// emphasis, code, links, HTML, table pipes; newlines become spaces.
pub fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// A block a person wrote (a note, a decision's text), kept as Markdown, but never able to
/// start a section of its own: a marker-like line is defused.
pub fn defuse_block(s: &str) -> String {
    let text = s.replace("\r\n", "\n");
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("<!--") {
                l.replacen("<!--", "&lt;!--", 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

fn person_line(p: &Person) -> String {
    let mut s = escape_inline(&p.name);
    if let Some(o) = p.organisation.as_deref().filter(|o| !o.trim().is_empty()) {
        let _ = write!(s, ", {}", escape_inline(o));
    }
    if let Some(r) = p.role.as_deref().filter(|r| !r.trim().is_empty()) {
        let _ = write!(s, " ({})", escape_inline(r));
    }
    s
}

fn list(out: &mut String, people: &[Person], none: &str) {
    if people.is_empty() {
        let _ = writeln!(out, "- {none}");
    }
    for p in people {
        let _ = writeln!(out, "- {}", person_line(p));
    }
}

fn decision_block(out: &mut String, l: &Labels, d: &DecisionLine) {
    let _ = write!(
        out,
        "\n### {} {}: {}\n\n{}\n",
        escape_inline(&l.decision),
        escape_inline(&d.number),
        escape_inline(&d.title),
        defuse_block(&d.text)
    );
}

/// The draft: one section per part of the minutes, in the order of the seed's minutes.
pub fn draft(input: &MinutesInput, l: &Labels) -> Document {
    let mut sections = Vec::with_capacity(input.items.len() + 9);
    let mut push = |key: String, body: String| {
        sections.push(Section {
            key,
            body: body.trim().to_string(),
        })
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        "# {} {}\n",
        escape_inline(&l.title),
        escape_inline(&input.forum)
    );
    let _ = writeln!(s, "{}: {}\n", l.date, input.date.format("%Y-%m-%d"));
    if !input.place.trim().is_empty() {
        let _ = writeln!(s, "{}: {}\n", l.place, escape_inline(&input.place));
    }
    let _ = writeln!(
        s,
        "{}: {}–{}",
        l.time,
        input.start.format("%H:%M"),
        input.end.format("%H:%M")
    );
    push("header".into(), s);

    let mut s = format!("## {}\n\n", l.attendance);
    list(&mut s, &input.attendees, &l.none);
    let _ = writeln!(s, "\n### {}\n", l.absent);
    list(&mut s, &input.absentees, &l.none);
    if !input.guests.is_empty() {
        let _ = writeln!(s, "\n### {}\n", l.guests);
        list(&mut s, &input.guests, &l.none);
    }
    push("attendance".into(), s);

    let mut s = format!("## {}\n\n", l.agenda);
    if input.items.is_empty() {
        let _ = writeln!(s, "- {}", l.none);
    }
    for it in &input.items {
        let _ = writeln!(s, "{}. {}", it.position, escape_inline(&it.title));
    }
    push("agenda".into(), s);

    if !input.opening.is_empty() || input.consent.is_some() {
        let mut s = format!("## {}\n", l.opening);
        for n in &input.opening {
            let _ = write!(s, "\n{}\n", defuse_block(n));
        }
        if let Some((agreed, asked)) = input.consent {
            let line = l
                .consent
                .replace("{agreed}", &agreed.to_string())
                .replace("{asked}", &asked.to_string());
            let _ = write!(s, "\n{line}\n");
        }
        push("opening".into(), s);
    }

    for it in &input.items {
        let mut s = format!("## {}. {}\n", it.position, escape_inline(&it.title));
        for n in &it.notes {
            let _ = write!(s, "\n{}\n", defuse_block(n));
        }
        for d in &it.decisions {
            decision_block(&mut s, l, d);
        }
        push(item_key(it.position), s);
    }

    if !input.other_decisions.is_empty() {
        let mut s = format!("## {}\n", l.other);
        for d in &input.other_decisions {
            decision_block(&mut s, l, d);
        }
        push("other".into(), s);
    }

    let mut s = format!("## {}\n\n", l.actions);
    if input.actions.is_empty() {
        let _ = writeln!(s, "{}", l.no_actions);
    } else {
        let _ = writeln!(s, "| {} | {} | {} |\n|---|---|---|", l.what, l.who, l.when);
        for a in &input.actions {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                escape_inline(&a.what),
                escape_inline(&a.who),
                a.due.format("%Y-%m-%d")
            );
        }
    }
    push("actions".into(), s);

    let mut s = format!("## {}\n\n", l.escalations);
    if input.escalations.is_empty() {
        let _ = writeln!(s, "{}", l.no_escalations);
    }
    for e in &input.escalations {
        let _ = write!(
            s,
            "- {}: {} ({})",
            escape_inline(&e.to),
            escape_inline(&e.subject),
            escape_inline(&e.state)
        );
        if !e.reason.trim().is_empty() {
            let _ = write!(s, " — {}", escape_inline(&e.reason));
        }
        s.push('\n');
    }
    push("escalations".into(), s);

    let next = input
        .next_meeting
        .as_deref()
        .map_or_else(|| l.next_unknown.clone(), escape_inline);
    push(
        "next-meeting".into(),
        format!("## {}\n\n{next}\n", l.next_meeting),
    );

    let mut s = format!("## {}\n", l.signatures);
    for (name, role) in [(&input.chair, &l.chair), (&input.secretary, &l.secretary)] {
        let name = name
            .as_deref()
            .map_or_else(|| "—".to_string(), escape_inline);
        let _ = write!(s, "\n{name}  \n{role}\n");
    }
    push("signatures".into(), s);

    Document { sections }
}

impl Document {
    /// The Markdown file: each section after its marker, a blank line between sections.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&marker(&s.key));
            out.push_str("\n\n");
            out.push_str(&s.body);
            out.push('\n');
        }
        out
    }

    /// Splits a Markdown document at its section markers. Line endings are normalised and
    /// each section's leading and trailing blank lines dropped, so `parse(to_markdown(d))`
    /// is `d`.
    pub fn parse(text: &str) -> Result<Document, DocProblem> {
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(DocProblem::Control);
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut sections: Vec<Section> = Vec::new();
        let mut current: Option<(String, Vec<&str>)> = None;
        let finish = |cur: Option<(String, Vec<&str>)>, out: &mut Vec<Section>| {
            if let Some((key, lines)) = cur {
                out.push(Section {
                    key,
                    body: lines.join("\n").trim_matches('\n').trim_end().to_string(),
                });
            }
        };
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(key) = marker_key(line) {
                if !valid_key(key) {
                    return Err(DocProblem::BadKey(key.chars().take(MAX_KEY).collect()));
                }
                if sections.iter().any(|s| s.key == key)
                    || current.as_ref().is_some_and(|(k, _)| k == key)
                {
                    return Err(DocProblem::Duplicate(key.to_string()));
                }
                finish(current.take(), &mut sections);
                current = Some((key.to_string(), Vec::new()));
            } else if let Some((_, lines)) = current.as_mut() {
                lines.push(line);
            } else if !line.trim().is_empty() {
                return Err(DocProblem::TextBeforeFirst);
            }
        }
        finish(current, &mut sections);
        if sections.is_empty() {
            return Err(DocProblem::NoSections);
        }
        Ok(Document { sections })
    }

    /// Reads an uploaded file: at most [`MAX_UPLOAD`] bytes of UTF-8 minutes Markdown.
    pub fn from_upload(bytes: &[u8]) -> Result<Document, DocProblem> {
        if bytes.len() > MAX_UPLOAD {
            return Err(DocProblem::TooLarge { max: MAX_UPLOAD });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| DocProblem::NotUtf8)?;
        Document::parse(text)
    }

    pub fn section(&self, key: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.key == key)
    }

    pub fn keys(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.key.as_str()).collect()
    }

    /// The document with one section's text replaced (the section must exist).
    pub fn with_section(&self, key: &str, body: &str) -> Result<Document, DocProblem> {
        let body = check_section_body(key, body)?;
        let mut doc = self.clone();
        match doc.sections.iter_mut().find(|s| s.key == key) {
            Some(s) => s.body = body,
            None => return Err(DocProblem::BadKey(key.chars().take(MAX_KEY).collect())),
        }
        Ok(doc)
    }

    /// The first line of each section (its heading), for a list of what can be edited.
    pub fn outline(&self) -> Vec<(String, String)> {
        self.sections
            .iter()
            .map(|s| {
                let head = s.body.lines().next().unwrap_or("");
                (
                    s.key.clone(),
                    head.trim_start_matches('#').trim().to_string(),
                )
            })
            .collect()
    }
}

/// A section's new text as typed in a modal: no markers, no control characters, not empty.
pub fn check_section_body(key: &str, body: &str) -> Result<String, DocProblem> {
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(DocProblem::Control);
    }
    let body = body.replace("\r\n", "\n");
    if body.lines().any(|l| marker_key(l).is_some()) {
        return Err(DocProblem::MarkerInSection);
    }
    let body = body.trim_matches('\n').trim_end().to_string();
    if body.trim().is_empty() {
        return Err(DocProblem::EmptySection(key.to_string()));
    }
    Ok(body)
}

/// How one section changed between two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    /// Lines added and removed, and a small unified diff of them.
    Changed {
        added: usize,
        removed: usize,
        diff: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionChange {
    pub key: String,
    pub kind: ChangeKind,
}

/// What changed from `old` to `new`, section by section (in `new`'s order, removed sections
/// last). Unchanged sections are left out.
pub fn changes(old: &Document, new: &Document) -> Vec<SectionChange> {
    let mut out = Vec::new();
    for s in &new.sections {
        match old.section(&s.key) {
            None => out.push(SectionChange {
                key: s.key.clone(),
                kind: ChangeKind::Added,
            }),
            Some(o) if o.body != s.body => out.push(SectionChange {
                key: s.key.clone(),
                kind: line_diff(&o.body, &s.body),
            }),
            Some(_) => {}
        }
    }
    for o in &old.sections {
        if new.section(&o.key).is_none() {
            out.push(SectionChange {
                key: o.key.clone(),
                kind: ChangeKind::Removed,
            });
        }
    }
    out
}

fn line_diff(old: &str, new: &str) -> ChangeKind {
    use similar::{ChangeTag, TextDiff};
    let old = format!("{old}\n");
    let new = format!("{new}\n");
    let diff = TextDiff::from_lines(&old, &new);
    let (mut added, mut removed) = (0, 0);
    for c in diff.iter_all_changes() {
        match c.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let mut text = String::new();
    for group in diff.grouped_ops(1) {
        for op in group {
            for c in diff.iter_changes(&op) {
                let sign = match c.tag() {
                    ChangeTag::Insert => '+',
                    ChangeTag::Delete => '-',
                    ChangeTag::Equal => ' ',
                };
                let _ = writeln!(text, "{sign} {}", c.value().trim_end_matches('\n'));
            }
        }
    }
    ChangeKind::Changed {
        added,
        removed,
        diff: text,
    }
}

/// The hex SHA-256 of a frozen document's UTF-8 text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const PRINT_CSS: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:44rem;\
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#111}\
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #999}\
h3{font-size:1rem}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #777;padding:.25rem .4rem;text-align:left;vertical-align:top}\
footer{margin-top:2rem;font-size:.8rem;color:#444;word-break:break-all}\
@page{size:A4;margin:2cm}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}\
table,tr{break-inside:avoid}a{color:inherit;text-decoration:none}}";

/// A standalone, printable HTML page of the document: every HTML tag a person typed is
/// shown as text (escaped), the section markers are left out; `footer` (the SHA-256 line of
/// approved minutes) is escaped too.
pub fn to_html(doc: &Document, title: &str, lang: &str, footer: Option<&str>) -> String {
    use pulldown_cmark::{html, Event, Options, Parser};
    let md = doc
        .sections
        .iter()
        .map(|s| s.body.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let parser = Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(
        |e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            e => e,
        },
    );
    let mut body = String::with_capacity(md.len() * 2);
    html::push_html(&mut body, parser);
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n<article>\n{body}</article>\n",
        html_escape(lang),
        html_escape(title)
    );
    if let Some(f) = footer {
        let _ = writeln!(out, "<footer>{}</footer>", html_escape(f));
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        Labels {
            title: "Minutes".into(),
            date: "Date".into(),
            place: "Place".into(),
            time: "Time".into(),
            attendance: "Attendance".into(),
            absent: "Absent".into(),
            guests: "Guests".into(),
            none: "None".into(),
            agenda: "Agenda".into(),
            opening: "Opening".into(),
            consent: "{agreed} of {asked} agreed to the recording.".into(),
            other: "Other".into(),
            decision: "Decision".into(),
            actions: "Actions".into(),
            what: "What".into(),
            who: "Who".into(),
            when: "When".into(),
            no_actions: "No actions.".into(),
            escalations: "Escalations".into(),
            no_escalations: "No escalations.".into(),
            next_meeting: "Next meeting".into(),
            next_unknown: "Not yet planned.".into(),
            signatures: "Signatures".into(),
            chair: "Chair".into(),
            secretary: "Secretary".into(),
        }
    }

    fn input() -> MinutesInput {
        MinutesInput {
            forum: "Council".into(),
            date: NaiveDate::from_ymd_opt(2025, 9, 16).unwrap(),
            place: "Digital Teams".into(),
            start: NaiveTime::from_hms_opt(13, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
            attendees: vec![Person::new("Anna *A*", Some("Org | X"), Some("chair"))],
            absentees: vec![],
            guests: vec![],
            consent: Some((1, 1)),
            opening: vec!["Welcome.\n<!-- section: evil -->".into()],
            items: vec![ItemInput {
                position: 1,
                title: "Budget".into(),
                notes: vec!["Discussed.".into()],
                decisions: vec![DecisionLine {
                    number: "BR-2025-01".into(),
                    title: "Approve".into(),
                    text: "It was decided.".into(),
                }],
            }],
            other_decisions: vec![],
            actions: vec![ActionLine {
                what: "Send | report".into(),
                who: "Bo".into(),
                due: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
            }],
            escalations: vec![],
            next_meeting: Some("November".into()),
            chair: Some("Anna".into()),
            secretary: None,
        }
    }

    #[test]
    fn a_draft_has_every_section_with_a_stable_key_and_round_trips() {
        let doc = draft(&input(), &labels());
        assert_eq!(
            doc.keys(),
            [
                "header",
                "attendance",
                "agenda",
                "opening",
                "item-1",
                "actions",
                "escalations",
                "next-meeting",
                "signatures"
            ]
        );
        let md = doc.to_markdown();
        assert_eq!(Document::parse(&md).unwrap(), doc);
        assert_eq!(
            Document::parse(&md.replace('\n', "\r\n")).unwrap(),
            doc,
            "CRLF"
        );
        // User text is escaped where it would change the meaning, and cannot add a section.
        assert!(md.contains("Anna \\*A\\*, Org \\| X (chair)"));
        assert!(md.contains("| Send \\| report | Bo | 2025-10-01 |"));
        assert!(md.contains("&lt;!-- section: evil -->"));
        assert!(doc.section("evil").is_none());
        assert!(md.contains("1 of 1 agreed"));
    }

    #[test]
    fn documents_that_are_not_minutes_are_refused() {
        assert_eq!(
            Document::from_upload(&[0xff, 0xfe, 0x00]),
            Err(DocProblem::NotUtf8)
        );
        assert_eq!(
            Document::from_upload(&vec![b'a'; MAX_UPLOAD + 1]),
            Err(DocProblem::TooLarge { max: MAX_UPLOAD })
        );
        assert_eq!(
            Document::parse("# just text\n"),
            Err(DocProblem::TextBeforeFirst)
        );
        assert_eq!(Document::parse("\n\n"), Err(DocProblem::NoSections));
        assert_eq!(
            Document::parse("<!-- section: a -->\nx\n<!-- section: a -->\ny"),
            Err(DocProblem::Duplicate("a".into()))
        );
        assert_eq!(
            Document::parse("<!-- section: A B -->\nx"),
            Err(DocProblem::BadKey("A B".into()))
        );
        assert_eq!(
            Document::parse("<!-- section: a -->\n\u{7}"),
            Err(DocProblem::Control)
        );
        // A byte-order mark is fine.
        assert!(Document::parse("\u{feff}<!-- section: a -->\nx").is_ok());
    }

    #[test]
    fn one_section_is_replaced_alone_and_markers_cannot_be_typed_into_it() {
        let doc = draft(&input(), &labels());
        let new = doc
            .with_section("item-1", "## 1. Budget\n\nNew text.")
            .unwrap();
        let ch = changes(&doc, &new);
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].key, "item-1");
        match &ch[0].kind {
            ChangeKind::Changed {
                added,
                removed,
                diff,
            } => {
                assert!(*added >= 1 && *removed >= 1);
                assert!(diff.contains("+ New text."), "{diff}");
                assert!(diff.contains("- Discussed."), "{diff}");
            }
            k => panic!("{k:?}"),
        }
        assert_eq!(
            doc.with_section("item-1", "x\n<!-- section: y -->\nz"),
            Err(DocProblem::MarkerInSection)
        );
        assert_eq!(
            doc.with_section("item-1", "  \n"),
            Err(DocProblem::EmptySection("item-1".into()))
        );
        assert!(doc.with_section("item-9", "x").is_err());
    }

    #[test]
    fn added_and_removed_sections_are_reported() {
        let a = Document::parse("<!-- section: a -->\nx\n<!-- section: b -->\ny").unwrap();
        let b = Document::parse("<!-- section: a -->\nx\n<!-- section: c -->\nz").unwrap();
        let ch = changes(&a, &b);
        assert_eq!(
            ch,
            vec![
                SectionChange {
                    key: "c".into(),
                    kind: ChangeKind::Added
                },
                SectionChange {
                    key: "b".into(),
                    kind: ChangeKind::Removed
                }
            ]
        );
        assert!(changes(&a, &a).is_empty());
    }

    #[test]
    fn html_is_standalone_printable_and_escapes_typed_html() {
        let doc = Document::parse(
            "<!-- section: a -->\n# T\n\n<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        )
        .unwrap();
        let html = to_html(&doc, "T <x>", "sv", Some("SHA-256: abc"));
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<html lang=\"sv\">"));
        assert!(html.contains("@media print"));
        assert!(html.contains("<title>T &lt;x&gt;</title>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("section:"));
        assert!(html.contains("<table>"));
        assert!(html.contains("<footer>SHA-256: abc</footer>"));
    }

    #[test]
    fn the_hash_is_sha256_of_the_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
