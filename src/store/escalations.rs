//! Escalations up the ladder: stored when raised, changed by the receiving forum's chair with
//! a conditional update (of two changes at once, one wins), read by forum, state and meeting.

use chrono::{DateTime, Utc};

use super::{from_millis, on_conn, on_pool, to_millis, Conn, Result, Store, StoreError, Tx};
use crate::domain::escalation::{Escalation, EscalationId, EscalationState, NewEscalation};
use crate::domain::ids::{ForumId, GuildId, UserId};
use crate::domain::meeting::MeetingId;
use crate::domain::record::DecisionId;

#[derive(sqlx::FromRow)]
struct EscalationRow {
    id: i64,
    guild_id: i64,
    from_forum: i64,
    to_forum: i64,
    meeting_id: Option<i64>,
    agenda_item: Option<i64>,
    parent_id: Option<i64>,
    subject: String,
    reason: String,
    state: String,
    outcome: Option<String>,
    decision_id: Option<i64>,
    decision_number: Option<String>,
    created_by: i64,
    created_at: i64,
    updated_at: i64,
    decided_by: Option<i64>,
}

impl TryFrom<EscalationRow> for Escalation {
    type Error = StoreError;
    fn try_from(r: EscalationRow) -> Result<Self> {
        Ok(Escalation {
            id: EscalationId(r.id),
            guild: GuildId::from_db(r.guild_id),
            from_forum: ForumId(r.from_forum),
            to_forum: ForumId(r.to_forum),
            meeting: r.meeting_id.map(MeetingId),
            agenda_item: r.agenda_item,
            parent: r.parent_id.map(EscalationId),
            subject: r.subject,
            reason: r.reason,
            state: EscalationState::parse(&r.state)
                .ok_or_else(|| StoreError::Corrupt(format!("escalation state {:?}", r.state)))?,
            outcome: r.outcome,
            decision: r.decision_id.map(DecisionId),
            decision_number: r.decision_number,
            created_by: UserId::from_db(r.created_by),
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
            decided_by: r.decided_by.map(UserId::from_db),
        })
    }
}

/// The columns of an escalation with its decision's number (`e`: escalations, `d`: decisions).
const SELECT: &str = "SELECT e.id, e.guild_id, e.from_forum, e.to_forum, e.meeting_id,
        e.agenda_item, e.parent_id, e.subject, e.reason, e.state, e.outcome, e.decision_id,
        d.number AS decision_number, e.created_by, e.created_at, e.updated_at, e.decided_by
    FROM escalations e LEFT JOIN decisions d ON d.id = e.decision_id";

fn escalations(rows: Vec<EscalationRow>) -> Result<Vec<Escalation>> {
    rows.into_iter().map(Escalation::try_from).collect()
}

/// `AND e.state IN ('open', …)` for the states given (none: every state). The states are our
/// own words, never input.
fn in_states(states: &[EscalationState]) -> String {
    if states.is_empty() {
        return String::new();
    }
    let list = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("AND e.state IN ({list})")
}

/// A change of state to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationChange {
    pub id: EscalationId,
    /// The state it was read in: the change applies only if it still is.
    pub from: EscalationState,
    pub to: EscalationState,
    pub decision: Option<DecisionId>,
    pub outcome: Option<String>,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

impl Conn<'_> {
    async fn insert_escalation(&mut self, e: &NewEscalation) -> Result<EscalationId> {
        let (id,): (i64,) = on_conn!(self, |c| sqlx::query_as(
            "INSERT INTO escalations (guild_id, from_forum, to_forum, meeting_id, agenda_item,
                                      parent_id, subject, reason, state, created_by,
                                      created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $10) RETURNING id"
        )
        .bind(e.guild.to_db())
        .bind(e.from_forum.0)
        .bind(e.to_forum.0)
        .bind(e.meeting.map(|m| m.0))
        .bind(e.agenda_item)
        .bind(e.parent.map(|p| p.0))
        .bind(&e.subject)
        .bind(&e.reason)
        .bind(e.created_by.to_db())
        .bind(to_millis(e.created_at))
        .fetch_one(c)
        .await)?;
        Ok(EscalationId(id))
    }

    async fn escalation(&mut self, guild: GuildId, id: EscalationId) -> Result<Option<Escalation>> {
        let sql = format!("{SELECT} WHERE e.guild_id = $1 AND e.id = $2");
        let row: Option<EscalationRow> = on_conn!(self, |c| sqlx::query_as(&sql)
            .bind(guild.to_db())
            .bind(id.0)
            .fetch_optional(c)
            .await)?;
        row.map(Escalation::try_from).transpose()
    }

    /// Applies a change if the escalation is still in the state it was read in; `false` if
    /// another change came first (nothing written).
    async fn change_escalation(&mut self, ch: &EscalationChange) -> Result<bool> {
        let n = on_conn!(self, |c| sqlx::query(
            "UPDATE escalations SET state = $1, decision_id = COALESCE($2, decision_id),
                    outcome = COALESCE($3, outcome), decided_by = $4, updated_at = $5
             WHERE id = $6 AND state = $7"
        )
        .bind(ch.to.as_str())
        .bind(ch.decision.map(|d| d.0))
        .bind(ch.outcome.as_deref())
        .bind(ch.by.to_db())
        .bind(to_millis(ch.at))
        .bind(ch.id.0)
        .bind(ch.from.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

impl Tx {
    /// Stores a new escalation (open) and returns it.
    pub async fn insert_escalation(&mut self, e: &NewEscalation) -> Result<Escalation> {
        let id = self.write()?.insert_escalation(e).await?;
        self.conn()
            .escalation(e.guild, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("escalation {} not found", id.0)))
    }

    pub async fn escalation(
        &mut self,
        guild: GuildId,
        id: EscalationId,
    ) -> Result<Option<Escalation>> {
        self.conn().escalation(guild, id).await
    }

    /// See [`EscalationChange`]: `false` when another change came first.
    pub async fn change_escalation(&mut self, ch: &EscalationChange) -> Result<bool> {
        self.write()?.change_escalation(ch).await
    }
}

impl Store {
    pub async fn escalation(&self, guild: GuildId, id: EscalationId) -> Result<Option<Escalation>> {
        self.conn().escalation(guild, id).await
    }

    /// An escalation by id alone (jobs carry no guild).
    pub async fn escalation_by_id(&self, id: EscalationId) -> Result<Option<Escalation>> {
        let sql = format!("{SELECT} WHERE e.id = $1");
        let row: Option<EscalationRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        row.map(Escalation::try_from).transpose()
    }

    /// Stores one escalation in a transaction of its own (tests; the use case inserts inside
    /// its own transaction).
    pub async fn insert_escalation(&self, e: &NewEscalation) -> Result<Escalation> {
        let mut tx = self.begin().await?;
        let out = tx.insert_escalation(e).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Applies one change in a transaction of its own (see [`EscalationChange`]).
    pub async fn change_escalation(&self, ch: &EscalationChange) -> Result<bool> {
        let mut tx = self.begin().await?;
        let won = tx.change_escalation(ch).await?;
        tx.commit().await?;
        Ok(won)
    }

    /// The escalations raised from a meeting (its items or subjects), oldest first: what its
    /// minutes list.
    pub async fn escalations_from_meeting(&self, meeting: MeetingId) -> Result<Vec<Escalation>> {
        let sql = format!("{SELECT} WHERE e.meeting_id = $1 ORDER BY e.id");
        let rows: Vec<EscalationRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(meeting.0)
            .fetch_all(p)
            .await)?;
        escalations(rows)
    }

    /// The escalations a forum received in any of `states` (none given: every state), oldest
    /// first.
    pub async fn escalations_to_forum(
        &self,
        forum: ForumId,
        states: &[EscalationState],
    ) -> Result<Vec<Escalation>> {
        let sql = format!(
            "{SELECT} WHERE e.to_forum = $1 {} ORDER BY e.id",
            in_states(states)
        );
        let rows: Vec<EscalationRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .fetch_all(p)
            .await)?;
        escalations(rows)
    }

    /// The escalations a forum raised in any of `states` (none given: every state), oldest
    /// first.
    pub async fn escalations_from_forum(
        &self,
        forum: ForumId,
        states: &[EscalationState],
    ) -> Result<Vec<Escalation>> {
        let sql = format!(
            "{SELECT} WHERE e.from_forum = $1 {} ORDER BY e.id",
            in_states(states)
        );
        let rows: Vec<EscalationRow> = on_pool!(self, |p| sqlx::query_as(&sql)
            .bind(forum.0)
            .fetch_all(p)
            .await)?;
        escalations(rows)
    }

    /// The register: the guild's escalations (to or from one forum, when given) in any of
    /// `states`, newest first, at most `limit`.
    pub async fn escalations_of_guild(
        &self,
        guild: GuildId,
        forum: Option<ForumId>,
        states: &[EscalationState],
        limit: i64,
    ) -> Result<Vec<Escalation>> {
        let of_forum = if forum.is_some() {
            "AND (e.from_forum = $3 OR e.to_forum = $3)"
        } else {
            ""
        };
        let sql = format!(
            "{SELECT} WHERE e.guild_id = $1 {of_forum} {} ORDER BY e.id DESC LIMIT $2",
            in_states(states)
        );
        let rows: Vec<EscalationRow> = on_pool!(self, |p| {
            let q = sqlx::query_as(&sql).bind(guild.to_db()).bind(limit);
            let q = match forum {
                Some(f) => q.bind(f.0),
                None => q,
            };
            q.fetch_all(p).await
        })?;
        escalations(rows)
    }

    /// When the forum's latest meeting (not cancelled) before `before` started, if it had one.
    pub async fn previous_meeting_start(
        &self,
        forum: ForumId,
        before: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>> {
        let row: Option<(i64,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT starts_at FROM meetings WHERE forum_id = $1 AND starts_at < $2
               AND state <> 'cancelled' ORDER BY starts_at DESC LIMIT 1"
        )
        .bind(forum.0)
        .bind(to_millis(before))
        .fetch_optional(p)
        .await)?;
        row.map(|r| from_millis(r.0)).transpose()
    }
}
