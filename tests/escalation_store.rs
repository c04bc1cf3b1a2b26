//! The escalation store on both backends: what is raised reads back by meeting and by
//! receiving forum and state (with the resolving decision's number); a change applies only
//! from the state it was read in, so of concurrent changes exactly one wins.

#[path = "support/db.rs"]
mod db;

use chrono::{Duration, TimeZone, Utc};
use samverkan::domain::escalation::{EscalationId, EscalationState as S, NewEscalation};
use samverkan::domain::forum::{Forum, NewForum};
use samverkan::domain::ids::{ChannelId, ForumId, GuildId, UserId};
use samverkan::domain::meeting::{MeetingId, OccurrenceKey};
use samverkan::domain::record::NewDecision;
use samverkan::store::{EscalationChange, Store};

const G: GuildId = GuildId(900_000_000_000_000_014);

async fn forum(store: &Store, name: &str, up: Option<ForumId>) -> (Forum, MeetingId) {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
    let f = store
        .create_forum(&NewForum {
            guild: G,
            name: name.into(),
            tier: "delivery".into(),
            channel: ChannelId(1),
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: up,
            chair_role: None,
            created_at: now,
        })
        .await
        .unwrap();
    let m = store
        .ensure_meeting(
            &f,
            &OccurrenceKey::Extra(1),
            now,
            now + Duration::hours(1),
            now,
        )
        .await
        .unwrap();
    (f, m.id)
}

fn raise(from: &Forum, to: &Forum, meeting: Option<MeetingId>, subject: &str) -> NewEscalation {
    NewEscalation {
        guild: G,
        from_forum: from.id,
        to_forum: to.id,
        meeting,
        agenda_item: Some(12),
        parent: None,
        subject: subject.into(),
        reason: "Ingen enighet om åtgärden".into(),
        created_by: UserId(7),
        created_at: Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
    }
}

fn change(id: EscalationId, from: S, to: S) -> EscalationChange {
    EscalationChange {
        id,
        from,
        to,
        decision: None,
        outcome: None,
        by: UserId(8),
        at: Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap(),
    }
}

on_both_backends!(
    escalations_read_by_meeting_and_by_receiving_forum_and_state,
    of_concurrent_changes_exactly_one_wins
);

async fn escalations_read_by_meeting_and_by_receiving_forum_and_state(store: Store) {
    let (vf, vm) = forum(&store, "Verkställande forum", None).await;
    let (lf, lm) = forum(&store, "Leveransforum", Some(vf.id)).await;
    let a = store
        .insert_escalation(&raise(&lf, &vf, Some(lm), "Leveransförseningar"))
        .await
        .unwrap();
    let b = store
        .insert_escalation(&raise(&lf, &vf, None, "Fakturering"))
        .await
        .unwrap();
    assert_eq!(a.state, S::Open);
    assert_eq!(a.subject, "Leveransförseningar");
    assert_eq!(a.agenda_item, Some(12));
    assert_eq!(a.meeting, Some(lm));
    assert_eq!(a.created_at, a.updated_at);

    let from_meeting = store.escalations_from_meeting(lm).await.unwrap();
    assert_eq!(from_meeting, vec![a.clone()]);
    assert!(store.escalations_from_meeting(vm).await.unwrap().is_empty());

    // Passed further up: the earlier step is kept.
    let mut onward = raise(&vf, &lf, None, "Leveransförseningar");
    onward.parent = Some(a.id);
    let c = store.insert_escalation(&onward).await.unwrap();
    assert_eq!(c.parent, Some(a.id));

    // Resolve a with a decision of the receiving forum; return b with a reason.
    let d = store
        .record_decision(&NewDecision {
            guild: G,
            forum: vf.id,
            meeting: vm,
            code: vf.code.clone().unwrap(),
            year: 2026,
            title: "Leveranser".into(),
            text: "Det beslutades att …".into(),
            agenda_item: None,
            supersedes: None,
            recorded_by: UserId(8),
            recorded_at: Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap(),
        })
        .await
        .unwrap();
    let mut resolve = change(a.id, S::Open, S::Resolved);
    resolve.decision = Some(d.id);
    assert!(store.change_escalation(&resolve).await.unwrap());
    let mut ret = change(b.id, S::Open, S::Returned);
    ret.outcome = Some("Hanteras i leveransforum".into());
    assert!(store.change_escalation(&ret).await.unwrap());

    let all = store.escalations_to_forum(vf.id, &[]).await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    let resolved = store
        .escalations_to_forum(vf.id, &[S::Resolved])
        .await
        .unwrap();
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].decision, Some(d.id));
    assert_eq!(
        resolved[0].decision_number.as_deref(),
        Some(d.number.as_str())
    );
    assert_eq!(resolved[0].decided_by, Some(UserId(8)));
    assert_eq!(resolved[0].updated_at, resolve.at);
    let active = store
        .escalations_to_forum(vf.id, &[S::Open, S::Accepted])
        .await
        .unwrap();
    assert!(active.is_empty());
    let returned = store
        .escalations_to_forum(vf.id, &[S::Returned])
        .await
        .unwrap();
    assert_eq!(
        returned[0].outcome.as_deref(),
        Some("Hanteras i leveransforum")
    );
    assert_eq!(
        store.escalations_to_forum(lf.id, &[S::Open]).await.unwrap(),
        vec![c.clone()]
    );
    assert_eq!(
        store
            .escalations_from_forum(lf.id, &[S::Resolved, S::Returned])
            .await
            .unwrap()
            .len(),
        2
    );
    // The register: newest first, by forum (to or from) and state.
    let reg = store.escalations_of_guild(G, None, &[], 10).await.unwrap();
    assert_eq!(
        reg.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![c.id, b.id, a.id]
    );
    let reg = store
        .escalations_of_guild(G, Some(lf.id), &[S::Open], 10)
        .await
        .unwrap();
    assert_eq!(reg, vec![c]);
    assert_eq!(store.escalation(GuildId(1), a.id).await.unwrap(), None);
}

async fn of_concurrent_changes_exactly_one_wins(store: Store) {
    let (vf, _) = forum(&store, "Verkställande forum", None).await;
    let (lf, lm) = forum(&store, "Leveransforum", Some(vf.id)).await;
    let e = store
        .insert_escalation(&raise(&lf, &vf, Some(lm), "Leveransförseningar"))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for t in 0..6 {
        let store = store.clone();
        let to = if t % 2 == 0 { S::Returned } else { S::Resolved };
        tasks.push(tokio::spawn(async move {
            let mut ch = change(e.id, S::Open, to);
            ch.outcome = Some(format!("task {t}"));
            store.change_escalation(&ch).await.unwrap()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one change wins");
    let now = store.escalation(G, e.id).await.unwrap().unwrap();
    assert!(!now.state.is_active());
    // A change from a state it is no longer in changes nothing.
    assert!(!store
        .change_escalation(&change(e.id, S::Open, S::Accepted))
        .await
        .unwrap());
    assert_eq!(store.escalation(G, e.id).await.unwrap().unwrap(), now);
}
