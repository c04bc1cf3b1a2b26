//! Messages and events that jobs send, over Discord's REST API with our own client.
//!
//! Why not serenity's `Http`: behind a proxy its rate limiter must be off, and then a 429
//! reaches us without its retry delay (serenity cannot decode Discord's 429 body). Here every
//! answer is classified for the scheduler (retry after, back off, or give up), and sending
//! stays within Discord's limits on our side: about 50 requests a second for the bot, and
//! 5 messages per 5 seconds per channel.

use std::num::NonZeroU32;
use std::time::Duration;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::domain::ids::{GuildId, UserId};
use crate::notifier::{EventSpec, EventStatus, Notifier, Outgoing, SendError};

pub struct DiscordOutbox {
    client: reqwest::Client,
    api: String,
    token: String,
    global: DefaultDirectRateLimiter,
    per_channel: DefaultKeyedRateLimiter<u64>,
    background: DefaultDirectRateLimiter,
    background_waiters: tokio::sync::Semaphore,
    /// Turns true when the bot shuts down.
    stopping: watch::Receiver<bool>,
}

/// Discord allows 50 requests in any second and 5 messages in any 5 seconds per channel. A
/// token bucket lets through its burst plus what refills during a window, so the buckets are
/// sized for burst + refill ≤ the limit: 45 at once (a burst of reminders due in one second
/// goes out immediately) refilled 5 a second; a channel takes 4 at once and one more every
/// 5 seconds.
const GLOBAL_BURST: u32 = 45;
const GLOBAL_REFILL_PER_SECOND: u32 = 5;
const CHANNEL_BURST: u32 = 4;
const CHANNEL_REFILL_EVERY: Duration = Duration::from_secs(5);
/// serenity's own calls at start-up (the gateway address, the application, the command
/// registration) count against the same global limit without passing through here; the
/// benchmark saw them tip a start-up burst of 45 over Discord's 50. The outbox is built just
/// before the client starts, so it begins with their share already spent.
const STARTUP_CALLS_ELSEWHERE: u32 = 3;
// What the bucket passes in any one second stays within Discord's 50.
const _: () = assert!(GLOBAL_BURST + GLOBAL_REFILL_PER_SECOND <= 50);
/// Work that can wait (mirroring meetings as Discord events) passes a slower limit of its own
/// first, below the global refill, so a backlog of it (90 events after a template set-up)
/// never empties the global bucket: a burst of reminders still finds it full. And it may not
/// crowd the scheduler's slots while it waits for that limit (the punctuality benchmark saw a
/// backlog of 90 event jobs make a burst of 45 reminders up to 90 s late): a few wait briefly,
/// the rest are handed back to the queue, due again after a random spread so that a backlog
/// does not come back all at once.
const BACKGROUND_BURST: u32 = 5;
const BACKGROUND_PER_SECOND: u32 = 2;
const BACKGROUND_WAITERS: usize = 4;
const BACKGROUND_MAX_WAIT: Duration = Duration::from_secs(2);
const BACKGROUND_SPREAD: Duration = Duration::from_secs(30);
const _: () = assert!(BACKGROUND_PER_SECOND < GLOBAL_REFILL_PER_SECOND);

/// Which limits a request passes besides the global one.
#[derive(Debug, Clone, Copy)]
enum Lane {
    /// A message: its channel's limit too.
    Channel(u64),
    /// The global limit only.
    Direct,
    /// Can wait: the background limit first (see `BACKGROUND_BURST`).
    Background,
}

impl DiscordOutbox {
    /// `stopping` turns true at shutdown: a request still waiting for a slot then gives up.
    pub fn new(
        api_base_url: &str,
        token: &str,
        stopping: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .user_agent("DiscordBot (https://github.com/samverkan, 0.1) Samverkan")
            .build()?;
        let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let global = RateLimiter::direct(
            Quota::per_second(nz(GLOBAL_REFILL_PER_SECOND)).allow_burst(nz(GLOBAL_BURST)),
        );
        // Cannot fail: the burst is larger than the share taken.
        let _ = global.check_n(nz(STARTUP_CALLS_ELSEWHERE));
        Ok(Self {
            client,
            api: format!("{}/api/v10", api_base_url.trim_end_matches('/')),
            token: token.to_string(),
            global,
            background_waiters: tokio::sync::Semaphore::new(BACKGROUND_WAITERS),
            background: RateLimiter::direct(
                Quota::per_second(nz(BACKGROUND_PER_SECOND)).allow_burst(nz(BACKGROUND_BURST)),
            ),
            per_channel: RateLimiter::keyed(
                Quota::with_period(CHANNEL_REFILL_EVERY)
                    .unwrap_or_else(|| Quota::per_second(nz(1)))
                    .allow_burst(nz(CHANNEL_BURST)),
            ),
            stopping,
        })
    }

    /// A slot for background work: waits briefly when few others wait; otherwise the job is
    /// handed back (a rate-limit answer of our own, which the scheduler turns into a retry).
    async fn background_slot(&self) -> Result<(), SendError> {
        let hand_back = || {
            let spread = rand::thread_rng().gen_range(BACKGROUND_MAX_WAIT..=BACKGROUND_SPREAD);
            SendError::RateLimited(spread)
        };
        let Ok(_waiting) = self.background_waiters.try_acquire() else {
            return Err(hand_back());
        };
        tokio::time::timeout(BACKGROUND_MAX_WAIT, self.background.until_ready())
            .await
            .map_err(|_| hand_back())
    }

    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        lane: Lane,
    ) -> Result<Value, SendError> {
        if let Lane::Background = lane {
            self.background_slot().await?;
        }
        let slot = async {
            if let Lane::Channel(c) = lane {
                self.per_channel.until_key_ready(&c).await;
            }
            self.global.until_ready().await;
        };
        let mut stopping = self.stopping.clone();
        let stop = async move {
            if stopping.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        // At shutdown the scheduler waits for its jobs; one queued behind the rate limit (a
        // burst of 100 takes 11 s to drain) gives up before anything was sent and goes back
        // to the queue as due now, for the next process.
        tokio::select! {
            biased;
            _ = slot => {}
            _ = stop => return Err(SendError::RateLimited(Duration::ZERO)),
        }
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.api))
            .header("Authorization", format!("Bot {}", self.token));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| SendError::Transient(without_url(&e)))?;
        let status = resp.status();
        let retry_header = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok());
        let text = resp.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        classify(status, &json, retry_header)?;
        Ok(json)
    }
}

/// Sorts an answer into success or a [`SendError`].
fn classify(status: StatusCode, body: &Value, retry_header: Option<f64>) -> Result<(), SendError> {
    if status.is_success() {
        return Ok(());
    }
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    let what = format!("{} {message}", status.as_u16());
    Err(match status {
        StatusCode::TOO_MANY_REQUESTS => {
            let secs = body
                .get("retry_after")
                .and_then(Value::as_f64)
                .or(retry_header)
                .unwrap_or(1.0)
                .clamp(0.0, 3600.0);
            SendError::RateLimited(Duration::from_secs_f64(secs))
        }
        StatusCode::NOT_FOUND => SendError::NotFound(what),
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => SendError::Forbidden(what),
        s if s.is_server_error() => SendError::Transient(what),
        _ => SendError::Rejected(what),
    })
}

/// reqwest's errors name the URL; ours never needs it in a log.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(url) = e.url() {
        s = s.replace(url.as_str(), "<url>");
    }
    s
}

fn id_of(v: &Value) -> Result<u64, SendError> {
    v.get("id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| SendError::Transient("answer without an id".to_string()))
}

fn event_body(spec: &EventSpec, marker: &str) -> Value {
    json!({
        "name": spec.name,
        "description": format!("{}\n\n{marker}", spec.description),
        "privacy_level": 2,
        "entity_type": 3,
        "entity_metadata": { "location": spec.location },
        "scheduled_start_time": spec.starts_at.to_rfc3339(),
        "scheduled_end_time": spec.ends_at.to_rfc3339(),
    })
}

#[async_trait]
impl Notifier for DiscordOutbox {
    fn renderer(&self) -> &dyn crate::render::Render {
        &super::render::DiscordRender
    }

    async fn post(&self, m: &Outgoing) -> Result<u64, SendError> {
        let roles: Vec<String> = m.mention_role.iter().map(|r| r.0.to_string()).collect();
        let body = json!({
            "content": m.content,
            "nonce": m.nonce,
            "enforce_nonce": true,
            "allowed_mentions": { "parse": [], "roles": roles, "users": [] },
        });
        let v = self
            .request(
                reqwest::Method::POST,
                &format!("/channels/{}/messages", m.channel.0),
                Some(body),
                Lane::Channel(m.channel.0),
            )
            .await?;
        id_of(&v)
    }

    async fn direct(&self, user: UserId, content: &str, nonce: &str) -> Result<u64, SendError> {
        let dm = self
            .request(
                reqwest::Method::POST,
                "/users/@me/channels",
                Some(json!({ "recipient_id": user.0.to_string() })),
                Lane::Direct,
            )
            .await?;
        let channel = id_of(&dm)?;
        let body = json!({
            "content": content,
            "nonce": nonce,
            "enforce_nonce": true,
            "allowed_mentions": { "parse": [] },
        });
        let v = self
            .request(
                reqwest::Method::POST,
                &format!("/channels/{channel}/messages"),
                Some(body),
                Lane::Channel(channel),
            )
            .await?;
        id_of(&v)
    }

    async fn create_event(&self, spec: &EventSpec, marker: &str) -> Result<u64, SendError> {
        let v = self
            .request(
                reqwest::Method::POST,
                &format!("/guilds/{}/scheduled-events", spec.guild.0),
                Some(event_body(spec, marker)),
                Lane::Background,
            )
            .await?;
        id_of(&v)
    }

    async fn find_event(&self, guild: GuildId, marker: &str) -> Result<Option<u64>, SendError> {
        let v = self
            .request(
                reqwest::Method::GET,
                &format!("/guilds/{}/scheduled-events", guild.0),
                None,
                Lane::Background,
            )
            .await?;
        Ok(v.as_array().and_then(|events| {
            events
                .iter()
                .find(|e| {
                    e.get("description")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.contains(marker))
                })
                .and_then(|e| id_of(e).ok())
        }))
    }

    async fn update_event(
        &self,
        guild: GuildId,
        event: u64,
        spec: Option<&EventSpec>,
        status: Option<EventStatus>,
    ) -> Result<(), SendError> {
        let mut body = serde_json::Map::new();
        if let Some(s) = spec {
            body.insert("name".into(), json!(s.name));
            body.insert(
                "scheduled_start_time".into(),
                json!(s.starts_at.to_rfc3339()),
            );
            body.insert("scheduled_end_time".into(), json!(s.ends_at.to_rfc3339()));
            body.insert("entity_metadata".into(), json!({ "location": s.location }));
        }
        if let Some(st) = status {
            let code = match st {
                EventStatus::Scheduled => 1,
                EventStatus::Active => 2,
                EventStatus::Completed => 3,
                EventStatus::Cancelled => 4,
            };
            body.insert("status".into(), json!(code));
        }
        self.request(
            reqwest::Method::PATCH,
            &format!("/guilds/{}/scheduled-events/{event}", guild.0),
            Some(Value::Object(body)),
            Lane::Background,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified_for_retrying() {
        let body =
            json!({"message": "You are being rate limited.", "retry_after": 1.5, "global": false});
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &body, None),
            Err(SendError::RateLimited(Duration::from_millis(1500)))
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &Value::Null, Some(2.0)),
            Err(SendError::RateLimited(Duration::from_secs(2)))
        );
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, &Value::Null, None),
            Err(SendError::Transient(_))
        ));
        let unknown = json!({"code": 10003, "message": "Unknown Channel"});
        assert!(matches!(
            classify(StatusCode::NOT_FOUND, &unknown, None),
            Err(SendError::NotFound(_))
        ));
        assert!(classify(StatusCode::FORBIDDEN, &Value::Null, None)
            .unwrap_err()
            .is_permanent());
        assert_eq!(classify(StatusCode::OK, &Value::Null, None), Ok(()));
    }

    #[test]
    fn start_up_leaves_room_for_serenitys_own_calls() {
        let (_stop, stopping) = watch::channel(false);
        let outbox = DiscordOutbox::new("http://127.0.0.1:9", "t", stopping).expect("outbox");
        let mut at_once = 0;
        while outbox.global.check().is_ok() {
            at_once += 1;
            assert!(at_once <= GLOBAL_BURST, "the bucket never empties");
        }
        // What is left at start is the burst less serenity's share (refill may add one).
        assert!(
            (GLOBAL_BURST - STARTUP_CALLS_ELSEWHERE..=GLOBAL_BURST - STARTUP_CALLS_ELSEWHERE + 1)
                .contains(&at_once),
            "{at_once} at once"
        );
    }
}
