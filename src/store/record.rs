//! The meeting record: sessions of opened meetings, decisions (numbered and searchable),
//! actions and their reminder opt-outs, and the members seen in a guild.

use chrono::{DateTime, NaiveDate, Utc};

use super::meetings::{MeetingRow, COLUMNS as MEETING_COLUMNS};
use super::{
    conflict_on_unique, from_millis, on_conn, on_pool, to_millis, Backend, Conn, Pool, Result,
    Store, StoreError, Tx,
};
use crate::domain::ids::{ChannelId, ForumId, GuildId, UserId};
use crate::domain::meeting::{Meeting, MeetingId, MeetingState};
use crate::domain::record::{
    decision_number, search_words, Action, ActionId, Decision, DecisionId, NewAction, NewDecision,
    Session,
};
use crate::domain::text::name_key;

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    meeting_id: i64,
    opened_by: i64,
    opened_at: i64,
    closes_at: i64,
    ended_at: Option<i64>,
    ended_by: Option<i64>,
    thread_id: Option<i64>,
    current_item: Option<i64>,
    item_started_at: Option<i64>,
    consent_asked: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> Result<Self> {
        Ok(Session {
            meeting: MeetingId(r.meeting_id),
            opened_by: UserId::from_db(r.opened_by),
            opened_at: from_millis(r.opened_at)?,
            closes_at: from_millis(r.closes_at)?,
            ended_at: r.ended_at.map(from_millis).transpose()?,
            ended_by: r.ended_by.map(UserId::from_db),
            thread: r.thread_id.map(ChannelId::from_db),
            current_item: r.current_item,
            item_started_at: r.item_started_at.map(from_millis).transpose()?,
            consent_asked: r.consent_asked != 0,
        })
    }
}

pub(super) const SESSION_COLUMNS: &str = "meeting_id, opened_by, opened_at, closes_at, ended_at,
    ended_by, thread_id, current_item, item_started_at, consent_asked";

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: i64,
    guild_id: i64,
    forum_id: i64,
    meeting_id: i64,
    year: i64,
    seq: i64,
    number: String,
    title: String,
    body: String,
    agenda_item: Option<i64>,
    supersedes: Option<i64>,
    recorded_by: i64,
    recorded_at: i64,
}

impl TryFrom<DecisionRow> for Decision {
    type Error = StoreError;
    fn try_from(r: DecisionRow) -> Result<Self> {
        Ok(Decision {
            id: DecisionId(r.id),
            guild: GuildId::from_db(r.guild_id),
            forum: ForumId(r.forum_id),
            meeting: MeetingId(r.meeting_id),
            year: i32::try_from(r.year)
                .map_err(|_| StoreError::Corrupt(format!("decision year {}", r.year)))?,
            seq: r.seq,
            number: r.number,
            title: r.title,
            text: r.body,
            agenda_item: r.agenda_item,
            supersedes: r.supersedes.map(DecisionId),
            recorded_by: UserId::from_db(r.recorded_by),
            recorded_at: from_millis(r.recorded_at)?,
        })
    }
}

const DECISION_COLUMNS: &str = "id, guild_id, forum_id, meeting_id, year, seq, number, title, body,
    agenda_item, supersedes, recorded_by, recorded_at";

/// How many of the newest decisions PostgreSQL's search tests one by one before it asks the
/// GIN index for every match (see `Store::search_decisions`): a word in 1 % of the decisions
/// still fills a page of 10 from them.
const SEARCH_WINDOW: i64 = 1_000;

fn decisions(rows: Vec<DecisionRow>) -> Result<Vec<Decision>> {
    rows.into_iter().map(Decision::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    guild_id: i64,
    forum_id: i64,
    meeting_id: Option<i64>,
    what: String,
    owner_id: i64,
    due_date: String,
    created_by: i64,
    created_at: i64,
    done_at: Option<i64>,
    done_by: Option<i64>,
}

impl TryFrom<ActionRow> for Action {
    type Error = StoreError;
    fn try_from(r: ActionRow) -> Result<Self> {
        Ok(Action {
            id: ActionId(r.id),
            guild: GuildId::from_db(r.guild_id),
            forum: ForumId(r.forum_id),
            meeting: r.meeting_id.map(MeetingId),
            what: r.what,
            owner: UserId::from_db(r.owner_id),
            due: NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt(format!("action due date {:?}", r.due_date)))?,
            created_by: UserId::from_db(r.created_by),
            created_at: from_millis(r.created_at)?,
            done_at: r.done_at.map(from_millis).transpose()?,
            done_by: r.done_by.map(UserId::from_db),
        })
    }
}

const ACTION_COLUMNS: &str = "id, guild_id, forum_id, meeting_id, what, owner_id, due_date,
    created_by, created_at, done_at, done_by";

fn actions(rows: Vec<ActionRow>) -> Result<Vec<Action>> {
    rows.into_iter().map(Action::try_from).collect()
}

/// Which actions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionFilter {
    /// Not done yet.
    Open,
    /// Not done and due before this local date.
    OverdueOn(NaiveDate),
    /// Done or not.
    All,
}

impl ActionFilter {
    /// The condition, its date bound to placeholder `$n`.
    fn sql(self, n: usize) -> String {
        match self {
            ActionFilter::Open => "AND done_at IS NULL".to_string(),
            ActionFilter::OverdueOn(_) => format!("AND done_at IS NULL AND due_date < ${n}"),
            ActionFilter::All => String::new(),
        }
    }

    fn date(self) -> String {
        match self {
            ActionFilter::OverdueOn(d) => d.format("%Y-%m-%d").to_string(),
            _ => String::new(),
        }
    }
}

/// Record queries a use case runs inside its transaction.
impl Conn<'_> {
    /// The forum's open meeting (the latest, should there be two), locked on PostgreSQL.
    async fn open_meeting(&mut self, forum: ForumId) -> Result<Option<Meeting>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE forum_id = $1 AND state = $2
             ORDER BY starts_at DESC, id DESC LIMIT 1 {lock}"
        );
        let row: Option<MeetingRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(MeetingState::Open.as_str())
            .fetch_optional(c)
            .await)?;
        row.map(Meeting::try_from).transpose()
    }

    async fn session(&mut self, meeting: MeetingId) -> Result<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM meeting_sessions WHERE meeting_id = $1");
        let row: Option<SessionRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_optional(c)
            .await)?;
        row.map(Session::try_from).transpose()
    }

    async fn insert_session(&mut self, guild: GuildId, s: &Session) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "INSERT INTO meeting_sessions (meeting_id, guild_id, opened_by, opened_at, closes_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(s.meeting.0)
        .bind(guild.to_db())
        .bind(s.opened_by.to_db())
        .bind(to_millis(s.opened_at))
        .bind(to_millis(s.closes_at))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(|e| conflict_on_unique(e, "meeting session"))?;
        Ok(())
    }

    async fn end_session(
        &mut self,
        meeting: MeetingId,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_conn!(self, |c| sqlx::query(
            "UPDATE meeting_sessions SET ended_at = $1, ended_by = $2
             WHERE meeting_id = $3 AND ended_at IS NULL"
        )
        .bind(to_millis(at))
        .bind(by.map(UserId::to_db))
        .bind(meeting.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The next number of a forum's year: the counter row is created or raised and read in one
    /// statement. The row stays locked (PostgreSQL) or the database write-locked (SQLite)
    /// until the transaction ends, so concurrent recorders take turns; a rolled-back
    /// transaction gives its number back. No gaps, no duplicates.
    async fn next_decision_seq(&mut self, forum: ForumId, year: i32) -> Result<i64> {
        let (last,): (i64,) = on_conn!(self, |c| sqlx::query_as(
            "INSERT INTO decision_counters (forum_id, year, last) VALUES ($1, $2, 1)
             ON CONFLICT (forum_id, year) DO UPDATE SET last = decision_counters.last + 1
             RETURNING last"
        )
        .bind(forum.0)
        .bind(i64::from(year))
        .fetch_one(c)
        .await)?;
        Ok(last)
    }

    async fn insert_decision(&mut self, d: &NewDecision, seq: i64) -> Result<Decision> {
        let number = decision_number(&d.code, d.year, seq);
        let sql = format!(
            "INSERT INTO decisions (guild_id, forum_id, meeting_id, year, seq, code, number,
                                    title, body, agenda_item, supersedes, recorded_by,
                                    recorded_at, search_text)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING {DECISION_COLUMNS}"
        );
        let search = search_words(&format!("{}\n{}", d.title, d.text));
        let row: DecisionRow = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(d.guild.to_db())
            .bind(d.forum.0)
            .bind(d.meeting.0)
            .bind(i64::from(d.year))
            .bind(seq)
            .bind(&d.code)
            .bind(&number)
            .bind(&d.title)
            .bind(&d.text)
            .bind(d.agenda_item)
            .bind(d.supersedes.map(|s| s.0))
            .bind(d.recorded_by.to_db())
            .bind(to_millis(d.recorded_at))
            .bind(&search)
            .fetch_one(c)
            .await)
        .map_err(|e| conflict_on_unique(e, "decision number"))?;
        row.try_into()
    }

    async fn decision_numbered(
        &mut self,
        guild: GuildId,
        number: &str,
    ) -> Result<Option<Decision>> {
        let sql =
            format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE guild_id = $1 AND number = $2");
        let row: Option<DecisionRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(number.trim().to_ascii_uppercase())
            .fetch_optional(c)
            .await)?;
        row.map(Decision::try_from).transpose()
    }

    async fn insert_action(&mut self, a: &NewAction) -> Result<Action> {
        let sql = format!(
            "INSERT INTO actions (guild_id, forum_id, meeting_id, what, owner_id, due_date,
                                  created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ACTION_COLUMNS}"
        );
        let row: ActionRow = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(a.guild.to_db())
            .bind(a.forum.0)
            .bind(a.meeting.map(|m| m.0))
            .bind(&a.what)
            .bind(a.owner.to_db())
            .bind(a.due.format("%Y-%m-%d").to_string())
            .bind(a.created_by.to_db())
            .bind(to_millis(a.created_at))
            .fetch_one(c)
            .await)?;
        row.try_into()
    }

    async fn action(&mut self, guild: GuildId, id: ActionId) -> Result<Option<Action>> {
        let sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE guild_id = $1 AND id = $2");
        let row: Option<ActionRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        row.map(Action::try_from).transpose()
    }

    /// Marks an open action done; `false` if it was done already.
    async fn finish_action(&mut self, id: ActionId, by: UserId, at: DateTime<Utc>) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "UPDATE actions SET done_at = $1, done_by = $2 WHERE id = $3 AND done_at IS NULL"
        )
        .bind(to_millis(at))
        .bind(by.to_db())
        .bind(id.0)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Tx {
    /// The forum's open meeting, locked so it cannot end while the caller records into it.
    pub async fn open_meeting(&mut self, forum: ForumId) -> Result<Option<Meeting>> {
        self.conn().open_meeting(forum).await
    }

    pub async fn session(&mut self, meeting: MeetingId) -> Result<Option<Session>> {
        self.conn().session(meeting).await
    }

    pub async fn insert_session(&mut self, guild: GuildId, s: &Session) -> Result<()> {
        self.write()?.insert_session(guild, s).await
    }

    pub async fn end_session(
        &mut self,
        meeting: MeetingId,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.write()?.end_session(meeting, by, at).await
    }

    /// Numbers and stores a decision (see `next_decision_seq`): two writes, one transaction.
    pub async fn record_decision(&mut self, d: &NewDecision) -> Result<Decision> {
        let seq = self.write()?.next_decision_seq(d.forum, d.year).await?;
        self.write()?.insert_decision(d, seq).await
    }

    pub async fn decision_numbered(
        &mut self,
        guild: GuildId,
        number: &str,
    ) -> Result<Option<Decision>> {
        self.conn().decision_numbered(guild, number).await
    }

    pub async fn insert_action(&mut self, a: &NewAction) -> Result<Action> {
        self.write()?.insert_action(a).await
    }

    pub async fn action(&mut self, guild: GuildId, id: ActionId) -> Result<Option<Action>> {
        self.conn().action(guild, id).await
    }

    pub async fn finish_action(
        &mut self,
        id: ActionId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        self.write()?.finish_action(id, by, at).await
    }
}

impl Store {
    /// The forum's open meeting, if any.
    pub async fn open_meeting(&self, forum: ForumId) -> Result<Option<Meeting>> {
        self.conn().open_meeting(forum).await
    }

    pub async fn session(&self, meeting: MeetingId) -> Result<Option<Session>> {
        self.conn().session(meeting).await
    }

    /// Numbers and stores one decision in a transaction of its own (tests, benchmarks; the
    /// use case records inside its own transaction).
    pub async fn record_decision(&self, d: &NewDecision) -> Result<Decision> {
        let mut tx = self.begin().await?;
        let decision = tx.record_decision(d).await?;
        tx.commit().await?;
        Ok(decision)
    }

    /// A decision by its number (`LF-2026-07`, any case) within the guild.
    pub async fn decision_numbered(
        &self,
        guild: GuildId,
        number: &str,
    ) -> Result<Option<Decision>> {
        self.conn().decision_numbered(guild, number).await
    }

    pub async fn decision(&self, guild: GuildId, id: DecisionId) -> Result<Option<Decision>> {
        let sql =
            format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE guild_id = $1 AND id = $2");
        let row: Option<DecisionRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        row.map(Decision::try_from).transpose()
    }

    /// Decisions that supersede this one.
    pub async fn superseded_by(&self, id: DecisionId) -> Result<Vec<Decision>> {
        let sql =
            format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE supersedes = $1 ORDER BY id");
        let rows: Vec<DecisionRow> =
            on_pool!(self, |p| sqlx::query_as(&sql).bind(id.0).fetch_all(p).await)?;
        decisions(rows)
    }

    /// A forum's latest decisions, newest first.
    pub async fn decisions_of_forum(&self, forum: ForumId, limit: i64) -> Result<Vec<Decision>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE forum_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<DecisionRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .bind(limit)
            .fetch_all(p)
            .await)?;
        decisions(rows)
    }

    /// Every decision of a forum in number order (export).
    pub async fn all_decisions_of_forum(&self, forum: ForumId) -> Result<Vec<Decision>> {
        let sql = format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE forum_id = $1 ORDER BY year, seq"
        );
        let rows: Vec<DecisionRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .fetch_all(p)
            .await)?;
        decisions(rows)
    }

    /// Decisions of the guild (or one forum) whose title or text has a word starting with each
    /// of `words` (lower-case letters and digits, see `domain::record::query_words`), newest
    /// first. SQLite asks its FTS5 table, PostgreSQL its tsvector column: both index the same
    /// words, so both answer alike.
    ///
    /// Neither backend may count or sort every match of a common word (a prefix such as `lev`
    /// matches most of 100,000 decisions): SQLite lets FTS5 walk its index newest first and
    /// stops at `limit`; PostgreSQL, whose GIN index has no order, first tests the newest
    /// [`SEARCH_WINDOW`] decisions of the guild (or forum) one by one, and only when they hold
    /// fewer than `limit` matches (a rare word) asks the GIN index for every match.
    pub async fn search_decisions(
        &self,
        guild: GuildId,
        forum: Option<ForumId>,
        words: &[String],
        limit: i64,
    ) -> Result<Vec<Decision>> {
        // Words are letters and digits only: nothing in them can break out of the quoting.
        let in_forum = if forum.is_some() {
            "AND d.forum_id = $4"
        } else {
            ""
        };
        match &self.pool {
            Pool::Sqlite(p) => {
                // FTS5 gives its matches in rowid order when asked to (`ORDER BY rowid DESC`
                // on the FTS table itself, read first: CROSS JOIN keeps that order of the
                // join); the decisions are looked up by rowid for the guild and forum test.
                let sql = format!(
                    "SELECT {DECISION_COLUMNS} FROM decisions WHERE id IN (
                         SELECT d.id FROM decisions_fts CROSS JOIN decisions d
                             ON d.id = decisions_fts.rowid
                          WHERE decisions_fts MATCH $2 AND d.guild_id = $1 {in_forum}
                          ORDER BY decisions_fts.rowid DESC LIMIT $3)
                     ORDER BY id DESC"
                );
                let query = words
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let q = sqlx::query_as(&sql)
                    .bind(guild.to_db())
                    .bind(&query)
                    .bind(limit);
                let q = match forum {
                    Some(f) => q.bind(f.0),
                    None => q,
                };
                let rows: Vec<DecisionRow> = q.fetch_all(p).await?;
                decisions(rows)
            }
            Pool::Postgres(p) => {
                let query = words
                    .iter()
                    .map(|w| format!("'{w}':*"))
                    .collect::<Vec<_>>()
                    .join(" & ");
                // The newest decisions of the forum (its (forum_id, id) index read backwards)
                // or, without one, of the guild ((guild_id, id)), tested one by one; the scan
                // stops at `limit` matches. One equality only, which that index answers in
                // order: with two, a planner without statistics may combine both indexes and
                // sort the whole guild.
                let newest = if forum.is_some() {
                    "d.forum_id = $4"
                } else {
                    "d.guild_id = $1"
                };
                let recent = format!(
                    "SELECT {DECISION_COLUMNS} FROM (
                         SELECT {DECISION_COLUMNS}, search FROM decisions d
                          WHERE {newest} ORDER BY d.id DESC LIMIT {SEARCH_WINDOW}
                     ) w WHERE w.guild_id = $1 AND w.search @@ CAST($2 AS tsquery)
                     ORDER BY w.id DESC LIMIT $3"
                );
                // Every match from the GIN index, then sorted. `+ 0` keeps the planner on the
                // GIN index: neither walking the id index (its estimate of a prefix's matches
                // is a guess, and a rare word would read the whole table) nor combining the
                // guild's or forum's index (every decision of the guild).
                let forum_test = if forum.is_some() {
                    "AND d.forum_id + 0 = $4"
                } else {
                    ""
                };
                let all = format!(
                    "SELECT {DECISION_COLUMNS} FROM decisions d
                      WHERE d.search @@ CAST($2 AS tsquery) AND d.guild_id + 0 = $1 {forum_test}
                      ORDER BY d.id + 0 DESC LIMIT $3"
                );
                let mut rows: Vec<DecisionRow> = Vec::new();
                for sql in [recent, all] {
                    let q = sqlx::query_as(&sql)
                        .bind(guild.to_db())
                        .bind(&query)
                        .bind(limit);
                    let q = match forum {
                        Some(f) => q.bind(f.0),
                        None => q,
                    };
                    rows = q.fetch_all(p).await?;
                    if rows.len() as i64 >= limit {
                        break;
                    }
                }
                decisions(rows)
            }
        }
    }

    pub async fn action(&self, guild: GuildId, id: ActionId) -> Result<Option<Action>> {
        self.conn().action(guild, id).await
    }

    /// The forum of an action by id alone (for jobs, which carry no guild).
    pub async fn action_forum(&self, id: ActionId) -> Result<Option<ForumId>> {
        let row: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT forum_id FROM actions WHERE id = $1"
        )
        .bind(id.0)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| ForumId(r.0)))
    }

    /// A forum's actions, by due date.
    pub async fn actions_of_forum(
        &self,
        forum: ForumId,
        filter: ActionFilter,
    ) -> Result<Vec<Action>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE forum_id = $1 {}
             ORDER BY due_date, id",
            filter.sql(2)
        );
        let rows: Vec<ActionRow> = on_pool!(self, |p| {
            let q = sqlx::query_as(&sql).bind(forum.0);
            let q = match filter {
                ActionFilter::OverdueOn(_) => q.bind(filter.date()),
                _ => q,
            };
            q.fetch_all(p).await
        })?;
        actions(rows)
    }

    /// A member's actions in the guild, by due date.
    pub async fn actions_of_owner(
        &self,
        guild: GuildId,
        owner: UserId,
        filter: ActionFilter,
    ) -> Result<Vec<Action>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE guild_id = $1 AND owner_id = $2 {}
             ORDER BY due_date, id",
            filter.sql(3)
        );
        let rows: Vec<ActionRow> = on_pool!(self, |p| {
            let q = sqlx::query_as(&sql).bind(guild.to_db()).bind(owner.to_db());
            let q = match filter {
                ActionFilter::OverdueOn(_) => q.bind(filter.date()),
                _ => q,
            };
            q.fetch_all(p).await
        })?;
        actions(rows)
    }

    /// Turns a member's action reminder DMs on or off in a guild.
    pub async fn set_action_reminders(&self, guild: GuildId, user: UserId, on: bool) -> Result<()> {
        let sql = if on {
            "DELETE FROM action_reminder_optouts WHERE guild_id = $1 AND user_id = $2"
        } else {
            "INSERT INTO action_reminder_optouts (guild_id, user_id) VALUES ($1, $2)
             ON CONFLICT (guild_id, user_id) DO NOTHING"
        };
        on_pool!(self, |p| sqlx::query(sql)
            .bind(guild.to_db())
            .bind(user.to_db())
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether the member turned action reminders off.
    pub async fn action_reminders_off(&self, guild: GuildId, user: UserId) -> Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT user_id FROM action_reminder_optouts WHERE guild_id = $1 AND user_id = $2"
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .fetch_optional(p)
        .await)?;
        Ok(row.is_some())
    }

    /// Records a member as seen (Discord resolved them as one, or the shell made them up).
    pub async fn upsert_member(&self, guild: GuildId, user: UserId, name: &str) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO members (guild_id, user_id, name, name_key) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guild_id, user_id) DO UPDATE SET name = excluded.name,
                                                          name_key = excluded.name_key"
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .bind(name)
        .bind(name_key(name))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets a member (Discord resolved the user without membership, or they left).
    pub async fn remove_member(&self, guild: GuildId, user: UserId) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "DELETE FROM members WHERE guild_id = $1 AND user_id = $2"
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn is_member(&self, guild: GuildId, user: UserId) -> Result<bool> {
        let row: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT user_id FROM members WHERE guild_id = $1 AND user_id = $2"
        )
        .bind(guild.to_db())
        .bind(user.to_db())
        .fetch_optional(p)
        .await)?;
        Ok(row.is_some())
    }

    /// A member by name, case-insensitive.
    pub async fn member_named(&self, guild: GuildId, name: &str) -> Result<Option<UserId>> {
        let row: Option<(i64,)> = on_pool!(self, |p| {
            sqlx::query_as(
            "SELECT user_id FROM members WHERE guild_id = $1 AND name_key = $2 ORDER BY user_id LIMIT 1"
        )
        .bind(guild.to_db())
        .bind(name_key(name.trim()))
        .fetch_optional(p)
        .await
        })?;
        Ok(row.map(|r| UserId::from_db(r.0)))
    }
}
