//! End to end: recurring meetings and reminders, on the real binary against the Discord test
//! double, on a virtual clock that runs fast (`SAMVERKAN_TEST_CLOCK`).

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

use bot::BotEnv;
use chrono::{DateTime, TimeZone, Utc};
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt};
use forums::Weekly;
use serde_json::Value;
use timeline::Timeline;

const GUILD: u64 = 2_000_000_000_000_000_001;
const LEV: u64 = 4_000_000_000_000_000_001;
const PART_ROLE: u64 = 5_000_000_000_000_000_003;
const T: Duration = Duration::from_secs(10);

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![(LEV, "leveransforum".into())],
        roles: vec![(PART_ROLE, "Leverantörer".into())],
        preferred_locale: "sv-SE".into(),
    }]
}

async fn say(d: &DiscordDouble, path: &[&str], opts: Vec<Opt<'_>>) -> String {
    forums::say(d, GUILD, LEV, path, opts).await
}

/// Creates Leveransforum meeting on Tuesdays at 10:30 Stockholm time (09:30 UTC on 1 December)
/// with the given reminders.
async fn weekly_forum(d: &DiscordDouble, reminders: &str) {
    let (created, edited) = forums::weekly_forum(
        d,
        GUILD,
        &Weekly {
            name: "Leveransforum",
            channel: LEV,
            time: "10:30",
            time_zone: None,
            reminders,
        },
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");
    assert!(edited.contains("uppdaterad"), "{edited}");
}

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_arrive_once_in_the_right_channel_and_honour_cancel_and_move() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    // Tuesday 1 December 2026, 09:00 UTC = 10:00 in Stockholm; 1 real second = 2 minutes.
    let tl = Timeline::new(utc(9, 0), 120.0);
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/m.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            ("SAMVERKAN_TEST_CLOCK".into(), tl.spec()),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "1".into()),
        ],
    };
    let bot = env.spawn("meetings");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;

    let r = say(
        &d,
        &["forum", "create"],
        vec![
            Opt::Str("name", "Leveransforum"),
            Opt::Str("tier", "delivery"),
            Opt::Channel("channel", LEV),
        ],
    )
    .await;
    assert!(r.contains("är skapat"), "{r}");

    // Bad schedule input changes nothing.
    for (opts, expected) in [
        (
            vec![Opt::Str("cadence", "varje minut")],
            "kunde inte tolkas",
        ),
        (
            vec![Opt::Str("cadence", "cron * * * * *")],
            "oftare än en gång per dag",
        ),
        (vec![Opt::Str("cadence", "cron 0 13 * *")], "fel form"),
        (
            vec![
                Opt::Str("cadence", "monthly 31"),
                Opt::Str("start_date", "2026-02-31"),
            ],
            "inget datum",
        ),
        (
            vec![
                Opt::Str("cadence", "weekly tue"),
                Opt::Str("reminders", "14d"),
            ],
            "förbi föregående möte",
        ),
        (
            vec![
                Opt::Str("cadence", "weekly tue"),
                Opt::Str("time_zone", "Mars/Base"),
            ],
            "tidszon",
        ),
    ] {
        let mut all = vec![Opt::Str("forum", "Leveransforum")];
        all.extend(opts);
        let r = say(&d, &["forum", "edit"], all).await;
        assert!(r.contains(expected), "{expected:?} not in {r}");
    }
    let r = say(
        &d,
        &["meeting", "next"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(r.contains("Inga kommande möten"), "{r}");

    // Weekly on Tuesdays at 10:30 Stockholm time: today's meeting is 09:30 UTC.
    let r = say(
        &d,
        &["forum", "edit"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("cadence", "veckovis tisdag"),
            Opt::Str("time", "10:30"),
            Opt::Str("start_date", "2026-11-03"),
            Opt::Str("reminders", "20m, 10m, 5m@"),
            Opt::Role("participant_role", PART_ROLE),
        ],
    )
    .await;
    let meeting = utc(9, 30).timestamp();
    assert!(r.contains(&format!("<t:{meeting}:F>")), "{r}");

    // A supplier opts in to DM reminders.
    let supplier = MemberSpec::new(3_000_000_000_000_000_009, "leverantör");
    let i = d
        .slash(
            GUILD,
            LEV,
            &supplier,
            &["meeting", "remind-me"],
            vec![Opt::Str("forum", "Leveransforum"), Opt::Bool("on", true)],
        )
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(
        r.ephemeral && r.text().contains("direktmeddelanden"),
        "{}",
        r.text()
    );

    // An extra meeting at 10:40, cancelled; another at 10:50, moved to 10:45.
    let r = say(
        &d,
        &["meeting", "schedule"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("date", "2026-12-01"),
            Opt::Str("time", "10:40"),
        ],
    )
    .await;
    assert!(r.contains("Extra möte"), "{r}");
    let r = say(
        &d,
        &["meeting", "cancel"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("meeting", "2026-12-01 10:40"),
            Opt::Str("reason", "Inga punkter"),
        ],
    )
    .await;
    assert!(r.contains("inställt"), "{r}");
    say(
        &d,
        &["meeting", "schedule"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("date", "2026-12-01"),
            Opt::Str("time", "10:50"),
        ],
    )
    .await;
    let r = say(
        &d,
        &["meeting", "move"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("meeting", "2026-12-01 10:50"),
            Opt::Str("date", "2026-12-01"),
            Opt::Str("time", "10:45"),
        ],
    )
    .await;
    assert!(r.contains("flyttat"), "{r}");
    let r = say(
        &d,
        &["meeting", "list"],
        vec![Opt::Str("forum", "Leveransforum"), Opt::Int("count", 4)],
    )
    .await;
    assert!(
        r.contains("~~") && r.contains("Inga punkter"),
        "cancelled stays visible: {r}"
    );
    assert!(r.contains("(flyttat)"), "{r}");

    // Let the virtual clock pass every reminder due: up to 09:42 UTC.
    tl.until(utc(9, 42)).await;
    let deadline = Instant::now() + T;
    let expected_nonces = 6;
    loop {
        if d.channel_messages_but_agendas(LEV).len() >= expected_nonces || Instant::now() > deadline
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let messages: Vec<Value> = d
        .channel_messages_but_agendas(LEV)
        .into_iter()
        .filter(|m| {
            m["author"]["id"].as_str().and_then(|s| s.parse().ok()) == Some(double::BOT_USER_ID)
        })
        .collect();
    let texts: Vec<String> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect();
    let moved = utc(9, 45).timestamp();
    let cancelled = utc(9, 40).timestamp();
    let count = |ts: i64| {
        texts
            .iter()
            .filter(|t| t.contains(&format!("<t:{ts}:F>")))
            .count()
    };
    assert_eq!(
        count(meeting),
        3,
        "three reminders for the recurring meeting: {texts:#?}"
    );
    assert_eq!(
        count(moved),
        3,
        "the moved meeting's reminders follow it: {texts:#?}"
    );
    assert_eq!(
        count(cancelled),
        0,
        "a cancelled meeting gets no reminders: {texts:#?}"
    );
    assert_eq!(messages.len(), 6, "{texts:#?}");
    // Each reminder once: distinct nonces.
    let mut nonces: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        *nonces.entry(m["nonce"].to_string()).or_default() += 1;
    }
    assert!(nonces.values().all(|&n| n == 1), "{nonces:?}");
    // Texts: the 5-minute one mentions the participant role, and only that role may be pinged.
    for m in &messages {
        let text = m["content"].as_str().unwrap();
        assert!(text.contains("**Leveransforum** börjar"), "{text}");
        let am = &m["allowed_mentions"];
        assert_eq!(am["parse"], serde_json::json!([]), "{m}");
        if text.starts_with(&format!("<@&{PART_ROLE}>")) {
            assert_eq!(
                am["roles"],
                serde_json::json!([PART_ROLE.to_string()]),
                "{m}"
            );
        } else {
            assert!(am["roles"].as_array().is_none_or(|r| r.is_empty()), "{m}");
        }
    }
    let mentions = texts
        .iter()
        .filter(|t| t.starts_with(&format!("<@&{PART_ROLE}>")))
        .count();
    assert_eq!(mentions, 2, "{texts:#?}");

    // The opted-in supplier got each reminder once by DM too, without any mention.
    let end = Instant::now() + T;
    while d.dm_messages(supplier.user_id).len() < 6 && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dms = d.dm_messages(supplier.user_id);
    assert_eq!(dms.len(), 6, "{dms:#?}");
    for dm in &dms {
        let text = dm["content"].as_str().unwrap();
        assert!(
            text.contains("**Leveransforum** börjar") && !text.contains("<@&"),
            "{text}"
        );
        assert_eq!(dm["allowed_mentions"]["parse"], serde_json::json!([]));
    }

    // Discord events mirror the meetings: the cancelled one cancelled, the others scheduled
    // or active (the recurring one has started).
    let events = d.scheduled_events(GUILD);
    let by_start = |ts: i64| {
        events.iter().find(|e| {
            e["scheduled_start_time"]
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .is_some_and(|t| t.timestamp() == ts)
        })
    };
    let rec = by_start(meeting).unwrap_or_else(|| panic!("no event for the meeting: {events:#?}"));
    assert_eq!(rec["status"], 2, "started meeting's event is active: {rec}");
    let mv =
        by_start(moved).unwrap_or_else(|| panic!("no event for the moved meeting: {events:#?}"));
    assert_eq!(mv["status"], 1);
    // The cancelled meeting's event (created only if its job ran before the cancel) is left
    // open nowhere: none of that start is scheduled or active.
    let open_cancelled: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["scheduled_start_time"]
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .is_some_and(|t| t.timestamp() == cancelled)
                && matches!(e["status"].as_u64(), Some(1 | 2))
        })
        .collect();
    assert!(open_cancelled.is_empty(), "{open_cancelled:#?}");
    drop(bot);
}

/// Catch-up after downtime: a reminder still meaningful is sent late and marked delayed; one
/// that no longer makes sense is skipped and recorded as skipped. Nothing is silently lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downtime_sends_meaningful_reminders_late_and_records_the_rest_as_skipped() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/c.db", dir.path().display());
    let env_at = |tl: &Timeline| BotEnv {
        api: d.base_url(),
        db_url: db_url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            ("SAMVERKAN_TEST_CLOCK".into(), tl.spec()),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "1".into()),
        ],
    };
    // 09:00 UTC: set up a meeting at 10:30 local (09:30 UTC) with reminders 20, 10, 5 minutes
    // before; then the bot goes down.
    let tl = Timeline::new(utc(9, 0), 60.0);
    let mut bot = env_at(&tl).spawn("before");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&db_url, GUILD, T).await;
    weekly_forum(&d, "20m, 10m, 5m").await;
    assert!(bot.terminate(T).success());

    // Back at 09:14: the 20-minute reminder (due 09:10) is late but nothing later is due yet.
    let tl = Timeline::new(utc(9, 14), 60.0);
    let mut bot = env_at(&tl).spawn("late");
    let msg = d
        .wait_channel_message(
            LEV,
            |m| m["content"].as_str().is_some_and(|c| c.contains("börjar")),
            T,
        )
        .await
        .unwrap();
    assert!(
        msg["content"]
            .as_str()
            .unwrap()
            .contains("(försenad påminnelse)"),
        "{msg}"
    );
    assert!(bot.terminate(T).success());

    // Back at 09:33, after the start: the 10- and 5-minute reminders make no sense any more.
    let tl = Timeline::new(utc(9, 33), 60.0);
    let mut bot = env_at(&tl).spawn("after");
    let store = samverkan::store::Store::connect(&db_url, 1).await.unwrap();
    let end = Instant::now() + T;
    let jobs = loop {
        let jobs = store.jobs_with_prefix("reminder:").await.unwrap();
        let today: Vec<_> = jobs
            .into_iter()
            .filter(|j| j.due_at <= utc(9, 30))
            .collect();
        // Settled: neither waiting nor being handled (a claimed job shows as running).
        use samverkan::store::JobState;
        let settled = |s| !matches!(s, JobState::Pending | JobState::Running);
        if today.iter().all(|j| settled(j.state)) || Instant::now() > end {
            break today;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let outcomes: Vec<(String, Option<String>)> = jobs
        .iter()
        .map(|j| (j.state.as_str().to_string(), j.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("done".to_string(), Some("sent_late".to_string())),
            ("skipped".to_string(), Some("meeting_started".to_string())),
            ("skipped".to_string(), Some("meeting_started".to_string())),
        ]
    );
    assert_eq!(d.channel_messages_but_agendas(LEV).len(), 1);
    assert!(bot.terminate(T).success());
    store.close().await;
}

/// Discord errors: a 429 is waited out and the reminder then arrives once; a channel that is
/// gone is recorded on the forum and shown to its chair, not retried forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_waited_out_and_a_lost_channel_is_reported() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let tl = Timeline::new(utc(9, 0), 120.0);
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/r.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![("SAMVERKAN_TEST_CLOCK".into(), tl.spec())],
    };
    let bot = env.spawn("errors");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;
    weekly_forum(&d, "20m, 10m").await;
    // Nothing is on this forum's agenda, so no agenda is posted: the refusals below are for
    // the reminder (agenda posts, were there any, are filtered out of the counts).
    let path = format!("/channels/{LEV}/messages");
    d.inject_failure("POST", &path, 429, 2, Some(0.3));
    d.wait_channel_message(
        LEV,
        |m| {
            !m["content"]
                .as_str()
                .unwrap_or("")
                .starts_with("**Dagordning**")
        },
        T,
    )
    .await
    .unwrap();
    assert_eq!(d.count_429_sent(), 2);
    assert_eq!(d.channel_messages_but_agendas(LEV).len(), 1);
    let posts: Vec<_> = d
        .all_requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&path))
        // The forum's published agenda is a message of its own.
        .filter(|r| {
            !r.body["content"]
                .as_str()
                .unwrap_or("")
                .starts_with("**Dagordning**")
        })
        .collect();
    assert_eq!(posts.len(), 3, "two refused, one accepted");
    // Honoured: the retries came no sooner than Discord asked (0.3 s of real time).
    assert!(posts[1].at - posts[0].at >= Duration::from_millis(280));
    assert!(posts[2].at - posts[1].at >= Duration::from_millis(280));

    // The channel disappears before the next reminder (09:20 UTC).
    d.inject_failure("POST", &path, 404, 1, None);
    tl.until(utc(9, 21)).await;
    let end = Instant::now() + T;
    let text = loop {
        let r = say(
            &d,
            &["meeting", "next"],
            vec![Opt::Str("forum", "Leveransforum")],
        )
        .await;
        if r.contains("⚠️") || Instant::now() > end {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(text.contains("kunde inte skickas"), "{text}");
    let attempts = d
        .all_requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(&path))
        .filter(|r| {
            !r.body["content"]
                .as_str()
                .unwrap_or("")
                .starts_with("**Dagordning**")
        })
        .count();
    assert_eq!(attempts, 4, "a lost channel is not retried");
    drop(bot);
}

/// Shutting down with work queued behind the rate limit: the process stops promptly (a job
/// still waiting for a slot has sent nothing, so it goes back to the queue), and the next
/// process does that work, each Discord event created exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_hands_rate_limited_work_back_to_the_next_process() {
    const FORUMS: u64 = 10;
    const FIRST: u64 = 4_000_000_000_000_100_000;
    let channels: Vec<u64> = (0..FORUMS).map(|i| FIRST + i).collect();
    let d = DiscordDouble::start(vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: channels.iter().map(|c| (*c, format!("f-{c}"))).collect(),
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }])
    .await;
    d.enable_rate_limits();
    let dir = tempfile::tempdir().unwrap();
    // Real time on 1 December 2026: each forum's meetings on 1 and 8 December fall within the
    // event horizon, so set-up queues 20 event jobs (a look-up and a creation each), which the
    // outbox paces at 2 requests a second.
    let tl = Timeline::new(utc(9, 0), 1.0);
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/m.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![("SAMVERKAN_TEST_CLOCK".into(), tl.spec())],
    };
    let mut bot = env.spawn("first");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;
    for (i, c) in channels.iter().enumerate() {
        let name = format!("Forum {i:02}");
        let w = Weekly {
            name: &name,
            channel: *c,
            time: "10:30",
            time_zone: None,
            reminders: "15m",
        };
        let (created, edited) = forums::weekly_forum(&d, GUILD, &w).await;
        assert!(created.contains("är skapat"), "{created}");
        assert!(edited.contains("uppdaterad"), "{edited}");
    }
    let wanted = 2 * FORUMS as usize;
    let before_stop = d.scheduled_events(GUILD).len();
    let stopping = Instant::now();
    let status = bot.terminate(Duration::from_secs(30));
    let took = stopping.elapsed();
    assert!(status.success(), "{status:?}\n{}", bot.log_text());
    // 40 requests at that pace take about 20 s; waiting for them all is the bug.
    assert!(
        before_stop < wanted,
        "the backlog was gone before the stop; the test proves nothing"
    );
    assert!(
        took < Duration::from_secs(5),
        "stopping took {took:?} with {} of {wanted} events made",
        d.scheduled_events(GUILD).len()
    );

    // The next process makes the rest: every meeting has exactly one event.
    let _bot = env.spawn("second");
    let end = Instant::now() + Duration::from_secs(60);
    while d.scheduled_events(GUILD).len() < wanted {
        assert!(
            Instant::now() < end,
            "{} of {wanted} events",
            d.scheduled_events(GUILD).len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let events = d.scheduled_events(GUILD);
    let mut markers: Vec<String> = events
        .iter()
        .map(|e| e["description"].as_str().unwrap_or_default().to_string())
        .collect();
    markers.sort();
    markers.dedup();
    assert_eq!(events.len(), wanted, "no event twice");
    assert_eq!(markers.len(), wanted, "one event per meeting");
}
