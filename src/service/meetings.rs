//! Meeting use cases: a forum's schedule, the meetings it produces, extra meetings, cancelling
//! and moving one, DM reminders; and `plan_forum`, which keeps the next meetings and their
//! reminder jobs in the database.

use anyhow::Context as _;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use tracing::instrument;

use super::{Actor, Reply, Services};
use crate::domain::forum::{parse_time_zone, Forum};
use crate::domain::ids::{ForumId, RoleId};
use crate::domain::meeting::{
    plan, reminder_prefix, reminders_for, Meeting, MeetingEvent, MeetingState, OccurrenceKey,
    Upcoming, EVENT_HORIZON,
};
use crate::domain::recurrence::{parse_cadence, resolve_local, Recurrence, RecurrenceError};
use crate::domain::reminder::{ReminderPolicy, ReminderProblem};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{ScheduleUpdate, StoreError, Tx};

/// `/forum edit`: any of these may be given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditForum {
    pub forum: String,
    pub cadence: Option<String>,
    pub time: Option<String>,
    pub duration_minutes: Option<i64>,
    pub start_date: Option<String>,
    pub time_zone: Option<String>,
    pub reminders: Option<String>,
    pub participant_role: Option<RoleId>,
    /// How long before a meeting proposals close: `3d`, `36h`, `0h`.
    pub agenda_deadline: Option<String>,
    /// What an empty agenda does at its deadline: hold, notify (the chair), cancel.
    pub empty_agenda: Option<String>,
    /// A sectioned agenda format (`a3`), or `none`.
    pub agenda_format: Option<String>,
    /// Chairs the forum's meetings (managers only may change it).
    pub chair_role: Option<RoleId>,
    /// Keeps the record (managers only).
    pub secretary_role: Option<RoleId>,
    /// Approves minutes (managers only).
    pub approver_role: Option<RoleId>,
    /// The short code of decision numbers (`LF`).
    pub code: Option<String>,
}

impl EditForum {
    /// Does it touch the schedule (anything but roles and code)?
    fn touches_schedule(&self) -> bool {
        self.cadence.is_some()
            || self.time.is_some()
            || self.duration_minutes.is_some()
            || self.start_date.is_some()
            || self.time_zone.is_some()
            || self.reminders.is_some()
            || self.participant_role.is_some()
            || self.agenda_deadline.is_some()
            || self.empty_agenda.is_some()
            || self.agenda_format.is_some()
    }
}

/// Longest list `/meeting list` shows.
pub const MAX_LIST: usize = 10;
const DEFAULT_DURATION: u32 = 60;

impl Services {
    /// `/forum edit`: sets or changes a forum's cadence, time, duration, time zone, reminders
    /// and participant role. Future meetings follow; reminders already sent are not repeated.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn forum_edit(&self, actor: &Actor, req: EditForum) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, &req.forum).await?;
        self.require_chair(actor, &forum).await?;
        let record = self.validate_record_settings(actor, &req).await?;
        if !req.touches_schedule() && !record.is_empty() {
            return self.forum_edit_record(actor, &forum, &record).await;
        }
        let now = self.clock.now();
        let tz = match req.time_zone.as_deref() {
            Some(t) if !t.trim().is_empty() => {
                parse_time_zone(t).map_err(|_| refuse(msg!("error-time-zone-unknown", zone = t)))?
            }
            _ => forum.time_zone,
        };
        let old = forum.schedule.clone();
        let schedule_touched = req.cadence.is_some()
            || req.time.is_some()
            || req.duration_minutes.is_some()
            || req.start_date.is_some()
            || tz != forum.time_zone;
        let schedule = if schedule_touched {
            let cadence = match (&req.cadence, &old) {
                (Some(c), _) => parse_cadence(c).map_err(recurrence_problem)?,
                (None, Some(r)) => r.cadence().clone(),
                (None, None) => return Err(refuse(msg!("error-cadence-missing"))),
            };
            let start = match (&req.time, &old) {
                (Some(t), _) => parse_time(t)?,
                (None, Some(r)) => r.start(),
                (None, None) => NaiveTime::from_hms_opt(13, 0, 0).unwrap_or_default(),
            };
            let duration = match (req.duration_minutes, &old) {
                (Some(d), _) => u32::try_from(d).unwrap_or(0),
                (None, Some(r)) => r.duration_minutes(),
                (None, None) => DEFAULT_DURATION,
            };
            let anchor = match (&req.start_date, &old) {
                (Some(d), _) => parse_date(d)?,
                (None, Some(r)) if req.cadence.is_none() => r.anchor(),
                _ => now.with_timezone(&tz).date_naive(),
            };
            Some(
                Recurrence::new(cadence, anchor, start, duration, tz)
                    .map_err(recurrence_problem)?,
            )
        } else {
            old.clone()
        };
        let reminders = match req.reminders.as_deref() {
            Some(spec) => Some(ReminderPolicy::parse(spec).map_err(reminder_problem)?),
            None => forum.reminders.clone(),
        };
        if let (Some(policy), Some(rec)) = (&reminders, &schedule) {
            policy.validate(rec.min_gap()).map_err(reminder_problem)?;
        }
        if let Some(role) = req.participant_role {
            if self.store.role_name(actor.guild, role).await?.is_none() {
                return Err(refuse(msg!("error-role-not-in-guild")));
            }
        }
        let agenda = self.agenda_settings_edit(&forum, &req).await?;
        let update = ScheduleUpdate {
            schedule: schedule.clone(),
            reminders,
            participant_role: req.participant_role.or(forum.participant_role),
        };
        let mut tx = self.store.begin().await?;
        if let Some(settings) = &agenda {
            tx.set_agenda_settings(forum.id, settings)
                .await
                .context("storing agenda settings")?;
        }
        if !record.is_empty() {
            self.store_record_settings(&mut tx, &forum, &record).await?;
        }
        let forum = self.install_schedule(&mut tx, &forum, &update, now).await?;
        tx.commit().await.context("committing a schedule edit")?;
        self.wake.notify();
        let mut lines = vec![msg!("forum-schedule-set", name = forum.name.as_str())];
        lines.push(self.schedule_line(&forum));
        if let Some(settings) = &agenda {
            lines.push(agenda_settings_line(settings));
        }
        if !record.is_empty() {
            lines.push(super::record::roles_line(&forum));
        }
        if let Some(next) = self.upcoming(&forum, now, 1).await?.into_iter().next() {
            lines.push(msg!(
                "meeting-next-line",
                when = when(&forum, next.starts_at())
            ));
        }
        Ok(Reply::public(lines))
    }

    /// Stores a validated schedule and plans the forum's next meetings and reminders from it
    /// (`/forum edit`, `/forum setup`), inside the caller's transaction. Returns the forum as
    /// stored. The caller wakes the scheduler after committing.
    pub(crate) async fn install_schedule(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        update: &ScheduleUpdate,
        now: DateTime<Utc>,
    ) -> Result<Forum> {
        tx.set_forum_schedule(forum, update)
            .await
            .context("storing a forum's schedule")?;
        let forum = tx
            .forum(forum.guild, forum.id)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("forum vanished")))?;
        self.reconcile_future(tx, &forum, now)
            .await
            .context("re-timing future meetings")?;
        self.plan_in(tx, &forum, now)
            .await
            .context("planning meetings")?;
        Ok(forum)
    }

    /// After a schedule edit: future recurring meetings that no longer occur are removed (with
    /// their pending reminders); those that still occur take the new time. Moved, extra and
    /// cancelled meetings keep what a person decided for them.
    async fn reconcile_future(&self, tx: &mut Tx, forum: &Forum, now: DateTime<Utc>) -> Result<()> {
        let existing = tx.meetings_from(forum.id, now, 1000).await?;
        for m in existing {
            let OccurrenceKey::Recurring(date) = m.occurrence else {
                continue;
            };
            if m.state != MeetingState::Scheduled || m.starts_at <= now {
                continue;
            }
            let still = forum.schedule.as_ref().and_then(|r| {
                r.occurrences_from(now - Duration::days(2))
                    .take_while(|o| o.local_date <= date)
                    .find(|o| o.local_date == date)
            });
            match still {
                Some(o) => tx.retime_meeting(m.id, o.starts_at, o.ends_at).await?,
                None => {
                    tx.obsolete_pending(&reminder_prefix(forum.id, &m.occurrence), now)
                        .await?;
                    // Agenda items keep the row too: carry-over moves them on.
                    if tx.meeting_event(m.id).await?.is_some()
                        || tx.meeting_has_agenda(m.id).await?
                    {
                        // Keep the row (cancelled) so the event job can cancel the event.
                        let to = m
                            .state
                            .apply(MeetingEvent::Cancel)
                            .context("cancelling a meeting the schedule dropped")?;
                        tx.change_meeting(&m, to, None, Some("schedule changed"))
                            .await?;
                        self.arm_event(tx, &m, now).await?;
                    } else {
                        tx.delete_meeting(m.id).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Keeps the forum's next meetings in the database with their reminder and event jobs,
    /// and arms the job that plans again when the window must slide, in one transaction.
    /// Idempotent. Returns when to plan next.
    #[instrument(skip_all, fields(forum = %forum.id))]
    pub async fn plan_forum(&self, forum: &Forum, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let mut tx = self.store.begin().await?;
        let next = self.plan_in(&mut tx, forum, now).await?;
        tx.commit().await.context("committing a forum's plan")?;
        Ok(next)
    }

    /// As [`Services::plan_forum`], inside a transaction the caller commits: many forums
    /// planned in one (the scale benchmark seeds 100,000 this way).
    pub async fn plan_forum_in(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>> {
        self.plan_in(tx, forum, now).await
    }

    async fn plan_in(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>> {
        let Some(rec) = &forum.schedule else {
            return Ok(now + Duration::days(366));
        };
        let policy = forum.reminder_policy();
        let (occurrences, next_plan) = plan(rec, &policy, now);
        for occ in occurrences {
            let key = OccurrenceKey::Recurring(occ.local_date);
            let m = tx
                .ensure_meeting(forum, &key, occ.starts_at, occ.ends_at, now)
                .await?;
            if m.state.is_planned() {
                self.arm_reminders(tx, forum, &m, now).await?;
                self.arm_event(tx, &m, now).await?;
            }
        }
        self.arm_agenda(tx, forum, now).await?;
        tx.upsert_pending(
            &kinds::Plan::job(
                &forum.id,
                &kinds::PlanPayload { forum: forum.id.0 },
                next_plan,
            ),
            now,
        )
        .await?;
        Ok(next_plan)
    }

    /// Queues (or re-times) a meeting's reminders. A reminder whose time had already passed
    /// when its meeting was first planned is not queued: it belongs to a time before the bot
    /// knew of the meeting. One already sent is never queued again (its key is taken).
    async fn arm_reminders(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        m: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<()> {
        for r in reminders_for(m, forum.time_zone, &forum.reminder_policy()) {
            if r.due_at < now && tx.job(&r.key).await?.is_none() {
                continue;
            }
            let payload = kinds::ReminderPayload {
                meeting: m.id.0,
                offset: r.offset.to_spec(),
                mention: r.mention,
            };
            let job = kinds::Reminder::job(&r.key, &payload, r.due_at);
            tx.upsert_pending(&job, now).await?;
        }
        Ok(())
    }

    /// Arms the job that mirrors a meeting as a Discord scheduled event.
    async fn arm_event(&self, tx: &mut Tx, m: &Meeting, now: DateTime<Utc>) -> Result<()> {
        let due = (m.starts_at - EVENT_HORIZON).max(now);
        let job = kinds::Event::job(&m.id, &kinds::EventPayload { meeting: m.id.0 }, due);
        // A finished event job is re-armed too: the meeting changed after it ran.
        if let Some(rec) = tx.job(&job.key).await? {
            if rec.state != crate::store::JobState::Pending {
                tx.rearm_job(&job.key, due).await?;
                return Ok(());
            }
        }
        tx.upsert_pending(&job, now).await?;
        Ok(())
    }

    /// `/meeting next`.
    pub async fn meeting_next(&self, actor: &Actor, forum: &str) -> Result<Reply> {
        self.meeting_list(actor, forum, 1).await
    }

    /// `/meeting list`: the next `count` meetings, cancelled ones shown as cancelled.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_list(&self, actor: &Actor, forum: &str, count: i64) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        let count = usize::try_from(count).unwrap_or(1).clamp(1, MAX_LIST);
        let now = self.clock.now();
        let upcoming = self.upcoming(&forum, now, count).await?;
        let mut lines = vec![msg!("meeting-list-header", name = forum.name.as_str())];
        if upcoming.is_empty() {
            lines.push(msg!("meeting-list-empty"));
        }
        for m in &upcoming {
            lines.push(meeting_line(&forum, m));
        }
        if let Some(problem) = &forum.delivery_problem {
            lines.push(msg!("forum-delivery-problem", problem = problem.as_str()));
        }
        Ok(Reply::private(lines))
    }

    /// The next meetings: those in the database (moved, cancelled, extra) merged with what the
    /// schedule says beyond them.
    pub async fn upcoming(
        &self,
        forum: &Forum,
        now: DateTime<Utc>,
        count: usize,
    ) -> Result<Vec<Upcoming>> {
        let mut list: Vec<Upcoming> = self
            .store
            .meetings_from(forum.id, now, count as i64 + 20)
            .await?
            .into_iter()
            .map(Upcoming::Stored)
            .collect();
        if let Some(rec) = &forum.schedule {
            for occ in rec.occurrences_from(now).take(count + 20) {
                let key = OccurrenceKey::Recurring(occ.local_date);
                if list.iter().any(|m| m.occurrence() == key) {
                    continue;
                }
                list.push(Upcoming::Unstored(occ));
            }
        }
        list.retain(|m| m.ends_at() > now);
        list.sort_by_key(Upcoming::starts_at);
        list.truncate(count);
        Ok(list)
    }

    /// `/meeting schedule`: an extra meeting ("vid behov").
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_schedule(
        &self,
        actor: &Actor,
        forum: &str,
        date: &str,
        time: &str,
        duration_minutes: Option<i64>,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_chair(actor, &forum).await?;
        let now = self.clock.now();
        let starts_at = local_instant(forum.time_zone, parse_date(date)?, parse_time(time)?);
        if starts_at <= now {
            return Err(refuse(msg!("error-meeting-in-past")));
        }
        let minutes = duration_minutes
            .or_else(|| {
                forum
                    .schedule
                    .as_ref()
                    .map(|r| i64::from(r.duration_minutes()))
            })
            .unwrap_or(i64::from(DEFAULT_DURATION));
        if !(1..=1440).contains(&minutes) {
            return Err(refuse(msg!("error-duration", minutes = minutes)));
        }
        let ends_at = starts_at + Duration::minutes(minutes);
        let mut tx = self.store.begin().await?;
        let m = match tx
            .create_extra_meeting(&forum, starts_at, ends_at, now)
            .await
        {
            Ok(m) => m,
            Err(StoreError::Conflict(_)) => return Err(refuse(msg!("error-meeting-exists"))),
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context("storing an extra meeting")
                    .into())
            }
        };
        self.arm_reminders(&mut tx, &forum, &m, now).await?;
        self.arm_event(&mut tx, &m, now).await?;
        self.arm_agenda(&mut tx, &forum, now).await?;
        tx.commit().await.context("committing an extra meeting")?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-scheduled",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at)
        )]))
    }

    /// `/meeting cancel`: the meeting stays visible as cancelled; its reminders are dropped
    /// and its Discord event is cancelled. All of it, or (on any failure) none of it.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_cancel(
        &self,
        actor: &Actor,
        forum: &str,
        which: &str,
        reason: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_chair(actor, &forum).await?;
        let reason = crate::domain::text::clean_name(reason, 300)
            .map_err(|_| refuse(msg!("error-cancel-reason")))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = self.pick_meeting(&mut tx, &forum, which, now).await?;
        self.cancel_in(&mut tx, &forum, &m, &reason, now).await?;
        tx.commit().await.context("committing a cancel")?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-cancelled",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at),
            reason = reason
        )]))
    }

    /// Cancels a meeting inside the caller's transaction: the one path of `/meeting cancel`
    /// and of an agenda cancelled for being empty. The meeting stays visible as cancelled
    /// with its reason, its remaining reminders are dropped and its Discord event job is armed
    /// to cancel the event.
    pub(crate) async fn cancel_in(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        m: &Meeting,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let to = transition(m, MeetingEvent::Cancel)?;
        tx.change_meeting(m, to, None, Some(reason))
            .await
            .context("cancelling a meeting")?;
        tx.obsolete_pending(&reminder_prefix(forum.id, &m.occurrence), now)
            .await
            .context("dropping a cancelled meeting's reminders")?;
        self.arm_event(tx, m, now)
            .await
            .context("arming the event job of a cancelled meeting")?;
        Ok(())
    }

    /// `/meeting move`: one meeting to another time; its reminders follow, but one already
    /// sent is not sent again.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_move(
        &self,
        actor: &Actor,
        forum: &str,
        which: &str,
        date: &str,
        time: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_chair(actor, &forum).await?;
        let now = self.clock.now();
        let starts_at = local_instant(forum.time_zone, parse_date(date)?, parse_time(time)?);
        if starts_at <= now {
            return Err(refuse(msg!("error-meeting-in-past")));
        }
        let mut tx = self.store.begin().await?;
        let m = self.pick_meeting(&mut tx, &forum, which, now).await?;
        let to = transition(&m, MeetingEvent::Move)?;
        let ends_at = starts_at + (m.ends_at - m.starts_at);
        tx.change_meeting(&m, to, Some((starts_at, ends_at)), None)
            .await
            .context("moving a meeting")?;
        let moved = Meeting {
            starts_at,
            ends_at,
            state: to,
            ..m.clone()
        };
        self.arm_reminders(&mut tx, &forum, &moved, now)
            .await
            .context("re-timing a moved meeting's reminders")?;
        self.arm_event(&mut tx, &moved, now)
            .await
            .context("arming the event job of a moved meeting")?;
        self.arm_agenda(&mut tx, &forum, now)
            .await
            .context("arming the agenda job of a moved meeting")?;
        tx.commit().await.context("committing a move")?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-moved",
            name = forum.name.as_str(),
            from = when(&forum, m.starts_at),
            to = when(&forum, starts_at)
        )]))
    }

    /// `/meeting remind-me`: DM reminders for one member, on or off.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_remind_me(&self, actor: &Actor, forum: &str, on: bool) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.store
            .set_subscription(forum.id, actor.user, on)
            .await?;
        Ok(Reply::private(vec![if on {
            msg!("meeting-dm-on", name = forum.name.as_str())
        } else {
            msg!("meeting-dm-off", name = forum.name.as_str())
        }]))
    }

    /// Upcoming meetings as autocomplete values (`YYYY-MM-DD HH:MM`, local).
    pub async fn meeting_suggestions(&self, actor: &Actor, forum: &str) -> Vec<String> {
        let Ok(Some(forum)) = self.store.forum_named(actor.guild, forum).await else {
            return Vec::new();
        };
        self.upcoming(&forum, self.clock.now(), 25)
            .await
            .unwrap_or_default()
            .iter()
            .map(|m| {
                m.starts_at()
                    .with_timezone(&forum.time_zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    /// The meeting a user means by `2026-12-01` or `2026-12-01 13:30` (local time): one in the
    /// database, or a scheduled one not yet there (then it is stored, in the caller's
    /// transaction). Read locked, so the state the caller decides from is current.
    pub(crate) async fn pick_meeting(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        which: &str,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let (date, time) = parse_when(which)?;
        let tz = forum.time_zone;
        let on_date = |m: &Upcoming| {
            let local = m.starts_at().with_timezone(&tz);
            local.date_naive() == date && time.is_none_or(|t| local.time() == t)
        };
        let candidates: Vec<Upcoming> = self
            .upcoming(forum, now, 400)
            .await?
            .into_iter()
            .filter(on_date)
            .collect();
        let id = match candidates.as_slice() {
            [] => return Err(refuse(msg!("error-meeting-unknown", when = which.trim()))),
            [Upcoming::Stored(m)] => m.id,
            [Upcoming::Unstored(o)] => {
                let key = OccurrenceKey::Recurring(o.local_date);
                tx.ensure_meeting(forum, &key, o.starts_at, o.ends_at, now)
                    .await
                    .context("storing a planned meeting")?
                    .id
            }
            _ => return Err(refuse(msg!("error-meeting-ambiguous"))),
        };
        tx.meeting_for_update(id)
            .await?
            .ok_or_else(|| refuse(msg!("error-meeting-unknown", when = which.trim())))
    }

    /// Chairs of the forum (its chair role) and managers may change its meetings.
    pub(crate) async fn require_chair(&self, actor: &Actor, forum: &Forum) -> Result<()> {
        if forum.chair_role.is_some_and(|r| actor.roles.contains(&r)) {
            return Ok(());
        }
        self.require_manager(actor)
            .await
            .map_err(|_| refuse(msg!("error-not-chair", name = forum.name.as_str())))
    }

    fn schedule_line(&self, forum: &Forum) -> Msg {
        match &forum.schedule {
            Some(r) => msg!(
                "forum-schedule-line",
                cadence = r.cadence().to_spec(),
                time = r.start().format("%H:%M").to_string(),
                duration = r.duration_minutes(),
                zone = r.tz().name(),
                reminders = forum.reminder_policy().to_spec()
            ),
            None => msg!("forum-schedule-none"),
        }
    }

    /// Loads the forum for a job.
    pub async fn forum_for_job(&self, id: ForumId) -> Result<Option<Forum>> {
        Ok(self.store.forum_by_id(id).await?)
    }
}

/// A meeting's time as a typed argument: each platform shows it its own way (Discord in every
/// reader's own zone, plain text in the forum's).
pub fn when(forum: &Forum, t: DateTime<Utc>) -> Arg {
    Arg::time(t, forum.time_zone)
}

fn meeting_line(forum: &Forum, m: &Upcoming) -> Msg {
    let at = when(forum, m.starts_at());
    match m {
        Upcoming::Stored(m) if m.state.is_cancelled() => msg!(
            "meeting-line-cancelled",
            when = at,
            reason = m.cancel_reason.clone().unwrap_or_default()
        ),
        Upcoming::Stored(m) if m.state == MeetingState::Moved => {
            msg!("meeting-line-moved", when = at)
        }
        Upcoming::Stored(m) if m.is_extra() => msg!("meeting-line-extra", when = at),
        _ => msg!("meeting-line", when = at),
    }
}

/// The meeting's next state after `event`, or the user's refusal.
pub(crate) fn transition(m: &Meeting, event: MeetingEvent) -> Result<MeetingState> {
    m.state.apply(event).map_err(|_| {
        refuse(if m.state.is_cancelled() {
            msg!("error-meeting-already-cancelled")
        } else {
            msg!("error-meeting-not-changeable")
        })
    })
}

pub(crate) fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(time))
}

pub(crate) fn parse_time(s: &str) -> Result<NaiveTime> {
    let t = s.trim().replace('.', ":");
    NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| refuse(msg!("error-time", value = shown(s))))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| refuse(msg!("error-date", value = shown(s))))
}

pub(crate) fn parse_when(s: &str) -> Result<(NaiveDate, Option<NaiveTime>)> {
    let mut parts = s.split_whitespace();
    let date = parse_date(parts.next().unwrap_or(""))?;
    let time = parts.next().map(parse_time).transpose()?;
    if parts.next().is_some() {
        return Err(refuse(msg!("error-date", value = shown(s))));
    }
    Ok((date, time))
}

pub(crate) fn shown(s: &str) -> String {
    crate::domain::text::defuse_mentions(&s.chars().take(40).collect::<String>())
}

pub(crate) fn recurrence_problem(e: RecurrenceError) -> Error {
    let detail = e.to_string().chars().take(200).collect::<String>();
    refuse(match e {
        RecurrenceError::TooFrequent { .. } => msg!("error-cadence-too-frequent"),
        RecurrenceError::CronWrongShape { .. } | RecurrenceError::CronInvalid { .. } => {
            msg!("error-cron", detail = detail)
        }
        RecurrenceError::DurationOutOfRange(m) => msg!("error-duration", minutes = i64::from(m)),
        RecurrenceError::UnknownTimeZone(z) => msg!("error-time-zone-unknown", zone = shown(&z)),
        _ => msg!("error-cadence", detail = defuse(&detail)),
    })
}

fn defuse(s: &str) -> String {
    crate::domain::text::defuse_mentions(s)
}

fn reminder_problem(p: ReminderProblem) -> Error {
    refuse(match p {
        ReminderProblem::BadOffset(s) => msg!("error-reminder-offset", value = shown(&s)),
        ReminderProblem::LongerThanCadence(s) => msg!("error-reminder-too-long", value = s),
        ReminderProblem::TooMany => msg!("error-reminder-too-many"),
        ReminderProblem::Duplicate(s) => msg!("error-reminder-duplicate", value = s),
    })
}

/// `Frist för dagordningen: 3d före mötet; tom dagordning: ställ in; format: A3`.
pub(crate) fn agenda_settings_line(s: &crate::domain::agenda::AgendaSettings) -> Msg {
    msg!(
        "agenda-settings-line",
        deadline = s.deadline_spec(),
        empty = s.empty.label(),
        format = match s.format {
            Some(f) => Arg::Text(f.as_str().to_uppercase()),
            None => Arg::from(msg!("agenda-format-none")),
        }
    )
}

impl Services {
    /// The agenda settings `/forum edit` asks for, validated; `None` when it asks for none.
    async fn agenda_settings_edit(
        &self,
        forum: &Forum,
        req: &EditForum,
    ) -> Result<Option<crate::domain::agenda::AgendaSettings>> {
        use crate::domain::agenda::{parse_deadline, EmptyPolicy, Format};
        if req.agenda_deadline.is_none()
            && req.empty_agenda.is_none()
            && req.agenda_format.is_none()
        {
            return Ok(None);
        }
        let mut s = self.store.agenda_settings(forum.id).await?;
        if let Some(d) = &req.agenda_deadline {
            s.deadline_minutes = parse_deadline(d)
                .map_err(|_| refuse(msg!("agenda-error-deadline", value = shown(d))))?;
        }
        if let Some(e) = &req.empty_agenda {
            s.empty = EmptyPolicy::parse(e)
                .ok_or_else(|| refuse(msg!("agenda-error-empty-policy", value = shown(e))))?;
        }
        if let Some(f) = &req.agenda_format {
            s.format = match f.trim().to_lowercase().as_str() {
                "none" | "inget" | "ingen" | "-" => None,
                _ => Some(
                    Format::parse(f)
                        .ok_or_else(|| refuse(msg!("agenda-error-format", value = shown(f))))?,
                ),
            };
        }
        Ok(Some(s))
    }
}
