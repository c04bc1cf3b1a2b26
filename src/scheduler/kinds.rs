//! The one job registry: every kind of job is declared here once, with its typed payload and
//! its idempotency key; `register_all` gives each its handler. Code that enqueues builds the
//! job here (`K::job(key, payload, due)` → a [`NewJob`]) and hands it to the store, inside a
//! transaction if it likes; the handler reads the payload back with `K::payload(job)`.
//! New capabilities (deadlines, publications, deliveries) add a kind here and a handler.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Outcome, Scheduler};
use crate::domain::ids::{ForumId, GuildId, UserId};
use crate::domain::meeting::MeetingId;
use crate::notifier::Notifier;
use crate::service::Services;
use crate::store::{Job, NewJob};

/// A kind of job.
pub trait JobKind {
    /// Stored in `jobs.kind`.
    const NAME: &'static str;
    /// What the handler needs.
    type Payload: Serialize + DeserializeOwned;
    /// What makes one job of this kind distinct: a job is enqueued once per key, ever.
    type Key: ?Sized;

    fn key(key: &Self::Key) -> String;

    /// The job to enqueue.
    fn job(key: &Self::Key, payload: &Self::Payload, due_at: DateTime<Utc>) -> NewJob {
        NewJob {
            kind: Self::NAME.to_string(),
            key: Self::key(key),
            due_at,
            payload: serde_json::to_value(payload).unwrap_or_default(),
        }
    }

    /// A claimed job's payload; one that does not parse fails the job (it never will).
    fn payload(job: &Job) -> Result<Self::Payload, Outcome> {
        serde_json::from_value(job.payload.clone())
            .map_err(|e| Outcome::Failed(format!("bad {} payload: {e}", Self::NAME)))
    }
}

/// Plans a forum's next meetings and their reminders; runs again when the window slides.
pub struct Plan;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanPayload {
    pub forum: i64,
}
impl JobKind for Plan {
    const NAME: &'static str = "plan";
    type Payload = PlanPayload;
    type Key = ForumId;
    fn key(forum: &ForumId) -> String {
        format!("plan:{}", forum.0)
    }
}

/// A reminder posted in the forum's channel.
pub struct Reminder;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReminderPayload {
    pub meeting: i64,
    /// The offset as typed (`1d`, `15m`).
    pub offset: String,
    /// Mentions the forum's participant role.
    #[serde(default)]
    pub mention: bool,
}
impl JobKind for Reminder {
    const NAME: &'static str = "reminder";
    type Payload = ReminderPayload;
    /// Built by `domain::meeting::reminder_key` (forum, occurrence, offset).
    type Key = str;
    fn key(key: &str) -> String {
        key.to_string()
    }
}

/// A reminder by direct message to one member who opted in.
pub struct Dm;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DmPayload {
    pub user: i64,
    pub content: String,
}
impl JobKind for Dm {
    const NAME: &'static str = "dm";
    type Payload = DmPayload;
    /// The channel reminder's key and the member.
    type Key = (String, UserId);
    fn key((reminder, user): &(String, UserId)) -> String {
        format!("dm:{reminder}:{}", user.0)
    }
}

/// Mirrors a meeting as a Discord scheduled event (re-armed when the meeting changes).
pub struct Event;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EventPayload {
    pub meeting: i64,
}
impl JobKind for Event {
    const NAME: &'static str = "event";
    type Payload = EventPayload;
    type Key = MeetingId;
    fn key(meeting: &MeetingId) -> String {
        format!("event:{}", meeting.0)
    }
}

/// A fixed, content-free notice to the whistleblowing handler channel.
pub struct WbNotice;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WbNoticePayload {
    /// Which fixed text: `new_report`, `new_followup`, `digest`, `reminder`, `flagged`,
    /// `exclusion_requested`, `excluded`, `unreadable`.
    pub notice: String,
    /// What that text needs besides (a reminder's kind, counts); never case content.
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}
impl JobKind for WbNotice {
    const NAME: &'static str = "wb_notice";
    type Payload = WbNoticePayload;
    /// After `wb:`: `notice:<random>`, `digest:<time>`, `reminder:<case>:<which>`,
    /// `flagged:<day>` or `unreadable:<day>`.
    type Key = str;
    fn key(rest: &str) -> String {
        format!("wb:{rest}")
    }
}

/// The daily whistleblowing run: deadline reminders and purges.
pub struct WbDaily;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct WbDailyPayload {}
impl JobKind for WbDaily {
    const NAME: &'static str = "wb_daily";
    type Payload = WbDailyPayload;
    /// After `wb:daily:`: the run's time, or `start:<day>` for the catch-up run at start.
    type Key = str;
    fn key(rest: &str) -> String {
        format!("wb:daily:{rest}")
    }
}

/// A forum's agenda clock: at each meeting's agenda deadline it publishes the agenda
/// (carry-over, empty-agenda policy) and runs again at the next deadline.
pub struct AgendaPublish;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgendaPublishPayload {
    pub forum: i64,
}
impl JobKind for AgendaPublish {
    const NAME: &'static str = "agenda_publish";
    type Payload = AgendaPublishPayload;
    type Key = ForumId;
    fn key(forum: &ForumId) -> String {
        format!("agenda:publish:{}", forum.0)
    }
}

/// A private message to a proposer about their item (why it was rejected).
pub struct AgendaDm;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgendaDmPayload {
    pub item: i64,
    /// `rejected`.
    pub notice: String,
}
impl JobKind for AgendaDm {
    const NAME: &'static str = "agenda_dm";
    type Payload = AgendaDmPayload;
    /// After `agenda:dm:`: `rejected:<item>:<version>`.
    type Key = str;
    fn key(rest: &str) -> String {
        format!("agenda:dm:{rest}")
    }
}

/// A notice in the forum's channel about a meeting's agenda: `cancelled` (nothing was
/// proposed, so the meeting is cancelled) or `empty` (the chair is told).
pub struct AgendaNotice;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AgendaNoticePayload {
    pub meeting: i64,
    pub notice: String,
}
impl JobKind for AgendaNotice {
    const NAME: &'static str = "agenda_notice";
    type Payload = AgendaNoticePayload;
    /// After `agenda:notice:`: `<notice>:<meeting>`.
    type Key = str;
    fn key(rest: &str) -> String {
        format!("agenda:notice:{rest}")
    }
}

/// Refreshes a live document's messages (coalesced: one job per document, re-armed by
/// `Store::live_changed`; see `crate::live`).
pub struct Live;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LivePayload {
    /// The document's key (`agenda:12`).
    pub doc: String,
}
impl JobKind for Live {
    const NAME: &'static str = crate::store::LIVE_KIND;
    type Payload = LivePayload;
    /// The document's key.
    type Key = str;
    fn key(doc: &str) -> String {
        crate::store::live_job_key(doc)
    }
}

/// A private message to one member, rendered when it is sent (in the guild's language then):
/// "your proposal was rejected, because …". Closed DMs are recorded as skipped.
pub struct Private;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrivatePayload {
    pub guild: GuildId,
    pub user: UserId,
    pub lines: Vec<crate::i18n::Msg>,
}
impl JobKind for Private {
    const NAME: &'static str = "private";
    type Payload = PrivatePayload;
    /// What it is about, unique per message ever sent: `agenda:reject:<item>:<version>`.
    type Key = str;
    fn key(what: &str) -> String {
        format!("private:{what}")
    }
}

/// A thread in a channel, started from a message the bot posts (a meeting's record). The
/// thread's id is the starter message's, recorded as the job's message
/// (`Store::thread_for(what)`); post into it as into any channel.
pub struct Thread;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThreadPayload {
    pub guild: GuildId,
    pub channel: crate::domain::ids::ChannelId,
    /// The thread's name (at most 100 characters shown).
    pub name: crate::i18n::Msg,
    /// The message the thread starts from.
    pub starter: Vec<crate::i18n::Msg>,
    /// Buttons under the starter message.
    #[serde(default)]
    pub actions: Vec<PostButton>,
    /// The meeting whose record the thread holds: its session records the thread.
    #[serde(default)]
    pub meeting: Option<i64>,
}

/// A button in a job's payload: rendered (its label in the guild's language) when sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PostButton {
    pub label: crate::i18n::Msg,
    pub style: crate::action::ButtonStyle,
    /// The encoded invocation (`v1:meeting:here`).
    pub id: String,
}

impl PostButton {
    pub fn from_button(b: &crate::action::Button) -> Self {
        Self {
            label: b.label.clone(),
            style: b.style,
            id: b.invoke.encode(),
        }
    }

    pub fn render(&self, lang: crate::i18n::Lang) -> crate::action::OutAction {
        crate::action::OutAction {
            label: crate::domain::text::truncate(&self.label.plain(lang), 80),
            style: self.style,
            id: self.id.clone(),
        }
    }
}
impl JobKind for Thread {
    const NAME: &'static str = "thread";
    type Payload = ThreadPayload;
    /// What the thread is for: `meeting:<id>`.
    type Key = str;
    fn key(what: &str) -> String {
        crate::store::thread_job_key(what)
    }
}

/// What a meeting's session jobs need.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionPayload {
    pub meeting: i64,
}

/// Nudges the chair in the forum's channel that a meeting left open will close soon.
pub struct MeetingNudge;
impl JobKind for MeetingNudge {
    const NAME: &'static str = "meeting_nudge";
    type Payload = SessionPayload;
    type Key = MeetingId;
    /// Under `service::record::session_job_prefix`, so ending the meeting drops it.
    fn key(meeting: &MeetingId) -> String {
        format!("record:{}:nudge", meeting.0)
    }
}

/// Closes a meeting still open at its session's end, and says so in the forum's channel.
pub struct MeetingClose;
impl JobKind for MeetingClose {
    const NAME: &'static str = "meeting_close";
    type Payload = SessionPayload;
    type Key = MeetingId;
    fn key(meeting: &MeetingId) -> String {
        format!("record:{}:close", meeting.0)
    }
}

/// A message in a meeting's thread (the current agenda entry, the consent prompt, a timebox
/// overrun warning); waits for the thread to exist. Keyed under the session's prefix, so
/// ending the meeting drops what is still pending.
pub struct MeetingPost;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MeetingPostPayload {
    pub meeting: i64,
    pub lines: Vec<crate::i18n::Msg>,
    #[serde(default)]
    pub actions: Vec<PostButton>,
    /// A timebox warning: posted only if this entry is still current since this moment.
    #[serde(default)]
    pub overrun: Option<OverrunCheck>,
}
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OverrunCheck {
    /// The entry's number on the agenda.
    pub item: i64,
    /// When it became current (milliseconds).
    pub started: i64,
}
impl JobKind for MeetingPost {
    const NAME: &'static str = "meeting_post";
    type Payload = MeetingPostPayload;
    /// The meeting and what the post is (`consent`, `item:3:<ms>`, `overrun:3:<ms>`).
    type Key = (MeetingId, String);
    fn key((meeting, what): &(MeetingId, String)) -> String {
        format!("record:{}:post:{what}", meeting.0)
    }
}

/// A DM to an action's owner before its due date or on the day.
pub struct ActionRemind;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ActionRemindPayload {
    pub action: i64,
    /// `before` or `due` (`domain::record::ActionReminder`).
    pub which: String,
}
impl JobKind for ActionRemind {
    const NAME: &'static str = "action_reminder";
    type Payload = ActionRemindPayload;
    /// The action and which reminder.
    type Key = (i64, &'static str);
    fn key((action, which): &(i64, &'static str)) -> String {
        format!("action:{action}:{which}")
    }
}

/// Publishes approved minutes (or an addendum) once in the forum's channel: a summary and
/// the document attached.
pub struct MinutesPublish;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MinutesPublishPayload {
    pub minutes: i64,
}
impl JobKind for MinutesPublish {
    const NAME: &'static str = "minutes_publish";
    type Payload = MinutesPublishPayload;
    type Key = crate::domain::minutes::MinutesId;
    fn key(id: &crate::domain::minutes::MinutesId) -> String {
        format!("minutes:{}:publish", id.0)
    }
}

/// A notice in a forum's channel about an escalation: `arrived` (in the receiving forum's
/// channel, its chair role mentioned), `accepted` or `outcome` (resolved or returned), both in
/// the originating forum's channel. Keyed per escalation and notice: each is posted once.
pub struct EscalationNotice;
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EscalationNoticePayload {
    pub escalation: i64,
    pub notice: String,
}
impl JobKind for EscalationNotice {
    const NAME: &'static str = "escalation_notice";
    type Payload = EscalationNoticePayload;
    /// After `escalation:`: `<notice>:<escalation>`.
    type Key = str;
    fn key(rest: &str) -> String {
        format!("escalation:{rest}")
    }
}

/// Every kind, by name.
pub const ALL: &[&str] = &[
    Plan::NAME,
    Reminder::NAME,
    Dm::NAME,
    Event::NAME,
    WbNotice::NAME,
    WbDaily::NAME,
    AgendaPublish::NAME,
    AgendaDm::NAME,
    AgendaNotice::NAME,
    Live::NAME,
    Private::NAME,
    Thread::NAME,
    MeetingNudge::NAME,
    MeetingClose::NAME,
    ActionRemind::NAME,
    MeetingPost::NAME,
    MinutesPublish::NAME,
    EscalationNotice::NAME,
];

/// Gives every kind its handler.
pub fn register_all(scheduler: &mut Scheduler, services: &Services, notifier: Arc<dyn Notifier>) {
    super::meetings::register(scheduler, services.clone(), notifier.clone());
    super::agenda::register(scheduler, services.clone(), notifier.clone());
    let source: Arc<dyn crate::live::LiveSource> =
        Arc::new(super::live::ServicesSource(services.clone()));
    super::live::register(scheduler, services.clone(), notifier.clone(), source);
    super::record::register(scheduler, services.clone(), notifier.clone());
    super::minutes::register(scheduler, services.clone(), notifier.clone());
    super::escalation::register(scheduler, services.clone(), notifier.clone());
    super::whistleblowing::register(scheduler, services, notifier);
}
