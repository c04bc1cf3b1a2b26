//! `/forum setup`: creates the forums of a governance template in one step.
//!
//! Everything is checked before anything is written (the template, the default channel, every
//! mapping entry, every schedule), so bad input creates nothing. Forums that already exist (by
//! name) are left exactly as they are and reported as already there, so running it again
//! changes nothing. Escalation targets are created before the forums that escalate to them;
//! a forum of the template whose target already existed escalates to that existing forum.
//! No loop can arise: the template's own ladder has none (checked at load), and forums that
//! existed before cannot point at forums created now.

use std::collections::HashMap;

use anyhow::Context as _;
use tracing::instrument;

use super::meetings::recurrence_problem;
use super::{Actor, Reply, Services};
use crate::domain::forum::{Forum, NewForum};
use crate::domain::ids::{ChannelId, ForumId, GuildId};
use crate::domain::recurrence::{parse_cadence, Recurrence};
use crate::domain::template::{
    parse_channel_text, parse_mapping, ChannelText, MappingProblem, Template,
};
use crate::domain::text::name_key;
use crate::error::{refuse, Error, Result};
use crate::msg;
use crate::store::{ScheduleUpdate, StoreError};

/// `/forum setup`, as typed options.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupForums {
    /// A template's key or display name.
    pub template: String,
    /// Where forums without a mapping entry meet.
    pub channel: ChannelId,
    /// `Leveransforum=#lev, Ledningsforum=<#123>`.
    pub mapping: Option<String>,
}

/// A forum the setup will create, fully validated.
struct Planned {
    index: usize,
    channel: ChannelId,
    schedule: Recurrence,
}

impl Services {
    /// `/forum setup`: every forum of the template, with its schedule and planned meetings,
    /// in one transaction: on any failure nothing is created.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn forum_setup(&self, actor: &Actor, req: SetupForums) -> Result<Reply> {
        // Another setup or create may commit a forum of the same name between our check and our
        // insert (PostgreSQL; SQLite serialises writers). Then this transaction is void: run
        // again, and that forum counts as already there.
        match self.forum_setup_once(actor, &req).await {
            Err(Error::Internal(e)) if is_conflict(&e) => self.forum_setup_once(actor, &req).await,
            other => other,
        }
    }

    async fn forum_setup_once(&self, actor: &Actor, req: &SetupForums) -> Result<Reply> {
        self.require_manager(actor).await?;
        let Some(template) = self.templates.get(&req.template).cloned() else {
            let available = self
                .templates
                .all()
                .iter()
                .map(|t| t.key.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(refuse(msg!(
                "error-template-unknown",
                name = shown(&req.template),
                available = available
            )));
        };
        if self
            .store
            .channel_name(actor.guild, req.channel)
            .await?
            .is_none()
        {
            return Err(refuse(msg!("error-channel-not-in-guild")));
        }
        let channels = self
            .mapping_channels(actor.guild, &template, req.mapping.as_deref().unwrap_or(""))
            .await?;

        // What exists already (by name) stays as it is. Read inside the transaction, so the
        // check and the creates see the same forums.
        let mut tx = self.store.begin().await?;
        let mut existing: HashMap<String, Forum> = HashMap::new();
        for f in &template.forums {
            if let Some(found) = tx.forum_named(actor.guild, &f.name).await? {
                existing.insert(name_key(&f.name), found);
            }
        }

        // Validate every schedule before creating anything.
        let now = self.clock.now();
        let tz = template
            .time_zone
            .unwrap_or_else(|| self.config.default_time_zone());
        let today = now.with_timezone(&tz).date_naive();
        let mut planned = Vec::new();
        for (index, f) in template.forums.iter().enumerate() {
            if existing.contains_key(&name_key(&f.name)) {
                continue;
            }
            let cadence = parse_cadence(&f.cadence_spec).map_err(recurrence_problem)?;
            let schedule = Recurrence::new(cadence, today, f.time, f.duration_minutes, tz)
                .map_err(recurrence_problem)?;
            planned.push(Planned {
                index,
                channel: channels
                    .get(&name_key(&f.name))
                    .copied()
                    .unwrap_or(req.channel),
                schedule,
            });
        }

        // Create, targets first (the template lists them in that order).
        let mut ids: HashMap<String, ForumId> =
            existing.iter().map(|(k, f)| (k.clone(), f.id)).collect();
        let mut created = Vec::new();
        let mut missing_roles: Vec<(String, String)> = Vec::new();
        for p in planned {
            let f = &template.forums[p.index];
            let new = NewForum {
                guild: actor.guild,
                name: f.name.clone(),
                tier: f.tier.clone(),
                channel: p.channel,
                time_zone: tz,
                escalates_to: f
                    .escalates_to
                    .as_deref()
                    .and_then(|t| ids.get(&name_key(t)).copied()),
                chair_role: None,
                created_at: now,
            };
            let forum = tx
                .create_forum(&new)
                .await
                .with_context(|| format!("creating forum {} of a template", p.index))?;
            ids.insert(name_key(&f.name), forum.id);
            if f.agenda != crate::domain::agenda::AgendaSettings::default() {
                tx.set_agenda_settings(forum.id, &f.agenda)
                    .await
                    .context("storing a template forum's agenda settings")?;
            }
            for (title, place) in &f.standing {
                tx.add_standing(forum.id, title, *place)
                    .await
                    .context("storing a template forum's standing items")?;
            }
            missing_roles.extend(
                self.template_record_settings(&mut tx, actor, &forum, f)
                    .await?
                    .into_iter()
                    .map(|role| (forum.name.clone(), role)),
            );
            let update = ScheduleUpdate {
                schedule: Some(p.schedule),
                reminders: None,
                participant_role: None,
            };
            let forum = self.install_schedule(&mut tx, &forum, &update, now).await?;
            created.push((p.index, forum));
        }
        tx.commit().await.context("committing a template setup")?;
        self.wake.notify();
        tracing::info!(
            guild = %actor.guild,
            template = template.key.as_str(),
            created = created.len(),
            "template set up"
        );

        let mut lines = vec![msg!(
            "template-setup-header",
            template = template.name.as_str(),
            created = created.len(),
            existing = existing.len()
        )];
        for (index, forum) in &created {
            let f = &template.forums[*index];
            lines.push(msg!(
                "template-setup-created",
                name = forum.name.as_str(),
                channel = forum.channel,
                cadence = f.cadence.to_spec(),
                cadence_sv = f.cadence.to_spec_sv(),
                time = f.time.format("%H:%M").to_string(),
                escalates_to = f.escalates_to.clone().unwrap_or_else(|| "-".to_string())
            ));
        }
        for f in &template.forums {
            if let Some(found) = existing.get(&name_key(&f.name)) {
                lines.push(msg!(
                    "template-setup-existing",
                    name = found.name.as_str(),
                    channel = found.channel
                ));
            }
        }
        if created.is_empty() {
            lines.push(msg!("template-setup-unchanged"));
        }
        for (forum, role) in missing_roles {
            lines.push(msg!(
                "template-setup-role-missing",
                name = forum.as_str(),
                role = role.as_str()
            ));
        }
        Ok(Reply::public(lines))
    }

    /// Gives a forum created from a template the roles (by name) and code the template names,
    /// inside the setup's transaction. Returns the role names the guild does not have.
    async fn template_record_settings(
        &self,
        tx: &mut crate::store::Tx,
        actor: &Actor,
        forum: &Forum,
        f: &crate::domain::template::TemplateForum,
    ) -> Result<Vec<String>> {
        let mut missing = Vec::new();
        let mut found = [None, None, None];
        for (slot, name) in
            found
                .iter_mut()
                .zip([&f.chair_role, &f.secretary_role, &f.approver_role])
        {
            let Some(name) = name else { continue };
            match self.store.role_named(actor.guild, name).await? {
                Some(id) => *slot = Some(id),
                None => missing.push(name.clone()),
            }
        }
        let [chair_role, secretary_role, approver_role] = found;
        let set = crate::store::RecordSettings {
            chair_role,
            secretary_role,
            approver_role,
            code: None,
        };
        if !set.is_empty() {
            self.store_record_settings(tx, forum, &set).await?;
        }
        if let Some(code) = &f.code {
            if code.as_str() != forum.code.as_deref().unwrap_or_default() {
                let set = crate::store::RecordSettings {
                    code: Some(code.clone()),
                    ..Default::default()
                };
                self.store_record_settings(tx, forum, &set).await?;
            }
        }
        Ok(missing)
    }

    /// Template keys and names for autocomplete.
    pub fn template_suggestions(&self, partial: &str) -> Vec<(String, String)> {
        self.templates.suggestions(partial)
    }

    /// Resolves a mapping to channels of this guild, keyed by the forum's name key. Every
    /// entry must name a forum of the template and a channel of this guild.
    async fn mapping_channels(
        &self,
        guild: GuildId,
        template: &Template,
        mapping: &str,
    ) -> Result<HashMap<String, ChannelId>> {
        let entries = parse_mapping(mapping).map_err(|p| {
            refuse(match p {
                MappingProblem::Malformed(entry) => {
                    msg!("error-template-mapping-malformed", entry = shown(&entry))
                }
                MappingProblem::Duplicate(name) => {
                    msg!("error-template-mapping-duplicate", name = shown(&name))
                }
            })
        })?;
        let mut out = HashMap::new();
        for (key, (forum, channel)) in entries {
            if template.forum(&forum).is_none() {
                return Err(refuse(msg!(
                    "error-template-mapping-forum",
                    name = shown(&forum),
                    template = template.key.as_str()
                )));
            }
            let id = match parse_channel_text(&channel) {
                ChannelText::Id(id) => {
                    let id = ChannelId(id);
                    self.store.channel_name(guild, id).await?.map(|_| id)
                }
                ChannelText::Name(name) => self.store.channel_named(guild, &name).await?,
            };
            let Some(id) = id else {
                return Err(refuse(msg!(
                    "error-template-mapping-channel",
                    name = shown(&forum),
                    channel = shown(&channel)
                )));
            };
            out.insert(key, id);
        }
        Ok(out)
    }
}

/// User text echoed in an error: short, without anything that formats or pings.
fn shown(text: &str) -> String {
    let t: String = text.chars().filter(|c| !c.is_control()).take(60).collect();
    crate::domain::text::defuse_mentions(&t.replace(['*', '_', '`', '~', '|', '>', '<'], ""))
}

/// A unique-constraint conflict somewhere in the error's chain.
fn is_conflict(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<StoreError>(),
            Some(StoreError::Conflict(_))
        )
    })
}
