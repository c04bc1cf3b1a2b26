//! Decisions: recorded into a forum's open meeting, numbered per forum and year, listed,
//! shown, searched (full text) and exported as CSV. Never edited or deleted: a correction is
//! a new decision that supersedes the earlier one.

use anyhow::Context as _;
use tracing::instrument;

use super::{Actor, File, Reply, Services};
use crate::domain::forum::Forum;
use crate::domain::record::{
    csv_document, decision_year, query_words, validate_decision, Decision, DecisionProblem,
    NewDecision,
};
use crate::domain::text::NameProblem;
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::render::Plain;

/// `/decision record`, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordDecision {
    pub forum: String,
    pub title: String,
    pub text: String,
    /// The item's position on the meeting's agenda.
    pub item: Option<i64>,
    /// The number of the decision this one replaces (`LF-2026-03`).
    pub supersedes: Option<String>,
}

/// Most decisions a list or search shows.
pub const MAX_SHOWN: i64 = 10;

impl Services {
    /// `/decision record`: numbered in the forum's open meeting; with no meeting open (or
    /// only closed ones) it is refused, as is superseding another forum's decision.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn decision_record(&self, actor: &Actor, req: RecordDecision) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, &req.forum).await?;
        self.require_recorder(actor, &forum).await?;
        let (title, text) = validate_decision(&req.title, &req.text).map_err(decision_problem)?;
        if let Some(item) = req.item {
            if !(1..=200).contains(&item) {
                return Err(refuse(msg!("error-agenda-item", item = item)));
            }
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // Locked: the meeting cannot end while this decision goes into it.
        let Some(meeting) = tx.open_meeting(forum.id).await? else {
            return Err(refuse(msg!(
                "error-decision-no-open-meeting",
                name = forum.name.as_str()
            )));
        };
        // Under the entry under discussion unless another is named.
        let item = match req.item {
            Some(i) => Some(i),
            None => tx.session(meeting.id).await?.and_then(|s| s.current_item),
        };
        let supersedes = match req.supersedes.as_deref().map(str::trim) {
            Some(number) if !number.is_empty() => {
                let Some(old) = tx.decision_numbered(actor.guild, number).await? else {
                    return Err(refuse(msg!(
                        "error-decision-unknown",
                        number = super::meetings::shown(number)
                    )));
                };
                if old.forum != forum.id {
                    return Err(refuse(msg!(
                        "error-decision-other-forum",
                        number = old.number.as_str(),
                        name = forum.name.as_str()
                    )));
                }
                Some(old)
            }
            _ => None,
        };
        let code = tx
            .assign_code(&forum)
            .await
            .context("giving a forum its code")?;
        let new = NewDecision {
            guild: actor.guild,
            forum: forum.id,
            meeting: meeting.id,
            code,
            year: decision_year(now, forum.time_zone),
            title,
            text,
            agenda_item: item,
            supersedes: supersedes.as_ref().map(|d| d.id),
            recorded_by: actor.user,
            recorded_at: now,
        };
        let d = tx
            .record_decision(&new)
            .await
            .context("recording a decision")?;
        tx.commit().await.context("committing a decision")?;
        tracing::info!(forum = %forum.id, decision = d.id.0, "decision recorded");
        let mut lines = vec![msg!(
            "decision-recorded",
            number = d.number.as_str(),
            name = forum.name.as_str(),
            title = d.title.as_str()
        )];
        if let Some(old) = supersedes {
            lines.push(msg!("decision-supersedes", number = old.number.as_str()));
        }
        Ok(Reply::public(lines))
    }

    /// `/decision list`: a forum's latest decisions.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn decision_list(&self, actor: &Actor, forum: &str, count: i64) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        let list = self
            .store
            .decisions_of_forum(forum.id, count.clamp(1, MAX_SHOWN))
            .await?;
        let mut lines = vec![msg!("decision-list-header", name = forum.name.as_str())];
        if list.is_empty() {
            lines.push(msg!("decision-list-empty"));
        }
        lines.extend(list.iter().map(|d| decision_line(&forum, d)));
        Ok(Reply::private(lines))
    }

    /// `/decision show`: one decision with its links both ways.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn decision_show(&self, actor: &Actor, number: &str) -> Result<Reply> {
        let Some(d) = self.store.decision_numbered(actor.guild, number).await? else {
            return Err(refuse(msg!(
                "error-decision-unknown",
                number = super::meetings::shown(number)
            )));
        };
        let forum = self
            .store
            .forum(actor.guild, d.forum)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("decision without its forum")))?;
        let mut lines = vec![
            msg!(
                "decision-show-title",
                number = d.number.as_str(),
                title = d.title.as_str()
            ),
            msg!(
                "decision-show-meta",
                name = forum.name.as_str(),
                when = Arg::time(d.recorded_at, forum.time_zone),
                by = d.recorded_by,
                item = d.agenda_item.map_or_else(|| Arg::from("-"), Arg::from)
            ),
            msg!("decision-show-text", text = Arg::typed(&d.text)),
        ];
        if let Some(old) = d.supersedes {
            if let Some(old) = self.store.decision(actor.guild, old).await? {
                lines.push(msg!("decision-supersedes", number = old.number.as_str()));
            }
        }
        for newer in self.store.superseded_by(d.id).await? {
            lines.push(msg!(
                "decision-superseded-by",
                number = newer.number.as_str()
            ));
        }
        Ok(Reply::private(lines))
    }

    /// `/decision search`: every word (as a prefix) in the title or text, Swedish or English,
    /// any case; newest first.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn decision_search(
        &self,
        actor: &Actor,
        query: &str,
        forum: Option<&str>,
    ) -> Result<Reply> {
        let forum = match forum.map(str::trim) {
            Some(f) if !f.is_empty() => Some(self.find_forum(actor.guild, f).await?),
            _ => None,
        };
        let Some(words) = query_words(query) else {
            return Err(refuse(msg!("error-search-empty")));
        };
        let found = self
            .store
            .search_decisions(actor.guild, forum.as_ref().map(|f| f.id), &words, MAX_SHOWN)
            .await?;
        let mut lines = vec![msg!("decision-search-header", query = words.join(" "))];
        if found.is_empty() {
            lines.push(msg!("decision-search-empty"));
        }
        let forums = self.store.forums(actor.guild).await?;
        for d in &found {
            if let Some(f) = forums.iter().find(|f| f.id == d.forum) {
                lines.push(decision_line(f, d));
            }
        }
        Ok(Reply::private(lines))
    }

    /// `/decision export`: every decision of a forum as a CSV file (see `csv_document`).
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn decision_export(&self, actor: &Actor, forum: &str) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, forum).await?;
        let all = self.store.all_decisions_of_forum(forum.id).await?;
        let lang = self.language(Some(actor.guild)).await;
        let header: Vec<String> = msg!("decision-csv-columns")
            .render_with(lang, &Plain::default())
            .split('|')
            .map(|s| s.trim().to_string())
            .collect();
        let number_of = |id| {
            all.iter()
                .find(|d| d.id == id)
                .map(|d| d.number.clone())
                .unwrap_or_default()
        };
        let rows: Vec<Vec<String>> = all
            .iter()
            .map(|d| {
                let newer: Vec<String> = all
                    .iter()
                    .filter(|n| n.supersedes == Some(d.id))
                    .map(|n| n.number.clone())
                    .collect();
                vec![
                    d.number.clone(),
                    forum.name.clone(),
                    d.recorded_at
                        .with_timezone(&forum.time_zone)
                        .format("%Y-%m-%d")
                        .to_string(),
                    d.title.clone(),
                    d.text.clone(),
                    d.agenda_item.map(|i| i.to_string()).unwrap_or_default(),
                    d.supersedes.map(number_of).unwrap_or_default(),
                    newer.join(" "),
                    d.recorded_by.0.to_string(),
                ]
            })
            .collect();
        let name = format!(
            "{}-beslut.csv",
            forum.code.clone().unwrap_or_else(|| "forum".to_string())
        );
        Ok(Reply::private(vec![msg!(
            "decision-exported",
            name = forum.name.as_str(),
            count = all.len()
        )])
        .with_file(File {
            name,
            bytes: csv_document(&header, &rows),
        }))
    }
}

fn decision_line(forum: &Forum, d: &Decision) -> Msg {
    msg!(
        "decision-line",
        number = d.number.as_str(),
        title = d.title.as_str(),
        name = forum.name.as_str(),
        when = Arg::time(d.recorded_at, forum.time_zone)
    )
}

fn decision_problem(p: DecisionProblem) -> Error {
    let (field, n) = match p {
        DecisionProblem::Title(n) => ("title", n),
        DecisionProblem::Text(n) => ("text", n),
    };
    let field = Msg::new("field-name").arg("field", field);
    refuse(match n {
        NameProblem::Empty => msg!("error-text-empty", field = field),
        NameProblem::TooLong { max } => msg!("error-text-too-long", field = field, max = max),
        NameProblem::Markup => msg!("error-text-markup", field = field),
        NameProblem::Control => msg!("error-text-control", field = field),
    })
}
