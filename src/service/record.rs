//! The meeting record, first part: a forum's record roles and decision code (`/forum edit`),
//! opening and ending a meeting (`/meeting start`, `/meeting end`) and closing one left open.

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use tracing::instrument;

use super::meetings::{transition, when, EditForum};
use super::{Actor, Reply, Services};
use crate::domain::forum::Forum;
use crate::domain::meeting::{Meeting, MeetingEvent, MeetingId, MeetingState};
use crate::domain::record::{validate_code, Session};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{RecordSettings, StoreError, Tx};

/// The key prefix of a meeting's session jobs (nudge, auto-close).
pub fn session_job_prefix(meeting: MeetingId) -> String {
    format!("record:{}:", meeting.0)
}

/// What closing a meeting left open did.
#[derive(Debug, Clone, PartialEq)]
pub enum AutoClose {
    /// Closed now; tell the forum.
    Closed(Box<(Forum, Meeting)>),
    /// Not due yet (the session was re-timed): look again then.
    NotYet(DateTime<Utc>),
    /// Ended or changed meanwhile: nothing to do.
    Nothing,
}

impl Services {
    /// The roles and code of an edit, checked: roles only by managers and only roles of the
    /// guild; a code of the right shape.
    pub(crate) async fn validate_record_settings(
        &self,
        actor: &Actor,
        req: &EditForum,
    ) -> Result<RecordSettings> {
        let mut set = RecordSettings {
            chair_role: req.chair_role,
            secretary_role: req.secretary_role,
            approver_role: req.approver_role,
            code: None,
        };
        let roles = [set.chair_role, set.secretary_role, set.approver_role];
        if roles.iter().any(Option::is_some) {
            self.require_manager(actor).await?;
        }
        for role in roles.into_iter().flatten() {
            if self.store.role_name(actor.guild, role).await?.is_none() {
                return Err(refuse(msg!("error-role-not-in-guild")));
            }
        }
        if let Some(code) = &req.code {
            set.code = Some(validate_code(code).map_err(|_| {
                refuse(msg!(
                    "error-forum-code",
                    code = super::meetings::shown(code),
                    max = crate::domain::record::MAX_CODE
                ))
            })?);
        }
        Ok(set)
    }

    /// Stores roles and code inside the caller's transaction; a code in use is refused.
    pub(crate) async fn store_record_settings(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        set: &RecordSettings,
    ) -> Result<()> {
        if let Some(code) = &set.code {
            if tx.code_taken(forum.guild, forum.id, code).await? {
                return Err(refuse(msg!("error-forum-code-taken", code = code.as_str())));
            }
        }
        match tx.set_forum_record(forum.id, set).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(refuse(msg!(
                "error-forum-code-taken",
                code = set.code.clone().unwrap_or_default()
            ))),
            Err(e) => Err(anyhow::Error::new(e)
                .context("storing a forum's roles")
                .into()),
        }
    }

    /// `/forum edit` with only roles or code.
    pub(crate) async fn forum_edit_record(
        &self,
        actor: &Actor,
        forum: &Forum,
        set: &RecordSettings,
    ) -> Result<Reply> {
        let mut tx = self.store.begin().await?;
        self.store_record_settings(&mut tx, forum, set).await?;
        tx.commit().await.context("committing a forum's roles")?;
        let forum = self
            .store
            .forum(actor.guild, forum.id)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("forum vanished")))?;
        Ok(Reply::public(vec![
            msg!("forum-record-set", name = forum.name.as_str()),
            self.describe(&forum).await?,
            roles_line(&forum),
        ]))
    }

    /// Chairs, secretaries and managers keep the record.
    pub(crate) async fn require_recorder(&self, actor: &Actor, forum: &Forum) -> Result<()> {
        if [forum.chair_role, forum.secretary_role]
            .into_iter()
            .flatten()
            .any(|r| actor.roles.contains(&r))
        {
            return Ok(());
        }
        self.require_manager(actor)
            .await
            .map_err(|_| refuse(msg!("error-not-recorder", name = forum.name.as_str())))
    }

    /// `/meeting start`: opens the forum's meeting of today (or the one named) for its record.
    /// It closes by itself after `record.auto_close_minutes`, the chair nudged before.
    pub async fn meeting_start(
        &self,
        actor: &Actor,
        forum: &str,
        which: Option<&str>,
    ) -> Result<Reply> {
        self.meeting_start_with(actor, forum, which, false).await
    }

    /// `/meeting start consent:true`: as [`Services::meeting_start`], and the attendees are
    /// asked for consent to recording (a prompt in the meeting's thread).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_start_with(
        &self,
        actor: &Actor,
        forum: &str,
        which: Option<&str>,
        consent: bool,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_recorder(actor, &forum).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = match tx.open_meeting(forum.id).await? {
            Some(open) => open,
            None => {
                let today = now
                    .with_timezone(&forum.time_zone)
                    .format("%Y-%m-%d")
                    .to_string();
                self.pick_meeting(&mut tx, &forum, which.unwrap_or(&today), now)
                    .await?
            }
        };
        // Open already: started by a person, or opened by the clock at its start time (also
        // just now, between the two reads above: `pick_meeting` reads it locked, as it is).
        let m = if m.state == MeetingState::Open {
            if tx.session(m.id).await?.is_some() {
                return Err(refuse(msg!(
                    "error-meeting-already-open",
                    name = forum.name.as_str(),
                    when = when(&forum, m.starts_at)
                )));
            }
            m
        } else {
            let to = transition(&m, MeetingEvent::Open).map_err(|_| {
                refuse(msg!(
                    "error-meeting-not-startable",
                    when = when(&forum, m.starts_at)
                ))
            })?;
            tx.change_meeting(&m, to, None, None)
                .await
                .context("opening a meeting")?;
            Meeting { state: to, ..m }
        };
        let closes_at = now + Duration::minutes(i64::from(self.config.record.auto_close_minutes));
        let session = Session {
            meeting: m.id,
            opened_by: actor.user,
            opened_at: now,
            closes_at,
            ended_at: None,
            ended_by: None,
            thread: None,
            current_item: None,
            item_started_at: None,
            consent_asked: false,
        };
        tx.insert_session(forum.guild, &session)
            .await
            .context("storing a meeting's session")?;
        self.arm_session_jobs(&mut tx, &m, closes_at, now).await?;
        self.open_record_thread(&mut tx, &forum, &m, consent, now)
            .await?;
        tx.commit().await.context("committing a meeting start")?;
        self.wake.notify();
        tracing::info!(forum = %forum.id, meeting = %m.id, "meeting started");
        Ok(Reply::public(vec![
            msg!(
                "meeting-started",
                name = forum.name.as_str(),
                when = when(&forum, m.starts_at),
                closes = Arg::time(closes_at, forum.time_zone)
            ),
            msg!("run-started-thread", channel = Arg::Channel(forum.channel)),
        ]))
    }

    async fn arm_session_jobs(
        &self,
        tx: &mut Tx,
        m: &Meeting,
        closes_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let payload = kinds::SessionPayload { meeting: m.id.0 };
        let nudge_at =
            closes_at - Duration::minutes(i64::from(self.config.record.nudge_before_minutes));
        tx.upsert_pending(&kinds::MeetingNudge::job(&m.id, &payload, nudge_at), now)
            .await
            .context("arming a meeting's nudge")?;
        tx.upsert_pending(&kinds::MeetingClose::job(&m.id, &payload, closes_at), now)
            .await
            .context("arming a meeting's auto-close")?;
        Ok(())
    }

    /// `/meeting end`: the open meeting is held; its record stays.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_end(&self, actor: &Actor, forum: &str) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_recorder(actor, &forum).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(m) = tx.open_meeting(forum.id).await? else {
            return Err(refuse(msg!(
                "error-no-open-meeting",
                name = forum.name.as_str()
            )));
        };
        self.end_in(&mut tx, &m, Some(actor), now).await?;
        tx.commit().await.context("committing a meeting end")?;
        tracing::info!(forum = %forum.id, meeting = %m.id, "meeting ended");
        Ok(Reply::public(vec![msg!(
            "meeting-ended",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at)
        )]))
    }

    async fn end_in(
        &self,
        tx: &mut Tx,
        m: &Meeting,
        by: Option<&Actor>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let to = transition(m, MeetingEvent::End)?;
        self.handle_current_on_end(tx, m, by, now).await?;
        tx.change_meeting(m, to, None, None)
            .await
            .context("ending a meeting")?;
        tx.end_session(m.id, by.map(|a| a.user), now)
            .await
            .context("ending a meeting's session")?;
        tx.obsolete_pending(&session_job_prefix(m.id), now)
            .await
            .context("dropping a meeting's session jobs")?;
        Ok(())
    }

    /// The auto-close job: a meeting still open when its session's time is up is held.
    pub async fn auto_close(&self, meeting: MeetingId) -> Result<AutoClose> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(m) = tx.meeting_for_update(meeting).await? else {
            return Ok(AutoClose::Nothing);
        };
        if m.state != MeetingState::Open {
            return Ok(AutoClose::Nothing);
        }
        let Some(session) = tx.session(m.id).await? else {
            return Ok(AutoClose::Nothing);
        };
        if session.ended_at.is_some() {
            return Ok(AutoClose::Nothing);
        }
        if session.closes_at > now {
            return Ok(AutoClose::NotYet(session.closes_at));
        }
        let Some(forum) = tx.forum(m.guild, m.forum).await? else {
            return Ok(AutoClose::Nothing);
        };
        self.end_in(&mut tx, &m, None, now).await?;
        tx.commit().await.context("committing an auto-close")?;
        tracing::info!(forum = %forum.id, meeting = %m.id, "meeting closed automatically");
        let held = Meeting {
            state: MeetingState::Held,
            ..m
        };
        Ok(AutoClose::Closed(Box::new((forum, held))))
    }

    /// A meeting its session closed automatically (for a retried auto-close job's notice).
    pub async fn closed_meeting(&self, meeting: i64) -> Result<Option<(Forum, Meeting)>> {
        let Some(m) = self.store.meeting_by_id(MeetingId(meeting)).await? else {
            return Ok(None);
        };
        let auto = self
            .store
            .session(m.id)
            .await?
            .is_some_and(|s| s.ended_at.is_some() && s.ended_by.is_none());
        if !auto {
            return Ok(None);
        }
        Ok(self.store.forum(m.guild, m.forum).await?.map(|f| (f, m)))
    }

    /// Whether a meeting is open with a person's session running (the nudge job asks).
    pub async fn session_running(&self, meeting: MeetingId) -> Result<Option<Session>> {
        let Some(m) = self.store.meeting_by_id(meeting).await? else {
            return Ok(None);
        };
        if m.state != MeetingState::Open {
            return Ok(None);
        }
        Ok(self
            .store
            .session(meeting)
            .await?
            .filter(|s| s.ended_at.is_none()))
    }
}

/// The forum's secretary, approver and decision code (the chair is in `forum-details`).
pub fn roles_line(f: &Forum) -> Msg {
    let role = |r: Option<crate::domain::ids::RoleId>| r.map_or_else(|| Arg::from("-"), Arg::Role);
    msg!(
        "forum-record-roles",
        secretary = role(f.secretary_role),
        approver = role(f.approver_role),
        code = f.code.clone().unwrap_or_else(|| "-".to_string())
    )
}
