//! The agenda's queries on SQLite and PostgreSQL: items and their history, the version that
//! lets one of two concurrent triages win, ordering, carry-over candidates, settings, standing
//! items, organisations, publications and the forum of a channel.

#[path = "support/db.rs"]
mod db;

use chrono::{DateTime, Duration, TimeZone, Utc};
use samverkan::domain::agenda::{
    AgendaSettings, EmptyPolicy, Format, ItemKind, ItemStatus, NewItem, Place, Wants,
};
use samverkan::domain::forum::{Forum, NewForum};
use samverkan::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use samverkan::domain::meeting::{Meeting, MeetingState, OccurrenceKey};
use samverkan::store::{NewHistory, Store, StoreError};

const G: GuildId = GuildId(900_000_000_000_000_001);
const C: ChannelId = ChannelId(800_000_000_000_000_001);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap()
}

async fn forum(store: &Store, name: &str, channel: ChannelId) -> Forum {
    store
        .create_forum(&NewForum {
            guild: G,
            name: name.into(),
            tier: "delivery".into(),
            channel,
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            created_at: t0(),
        })
        .await
        .unwrap()
}

async fn meeting(store: &Store, f: &Forum, day: u32) -> Meeting {
    let starts = Utc.with_ymd_and_hms(2026, 12, day, 9, 0, 0).unwrap();
    let key = OccurrenceKey::Recurring(chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap());
    store
        .ensure_meeting(f, &key, starts, starts + Duration::hours(1), t0())
        .await
        .unwrap()
}

fn new_item(f: &Forum, m: &Meeting, title: &str) -> NewItem {
    NewItem {
        guild: G,
        forum: f.id,
        meeting: m.id,
        kind: ItemKind::Proposal,
        title: title.into(),
        background: "**bakgrund** @everyone".into(),
        wants: Wants::Decision,
        minutes: Some(15),
        proposer: UserId(10),
        organisation: Some(RoleId(3)),
        source: Some((C, 123_456_789_012_345_678)),
        late_for: None,
        created_at: t0(),
    }
}

on_both_backends!(
    items_round_trip_in_order_with_history,
    an_update_from_an_old_version_changes_nothing,
    settings_standing_organisations_and_publications,
    carry_over_candidates_are_open_items_of_past_or_cancelled_meetings,
    a_capped_insert_stops_at_the_cap_and_refreshes_commit_with_the_transaction,
);

async fn items_round_trip_in_order_with_history(store: Store) {
    let f = forum(&store, "Leveransforum", C).await;
    let m = meeting(&store, &f, 1).await;
    let a = store
        .insert_item(&new_item(&f, &m, "Första"))
        .await
        .unwrap();
    let b = store.insert_item(&new_item(&f, &m, "Andra")).await.unwrap();
    assert_eq!((a.position, b.position), (1, 2));
    assert_eq!(a.version, 1);
    assert_eq!(a.status, ItemStatus::Proposed);
    let read = store.item(a.id).await.unwrap().unwrap();
    assert_eq!(read, a);
    assert_eq!(read.background, "**bakgrund** @everyone", "stored as typed");
    assert_eq!(read.source, Some((C, 123_456_789_012_345_678)));
    let titles: Vec<String> = store
        .meeting_items(m.id)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert_eq!(titles, ["Första", "Andra"]);
    assert_eq!(store.count_items(m.id).await.unwrap(), 2);
    for (event, detail) in [("proposed", None), ("accepted", Some("ok"))] {
        store
            .add_history(&NewHistory {
                item: a.id,
                at: t0(),
                event,
                meeting: Some(m.id),
                actor: Some(UserId(2)),
                detail,
            })
            .await
            .unwrap();
    }
    let h = store.history(a.id).await.unwrap();
    assert_eq!(
        h.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["proposed", "accepted"]
    );
    assert_eq!(h[1].detail.as_deref(), Some("ok"));
    // Newest first for the proposer; LIKE wildcards in a search are literal.
    let mine = store.items_by(G, UserId(10), 10).await.unwrap();
    assert_eq!(mine[0].id, b.id);
    assert!(store
        .items_by(GuildId(1), UserId(10), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.open_items_like(G, "FÖRS", 25).await.unwrap()[0].id,
        a.id
    );
    assert_eq!(
        store.open_items_like(G, "rsta", 25).await.unwrap()[0].id,
        a.id
    );
    assert!(store.open_items_like(G, "%", 25).await.unwrap().is_empty());
    assert_eq!(
        store
            .open_items_like(G, &format!("#{}", b.id.0), 25)
            .await
            .unwrap()[0]
            .id,
        b.id
    );
    assert!(store.meeting_has_agenda_for_test(m.id).await);
}

trait HasAgenda {
    async fn meeting_has_agenda_for_test(&self, m: samverkan::domain::meeting::MeetingId) -> bool;
}

impl HasAgenda for Store {
    async fn meeting_has_agenda_for_test(&self, m: samverkan::domain::meeting::MeetingId) -> bool {
        let mut tx = self.begin().await.unwrap();
        let has = tx.meeting_has_agenda(m).await.unwrap();
        drop(tx);
        has
    }
}

async fn an_update_from_an_old_version_changes_nothing(store: Store) {
    let f = forum(&store, "Leveransforum", C).await;
    let m = meeting(&store, &f, 1).await;
    let a = store
        .insert_item(&new_item(&f, &m, "Första"))
        .await
        .unwrap();
    let mut accepted = a.clone();
    accepted.status = ItemStatus::Accepted;
    let mut rejected = a.clone();
    rejected.status = ItemStatus::Rejected;
    rejected.reason = Some("nej".into());
    assert!(store.update_item(&accepted, t0()).await.unwrap());
    assert!(
        !store.update_item(&rejected, t0()).await.unwrap(),
        "decided from version 1, which is gone"
    );
    let now = store.item(a.id).await.unwrap().unwrap();
    assert_eq!(
        (now.status, now.version, now.reason.clone()),
        (ItemStatus::Accepted, 2, None)
    );

    // Two transactions at once from the same version: exactly one writes.
    let mut deferred = now.clone();
    deferred.status = ItemStatus::Deferred;
    let mut handled = now.clone();
    handled.status = ItemStatus::Handled;
    let (s1, s2) = (store.clone(), store.clone());
    let one = tokio::spawn(async move {
        let mut tx = s1.begin().await.unwrap();
        let ok = tx.update_item(&deferred, t0()).await.unwrap();
        tx.commit().await.unwrap();
        ok
    });
    let two = tokio::spawn(async move {
        let mut tx = s2.begin().await.unwrap();
        let ok = tx.update_item(&handled, t0()).await.unwrap();
        tx.commit().await.unwrap();
        ok
    });
    let (one, two) = (one.await.unwrap(), two.await.unwrap());
    assert!(one != two, "exactly one of two concurrent updates wins");
    assert_eq!(store.item(a.id).await.unwrap().unwrap().version, 3);

    // Ordering renumbers.
    let b = store.insert_item(&new_item(&f, &m, "Andra")).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_positions(&[b.id, a.id]).await.unwrap();
    tx.commit().await.unwrap();
    let order: Vec<_> = store
        .meeting_items(m.id)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(order, [b.id, a.id]);
}

async fn settings_standing_organisations_and_publications(store: Store) {
    let f = forum(&store, "Leveransforum", C).await;
    let g = forum(&store, "Ledningsforum", ChannelId(5)).await;
    assert_eq!(
        store.agenda_settings(f.id).await.unwrap(),
        AgendaSettings::default()
    );
    let s = AgendaSettings {
        deadline_minutes: 36 * 60,
        empty: EmptyPolicy::Cancel,
        format: Some(Format::A3),
    };
    store.set_agenda_settings(f.id, &s).await.unwrap();
    store.set_agenda_settings(f.id, &s).await.unwrap();
    assert_eq!(store.agenda_settings(f.id).await.unwrap(), s);
    assert_eq!(
        store.agenda_settings(g.id).await.unwrap(),
        AgendaSettings::default()
    );

    store
        .add_standing(f.id, "Föregående minnesanteckningar", Place::Start)
        .await
        .unwrap();
    store
        .add_standing(f.id, "Övriga frågor", Place::End)
        .await
        .unwrap();
    store
        .add_standing(f.id, "Resurser", Place::Start)
        .await
        .unwrap();
    assert!(matches!(
        store.add_standing(f.id, "RESURSER", Place::End).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .add_standing(g.id, "Resurser", Place::Start)
        .await
        .unwrap();
    let st = store.standing(f.id).await.unwrap();
    assert_eq!(
        st.iter()
            .map(|s| (s.title.as_str(), s.place))
            .collect::<Vec<_>>(),
        [
            ("Föregående minnesanteckningar", Place::Start),
            ("Övriga frågor", Place::End),
            ("Resurser", Place::Start)
        ]
    );
    assert!(store
        .remove_standing(f.id, " övriga FRÅGOR ")
        .await
        .unwrap());
    assert!(!store.remove_standing(f.id, "Övriga frågor").await.unwrap());

    assert!(store.set_organisation(G, RoleId(3), true).await.unwrap());
    assert!(!store.set_organisation(G, RoleId(3), true).await.unwrap());
    store.set_organisation(G, RoleId(4), true).await.unwrap();
    assert_eq!(
        store.organisations(G).await.unwrap(),
        [RoleId(3), RoleId(4)]
    );
    assert!(store.set_organisation(G, RoleId(3), false).await.unwrap());
    assert_eq!(store.organisations(G).await.unwrap(), [RoleId(4)]);
    assert!(store.organisations(GuildId(1)).await.unwrap().is_empty());

    let m = meeting(&store, &f, 1).await;
    assert!(store.publication(m.id).await.unwrap().is_none());
    let mut tx = store.begin().await.unwrap();
    assert!(tx.set_published(m.id, t0(), "held").await.unwrap());
    assert!(
        !tx.set_published(m.id, t0(), "cancelled").await.unwrap(),
        "once"
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.publication(m.id).await.unwrap(),
        Some((t0(), "held".to_string()))
    );

    assert_eq!(store.forums_in_channel(G, C).await.unwrap(), [f.id]);
    assert!(store
        .forums_in_channel(GuildId(1), C)
        .await
        .unwrap()
        .is_empty());
}

async fn carry_over_candidates_are_open_items_of_past_or_cancelled_meetings(store: Store) {
    let f = forum(&store, "Leveransforum", C).await;
    let other = forum(&store, "Ledningsforum", ChannelId(5)).await;
    let dec1 = meeting(&store, &f, 1).await;
    let dec8 = meeting(&store, &f, 8).await;
    let dec15 = meeting(&store, &f, 15).await;
    let elsewhere = meeting(&store, &other, 1).await;
    let mut ids = Vec::new();
    for (m, title, status) in [
        (&dec1, "öppen", ItemStatus::Accepted),
        (&dec1, "föreslagen", ItemStatus::Proposed),
        (&dec1, "behandlad", ItemStatus::Handled),
        (&dec1, "avslagen", ItemStatus::Rejected),
        (&dec8, "inställt möte", ItemStatus::Accepted),
        (&dec15, "redan där", ItemStatus::Accepted),
    ] {
        let mut i = store.insert_item(&new_item(&f, m, title)).await.unwrap();
        i.status = status;
        assert!(store.update_item(&i, t0()).await.unwrap());
        ids.push(i.id);
    }
    let mut o = new_item(&other, &elsewhere, "annat forum");
    o.forum = other.id;
    store.insert_item(&o).await.unwrap();
    // 8 December cancelled; now: 12 December (1 December is over, 8 December not yet).
    let mut tx = store.begin().await.unwrap();
    tx.change_meeting(&dec8, MeetingState::Cancelled, None, Some("x"))
        .await
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();
    let found: Vec<String> = tx
        .items_to_carry(f.id, dec15.id, now)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(found, ["öppen", "föreslagen", "inställt möte"]);
}

/// A proposal's one-statement insert refuses past the cap (nothing stored), and the live
/// refreshes it asks for inside its transaction (one statement, duplicates joined) exist only
/// once that transaction commits.
async fn a_capped_insert_stops_at_the_cap_and_refreshes_commit_with_the_transaction(store: Store) {
    let f = forum(&store, "Leveransforum", C).await;
    let m = meeting(&store, &f, 1).await;
    let mut tx = store.begin().await.unwrap();
    for (n, title) in ["Första", "Andra", "Tredje"].iter().enumerate() {
        let item = tx
            .insert_item_below(&new_item(&f, &m, title), 3)
            .await
            .unwrap()
            .expect("below the cap");
        assert_eq!(item.position, n as i64 + 1);
    }
    assert!(tx
        .insert_item_below(&new_item(&f, &m, "Fjärde"), 3)
        .await
        .unwrap()
        .is_none());
    tx.live_changed_all(&["agenda:77", "triage:78", "agenda:77"], t0())
        .await
        .unwrap();
    assert!(
        store.job("live:agenda:77").await.unwrap().is_none(),
        "not before the commit"
    );
    tx.commit().await.unwrap();
    assert_eq!(store.count_items(m.id).await.unwrap(), 3);
    for key in ["live:agenda:77", "live:triage:78"] {
        let job = store.job(key).await.unwrap().expect("queued");
        assert_eq!(job.kind, "live");
        assert_eq!(job.due_at, t0() + Duration::seconds(1));
    }
    // Asked again while pending: still one job, still due as first asked.
    let mut tx = store.begin().await.unwrap();
    tx.live_changed_all(&["agenda:77"], t0() + Duration::milliseconds(500))
        .await
        .unwrap();
    tx.live_changed_all(&["agenda:79"], t0()).await.unwrap();
    drop(tx); // rolled back
    let job = store.job("live:agenda:77").await.unwrap().unwrap();
    assert_eq!(job.due_at, t0() + Duration::seconds(1));
    assert!(store.job("live:agenda:79").await.unwrap().is_none());
}
