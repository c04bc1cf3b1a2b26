//! Actions: what someone undertook to do, by when; DM reminders to the owner before the due
//! date and on the day (unless they turned them off); lists of mine, a forum's, overdue ones.

use anyhow::Context as _;
use tracing::instrument;

use super::{Actor, Reply, Services};
use crate::domain::forum::Forum;
use crate::domain::ids::{ForumId, GuildId, UserId};
use crate::domain::record::{
    action_reminders, is_overdue, validate_due, Action, ActionId, ActionProblem, ActionReminder,
    NewAction, MAX_WHAT,
};
use crate::domain::text::{clean_name, NameProblem};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::ActionFilter;

/// What an action reminder job should do.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionDm {
    Send {
        user: UserId,
        guild: GuildId,
        text: Msg,
    },
    Skip(&'static str),
}

/// Most actions a list shows.
pub const MAX_ACTIONS: usize = 25;

/// The key prefix of an action's reminder jobs.
fn reminder_prefix(id: ActionId) -> String {
    format!("action:{}:", id.0)
}

impl Services {
    /// `/action add`: the owner must be a member of the server, the due date today or later
    /// in the forum's zone. Linked to the forum's open meeting, if one is.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn action_add(
        &self,
        actor: &Actor,
        forum: &str,
        what: &str,
        owner: UserId,
        due: &str,
    ) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        self.require_recorder(actor, &forum).await?;
        // One line without markup: it is shown inside our own lines and DMs.
        let what =
            clean_name(what, MAX_WHAT).map_err(|p| action_problem(ActionProblem::What(p), due))?;
        let now = self.clock.now();
        let due_date =
            validate_due(due, now, forum.time_zone).map_err(|p| action_problem(p, due))?;
        if !self.store.is_member(actor.guild, owner).await? {
            return Err(refuse(msg!("error-action-owner-not-member", owner = owner)));
        }
        let mut tx = self.store.begin().await?;
        let meeting = tx.open_meeting(forum.id).await?.map(|m| m.id);
        let a = tx
            .insert_action(&NewAction {
                guild: actor.guild,
                forum: forum.id,
                meeting,
                what,
                owner,
                due: due_date,
                created_by: actor.user,
                created_at: now,
            })
            .await
            .context("storing an action")?;
        for (which, at) in action_reminders(due_date, forum.time_zone, now) {
            let payload = kinds::ActionRemindPayload {
                action: a.id.0,
                which: which.as_str().to_string(),
            };
            let job = kinds::ActionRemind::job(&(a.id.0, which.as_str()), &payload, at);
            tx.upsert_pending(&job, now)
                .await
                .context("arming an action reminder")?;
        }
        tx.commit().await.context("committing an action")?;
        self.wake.notify();
        // The agenda's "Öppna åtgärder" lists it once it is overdue by a meeting.
        self.feeds_changed(forum.id).await;
        Ok(Reply::public(vec![msg!(
            "action-added",
            id = a.id.0,
            what = a.what.as_str(),
            owner = a.owner,
            due = due_arg(&forum, &a)
        )]))
    }

    /// `/action done`: by its owner, or whoever keeps the forum's record.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn action_done(&self, actor: &Actor, id: i64) -> Result<Reply> {
        let id = ActionId(id);
        let Some(a) = self.store.action(actor.guild, id).await? else {
            return Err(refuse(msg!("error-action-unknown", id = id.0)));
        };
        let forum = self
            .store
            .forum(actor.guild, a.forum)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("action without its forum")))?;
        if a.owner != actor.user {
            self.require_recorder(actor, &forum).await?;
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx
            .finish_action(id, actor.user, now)
            .await
            .context("finishing an action")?
        {
            return Err(refuse(msg!("error-action-done-already", id = id.0)));
        }
        tx.obsolete_pending(&reminder_prefix(id), now)
            .await
            .context("dropping an action's reminders")?;
        tx.commit().await.context("committing an action done")?;
        self.feeds_changed(a.forum).await;
        Ok(Reply::public(vec![msg!(
            "action-done",
            id = id.0,
            what = a.what.as_str()
        )]))
    }

    /// `/action list`: a forum's open actions, or (no forum) mine; only overdue ones if asked.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn action_list(
        &self,
        actor: &Actor,
        forum: Option<&str>,
        mine: bool,
        overdue: bool,
    ) -> Result<Reply> {
        let now = self.clock.now();
        let forums = self.store.forums(actor.guild).await?;
        let forum = match forum.map(str::trim) {
            Some(f) if !f.is_empty() => Some(self.find_forum(actor.guild, f).await?),
            _ => None,
        };
        let mut list = match &forum {
            Some(f) => {
                self.store
                    .actions_of_forum(f.id, ActionFilter::Open)
                    .await?
            }
            None => {
                self.store
                    .actions_of_owner(actor.guild, actor.user, ActionFilter::Open)
                    .await?
            }
        };
        if mine {
            list.retain(|a| a.owner == actor.user);
        }
        let tz_of = |a: &Action| {
            forums
                .iter()
                .find(|f| f.id == a.forum)
                .map_or(self.config.default_time_zone(), |f| f.time_zone)
        };
        if overdue {
            list.retain(|a| is_overdue(a.due, now, tz_of(a)));
        }
        let mut lines = vec![match (&forum, overdue) {
            (Some(f), false) => msg!("action-list-forum", name = f.name.as_str()),
            (Some(f), true) => msg!("action-list-forum-overdue", name = f.name.as_str()),
            (None, false) => msg!("action-list-mine"),
            (None, true) => msg!("action-list-mine-overdue"),
        }];
        if list.is_empty() {
            lines.push(msg!("action-list-empty"));
        }
        let total = list.len();
        for a in list.iter().take(MAX_ACTIONS) {
            let Some(f) = forums.iter().find(|f| f.id == a.forum) else {
                continue;
            };
            lines.push(action_line(f, a, now));
        }
        if total > MAX_ACTIONS {
            lines.push(msg!("action-list-more", count = total - MAX_ACTIONS));
        }
        Ok(Reply::private(lines))
    }

    /// `/action remind-me`: action reminder DMs on or off for this member in this server.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn action_remind_me(&self, actor: &Actor, on: bool) -> Result<Reply> {
        self.store
            .set_action_reminders(actor.guild, actor.user, on)
            .await?;
        Ok(Reply::private(vec![if on {
            msg!("action-dm-on")
        } else {
            msg!("action-dm-off")
        }]))
    }

    /// A forum's open actions, by due date, each with whether it is overdue now: what the
    /// agenda's "Öppna åtgärder" standing item lists.
    pub async fn open_actions(&self, forum: &Forum) -> Result<Vec<(Action, bool)>> {
        let now = self.clock.now();
        Ok(self
            .store
            .actions_of_forum(forum.id, ActionFilter::Open)
            .await?
            .into_iter()
            .map(|a| {
                let late = is_overdue(a.due, now, forum.time_zone);
                (a, late)
            })
            .collect())
    }

    /// What an action reminder job sends, if anything: nothing for an action done (or gone),
    /// nor to an owner who turned reminders off or left the server.
    pub async fn action_reminder(&self, id: ActionId, which: ActionReminder) -> Result<ActionDm> {
        let Some(forum_id) = self.store.action_forum(id).await? else {
            return Ok(ActionDm::Skip("action gone"));
        };
        let Some(forum) = self.forum_for_job(forum_id).await? else {
            return Ok(ActionDm::Skip("forum gone"));
        };
        let Some(a) = self.store.action(forum.guild, id).await? else {
            return Ok(ActionDm::Skip("action gone"));
        };
        if a.done_at.is_some() {
            return Ok(ActionDm::Skip("done"));
        }
        if self.store.action_reminders_off(a.guild, a.owner).await? {
            return Ok(ActionDm::Skip("opted out"));
        }
        if !self.store.is_member(a.guild, a.owner).await? {
            return Ok(ActionDm::Skip("owner not a member"));
        }
        let args = (
            a.id.0,
            a.what.as_str(),
            forum.name.as_str(),
            due_arg(&forum, &a),
        );
        let text = match which {
            ActionReminder::Before => msg!(
                "action-reminder-before",
                id = args.0,
                what = args.1,
                name = args.2,
                due = args.3
            ),
            ActionReminder::OnTheDay => msg!(
                "action-reminder-due",
                id = args.0,
                what = args.1,
                name = args.2,
                due = args.3
            ),
        };
        Ok(ActionDm::Send {
            user: a.owner,
            guild: a.guild,
            text,
        })
    }

    /// The forum of an action, for jobs.
    pub async fn action_forum(&self, id: ActionId) -> Result<Option<ForumId>> {
        Ok(self.store.action_forum(id).await?)
    }
}

/// The due day as a date argument.
fn due_arg(forum: &Forum, a: &Action) -> Arg {
    let noon = crate::domain::recurrence::resolve_local(
        forum.time_zone,
        a.due.and_hms_opt(12, 0, 0).unwrap_or_default(),
    );
    Arg::date(noon, forum.time_zone)
}

fn action_line(forum: &Forum, a: &Action, now: chrono::DateTime<chrono::Utc>) -> Msg {
    let key = if is_overdue(a.due, now, forum.time_zone) {
        "action-line-overdue"
    } else {
        "action-line"
    };
    Msg::new(key)
        .arg("id", a.id.0)
        .arg("what", a.what.as_str())
        .arg("owner", a.owner)
        .arg("due", due_arg(forum, a))
        .arg("name", forum.name.as_str())
}

fn action_problem(p: ActionProblem, due: &str) -> Error {
    refuse(match p {
        ActionProblem::What(n) => {
            let field = Msg::new("field-name").arg("field", "what");
            match n {
                NameProblem::Empty => msg!("error-text-empty", field = field),
                NameProblem::TooLong { max } => {
                    msg!("error-text-too-long", field = field, max = max)
                }
                NameProblem::Markup => msg!("error-text-markup", field = field),
                NameProblem::Control => msg!("error-text-control", field = field),
            }
        }
        ActionProblem::Date => msg!("error-date", value = super::meetings::shown(due)),
        ActionProblem::DueInPast => msg!("error-action-due-past"),
    })
}
