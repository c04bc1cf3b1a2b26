//! Running a meeting (issue 11) at service level, on SQLite and PostgreSQL, with a driven
//! clock and the real scheduler over a recording notifier: the record's thread started once
//! and linked from the published agenda; attendance by "I'm here" (twice is once), guests and
//! absentees by the chair; consent asked, answered and changed; the agenda gone through in
//! order with a timebox warning when an item runs over (and none when the chair moved on in
//! time); notes (from the thread's messages once each); a decision under the current item;
//! everything still there after a restart; passed items handled, unreached ones carried over.
//! Bad input is refused and changes nothing.

#[path = "support/db.rs"]
mod db;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/leveransforum.rs"]
mod leveransforum;
#[path = "support/recorder.rs"]
mod recorder;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use db::TestDb;
use harness::{ok, refused, run_job, run_scheduler};
use recorder::Recorder;
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::agenda::{ItemStatus, Place};
use samverkan::domain::ids::{ChannelId, GuildId, MessageRef, RoleId, UserId};
use samverkan::domain::meeting::MeetingId;
use samverkan::domain::record::Presence;
use samverkan::live::LiveKey;
use samverkan::service::{
    Actor, AddAttendee, AddNote, EditForum, ProposeItem, RecordDecision, Services, Triage,
    TriageAction, Which,
};
use samverkan::store::{JobState, Store};

const G: GuildId = GuildId(900_000_000_000_000_011);
const LEV: ChannelId = ChannelId(800_000_000_000_000_011);
const ELSEWHERE: ChannelId = ChannelId(800_000_000_000_000_012);
const CHAIR: RoleId = RoleId(700_000_000_000_000_011);
const SECRETARY: RoleId = RoleId(700_000_000_000_000_012);
const SUPPLIER: RoleId = RoleId(700_000_000_000_000_013);
const ANNA: UserId = UserId(600_000_000_000_000_011);
const BO: UserId = UserId(600_000_000_000_000_012);
const CILLA: UserId = UserId(600_000_000_000_000_013);

on_both_backends_with_db!(
    a_meeting_runs_through_its_agenda_in_its_thread_and_survives_a_restart,
    bad_input_is_refused_and_changes_nothing,
);

fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

fn member(user: UserId, roles: &[RoleId]) -> Actor {
    Actor {
        guild: G,
        user,
        roles: roles.to_vec(),
        manage_guild: false,
    }
}

fn chair() -> Actor {
    member(ANNA, &[CHAIR])
}

/// Tuesday 1 December 2026, 09:00 in Stockholm; the meeting is at 10:30, its agenda closes an
/// hour before.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

fn forum() -> Which {
    Which {
        forum: Some("leveransforum".into()),
        channel: None,
    }
}

fn in_channel(c: ChannelId) -> Which {
    Which {
        forum: None,
        channel: Some(c),
    }
}

fn services(store: &Store, clock: &ManualClock) -> Services {
    Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    )
}

/// Leveransforum (Tuesdays 10:30, agenda deadline 1 h) with a chair and a secretary role,
/// a supplier organisation, three members; on its agenda the standing item "Mötets
/// öppnande" and two accepted proposals, "Leveranstider" (10 min) and "Fakturor" (15 min).
async fn setup(store: &Store, clock: &ManualClock) -> Services {
    leveransforum::setup(
        store,
        clock,
        G,
        &[(LEV, "leveransforum"), (ELSEWHERE, "annat")],
    )
    .await;
    let s = services(store, clock);
    for (role, name) in [
        (CHAIR, "Ordförande"),
        (SECRETARY, "Sekreterare"),
        (SUPPLIER, "Leverantören AB"),
    ] {
        store.upsert_role(G, role, name).await.unwrap();
    }
    store
        .set_guild_language(G, samverkan::i18n::Lang::En, 0)
        .await
        .unwrap();
    for (u, n) in [(ANNA, "Anna"), (BO, "Bo"), (CILLA, "Cilla")] {
        store.upsert_member(G, u, n).await.unwrap();
    }
    ok(
        &s,
        G,
        s.forum_edit(
            &admin(),
            EditForum {
                forum: "leveransforum".into(),
                cadence: Some("weekly tue".into()),
                time: Some("10:30".into()),
                start_date: Some("2026-11-03".into()),
                agenda_deadline: Some("1h".into()),
                chair_role: Some(CHAIR),
                secretary_role: Some(SECRETARY),
                ..EditForum::default()
            },
        )
        .await,
    )
    .await;
    ok(&s, G, s.org_set(&admin(), SUPPLIER, true).await).await;
    ok(
        &s,
        G,
        s.agenda_standing_add(&admin(), "leveransforum", "Mötets öppnande", "start")
            .await,
    )
    .await;
    for (title, minutes) in [("Leveranstider", 10), ("Fakturor", 15)] {
        ok(
            &s,
            G,
            s.agenda_propose(
                &member(BO, &[SUPPLIER]),
                ProposeItem {
                    forum: Some("leveransforum".into()),
                    title: title.into(),
                    minutes: Some(minutes),
                    ..ProposeItem::default()
                },
            )
            .await,
        )
        .await;
    }
    let f = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let m = store
        .meetings_from(f.id, clock.now(), 1)
        .await
        .unwrap()
        .remove(0);
    for i in store.meeting_items(m.id).await.unwrap() {
        ok(
            &s,
            G,
            s.agenda_triage(
                &chair(),
                Triage {
                    item: i.id.0,
                    action: TriageAction::Accept,
                    version: None,
                },
            )
            .await,
        )
        .await;
    }
    s
}

/// An attendee as listed: name, organisation, role, presence, consent.
type Row<'a> = (
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Presence,
    Option<bool>,
);

async fn meeting_id(store: &Store) -> MeetingId {
    let f = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    store
        .meetings_from(f.id, start_time(), 1)
        .await
        .unwrap()
        .remove(0)
        .id
}

async fn statuses(store: &Store, m: MeetingId) -> Vec<(String, ItemStatus)> {
    store
        .meeting_items(m)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.title, i.status))
        .collect()
}

async fn a_meeting_runs_through_its_agenda_in_its_thread_and_survives_a_restart(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let m = meeting_id(&db.store).await;
    let notifier = Recorder::new();
    let running = run_scheduler(&s, &clock, &notifier);
    // The agenda is published at its deadline (09:30 local) by its recurring job.
    clock.set(start_time() + Duration::minutes(30));
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while db.store.publication(m).await.unwrap().is_none() {
        assert!(
            std::time::Instant::now() < end,
            "the agenda was not published"
        );
        s.wake.notify();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // The chair starts it and asks for consent: one thread, recorded on the session.
    let t = ok(
        &s,
        G,
        s.meeting_start_with(&chair(), "leveransforum", None, true)
            .await,
    )
    .await;
    assert!(t.contains("The record is kept in a thread"), "{t}");
    let thread_job = run_job(&s, &clock, &format!("thread:meeting:{}", m.0)).await;
    assert_eq!(thread_job.state, JobState::Done, "{thread_job:?}");
    let threads = notifier.threads();
    assert_eq!(threads.len(), 1, "{threads:?}");
    let (thread_id, parent, name) = threads[0].clone();
    assert_eq!(parent, LEV);
    assert_eq!(name, "Leveransforum 2026-12-01");
    let thread = ChannelId(thread_id);
    let session = db.store.session(m).await.unwrap().unwrap();
    assert_eq!(session.thread, Some(thread));
    assert!(session.consent_asked);
    // The published agenda links to the thread.
    let doc = s.live_document(&LiveKey::Agenda(m)).await.unwrap().unwrap();
    let shown: Vec<String> = doc
        .blocks
        .iter()
        .map(|b| b.plain(samverkan::i18n::Lang::En))
        .collect();
    assert!(
        shown.iter().any(|l| l.contains("its record is in")),
        "{shown:?}"
    );
    // The consent prompt waits for the thread, then is posted in it.
    let prompt = run_job(&s, &clock, &format!("record:{}:post:consent", m.0)).await;
    assert_eq!(prompt.state, JobState::Done, "{prompt:?}");
    assert!(notifier
        .messages(thread)
        .iter()
        .any(|p| p.content.contains("Consent to recording")));

    // Attendance: Bo presses "I'm here" (twice: once on the list), in the thread.
    let bo = member(BO, &[SUPPLIER]);
    let t = ok(&s, G, s.meeting_here(&bo, in_channel(thread)).await).await;
    assert!(t.contains("You are on the attendance list"), "{t}");
    assert!(t.contains("consent"), "asked to answer: {t}");
    let t = ok(&s, G, s.meeting_here(&bo, in_channel(thread)).await).await;
    assert!(t.contains("already"), "{t}");
    // Cilla answers the prompt without pressing "I'm here": she is put on the list.
    ok(
        &s,
        G,
        s.consent_answer(&member(CILLA, &[]), in_channel(thread), true)
            .await,
    )
    .await;
    ok(&s, G, s.consent_answer(&bo, in_channel(thread), true).await).await;
    ok(
        &s,
        G,
        s.consent_answer(&bo, in_channel(thread), false).await,
    )
    .await;
    // The chair adds a guest and an absentee, and takes a wrong entry off.
    for (name, presence, org, role) in [
        ("Åsa Gäst", "guest", Some("Konsulten AB"), Some("Expert")),
        ("Dan Borta", "frånvarande", Some("Leverantören AB"), None),
        ("Fel Person", "present", None, None),
    ] {
        ok(
            &s,
            G,
            s.attendee_add(
                &chair(),
                AddAttendee {
                    which: forum(),
                    name: name.into(),
                    presence: presence.into(),
                    organisation: org.map(Into::into),
                    role: role.map(Into::into),
                    member: None,
                },
            )
            .await,
        )
        .await;
    }
    ok(
        &s,
        G,
        s.attendee_remove(&chair(), forum(), "fel person").await,
    )
    .await;
    let list = db.store.attendees(m).await.unwrap();
    let rows: Vec<Row<'_>> = list
        .iter()
        .map(|a| {
            (
                a.name.as_str(),
                a.organisation.as_deref(),
                a.role.as_deref(),
                a.presence,
                a.consent,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "Bo",
                Some("Leverantören AB"),
                None,
                Presence::Present,
                Some(false)
            ),
            ("Cilla", None, None, Presence::Present, Some(true)),
            (
                "Åsa Gäst",
                Some("Konsulten AB"),
                Some("Expert"),
                Presence::Guest,
                None
            ),
            (
                "Dan Borta",
                Some("Leverantören AB"),
                None,
                Presence::Absent,
                None
            ),
        ]
    );
    let shown = ok(&s, G, s.attendance(&chair(), forum()).await).await;
    assert!(
        shown.contains("Bo, Leverantören AB – present, does not consent"),
        "{shown}"
    );
    assert!(
        shown.contains("Åsa Gäst, Konsulten AB, Expert – guest, has not answered"),
        "{shown}"
    );

    // Through the agenda: 1. the standing item, 2. Leveranstider (10 min).
    ok(&s, G, s.next_item(&chair(), in_channel(thread)).await).await;
    let t0 = clock.now();
    let t = ok(&s, G, s.next_item(&chair(), in_channel(thread)).await).await;
    assert!(t.contains("2. Leveranstider – 10 min"), "{t}");
    let ms = |t: DateTime<Utc>| t.timestamp_millis();
    let shown = run_job(
        &s,
        &clock,
        &format!("record:{}:post:item:2:{}", m.0, ms(t0)),
    )
    .await;
    assert_eq!(shown.state, JobState::Done, "{shown:?}");
    assert!(notifier
        .messages(thread)
        .iter()
        .any(|p| p.content.contains("Leveranstider")));

    // A note from a message in the thread (once), and one typed by the secretary.
    let in_thread = MessageRef {
        guild: G,
        channel: thread,
        message: 1_500_000_000_000_000_001,
    };
    let from_chat = |text: &str| AddNote {
        text: text.into(),
        author: Some(BO),
        source: Some(in_thread),
        ..AddNote::default()
    };
    let secretary = member(CILLA, &[SECRETARY]);
    let t = ok(
        &s,
        G,
        s.note_add(&secretary, from_chat("Leveranserna är sena."))
            .await,
    )
    .await;
    assert!(t.contains("under item 2"), "{t}");
    let t = ok(
        &s,
        G,
        s.note_add(&secretary, from_chat("Leveranserna är sena."))
            .await,
    )
    .await;
    assert!(t.contains("already"), "{t}");
    ok(
        &s,
        G,
        s.note_add(
            &secretary,
            AddNote {
                which: forum(),
                text: "Mötet öppnades.".into(),
                item: Some(1),
                ..AddNote::default()
            },
        )
        .await,
    )
    .await;
    // A decision goes under the current item.
    ok(
        &s,
        G,
        s.decision_record(
            &secretary,
            RecordDecision {
                forum: "leveransforum".into(),
                title: "Nya leveranstider".into(),
                text: "Leveranser sker före kl. 10.".into(),
                ..RecordDecision::default()
            },
        )
        .await,
    )
    .await;
    let d = db
        .store
        .decisions_of_forum(f.id, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(d.agenda_item, Some(2));

    // The chair moves on in time (after 3 of 10 minutes): no warning for item 2; it counts as
    // handled, the item not reached yet does not.
    clock.advance(Duration::minutes(3));
    let t3 = clock.now();
    let t = ok(&s, G, s.next_item(&chair(), in_channel(thread)).await).await;
    assert!(t.contains("3. Fakturor – 15 min"), "{t}");
    assert_eq!(
        statuses(&db.store, m).await,
        vec![
            ("Leveranstider".to_string(), ItemStatus::Handled),
            ("Fakturor".to_string(), ItemStatus::Accepted),
        ]
    );
    let skipped = run_job(
        &s,
        &clock,
        &format!("record:{}:post:overrun:2:{}", m.0, ms(t0)),
    )
    .await;
    assert_eq!(skipped.state, JobState::Skipped, "{skipped:?}");
    let warnings = |n: &Recorder| {
        n.messages(thread)
            .iter()
            .filter(|p| p.content.contains("is used up"))
            .count()
    };
    assert_eq!(warnings(&notifier), 0);

    // A restart mid-meeting: another process's store, services and scheduler see all of it.
    running.stop().await;
    let store = Store::open(&db.url, 2).await.unwrap();
    let s2 = services(&store, &clock);
    let notifier2 = Recorder::new();
    let running = run_scheduler(&s2, &clock, &notifier2);
    let session = store.session(m).await.unwrap().unwrap();
    assert_eq!(
        (session.thread, session.current_item),
        (Some(thread), Some(3))
    );
    assert_eq!(store.attendees(m).await.unwrap(), list);
    let notes = store.notes(m).await.unwrap();
    assert_eq!(
        notes
            .iter()
            .map(|n| (n.item, n.body.as_str(), n.author_name.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (Some(2), "Leveranserna är sena.", "Bo"),
            (Some(1), "Mötet öppnades.", "Cilla"),
        ]
    );
    assert_eq!(notes[0].source, Some(in_thread));
    assert_eq!(notes[0].recorded_by, CILLA);
    // Item 3 runs over its 15 minutes: the warning armed before the restart comes, once.
    let warned = run_job(
        &s2,
        &clock,
        &format!("record:{}:post:overrun:3:{}", m.0, ms(t3)),
    )
    .await;
    assert_eq!(warned.state, JobState::Done, "{warned:?}");
    assert_eq!(clock.now(), t3 + Duration::minutes(15));
    assert_eq!(warnings(&notifier2), 1);
    let t = refused(&s2, G, s2.next_item(&chair(), in_channel(thread)).await).await;
    assert!(t.contains("Item 3 was the last"), "{t}");

    // The end: the current item counts as handled; the thread is closed to notes.
    ok(&s2, G, s2.meeting_end(&chair(), "leveransforum").await).await;
    running.stop().await;
    assert_eq!(
        statuses(&store, m).await,
        vec![
            ("Leveranstider".to_string(), ItemStatus::Handled),
            ("Fakturor".to_string(), ItemStatus::Handled),
        ]
    );
    let t = refused(
        &s2,
        G,
        s2.note_add(&secretary, from_chat("För sent.")).await,
    )
    .await;
    assert!(t.contains("is over"), "{t}");
    assert_eq!(store.notes(m).await.unwrap().len(), 2);
    store.close().await;
}

async fn bad_input_is_refused_and_changes_nothing(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let m = meeting_id(&db.store).await;
    let secretary = member(CILLA, &[SECRETARY]);
    let bo = member(BO, &[SUPPLIER]);
    // No meeting open.
    for t in [
        refused(&s, G, s.meeting_here(&bo, forum()).await).await,
        refused(&s, G, s.next_item(&chair(), forum()).await).await,
        refused(
            &s,
            G,
            s.note_add(
                &secretary,
                AddNote {
                    which: forum(),
                    text: "x".into(),
                    ..AddNote::default()
                },
            )
            .await,
        )
        .await,
        refused(&s, G, s.consent_ask(&chair(), forum()).await).await,
    ] {
        assert!(t.contains("has no meeting open"), "{t}");
    }
    // Which meeting, when neither forum nor a known channel says.
    let t = refused(&s, G, s.meeting_here(&bo, Which::default()).await).await;
    assert!(t.contains("Which meeting"), "{t}");
    let t = refused(&s, G, s.meeting_here(&bo, in_channel(ChannelId(5))).await).await;
    assert!(t.contains("Which meeting"), "{t}");

    ok(
        &s,
        G,
        s.meeting_start(&chair(), "leveransforum", None).await,
    )
    .await;
    // In the forum's channel, the forum is known.
    ok(&s, G, s.meeting_here(&bo, in_channel(LEV)).await).await;
    // Not chair or secretary.
    for t in [
        refused(&s, G, s.next_item(&bo, forum()).await).await,
        refused(&s, G, s.consent_ask(&bo, forum()).await).await,
        refused(&s, G, s.attendee_remove(&bo, forum(), "Bo").await).await,
        refused(
            &s,
            G,
            s.note_add(
                &bo,
                AddNote {
                    which: forum(),
                    text: "x".into(),
                    ..AddNote::default()
                },
            )
            .await,
        )
        .await,
    ] {
        assert!(t.contains("chair") || t.contains("secretary"), "{t}");
    }
    // Consent not asked; a bad presence; nobody of that name; empty and out-of-range notes;
    // a message outside the thread.
    let t = refused(&s, G, s.consent_answer(&bo, forum(), true).await).await;
    assert!(t.contains("has not asked"), "{t}");
    let t = refused(
        &s,
        G,
        s.attendee_add(
            &chair(),
            AddAttendee {
                which: forum(),
                name: "Åsa".into(),
                presence: "kanske".into(),
                ..AddAttendee::default()
            },
        )
        .await,
    )
    .await;
    assert!(t.contains("is not a presence"), "{t}");
    let t = refused(&s, G, s.attendee_remove(&chair(), forum(), "Ingen").await).await;
    assert!(t.contains("Nobody called"), "{t}");
    let note = |text: &str, item: Option<i64>| AddNote {
        which: forum(),
        text: text.into(),
        item,
        ..AddNote::default()
    };
    let t = refused(&s, G, s.note_add(&secretary, note("   ", None)).await).await;
    assert!(t.contains("is empty"), "{t}");
    let t = refused(&s, G, s.note_add(&secretary, note("x", Some(9))).await).await;
    assert!(t.contains("no item 9 (items 1–3)"), "{t}");
    let t = refused(
        &s,
        G,
        s.note_add(
            &secretary,
            AddNote {
                text: "Från fel kanal".into(),
                source: Some(MessageRef {
                    guild: G,
                    channel: ELSEWHERE,
                    message: 77,
                }),
                ..AddNote::default()
            },
        )
        .await,
    )
    .await;
    assert!(
        t.contains("Only messages in a running meeting's thread"),
        "{t}"
    );
    // Past the end of the agenda.
    for _ in 0..3 {
        ok(&s, G, s.next_item(&chair(), forum()).await).await;
    }
    let before = db.store.session(m).await.unwrap();
    let t = refused(&s, G, s.next_item(&chair(), forum()).await).await;
    assert!(t.contains("Item 3 was the last"), "{t}");
    assert_eq!(db.store.session(m).await.unwrap(), before);
    // Nothing of the refused requests was stored.
    let names: Vec<String> = db
        .store
        .attendees(m)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, vec!["Bo".to_string()]);
    assert!(db.store.notes(m).await.unwrap().is_empty());
    // Swedish too.
    db.store
        .set_guild_language(G, samverkan::i18n::Lang::Sv, 0)
        .await
        .unwrap();
    let t = refused(&s, G, s.next_item(&chair(), forum()).await).await;
    assert!(t.contains("var den sista på dagordningen"), "{t}");
    let _ = Place::Start;
}
