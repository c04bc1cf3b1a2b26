//! Forum use cases: create, list, show.

use super::{Actor, Reply, Services};
use crate::domain::forum::{
    parse_time_zone, validate_name, validate_tier, Forum, ForumProblem, NewForum,
};
use crate::domain::ids::{ChannelId, GuildId, RoleId};
use crate::domain::text::NameProblem;
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::store::StoreError;
use tracing::instrument;

/// `/forum create`, as typed options.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateForum {
    pub name: String,
    pub tier: String,
    pub channel: ChannelId,
    pub time_zone: Option<String>,
    /// The name of the forum it escalates to.
    pub escalates_to: Option<String>,
    pub chair_role: Option<RoleId>,
}

/// A forum as named by a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumRef(pub String);

impl Services {
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn forum_create(&self, actor: &Actor, req: CreateForum) -> Result<Reply> {
        self.require_manager(actor).await?;
        let name = validate_name(&req.name).map_err(problem)?;
        let tier = validate_tier(&req.tier).map_err(problem)?;
        let time_zone = match req.time_zone.as_deref() {
            Some(tz) if !tz.trim().is_empty() => parse_time_zone(tz).map_err(problem)?,
            _ => self.config.default_time_zone(),
        };
        if self
            .store
            .channel_name(actor.guild, req.channel)
            .await?
            .is_none()
        {
            return Err(refuse(msg!("error-channel-not-in-guild")));
        }
        if let Some(role) = req.chair_role {
            if self.store.role_name(actor.guild, role).await?.is_none() {
                return Err(refuse(msg!("error-role-not-in-guild")));
            }
        }
        let escalates_to = match req.escalates_to.as_deref().map(str::trim) {
            Some(target) if !target.is_empty() => {
                Some(self.find_forum(actor.guild, target).await?.id)
            }
            _ => None,
        };
        let new = NewForum {
            guild: actor.guild,
            name,
            tier,
            channel: req.channel,
            time_zone,
            escalates_to,
            chair_role: req.chair_role,
            created_at: self.clock.now(),
        };
        let created = match self.store.create_forum(&new).await {
            Ok(f) => f,
            Err(StoreError::Conflict(_)) => {
                return Err(refuse(msg!("error-forum-name-taken", name = new.name)))
            }
            // The escalation target was deleted between the lookup and the insert.
            Err(StoreError::NotFound) => {
                return Err(refuse(msg!(
                    "error-forum-unknown",
                    name = req.escalates_to.unwrap_or_default()
                )))
            }
            Err(e) => return Err(e.into()),
        };
        tracing::info!(guild = %actor.guild, forum = %created.id, "forum created");
        Ok(Reply::public(vec![
            msg!(
                "forum-created",
                name = created.name.as_str(),
                channel = created.channel
            ),
            self.describe(&created).await?,
        ]))
    }

    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn forum_list(&self, actor: &Actor) -> Result<Reply> {
        let forums = self.store.forums(actor.guild).await?;
        if forums.is_empty() {
            return Ok(Reply::private(vec![msg!("forum-list-empty")]));
        }
        let mut lines = vec![msg!("forum-list-header", count = forums.len())];
        for f in &forums {
            lines.push(msg!(
                "forum-list-line",
                name = f.name.as_str(),
                tier = tier_label(&f.tier),
                channel = f.channel
            ));
        }
        Ok(Reply::private(lines))
    }

    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn forum_show(&self, actor: &Actor, forum: ForumRef) -> Result<Reply> {
        let f = self.find_forum(actor.guild, &forum.0).await?;
        let mut lines = vec![
            msg!("forum-show-title", name = f.name.as_str()),
            self.describe(&f).await?,
            super::record::roles_line(&f),
        ];
        // A reminder that gave up (or cannot be posted at all) shows where the chair looks.
        if let Some(problem) = &f.delivery_problem {
            lines.push(msg!("forum-delivery-problem", problem = problem.as_str()));
        }
        Ok(Reply::private(lines))
    }

    /// Forum names for autocomplete (at most Discord's 25).
    pub async fn forum_name_suggestions(&self, guild: GuildId, partial: &str) -> Vec<String> {
        self.store
            .forum_names_like(guild, partial, 25)
            .await
            .unwrap_or_default()
    }

    /// Looks a forum up by name within the actor's guild; unknown is a user error.
    pub(crate) async fn find_forum(&self, guild: GuildId, name: &str) -> Result<Forum> {
        match self.store.forum_named(guild, name).await? {
            Some(f) => Ok(f),
            None => Err(refuse(msg!("error-forum-unknown", name = shown(name)))),
        }
    }

    pub(crate) async fn describe(&self, f: &Forum) -> Result<Msg> {
        let escalates = match f.escalates_to {
            Some(id) => self
                .store
                .forum(f.guild, id)
                .await?
                .map(|t| t.name)
                .unwrap_or_else(|| "?".to_string()),
            None => "-".to_string(),
        };
        Ok(msg!(
            "forum-details",
            tier = tier_label(&f.tier),
            channel = f.channel,
            time_zone = f.time_zone.name(),
            escalates_to = escalates,
            chair = f.chair_role.map_or_else(|| Arg::from("-"), Arg::Role)
        ))
    }
}

/// A tier as shown: the suggested ones translated, others as typed.
pub fn tier_label(tier: &str) -> Msg {
    Msg::new("tier-label").arg("tier", tier)
}

/// User text echoed in an error: cut short and stripped of anything that could format or ping.
fn shown(text: &str) -> String {
    let t: String = text.chars().filter(|c| !c.is_control()).take(80).collect();
    crate::domain::text::defuse_mentions(&t.replace(['*', '_', '`', '~', '|', '>'], ""))
}

/// Maps a domain validation problem to the user's message.
fn problem(p: ForumProblem) -> Error {
    let name_msg = |field: &'static str, n: NameProblem| -> Msg {
        let field = Msg::new("field-name").arg("field", field);
        match n {
            NameProblem::Empty => msg!("error-text-empty", field = field),
            NameProblem::TooLong { max } => msg!("error-text-too-long", field = field, max = max),
            NameProblem::Markup => msg!("error-text-markup", field = field),
            NameProblem::Control => msg!("error-text-control", field = field),
        }
    };
    refuse(match p {
        ForumProblem::Name(n) => name_msg("name", n),
        ForumProblem::Tier(n) => name_msg("tier", n),
        ForumProblem::TimeZone(tz) => msg!("error-time-zone-unknown", zone = shown(&tz)),
    })
}
