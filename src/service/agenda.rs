//! Agenda use cases: proposing items and questions, a proposer's own items, showing an agenda,
//! the chair's triage, standing items, organisations; and, for jobs, publishing an agenda at
//! its deadline (carry-over and the empty-agenda policy) and the content of live agenda
//! messages.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use tracing::instrument;

use super::meetings::{parse_when, when};
use super::{Actor, Reply, Services};
use crate::action::{Button, ButtonStyle, Invoke};
use crate::command::Value;
use crate::domain::agenda::{
    self as rules, long_text, one_line, AgendaItem, AgendaSettings, AgendaView, EmptyPolicy,
    ItemId, ItemKind, ItemStatus, NewItem, Place, TextProblem, TriageAction, TriageProblem, Wants,
};
use crate::domain::forum::Forum;
use crate::domain::ids::{ChannelId, GuildId, RoleId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingState, OccurrenceKey, Upcoming};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::live::{LiveDocument, LiveKey};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{NewHistory, NewProposal, StoreError, Tx};

/// What proposing `item` to `meeting` writes (see [`NewProposal`]).
fn proposal<'a>(
    item: &'a NewItem,
    meeting: &Meeting,
    actor: &Actor,
    now: DateTime<Utc>,
    live: &'a [&'a str],
    live_now: DateTime<Utc>,
) -> NewProposal<'a> {
    NewProposal {
        item,
        cap: rules::MAX_ITEMS,
        at: now,
        event: "proposed",
        meeting: Some(meeting.id),
        actor: Some(actor.user),
        live,
        live_now,
    }
}

/// `/agenda propose`, its modal, and the message context menu.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProposeItem {
    /// The forum by name; `None`: the forum that meets in `channel`.
    pub forum: Option<String>,
    /// A meeting by local date (`2026-12-01`, or with its time); `None`: the next meeting whose
    /// agenda is open.
    pub meeting: Option<String>,
    pub title: String,
    pub background: String,
    /// `information`, `discussion` or `decision` (Swedish too, prefixes); empty: discussion.
    pub wants: String,
    pub minutes: Option<i64>,
    /// Set by the adapter: where the command was used.
    pub channel: Option<ChannelId>,
    /// Set by the adapter: the chat message a context-menu proposal came from.
    pub source: Option<SourceMessage>,
    /// Set by the adapter: the invoking user is a bot or a webhook.
    pub by_bot: bool,
}

/// A chat message an item links back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceMessage {
    pub guild: GuildId,
    pub channel: ChannelId,
    pub message: u64,
}

/// `/agenda question`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AskQuestion {
    pub forum: Option<String>,
    pub meeting: Option<String>,
    pub text: String,
    pub channel: Option<ChannelId>,
    pub by_bot: bool,
}

/// `/agenda show`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ShowAgenda {
    pub forum: Option<String>,
    pub meeting: Option<String>,
    pub channel: Option<ChannelId>,
}

/// One triage step by a chair.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    pub item: i64,
    pub action: TriageAction,
    /// The version a button showed; a decision from an older version is refused. `None`
    /// (slash commands, the shell): decided from the current version.
    pub version: Option<i64>,
}

/// Most items `/agenda mine` lists.
const MINE: i64 = 25;
/// How far ahead a proposal may go (meetings considered).
const LOOKAHEAD: usize = 40;

/// Where a proposal goes.
struct Target {
    meeting: Meeting,
    /// The meeting whose deadline it missed.
    late_for: Option<Meeting>,
}

impl Services {
    /// `/agenda propose`: an item for the next meeting whose agenda is open.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_propose(&self, actor: &Actor, req: ProposeItem) -> Result<Reply> {
        let forum = self
            .agenda_forum(actor, req.forum.as_deref(), req.channel)
            .await?;
        self.require_proposer(actor, &forum, req.by_bot).await?;
        let title = one_line(&req.title, rules::MAX_TITLE)
            .map_err(|p| text_problem(p, "agenda-field-title"))?;
        let background = long_text(&req.background, rules::MAX_BACKGROUND)
            .map_err(|p| text_problem(p, "agenda-field-background"))?;
        let wants = Wants::from_input(&req.wants).ok_or_else(|| {
            refuse(msg!(
                "agenda-error-wants",
                value = Arg::Inline(req.wants.chars().take(40).collect())
            ))
        })?;
        if let Some(m) = req.minutes {
            check_minutes(m)?;
        }
        if let Some(src) = req.source {
            if src.guild != actor.guild {
                return Err(refuse(msg!("agenda-error-source-guild")));
            }
        }
        let new = |meeting: &Meeting, late_for: Option<MeetingId>, org| NewItem {
            guild: actor.guild,
            forum: forum.id,
            meeting: meeting.id,
            kind: ItemKind::Proposal,
            title: title.clone(),
            background: background.clone(),
            wants,
            minutes: req.minutes,
            proposer: actor.user,
            organisation: org,
            source: req.source.map(|s| (s.channel, s.message)),
            late_for,
            created_at: self.clock.now(),
        };
        self.add_item(actor, &forum, req.meeting.as_deref(), new)
            .await
    }

    /// `/agenda question`: a question to be answered at the meeting; questions gather under
    /// one item of the agenda.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_question(&self, actor: &Actor, req: AskQuestion) -> Result<Reply> {
        let forum = self
            .agenda_forum(actor, req.forum.as_deref(), req.channel)
            .await?;
        self.require_proposer(actor, &forum, req.by_bot).await?;
        let text = long_text(&req.text, rules::MAX_QUESTION)
            .map_err(|p| text_problem(p, "agenda-field-question"))?;
        if text.is_empty() {
            return Err(text_problem(TextProblem::Empty, "agenda-field-question"));
        }
        let new = |meeting: &Meeting, late_for: Option<MeetingId>, org| NewItem {
            guild: actor.guild,
            forum: forum.id,
            meeting: meeting.id,
            kind: ItemKind::Question,
            title: text.clone(),
            background: String::new(),
            wants: Wants::Information,
            minutes: None,
            proposer: actor.user,
            organisation: org,
            source: None,
            late_for,
            created_at: self.clock.now(),
        };
        self.add_item(actor, &forum, req.meeting.as_deref(), new)
            .await
    }

    /// Stores an item on the meeting it goes to, in one transaction with its history line.
    async fn add_item(
        &self,
        actor: &Actor,
        forum: &Forum,
        meeting: Option<&str>,
        new: impl Fn(&Meeting, Option<MeetingId>, Option<RoleId>) -> NewItem,
    ) -> Result<Reply> {
        let now = self.clock.now();
        // The three reads are independent: asked at once, they cost one round trip's wait.
        let (settings, orgs, upcoming) = tokio::try_join!(
            async { Ok::<_, Error>(self.store.agenda_settings(forum.id).await?) },
            async {
                Ok::<_, Error>(if actor.roles.is_empty() {
                    Vec::new()
                } else {
                    self.store.organisations(actor.guild).await?
                })
            },
            self.upcoming(forum, now, LOOKAHEAD),
        )?;
        let org = actor.roles.iter().copied().find(|r| orgs.contains(r));
        let (meeting, late_for) = self
            .target_meeting(forum, &settings, upcoming, meeting, now)
            .await?;
        // The refreshes of the agenda and the triage list, queued with the item.
        let queued = |meeting: &Meeting| {
            self.live
                .queued(&[LiveKey::Agenda(meeting.id), LiveKey::Triage(forum.id)])
                .unwrap_or((Vec::new(), now))
        };
        let (target, item) = match (&meeting, &late_for) {
            // Both meetings stored (the usual case): the item, its history and the refreshes
            // are one write (on PostgreSQL one statement, no BEGIN or COMMIT round trip).
            (Upcoming::Stored(m), None | Some(Upcoming::Stored(_))) => {
                let target = Target {
                    meeting: m.clone(),
                    late_for: late_for.as_ref().map(|l| match l {
                        Upcoming::Stored(l) => l.clone(),
                        Upcoming::Unstored(_) => unreachable!("matched as stored"),
                    }),
                };
                let new = new(&target.meeting, target.late_for.as_ref().map(|m| m.id), org);
                let (docs, live_now) = queued(&target.meeting);
                let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
                let item = self
                    .store
                    .insert_proposal(&proposal(
                        &new,
                        &target.meeting,
                        actor,
                        now,
                        &docs,
                        live_now,
                    ))
                    .await
                    .context("storing an agenda item")?;
                (target, item)
            }
            // A meeting to store first: one transaction.
            _ => {
                let mut tx = self.store.begin().await?;
                let target = Target {
                    meeting: self.store_upcoming(&mut tx, forum, &meeting, now).await?,
                    late_for: match &late_for {
                        Some(l) => Some(self.store_upcoming(&mut tx, forum, l, now).await?),
                        None => None,
                    },
                };
                let new = new(&target.meeting, target.late_for.as_ref().map(|m| m.id), org);
                let (docs, live_now) = queued(&target.meeting);
                let docs: Vec<&str> = docs.iter().map(String::as_str).collect();
                let item = tx
                    .insert_proposal(&proposal(
                        &new,
                        &target.meeting,
                        actor,
                        now,
                        &docs,
                        live_now,
                    ))
                    .await
                    .context("storing an agenda item")?;
                if item.is_some() {
                    tx.commit().await.context("committing an agenda item")?;
                }
                (target, item)
            }
        };
        let item = item.ok_or_else(|| refuse(msg!("agenda-error-full")))?;
        self.wake.notify();
        let at = when(forum, target.meeting.starts_at);
        let key_ok = if item.kind == ItemKind::Question {
            "agenda-question-added"
        } else {
            "agenda-proposed"
        };
        let mut lines = vec![match &target.late_for {
            None => Msg::new(key_ok)
                .arg("id", item.id.0)
                .arg("title", Arg::Inline(item.title.clone()))
                .arg("name", forum.name.as_str())
                .arg("when", at),
            Some(missed) => msg!(
                "agenda-proposed-late",
                id = item.id.0,
                title = Arg::Inline(item.title.clone()),
                name = forum.name.as_str(),
                missed = when(forum, missed.starts_at),
                when = at
            ),
        }];
        lines.push(msg!(
            "agenda-deadline-line",
            deadline = when(forum, settings.deadline(target.meeting.starts_at))
        ));
        Ok(Reply::private(lines))
    }

    /// The meeting a proposal goes to: the one named, or the next whose agenda is open; after a
    /// meeting's deadline, the following one (and the missed one is remembered). Refuses a
    /// cancelled, moved-away or past meeting. Returns them as listed (a meeting only
    /// scheduled is stored by the caller, in its transaction). `upcoming`: the forum's next
    /// [`LOOKAHEAD`] meetings from `now` (`Services::upcoming`).
    async fn target_meeting(
        &self,
        forum: &Forum,
        settings: &AgendaSettings,
        upcoming: Vec<Upcoming>,
        named: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Upcoming, Option<Upcoming>)> {
        let tz = forum.time_zone;
        let mut from = 0;
        if let Some(which) = named.filter(|w| !w.trim().is_empty()) {
            let (date, time) = parse_when(which)?;
            let on = |m: &Upcoming| {
                let local = m.starts_at().with_timezone(&tz);
                local.date_naive() == date && time.is_none_or(|t| local.time() == t)
            };
            match upcoming.iter().position(on) {
                Some(i) => {
                    if upcoming[i].state().is_cancelled() {
                        return Err(refuse(msg!(
                            "agenda-error-meeting-cancelled",
                            when = when(forum, upcoming[i].starts_at())
                        )));
                    }
                    if upcoming[i].starts_at() <= now {
                        return Err(refuse(msg!("agenda-error-meeting-past")));
                    }
                    from = i;
                }
                None => {
                    // Moved away from that date?
                    let key = OccurrenceKey::Recurring(date);
                    if let Some(m) = self.store.meeting_by_occurrence(forum.id, &key).await? {
                        if m.state.is_cancelled() {
                            return Err(refuse(msg!(
                                "agenda-error-meeting-cancelled",
                                when = when(forum, m.starts_at)
                            )));
                        }
                        if m.starts_at > now && m.state.is_planned() {
                            return Err(refuse(msg!(
                                "agenda-error-meeting-moved",
                                when = when(forum, m.starts_at)
                            )));
                        }
                        return Err(refuse(msg!("agenda-error-meeting-past")));
                    }
                    if date < now.with_timezone(&tz).date_naive() {
                        return Err(refuse(msg!("agenda-error-meeting-past")));
                    }
                    return Err(refuse(msg!(
                        "error-meeting-unknown",
                        when = which.trim().chars().take(40).collect::<String>()
                    )));
                }
            }
        }
        let mut late_for: Option<&Upcoming> = None;
        for m in &upcoming[from..] {
            if m.state().is_cancelled() || !m.state().is_planned() || m.starts_at() <= now {
                continue;
            }
            if rules::agenda_open(m.state(), m.starts_at(), settings, now) {
                return Ok((m.clone(), late_for.cloned()));
            }
            late_for = late_for.or(Some(m));
        }
        Err(refuse(msg!(
            "agenda-error-no-meeting",
            name = forum.name.as_str()
        )))
    }

    /// The stored meeting for an upcoming one, storing one that was only scheduled.
    async fn store_upcoming(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        m: &Upcoming,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        match m {
            Upcoming::Stored(m) => Ok(m.clone()),
            Upcoming::Unstored(o) => {
                let key = OccurrenceKey::Recurring(o.local_date);
                Ok(tx
                    .ensure_meeting(forum, &key, o.starts_at, o.ends_at, now)
                    .await
                    .context("storing a planned meeting")?)
            }
        }
    }

    /// `/agenda mine`: the asker's items and where each stands.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_mine(&self, actor: &Actor) -> Result<Reply> {
        let items = self.store.items_by(actor.guild, actor.user, MINE).await?;
        let mut forums: HashMap<i64, Option<Forum>> = HashMap::new();
        let mut lines = vec![msg!("agenda-mine-header", count = items.len())];
        if items.is_empty() {
            lines.push(msg!("agenda-mine-empty"));
        }
        for item in &items {
            if let std::collections::hash_map::Entry::Vacant(e) = forums.entry(item.forum.0) {
                let f = self.store.forum(actor.guild, item.forum).await?;
                let visible = match &f {
                    Some(f) => self.may_see(actor, f).await?,
                    None => false,
                };
                e.insert(f.filter(|_| visible));
            }
            let Some(Some(forum)) = forums.get(&item.forum.0) else {
                continue;
            };
            let Some(m) = self.store.meeting_by_id(item.meeting).await? else {
                continue;
            };
            lines.push(mine_line(forum, &m, item));
        }
        Ok(Reply::private(lines))
    }

    /// `/agenda show`: a meeting's agenda as it stands (the next meeting's by default).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_show(&self, actor: &Actor, req: ShowAgenda) -> Result<Reply> {
        let forum = self
            .agenda_forum(actor, req.forum.as_deref(), req.channel)
            .await?;
        if !self.may_see(actor, &forum).await? {
            return Err(refuse(msg!(
                "agenda-error-not-participant",
                name = forum.name.as_str()
            )));
        }
        let now = self.clock.now();
        let upcoming = self.upcoming(&forum, now, LOOKAHEAD).await?;
        let chosen = match req.meeting.as_deref().filter(|w| !w.trim().is_empty()) {
            Some(which) => {
                let (date, time) = parse_when(which)?;
                let tz = forum.time_zone;
                upcoming
                    .iter()
                    .find(|m| {
                        let local = m.starts_at().with_timezone(&tz);
                        local.date_naive() == date && time.is_none_or(|t| local.time() == t)
                    })
                    .ok_or_else(|| {
                        refuse(msg!(
                            "error-meeting-unknown",
                            when = which.trim().chars().take(40).collect::<String>()
                        ))
                    })?
            }
            None => upcoming
                .iter()
                .find(|m| !m.state().is_cancelled())
                .ok_or_else(|| {
                    refuse(msg!("agenda-error-no-meeting", name = forum.name.as_str()))
                })?,
        };
        let settings = self.store.agenda_settings(forum.id).await?;
        let standing = self.store.standing(forum.id).await?;
        let (items, published, state, reason) = match chosen {
            Upcoming::Stored(m) => (
                self.store.meeting_items(m.id).await?,
                self.store.publication(m.id).await?.is_some(),
                m.state,
                m.cancel_reason.clone(),
            ),
            Upcoming::Unstored(_) => (Vec::new(), false, MeetingState::Scheduled, None),
        };
        let view = AgendaView {
            forum_name: &forum.name,
            starts_at: chosen.starts_at(),
            zone: forum.time_zone,
            state,
            cancel_reason: reason.as_deref(),
            deadline: settings.deadline(chosen.starts_at()),
            published,
            format: settings.format,
            standing: &standing,
            items: &items,
        };
        let feeds = self.agenda_feeds(&forum, chosen.starts_at()).await?;
        let lines = rules::render_with_feeds(&view, &feeds);
        let actions = if self.is_chair(actor, &forum).await? {
            items
                .iter()
                .filter(|i| i.status.awaits_triage())
                .take(BUTTON_ITEMS)
                .flat_map(triage_buttons)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Reply::private(lines).with_actions(actions))
    }

    /// The chair's triage: accept, reject with a reason (told to the proposer privately), defer
    /// to a later meeting, merge into another item, order, timebox, presenter, pull a late item
    /// in, mark handled. Decided from the item's version: of two chairs at the same moment one
    /// wins and the other is told.
    #[instrument(skip_all, fields(guild = %actor.guild, item = req.item))]
    pub async fn agenda_triage(&self, actor: &Actor, req: Triage) -> Result<Reply> {
        let item = self.item_of_guild(actor, req.item).await?;
        let forum = self
            .store
            .forum(actor.guild, item.forum)
            .await?
            .ok_or_else(|| refuse(msg!("agenda-error-item-unknown", id = req.item)))?;
        self.require_chair(actor, &forum).await?;
        if req.version.is_some_and(|v| v != item.version) {
            return Err(changed(&item));
        }
        let status = rules::triage(item.status, &req.action).map_err(triage_problem)?;
        let now = self.clock.now();
        let mut next = item.clone();
        next.status = status;
        let mut detail: Option<String> = None;
        let mut dm = false;
        let mut moved_to: Option<Meeting> = None;
        let mut tx = self.store.begin().await?;
        match &req.action {
            TriageAction::Accept => {}
            TriageAction::Reject { reason } => {
                let reason = long_text(reason, rules::MAX_REASON)
                    .map_err(|p| text_problem(p, "agenda-field-reason"))?;
                if reason.is_empty() {
                    return Err(text_problem(TextProblem::Empty, "agenda-field-reason"));
                }
                detail = Some(reason.clone());
                next.reason = Some(reason);
                dm = true;
            }
            TriageAction::Defer => {
                let m = self.following_meeting(&mut tx, &forum, &item, now).await?;
                next.meeting = m.id;
                next.position = tx.count_items(m.id).await? + 1;
                detail = Some(format!("from {} to {}", item.meeting.0, m.id.0));
                moved_to = Some(m);
            }
            TriageAction::Merge { into } => {
                if *into == item.id.0 {
                    return Err(refuse(msg!("agenda-error-merge-self")));
                }
                let target = self.store.item(ItemId(*into)).await?;
                let Some(target) = target.filter(|t| t.guild == actor.guild) else {
                    return Err(refuse(msg!("agenda-error-item-unknown", id = *into)));
                };
                if target.forum != item.forum {
                    return Err(refuse(msg!("agenda-error-merge-other-forum")));
                }
                if !target.status.is_open() || target.merged_into.is_some() {
                    return Err(refuse(msg!("agenda-error-merge-closed", id = *into)));
                }
                next.merged_into = Some(target.id);
                detail = Some(format!("into {}", target.id.0));
                tx.add_history(&NewHistory {
                    item: target.id,
                    at: now,
                    event: "absorbed",
                    meeting: Some(target.meeting),
                    actor: Some(actor.user),
                    detail: Some(&format!("{}", item.id.0)),
                })
                .await?;
            }
            TriageAction::Move { position } => {
                let mut order: Vec<ItemId> = tx
                    .meeting_items(item.meeting)
                    .await?
                    .into_iter()
                    .map(|i| i.id)
                    .filter(|id| *id != item.id)
                    .collect();
                let max = order.len() as i64 + 1;
                if !(1..=max).contains(position) {
                    return Err(refuse(msg!("agenda-error-position", max = max)));
                }
                order.insert((*position - 1) as usize, item.id);
                tx.set_positions(&order).await?;
                next.position = *position;
                detail = Some(position.to_string());
            }
            TriageAction::Timebox { minutes } => {
                check_minutes(*minutes)?;
                next.timebox = Some(*minutes);
                detail = Some(minutes.to_string());
            }
            TriageAction::Presenter { name } => {
                let name = one_line(name, rules::MAX_PRESENTER)
                    .map_err(|p| text_problem(p, "agenda-field-presenter"))?;
                detail = Some(name.clone());
                next.presenter = Some(name);
            }
            TriageAction::PullIn => {
                let Some(late) = item.late_for else {
                    return Err(triage_problem(TriageProblem::NotLate));
                };
                let m = tx
                    .meeting_for_update(late)
                    .await?
                    .filter(|m| m.state.is_planned() && m.starts_at > now)
                    .ok_or_else(|| refuse(msg!("agenda-error-pull-in-gone")))?;
                next.meeting = m.id;
                next.late_for = None;
                next.position = tx.count_items(m.id).await? + 1;
                detail = Some(format!("from {} to {}", item.meeting.0, m.id.0));
                moved_to = Some(m);
            }
            TriageAction::Done => {
                let m = tx.meeting_for_update(item.meeting).await?;
                if !m.is_some_and(|m| rules::may_mark_handled(m.state)) {
                    return Err(refuse(msg!("agenda-error-record-arrived")));
                }
            }
        }
        if !tx.update_item(&next, now).await? {
            drop(tx);
            let current = self.store.item(item.id).await?.unwrap_or(item);
            return Err(changed(&current));
        }
        tx.add_history(&NewHistory {
            item: item.id,
            at: now,
            event: req.action.event(),
            meeting: Some(next.meeting),
            actor: Some(actor.user),
            detail: detail.as_deref(),
        })
        .await
        .context("recording a triage step")?;
        if dm {
            let version = item.version + 1;
            let job = kinds::AgendaDm::job(
                &format!("rejected:{}:{version}", item.id.0),
                &kinds::AgendaDmPayload {
                    item: item.id.0,
                    notice: "rejected".to_string(),
                },
                now,
            );
            tx.upsert_pending(&job, now)
                .await
                .context("queueing the proposer's notice")?;
        }
        tx.commit().await.context("committing a triage step")?;
        self.wake.notify();
        self.live.changed(&LiveKey::Agenda(item.meeting)).await;
        if let Some(m) = &moved_to {
            self.live.changed(&LiveKey::Agenda(m.id)).await;
        }
        self.live.changed(&LiveKey::Triage(forum.id)).await;
        let title = Arg::Inline(item.title.clone());
        let line = match (&req.action, &moved_to) {
            (TriageAction::Defer | TriageAction::PullIn, Some(m)) => msg!(
                "agenda-triaged-moved",
                id = item.id.0,
                title = title,
                when = when(&forum, m.starts_at)
            ),
            (TriageAction::Move { position }, _) => msg!(
                "agenda-triaged-position",
                id = item.id.0,
                title = title,
                position = *position
            ),
            (TriageAction::Timebox { minutes }, _) => msg!(
                "agenda-triaged-timebox",
                id = item.id.0,
                title = title,
                minutes = *minutes
            ),
            (TriageAction::Presenter { .. }, _) => msg!(
                "agenda-triaged-presenter",
                id = item.id.0,
                title = title,
                name = Arg::Inline(next.presenter.clone().unwrap_or_default())
            ),
            (TriageAction::Merge { into }, _) => msg!(
                "agenda-triaged-merged",
                id = item.id.0,
                title = title,
                into = *into
            ),
            _ => msg!(
                "agenda-triaged",
                id = item.id.0,
                title = title,
                status = status.label()
            ),
        };
        let mut lines = vec![line];
        if dm {
            lines.push(msg!("agenda-rejected-told"));
        }
        Ok(Reply::private(lines))
    }

    /// The next meeting after the item's own whose agenda is open (a deferral's target).
    async fn following_meeting(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        item: &AgendaItem,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let current = self
            .store
            .meeting_by_id(item.meeting)
            .await?
            .map(|m| m.starts_at)
            .unwrap_or(now);
        let settings = self.store.agenda_settings(forum.id).await?;
        for m in self.upcoming(forum, now, LOOKAHEAD).await? {
            if m.starts_at() <= current || m.state().is_cancelled() || !m.state().is_planned() {
                continue;
            }
            if rules::agenda_open(m.state(), m.starts_at(), &settings, now) {
                return self.store_upcoming(tx, forum, &m, now).await;
            }
        }
        Err(refuse(msg!(
            "agenda-error-no-meeting",
            name = forum.name.as_str()
        )))
    }

    /// `/agenda standing-add`: an item on every agenda of the forum, in its place.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_standing_add(
        &self,
        actor: &Actor,
        forum: &str,
        title: &str,
        place: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_chair(actor, &forum).await?;
        let title =
            one_line(title, rules::MAX_TITLE).map_err(|p| text_problem(p, "agenda-field-title"))?;
        let place = Place::parse(place).ok_or_else(|| {
            refuse(msg!(
                "agenda-error-place",
                value = Arg::Inline(place.chars().take(40).collect())
            ))
        })?;
        if self.store.standing(forum.id).await?.len() >= rules::MAX_STANDING {
            return Err(refuse(msg!(
                "agenda-error-standing-full",
                max = rules::MAX_STANDING
            )));
        }
        match self.store.add_standing(forum.id, &title, place).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => {
                return Err(refuse(msg!(
                    "agenda-error-standing-exists",
                    title = Arg::Inline(title)
                )))
            }
            Err(e) => return Err(e.into()),
        }
        self.live_forum_changed(&forum).await;
        Ok(Reply::private(vec![msg!(
            "agenda-standing-added",
            title = Arg::Inline(title),
            name = forum.name.as_str()
        )]))
    }

    /// `/agenda standing-remove`.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn agenda_standing_remove(
        &self,
        actor: &Actor,
        forum: &str,
        title: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_chair(actor, &forum).await?;
        let shown = Arg::Inline(title.trim().chars().take(rules::MAX_TITLE).collect());
        if !self.store.remove_standing(forum.id, title).await? {
            return Err(refuse(msg!("agenda-error-standing-unknown", title = shown)));
        }
        self.live_forum_changed(&forum).await;
        Ok(Reply::private(vec![msg!(
            "agenda-standing-removed",
            title = shown,
            name = forum.name.as_str()
        )]))
    }

    /// Published agendas of the forum's coming meetings show standing items: redraw them.
    pub(crate) async fn live_forum_changed(&self, forum: &Forum) {
        let now = self.clock.now();
        if let Ok(ms) = self.store.meetings_from(forum.id, now, 5).await {
            for m in ms {
                self.live.changed(&LiveKey::Agenda(m.id)).await;
            }
        }
    }

    /// `/settings org-add|org-remove`: marks a role as an organisation (or not).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn org_set(&self, actor: &Actor, role: RoleId, on: bool) -> Result<Reply> {
        self.require_manager(actor).await?;
        if self.store.role_name(actor.guild, role).await?.is_none() {
            return Err(refuse(msg!("error-role-not-in-guild")));
        }
        let changed = self.store.set_organisation(actor.guild, role, on).await?;
        let key = match (on, changed) {
            (true, true) => "org-added",
            (true, false) => "org-already",
            (false, true) => "org-removed",
            (false, false) => "org-not-marked",
        };
        Ok(Reply::private(vec![Msg::new(key).arg("role", role)]))
    }

    /// `/settings orgs`: the roles marked as organisations.
    pub async fn orgs(&self, actor: &Actor) -> Result<Reply> {
        let orgs = self.store.organisations(actor.guild).await?;
        let mut lines = vec![msg!("org-list-header", count = orgs.len())];
        lines.extend(orgs.into_iter().map(|r| msg!("org-list-line", role = r)));
        Ok(Reply::private(lines))
    }

    /// Open items of the guild as autocomplete choices: (id, `#12 title`), at most 25.
    pub async fn agenda_item_suggestions(
        &self,
        actor: &Actor,
        partial: &str,
    ) -> Vec<(i64, String)> {
        let Ok(items) = self.store.open_items_like(actor.guild, partial, 25).await else {
            return Vec::new();
        };
        items
            .into_iter()
            .map(|i| {
                let label: String = crate::render::one_line(&format!("#{} {}", i.id.0, i.title))
                    .chars()
                    .take(100)
                    .collect();
                (i.id.0, label)
            })
            .collect()
    }

    /// An item of the asker's guild.
    async fn item_of_guild(&self, actor: &Actor, id: i64) -> Result<AgendaItem> {
        self.store
            .item(ItemId(id))
            .await?
            .filter(|i| i.guild == actor.guild)
            .ok_or_else(|| refuse(msg!("agenda-error-item-unknown", id = id)))
    }

    /// The forum a command means: by name, or the one meeting in the channel it was used in.
    async fn agenda_forum(
        &self,
        actor: &Actor,
        name: Option<&str>,
        channel: Option<ChannelId>,
    ) -> Result<Forum> {
        if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
            return self.find_forum(actor.guild, name).await;
        }
        let Some(channel) = channel else {
            return Err(refuse(msg!("agenda-error-which-forum")));
        };
        let ids = self.store.forums_in_channel(actor.guild, channel).await?;
        match ids.as_slice() {
            [id] => self
                .store
                .forum(actor.guild, *id)
                .await?
                .ok_or_else(|| refuse(msg!("agenda-error-which-forum"))),
            _ => Err(refuse(msg!("agenda-error-which-forum"))),
        }
    }

    /// Who may propose: members with the forum's participant role (anyone when it has none),
    /// its chairs and admins; never bots or webhooks.
    async fn require_proposer(&self, actor: &Actor, forum: &Forum, by_bot: bool) -> Result<()> {
        if by_bot {
            return Err(refuse(msg!("agenda-error-bot")));
        }
        if self.may_see(actor, forum).await? {
            return Ok(());
        }
        Err(refuse(msg!(
            "agenda-error-not-participant",
            name = forum.name.as_str()
        )))
    }

    /// A restricted forum (one with a participant role) shows its agenda and proposals only to
    /// its participants, chairs and admins.
    async fn may_see(&self, actor: &Actor, forum: &Forum) -> Result<bool> {
        match forum.participant_role {
            None => Ok(true),
            Some(r) if actor.roles.contains(&r) => Ok(true),
            Some(_) => self.is_chair(actor, forum).await,
        }
    }

    async fn is_chair(&self, actor: &Actor, forum: &Forum) -> Result<bool> {
        match self.require_chair(actor, forum).await {
            Ok(()) => Ok(true),
            Err(Error::User(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The current content of a live message: a published agenda, or what awaits triage.
    /// `None`: nothing to show (not published yet, cancelled for an empty agenda, gone).
    pub async fn live_document(&self, key: &LiveKey) -> Result<Option<LiveDocument>> {
        match *key {
            LiveKey::Agenda(id) => {
                let Some(m) = self.store.meeting_by_id(id).await? else {
                    return Ok(None);
                };
                let Some((_, outcome)) = self.store.publication(id).await? else {
                    return Ok(None);
                };
                if outcome == "cancelled" {
                    return Ok(None);
                }
                let Some(forum) = self.store.forum(m.guild, m.forum).await? else {
                    return Ok(None);
                };
                let settings = self.store.agenda_settings(forum.id).await?;
                let standing = self.store.standing(forum.id).await?;
                let items = self.store.meeting_items(id).await?;
                let feeds = self.agenda_feeds(&forum, m.starts_at).await?;
                // Nothing on it at all (no standing items, nothing proposed, no sections, no
                // generated lines): no message to post.
                if standing.is_empty()
                    && items.is_empty()
                    && settings.format.is_none()
                    && feeds.is_empty()
                {
                    return Ok(None);
                }
                let view = AgendaView {
                    forum_name: &forum.name,
                    starts_at: m.starts_at,
                    zone: forum.time_zone,
                    state: m.state,
                    cancel_reason: m.cancel_reason.as_deref(),
                    deadline: settings.deadline(m.starts_at),
                    published: true,
                    format: settings.format,
                    standing: &standing,
                    items: &items,
                };
                // Proposals are still welcome (late ones go to the next meeting).
                let local = m.starts_at.with_timezone(&forum.time_zone);
                let mut blocks = rules::render_with_feeds(&view, &feeds);
                // A meeting under way links to the thread that holds its record.
                if let Some(thread) = self.store.session(id).await?.and_then(|s| s.thread) {
                    blocks.insert(1, msg!("run-agenda-thread", thread = Arg::Channel(thread)));
                }
                let propose = Invoke::new(&["agenda", "propose"])
                    .with("forum", Value::Text(forum.name.clone()))
                    .with(
                        "meeting",
                        Value::Text(local.format("%Y-%m-%d %H:%M").to_string()),
                    );
                Ok(Some(LiveDocument {
                    guild: forum.guild,
                    channel: forum.channel,
                    lang: self.language(Some(forum.guild)).await,
                    blocks,
                    mention_role: None,
                    actions: vec![Button::new(
                        msg!("button-propose"),
                        ButtonStyle::Primary,
                        propose,
                    )],
                }))
            }
            LiveKey::Triage(forum_id) => {
                let Some(forum) = self.store.forum_by_id(forum_id).await? else {
                    return Ok(None);
                };
                let now = self.clock.now();
                let mut blocks = Vec::new();
                for m in self.store.meetings_from(forum.id, now, 10).await? {
                    let waiting: Vec<AgendaItem> = self
                        .store
                        .meeting_items(m.id)
                        .await?
                        .into_iter()
                        .filter(|i| i.status.awaits_triage())
                        .collect();
                    if waiting.is_empty() {
                        continue;
                    }
                    blocks.push(msg!(
                        "agenda-triage-header",
                        name = forum.name.as_str(),
                        when = when(&forum, m.starts_at),
                        count = waiting.len()
                    ));
                    blocks.extend(waiting.iter().map(|i| rules::item_line(i, 0)));
                }
                if blocks.is_empty() {
                    return Ok(None);
                }
                Ok(Some(LiveDocument {
                    guild: forum.guild,
                    channel: forum.channel,
                    lang: self.language(Some(forum.guild)).await,
                    blocks,
                    mention_role: None,
                    actions: self.triage_buttons(forum.id, BUTTON_ITEMS).await?,
                }))
            }
        }
    }

    /// Triage buttons for the items awaiting the chair in a forum (the first `limit` items).
    async fn triage_buttons(
        &self,
        forum: crate::domain::ids::ForumId,
        limit: usize,
    ) -> Result<Vec<Button>> {
        let now = self.clock.now();
        let mut items = Vec::new();
        for m in self.store.meetings_from(forum, now, 10).await? {
            for i in self.store.meeting_items(m.id).await? {
                if i.status.awaits_triage() && items.len() < limit {
                    items.push(i);
                }
            }
        }
        Ok(items.iter().flat_map(triage_buttons).collect())
    }

    // ---- jobs ----

    /// The agenda job of a forum: publishes every coming meeting whose deadline has passed
    /// and whose agenda is not published yet. Returns when to run again (the next deadline).
    #[instrument(skip_all, fields(forum = %forum.id))]
    pub async fn agenda_tick(&self, forum: &Forum) -> Result<DateTime<Utc>> {
        let now = self.clock.now();
        let settings = self.store.agenda_settings(forum.id).await?;
        let mut next = now + Duration::days(366);
        for m in self.upcoming(forum, now, 20).await? {
            if !m.state().is_planned() || m.starts_at() <= now {
                continue;
            }
            let deadline = settings.deadline(m.starts_at());
            if deadline > now {
                next = next.min(deadline);
                continue;
            }
            let published = match &m {
                Upcoming::Stored(s) => self.store.publication(s.id).await?.is_some(),
                Upcoming::Unstored(_) => false,
            };
            if !published {
                self.publish_agenda(forum, &settings, &m, now).await?;
            }
        }
        Ok(next.max(now + Duration::seconds(1)))
    }

    /// Publishes one meeting's agenda: carries over what earlier meetings left open, applies
    /// the empty-agenda policy (hold, notify the chair, or cancel through the same path as
    /// `/meeting cancel`) and records the publication, in one transaction.
    async fn publish_agenda(
        &self,
        forum: &Forum,
        settings: &AgendaSettings,
        m: &Upcoming,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // Escalations received are on the agenda too: it is not empty while one is open.
        // (Read before the transaction: a use case holds one pool connection at a time.)
        let incoming = !self
            .store
            .escalations_to_forum(
                forum.id,
                &[
                    crate::domain::escalation::EscalationState::Open,
                    crate::domain::escalation::EscalationState::Accepted,
                ],
            )
            .await?
            .is_empty();
        let mut tx = self.store.begin().await?;
        let stored = self.store_upcoming(&mut tx, forum, m, now).await?;
        let Some(meeting) = tx.meeting_for_update(stored.id).await? else {
            return Ok(());
        };
        if !meeting.state.is_planned() || tx.publication(meeting.id).await?.is_some() {
            return Ok(());
        }
        self.carry_over(&mut tx, forum, &meeting, now).await?;
        let items = tx.meeting_items(meeting.id).await?;
        let outcome = if !rules::is_empty(&items) || incoming {
            "held"
        } else {
            match settings.empty {
                EmptyPolicy::Hold => "held",
                EmptyPolicy::Notify => {
                    self.queue_notice(&mut tx, &meeting, "empty", now).await?;
                    "notified"
                }
                EmptyPolicy::Cancel => {
                    let lang = self.language(Some(forum.guild)).await;
                    let reason = msg!("agenda-cancel-reason").plain(lang);
                    self.cancel_in(&mut tx, forum, &meeting, &reason, now)
                        .await?;
                    self.queue_notice(&mut tx, &meeting, "cancelled", now)
                        .await?;
                    "cancelled"
                }
            }
        };
        tx.set_published(meeting.id, now, outcome)
            .await
            .context("recording a publication")?;
        tx.commit().await.context("committing a publication")?;
        self.wake.notify();
        tracing::info!(meeting = %meeting.id, outcome, "agenda published");
        self.live.changed(&LiveKey::Agenda(meeting.id)).await;
        Ok(())
    }

    /// Moves the open items of the forum's earlier meetings (over, or cancelled) to `to`,
    /// marked carried over, each with a line of history.
    async fn carry_over(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        to: &Meeting,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let left = tx.items_to_carry(forum.id, to.id, now).await?;
        let mut position = tx.count_items(to.id).await?;
        for item in left {
            position += 1;
            let from = item.meeting;
            let mut next = item.clone();
            next.meeting = to.id;
            next.position = position;
            next.carried += 1;
            if !tx.update_item(&next, now).await? {
                continue;
            }
            tx.add_history(&NewHistory {
                item: item.id,
                at: now,
                event: "carried",
                meeting: Some(to.id),
                actor: None,
                detail: Some(&format!("from {}", from.0)),
            })
            .await?;
        }
        Ok(())
    }

    async fn queue_notice(
        &self,
        tx: &mut Tx,
        m: &Meeting,
        notice: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let job = kinds::AgendaNotice::job(
            &format!("{notice}:{}", m.id.0),
            &kinds::AgendaNoticePayload {
                meeting: m.id.0,
                notice: notice.to_string(),
            },
            now,
        );
        tx.upsert_pending(&job, now)
            .await
            .context("queueing an agenda notice")?;
        Ok(())
    }

    /// Keeps the forum's agenda job due at the next deadline (inside the caller's
    /// transaction). Called wherever meetings are planned, moved or added.
    pub(crate) async fn arm_agenda(
        &self,
        tx: &mut Tx,
        forum: &Forum,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let settings = tx.agenda_settings(forum.id).await?;
        let mut due: Option<DateTime<Utc>> = None;
        let mut consider =
            |d: DateTime<Utc>| due = Some(due.map_or(d, |x: DateTime<Utc>| x.min(d)));
        let stored = tx.meetings_from(forum.id, now, 20).await?;
        for m in &stored {
            if !m.state.is_planned() || m.starts_at <= now {
                continue;
            }
            let d = settings.deadline(m.starts_at);
            if d > now {
                consider(d);
            } else if tx.publication(m.id).await?.is_none() {
                consider(now);
            }
        }
        if let Some(rec) = &forum.schedule {
            for occ in rec.occurrences_from(now).take(10) {
                let key = OccurrenceKey::Recurring(occ.local_date);
                if stored.iter().any(|m| m.occurrence == key) {
                    continue;
                }
                consider(settings.deadline(occ.starts_at).max(now));
                break;
            }
        }
        let Some(due) = due else {
            return Ok(());
        };
        let job = kinds::AgendaPublish::job(
            &forum.id,
            &kinds::AgendaPublishPayload { forum: forum.id.0 },
            due,
        );
        tx.upsert_pending(&job, now)
            .await
            .context("arming the agenda job")?;
        Ok(())
    }

    /// What a rejection notice says, for the job that sends it privately to the proposer.
    pub async fn agenda_notice_dm(&self, item: ItemId) -> Result<Option<(AgendaItem, Msg)>> {
        let Some(item) = self.store.item(item).await? else {
            return Ok(None);
        };
        let Some(forum) = self.store.forum(item.guild, item.forum).await? else {
            return Ok(None);
        };
        let Some(m) = self.store.meeting_by_id(item.meeting).await? else {
            return Ok(None);
        };
        if item.status != ItemStatus::Rejected {
            return Ok(None);
        }
        let msg = msg!(
            "agenda-dm-rejected",
            id = item.id.0,
            title = Arg::Inline(item.title.clone()),
            name = forum.name.as_str(),
            when = when(&forum, m.starts_at),
            reason = Arg::Typed(item.reason.clone().unwrap_or_default())
        );
        Ok(Some((item, msg)))
    }

    /// What an agenda notice in the forum's channel says: (channel, text, role it may ping).
    pub async fn agenda_notice_channel(
        &self,
        meeting: MeetingId,
        notice: &str,
    ) -> Result<Option<(Forum, Msg, Option<RoleId>)>> {
        let Some(m) = self.store.meeting_by_id(meeting).await? else {
            return Ok(None);
        };
        let Some(forum) = self.store.forum(m.guild, m.forum).await? else {
            return Ok(None);
        };
        let at = when(&forum, m.starts_at);
        Ok(match notice {
            "cancelled" => {
                let text = msg!(
                    "agenda-notice-cancelled",
                    name = forum.name.as_str(),
                    when = at,
                    reason = m.cancel_reason.clone().unwrap_or_default()
                );
                Some((forum, text, None))
            }
            "empty" => {
                let role = forum.chair_role;
                let text = match role {
                    Some(r) => msg!(
                        "agenda-notice-empty-chair",
                        role = r,
                        name = forum.name.as_str(),
                        when = at
                    ),
                    None => msg!("agenda-notice-empty", name = forum.name.as_str(), when = at),
                };
                Some((forum, text, role))
            }
            _ => None,
        })
    }
}

/// Items that get triage buttons under a reply (three buttons each; Discord allows 25).
const BUTTON_ITEMS: usize = 8;

/// Accept, reject and defer, for an item at the version shown: pressing one runs `/agenda
/// accept|reject|defer` with that version, so a decision from a stale view is refused.
fn triage_buttons(i: &AgendaItem) -> Vec<Button> {
    let with = |path: &'static [&'static str]| {
        Invoke::new(path)
            .with("item", Value::Integer(i.id.0))
            .with("version", Value::Integer(i.version))
    };
    vec![
        Button::new(
            msg!("agenda-button-accept", id = i.id.0),
            ButtonStyle::Success,
            with(&["agenda", "accept"]),
        ),
        // Its form asks for the reason, which the proposer gets privately.
        Button::new(
            msg!("agenda-button-reject", id = i.id.0),
            ButtonStyle::Danger,
            with(&["agenda", "reject"]),
        ),
        Button::new(
            msg!("agenda-button-defer", id = i.id.0),
            ButtonStyle::Secondary,
            with(&["agenda", "defer"]),
        ),
    ]
}

/// A line of `/agenda mine`.
fn mine_line(forum: &Forum, m: &Meeting, item: &AgendaItem) -> Msg {
    let status = match (item.status, item.merged_into) {
        (ItemStatus::Merged, Some(into)) => msg!("agenda-status-merged-into", id = into.0),
        (ItemStatus::Rejected, _) => msg!(
            "agenda-status-rejected-because",
            reason = Arg::Inline(item.reason.clone().unwrap_or_default())
        ),
        (s, _) if item.carried > 0 && s.is_open() => msg!(
            "agenda-status-carried",
            status = s.label(),
            times = item.carried
        ),
        (s, _) => s.label(),
    };
    let key = if item.kind == ItemKind::Question {
        "agenda-mine-question"
    } else {
        "agenda-mine-line"
    };
    Msg::new(key)
        .arg("id", item.id.0)
        .arg("title", Arg::Inline(item.title.clone()))
        .arg("name", forum.name.as_str())
        .arg("when", when(forum, m.starts_at))
        .arg("status", status)
}

fn check_minutes(m: i64) -> Result<()> {
    if (1..=rules::MAX_MINUTES).contains(&m) {
        Ok(())
    } else {
        Err(refuse(msg!(
            "agenda-error-minutes",
            max = rules::MAX_MINUTES
        )))
    }
}

fn text_problem(p: TextProblem, field: &'static str) -> Error {
    let field = Msg::new(field);
    refuse(match p {
        TextProblem::Empty => msg!("agenda-error-empty", field = field),
        TextProblem::TooLong { max } => msg!("agenda-error-too-long", field = field, max = max),
        TextProblem::Control => msg!("agenda-error-control", field = field),
    })
}

fn triage_problem(p: TriageProblem) -> Error {
    refuse(match p {
        TriageProblem::Already(s) => msg!("agenda-error-already", status = s.label()),
        TriageProblem::Closed(s) => msg!("agenda-error-closed", status = s.label()),
        TriageProblem::NotAccepted => msg!("agenda-error-not-accepted"),
        TriageProblem::NotLate => msg!("agenda-error-not-late"),
    })
}

/// Someone else changed the item first.
fn changed(current: &AgendaItem) -> Error {
    refuse(msg!(
        "agenda-error-changed",
        id = current.id.0,
        status = current.status.label()
    ))
}
