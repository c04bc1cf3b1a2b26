//! End to end: recurring meetings and reminders, on the real binary against the Discord test
//! double, on a virtual clock that runs fast (`SAMVERKAN_TEST_CLOCK`).

#[path = "support/bot.rs"]
mod bot;
#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod double;
#[path = "support/timeline.rs"]
mod timeline;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bot::BotEnv;
use chrono::{DateTime, TimeZone, Utc};
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt, PERM_MANAGE_GUILD};
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

fn admin() -> MemberSpec {
    MemberSpec {
        permissions: double::MEMBER_PERMISSIONS | PERM_MANAGE_GUILD,
        ..MemberSpec::new(3_000_000_000_000_000_001, "anna")
    }
}

async fn say(d: &DiscordDouble, path: &[&str], opts: Vec<Opt<'_>>) -> String {
    let i = d.slash(GUILD, LEV, &admin(), path, opts).await;
    d.wait_response(&i, T)
        .await
        .expect("reply")
        .text()
        .to_string()
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
        if d.channel_messages(LEV).len() >= expected_nonces || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let messages: Vec<Value> = d
        .channel_messages(LEV)
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
    if let Some(c) = by_start(cancelled) {
        assert_eq!(c["status"], 4, "{c}");
    }
    drop(bot);
}
