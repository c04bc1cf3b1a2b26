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
