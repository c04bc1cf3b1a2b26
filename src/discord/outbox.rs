//! Messages and events that jobs send, over Discord's REST API with our own client.
//!
//! Why not serenity's `Http`: behind a proxy its rate limiter must be off, and then a 429
//! reaches us without its retry delay (serenity cannot decode Discord's 429 body). Here every
//! answer is classified for the scheduler (retry after, back off, or give up), and sending
//! stays within Discord's limits on our side: about 50 requests a second for the bot, and
//! 5 messages per 5 seconds per channel.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::time::Instant;

use super::ratelimit::SlidingWindow;

use crate::action::{ButtonStyle, OutAction};
use crate::domain::ids::{ChannelId, GuildId, UserId};
use crate::notifier::{EventSpec, EventStatus, Notifier, Outgoing, SendError};

pub struct DiscordOutbox {
    client: reqwest::Client,
    api: String,
    token: String,
    limits: std::sync::Mutex<Limits>,
    /// Requests take the global window's slots one at a time, in arrival order (a fair queue,
    /// and no herd of waiters waking at every free slot).
    global_turn: tokio::sync::Mutex<()>,
    global_waiting: AtomicUsize,
    /// Requests other than background work waiting for a global slot: while there are any,
    /// background work is handed back instead of taking a slot one of them needs.
    foreground_waiting: AtomicUsize,
    background: DefaultDirectRateLimiter,
    background_waiters: tokio::sync::Semaphore,
    /// Told whenever a request in flight is answered: its place frees a window later.
    answered: tokio::sync::Notify,
    /// The bot's own user id, for finding its messages (asked once).
    me: tokio::sync::OnceCell<u64>,
    /// Turns true when the bot shuts down.
    stopping: watch::Receiver<bool>,
}

/// Discord allows 50 requests in any second, sustained. Our window counts a request from its
/// send until a second after its answer (`ratelimit`), so however the requests' way to
/// Discord varies, no second there holds more than we allow; 48 leaves 2 for serenity's own
/// calls, which do not pass through here. Sustained: 48 per (1 s + answer time), about 47 a
/// second.
const GLOBAL_LIMIT: usize = 48;
const GLOBAL_WINDOW: Duration = Duration::from_secs(1);
/// Messages per channel until Discord's headers say otherwise: 5 in any 5 seconds, counted
/// the same way.
const CHANNEL_LIMIT: usize = 5;
const CHANNEL_WINDOW: Duration = Duration::from_secs(5);
/// Waiting for a place held by requests in flight: how often to look again if no answer
/// wakes us (an answer always does; this only bounds a missed wake-up).
const IN_FLIGHT_RECHECK: Duration = Duration::from_millis(250);
/// serenity's own calls at start-up (the gateway address, the application, the command
/// registration) count against the same global limit without passing through here; the
/// benchmark saw them tip a start-up burst over Discord's 50. The outbox is built just
/// before the client starts, so it begins with their share already spent.
const STARTUP_CALLS_ELSEWHERE: usize = 3;
/// The longest a job waits here for a slot; beyond that it goes back to the queue (costing no
/// try) rather than hold a scheduler slot. The scheduler renews the leases of jobs it runs,
/// so a wait this long never lets another worker take the job.
const MAX_SLOT_WAIT: Duration = Duration::from_secs(20);
/// A `retry_after` beyond this is not believed: the job is handed back for this long and
/// asks again (a 429 with an absurd value must not park work for days).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Work that can wait (mirroring meetings as Discord events) passes a slower limit of its own
/// first, well below the global rate, so a backlog of it (90 events after a template set-up)
/// never takes the slots a burst of reminders needs. And it may not crowd the scheduler's
/// slots while it waits for that limit: a few wait briefly, the rest are handed back to the
/// queue, due again after a random spread so that a backlog does not come back all at once.
const BACKGROUND_BURST: u32 = 5;
const BACKGROUND_PER_SECOND: u32 = 2;
const BACKGROUND_WAITERS: usize = 4;
const BACKGROUND_MAX_WAIT: Duration = Duration::from_secs(2);
const BACKGROUND_SPREAD: Duration = Duration::from_secs(30);

/// A route's limit as far as we know it: Discord's per-route buckets, keyed by the route and
/// its major parameter (the channel for messages, the guild for scheduled events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Route {
    /// `POST /channels/{id}/messages`.
    ChannelMessages(u64),
    /// `/guilds/{id}/scheduled-events…`.
    GuildEvents(u64),
    /// `PATCH /channels/{id}/messages/{message}`: edits have a bucket of their own.
    ChannelEdits(u64),
}

impl Route {
    fn template(self) -> &'static str {
        match self {
            Route::ChannelMessages(_) => "POST /channels/{}/messages",
            Route::GuildEvents(_) => "/guilds/{}/scheduled-events",
            Route::ChannelEdits(_) => "PATCH /channels/{}/messages/{}",
        }
    }
    fn major(self) -> u64 {
        match self {
            Route::ChannelMessages(id) | Route::GuildEvents(id) | Route::ChannelEdits(id) => id,
        }
    }
}

/// One of Discord's buckets for one major parameter.
struct Bucket {
    /// Our own window: a proactive default until Discord names the limit.
    window: Option<SlidingWindow>,
    /// Discord said nothing is left (`X-RateLimit-Remaining: 0`, or a 429) until then.
    blocked_until: Option<Instant>,
}

impl Bucket {
    fn for_route(route: Route) -> Self {
        let window = match route {
            Route::ChannelMessages(_) | Route::ChannelEdits(_) => {
                Some(SlidingWindow::new(CHANNEL_LIMIT, CHANNEL_WINDOW))
            }
            Route::GuildEvents(_) => None,
        };
        Self {
            window,
            blocked_until: None,
        }
    }
    /// `None` while requests in flight fill our window.
    fn earliest(&self, now: Instant) -> Option<Instant> {
        let own = match &self.window {
            Some(w) => w.earliest(now)?,
            None => now,
        };
        Some(own.max(self.blocked_until.unwrap_or(now)))
    }
}

#[derive(Default)]
struct Limits {
    global: Option<SlidingWindow>,
    /// A global 429 stops every request until then.
    global_blocked_until: Option<Instant>,
    /// `X-RateLimit-Bucket` per route template: routes Discord puts in one bucket share it.
    bucket_ids: HashMap<&'static str, String>,
    buckets: HashMap<(String, u64), Bucket>,
}

impl Limits {
    fn key(&self, route: Route) -> (String, u64) {
        let id = self
            .bucket_ids
            .get(route.template())
            .cloned()
            .unwrap_or_else(|| route.template().to_string());
        (id, route.major())
    }
    fn bucket(&mut self, route: Route) -> &mut Bucket {
        let key = self.key(route);
        self.buckets
            .entry(key)
            .or_insert_with(|| Bucket::for_route(route))
    }
    /// `None` while requests in flight fill the global window.
    fn global_earliest(&self, now: Instant) -> Option<Instant> {
        let own = match &self.global {
            Some(w) => w.earliest(now)?,
            None => now,
        };
        Some(own.max(self.global_blocked_until.unwrap_or(now)))
    }

    /// A request granted a place is answered (or gave up) now.
    fn finish(&mut self, route: Option<Route>, at: Instant) {
        if let Some(r) = route {
            if let Some(w) = self.bucket(r).window.as_mut() {
                w.finish(at);
            }
        }
        if let Some(g) = self.global.as_mut() {
            g.finish(at);
        }
    }
}

/// What Discord's rate-limit headers said.
#[derive(Debug, Default, Clone, PartialEq)]
struct RateHeaders {
    bucket: Option<String>,
    limit: Option<usize>,
    remaining: Option<u64>,
    reset_after: Option<f64>,
    /// On a 429: `user` (ours), `global`, or `shared` (the resource's, not ours).
    scope: Option<String>,
    global: bool,
    retry_after: Option<f64>,
}

impl RateHeaders {
    fn parse(h: &reqwest::header::HeaderMap) -> Self {
        let text = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let num = |name: &str| text(name).and_then(|v| v.parse::<f64>().ok());
        Self {
            bucket: text("x-ratelimit-bucket"),
            limit: num("x-ratelimit-limit").map(|v| v as usize),
            remaining: num("x-ratelimit-remaining").map(|v| v as u64),
            reset_after: num("x-ratelimit-reset-after"),
            scope: text("x-ratelimit-scope"),
            global: text("x-ratelimit-global").is_some_and(|v| v == "true"),
            retry_after: num("retry-after"),
        }
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.clamp(0.0, MAX_RETRY_AFTER.as_secs_f64()))
}

/// Which limits a request passes besides the global one.
#[derive(Debug, Clone, Copy)]
enum Lane {
    /// A route with a bucket of its own.
    Route(Route),
    /// The global limit only.
    Direct,
    /// Can wait: the background limit first (see `BACKGROUND_BURST`), then its route's.
    Background(Route),
}

impl Lane {
    fn route(self) -> Option<Route> {
        match self {
            Lane::Route(r) | Lane::Background(r) => Some(r),
            Lane::Direct => None,
        }
    }
}

impl DiscordOutbox {
    /// `stopping` turns true at shutdown: a request still waiting for a slot then gives up.
    pub fn new(
        api_base_url: &str,
        token: &str,
        stopping: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent("DiscordBot (https://github.com/samverkan, 0.1) Samverkan")
            .build()?;
        let nz = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let mut global = SlidingWindow::new(GLOBAL_LIMIT, GLOBAL_WINDOW);
        let now = Instant::now();
        for _ in 0..STARTUP_CALLS_ELSEWHERE {
            global.record(now);
        }
        Ok(Self {
            client,
            api: format!("{}/api/v10", api_base_url.trim_end_matches('/')),
            token: token.to_string(),
            limits: std::sync::Mutex::new(Limits {
                global: Some(global),
                ..Limits::default()
            }),
            global_turn: tokio::sync::Mutex::new(()),
            global_waiting: AtomicUsize::new(0),
            foreground_waiting: AtomicUsize::new(0),
            background_waiters: tokio::sync::Semaphore::new(BACKGROUND_WAITERS),
            background: RateLimiter::direct(
                Quota::per_second(nz(BACKGROUND_PER_SECOND)).allow_burst(nz(BACKGROUND_BURST)),
            ),
            answered: tokio::sync::Notify::new(),
            me: tokio::sync::OnceCell::new(),
            stopping,
        })
    }

    fn limits(&self) -> std::sync::MutexGuard<'_, Limits> {
        // Never held across an await, and nothing in it can be left half-updated.
        self.limits.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for background work: waits briefly when few others wait; otherwise the job is
    /// handed back (a rate-limit answer of our own, which the scheduler turns into a retry).
    async fn background_slot(&self) -> Result<(), SendError> {
        let hand_back = || {
            let spread = rand::thread_rng().gen_range(BACKGROUND_MAX_WAIT..=BACKGROUND_SPREAD);
            SendError::RateLimited(spread)
        };
        // A burst of reminders is waiting: it goes first.
        if self.foreground_waiting.load(Ordering::SeqCst) > 0 {
            return Err(hand_back());
        }
        let Ok(_waiting) = self.background_waiters.try_acquire() else {
            return Err(hand_back());
        };
        tokio::time::timeout(BACKGROUND_MAX_WAIT, self.background.until_ready())
            .await
            .map_err(|_| hand_back())
    }

    /// Waits until both the route's bucket and the global window have room, then counts the
    /// request in both: it holds its places until the returned guard is dropped (when its
    /// answer came back) and a window after. A wait longer than `MAX_SLOT_WAIT` is not taken:
    /// the job goes back to the queue, due when the slot would have come.
    async fn slot(
        &self,
        route: Option<Route>,
        foreground: bool,
    ) -> Result<InFlight<'_>, SendError> {
        let started = Instant::now();
        let deadline = started + MAX_SLOT_WAIT;
        let too_long = |at: Instant| {
            (at > deadline).then(|| SendError::RateLimited(at.saturating_duration_since(started)))
        };
        loop {
            let now = Instant::now();
            if let Some(r) = route {
                let answered = self.answered.notified();
                tokio::pin!(answered);
                answered.as_mut().enable();
                let at = self.limits().bucket(r).earliest(now);
                match at {
                    Some(at) if at <= now => {}
                    Some(at) => {
                        if let Some(e) = too_long(at) {
                            return Err(e);
                        }
                        tokio::time::sleep_until(at).await;
                        continue;
                    }
                    None => {
                        if let Some(e) = too_long(now + IN_FLIGHT_RECHECK) {
                            return Err(e);
                        }
                        let _ = tokio::time::timeout(IN_FLIGHT_RECHECK, answered).await;
                        continue;
                    }
                }
            }
            // The global queue: hand back rather than join it when it is longer than the wait
            // we allow.
            let ahead = self.global_waiting.fetch_add(1, Ordering::SeqCst);
            let queued = WaitingGuard(&self.global_waiting);
            let _first = foreground.then(|| {
                self.foreground_waiting.fetch_add(1, Ordering::SeqCst);
                WaitingGuard(&self.foreground_waiting)
            });
            let queue_wait =
                GLOBAL_WINDOW.mul_f64(ahead as f64 / GLOBAL_LIMIT as f64) + (now - started);
            if queue_wait > MAX_SLOT_WAIT {
                return Err(SendError::RateLimited(queue_wait));
            }
            let turn = self.global_turn.lock().await;
            loop {
                let answered = self.answered.notified();
                tokio::pin!(answered);
                answered.as_mut().enable();
                let now = Instant::now();
                let at = self.limits().global_earliest(now);
                match at {
                    Some(at) if at <= now => break,
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => {
                        let _ = tokio::time::timeout(IN_FLIGHT_RECHECK, answered).await;
                    }
                }
            }
            let now = Instant::now();
            let mut limits = self.limits();
            // Another request for the same route may have taken its room meanwhile.
            if let Some(r) = route {
                if limits.bucket(r).earliest(now).is_none_or(|at| at > now) {
                    drop(limits);
                    drop(turn);
                    drop(queued);
                    continue;
                }
                if let Some(w) = limits.bucket(r).window.as_mut() {
                    w.begin();
                }
            }
            if let Some(g) = limits.global.as_mut() {
                g.begin();
            }
            return Ok(InFlight {
                outbox: self,
                route,
            });
        }
    }

    /// Learns from an answer's rate-limit headers; for a 429, says how long to wait.
    fn learn(&self, route: Option<Route>, status: StatusCode, h: &RateHeaders, body: &Value) {
        let now = Instant::now();
        let mut limits = self.limits();
        // A route's bucket is learnt from ordinary answers (a 429 may name another one).
        if let (Some(r), Some(id), true) = (route, h.bucket.as_ref(), status.is_success()) {
            let known = limits.bucket_ids.get(r.template()) == Some(id);
            if !known {
                // Carry what we know of the route's buckets over to their new name.
                let old = limits.key(r).0;
                let moved: Vec<_> = limits
                    .buckets
                    .keys()
                    .filter(|(b, _)| *b == old)
                    .cloned()
                    .collect();
                for k in moved {
                    if let Some(b) = limits.buckets.remove(&k) {
                        limits.buckets.insert((id.clone(), k.1), b);
                    }
                }
                limits.bucket_ids.insert(r.template(), id.clone());
            }
        }
        if status != StatusCode::TOO_MANY_REQUESTS {
            // An ordinary answer describes the route's bucket: its limit, and whether anything
            // is left of it until the reset.
            if let Some(r) = route {
                let b = limits.bucket(r);
                if let (Some(limit), Some(w)) = (h.limit, b.window.as_mut()) {
                    if limit != w.limit() {
                        w.set_limit(limit);
                    }
                }
                if let (Some(0), Some(after)) = (h.remaining, h.reset_after) {
                    let until = now + secs(after);
                    b.blocked_until = Some(b.blocked_until.map_or(until, |u| u.max(until)));
                }
            }
            return;
        }
        // A 429 is honoured by its scope.
        let wait = secs(
            body.get("retry_after")
                .and_then(Value::as_f64)
                .or(h.retry_after)
                .unwrap_or(1.0),
        );
        let global = h.global
            || h.scope.as_deref() == Some("global")
            || body.get("global").and_then(Value::as_bool) == Some(true);
        match (global, h.scope.as_deref(), route) {
            (true, _, _) => limits.global_blocked_until = Some(now + wait),
            // The resource's own limit, shared with others: not ours to track.
            (false, Some("shared"), _) => {}
            (false, _, Some(r)) => {
                let b = limits.bucket(r);
                b.blocked_until = Some(now + wait);
            }
            (false, _, None) => {}
        }
    }

    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        lane: Lane,
    ) -> Result<Value, SendError> {
        self.request_with_files(method, path, body, &[], lane).await
    }

    /// A request whose JSON travels as `payload_json` of a multipart body beside `files`
    /// (`files[0]`, …), as Discord takes attachments; plain JSON without files.
    async fn request_with_files(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        files: &[crate::service::File],
        lane: Lane,
    ) -> Result<Value, SendError> {
        let background = matches!(lane, Lane::Background(_));
        if background {
            self.background_slot().await?;
        }
        let route = lane.route();
        let mut stopping = self.stopping.clone();
        let stop = async move {
            if stopping.wait_for(|s| *s).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        // At shutdown the scheduler waits for its jobs; one queued behind the rate limit (a
        // burst of 100 takes 2 s to drain) gives up before anything was sent and goes back
        // to the queue as due now, for the next process.
        let in_flight = tokio::select! {
            biased;
            slot = self.slot(route, !background) => slot?,
            _ = stop => return Err(SendError::RateLimited(Duration::ZERO)),
        };
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.api))
            .header("Authorization", format!("Bot {}", self.token));
        if files.is_empty() {
            if let Some(b) = body {
                req = req.json(&b);
            }
        } else {
            let (content_type, bytes) = multipart(body.unwrap_or(Value::Null), files);
            req = req.header("Content-Type", content_type).body(bytes);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| SendError::Transient(without_url(&e)))?;
        // Discord has counted it by now: its places free a window from here.
        drop(in_flight);
        let status = resp.status();
        let headers = RateHeaders::parse(resp.headers());
        let text = resp.text().await.unwrap_or_default();
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.learn(route, status, &headers, &json);
        classify(status, &json, headers.retry_after)?;
        Ok(json)
    }

    async fn me(&self) -> Result<u64, SendError> {
        self.me
            .get_or_try_init(|| async {
                let v = self
                    .request(reqwest::Method::GET, "/users/@me", None, Lane::Direct)
                    .await?;
                id_of(&v)
            })
            .await
            .copied()
    }
}

/// A request that holds its places in the windows; dropped when its answer came back (or it
/// failed, or was given up), which starts the window after which they free.
struct InFlight<'a> {
    outbox: &'a DiscordOutbox,
    route: Option<Route>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.outbox.limits().finish(self.route, Instant::now());
        self.outbox.answered.notify_waiters();
    }
}

/// Leaves the global queue's count when a waiter is done (or gave up).
struct WaitingGuard<'a>(&'a AtomicUsize);

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Discord's epoch (2015-01-01) in Unix milliseconds: message ids start with their time.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// How far back from a first attempt to look for its message (clocks differ a little).
const LOOK_BACK: Duration = Duration::from_secs(60);
/// The longest a request waits for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How far after a floor an attempt's message can be: the floor is `LOOK_BACK` before the
/// attempt, which then waits at most `MAX_SLOT_WAIT` for a slot and `REQUEST_TIMEOUT` for
/// its answer, and Discord's clock may be `LOOK_BACK` ahead of ours. A message later than
/// that is not the attempt's, so the search stops there, whatever the channel holds after.
const SEARCH_SPAN: Duration = Duration::from_secs(
    2 * LOOK_BACK.as_secs() + MAX_SLOT_WAIT.as_secs() + REQUEST_TIMEOUT.as_secs(),
);
/// Pages of 100 messages read at most when looking for one of ours: 2000 messages within
/// `SEARCH_SPAN` (155 s) of one channel, 13 a second, is more than a channel sees; beyond
/// it the search fails as a transient error, retried with backoff, and after
/// `MAX_FAILURES` the job gives up, recorded and shown to the chair: never a second copy.
const MAX_PAGES: usize = 20;

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
            let s = body
                .get("retry_after")
                .and_then(Value::as_f64)
                .or(retry_header)
                .unwrap_or(1.0);
            SendError::RateLimited(secs(s))
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

/// A message's content, buttons and allowed mentions (only the named role may be pinged; user
/// text never pings anyone).
/// A multipart/form-data body: `payload_json` (with the attachments declared) and the files.
fn multipart(mut payload: Value, files: &[crate::service::File]) -> (String, Vec<u8>) {
    let boundary = format!("samverkan{:032x}", rand::thread_rng().gen::<u128>());
    let declared: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, f)| json!({ "id": i, "filename": f.name }))
        .collect();
    if let Some(o) = payload.as_object_mut() {
        o.insert("attachments".into(), Value::Array(declared));
    }
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\
             Content-Type: application/json\r\n\r\n{payload}\r\n"
        )
        .as_bytes(),
    );
    for (i, f) in files.iter().enumerate() {
        // File names are ours (ASCII letters, digits, '-', '.'); quotes cannot occur.
        let name = f.name.replace(['"', '\r', '\n'], "_");
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files[{i}]\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(&f.bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

fn message_body(m: &Outgoing) -> Value {
    let roles: Vec<String> = m.mention_role.iter().map(|r| r.0.to_string()).collect();
    json!({
        "content": m.content,
        "components": components(&m.actions),
        "allowed_mentions": { "parse": [], "roles": roles, "users": [] },
    })
}

/// Buttons as Discord components: five to a row, at most five rows.
fn components(actions: &[OutAction]) -> Value {
    let rows: Vec<Value> = actions
        .chunks(5)
        .take(5)
        .map(|row| {
            let buttons: Vec<Value> = row
                .iter()
                .map(|a| {
                    let style = match a.style {
                        ButtonStyle::Primary => 1,
                        ButtonStyle::Secondary => 2,
                        ButtonStyle::Success => 3,
                        ButtonStyle::Danger => 4,
                    };
                    json!({ "type": 2, "style": style, "label": a.label, "custom_id": a.id })
                })
                .collect();
            json!({ "type": 1, "components": buttons })
        })
        .collect();
    Value::Array(rows)
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
        let mut body = message_body(m);
        body["nonce"] = json!(m.nonce);
        body["enforce_nonce"] = json!(true);
        let v = self
            .request(
                reqwest::Method::POST,
                &format!("/channels/{}/messages", m.channel.0),
                Some(body),
                Lane::Route(Route::ChannelMessages(m.channel.0)),
            )
            .await?;
        id_of(&v)
    }

    async fn post_with_files(
        &self,
        m: &Outgoing,
        files: &[crate::service::File],
    ) -> Result<u64, SendError> {
        let mut body = message_body(m);
        body["nonce"] = json!(m.nonce);
        body["enforce_nonce"] = json!(true);
        let v = self
            .request_with_files(
                reqwest::Method::POST,
                &format!("/channels/{}/messages", m.channel.0),
                Some(body),
                files,
                Lane::Route(Route::ChannelMessages(m.channel.0)),
            )
            .await?;
        id_of(&v)
    }

    async fn edit(&self, message: u64, m: &Outgoing) -> Result<(), SendError> {
        self.request(
            reqwest::Method::PATCH,
            &format!("/channels/{}/messages/{message}", m.channel.0),
            Some(message_body(m)),
            Lane::Route(Route::ChannelEdits(m.channel.0)),
        )
        .await?;
        Ok(())
    }

    async fn delete(&self, channel: ChannelId, message: u64) -> Result<(), SendError> {
        self.request(
            reqwest::Method::DELETE,
            &format!("/channels/{}/messages/{message}", channel.0),
            None,
            Lane::Direct,
        )
        .await?;
        Ok(())
    }

    async fn start_thread(
        &self,
        channel: ChannelId,
        message: u64,
        name: &str,
    ) -> Result<ChannelId, SendError> {
        let body = json!({ "name": name, "auto_archive_duration": 10080 });
        let started = self
            .request(
                reqwest::Method::POST,
                &format!("/channels/{}/messages/{message}/threads", channel.0),
                Some(body),
                Lane::Direct,
            )
            .await;
        match started {
            Ok(v) => Ok(ChannelId(id_of(&v)?)),
            // One thread per message: an earlier attempt may have made it.
            Err(SendError::Rejected(why)) => {
                match self
                    .request(
                        reqwest::Method::GET,
                        &format!("/channels/{message}"),
                        None,
                        Lane::Direct,
                    )
                    .await
                {
                    Ok(_) => Ok(ChannelId(message)),
                    Err(_) => Err(SendError::Rejected(why)),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn open_dm(&self, user: UserId) -> Result<ChannelId, SendError> {
        let dm = self
            .request(
                reqwest::Method::POST,
                "/users/@me/channels",
                Some(json!({ "recipient_id": user.0.to_string() })),
                Lane::Direct,
            )
            .await?;
        Ok(ChannelId(id_of(&dm)?))
    }

    fn message_floor(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_sub(LOOK_BACK);
        (now.as_millis() as u64).saturating_sub(DISCORD_EPOCH_MS) << 22
    }

    async fn own_messages_after(
        &self,
        channel: ChannelId,
        after: u64,
    ) -> Result<Vec<(u64, String)>, SendError> {
        let me = self.me().await?;
        let horizon = after.saturating_add((SEARCH_SPAN.as_millis() as u64) << 22);
        let mut found = Vec::new();
        let mut after = after;
        for _ in 0..MAX_PAGES {
            let page = self
                .request(
                    reqwest::Method::GET,
                    &format!("/channels/{}/messages?after={after}&limit=100", channel.0),
                    None,
                    Lane::Direct,
                )
                .await?;
            let msgs = page.as_array().cloned().unwrap_or_default();
            let mut past_horizon = false;
            for m in &msgs {
                let id = id_of(m)?;
                after = after.max(id);
                if id > horizon {
                    past_horizon = true;
                    continue;
                }
                let author = m.pointer("/author/id").and_then(Value::as_str);
                if author == Some(me.to_string().as_str()) {
                    let content = m.get("content").and_then(Value::as_str).unwrap_or("");
                    found.push((id, content.to_string()));
                }
            }
            if msgs.len() < 100 || past_horizon {
                // Discord lists newest first.
                found.sort_unstable_by_key(|m| m.0);
                return Ok(found);
            }
        }
        Err(SendError::Transient(format!(
            "more than {} messages to look through",
            MAX_PAGES * 100
        )))
    }

    async fn create_event(&self, spec: &EventSpec, marker: &str) -> Result<u64, SendError> {
        let v = self
            .request(
                reqwest::Method::POST,
                &format!("/guilds/{}/scheduled-events", spec.guild.0),
                Some(event_body(spec, marker)),
                Lane::Background(Route::GuildEvents(spec.guild.0)),
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
                Lane::Background(Route::GuildEvents(guild.0)),
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
            Lane::Background(Route::GuildEvents(guild.0)),
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

    #[tokio::test]
    async fn start_up_leaves_room_for_serenitys_own_calls() {
        let (_stop, stopping) = watch::channel(false);
        let outbox = DiscordOutbox::new("http://127.0.0.1:9", "t", stopping).expect("outbox");
        let now = Instant::now();
        let mut limits = outbox.limits();
        let g = limits.global.as_mut().expect("global window");
        let mut at_once = 0;
        while g.has_room(now) {
            g.record(now);
            at_once += 1;
            assert!(at_once <= GLOBAL_LIMIT, "the window never fills");
        }
        assert_eq!(at_once, GLOBAL_LIMIT - STARTUP_CALLS_ELSEWHERE);
    }

    #[test]
    fn rate_limit_headers_are_read() {
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in [
            ("x-ratelimit-bucket", "abc"),
            ("x-ratelimit-limit", "5"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset-after", "4.2"),
            ("x-ratelimit-scope", "shared"),
            ("retry-after", "5"),
        ] {
            h.insert(k, v.parse().unwrap());
        }
        let r = RateHeaders::parse(&h);
        assert_eq!(r.bucket.as_deref(), Some("abc"));
        assert_eq!((r.limit, r.remaining), (Some(5), Some(0)));
        assert_eq!(r.reset_after, Some(4.2));
        assert_eq!(r.scope.as_deref(), Some("shared"));
        assert!(!r.global);
    }

    #[test]
    fn an_absurd_retry_after_is_bounded() {
        let body = json!({"message": "You are being rate limited.", "retry_after": 1e12});
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &body, None),
            Err(SendError::RateLimited(MAX_RETRY_AFTER))
        );
    }
}
