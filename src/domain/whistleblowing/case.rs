//! Case lifecycle and rules: intake validation, status transitions, legal deadlines, reminders,
//! retention, and the content that gets encrypted.
//!
//! Pure: no I/O and no clock. Dates are passed in, at day resolution (reporter actions are only
//! ever recorded per day).
//!
//! Deadlines (EU Directive 2019/1937 art. 9, lag (2021:890)):
//! - acknowledge within 7 days of receipt: [`ack_due`];
//! - feedback within 3 months of the acknowledgement, or of the end of those 7 days if none was
//!   sent: [`feedback_due`];
//! - delete at the latest 2 years after closing: [`Retention`] (at most [`MAX_RETENTION_DAYS`])
//!   and [`purge_on`].

use std::fmt;
use std::str::FromStr;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::crypto::{self, CaseKey, CryptoError, Purpose};
use super::receipt::CaseCode;

// ---------------------------------------------------------------------------------------------
// Intake validation
// ---------------------------------------------------------------------------------------------

/// Longest "what happened", in characters (Discord's paragraph input limit).
pub const MAX_WHAT_CHARS: usize = 4000;
/// Longest value of every other intake field, in characters.
pub const MAX_FIELD_CHARS: usize = 1000;
/// Longest follow-up message (reporter or handler), in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// The field an [`IntakeError`] is about, so the caller can point at it in a fixed, translated
/// refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// What happened.
    What,
    /// When and where.
    WhenWhere,
    /// Who is involved.
    Who,
    /// Evidence, or where it can be found.
    Evidence,
    /// Optional contact details the reporter chose to give.
    Contact,
    /// A follow-up message.
    Message,
}

impl Field {
    /// Stable snake_case name, usable in translation keys.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::What => "what",
            Field::WhenWhere => "when_where",
            Field::Who => "who",
            Field::Evidence => "evidence",
            Field::Contact => "contact",
            Field::Message => "message",
        }
    }

    /// The length limit of the field, in characters.
    pub const fn max_chars(self) -> usize {
        match self {
            Field::What => MAX_WHAT_CHARS,
            Field::Message => MAX_MESSAGE_CHARS,
            _ => MAX_FIELD_CHARS,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why submitted text was refused. Carries the field, never the text: the caller shows one fixed
/// translated refusal per variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// A required field is empty (or only white space).
    #[error("required field `{0}` is empty")]
    Missing(Field),
    /// Longer than [`Field::max_chars`].
    #[error("field `{0}` is too long")]
    TooLong(Field),
    /// Contains control characters other than newline, carriage return and tab (NUL included).
    #[error("field `{0}` contains control characters")]
    ControlCharacters(Field),
    /// More than half of the characters are invisible or replacement characters.
    #[error("field `{0}` is mostly unreadable characters")]
    Unreadable(Field),
}

impl IntakeError {
    /// The field concerned.
    pub const fn field(self) -> Field {
        match self {
            IntakeError::Missing(f)
            | IntakeError::TooLong(f)
            | IntakeError::ControlCharacters(f)
            | IntakeError::Unreadable(f) => f,
        }
    }
}

/// Characters that render as nothing or as a placeholder: replacement and object-replacement
/// characters, format characters (zero-width, bidi controls, soft hyphen, BOM, fillers),
/// private-use and noncharacters, tags. Letters, marks, symbols, emoji and white space are
/// readable.
fn is_unreadable(c: char) -> bool {
    let cp = u32::from(c);
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FDD0}'..='\u{FDEF}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFD}'
            | '\u{E000}'..='\u{F8FF}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{F0000}'..='\u{10FFFF}'
    ) || cp & 0xFFFE == 0xFFFE
}

/// Trims and checks one field. `Ok(None)` for an empty optional field.
fn clean(raw: &str, field: Field, required: bool) -> Result<Option<String>, IntakeError> {
    let max = field.max_chars();
    // Cheap bound first: a char is at most 4 bytes; allow some surrounding white space.
    if raw.len() > 4 * max + 1024 {
        return Err(IntakeError::TooLong(field));
    }
    let text = raw.trim();
    if text.is_empty() {
        return if required {
            Err(IntakeError::Missing(field))
        } else {
            Ok(None)
        };
    }
    let mut total = 0usize;
    let mut unreadable = 0usize;
    for c in text.chars() {
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            return Err(IntakeError::ControlCharacters(field));
        }
        total += 1;
        if is_unreadable(c) {
            unreadable += 1;
        }
    }
    if total > max {
        return Err(IntakeError::TooLong(field));
    }
    if unreadable * 2 > total {
        return Err(IntakeError::Unreadable(field));
    }
    Ok(Some(text.to_owned()))
}

/// The intake form, validated. Fields are trimmed; `what` is never empty; `when_where` and `who`
/// may be empty; `evidence` and `contact` are `None` when left empty.
///
/// `Debug` prints no content (tip text must never reach a log); the strings are wiped on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct TipForm {
    /// What happened.
    pub what: String,
    /// When and where.
    pub when_where: String,
    /// Who is involved.
    pub who: String,
    /// Evidence, or where it can be found.
    pub evidence: Option<String>,
    /// Contact details the reporter chose to give (never required).
    pub contact: Option<String>,
}

impl TipForm {
    /// Validates raw form input: trims every field; requires `what`; `what` ≤ 4000 characters,
    /// the others ≤ 1000; rejects control characters (other than `\n`, `\r`, `\t`) and fields
    /// more than half unreadable. Errors name the field, never the text.
    pub fn validate(
        what: &str,
        when_where: &str,
        who: &str,
        evidence: Option<&str>,
        contact: Option<&str>,
    ) -> Result<TipForm, IntakeError> {
        let what = clean(what, Field::What, true)?.unwrap_or_default();
        let when_where = clean(when_where, Field::WhenWhere, false)?.unwrap_or_default();
        let who = clean(who, Field::Who, false)?.unwrap_or_default();
        let evidence = match evidence {
            Some(e) => clean(e, Field::Evidence, false)?,
            None => None,
        };
        let contact = match contact {
            Some(c) => clean(c, Field::Contact, false)?,
            None => None,
        };
        Ok(TipForm {
            what,
            when_where,
            who,
            evidence,
            contact,
        })
    }

    fn byte_len(&self) -> usize {
        self.what.len()
            + self.when_where.len()
            + self.who.len()
            + self.evidence.as_ref().map_or(0, String::len)
            + self.contact.as_ref().map_or(0, String::len)
    }
}

impl fmt::Debug for TipForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TipForm([redacted])")
    }
}

/// A validated follow-up message body (reporter addition or handler reply): trimmed, non-empty,
/// ≤ 4000 characters, same junk rules as the form. Wiped on drop; `Debug` prints no content.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FollowUp(String);

impl FollowUp {
    /// Validates raw message text.
    pub fn validate(raw: &str) -> Result<FollowUp, IntakeError> {
        clean(raw, Field::Message, true).map(|t| FollowUp(t.unwrap_or_default()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FollowUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FollowUp([redacted])")
    }
}

// ---------------------------------------------------------------------------------------------
// Encrypted content
// ---------------------------------------------------------------------------------------------

/// Who wrote a message. Deliberately without any identity: the reporter has none in this system,
/// and which handler replied is never shown to the reporter (it belongs in the handler-only
/// audit log, if anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The reporter.
    Reporter,
    /// One of the case's handlers, unnamed.
    Handler,
}

/// Failure to open encrypted content. Content-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// Wrong key, wrong case or slot (AAD), or altered ciphertext.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Decrypted, but not a valid content document.
    #[error("malformed case content")]
    Malformed,
}

/// JSON into a pre-sized buffer that is wiped on drop (so no reallocation leaves plaintext
/// copies behind).
fn to_plaintext<T: Serialize>(value: &T, text_bytes: usize) -> Zeroizing<Vec<u8>> {
    // Escaping at most doubles the text (control characters other than \n\r\t are refused).
    let mut buf = Zeroizing::new(Vec::with_capacity(2 * text_bytes + 256));
    serde_json::to_writer(&mut *buf, value).expect("plain strings always serialise");
    buf
}

fn from_plaintext<T: for<'de> Deserialize<'de>>(plain: &[u8]) -> Result<T, ContentError> {
    // The serde error is dropped: its message can quote the (decrypted) input.
    serde_json::from_slice(plain).map_err(|_| ContentError::Malformed)
}

/// What is encrypted for the intake: the form (and nothing about the reporter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseContent {
    /// The validated form.
    pub form: TipForm,
}

impl CaseContent {
    /// Serialises and encrypts under the case key, bound to `code` and the content slot.
    pub fn seal(&self, key: &CaseKey, code: &CaseCode) -> Vec<u8> {
        let plain = to_plaintext(self, self.form.byte_len());
        crypto::encrypt(key, &crypto::aad(code, Purpose::Content), &plain)
    }

    /// Decrypts and parses content sealed by [`CaseContent::seal`] for the same case.
    pub fn open(blob: &[u8], key: &CaseKey, code: &CaseCode) -> Result<Self, ContentError> {
        let plain = crypto::decrypt(key, &crypto::aad(code, Purpose::Content), blob)?;
        from_plaintext(&plain)
    }
}

/// One message of the follow-up conversation. Reporter-visible as is: contains no handler
/// identity. Wiped on drop; `Debug` prints no content.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct Message {
    /// Reporter or (an unnamed) handler.
    #[zeroize(skip)]
    pub author: Author,
    /// The text.
    pub body: String,
}

impl Message {
    /// A message from validated text.
    pub fn new(author: Author, mut body: FollowUp) -> Self {
        Message {
            author,
            body: std::mem::take(&mut body.0),
        }
    }

    /// Serialises and encrypts under the case key, bound to `code` and message number `seq`.
    pub fn seal(&self, key: &CaseKey, code: &CaseCode, seq: u32) -> Vec<u8> {
        let plain = to_plaintext(self, self.body.len());
        crypto::encrypt(key, &crypto::aad(code, Purpose::Message(seq)), &plain)
    }

    /// Decrypts and parses message `seq` of case `code`.
    pub fn open(
        blob: &[u8],
        key: &CaseKey,
        code: &CaseCode,
        seq: u32,
    ) -> Result<Self, ContentError> {
        let plain = crypto::decrypt(key, &crypto::aad(code, Purpose::Message(seq)), blob)?;
        from_plaintext(&plain)
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("author", &self.author)
            .field("body", &"[redacted]")
            .finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Status and outcome
// ---------------------------------------------------------------------------------------------

/// An unknown status or outcome name (the input is not echoed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown value")]
pub struct UnknownValue;

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Submitted, not yet acknowledged.
    Received,
    /// Receipt acknowledged to the reporter.
    Acknowledged,
    /// Being investigated.
    InProgress,
    /// Closed with an [`Outcome`]. Final.
    Closed,
}

impl CaseStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::Received,
        CaseStatus::Acknowledged,
        CaseStatus::InProgress,
        CaseStatus::Closed,
    ];

    /// snake_case name, as stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Received => "received",
            CaseStatus::Acknowledged => "acknowledged",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Closed => "closed",
        }
    }

    /// Parses the exact snake_case name.
    pub fn parse(s: &str) -> Result<Self, UnknownValue> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownValue)
    }

    /// True for [`CaseStatus::Closed`].
    pub const fn is_final(self) -> bool {
        matches!(self, CaseStatus::Closed)
    }

    /// See [`can_transition`].
    pub const fn can_transition_to(self, to: CaseStatus) -> bool {
        can_transition(self, to)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The allowed status changes: Received → Acknowledged → InProgress, and Received, Acknowledged
/// or InProgress → Closed. Nothing leaves Closed; no status changes to itself.
pub const fn can_transition(from: CaseStatus, to: CaseStatus) -> bool {
    use CaseStatus::*;
    matches!(
        (from, to),
        (Received, Acknowledged)
            | (Acknowledged, InProgress)
            | (Received, Closed)
            | (Acknowledged, Closed)
            | (InProgress, Closed)
    )
}

/// A refused status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a case cannot go from `{from}` to `{to}`")]
pub struct TransitionError {
    /// Current status.
    pub from: CaseStatus,
    /// Requested status.
    pub to: CaseStatus,
}

/// `Ok(to)` if [`can_transition`] allows it.
pub const fn transition(from: CaseStatus, to: CaseStatus) -> Result<CaseStatus, TransitionError> {
    if can_transition(from, to) {
        Ok(to)
    } else {
        Err(TransitionError { from, to })
    }
}

/// How a case ended. A fixed choice, no free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The report was found to be substantiated.
    Substantiated,
    /// The report could not be substantiated.
    NotSubstantiated,
    /// Handed to an external authority (e.g. Konkurrensverket).
    ReferredExternally,
    /// No action taken (e.g. outside scope).
    NoAction,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 4] = [
        Outcome::Substantiated,
        Outcome::NotSubstantiated,
        Outcome::ReferredExternally,
        Outcome::NoAction,
    ];

    /// snake_case name, as stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Substantiated => "substantiated",
            Outcome::NotSubstantiated => "not_substantiated",
            Outcome::ReferredExternally => "referred_externally",
            Outcome::NoAction => "no_action",
        }
    }

    /// Parses the exact snake_case name.
    pub fn parse(s: &str) -> Result<Self, UnknownValue> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or(UnknownValue)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Deadlines and retention
// ---------------------------------------------------------------------------------------------

/// Days to acknowledge receipt.
pub const ACK_DAYS: u64 = 7;
/// Calendar months to give feedback.
pub const FEEDBACK_MONTHS: u32 = 3;
/// Longest retention after closing: 730 days, never more than the law's 2 years.
pub const MAX_RETENTION_DAYS: u32 = 730;

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

fn offset_days(date: NaiveDate, days: i64) -> NaiveDate {
    let n = Days::new(days.unsigned_abs());
    if days >= 0 {
        date.checked_add_days(n).unwrap_or(NaiveDate::MAX)
    } else {
        date.checked_sub_days(n).unwrap_or(NaiveDate::MIN)
    }
}

/// Last day to acknowledge: received + 7 days.
pub fn ack_due(received: NaiveDate) -> NaiveDate {
    add_days(received, ACK_DAYS)
}

/// Last day to give feedback: 3 calendar months after the acknowledgement, or after
/// [`ack_due`] if none was sent; the day is clamped to the end of a shorter month
/// (31 January → 30 April). An acknowledgement dated before receipt counts from receipt.
pub fn feedback_due(received: NaiveDate, acknowledged: Option<NaiveDate>) -> NaiveDate {
    let start = match acknowledged {
        Some(ack) => ack.max(received),
        None => ack_due(received),
    };
    start
        .checked_add_months(Months::new(FEEDBACK_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// A validated retention period after closing, 1..=[`MAX_RETENTION_DAYS`] days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Retention(u32);

/// A retention outside 1..=[`MAX_RETENTION_DAYS`] days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("retention must be between 1 and {MAX_RETENTION_DAYS} days")]
pub struct RetentionError;

impl Retention {
    /// The longest retention allowed.
    pub const MAX: Retention = Retention(MAX_RETENTION_DAYS);

    /// Validates a configured retention in days.
    pub const fn from_days(days: u32) -> Result<Self, RetentionError> {
        if days >= 1 && days <= MAX_RETENTION_DAYS {
            Ok(Retention(days))
        } else {
            Err(RetentionError)
        }
    }

    /// The number of days.
    pub const fn days(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Retention {
    type Error = RetentionError;

    fn try_from(days: u32) -> Result<Self, Self::Error> {
        Retention::from_days(days)
    }
}

impl From<Retention> for u32 {
    fn from(r: Retention) -> u32 {
        r.0
    }
}

/// Validates a configured retention (same as [`Retention::from_days`]).
pub const fn validate_retention_days(days: u32) -> Result<Retention, RetentionError> {
    Retention::from_days(days)
}

/// The day a closed case is purged: closed + retention.
pub fn purge_on(closed: NaiveDate, retention: Retention) -> NaiveDate {
    add_days(closed, u64::from(retention.days()))
}

/// True from the purge day on.
pub fn is_purge_due(closed: NaiveDate, retention: Retention, today: NaiveDate) -> bool {
    today >= purge_on(closed, retention)
}

/// The dates of a case that matter for deadlines, each at day resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDates {
    /// Day the report came in.
    pub received: NaiveDate,
    /// Day receipt was acknowledged to the reporter.
    pub acknowledged: Option<NaiveDate>,
    /// Day the first feedback (a handler reply on the action taken) was given. A reply also
    /// acknowledges receipt, so the service should set `acknowledged` too if it is unset.
    pub feedback_given: Option<NaiveDate>,
    /// Day the case was closed.
    pub closed: Option<NaiveDate>,
}

impl CaseDates {
    /// A case received on `received`, with nothing done yet.
    pub const fn received(received: NaiveDate) -> Self {
        Self {
            received,
            acknowledged: None,
            feedback_given: None,
            closed: None,
        }
    }
}

/// Which legal or retention deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Acknowledge receipt.
    Acknowledge,
    /// Give feedback.
    Feedback,
    /// Purge the closed case.
    Purge,
}

impl DeadlineKind {
    /// snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Acknowledge => "acknowledge",
            DeadlineKind::Feedback => "feedback",
            DeadlineKind::Purge => "purge",
        }
    }
}

/// One pending deadline as seen on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// Which deadline.
    pub kind: DeadlineKind,
    /// The last day (for `Purge`: the day of purging).
    pub due: NaiveDate,
    /// Days from today to `due`: 0 on the day, negative once past.
    pub days_left: i64,
    /// True after the due day.
    pub overdue: bool,
}

impl Deadline {
    fn new(kind: DeadlineKind, due: NaiveDate, today: NaiveDate) -> Self {
        Deadline {
            kind,
            due,
            days_left: due.signed_duration_since(today).num_days(),
            overdue: today > due,
        }
    }
}

/// The pending deadlines of a case on a given day. An open case has the acknowledgement (until
/// acknowledged) and feedback (until given) deadlines; a closed case only the purge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineSummary {
    /// Pending acknowledgement.
    pub acknowledge: Option<Deadline>,
    /// Pending feedback.
    pub feedback: Option<Deadline>,
    /// Purge of a closed case.
    pub purge: Option<Deadline>,
}

impl DeadlineSummary {
    /// The pending deadline that falls first.
    pub fn next(&self) -> Option<Deadline> {
        [self.acknowledge, self.feedback, self.purge]
            .into_iter()
            .flatten()
            .min_by_key(|d| d.due)
    }

    /// True if acknowledgement is pending and past due.
    pub fn ack_overdue(&self) -> bool {
        self.acknowledge.is_some_and(|d| d.overdue)
    }

    /// True if feedback is pending and past due.
    pub fn feedback_overdue(&self) -> bool {
        self.feedback.is_some_and(|d| d.overdue)
    }

    /// True if any pending deadline is past due.
    pub fn any_overdue(&self) -> bool {
        [self.acknowledge, self.feedback, self.purge]
            .into_iter()
            .flatten()
            .any(|d| d.overdue)
    }
}

/// The deadlines of a case as of `today`.
pub fn deadlines(dates: &CaseDates, retention: Retention, today: NaiveDate) -> DeadlineSummary {
    if let Some(closed) = dates.closed {
        return DeadlineSummary {
            acknowledge: None,
            feedback: None,
            purge: Some(Deadline::new(
                DeadlineKind::Purge,
                purge_on(closed, retention),
                today,
            )),
        };
    }
    DeadlineSummary {
        acknowledge: dates
            .acknowledged
            .is_none()
            .then(|| Deadline::new(DeadlineKind::Acknowledge, ack_due(dates.received), today)),
        feedback: dates.feedback_given.is_none().then(|| {
            Deadline::new(
                DeadlineKind::Feedback,
                feedback_due(dates.received, dates.acknowledged),
                today,
            )
        }),
        purge: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Reminders
// ---------------------------------------------------------------------------------------------

/// A content-free reminder to the handlers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Acknowledgement due in 2 days.
    AckSoon,
    /// Acknowledgement due today.
    AckDueToday,
    /// Acknowledgement overdue (sent the day after the due day).
    AckOverdue,
    /// Feedback due in 14 days.
    #[serde(rename = "feedback_in_14_days")]
    FeedbackIn14Days,
    /// Feedback due in 3 days.
    #[serde(rename = "feedback_in_3_days")]
    FeedbackIn3Days,
    /// Feedback overdue (sent the day after the due day).
    FeedbackOverdue,
    /// The closed case will be purged in 14 days.
    #[serde(rename = "purge_in_14_days")]
    PurgeIn14Days,
}

impl ReminderKind {
    /// snake_case name, part of the idempotency key and usable as a translation key.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReminderKind::AckSoon => "ack_soon",
            ReminderKind::AckDueToday => "ack_due_today",
            ReminderKind::AckOverdue => "ack_overdue",
            ReminderKind::FeedbackIn14Days => "feedback_in_14_days",
            ReminderKind::FeedbackIn3Days => "feedback_in_3_days",
            ReminderKind::FeedbackOverdue => "feedback_overdue",
            ReminderKind::PurgeIn14Days => "purge_in_14_days",
        }
    }

    /// The deadline the reminder is about.
    pub const fn deadline(self) -> DeadlineKind {
        match self {
            ReminderKind::AckSoon | ReminderKind::AckDueToday | ReminderKind::AckOverdue => {
                DeadlineKind::Acknowledge
            }
            ReminderKind::FeedbackIn14Days
            | ReminderKind::FeedbackIn3Days
            | ReminderKind::FeedbackOverdue => DeadlineKind::Feedback,
            ReminderKind::PurgeIn14Days => DeadlineKind::Purge,
        }
    }

    /// When it fires, in days relative to the deadline's due day.
    pub const fn offset_days(self) -> i64 {
        match self {
            ReminderKind::AckSoon => -2,
            ReminderKind::AckDueToday => 0,
            ReminderKind::AckOverdue => 1,
            ReminderKind::FeedbackIn14Days => -14,
            ReminderKind::FeedbackIn3Days => -3,
            ReminderKind::FeedbackOverdue => 1,
            ReminderKind::PurgeIn14Days => -14,
        }
    }

    /// The stages of one deadline, earliest first.
    const fn stages(kind: DeadlineKind) -> &'static [ReminderKind] {
        match kind {
            DeadlineKind::Acknowledge => &[
                ReminderKind::AckSoon,
                ReminderKind::AckDueToday,
                ReminderKind::AckOverdue,
            ],
            DeadlineKind::Feedback => &[
                ReminderKind::FeedbackIn14Days,
                ReminderKind::FeedbackIn3Days,
                ReminderKind::FeedbackOverdue,
            ],
            DeadlineKind::Purge => &[ReminderKind::PurgeIn14Days],
        }
    }
}

/// A reminder that is due. `(kind, due)` identifies it: with the case's id it is the idempotency
/// key of the notice ([`Reminder::key`]). If a deadline moves (e.g. an acknowledgement sets the
/// feedback date), its reminders get new keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reminder {
    /// Which reminder.
    pub kind: ReminderKind,
    /// The due day of the deadline it is about.
    pub due: NaiveDate,
    /// The day it was scheduled for (on or before today).
    pub fire_on: NaiveDate,
}

impl Reminder {
    /// `kind:due`, e.g. `ack_soon:2026-12-07`. Prefix the case's id to make it global.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.due)
    }
}

/// The reminders due on `today` for a case. For each pending deadline it returns the latest
/// stage reached (so a scheduler that was down for a few days sends one current reminder, not a
/// stale backlog); earlier stages are superseded. The caller sends each key at most once.
pub fn reminders_due(dates: &CaseDates, retention: Retention, today: NaiveDate) -> Vec<Reminder> {
    let summary = deadlines(dates, retention, today);
    [summary.acknowledge, summary.feedback, summary.purge]
        .into_iter()
        .flatten()
        .filter_map(|deadline| {
            ReminderKind::stages(deadline.kind)
                .iter()
                .rev()
                .map(|&kind| Reminder {
                    kind,
                    due: deadline.due,
                    fire_on: offset_days(deadline.due, kind.offset_days()),
                })
                .find(|r| r.fire_on <= today)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::crypto::encrypt;
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn form(what: &str) -> Result<TipForm, IntakeError> {
        TipForm::validate(what, "", "", None, None)
    }

    // -- intake --------------------------------------------------------------------------------

    #[test]
    fn tip_form_trims_and_keeps_fields() {
        let f = TipForm::validate(
            "  Anbudskartell i upphandling 2026:14  \n",
            " Stockholm, mars ",
            "Leverantör A och B",
            Some("  "),
            Some(" signal: ... "),
        )
        .unwrap();
        assert_eq!(f.what, "Anbudskartell i upphandling 2026:14");
        assert_eq!(f.when_where, "Stockholm, mars");
        assert_eq!(f.who, "Leverantör A och B");
        assert_eq!(f.evidence, None);
        assert_eq!(f.contact.as_deref(), Some("signal: ..."));
        // Newlines and tabs inside are fine.
        assert!(form("rad 1\nrad 2\r\n\tindrag").is_ok());
        // Emoji and accents are readable.
        assert!(form("👨‍👩‍👧 åäö ÅÄÖ é ñ 中文").is_ok());
    }

    #[test]
    fn tip_form_requires_what() {
        for blank in ["", " ", "   \n\t  ", "\u{a0}\u{3000}"] {
            assert_eq!(
                form(blank),
                Err(IntakeError::Missing(Field::What)),
                "{blank:?}"
            );
        }
        // Other fields may be empty.
        assert!(TipForm::validate("x", "", " ", Some(""), Some("\n")).is_ok());
    }

    #[test]
    fn tip_form_rejects_junk() {
        assert_eq!(
            form("abc\0def"),
            Err(IntakeError::ControlCharacters(Field::What))
        );
        assert_eq!(
            form("\0\0\0"),
            Err(IntakeError::ControlCharacters(Field::What))
        );
        assert_eq!(
            form("bell\u{7}"),
            Err(IntakeError::ControlCharacters(Field::What))
        );
        assert_eq!(
            form("esc \u{1b}[31m red"),
            Err(IntakeError::ControlCharacters(Field::What))
        );
        assert_eq!(
            form("c1 \u{85} next line"),
            Err(IntakeError::ControlCharacters(Field::What))
        );
        assert_eq!(
            form(&"\u{FFFD}".repeat(50)),
            Err(IntakeError::Unreadable(Field::What))
        );
        assert_eq!(
            form("ab\u{200B}\u{200B}\u{200B}"),
            Err(IntakeError::Unreadable(Field::What))
        );
        assert_eq!(
            form("\u{E000}\u{E001}x"),
            Err(IntakeError::Unreadable(Field::What))
        );
        // Half is tolerated.
        assert!(form("ab\u{200B}\u{200B}").is_ok());
        assert_eq!(
            TipForm::validate("ok", "", "", Some("x\0"), None),
            Err(IntakeError::ControlCharacters(Field::Evidence))
        );
        assert_eq!(
            TipForm::validate("ok", "", "", None, Some("\u{FFFF}")),
            Err(IntakeError::Unreadable(Field::Contact))
        );
    }

    #[test]
    fn tip_form_length_limits() {
        assert!(form(&"a".repeat(MAX_WHAT_CHARS)).is_ok());
        assert!(
            form(&"ä".repeat(MAX_WHAT_CHARS)).is_ok(),
            "limit is in characters"
        );
        assert_eq!(
            form(&"a".repeat(MAX_WHAT_CHARS + 1)),
            Err(IntakeError::TooLong(Field::What))
        );
        assert_eq!(
            form(&"a".repeat(10_000)),
            Err(IntakeError::TooLong(Field::What))
        );
        assert_eq!(
            form(&"x".repeat(1_000_000)),
            Err(IntakeError::TooLong(Field::What))
        );
        // Surrounding white space does not count.
        assert!(form(&format!("  {}  ", "a".repeat(MAX_WHAT_CHARS))).is_ok());
        let long = "b".repeat(MAX_FIELD_CHARS + 1);
        assert_eq!(
            TipForm::validate("ok", &long, "", None, None),
            Err(IntakeError::TooLong(Field::WhenWhere))
        );
        assert_eq!(
            TipForm::validate("ok", "", &long, None, None),
            Err(IntakeError::TooLong(Field::Who))
        );
        assert_eq!(
            TipForm::validate("ok", "", "", Some(&long), None),
            Err(IntakeError::TooLong(Field::Evidence))
        );
        assert_eq!(
            TipForm::validate("ok", "", "", None, Some(&long)),
            Err(IntakeError::TooLong(Field::Contact))
        );
        assert!(TipForm::validate("ok", &long[1..], "", None, None).is_ok());
    }

    #[test]
    fn errors_and_debug_never_echo_input() {
        let secret_text = "Kalle på firma X tar mutor";
        let err = TipForm::validate(secret_text, "", "", Some("\0"), None).unwrap_err();
        assert_eq!(err.field(), Field::Evidence);
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("Kalle"), "{shown}");
        }
        let f = form(secret_text).unwrap();
        assert!(!format!("{f:?}").contains("Kalle"));
        let m = Message::new(Author::Handler, FollowUp::validate(secret_text).unwrap());
        assert!(!format!("{m:?}").contains("Kalle"));
        assert!(!format!("{:?}", FollowUp::validate(secret_text).unwrap()).contains("Kalle"));
    }

    #[test]
    fn follow_up_validation() {
        assert_eq!(FollowUp::validate("  hej  ").unwrap().as_str(), "hej");
        assert_eq!(
            FollowUp::validate(" \n "),
            Err(IntakeError::Missing(Field::Message))
        );
        assert_eq!(
            FollowUp::validate(&"a".repeat(4001)),
            Err(IntakeError::TooLong(Field::Message))
        );
        assert!(FollowUp::validate(&"a".repeat(4000)).is_ok());
        assert_eq!(
            FollowUp::validate("a\0b"),
            Err(IntakeError::ControlCharacters(Field::Message))
        );
        assert_eq!(
            FollowUp::validate("\u{FEFF}\u{FEFF}a"),
            Err(IntakeError::Unreadable(Field::Message))
        );
    }

    // -- content -------------------------------------------------------------------------------

    #[test]
    fn content_and_messages_round_trip_and_bind_to_slot() {
        let key = CaseKey::generate();
        let code = CaseCode::parse("VB-AAAA-BBBB").unwrap();
        let other = CaseCode::parse("VB-AAAA-BBBC").unwrap();
        let content = CaseContent {
            form: TipForm::validate("what \"quoted\" \\ text", "when", "who", Some("ev"), None)
                .unwrap(),
        };
        let blob = content.seal(&key, &code);
        assert_eq!(CaseContent::open(&blob, &key, &code).unwrap(), content);
        assert!(matches!(
            CaseContent::open(&blob, &key, &other),
            Err(ContentError::Crypto(CryptoError::Decrypt))
        ));

        let m1 = Message::new(Author::Reporter, FollowUp::validate("more info").unwrap());
        let m2 = Message::new(Author::Handler, FollowUp::validate("thanks").unwrap());
        let b1 = m1.seal(&key, &code, 1);
        let b2 = m2.seal(&key, &code, 2);
        assert_eq!(Message::open(&b1, &key, &code, 1).unwrap(), m1);
        assert_eq!(Message::open(&b2, &key, &code, 2).unwrap(), m2);
        // Swapped slots, another case, the content slot: all refused.
        assert!(Message::open(&b1, &key, &code, 2).is_err());
        assert!(Message::open(&b2, &key, &code, 1).is_err());
        assert!(Message::open(&b1, &key, &other, 1).is_err());
        assert!(CaseContent::open(&b1, &key, &code).is_err());
        // Valid ciphertext of a non-content document: Malformed, not a panic.
        let junk = encrypt(&key, &crypto::aad(&code, Purpose::Content), b"not json");
        assert_eq!(
            CaseContent::open(&junk, &key, &code),
            Err(ContentError::Malformed)
        );
    }

    #[test]
    fn messages_carry_no_identity() {
        let m = Message::new(Author::Handler, FollowUp::validate("svar").unwrap());
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"author": "handler", "body": "svar"})
        );
        let content = CaseContent {
            form: form("x").unwrap(),
        };
        let json = serde_json::to_value(&content).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"form": {"what": "x", "when_where": "", "who": "",
                "evidence": null, "contact": null}})
        );
    }

    // -- status --------------------------------------------------------------------------------

    #[test]
    fn status_names_round_trip() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Ok(s));
            assert_eq!(s.as_str().parse::<CaseStatus>(), Ok(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(CaseStatus::InProgress.as_str(), "in_progress");
        for bad in [
            "",
            "Received",
            "in-progress",
            "inprogress",
            " closed",
            "open",
        ] {
            assert_eq!(CaseStatus::parse(bad), Err(UnknownValue));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Ok(o));
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.as_str())
            );
        }
        assert_eq!(Outcome::ReferredExternally.as_str(), "referred_externally");
        assert_eq!(Outcome::parse("NoAction"), Err(UnknownValue));
    }

    #[test]
    fn transitions() {
        use CaseStatus::*;
        let allowed = [
            (Received, Acknowledged),
            (Acknowledged, InProgress),
            (Received, Closed),
            (Acknowledged, Closed),
            (InProgress, Closed),
        ];
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                let want = allowed.contains(&(from, to));
                assert_eq!(can_transition(from, to), want, "{from} -> {to}");
                assert_eq!(from.can_transition_to(to), want);
                assert_eq!(transition(from, to).is_ok(), want);
            }
        }
        assert!(Closed.is_final());
        assert!(CaseStatus::ALL
            .iter()
            .all(|&to| !can_transition(Closed, to)));
        assert_eq!(
            transition(Closed, Received),
            Err(TransitionError {
                from: Closed,
                to: Received
            })
        );
        assert!(!can_transition(Received, InProgress));
        assert!(!can_transition(InProgress, Acknowledged));
    }

    // -- deadlines -----------------------------------------------------------------------------

    #[test]
    fn deadlines_across_month_ends() {
        assert_eq!(ack_due(d("2026-11-30")), d("2026-12-07"));
        assert_eq!(feedback_due(d("2026-11-30"), None), d("2027-03-07"));
        assert_eq!(
            feedback_due(d("2026-01-28"), Some(d("2026-01-31"))),
            d("2026-04-30")
        );
        assert_eq!(
            feedback_due(d("2026-01-31"), Some(d("2026-01-31"))),
            d("2026-04-30")
        );
        // Across the year end and into a leap February.
        assert_eq!(ack_due(d("2026-12-28")), d("2027-01-04"));
        assert_eq!(feedback_due(d("2027-11-23"), None), d("2028-02-29"));
        assert_eq!(
            feedback_due(d("2026-11-20"), Some(d("2026-11-30"))),
            d("2027-02-28")
        );
        assert_eq!(
            feedback_due(d("2027-11-30"), Some(d("2027-11-30"))),
            d("2028-02-29")
        );
        // An acknowledgement cannot predate receipt.
        assert_eq!(
            feedback_due(d("2026-03-10"), Some(d("2026-03-01"))),
            d("2026-06-10")
        );
        // No panic at the edge of the calendar.
        assert_eq!(ack_due(NaiveDate::MAX), NaiveDate::MAX);
        assert_eq!(feedback_due(NaiveDate::MAX, None), NaiveDate::MAX);
    }

    #[test]
    fn retention_validation_and_purge() {
        assert_eq!(MAX_RETENTION_DAYS, 730);
        assert!(Retention::from_days(0).is_err());
        assert!(Retention::from_days(731).is_err());
        assert!(validate_retention_days(u32::MAX).is_err());
        assert_eq!(Retention::from_days(1).unwrap().days(), 1);
        assert_eq!(Retention::from_days(730).unwrap(), Retention::MAX);
        let r = Retention::from_days(90).unwrap();
        assert_eq!(purge_on(d("2026-12-15"), r), d("2027-03-15"));
        assert_eq!(purge_on(d("2026-01-01"), Retention::MAX), d("2028-01-01"));
        assert!(!is_purge_due(d("2026-12-15"), r, d("2027-03-14")));
        assert!(is_purge_due(d("2026-12-15"), r, d("2027-03-15")));
        assert_eq!(
            serde_json::from_str::<Retention>("365").unwrap().days(),
            365
        );
        assert!(serde_json::from_str::<Retention>("0").is_err());
        assert!(serde_json::from_str::<Retention>("1000").is_err());
        assert_eq!(serde_json::to_string(&r).unwrap(), "90");
    }

    #[test]
    fn deadline_summary() {
        let r = Retention::from_days(30).unwrap();
        let mut dates = CaseDates::received(d("2026-11-30"));

        let s = deadlines(&dates, r, d("2026-12-01"));
        let next = s.next().unwrap();
        assert_eq!(next.kind, DeadlineKind::Acknowledge);
        assert_eq!(next.due, d("2026-12-07"));
        assert_eq!(next.days_left, 6);
        assert!(!s.ack_overdue() && !s.any_overdue());
        assert_eq!(s.feedback.unwrap().due, d("2027-03-07"));
        assert!(s.purge.is_none());

        // On the due day: not overdue yet.
        let s = deadlines(&dates, r, d("2026-12-07"));
        assert_eq!(s.acknowledge.unwrap().days_left, 0);
        assert!(!s.ack_overdue());
        let s = deadlines(&dates, r, d("2026-12-08"));
        assert_eq!(s.acknowledge.unwrap().days_left, -1);
        assert!(s.ack_overdue() && s.any_overdue() && !s.feedback_overdue());

        // Acknowledged: feedback counts from the acknowledgement.
        dates.acknowledged = Some(d("2026-12-03"));
        let s = deadlines(&dates, r, d("2026-12-08"));
        assert!(s.acknowledge.is_none());
        let next = s.next().unwrap();
        assert_eq!(next.kind, DeadlineKind::Feedback);
        assert_eq!(next.due, d("2027-03-03"));
        assert_eq!(next.days_left, 85);
        let s = deadlines(&dates, r, d("2027-03-04"));
        assert!(s.feedback_overdue());

        // Feedback given: nothing pending.
        dates.feedback_given = Some(d("2027-01-10"));
        let s = deadlines(&dates, r, d("2027-03-04"));
        assert_eq!(s.next(), None);
        assert!(!s.any_overdue());

        // Closed: only the purge.
        dates.closed = Some(d("2027-02-01"));
        let s = deadlines(&dates, r, d("2027-02-02"));
        let next = s.next().unwrap();
        assert_eq!(next.kind, DeadlineKind::Purge);
        assert_eq!(next.due, d("2027-03-03"));
        assert!(s.acknowledge.is_none() && s.feedback.is_none());

        // Closed straight from received (e.g. out of scope): no ack or feedback owed.
        let mut spam = CaseDates::received(d("2026-05-01"));
        spam.closed = Some(d("2026-05-02"));
        let s = deadlines(&spam, r, d("2026-06-30"));
        assert!(s.acknowledge.is_none() && s.feedback.is_none());
        assert_eq!(s.purge.unwrap().due, d("2026-06-01"));
        assert!(s.any_overdue());
    }

    // -- reminders -----------------------------------------------------------------------------

    fn kinds(v: &[Reminder]) -> Vec<ReminderKind> {
        v.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn ack_reminders() {
        let r = Retention::MAX;
        let dates = CaseDates::received(d("2026-11-30")); // ack due 2026-12-07
        assert!(reminders_due(&dates, r, d("2026-11-30")).is_empty());
        assert!(reminders_due(&dates, r, d("2026-12-04")).is_empty());
        let due = reminders_due(&dates, r, d("2026-12-05"));
        assert_eq!(kinds(&due), [ReminderKind::AckSoon]);
        assert_eq!(due[0].due, d("2026-12-07"));
        assert_eq!(due[0].fire_on, d("2026-12-05"));
        assert_eq!(due[0].key(), "ack_soon:2026-12-07");
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-12-06"))),
            [ReminderKind::AckSoon]
        );
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-12-07"))),
            [ReminderKind::AckDueToday]
        );
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-12-08"))),
            [ReminderKind::AckOverdue]
        );
        // Acknowledged: no more ack reminders.
        let mut acked = dates;
        acked.acknowledged = Some(d("2026-12-06"));
        assert!(reminders_due(&acked, r, d("2026-12-07")).is_empty());
    }

    #[test]
    fn feedback_reminders() {
        let r = Retention::MAX;
        let mut dates = CaseDates::received(d("2026-01-28"));
        dates.acknowledged = Some(d("2026-01-31")); // feedback due 2026-04-30
        assert!(reminders_due(&dates, r, d("2026-04-15")).is_empty());
        let due = reminders_due(&dates, r, d("2026-04-16"));
        assert_eq!(kinds(&due), [ReminderKind::FeedbackIn14Days]);
        assert_eq!(due[0].key(), "feedback_in_14_days:2026-04-30");
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-04-27"))),
            [ReminderKind::FeedbackIn3Days]
        );
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-04-30"))),
            [ReminderKind::FeedbackIn3Days]
        );
        assert_eq!(
            kinds(&reminders_due(&dates, r, d("2026-05-01"))),
            [ReminderKind::FeedbackOverdue]
        );
        dates.feedback_given = Some(d("2026-04-20"));
        assert!(reminders_due(&dates, r, d("2026-04-27")).is_empty());
    }

    #[test]
    fn ack_and_feedback_reminders_together_and_key_changes_with_deadline() {
        let r = Retention::MAX;
        // Never acknowledged: feedback counts from received + 7.
        let dates = CaseDates::received(d("2026-11-30"));
        let due = reminders_due(&dates, r, d("2027-03-05"));
        assert_eq!(
            kinds(&due),
            [ReminderKind::AckOverdue, ReminderKind::FeedbackIn3Days]
        );
        assert_eq!(due[1].key(), "feedback_in_3_days:2027-03-07");
        // A late acknowledgement moves the feedback deadline, and so the key.
        let mut acked = dates;
        acked.acknowledged = Some(d("2026-12-20"));
        let due = reminders_due(&acked, r, d("2027-03-06"));
        assert_eq!(kinds(&due), [ReminderKind::FeedbackIn14Days]);
        assert_eq!(due[0].key(), "feedback_in_14_days:2027-03-20");
    }

    #[test]
    fn purge_warning() {
        let r = Retention::from_days(60).unwrap();
        let mut dates = CaseDates::received(d("2026-01-05"));
        dates.acknowledged = Some(d("2026-01-06"));
        dates.closed = Some(d("2026-02-01")); // purge on 2026-04-02
        assert!(reminders_due(&dates, r, d("2026-03-18")).is_empty());
        let due = reminders_due(&dates, r, d("2026-03-19"));
        assert_eq!(kinds(&due), [ReminderKind::PurgeIn14Days]);
        assert_eq!(due[0].key(), "purge_in_14_days:2026-04-02");
        assert_eq!(reminders_due(&dates, r, d("2026-04-01")), due);
        // Short retention: the warning is due from the closing day.
        let short = Retention::from_days(3).unwrap();
        let due = reminders_due(&dates, short, d("2026-02-01"));
        assert_eq!(kinds(&due), [ReminderKind::PurgeIn14Days]);
    }

    #[test]
    fn reminder_kinds_are_consistent() {
        for dk in [
            DeadlineKind::Acknowledge,
            DeadlineKind::Feedback,
            DeadlineKind::Purge,
        ] {
            let stages = ReminderKind::stages(dk);
            assert!(stages.iter().all(|k| k.deadline() == dk));
            assert!(stages
                .windows(2)
                .all(|w| w[0].offset_days() < w[1].offset_days()));
        }
        for k in [
            ReminderKind::AckSoon,
            ReminderKind::AckDueToday,
            ReminderKind::AckOverdue,
            ReminderKind::FeedbackIn14Days,
            ReminderKind::FeedbackIn3Days,
            ReminderKind::FeedbackOverdue,
            ReminderKind::PurgeIn14Days,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }
}
