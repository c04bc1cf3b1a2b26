//! Use-case transactions, on SQLite and on PostgreSQL: every use case that writes more than
//! one row is stopped by an injected failure before each of its writes in turn (the store's
//! test failpoint; the database is real), and each time nothing of it is found afterwards.
//! Then it runs to the end and its writes are all there.

#[path = "support/db.rs"]
mod db;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/ladder.rs"]
mod ladder;
#[path = "support/leveransforum.rs"]
mod leveransforum;
#[path = "support/minutes_forum.rs"]
mod minutes_forum;
#[path = "support/recorder.rs"]
mod recorder;

use std::future::Future;

use chrono::{TimeZone, Utc};
use samverkan::clock::{Clock, ManualClock};
use samverkan::discord::render::DiscordRender;
use samverkan::domain::agenda::TriageAction;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::service::{
    Actor, EditForum, Presented, ProposeItem, Services, SetupForums, Status, Triage,
};
use sqlx::Connection;

use db::TestDb;

const G: GuildId = GuildId(900_000_000_000_000_001);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
const SAMVERKAN: ChannelId = ChannelId(800_000_000_000_000_002);

/// The tables a use case writes.
const TABLES: [&str; 18] = [
    "forums",
    "meetings",
    "jobs",
    "discord_event_mirrors",
    "agenda_items",
    "agenda_history",
    "agenda_publications",
    "agenda_settings",
    "agenda_standing",
    "meeting_sessions",
    "decisions",
    "decision_counters",
    "actions",
    "meeting_attendees",
    "meeting_notes",
    "escalations",
    "minutes",
    "minutes_versions",
];

on_both_backends_with_db!(
    forum_edit_is_all_or_nothing,
    forum_setup_is_all_or_nothing,
    meeting_schedule_is_all_or_nothing,
    meeting_cancel_is_all_or_nothing,
    meeting_move_is_all_or_nothing,
    planning_is_all_or_nothing,
    agenda_propose_is_all_or_nothing,
    agenda_triage_is_all_or_nothing,
    agenda_publication_is_all_or_nothing,
    meeting_start_and_end_are_all_or_nothing,
    decision_record_is_all_or_nothing,
    action_add_and_done_are_all_or_nothing,
    running_a_meeting_is_all_or_nothing,
    escalations_are_all_or_nothing,
    the_minutes_workflow_is_all_or_nothing,
);

/// Every row of the use-case tables, as sorted text, read through a connection of its own.
async fn snapshot(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        for t in TABLES {
            let cols: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{t}')"))
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            let row = cols
                .iter()
                .map(|(n,)| format!("COALESCE(CAST(\"{n}\" AS TEXT), 'NULL')"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let rows: Vec<(String,)> = sqlx::query_as(&format!("SELECT {row} FROM \"{t}\""))
                .fetch_all(&mut c)
                .await
                .unwrap();
            out.extend(rows.into_iter().map(|(r,)| format!("{t}: {r}")));
        }
        c.close().await.ok();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        for t in TABLES {
            let rows: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT row_to_json(x)::text FROM \"{t}\" x"))
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            out.extend(rows.into_iter().map(|(r,)| format!("{t}: {r}")));
        }
        c.close().await.ok();
    }
    out.sort();
    out
}

/// Runs `use_case` with a failure injected before its 1st, 2nd, 3rd … write until it gets
/// through: after each failure the tables are exactly as before. Returns the successful
/// result and how many writes it made.
async fn fails_cleanly_at_every_write<F, Fut>(db: &TestDb, what: &str, use_case: F) -> Presented
where
    F: Fn() -> Fut,
    Fut: Future<Output = Presented>,
{
    let before = snapshot(db).await;
    for n in 1.. {
        db.store.fail_nth_write(n);
        let p = use_case().await;
        if db.store.failpoint_armed() {
            // Fewer than `n` writes: it ran to the end.
            db.store.fail_nth_write(0);
            assert_eq!(p.status, Status::Ok, "{what}: {}", p.text);
            assert!(
                n > 2,
                "{what}: made {} write(s), not a multi-write use case",
                n - 1
            );
            assert_ne!(snapshot(db).await, before, "{what}: wrote nothing");
            return p;
        }
        assert!(
            matches!(p.status, Status::Failed { .. }),
            "{what}: failure before write {n} answered {:?}: {}",
            p.status,
            p.text
        );
        assert_eq!(
            snapshot(db).await,
            before,
            "{what}: half done after a failure before write {n}"
        );
    }
    unreachable!()
}

fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

/// A guild with two channels and one forum without a schedule; the clock on Monday
/// 30 November 2026, 09:00 in Stockholm.
async fn setup(db: &TestDb) -> (Services, ManualClock) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap());
    let s = leveransforum::setup(
        &db.store,
        &clock,
        G,
        &[(LEV, "leveransforum"), (SAMVERKAN, "samverkan")],
    )
    .await;
    (s, clock)
}

fn weekly() -> EditForum {
    EditForum {
        forum: "leveransforum".into(),
        cadence: Some("weekly tue".into()),
        time: Some("10:30".into()),
        start_date: Some("2026-11-03".into()),
        reminders: Some("3d, 1d, 15m".into()),
        ..EditForum::default()
    }
}

async fn edit(s: &Services, req: EditForum) -> Presented {
    let r = s.forum_edit(&admin(), req).await;
    s.present(Some(G), r, &DiscordRender).await
}

async fn forum_edit_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    fails_cleanly_at_every_write(db, "/forum edit", || edit(&s, weekly())).await;
    // A second edit re-times what the first planned: also all or nothing.
    let later = EditForum {
        time: Some("14:00".into()),
        cadence: None,
        start_date: None,
        reminders: None,
        ..weekly()
    };
    fails_cleanly_at_every_write(db, "/forum edit again", || edit(&s, later.clone())).await;
}

async fn forum_setup_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    let p = fails_cleanly_at_every_write(db, "/forum setup", || async {
        let req = SetupForums {
            template: "stockholm".into(),
            channel: SAMVERKAN,
            mapping: None,
        };
        let r = s.forum_setup(&admin(), req).await;
        s.present(Some(G), r, &DiscordRender).await
    })
    .await;
    assert!(p.text.contains("Ledningsforum"), "{}", p.text);
    assert_eq!(db.store.forums(G).await.unwrap().len(), 11);
}

async fn meeting_schedule_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    fails_cleanly_at_every_write(db, "/meeting schedule", || async {
        let r = s
            .meeting_schedule(&admin(), "leveransforum", "2026-12-03", "09:00", Some(30))
            .await;
        s.present(Some(G), r, &DiscordRender).await
    })
    .await;
}

async fn meeting_cancel_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    // A meeting beyond the planned window: the cancel stores it first, in the same
    // transaction, then cancels it, drops its reminders and arms its event job.
    for which in ["2026-12-01", "2027-02-02"] {
        fails_cleanly_at_every_write(db, "/meeting cancel", || async {
            let r = s
                .meeting_cancel(&admin(), "leveransforum", which, "Sjukdom")
                .await;
            s.present(Some(G), r, &DiscordRender).await
        })
        .await;
    }
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let jobs = db
        .store
        .jobs_with_prefix(&format!("reminder:{}:r:2026-12-01:", f.id.0))
        .await
        .unwrap();
    assert!(!jobs.is_empty());
    assert!(
        jobs.iter()
            .all(|j| j.state == samverkan::store::JobState::Obsolete),
        "{jobs:#?}"
    );
}

async fn meeting_move_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    fails_cleanly_at_every_write(db, "/meeting move", || async {
        let r = s
            .meeting_move(
                &admin(),
                "leveransforum",
                "2026-12-08",
                "2026-12-09",
                "13:00",
            )
            .await;
        s.present(Some(G), r, &DiscordRender).await
    })
    .await;
}

async fn planning_is_all_or_nothing(db: &TestDb) {
    let (s, clock) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    // A week later the planning job slides the window: new meetings and their jobs.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap());
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    fails_cleanly_at_every_write(db, "planning", || async {
        let r = s
            .plan_forum(&f, clock.now())
            .await
            .map(|_| samverkan::service::Reply::private(vec![]));
        s.present(Some(G), r, &DiscordRender).await
    })
    .await;
}

fn proposal(title: &str, meeting: Option<&str>) -> ProposeItem {
    ProposeItem {
        forum: Some("leveransforum".into()),
        meeting: meeting.map(str::to_string),
        title: title.into(),
        wants: "beslut".into(),
        ..ProposeItem::default()
    }
}

async fn agenda_propose_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    // To a meeting beyond the planned window: stored first, in the same transaction, then the
    // item and its history.
    for meeting in [Some("2027-02-02"), None] {
        fails_cleanly_at_every_write(db, "/agenda propose", || async {
            let r = s
                .agenda_propose(&admin(), proposal("Leveransstatus", meeting))
                .await;
            s.present(Some(G), r, &DiscordRender).await
        })
        .await;
    }
}

async fn agenda_triage_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    for t in ["A", "B", "C"] {
        let r = s.agenda_propose(&admin(), proposal(t, None)).await;
        assert!(r.is_ok(), "{r:?}");
    }
    let items = db.store.items_by(G, UserId(1), 10).await.unwrap();
    let (c, b) = (items[0].id.0, items[1].id.0);
    let steps = [
        (c, TriageAction::Move { position: 1 }),
        (
            c,
            TriageAction::Reject {
                reason: "Dubblett".into(),
            },
        ),
        (b, TriageAction::Defer),
    ];
    for (item, action) in steps {
        fails_cleanly_at_every_write(db, "/agenda triage", || async {
            let req = Triage {
                item,
                action: action.clone(),
                version: None,
            };
            let r = s.agenda_triage(&admin(), req).await;
            s.present(Some(G), r, &DiscordRender).await
        })
        .await;
    }
}

async fn agenda_publication_is_all_or_nothing(db: &TestDb) {
    let (s, clock) = setup(db).await;
    let cancel = EditForum {
        empty_agenda: Some("cancel".into()),
        ..weekly()
    };
    assert_eq!(edit(&s, cancel).await.status, Status::Ok);
    // Tuesday 8 December's deadline: nothing proposed, so the meeting is cancelled (its
    // reminders dropped, its event job armed, a notice queued) and the publication recorded.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 5, 9, 30, 0).unwrap());
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    fails_cleanly_at_every_write(db, "agenda publication", || async {
        let r = s
            .agenda_tick(&f)
            .await
            .map(|_| samverkan::service::Reply::private(vec![]));
        s.present(Some(G), r, &DiscordRender).await
    })
    .await;
    let cancelled = db
        .store
        .meetings_from(f.id, clock.now(), 5)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.state.is_cancelled())
        .count();
    assert_eq!(cancelled, 1);
}

async fn present(
    s: &Services,
    r: samverkan::error::Result<samverkan::service::Reply>,
) -> Presented {
    s.present(Some(G), r, &DiscordRender).await
}

async fn meeting_start_and_end_are_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    // Tuesday's meeting: opened (state, session, nudge and auto-close jobs) …
    fails_cleanly_at_every_write(db, "/meeting start", || async {
        present(
            &s,
            s.meeting_start(&admin(), "leveransforum", Some("2026-12-01"))
                .await,
        )
        .await
    })
    .await;
    // … and ended (state, session, jobs dropped).
    fails_cleanly_at_every_write(db, "/meeting end", || async {
        present(&s, s.meeting_end(&admin(), "leveransforum").await).await
    })
    .await;
}

async fn decision_record_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    assert_eq!(edit(&s, weekly()).await.status, Status::Ok);
    let p = present(
        &s,
        s.meeting_start(&admin(), "leveransforum", Some("2026-12-01"))
            .await,
    )
    .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    // The counter and the decision: a failure between them gives the number back.
    for n in 1..=2 {
        let p = fails_cleanly_at_every_write(db, "/decision record", || async {
            let req = samverkan::service::RecordDecision {
                forum: "leveransforum".into(),
                title: "Leveransplan".into(),
                text: "Planen gäller.".into(),
                ..Default::default()
            };
            present(&s, s.decision_record(&admin(), req).await).await
        })
        .await;
        assert!(p.text.contains(&format!("LF-2026-0{n}")), "{}", p.text);
    }
}

async fn action_add_and_done_are_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    db.store.upsert_member(G, UserId(7), "Anna").await.unwrap();
    // The action and its two reminder jobs.
    fails_cleanly_at_every_write(db, "/action add", || async {
        present(
            &s,
            s.action_add(
                &admin(),
                "leveransforum",
                "Leveransplan",
                UserId(7),
                "2026-12-10",
            )
            .await,
        )
        .await
    })
    .await;
    let id = db
        .store
        .actions_of_owner(G, UserId(7), samverkan::store::ActionFilter::Open)
        .await
        .unwrap()[0]
        .id
        .0;
    // Done, and its reminders dropped.
    fails_cleanly_at_every_write(db, "/action done", || async {
        present(&s, s.action_done(&admin(), id).await).await
    })
    .await;
}

async fn running_a_meeting_is_all_or_nothing(db: &TestDb) {
    let (s, _) = setup(db).await;
    let e = edit(
        &s,
        EditForum {
            agenda_deadline: Some("0h".into()),
            ..weekly()
        },
    )
    .await;
    assert_eq!(e.status, Status::Ok, "{}", e.text);
    for title in ["Leveranstider", "Fakturor"] {
        let p = present(
            &s,
            s.agenda_propose(
                &admin(),
                ProposeItem {
                    forum: Some("leveransforum".into()),
                    meeting: Some("2026-12-01".into()),
                    title: title.into(),
                    minutes: Some(10),
                    ..ProposeItem::default()
                },
            )
            .await,
        )
        .await;
        assert_eq!(p.status, Status::Ok, "{}", p.text);
    }
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let m = db
        .store
        .meetings_from(
            f.id,
            Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap(),
            1,
        )
        .await
        .unwrap()
        .remove(0);
    for i in db.store.meeting_items(m.id).await.unwrap() {
        let req = Triage {
            item: i.id.0,
            action: TriageAction::Accept,
            version: None,
        };
        let p = present(&s, s.agenda_triage(&admin(), req).await).await;
        assert_eq!(p.status, Status::Ok, "{}", p.text);
    }
    // Opened with consent asked: state, session, its jobs, the thread job, the prompt.
    fails_cleanly_at_every_write(db, "/meeting start consent:true", || async {
        present(
            &s,
            s.meeting_start_with(&admin(), "leveransforum", Some("2026-12-01"), true)
                .await,
        )
        .await
    })
    .await;
    let which = || samverkan::service::Which {
        forum: Some("leveransforum".into()),
        channel: None,
    };
    // The first item: the current entry, its post and its timebox warning.
    fails_cleanly_at_every_write(db, "/meeting item next", || async {
        present(&s, s.next_item(&admin(), which()).await).await
    })
    .await;
    // The second: besides, the first is handled (item and history).
    fails_cleanly_at_every_write(db, "/meeting item next (handling)", || async {
        present(&s, s.next_item(&admin(), which()).await).await
    })
    .await;
    // Attendance and consent together: the attendee and the answer.
    fails_cleanly_at_every_write(db, "/meeting consent-answer", || async {
        present(&s, s.consent_answer(&admin(), which(), true).await).await
    })
    .await;
}

/// Raised (up, and onward), accepted, resolved and returned: each change of an escalation and
/// the notice it queues for a forum's channel are written together or not at all.
async fn escalations_are_all_or_nothing(db: &TestDb) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap());
    let l = ladder::setup(&db.store, &clock).await;
    let s = &l.services;
    let (lf, vf) = (l.lf, l.vf);
    let shown = |r: samverkan::error::Result<samverkan::service::Reply>| async move {
        s.present(Some(ladder::G), r, &DiscordRender).await
    };
    for subject in ["Leveransförseningar", "Bemanning"] {
        fails_cleanly_at_every_write(db, "/escalate issue", || async {
            shown(
                s.escalate_issue(&lf.chair(), lf.name, subject, "Ingen enighet")
                    .await,
            )
            .await
        })
        .await;
    }
    // Ids as stored: a rolled-back insert uses up a PostgreSQL sequence's number.
    let id = |subject: &'static str| async move {
        db.store
            .escalations_of_guild(ladder::G, None, &[], 10)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.subject == subject && e.parent.is_none())
            .unwrap()
            .id
            .0
    };
    let (first, second) = (id("Leveransförseningar").await, id("Bemanning").await);
    fails_cleanly_at_every_write(db, "/escalate onward", || async {
        shown(
            s.escalate_onward(&vf.chair(), first, "Kräver avtalsändring")
                .await,
        )
        .await
    })
    .await;
    fails_cleanly_at_every_write(db, "/escalation accept", || async {
        shown(s.escalation_accept(&vf.chair(), first).await).await
    })
    .await;
    // A decision of the receiving forum to resolve it with (not under test here).
    let p = shown(s.meeting_start(&vf.chair(), vf.name, None).await).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let req = samverkan::service::RecordDecision {
        forum: vf.name.into(),
        title: "Viten".into(),
        text: "Det beslutades att viten tas ut.".into(),
        ..samverkan::service::RecordDecision::default()
    };
    let p = shown(s.decision_record(&vf.chair(), req).await).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let number = db.store.decisions_of_forum(vf.forum, 1).await.unwrap()[0]
        .number
        .clone();
    fails_cleanly_at_every_write(db, "/escalation resolve", || async {
        shown(s.escalation_resolve(&vf.chair(), first, &number).await).await
    })
    .await;
    fails_cleanly_at_every_write(db, "/escalation return", || async {
        shown(
            s.escalation_return(&vf.chair(), second, "Hanteras lokalt")
                .await,
        )
        .await
    })
    .await;
    let states: Vec<_> = db
        .store
        .escalations_of_guild(ladder::G, None, &[], 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.subject, e.parent.is_some(), e.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("Leveransförseningar".to_string(), true, "open"),
            ("Bemanning".to_string(), false, "returned"),
            ("Leveransförseningar".to_string(), false, "resolved"),
        ]
    );
    let onward = db
        .store
        .escalations_to_forum(l.top.forum, &[])
        .await
        .unwrap()[0]
        .id
        .0;
    for key in [
        format!("escalation:arrived:{first}"),
        format!("escalation:arrived:{second}"),
        format!("escalation:arrived:{onward}"),
        format!("escalation:accepted:{first}"),
        format!("escalation:outcome:{first}"),
        format!("escalation:outcome:{second}"),
    ] {
        assert!(db.store.job(&key).await.unwrap().is_some(), "{key}");
    }
}

/// The minutes' workflow: drafted, submitted, changes requested, submitted again, approved
/// (frozen, the meeting's minutes approved, the publication queued) and an addendum begun;
/// each step's rows (the document, its version history, the meeting, the job) all or none.
async fn the_minutes_workflow_is_all_or_nothing(db: &TestDb) {
    use samverkan::service::minutes::MinutesOp;
    let clock = ManualClock::new(minutes_forum::start_time());
    let (s, held) = minutes_forum::held_meeting(&db.store, &clock).await;
    let s = &s;
    let shown = |r: samverkan::error::Result<samverkan::service::Reply>| async move {
        s.present(Some(minutes_forum::G), r, &DiscordRender).await
    };
    let secretary = minutes_forum::secretary();
    let approver = minutes_forum::approver();
    let steps: [(&str, &samverkan::service::Actor, MinutesOp); 6] = [
        ("/minutes draft", &secretary, MinutesOp::Draft),
        ("/minutes submit", &secretary, MinutesOp::Submit),
        (
            "/minutes request-changes",
            &approver,
            MinutesOp::RequestChanges {
                comment: "Rätta datumet.".into(),
            },
        ),
        ("/minutes submit (again)", &secretary, MinutesOp::Submit),
        ("/minutes approve", &approver, MinutesOp::Approve),
        ("/minutes addendum", &secretary, MinutesOp::Addendum),
    ];
    for (what, actor, op) in steps {
        fails_cleanly_at_every_write(db, what, || async {
            shown(s.minutes(actor, minutes_forum::req(op.clone())).await).await
        })
        .await;
    }
    let approved = db.store.minutes(held.id, 0).await.unwrap().unwrap();
    assert!(approved.sha256.is_some(), "{approved:?}");
    let addendum = db.store.minutes(held.id, 1).await.unwrap().unwrap();
    assert_eq!(
        addendum.state,
        samverkan::domain::minutes::MinutesState::Draft,
        "{addendum:?}"
    );
    let publish = format!("minutes:{}:publish", approved.id.0);
    assert!(db.store.job(&publish).await.unwrap().is_some());
}
