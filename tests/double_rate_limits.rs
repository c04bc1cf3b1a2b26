//! The test double's opt-in emulation of Discord's rate limits, which the punctuality
//! benchmark relies on to show that bursts of reminders stay within them.

#[path = "support/discord_double.rs"]
mod double;

use double::{DiscordDouble, GuildSpec};
use serde_json::{json, Value};

const GUILD: u64 = 2_000_000_000_000_000_001;
const A: u64 = 4_000_000_000_000_000_001;
const B: u64 = 4_000_000_000_000_000_002;

async fn post(c: &reqwest::Client, base: &str, channel: u64) -> reqwest::Response {
    c.post(format!("{base}/api/v10/channels/{channel}/messages"))
        .header("Authorization", "Bot test-token")
        .json(&json!({"content": "hej"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn channel_and_global_limits_answer_like_discord() {
    let d = DiscordDouble::start(vec![GuildSpec {
        id: GUILD,
        name: "g".into(),
        channels: vec![(A, "a".into()), (B, "b".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }])
    .await;
    let c = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = d.base_url();
    // Off by default.
    for _ in 0..6 {
        assert_eq!(post(&c, &base, A).await.status(), 200);
    }
    d.enable_rate_limits();
    for _ in 0..5 {
        assert_eq!(post(&c, &base, B).await.status(), 200);
    }
    let r = post(&c, &base, B).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-ratelimit-scope"], "user");
    assert_eq!(r.headers()["retry-after"], "5");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["global"], false);
    let ra = body["retry_after"].as_f64().unwrap();
    assert!(ra > 4.0 && ra <= 5.0, "{ra}");
    assert_eq!(
        d.channel_messages(B).len(),
        5,
        "a refused message has no effect"
    );
    // Another channel has its own window. 60 more requests overflow the bot's 50 a second.
    assert_eq!(post(&c, &base, A).await.status(), 200);
    let mut statuses = vec![];
    for _ in 0..60 {
        let r = c
            .get(format!("{base}/api/v10/channels/{A}"))
            .send()
            .await
            .unwrap();
        statuses.push((
            r.status().as_u16(),
            r.headers().get("x-ratelimit-global").cloned(),
        ));
    }
    let refused: Vec<_> = statuses.iter().filter(|(s, _)| *s == 429).collect();
    assert!(!refused.is_empty() && refused.iter().all(|(_, g)| g.is_some()));
    // Interaction callbacks are not bound to the global limit.
    let r = c
        .post(format!("{base}/api/v10/interactions/1/tok/callback"))
        .json(&json!({"type": 1}))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 429);
    assert_eq!(d.count_429_sent(), 1 + refused.len());
}

// --- our outbox against the double's limits -----------------------------------------------

use std::time::{Duration, Instant};

use samverkan::discord::outbox::DiscordOutbox;
use samverkan::domain::ids::ChannelId;
use samverkan::notifier::{nonce_for, Notifier, Outgoing, SendError};

const FIRST: u64 = 4_100_000_000_000_000_000;

fn many_channels(n: u64) -> GuildSpec {
    GuildSpec {
        id: GUILD,
        name: "g".into(),
        channels: (0..n).map(|i| (FIRST + i, format!("c{i}"))).collect(),
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }
}

fn outbox(d: &DiscordDouble) -> DiscordOutbox {
    // Never stopped: the sender lives as long as the test.
    let (tx, rx) = tokio::sync::watch::channel(false);
    std::mem::forget(tx);
    DiscordOutbox::new(&d.base_url(), "test-token", rx).unwrap()
}

fn msg(channel: u64, text: &str) -> Outgoing {
    Outgoing {
        channel: ChannelId(channel),
        content: text.to_string(),
        nonce: nonce_for(&format!("{channel}:{text}")),
        mention_role: None,
        actions: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_across_channels_stays_within_the_global_limit() {
    let d = DiscordDouble::start(vec![many_channels(150)]).await;
    d.enable_rate_limits();
    let o = outbox(&d);
    let posts = (0..150).map(|i| {
        let o = &o;
        async move { o.post(&msg(FIRST + i, "hej")).await }
    });
    let results = futures::future::join_all(posts).await;
    // Discord (the double) counts what it receives: not one answer was a 429, every message
    // arrived once. (At receipt, a burst's requests may be spread by the machine's load, so
    // the window is asserted where it is kept: the property tests of `ratelimit`.)
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(d.count_429_sent(), 0);
    assert_eq!(d.all_requests().len(), 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twelve_in_one_channel_go_out_five_per_five_seconds_without_429() {
    let d = DiscordDouble::start(vec![many_channels(1)]).await;
    d.enable_rate_limits();
    let o = outbox(&d);
    let posts = (0..12).map(|i| {
        let o = &o;
        async move { o.post(&msg(FIRST, &format!("påminnelse {i}"))).await }
    });
    let results = futures::future::join_all(posts).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(d.count_429_sent(), 0);
    assert_eq!(d.channel_messages(FIRST).len(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remaining_zero_in_the_headers_is_honoured() {
    let d = DiscordDouble::start(vec![many_channels(1)]).await;
    d.enable_rate_limits();
    // Another process of the same bot has used three of the channel's five.
    let c = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..3 {
        assert_eq!(post(&c, &d.base_url(), FIRST).await.status(), 200);
    }
    let o = outbox(&d);
    for i in 0..4 {
        // One at a time: each answer's headers are known before the next request.
        o.post(&msg(FIRST, &format!("m{i}"))).await.unwrap();
    }
    assert_eq!(
        d.count_429_sent(),
        0,
        "the outbox waited for the reset instead"
    );
    assert_eq!(d.channel_messages(FIRST).len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_honoured_by_its_scope_and_an_absurd_retry_after_is_bounded() {
    let d = DiscordDouble::start(vec![many_channels(4)]).await;
    let o = outbox(&d);
    let (a, b, c, e) = (FIRST, FIRST + 1, FIRST + 2, FIRST + 3);
    // A user-scope 429 with an absurd retry_after: the job is handed back for a bounded time,
    // and the channel is left alone meanwhile (the next send is handed back at once, without
    // a request).
    d.inject_rate_limit(&format!("/channels/{a}/messages"), 1, 1e12, "user");
    match o.post(&msg(a, "x")).await {
        Err(SendError::RateLimited(wait)) => assert!(wait <= Duration::from_secs(60), "{wait:?}"),
        other => panic!("{other:?}"),
    }
    let before = d.all_requests().len();
    let started = Instant::now();
    assert!(matches!(
        o.post(&msg(a, "y")).await,
        Err(SendError::RateLimited(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(d.all_requests().len(), before, "no request while blocked");
    // Other channels are not affected.
    o.post(&msg(b, "z")).await.unwrap();
    // A shared-scope 429 is the resource's, not ours: the next send goes at once.
    d.inject_rate_limit(&format!("/channels/{c}/messages"), 1, 30.0, "shared");
    assert!(o.post(&msg(c, "s")).await.is_err());
    o.post(&msg(c, "t")).await.unwrap();
    // A global 429 holds every request back for its retry_after.
    d.inject_rate_limit(&format!("/channels/{b}/messages"), 1, 0.5, "global");
    assert!(o.post(&msg(b, "g")).await.is_err());
    let refused_at = Instant::now();
    o.post(&msg(e, "after")).await.unwrap();
    assert!(
        refused_at.elapsed() >= Duration::from_millis(450),
        "waited only {:?}",
        refused_at.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_messages_are_listed_after_a_floor_beyond_the_nonce_window() {
    let d = DiscordDouble::start(vec![many_channels(1)]).await;
    d.set_nonce_window(Duration::from_millis(200));
    let o = outbox(&d);
    let floor = o.message_floor();
    let first = o.post(&msg(FIRST, "påminnelse")).await.unwrap();
    // Past the nonce window, the same nonce posts a second copy: the window is finite.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = o.post(&msg(FIRST, "påminnelse")).await.unwrap();
    assert_ne!(first, second);
    let mine = o.own_messages_after(ChannelId(FIRST), floor).await.unwrap();
    assert_eq!(
        mine,
        vec![
            (first, "påminnelse".to_string()),
            (second, "påminnelse".to_string())
        ]
    );
    assert!(o
        .own_messages_after(ChannelId(FIRST), second)
        .await
        .unwrap()
        .is_empty());
    // Listings do not carry the nonce (as on Discord): a marker must be found otherwise.
    let c = reqwest::Client::builder().no_proxy().build().unwrap();
    let listed: Value = c
        .get(format!(
            "{}/api/v10/channels/{FIRST}/messages?limit=5",
            d.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(listed[0]["nonce"].is_null());
}
