//! Minutes (issue 11): the draft made from a held meeting's record, sections edited one at a
//! time (a modal) or the whole document as a file (download, upload: the bot shows what
//! changed), the review (the secretary submits, the approver approves or requests changes),
//! the frozen approved text with its SHA-256, its publication, exports and addenda.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};
use tracing::instrument;

use super::meetings::transition;
use super::{Actor, File, Reply, Services};
use crate::command::{Upload, Value, Values};
use crate::domain::forum::Forum;
use crate::domain::ids::ForumId;
use crate::domain::meeting::{Meeting, MeetingEvent, MeetingId, MeetingState};
use crate::domain::minutes::{
    changes, draft, sha256_hex, to_html, ActionLine, ChangeKind, DecisionLine, DocProblem,
    Document, EscalationLine, ItemInput, Labels, Minutes, MinutesEvent, MinutesInput, MinutesState,
    Person, Section, MAX_MODAL_SECTION, MAX_UPLOAD,
};
use crate::domain::record::{Attendee, Presence};
use crate::domain::run::EntryTitle;
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Lang, Msg};
use crate::live::LiveKey;
use crate::msg;
use crate::scheduler::kinds::{self, JobKind};
use crate::store::{NewMinutes, Review};

/// Which minutes a command means.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MinutesDoc {
    pub forum: String,
    /// The meeting's local date (`YYYY-MM-DD`); the last meeting held when left out.
    pub meeting: Option<String>,
    /// 0: the minutes; 1, 2, …: an addendum. Left out: the latest document.
    pub addendum: Option<i64>,
}

/// What to do with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinutesOp {
    Draft,
    Show { section: Option<String> },
    Edit { section: String, text: String },
    Download,
    Upload { file: Upload },
    Submit,
    Approve,
    RequestChanges { comment: String },
    Export { format: String },
    Addendum,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesRequest {
    pub doc: MinutesDoc,
    pub op: MinutesOp,
}

/// Longest comment of a request for changes.
pub const MAX_COMMENT: usize = 2000;
/// Most characters of a diff shown in a reply.
const MAX_DIFF_SHOWN: usize = 1500;

/// The headings and fixed words of a draft in `lang`, from the catalogue.
pub fn labels(lang: Lang) -> Labels {
    let t = |key: &'static str| Msg::new(key).plain(lang);
    Labels {
        title: t("minutes-md-title"),
        date: t("minutes-md-date"),
        place: t("minutes-md-place"),
        time: t("minutes-md-time"),
        attendance: t("minutes-md-attendance"),
        absent: t("minutes-md-absent"),
        guests: t("minutes-md-guests"),
        none: t("minutes-md-none"),
        agenda: t("minutes-md-agenda"),
        opening: t("minutes-md-opening"),
        consent: msg!("minutes-md-consent", agreed = "{agreed}", asked = "{asked}").plain(lang),
        other: t("minutes-md-other"),
        decision: t("minutes-md-decision"),
        actions: t("minutes-md-actions"),
        what: t("minutes-md-what"),
        who: t("minutes-md-who"),
        when: t("minutes-md-when"),
        no_actions: t("minutes-md-no-actions"),
        escalations: t("minutes-md-escalations"),
        no_escalations: t("minutes-md-no-escalations"),
        next_meeting: t("minutes-md-next-meeting"),
        next_unknown: t("minutes-md-next-unknown"),
        signatures: t("minutes-md-signatures"),
        chair: t("minutes-md-chair"),
        secretary: t("minutes-md-secretary"),
    }
}

/// The first document of an addendum: its heading and a section for the change.
pub fn addendum_document(lang: Lang, n: i64, forum: &str, date: NaiveDate) -> Document {
    use crate::domain::minutes::escape_inline;
    Document {
        sections: vec![
            Section {
                key: "header".into(),
                body: format!(
                    "# {} {}, {}",
                    msg!("minutes-md-addendum-title", n = n).plain(lang),
                    escape_inline(forum),
                    date.format("%Y-%m-%d")
                ),
            },
            Section {
                key: "changes".into(),
                body: format!(
                    "## {}\n\n{}",
                    Msg::new("minutes-md-addendum-changes").plain(lang),
                    Msg::new("minutes-md-addendum-placeholder").plain(lang)
                ),
            },
        ],
    }
}

fn doc_name(seq: i64) -> Msg {
    msg!("minutes-doc-name", n = seq)
}

fn state_name(state: MinutesState) -> Msg {
    msg!("minutes-state", state = state.as_str())
}

fn doc_problem(p: DocProblem) -> Error {
    refuse(match p {
        DocProblem::TooLarge { max } => {
            msg!("error-minutes-file-too-large", size = max + 1, max = max)
        }
        DocProblem::NotUtf8 => msg!("error-minutes-file-not-utf8"),
        DocProblem::Control => msg!("error-minutes-file-control"),
        DocProblem::NoSections => msg!("error-minutes-file-no-sections"),
        DocProblem::TextBeforeFirst => msg!("error-minutes-file-text-before"),
        DocProblem::BadKey(k) => msg!("error-minutes-file-bad-key", key = Arg::Inline(k)),
        DocProblem::Duplicate(k) => msg!("error-minutes-file-duplicate", key = Arg::Inline(k)),
        DocProblem::MarkerInSection => msg!("error-minutes-marker-in-section"),
        DocProblem::EmptySection(k) => msg!("error-minutes-empty-section", key = Arg::Inline(k)),
    })
}

/// Lines saying what changed, and the diff (shortened) as typed text.
fn change_lines(old: &Document, new: &Document) -> Vec<Msg> {
    let ch = changes(old, new);
    if ch.is_empty() {
        return vec![msg!("minutes-unchanged")];
    }
    let mut lines = Vec::new();
    let mut diff = String::new();
    for c in &ch {
        let key = Arg::Inline(c.key.clone());
        lines.push(match &c.kind {
            ChangeKind::Added => msg!("minutes-change-added", key = key),
            ChangeKind::Removed => msg!("minutes-change-removed", key = key),
            ChangeKind::Changed {
                added,
                removed,
                diff: d,
            } => {
                diff.push_str(&format!("@@ {}\n{d}", c.key));
                msg!(
                    "minutes-change-changed",
                    key = key,
                    added = *added,
                    removed = *removed
                )
            }
        });
    }
    if !diff.is_empty() {
        let shown = crate::domain::text::truncate(&diff, MAX_DIFF_SHOWN);
        lines.push(msg!("minutes-diff", diff = Arg::Typed(shown)));
    }
    lines
}

/// The file name of a document: `LF-2025-09-16-minnesanteckningar.md`.
fn file_name(forum: &Forum, date: NaiveDate, seq: i64, ext: &str) -> String {
    let code = forum.code.clone().unwrap_or_else(|| {
        let s: String = forum
            .name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(16)
            .collect();
        if s.is_empty() {
            "forum".to_string()
        } else {
            s
        }
    });
    let what = if seq == 0 {
        "minnesanteckningar".to_string()
    } else {
        format!("tillagg-{seq}")
    };
    format!("{code}-{}-{what}.{ext}", date.format("%Y-%m-%d"))
}

impl Services {
    /// Runs one minutes command.
    #[instrument(skip_all, fields(guild = %actor.guild))]
    pub async fn minutes(&self, actor: &Actor, req: MinutesRequest) -> Result<Reply> {
        let forum = self.find_forum(actor.guild, &req.doc.forum).await?;
        let meeting = self
            .minutes_meeting(&forum, req.doc.meeting.as_deref())
            .await?;
        let ctx = Ctx {
            date: meeting
                .starts_at
                .with_timezone(&forum.time_zone)
                .date_naive(),
            forum,
            meeting,
            addendum: req.doc.addendum,
        };
        match req.op {
            MinutesOp::Draft => self.minutes_draft(actor, &ctx).await,
            MinutesOp::Show { section } => self.minutes_show(actor, &ctx, section).await,
            MinutesOp::Edit { section, text } => {
                self.minutes_edit(actor, &ctx, &section, &text).await
            }
            MinutesOp::Download => self.minutes_download(actor, &ctx).await,
            MinutesOp::Upload { file } => self.minutes_upload(actor, &ctx, &file).await,
            MinutesOp::Submit => self.minutes_submit(actor, &ctx).await,
            MinutesOp::Approve => self.minutes_approve(actor, &ctx).await,
            MinutesOp::RequestChanges { comment } => {
                self.minutes_request_changes(actor, &ctx, &comment).await
            }
            MinutesOp::Export { format } => self.minutes_export(actor, &ctx, &format).await,
            MinutesOp::Addendum => self.minutes_addendum(actor, &ctx).await,
        }
    }

    /// The prefill of `/minutes edit`'s form: the section's text as it is, if a modal holds
    /// it (else a refusal that points to download and upload).
    pub async fn minutes_edit_prefill(&self, actor: &Actor, v: &Values) -> Result<Values> {
        let text = |name: &str| match v.0.get(name) {
            Some(Value::Text(t)) => Some(t.clone()),
            _ => None,
        };
        let forum_name = text("forum").unwrap_or_default();
        let section = text("section").unwrap_or_default();
        let forum = self.find_forum(actor.guild, &forum_name).await?;
        self.require_recorder(actor, &forum).await?;
        let meeting = self
            .minutes_meeting(&forum, text("meeting").as_deref())
            .await?;
        let date = meeting
            .starts_at
            .with_timezone(&forum.time_zone)
            .date_naive();
        let ctx = Ctx {
            forum,
            meeting,
            date,
            addendum: None,
        };
        let m = self.current_minutes(&ctx).await?;
        let doc = parse_stored(&m)?;
        let body = section_of(&doc, &section)?;
        let mut out = Values::default();
        out.insert("text", Value::Text(body));
        Ok(out)
    }

    /// The meeting a minutes command means: the one of the given local date, or the last
    /// one held. An open meeting is refused (its record is not complete).
    async fn minutes_meeting(&self, forum: &Forum, which: Option<&str>) -> Result<Meeting> {
        let now = self.clock.now();
        let found = match which.map(str::trim).filter(|w| !w.is_empty()) {
            None => self.store.last_held_meeting(forum.id, now).await?,
            Some(w) => {
                let date = NaiveDate::parse_from_str(w, "%Y-%m-%d")
                    .map_err(|_| refuse(msg!("error-meeting-unknown", when = w)))?;
                let from = date
                    .and_hms_opt(0, 0, 0)
                    .and_then(|d| d.and_local_timezone(forum.time_zone).earliest())
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| refuse(msg!("error-meeting-unknown", when = w)))?;
                let on_day: Vec<Meeting> = self
                    .store
                    .meetings_from(forum.id, from, 10)
                    .await?
                    .into_iter()
                    .filter(|m| m.starts_at.with_timezone(&forum.time_zone).date_naive() == date)
                    .collect();
                if let Some(open) = on_day.iter().find(|m| m.state == MeetingState::Open) {
                    return Err(self.meeting_open(forum, open));
                }
                let m = on_day.into_iter().find(|m| {
                    matches!(
                        m.state,
                        MeetingState::Held
                            | MeetingState::MinutesDraft
                            | MeetingState::MinutesApproved
                            | MeetingState::Closed
                    )
                });
                if m.is_none() {
                    return Err(refuse(msg!("error-meeting-unknown", when = w)));
                }
                m
            }
        };
        match found {
            Some(m) => Ok(m),
            None => match self.store.open_meeting(forum.id).await? {
                Some(open) => Err(self.meeting_open(forum, &open)),
                None => Err(refuse(msg!(
                    "error-minutes-no-meeting",
                    name = forum.name.as_str()
                ))),
            },
        }
    }

    fn meeting_open(&self, forum: &Forum, _m: &Meeting) -> Error {
        refuse(msg!(
            "error-minutes-meeting-open",
            name = forum.name.as_str()
        ))
    }

    /// The document a command means: the one named, or the latest.
    async fn current_minutes(&self, ctx: &Ctx) -> Result<Minutes> {
        let all = self.store.minutes_of_meeting(ctx.meeting.id).await?;
        pick(ctx, all)
    }

    /// Chairs, secretaries, approvers and managers read drafts; approved minutes anyone.
    async fn require_minutes_reader(&self, actor: &Actor, ctx: &Ctx, m: &Minutes) -> Result<()> {
        if m.state == MinutesState::Approved {
            return Ok(());
        }
        let f = &ctx.forum;
        if [f.chair_role, f.secretary_role, f.approver_role]
            .into_iter()
            .flatten()
            .any(|r| actor.roles.contains(&r))
        {
            return Ok(());
        }
        self.require_manager(actor)
            .await
            .map_err(|_| refuse(msg!("error-minutes-not-reader", name = f.name.as_str())))
    }

    /// The secretary submits: the secretary role (the chair's without one) or a manager.
    async fn require_secretary(&self, actor: &Actor, forum: &Forum) -> Result<()> {
        let role = forum.secretary_role.or(forum.chair_role);
        if role.is_some_and(|r| actor.roles.contains(&r)) {
            return Ok(());
        }
        self.require_manager(actor).await.map_err(|_| {
            refuse(msg!(
                "error-minutes-not-secretary",
                name = forum.name.as_str()
            ))
        })
    }

    /// Only the approver role approves; managers do not stand in for the buyer.
    fn require_approver(&self, actor: &Actor, forum: &Forum) -> Result<()> {
        let Some(role) = forum.approver_role else {
            return Err(refuse(msg!(
                "error-minutes-no-approver-role",
                name = forum.name.as_str()
            )));
        };
        if actor.roles.contains(&role) {
            return Ok(());
        }
        Err(refuse(msg!(
            "error-minutes-not-approver",
            role = Arg::Role(role),
            name = forum.name.as_str()
        )))
    }

    /// Everything the draft is made of, read from the record.
    pub async fn minutes_input(
        &self,
        forum: &Forum,
        meeting: &Meeting,
        lang: Lang,
        secretary: Option<String>,
    ) -> Result<MinutesInput> {
        let tz = forum.time_zone;
        // Every read is independent of the others: asked at once (the pool runs as many
        // as it has connections), not one after another.
        let (
            session,
            channel_name,
            standing,
            settings,
            agenda_items,
            record,
            decisions,
            action_rows,
            following,
        ) = tokio::try_join!(
            async { Ok::<_, Error>(self.store.session(meeting.id).await?) },
            async { Ok::<_, Error>(self.store.channel_name(forum.guild, forum.channel).await?,) },
            async { Ok::<_, Error>(self.store.standing(forum.id).await?) },
            async { Ok::<_, Error>(self.store.agenda_settings(forum.id).await?) },
            async { Ok::<_, Error>(self.store.meeting_items(meeting.id).await?) },
            self.meeting_record(meeting.id, lang),
            async { Ok::<_, Error>(self.store.meeting_decisions_brief(meeting.id).await?,) },
            async {
                Ok::<_, Error>(
                    self.store
                        .meeting_actions_brief(meeting.id, forum.guild)
                        .await?,
                )
            },
            async {
                Ok::<_, Error>(
                    self.store
                        .meetings_from(forum.id, meeting.ends_at, 5)
                        .await?,
                )
            },
        )?;
        let (start, end) = match &session {
            Some(s) => (s.opened_at, s.ended_at.unwrap_or(meeting.ends_at)),
            None => (meeting.starts_at, meeting.ends_at),
        };
        let place = match channel_name {
            Some(name) => format!("Discord #{name}"),
            None => "Discord".to_string(),
        };
        // The agenda's numbered entries, as the meeting ran through them (standing items,
        // proposals or a format's sections, questions): decisions and notes name them by number.
        let mut items: Vec<ItemInput> =
            crate::domain::run::entries(&standing, &agenda_items, settings.format)
                .into_iter()
                .map(|e| ItemInput {
                    position: e.n,
                    title: match e.title {
                        EntryTitle::Typed(t) => t,
                        EntryTitle::Label(l) => Msg::new(l).plain(lang),
                        EntryTitle::Questions(n) => {
                            msg!("run-entry-questions", count = n).plain(lang)
                        }
                    },
                    notes: Vec::new(),
                    decisions: Vec::new(),
                })
                .collect();
        items.sort_by_key(|i| i.position);
        let mut opening = Vec::new();
        for (item, body) in record.notes {
            match item.and_then(|p| items.iter_mut().find(|i| i.position == p)) {
                Some(i) => i.notes.push(body),
                None => opening.push(body),
            }
        }
        let mut other_decisions = Vec::new();
        for (number, title, text, item) in decisions {
            let d = DecisionLine {
                number,
                title,
                text,
            };
            match item.and_then(|p| items.iter_mut().find(|i| i.position == p)) {
                Some(i) => i.decisions.push(d),
                None => other_decisions.push(d),
            }
        }
        let mut actions = Vec::new();
        for (what, owner, name, due) in action_rows {
            let who = name.unwrap_or_else(|| format!("@{}", owner.0));
            actions.push(ActionLine { what, who, due });
        }
        let next_meeting = following
            .into_iter()
            .find(|m| m.id != meeting.id && m.state.is_planned())
            .map(|m| {
                m.starts_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            });
        let role_of = |p: &Person, words: &[&str]| {
            p.role
                .as_deref()
                .map(str::to_lowercase)
                .is_some_and(|r| words.iter().any(|w| r.contains(w)))
        };
        let chair = record
            .present
            .iter()
            .find(|p| role_of(p, &["ordförande", "chair"]))
            .map(|p| p.name.clone());
        let secretary = record
            .present
            .iter()
            .find(|p| role_of(p, &["sekreterare", "secretary"]))
            .map(|p| p.name.clone())
            .or(secretary);
        let _ = lang;
        Ok(MinutesInput {
            forum: forum.name.clone(),
            date: meeting.starts_at.with_timezone(&tz).date_naive(),
            place,
            start: start.with_timezone(&tz).time(),
            end: end.with_timezone(&tz).time(),
            attendees: record.present,
            absentees: record.absent,
            guests: record.guests,
            consent: record.consent,
            opening,
            items,
            other_decisions,
            actions,
            escalations: record.escalations,
            next_meeting,
            chair,
            secretary,
        })
    }

    /// The parts of a meeting's record other areas keep: attendance and consent, notes, and
    /// escalations made in it.
    async fn meeting_record(&self, meeting: MeetingId, lang: Lang) -> Result<MeetingRecord> {
        let mut record = MeetingRecord::default();
        let (attendees, notes, escalations) = tokio::try_join!(
            self.store.attendees(meeting),
            self.store.notes(meeting),
            self.store.escalations_from_meeting(meeting),
        )?;
        let person = |a: &Attendee| Person {
            name: a.name.clone(),
            organisation: a.organisation.clone(),
            role: a.role.clone(),
        };
        for a in &attendees {
            match a.presence {
                Presence::Present => record.present.push(person(a)),
                Presence::Absent => record.absent.push(person(a)),
                Presence::Guest => record.guests.push(person(a)),
            }
        }
        // Consent: asked of those there (present and guests) when anyone answered.
        let there: Vec<&Attendee> = attendees
            .iter()
            .filter(|a| a.presence != Presence::Absent)
            .collect();
        if there.iter().any(|a| a.consent.is_some()) {
            let agreed = there.iter().filter(|a| a.consent == Some(true)).count();
            record.consent = Some((agreed, there.len()));
        }
        record.notes = notes
            .into_iter()
            .map(|n| (n.item, format!("{} ({})", n.body, n.author_name)))
            .collect();
        let forums: Vec<ForumId> = escalations.iter().map(|e| e.to_forum).collect();
        let names: HashMap<ForumId, String> =
            self.store.forum_names(&forums).await?.into_iter().collect();
        for e in escalations {
            let to = names.get(&e.to_forum).cloned().unwrap_or_default();
            let state = match &e.decision_number {
                Some(number) => format!("{} ({number})", e.state.label().plain(lang)),
                None => e.state.label().plain(lang),
            };
            record.escalations.push(EscalationLine {
                to,
                subject: e.subject,
                reason: e.reason,
                state,
            });
        }
        Ok(record)
    }

    async fn minutes_draft(&self, actor: &Actor, ctx: &Ctx) -> Result<Reply> {
        let forum = &ctx.forum;
        self.require_recorder(actor, forum).await?;
        // Independent reads, asked at once; the draft is made outside any transaction.
        let (lang, me, existing) = tokio::try_join!(
            async { Ok::<_, Error>(self.language(Some(actor.guild)).await) },
            async { Ok::<_, Error>(self.store.member_name(actor.guild, actor.user).await?,) },
            async { Ok::<_, Error>(self.store.minutes(ctx.meeting.id, 0).await?) },
        )?;
        let input = self.minutes_input(forum, &ctx.meeting, lang, me).await?;
        let doc = draft(&input, &labels(lang));
        let body = doc.to_markdown();
        let now = self.clock.now();
        let reply = match existing {
            // Regenerating (the usual case): one write, fenced by the version read above (a
            // change meanwhile is refused, as it would be inside a transaction).
            Some(m) => {
                self.editable(ctx, &m)?;
                let old = parse_stored(&m)?;
                let new = self
                    .store
                    .set_minutes_body(
                        m.id,
                        m.version,
                        &body,
                        MinutesEvent::Generated,
                        actor.user,
                        now,
                    )
                    .await
                    .context("regenerating a minutes draft")?
                    .ok_or_else(|| refuse(msg!("error-minutes-changed-meanwhile")))?;
                redrafted(ctx, &new, &old, &doc)
            }
            // The first draft: the document, its version and the meeting's state in one
            // transaction. One drafted meanwhile by someone else is a change meanwhile, refused
            // as a regeneration against an old version is.
            None => {
                let mut tx = self.store.begin().await?;
                if tx.minutes(ctx.meeting.id, 0).await?.is_some() {
                    return Err(refuse(msg!("error-minutes-changed-meanwhile")));
                }
                let m = tx
                    .insert_minutes(&NewMinutes {
                        guild: forum.guild,
                        forum: forum.id,
                        meeting: ctx.meeting.id,
                        seq: 0,
                        body,
                        by: actor.user,
                        at: now,
                    })
                    .await
                    .context("storing a minutes draft")?;
                if let Some(meeting) = tx.meeting_for_update(ctx.meeting.id).await? {
                    if meeting.state == MeetingState::Held {
                        let to = transition(&meeting, MeetingEvent::DraftMinutes)?;
                        tx.change_meeting(&meeting, to, None, None)
                            .await
                            .context("marking a meeting's minutes drafted")?;
                    }
                }
                let reply = Reply::public(vec![
                    msg!(
                        "minutes-drafted",
                        name = forum.name.as_str(),
                        date = ctx.date_text(),
                        version = m.version
                    ),
                    msg!("minutes-outline-hint"),
                ]);
                tx.commit().await.context("committing a minutes draft")?;
                reply
            }
        };
        tracing::info!(forum = %forum.id, meeting = %ctx.meeting.id, "minutes drafted");
        Ok(reply)
    }

    /// Refuses a change of a document that is not a draft (or sent back).
    fn editable(&self, ctx: &Ctx, m: &Minutes) -> Result<()> {
        match m.state {
            s if s.editable() => Ok(()),
            MinutesState::Approved => Err(refuse(msg!("error-minutes-approved-frozen"))),
            s => Err(refuse(msg!(
                "error-minutes-not-editable",
                name = ctx.forum.name.as_str(),
                date = ctx.date_text(),
                doc = doc_name(m.seq),
                state = state_name(s)
            ))),
        }
    }

    async fn minutes_show(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        section: Option<String>,
    ) -> Result<Reply> {
        let m = self.current_minutes(ctx).await?;
        self.require_minutes_reader(actor, ctx, &m).await?;
        let doc = parse_stored(&m)?;
        if let Some(key) = section.filter(|s| !s.trim().is_empty()) {
            let body = section_of(&doc, &key)?;
            return Ok(Reply::private(vec![msg!(
                "minutes-section-text",
                key = Arg::Inline(key.trim().to_string()),
                text = Arg::Typed(body)
            )]));
        }
        let mut lines = vec![msg!(
            "minutes-outline-header",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text(),
            doc = doc_name(m.seq),
            state = state_name(m.state),
            version = m.version
        )];
        for (key, heading) in doc.outline() {
            lines.push(msg!(
                "minutes-outline-line",
                key = Arg::Inline(key),
                heading = Arg::Inline(heading)
            ));
        }
        if let (MinutesState::ChangesRequested, Some(c)) = (m.state, &m.comment) {
            lines.push(msg!("minutes-comment-line", comment = Arg::typed(c)));
        }
        if let Some(sha) = &m.sha256 {
            lines.push(msg!("minutes-sha-line", sha = sha.as_str()));
        }
        if m.state.editable() {
            lines.push(msg!("minutes-outline-hint"));
        }
        Ok(Reply::private(lines))
    }

    async fn minutes_edit(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        section: &str,
        text: &str,
    ) -> Result<Reply> {
        self.require_recorder(actor, &ctx.forum).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = pick(ctx, tx.minutes_of_meeting(ctx.meeting.id).await?)?;
        let m = tx
            .minutes(ctx.meeting.id, m.seq)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("minutes vanished")))?;
        self.editable(ctx, &m)?;
        let old = parse_stored(&m)?;
        let key = section.trim();
        section_of(&old, key)?;
        let new = old.with_section(key, text).map_err(doc_problem)?;
        if new == old {
            return Ok(Reply::private(vec![msg!("minutes-unchanged")]));
        }
        let Some(saved) = tx
            .set_minutes_body(
                m.id,
                m.version,
                &new.to_markdown(),
                MinutesEvent::Edited,
                actor.user,
                now,
            )
            .await
            .context("editing a minutes section")?
        else {
            return Err(refuse(msg!("error-minutes-changed-meanwhile")));
        };
        tx.commit().await.context("committing a minutes edit")?;
        let mut lines = vec![msg!(
            "minutes-edited",
            key = Arg::Inline(key.to_string()),
            version = saved.version
        )];
        lines.extend(change_lines(&old, &new));
        Ok(Reply::private(lines))
    }

    async fn minutes_download(&self, actor: &Actor, ctx: &Ctx) -> Result<Reply> {
        self.require_recorder(actor, &ctx.forum).await?;
        let m = self.current_minutes(ctx).await?;
        Ok(
            Reply::private(vec![msg!("minutes-downloaded")]).with_file(File {
                name: file_name(&ctx.forum, ctx.date, m.seq, "md"),
                bytes: m.body.into_bytes(),
            }),
        )
    }

    async fn minutes_upload(&self, actor: &Actor, ctx: &Ctx, file: &Upload) -> Result<Reply> {
        self.require_recorder(actor, &ctx.forum).await?;
        let name = file.name.to_lowercase();
        if ![".md", ".markdown", ".txt"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            return Err(refuse(msg!(
                "error-minutes-file-not-markdown",
                file = Arg::Inline(crate::domain::text::truncate(&file.name, 80))
            )));
        }
        let size = file.size.max(file.bytes.len() as u64);
        if size > MAX_UPLOAD as u64 {
            return Err(refuse(msg!(
                "error-minutes-file-too-large",
                size = i64::try_from(size).unwrap_or(i64::MAX),
                max = MAX_UPLOAD
            )));
        }
        let new = Document::from_upload(&file.bytes).map_err(doc_problem)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = pick(ctx, tx.minutes_of_meeting(ctx.meeting.id).await?)?;
        let m = tx
            .minutes(ctx.meeting.id, m.seq)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("minutes vanished")))?;
        self.editable(ctx, &m)?;
        let old = parse_stored(&m)?;
        let lines_changed = change_lines(&old, &new);
        if new == old {
            return Ok(Reply::private(lines_changed));
        }
        let Some(saved) = tx
            .set_minutes_body(
                m.id,
                m.version,
                &new.to_markdown(),
                MinutesEvent::Uploaded,
                actor.user,
                now,
            )
            .await
            .context("storing an uploaded minutes file")?
        else {
            return Err(refuse(msg!("error-minutes-changed-meanwhile")));
        };
        tx.commit().await.context("committing a minutes upload")?;
        let mut lines = vec![msg!("minutes-uploaded", version = saved.version)];
        lines.extend(lines_changed);
        Ok(Reply::private(lines))
    }

    async fn minutes_submit(&self, actor: &Actor, ctx: &Ctx) -> Result<Reply> {
        self.require_secretary(actor, &ctx.forum).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = pick(ctx, tx.minutes_of_meeting(ctx.meeting.id).await?)?;
        let m = tx
            .minutes(ctx.meeting.id, m.seq)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("minutes vanished")))?;
        self.editable(ctx, &m)?;
        if tx
            .review_minutes(m.id, &Review::Submit, actor.user, now)
            .await
            .context("submitting minutes")?
            .is_none()
        {
            return Err(refuse(msg!("error-minutes-changed-meanwhile")));
        }
        tx.commit().await.context("committing a submission")?;
        Ok(Reply::public(vec![msg!(
            "minutes-submitted",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text(),
            doc = doc_name(m.seq)
        )]))
    }

    /// The submitted document, locked, or why there is none to review.
    async fn submitted(&self, tx: &mut crate::store::Tx, ctx: &Ctx) -> Result<Minutes> {
        let m = pick(ctx, tx.minutes_of_meeting(ctx.meeting.id).await?)?;
        let m = tx
            .minutes(ctx.meeting.id, m.seq)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("minutes vanished")))?;
        match m.state {
            MinutesState::Submitted => Ok(m),
            MinutesState::Approved => Err(self.already_approved(ctx, &m)),
            s => Err(refuse(msg!(
                "error-minutes-not-submitted",
                name = ctx.forum.name.as_str(),
                date = ctx.date_text(),
                doc = doc_name(m.seq),
                state = state_name(s)
            ))),
        }
    }

    fn already_approved(&self, ctx: &Ctx, m: &Minutes) -> Error {
        refuse(msg!(
            "error-minutes-already-approved",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text(),
            doc = doc_name(m.seq)
        ))
    }

    /// Approval: frozen with its SHA-256, the meeting's minutes approved, the publication
    /// enqueued and the forum's published coming agendas refreshed in the same transaction. Of two approvals at once exactly one passes.
    async fn minutes_approve(&self, actor: &Actor, ctx: &Ctx) -> Result<Reply> {
        self.require_approver(actor, &ctx.forum)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = self.submitted(&mut tx, ctx).await?;
        let sha = sha256_hex(&m.body);
        let Some(approved) = tx
            .review_minutes(m.id, &Review::Approve { sha256: &sha }, actor.user, now)
            .await
            .context("approving minutes")?
        else {
            return Err(self.already_approved(ctx, &m));
        };
        if m.seq == 0 {
            if let Some(meeting) = tx.meeting_for_update(ctx.meeting.id).await? {
                if meeting.state == MeetingState::MinutesDraft {
                    let to = transition(&meeting, MeetingEvent::ApproveMinutes)?;
                    tx.change_meeting(&meeting, to, None, None)
                        .await
                        .context("marking a meeting's minutes approved")?;
                }
            }
        }
        let payload = kinds::MinutesPublishPayload {
            minutes: approved.id.0,
        };
        tx.upsert_pending(
            &kinds::MinutesPublish::job(&approved.id, &payload, now),
            now,
        )
        .await
        .context("enqueueing the minutes' publication")?;
        // The forum's coming agendas list the last approved minutes under "Föregående
        // minnesanteckningar": those already published are redrawn, in the same transaction.
        let coming: Vec<LiveKey> = tx
            .meetings_from(ctx.forum.id, now, 5)
            .await?
            .into_iter()
            .map(|m| LiveKey::Agenda(m.id))
            .collect();
        self.live
            .changed_in(&mut tx, &coming)
            .await
            .context("queueing the agendas' refresh")?;
        tx.commit().await.context("committing an approval")?;
        self.wake.notify();
        tracing::info!(forum = %ctx.forum.id, minutes = approved.id.0, "minutes approved");
        Ok(Reply::public(vec![msg!(
            "minutes-approved",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text(),
            doc = doc_name(m.seq),
            sha = sha
        )]))
    }

    async fn minutes_request_changes(
        &self,
        actor: &Actor,
        ctx: &Ctx,
        comment: &str,
    ) -> Result<Reply> {
        self.require_approver(actor, &ctx.forum)?;
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(refuse(msg!("error-minutes-comment-empty")));
        }
        if comment.chars().count() > MAX_COMMENT {
            return Err(refuse(msg!(
                "error-text-too-long",
                field = Msg::new("field-name").arg("field", "comment"),
                max = MAX_COMMENT
            )));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let m = self.submitted(&mut tx, ctx).await?;
        if tx
            .review_minutes(m.id, &Review::RequestChanges { comment }, actor.user, now)
            .await
            .context("requesting changes")?
            .is_none()
        {
            return Err(refuse(msg!("error-minutes-changed-meanwhile")));
        }
        tx.commit()
            .await
            .context("committing a request for changes")?;
        Ok(Reply::public(vec![
            msg!(
                "minutes-changes-requested",
                name = ctx.forum.name.as_str(),
                date = ctx.date_text(),
                doc = doc_name(m.seq)
            ),
            msg!("minutes-comment-line", comment = Arg::typed(comment)),
        ]))
    }

    async fn minutes_export(&self, actor: &Actor, ctx: &Ctx, format: &str) -> Result<Reply> {
        let format = format.trim().to_lowercase();
        if !matches!(format.as_str(), "md" | "markdown" | "html") {
            return Err(refuse(msg!(
                "error-minutes-format",
                format = Arg::Inline(crate::domain::text::truncate(&format, 20))
            )));
        }
        let ctx = Ctx {
            addendum: Some(ctx.addendum.unwrap_or(0)),
            ..ctx.clone()
        };
        let m = self.current_minutes(&ctx).await?;
        self.require_minutes_reader(actor, &ctx, &m).await?;
        let lang = self.language(Some(actor.guild)).await;
        let (file, label) = if format == "html" {
            let doc = parse_stored(&m)?;
            let title = format!(
                "{} {} {}",
                Msg::new("minutes-md-title").plain(lang),
                ctx.forum.name,
                ctx.date.format("%Y-%m-%d")
            );
            let footer = m.sha256.as_ref().map(|s| format!("SHA-256: {s}"));
            let html = to_html(&doc, &title, lang.code(), footer.as_deref());
            (
                File {
                    name: file_name(&ctx.forum, ctx.date, m.seq, "html"),
                    bytes: html.into_bytes(),
                },
                "HTML",
            )
        } else {
            (
                File {
                    name: file_name(&ctx.forum, ctx.date, m.seq, "md"),
                    bytes: m.body.clone().into_bytes(),
                },
                "Markdown",
            )
        };
        Ok(Reply::private(vec![msg!(
            "minutes-exported",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text(),
            format = label
        )])
        .with_file(file))
    }

    async fn minutes_addendum(&self, actor: &Actor, ctx: &Ctx) -> Result<Reply> {
        self.require_recorder(actor, &ctx.forum).await?;
        let lang = self.language(Some(actor.guild)).await;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let all = tx.minutes_of_meeting(ctx.meeting.id).await?;
        let Some(last) = all.last() else {
            return Err(self.no_minutes(ctx));
        };
        if last.state != MinutesState::Approved {
            return Err(refuse(if last.seq == 0 {
                msg!(
                    "error-minutes-no-addendum-yet",
                    name = ctx.forum.name.as_str(),
                    date = ctx.date_text()
                )
            } else {
                msg!("error-minutes-addendum-open", n = last.seq)
            }));
        }
        let n = last.seq + 1;
        let body = addendum_document(lang, n, &ctx.forum.name, ctx.date).to_markdown();
        tx.insert_minutes(&NewMinutes {
            guild: ctx.forum.guild,
            forum: ctx.forum.id,
            meeting: ctx.meeting.id,
            seq: n,
            body,
            by: actor.user,
            at: now,
        })
        .await
        .context("storing an addendum")?;
        tx.commit().await.context("committing an addendum")?;
        Ok(Reply::public(vec![
            msg!(
                "minutes-addendum-started",
                n = n,
                name = ctx.forum.name.as_str(),
                date = ctx.date_text()
            ),
            msg!("minutes-outline-hint"),
        ]))
    }

    fn no_minutes(&self, ctx: &Ctx) -> Error {
        refuse(msg!(
            "error-minutes-none",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text()
        ))
    }

    /// What the publication job posts: the summary in the guild's language and the file.
    pub async fn minutes_publication(
        &self,
        id: crate::domain::minutes::MinutesId,
    ) -> Result<Option<(Forum, Msg, File)>> {
        let Some(m) = self.store.minutes_by_id(id).await? else {
            return Ok(None);
        };
        let (MinutesState::Approved, Some(sha)) = (m.state, m.sha256.clone()) else {
            return Ok(None);
        };
        let Some(forum) = self.forum_for_job(m.forum).await? else {
            return Ok(None);
        };
        let Some(meeting) = self.store.meeting_by_id(m.meeting).await? else {
            return Ok(None);
        };
        let date = meeting
            .starts_at
            .with_timezone(&forum.time_zone)
            .date_naive();
        let decisions = self.store.meeting_decisions_brief(m.meeting).await?.len();
        let actions = self
            .store
            .meeting_actions_brief(m.meeting, forum.guild)
            .await?
            .len();
        let text = msg!(
            "minutes-published",
            name = forum.name.as_str(),
            date = date.format("%Y-%m-%d").to_string(),
            doc = doc_name(m.seq),
            decisions = decisions,
            actions = actions,
            sha = sha
        );
        let file = File {
            name: file_name(&forum, date, m.seq, "md"),
            bytes: m.body.into_bytes(),
        };
        Ok(Some((forum, text, file)))
    }

    /// The lines the next agenda lists under "Föregående minnesanteckningar": the forum's
    /// approved minutes (and addenda) of the last meeting before `before` that has any.
    pub async fn previous_minutes_lines(
        &self,
        forum: &Forum,
        before: DateTime<Utc>,
    ) -> Result<Vec<Msg>> {
        let found = self
            .store
            .approved_minutes_before(forum.id, before, 10)
            .await?;
        let Some(last_meeting) = found.first().map(|(_, m)| m.id) else {
            return Ok(Vec::new());
        };
        Ok(found
            .iter()
            .filter(|(_, m)| m.id == last_meeting)
            .map(|(n, m)| {
                msg!(
                    "minutes-agenda-previous",
                    name = forum.name.as_str(),
                    date = m
                        .starts_at
                        .with_timezone(&forum.time_zone)
                        .format("%Y-%m-%d")
                        .to_string(),
                    doc = doc_name(n.seq),
                    sha = n.sha256.clone().unwrap_or_default()
                )
            })
            .collect())
    }
}

/// What other areas record of a meeting, as the minutes need it.
#[derive(Debug, Default)]
struct MeetingRecord {
    present: Vec<Person>,
    absent: Vec<Person>,
    guests: Vec<Person>,
    consent: Option<(usize, usize)>,
    /// (agenda position, text)
    notes: Vec<(Option<i64>, String)>,
    escalations: Vec<EscalationLine>,
}

/// A minutes command's forum, meeting and document.
#[derive(Debug, Clone)]
struct Ctx {
    forum: Forum,
    meeting: Meeting,
    /// The meeting's local date.
    date: NaiveDate,
    addendum: Option<i64>,
}

impl Ctx {
    fn date_text(&self) -> String {
        self.date.format("%Y-%m-%d").to_string()
    }
}

/// The document named (or the latest) among a meeting's.
fn pick(ctx: &Ctx, all: Vec<Minutes>) -> Result<Minutes> {
    if all.is_empty() {
        return Err(refuse(msg!(
            "error-minutes-none",
            name = ctx.forum.name.as_str(),
            date = ctx.date_text()
        )));
    }
    match ctx.addendum {
        None => Ok(all.into_iter().last().expect("not empty")),
        Some(n) => all
            .into_iter()
            .find(|m| m.seq == n)
            .ok_or_else(|| refuse(msg!("error-minutes-unknown-doc", n = n))),
    }
}

/// A stored document, split into its sections (stored text always parses).
fn parse_stored(m: &Minutes) -> Result<Document> {
    Document::parse(&m.body).map_err(|e| {
        Error::Internal(anyhow::anyhow!(
            "stored minutes {} do not parse: {e}",
            m.id.0
        ))
    })
}

/// A section's text, if a modal holds it.
fn section_of(doc: &Document, key: &str) -> Result<String> {
    let key = key.trim();
    let Some(s) = doc.section(key) else {
        return Err(refuse(msg!(
            "error-minutes-unknown-section",
            key = Arg::Inline(crate::domain::text::truncate(key, 40)),
            keys = doc.keys().join(", ")
        )));
    };
    let n = s.body.chars().count();
    if n > MAX_MODAL_SECTION {
        return Err(refuse(msg!(
            "error-minutes-section-too-long",
            key = Arg::Inline(key.to_string()),
            length = n,
            max = MAX_MODAL_SECTION
        )));
    }
    Ok(s.body.clone())
}

/// The answer to a regenerated draft: its new version and what changed against `old`.
fn redrafted(ctx: &Ctx, new: &Minutes, old: &Document, doc: &Document) -> Reply {
    let mut lines = vec![msg!(
        "minutes-redrafted",
        name = ctx.forum.name.as_str(),
        date = ctx.date_text(),
        version = new.version
    )];
    lines.extend(change_lines(old, doc));
    Reply::public(lines)
}
