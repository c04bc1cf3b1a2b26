//! Meeting use cases on both backends with a driven clock: schedule edits recompute future
//! meetings and never repeat a reminder already sent.

#[path = "support/db.rs"]
mod db;
#[path = "support/leveransforum.rs"]
mod leveransforum;

use chrono::{Duration, TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::service::{Actor, EditForum, Services, Status};
use samverkan::store::{JobState, Store};

const G: GuildId = GuildId(900_000_000_000_000_001);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);

fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

async fn setup(store: &Store, clock: &ManualClock) -> Services {
    leveransforum::setup(store, clock, G, &[(LEV, "leveransforum")]).await
}

trait NowUtc {
    fn now_utc(&self) -> chrono::DateTime<Utc>;
}
impl NowUtc for ManualClock {
    fn now_utc(&self) -> chrono::DateTime<Utc> {
        samverkan::clock::Clock::now(self)
    }
}

fn edit(fields: impl FnOnce(&mut EditForum)) -> EditForum {
    let mut e = EditForum {
        forum: "leveransforum".into(),
        ..EditForum::default()
    };
    fields(&mut e);
    e
}

on_both_backends!(schedule_edits_recompute_meetings_and_never_repeat_a_sent_reminder);

async fn schedule_edits_recompute_meetings_and_never_repeat_a_sent_reminder(store: Store) {
    // Monday 30 November 2026, 09:00 in Stockholm.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap());
    let s = setup(&store, &clock).await;
    let r = s
        .forum_edit(
            &admin(),
            edit(|e| {
                e.cadence = Some("weekly tue".into());
                e.time = Some("10:30".into());
                e.start_date = Some("2026-11-03".into());
                e.reminders = Some("1d, 15m".into());
            }),
        )
        .await;
    let p = s.present(Some(G), r, &DiscordRender).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let day_before = "reminder:1:r:2026-12-01:1d";
    let soon = "reminder:1:r:2026-12-01:15m";
    let j = store.job(day_before).await.unwrap().unwrap();
    assert_eq!(
        j.due_at,
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 30, 0).unwrap()
    );

    // The day-before reminder goes out.
    clock.set(Utc.with_ymd_and_hms(2026, 11, 30, 9, 31, 0).unwrap());
    let claimed = store
        .claim_due(clock.now_utc(), Duration::seconds(30), "w", 10)
        .await
        .unwrap();
    // (Planning and event jobs are due too; only the reminder is handled here.)
    let reminder = claimed
        .iter()
        .find(|j| j.key == day_before)
        .expect("claimed");
    assert!(claimed
        .iter()
        .all(|j| !j.key.starts_with("reminder:") || j.key == day_before));
    store
        .finish_job(reminder.id, "w", JobState::Done, "sent", clock.now_utc())
        .await
        .unwrap();
    for other in claimed.iter().filter(|j| j.key != day_before) {
        store
            .requeue_job(other.id, "w", other.due_at, "test", None)
            .await
            .unwrap();
    }

    // The time changes to 11:00: the meeting and its pending reminder follow; the sent one
    // stays sent (it is not queued again for the new time).
    let p = s
        .present(
            Some(G),
            s.forum_edit(&admin(), edit(|e| e.time = Some("11:00".into())))
                .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let j = store.job(day_before).await.unwrap().unwrap();
    assert_eq!(
        (j.state, j.due_at),
        (
            JobState::Done,
            Utc.with_ymd_and_hms(2026, 11, 30, 9, 30, 0).unwrap()
        )
    );
    let j = store.job(soon).await.unwrap().unwrap();
    assert_eq!(
        (j.state, j.due_at),
        (
            JobState::Pending,
            Utc.with_ymd_and_hms(2026, 12, 1, 9, 45, 0).unwrap()
        )
    );
    let forum = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let next = s.upcoming(&forum, clock.now_utc(), 1).await.unwrap();
    assert_eq!(
        next[0].starts_at(),
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap()
    );

    // Now Wednesdays: Tuesday's meeting disappears with its pending reminder; Wednesday's is
    // planned with fresh reminders.
    let p = s
        .present(
            Some(G),
            s.forum_edit(
                &admin(),
                edit(|e| e.cadence = Some("veckovis onsdag".into())),
            )
            .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert_eq!(
        store.job(soon).await.unwrap().unwrap().state,
        JobState::Obsolete
    );
    let forum = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let next = s.upcoming(&forum, clock.now_utc(), 2).await.unwrap();
    assert_eq!(
        next[0].starts_at(),
        Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()
    );
    assert_eq!(
        store
            .job("reminder:1:r:2026-12-02:1d")
            .await
            .unwrap()
            .unwrap()
            .state,
        JobState::Pending
    );
    // Nothing of the edits is lost: bad input changes nothing.
    let p = s
        .present(
            Some(G),
            s.forum_edit(
                &admin(),
                edit(|e| e.cadence = Some("cron * * * * *".into())),
            )
            .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
    let after = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.schedule, forum.schedule);
}
