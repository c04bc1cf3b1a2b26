//! Live documents in process, on both backends, with a driven clock and a recording notifier:
//! changes are coalesced (50 changes in 10 s cost at most 10 edits, the latest state shows
//! within 5 s), a document longer than a message is split between its blocks and messages are
//! added and removed as it grows and shrinks, and a post interrupted by a crash is found, not
//! made twice.

#[path = "support/db.rs"]
mod db;
#[path = "support/recorder.rs"]
mod recorder;

use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use recorder::{Answer, Recorder};
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::ids::{ChannelId, GuildId};
use samverkan::domain::meeting::MeetingId;
use samverkan::i18n::{Lang, Msg};
use samverkan::live::{LiveDocument, LiveKey, LiveSource};
use samverkan::scheduler::{live, Scheduler};
use samverkan::service::Services;
use samverkan::store::{JobRecord, JobState, Store};
use tokio::sync::watch;

const G: GuildId = GuildId(900_000_000_000_000_001);
const CH: ChannelId = ChannelId(800_000_000_000_000_001);
const OTHER: ChannelId = ChannelId(800_000_000_000_000_002);
const KEY: LiveKey = LiveKey::Agenda(MeetingId(7));
const LEASE: StdDuration = StdDuration::from_secs(30);
const T: StdDuration = StdDuration::from_secs(20);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

/// The document as the test sets it.
#[derive(Clone, Default)]
struct Doc(Arc<Mutex<Option<LiveDocument>>>);

impl Doc {
    fn set(&self, channel: ChannelId, blocks: &[String]) {
        *self.0.lock().unwrap() = Some(LiveDocument {
            guild: G,
            channel,
            lang: Lang::En,
            blocks: blocks
                .iter()
                .map(|b| Msg::new("text-line").arg("text", b.as_str()))
                .collect(),
            mention_role: None,
            actions: Vec::new(),
        });
    }
    fn clear(&self) {
        *self.0.lock().unwrap() = None;
    }
}

#[async_trait]
impl LiveSource for Doc {
    async fn document(&self, key: &LiveKey) -> anyhow::Result<Option<LiveDocument>> {
        assert_eq!(*key, KEY);
        Ok(self.0.lock().unwrap().clone())
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn kill(self) {
        self.task.abort();
    }
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(T, self.task).await;
    }
}

struct World {
    s: Services,
    clock: ManualClock,
    rec: Recorder,
    doc: Doc,
}

fn world(store: &Store) -> World {
    let clock = ManualClock::new(t0());
    let s = Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    );
    World {
        s,
        clock,
        rec: Recorder::new(),
        doc: Doc::default(),
    }
}

impl World {
    fn start(&self) -> Running {
        let mut sched = Scheduler::new(
            self.s.store.clone(),
            Arc::new(self.clock.clone()),
            self.s.wake.clone(),
            LEASE,
        );
        live::register(
            &mut sched,
            self.s.clone(),
            Arc::new(self.rec.clone()),
            Arc::new(self.doc.clone()),
        );
        let (stop, rx) = watch::channel(false);
        Running {
            stop,
            task: tokio::spawn(sched.run(rx)),
        }
    }

    /// A change, as a use case reports it (through the hook the composition root installs).
    async fn change(&self, blocks: &[String]) {
        self.doc.set(CH, blocks);
        let hook = live::LiveRefresh::new(&self.s);
        samverkan::live::LiveHook::changed(&hook, &KEY).await;
    }

    async fn job(&self) -> JobRecord {
        self.s
            .store
            .job(&format!("live:{}", KEY.key()))
            .await
            .unwrap()
            .expect("the refresh job")
    }

    /// Waits (real time, bounded) until nothing is due now: every refresh due by the clock's
    /// time has run.
    async fn settle(&self) -> JobRecord {
        let end = Instant::now() + T;
        loop {
            let j = self.job().await;
            let idle = match j.state {
                JobState::Running => false,
                JobState::Pending => j.due_at > self.clock.now(),
                _ => true,
            };
            if idle {
                return j;
            }
            assert!(Instant::now() < end, "the refresh never settled: {j:?}");
            tokio::time::sleep(StdDuration::from_millis(5)).await;
        }
    }

    fn shown(&self, channel: ChannelId) -> Vec<String> {
        self.rec
            .messages(channel)
            .into_iter()
            .map(|m| m.content)
            .collect()
    }
}

fn blocks(n: usize, tag: &str) -> Vec<String> {
    (0..n)
        .map(|i| format!("{tag} {i:02}: {}", "x".repeat(150)))
        .collect()
}

on_both_backends!(
    fifty_changes_in_ten_seconds_cost_at_most_ten_edits_and_the_last_shows_within_five,
    a_long_document_is_split_between_blocks_and_grows_and_shrinks_in_place,
    a_post_interrupted_by_a_crash_is_found_not_repeated,
);

async fn fifty_changes_in_ten_seconds_cost_at_most_ten_edits_and_the_last_shows_within_five(
    store: Store,
) {
    let w = world(&store);
    let run = w.start();
    let mut last_change = t0();
    for i in 0..50 {
        w.change(&[format!("version {i}")]).await;
        last_change = w.clock.now();
        w.settle().await;
        w.clock.advance(Duration::milliseconds(200));
        w.settle().await;
    }
    assert!(last_change - t0() < Duration::seconds(10));
    // Within 5 s of the last change the last state shows.
    w.clock.set(last_change + Duration::seconds(5));
    let j = w.settle().await;
    run.stop().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    assert_eq!(w.shown(CH), vec!["version 49".to_string()]);
    let requests = w.rec.posts() + w.rec.edits();
    assert!(requests <= 10, "{requests} requests for 50 changes");
    assert!(requests >= 5, "it did refresh along the way ({requests})");
    assert_eq!(w.rec.posts(), 1, "one message, edited in place");
}

async fn a_long_document_is_split_between_blocks_and_grows_and_shrinks_in_place(store: Store) {
    let w = world(&store);
    let run = w.start();
    let check = |parts: &[String], all: &[String]| {
        for p in parts {
            assert!(p.chars().count() <= 2000, "{}", p.chars().count());
            for line in p.lines() {
                assert!(
                    all.contains(&line.to_string()),
                    "a message starts or ends mid-block"
                );
            }
        }
        assert_eq!(
            parts.join("\n"),
            all.join("\n"),
            "nothing cut, nothing reordered"
        );
    };

    let thirty = blocks(30, "a");
    w.change(&thirty).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    let first = w.shown(CH);
    assert!(first.len() >= 3, "{} messages", first.len());
    check(&first, &thirty);
    let ids: Vec<u64> = w.rec.messages(CH).iter().map(|m| m.id).collect();

    // Grows: the messages are edited and one more is added.
    let fifty = blocks(50, "b");
    w.change(&fifty).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    let grown = w.shown(CH);
    assert!(grown.len() > first.len());
    check(&grown, &fifty);
    let grown_ids: Vec<u64> = w.rec.messages(CH).iter().map(|m| m.id).collect();
    assert_eq!(&grown_ids[..ids.len()], &ids[..], "the first messages stay");

    // Shrinks: one message is left (the first, edited), the rest are deleted.
    let three = blocks(3, "c");
    w.change(&three).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    assert_eq!(w.shown(CH), vec![three.join("\n")]);
    assert_eq!(w.rec.messages(CH)[0].id, ids[0]);
    assert_eq!(w.rec.deletes(), grown.len() - 1);

    // Unchanged: a refresh that changes nothing costs nothing.
    let before = (w.rec.posts(), w.rec.edits());
    w.change(&three).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    assert_eq!((w.rec.posts(), w.rec.edits()), before);

    // Moves to another channel: shown there, gone here.
    w.doc.set(OTHER, &three);
    let hook = live::LiveRefresh::new(&w.s);
    samverkan::live::LiveHook::changed(&hook, &KEY).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    assert!(w.shown(CH).is_empty());
    assert_eq!(w.shown(OTHER), vec![three.join("\n")]);

    // Gone: its messages are deleted, and the mirror forgets them.
    w.doc.clear();
    samverkan::live::LiveHook::changed(&hook, &KEY).await;
    w.clock.advance(Duration::seconds(2));
    w.settle().await;
    run.stop().await;
    assert!(w.shown(OTHER).is_empty());
    assert!(store.live_parts(&KEY.key()).await.unwrap().is_empty());
}

async fn a_post_interrupted_by_a_crash_is_found_not_repeated(store: Store) {
    let w = world(&store);
    // Discord stores the message; the process dies before it hears back.
    w.rec.script([Answer::StoredThenHang]);
    let a = w.start();
    w.change(&["first".to_string()]).await;
    w.clock.advance(Duration::seconds(2));
    let end = Instant::now() + T;
    while w.rec.messages(CH).is_empty() {
        assert!(Instant::now() < end, "never posted");
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    a.kill();
    // The document changes meanwhile; another process takes over after the lease.
    w.doc.set(CH, &["second".to_string()]);
    w.clock.advance(Duration::seconds(60));
    let b = w.start();
    let j = w.settle().await;
    b.stop().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    assert_eq!(
        w.rec.posts(),
        1,
        "the interrupted post was found, not repeated"
    );
    assert_eq!(w.shown(CH), vec!["second".to_string()]);
    let parts = store.live_parts(&KEY.key()).await.unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].message, Some(w.rec.messages(CH)[0].id));
}
