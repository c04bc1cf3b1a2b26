//! Job handlers for meetings: planning, channel reminders, DM reminders, Discord events.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use tracing::instrument;

use super::delivery::{find_earlier, post_once, Sent};
use super::kinds::{self, JobKind};
use super::{JobHandler, Outcome, Scheduler};
use crate::action::{Button, ButtonStyle, Invoke};
use crate::command::Value;
use crate::domain::forum::Forum;
use crate::domain::ids::{ForumId, GuildId, UserId};
use crate::domain::meeting::{reminders_for, Meeting, MeetingEvent, MeetingId, EVENT_HORIZON};
use crate::domain::recurrence::Offset;
use crate::domain::reminder::{decide, Delivery, ReminderKind};
use crate::i18n::{Lang, Msg};
use crate::msg;
use crate::notifier::{nonce_for, EventSpec, EventStatus, Notifier, Outgoing, SendError};
use crate::service::meetings::when;
use crate::service::Services;

/// Registers the meeting job handlers (see `kinds::register_all`).
pub(super) fn register(scheduler: &mut Scheduler, services: Services, notifier: Arc<dyn Notifier>) {
    let h = Arc::new(MeetingJobs { services, notifier });
    scheduler.register(kinds::Plan::NAME, Arc::new(Plan(h.clone())));
    scheduler.register(kinds::Reminder::NAME, Arc::new(Remind(h.clone())));
    scheduler.register(kinds::Dm::NAME, Arc::new(Direct(h.clone())));
    scheduler.register(kinds::Event::NAME, Arc::new(Event(h)));
}

struct MeetingJobs {
    services: Services,
    notifier: Arc<dyn Notifier>,
}

struct Plan(Arc<MeetingJobs>);
struct Remind(Arc<MeetingJobs>);
struct Direct(Arc<MeetingJobs>);
struct Event(Arc<MeetingJobs>);

/// Waits out a rate limit, gives up on a permanent error, counts any other failure.
fn on_error(s: &Services, now: DateTime<Utc>, err: &SendError) -> Outcome {
    Outcome::from_send_error(err, now, s.clock.speed())
}

/// A database hiccup: look again shortly (counted, so a lasting problem gives up).
fn on_store_error(e: impl std::fmt::Display) -> Outcome {
    Outcome::Transient(e.to_string())
}

#[async_trait]
impl JobHandler for Plan {
    #[instrument(name = "job.plan", skip_all, fields(job = job.id))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let s = &self.0.services;
        let p = match kinds::Plan::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let forum = match s.forum_for_job(ForumId(p.forum)).await {
            Ok(Some(f)) => f,
            Ok(None) => return Outcome::Skipped("forum gone".to_string()),
            Err(e) => return on_store_error(e),
        };
        if forum.schedule.is_none() {
            return Outcome::Skipped("no schedule".to_string());
        }
        // This job is the forum's planning job: it runs again when the window must slide.
        match s.plan_forum(&forum, s.clock.now()).await {
            Ok(next) => Outcome::Reschedule(next, job.payload.clone()),
            Err(e) => {
                tracing::warn!(forum = %forum.id, error = format!("{e:#}"), "planning failed");
                on_store_error(e)
            }
        }
    }
}

impl MeetingJobs {
    async fn load(&self, id: i64) -> Result<(Meeting, Forum), Outcome> {
        self.load_with_language(id).await.map(|(m, f, _)| (m, f))
    }

    /// The meeting, its forum and the guild's language, read at once (two queries side by
    /// side, not four one after another: a burst of reminders reads them for every job
    /// before its send).
    async fn load_with_language(&self, id: i64) -> Result<(Meeting, Forum, Lang), Outcome> {
        let s = &self.services;
        let retry = |e: String| on_store_error(e);
        let (m, f) = tokio::join!(
            s.store.meeting_by_id(MeetingId(id)),
            s.store.forum_of_meeting(MeetingId(id))
        );
        let m = match m {
            Ok(Some(m)) => m,
            Ok(None) => return Err(Outcome::Skipped("meeting gone".to_string())),
            Err(e) => return Err(retry(e.to_string())),
        };
        let (f, lang) = match f {
            Ok(Some(x)) => x,
            Ok(None) => return Err(Outcome::Skipped("forum gone".to_string())),
            Err(e) => return Err(retry(e.to_string())),
        };
        let lang = lang.unwrap_or_else(|| s.config.default_language());
        Ok((m, f, lang))
    }
}

#[async_trait]
impl JobHandler for Remind {
    #[instrument(name = "job.reminder", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::Reminder::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (m, forum, lang) = match h.load_with_language(p.meeting).await {
            Ok(x) => x,
            Err(o) => return o,
        };
        let now = s.clock.now();
        if m.state.is_cancelled() {
            return self.skip_unless_sent(job, &forum, "cancelled", now).await;
        }
        let Ok(offset) = Offset::parse(&p.offset) else {
            return Outcome::Failed("payload without offset".to_string());
        };
        let planned = reminders_for(&m, forum.time_zone, &forum.reminder_policy());
        // When the reminder was meant to go out. The job's own `due_at` moves with every
        // retry (a rate-limit hand-back, a backoff), and lateness and supersession are
        // reckoned from the meeting's plan, not from the last retry.
        let due = planned
            .iter()
            .find(|r| r.key == job.key)
            .map_or(job.due_at, |r| r.due_at);
        // The next reminder of the same meeting: once it is due, this one is superseded.
        let next_due = planned.iter().map(|r| r.due_at).filter(|d| *d > due).min();
        // The catch-up policy holds for a reclaimed job too; only a message an earlier
        // attempt did post is recorded as sent.
        let late = match decide(now, due, m.starts_at, next_due) {
            Delivery::Skip(reason) => {
                return self
                    .skip_unless_sent(job, &forum, reason.as_str(), now)
                    .await
            }
            Delivery::Late => true,
            Delivery::OnTime => false,
        };
        let r = h.notifier.renderer();
        let reminder = reminder_msg(ReminderKind::of(offset), &forum, &m);
        let body = reminder.render_with(lang, r);
        let role = forum.participant_role.filter(|_| p.mention);
        let mut post = reminder;
        if let Some(role) = role {
            post = msg!("reminder-for-role", role = role, text = post);
        }
        if late {
            post = msg!("reminder-late", text = post);
        }
        let content = post.render_with(lang, r);
        let actions = reminder_buttons(ReminderKind::of(offset), &forum, &m)
            .iter()
            .map(|b| b.render(lang, r))
            .collect();
        let out = Outgoing {
            channel: forum.channel,
            content: content.clone(),
            nonce: nonce_for(&job.key),
            mention_role: role,
            actions,
        };
        match post_once(&s.store, &*h.notifier, job, &out).await {
            Ok(sent) => {
                if forum.delivery_problem.is_some() {
                    if let Err(e) = s.store.set_delivery_problem(forum.id, None, now).await {
                        tracing::error!(forum = %forum.id, error = %e, "could not clear a delivery problem");
                    }
                }
                self.fan_out_dms(&forum, &job.key, &body, now).await;
                let how = match (sent, late) {
                    (Sent::Found(_), _) => "sent_found",
                    (Sent::Posted(_), true) => "sent_late",
                    (Sent::Posted(_), false) => "sent",
                };
                Outcome::Sent(sent.id(), how.to_string())
            }
            Err(e) if e.is_permanent() => {
                tracing::warn!(forum = %forum.id, error = %e, "reminder cannot be delivered");
                Outcome::Failed(e.to_string())
            }
            Err(e) => on_error(s, now, &e),
        }
    }

    async fn gave_up(&self, job: &crate::store::Job, reason: &str) {
        let s = &self.0.services;
        let Ok(p) = kinds::Reminder::payload(job) else {
            return;
        };
        if let Ok((_, forum)) = self.0.load(p.meeting).await {
            // Shown with the forum (`/forum show`, `/meeting next|list`) until one gets through.
            let problem: String = reason.chars().take(300).collect();
            if let Err(e) = s
                .store
                .set_delivery_problem(forum.id, Some(&problem), s.clock.now())
                .await
            {
                tracing::error!(forum = %forum.id, error = %e, "could not record a delivery problem");
            }
        }
    }
}

impl Remind {
    /// A reminder the policy skips. A worker that died holding it may have posted it already:
    /// then it is recorded as sent, not skipped.
    async fn skip_unless_sent(
        &self,
        job: &crate::store::Job,
        forum: &Forum,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Outcome {
        let h = &self.0;
        match find_earlier(&h.services.store, &*h.notifier, job, forum.channel).await {
            Ok(Some(id)) => Outcome::Sent(id, "sent_found".to_string()),
            Ok(None) => Outcome::Skipped(reason.to_string()),
            Err(e) => on_error(&h.services, now, &e),
        }
    }

    /// One DM job per member who opted in, each with its own key (exactly once per person).
    async fn fan_out_dms(&self, forum: &Forum, key: &str, body: &str, now: DateTime<Utc>) {
        let s = &self.0.services;
        let Ok(users) = s.store.subscribers(forum.id).await else {
            return;
        };
        for u in users {
            let payload = kinds::DmPayload {
                user: u.to_db(),
                content: body.to_string(),
            };
            let job = kinds::Dm::job(&(key.to_string(), u), &payload, now);
            if let Err(e) = s.store.enqueue(&job, now).await {
                tracing::error!(error = %e, "could not queue a DM reminder");
            }
        }
        s.wake.notify();
    }
}

/// The call for agenda items carries a Propose button: it opens the `agenda propose` form for
/// this forum's meeting (the same as the command).
fn reminder_buttons(kind: ReminderKind, forum: &Forum, m: &Meeting) -> Vec<Button> {
    if kind != ReminderKind::CallForAgenda {
        return Vec::new();
    }
    let local = m.starts_at.with_timezone(&forum.time_zone);
    let invoke = Invoke::new(&["agenda", "propose"])
        .with("forum", Value::Text(forum.name.clone()))
        .with(
            "meeting",
            Value::Text(local.format("%Y-%m-%d %H:%M").to_string()),
        );
    vec![Button::new(
        msg!("button-propose"),
        ButtonStyle::Primary,
        invoke,
    )]
}

fn reminder_msg(kind: ReminderKind, forum: &Forum, m: &Meeting) -> Msg {
    let (name, at) = (forum.name.as_str(), when(forum, m.starts_at));
    match kind {
        ReminderKind::CallForAgenda => msg!("reminder-call-for-agenda", name = name, when = at),
        ReminderKind::AgendaDeadline => msg!("reminder-agenda-deadline", name = name, when = at),
        ReminderKind::DayBefore => msg!("reminder-day-before", name = name, when = at),
        ReminderKind::StartingSoon => msg!("reminder-starting-soon", name = name, when = at),
    }
}

#[async_trait]
impl JobHandler for Direct {
    #[instrument(name = "job.dm", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let now = h.services.clock.now();
        let p = match kinds::Dm::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let sent = async {
            let channel = h.notifier.open_dm(UserId::from_db(p.user)).await?;
            let out = Outgoing {
                channel,
                content: p.content.clone(),
                nonce: nonce_for(&job.key),
                mention_role: None,
                actions: Vec::new(),
            };
            post_once(&h.services.store, &*h.notifier, job, &out).await
        };
        match sent.await {
            Ok(sent) => Outcome::Sent(sent.id(), "sent".to_string()),
            // DMs closed, or the user left: nothing to retry.
            Err(e) if e.is_permanent() => Outcome::Skipped(format!("dm refused: {e}")),
            Err(e) => on_error(&h.services, now, &e),
        }
    }
}

/// Discord allows 100 scheduled events a guild; stay below with room for the guild's own.
const EVENT_LIMIT: i64 = 90;

#[async_trait]
impl JobHandler for Event {
    #[instrument(name = "job.event", skip_all, fields(job = job.id, attempts = job.attempts))]
    async fn run(&self, job: &crate::store::Job) -> Outcome {
        let h = &self.0;
        let s = &h.services;
        let p = match kinds::Event::payload(job) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let (m, forum) = match h.load(p.meeting).await {
            Ok(x) => x,
            Err(o) => return o,
        };
        let now = s.clock.now();
        self.advance_life_cycle(&m, now).await;
        let event = match s.store.meeting_event(m.id).await {
            Ok(e) => e,
            Err(e) => return on_store_error(e),
        };
        match self.reconcile(&m, event, &forum, now).await {
            // The meeting changed while this ran (a move or cancel re-arms the job, but not
            // while it runs): look again at once.
            Ok(_) if self.changed_meanwhile(&m).await => {
                Outcome::RetryAt(now, "meeting changed".to_string())
            }
            Ok(outcome) => outcome,
            Err(e) => on_error(s, now, &e),
        }
    }
}

/// Gives an event its final status. One already deleted in Discord, or no longer changeable,
/// is left as it is: there is nothing to retry.
async fn settle_event(
    n: &Arc<dyn Notifier>,
    guild: GuildId,
    event: u64,
    status: EventStatus,
) -> Result<(), SendError> {
    match n.update_event(guild, event, None, Some(status)).await {
        Ok(()) | Err(SendError::NotFound(_)) | Err(SendError::Rejected(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

impl Event {
    /// This job runs at the meeting's start and end (to mirror them in Discord): it also takes
    /// the meeting through its life cycle as time passes — open at the start, held at the end.
    async fn advance_life_cycle(&self, m: &Meeting, now: DateTime<Utc>) {
        let store = &self.0.services.store;
        let mut m = m.clone();
        for (at, event) in [
            (m.starts_at, MeetingEvent::Open),
            (m.ends_at, MeetingEvent::End),
        ] {
            if now < at {
                return;
            }
            let Ok(to) = m.state.apply(event) else {
                continue;
            };
            // A meeting a person started runs until they end it (or its session closes it).
            if event == MeetingEvent::End {
                match self.0.services.session_running(m.id).await {
                    Ok(Some(_)) => return,
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(meeting = %m.id, error = format!("{e:#}"), "could not read a meeting's session");
                        return;
                    }
                }
            }
            match store.advance_meeting(&m, to).await {
                Ok(true) => m.state = to,
                // Changed meanwhile (cancelled, moved): the next run sees it.
                Ok(false) => return,
                Err(e) => {
                    tracing::error!(meeting = %m.id, error = %e, "could not advance a meeting's state");
                    return;
                }
            }
        }
    }

    async fn changed_meanwhile(&self, seen: &Meeting) -> bool {
        match self.0.services.store.meeting_by_id(seen.id).await {
            Ok(Some(now)) => {
                (now.starts_at, now.ends_at, now.state.is_cancelled())
                    != (seen.starts_at, seen.ends_at, seen.state.is_cancelled())
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(meeting = %seen.id, error = %e, "could not re-read a meeting");
                false
            }
        }
    }

    /// Brings the meeting's Discord event in line with the meeting, and says when to look
    /// again (at its start, to mark it active; at its end, to complete it).
    async fn reconcile(
        &self,
        m: &Meeting,
        event: Option<u64>,
        forum: &Forum,
        now: DateTime<Utc>,
    ) -> Result<Outcome, SendError> {
        let n = &self.0.notifier;
        let s = &self.0.services;
        let marker = format!("samverkan:meeting:{}", m.id.0);
        let spec = EventSpec {
            guild: forum.guild,
            name: forum.name.clone(),
            description: forum.name.clone(),
            location: self.location(forum).await,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
        };
        if m.state.is_cancelled() {
            if let Some(ev) = event {
                settle_event(n, forum.guild, ev, EventStatus::Cancelled).await?;
            }
            return Ok(Outcome::Done("cancelled".to_string()));
        }
        if now >= m.ends_at {
            if let Some(ev) = event {
                // Discord completes only an active event; it may be active already.
                if let Err(e) = n
                    .update_event(forum.guild, ev, None, Some(EventStatus::Active))
                    .await
                {
                    tracing::debug!(error = %e, "event not activated before completing");
                }
                settle_event(n, forum.guild, ev, EventStatus::Completed).await?;
            }
            return Ok(Outcome::Done("completed".to_string()));
        }
        if now < m.starts_at - EVENT_HORIZON {
            return Ok(Outcome::RetryAt(
                m.starts_at - EVENT_HORIZON,
                "not yet".into(),
            ));
        }
        let event = match event {
            Some(ev) => {
                if now < m.starts_at {
                    n.update_event(forum.guild, ev, Some(&spec), None).await?;
                }
                ev
            }
            None => {
                let open = match s.store.open_events(forum.guild, now).await {
                    Ok(n) => n,
                    Err(e) => return Ok(on_store_error(e)),
                };
                if open >= EVENT_LIMIT {
                    return Ok(Outcome::RetryAt(
                        now + Duration::hours(1),
                        "event limit".into(),
                    ));
                }
                // An event created just before a crash is found by its marker, not duplicated.
                let ev = match n.find_event(forum.guild, &marker).await? {
                    Some(ev) => ev,
                    None => n.create_event(&spec, &marker).await?,
                };
                // Not recorded, the next run finds the event again by its marker.
                if let Err(e) = s.store.set_meeting_event(m, Some(ev)).await {
                    tracing::error!(meeting = %m.id, error = %e, "could not record a meeting's Discord event");
                }
                ev
            }
        };
        if now < m.starts_at {
            return Ok(Outcome::RetryAt(m.starts_at, "awaiting start".into()));
        }
        n.update_event(forum.guild, event, None, Some(EventStatus::Active))
            .await
            .or_else(|e| match e {
                SendError::Rejected(_) => Ok(()),
                other => Err(other),
            })?;
        Ok(Outcome::RetryAt(m.ends_at, "awaiting end".into()))
    }

    async fn location(&self, forum: &Forum) -> String {
        let s = &self.0.services;
        match s.store.channel_name(forum.guild, forum.channel).await {
            Ok(Some(name)) => format!("#{name}"),
            Ok(None) => "Discord".to_string(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read a channel's name");
                "Discord".to_string()
            }
        }
    }
}
