//! The meeting record (issue 11) at service level, on SQLite and PostgreSQL with a driven
//! clock: forum roles and codes, opening and ending a meeting (and closing one left open,
//! after a nudge), decisions (numbering, supersede, refusals), actions (reminders before the
//! due date and on the day, opt-out, refusals). Bad input is refused and changes nothing.

#[path = "support/db.rs"]
mod db;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/leveransforum.rs"]
mod leveransforum;
#[path = "support/recorder.rs"]
mod recorder;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use db::TestDb;
use harness::{run_job, run_scheduler};
use recorder::Recorder;
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use samverkan::domain::meeting::MeetingState;
use samverkan::render::Plain;
use samverkan::service::{
    Actor, EditForum, ForumRef, Presented, RecordDecision, Reply, Services, Status,
};
use samverkan::store::{ActionFilter, JobState, Store};

const G: GuildId = GuildId(900_000_000_000_000_001);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
const VF: ChannelId = ChannelId(800_000_000_000_000_002);
const CHAIR: RoleId = RoleId(700_000_000_000_000_001);
const SECRETARY: RoleId = RoleId(700_000_000_000_000_002);
const BUYER: RoleId = RoleId(700_000_000_000_000_003);
const ANNA: UserId = UserId(600_000_000_000_000_001);
const BO: UserId = UserId(600_000_000_000_000_002);
const STRANGER: UserId = UserId(600_000_000_000_000_009);

on_both_backends_with_db!(
    roles_and_code_are_set_by_forum_edit_and_shown,
    a_started_meeting_survives_a_restart_and_ends,
    a_meeting_left_open_is_closed_after_a_nudge_to_the_chair,
    decisions_need_an_open_meeting_and_are_numbered_without_gaps,
    superseding_links_both_ways_and_never_across_forums,
    actions_remind_the_owner_before_and_on_the_day_unless_opted_out,
    bad_actions_are_refused_and_change_nothing,
    decisions_export_as_excel_friendly_csv,
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

/// Tuesday 1 December 2026, 09:00 in Stockholm.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

fn config() -> Config {
    let mut c = Config::default();
    c.record.auto_close_minutes = 60;
    c.record.nudge_before_minutes = 15;
    c
}

/// Leveransforum meets Tuesdays 10:30 (today's meeting included); the guild has the chair,
/// secretary and buyer roles and two members, Anna and Bo.
async fn setup(store: &Store, clock: &ManualClock) -> Services {
    leveransforum::setup(store, clock, G, &[(LEV, "leveransforum"), (VF, "vf")]).await;
    let s = Services::new(store.clone(), Arc::new(clock.clone()), Arc::new(config()));
    for (role, name) in [
        (CHAIR, "Ordförande"),
        (SECRETARY, "Sekreterare"),
        (BUYER, "Beställare"),
    ] {
        store.upsert_role(G, role, name).await.unwrap();
    }
    store
        .set_guild_language(G, samverkan::i18n::Lang::En, 0)
        .await
        .unwrap();
    store.upsert_member(G, ANNA, "Anna").await.unwrap();
    store.upsert_member(G, BO, "Bo").await.unwrap();
    let p = present(
        &s,
        s.forum_edit(
            &admin(),
            EditForum {
                forum: "leveransforum".into(),
                cadence: Some("weekly tue".into()),
                time: Some("10:30".into()),
                start_date: Some("2026-11-03".into()),
                chair_role: Some(CHAIR),
                secretary_role: Some(SECRETARY),
                ..EditForum::default()
            },
        )
        .await,
    )
    .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    s
}

async fn present(s: &Services, r: samverkan::error::Result<Reply>) -> Presented {
    s.present(Some(G), r, &Plain::default()).await
}

async fn ok(s: &Services, r: samverkan::error::Result<Reply>) -> String {
    let p = present(s, r).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    p.text
}

async fn refused(s: &Services, r: samverkan::error::Result<Reply>) -> String {
    let p = present(s, r).await;
    assert_eq!(p.status, Status::Refused, "{}", p.text);
    p.text
}

fn decision(title: &str, text: &str) -> RecordDecision {
    RecordDecision {
        forum: "leveransforum".into(),
        title: title.into(),
        text: text.into(),
        ..RecordDecision::default()
    }
}

async fn count(db: &TestDb, table: &str) -> i64 {
    db::count_rows(&db.url, table).await
}

async fn roles_and_code_are_set_by_forum_edit_and_shown(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.code.as_deref(), Some("LF"), "derived from the name");
    assert_eq!(
        (f.chair_role, f.secretary_role),
        (Some(CHAIR), Some(SECRETARY))
    );

    let edit = |e: EditForum| EditForum {
        forum: "leveransforum".into(),
        ..e
    };
    ok(
        &s,
        s.forum_edit(
            &admin(),
            edit(EditForum {
                approver_role: Some(BUYER),
                code: Some(" lev ".into()),
                ..EditForum::default()
            }),
        )
        .await,
    )
    .await;
    let shown = ok(
        &s,
        s.forum_show(&admin(), ForumRef("Leveransforum".into()))
            .await,
    )
    .await;
    assert!(shown.contains(&format!("Chair: @{}", CHAIR.0)), "{shown}");
    assert!(
        shown.contains(&format!(
            "Secretary: @{} · Approver: @{} · Decision code: LEV",
            SECRETARY.0, BUYER.0
        )),
        "{shown}"
    );

    // The chair may change the code but not the roles; a code in use and a malformed one are
    // refused; none of it changes anything.
    let before = db.store.forum_named(G, "leveransforum").await.unwrap();
    let chair = member(ANNA, &[CHAIR]);
    let t = refused(
        &s,
        s.forum_edit(
            &chair,
            edit(EditForum {
                approver_role: Some(CHAIR),
                ..EditForum::default()
            }),
        )
        .await,
    )
    .await;
    assert!(t.contains("Samverkan-admin"), "{t}");
    db.store
        .create_forum(&NewForum {
            guild: G,
            name: "Verkställande forum".into(),
            tier: "contract".into(),
            channel: VF,
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            created_at: clock.now(),
        })
        .await
        .unwrap();
    let t = refused(
        &s,
        s.forum_edit(
            &admin(),
            EditForum {
                forum: "Verkställande forum".into(),
                code: Some("LEV".into()),
                ..EditForum::default()
            },
        )
        .await,
    )
    .await;
    assert!(t.contains("LEV"), "{t}");
    for bad in ["2X", "LÅ", "ABCDEFGHI", ""] {
        refused(
            &s,
            s.forum_edit(
                &chair,
                edit(EditForum {
                    code: Some(bad.into()),
                    ..EditForum::default()
                }),
            )
            .await,
        )
        .await;
    }
    assert_eq!(
        db.store.forum_named(G, "leveransforum").await.unwrap(),
        before
    );
    ok(
        &s,
        s.forum_edit(
            &chair,
            edit(EditForum {
                code: Some("LF".into()),
                ..EditForum::default()
            }),
        )
        .await,
    )
    .await;
}

async fn a_started_meeting_survives_a_restart_and_ends(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    // Nobody but the chair, the secretary or an administrator opens it.
    refused(
        &s,
        s.meeting_start(&member(BO, &[]), "leveransforum", None)
            .await,
    )
    .await;
    assert!(db.store.open_meeting(f.id).await.unwrap().is_none());
    let secretary = member(ANNA, &[SECRETARY]);
    let t = ok(&s, s.meeting_start(&secretary, "leveransforum", None).await).await;
    assert!(t.contains("Leveransforum"), "{t}");
    let m = db.store.open_meeting(f.id).await.unwrap().expect("open");
    assert_eq!(
        m.starts_at,
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 30, 0).unwrap()
    );
    refused(&s, s.meeting_start(&secretary, "leveransforum", None).await).await;
    let closes = db
        .store
        .job(&format!("record:{}:close", m.id.0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closes.due_at, start_time() + chrono::Duration::minutes(60));

    // A restart: a new process (store and services) sees the open meeting and ends it.
    let store = Store::open(&db.url, 2).await.unwrap();
    let s2 = Services::new(store.clone(), Arc::new(clock.clone()), Arc::new(config()));
    let m2 = store.open_meeting(f.id).await.unwrap().expect("still open");
    assert_eq!(m2.id, m.id);
    let session = store.session(m.id).await.unwrap().unwrap();
    assert_eq!((session.opened_by, session.opened_at), (ANNA, start_time()));
    clock.advance(chrono::Duration::minutes(50));
    ok(&s2, s2.meeting_end(&secretary, "leveransforum").await).await;
    let m3 = store.meeting_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(m3.state, MeetingState::Held);
    let session = store.session(m.id).await.unwrap().unwrap();
    assert_eq!(session.ended_by, Some(ANNA));
    assert_eq!(
        store
            .job(&format!("record:{}:close", m.id.0))
            .await
            .unwrap()
            .unwrap()
            .state,
        JobState::Obsolete
    );
    // Ended: neither ended again nor opened again.
    refused(&s2, s2.meeting_end(&secretary, "leveransforum").await).await;
    refused(
        &s2,
        s2.meeting_start(&secretary, "leveransforum", None).await,
    )
    .await;
    store.close().await;
}

async fn a_meeting_left_open_is_closed_after_a_nudge_to_the_chair(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    ok(
        &s,
        s.meeting_start(&member(ANNA, &[CHAIR]), "leveransforum", None)
            .await,
    )
    .await;
    let m = db.store.open_meeting(f.id).await.unwrap().unwrap();
    let notifier = Recorder::new();
    let running = run_scheduler(&s, &clock, &notifier);

    let nudge = run_job(&s, &clock, &format!("record:{}:nudge", m.id.0)).await;
    assert_eq!(nudge.state, JobState::Done, "{nudge:?}");
    assert_eq!(nudge.due_at, start_time() + chrono::Duration::minutes(45));
    let posted = notifier.messages(LEV);
    let nudged = posted
        .iter()
        .find(|p| p.content.contains("still open"))
        .expect("the nudge");
    assert!(
        nudged.content.contains(&format!("<@&{}>", CHAIR.0)),
        "{}",
        nudged.content
    );
    assert_eq!(
        db.store.open_meeting(f.id).await.unwrap().map(|m| m.id),
        Some(m.id),
        "still open after the nudge"
    );

    let close = run_job(&s, &clock, &format!("record:{}:close", m.id.0)).await;
    assert_eq!(close.state, JobState::Done, "{close:?}");
    running.stop().await;
    let held = db.store.meeting_by_id(m.id).await.unwrap().unwrap();
    assert_eq!(held.state, MeetingState::Held);
    let session = db.store.session(m.id).await.unwrap().unwrap();
    assert_eq!(
        session.ended_at,
        Some(start_time() + chrono::Duration::minutes(60))
    );
    assert_eq!(session.ended_by, None, "closed automatically");
    assert!(notifier
        .messages(LEV)
        .iter()
        .any(|p| p.content.contains("closed automatically")));
    // Decisions cannot go into it any more.
    refused(
        &s,
        s.decision_record(&admin(), decision("Sent", "För sent."))
            .await,
    )
    .await;
}

async fn decisions_need_an_open_meeting_and_are_numbered_without_gaps(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let secretary = member(ANNA, &[SECRETARY]);
    // No meeting open: refused, nothing stored.
    let t = refused(
        &s,
        s.decision_record(&secretary, decision("Ny rutin", "Vi inför en ny rutin."))
            .await,
    )
    .await;
    assert!(t.contains("no open meeting"), "{t}");
    assert_eq!(count(db, "decisions").await, 0);
    assert_eq!(count(db, "decision_counters").await, 0);

    ok(&s, s.meeting_start(&secretary, "leveransforum", None).await).await;
    // A member without a record role cannot record; bad text is refused.
    refused(
        &s,
        s.decision_record(&member(BO, &[]), decision("X", "Y"))
            .await,
    )
    .await;
    refused(&s, s.decision_record(&secretary, decision("  ", "Y")).await).await;
    refused(
        &s,
        s.decision_record(&secretary, decision("Rubrik", "")).await,
    )
    .await;
    refused(
        &s,
        s.decision_record(
            &secretary,
            RecordDecision {
                item: Some(0),
                ..decision("Rubrik", "Text")
            },
        )
        .await,
    )
    .await;
    assert_eq!(count(db, "decisions").await, 0);
    for (i, title) in ["Leveransplan", "Åtgärdsplan", "Prisjustering"]
        .iter()
        .enumerate()
    {
        let t = ok(
            &s,
            s.decision_record(
                &secretary,
                RecordDecision {
                    item: Some(i as i64 + 1),
                    ..decision(title, "Beslutet gäller från januari.")
                },
            )
            .await,
        )
        .await;
        assert!(t.contains(&format!("LF-2026-0{}", i + 1)), "{t}");
    }
    let list = ok(
        &s,
        s.decision_list(&member(BO, &[]), "leveransforum", 10).await,
    )
    .await;
    let at = |n: &str| list.find(n).unwrap_or_else(|| panic!("{n} in {list}"));
    assert!(at("LF-2026-03") < at("LF-2026-02") && at("LF-2026-02") < at("LF-2026-01"));
    let shown = ok(&s, s.decision_show(&member(BO, &[]), "lf-2026-02").await).await;
    assert!(
        shown.contains("Åtgärdsplan") && shown.contains("januari"),
        "{shown}"
    );

    // Ended: the closed meeting takes no more decisions, and the number is not used up.
    ok(&s, s.meeting_end(&secretary, "leveransforum").await).await;
    refused(
        &s,
        s.decision_record(&secretary, decision("Sent", "För sent."))
            .await,
    )
    .await;
    assert_eq!(count(db, "decisions").await, 3);
    // The next meeting (a week later) continues the year's series.
    clock.set(Utc.with_ymd_and_hms(2026, 12, 8, 9, 0, 0).unwrap());
    ok(&s, s.meeting_start(&secretary, "leveransforum", None).await).await;
    let t = ok(
        &s,
        s.decision_record(&secretary, decision("Nästa", "Text."))
            .await,
    )
    .await;
    assert!(t.contains("LF-2026-04"), "{t}");
}

async fn superseding_links_both_ways_and_never_across_forums(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    db.store
        .create_forum(&NewForum {
            guild: G,
            name: "Verkställande forum".into(),
            tier: "contract".into(),
            channel: VF,
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            created_at: clock.now(),
        })
        .await
        .unwrap();
    ok(
        &s,
        s.meeting_schedule(
            &admin(),
            "Verkställande forum",
            "2026-12-01",
            "11:00",
            Some(60),
        )
        .await,
    )
    .await;
    ok(
        &s,
        s.meeting_start(&admin(), "Verkställande forum", None).await,
    )
    .await;
    let t = ok(
        &s,
        s.decision_record(
            &admin(),
            RecordDecision {
                forum: "Verkställande forum".into(),
                ..decision("Budget", "Budgeten fastställs.")
            },
        )
        .await,
    )
    .await;
    assert!(t.contains("VF-2026-01"), "{t}");

    ok(&s, s.meeting_start(&admin(), "leveransforum", None).await).await;
    ok(
        &s,
        s.decision_record(&admin(), decision("Rutin", "Version 1."))
            .await,
    )
    .await;
    let before = (
        count(db, "decisions").await,
        db.store
            .decisions_of_forum(
                db.store
                    .forum_named(G, "leveransforum")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                10,
            )
            .await
            .unwrap(),
    );
    let t = refused(
        &s,
        s.decision_record(
            &admin(),
            RecordDecision {
                supersedes: Some("VF-2026-01".into()),
                ..decision("Rutin", "Version 2.")
            },
        )
        .await,
    )
    .await;
    assert!(t.contains("another forum"), "{t}");
    refused(
        &s,
        s.decision_record(
            &admin(),
            RecordDecision {
                supersedes: Some("LF-2026-99".into()),
                ..decision("Rutin", "Version 2.")
            },
        )
        .await,
    )
    .await;
    let after = (
        count(db, "decisions").await,
        db.store
            .decisions_of_forum(
                db.store
                    .forum_named(G, "leveransforum")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                10,
            )
            .await
            .unwrap(),
    );
    assert_eq!(before, after, "refusals change nothing");
    let t = ok(
        &s,
        s.decision_record(
            &admin(),
            RecordDecision {
                supersedes: Some("lf-2026-01".into()),
                ..decision("Rutin", "Version 2.")
            },
        )
        .await,
    )
    .await;
    assert!(
        t.contains("LF-2026-02") && t.contains("Supersedes LF-2026-01"),
        "{t}"
    );
    let old = ok(&s, s.decision_show(&admin(), "LF-2026-01").await).await;
    assert!(old.contains("Superseded by LF-2026-02"), "{old}");
    let new = ok(&s, s.decision_show(&admin(), "LF-2026-02").await).await;
    assert!(new.contains("Supersedes LF-2026-01"), "{new}");
    // Search across forums, Swedish letters and case folded, prefixes match.
    let found = ok(&s, s.decision_search(&admin(), "BUDGET", None).await).await;
    assert!(
        found.contains("VF-2026-01") && !found.contains("LF-2026"),
        "{found}"
    );
    let found = ok(
        &s,
        s.decision_search(&admin(), "versi", Some("leveransforum"))
            .await,
    )
    .await;
    assert!(
        found.contains("LF-2026-01") && found.contains("LF-2026-02"),
        "{found}"
    );
    refused(&s, s.decision_search(&admin(), " ** ", None).await).await;
}

async fn actions_remind_the_owner_before_and_on_the_day_unless_opted_out(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let f = db
        .store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let chair = member(UserId(5), &[CHAIR]);
    let t = ok(
        &s,
        s.action_add(
            &chair,
            "leveransforum",
            "Ta fram leveransplan",
            ANNA,
            "2026-12-10",
        )
        .await,
    )
    .await;
    assert!(t.contains("Ta fram leveransplan"), "{t}");
    ok(
        &s,
        s.action_add(
            &chair,
            "leveransforum",
            "Uppdatera prislista",
            BO,
            "2026-12-10",
        )
        .await,
    )
    .await;
    // Bo turns action reminders off.
    ok(&s, s.action_remind_me(&member(BO, &[]), false).await).await;
    let actions = db
        .store
        .actions_of_forum(f.id, ActionFilter::Open)
        .await
        .unwrap();
    assert_eq!(actions.len(), 2);
    let (anna, bo) = (actions[0].id.0, actions[1].id.0);
    let before = format!("action:{anna}:before");
    let due = format!("action:{anna}:due");
    assert_eq!(
        db.store.job(&before).await.unwrap().unwrap().due_at,
        Utc.with_ymd_and_hms(2026, 12, 8, 8, 0, 0).unwrap(),
        "two days before, 09:00 local"
    );
    assert_eq!(
        db.store.job(&due).await.unwrap().unwrap().due_at,
        Utc.with_ymd_and_hms(2026, 12, 10, 8, 0, 0).unwrap(),
        "on the day, 09:00 local"
    );

    let notifier = Recorder::new();
    let running = run_scheduler(&s, &clock, &notifier);
    let j = run_job(&s, &clock, &before).await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    let dm = ChannelId(ANNA.0 + 1_000_000);
    let got = notifier.messages(dm);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].content.contains("Ta fram leveransplan"),
        "{}",
        got[0].content
    );
    let j = run_job(&s, &clock, &format!("action:{bo}:before")).await;
    assert_eq!(j.state, JobState::Skipped, "opted out: {j:?}");
    assert!(notifier.messages(ChannelId(BO.0 + 1_000_000)).is_empty());

    // Anna's action and Bo's are overdue the day after; the agenda's query lists them.
    let j = run_job(&s, &clock, &due).await;
    assert_eq!(j.state, JobState::Done);
    assert_eq!(notifier.messages(dm).len(), 2);
    assert!(notifier.messages(dm)[1].content.contains("today"));
    running.stop().await;
    clock.set(Utc.with_ymd_and_hms(2026, 12, 11, 8, 0, 0).unwrap());
    let open = s.open_actions(&f).await.unwrap();
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|(_, late)| *late));
    let list = ok(
        &s,
        s.action_list(&member(ANNA, &[]), None, false, true).await,
    )
    .await;
    assert!(
        list.contains("Ta fram leveransplan") && !list.contains("prislista"),
        "{list}"
    );
    let list = ok(
        &s,
        s.action_list(&member(BO, &[]), Some("leveransforum"), false, false)
            .await,
    )
    .await;
    assert!(
        list.contains("Ta fram leveransplan") && list.contains("prislista"),
        "{list}"
    );

    // Done by its owner; Bo may not mark Anna's done.
    refused(&s, s.action_done(&member(BO, &[]), anna).await).await;
    ok(&s, s.action_done(&member(ANNA, &[]), anna).await).await;
    refused(&s, s.action_done(&member(ANNA, &[]), anna).await).await;
    assert_eq!(s.open_actions(&f).await.unwrap().len(), 1);
    // A later action's reminders are dropped when it is done early.
    ok(
        &s,
        s.action_add(&chair, "leveransforum", "Boka lokal", ANNA, "2026-12-20")
            .await,
    )
    .await;
    let later = db
        .store
        .actions_of_owner(G, ANNA, ActionFilter::Open)
        .await
        .unwrap();
    let id = later[0].id.0;
    ok(&s, s.action_done(&chair, id).await).await;
    for which in ["before", "due"] {
        assert_eq!(
            db.store
                .job(&format!("action:{id}:{which}"))
                .await
                .unwrap()
                .unwrap()
                .state,
            JobState::Obsolete
        );
    }
}

async fn bad_actions_are_refused_and_change_nothing(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    let chair = member(UserId(5), &[CHAIR]);
    let jobs = count(db, "jobs").await;
    let t = refused(
        &s,
        s.action_add(&chair, "leveransforum", "Något", STRANGER, "2026-12-10")
            .await,
    )
    .await;
    assert!(t.contains("not a member"), "{t}");
    let t = refused(
        &s,
        s.action_add(&chair, "leveransforum", "Något", ANNA, "2026-11-30")
            .await,
    )
    .await;
    assert!(t.contains("passed"), "{t}");
    refused(
        &s,
        s.action_add(&chair, "leveransforum", "Något", ANNA, "10/12")
            .await,
    )
    .await;
    refused(
        &s,
        s.action_add(&chair, "leveransforum", "", ANNA, "2026-12-10")
            .await,
    )
    .await;
    refused(
        &s,
        s.action_add(
            &member(BO, &[]),
            "leveransforum",
            "Något",
            ANNA,
            "2026-12-10",
        )
        .await,
    )
    .await;
    refused(&s, s.action_done(&chair, 4711).await).await;
    assert_eq!(count(db, "actions").await, 0);
    assert_eq!(count(db, "jobs").await, jobs);
    // Today is still fine (the forum's zone), and in Swedish the refusal is Swedish.
    ok(
        &s,
        s.action_add(&chair, "leveransforum", "Något", ANNA, "2026-12-01")
            .await,
    )
    .await;
    s.store
        .set_guild_language(G, samverkan::i18n::Lang::Sv, 0)
        .await
        .unwrap();
    let t = refused(
        &s,
        s.action_add(&chair, "leveransforum", "Något", STRANGER, "2026-12-10")
            .await,
    )
    .await;
    assert!(t.contains("inte medlem"), "{t}");
}

async fn decisions_export_as_excel_friendly_csv(db: &TestDb) {
    let clock = ManualClock::new(start_time());
    let s = setup(&db.store, &clock).await;
    ok(&s, s.meeting_start(&admin(), "leveransforum", None).await).await;
    ok(
        &s,
        s.decision_record(
            &admin(),
            decision("Leverans; vecka 2", "Text med \"citat\"\noch två rader."),
        )
        .await,
    )
    .await;
    ok(
        &s,
        s.decision_record(
            &admin(),
            RecordDecision {
                supersedes: Some("LF-2026-01".into()),
                ..decision("=Ändrad", "Ny text.")
            },
        )
        .await,
    )
    .await;
    let p = present(&s, s.decision_export(&admin(), "leveransforum").await).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert_eq!(p.files.len(), 1);
    let f = &p.files[0];
    assert_eq!(f.name, "LF-beslut.csv");
    let text = String::from_utf8(f.bytes.clone()).unwrap();
    assert!(text.starts_with('\u{feff}'), "UTF-8 BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert!(
        lines[0].starts_with("Number;Forum;Date;Title;Decision"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("LF-2026-01;Leveransforum;2026-12-01;\"Leverans; vecka 2\";\"Text med \"\"citat\"\"\noch två rader.\""),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].contains(";LF-2026-02;"),
        "superseded by: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("LF-2026-02;Leveransforum;2026-12-01;'=Ändrad;Ny text.;;LF-2026-01;"),
        "{}",
        lines[2]
    );
}
