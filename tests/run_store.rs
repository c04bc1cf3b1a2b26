//! A running meeting's store on both backends: attendance (a member once, guests and
//! absentees any number, consent answers), notes (once per source message, in order, with
//! their link), and the session's thread, current entry and consent prompt.

#[path = "support/db.rs"]
mod db;

use chrono::{Duration, TimeZone, Utc};
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId, MessageRef, UserId};
use samverkan::domain::meeting::{MeetingId, OccurrenceKey};
use samverkan::domain::record::{Attendee, NewAttendee, NewNote, Presence, Session};
use samverkan::store::Store;

const G: GuildId = GuildId(900_000_000_000_000_002);

async fn meeting(store: &Store) -> MeetingId {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
    let f = store
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
    let mut tx = store.begin().await.unwrap();
    tx.insert_session(
        G,
        &Session {
            meeting: m.id,
            opened_by: UserId(1),
            opened_at: now,
            closes_at: now + Duration::hours(4),
            ended_at: None,
            ended_by: None,
            thread: None,
            current_item: None,
            item_started_at: None,
            consent_asked: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    m.id
}

fn person(m: MeetingId, user: Option<u64>, name: &str, presence: Presence) -> NewAttendee {
    NewAttendee {
        meeting: m,
        user: user.map(UserId),
        name: name.into(),
        organisation: Some("Leverantören AB".into()),
        role: None,
        presence,
        added_by: UserId(1),
        added_at: Utc.with_ymd_and_hms(2026, 12, 1, 8, 1, 0).unwrap(),
    }
}

on_both_backends!(attendance_keeps_a_member_once_and_records_consent);

async fn attendance_keeps_a_member_once_and_records_consent(store: Store) {
    let m = meeting(&store).await;
    let anna = store
        .insert_attendee(&person(m, Some(7), "Anna", Presence::Present))
        .await
        .unwrap()
        .expect("added");
    assert_eq!(
        store
            .insert_attendee(&person(m, Some(7), "Anna igen", Presence::Present))
            .await
            .unwrap(),
        None,
        "a member is on the list once"
    );
    // Guests and absentees without a member: any number, even with the same name.
    let guest = store
        .insert_attendee(&person(m, None, "Åsa Gäst", Presence::Guest))
        .await
        .unwrap()
        .unwrap();
    store
        .insert_attendee(&person(m, None, "Bo Borta", Presence::Absent))
        .await
        .unwrap()
        .unwrap();
    assert!(store.set_consent(anna.id, Some(true)).await.unwrap());
    assert!(store.set_consent(guest.id, Some(false)).await.unwrap());
    assert!(store.set_consent(guest.id, Some(true)).await.unwrap());
    let all = store.attendees(m).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|a| (a.name.as_str(), a.presence, a.consent))
            .collect::<Vec<_>>(),
        vec![
            ("Anna", Presence::Present, Some(true)),
            ("Åsa Gäst", Presence::Guest, Some(true)),
            ("Bo Borta", Presence::Absent, None),
        ]
    );
    assert_eq!(all[0].user, Some(UserId(7)));
    assert_eq!(all[0].organisation.as_deref(), Some("Leverantören AB"));
    // Inside a transaction: found by member and by name (any case), changed, removed.
    let mut tx = store.begin().await.unwrap();
    let found = tx.attendee_of(m, UserId(7)).await.unwrap().unwrap();
    assert_eq!(found, all[0]);
    let named = tx.attendees_named(m, "ÅSA GÄST").await.unwrap();
    assert_eq!(named.len(), 1);
    let bo = tx.attendees_named(m, "bo borta").await.unwrap().remove(0);
    assert!(tx
        .update_attendee(&Attendee {
            presence: Presence::Present,
            role: Some("Ordförande".into()),
            ..bo.clone()
        })
        .await
        .unwrap());
    assert!(tx.remove_attendee(named[0].id).await.unwrap());
    assert!(!tx.remove_attendee(named[0].id).await.unwrap());
    tx.commit().await.unwrap();
    let all = store.attendees(m).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].presence, Presence::Present);
    assert_eq!(all[1].role.as_deref(), Some("Ordförande"));
    assert!(store
        .attendees(MeetingId(m.0 + 1000))
        .await
        .unwrap()
        .is_empty());
}

on_both_backends!(notes_come_once_per_message_in_order_with_their_link);

async fn notes_come_once_per_message_in_order_with_their_link(store: Store) {
    let m = meeting(&store).await;
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 30, 0).unwrap();
    let link = MessageRef {
        guild: G,
        channel: ChannelId(55),
        message: 1_234_567_890_123,
    };
    let note = |item, body: &str, source| NewNote {
        meeting: m,
        item,
        body: body.into(),
        author: UserId(9),
        author_name: "Berit".into(),
        at,
        recorded_by: UserId(2),
        source,
    };
    let first = store
        .insert_note(&note(Some(2), "Leveranserna är försenade.", None))
        .await
        .unwrap()
        .unwrap();
    let from_chat = store
        .insert_note(&note(Some(3), "Från chatten", Some(link)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store
            .insert_note(&note(Some(3), "Från chatten igen", Some(link)))
            .await
            .unwrap(),
        None,
        "one note per message"
    );
    // Notes without a source are never duplicates of each other.
    store
        .insert_note(&note(None, "Allmänt", None))
        .await
        .unwrap()
        .unwrap();
    let notes = store.notes(m).await.unwrap();
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[0], first);
    assert_eq!(notes[1], from_chat);
    assert_eq!(notes[1].source, Some(link));
    assert_eq!(notes[1].item, Some(3));
    assert_eq!(notes[1].author_name, "Berit");
    assert_eq!(notes[1].at, at);
    assert_eq!(notes[2].item, None);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.note_from_message(m, link.message).await.unwrap(),
        Some(from_chat)
    );
    tx.commit().await.unwrap();
}

on_both_backends!(the_session_keeps_its_thread_current_entry_and_consent_prompt);

async fn the_session_keeps_its_thread_current_entry_and_consent_prompt(store: Store) {
    let m = meeting(&store).await;
    let thread = ChannelId(1_400_000_000_000_000_001);
    assert!(store.set_session_thread(m, thread).await.unwrap());
    assert!(
        !store.set_session_thread(m, ChannelId(5)).await.unwrap(),
        "the first thread stays"
    );
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 8, 40, 0).unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.set_current_item(m, 2, at).await.unwrap());
    assert!(tx.set_consent_asked(m).await.unwrap());
    assert!(!tx.set_consent_asked(m).await.unwrap(), "asked once");
    tx.commit().await.unwrap();
    let s = store.session(m).await.unwrap().unwrap();
    assert_eq!(s.thread, Some(thread));
    assert_eq!(s.current_item, Some(2));
    assert_eq!(s.item_started_at, Some(at));
    assert!(s.consent_asked);
    assert_eq!(store.session_in_thread(thread).await.unwrap(), Some(s));
    assert_eq!(store.session_in_thread(ChannelId(5)).await.unwrap(), None);
}
