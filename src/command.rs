//! The command set, declared once for every adapter.
//!
//! Each command is one [`Spec`]: its path (`forum create`; one to three names, see
//! [`Spec::path`]), its options (name, kind, whether required, what autocompletes it) and the
//! function that turns the option values into a [`Request`]. A [`Request`] runs one use case. The Discord adapter builds its slash commands
//! from these specs (names and descriptions from the catalogue) and the shell parses lines
//! with them, so adding a command means adding a spec, a `Request` variant and its arm here,
//! and nothing in either adapter.
//!
//! A spec may also declare a [`Form`]: text fields that Discord asks for in a modal (and the
//! shell takes as ordinary `name:value` options). [`MESSAGE_COMMANDS`] are message
//! context-menu commands that open a spec's form prefilled from a chat message, and buttons
//! ([`crate::action`]) invoke specs with preset values.

use std::collections::BTreeMap;

use std::future::Future;
use std::pin::Pin;

use crate::domain::ids::{ChannelId, MessageRef, RoleId, UserId};
use crate::error::{refuse, Result};
use crate::i18n::Msg;
use crate::msg;
use crate::service::minutes::{MinutesDoc, MinutesOp, MinutesRequest};
use crate::service::{
    Actor, AddAttendee, AddNote, AskQuestion, CreateForum, EditForum, ForumRef, ProposeItem,
    RecordDecision, Reply, Services, SetupForums, ShowAgenda, Triage, TriageAction, Which,
};

/// What an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// How many to list: 1 to [`crate::service::meetings::MAX_LIST`].
    Count,
    Bool,
    /// A text or announcement channel of the guild.
    Channel,
    Role,
    /// A member of the guild (Discord resolves it; the shell reads `@name`, `<@id>` or an id).
    User,
    /// `Forum name=#channel, …`: text whose channels the shell may make up in a local guild.
    Mapping,
    /// A file the user picked (Discord's attachment option; in the shell a file path).
    Attachment,
}

/// What suggests values for an option while it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Complete {
    Forum,
    /// Upcoming meetings of the forum named in the same command.
    Meeting,
    Tier,
    TimeZone,
    Template,
    Language,
    /// Open agenda items of the guild (`#12 title`; the value is the id).
    Item,
    /// Escalations of the guild still with a receiving forum (`#7 subject`; the value is the
    /// id).
    Escalation,
}

/// One option of a command. Its name is also its catalogue attribute (`cmd-forum-create`,
/// `.name`, `.name-description`) and the shell's `name:value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub complete: Option<Complete>,
    /// Not offered as a slash-command option: set by buttons (a version a button showed) and
    /// typed in the shell.
    pub hidden: bool,
}

const fn req(name: &'static str, kind: Kind) -> Opt {
    Opt {
        name,
        kind,
        required: true,
        complete: None,
        hidden: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Opt {
    Opt {
        name,
        kind,
        required: false,
        complete: None,
        hidden: false,
    }
}

impl Opt {
    const fn complete(mut self, c: Complete) -> Opt {
        self.complete = Some(c);
        self
    }

    /// Only buttons and the shell set it (see [`Opt::hidden`]); never required.
    const fn hidden(mut self) -> Opt {
        self.hidden = true;
        self.required = false;
        self
    }
}

/// How a form field is typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldStyle {
    /// One line.
    Short,
    /// Several lines.
    Paragraph,
}

/// A text field of a form. Its label is the catalogue attribute `.<name>-label` of the
/// command's key (at most 45 characters, Discord's limit), with an optional
/// `.<name>-placeholder`. Its value arrives as [`Value::Text`], read like an option's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub style: FieldStyle,
    pub required: bool,
    /// Characters, at least (when given) and at most; Discord allows at most 4000.
    pub min: u16,
    pub max: u16,
}

/// A one-line field.
const fn short(name: &'static str, required: bool, min: u16, max: u16) -> Field {
    Field {
        name,
        style: FieldStyle::Short,
        required,
        min,
        max,
    }
}

/// A several-line field.
const fn paragraph(name: &'static str, required: bool, min: u16, max: u16) -> Field {
    Field {
        name,
        style: FieldStyle::Paragraph,
        required,
        min,
        max,
    }
}

/// Discord's limits for a modal: five text inputs of at most 4000 characters.
pub const MAX_FIELDS: usize = 5;
pub const MAX_FIELD_CHARS: u16 = 4000;

/// Values to put in a form's fields before it opens (the current text of what is edited).
pub type Prefill = for<'a> fn(
    &'a Services,
    &'a Actor,
    &'a Values,
) -> Pin<Box<dyn Future<Output = Result<Values>> + Send + 'a>>;

/// The text fields a command asks for in a form. Its title is the catalogue attribute
/// `.form-title` of the command's key (at most 45 characters).
pub struct Form {
    pub fields: &'static [Field],
    /// Asked before the form opens, with the values known so far (options, preset values).
    pub prefill: Option<Prefill>,
}

/// A message context-menu command: opens the form of the spec at `path`, prefilled from the
/// message (whose content Discord sends with the interaction, without the message-content
/// intent). The message's link reaches the request through [`Origin::source`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageCommand {
    /// Catalogue key of its name (English and Swedish, at most 32 characters), e.g.
    /// `ctx-agenda-propose` = "Propose as agenda item".
    pub key: &'static str,
    pub path: &'static [&'static str],
    /// The field that receives the message's text.
    pub content: &'static str,
    /// The field that receives the message's first line, if any.
    pub title: Option<&'static str>,
    /// The (hidden) option that receives the message's author, if any.
    pub author: Option<&'static str>,
}

/// Message context-menu commands (Discord allows 15 per application). One whose spec has no
/// form runs at once, with the message's text in `content` (an option then).
pub static MESSAGE_COMMANDS: &[MessageCommand] = &[
    MessageCommand {
        key: "ctx-agenda-propose",
        path: &["agenda", "propose"],
        content: "background",
        title: Some("title"),
        author: None,
    },
    // --- meeting run ---
    MessageCommand {
        key: "ctx-note-add",
        path: &["note"],
        content: "text",
        title: None,
        author: Some("author"),
    },
];

/// Where a request came from, as the adapter knows it: set on the request with
/// [`Request::set_origin`] before it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The channel the command, button or menu was used in (none in the shell).
    pub channel: Option<ChannelId>,
    /// The invoking user is a bot or a webhook.
    pub by_bot: bool,
    /// The chat message a context-menu command was used on.
    pub source: Option<MessageRef>,
}

/// One command: where it is, what it takes, what request it makes.
pub struct Spec {
    /// Discord's three shapes: `["note"]` a command of its own, `["forum", "create"]` a
    /// subcommand of a group, `["meeting", "item", "next"]` a subcommand of a subcommand
    /// group. A path is never the beginning of another (Discord cannot invoke a command that
    /// has subcommands), and at most [`MAX_DEPTH`] long.
    pub path: &'static [&'static str],
    /// Required options first (Discord requires that order).
    pub options: &'static [Opt],
    pub parse: fn(&mut Values) -> Result<Request>,
    /// Text fields asked for in a form (see [`Form`]); `None` for most commands.
    pub form: Option<&'static Form>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}", self.path.join(" "))
    }
}

/// A use case with its input, as any adapter received it.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    ForumCreate(CreateForum),
    ForumList,
    ForumShow(ForumRef),
    ForumEdit(EditForum),
    ForumSetup(SetupForums),
    MeetingNext {
        forum: String,
    },
    MeetingList {
        forum: String,
        count: i64,
    },
    MeetingSchedule {
        forum: String,
        date: String,
        time: String,
        duration: Option<i64>,
    },
    MeetingCancel {
        forum: String,
        meeting: String,
        reason: String,
    },
    MeetingMove {
        forum: String,
        meeting: String,
        date: String,
        time: String,
    },
    MeetingRemindMe {
        forum: String,
        on: bool,
    },
    SettingsLanguage {
        language: String,
    },
    AgendaPropose(ProposeItem),
    AgendaQuestion(AskQuestion),
    AgendaMine,
    AgendaShow(ShowAgenda),
    AgendaTriage(Triage),
    AgendaStandingAdd {
        forum: String,
        title: String,
        place: String,
    },
    AgendaStandingRemove {
        forum: String,
        title: String,
    },
    SettingsOrg {
        role: RoleId,
        on: bool,
    },
    SettingsOrgs,
    MeetingStart {
        forum: String,
        meeting: Option<String>,
        consent: bool,
    },
    MeetingEnd {
        forum: String,
    },
    DecisionRecord(RecordDecision),
    DecisionList {
        forum: String,
        count: i64,
    },
    DecisionShow {
        number: String,
    },
    DecisionSearch {
        query: String,
        forum: Option<String>,
    },
    DecisionExport {
        forum: String,
    },
    ActionAdd {
        forum: String,
        what: String,
        owner: UserId,
        due: String,
    },
    ActionDone {
        id: i64,
    },
    ActionList {
        forum: Option<String>,
        mine: bool,
        overdue: bool,
    },
    ActionRemindMe {
        on: bool,
    },
    // --- meeting run ---
    MeetingHere(Which),
    MeetingNextItem(Which),
    AttendeeAdd(AddAttendee),
    AttendeeRemove {
        which: Which,
        name: String,
    },
    Attendees(Which),
    ConsentAsk(Which),
    ConsentAnswer {
        which: Which,
        answer: bool,
    },
    NoteAdd(AddNote),
    // --- minutes ---
    Minutes(crate::service::minutes::MinutesRequest),
    // --- escalations ---
    EscalateItem {
        item: i64,
        reason: String,
    },
    EscalateIssue {
        forum: String,
        subject: String,
        reason: String,
    },
    EscalateOnward {
        id: i64,
        reason: String,
    },
    EscalationList {
        forum: Option<String>,
        state: Option<String>,
    },
    EscalationAccept {
        id: i64,
    },
    EscalationResolve {
        id: i64,
        decision: String,
    },
    EscalationReturn {
        id: i64,
        reason: String,
    },
}

const FORUM: Opt = req("forum", Kind::Text).complete(Complete::Forum);
const MEETING: Opt = req("meeting", Kind::Text).complete(Complete::Meeting);
/// The forum of the channel the command is used in when left out.
const OPT_FORUM: Opt = opt("forum", Kind::Text).complete(Complete::Forum);
/// The next meeting whose agenda is open when left out.
const OPT_MEETING: Opt = opt("meeting", Kind::Text).complete(Complete::Meeting);
const ITEM: Opt = req("item", Kind::Integer).complete(Complete::Item);
/// An escalation by its id (`/escalation accept id:7`).
const ESCALATION: Opt = req("id", Kind::Integer).complete(Complete::Escalation);
/// The item's version a button showed: a decision from an older view is refused.
const VERSION: Opt = opt("version", Kind::Integer).hidden();

/// `/agenda propose`: the proposal itself is asked for in a form (a modal on Discord; the
/// message context menu prefills it from a chat message).
static PROPOSE_FORM: Form = Form {
    fields: &[
        short("title", true, 1, 200),
        paragraph("background", false, 0, 4000),
        short("wants", false, 0, 40),
        // Room for "45 min" / "120 minuter": the text is parsed, not only digits.
        short("minutes", false, 0, 12),
    ],
    prefill: None,
};

/// `/agenda reject`: the reason, sent to the proposer privately.
static REJECT_FORM: Form = Form {
    fields: &[paragraph("reason", true, 1, 1000)],
    prefill: None,
};

/// `/decision record`: the decision itself is asked for in a form (the shell takes the fields
/// as options).
static DECISION_FORM: Form = Form {
    fields: &[
        short("title", true, 1, 200),
        paragraph("text", true, 1, 4000),
    ],
    prefill: None,
};

/// A triage command: the item and what to do with it.
fn triage(v: &mut Values, action: TriageAction) -> Result<Request> {
    Ok(Request::AgendaTriage(Triage {
        item: v.required_integer("item")?,
        action,
        version: v.integer("version"),
    }))
}

/// Every command of the shell and of Discord's `/forum`, `/meeting` and `/settings`.
pub static COMMANDS: &[Spec] = &[
    Spec {
        form: None,
        path: &["forum", "create"],
        options: &[
            req("name", Kind::Text),
            req("tier", Kind::Text).complete(Complete::Tier),
            req("channel", Kind::Channel),
            opt("time_zone", Kind::Text).complete(Complete::TimeZone),
            opt("escalates_to", Kind::Text).complete(Complete::Forum),
            opt("chair_role", Kind::Role),
        ],
        parse: |v| {
            Ok(Request::ForumCreate(CreateForum {
                name: v.text("name")?,
                tier: v.text("tier")?,
                channel: v.channel("channel")?,
                time_zone: v.opt_text("time_zone"),
                escalates_to: v.opt_text("escalates_to"),
                chair_role: v.opt_role("chair_role"),
            }))
        },
    },
    Spec {
        form: None,
        path: &["forum", "list"],
        options: &[],
        parse: |_| Ok(Request::ForumList),
    },
    Spec {
        form: None,
        path: &["forum", "show"],
        options: &[FORUM],
        parse: |v| Ok(Request::ForumShow(ForumRef(v.text("forum")?))),
    },
    Spec {
        form: None,
        path: &["forum", "edit"],
        options: &[
            FORUM,
            opt("cadence", Kind::Text),
            opt("time", Kind::Text),
            opt("duration", Kind::Integer),
            opt("start_date", Kind::Text),
            opt("time_zone", Kind::Text).complete(Complete::TimeZone),
            opt("reminders", Kind::Text),
            opt("participant_role", Kind::Role),
            opt("agenda_deadline", Kind::Text),
            opt("empty_agenda", Kind::Text),
            opt("agenda_format", Kind::Text),
            opt("chair_role", Kind::Role),
            opt("secretary_role", Kind::Role),
            opt("approver_role", Kind::Role),
            opt("code", Kind::Text),
        ],
        parse: |v| {
            Ok(Request::ForumEdit(EditForum {
                chair_role: v.opt_role("chair_role"),
                secretary_role: v.opt_role("secretary_role"),
                approver_role: v.opt_role("approver_role"),
                code: v.opt_text("code"),
                forum: v.text("forum")?,
                cadence: v.opt_text("cadence"),
                time: v.opt_text("time"),
                duration_minutes: v.integer("duration"),
                start_date: v.opt_text("start_date"),
                time_zone: v.opt_text("time_zone"),
                reminders: v.opt_text("reminders"),
                participant_role: v.opt_role("participant_role"),
                agenda_deadline: v.opt_text("agenda_deadline"),
                empty_agenda: v.opt_text("empty_agenda"),
                agenda_format: v.opt_text("agenda_format"),
            }))
        },
    },
    Spec {
        form: None,
        path: &["forum", "setup"],
        options: &[
            req("template", Kind::Text).complete(Complete::Template),
            req("channel", Kind::Channel),
            opt("mapping", Kind::Mapping),
        ],
        parse: |v| {
            Ok(Request::ForumSetup(SetupForums {
                template: v.text("template")?,
                channel: v.channel("channel")?,
                mapping: v.opt_text("mapping"),
            }))
        },
    },
    Spec {
        form: None,
        path: &["meeting", "next"],
        options: &[FORUM],
        parse: |v| {
            Ok(Request::MeetingNext {
                forum: v.text("forum")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "list"],
        options: &[FORUM, opt("count", Kind::Count)],
        parse: |v| {
            Ok(Request::MeetingList {
                forum: v.text("forum")?,
                count: v.integer("count").unwrap_or(5),
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "schedule"],
        options: &[
            FORUM,
            req("date", Kind::Text),
            req("time", Kind::Text),
            opt("duration", Kind::Integer),
        ],
        parse: |v| {
            Ok(Request::MeetingSchedule {
                forum: v.text("forum")?,
                date: v.text("date")?,
                time: v.text("time")?,
                duration: v.integer("duration"),
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "cancel"],
        options: &[FORUM, MEETING, req("reason", Kind::Text)],
        parse: |v| {
            Ok(Request::MeetingCancel {
                forum: v.text("forum")?,
                meeting: v.text("meeting")?,
                reason: v.text("reason")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "move"],
        options: &[
            FORUM,
            MEETING,
            req("date", Kind::Text),
            req("time", Kind::Text),
        ],
        parse: |v| {
            Ok(Request::MeetingMove {
                forum: v.text("forum")?,
                meeting: v.text("meeting")?,
                date: v.text("date")?,
                time: v.text("time")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "remind-me"],
        options: &[FORUM, req("on", Kind::Bool)],
        parse: |v| {
            Ok(Request::MeetingRemindMe {
                forum: v.text("forum")?,
                on: v.boolean("on")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "start"],
        options: &[
            FORUM,
            opt("meeting", Kind::Text).complete(Complete::Meeting),
            opt("consent", Kind::Bool),
        ],
        parse: |v| {
            Ok(Request::MeetingStart {
                forum: v.text("forum")?,
                meeting: v.opt_text("meeting"),
                consent: v.opt_boolean("consent").unwrap_or(false),
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "end"],
        options: &[FORUM],
        parse: |v| {
            Ok(Request::MeetingEnd {
                forum: v.text("forum")?,
            })
        },
    },
    // --- meeting run ---
    Spec {
        form: None,
        path: &["meeting", "here"],
        options: &[OPT_FORUM],
        parse: |v| Ok(Request::MeetingHere(which(v))),
    },
    Spec {
        form: None,
        path: &["meeting", "item", "next"],
        options: &[OPT_FORUM],
        parse: |v| Ok(Request::MeetingNextItem(which(v))),
    },
    Spec {
        form: None,
        path: &["meeting", "attendee-add"],
        options: &[
            req("name", Kind::Text),
            req("presence", Kind::Text),
            opt("organisation", Kind::Text),
            opt("role", Kind::Text),
            opt("member", Kind::User),
            OPT_FORUM,
        ],
        parse: |v| {
            Ok(Request::AttendeeAdd(AddAttendee {
                name: v.text("name")?,
                presence: v.text("presence")?,
                organisation: v.opt_text("organisation"),
                role: v.opt_text("role"),
                member: v.opt_user("member"),
                which: which(v),
            }))
        },
    },
    Spec {
        form: None,
        path: &["meeting", "attendee-remove"],
        options: &[req("name", Kind::Text), OPT_FORUM],
        parse: |v| {
            Ok(Request::AttendeeRemove {
                name: v.text("name")?,
                which: which(v),
            })
        },
    },
    Spec {
        form: None,
        path: &["meeting", "attendees"],
        options: &[OPT_FORUM],
        parse: |v| Ok(Request::Attendees(which(v))),
    },
    Spec {
        form: None,
        path: &["meeting", "consent"],
        options: &[OPT_FORUM],
        parse: |v| Ok(Request::ConsentAsk(which(v))),
    },
    Spec {
        form: None,
        path: &["meeting", "consent-answer"],
        options: &[req("answer", Kind::Bool), OPT_FORUM],
        parse: |v| {
            Ok(Request::ConsentAnswer {
                answer: v.boolean("answer")?,
                which: which(v),
            })
        },
    },
    Spec {
        form: Some(&DECISION_FORM),
        path: &["decision", "record"],
        options: &[
            FORUM,
            opt("item", Kind::Integer),
            opt("supersedes", Kind::Text),
        ],
        parse: |v| {
            Ok(Request::DecisionRecord(RecordDecision {
                forum: v.text("forum")?,
                title: v.text("title")?,
                text: v.text("text")?,
                item: v.integer("item"),
                supersedes: v.opt_text("supersedes"),
            }))
        },
    },
    Spec {
        form: None,
        path: &["decision", "list"],
        options: &[FORUM, opt("count", Kind::Count)],
        parse: |v| {
            Ok(Request::DecisionList {
                forum: v.text("forum")?,
                count: v.integer("count").unwrap_or(5),
            })
        },
    },
    Spec {
        form: None,
        path: &["decision", "show"],
        options: &[req("number", Kind::Text)],
        parse: |v| {
            Ok(Request::DecisionShow {
                number: v.text("number")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["decision", "search"],
        options: &[
            req("query", Kind::Text),
            opt("forum", Kind::Text).complete(Complete::Forum),
        ],
        parse: |v| {
            Ok(Request::DecisionSearch {
                query: v.text("query")?,
                forum: v.opt_text("forum"),
            })
        },
    },
    Spec {
        form: None,
        path: &["decision", "export"],
        options: &[FORUM],
        parse: |v| {
            Ok(Request::DecisionExport {
                forum: v.text("forum")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["action", "add"],
        options: &[
            FORUM,
            req("what", Kind::Text),
            req("owner", Kind::User),
            req("due", Kind::Text),
        ],
        parse: |v| {
            Ok(Request::ActionAdd {
                forum: v.text("forum")?,
                what: v.text("what")?,
                owner: v.user("owner")?,
                due: v.text("due")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["action", "done"],
        options: &[req("id", Kind::Integer)],
        parse: |v| {
            Ok(Request::ActionDone {
                id: v.integer("id").ok_or_else(|| missing("id"))?,
            })
        },
    },
    Spec {
        form: None,
        path: &["action", "list"],
        options: &[
            opt("forum", Kind::Text).complete(Complete::Forum),
            opt("mine", Kind::Bool),
            opt("overdue", Kind::Bool),
        ],
        parse: |v| {
            Ok(Request::ActionList {
                forum: v.opt_text("forum"),
                mine: v.opt_boolean("mine").unwrap_or(false),
                overdue: v.opt_boolean("overdue").unwrap_or(false),
            })
        },
    },
    Spec {
        form: None,
        path: &["action", "remind-me"],
        options: &[req("on", Kind::Bool)],
        parse: |v| {
            Ok(Request::ActionRemindMe {
                on: v.boolean("on")?,
            })
        },
    },
    // --- escalations ---
    Spec {
        form: None,
        path: &["escalate", "item"],
        options: &[ITEM, req("reason", Kind::Text)],
        parse: |v| {
            Ok(Request::EscalateItem {
                item: v.required_integer("item")?,
                reason: v.text("reason")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["escalate", "issue"],
        options: &[FORUM, req("subject", Kind::Text), req("reason", Kind::Text)],
        parse: |v| {
            Ok(Request::EscalateIssue {
                forum: v.text("forum")?,
                subject: v.text("subject")?,
                reason: v.text("reason")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["escalate", "onward"],
        options: &[ESCALATION, req("reason", Kind::Text)],
        parse: |v| {
            Ok(Request::EscalateOnward {
                id: v.required_integer("id")?,
                reason: v.text("reason")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["escalation", "list"],
        options: &[
            opt("forum", Kind::Text).complete(Complete::Forum),
            opt("state", Kind::Text),
        ],
        parse: |v| {
            Ok(Request::EscalationList {
                forum: v.opt_text("forum"),
                state: v.opt_text("state"),
            })
        },
    },
    Spec {
        form: None,
        path: &["escalation", "accept"],
        options: &[ESCALATION],
        parse: |v| {
            Ok(Request::EscalationAccept {
                id: v.required_integer("id")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["escalation", "resolve"],
        options: &[ESCALATION, req("decision", Kind::Text)],
        parse: |v| {
            Ok(Request::EscalationResolve {
                id: v.required_integer("id")?,
                decision: v.text("decision")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["escalation", "return"],
        options: &[ESCALATION, req("reason", Kind::Text)],
        parse: |v| {
            Ok(Request::EscalationReturn {
                id: v.required_integer("id")?,
                reason: v.text("reason")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["settings", "language"],
        options: &[req("language", Kind::Text).complete(Complete::Language)],
        parse: |v| {
            Ok(Request::SettingsLanguage {
                language: v.text("language")?,
            })
        },
    },
    Spec {
        form: None,
        path: &["settings", "org-add"],
        options: &[req("role", Kind::Role)],
        parse: |v| {
            Ok(Request::SettingsOrg {
                role: v.role("role")?,
                on: true,
            })
        },
    },
    Spec {
        form: None,
        path: &["settings", "org-remove"],
        options: &[req("role", Kind::Role)],
        parse: |v| {
            Ok(Request::SettingsOrg {
                role: v.role("role")?,
                on: false,
            })
        },
    },
    Spec {
        form: None,
        path: &["settings", "orgs"],
        options: &[],
        parse: |_| Ok(Request::SettingsOrgs),
    },
    Spec {
        form: Some(&PROPOSE_FORM),
        path: &["agenda", "propose"],
        options: &[OPT_FORUM, OPT_MEETING],
        parse: |v| {
            Ok(Request::AgendaPropose(ProposeItem {
                title: v.text("title")?,
                background: v.opt_text("background").unwrap_or_default(),
                wants: v.opt_text("wants").unwrap_or_default(),
                minutes: v.minutes("minutes")?,
                forum: v.opt_text("forum"),
                meeting: v.opt_text("meeting"),
                ..ProposeItem::default()
            }))
        },
    },
    Spec {
        form: None,
        path: &["agenda", "question"],
        options: &[req("text", Kind::Text), OPT_FORUM, OPT_MEETING],
        parse: |v| {
            Ok(Request::AgendaQuestion(AskQuestion {
                text: v.text("text")?,
                forum: v.opt_text("forum"),
                meeting: v.opt_text("meeting"),
                ..AskQuestion::default()
            }))
        },
    },
    Spec {
        form: None,
        path: &["agenda", "mine"],
        options: &[],
        parse: |_| Ok(Request::AgendaMine),
    },
    Spec {
        form: None,
        path: &["agenda", "show"],
        options: &[OPT_FORUM, OPT_MEETING],
        parse: |v| {
            Ok(Request::AgendaShow(ShowAgenda {
                forum: v.opt_text("forum"),
                meeting: v.opt_text("meeting"),
                channel: None,
            }))
        },
    },
    Spec {
        form: None,
        path: &["agenda", "accept"],
        options: &[ITEM, VERSION],
        parse: |v| triage(v, TriageAction::Accept),
    },
    Spec {
        form: Some(&REJECT_FORM),
        path: &["agenda", "reject"],
        options: &[ITEM, VERSION],
        parse: |v| {
            let reason = v.text("reason")?;
            triage(v, TriageAction::Reject { reason })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "defer"],
        options: &[ITEM, VERSION],
        parse: |v| triage(v, TriageAction::Defer),
    },
    Spec {
        form: None,
        path: &["agenda", "merge"],
        options: &[ITEM, req("into", Kind::Integer).complete(Complete::Item)],
        parse: |v| {
            let into = v.required_integer("into")?;
            triage(v, TriageAction::Merge { into })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "move"],
        options: &[ITEM, req("position", Kind::Integer)],
        parse: |v| {
            let position = v.required_integer("position")?;
            triage(v, TriageAction::Move { position })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "timebox"],
        options: &[ITEM, req("minutes", Kind::Integer)],
        parse: |v| {
            let minutes = v.required_integer("minutes")?;
            triage(v, TriageAction::Timebox { minutes })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "presenter"],
        options: &[ITEM, req("presenter", Kind::Text)],
        parse: |v| {
            let name = v.text("presenter")?;
            triage(v, TriageAction::Presenter { name })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "pull-in"],
        options: &[ITEM],
        parse: |v| triage(v, TriageAction::PullIn),
    },
    Spec {
        form: None,
        path: &["agenda", "done"],
        options: &[ITEM],
        parse: |v| triage(v, TriageAction::Done),
    },
    Spec {
        form: None,
        path: &["agenda", "standing-add"],
        options: &[FORUM, req("title", Kind::Text), opt("place", Kind::Text)],
        parse: |v| {
            Ok(Request::AgendaStandingAdd {
                forum: v.text("forum")?,
                title: v.text("title")?,
                place: v.opt_text("place").unwrap_or_default(),
            })
        },
    },
    Spec {
        form: None,
        path: &["agenda", "standing-remove"],
        options: &[FORUM, req("title", Kind::Text)],
        parse: |v| {
            Ok(Request::AgendaStandingRemove {
                forum: v.text("forum")?,
                title: v.text("title")?,
            })
        },
    }, // --- minutes ---
    Spec {
        form: None,
        path: &["minutes", "draft"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| minutes_request(v, MinutesOp::Draft),
    },
    Spec {
        form: None,
        path: &["minutes", "show"],
        options: &[
            FORUM,
            opt("section", Kind::Text),
            MINUTES_MEETING,
            MINUTES_ADDENDUM,
        ],
        parse: |v| {
            let section = v.opt_text("section");
            minutes_request(v, MinutesOp::Show { section })
        },
    },
    Spec {
        form: Some(&MINUTES_EDIT_FORM),
        path: &["minutes", "edit"],
        options: &[FORUM, req("section", Kind::Text), MINUTES_MEETING],
        parse: |v| {
            let section = v.text("section")?;
            let text = v.text("text")?;
            minutes_request(v, MinutesOp::Edit { section, text })
        },
    },
    Spec {
        form: None,
        path: &["minutes", "download"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| minutes_request(v, MinutesOp::Download),
    },
    Spec {
        form: None,
        path: &["minutes", "upload"],
        options: &[FORUM, req("file", Kind::Attachment), MINUTES_MEETING],
        parse: |v| {
            let file = v.file("file")?;
            minutes_request(v, MinutesOp::Upload { file })
        },
    },
    Spec {
        form: None,
        path: &["minutes", "submit"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| minutes_request(v, MinutesOp::Submit),
    },
    Spec {
        form: None,
        path: &["minutes", "approve"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| minutes_request(v, MinutesOp::Approve),
    },
    Spec {
        form: Some(&MINUTES_COMMENT_FORM),
        path: &["minutes", "request-changes"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| {
            let comment = v.text("comment")?;
            minutes_request(v, MinutesOp::RequestChanges { comment })
        },
    },
    Spec {
        form: None,
        path: &["minutes", "export"],
        options: &[
            FORUM,
            opt("format", Kind::Text),
            MINUTES_MEETING,
            MINUTES_ADDENDUM,
        ],
        parse: |v| {
            let format = v.opt_text("format").unwrap_or_else(|| "md".to_string());
            minutes_request(v, MinutesOp::Export { format })
        },
    },
    Spec {
        form: None,
        path: &["minutes", "addendum"],
        options: &[FORUM, MINUTES_MEETING],
        parse: |v| minutes_request(v, MinutesOp::Addendum),
    },
    // --- meeting run (note) ---
    Spec {
        form: None,
        path: &["note"],
        options: &[
            req("text", Kind::Text),
            opt("item", Kind::Integer),
            OPT_FORUM,
            opt("author", Kind::User).hidden(),
        ],
        parse: |v| {
            Ok(Request::NoteAdd(AddNote {
                text: v.text("text")?,
                item: v.integer("item"),
                author: v.opt_user("author"),
                which: which(v),
                source: None,
            }))
        },
    },
];

/// The meeting a run command means: the forum named, else (from the origin) the thread or
/// channel it is used in.
fn which(v: &mut Values) -> Which {
    Which {
        forum: v.opt_text("forum"),
        channel: None,
    }
}

// --- minutes ---
/// The meeting (its date) whose minutes a command means; the last one held when left out.
const MINUTES_MEETING: Opt = opt("meeting", Kind::Text);
/// Which document: 0 the minutes, 1… an addendum.
const MINUTES_ADDENDUM: Opt = opt("addendum", Kind::Integer);

/// `/minutes edit`: one section's text in a modal, prefilled with the section as it is.
static MINUTES_EDIT_FORM: Form = Form {
    fields: &[paragraph("text", true, 1, MAX_FIELD_CHARS)],
    prefill: Some(minutes_edit_prefill),
};

fn minutes_edit_prefill<'a>(
    s: &'a Services,
    a: &'a Actor,
    v: &'a Values,
) -> Pin<Box<dyn Future<Output = Result<Values>> + Send + 'a>> {
    Box::pin(s.minutes_edit_prefill(a, v))
}

/// `/minutes request-changes`: the approver's comment.
static MINUTES_COMMENT_FORM: Form = Form {
    fields: &[paragraph("comment", true, 1, 2000)],
    prefill: None,
};

/// The forum, meeting and document of a minutes command.
fn minutes_doc(v: &mut Values) -> Result<MinutesDoc> {
    Ok(MinutesDoc {
        forum: v.text("forum")?,
        meeting: v.opt_text("meeting"),
        addendum: v.integer("addendum"),
    })
}

fn minutes_request(v: &mut Values, op: MinutesOp) -> Result<Request> {
    Ok(Request::Minutes(MinutesRequest {
        doc: minutes_doc(v)?,
        op,
    }))
}

/// The spec at a path (`["forum", "create"]`).
pub fn find(path: &[&str]) -> Option<&'static Spec> {
    COMMANDS.iter().find(|s| s.path == path)
}

/// The longest path: a command, its subcommand group and its subcommand.
pub const MAX_DEPTH: usize = 3;

/// The top-level commands in declaration order (`forum`, `meeting`, …, `note`).
pub fn roots() -> Vec<&'static str> {
    children(&[])
}

/// The names that follow `prefix` in the declared paths, in declaration order: under
/// `["meeting"]` its subcommands and subcommand groups (`next`, …, `item`, …).
pub fn children(prefix: &[&str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in COMMANDS {
        if s.path.len() > prefix.len() && s.path.starts_with(prefix) {
            let name = s.path[prefix.len()];
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// `/forum create|list|…, /meeting next|…|item next|…, /note`: the command list for help
/// texts, each top-level command with what follows it (nothing for a command of its own).
pub fn summary() -> String {
    roots()
        .iter()
        .map(|root| {
            let tails: Vec<String> = COMMANDS
                .iter()
                .filter(|s| s.path[0] == *root && s.path.len() > 1)
                .map(|s| s.path[1..].join(" "))
                .collect();
            if tails.is_empty() {
                format!("/{root}")
            } else {
                format!("/{root} {}", tails.join("|"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a path that names no command lacks: the names that may follow it (`/meeting item`
/// lacks `next`), or nothing when it is not the beginning of any command.
pub fn completions(path: &[&str]) -> Vec<&'static str> {
    if path.is_empty() || find(path).is_some() {
        return Vec::new();
    }
    children(path)
}

impl Spec {
    /// Makes the request from the values an adapter read; an option the spec does not know is
    /// refused, as is a missing required one.
    pub fn request(&self, mut values: Values) -> Result<Request> {
        if let Some(extra) = values.0.keys().find(|k| !self.has(k)) {
            return Err(unknown_option(extra));
        }
        self.check_fields(&values)?;
        let request = (self.parse)(&mut values)?;
        values.finish()?;
        Ok(request)
    }

    pub fn option(&self, name: &str) -> Option<&'static Opt> {
        self.options.iter().find(|o| o.name == name)
    }

    /// A field of the spec's form.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.form?.fields.iter().find(|f| f.name == name)
    }

    /// The form's fields (none without a form).
    pub fn fields(&self) -> &'static [Field] {
        self.form.map_or(&[], |f| f.fields)
    }

    fn has(&self, name: &str) -> bool {
        self.option(name).is_some() || self.field(name).is_some()
    }

    /// Field lengths as declared: Discord's modal enforces them, but the shell and a crafted
    /// submit do not.
    fn check_fields(&self, values: &Values) -> Result<()> {
        for f in self.fields() {
            let Some(Value::Text(text)) = values.0.get(f.name) else {
                continue;
            };
            let n = text.chars().count();
            let short = f.required && n < usize::from(f.min);
            if n > usize::from(f.max) || short {
                return Err(refuse(msg!(
                    "error-field-length",
                    field = f.name,
                    min = u32::from(f.min),
                    max = u32::from(f.max),
                    length = n
                )));
            }
        }
        Ok(())
    }
}

/// The message context-menu command with this catalogue key.
pub fn message_command(key: &str) -> Option<&'static MessageCommand> {
    MESSAGE_COMMANDS.iter().find(|m| m.key == key)
}

impl Request {
    /// Gives the request what the adapter knows of where it came from: the channel (the forum
    /// an agenda command means when none is named), whether a bot or webhook asked, and the
    /// message a context menu was used on. Requests that take none of it ignore it.
    pub fn set_origin(&mut self, origin: &Origin) {
        let (channel, by_bot) = (origin.channel, origin.by_bot);
        match self {
            Request::AgendaPropose(p) => {
                p.channel = channel;
                p.by_bot = by_bot;
                if let Some(s) = origin.source {
                    p.source = Some(crate::service::agenda::SourceMessage {
                        guild: s.guild,
                        channel: s.channel,
                        message: s.message,
                    });
                }
            }
            Request::AgendaQuestion(q) => {
                q.channel = channel;
                q.by_bot = by_bot;
            }
            Request::AgendaShow(s) => s.channel = channel,
            // --- meeting run ---
            Request::MeetingHere(w)
            | Request::MeetingNextItem(w)
            | Request::Attendees(w)
            | Request::ConsentAsk(w)
            | Request::AttendeeAdd(AddAttendee { which: w, .. })
            | Request::AttendeeRemove { which: w, .. }
            | Request::ConsentAnswer { which: w, .. } => w.channel = channel,
            Request::NoteAdd(n) => {
                n.which.channel = channel;
                n.source = origin.source;
            }
            _ => {}
        }
    }

    /// Runs the use case.
    pub async fn run(self, s: &Services, a: &Actor) -> Result<Reply> {
        match self {
            Request::ForumCreate(req) => s.forum_create(a, req).await,
            Request::ForumList => s.forum_list(a).await,
            Request::ForumShow(forum) => s.forum_show(a, forum).await,
            Request::ForumEdit(req) => s.forum_edit(a, req).await,
            Request::ForumSetup(req) => s.forum_setup(a, req).await,
            Request::MeetingNext { forum } => s.meeting_next(a, &forum).await,
            Request::MeetingList { forum, count } => s.meeting_list(a, &forum, count).await,
            Request::MeetingSchedule {
                forum,
                date,
                time,
                duration,
            } => s.meeting_schedule(a, &forum, &date, &time, duration).await,
            Request::MeetingCancel {
                forum,
                meeting,
                reason,
            } => s.meeting_cancel(a, &forum, &meeting, &reason).await,
            Request::MeetingMove {
                forum,
                meeting,
                date,
                time,
            } => s.meeting_move(a, &forum, &meeting, &date, &time).await,
            Request::MeetingRemindMe { forum, on } => s.meeting_remind_me(a, &forum, on).await,
            Request::SettingsLanguage { language } => s.set_language(a, &language).await,
            Request::AgendaPropose(req) => s.agenda_propose(a, req).await,
            Request::AgendaQuestion(req) => s.agenda_question(a, req).await,
            Request::AgendaMine => s.agenda_mine(a).await,
            Request::AgendaShow(req) => s.agenda_show(a, req).await,
            Request::AgendaTriage(req) => s.agenda_triage(a, req).await,
            Request::AgendaStandingAdd {
                forum,
                title,
                place,
            } => s.agenda_standing_add(a, &forum, &title, &place).await,
            Request::AgendaStandingRemove { forum, title } => {
                s.agenda_standing_remove(a, &forum, &title).await
            }
            Request::SettingsOrg { role, on } => s.org_set(a, role, on).await,
            Request::SettingsOrgs => s.orgs(a).await,
            Request::MeetingStart {
                forum,
                meeting,
                consent,
            } => {
                s.meeting_start_with(a, &forum, meeting.as_deref(), consent)
                    .await
            }
            Request::MeetingEnd { forum } => s.meeting_end(a, &forum).await,
            Request::DecisionRecord(req) => s.decision_record(a, req).await,
            Request::DecisionList { forum, count } => s.decision_list(a, &forum, count).await,
            Request::DecisionShow { number } => s.decision_show(a, &number).await,
            Request::DecisionSearch { query, forum } => {
                s.decision_search(a, &query, forum.as_deref()).await
            }
            Request::DecisionExport { forum } => s.decision_export(a, &forum).await,
            Request::ActionAdd {
                forum,
                what,
                owner,
                due,
            } => s.action_add(a, &forum, &what, owner, &due).await,
            Request::ActionDone { id } => s.action_done(a, id).await,
            Request::ActionList {
                forum,
                mine,
                overdue,
            } => s.action_list(a, forum.as_deref(), mine, overdue).await,
            Request::ActionRemindMe { on } => s.action_remind_me(a, on).await,
            // --- meeting run ---
            Request::MeetingHere(w) => s.meeting_here(a, w).await,
            Request::MeetingNextItem(w) => s.next_item(a, w).await,
            Request::AttendeeAdd(req) => s.attendee_add(a, req).await,
            Request::AttendeeRemove { which, name } => s.attendee_remove(a, which, &name).await,
            Request::Attendees(w) => s.attendance(a, w).await,
            Request::ConsentAsk(w) => s.consent_ask(a, w).await,
            Request::ConsentAnswer { which, answer } => s.consent_answer(a, which, answer).await,
            Request::NoteAdd(req) => s.note_add(a, req).await,
            // --- minutes ---
            Request::Minutes(req) => s.minutes(a, req).await,
            // --- escalations ---
            Request::EscalateItem { item, reason } => s.escalate_item(a, item, &reason).await,
            Request::EscalateIssue {
                forum,
                subject,
                reason,
            } => s.escalate_issue(a, &forum, &subject, &reason).await,
            Request::EscalateOnward { id, reason } => s.escalate_onward(a, id, &reason).await,
            Request::EscalationList { forum, state } => {
                s.escalation_list(a, forum.as_deref(), state.as_deref())
                    .await
            }
            Request::EscalationAccept { id } => s.escalation_accept(a, id).await,
            Request::EscalationResolve { id, decision } => {
                s.escalation_resolve(a, id, &decision).await
            }
            Request::EscalationReturn { id, reason } => s.escalation_return(a, id, &reason).await,
        }
    }
}

/// An option's value, typed by its [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Bool(bool),
    Channel(ChannelId),
    Role(RoleId),
    User(UserId),
    /// An attached file, as the adapter fetched it.
    File(Upload),
}

/// A file a user handed over with a command: its name, its size as announced and its bytes
/// (left empty by the adapter when the size is over what any use case takes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub name: String,
    pub size: u64,
    pub bytes: Vec<u8>,
}

/// Bytes an adapter fetches of an attachment at most; a larger one arrives without its bytes
/// and the use case refuses it by its size.
pub const MAX_FETCH: u64 = 1024 * 1024;

/// The option values of one invocation, taken by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(pub BTreeMap<String, Value>);

impl Values {
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.0.insert(name.into(), value);
    }

    pub fn text(&mut self, name: &'static str) -> Result<String> {
        self.opt_text(name).ok_or_else(|| missing(name))
    }

    pub fn opt_text(&mut self, name: &str) -> Option<String> {
        match self.0.remove(name)? {
            Value::Text(s) => Some(s),
            Value::Integer(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Channel(c) => Some(c.to_string()),
            Value::Role(r) => Some(r.to_string()),
            Value::User(u) => Some(u.to_string()),
            Value::File(f) => Some(f.name),
        }
    }

    fn file(&mut self, name: &'static str) -> Result<Upload> {
        match self.0.remove(name) {
            Some(Value::File(f)) => Ok(f),
            _ => Err(missing(name)),
        }
    }

    fn user(&mut self, name: &'static str) -> Result<UserId> {
        match self.0.remove(name) {
            Some(Value::User(u)) => Ok(u),
            _ => Err(missing(name)),
        }
    }

    fn opt_user(&mut self, name: &str) -> Option<UserId> {
        match self.0.remove(name)? {
            Value::User(u) => Some(u),
            _ => None,
        }
    }

    fn opt_boolean(&mut self, name: &str) -> Option<bool> {
        match self.0.remove(name)? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn integer(&mut self, name: &str) -> Option<i64> {
        match self.0.remove(name)? {
            Value::Integer(n) => Some(n),
            _ => None,
        }
    }

    pub fn boolean(&mut self, name: &'static str) -> Result<bool> {
        match self.0.remove(name) {
            Some(Value::Bool(b)) => Ok(b),
            _ => Err(missing(name)),
        }
    }

    pub fn channel(&mut self, name: &'static str) -> Result<ChannelId> {
        match self.0.remove(name) {
            Some(Value::Channel(c)) => Ok(c),
            _ => Err(missing(name)),
        }
    }

    /// Minutes as a number option, or as text from a form field (`20`, `20 min`, `1h`).
    fn minutes(&mut self, name: &'static str) -> Result<Option<i64>> {
        match self.0.remove(name) {
            None => Ok(None),
            Some(Value::Integer(n)) => Ok(Some(n)),
            Some(Value::Text(t)) => crate::domain::agenda::parse_minutes(&t).map_err(|_| {
                refuse(msg!(
                    "agenda-error-minutes",
                    max = crate::domain::agenda::MAX_MINUTES
                ))
            }),
            Some(_) => Err(missing(name)),
        }
    }

    fn required_integer(&mut self, name: &'static str) -> Result<i64> {
        match self.0.remove(name) {
            Some(Value::Integer(n)) => Ok(n),
            Some(Value::Text(t)) => t
                .trim()
                .trim_start_matches('#')
                .parse()
                .map_err(|_| refuse(msg!("error-not-a-number", option = name))),
            _ => Err(missing(name)),
        }
    }

    pub fn role(&mut self, name: &'static str) -> Result<RoleId> {
        match self.0.remove(name) {
            Some(Value::Role(r)) => Ok(r),
            _ => Err(missing(name)),
        }
    }

    pub fn opt_role(&mut self, name: &str) -> Option<RoleId> {
        match self.0.remove(name)? {
            Value::Role(r) => Some(r),
            _ => None,
        }
    }

    /// Values nobody took: a spec whose `parse` forgot an option it declares.
    fn finish(self) -> Result<()> {
        match self.0.into_keys().next() {
            None => Ok(()),
            Some(extra) => Err(unknown_option(&extra)),
        }
    }
}

fn missing(name: &'static str) -> crate::error::Error {
    refuse(msg!("error-missing-option", option = name))
}

fn unknown_option(name: &str) -> crate::error::Error {
    refuse(
        Msg::new("shell-unknown-option").arg("option", name.chars().take(40).collect::<String>()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: Kind) -> Value {
        match kind {
            Kind::Text | Kind::Mapping => Value::Text("x".into()),
            Kind::Integer | Kind::Count => Value::Integer(3),
            Kind::Bool => Value::Bool(true),
            Kind::Channel => Value::Channel(ChannelId(1)),
            Kind::Role => Value::Role(RoleId(2)),
            Kind::User => Value::User(UserId(3)),
            Kind::Attachment => Value::File(Upload {
                name: "a.md".into(),
                size: 1,
                bytes: b"x".to_vec(),
            }),
        }
    }

    #[test]
    fn every_declared_option_is_read_and_required_ones_come_first() {
        for spec in COMMANDS {
            let mut all = Values::default();
            for o in spec.options {
                all.insert(o.name, sample(o.kind));
            }
            for f in spec.fields() {
                // Digits: a number field (minutes) reads them too.
                all.insert(f.name, Value::Text("1".repeat(f.min.max(1).into())));
            }
            // `finish` refuses a value the parser left: every declared option is read.
            assert!(spec.request(all).is_ok(), "{spec:?}");
            let first_optional = spec.options.iter().position(|o| !o.required);
            if let Some(i) = first_optional {
                assert!(
                    spec.options[i..].iter().all(|o| !o.required),
                    "{spec:?}: required options first"
                );
            }
            assert!((1..=MAX_DEPTH).contains(&spec.path.len()), "{spec:?}");
        }
    }

    #[test]
    fn propose_takes_minutes_as_a_number_or_as_form_text() {
        let spec = find(&["agenda", "propose"]).unwrap();
        let minutes = |v: Value| {
            let mut values = Values::default();
            values.insert("title", Value::Text("Rubrik".into()));
            values.insert("minutes", v);
            match spec.request(values) {
                Ok(Request::AgendaPropose(p)) => Ok(p.minutes),
                Ok(other) => panic!("{other:?}"),
                Err(e) => Err(e),
            }
        };
        assert_eq!(minutes(Value::Integer(20)).unwrap(), Some(20));
        assert_eq!(minutes(Value::Text("45 min".into())).unwrap(), Some(45));
        assert_eq!(minutes(Value::Text("".into())).unwrap(), None);
        assert!(minutes(Value::Text("lång".into())).is_err());
    }

    #[test]
    fn a_missing_required_option_and_an_unknown_one_are_refused() {
        let spec = find(&["meeting", "cancel"]).unwrap();
        let mut v = Values::default();
        v.insert("forum", Value::Text("A".into()));
        v.insert("meeting", Value::Text("2026-12-01".into()));
        assert!(spec.request(v.clone()).is_err(), "reason is missing");
        v.insert("reason", Value::Text("sjuk".into()));
        assert!(spec.request(v.clone()).is_ok());
        v.insert("colour", Value::Text("red".into()));
        assert!(spec.request(v).is_err(), "unknown option");
    }

    #[test]
    fn forms_and_menus_keep_to_discords_limits() {
        for spec in COMMANDS {
            let fields = spec.fields();
            assert!(fields.len() <= MAX_FIELDS, "{spec:?}: at most 5 fields");
            for f in fields {
                assert!(
                    f.max <= MAX_FIELD_CHARS && f.min <= f.max,
                    "{spec:?} {}",
                    f.name
                );
                assert!(spec.option(f.name).is_none(), "{spec:?}: {} twice", f.name);
            }
            for o in spec.options.iter().filter(|o| o.hidden) {
                assert!(
                    !o.required,
                    "{spec:?}: hidden {} cannot be required",
                    o.name
                );
            }
        }
        assert!(MESSAGE_COMMANDS.len() <= 15);
        for m in MESSAGE_COMMANDS {
            let spec = find(m.path).expect("a message command invokes a declared spec");
            // The text goes into the form, or (no form: it runs at once) into an option.
            match spec.form {
                Some(_) => assert!(spec.field(m.content).is_some(), "{m:?}"),
                None => assert!(spec.option(m.content).is_some(), "{m:?}"),
            }
            assert!(m.author.is_none_or(|a| spec.option(a).is_some()), "{m:?}");
            assert!(m.title.is_none_or(|t| spec.field(t).is_some()), "{m:?}");
        }
    }

    #[test]
    fn paths_are_unique_and_summarised() {
        for (i, a) in COMMANDS.iter().enumerate() {
            assert!(COMMANDS[i + 1..].iter().all(|b| b.path != a.path), "{a:?}");
        }
        assert!(summary().starts_with("/forum create|list|show|edit|setup, /meeting next|"));
        assert!(
            summary().contains("|here|item next|attendee-add|"),
            "{}",
            summary()
        );
        assert!(summary().ends_with(", /note"), "{}", summary());
    }

    #[test]
    fn paths_have_discords_shapes() {
        for a in COMMANDS {
            // A command with subcommands cannot be invoked itself: no path begins another.
            for b in COMMANDS.iter().filter(|b| b.path.len() > a.path.len()) {
                assert!(!b.path.starts_with(a.path), "{a:?} begins {b:?}");
            }
            // Names as Discord takes them (lower case, no spaces, at most 32 characters).
            for name in a.path {
                assert!(
                    !name.is_empty()
                        && name.len() <= 32
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{a:?}"
                );
            }
        }
        // At most 25 subcommands and groups under a command or group (Discord's limit).
        let mut prefixes: Vec<&[&str]> = vec![&[]];
        for s in COMMANDS {
            for n in 1..s.path.len() {
                prefixes.push(&s.path[..n]);
            }
        }
        for p in prefixes.into_iter().skip(1) {
            assert!(children(p).len() <= 25, "{p:?}");
        }
        // Three shapes: a command of its own, a subcommand, a subcommand of a group.
        assert_eq!(find(&["note"]).map(|s| s.path.len()), Some(1));
        assert_eq!(
            find(&["meeting", "item", "next"]).map(|s| s.path.len()),
            Some(3)
        );
        assert_eq!(children(&["meeting", "item"]), ["next"]);
        assert_eq!(completions(&["meeting", "item"]), ["next"]);
        assert!(completions(&["note"]).is_empty());
        assert!(completions(&["nothing"]).is_empty());
        assert!(roots().contains(&"note"));
    }
}
