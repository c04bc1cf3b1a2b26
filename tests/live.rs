//! Live documents in process, on both backends, with a driven clock and a recording notifier:
//! changes are coalesced (50 changes in 10 s cost at most 10 edits, the latest state shows
//! within 5 s), a document longer than a message is split between its blocks and messages are
//! added and removed as it grows and shrinks, and a post interrupted by a crash is found, not
//! made twice.

#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod double;
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
use serde_json::Value;
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
    /// Sends instead of the recorder when set (the real outbox against the double).
    notifier: Option<Arc<dyn samverkan::notifier::Notifier>>,
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
        notifier: None,
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
        let notifier = self
            .notifier
            .clone()
            .unwrap_or_else(|| Arc::new(self.rec.clone()));
        live::register(
            &mut sched,
            self.s.clone(),
            notifier,
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

    /// Waits (real time, bounded) until nothing is due now: every refresh due by the clock's
    /// time has run.
    async fn settle(&self) -> JobRecord {
        self.settle_key(&format!("live:{}", KEY.key())).await
    }

    /// Waits until the job with this key has run whatever was due by now.
    async fn settle_key(&self, key: &str) -> JobRecord {
        let end = Instant::now() + T;
        loop {
            let j = self.s.store.job(key).await.unwrap().expect("the job");
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

/// The real outbox against the Discord test double: the document's messages are posted,
/// edited in place (PATCH) and deleted (DELETE), its buttons are components of its last
/// message, and no mention is allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_double_a_document_is_posted_edited_and_trimmed_with_its_buttons() {
    use samverkan::action::{Button, ButtonStyle, Invoke};
    use samverkan::command::Value as V;
    let d = double::DiscordDouble::start(vec![double::GuildSpec {
        id: G.0,
        name: "g".into(),
        channels: vec![(CH.0, "leveransforum".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }])
    .await;
    let (tx, rx) = watch::channel(false);
    let outbox = samverkan::discord::outbox::DiscordOutbox::new(&d.base_url(), "test-token", rx)
        .expect("outbox");
    let db = db::sqlite().await;
    let mut w = world(&db.store);
    w.notifier = Some(Arc::new(outbox));
    let run = w.start();
    let with_button = |blocks: &[String]| {
        w.doc.set(CH, blocks);
        let mut g = w.doc.0.lock().unwrap();
        let doc = g.as_mut().unwrap();
        doc.actions = vec![Button::new(
            Msg::new("button-propose"),
            ButtonStyle::Primary,
            Invoke::new(&["meeting", "next"]).with("forum", V::Text("Leveransforum".into())),
        )];
    };
    let hook = live::LiveRefresh::new(&w.s);
    let refresh = || async {
        samverkan::live::LiveHook::changed(&hook, &KEY).await;
        w.clock.advance(Duration::seconds(2));
        w.settle().await
    };

    let thirty = blocks(30, "@everyone a");
    with_button(&thirty);
    let j = refresh().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    let msgs = d.channel_messages(CH.0);
    assert!(msgs.len() >= 3, "{} messages", msgs.len());
    let contents: Vec<String> = msgs
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(contents.join("\n"), thirty.join("\n"));
    for m in &msgs {
        assert_eq!(m["allowed_mentions"]["parse"], serde_json::json!([]), "{m}");
    }
    let last = msgs.last().unwrap();
    let button = &last["components"][0]["components"][0];
    assert_eq!(button["custom_id"], "v1:meeting:next:forum=Leveransforum");
    assert_eq!(button["label"], "Propose an item");
    assert!(msgs[0]["components"]
        .as_array()
        .is_none_or(|c| c.is_empty()));
    let ids: Vec<Value> = msgs.iter().map(|m| m["id"].clone()).collect();

    // A change edits in place; shrinking deletes the messages no longer needed.
    let two = blocks(2, "b");
    with_button(&two);
    let j = refresh().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    let msgs = d.channel_messages(CH.0);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["id"], ids[0], "the first message, edited");
    assert_eq!(msgs[0]["content"].as_str().unwrap(), two.join("\n"));
    assert!(!msgs[0]["edited_timestamp"].is_null());
    assert_eq!(
        msgs[0]["components"][0]["components"][0]["custom_id"],
        "v1:meeting:next:forum=Leveransforum"
    );
    run.stop().await;
    let _ = tx.send(true);
    db.cleanup().await;
}

/// A thread for a meeting's record against the double: started once from a message the bot
/// posts, recorded, and a channel to post into; starting it again gives the same thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_double_a_thread_is_started_once_and_takes_messages() {
    use samverkan::notifier::{Notifier, Outgoing};
    use samverkan::scheduler::kinds::{self, JobKind};
    let d = double::DiscordDouble::start(vec![double::GuildSpec {
        id: G.0,
        name: "g".into(),
        channels: vec![(CH.0, "leveransforum".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }])
    .await;
    let (tx, rx) = watch::channel(false);
    let outbox = Arc::new(
        samverkan::discord::outbox::DiscordOutbox::new(&d.base_url(), "test-token", rx)
            .expect("outbox"),
    );
    let db = db::sqlite().await;
    let mut w = world(&db.store);
    w.notifier = Some(outbox.clone());
    let run = w.start();
    let payload = kinds::ThreadPayload {
        guild: G,
        channel: CH,
        name: Msg::new("text-line").arg("text", "Leveransforum 2026-12-01"),
        starter: vec![Msg::new("text-line").arg("text", "@everyone The meeting is open")],
        actions: Vec::new(),
        meeting: None,
    };
    let job = kinds::Thread::job("meeting:1", &payload, w.clock.now());
    db.store.enqueue(&job, w.clock.now()).await.unwrap();
    w.s.wake.notify();
    let j = w.settle_key("thread:meeting:1").await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    let threads = d.threads();
    assert_eq!(threads.len(), 1, "{threads:?}");
    let (thread, parent, name) = threads[0].clone();
    assert_eq!((parent, name.as_str()), (CH.0, "Leveransforum 2026-12-01"));
    let starter = d.channel_messages(CH.0);
    assert_eq!(starter.len(), 1);
    assert_eq!(starter[0]["id"].as_str().unwrap(), thread.to_string());
    assert_eq!(
        starter[0]["allowed_mentions"]["parse"],
        serde_json::json!([])
    );
    assert_eq!(
        db.store.thread_for("meeting:1").await.unwrap(),
        Some(ChannelId(thread))
    );
    // Again (a retry after a crash): the same thread, no second one.
    let again = outbox
        .start_thread(CH, thread, "Leveransforum 2026-12-01")
        .await
        .unwrap();
    assert_eq!(again, ChannelId(thread));
    assert_eq!(d.threads().len(), 1);
    // A thread is a channel to post into.
    outbox
        .post(&Outgoing::new(ChannelId(thread), "note", "n1"))
        .await
        .unwrap();
    assert_eq!(d.channel_messages(thread)[0]["content"], "note");
    run.stop().await;
    let _ = tx.send(true);
    db.cleanup().await;
}

/// A private message is rendered when it is sent, in the guild's language (Swedish by
/// default), and sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_is_rendered_at_send_time_and_sent_once() {
    use samverkan::domain::ids::UserId;
    use samverkan::scheduler::kinds::{self, JobKind};
    let db = db::sqlite().await;
    let w = world(&db.store);
    let run = w.start();
    let payload = kinds::PrivatePayload {
        guild: G,
        user: UserId(42),
        lines: vec![Msg::new("error-message-empty")],
    };
    let job = kinds::Private::job("test:1", &payload, w.clock.now());
    db.store.enqueue(&job, w.clock.now()).await.unwrap();
    assert!(
        !db.store.enqueue(&job, w.clock.now()).await.unwrap(),
        "once per key"
    );
    w.s.wake.notify();
    let j = w.settle_key("private:test:1").await;
    run.stop().await;
    assert_eq!(j.state, JobState::Done, "{j:?}");
    let dm = w.rec.messages(ChannelId(42 + 1_000_000));
    assert_eq!(dm.len(), 1);
    assert!(
        dm[0].content.starts_with("Meddelandet har ingen text"),
        "{}",
        dm[0].content
    );
    db.cleanup().await;
}
