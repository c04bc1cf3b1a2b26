//! Escalations up the ladder (`/escalate item|issue|onward`, `/escalation
//! list|accept|resolve|return`) and the feeds under an agenda's standing items (overdue
//! actions, escalations received and outcomes of the forum's own, the previous minutes).
//!
//! An escalation lands on the receiving forum's agendas (under "Inkomna eskaleringar") until it
//! is resolved or returned; its chair is told in the forum's channel (the one role mention).
//! Its acceptance and its outcome are told in the originating forum's channel (each once: a
//! keyed job), the outcome also on that forum's next agenda.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use tracing::instrument;

use super::{Actor, Reply, Services};
use crate::domain::agenda::{one_line, ItemId, TextProblem};
use crate::domain::escalation::{
    self as rules, EscalateProblem, Escalation, EscalationId, EscalationState, NewEscalation,
    Transition, TransitionProblem, MAX_REASON, MAX_SUBJECT,
};
use crate::domain::feed::{Feeds, Incoming, Outcome};
use crate::domain::forum::Forum;
use crate::domain::ids::{ForumId, RoleId};
use crate::domain::meeting::MeetingId;
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{ActionFilter, EscalationChange};

/// Most escalations the register shows.
pub const MAX_LISTED: i64 = 25;
/// Most active escalations searched for autocomplete choices.
const MAX_SUGGESTED: i64 = 500;

/// The notice that an escalation arrived (to the receiving forum's chair).
pub const NOTICE_ARRIVED: &str = "arrived";
/// The notice of an outcome (to the originating forum).
pub const NOTICE_OUTCOME: &str = "outcome";
/// The notice that the receiving forum accepted it (to the originating forum).
pub const NOTICE_ACCEPTED: &str = "accepted";

impl Services {
    /// `/escalate item`: an agenda item of a forum, with a reason, to the forum it escalates
    /// to. The item's meeting is the one it came from.
    #[instrument(skip_all, fields(guild = %actor.guild, item))]
    pub async fn escalate_item(&self, actor: &Actor, item: i64, reason: &str) -> Result<Reply> {
        let found = self
            .store
            .item(ItemId(item))
            .await?
            .filter(|i| i.guild == actor.guild);
        let Some(found) = found else {
            return Err(refuse(msg!("agenda-error-item-unknown", id = item)));
        };
        let forum = self
            .store
            .forum(actor.guild, found.forum)
            .await?
            .ok_or_else(|| refuse(msg!("agenda-error-item-unknown", id = item)))?;
        self.raise(
            actor,
            &forum,
            found.title.clone(),
            reason,
            Some(found.meeting),
            Some(found.id.0),
            None,
        )
        .await
    }

    /// `/escalate issue`: a free-text subject from a forum (its open meeting, if one is).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn escalate_issue(
        &self,
        actor: &Actor,
        forum: &str,
        subject: &str,
        reason: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        let subject = one_line(subject, MAX_SUBJECT)
            .map_err(|p| text_problem(p, "escalation-field-subject", MAX_SUBJECT))?;
        self.raise(actor, &forum, subject, reason, None, None, None)
            .await
    }

    /// `/escalate onward`: an escalation this forum received, passed up to the forum it
    /// escalates to; the new one names it as its earlier step.
    #[instrument(skip_all, fields(guild = %actor.guild, escalation = id))]
    pub async fn escalate_onward(&self, actor: &Actor, id: i64, reason: &str) -> Result<Reply> {
        let received = self.escalation_of_guild(actor, id).await?;
        let forum = self
            .store
            .forum(actor.guild, received.to_forum)
            .await?
            .ok_or_else(|| refuse(msg!("escalation-error-unknown", id = id)))?;
        rules::may_pass_on(forum.id, &received).map_err(|p| escalate_problem(p, &forum, id))?;
        self.raise(
            actor,
            &forum,
            received.subject.clone(),
            reason,
            None,
            None,
            Some(received.id),
        )
        .await
    }

    /// Raises an escalation from `forum`: by its chair, secretary or an admin; refused at the
    /// top of the ladder. Stored with the notice to the receiving chair in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn raise(
        &self,
        actor: &Actor,
        forum: &Forum,
        subject: String,
        reason: &str,
        meeting: Option<MeetingId>,
        agenda_item: Option<i64>,
        parent: Option<EscalationId>,
    ) -> Result<Reply> {
        self.require_recorder(actor, forum).await?;
        let to = rules::target(forum).map_err(|p| escalate_problem(p, forum, 0))?;
        let target = self
            .store
            .forum(actor.guild, to)
            .await?
            .ok_or_else(|| escalate_problem(EscalateProblem::TopOfLadder, forum, 0))?;
        let reason = one_line(reason, MAX_REASON)
            .map_err(|p| text_problem(p, "escalation-field-reason", MAX_REASON))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let meeting = match meeting {
            Some(m) => Some(m),
            None => tx.open_meeting(forum.id).await?.map(|m| m.id),
        };
        let e = tx
            .insert_escalation(&NewEscalation {
                guild: actor.guild,
                from_forum: forum.id,
                to_forum: target.id,
                meeting,
                agenda_item,
                parent,
                subject,
                reason,
                created_by: actor.user,
                created_at: now,
            })
            .await
            .context("storing an escalation")?;
        queue_notice(&mut tx, e.id, NOTICE_ARRIVED, now).await?;
        tx.commit().await.context("committing an escalation")?;
        self.wake.notify();
        self.live_forum_changed(&target).await;
        Ok(Reply::private(vec![msg!(
            "escalation-raised",
            id = e.id.0,
            name = target.name.as_str(),
            subject = Arg::Inline(e.subject.clone())
        )]))
    }

    /// `/escalation accept`.
    pub async fn escalation_accept(&self, actor: &Actor, id: i64) -> Result<Reply> {
        self.escalation_change(actor, id, Change::Accept).await
    }

    /// `/escalation resolve`: by a decision (its number) of the receiving forum.
    pub async fn escalation_resolve(
        &self,
        actor: &Actor,
        id: i64,
        decision: &str,
    ) -> Result<Reply> {
        self.escalation_change(actor, id, Change::Resolve(decision.to_string()))
            .await
    }

    /// `/escalation return`: back to the originating forum, with a reason.
    pub async fn escalation_return(&self, actor: &Actor, id: i64, reason: &str) -> Result<Reply> {
        self.escalation_change(actor, id, Change::Return(reason.to_string()))
            .await
    }

    /// A change by the receiving forum's chair (or an admin), checked by the domain's state
    /// machine and applied only from the state it was read in: of two at once, one wins and
    /// the other is told. Each change queues the originating forum's notice (accepted, or the
    /// outcome) in the same transaction.
    #[instrument(skip_all, fields(guild = %actor.guild, escalation = id))]
    async fn escalation_change(&self, actor: &Actor, id: i64, change: Change) -> Result<Reply> {
        let e = self.escalation_of_guild(actor, id).await?;
        let to = self
            .store
            .forum(actor.guild, e.to_forum)
            .await?
            .ok_or_else(|| refuse(msg!("escalation-error-unknown", id = id)))?;
        if !self.is_escalation_chair(actor, &to).await? {
            return Err(refuse(msg!(
                "escalation-error-not-chair",
                name = to.name.as_str()
            )));
        }
        let t = match &change {
            Change::Accept => Transition::Accept,
            // Checked below, once the state allows it.
            Change::Resolve(_) => Transition::Resolve {
                decision: crate::domain::record::DecisionId(0),
            },
            Change::Return(reason) => Transition::Return {
                reason: one_line(reason, MAX_REASON)
                    .map_err(|p| text_problem(p, "escalation-field-reason", MAX_REASON))?,
            },
        };
        let next = rules::transition(e.state, &t).map_err(|p| transition_problem(p, id))?;
        let (decision, number) = match &change {
            Change::Resolve(number) => {
                let d = self
                    .store
                    .decision_numbered(actor.guild, number)
                    .await?
                    .ok_or_else(|| {
                        refuse(msg!(
                            "escalation-error-decision-unknown",
                            number = Arg::Inline(number.trim().chars().take(40).collect())
                        ))
                    })?;
                if d.forum != to.id {
                    let other = self
                        .store
                        .forum(actor.guild, d.forum)
                        .await?
                        .map(|f| f.name)
                        .unwrap_or_default();
                    return Err(refuse(msg!(
                        "escalation-error-decision-other-forum",
                        number = d.number.as_str(),
                        other = other.as_str(),
                        name = to.name.as_str()
                    )));
                }
                (Some(d.id), Some(d.number))
            }
            _ => (None, None),
        };
        let outcome = match &t {
            Transition::Return { reason } => Some(reason.clone()),
            _ => None,
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let won = tx
            .change_escalation(&EscalationChange {
                id: e.id,
                from: e.state,
                to: next,
                decision,
                outcome,
                by: actor.user,
                at: now,
            })
            .await
            .context("changing an escalation")?;
        if !won {
            drop(tx);
            let state = self
                .store
                .escalation(actor.guild, e.id)
                .await?
                .map_or(e.state, |x| x.state);
            return Err(refuse(msg!(
                "escalation-error-changed",
                id = id,
                state = state.label()
            )));
        }
        if next == EscalationState::Accepted {
            queue_notice(&mut tx, e.id, NOTICE_ACCEPTED, now).await?;
        } else if !next.is_active() {
            queue_notice(&mut tx, e.id, NOTICE_OUTCOME, now).await?;
        }
        tx.commit()
            .await
            .context("committing an escalation change")?;
        self.wake.notify();
        let from = self.store.forum(actor.guild, e.from_forum).await?;
        self.live_forum_changed(&to).await;
        if let Some(from) = &from {
            self.live_forum_changed(from).await;
        }
        let from_name = from.map(|f| f.name).unwrap_or_default();
        let subject = Arg::Inline(e.subject.clone());
        Ok(Reply::private(vec![match next {
            EscalationState::Accepted => msg!(
                "escalation-accepted",
                id = id,
                subject = subject,
                name = to.name.as_str()
            ),
            EscalationState::Resolved => msg!(
                "escalation-resolved",
                id = id,
                subject = subject,
                number = number.unwrap_or_default(),
                from = from_name.as_str()
            ),
            _ => msg!(
                "escalation-returned",
                id = id,
                subject = subject,
                from = from_name.as_str()
            ),
        }]))
    }

    /// `/escalation list`: the register, newest first: to and from one forum, or the guild's;
    /// in one state, or all.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn escalation_list(
        &self,
        actor: &Actor,
        forum: Option<&str>,
        state: Option<&str>,
    ) -> Result<Reply> {
        let forum = match forum.filter(|f| !f.trim().is_empty()) {
            Some(f) => Some(self.find_forum(actor.guild, f).await?),
            None => None,
        };
        let states: Vec<EscalationState> = match state.filter(|s| !s.trim().is_empty()) {
            Some(s) => vec![EscalationState::from_input(s).ok_or_else(|| {
                refuse(msg!(
                    "escalation-error-state",
                    value = Arg::Inline(s.trim().chars().take(40).collect())
                ))
            })?],
            None => Vec::new(),
        };
        let list = self
            .store
            .escalations_of_guild(
                actor.guild,
                forum.as_ref().map(|f| f.id),
                &states,
                MAX_LISTED,
            )
            .await?;
        let names: HashMap<ForumId, String> = self
            .store
            .forums(actor.guild)
            .await?
            .into_iter()
            .map(|f| (f.id, f.name))
            .collect();
        let name = |id: ForumId| names.get(&id).cloned().unwrap_or_default();
        let mut lines = vec![match &forum {
            Some(f) => msg!(
                "escalation-list-header-forum",
                name = f.name.as_str(),
                count = list.len()
            ),
            None => msg!("escalation-list-header", count = list.len()),
        }];
        if list.is_empty() {
            lines = vec![msg!("escalation-list-empty")];
        }
        for e in &list {
            let detail = match e.state {
                EscalationState::Resolved => Arg::from(msg!(
                    "escalation-list-resolved",
                    number = e.decision_number.clone().unwrap_or_default()
                )),
                EscalationState::Returned => Arg::from(msg!(
                    "escalation-list-returned",
                    reason = Arg::Inline(e.outcome.clone().unwrap_or_default())
                )),
                _ => Arg::Text(String::new()),
            };
            lines.push(msg!(
                "escalation-list-line",
                id = e.id.0,
                from = name(e.from_forum),
                to = name(e.to_forum),
                subject = Arg::Inline(e.subject.clone()),
                state = e.state.label(),
                detail = detail
            ));
        }
        Ok(Reply::private(lines))
    }

    /// The guild's escalations still with a receiving forum (open or accepted) as
    /// autocomplete choices: (id, `#7 subject`), newest first, at most 25, those whose id
    /// begins with what is typed (a `#` allowed) or whose subject holds it, in any case.
    /// Matched here, not in SQL, so both backends fold å, ä and ö alike.
    pub async fn escalation_suggestions(&self, actor: &Actor, partial: &str) -> Vec<(i64, String)> {
        let active = [EscalationState::Open, EscalationState::Accepted];
        let Ok(list) = self
            .store
            .escalations_of_guild(actor.guild, None, &active, MAX_SUGGESTED)
            .await
        else {
            return Vec::new();
        };
        let typed = partial.trim().trim_start_matches('#').to_lowercase();
        list.into_iter()
            .filter(|e| {
                typed.is_empty()
                    || e.id.0.to_string().starts_with(&typed)
                    || e.subject.to_lowercase().contains(&typed)
            })
            .take(25)
            .map(|e| {
                let label: String = crate::render::one_line(&format!("#{} {}", e.id.0, e.subject))
                    .chars()
                    .take(100)
                    .collect();
                (e.id.0, label)
            })
            .collect()
    }

    async fn escalation_of_guild(&self, actor: &Actor, id: i64) -> Result<Escalation> {
        self.store
            .escalation(actor.guild, EscalationId(id))
            .await?
            .ok_or_else(|| refuse(msg!("escalation-error-unknown", id = id)))
    }

    async fn is_escalation_chair(&self, actor: &Actor, forum: &Forum) -> Result<bool> {
        match self.require_chair(actor, forum).await {
            Ok(()) => Ok(true),
            Err(Error::User(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    // ---- feeds ----

    /// Everything the feeds of a forum's agenda for a meeting starting at `starts_at` show.
    pub async fn agenda_feeds(&self, forum: &Forum, starts_at: DateTime<Utc>) -> Result<Feeds> {
        let day = starts_at.with_timezone(&forum.time_zone).date_naive();
        let overdue_actions = self
            .store
            .actions_of_forum(forum.id, ActionFilter::OverdueOn(day))
            .await?;
        let mut names: HashMap<ForumId, String> = HashMap::new();
        let mut incoming = Vec::new();
        for e in self
            .store
            .escalations_to_forum(
                forum.id,
                &[EscalationState::Open, EscalationState::Accepted],
            )
            .await?
        {
            let from_name = self.forum_name(&mut names, e.from_forum).await?;
            let meeting_at = match e.meeting {
                Some(m) => self.store.meeting_by_id(m).await?.map(|m| m.starts_at),
                None => None,
            };
            let mut chain: Vec<Escalation> = Vec::new();
            let mut next = e.parent;
            while let Some(p) = next {
                if chain.len() >= rules::MAX_HISTORY || chain.iter().any(|x| x.id == p) {
                    break;
                }
                let Some(found) = self.store.escalation_by_id(p).await? else {
                    break;
                };
                next = found.parent;
                chain.push(found);
            }
            let mut steps = Vec::new();
            for s in rules::history(&e, |id| chain.iter().find(|x| x.id == id)) {
                steps.push((
                    self.forum_name(&mut names, s.from_forum).await?,
                    self.forum_name(&mut names, s.to_forum).await?,
                    s.reason.clone(),
                ));
            }
            incoming.push(Incoming {
                escalation: e,
                from_name,
                meeting_at,
                steps,
            });
        }
        let previous = self
            .store
            .previous_meeting_start(forum.id, starts_at)
            .await?;
        let mut outcomes = Vec::new();
        for e in self
            .store
            .escalations_from_forum(
                forum.id,
                &[EscalationState::Resolved, EscalationState::Returned],
            )
            .await?
        {
            if rules::outcome_for_agenda(&e, previous, starts_at) {
                let to_name = self.forum_name(&mut names, e.to_forum).await?;
                outcomes.push(Outcome {
                    escalation: e,
                    to_name,
                });
            }
        }
        Ok(Feeds {
            previous_minutes: self.feed_previous_minutes(forum, starts_at).await?,
            overdue_actions,
            incoming,
            outcomes,
        })
    }

    /// The lines under "Föregående minnesanteckningar" on the agenda of a forum's meeting
    /// starting at `starts_at`: the approved minutes (and addenda) of its last meeting that
    /// has any, with their SHA-256.
    pub async fn feed_previous_minutes(
        &self,
        forum: &Forum,
        starts_at: DateTime<Utc>,
    ) -> Result<Vec<Msg>> {
        self.previous_minutes_lines(forum, starts_at).await
    }

    async fn forum_name(
        &self,
        names: &mut HashMap<ForumId, String>,
        id: ForumId,
    ) -> Result<String> {
        if let Some(n) = names.get(&id) {
            return Ok(n.clone());
        }
        let n = self
            .store
            .forum_by_id(id)
            .await?
            .map(|f| f.name)
            .unwrap_or_default();
        names.insert(id, n.clone());
        Ok(n)
    }

    // ---- jobs ----

    /// What an escalation notice says and where: (forum whose channel, text, the role it may
    /// ping). `arrived`: in the receiving forum's channel, mentioning its chair role;
    /// `accepted` and `outcome`: in the originating forum's channel. `None`: gone, or no outcome yet.
    pub async fn escalation_notice(
        &self,
        id: EscalationId,
        notice: &str,
    ) -> Result<Option<(Forum, Msg, Option<RoleId>)>> {
        let Some(e) = self.store.escalation_by_id(id).await? else {
            return Ok(None);
        };
        let (Some(from), Some(to)) = (
            self.store.forum_by_id(e.from_forum).await?,
            self.store.forum_by_id(e.to_forum).await?,
        ) else {
            return Ok(None);
        };
        let subject = Arg::Inline(e.subject.clone());
        Ok(match (notice, e.state) {
            (NOTICE_ARRIVED, _) => {
                let role = to.chair_role;
                let reason = Arg::Inline(e.reason.clone());
                let text = match role {
                    Some(r) => msg!(
                        "escalation-notice-arrived",
                        role = r,
                        id = e.id.0,
                        from = from.name.as_str(),
                        subject = subject,
                        reason = reason,
                        name = to.name.as_str()
                    ),
                    None => msg!(
                        "escalation-notice-arrived-nochair",
                        id = e.id.0,
                        from = from.name.as_str(),
                        subject = subject,
                        reason = reason,
                        name = to.name.as_str()
                    ),
                };
                Some((to, text, role))
            }
            // Accepted, and still true when the job runs after a later change: it was.
            (NOTICE_ACCEPTED, state) if state != EscalationState::Open => {
                let text = msg!(
                    "escalation-notice-accepted",
                    id = e.id.0,
                    subject = subject,
                    name = to.name.as_str()
                );
                Some((from, text, None))
            }
            (NOTICE_OUTCOME, EscalationState::Resolved) => {
                let text = msg!(
                    "escalation-notice-resolved",
                    id = e.id.0,
                    subject = subject,
                    name = to.name.as_str(),
                    number = e.decision_number.clone().unwrap_or_default()
                );
                Some((from, text, None))
            }
            (NOTICE_OUTCOME, EscalationState::Returned) => {
                let text = msg!(
                    "escalation-notice-returned",
                    id = e.id.0,
                    subject = subject,
                    name = to.name.as_str(),
                    reason = Arg::Inline(e.outcome.clone().unwrap_or_default())
                );
                Some((from, text, None))
            }
            _ => None,
        })
    }

    /// Published agendas of a forum's coming meetings show its feeds: redraw them.
    pub(crate) async fn feeds_changed(&self, forum: ForumId) {
        if let Ok(Some(f)) = self.store.forum_by_id(forum).await {
            self.live_forum_changed(&f).await;
        }
    }
}

/// What the chair asked for, as typed.
enum Change {
    Accept,
    Resolve(String),
    Return(String),
}

async fn queue_notice(
    tx: &mut crate::store::Tx,
    id: EscalationId,
    notice: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let job = kinds::EscalationNotice::job(
        &format!("{notice}:{}", id.0),
        &kinds::EscalationNoticePayload {
            escalation: id.0,
            notice: notice.to_string(),
        },
        now,
    );
    tx.upsert_pending(&job, now)
        .await
        .context("queueing an escalation notice")?;
    Ok(())
}

fn text_problem(p: TextProblem, field: &'static str, max: usize) -> Error {
    let field = Msg::new(field);
    refuse(match p {
        TextProblem::Empty => msg!("escalation-error-empty", field = field),
        TextProblem::TooLong { .. } => msg!("escalation-error-too-long", field = field, max = max),
        TextProblem::Control => msg!("escalation-error-control", field = field),
    })
}

fn escalate_problem(p: EscalateProblem, forum: &Forum, id: i64) -> Error {
    refuse(match p {
        EscalateProblem::TopOfLadder => msg!("escalation-error-top", name = forum.name.as_str()),
        EscalateProblem::NotReceived => msg!(
            "escalation-error-not-received",
            id = id,
            name = forum.name.as_str()
        ),
        EscalateProblem::NotActive(s) => {
            msg!("escalation-error-not-active", id = id, state = s.label())
        }
    })
}

fn transition_problem(p: TransitionProblem, id: i64) -> Error {
    refuse(match p {
        TransitionProblem::Already(s) => {
            msg!("escalation-error-already", id = id, state = s.label())
        }
        TransitionProblem::Closed(s) => msg!("escalation-error-closed", id = id, state = s.label()),
    })
}
