//! Agenda collection (issue 10) at the service level, on both backends, with a driven clock:
//! proposals go to the next meeting whose agenda is open (late ones to the following, and the
//! chair can pull them in); publication at the deadline with carry-over across two meetings;
//! the three empty-agenda policies, cancel end to end through the real scheduler (notice in
//! the channel, the Discord event cancelled, no further reminders); who may propose, triage
//! and see; bad input refused in Swedish and English with nothing changed; two chairs at the
//! same moment.

#[path = "support/db.rs"]
mod db;
#[path = "support/recorder.rs"]
mod recorder;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use recorder::Recorder;
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::agenda::{ItemId, ItemStatus};
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use samverkan::domain::meeting::{MeetingState, OccurrenceKey};
use samverkan::error::Error;
use samverkan::i18n::Lang;
use samverkan::notifier::EventStatus;
use samverkan::render::Plain;
use samverkan::scheduler::{kinds, Scheduler};
use samverkan::service::{
    Actor, AskQuestion, EditForum, ProposeItem, Reply, Services, ShowAgenda, Triage, TriageAction,
};
use samverkan::store::{JobState, Store};
use tokio::sync::watch;

const G: GuildId = GuildId(900_000_000_000_000_001);
const OTHER_G: GuildId = GuildId(900_000_000_000_000_002);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
const OPEN: ChannelId = ChannelId(800_000_000_000_000_002);
const CHAIR: RoleId = RoleId(700_000_000_000_000_001);
const PART: RoleId = RoleId(700_000_000_000_000_002);
const ORG_A: RoleId = RoleId(700_000_000_000_000_003);

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn actor(user: u64, roles: Vec<RoleId>, manage: bool) -> Actor {
    Actor {
        guild: G,
        user: UserId(user),
        roles,
        manage_guild: manage,
    }
}
fn admin() -> Actor {
    actor(1, vec![], true)
}
fn chair() -> Actor {
    actor(2, vec![CHAIR], false)
}
fn chair2() -> Actor {
    actor(3, vec![CHAIR], false)
}
fn supplier_a() -> Actor {
    actor(10, vec![PART, ORG_A], false)
}
fn supplier_b() -> Actor {
    actor(11, vec![PART], false)
}
fn outsider() -> Actor {
    actor(20, vec![], false)
}

/// Leveransforum (restricted to PART, chaired by CHAIR) meets Tuesdays 10:00 Stockholm
/// (09:00 UTC) from 3 November 2026 with reminders 1 day and 15 minutes before;
/// "Öppet forum" has no participant role and no schedule. The clock: Wednesday 25 November
/// 2026, 08:00 UTC. The default deadline (3 days) of Tuesday 1 December is Saturday 28
/// November 09:00 UTC.
async fn setup(store: &Store) -> (Services, ManualClock) {
    let clock = ManualClock::new(utc(2026, 11, 25, 8, 0));
    store
        .sync_guild(
            &samverkan::store::GuildDirectory {
                id: G,
                name: "Stockholms stad".into(),
                channels: vec![(LEV, "leveransforum".into()), (OPEN, "oppet".into())],
                roles: vec![
                    (CHAIR, "Ordförande".into()),
                    (PART, "Leverantör".into()),
                    (ORG_A, "Leverantör AB".into()),
                ],
            },
            0,
        )
        .await
        .unwrap();
    for (name, channel) in [("Leveransforum", LEV), ("Öppet forum", OPEN)] {
        store
            .create_forum(&NewForum {
                guild: G,
                name: name.into(),
                tier: "delivery".into(),
                channel,
                time_zone: chrono_tz::Europe::Stockholm,
                escalates_to: None,
                chair_role: Some(CHAIR),
                created_at: clock.now(),
            })
            .await
            .unwrap();
    }
    let s = Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    );
    let r = s
        .forum_edit(
            &admin(),
            EditForum {
                forum: "Leveransforum".into(),
                cadence: Some("weekly tue".into()),
                time: Some("10:00".into()),
                start_date: Some("2026-11-03".into()),
                reminders: Some("1d, 15m@".into()),
                participant_role: Some(PART),
                ..EditForum::default()
            },
        )
        .await;
    assert!(r.is_ok(), "{r:?}");
    s.org_set(&admin(), ORG_A, true).await.unwrap();
    (s, clock)
}

fn text(r: &Reply, lang: Lang) -> String {
    r.lines
        .iter()
        .map(|m| m.render_with(lang, &Plain::default()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn propose(title: &str) -> ProposeItem {
    ProposeItem {
        forum: Some("Leveransforum".into()),
        title: title.into(),
        background: "Bakgrund".into(),
        wants: "beslut".into(),
        minutes: Some(20),
        ..ProposeItem::default()
    }
}

/// Proposes and returns the new item's id (the newest of the proposer's items).
async fn proposed(s: &Services, who: &Actor, title: &str) -> (ItemId, String) {
    let r = s.agenda_propose(who, propose(title)).await.unwrap();
    let items = s.store.items_by(G, who.user, 1).await.unwrap();
    (items[0].id, text(&r, Lang::Sv))
}

fn triage(item: ItemId, action: TriageAction) -> Triage {
    Triage {
        item: item.0,
        action,
        version: None,
    }
}

async fn meeting_on(s: &Services, y: i32, m: u32, d: u32) -> samverkan::domain::meeting::Meeting {
    let forum = s
        .store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    let key = OccurrenceKey::Recurring(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
    s.store
        .meeting_by_occurrence(forum.id, &key)
        .await
        .unwrap()
        .expect("meeting stored")
}

/// The refusal's message in Swedish and English (each non-empty, and different).
fn refusal<T: std::fmt::Debug>(r: Result<T, Error>) -> (String, String) {
    match r {
        Err(Error::User(e)) => {
            let sv = e.0.render_with(Lang::Sv, &Plain::default());
            let en = e.0.render_with(Lang::En, &Plain::default());
            assert!(!sv.is_empty() && !en.is_empty() && sv != en, "{sv} / {en}");
            assert!(
                !sv.contains("agenda-") && !en.contains("agenda-"),
                "{sv} / {en}"
            );
            (sv, en)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Every agenda row that a refusal must leave alone, as text.
async fn agenda_state(s: &Services) -> Vec<String> {
    let mut out = Vec::new();
    for u in [1, 2, 3, 10, 11, 20] {
        for i in s.store.items_by(G, UserId(u), 1000).await.unwrap() {
            let h = s.store.history(i.id).await.unwrap().len();
            out.push(format!("{i:?} history={h}"));
        }
    }
    let forum = s
        .store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    out.push(format!("{:?}", s.store.standing(forum.id).await.unwrap()));
    out.push(format!(
        "{:?}",
        s.store.agenda_settings(forum.id).await.unwrap()
    ));
    out.push(format!(
        "{:?}",
        s.store.jobs_with_prefix("agenda:").await.unwrap().len()
    ));
    out.sort();
    out
}

on_both_backends!(
    proposals_go_to_the_next_open_meeting_and_late_ones_to_the_following,
    publication_at_the_deadline_carries_over_across_two_meetings,
    empty_agenda_hold_and_notify,
    empty_agenda_cancel_end_to_end_through_the_scheduler,
    only_participants_propose_only_chairs_triage_only_participants_see,
    bad_input_is_refused_in_both_languages_and_changes_nothing,
    two_chairs_at_the_same_moment_one_outcome_the_other_told,
    triage_reject_defer_merge_order_timebox_presenter_done,
);

async fn proposals_go_to_the_next_open_meeting_and_late_ones_to_the_following(store: Store) {
    let (s, clock) = setup(&store).await;
    let (first, said) = proposed(&s, &supplier_a(), "Leveransstatus").await;
    assert!(said.contains("tisdag 1 december 2026 10:00"), "{said}");
    let item = store.item(first).await.unwrap().unwrap();
    let dec1 = meeting_on(&s, 2026, 12, 1).await;
    assert_eq!(item.meeting, dec1.id);
    assert_eq!(
        item.organisation,
        Some(ORG_A),
        "the proposer's organisation"
    );
    assert_eq!(item.proposer, supplier_a().user);
    assert_eq!(item.late_for, None);

    // At the deadline (Saturday 09:00 UTC) proposals go to the following meeting, and the
    // proposer is told both.
    clock.set(utc(2026, 11, 28, 9, 0));
    let (late, said) = proposed(&s, &supplier_b(), "Sent förslag").await;
    assert!(
        said.contains("1 december 2026") && said.contains("8 december 2026"),
        "{said}"
    );
    let item = store.item(late).await.unwrap().unwrap();
    let dec8 = meeting_on(&s, 2026, 12, 8).await;
    assert_eq!((item.meeting, item.late_for), (dec8.id, Some(dec1.id)));
    // Naming the closed meeting goes the same way.
    let r = s
        .agenda_propose(
            &supplier_b(),
            ProposeItem {
                meeting: Some("2026-12-01".into()),
                ..propose("Till ett stängt möte")
            },
        )
        .await
        .unwrap();
    assert!(
        text(&r, Lang::En).contains("8 December 2026"),
        "{}",
        text(&r, Lang::En)
    );

    // The chair pulls the late item in.
    s.agenda_triage(&chair(), triage(late, TriageAction::PullIn))
        .await
        .unwrap();
    let item = store.item(late).await.unwrap().unwrap();
    assert_eq!((item.meeting, item.late_for), (dec1.id, None));
    let history = store.history(late).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.event.as_str()).collect::<Vec<_>>(),
        ["proposed", "pulled_in"]
    );

    // A shorter deadline (1 day, `/forum edit`) opens the 1 December agenda again.
    let r = s
        .forum_edit(
            &chair(),
            EditForum {
                forum: "Leveransforum".into(),
                agenda_deadline: Some("1d".into()),
                ..EditForum::default()
            },
        )
        .await
        .unwrap();
    assert!(
        text(&r, Lang::Sv).contains("1d före mötet"),
        "{}",
        text(&r, Lang::Sv)
    );
    let (again, _) = proposed(&s, &supplier_a(), "Igen").await;
    assert_eq!(store.item(again).await.unwrap().unwrap().meeting, dec1.id);
    // The forum's agenda job follows the deadline: Monday 30 November 09:00 UTC.
    let forum = store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    let job = store
        .job(&format!("agenda:publish:{}", forum.id.0))
        .await
        .unwrap()
        .expect("agenda job");
    assert_eq!(job.due_at, utc(2026, 11, 30, 9, 0));
}

async fn publication_at_the_deadline_carries_over_across_two_meetings(store: Store) {
    let (s, clock) = setup(&store).await;
    let forum = store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    let (x, _) = proposed(&s, &supplier_a(), "Kvarstår").await;
    let (y, _) = proposed(&s, &supplier_b(), "Behandlas").await;
    for i in [x, y] {
        s.agenda_triage(&chair(), triage(i, TriageAction::Accept))
            .await
            .unwrap();
    }
    let dec1 = meeting_on(&s, 2026, 12, 1).await;
    // Before the deadline nothing is published.
    s.agenda_tick(&forum).await.unwrap();
    assert!(store.publication(dec1.id).await.unwrap().is_none());
    // At the deadline the agenda is published (not empty: held).
    clock.set(utc(2026, 11, 28, 9, 0));
    let next = s.agenda_tick(&forum).await.unwrap();
    assert_eq!(store.publication(dec1.id).await.unwrap().unwrap().1, "held");
    assert_eq!(next, utc(2026, 12, 5, 9, 0), "the next deadline");
    let doc = s
        .live_document(&samverkan::live::LiveKey::Agenda(dec1.id))
        .await
        .unwrap()
        .expect("published");
    assert_eq!(doc.channel, LEV);
    let shown: Vec<String> = doc
        .blocks
        .iter()
        .map(|m| m.render_with(Lang::Sv, &Plain::default()))
        .collect();
    assert!(shown.iter().any(|l| l.contains("1. Kvarstår")), "{shown:?}");

    // At the meeting the chair marks Y handled; X is not.
    clock.set(utc(2026, 12, 1, 9, 30));
    s.agenda_triage(&chair(), triage(y, TriageAction::Done))
        .await
        .unwrap();
    // 8 December's deadline: X carries over, Y stays handled on 1 December.
    clock.set(utc(2026, 12, 5, 9, 0));
    s.agenda_tick(&forum).await.unwrap();
    let dec8 = meeting_on(&s, 2026, 12, 8).await;
    let xi = store.item(x).await.unwrap().unwrap();
    assert_eq!(
        (xi.meeting, xi.carried, xi.status),
        (dec8.id, 1, ItemStatus::Accepted)
    );
    let yi = store.item(y).await.unwrap().unwrap();
    assert_eq!((yi.meeting, yi.status), (dec1.id, ItemStatus::Handled));
    // And again to 15 December, with its history.
    clock.set(utc(2026, 12, 12, 9, 0));
    s.agenda_tick(&forum).await.unwrap();
    let dec15 = meeting_on(&s, 2026, 12, 15).await;
    let xi = store.item(x).await.unwrap().unwrap();
    assert_eq!((xi.meeting, xi.carried), (dec15.id, 2));
    let carried: Vec<_> = store
        .history(x)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.event == "carried")
        .map(|h| h.meeting)
        .collect();
    assert_eq!(carried, [Some(dec8.id), Some(dec15.id)]);
    let r = s
        .agenda_show(
            &supplier_a(),
            ShowAgenda {
                forum: Some("Leveransforum".into()),
                ..ShowAgenda::default()
            },
        )
        .await
        .unwrap();
    let t = text(&r, Lang::Sv);
    assert!(t.contains("Kvarstår") && t.contains("överförd"), "{t}");
    let mine = text(&s.agenda_mine(&supplier_a()).await.unwrap(), Lang::En);
    assert!(
        mine.contains("carried over from an earlier meeting (2 time(s))"),
        "{mine}"
    );
}

async fn empty_agenda_hold_and_notify(store: Store) {
    let (s, clock) = setup(&store).await;
    let forum = store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    // Hold (the default): published, the meeting stays.
    clock.set(utc(2026, 11, 28, 9, 0));
    s.agenda_tick(&forum).await.unwrap();
    let dec1 = meeting_on(&s, 2026, 12, 1).await;
    assert_eq!(store.publication(dec1.id).await.unwrap().unwrap().1, "held");
    assert_eq!(dec1.state, MeetingState::Scheduled);
    // Notify: published, and a notice for the chair is queued.
    s.forum_edit(
        &chair(),
        EditForum {
            forum: "Leveransforum".into(),
            empty_agenda: Some("meddela".into()),
            ..EditForum::default()
        },
    )
    .await
    .unwrap();
    clock.set(utc(2026, 12, 5, 9, 0));
    s.agenda_tick(&forum).await.unwrap();
    let dec8 = meeting_on(&s, 2026, 12, 8).await;
    assert_eq!(
        store.publication(dec8.id).await.unwrap().unwrap().1,
        "notified"
    );
    assert_eq!(dec8.state, MeetingState::Scheduled);
    let notice = store
        .job(&format!("agenda:notice:empty:{}", dec8.id.0))
        .await
        .unwrap()
        .expect("notice queued");
    assert_eq!(notice.state, JobState::Pending);
    let (_, text, role) = s
        .agenda_notice_channel(dec8.id, "empty")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role, Some(CHAIR), "only the chair role may be pinged");
    assert!(text
        .render_with(Lang::Sv, &DiscordRender)
        .starts_with(&format!("<@&{}>", CHAIR.0)));
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

fn start(s: &Services, clock: &ManualClock, notifier: &Recorder) -> Running {
    let mut sched = Scheduler::new(
        s.store.clone(),
        Arc::new(clock.clone()),
        s.wake.clone(),
        StdDuration::from_secs(30),
    );
    kinds::register_all(&mut sched, s, Arc::new(notifier.clone()));
    let (stop, rx) = watch::channel(false);
    Running {
        stop,
        task: tokio::spawn(sched.run(rx)),
    }
}

async fn until(what: &str, ok: impl AsyncFn() -> bool) {
    let end = Instant::now() + StdDuration::from_secs(20);
    while !ok().await {
        assert!(Instant::now() < end, "never happened: {what}");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
}

/// No job is running, and none is pending and due at `now`.
async fn settled(store: &Store, now: DateTime<Utc>) -> bool {
    store
        .jobs_with_prefix("")
        .await
        .unwrap()
        .iter()
        .all(|j| j.state != JobState::Running && !(j.state == JobState::Pending && j.due_at <= now))
}

async fn empty_agenda_cancel_end_to_end_through_the_scheduler(store: Store) {
    let (s, clock) = setup(&store).await;
    s.forum_edit(
        &chair(),
        EditForum {
            forum: "Leveransforum".into(),
            empty_agenda: Some("cancel".into()),
            ..EditForum::default()
        },
    )
    .await
    .unwrap();
    let rec = Recorder::new();
    let running = start(&s, &clock, &rec);
    let dec1 = meeting_on(&s, 2026, 12, 1).await;
    // The event for 1 December is created (it is within the event horizon).
    until("the event mirrored", async || {
        store.meeting_event(dec1.id).await.unwrap().is_some()
    })
    .await;
    let event = store.meeting_event(dec1.id).await.unwrap().unwrap();
    // The deadline passes with nothing proposed.
    clock.set(utc(2026, 11, 28, 9, 0));
    s.wake.notify();
    until("the meeting cancelled", async || {
        store.meeting_by_id(dec1.id).await.unwrap().unwrap().state == MeetingState::Cancelled
    })
    .await;
    until("the notice posted", async || !rec.messages(LEV).is_empty()).await;
    let notice = rec.messages(LEV);
    assert_eq!(notice.len(), 1, "{notice:?}");
    assert!(
        notice[0].content.contains("är inställt") && notice[0].content.contains("Inga punkter"),
        "{notice:?}"
    );
    until("the event cancelled", async || {
        rec.event_statuses()
            .contains(&(event, EventStatus::Cancelled))
    })
    .await;
    assert_eq!(
        store.publication(dec1.id).await.unwrap().unwrap().1,
        "cancelled"
    );
    // The reason is recorded and shown in /meeting list.
    let list = s.meeting_list(&chair(), "Leveransforum", 3).await.unwrap();
    let t = text(&list, Lang::Sv);
    assert!(
        t.contains("inställt: Inga punkter föreslogs till dagordningen"),
        "{t}"
    );
    // No further reminders for that meeting: its 1-day and 15-minute reminders are dropped,
    // and passing their times posts nothing.
    let forum = store
        .forum_named(G, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    for j in store
        .jobs_with_prefix(&format!("reminder:{}:r:2026-12-01:", forum.id.0))
        .await
        .unwrap()
    {
        assert_ne!(j.state, JobState::Pending, "{j:?}");
    }
    for at in [
        utc(2026, 11, 30, 9, 0),
        utc(2026, 12, 1, 8, 45),
        utc(2026, 12, 1, 9, 30),
    ] {
        clock.set(at);
        s.wake.notify();
        until("the scheduler has nothing due", async || {
            settled(&store, at).await
        })
        .await;
    }
    let after: Vec<String> = rec.messages(LEV).into_iter().map(|m| m.content).collect();
    assert_eq!(after.len(), 1, "only the notice, no reminder: {after:?}");
    let _ = running.stop.send(true);
    let _ = tokio::time::timeout(StdDuration::from_secs(10), running.task).await;
}

async fn only_participants_propose_only_chairs_triage_only_participants_see(store: Store) {
    let (s, _clock) = setup(&store).await;
    let before = agenda_state(&s).await;
    // Without the participant role: no proposal, no question, no agenda.
    refusal(s.agenda_propose(&outsider(), propose("Utifrån")).await);
    refusal(
        s.agenda_question(
            &outsider(),
            AskQuestion {
                forum: Some("Leveransforum".into()),
                text: "Fråga?".into(),
                ..AskQuestion::default()
            },
        )
        .await,
    );
    let show = ShowAgenda {
        forum: Some("Leveransforum".into()),
        ..ShowAgenda::default()
    };
    refusal(s.agenda_show(&outsider(), show.clone()).await);
    // Bots and webhooks never.
    refusal(
        s.agenda_propose(
            &supplier_a(),
            ProposeItem {
                by_bot: true,
                ..propose("Bot")
            },
        )
        .await,
    );
    assert_eq!(agenda_state(&s).await, before);
    // Participants propose; they see the agenda, with no triage buttons.
    let (item, _) = proposed(&s, &supplier_a(), "Deltagare").await;
    let r = s.agenda_show(&supplier_b(), show.clone()).await.unwrap();
    assert!(text(&r, Lang::Sv).contains("Deltagare"));
    assert!(r.actions.is_empty());
    // Only the chair (or an admin) triages; the chair's view offers the decision.
    let before = agenda_state(&s).await;
    refusal(
        s.agenda_triage(&supplier_b(), triage(item, TriageAction::Accept))
            .await,
    );
    refusal(
        s.agenda_triage(&outsider(), triage(item, TriageAction::Accept))
            .await,
    );
    assert_eq!(agenda_state(&s).await, before);
    let r = s.agenda_show(&chair(), show).await.unwrap();
    // Accept, reject and defer, each carrying the item and the version shown, each the same
    // request as its command.
    let paths: Vec<_> = r.actions.iter().map(|b| b.invoke.path).collect();
    assert_eq!(
        paths,
        [
            &["agenda", "accept"][..],
            &["agenda", "reject"][..],
            &["agenda", "defer"][..]
        ]
    );
    for b in &r.actions {
        assert_eq!(
            b.invoke.values.0.get("version"),
            Some(&samverkan::command::Value::Integer(1))
        );
    }
    s.agenda_triage(&admin(), triage(item, TriageAction::Accept))
        .await
        .unwrap();
    // Another guild's member does not find the item at all.
    let stranger = Actor {
        guild: OTHER_G,
        ..admin()
    };
    refusal(
        s.agenda_triage(
            &stranger,
            triage(item, TriageAction::Reject { reason: "x".into() }),
        )
        .await,
    );
    // A forum without a participant role takes anyone's proposal, from its channel.
    let r = s
        .agenda_question(
            &outsider(),
            AskQuestion {
                text: "Vem som helst?".into(),
                channel: Some(OPEN),
                ..AskQuestion::default()
            },
        )
        .await;
    // (It has no meetings yet: refused for that, not for who asks.)
    let (sv, _) = refusal(r);
    assert!(sv.contains("inget kommande möte"), "{sv}");
    // `/agenda mine` lists only the asker's own items.
    let mine = text(&s.agenda_mine(&supplier_b()).await.unwrap(), Lang::Sv);
    assert!(!mine.contains("Deltagare"), "{mine}");
}

async fn bad_input_is_refused_in_both_languages_and_changes_nothing(store: Store) {
    let (s, clock) = setup(&store).await;
    let (item, _) = proposed(&s, &supplier_a(), "Befintlig").await;
    // An item of another forum, to merge into.
    s.forum_edit(
        &admin(),
        EditForum {
            forum: "Öppet forum".into(),
            cadence: Some("weekly wed".into()),
            time: Some("10:00".into()),
            start_date: Some("2026-11-04".into()),
            ..EditForum::default()
        },
    )
    .await
    .unwrap();
    let r = s
        .agenda_propose(
            &supplier_a(),
            ProposeItem {
                forum: Some("Öppet forum".into()),
                ..propose("Annat forum")
            },
        )
        .await
        .unwrap();
    assert!(!r.lines.is_empty());
    let other = store.items_by(G, supplier_a().user, 1).await.unwrap()[0].id;
    // Cancel 8 December, move 15 December to the 16th.
    s.meeting_cancel(&chair(), "Leveransforum", "2026-12-08", "Sjukdom")
        .await
        .unwrap();
    s.meeting_move(
        &chair(),
        "Leveransforum",
        "2026-12-15",
        "2026-12-16",
        "10:00",
    )
    .await
    .unwrap();
    let before = agenda_state(&s).await;
    let a = supplier_a();
    let with = |f: fn(&mut ProposeItem)| {
        let mut p = propose("Rubrik");
        f(&mut p);
        p
    };
    let cases: Vec<(&str, ProposeItem, &str)> = vec![
        (
            "empty title",
            with(|p| p.title = String::new()),
            "Rubriken får inte vara tom",
        ),
        (
            "whitespace title",
            with(|p| p.title = " \n\t ".into()),
            "Rubriken får inte vara tom",
        ),
        (
            "long title",
            with(|p| p.title = "x".repeat(201)),
            "högst 200 tecken",
        ),
        (
            "4001-char background",
            with(|p| p.background = "y".repeat(4001)),
            "högst 4000 tecken",
        ),
        (
            "control character",
            with(|p| p.title = "a\u{7}b".into()),
            "otillåtna tecken",
        ),
        (
            "wants",
            with(|p| p.wants = "lunch".into()),
            "information, diskussion eller beslut",
        ),
        (
            "no minutes",
            with(|p| p.minutes = Some(0)),
            "mellan 1 och 600",
        ),
        (
            "too many minutes",
            with(|p| p.minutes = Some(601)),
            "mellan 1 och 600",
        ),
        (
            "cancelled meeting",
            with(|p| p.meeting = Some("2026-12-08".into())),
            "är inställt",
        ),
        (
            "moved-away meeting",
            with(|p| p.meeting = Some("2026-12-15".into())),
            "flyttat till onsdag 16 december 2026 10:00",
        ),
        (
            "past meeting",
            with(|p| p.meeting = Some("2026-11-24".into())),
            "redan varit",
        ),
        (
            "unknown forum",
            with(|p| p.forum = Some("Finns inte".into())),
            "inget forum",
        ),
        (
            "no forum, no channel",
            with(|p| p.forum = None),
            "Ange vilket forum",
        ),
    ];
    for (what, p, expect) in cases {
        let (sv, _en) = refusal(s.agenda_propose(&a, p).await);
        assert!(sv.contains(expect), "{what}: {sv}");
        assert_eq!(agenda_state(&s).await, before, "{what} changed something");
    }
    let q = AskQuestion {
        forum: Some("Leveransforum".into()),
        text: "q".repeat(2001),
        ..AskQuestion::default()
    };
    refusal(s.agenda_question(&a, q).await);
    let bad_triage: Vec<(&str, TriageAction, &str)> = vec![
        (
            "merge into itself",
            TriageAction::Merge { into: item.0 },
            "sig själv",
        ),
        (
            "merge into another forum",
            TriageAction::Merge { into: other.0 },
            "samma forum",
        ),
        (
            "merge into nothing",
            TriageAction::Merge { into: 999_999 },
            "ingen punkt",
        ),
        (
            "empty reason",
            TriageAction::Reject {
                reason: "  ".into(),
            },
            "Skälet får inte vara tom",
        ),
        (
            "long reason",
            TriageAction::Reject {
                reason: "r".repeat(1001),
            },
            "högst 1000",
        ),
        (
            "timebox 0",
            TriageAction::Timebox { minutes: 0 },
            "mellan 1 och 600",
        ),
        (
            "position 0",
            TriageAction::Move { position: 0 },
            "mellan 1 och",
        ),
        (
            "position too far",
            TriageAction::Move { position: 99 },
            "mellan 1 och",
        ),
        (
            "long presenter",
            TriageAction::Presenter {
                name: "p".repeat(101),
            },
            "högst 100",
        ),
        (
            "done before accepted",
            TriageAction::Done,
            "Godkänn punkten",
        ),
        (
            "pull in what was not late",
            TriageAction::PullIn,
            "inte för sent",
        ),
    ];
    for (what, action, expect) in bad_triage {
        let (sv, en) = refusal(s.agenda_triage(&chair(), triage(item, action)).await);
        assert!(sv.contains(expect), "{what}: {sv} / {en}");
        assert_eq!(agenda_state(&s).await, before, "{what} changed something");
    }
    // Markdown, mentions and @everyone are stored as typed and shown escaped; never a ping.
    clock.set(utc(2026, 11, 25, 9, 0));
    let hostile = "@everyone **fet** <@&700000000000000001> [länk](https://x.test) `kod`";
    let (id, _) = proposed(&s, &supplier_b(), hostile).await;
    assert_eq!(store.item(id).await.unwrap().unwrap().title, hostile);
    let r = s
        .agenda_show(
            &supplier_b(),
            ShowAgenda {
                forum: Some("Leveransforum".into()),
                ..ShowAgenda::default()
            },
        )
        .await
        .unwrap();
    let discord: String = r
        .lines
        .iter()
        .map(|m| m.render_with(Lang::Sv, &DiscordRender))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(discord.contains("@\u{200b}everyone"), "{discord}");
    assert!(!discord.contains("@everyone"), "{discord}");
    assert!(!discord.contains("<@&700000000000000001>"), "{discord}");
    assert!(
        discord.contains("\\*\\*fet\\*\\*") && discord.contains("\\[länk\\]"),
        "{discord}"
    );
}

async fn two_chairs_at_the_same_moment_one_outcome_the_other_told(store: Store) {
    let (s, _clock) = setup(&store).await;
    for round in 0..6 {
        let (item, _) = proposed(&s, &supplier_a(), &format!("Samtidigt {round}")).await;
        let version = store.item(item).await.unwrap().unwrap().version;
        let accept = Triage {
            item: item.0,
            action: TriageAction::Accept,
            version: Some(version),
        };
        let reject = Triage {
            item: item.0,
            action: TriageAction::Reject {
                reason: "Dubblett".into(),
            },
            version: Some(version),
        };
        let (s1, s2) = (s.clone(), s.clone());
        let (a, b) = tokio::join!(
            tokio::spawn(async move { s1.agenda_triage(&chair(), accept).await }),
            tokio::spawn(async move { s2.agenda_triage(&chair2(), reject).await })
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(
            a.is_ok() != b.is_ok(),
            "round {round}: exactly one wins: {a:?} / {b:?}"
        );
        let loser = if a.is_ok() { b } else { a };
        let (sv, en) = refusal(loser);
        assert!(
            sv.contains("samtidigt") && en.contains("same moment"),
            "{sv}"
        );
        let now = store.item(item).await.unwrap().unwrap();
        assert_eq!(
            now.version,
            version + 1,
            "one change, nothing lost or doubled"
        );
        let steps: Vec<_> = store
            .history(item)
            .await
            .unwrap()
            .into_iter()
            .filter(|h| h.event != "proposed")
            .collect();
        assert_eq!(steps.len(), 1, "{steps:?}");
        let dms = store
            .jobs_with_prefix(&format!("agenda:dm:rejected:{}:", item.0))
            .await
            .unwrap();
        assert_eq!(dms.len(), usize::from(now.status == ItemStatus::Rejected));
    }
    // A slash command (no version) after a decision is decided from the current state.
    let (item, _) = proposed(&s, &supplier_a(), "Efteråt").await;
    s.agenda_triage(&chair(), triage(item, TriageAction::Accept))
        .await
        .unwrap();
    let (sv, _) = refusal(
        s.agenda_triage(&chair2(), triage(item, TriageAction::Accept))
            .await,
    );
    assert!(sv.contains("redan godkänd"), "{sv}");
}

async fn triage_reject_defer_merge_order_timebox_presenter_done(store: Store) {
    let (s, clock) = setup(&store).await;
    let (a, _) = proposed(&s, &supplier_a(), "Första").await;
    let (b, _) = proposed(&s, &supplier_b(), "Andra").await;
    let (c, _) = proposed(&s, &supplier_b(), "Dubblett av första").await;
    let (d, _) = proposed(&s, &supplier_a(), "Skjuts upp").await;
    let (e, _) = proposed(&s, &supplier_b(), "Avslås").await;
    s.agenda_question(
        &supplier_b(),
        AskQuestion {
            forum: Some("Leveransforum".into()),
            text: "Hur går det med leveransen?".into(),
            ..AskQuestion::default()
        },
    )
    .await
    .unwrap();
    let ch = chair();
    let t = |i, a| triage(i, a);
    for i in [a, b] {
        s.agenda_triage(&ch, t(i, TriageAction::Accept))
            .await
            .unwrap();
    }
    let r = s
        .agenda_triage(&ch, t(c, TriageAction::Merge { into: a.0 }))
        .await
        .unwrap();
    assert!(text(&r, Lang::Sv).contains("sammanslagen med #"));
    let r = s
        .agenda_triage(&ch, t(d, TriageAction::Defer))
        .await
        .unwrap();
    assert!(
        text(&r, Lang::Sv).contains("8 december 2026"),
        "{}",
        text(&r, Lang::Sv)
    );
    let r = s
        .agenda_triage(
            &ch,
            t(
                e,
                TriageAction::Reject {
                    reason: "Hör till ett annat forum".into(),
                },
            ),
        )
        .await
        .unwrap();
    assert!(text(&r, Lang::En).contains("private message"));
    s.agenda_triage(&ch, t(b, TriageAction::Move { position: 1 }))
        .await
        .unwrap();
    s.agenda_triage(&ch, t(b, TriageAction::Timebox { minutes: 25 }))
        .await
        .unwrap();
    s.agenda_triage(
        &ch,
        t(
            b,
            TriageAction::Presenter {
                name: "Anna (Leverantör AB)".into(),
            },
        ),
    )
    .await
    .unwrap();
    // The proposer of the rejected item gets the reason privately (a DM job, rendered).
    let dm = store
        .jobs_with_prefix(&format!("agenda:dm:rejected:{}:", e.0))
        .await
        .unwrap();
    assert_eq!(dm.len(), 1);
    let (item, msg) = s.agenda_notice_dm(e).await.unwrap().unwrap();
    assert_eq!(item.proposer, supplier_b().user);
    let dm_text = msg.render_with(Lang::Sv, &Plain::default());
    assert!(dm_text.contains("Hör till ett annat forum"), "{dm_text}");
    // The agenda: B first with its timebox and presenter, A second, the question, the rest
    // not on it; merged and deferred ones show so in `/agenda mine`.
    let show = s
        .agenda_show(
            &supplier_a(),
            ShowAgenda {
                forum: Some("Leveransforum".into()),
                ..ShowAgenda::default()
            },
        )
        .await
        .unwrap();
    let shown = text(&show, Lang::Sv);
    let pos = |needle: &str| {
        shown
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {shown}"))
    };
    assert!(pos("1. Andra") < pos("2. Första"), "{shown}");
    assert!(
        shown.contains("25 min, föredras av Anna (Leverantör AB)"),
        "{shown}"
    );
    assert!(
        shown.contains("Frågor i förväg (1)") && shown.contains("Hur går det"),
        "{shown}"
    );
    assert!(
        !shown.contains("Avslås") && !shown.contains("Dubblett") && !shown.contains("Skjuts upp"),
        "{shown}"
    );
    let mine = text(&s.agenda_mine(&supplier_b()).await.unwrap(), Lang::Sv);
    assert!(
        mine.contains(&format!("sammanslagen med #{}", a.0)),
        "{mine}"
    );
    assert!(
        mine.contains("avslagen: Hör till ett annat forum"),
        "{mine}"
    );
    // Done: only until the meeting's record arrives.
    clock.set(utc(2026, 12, 1, 9, 30));
    let r = s
        .agenda_triage(&ch, t(a, TriageAction::Done))
        .await
        .unwrap();
    assert!(text(&r, Lang::Sv).contains("behandlad"));
    let (sv, _) = refusal(s.agenda_triage(&ch, t(a, TriageAction::Done)).await);
    assert!(sv.contains("redan behandlad"), "{sv}");
    // Standing items, in their place.
    let forum = "Leveransforum";
    s.agenda_standing_add(&ch, forum, "Föregående minnesanteckningar", "start")
        .await
        .unwrap();
    s.agenda_standing_add(&ch, forum, "Övriga frågor", "slut")
        .await
        .unwrap();
    let (sv, _) = refusal(s.agenda_standing_add(&ch, forum, "övriga FRÅGOR", "").await);
    assert!(sv.contains("redan en stående punkt"), "{sv}");
    refusal(s.agenda_standing_add(&supplier_a(), forum, "X", "").await);
    let show = s
        .agenda_show(
            &ch,
            ShowAgenda {
                forum: Some(forum.into()),
                meeting: Some("2026-12-08".into()),
                ..ShowAgenda::default()
            },
        )
        .await
        .unwrap();
    let shown = text(&show, Lang::Sv);
    let first = shown
        .find("1. Föregående minnesanteckningar")
        .expect(&shown);
    let last = shown.find("Övriga frågor").expect(&shown);
    assert!(first < last, "{shown}");
    s.agenda_standing_remove(&ch, forum, "övriga frågor")
        .await
        .unwrap();
    refusal(s.agenda_standing_remove(&ch, forum, "övriga frågor").await);
}
