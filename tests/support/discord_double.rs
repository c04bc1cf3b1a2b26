//! A fake Discord ("test double") for end-to-end tests of the bot.
//!
//! Serves Discord's REST API under `/api/v10` and a gateway websocket at `/gw` on 127.0.0.1, so
//! the real serenity/poise client runs unchanged against it:
//! `HttpBuilder::new(token).proxy(double.base_url()).ratelimiter_disabled(true).build()`, then
//! `ClientBuilder::new_with_http(http, intents)`. Tests act as users (slash commands, buttons,
//! modals, autocomplete) and read back what the bot did.
//!
//! - serenity 0.12.5 silently drops events it cannot deserialize (logged only at DEBUG), so every
//!   payload built here carries what serenity requires, notably `colors` on roles and
//!   `attachment_size_limit` on interactions (shared/docs/discord-test-double.md).
//! - Discord's limits that bots break in production are enforced with Discord's error codes: the
//!   3 s interaction deadline, double acknowledgement, message/embed/modal/autocomplete sizes,
//!   command names and locales, nonce length, 100 scheduled events.
//! - Nothing the bot sends can panic the server: state sits behind a std mutex that is never
//!   held across an await, and JSON is only read through `Value` indexing.
//! - Files are kept as Discord's CDN keeps them: every attachment (one the bot sends, or one a
//!   user picks for a slash command's attachment option) has a URL on the double's own server
//!   at `/attachments/...` that serves its bytes, and `attachment_bytes` reads them back.
//!
//! ```ignore
//! let double = DiscordDouble::start(vec![guild_spec]).await;
//! let http = HttpBuilder::new(token).proxy(double.base_url()).ratelimiter_disabled(true).build();
//! // start the bot with `ClientBuilder::new_with_http(http, intents)`, then:
//! double.wait_ready(Duration::from_secs(10)).await?;
//! double.wait_commands_registered(Duration::from_secs(10)).await?;
//! let i = double.slash(GUILD, CHANNEL, &MemberSpec::new(3000, "anna"), &["ping"], vec![]).await;
//! assert_eq!(double.wait_response(&i, Duration::from_secs(5)).await?.text(), "pong");
//! ```
//! serenity reports a payload it could not parse only as "An unknown event was received" at
//! DEBUG under `serenity::client::dispatch`, and the bot's hard logging limit (src/logging.rs)
//! caps `serenity::client` at ERROR whatever `RUST_LOG` says, so that line cannot be used to
//! catch a malformed payload from this double: keep payloads to the shapes serenity accepts
//! (docs above each builder), and assert on what the bot did, not on its log.
//!
//! Test helpers named `try_*` return `Err(String)` describing what was seen; their short forms
//! panic with that message, like assertions.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path as AxPath, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

/// Application id, also the bot user's id (as for every modern Discord application).
pub const APP_ID: u64 = 1_000_000_000_000_000_001;
pub const BOT_USER_ID: u64 = APP_ID;
pub const BOT_USERNAME: &str = "samverkan-test";
/// Owner reported by `GET /oauth2/applications/@me` (poise loads its owners from it).
pub const OWNER_ID: u64 = 1_000_000_000_000_000_002;
/// VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS.
pub const MEMBER_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 16) | (1 << 31);
pub const PERM_ADMINISTRATOR: u64 = 1 << 3;
pub const PERM_MANAGE_GUILD: u64 = 1 << 5;
/// The bot's `app_permissions`: a member's plus embeds, files, events and threads.
pub const BOT_PERMISSIONS: u64 =
    MEMBER_PERMISSIONS | (1 << 14) | (1 << 15) | (0b11111 << 33) | (1 << 38) | (1 << 44);

const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
const NONCE_WINDOW: Duration = Duration::from_secs(300);
const RESUME_HISTORY: usize = 2000;
/// poise registers its modal collector only after the type-9 callback returns; a submit sent
/// sooner is lost (the doc saw 2 failures in 6 runs), so `submit_modal` waits this long.
const MODAL_SETTLE: Duration = Duration::from_millis(200);
const HELPER_TIMEOUT: Duration = Duration::from_secs(10);
const JOINED_AT: &str = "2024-01-01T00:00:00.000000+00:00";
/// Discord's locale names; any other key in `*_localizations` is refused.
const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

// ---------------------------------------------------------------------------------------------
// Test-facing types
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct GuildSpec {
    pub id: u64,
    pub name: String,
    /// Text channels (type 0).
    pub channels: Vec<(u64, String)>,
    /// Roles besides @everyone, which the double adds with the guild's id, as Discord does.
    pub roles: Vec<(u64, String)>,
    pub preferred_locale: String,
}

#[derive(Clone, Debug)]
pub struct MemberSpec {
    pub user_id: u64,
    pub username: String,
    pub nick: Option<String>,
    pub roles: Vec<u64>,
    /// Computed permissions sent as `member.permissions`: poise's `required_permissions` checks
    /// this, not the roles.
    pub permissions: u64,
    /// The user's client locale (`interaction.locale`).
    pub locale: String,
}

impl MemberSpec {
    /// An ordinary member: MEMBER_PERMISSIONS, no roles, locale en-US.
    pub fn new(user_id: u64, username: &str) -> Self {
        let (username, locale) = (username.to_string(), "en-US".to_string());
        let permissions = MEMBER_PERMISSIONS;
        MemberSpec {
            user_id,
            username,
            nick: None,
            roles: vec![],
            permissions,
            locale,
        }
    }
}

/// A slash-command option as a user fills it in. Where the command is registered, the option's
/// declared type wins for numbers (an `Int` given to a Number option is sent as type 10).
#[derive(Clone, Debug)]
pub enum Opt<'a> {
    Str(&'a str, &'a str),
    Int(&'a str, i64),
    Num(&'a str, f64),
    Bool(&'a str, bool),
    Channel(&'a str, u64),
    Role(&'a str, u64),
    User(&'a str, u64),
    /// A file picked for an attachment option: option name, file name, content.
    Attachment(&'a str, &'a str, &'a [u8]),
    /// The option being typed during autocomplete, with the partial text.
    Focused(&'a str, &'a str),
}

/// An interaction the double sent to the bot.
#[derive(Clone, Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    /// 2 command, 3 component, 4 autocomplete, 5 modal submit.
    pub kind: u8,
    pub guild_id: u64,
    pub channel_id: u64,
    pub member: MemberSpec,
    /// Exactly what went over the gateway.
    pub payload: Value,
    /// For a modal submit: the interaction that opened the modal.
    pub parent: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// Interaction callback of this type: 4 message, 5 deferred, 6 deferred update, 7 update
    /// message, 8 autocomplete, 9 modal.
    Callback(u8),
    EditOriginal,
    Followup,
    EditFollowup,
    DeleteOriginal,
    DeleteFollowup,
}

/// One thing the bot did in answer to an interaction, as the user saw it.
#[derive(Clone, Debug)]
pub struct Response {
    pub interaction_id: u64,
    pub kind: ResponseKind,
    /// Content of the resulting message (None when no message is shown).
    pub content: Option<String>,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    /// As the user saw it: a first follow-up after a deferral fills the "thinking" placeholder
    /// and keeps the deferral's flag, whatever flags it sets itself (as on Discord).
    pub ephemeral: bool,
    /// The request body the bot sent.
    pub body: Value,
    /// The resulting message as the double stores it (pass it to `click`).
    pub message: Option<Value>,
    pub at: Instant,
}

impl Response {
    pub fn callback_type(&self) -> Option<u8> {
        match self.kind {
            ResponseKind::Callback(t) => Some(t),
            _ => None,
        }
    }
    /// Puts text, embeds or components in front of the user (not a deferral, modal,
    /// autocomplete or delete).
    pub fn is_content_bearing(&self) -> bool {
        match self.kind {
            ResponseKind::Callback(t) => t == 4 || t == 7,
            ResponseKind::DeleteOriginal | ResponseKind::DeleteFollowup => false,
            _ => !self.text().is_empty() || !self.embeds.is_empty() || !self.components.is_empty(),
        }
    }
    pub fn text(&self) -> &str {
        self.content.as_deref().unwrap_or("")
    }
}

/// One REST request the bot made.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    /// JSON body (`payload_json` of a multipart body), Null if empty, a String if not JSON.
    pub body: Value,
    pub status: u16,
    /// What the double answered (Null for an empty answer).
    pub response: Value,
    /// The double has no such route: the bot called something the double does not model.
    pub unknown_route: bool,
    pub at: Instant,
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

struct Inner {
    addr: SocketAddr,
    state: Mutex<State>,
    /// Bumped after every change. Waiters subscribe before looking, so no wake-up is lost.
    bump: watch::Sender<u64>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    fn changed(&self) {
        self.bump.send_modify(|v| *v = v.wrapping_add(1));
    }
}

enum Out {
    Frame(String),
    Close(u16),
}

/// The connection dispatches go to: one that completed IDENTIFY or RESUME.
struct Live {
    conn: u64,
    tx: mpsc::UnboundedSender<Out>,
}

struct Session {
    id: String,
    seq: u64,
    /// Sent dispatches, replayed on RESUME past the client's seq: a frame may have gone to a
    /// socket that was already dying.
    history: VecDeque<(u64, String)>,
}

struct Ix {
    token: String,
    kind: u8,
    guild: u64,
    channel: u64,
    /// When it reached the bot; the 3 s deadline runs from here.
    delivered: Instant,
    callback: Option<u8>,
    /// Flags of a type-5 deferral until a follow-up or edit fills the placeholder.
    deferred_flags: Option<u64>,
    original: Option<u64>,
    /// The message a component sits on (component interactions, modals opened from them).
    message_id: Option<u64>,
    followups: Vec<u64>,
    responses: Vec<Response>,
    parent: Option<u64>,
    modal: Option<(Value, Instant)>,
}

struct Stored {
    id: u64,
    channel: u64,
    /// Posted with `POST /channels/{c}/messages` (not an interaction reply).
    plain: bool,
    msg: Value,
    request: Value,
    deleted: bool,
}

struct Fault {
    method: String,
    path_contains: String,
    status: u16,
    times: usize,
    retry_after: Option<f64>,
    /// `X-RateLimit-Scope` of an injected 429.
    scope: &'static str,
}

#[derive(Default)]
struct State {
    /// `http://127.0.0.1:PORT`, where attachment URLs point.
    base_url: String,
    /// Attachment bytes by attachment id (served at their URL).
    files: HashMap<u64, Vec<u8>>,
    /// Answers to requests whose path contains the text are held back this long after the
    /// request took effect: a bot killed meanwhile has acted without knowing it.
    response_delay: Option<(String, Duration)>,
    guilds: Vec<GuildSpec>,
    last_id: u64,
    next_conn: u64,
    deadline: Option<Duration>,
    identifies: Vec<Value>,
    resumes: usize,
    ready_count: usize,
    session: Option<Session>,
    live: Option<Live>,
    /// Dispatches produced while no connection was live.
    pending: VecDeque<(String, Value)>,
    command_puts: Vec<(String, Value)>,
    commands: HashMap<Option<u64>, Vec<Value>>,
    command_ids: HashMap<(Option<u64>, String, u64), u64>,
    members: HashMap<(u64, u64), MemberSpec>,
    interactions: HashMap<u64, Ix>,
    messages: Vec<Stored>,
    dm_channels: HashMap<u64, u64>,
    nonces: HashMap<String, (Instant, u64)>,
    /// How long Discord remembers a nonce (a few minutes; `set_nonce_window`).
    nonce_window: Option<Duration>,
    /// Channels deleted while the bot runs (`delete_channel`).
    deleted_channels: HashSet<u64>,
    /// Threads started from a message (a thread's id is its starter message's): (guild,
    /// parent channel, name) by id.
    threads: HashMap<u64, (u64, u64, String)>,
    events: HashMap<u64, Vec<Value>>,
    faults: Vec<Fault>,
    requests: Vec<Recorded>,
    sent_429: usize,
    /// Discord's rate limits: always counted and described in `X-RateLimit-*` headers, as
    /// Discord does; enforced (429) when turned on (`enable_rate_limits`).
    limits: RateLimits,
    enforce_limits: bool,
}

/// Discord's limits for a bot, as fixed windows that open with the first request (what the
/// `X-RateLimit-Reset` headers describe): 50 requests a second for the bot (interaction
/// callbacks and webhooks excepted, as on Discord); per route bucket and major parameter,
/// 5 messages per 5 s per channel and `EVENT_LIMIT` scheduled-event calls per guild.
#[derive(Default)]
struct RateLimits {
    global: Option<(Instant, u32)>,
    buckets: HashMap<(&'static str, u64), (Instant, u32)>,
}

const GLOBAL_LIMIT: u32 = 50;
const GLOBAL_WINDOW: Duration = Duration::from_secs(1);
const CHANNEL_LIMIT: u32 = 5;
const CHANNEL_WINDOW: Duration = Duration::from_secs(5);
const EVENT_LIMIT: u32 = 30;
const EVENT_WINDOW: Duration = Duration::from_secs(10);
/// Bucket hashes as Discord names them: opaque, one per route group.
const MESSAGE_BUCKET: &str = "80c17d2f203122d936070c88c8d10f33";
const EVENT_BUCKET: &str = "3c2e8a1f95b7d4e6a0c9b8f7e6d5c4b3";

/// Counts a request in a window; `Err(wait)` when the window is full. Returns the window's
/// start and count after this request.
fn take_slot(
    slot: &mut Option<(Instant, u32)>,
    now: Instant,
    limit: u32,
    window: Duration,
) -> Result<(), Duration> {
    let (start, n) = match *slot {
        Some((start, n)) if now.duration_since(start) < window => (start, n),
        _ => (now, 0),
    };
    if n >= limit {
        return Err(window.saturating_sub(now.duration_since(start)));
    }
    *slot = Some((start, n + 1));
    Ok(())
}

/// A route's bucket: its hash, the major parameter, its limit and window.
fn bucket_of(method: &str, segs: &[&str]) -> Option<(&'static str, u64, u32, Duration)> {
    match (method, segs) {
        ("POST", ["api", _, "channels", c, "messages"]) => Some((
            MESSAGE_BUCKET,
            c.parse().unwrap_or(0),
            CHANNEL_LIMIT,
            CHANNEL_WINDOW,
        )),
        (_, ["api", _, "guilds", g, "scheduled-events", ..]) => Some((
            EVENT_BUCKET,
            g.parse().unwrap_or(0),
            EVENT_LIMIT,
            EVENT_WINDOW,
        )),
        _ => None,
    }
}

impl RateLimits {
    /// Counts the request. `Err` is Discord's 429 (when `enforce`); `Ok` carries the route's
    /// `X-RateLimit-*` headers, if it has a bucket.
    fn check(
        &mut self,
        method: &str,
        path: &str,
        enforce: bool,
    ) -> Result<Vec<(&'static str, String)>, Reply> {
        let now = Instant::now();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let exempt = matches!(segs.get(2), Some(&"interactions") | Some(&"webhooks"));
        if !exempt {
            let mut global = self.global;
            let taken = take_slot(&mut global, now, GLOBAL_LIMIT, GLOBAL_WINDOW);
            match taken {
                Err(wait) if enforce => {
                    return Err(rate_limited(wait, GLOBAL_LIMIT, true, "global"))
                }
                _ => self.global = global,
            }
        }
        let Some((bucket, major, limit, window)) = bucket_of(method, &segs) else {
            return Ok(vec![]);
        };
        let mut slot = self.buckets.get(&(bucket, major)).copied();
        let taken = take_slot(&mut slot, now, limit, window);
        if let Err(wait) = taken {
            if enforce {
                let mut r = rate_limited(wait, limit, false, "user");
                set_header(&mut r.headers, "x-ratelimit-bucket", bucket.to_string());
                return Err(r);
            }
        }
        if let Some(s) = slot {
            self.buckets.insert((bucket, major), s);
        }
        let (start, n) = slot.unwrap_or((now, limit));
        let reset_after = window
            .saturating_sub(now.duration_since(start))
            .as_secs_f64();
        Ok(bucket_headers(
            bucket,
            limit,
            limit.saturating_sub(n),
            reset_after,
        ))
    }
}

fn set_header(headers: &mut Vec<(&'static str, String)>, name: &'static str, value: String) {
    headers.retain(|h| h.0 != name);
    headers.push((name, value));
}

/// The `X-RateLimit-*` headers Discord puts on every answer of a route with a bucket.
fn bucket_headers(
    bucket: &str,
    limit: u32,
    remaining: u32,
    reset_after: f64,
) -> Vec<(&'static str, String)> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    vec![
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        (
            "x-ratelimit-reset",
            format!("{:.3}", now.as_secs_f64() + reset_after),
        ),
        ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
        ("x-ratelimit-bucket", bucket.to_string()),
    ]
}

/// Discord's 429: no `code` in the body, seconds as a float, rate-limit headers.
fn rate_limited(wait: Duration, limit: u32, global: bool, scope: &str) -> Reply {
    let ra = wait.as_secs_f64();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let body =
        json!({"message": "You are being rate limited.", "retry_after": ra, "global": global});
    let mut headers = vec![
        ("retry-after", format!("{}", ra.ceil() as u64)),
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", "0".into()),
        (
            "x-ratelimit-reset",
            format!("{:.3}", now.as_secs_f64() + ra),
        ),
        ("x-ratelimit-reset-after", format!("{ra:.3}")),
        ("x-ratelimit-bucket", format!("double-{scope}")),
        ("x-ratelimit-scope", scope.to_string()),
    ];
    if global {
        headers.push(("x-ratelimit-global", "true".into()));
    }
    Reply {
        status: 429,
        body: Some(body),
        headers,
        unknown_route: false,
    }
}

impl State {
    /// Snowflake-shaped (timestamp << 22) and strictly increasing, so `created_at()` is sane.
    fn next_id(&mut self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let stamp = (now as u64).saturating_sub(DISCORD_EPOCH_MS) << 22;
        self.last_id = (self.last_id + 1).max(stamp);
        self.last_id
    }

    fn guild(&self, id: u64) -> Option<&GuildSpec> {
        self.guilds.iter().find(|g| g.id == id)
    }

    /// A channel as `GET /channels/{id}` returns it: guild text channel or DM.
    fn channel(&self, id: u64) -> Option<Value> {
        if self.deleted_channels.contains(&id) {
            return None;
        }
        for g in &self.guilds {
            if let Some(i) = g.channels.iter().position(|(c, _)| *c == id) {
                return Some(channel_json(g.id, id, &g.channels[i].1, i));
            }
        }
        if let Some((guild, parent, name)) = self.threads.get(&id) {
            return Some(json!({
                "id": id.to_string(), "type": 11, "guild_id": guild.to_string(),
                "parent_id": parent.to_string(), "name": name, "last_message_id": null,
                "thread_metadata": {"archived": false, "auto_archive_duration": 1440,
                    "archive_timestamp": iso_now(), "locked": false},
            }));
        }
        let (user, _) = self.dm_channels.iter().find(|(_, c)| **c == id)?;
        let recipients = [self.user_json(*user)];
        Some(
            json!({"id": id.to_string(), "type": 1, "last_message_id": null, "recipients": recipients}),
        )
    }

    fn user_json(&self, id: u64) -> Value {
        match self.members.values().find(|m| m.user_id == id) {
            Some(m) => user_json(m.user_id, &m.username),
            None if id == BOT_USER_ID => bot_user(),
            None => user_json(id, &format!("user{id}")),
        }
    }

    /// A registered chat-input command by name, guild scope first.
    fn find_command(&self, guild: u64, name: &str) -> Option<(Option<u64>, Value)> {
        [Some(guild), None].into_iter().find_map(|scope| {
            let found = self
                .commands
                .get(&scope)?
                .iter()
                .find(|c| c["name"] == name && c["type"] == 1);
            Some((scope, found?.clone()))
        })
    }

    /// Stable per (scope, name, type), so re-registration keeps ids as Discord does.
    fn command_id(&mut self, scope: Option<u64>, name: &str, kind: u64) -> u64 {
        let key = (scope, name.to_string(), kind);
        if let Some(id) = self.command_ids.get(&key) {
            return *id;
        }
        let id = self.next_id();
        *self.command_ids.entry(key).or_insert(id)
    }

    fn message_mut(&mut self, id: u64) -> Option<&mut Stored> {
        self.messages.iter_mut().find(|m| m.id == id && !m.deleted)
    }

    fn take_fault(&mut self, method: &str, path: &str) -> Option<Reply> {
        let f = self.faults.iter_mut().find(|f| {
            let any = f.method.is_empty() || f.method == "*";
            f.times > 0
                && (any || f.method.eq_ignore_ascii_case(method))
                && path.contains(&f.path_contains)
        })?;
        f.times -= 1;
        let (status, retry_after, scope) = (f.status, f.retry_after, f.scope);
        if status != 429 {
            let (code, message) = match status {
                400 => (50035, "Invalid Form Body"),
                401 => (0, "401: Unauthorized"),
                403 => (50013, "Missing Permissions"),
                404 => (0, "404: Not Found"),
                _ => (0, "Internal Server Error"),
            };
            return Some(err(status, code, message));
        }
        // Discord's 429: no `code` in the body, seconds as a float, rate-limit headers.
        self.sent_429 += 1;
        let ra = retry_after.unwrap_or(1.0).max(0.0);
        let ra = if ra.is_finite() { ra.min(1e9) } else { 1e9 };
        let mut reply = rate_limited(Duration::from_secs_f64(ra), 5, scope == "global", scope);
        for h in reply
            .headers
            .iter_mut()
            .filter(|h| h.0 == "x-ratelimit-bucket")
        {
            h.1 = "double-injected".into();
        }
        Some(reply)
    }
}

/// Sends a dispatch on the live connection, or queues it until the bot is connected again.
fn dispatch(st: &mut State, t: &str, d: Value) {
    let (Some(sess), Some(live)) = (&mut st.session, &st.live) else {
        st.pending.push_back((t.to_string(), d));
        return;
    };
    sess.seq += 1;
    let frame = json!({"op": 0, "s": sess.seq, "t": t, "d": d}).to_string();
    sess.history.push_back((sess.seq, frame.clone()));
    if sess.history.len() > RESUME_HISTORY {
        sess.history.pop_front();
    }
    let _ = live.tx.send(Out::Frame(frame));
}

/// Delivers what was queued while the bot was offline. An interaction's deadline restarts on
/// delivery: it is there to catch slow handlers, not the bot's reconnect time.
fn flush_pending(st: &mut State) {
    while let Some((t, d)) = st.pending.pop_front() {
        if t == "INTERACTION_CREATE" {
            if let Some(ix) = sf(&d["id"]).and_then(|id| st.interactions.get_mut(&id)) {
                ix.delivered = Instant::now();
            }
        }
        dispatch(st, &t, d);
    }
}

// ---------------------------------------------------------------------------------------------
// The test-facing API
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
pub struct DiscordDouble {
    inner: Arc<Inner>,
    _server: Arc<AbortOnDrop>,
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl DiscordDouble {
    /// Binds 127.0.0.1:0 and serves until the last clone is dropped.
    pub async fn start(guilds: Vec<GuildSpec>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("double: bind");
        let addr = listener.local_addr().expect("double: local_addr");
        let deadline = Some(Duration::from_secs(3));
        let state = Mutex::new(State {
            base_url: format!("http://{addr}"),
            guilds,
            deadline,
            ..State::default()
        });
        let inner = Arc::new(Inner {
            addr,
            state,
            bump: watch::channel(0).0,
        });
        let app = Router::new()
            .route("/gw", get(gateway_upgrade))
            .route("/attachments/{folder}/{id}/{name}", get(serve_file))
            .fallback(rest)
            .layer(DefaultBodyLimit::max(64 << 20))
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        DiscordDouble {
            inner,
            _server: Arc::new(AbortOnDrop(server)),
        }
    }

    /// The Discord API base URL to give the bot (`HttpBuilder::proxy`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.inner.addr)
    }

    /// Waits, woken by state changes, until `probe` returns Ok. On timeout the Err carries the
    /// probe's last description of what it saw.
    async fn wait_until<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&State) -> Result<T, String>,
    ) -> Result<T, String> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rx = self.inner.bump.subscribe();
        loop {
            rx.borrow_and_update();
            let seen = match probe(&self.inner.lock()) {
                Ok(v) => return Ok(v),
                Err(seen) => seen,
            };
            if !matches!(
                tokio::time::timeout_at(deadline, rx.changed()).await,
                Ok(Ok(()))
            ) {
                return Err(format!("timed out after {timeout:?}: {seen}"));
            }
        }
    }

    fn mutate<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.inner.lock());
        self.inner.changed();
        out
    }

    // --- gateway ---------------------------------------------------------------------------

    /// IDENTIFY received, READY and one GUILD_CREATE per guild sent.
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), String> {
        self.wait_until(timeout, |st| match st.ready_count {
            0 => Err(format!(
                "{} IDENTIFY; REST: {}",
                st.identifies.len(),
                summary(st)
            )),
            _ => Ok(()),
        })
        .await
    }

    /// A gateway connection is live (after IDENTIFY or RESUME).
    pub async fn wait_connected(&self, timeout: Duration) -> Result<(), String> {
        self.wait_until(timeout, |st| match st.live {
            Some(_) => Ok(()),
            None => Err(format!(
                "not connected; {} IDENTIFY, {} RESUME",
                st.identifies.len(),
                st.resumes
            )),
        })
        .await
    }

    pub fn identify_count(&self) -> usize {
        self.inner.lock().identifies.len()
    }
    /// IDENTIFY payloads (`d`): token (with `Bot `), intents, shard, properties.
    pub fn identifies(&self) -> Vec<Value> {
        self.inner.lock().identifies.clone()
    }
    pub fn resume_count(&self) -> usize {
        self.inner.lock().resumes
    }

    /// Closes the socket with 4000 (serenity logs a WARN "Unknown unclean close"); the session
    /// stays valid, so the bot RESUMEs and gets what was dispatched meanwhile.
    pub async fn disconnect_gateway(&self) {
        self.mutate(|st| {
            if let Some(live) = st.live.take() {
                let _ = live.tx.send(Out::Close(4000));
            }
        });
    }

    /// Forgets the session, then disconnects: the RESUME gets op 9 and the bot must IDENTIFY
    /// again (serenity takes about 5 s to do so).
    pub async fn invalidate_session(&self) {
        self.mutate(|st| st.session = None);
        self.disconnect_gateway().await;
    }

    /// Sends any dispatch (GUILD_DELETE, CHANNEL_UPDATE...). Mind the shape: serenity drops,
    /// with only a DEBUG line, what it cannot parse.
    pub fn dispatch_event(&self, t: &str, d: Value) {
        self.mutate(|st| dispatch(st, t, d));
    }

    /// The bot is added to a new server: from now on the guild exists, and its GUILD_CREATE
    /// is dispatched at once.
    pub fn add_guild(&self, g: GuildSpec) {
        let id = g.id;
        self.add_guild_unannounced(g);
        self.announce_guild(id);
    }

    /// A guild that exists (interactions can come from it) before its GUILD_CREATE reached
    /// the bot, as with a guild still unavailable at start-up or just joined.
    pub fn add_guild_unannounced(&self, g: GuildSpec) {
        self.mutate(|st| st.guilds.push(g));
    }

    /// Dispatches GUILD_CREATE for a guild the double has.
    pub fn announce_guild(&self, id: u64) {
        self.mutate(|st| {
            if let Some(d) = st.guild(id).map(guild_json) {
                dispatch(st, "GUILD_CREATE", d);
            }
        });
    }

    /// The guild's settings changed (e.g. renamed): replaces it and dispatches GUILD_UPDATE.
    pub fn update_guild(&self, g: GuildSpec) {
        self.mutate(|st| {
            let mut d = guild_json(&g);
            // A GUILD_UPDATE carries no channels, members or other create-only lists.
            if let Some(o) = d.as_object_mut() {
                for k in [
                    "channels",
                    "members",
                    "threads",
                    "presences",
                    "voice_states",
                ] {
                    o.remove(k);
                }
            }
            st.guilds.retain(|x| x.id != g.id);
            st.guilds.push(g);
            dispatch(st, "GUILD_UPDATE", d);
        });
    }

    /// The bot is removed from a guild: GUILD_DELETE without `unavailable`.
    pub fn remove_guild(&self, id: u64) {
        self.mutate(|st| {
            st.guilds.retain(|x| x.id != id);
            dispatch(st, "GUILD_DELETE", json!({"id": id.to_string()}));
        });
    }

    // --- commands --------------------------------------------------------------------------

    /// Someone deletes the application's commands of a scope by hand (None = global).
    pub fn delete_commands(&self, guild: Option<u64>) {
        self.mutate(|st| {
            st.commands.remove(&guild);
        });
    }

    /// Every PUT .../commands received, accepted or not: (path, body).
    pub fn command_puts(&self) -> Vec<(String, Value)> {
        self.inner.lock().command_puts.clone()
    }

    /// The commands last accepted for a scope (None = global), as answered (with ids).
    pub fn registered_commands(&self, guild: Option<u64>) -> Vec<Value> {
        self.inner
            .lock()
            .commands
            .get(&guild)
            .cloned()
            .unwrap_or_default()
    }

    /// Waits for an accepted registration; returns the set last accepted.
    pub async fn wait_commands_registered(&self, timeout: Duration) -> Result<Vec<Value>, String> {
        self.wait_until(timeout, |st| {
            let scopes = st
                .command_puts
                .iter()
                .rev()
                .filter_map(|(p, _)| command_scope(p));
            let mut accepted = scopes.filter_map(|scope| st.commands.get(&scope));
            let n = st.command_puts.len();
            accepted
                .next()
                .cloned()
                .ok_or_else(|| format!("{n} PUTs, none accepted; {}", summary(st)))
        })
        .await
    }

    // --- interactions ----------------------------------------------------------------------

    /// A member runs `/path[0] path[1] path[2]` (type 2). Subcommand nesting follows the path
    /// length, the command id comes from the registration, and `resolved` is filled for
    /// channel/role/user options (serenity's ResolvedValue and poise's parameters need it).
    pub async fn slash(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        path: &[&str],
        options: Vec<Opt<'_>>,
    ) -> Interaction {
        let data = self.mutate(|st| command_data(st, guild, member, path, &options));
        self.new_interaction(2, (guild, channel), member, data, None, None)
    }

    /// An autocomplete request (type 4); returns the choices of the bot's type-8 callback.
    pub async fn try_autocomplete(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        path: &[&str],
        options: Vec<Opt<'_>>,
        timeout: Duration,
    ) -> Result<Vec<Value>, String> {
        let data = self.mutate(|st| command_data(st, guild, member, path, &options));
        let i = self.new_interaction(4, (guild, channel), member, data, None, None);
        let r = self.wait_callback(&i, timeout).await?;
        match r.kind {
            ResponseKind::Callback(8) => Ok(arr(&r.body["data"]["choices"]).to_vec()),
            other => Err(format!("autocomplete answered with {other:?}")),
        }
    }

    pub async fn autocomplete(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        path: &[&str],
        options: Vec<Opt<'_>>,
    ) -> Vec<Value> {
        let r = self.try_autocomplete(guild, channel, member, path, options, HELPER_TIMEOUT);
        r.await.unwrap_or_else(|e| panic!("autocomplete: {e}"))
    }

    /// A chat message by `author` in `channel`, as Discord shows it in an interaction's
    /// `resolved` (kept in the channel's history, not among the bot's messages).
    pub fn user_message(
        &self,
        channel: u64,
        author: &MemberSpec,
        content: &str,
        embeds: Vec<Value>,
    ) -> Value {
        self.mutate(|st| {
            let id = st.next_id();
            let guild = st.channel(channel).and_then(|c| sf(&c["guild_id"]));
            let mut m = json!({
                "id": id.to_string(), "channel_id": channel.to_string(),
                "author": user_json(author.user_id, &author.username),
                "content": content, "timestamp": iso_now(), "edited_timestamp": null,
                "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
                "attachments": [], "embeds": embeds, "components": [], "pinned": false,
                "type": 0, "flags": 0,
            });
            if let Some(g) = guild {
                set(&mut m, "guild_id", json!(g.to_string()));
            }
            m
        })
    }

    /// A member uses the message context-menu command `name` (its registered, English name)
    /// on `message` (type 2, command type 3): Discord sends the message, with its content, in
    /// `resolved.messages`, even to a bot without the message-content intent.
    pub async fn message_menu(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        name: &str,
        message: &Value,
    ) -> Interaction {
        let data = self.mutate(|st| {
            let registered = [Some(guild), None].into_iter().find_map(|scope| {
                let found = st
                    .commands
                    .get(&scope)?
                    .iter()
                    .find(|c| c["name"] == name && c["type"] == 3)?
                    .clone();
                Some((scope, found))
            });
            let scope = registered.as_ref().map_or(Some(guild), |(s, _)| *s);
            let id = match registered.as_ref().and_then(|(_, c)| sf(&c["id"])) {
                Some(id) => id,
                None => st.command_id(scope, name, 3),
            };
            let target = message["id"].as_str().unwrap_or("0").to_string();
            let mut messages = serde_json::Map::new();
            messages.insert(target.clone(), message.clone());
            json!({
                "id": id.to_string(), "name": name, "type": 3, "target_id": target,
                "resolved": {"messages": messages},
                "guild_id": scope.map(|g| g.to_string()),
            })
        });
        self.new_interaction(2, (guild, channel), member, data, None, None)
    }

    /// A member clicks button `custom_id` on `message` (type 3). The double's own copy of the
    /// message is used when it knows the id.
    pub async fn click(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        message: &Value,
        custom_id: &str,
    ) -> Interaction {
        self.component((guild, channel), member, message, custom_id, None)
    }

    /// A member picks `values` in select menu `custom_id` on `message` (type 3).
    pub async fn select(
        &self,
        guild: u64,
        channel: u64,
        member: &MemberSpec,
        message: &Value,
        custom_id: &str,
        values: &[&str],
    ) -> Interaction {
        self.component((guild, channel), member, message, custom_id, Some(values))
    }

    fn component(
        &self,
        at: (u64, u64),
        member: &MemberSpec,
        message: &Value,
        custom_id: &str,
        values: Option<&[&str]>,
    ) -> Interaction {
        let msg = {
            let st = self.inner.lock();
            let known = st
                .messages
                .iter()
                .find(|m| Some(m.id) == sf(&message["id"]) && !m.deleted);
            known.map_or_else(|| message.clone(), |m| m.msg.clone())
        };
        let declared =
            find_component(&msg["components"], custom_id).and_then(|c| c["type"].as_u64());
        let kind = declared.unwrap_or(if values.is_some() { 3 } else { 2 });
        let mut data = json!({"custom_id": custom_id, "component_type": kind});
        if let Some(values) = values {
            data["values"] = json!(values);
        }
        self.new_interaction(3, at, member, data, Some(msg), None)
    }

    /// Submits the modal the bot opened in answer to `after` (type 5): waits for the type-9
    /// callback, then MODAL_SETTLE. An empty `custom_id` means the modal's own. Inputs missing
    /// from `fields` are sent empty, as Discord does for untouched inputs.
    pub async fn try_submit_modal(
        &self,
        after: &Interaction,
        custom_id: &str,
        fields: Vec<(&str, &str)>,
        timeout: Duration,
    ) -> Result<Interaction, String> {
        let (modal, opened) = self
            .wait_until(timeout, |st| {
                let modal = st
                    .interactions
                    .get(&after.id)
                    .and_then(|ix| ix.modal.clone());
                modal.ok_or_else(|| format!("no modal opened; {}", describe(st, after.id)))
            })
            .await?;
        tokio::time::sleep(MODAL_SETTLE.saturating_sub(opened.elapsed())).await;
        let mut rest = fields;
        let mut inputs: Vec<(String, String)> = vec![];
        for input in arr(&modal["components"])
            .iter()
            .flat_map(|row| arr(&row["components"]))
        {
            let cid = input["custom_id"].as_str().unwrap_or("");
            let given = rest
                .iter()
                .position(|(k, _)| *k == cid)
                .map(|i| rest.remove(i).1);
            inputs.push((cid.into(), given.unwrap_or("").into()));
        }
        inputs.extend(
            rest.into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let rows: Vec<Value> = inputs
            .iter()
            .map(|(k, v)| json!({"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}))
            .collect();
        let cid = match custom_id {
            "" => modal["custom_id"].as_str().unwrap_or(""),
            given => given,
        };
        let data = json!({"custom_id": cid, "components": rows});
        let message = (after.kind == 3).then(|| after.payload["message"].clone());
        let at = (after.guild_id, after.channel_id);
        Ok(self.new_interaction(5, at, &after.member, data, message, Some(after.id)))
    }

    pub async fn submit_modal(
        &self,
        after: &Interaction,
        custom_id: &str,
        fields: Vec<(&str, &str)>,
    ) -> Interaction {
        let r = self.try_submit_modal(after, custom_id, fields, HELPER_TIMEOUT);
        r.await.unwrap_or_else(|e| panic!("submit_modal: {e}"))
    }

    fn new_interaction(
        &self,
        kind: u8,
        (guild, channel): (u64, u64),
        member: &MemberSpec,
        data: Value,
        message: Option<Value>,
        parent: Option<u64>,
    ) -> Interaction {
        let (id, token, payload) = self.mutate(|st| {
            st.members.insert((guild, member.user_id), member.clone());
            let id = st.next_id();
            let token = format!("itoken-{id}");
            let msg = message.as_ref();
            let payload =
                interaction_json(st, (id, &token, kind), (guild, channel), member, data, msg);
            st.interactions.insert(
                id,
                Ix {
                    token: token.clone(),
                    kind,
                    guild,
                    channel,
                    delivered: Instant::now(),
                    callback: None,
                    deferred_flags: None,
                    original: None,
                    message_id: msg.and_then(|m| sf(&m["id"])),
                    followups: vec![],
                    responses: vec![],
                    parent,
                    modal: None,
                },
            );
            dispatch(st, "INTERACTION_CREATE", payload.clone());
            (id, token, payload)
        });
        let (guild_id, channel_id, member) = (guild, channel, member.clone());
        Interaction {
            id,
            token,
            kind,
            guild_id,
            channel_id,
            member,
            payload,
            parent,
        }
    }

    /// Everything the user saw for `i`, in order: callback, edits, follow-ups. For a modal
    /// submit this includes what the bot then sent on the opening interaction's token (poise
    /// answers a modal with follow-ups on the slash command's token).
    pub fn responses(&self, i: &Interaction) -> Vec<Response> {
        responses(&self.inner.lock(), i.id)
    }

    /// The first content-bearing answer: callback 4/7, or an edit/follow-up after a deferral.
    pub async fn wait_response(
        &self,
        i: &Interaction,
        timeout: Duration,
    ) -> Result<Response, String> {
        self.wait_until(timeout, |st| {
            let found = responses(st, i.id)
                .into_iter()
                .find(Response::is_content_bearing);
            found.ok_or_else(|| describe(st, i.id))
        })
        .await
    }

    /// At least `count` responses (e.g. a reply and its follow-ups).
    pub async fn wait_responses(
        &self,
        i: &Interaction,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<Response>, String> {
        self.wait_until(timeout, |st| match responses(st, i.id) {
            rs if rs.len() >= count => Ok(rs),
            _ => Err(describe(st, i.id)),
        })
        .await
    }

    /// The interaction's callback, whatever its type (deferral, modal, autocomplete...).
    pub async fn wait_callback(
        &self,
        i: &Interaction,
        timeout: Duration,
    ) -> Result<Response, String> {
        self.wait_until(timeout, |st| {
            let own = st
                .interactions
                .get(&i.id)
                .map(|ix| ix.responses.as_slice())
                .unwrap_or(&[]);
            let callback = own.iter().find(|r| r.callback_type().is_some());
            callback.cloned().ok_or_else(|| describe(st, i.id))
        })
        .await
    }

    /// When the double handed `i` to the gateway connection (for one queued while the bot was
    /// offline: when it was flushed), the start of the 3 s deadline. Benchmarks measure from
    /// here to `Response::at` of the callback.
    pub fn delivered_at(&self, i: &Interaction) -> Option<Instant> {
        self.inner
            .lock()
            .interactions
            .get(&i.id)
            .map(|ix| ix.delivered)
    }

    /// Callbacks later than this after delivery get Discord's 404 10062 "Unknown interaction".
    /// Default 3 s; None turns the check off.
    pub fn set_interaction_deadline(&self, deadline: Option<Duration>) {
        self.mutate(|st| st.deadline = deadline);
    }

    /// Makes a member known (`GET /guilds/{g}/members/{u}`, user options) before it interacts.
    pub fn add_member(&self, guild: u64, member: MemberSpec) {
        self.mutate(|st| st.members.insert((guild, member.user_id), member));
    }

    // --- messages and events ---------------------------------------------------------------

    /// Messages posted with `POST /channels/{c}/messages` (not interaction replies), oldest
    /// first, edits applied, deleted ones left out. Each has an extra `"allowed_mentions"` key:
    /// what the bot sent (Null if none).
    pub fn channel_messages(&self, channel: u64) -> Vec<Value> {
        channel_messages(&self.inner.lock(), channel)
    }

    /// The channel's messages but the published agendas (live documents that start with their
    /// header), for tests that count reminders.
    pub fn channel_messages_but_agendas(&self, channel: u64) -> Vec<Value> {
        let mut msgs = self.channel_messages(channel);
        msgs.retain(|m| {
            let c = m["content"].as_str().unwrap_or("");
            !(c.starts_with("**Dagordning**") || c.starts_with("**Agenda**"))
        });
        msgs
    }

    pub async fn wait_channel_message(
        &self,
        channel: u64,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.wait_until(timeout, |st| {
            let msgs = channel_messages(st, channel);
            msgs.iter().find(|m| pred(m)).cloned().ok_or_else(|| {
                let seen: Vec<&str> = msgs
                    .iter()
                    .map(|m| m["content"].as_str().unwrap_or(""))
                    .collect();
                format!(
                    "no match in channel {channel}: {seen:?}; REST: {}",
                    summary(st)
                )
            })
        })
        .await
    }

    /// Threads started from messages: (thread id = starter message id, parent channel, name).
    pub fn threads(&self) -> Vec<(u64, u64, String)> {
        let st = self.inner.lock();
        let mut t: Vec<_> = st
            .threads
            .iter()
            .map(|(id, (_, parent, name))| (*id, *parent, name.clone()))
            .collect();
        t.sort();
        t
    }

    /// Messages sent to a user's DM channel (opened with `POST /users/@me/channels`).
    pub fn dm_messages(&self, user_id: u64) -> Vec<Value> {
        let st = self.inner.lock();
        let channel = st.dm_channels.get(&user_id).copied();
        channel
            .map(|c| channel_messages(&st, c))
            .unwrap_or_default()
    }

    /// The bytes of an attachment (an object of a message's `attachments`, or of a response's
    /// message), as its URL serves them.
    pub fn attachment_bytes(&self, attachment: &Value) -> Option<Vec<u8>> {
        let id = sf(&attachment["id"])?;
        self.inner.lock().files.get(&id).cloned()
    }

    /// A guild's scheduled events as they stand (deleted ones gone), in creation order.
    pub fn scheduled_events(&self, guild: u64) -> Vec<Value> {
        self.inner
            .lock()
            .events
            .get(&guild)
            .cloned()
            .unwrap_or_default()
    }

    // --- observation and faults ------------------------------------------------------------

    /// The next `times` requests with `method` ("" or "*": any) whose path contains
    /// `path_contains` fail with `status` and have no effect. A 429 has Discord's body
    /// (`retry_after` seconds, default 1.0, no `code`) and `Retry-After`/`X-RateLimit-*` headers.
    /// Holds back the answer to POSTs whose path contains `path_contains` (after they took
    /// effect) for `delay`; `None` turns it off.
    pub fn set_response_delay(&self, path_contains: &str, delay: Option<Duration>) {
        self.mutate(|st| st.response_delay = delay.map(|d| (path_contains.to_string(), d)));
    }

    pub fn inject_failure(
        &self,
        method: &str,
        path_contains: &str,
        status: u16,
        times: usize,
        retry_after: Option<f64>,
    ) {
        let (method, path_contains) = (method.to_string(), path_contains.to_string());
        let fault = Fault {
            method,
            path_contains,
            status,
            times,
            retry_after,
            scope: "user",
        };
        self.mutate(|st| st.faults.push(fault));
    }

    /// The next `times` requests whose path contains `path_contains` get a 429 with this
    /// `retry_after` (seconds; any value, absurd ones included) and `X-RateLimit-Scope`
    /// (`user`, `global` or `shared`), and have no effect.
    pub fn inject_rate_limit(
        &self,
        path_contains: &str,
        times: usize,
        retry_after: f64,
        scope: &'static str,
    ) {
        let fault = Fault {
            method: "*".into(),
            path_contains: path_contains.to_string(),
            status: 429,
            times,
            retry_after: Some(retry_after),
            scope,
        };
        self.mutate(|st| st.faults.push(fault));
    }

    /// How long a nonce de-duplicates a re-sent message (Discord: a few minutes; the default
    /// here is 5 minutes). A test that outlasts it shows what happens after a long outage.
    pub fn set_nonce_window(&self, window: Duration) {
        self.mutate(|st| st.nonce_window = Some(window));
    }

    /// Deletes a guild channel: from now on it is `Unknown Channel` (10003) to the bot.
    pub fn delete_channel(&self, channel: u64) {
        self.mutate(|st| {
            st.deleted_channels.insert(channel);
        });
    }

    pub fn all_requests(&self) -> Vec<Recorded> {
        self.inner.lock().requests.clone()
    }
    /// How many requests after the first `skip` satisfy `which`, counted under the lock
    /// without copying any: cheap enough to poll while the bot sends (copying the whole log
    /// holds the lock every request needs for as long as the copy takes, and delays them).
    pub fn count_requests_since(&self, skip: usize, which: impl Fn(&Recorded) -> bool) -> usize {
        self.inner
            .lock()
            .requests
            .iter()
            .skip(skip)
            .filter(|r| which(r))
            .count()
    }
    /// Requests to routes the double does not model (answered 404 `{"code":0,...}`).
    pub fn unknown_requests(&self) -> Vec<Recorded> {
        let st = self.inner.lock();
        st.requests
            .iter()
            .filter(|r| r.unknown_route)
            .cloned()
            .collect()
    }
    /// Turns on Discord's rate limits for the bot: 50 requests per second (interaction
    /// callbacks and webhooks excepted), 5 messages per 5 s per channel on
    /// `POST /channels/{id}/messages` and 30 scheduled-event calls per 10 s per guild, as fixed
    /// windows opened by the first request. A request over a limit is answered with Discord's
    /// 429 (`retry_after`, `global`, `Retry-After`, `X-RateLimit-*` with `-Scope`), has no
    /// effect, and counts in `count_429_sent`. (The route headers are sent in any case.)
    pub fn enable_rate_limits(&self) {
        self.mutate(|st| {
            st.enforce_limits = true;
            st.limits = RateLimits::default();
        });
    }

    pub fn count_429_sent(&self) -> usize {
        self.inner.lock().sent_429
    }
}

fn command_scope(path: &str) -> Option<Option<u64>> {
    match path
        .trim_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        [.., "guilds", g, "commands"] => g.parse().ok().map(Some),
        [.., "applications", _, "commands"] => Some(None),
        _ => None,
    }
}

fn responses(st: &State, id: u64) -> Vec<Response> {
    let Some(ix) = st.interactions.get(&id) else {
        return vec![];
    };
    let mut out = ix.responses.clone();
    if let Some(parent) = ix.parent.and_then(|p| st.interactions.get(&p)) {
        let later = parent.responses.iter().filter(|r| r.at >= ix.delivered);
        out.extend(later.cloned());
    }
    out.sort_by_key(|r| r.at);
    out
}

fn describe(st: &State, id: u64) -> String {
    let seen: Vec<String> = responses(st, id)
        .iter()
        .map(|r| {
            format!(
                "{:?}{} {:?}",
                r.kind,
                if r.ephemeral { "(eph)" } else { "" },
                r.content
            )
        })
        .collect();
    let gw = if st.live.is_some() {
        "gateway live"
    } else {
        "gateway NOT connected, queued"
    };
    format!(
        "interaction {id}: responses {seen:?}; {gw}; REST: {}",
        summary(st)
    )
}

/// The last requests, with the double's answer to failed ones: what a failed wait should show.
fn summary(st: &State) -> String {
    let n = st.requests.len().saturating_sub(8);
    let tail = st.requests[n..].iter().map(|r| {
        let why = if r.status >= 400 {
            r.response.to_string()
        } else {
            String::new()
        };
        format!("{} {} -> {} {why}", r.method, r.path, r.status)
    });
    format!("[{}]", tail.collect::<Vec<_>>().join(", "))
}

fn channel_messages(st: &State, channel: u64) -> Vec<Value> {
    let plain = st
        .messages
        .iter()
        .filter(|m| m.channel == channel && m.plain && !m.deleted);
    plain
        .map(|m| {
            let mut v = m.msg.clone();
            set(
                &mut v,
                "allowed_mentions",
                m.request["allowed_mentions"].clone(),
            );
            v
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------------------------

async fn gateway_upgrade(
    AxState(inner): AxState<Arc<Inner>>,
    ws: WebSocketUpgrade,
) -> HttpResponse {
    ws.on_upgrade(move |socket| gateway_conn(inner, socket))
}

async fn gateway_conn(inner: Arc<Inner>, mut ws: WebSocket) {
    let conn = {
        let mut st = inner.lock();
        st.next_conn += 1;
        st.next_conn
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 45000}}).to_string();
    if ws.send(WsMessage::Text(hello.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            incoming = ws.recv() => match incoming {
                Some(Ok(WsMessage::Text(text))) => on_frame(&inner, conn, &tx, text.as_str()),
                Some(Ok(WsMessage::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {} // binary, ping, pong: nothing serenity needs answered
            },
            out = rx.recv() => match out {
                Some(Out::Frame(frame)) => {
                    if ws.send(WsMessage::Text(frame.into())).await.is_err() {
                        break;
                    }
                }
                Some(Out::Close(code)) => {
                    let frame = CloseFrame { code, reason: "test double: disconnect".into() };
                    let _ = ws.send(WsMessage::Close(Some(frame))).await;
                    break;
                }
                None => break,
            },
        }
    }
    let mut st = inner.lock();
    if st.live.as_ref().is_some_and(|l| l.conn == conn) {
        st.live = None;
    }
    drop(st);
    inner.changed();
}

fn on_frame(inner: &Inner, conn: u64, tx: &mpsc::UnboundedSender<Out>, text: &str) {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let d = &frame["d"];
    let mut st = inner.lock();
    match frame["op"].as_u64() {
        Some(1) => {
            let _ = tx.send(Out::Frame(json!({"op": 11}).to_string()));
        }
        Some(2) => {
            st.identifies.push(d.clone());
            let session_id = format!("double-session-{}", st.next_id());
            let history = VecDeque::new();
            st.session = Some(Session {
                id: session_id.clone(),
                seq: 0,
                history,
            });
            st.live = Some(Live {
                conn,
                tx: tx.clone(),
            });
            let guilds: Vec<Value> = st.guilds.iter().map(guild_json).collect();
            let unavailable: Vec<Value> = guilds
                .iter()
                .map(|g| json!({"id": g["id"], "unavailable": true}))
                .collect();
            let shard = if d["shard"].is_array() {
                d["shard"].clone()
            } else {
                json!([0, 1])
            };
            let ready = json!({
                "v": 10, "user": bot_user(), "guilds": unavailable, "session_id": session_id,
                "resume_gateway_url": format!("ws://{}/gw", inner.addr), "shard": shard,
                "application": {"id": APP_ID.to_string(), "flags": 0},
            });
            dispatch(&mut st, "READY", ready);
            for g in guilds {
                dispatch(&mut st, "GUILD_CREATE", g);
            }
            flush_pending(&mut st);
            st.ready_count += 1;
        }
        Some(6) => {
            let Some(sess) = st
                .session
                .as_ref()
                .filter(|s| d["session_id"] == s.id.as_str())
            else {
                let _ = tx.send(Out::Frame(json!({"op": 9, "d": false}).to_string()));
                return;
            };
            let client_seq = d["seq"].as_u64().unwrap_or(0);
            for (_, frame) in sess.history.iter().filter(|(s, _)| *s > client_seq) {
                let _ = tx.send(Out::Frame(frame.clone()));
            }
            st.resumes += 1;
            st.live = Some(Live {
                conn,
                tx: tx.clone(),
            });
            dispatch(&mut st, "RESUMED", json!({}));
            flush_pending(&mut st);
        }
        _ => {} // presence updates, member requests: nothing to model
    }
    drop(st);
    inner.changed();
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

struct Reply {
    status: u16,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
    unknown_route: bool,
}

impl IntoResponse for Reply {
    fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = match self.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => status.into_response(),
        };
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

fn reply(status: u16, body: Option<Value>) -> Reply {
    let (headers, unknown_route) = (vec![], false);
    Reply {
        status,
        body,
        headers,
        unknown_route,
    }
}
fn ok(v: Value) -> Reply {
    reply(200, Some(v))
}
fn no_content() -> Reply {
    reply(204, None)
}
fn err(status: u16, code: u64, message: &str) -> Reply {
    reply(status, Some(json!({"code": code, "message": message})))
}
/// Discord's 50035 with the nested `errors` object that serenity flattens into `path`.
fn form_err(path: &str, code: &str, message: &str) -> Reply {
    let mut errors = json!({"_errors": [{"code": code, "message": message}]});
    for seg in path.rsplit('.').filter(|s| !s.is_empty()) {
        errors = json!({ seg: errors });
    }
    let body = json!({"code": 50035, "message": "Invalid Form Body", "errors": errors});
    reply(400, Some(body))
}

struct FilePart {
    filename: String,
    bytes: Vec<u8>,
}

/// `GET /attachments/{folder}/{id}/{name}`: an attachment's bytes, as Discord's CDN serves
/// them (what the bot downloads when a user hands it a file).
async fn serve_file(
    AxState(inner): AxState<Arc<Inner>>,
    AxPath((_, id, _)): AxPath<(u64, u64, String)>,
) -> HttpResponse {
    match inner.lock().files.get(&id) {
        Some(bytes) => (StatusCode::OK, bytes.clone()).into_response(),
        None => err(404, 0, "404: Not Found").into_response(),
    }
}

async fn rest(
    AxState(inner): AxState<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    let (response, delay) = rest_now(&inner, method, uri, headers, body);
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    response
}

/// Handles a request at once; says how long to hold the answer back.
fn rest_now(
    inner: &Arc<Inner>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (HttpResponse, Option<Duration>) {
    let (path, query) = (
        uri.path().to_string(),
        uri.query().unwrap_or("").to_string(),
    );
    let parsed = parse_body(&headers, &body);
    let recorded_body = match &parsed {
        Ok((v, _)) => v.clone(),
        Err(_) => Value::String(String::from_utf8_lossy(&body).into_owned()),
    };
    let mut st = inner.lock();
    let delay = st
        .response_delay
        .as_ref()
        .filter(|(part, _)| path.contains(part.as_str()) && method == Method::POST)
        .map(|(_, d)| *d);
    let enforce = st.enforce_limits;
    let (limited, route_headers) = match st.limits.check(method.as_str(), &path, enforce) {
        Ok(h) => (None, h),
        Err(r) => (Some(r), vec![]),
    };
    if limited.is_some() {
        st.sent_429 += 1;
    }
    let mut reply = match (
        limited.or_else(|| st.take_fault(method.as_str(), &path)),
        &parsed,
    ) {
        (Some(refused), _) => refused,
        (None, Err(_)) => err(400, 50109, "The request body contains invalid JSON."),
        (None, Ok((body, files))) => route(
            &inner.addr,
            &mut st,
            method.as_str(),
            &path,
            &query,
            body,
            files,
        ),
    };
    if reply.status != 429 {
        reply.headers.extend(route_headers);
    }
    st.requests.push(Recorded {
        method: method.to_string(),
        path,
        query,
        body: recorded_body,
        status: reply.status,
        response: reply.body.clone().unwrap_or(Value::Null),
        unknown_route: reply.unknown_route,
        at: Instant::now(),
    });
    drop(st);
    inner.changed();
    (reply.into_response(), delay)
}

fn route(
    addr: &SocketAddr,
    st: &mut State,
    method: &str,
    path: &str,
    query: &str,
    body: &Value,
    files: &[FilePart],
) -> Reply {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let unknown = Reply {
        unknown_route: true,
        ..err(404, 0, "404: Not Found")
    };
    let ["api", version, rest @ ..] = segs.as_slice() else {
        return unknown;
    };
    if !version.starts_with('v') {
        return unknown;
    }
    // Snowflakes by position; 0 where a segment is not a number (matches nothing).
    let id = |i: usize| rest.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
    let app_ok = id(1) == APP_ID;
    match (method, rest) {
        ("GET", ["gateway"] | ["gateway", "bot"]) => ok(json!({
            "url": format!("ws://{addr}/gw"), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        })),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => ok(json!({
            "id": APP_ID.to_string(), "name": BOT_USERNAME, "description": "", "icon": null,
            "bot_public": true, "bot_require_code_grant": false, "verify_key": "0", "team": null,
            "owner": user_json(OWNER_ID, "owner"), "flags": 0,
        })),
        ("GET", ["users", "@me"]) => ok(bot_user()),
        ("GET", ["users", _]) if id(1) != 0 => ok(st.user_json(id(1))),
        ("POST", ["users", "@me", "channels"]) => create_dm(st, body),
        ("GET", ["channels", _]) => st.channel(id(1)).map_or_else(unknown_channel, ok),
        ("GET", ["channels", _, "messages"]) => list_messages(st, id(1), query),
        ("POST", ["channels", _, "messages"]) => create_message(st, id(1), body, files),
        (_, ["channels", _, "messages", _]) => message_op(st, method, id(1), id(3), body),
        ("POST", ["channels", _, "messages", _, "threads"]) => start_thread(st, id(1), id(3), body),
        ("GET", ["guilds", _]) => match st.guild(id(1)) {
            Some(g) => ok(guild_json(g)),
            None => err(404, 10004, "Unknown Guild"),
        },
        ("GET", ["guilds", _, "members", _]) => match st.members.get(&(id(1), id(3))) {
            Some(m) => ok(member_json(m, false)),
            None if id(3) == BOT_USER_ID => ok(bot_member()),
            None => err(404, 10007, "Unknown Member"),
        },
        (_, ["guilds", _, "scheduled-events", ..]) if rest.len() <= 4 => {
            let event = (rest.len() == 4).then(|| id(3));
            scheduled_event_op(st, method, id(1), event, body)
        }
        ("PUT", ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"]) => {
            st.command_puts.push((path.to_string(), body.clone()));
            let scope = (rest.len() == 5).then(|| id(3));
            match app_ok && scope.is_none_or(|g| st.guild(g).is_some()) {
                true => put_commands(st, scope, body),
                false => err(403, 50001, "Missing Access"),
            }
        }
        ("GET", ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"]) => {
            let scope = (rest.len() == 5).then(|| id(3));
            ok(json!(st.commands.get(&scope).cloned().unwrap_or_default()))
        }
        ("POST", ["interactions", _, token, "callback"]) => callback(st, id(1), token, body, files),
        ("POST", ["webhooks", _, token]) if app_ok => followup(st, token, body, files),
        (_, ["webhooks", _, token, "messages", which]) if app_ok => {
            webhook_message_op(st, method, token, which, body)
        }
        (_, ["webhooks", ..]) => err(404, 10015, "Unknown Webhook"),
        _ => unknown,
    }
}

/// `GET /channels/{id}/messages` as Discord answers it: `limit` (1-100, default 50) messages
/// after `after` (the oldest ones after it) or before `before` (default: the newest), newest
/// first; the nonce is not part of a listed message.
fn list_messages(st: &State, channel: u64, query: &str) -> Reply {
    if st.channel(channel).is_none() {
        return unknown_channel();
    }
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    let limit = param("limit").unwrap_or(50).clamp(1, 100) as usize;
    let mut msgs: Vec<Value> = channel_messages(st, channel)
        .into_iter()
        .map(|mut m| {
            if let Some(o) = m.as_object_mut() {
                o.remove("nonce");
                o.remove("allowed_mentions");
            }
            m
        })
        .collect();
    let id_of = |m: &Value| sf(&m["id"]).unwrap_or(0);
    if let Some(after) = param("after") {
        msgs.retain(|m| id_of(m) > after);
        msgs.truncate(limit);
    } else {
        if let Some(before) = param("before") {
            msgs.retain(|m| id_of(m) < before);
        }
        let skip = msgs.len().saturating_sub(limit);
        msgs.drain(..skip);
    }
    msgs.reverse();
    ok(Value::Array(msgs))
}

fn unknown_channel() -> Reply {
    err(404, 10003, "Unknown Channel")
}

fn create_dm(st: &mut State, body: &Value) -> Reply {
    let Some(user) = sf(&body["recipient_id"]) else {
        return form_err(
            "recipient_id",
            "BASE_TYPE_REQUIRED",
            "This field is required",
        );
    };
    let channel = match st.dm_channels.get(&user) {
        Some(c) => *c,
        None => {
            let c = st.next_id();
            *st.dm_channels.entry(user).or_insert(c)
        }
    };
    st.channel(channel).map_or_else(unknown_channel, ok)
}

fn create_message(st: &mut State, channel: u64, body: &Value, files: &[FilePart]) -> Reply {
    let Some(ch) = st.channel(channel) else {
        return unknown_channel();
    };
    if let Some(bad) = validate_message(body, files.len(), true) {
        return bad;
    }
    // Discord's de-duplication: same author and nonce within minutes returns the first message.
    let nonce = match &body["nonce"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let nonce = nonce.filter(|_| body["enforce_nonce"] == true);
    let window = st.nonce_window.unwrap_or(NONCE_WINDOW);
    st.nonces.retain(|_, (at, _)| at.elapsed() < window);
    if let Some((_, first)) = nonce.as_ref().and_then(|n| st.nonces.get(n)) {
        if let Some(m) = st.messages.iter().find(|m| m.id == *first) {
            return ok(m.msg.clone());
        }
    }
    let msg = store_message(st, channel, sf(&ch["guild_id"]), body, files, None);
    if let Some(n) = nonce {
        let id = sf(&msg["id"]).unwrap_or(0);
        st.nonces.insert(n, (Instant::now(), id));
    }
    ok(msg)
}

fn message_op(st: &mut State, method: &str, channel: u64, id: u64, body: &Value) -> Reply {
    if method == "PATCH" {
        if let Some(bad) = validate_message(body, 0, false) {
            return bad;
        }
    }
    let Some(m) = st.message_mut(id).filter(|m| m.channel == channel) else {
        return err(404, 10008, "Unknown Message");
    };
    match method {
        "GET" => ok(m.msg.clone()),
        "PATCH" => {
            apply_edit(&mut m.msg, body);
            if !body["allowed_mentions"].is_null() {
                set(
                    &mut m.request,
                    "allowed_mentions",
                    body["allowed_mentions"].clone(),
                );
            }
            ok(m.msg.clone())
        }
        "DELETE" => {
            m.deleted = true;
            no_content()
        }
        _ => err(405, 0, "405: Method Not Allowed"),
    }
}

/// `POST /channels/{c}/messages/{m}/threads`: one thread per message, with the message's id.
fn start_thread(st: &mut State, channel: u64, message: u64, body: &Value) -> Reply {
    let Some(guild) = st.channel(channel).and_then(|c| sf(&c["guild_id"])) else {
        return unknown_channel();
    };
    if st
        .message_mut(message)
        .filter(|m| m.channel == channel)
        .is_none()
    {
        return err(404, 10008, "Unknown Message");
    }
    if st.threads.contains_key(&message) {
        return err(
            400,
            160004,
            "A thread has already been created for this message",
        );
    }
    let name = body["name"].as_str().unwrap_or("").to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return form_err(
            "name",
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 100 in length.",
        );
    }
    st.threads.insert(message, (guild, channel, name));
    st.channel(message).map_or_else(unknown_channel, ok)
}

fn put_commands(st: &mut State, scope: Option<u64>, body: &Value) -> Reply {
    let Some(cmds) = body.as_array() else {
        return form_err(
            "",
            "MODEL_TYPE_CONVERT",
            "Only iterables may be used in a ListType",
        );
    };
    if let Some(bad) = validate_commands(cmds) {
        return bad;
    }
    let version = st.next_id().to_string();
    let mut answered = vec![];
    for c in cmds {
        let kind = c["type"].as_u64().unwrap_or(1);
        let id = st.command_id(scope, c["name"].as_str().unwrap_or(""), kind);
        let mut out = c.clone();
        set(&mut out, "id", json!(id.to_string()));
        set(&mut out, "application_id", json!(APP_ID.to_string()));
        set(&mut out, "version", json!(version));
        set(&mut out, "type", json!(kind));
        set(&mut out, "guild_id", json!(scope.map(|g| g.to_string())));
        fill_descriptions(&mut out);
        answered.push(out);
    }
    st.commands.insert(scope, answered.clone());
    ok(Value::Array(answered))
}

/// serenity requires `description` on commands and options; context-menu commands have none.
fn fill_descriptions(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.entry("description").or_insert_with(|| json!(""));
        if let Some(opts) = obj.get_mut("options").and_then(Value::as_array_mut) {
            opts.iter_mut().for_each(fill_descriptions);
        }
    }
}

fn callback(st: &mut State, id: u64, token: &str, body: &Value, files: &[FilePart]) -> Reply {
    let deadline = st.deadline;
    let Some(ix) = st.interactions.get(&id).filter(|ix| ix.token == token) else {
        return err(404, 10062, "Unknown interaction");
    };
    if ix.callback.is_some() {
        return err(400, 40060, "Interaction has already been acknowledged.");
    }
    if deadline.is_some_and(|d| ix.delivered.elapsed() > d) {
        return err(404, 10062, "Unknown interaction");
    }
    let (kind, channel, guild, component_msg) = (ix.kind, ix.channel, ix.guild, ix.message_id);
    let t = body["type"].as_u64().unwrap_or(0);
    let allowed = match kind {
        4 => t == 8,
        3 => matches!(t, 4..=7 | 9),
        5 => matches!(t, 4..=7),
        _ => matches!(t, 4 | 5 | 9),
    };
    if !allowed {
        return form_err(
            "type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            "Invalid response type",
        );
    }
    let data = &body["data"];
    let flags = data["flags"].as_u64().unwrap_or(0);
    let check = match t {
        4 => validate_message(data, files.len(), true),
        7 if !data.is_null() => validate_message(data, files.len(), false),
        8 => validate_choices(data),
        9 => validate_modal(data),
        _ => None,
    };
    if let Some(bad) = check {
        return bad;
    }
    let (mut original, mut message, mut ephemeral) = (None, None, flags & 64 != 0);
    match t {
        4 => {
            let msg = store_message(st, channel, Some(guild), data, files, Some(id));
            original = sf(&msg["id"]);
            message = Some(msg);
        }
        5 => {
            // The "thinking..." placeholder (LOADING flag) a follow-up or edit will fill.
            let placeholder = json!({"flags": flags | 128});
            let msg = store_message(st, channel, Some(guild), &placeholder, &[], Some(id));
            original = sf(&msg["id"]);
        }
        6 | 7 => {
            // Both target the message the component is on, which @original now means.
            original = component_msg;
            let target = component_msg.and_then(|m| st.message_mut(m));
            if let (7, Some(m)) = (t, target) {
                apply_edit(&mut m.msg, data);
                message = Some(m.msg.clone());
            }
            ephemeral = message
                .as_ref()
                .is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & 64 != 0);
        }
        _ => {}
    }
    let resp = response(
        id,
        ResponseKind::Callback(t as u8),
        body,
        message.as_ref(),
        ephemeral,
    );
    if let Some(ix) = st.interactions.get_mut(&id) {
        ix.callback = Some(t as u8);
        ix.original = original.or(ix.original);
        ix.deferred_flags = (t == 5).then_some(flags);
        ix.modal = (t == 9).then(|| (data.clone(), Instant::now()));
        ix.responses.push(resp);
    }
    no_content()
}

fn interaction_by_token(st: &State, token: &str) -> Option<u64> {
    st.interactions
        .iter()
        .find(|(_, ix)| ix.token == token)
        .map(|(id, _)| *id)
}

fn followup(st: &mut State, token: &str, body: &Value, files: &[FilePart]) -> Reply {
    let Some(ixid) = interaction_by_token(st, token) else {
        return err(404, 10015, "Unknown Webhook");
    };
    let ix = &st.interactions[&ixid];
    if ix.callback.is_none() {
        return err(404, 10015, "Unknown Webhook");
    }
    if let Some(bad) = validate_message(body, files.len(), true) {
        return bad;
    }
    let (channel, guild, deferred, original) =
        (ix.channel, ix.guild, ix.deferred_flags, ix.original);
    let placeholder = original.filter(|_| deferred.is_some());
    let (msg, ephemeral) = match (deferred, placeholder.and_then(|o| st.message_mut(o))) {
        // The first follow-up after a deferral becomes the placeholder and keeps its flags.
        (Some(dflags), Some(m)) => {
            apply_edit(&mut m.msg, body);
            set(&mut m.msg, "flags", json!(dflags));
            set(&mut m.msg, "edited_timestamp", Value::Null);
            m.request = body.clone();
            (m.msg.clone(), dflags & 64 != 0)
        }
        _ => {
            let msg = store_message(st, channel, Some(guild), body, files, Some(ixid));
            (msg, body["flags"].as_u64().unwrap_or(0) & 64 != 0)
        }
    };
    let resp = response(ixid, ResponseKind::Followup, body, Some(&msg), ephemeral);
    if let Some(ix) = st.interactions.get_mut(&ixid) {
        ix.deferred_flags = None;
        ix.followups
            .extend(sf(&msg["id"]).filter(|m| Some(*m) != ix.original));
        ix.responses.push(resp);
    }
    ok(msg)
}

fn webhook_message_op(
    st: &mut State,
    method: &str,
    token: &str,
    which: &str,
    body: &Value,
) -> Reply {
    let Some(ixid) = interaction_by_token(st, token) else {
        return err(404, 10015, "Unknown Webhook");
    };
    let ix = &st.interactions[&ixid];
    let is_original = which == "@original";
    let target = match is_original {
        true => ix.original,
        false => which
            .parse()
            .ok()
            .filter(|m| ix.followups.contains(m) || Some(*m) == ix.original),
    };
    let deferred = ix.deferred_flags.filter(|_| is_original);
    if method == "PATCH" {
        if let Some(bad) = validate_message(body, 0, false) {
            return bad;
        }
    }
    let Some(m) = target.and_then(|t| st.message_mut(t)) else {
        return err(404, 10008, "Unknown Message");
    };
    let (kind, msg) = match (method, is_original) {
        ("GET", _) => return ok(m.msg.clone()),
        ("PATCH", _) => {
            apply_edit(&mut m.msg, body);
            if let Some(dflags) = deferred {
                set(&mut m.msg, "flags", json!(dflags)); // placeholder filled: LOADING goes
            }
            let kind = if is_original {
                ResponseKind::EditOriginal
            } else {
                ResponseKind::EditFollowup
            };
            (kind, Some(m.msg.clone()))
        }
        ("DELETE", true) => (ResponseKind::DeleteOriginal, None),
        ("DELETE", false) => (ResponseKind::DeleteFollowup, None),
        _ => return err(405, 0, "405: Method Not Allowed"),
    };
    m.deleted = msg.is_none();
    let ephemeral = msg
        .as_ref()
        .is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & 64 != 0);
    let resp = response(ixid, kind, body, msg.as_ref(), ephemeral);
    if let Some(ix) = st.interactions.get_mut(&ixid) {
        ix.deferred_flags = ix.deferred_flags.filter(|_| !is_original);
        ix.responses.push(resp);
    }
    msg.map_or_else(no_content, ok)
}

fn scheduled_event_op(
    st: &mut State,
    method: &str,
    guild: u64,
    event: Option<u64>,
    body: &Value,
) -> Reply {
    if st.guild(guild).is_none() {
        return err(404, 10004, "Unknown Guild");
    }
    let new_id = st.next_id();
    let events = st.events.entry(guild).or_default();
    let index = event.map(|e| events.iter().position(|v| sf(&v["id"]) == Some(e)));
    let (name, ev) = match (method, index) {
        ("GET", None) => return ok(Value::Array(events.clone())),
        ("POST", None) => {
            if let Some(bad) = validate_event(body, true) {
                return bad;
            }
            // Discord's cap counts SCHEDULED and ACTIVE events only.
            let open = events
                .iter()
                .filter(|e| matches!(e["status"].as_u64(), Some(1 | 2)));
            if open.count() >= 100 {
                let msg = "Maximum number of uncompleted guild scheduled events reached (100)";
                return err(400, 30038, msg);
            }
            let mut ev = json!({
                "id": new_id.to_string(), "guild_id": guild.to_string(), "status": 1,
                "creator_id": BOT_USER_ID.to_string(), "creator": bot_user(), "entity_id": null,
                "channel_id": null, "description": null, "scheduled_end_time": null,
                "entity_metadata": null, "image": null,
            });
            merge_event(&mut ev, body);
            set(&mut ev, "status", json!(1)); // a new event is SCHEDULED whatever was sent
            events.push(ev.clone());
            ("GUILD_SCHEDULED_EVENT_CREATE", ev)
        }
        (_, Some(None)) => return err(404, 10070, "Unknown Guild Scheduled Event"),
        ("GET", Some(Some(i))) => return ok(events[i].clone()),
        ("DELETE", Some(Some(i))) => ("GUILD_SCHEDULED_EVENT_DELETE", events.remove(i)),
        ("PATCH", Some(Some(i))) => {
            // SCHEDULED -> ACTIVE | CANCELED, ACTIVE -> COMPLETED; the last two are final.
            let from = events[i]["status"].as_u64().unwrap_or(1);
            let to = body["status"].as_u64().unwrap_or(from);
            let legal = (to == from && from <= 2) || matches!((from, to), (1, 2) | (1, 4) | (2, 3));
            if !legal {
                return form_err(
                    "status",
                    "GUILD_SCHEDULED_EVENT_INVALID_STATUS",
                    "Invalid status",
                );
            }
            if let Some(bad) = validate_event(body, false) {
                return bad;
            }
            merge_event(&mut events[i], body);
            ("GUILD_SCHEDULED_EVENT_UPDATE", events[i].clone())
        }
        _ => return err(405, 0, "405: Method Not Allowed"),
    };
    // Discord sends these dispatches only with the GUILD_SCHEDULED_EVENTS intent.
    let intents = st
        .identifies
        .last()
        .and_then(|d| d["intents"].as_u64())
        .unwrap_or(0);
    if intents & (1 << 16) != 0 {
        dispatch(st, name, ev.clone());
    }
    if method == "DELETE" {
        no_content()
    } else {
        ok(ev)
    }
}

fn merge_event(ev: &mut Value, body: &Value) {
    let keys = [
        "name",
        "description",
        "scheduled_start_time",
        "scheduled_end_time",
        "privacy_level",
        "status",
        "entity_type",
        "entity_metadata",
        "channel_id",
        "image",
    ];
    for key in keys {
        if let Some(v) = body.get(key) {
            set(ev, key, v.clone());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Discord's limits, answered with its error shapes
// ---------------------------------------------------------------------------------------------

/// Collects broken rules; the first becomes the 50035 answer.
#[derive(Default)]
struct Checks(Vec<(String, &'static str, String)>);

impl Checks {
    fn fail(&mut self, path: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push((path.into(), code, message.into()));
    }
    /// Strings count characters, arrays count items.
    fn max(&mut self, path: impl Into<String>, v: &Value, max: usize) {
        if size(v) > max {
            self.fail(
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            );
        }
    }
    fn range(&mut self, path: impl Into<String>, v: &Value, min: usize, max: usize) {
        if !(min..=max).contains(&size(v)) {
            let msg = format!("Must be between {min} and {max} in length.");
            self.fail(path, "BASE_TYPE_BAD_LENGTH", msg);
        }
    }
    fn first(self) -> Option<Reply> {
        self.0
            .into_iter()
            .next()
            .map(|(path, code, msg)| form_err(&path, code, &msg))
    }
}

fn size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        _ => 0,
    }
}

fn validate_message(b: &Value, files: usize, creating: bool) -> Option<Reply> {
    let mut c = Checks::default();
    // Wrong JSON types first: what is stored must stay deserializable when echoed to serenity.
    let objects =
        |v: &Value| v.is_null() || v.as_array().is_some_and(|a| a.iter().all(Value::is_object));
    let bad_type = "MODEL_TYPE_CONVERT";
    if !b.is_object() {
        c.fail("", bad_type, "Only dictionaries may be used in a DictType");
    }
    for key in ["embeds", "components", "attachments"] {
        if !objects(&b[key]) {
            c.fail(key, bad_type, "Invalid value type");
        }
    }
    if !(b["content"].is_null() || b["content"].is_string()) {
        c.fail("content", bad_type, "Invalid value type");
    }
    if !(b["nonce"].is_null() || b["nonce"].is_string() || b["nonce"].is_u64()) {
        c.fail("nonce", bad_type, "Invalid value type");
    }
    c.max("content", &b["content"], 2000);
    c.max("nonce", &b["nonce"], 25);
    c.max("embeds", &b["embeds"], 10);
    let mut total = 0;
    for (i, e) in arr(&b["embeds"]).iter().enumerate() {
        c.max(format!("embeds.{i}.fields"), &e["fields"], 25);
        let mut texts = vec![
            ("title".to_string(), &e["title"], 256),
            ("description".to_string(), &e["description"], 4096),
            ("footer.text".to_string(), &e["footer"]["text"], 2048),
            ("author.name".to_string(), &e["author"]["name"], 256),
        ];
        for (j, f) in arr(&e["fields"]).iter().enumerate() {
            texts.push((format!("fields.{j}.name"), &f["name"], 256));
            texts.push((format!("fields.{j}.value"), &f["value"], 1024));
        }
        for (path, text, max) in texts {
            c.max(format!("embeds.{i}.{path}"), text, max);
            total += size(text);
        }
    }
    if total > 6000 {
        c.fail(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        );
    }
    c.max("components", &b["components"], 5);
    for (i, row) in arr(&b["components"]).iter().enumerate() {
        if row["type"] != 1 || !row["components"].is_array() || !objects(&row["components"]) {
            c.fail(
                format!("components.{i}"),
                bad_type,
                "Expected an action row",
            );
        }
        c.max(format!("components.{i}.components"), &row["components"], 5);
        for (j, comp) in arr(&row["components"]).iter().enumerate() {
            c.max(
                format!("components.{i}.components.{j}.custom_id"),
                &comp["custom_id"],
                100,
            );
        }
    }
    let stickers = size(&b["sticker_ids"]);
    let nothing = [&b["content"], &b["embeds"], &b["components"]]
        .iter()
        .all(|v| size(v) == 0);
    if c.0.is_empty() && creating && nothing && files == 0 && stickers == 0 && b["poll"].is_null() {
        return Some(err(400, 50006, "Cannot send an empty message"));
    }
    c.first()
}

fn validate_choices(d: &Value) -> Option<Reply> {
    let mut c = Checks::default();
    c.max("data.choices", &d["choices"], 25);
    for (i, choice) in arr(&d["choices"]).iter().enumerate() {
        c.range(format!("data.choices.{i}.name"), &choice["name"], 1, 100);
    }
    c.first()
}

fn validate_modal(d: &Value) -> Option<Reply> {
    let mut c = Checks::default();
    c.range("data.custom_id", &d["custom_id"], 1, 100);
    c.range("data.title", &d["title"], 1, 45);
    c.range("data.components", &d["components"], 1, 5);
    for (i, row) in arr(&d["components"]).iter().enumerate() {
        for (j, input) in arr(&row["components"]).iter().enumerate() {
            let p = format!("data.components.{i}.components.{j}");
            c.max(format!("{p}.label"), &input["label"], 45);
            c.max(format!("{p}.value"), &input["value"], 4000);
            if input["max_length"].as_u64().unwrap_or(0) > 4000 {
                c.fail(
                    format!("{p}.max_length"),
                    "NUMBER_TYPE_MAX",
                    "Must be at most 4000.",
                );
            }
        }
    }
    c.first()
}

fn validate_event(b: &Value, creating: bool) -> Option<Reply> {
    let mut c = Checks::default();
    if creating || !b["name"].is_null() {
        c.range("name", &b["name"], 1, 100);
    }
    c.max("description", &b["description"], 1000);
    if creating {
        let kind = b["entity_type"].as_u64();
        let needed = [
            ("scheduled_start_time", true),
            ("channel_id", matches!(kind, Some(1 | 2))),
            ("entity_metadata.location", kind == Some(3)),
            ("scheduled_end_time", kind == Some(3)),
        ];
        for (path, required) in needed {
            let value = b.pointer(&format!("/{}", path.replace('.', "/")));
            if required && value.is_none_or(Value::is_null) {
                c.fail(path, "BASE_TYPE_REQUIRED", "This field is required");
            }
        }
        if b["privacy_level"] != 2 {
            c.fail(
                "privacy_level",
                "BASE_TYPE_CHOICES",
                "Value must be one of {2}.",
            );
        }
        if !matches!(kind, Some(1..=3)) {
            c.fail(
                "entity_type",
                "BASE_TYPE_CHOICES",
                "Value must be one of {1, 2, 3}.",
            );
        }
    }
    c.first()
}

/// What Discord checks at registration, which a bot otherwise learns in production: names,
/// description lengths, locale keys, option counts, required options before optional ones.
fn validate_commands(cmds: &[Value]) -> Option<Reply> {
    if cmds.len() > 100 {
        return Some(err(
            400,
            30032,
            "Maximum number of application commands reached (100)",
        ));
    }
    let mut c = Checks::default();
    let mut seen = HashSet::new();
    for (i, cmd) in cmds.iter().enumerate() {
        let kind = cmd["type"].as_u64().unwrap_or(1);
        if !seen.insert((cmd["name"].to_string(), kind)) {
            c.fail(
                format!("{i}.name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                "Names must be unique",
            );
        }
        check_command(&mut c, &i.to_string(), cmd, kind == 1);
        if kind == 1 {
            check_nesting(&mut c, &i.to_string(), cmd, 0);
        }
    }
    c.first()
}

/// Discord's nesting: a command holds subcommand groups (type 2) and subcommands (type 1), or
/// plain options, never both; a group holds only subcommands; a subcommand only plain options.
fn check_nesting(c: &mut Checks, path: &str, v: &Value, depth: usize) {
    let options = arr(&v["options"]);
    let kind = |o: &Value| o["type"].as_u64().unwrap_or(0);
    let nested = options.iter().filter(|o| matches!(kind(o), 1 | 2)).count();
    let invalid = |c: &mut Checks, p: String| {
        c.fail(
            p,
            "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
            "Invalid nesting",
        )
    };
    let here = if depth == 0 { 0 } else { kind(v) };
    if nested > 0 && nested < options.len() {
        invalid(c, format!("{path}.options"));
    }
    for (j, o) in options.iter().enumerate() {
        let p = format!("{path}.options.{j}");
        match (here, kind(o)) {
            (0, 1 | 2) | (2, 1) => check_nesting(c, &p, o, depth + 1),
            (_, 1 | 2) => invalid(c, p),
            (2, _) => invalid(c, p),
            _ => {}
        }
    }
}

fn check_command(c: &mut Checks, path: &str, v: &Value, chat_input: bool) {
    let name_valid = |n: &Value| match chat_input {
        true => chat_name_ok(n.as_str().unwrap_or("")),
        false => (1..=32).contains(&size(n)),
    };
    if !name_valid(&v["name"]) {
        c.fail(
            format!("{path}.name"),
            "APPLICATION_COMMAND_INVALID_NAME",
            "Invalid name",
        );
    }
    if chat_input {
        c.range(format!("{path}.description"), &v["description"], 1, 100);
    }
    for key in ["name_localizations", "description_localizations"] {
        for (locale, text) in v[key].as_object().into_iter().flatten() {
            let p = format!("{path}.{key}.{locale}");
            if !LOCALES.contains(&locale.as_str()) {
                c.fail(&p, "LOCALE_INVALID", format!("Invalid locale \"{locale}\""));
            } else if key == "name_localizations" && !name_valid(text) {
                c.fail(&p, "APPLICATION_COMMAND_INVALID_NAME", "Invalid name");
            } else if key == "description_localizations" {
                c.range(&p, text, 1, 100);
            }
        }
    }
    if !chat_input {
        return;
    }
    c.max(format!("{path}.options"), &v["options"], 25);
    let mut optional_seen = false;
    for (j, o) in arr(&v["options"]).iter().enumerate() {
        let p = format!("{path}.options.{j}");
        check_command(c, &p, o, true);
        if matches!(o["type"].as_u64(), Some(1 | 2)) {
            continue;
        }
        let required = o["required"] == true;
        if required && optional_seen {
            let msg = "Required options must be placed before non-required options";
            c.fail(&p, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", msg);
        }
        optional_seen |= !required;
        c.max(format!("{p}.choices"), &o["choices"], 25);
    }
}

/// Discord: 1-32 of letters, digits, `-`, `_`, `'`, in lowercase where a lowercase exists.
fn chat_name_ok(s: &str) -> bool {
    let allowed = |c: char| c == '-' || c == '_' || c == '\'' || c.is_alphanumeric();
    (1..=32).contains(&s.chars().count()) && s.chars().all(|c| allowed(c) && !c.is_uppercase())
}

// ---------------------------------------------------------------------------------------------
// Payloads (shapes serenity 0.12.5 accepts; see the module docs before removing a field)
// ---------------------------------------------------------------------------------------------

fn user_json(id: u64, username: &str) -> Value {
    json!({"id": id.to_string(), "username": username, "global_name": null, "avatar": null, "bot": false})
}

fn bot_user() -> Value {
    let id = BOT_USER_ID.to_string();
    json!({"id": id, "username": BOT_USERNAME, "global_name": null, "avatar": null, "bot": true})
}

fn bot_member() -> Value {
    json!({"user": bot_user(), "nick": null, "roles": [], "joined_at": JOINED_AT, "deaf": false, "mute": false, "flags": 0})
}

fn member_json(m: &MemberSpec, with_permissions: bool) -> Value {
    let roles: Vec<String> = m.roles.iter().map(u64::to_string).collect();
    let mut v = json!({
        "user": user_json(m.user_id, &m.username), "nick": m.nick, "avatar": null, "roles": roles,
        "joined_at": JOINED_AT, "premium_since": null, "deaf": false, "mute": false, "flags": 0,
        "pending": false, "communication_disabled_until": null,
    });
    if with_permissions {
        set(&mut v, "permissions", json!(m.permissions.to_string()));
    }
    v
}

fn role_json(id: u64, name: &str, position: usize, permissions: u64) -> Value {
    json!({
        "id": id.to_string(), "name": name, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false, "position": position, "permissions": permissions.to_string(),
        "managed": false, "mentionable": false, "icon": null, "unicode_emoji": null, "flags": 0,
    })
}

fn channel_json(guild: u64, id: u64, name: &str, position: usize) -> Value {
    json!({
        "id": id.to_string(), "guild_id": guild.to_string(), "name": name, "type": 0,
        "position": position, "permission_overwrites": [], "nsfw": false, "topic": null,
        "last_message_id": null, "parent_id": null, "rate_limit_per_user": 0, "flags": 0,
    })
}

fn guild_json(g: &GuildSpec) -> Value {
    let mut roles = vec![];
    if !g.roles.iter().any(|(id, _)| *id == g.id) {
        roles.push(role_json(g.id, "@everyone", 0, MEMBER_PERMISSIONS));
    }
    roles.extend(
        g.roles
            .iter()
            .enumerate()
            .map(|(i, (id, name))| role_json(*id, name, i + 1, 0)),
    );
    let channels: Vec<Value> = g
        .channels
        .iter()
        .enumerate()
        .map(|(i, (c, name))| channel_json(g.id, *c, name, i))
        .collect();
    json!({
        "id": g.id.to_string(), "name": g.name, "icon": null, "owner_id": OWNER_ID.to_string(),
        "joined_at": JOINED_AT, "large": false, "unavailable": false, "member_count": 1,
        "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
        "mfa_level": 0, "nsfw_level": 0, "premium_tier": 0, "premium_progress_bar_enabled": false,
        "preferred_locale": g.preferred_locale, "system_channel_flags": 0, "features": [],
        "emojis": [], "stickers": [], "threads": [], "presences": [], "voice_states": [],
        "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
        // Without GUILD_MEMBERS/GUILD_PRESENCES Discord sends only the bot's own member.
        "members": [bot_member()], "channels": channels, "roles": roles,
    })
}

fn interaction_json(
    st: &State,
    (id, token, kind): (u64, &str, u8),
    (guild, channel): (u64, u64),
    m: &MemberSpec,
    data: Value,
    message: Option<&Value>,
) -> Value {
    let channel_name = st.channel(channel).map(|c| c["name"].clone());
    let guild_locale = st
        .guild(guild)
        .map_or("en-US", |g| g.preferred_locale.as_str());
    let (guild, channel) = (guild.to_string(), channel.to_string());
    let mut v = json!({
        "id": id.to_string(), "application_id": APP_ID.to_string(), "type": kind, "data": data,
        "guild_id": guild, "channel_id": channel, "member": member_json(m, true), "token": token,
        "channel": {"id": channel, "type": 0, "name": channel_name, "guild_id": guild,
                    "permissions": m.permissions.to_string()},
        "version": 1, "app_permissions": BOT_PERMISSIONS.to_string(), "locale": m.locale,
        "guild_locale": guild_locale, "entitlements": [], "context": 0,
        "authorizing_integration_owners": {"0": guild}, "attachment_size_limit": 26_214_400,
    });
    if let Some(msg) = message {
        set(&mut v, "message", msg.clone());
    }
    v
}

/// `data` of a command or autocomplete interaction: nested options plus `resolved`.
fn command_data(
    st: &mut State,
    guild: u64,
    member: &MemberSpec,
    path: &[&str],
    opts: &[Opt<'_>],
) -> Value {
    let root = path.first().copied().unwrap_or("");
    let registered = st.find_command(guild, root);
    let scope = registered.as_ref().map_or(Some(guild), |(s, _)| *s);
    let id = match registered.as_ref().and_then(|(_, c)| sf(&c["id"])) {
        Some(id) => id,
        None => st.command_id(scope, root, 1),
    };
    let mut defs = registered
        .map(|(_, c)| c["options"].clone())
        .unwrap_or(Value::Null);
    for p in path.iter().skip(1) {
        defs = by_name(&defs, p)
            .map(|o| o["options"].clone())
            .unwrap_or(Value::Null);
    }
    let declared = |name: &str| by_name(&defs, name).and_then(|d| d["type"].as_u64());
    let mut resolved = json!({});
    let mut leaf = vec![];
    for o in opts {
        let (name, kind, value) = match *o {
            Opt::Str(n, v) => (n, 3, json!(v)),
            Opt::Int(n, v) => (n, declared(n).filter(|t| *t == 10).unwrap_or(4), json!(v)),
            Opt::Num(n, v) => (n, 10, json!(v)),
            Opt::Bool(n, v) => (n, 5, json!(v)),
            Opt::Focused(n, v) => {
                let kind = declared(n).unwrap_or(3);
                leaf.push(json!({"name": n, "type": kind, "value": v, "focused": true}));
                continue;
            }
            Opt::Channel(n, c) => {
                let ch = st
                    .channel(c)
                    .unwrap_or_else(|| json!({"name": format!("channel-{c}"), "type": 0}));
                let partial = json!({
                    "id": c.to_string(), "name": ch["name"], "type": ch["type"], "parent_id": null,
                    "permissions": member.permissions.to_string(), "thread_metadata": null,
                });
                put(&mut resolved, "channels", c, partial);
                (n, 7, json!(c.to_string()))
            }
            Opt::Role(n, r) => {
                let known = st
                    .guild(guild)
                    .and_then(|g| g.roles.iter().find(|(id, _)| *id == r));
                let name = known.map_or_else(|| format!("role-{r}"), |(_, name)| name.clone());
                put(&mut resolved, "roles", r, role_json(r, &name, 1, 0));
                (n, 8, json!(r.to_string()))
            }
            Opt::User(n, u) => {
                let partial = match st.members.get(&(guild, u)) {
                    Some(m) => member_json(m, true),
                    None => json!({"roles": [], "joined_at": JOINED_AT, "nick": null, "flags": 0}),
                };
                put(&mut resolved, "users", u, st.user_json(u));
                put(&mut resolved, "members", u, partial);
                (n, 6, json!(u.to_string()))
            }
            // Discord uploads the file first; the option's value is the attachment's id.
            Opt::Attachment(n, filename, bytes) => {
                let mut a = keep_file(st, APP_ID, filename, bytes);
                set(&mut a, "ephemeral", json!(true));
                let id = sf(&a["id"]).unwrap_or(0);
                put(&mut resolved, "attachments", id, a);
                (n, 11, json!(id.to_string()))
            }
        };
        leaf.push(json!({"name": name, "type": kind, "value": value}));
    }
    // serenity requires `options` on every subcommand, even an empty one.
    let options = match path {
        [] | [_] => leaf,
        [_, sub] => vec![json!({"name": sub, "type": 1, "options": leaf})],
        [_, group, sub, ..] => {
            let inner = json!({"name": sub, "type": 1, "options": leaf});
            vec![json!({"name": group, "type": 2, "options": [inner]})]
        }
    };
    let guild_id = scope.map(|g| g.to_string());
    json!({"id": id.to_string(), "name": root, "type": 1, "options": options, "resolved": resolved, "guild_id": guild_id})
}

fn put(resolved: &mut Value, kind: &str, id: u64, v: Value) {
    if let Some(map) = resolved.as_object_mut() {
        let entry = map.entry(kind).or_insert_with(|| json!({}));
        set(entry, &id.to_string(), v);
    }
}

fn by_name<'v>(list: &'v Value, name: &str) -> Option<&'v Value> {
    arr(list).iter().find(|o| o["name"] == name)
}

fn find_component<'v>(rows: &'v Value, custom_id: &str) -> Option<&'v Value> {
    let mut all = arr(rows).iter().flat_map(|r| arr(&r["components"]));
    all.find(|c| c["custom_id"] == custom_id)
}

/// Stores and returns a message as Discord answers it, built from what the bot sent.
/// `interaction`: the interaction it answers (None for a plain channel message).
fn store_message(
    st: &mut State,
    channel: u64,
    guild: Option<u64>,
    body: &Value,
    files: &[FilePart],
    interaction: Option<u64>,
) -> Value {
    let attachments: Vec<Value> = files
        .iter()
        .map(|f| keep_file(st, channel, &f.filename, &f.bytes))
        .collect();
    let id = st.next_id();
    let mut m = json!({
        "id": id.to_string(), "channel_id": channel.to_string(), "author": bot_user(),
        "content": body["content"].as_str().unwrap_or(""), "timestamp": iso_now(),
        "edited_timestamp": null, "tts": body["tts"] == true, "mention_everyone": false,
        "mentions": [], "mention_roles": [], "attachments": attachments,
        "embeds": embeds(&body["embeds"]), "components": arr(&body["components"]),
        "pinned": false, "type": 0, "flags": body["flags"].as_u64().unwrap_or(0),
    });
    if !body["nonce"].is_null() {
        set(&mut m, "nonce", body["nonce"].clone());
    }
    if let Some(g) = guild {
        set(&mut m, "guild_id", json!(g.to_string()));
    }
    if interaction.is_some() {
        set(&mut m, "webhook_id", json!(APP_ID.to_string()));
        set(&mut m, "application_id", json!(APP_ID.to_string()));
    }
    let (msg, request) = (m.clone(), body.clone());
    let plain = interaction.is_none();
    st.messages.push(Stored {
        id,
        channel,
        plain,
        msg,
        request,
        deleted: false,
    });
    m
}

/// Keeps a file's bytes at a URL of the double (`folder`: the channel, or the application for a
/// file picked for a command); returns the attachment object Discord shows for it.
fn keep_file(st: &mut State, folder: u64, filename: &str, bytes: &[u8]) -> Value {
    let id = st.next_id();
    let url = format!("{}/attachments/{folder}/{id}/{filename}", st.base_url);
    st.files.insert(id, bytes.to_vec());
    json!({
        "id": id.to_string(), "filename": filename, "size": bytes.len(), "url": url,
        "proxy_url": url,
    })
}

fn embeds(v: &Value) -> Vec<Value> {
    let mut out = arr(v).to_vec();
    for e in out.iter_mut().filter(|e| e["type"].is_null()) {
        set(e, "type", json!("rich"));
    }
    out
}

fn apply_edit(msg: &mut Value, body: &Value) {
    if let Some(c) = body.get("content") {
        set(msg, "content", json!(c.as_str().unwrap_or("")));
    }
    if let Some(e) = body.get("embeds") {
        set(msg, "embeds", json!(embeds(e)));
    }
    if let Some(c) = body.get("components") {
        set(msg, "components", json!(arr(c)));
    }
    set(msg, "edited_timestamp", json!(iso_now()));
}

fn response(
    ix: u64,
    kind: ResponseKind,
    body: &Value,
    msg: Option<&Value>,
    ephemeral: bool,
) -> Response {
    let m = msg.unwrap_or(&Value::Null);
    Response {
        interaction_id: ix,
        kind,
        content: m["content"].as_str().map(str::to_string),
        embeds: arr(&m["embeds"]).to_vec(),
        components: arr(&m["components"]).to_vec(),
        ephemeral,
        body: body.clone(),
        message: msg.cloned(),
        at: Instant::now(),
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/// Sets a key on objects only: `v[key] = ..` would panic on anything else.
fn set(v: &mut Value, key: &str, val: Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.insert(key.to_string(), val);
    }
}

fn arr(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// A snowflake from a JSON string or number.
fn sf(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// JSON, or multipart/form-data: serenity sends `payload_json` plus `files[n]` with files.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<(Value, Vec<FilePart>), String> {
    if body.is_empty() {
        return Ok((Value::Null, vec![]));
    }
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = ctype
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="));
    let Some(boundary) = boundary.filter(|_| ctype.to_ascii_lowercase().starts_with("multipart/"))
    else {
        return serde_json::from_slice(body)
            .map(|v| (v, vec![]))
            .map_err(|e| e.to_string());
    };
    let delim = format!("--{}", boundary.trim_matches('"'));
    let (mut payload, mut files) = (Value::Object(Map::new()), vec![]);
    for part in split_bytes(body, delim.as_bytes()) {
        let Some(split) = find_bytes(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        if head.contains("name=\"payload_json\"") {
            payload = serde_json::from_slice(content).map_err(|e| e.to_string())?;
        } else if let Some(name) = head
            .split("filename=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
        {
            files.push(FilePart {
                filename: name.to_string(),
                bytes: content.to_vec(),
            });
        }
    }
    Ok((payload, files))
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len().max(1)).position(|w| w == needle)
}

fn split_bytes<'a>(mut hay: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut out = vec![];
    while let Some(i) = find_bytes(hay, needle) {
        out.push(&hay[..i]);
        hay = &hay[i + needle.len()..];
    }
    out.push(hay);
    out
}

/// Now as ISO-8601 with microseconds, the way Discord writes timestamps.
fn iso_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (secs, micros) = (d.as_secs(), d.subsec_micros());
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{micros:06}+00:00")
}
