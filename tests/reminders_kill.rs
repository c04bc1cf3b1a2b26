//! Exactly once, proved the hard way: the bot is killed (SIGKILL) again and again while
//! reminders fall due — also between Discord storing a message and the bot hearing back, and
//! sometimes staying down longer than the double's nonce window — and on PostgreSQL three bot
//! processes share one database. Every reminder arrives exactly once.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod double;
#[path = "support/forums.rs"]
mod forums;
#[path = "support/timeline.rs"]
mod timeline;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bot::{Bot, BotEnv};
use chrono::{DateTime, TimeZone, Utc};
use double::{DiscordDouble, GuildSpec};
use forums::Weekly;
use rand::Rng;
use samverkan::store::{JobRecord, JobState, Store};
use timeline::Timeline;

const GUILD: u64 = 2_000_000_000_000_000_001;
const T: Duration = Duration::from_secs(10);
/// Four forums, each on its own channel, four reminders each.
const FORUMS: [(&str, u64, &str); 4] = [
    ("Leveransforum", 4_000_000_000_000_000_001, "10:20"),
    ("Förvaltningsmöte", 4_000_000_000_000_000_002, "10:25"),
    ("Arkitekturforum", 4_000_000_000_000_000_003, "10:30"),
    ("Driftsättningsmöte", 4_000_000_000_000_000_004, "10:35"),
];
/// Two minutes between the last reminder and the meeting: a restart (down up to 2 s, a 1 s
/// lease, at 30 × real time) never makes one "too late" for the catch-up policy.
const REMINDERS: &str = "15m, 10m, 5m, 2m";
/// How long the double remembers a nonce: some restarts take longer.
const NONCE_WINDOW: Duration = Duration::from_millis(1500);
const PER_FORUM: usize = 4;

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: FORUMS
            .iter()
            .map(|(n, c, _)| (*c, n.to_lowercase()))
            .collect(),
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }]
}

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
}

async fn setup_forums(d: &DiscordDouble) {
    for (name, channel, time) in FORUMS {
        let w = Weekly {
            name,
            channel,
            time,
            time_zone: None,
            reminders: REMINDERS,
        };
        let (created, edited) = forums::weekly_forum(d, GUILD, &w).await;
        assert!(created.contains("skapat"), "{created}");
        assert!(edited.contains("uppdaterad"), "{edited}");
    }
}

/// Every forum's channel got exactly its reminders, each exactly once.
fn assert_each_reminder_once(d: &DiscordDouble) {
    let mut all_nonces: HashMap<String, usize> = HashMap::new();
    for (name, channel, _) in FORUMS {
        let msgs = d.channel_messages_but_agendas(channel);
        let texts: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
        assert_eq!(msgs.len(), PER_FORUM, "{name}: {texts:#?}");
        for m in &msgs {
            *all_nonces.entry(m["nonce"].to_string()).or_default() += 1;
            assert!(m["content"].as_str().unwrap().contains(name));
        }
    }
    assert_eq!(all_nonces.len(), FORUMS.len() * PER_FORUM);
    assert!(all_nonces.values().all(|&n| n == 1), "{all_nonces:?}");
}

/// Every reminder due was sent; returns their records.
async fn assert_jobs_done(db_url: &str) -> Vec<JobRecord> {
    let store = Store::connect(db_url, 1).await.unwrap();
    let jobs = store.jobs_with_prefix("reminder:").await.unwrap();
    let due: Vec<JobRecord> = jobs
        .into_iter()
        .filter(|j| j.due_at <= utc(9, 40))
        .collect();
    assert_eq!(due.len(), FORUMS.len() * PER_FORUM);
    for j in &due {
        assert_eq!(j.state, JobState::Done, "{j:?}");
    }
    store.close().await;
    due
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_and_repeats_nothing() {
    let d = DiscordDouble::start(guild()).await;
    d.set_nonce_window(NONCE_WINDOW);
    let dir = tempfile::tempdir().unwrap();
    // 1 real second = 30 virtual seconds; the first reminder is due at 09:05 UTC.
    let tl = Timeline::new(utc(9, 0), 30.0);
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/k.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            ("SAMVERKAN_TEST_CLOCK".into(), tl.spec()),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "1".into()),
        ],
    };
    let mut bot = env.spawn("run-0");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;
    setup_forums(&d).await;

    // Discord takes a while to answer message posts: a kill in that window means the message
    // exists but the bot never learnt it was sent.
    d.set_response_delay("/messages", Some(Duration::from_millis(400)));
    let mut kills = 0;
    let mut long_downs = 0;
    let mut rng = rand::thread_rng();
    let stored = |d: &DiscordDouble| {
        FORUMS
            .iter()
            .map(|f| d.channel_messages_but_agendas(f.1).len())
            .sum::<usize>()
    };
    while tl.now() < utc(9, 36) {
        if kills % 2 == 0 {
            // At a random moment.
            tokio::time::sleep(Duration::from_millis(rng.gen_range(300..1500))).await;
        } else {
            // Just after Discord stored a message, while its answer is held back.
            let before = stored(&d);
            let end = Instant::now() + Duration::from_secs(4);
            while stored(&d) == before && Instant::now() < end {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        bot.kill();
        kills += 1;
        // Down for a while; every third time for longer than the nonce window.
        let down = if kills % 3 == 0 {
            long_downs += 1;
            NONCE_WINDOW + Duration::from_millis(rng.gen_range(100..500))
        } else {
            Duration::from_millis(rng.gen_range(0..1000))
        };
        tokio::time::sleep(down).await;
        bot = env.spawn(&format!("run-{kills}"));
    }
    d.set_response_delay("/messages", None);
    tl.until(utc(9, 40)).await;
    let end = Instant::now() + T;
    while stored(&d) < FORUMS.len() * PER_FORUM && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = bot.terminate(T);
    assert!(status.success(), "{}", bot.log_text());
    assert!(kills >= 10, "only {kills} kills");
    assert!(
        long_downs >= 3,
        "only {long_downs} restarts beyond the nonce window"
    );

    assert_each_reminder_once(&d);
    let jobs = assert_jobs_done(&env.db_url).await;
    // The window was hit: some reminder stored by a killed process was found by the next
    // one (beyond the nonce window, only that finding stands between it and a second copy).
    let found = jobs
        .iter()
        .filter(|j| j.outcome.as_deref() == Some("sent_found"))
        .count();
    assert!(
        found >= 1,
        "no kill fell between Discord storing and the bot hearing back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_postgres_never_send_twice() {
    let Some(pg) = db::postgres().await else {
        eprintln!("SAMVERKAN_TEST_PG_URL is not set: PostgreSQL run skipped");
        return;
    };
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let tl = Timeline::new(utc(9, 0), 60.0);
    let env = BotEnv {
        api: d.base_url(),
        db_url: pg.url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            ("SAMVERKAN_TEST_CLOCK".into(), tl.spec()),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "2".into()),
        ],
    };
    let first = env.spawn("p0");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;
    setup_forums(&d).await;
    let mut bots: Vec<Bot> = vec![first, env.spawn("p1"), env.spawn("p2")];
    tl.until(utc(9, 38)).await;
    let end = Instant::now() + T;
    while FORUMS
        .iter()
        .map(|f| d.channel_messages_but_agendas(f.1).len())
        .sum::<usize>()
        < FORUMS.len() * PER_FORUM
        && Instant::now() < end
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for b in &mut bots {
        let status = b.terminate(T);
        assert!(status.success(), "{}", b.log_text());
    }
    assert_each_reminder_once(&d);
    // Stronger than de-duplication: no reminder was even posted twice.
    let mut posts: HashMap<String, usize> = HashMap::new();
    for r in d.all_requests() {
        if r.method == "POST" && r.path.ends_with("/messages") {
            *posts.entry(r.body["nonce"].to_string()).or_default() += 1;
        }
    }
    assert!(posts.values().all(|&n| n == 1), "{posts:?}");
    // Work was shared between the processes.
    let jobs = assert_jobs_done(&env.db_url).await;
    let workers: std::collections::HashSet<_> =
        jobs.iter().filter_map(|j| j.worker.clone()).collect();
    assert!(
        workers.len() >= 2,
        "one process did everything: {workers:?}"
    );
    pg.cleanup().await;
}
