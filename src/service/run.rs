//! Running a meeting (issue 11): the record's thread, attendance ("I'm here", absentees and
//! guests), consent to recording, moving through the agenda with timebox warnings, and notes
//! for the minutes. Everything is in the database (the session, attendees, notes, pending
//! posts), so a restart mid-meeting loses nothing.
//!
//! Which meeting a command means: the forum named; else the meeting whose thread the command
//! is used in; else the forum of the channel. How items count as handled: `domain::run`.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tracing::instrument;

use super::meetings::when;
use super::{Actor, Reply, Services};
use crate::action::{Button, ButtonStyle, Invoke};
use crate::command::Value;
use crate::domain::agenda::{long_text, one_line, AgendaItem, ItemStatus, TextProblem};
use crate::domain::forum::Forum;
use crate::domain::ids::{ChannelId, MessageRef, UserId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingState};
use crate::domain::record::{
    Attendee, NewAttendee, NewNote, Presence, Session, MAX_ATTENDEES, MAX_ATTENDEE_FIELD, MAX_NOTE,
};
use crate::domain::run::{
    entries, handled_on_leaving, next_entry, overrun_at, Entry, EntryTitle, RunProblem,
};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::live::LiveKey;
use crate::msg;
use crate::scheduler::kinds::{self, JobKind, PostButton};
use crate::store::{NewHistory, Tx};

/// Which open meeting a command means (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Which {
    pub forum: Option<String>,
    /// Where the command was used (set from its origin).
    pub channel: Option<ChannelId>,
}

/// `/meeting attendee-add`, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddAttendee {
    pub which: Which,
    pub name: String,
    pub presence: String,
    pub organisation: Option<String>,
    pub role: Option<String>,
    pub member: Option<UserId>,
}

/// `/note` (and the message menu "Add to minutes"), as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddNote {
    pub which: Which,
    pub text: String,
    /// The agenda entry's number; the current one when left out.
    pub item: Option<i64>,
    /// Who wrote the text (the message's author, from the menu); the noter otherwise.
    pub author: Option<UserId>,
    /// The chat message it comes from (the menu).
    pub source: Option<MessageRef>,
}

/// The thread's name and starter, and its buttons.
fn thread_buttons() -> Vec<Button> {
    vec![
        Button::new(
            msg!("run-button-here"),
            ButtonStyle::Success,
            Invoke::new(&["meeting", "here"]),
        ),
        Button::new(
            msg!("run-button-next"),
            ButtonStyle::Primary,
            Invoke::new(&["meeting", "item", "next"]),
        ),
    ]
}

fn consent_buttons() -> Vec<Button> {
    vec![
        Button::new(
            msg!("run-button-consent-yes"),
            ButtonStyle::Success,
            Invoke::new(&["meeting", "consent-answer"]).with("answer", Value::Bool(true)),
        ),
        Button::new(
            msg!("run-button-consent-no"),
            ButtonStyle::Danger,
            Invoke::new(&["meeting", "consent-answer"]).with("answer", Value::Bool(false)),
        ),
    ]
}

fn text_refusal(p: TextProblem, field: &'static str, max: usize) -> Error {
    match p {
        TextProblem::Empty => refuse(msg!("run-error-empty", field = Msg::new(field))),
        _ => refuse(msg!(
            "run-error-too-long",
            field = Msg::new(field),
            max = max
        )),
    }
}

/// An optional one-line text: empty is none.
fn optional_line(v: Option<&str>, field: &'static str) -> Result<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => one_line(s, MAX_ATTENDEE_FIELD)
            .map(Some)
            .map_err(|p| text_refusal(p, field, MAX_ATTENDEE_FIELD)),
    }
}

fn entry_title(e: &Entry) -> Arg {
    match &e.title {
        EntryTitle::Typed(t) => Arg::Inline(t.clone()),
        EntryTitle::Label(l) => Arg::from(Msg::new(l)),
        EntryTitle::Questions(n) => Arg::from(msg!("run-entry-questions", count = *n)),
    }
}

fn presence_label(p: Presence) -> Msg {
    match p {
        Presence::Present => msg!("run-presence-present"),
        Presence::Absent => msg!("run-presence-absent"),
        Presence::Guest => msg!("run-presence-guest"),
    }
}

fn consent_label(c: Option<bool>) -> Msg {
    match c {
        Some(true) => msg!("run-consent-yes"),
        Some(false) => msg!("run-consent-no"),
        None => msg!("run-consent-unanswered"),
    }
}

/// One line of the attendance list.
pub fn attendee_line(a: &Attendee, consent_asked: bool) -> Msg {
    let org = match &a.organisation {
        Some(o) => Arg::from(msg!("run-attendee-org", org = Arg::Inline(o.clone()))),
        None => Arg::Text(String::new()),
    };
    let role = match &a.role {
        Some(r) => Arg::from(msg!("run-attendee-role", role = Arg::Inline(r.clone()))),
        None => Arg::Text(String::new()),
    };
    let consent = if consent_asked {
        Arg::from(msg!(
            "run-attendee-consent",
            answer = consent_label(a.consent)
        ))
    } else {
        Arg::Text(String::new())
    };
    msg!(
        "run-attendee-line",
        name = Arg::Inline(a.name.clone()),
        organisation = org,
        role = role,
        presence = presence_label(a.presence),
        consent = consent
    )
}

impl Services {
    /// Called inside `/meeting start`'s transaction: the thread that holds the record (started
    /// once by the thread job, which records it on the session) and, when asked, the consent
    /// prompt.
    pub(crate) async fn open_record_thread(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        m: &Meeting,
        consent: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let date = m
            .starts_at
            .with_timezone(&forum.time_zone)
            .format("%Y-%m-%d")
            .to_string();
        let payload = kinds::ThreadPayload {
            guild: forum.guild,
            channel: forum.channel,
            name: msg!("run-thread-name", name = forum.name.as_str(), date = date),
            starter: vec![msg!(
                "run-thread-starter",
                name = forum.name.as_str(),
                when = when(forum, m.starts_at)
            )],
            actions: thread_buttons()
                .iter()
                .map(PostButton::from_button)
                .collect(),
            meeting: Some(m.id.0),
        };
        tx.upsert_pending(
            &kinds::Thread::job(&format!("meeting:{}", m.id.0), &payload, now),
            now,
        )
        .await
        .context("queueing a meeting's thread")?;
        if consent {
            self.ask_consent_in(tx, m, now).await?;
        }
        Ok(())
    }

    /// The thread job started the meeting's thread: the session keeps it, and the published
    /// agenda links to it.
    pub async fn thread_started(&self, meeting: MeetingId, thread: ChannelId) -> Result<()> {
        self.store
            .set_session_thread(meeting, thread)
            .await
            .context("recording a meeting's thread")?;
        self.live.changed(&LiveKey::Agenda(meeting)).await;
        self.wake.notify();
        Ok(())
    }

    /// The open meeting a command means, with its session (see [`Which`]).
    async fn running(&self, actor: &Actor, which: &Which) -> Result<(Forum, Meeting, Session)> {
        let named = which.forum.as_deref().filter(|n| !n.trim().is_empty());
        if named.is_none() {
            if let Some(channel) = which.channel {
                if let Some(s) = self.store.session_in_thread(channel).await? {
                    let m = self
                        .store
                        .meeting(actor.guild, s.meeting)
                        .await?
                        .ok_or_else(|| refuse(msg!("run-error-which-meeting")))?;
                    let forum = self
                        .store
                        .forum(actor.guild, m.forum)
                        .await?
                        .ok_or_else(|| refuse(msg!("run-error-which-meeting")))?;
                    if s.ended_at.is_some() || m.state != MeetingState::Open {
                        return Err(refuse(msg!(
                            "run-error-meeting-over",
                            name = forum.name.as_str()
                        )));
                    }
                    return Ok((forum, m, s));
                }
            }
        }
        let forum = match named {
            Some(name) => self.find_forum(actor.guild, name).await?,
            None => {
                let Some(channel) = which.channel else {
                    return Err(refuse(msg!("run-error-which-meeting")));
                };
                match self
                    .store
                    .forums_in_channel(actor.guild, channel)
                    .await?
                    .as_slice()
                {
                    [id] => self
                        .store
                        .forum(actor.guild, *id)
                        .await?
                        .ok_or_else(|| refuse(msg!("run-error-which-meeting")))?,
                    _ => return Err(refuse(msg!("run-error-which-meeting"))),
                }
            }
        };
        let no_meeting = || refuse(msg!("run-error-no-meeting", name = forum.name.as_str()));
        let Some(m) = self.store.open_meeting(forum.id).await? else {
            return Err(no_meeting());
        };
        let Some(s) = self
            .store
            .session(m.id)
            .await?
            .filter(|s| s.ended_at.is_none())
        else {
            return Err(no_meeting());
        };
        Ok((forum, m, s))
    }

    /// Begins a use case's transaction on a running meeting: locked, and still running.
    async fn lock_running(&self, forum: &Forum, m: &Meeting) -> Result<(Tx, Session)> {
        let mut tx = self.store.begin().await?;
        let still = tx
            .meeting_for_update(m.id)
            .await?
            .is_some_and(|m| m.state == MeetingState::Open);
        let session = tx.session(m.id).await?.filter(|s| s.ended_at.is_none());
        match (still, session) {
            (true, Some(s)) => Ok((tx, s)),
            _ => Err(refuse(msg!(
                "run-error-meeting-over",
                name = forum.name.as_str()
            ))),
        }
    }

    /// A member as the attendance list shows them: name, organisation (a role marked as one),
    /// role in the forum.
    async fn attendee_for(
        &self,
        actor: &Actor,
        forum: &Forum,
        m: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<NewAttendee> {
        let name = self
            .store
            .member_name(actor.guild, actor.user)
            .await?
            .unwrap_or_else(|| actor.user.to_string());
        let orgs = self.store.organisations(actor.guild).await?;
        let organisation = match actor.roles.iter().find(|r| orgs.contains(r)) {
            Some(r) => self.store.role_name(actor.guild, *r).await?,
            None => None,
        };
        let forum_role = [forum.chair_role, forum.secretary_role, forum.approver_role]
            .into_iter()
            .flatten()
            .find(|r| actor.roles.contains(r));
        let role = match forum_role {
            Some(r) => self.store.role_name(actor.guild, r).await?,
            None => None,
        };
        Ok(NewAttendee {
            meeting: m.id,
            user: Some(actor.user),
            name,
            organisation,
            role,
            presence: Presence::Present,
            added_by: actor.user,
            added_at: now,
        })
    }

    /// Puts the actor on the attendance list as present (once); returns their entry.
    async fn mark_present(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        forum: &Forum,
        m: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<(Attendee, bool)> {
        if let Some(a) = tx.attendee_of(m.id, actor.user).await? {
            if a.presence == Presence::Absent {
                let a = Attendee {
                    presence: Presence::Present,
                    ..a
                };
                tx.update_attendee(&a).await?;
                return Ok((a, true));
            }
            return Ok((a, false));
        }
        if tx.attendees(m.id).await?.len() >= MAX_ATTENDEES {
            return Err(refuse(msg!("run-error-list-full", max = MAX_ATTENDEES)));
        }
        let new = self.attendee_for(actor, forum, m, now).await?;
        match tx.insert_attendee(&new).await? {
            Some(a) => Ok((a, true)),
            None => {
                let a = tx
                    .attendee_of(m.id, actor.user)
                    .await?
                    .ok_or_else(|| Error::Internal(anyhow::anyhow!("attendee vanished")))?;
                Ok((a, false))
            }
        }
    }

    /// "I'm here" (`/meeting here`, or the button in the thread): the presser is present.
    /// Pressing again changes nothing.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn meeting_here(&self, actor: &Actor, which: Which) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &which).await?;
        let now = self.clock.now();
        let (mut tx, session) = self.lock_running(&forum, &m).await?;
        let (a, added) = self.mark_present(&mut tx, actor, &forum, &m, now).await?;
        tx.commit().await.context("committing attendance")?;
        let mut reply = Reply::private(vec![if added {
            msg!("run-here-recorded", name = forum.name.as_str())
        } else {
            msg!("run-here-already", name = forum.name.as_str())
        }]);
        if session.consent_asked && a.consent.is_none() {
            reply.lines.push(msg!("run-consent-question"));
            reply = reply.with_actions(consent_buttons());
        }
        Ok(reply)
    }

    /// `/meeting attendee-add`: the chair (or secretary) adds an absentee, a guest, or someone
    /// present, with organisation and role. A member or name already listed is updated.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn attendee_add(&self, actor: &Actor, req: AddAttendee) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &req.which).await?;
        self.require_recorder(actor, &forum).await?;
        let name = one_line(&req.name, MAX_ATTENDEE_FIELD)
            .map_err(|p| text_refusal(p, "run-field-name", MAX_ATTENDEE_FIELD))?;
        let presence = Presence::from_input(&req.presence).ok_or_else(|| {
            refuse(msg!(
                "run-error-presence",
                value = super::meetings::shown(&req.presence)
            ))
        })?;
        let organisation = optional_line(req.organisation.as_deref(), "run-field-organisation")?;
        let role = optional_line(req.role.as_deref(), "run-field-role")?;
        let now = self.clock.now();
        let (mut tx, _) = self.lock_running(&forum, &m).await?;
        let existing = match req.member {
            Some(u) => tx.attendee_of(m.id, u).await?,
            None => tx
                .attendees_named(m.id, &name)
                .await?
                .into_iter()
                .find(|a| a.user.is_none()),
        };
        let updated = match existing {
            Some(a) => {
                let a = Attendee {
                    name: name.clone(),
                    organisation: organisation.clone().or(a.organisation),
                    role: role.clone().or(a.role),
                    presence,
                    ..a
                };
                tx.update_attendee(&a).await?;
                true
            }
            None => {
                if tx.attendees(m.id).await?.len() >= MAX_ATTENDEES {
                    return Err(refuse(msg!("run-error-list-full", max = MAX_ATTENDEES)));
                }
                tx.insert_attendee(&NewAttendee {
                    meeting: m.id,
                    user: req.member,
                    name: name.clone(),
                    organisation,
                    role,
                    presence,
                    added_by: actor.user,
                    added_at: now,
                })
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("attendee added twice")))?;
                false
            }
        };
        tx.commit().await.context("committing an attendee")?;
        Ok(Reply::public(vec![msg!(
            "run-attendee-added",
            name = Arg::Inline(name),
            presence = presence_label(presence),
            updated = if updated { "yes" } else { "no" }
        )]))
    }

    /// `/meeting attendee-remove`: takes a wrong entry off the list (by name; the latest of
    /// that name).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn attendee_remove(&self, actor: &Actor, which: Which, name: &str) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &which).await?;
        self.require_recorder(actor, &forum).await?;
        let (mut tx, _) = self.lock_running(&forum, &m).await?;
        let Some(a) = tx.attendees_named(m.id, name).await?.pop() else {
            return Err(refuse(msg!(
                "run-error-no-attendee",
                name = super::meetings::shown(name)
            )));
        };
        tx.remove_attendee(a.id).await?;
        tx.commit()
            .await
            .context("committing an attendee's removal")?;
        Ok(Reply::public(vec![msg!(
            "run-attendee-removed",
            name = Arg::Inline(a.name)
        )]))
    }

    /// `/meeting attendees`: the attendance list with each answer to the consent prompt.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn attendance(&self, actor: &Actor, which: Which) -> Result<Reply> {
        let (forum, m, s) = self.running(actor, &which).await?;
        let list = self.store.attendees(m.id).await?;
        let mut lines = vec![msg!(
            "run-attendance-header",
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at),
            count = list.len()
        )];
        if list.is_empty() {
            lines.push(msg!("run-attendance-empty"));
        }
        lines.extend(list.iter().map(|a| attendee_line(a, s.consent_asked)));
        Ok(Reply::private(lines))
    }

    async fn ask_consent_in(&self, tx: &mut Tx, m: &Meeting, now: DateTime<Utc>) -> Result<bool> {
        if !tx.set_consent_asked(m.id).await? {
            return Ok(false);
        }
        let payload = kinds::MeetingPostPayload {
            meeting: m.id.0,
            lines: vec![msg!("run-consent-prompt")],
            actions: consent_buttons()
                .iter()
                .map(PostButton::from_button)
                .collect(),
            overrun: None,
        };
        tx.upsert_pending(
            &kinds::MeetingPost::job(&(m.id, "consent".to_string()), &payload, now),
            now,
        )
        .await
        .context("queueing the consent prompt")?;
        Ok(true)
    }

    /// `/meeting consent`: the chair asks every attendee for consent to recording (a prompt
    /// with yes/no buttons in the thread). Asked once.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn consent_ask(&self, actor: &Actor, which: Which) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &which).await?;
        self.require_recorder(actor, &forum).await?;
        let now = self.clock.now();
        let (mut tx, _) = self.lock_running(&forum, &m).await?;
        if !self.ask_consent_in(&mut tx, &m, now).await? {
            return Err(refuse(msg!("run-error-consent-asked")));
        }
        tx.commit().await.context("committing a consent prompt")?;
        self.wake.notify();
        Ok(Reply::public(vec![msg!("run-consent-asked")]))
    }

    /// The answer to the consent prompt (its buttons, or `/meeting consent-answer`). Someone
    /// not on the list yet is put on it as present; an answer may be changed.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn consent_answer(&self, actor: &Actor, which: Which, answer: bool) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &which).await?;
        let now = self.clock.now();
        let (mut tx, session) = self.lock_running(&forum, &m).await?;
        if !session.consent_asked {
            return Err(refuse(msg!("run-error-consent-not-asked")));
        }
        let (a, _) = self.mark_present(&mut tx, actor, &forum, &m, now).await?;
        tx.set_consent(a.id, Some(answer)).await?;
        tx.commit().await.context("committing a consent answer")?;
        Ok(Reply::private(vec![msg!(
            "run-consent-recorded",
            answer = consent_label(Some(answer))
        )]))
    }

    /// `/meeting item next` (or the button): the next entry of the agenda becomes current,
    /// shown in the thread with its timebox; a warning is posted there when the timebox runs
    /// out while it is still current. The entry left counts as handled (`domain::run`).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn next_item(&self, actor: &Actor, which: Which) -> Result<Reply> {
        let (forum, m, _) = self.running(actor, &which).await?;
        self.require_recorder(actor, &forum).await?;
        let now = self.clock.now();
        let (mut tx, session) = self.lock_running(&forum, &m).await?;
        let standing = tx.standing(forum.id).await?;
        let settings = tx.agenda_settings(forum.id).await?;
        let items = tx.meeting_items(m.id).await?;
        let list = entries(&standing, &items, settings.format);
        let next = match next_entry(&list, session.current_item) {
            Ok(e) => e.clone(),
            Err(RunProblem::PastEnd { last: 0 }) => {
                return Err(refuse(msg!("run-error-no-items")));
            }
            Err(RunProblem::PastEnd { last }) => {
                return Err(refuse(msg!("run-error-past-end", last = last)));
            }
        };
        let handled = match session.current_item {
            Some(n) => {
                self.handle_entry(&mut tx, actor, &list, n, &items, now)
                    .await?
            }
            None => false,
        };
        tx.set_current_item(m.id, next.n, now).await?;
        let started = now.timestamp_millis();
        let ends = overrun_at(now, &next);
        let line = match ends {
            Some(at) => msg!(
                "run-item-current-timed",
                n = next.n,
                title = entry_title(&next),
                minutes = next.minutes.unwrap_or_default(),
                ends = Arg::time(at, forum.time_zone)
            ),
            None => msg!("run-item-current", n = next.n, title = entry_title(&next)),
        };
        let payload = kinds::MeetingPostPayload {
            meeting: m.id.0,
            lines: vec![line.clone()],
            actions: vec![PostButton::from_button(&thread_buttons()[1])],
            overrun: None,
        };
        let what = format!("item:{}:{started}", next.n);
        tx.upsert_pending(&kinds::MeetingPost::job(&(m.id, what), &payload, now), now)
            .await
            .context("queueing the current item")?;
        if let Some(at) = ends {
            let warning = kinds::MeetingPostPayload {
                meeting: m.id.0,
                lines: vec![msg!(
                    "run-item-overrun",
                    n = next.n,
                    title = entry_title(&next),
                    minutes = next.minutes.unwrap_or_default()
                )],
                actions: vec![PostButton::from_button(&thread_buttons()[1])],
                overrun: Some(kinds::OverrunCheck {
                    item: next.n,
                    started,
                }),
            };
            let what = format!("overrun:{}:{started}", next.n);
            tx.upsert_pending(&kinds::MeetingPost::job(&(m.id, what), &warning, at), now)
                .await
                .context("arming the timebox warning")?;
        }
        if handled {
            tx.live_changed(&LiveKey::Agenda(m.id).key(), now).await?;
        }
        tx.commit().await.context("committing the next item")?;
        self.wake.notify();
        Ok(Reply::private(vec![line]))
    }

    /// Marks the items of entry `n` handled (leaving it); whether any changed.
    async fn handle_entry(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        list: &[Entry],
        n: i64,
        items: &[AgendaItem],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut any = false;
        for item in handled_on_leaving(list, n, items) {
            let next = AgendaItem {
                status: ItemStatus::Handled,
                ..item.clone()
            };
            if !tx.update_item(&next, now).await? {
                continue;
            }
            tx.add_history(&NewHistory {
                item: item.id,
                at: now,
                event: "handled",
                meeting: Some(item.meeting),
                actor: Some(actor.user),
                detail: Some("meeting"),
            })
            .await
            .context("recording an item handled")?;
            any = true;
        }
        Ok(any)
    }

    /// Inside `/meeting end` (and the auto-close): the entry current at the end counts as
    /// handled.
    pub(crate) async fn handle_current_on_end(
        &self,
        tx: &mut Tx,
        m: &Meeting,
        by: Option<&Actor>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(n) = tx.session(m.id).await?.and_then(|s| s.current_item) else {
            return Ok(());
        };
        let standing = tx.standing(m.forum).await?;
        let settings = tx.agenda_settings(m.forum).await?;
        let items = tx.meeting_items(m.id).await?;
        let list = entries(&standing, &items, settings.format);
        let mut any = false;
        for item in handled_on_leaving(&list, n, &items) {
            let next = AgendaItem {
                status: ItemStatus::Handled,
                ..item.clone()
            };
            if !tx.update_item(&next, now).await? {
                continue;
            }
            tx.add_history(&NewHistory {
                item: item.id,
                at: now,
                event: "handled",
                meeting: Some(item.meeting),
                actor: by.map(|a| a.user),
                detail: Some("meeting end"),
            })
            .await
            .context("recording an item handled")?;
            any = true;
        }
        if any {
            tx.live_changed(&LiveKey::Agenda(m.id).key(), now).await?;
        }
        Ok(())
    }

    /// `/note` and the message menu "Add to minutes": a note for the minutes under an
    /// agenda entry (the current one by default). From the menu only on a message in the
    /// meeting's thread, and once per message.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn note_add(&self, actor: &Actor, req: AddNote) -> Result<Reply> {
        let mut which = req.which.clone();
        if let Some(src) = req.source {
            if src.guild != actor.guild
                || self.store.session_in_thread(src.channel).await?.is_none()
            {
                return Err(refuse(msg!("run-error-note-outside-thread")));
            }
            which = Which {
                forum: None,
                channel: Some(src.channel),
            };
        }
        let (forum, m, _) = self.running(actor, &which).await?;
        self.require_recorder(actor, &forum).await?;
        let body = long_text(&req.text, MAX_NOTE)
            .map_err(|p| text_refusal(p, "run-field-note", MAX_NOTE))?;
        if body.is_empty() {
            return Err(text_refusal(TextProblem::Empty, "run-field-note", MAX_NOTE));
        }
        let author = req.author.unwrap_or(actor.user);
        let author_name = self
            .store
            .member_name(actor.guild, author)
            .await?
            .unwrap_or_else(|| author.to_string());
        let now = self.clock.now();
        let (mut tx, session) = self.lock_running(&forum, &m).await?;
        let item = match req.item {
            Some(n) => {
                let standing = tx.standing(forum.id).await?;
                let settings = tx.agenda_settings(forum.id).await?;
                let items = tx.meeting_items(m.id).await?;
                let last = entries(&standing, &items, settings.format).len() as i64;
                if !(1..=last).contains(&n) {
                    return Err(refuse(msg!(
                        "run-error-no-such-item",
                        item = n,
                        last = last
                    )));
                }
                Some(n)
            }
            None => session.current_item,
        };
        if let Some(src) = req.source {
            if let Some(old) = tx.note_from_message(m.id, src.message).await? {
                return Ok(Reply::private(vec![msg!(
                    "run-note-already",
                    item = old.item.map_or_else(|| Arg::from("-"), Arg::from)
                )]));
            }
        }
        let note = tx
            .insert_note(&NewNote {
                meeting: m.id,
                item,
                body,
                author,
                author_name,
                at: now,
                recorded_by: actor.user,
                source: req.source,
            })
            .await?;
        tx.commit().await.context("committing a note")?;
        Ok(Reply::private(vec![match note {
            Some(n) => msg!(
                "run-note-added",
                item = n.item.map_or_else(|| Arg::from("-"), Arg::from)
            ),
            None => msg!("run-note-already", item = Arg::from("-")),
        }]))
    }

    /// What a meeting-post job posts, and where: `None` when nothing is to be posted any more
    /// (the meeting ended, the entry is no longer current); `Some(None)` while the thread is
    /// not there yet.
    pub async fn meeting_post_target(
        &self,
        p: &kinds::MeetingPostPayload,
    ) -> Result<Option<Option<(crate::domain::ids::GuildId, ChannelId)>>> {
        let Some(m) = self.store.meeting_by_id(MeetingId(p.meeting)).await? else {
            return Ok(None);
        };
        let Some(s) = self.store.session(m.id).await? else {
            return Ok(None);
        };
        if s.ended_at.is_some() {
            return Ok(None);
        }
        if let Some(check) = &p.overrun {
            let started = DateTime::from_timestamp_millis(check.started);
            let applies = started.is_some_and(|t| {
                crate::domain::run::overrun_applies(
                    check.item,
                    t,
                    s.current_item,
                    s.item_started_at,
                )
            });
            if !applies {
                return Ok(None);
            }
        }
        Ok(Some(s.thread.map(|t| (m.guild, t))))
    }
}
