//! Meeting use cases: a forum's schedule, the meetings it produces, extra meetings, cancelling
//! and moving one, DM reminders; and `plan_forum`, which keeps the next meetings and their
//! reminder jobs in the database.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{Actor, Reply, Services};
use crate::domain::forum::{parse_time_zone, Forum};
use crate::domain::ids::{ForumId, RoleId};
use crate::domain::meeting::{
    self, plan, reminder_prefix, reminders_for, Meeting, MeetingStatus, OccurrenceKey,
    EVENT_HORIZON,
};
use crate::domain::recurrence::{parse_cadence, resolve_local, Recurrence, RecurrenceError};
use crate::domain::reminder::{ReminderPolicy, ReminderProblem};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{ScheduleUpdate, StoreError};

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
}

/// Longest list `/meeting list` shows.
pub const MAX_LIST: usize = 10;
const DEFAULT_DURATION: u32 = 60;

impl Services {
    /// `/forum edit`: sets or changes a forum's cadence, time, duration, time zone, reminders
    /// and participant role. Future meetings follow; reminders already sent are not repeated.
    pub async fn forum_edit(&self, actor: &Actor, req: EditForum) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, &req.forum).await?;
        self.require_chair(actor, &forum).await?;
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
        let update = ScheduleUpdate {
            schedule: schedule.clone(),
            reminders,
            participant_role: req.participant_role.or(forum.participant_role),
        };
        let forum = self.install_schedule(&forum, &update, now).await?;
        let mut lines = vec![msg!("forum-schedule-set", name = forum.name.as_str())];
        lines.push(self.schedule_line(&forum));
        if let Some(next) = self.upcoming(&forum, now, 1).await?.into_iter().next() {
            lines.push(msg!(
                "meeting-next-line",
                when = when(&forum, next.starts_at)
            ));
        }
        Ok(Reply::public(lines))
    }

    /// Stores a validated schedule and plans the forum's next meetings and reminders from it
    /// (`/forum edit`, `/forum setup`). Returns the forum as stored.
    pub(crate) async fn install_schedule(
        &self,
        forum: &Forum,
        update: &ScheduleUpdate,
        now: DateTime<Utc>,
    ) -> Result<Forum> {
        self.store.set_forum_schedule(forum, update).await?;
        let forum = self
            .store
            .forum(forum.guild, forum.id)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("forum vanished")))?;
        self.reconcile_future(&forum, now).await?;
        self.plan_forum(&forum, now).await?;
        self.wake.notify();
        Ok(forum)
    }

    /// After a schedule edit: future recurring meetings that no longer occur are removed (with
    /// their pending reminders); those that still occur take the new time. Moved, extra and
    /// cancelled meetings keep what a person decided for them.
    async fn reconcile_future(&self, forum: &Forum, now: DateTime<Utc>) -> Result<()> {
        let existing = self.store.meetings_from(forum.id, now, 1000).await?;
        for m in existing {
            let OccurrenceKey::Recurring(date) = m.occurrence else {
                continue;
            };
            if m.moved || m.starts_at <= now {
                continue;
            }
            let still = forum.schedule.as_ref().and_then(|r| {
                r.occurrences_from(now - Duration::days(2))
                    .take_while(|o| o.local_date <= date)
                    .find(|o| o.local_date == date)
            });
            match still {
                Some(o) => {
                    self.store
                        .retime_meeting(m.id, o.starts_at, o.ends_at)
                        .await?
                }
                None => {
                    self.store
                        .obsolete_pending(&reminder_prefix(forum.id, &m.occurrence), now)
                        .await?;
                    if m.discord_event.is_some() {
                        // Keep the row (cancelled) so the event job can cancel the event.
                        self.store
                            .set_meeting_cancelled(m.id, Some("schedule changed"))
                            .await?;
                        self.arm_event(&m, now).await?;
                    } else {
                        self.store.delete_meeting(m.id).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Keeps the forum's next meetings in the database with their reminder and event jobs,
    /// and arms the job that plans again when the window must slide. Idempotent. Returns
    /// when to plan next.
    pub async fn plan_forum(&self, forum: &Forum, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let Some(rec) = &forum.schedule else {
            return Ok(now + Duration::days(366));
        };
        let policy = forum.reminder_policy();
        let (occurrences, next_plan) = plan(rec, &policy, now);
        for occ in occurrences {
            let key = OccurrenceKey::Recurring(occ.local_date);
            let m = self
                .store
                .ensure_meeting(forum, &key, occ.starts_at, occ.ends_at, now)
                .await?;
            if m.status == MeetingStatus::Scheduled {
                self.arm_reminders(forum, &m, now).await?;
                self.arm_event(&m, now).await?;
            }
        }
        self.store
            .upsert_pending(
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
    async fn arm_reminders(&self, forum: &Forum, m: &Meeting, now: DateTime<Utc>) -> Result<()> {
        for r in reminders_for(m, forum.time_zone, &forum.reminder_policy()) {
            if r.due_at < now && self.store.job(&r.key).await?.is_none() {
                continue;
            }
            let payload = kinds::ReminderPayload {
                meeting: m.id.0,
                offset: r.offset.to_spec(),
                mention: r.mention,
            };
            let job = kinds::Reminder::job(&r.key, &payload, r.due_at);
            self.store.upsert_pending(&job, now).await?;
        }
        Ok(())
    }

    /// Arms the job that mirrors a meeting as a Discord scheduled event.
    async fn arm_event(&self, m: &Meeting, now: DateTime<Utc>) -> Result<()> {
        let due = (m.starts_at - EVENT_HORIZON).max(now);
        let job = kinds::Event::job(&m.id, &kinds::EventPayload { meeting: m.id.0 }, due);
        // A finished event job is re-armed too: the meeting changed after it ran.
        if let Some(rec) = self.store.job(&job.key).await? {
            if rec.state != crate::store::JobState::Pending {
                self.store.rearm_job(&job.key, due).await?;
                return Ok(());
            }
        }
        self.store.upsert_pending(&job, now).await?;
        Ok(())
    }

    /// `/meeting next`.
    pub async fn meeting_next(&self, actor: &Actor, forum: &str) -> Result<Reply> {
        self.meeting_list(actor, forum, 1).await
    }

    /// `/meeting list`: the next `count` meetings, cancelled ones shown as cancelled.
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
    ) -> Result<Vec<Meeting>> {
        let mut list = self
            .store
            .meetings_from(forum.id, now, count as i64 + 20)
            .await?;
        if let Some(rec) = &forum.schedule {
            for occ in rec.occurrences_from(now).take(count + 20) {
                let key = OccurrenceKey::Recurring(occ.local_date);
                if list.iter().any(|m| m.occurrence == key) {
                    continue;
                }
                list.push(Meeting {
                    id: meeting::MeetingId(0),
                    forum: forum.id,
                    guild: forum.guild,
                    occurrence: key,
                    starts_at: occ.starts_at,
                    ends_at: occ.ends_at,
                    status: MeetingStatus::Scheduled,
                    moved: false,
                    cancel_reason: None,
                    discord_event: None,
                });
            }
        }
        list.retain(|m| m.ends_at > now);
        list.sort_by_key(|m| m.starts_at);
        list.truncate(count);
        Ok(list)
    }

    /// `/meeting schedule`: an extra meeting ("vid behov").
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
        let m = match self
            .store
            .create_extra_meeting(&forum, starts_at, ends_at, now)
            .await
        {
            Ok(m) => m,
            Err(StoreError::Conflict(_)) => return Err(refuse(msg!("error-meeting-exists"))),
            Err(e) => return Err(e.into()),
        };
        self.arm_reminders(&forum, &m, now).await?;
        self.arm_event(&m, now).await?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-scheduled",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at)
        )]))
    }

    /// `/meeting cancel`: the meeting stays visible as cancelled; its reminders are dropped.
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
        let m = self.pick_meeting(&forum, which, now).await?;
        if m.status == MeetingStatus::Cancelled {
            return Err(refuse(msg!("error-meeting-already-cancelled")));
        }
        self.store
            .set_meeting_cancelled(m.id, Some(&reason))
            .await?;
        self.store
            .obsolete_pending(&reminder_prefix(forum.id, &m.occurrence), now)
            .await?;
        self.arm_event(&m, now).await?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-cancelled",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at),
            reason = reason
        )]))
    }

    /// `/meeting move`: one meeting to another time; its reminders follow, but one already
    /// sent is not sent again.
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
        let m = self.pick_meeting(&forum, which, now).await?;
        if m.status == MeetingStatus::Cancelled {
            return Err(refuse(msg!("error-meeting-already-cancelled")));
        }
        let starts_at = local_instant(forum.time_zone, parse_date(date)?, parse_time(time)?);
        if starts_at <= now {
            return Err(refuse(msg!("error-meeting-in-past")));
        }
        let ends_at = starts_at + (m.ends_at - m.starts_at);
        self.store.move_meeting(m.id, starts_at, ends_at).await?;
        let moved = Meeting {
            starts_at,
            ends_at,
            moved: true,
            ..m.clone()
        };
        self.arm_reminders(&forum, &moved, now).await?;
        self.arm_event(&moved, now).await?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!(
            "meeting-moved",
            name = forum.name.as_str(),
            from = when(&forum, m.starts_at),
            to = when(&forum, starts_at)
        )]))
    }

    /// `/meeting remind-me`: DM reminders for one member, on or off.
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
                m.starts_at
                    .with_timezone(&forum.time_zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect()
    }

    /// The meeting a user means by `2026-12-01` or `2026-12-01 13:30` (local time): one in the
    /// database, or a scheduled one not yet there (then it is stored now).
    async fn pick_meeting(
        &self,
        forum: &Forum,
        which: &str,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let (date, time) = parse_when(which)?;
        let tz = forum.time_zone;
        let on_date = |m: &Meeting| {
            let local = m.starts_at.with_timezone(&tz);
            local.date_naive() == date && time.is_none_or(|t| local.time() == t)
        };
        let candidates: Vec<Meeting> = self
            .upcoming(forum, now, 400)
            .await?
            .into_iter()
            .filter(on_date)
            .collect();
        let m = match candidates.as_slice() {
            [] => return Err(refuse(msg!("error-meeting-unknown", when = which.trim()))),
            [one] => one.clone(),
            _ => return Err(refuse(msg!("error-meeting-ambiguous"))),
        };
        if m.id.0 != 0 {
            return Ok(m);
        }
        Ok(self
            .store
            .ensure_meeting(forum, &m.occurrence, m.starts_at, m.ends_at, now)
            .await?)
    }

    /// Chairs of the forum (its chair role) and managers may change its meetings.
    async fn require_chair(&self, actor: &Actor, forum: &Forum) -> Result<()> {
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

fn meeting_line(forum: &Forum, m: &Meeting) -> Msg {
    let at = when(forum, m.starts_at);
    match (&m.status, m.moved, m.is_extra()) {
        (MeetingStatus::Cancelled, _, _) => msg!(
            "meeting-line-cancelled",
            when = at,
            reason = m.cancel_reason.clone().unwrap_or_default()
        ),
        (_, true, _) => msg!("meeting-line-moved", when = at),
        (_, _, true) => msg!("meeting-line-extra", when = at),
        _ => msg!("meeting-line", when = at),
    }
}

fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(time))
}

fn parse_time(s: &str) -> Result<NaiveTime> {
    let t = s.trim().replace('.', ":");
    NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| refuse(msg!("error-time", value = shown(s))))
}

fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| refuse(msg!("error-date", value = shown(s))))
}

fn parse_when(s: &str) -> Result<(NaiveDate, Option<NaiveTime>)> {
    let mut parts = s.split_whitespace();
    let date = parse_date(parts.next().unwrap_or(""))?;
    let time = parts.next().map(parse_time).transpose()?;
    if parts.next().is_some() {
        return Err(refuse(msg!("error-date", value = shown(s))));
    }
    Ok((date, time))
}

fn shown(s: &str) -> String {
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
