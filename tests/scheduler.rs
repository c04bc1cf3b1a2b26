//! The scheduler in process, on both backends, with a driven clock and a recording notifier:
//! exactly once after an outage longer than any nonce window, the catch-up policy for a
//! reclaimed reminder, retries that count failures and not hand-backs, give-ups shown to the
//! chair, leases that outlive long waits, a clock jump in one of two processes, and the job
//! registry.

#[path = "support/db.rs"]
mod db;
#[path = "support/leveransforum.rs"]
mod leveransforum;
#[path = "support/recorder.rs"]
mod recorder;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use recorder::{Answer, Recorder};
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::scheduler::kinds;
use samverkan::scheduler::{Scheduler, MAX_FAILURES};
use samverkan::service::{Actor, EditForum, ForumRef, Services, Status};
use samverkan::store::{JobRecord, JobState, Store};
use tokio::sync::watch;

const G: GuildId = GuildId(900_000_000_000_000_001);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
/// The 15-minute reminder of Tuesday 1 December 2026's 10:30 meeting (Stockholm).
const KEY_PREFIX: &str = "reminder:1:r:2026-12-01:";
const LEASE: StdDuration = StdDuration::from_secs(30);
const T: StdDuration = StdDuration::from_secs(15);

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
}

fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

/// A forum meeting Tuesdays 10:30 with a 15-minute reminder (due 09:15 UTC), the clock at
/// 08:00 UTC on the day.
async fn setup(store: &Store) -> (Services, ManualClock) {
    setup_with(store, "15m", utc(9, 15)).await
}

/// Leveransforum meets on Tuesdays at 10:30 Stockholm time (09:30 UTC), reminding `reminders`
/// before; the clock stands at 08:00 UTC and the one reminder job is due at `due`.
async fn setup_with(store: &Store, reminders: &str, due: DateTime<Utc>) -> (Services, ManualClock) {
    let clock = ManualClock::new(utc(8, 0));
    let s = leveransforum::setup(store, &clock, G, &[(LEV, "leveransforum")]).await;
    let edit = EditForum {
        forum: "leveransforum".into(),
        cadence: Some("weekly tue".into()),
        time: Some("10:30".into()),
        start_date: Some("2026-11-03".into()),
        reminders: Some(reminders.into()),
        ..EditForum::default()
    };
    let p = s
        .present(Some(G), s.forum_edit(&admin(), edit).await, &DiscordRender)
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert_eq!(job(store).await.due_at, due);
    (s, clock)
}

/// A running scheduler; dropping the handle's task is a process dying (SIGKILL): nothing of
/// it runs any more, and nothing is recorded.
struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Returns once the task is gone: an abort takes effect at the task's next yield, and a
    /// heartbeat still alive then would renew the lease at whatever time the test sets next.
    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(T, self.task).await;
    }
}

fn start(s: &Services, clock: &ManualClock, notifier: &Recorder) -> Running {
    let mut sched = Scheduler::new(
        s.store.clone(),
        Arc::new(clock.clone()),
        s.wake.clone(),
        LEASE,
    );
    kinds::register_all(&mut sched, s, Arc::new(notifier.clone()));
    let (stop, rx) = watch::channel(false);
    Running {
        stop,
        task: tokio::spawn(sched.run(rx)),
    }
}

/// The one reminder job of the meeting on 2026-12-01, whatever its offset.
async fn job(store: &Store) -> JobRecord {
    let mut jobs = store.jobs_with_prefix(KEY_PREFIX).await.unwrap();
    assert_eq!(jobs.len(), 1, "one reminder for the meeting: {jobs:?}");
    jobs.remove(0)
}

/// Waits (real time, bounded) until `ok` holds for the reminder job, moving the clock to the
/// job's due time whenever it waits for a later moment (a retry, a hand-back).
async fn drive_until(
    store: &Store,
    clock: &ManualClock,
    ok: impl Fn(&JobRecord) -> bool,
) -> JobRecord {
    let end = Instant::now() + T;
    loop {
        let j = job(store).await;
        if ok(&j) {
            return j;
        }
        if j.state == JobState::Pending && j.due_at > clock.now() {
            clock.set(j.due_at);
        }
        assert!(Instant::now() < end, "gave up waiting; the job is {j:?}");
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
}

/// Waits (real time, bounded) for something the running tasks do.
async fn until(what: &str, ok: impl Fn() -> bool) {
    let end = Instant::now() + T;
    while !ok() {
        assert!(Instant::now() < end, "never happened: {what}");
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
}

fn finished(j: &JobRecord) -> bool {
    !matches!(j.state, JobState::Pending | JobState::Running)
}

on_both_backends!(
    a_message_posted_before_a_crash_is_found_after_a_long_outage,
    a_reclaimed_reminder_never_posted_obeys_the_catch_up_policy,
    a_reclaimed_reminder_still_timely_is_sent_once_marked_late,
    a_lost_answer_is_not_posted_twice,
    rate_limit_hand_backs_cost_no_try,
    lateness_counts_from_the_planned_time_not_the_last_hand_back,
    failures_give_up_after_bounded_retries_and_show_in_forum_show,
    a_job_waiting_longer_than_its_lease_is_run_by_one_worker_only,
    a_clock_jump_does_not_start_a_running_job_twice,
    a_clock_jump_in_another_process_sends_nothing_twice,
    every_kind_stored_has_a_handler,
);

async fn a_message_posted_before_a_crash_is_found_after_a_long_outage(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // Discord stores the message; the process dies before it hears back.
    rec.script([Answer::StoredThenHang]);
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("the first attempt posted", || rec.messages(LEV).len() == 1).await;
    a.kill().await;
    // Back an hour later: long past the lease, and past any nonce window (the recorder has
    // none) and past the meeting's start, when the catch-up policy would skip it.
    clock.set(utc(10, 15));
    let b = start(&s, &clock, &rec);
    let j = drive_until(&store, &clock, finished).await;
    b.stop().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    assert_eq!(j.outcome.as_deref(), Some("sent_found"));
    let msgs = rec.messages(LEV);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert_eq!(j.message_id, Some(msgs[0].id));
    assert_eq!(rec.posts(), 1, "nothing was posted again");
}

async fn a_reclaimed_reminder_never_posted_obeys_the_catch_up_policy(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // The process dies while its request is on the way: Discord never stored it.
    rec.script([Answer::Hang]);
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("the first attempt began", || rec.posts() == 1).await;
    a.kill().await;
    // Back after the meeting started: the policy says skip, reclaimed or not.
    clock.set(utc(10, 35));
    let b = start(&s, &clock, &rec);
    let j = drive_until(&store, &clock, finished).await;
    b.stop().await;
    assert_eq!(
        (j.state, j.outcome.as_deref()),
        (JobState::Skipped, Some("meeting_started"))
    );
    assert!(rec.messages(LEV).is_empty());
    assert_eq!(rec.lists(), 1, "it looked for an earlier message first");
}

async fn a_reclaimed_reminder_still_timely_is_sent_once_marked_late(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    rec.script([Answer::Hang]);
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("the first attempt began", || rec.posts() == 1).await;
    a.kill().await;
    // Back five minutes later: before the meeting, so still sent, marked delayed.
    clock.set(utc(9, 20));
    let b = start(&s, &clock, &rec);
    let j = drive_until(&store, &clock, finished).await;
    b.stop().await;
    assert_eq!(
        (j.state, j.outcome.as_deref()),
        (JobState::Done, Some("sent_late"))
    );
    assert_eq!(rec.messages(LEV).len(), 1);
}

async fn a_lost_answer_is_not_posted_twice(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // Stored, but the answer was lost (a timeout): the retry finds it instead of re-posting.
    rec.script([Answer::StoredButLost]);
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    assert_eq!(
        (j.state, j.outcome.as_deref(), j.failures),
        (JobState::Done, Some("sent_found"), 1)
    );
    assert_eq!(rec.messages(LEV).len(), 1);
    assert_eq!(rec.posts(), 1);
}

async fn rate_limit_hand_backs_cost_no_try(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // More hand-backs than the job may fail, then two 5xx, then through.
    let limited = (0..MAX_FAILURES + 5).map(|_| Answer::RateLimited(StdDuration::from_secs(1)));
    rec.script(limited.chain([Answer::Transient, Answer::Transient]));
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    assert_eq!((j.state, j.failures), (JobState::Done, 2), "{j:?}");
    assert_eq!(
        j.attempts,
        MAX_FAILURES + 5 + 3,
        "every hand-back was a claim"
    );
    assert_eq!(rec.messages(LEV).len(), 1);
}

/// A hand-back moves the job's `due_at`; the reminder is still as late as it is behind the
/// time it was planned for.
async fn lateness_counts_from_the_planned_time_not_the_last_hand_back(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // Held back three times, 30 s each: it goes out 90 s after 09:15, its last hand-back
    // only 30 s before.
    rec.script((0..3).map(|_| Answer::RateLimited(StdDuration::from_secs(30))));
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    assert_eq!(
        (j.state, j.outcome.as_deref(), j.attempts),
        (JobState::Done, Some("sent_late"), 4),
        "{j:?}"
    );
    assert_eq!(rec.messages(LEV).len(), 1);
}

async fn failures_give_up_after_bounded_retries_and_show_in_forum_show(store: Store) {
    // An hour ahead of the meeting: the nine backoffs (2 s doubling, jittered: 8.5 to 17
    // minutes together) must all fall before it starts, or the catch-up policy rightly skips
    // the reminder instead of letting it give up.
    let (s, clock) = setup_with(&store, "1h", utc(8, 30)).await;
    let rec = Recorder::new();
    rec.script((0..MAX_FAILURES + 3).map(|_| Answer::Transient));
    let a = start(&s, &clock, &rec);
    clock.set(utc(8, 30));
    s.wake.notify();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    assert_eq!(j.state, JobState::Failed, "{j:?}");
    let reason = j.outcome.clone().unwrap_or_default();
    assert!(
        reason.starts_with(&format!("gave up after {MAX_FAILURES} failures")),
        "{reason}"
    );
    assert_eq!(rec.posts(), MAX_FAILURES as usize, "bounded");
    assert!(rec.messages(LEV).is_empty());
    // The chair sees it.
    let p = s
        .present(
            Some(G),
            s.forum_show(&admin(), ForumRef("Leveransforum".into()))
                .await,
            &DiscordRender,
        )
        .await;
    assert!(p.text.contains("502 Bad Gateway"), "{}", p.text);
}

async fn a_job_waiting_longer_than_its_lease_is_run_by_one_worker_only(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    // Discord (or our rate limiter) keeps the first worker's send waiting for minutes.
    rec.hold();
    let a = start(&s, &clock, &rec);
    let b = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("one worker is sending", || rec.posts() == 1).await;
    // Seven leases pass, a third of a lease at a time; each time the holder's heartbeat
    // renews the lease before the other worker could take the job over.
    for _ in 0..21 {
        clock.advance(Duration::seconds(10));
        let end = Instant::now() + T;
        loop {
            let j = job(&store).await;
            let now = clock.now();
            if j.lease_until
                .is_some_and(|l| l > now + Duration::seconds(15))
            {
                break;
            }
            assert!(Instant::now() < end, "the lease was not renewed: {j:?}");
            tokio::time::sleep(StdDuration::from_millis(5)).await;
        }
        assert_eq!(rec.posts(), 1, "another worker took the job over");
    }
    rec.release();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    b.stop().await;
    assert_eq!((j.state, j.attempts), (JobState::Done, 1), "{j:?}");
    assert_eq!(rec.posts(), 1);
    assert_eq!(rec.messages(LEV).len(), 1);
}

async fn a_clock_jump_does_not_start_a_running_job_twice(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    rec.hold();
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("sending", || rec.posts() == 1).await;
    // The clock jumps a day forwards: the job's lease looks long expired. Either the
    // heartbeat renews it first, or the claim hands it back to this very process; either way
    // it is held again, and not started a second time.
    clock.advance(Duration::days(1));
    let end = Instant::now() + T;
    loop {
        let j = job(&store).await;
        if j.lease_until.is_some_and(|l| l > clock.now()) {
            break;
        }
        assert!(
            Instant::now() < end,
            "the lease was never taken up again: {j:?}"
        );
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    // And back again.
    clock.advance(-Duration::days(1));
    rec.release();
    let j = drive_until(&store, &clock, finished).await;
    a.stop().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    assert_eq!(rec.posts(), 1, "started twice");
    assert_eq!(rec.messages(LEV).len(), 1);
}

/// Two processes on one database, and the clock of one of them jumps forwards past the
/// other's lease while that other is sending: the jumped process takes the job over (it
/// cannot tell a live process from a dead one by the lease) and sends it too. Both sends
/// carry the job's nonce and overlap in time (a send waits at most 20 s for a slot and 15 s
/// for its answer, well inside Discord's minutes of nonce memory), so Discord keeps one
/// message; the job is recorded once, by the process holding it, with that message.
async fn a_clock_jump_in_another_process_sends_nothing_twice(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    rec.remember_nonces();
    rec.hold();
    let a = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    until("the first process is sending", || rec.posts() == 1).await;
    // The second process's clock reads five minutes later: the first one's lease (renewed
    // a third of a lease ahead by its own clock) looks long gone.
    let b_clock = ManualClock::new(utc(9, 20));
    let b_services = Services::new(
        store.clone(),
        Arc::new(b_clock.clone()),
        Arc::new(Config::default()),
    );
    let b = start(&b_services, &b_clock, &rec);
    b_services.wake.notify();
    until("the second process sends too", || rec.posts() == 2).await;
    rec.release();
    let end = Instant::now() + T;
    let j = loop {
        let j = job(&store).await;
        if finished(&j) {
            break j;
        }
        assert!(Instant::now() < end, "never finished: {j:?}");
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    };
    a.stop().await;
    b.stop().await;
    let messages = rec.messages(LEV);
    assert_eq!(messages.len(), 1, "sent twice: {messages:?}");
    assert_eq!(j.state, JobState::Done, "{j:?}");
    assert_eq!(j.message_id, Some(messages[0].id), "{j:?}");
}

async fn every_kind_stored_has_a_handler(store: Store) {
    let (s, clock) = setup(&store).await;
    let rec = Recorder::new();
    let mut sched = Scheduler::new(
        store.clone(),
        Arc::new(clock.clone()),
        s.wake.clone(),
        LEASE,
    );
    kinds::register_all(&mut sched, &s, Arc::new(rec.clone()));
    let mut all: Vec<String> = kinds::ALL.iter().map(|k| k.to_string()).collect();
    all.sort();
    assert_eq!(sched.kinds(), all, "one handler per declared kind");
    // What the use cases store: planning, reminders, events (above), a member's DM
    // reminders, the whistleblowing runs.
    let p = s
        .present(
            Some(G),
            s.meeting_remind_me(&admin(), "Leveransforum", true).await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    samverkan::scheduler::whistleblowing::schedule_daily(&s, true)
        .await
        .unwrap();
    let run = start(&s, &clock, &rec);
    clock.set(utc(9, 15));
    s.wake.notify();
    drive_until(&store, &clock, finished).await;
    run.stop().await;
    let mut stored: Vec<String> = store
        .jobs_with_prefix("")
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.kind)
        .collect();
    stored.sort();
    stored.dedup();
    assert!(stored.contains(&"dm".to_string()), "{stored:?}");
    for k in &stored {
        assert!(all.contains(k), "kind {k} has no handler");
    }
}
