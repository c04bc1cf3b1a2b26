//! The minutes' queries on SQLite and PostgreSQL: versions and history, review steps as
//! conditional updates (concurrent approvals: exactly one row changes), approved rows frozen
//! by the database itself, and the approved minutes an agenda lists.

#[path = "support/db.rs"]
mod db;

use chrono::{Duration, TimeZone, Utc};
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::domain::meeting::{Meeting, MeetingState, OccurrenceKey};
use samverkan::domain::minutes::{MinutesEvent, MinutesState};
use samverkan::store::{NewMinutes, Review, Store};

const G: GuildId = GuildId(900_000_000_000_000_001);

on_both_backends!(
    versions_and_review_steps_are_conditional,
    concurrent_approvals_change_the_row_once,
    approved_minutes_are_frozen_by_the_database,
    an_agenda_lists_the_last_approved_minutes_before_it,
);

async fn meeting(store: &Store, key: i64, hours_ago: i64) -> Meeting {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    let forum = match store.forum_named(G, "Leveransforum").await.unwrap() {
        Some(f) => f,
        None => store
            .create_forum(&NewForum {
                guild: G,
                name: "Leveransforum".into(),
                tier: "delivery".into(),
                channel: ChannelId(1),
                time_zone: chrono_tz::Europe::Stockholm,
                escalates_to: None,
                chair_role: None,
                created_at: now,
            })
            .await
            .unwrap(),
    };
    let starts = now - Duration::hours(hours_ago);
    let m = store
        .ensure_meeting(
            &forum,
            &OccurrenceKey::Extra(key),
            starts,
            starts + Duration::hours(1),
            now,
        )
        .await
        .unwrap();
    assert!(store.advance_meeting(&m, MeetingState::Open).await.unwrap());
    let m = store.meeting_by_id(m.id).await.unwrap().unwrap();
    assert!(store.advance_meeting(&m, MeetingState::Held).await.unwrap());
    store.meeting_by_id(m.id).await.unwrap().unwrap()
}

fn new(m: &Meeting, seq: i64, body: &str) -> NewMinutes {
    NewMinutes {
        guild: G,
        forum: m.forum,
        meeting: m.id,
        seq,
        body: body.into(),
        by: UserId(1),
        at: Utc.with_ymd_and_hms(2026, 12, 1, 13, 0, 0).unwrap(),
    }
}

async fn versions_and_review_steps_are_conditional(store: Store) {
    let m = meeting(&store, 1, 24).await;
    let at = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let first = tx.insert_minutes(&new(&m, 0, "v1")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((first.state, first.version), (MinutesState::Draft, 1));
    // A second "seq 0" for the meeting is a conflict.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_minutes(&new(&m, 0, "again")).await.is_err());
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    let v2 = tx
        .set_minutes_body(first.id, 1, "v2", MinutesEvent::Edited, UserId(2), at)
        .await
        .unwrap()
        .expect("at version 1");
    // An edit from the stale version 1 changes nothing.
    assert!(tx
        .set_minutes_body(first.id, 1, "stale", MinutesEvent::Edited, UserId(2), at)
        .await
        .unwrap()
        .is_none());
    tx.commit().await.unwrap();
    assert_eq!((v2.version, v2.body.as_str()), (2, "v2"));

    // Approve before submit: no row matches.
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .review_minutes(first.id, &Review::Approve { sha256: "x" }, UserId(3), at)
        .await
        .unwrap()
        .is_none());
    let sub = tx
        .review_minutes(first.id, &Review::Submit, UserId(2), at)
        .await
        .unwrap()
        .unwrap();
    // Submitted text is not edited.
    assert!(tx
        .set_minutes_body(
            first.id,
            sub.version,
            "v3",
            MinutesEvent::Edited,
            UserId(2),
            at
        )
        .await
        .unwrap()
        .is_none());
    let back = tx
        .review_minutes(
            first.id,
            &Review::RequestChanges { comment: "fix" },
            UserId(3),
            at,
        )
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(back.state, MinutesState::ChangesRequested);
    assert_eq!(back.comment.as_deref(), Some("fix"));
    assert_eq!(back.submitted_by, Some(UserId(2)));
    assert_eq!(back.reviewed_by, Some(UserId(3)));
    let history = store.minutes_history(first.id).await.unwrap();
    let events: Vec<(i64, &str)> = history
        .iter()
        .map(|v| (v.version, v.event.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            (1, "generated"),
            (2, "edited"),
            (3, "submitted"),
            (4, "changes_requested")
        ]
    );
    assert_eq!(history[3].comment.as_deref(), Some("fix"));
    assert_eq!(history[1].body, "v2");
}

async fn concurrent_approvals_change_the_row_once(store: Store) {
    let m = meeting(&store, 1, 24).await;
    let mut tx = store.begin().await.unwrap();
    let row = tx.insert_minutes(&new(&m, 0, "text")).await.unwrap();
    tx.review_minutes(row.id, &Review::Submit, UserId(2), Utc::now())
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let approve = |user: u64| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let done = tx
                .review_minutes(
                    row.id,
                    &Review::Approve { sha256: "abc" },
                    UserId(user),
                    Utc::now(),
                )
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.commit().await.unwrap();
            done.is_some()
        }
    };
    let results = futures::future::join_all((10..18).map(|u| tokio::spawn(approve(u)))).await;
    let won = results.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(won, 1, "exactly one approval changes the row");
    let history = store.minutes_history(row.id).await.unwrap();
    assert_eq!(history.iter().filter(|v| v.event == "approved").count(), 1);
}

async fn approved_minutes_are_frozen_by_the_database(store: Store) {
    let m = meeting(&store, 1, 24).await;
    let mut tx = store.begin().await.unwrap();
    let row = tx.insert_minutes(&new(&m, 0, "final text")).await.unwrap();
    tx.review_minutes(row.id, &Review::Submit, UserId(2), Utc::now())
        .await
        .unwrap()
        .unwrap();
    tx.review_minutes(
        row.id,
        &Review::Approve { sha256: "abc" },
        UserId(3),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    assert!(store.force_minutes_body(row.id, "tampered").await.is_err());
    let after = store.minutes_by_id(row.id).await.unwrap().unwrap();
    assert_eq!(after.body, "final text");
    assert_eq!(after.sha256.as_deref(), Some("abc"));
    // A draft is not frozen (the hook itself works).
    let m2 = meeting(&store, 2, 48).await;
    let mut tx = store.begin().await.unwrap();
    let draft = tx.insert_minutes(&new(&m2, 0, "draft")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.force_minutes_body(draft.id, "changed").await.unwrap(),
        1
    );
}

async fn an_agenda_lists_the_last_approved_minutes_before_it(store: Store) {
    let older = meeting(&store, 1, 24 * 14).await;
    let newer = meeting(&store, 2, 24 * 7).await;
    let unapproved = meeting(&store, 3, 24).await;
    for (m, seq, approve) in [
        (&older, 0, true),
        (&newer, 0, true),
        (&newer, 1, true),
        (&unapproved, 0, false),
    ] {
        let mut tx = store.begin().await.unwrap();
        let row = tx.insert_minutes(&new(m, seq, "t")).await.unwrap();
        if approve {
            tx.review_minutes(row.id, &Review::Submit, UserId(2), Utc::now())
                .await
                .unwrap()
                .unwrap();
            tx.review_minutes(
                row.id,
                &Review::Approve { sha256: "s" },
                UserId(3),
                Utc::now(),
            )
            .await
            .unwrap()
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    let found = store
        .approved_minutes_before(
            newer.forum,
            Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap(),
            10,
        )
        .await
        .unwrap();
    let got: Vec<(i64, i64)> = found.iter().map(|(n, m)| (m.id.0, n.seq)).collect();
    assert_eq!(got, [(newer.id.0, 0), (newer.id.0, 1), (older.id.0, 0)]);
    // Before the newer meeting began: only the older one.
    let found = store
        .approved_minutes_before(newer.forum, newer.starts_at, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1.id, older.id);
}
