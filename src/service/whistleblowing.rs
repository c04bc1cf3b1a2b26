//! The whistleblowing case pipeline: intake, anonymous follow-up and the handler workflow.
//!
//! Independent of Discord: an intake (the Discord modal today, a web form later) passes the
//! typed fields and gets a [`Receipt`]; the reporter comes back with code and secret. Handlers
//! are named by their Discord user id ([`HandlerId`]); they are not anonymous, reporters are.
//!
//! Nothing here logs content or ids. Argon2 work runs on the blocking pool.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use secrecy::SecretString;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Reply, Services};
use crate::config::{NotifyMode, WhistleblowingConfig};
use crate::domain::whistleblowing::display::has_link;
use crate::domain::whistleblowing::{
    self as wb, attempt_gate, check_access, create_handler_key, deadlines, encode_public_key,
    fingerprint, fingerprint_matches, open_case_key, parse_public_key, seal_case_key,
    unlock_handler_key, AccessDecision, Author, CaseCode, CaseContent, CaseKey, CaseStatus,
    EncryptedPrivateKey, FollowUp, Gate, HandlerSecret, HashParams, IntakeError, KdfParams,
    Message, Outcome, ReceiptSecret, Retention, StoredReceipt, TipForm, MAX_FAILED_ATTEMPTS,
};
use crate::error::{refuse, Error, Result};
use crate::i18n::{Arg, Msg};
use crate::msg;
use crate::scheduler::kinds::{JobKind, WbNotice, WbNoticePayload};
use crate::store::{CaseMeta, ExclusionStep, HandlerRecord, NewCase, NewJob, StoreError};

/// A handler: a Discord user id on the configuration's allow-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandlerId(pub u64);

/// What a reporter typed, raw. Validated by the domain ([`TipForm::validate`]).
#[derive(Clone, Default)]
pub struct Intake {
    pub what: String,
    pub when_where: String,
    pub who: String,
    pub evidence: Option<String>,
    pub contact: Option<String>,
    /// Handlers the reporter asks to keep off the case (as GlobaLeaks lets a reporter choose
    /// recipients). They get no key to it, and re-sealing never gives them one.
    pub exclude: Vec<u64>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Intake([redacted])")
    }
}

/// The reporter's receipt, shown once.
#[derive(Debug)]
pub struct Receipt {
    pub code: CaseCode,
    pub secret: ReceiptSecret,
}

impl Receipt {
    /// The one message that shows the receipt.
    pub fn reply(&self) -> Reply {
        Reply::private(vec![msg!(
            "wb-receipt",
            code = self.code.as_str(),
            secret = self.secret.expose_grouped().as_str()
        )])
    }
}

/// What the reporter sees after a successful follow-up. `Debug` prints no content.
pub struct ReporterView {
    pub code: String,
    pub status: CaseStatus,
    pub acknowledged: bool,
    /// Handler replies and the reporter's own additions, oldest first (day, author, text).
    pub messages: Vec<(NaiveDate, Author, String)>,
    /// The reporter added information with this follow-up.
    pub added: bool,
}

impl std::fmt::Debug for ReporterView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReporterView")
            .field("status", &self.status)
            .field("messages", &self.messages.len())
            .field("added", &self.added)
            .finish_non_exhaustive()
    }
}

impl ReporterView {
    pub fn reply(&self) -> Reply {
        let mut lines = vec![msg!(
            "wb-followup-status",
            code = self.code.as_str(),
            status = status_label(self.status)
        )];
        if self.added {
            lines.push(msg!("wb-followup-added"));
        }
        if self.messages.is_empty() {
            lines.push(msg!("wb-followup-no-messages"));
        }
        for (day, author, text) in &self.messages {
            lines.push(message_line(*day, *author, text));
        }
        Reply::private(lines)
    }
}

/// One message of the conversation, its text typed (it cannot forge our lines). A handler's
/// link is shown as plain text, with a warning to the reporter.
fn message_line(day: NaiveDate, author: Author, text: &str) -> Msg {
    let who = match author {
        Author::Reporter => msg!("wb-author-reporter"),
        Author::Handler => msg!("wb-author-handler"),
    };
    let line = msg!(
        "wb-message-line",
        date = day.to_string(),
        author = who,
        text = Arg::typed(text)
    );
    if author == Author::Handler && has_link(text) {
        msg!("wb-link-warning", line = line)
    } else {
        line
    }
}

pub fn status_label(s: CaseStatus) -> Msg {
    msg!("wb-status", status = s.as_str())
}

pub fn outcome_label(o: Outcome) -> Msg {
    msg!("wb-outcome", outcome = o.as_str())
}

/// An opaque per-process token for the per-user cooldown: a keyed hash of the user under a
/// random key made at start. It cannot be linked to a case (it is never stored) and means
/// nothing after a restart.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CooldownToken([u8; 32]);

impl std::fmt::Debug for CooldownToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CooldownToken([redacted])")
    }
}

/// Wrong handler passphrases tolerated before that handler is made to wait.
const PASSPHRASE_TRIES: u32 = 3;
/// How long a handler waits after [`PASSPHRASE_TRIES`] wrong passphrases in a row.
const PASSPHRASE_WAIT_MINUTES: i64 = 15;
/// Longest passphrase looked at; a longer one is a wrong one, refused without Argon2 work.
const MAX_PASSPHRASE_BYTES: usize = 1024;
/// Over the hourly limit, reports are still kept (flagged) up to this many times the limit, so
/// two accounts cannot silence everyone; beyond it they are refused (the disk is finite).
const FLAGGED_FACTOR: u32 = 10;

/// In-memory state and parameters of the intake. Never persisted.
pub struct WbRuntime {
    pub hash_params: HashParams,
    pub kdf_params: KdfParams,
    limiter: DefaultDirectRateLimiter,
    hard_limiter: DefaultDirectRateLimiter,
    /// Argon2 work in flight, at most one per core: a flood of attempts waits here instead of
    /// taking all memory and every blocking thread.
    argon2: tokio::sync::Semaphore,
    cooldown_key: [u8; 32],
    cooldown: StdDuration,
    followup_cooldown: StdDuration,
    recent: Mutex<HashMap<CooldownToken, Instant>>,
    recent_followups: Mutex<HashMap<CooldownToken, Instant>>,
    /// Wrong passphrases per handler: (count in a row, when the last was).
    passphrase_failures: Mutex<HashMap<u64, (u32, DateTime<Utc>)>>,
    /// Reporter secrets checked against a stored hash since start (not dummy work).
    hash_checks: std::sync::atomic::AtomicU64,
}

impl WbRuntime {
    pub fn new(config: &WhistleblowingConfig) -> Self {
        Self::with_params(config, HashParams::default(), KdfParams::default())
    }

    pub fn with_params(config: &WhistleblowingConfig, hash: HashParams, kdf: KdfParams) -> Self {
        let per_hour = NonZeroU32::new(config.max_new_cases_per_hour).unwrap_or(NonZeroU32::MIN);
        let hard =
            per_hour.saturating_mul(NonZeroU32::new(FLAGGED_FACTOR).unwrap_or(NonZeroU32::MIN));
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let mut cooldown_key = [0u8; 32];
        OsRng.fill_bytes(&mut cooldown_key);
        Self {
            hash_params: hash,
            kdf_params: kdf,
            limiter: RateLimiter::direct(Quota::per_hour(per_hour)),
            hard_limiter: RateLimiter::direct(Quota::per_hour(hard)),
            argon2: tokio::sync::Semaphore::new(cores),
            cooldown_key,
            cooldown: StdDuration::from_secs(u64::from(config.user_cooldown_seconds)),
            followup_cooldown: StdDuration::from_secs(u64::from(config.followup_cooldown_seconds)),
            recent: Mutex::new(HashMap::new()),
            recent_followups: Mutex::new(HashMap::new()),
            passphrase_failures: Mutex::new(HashMap::new()),
            hash_checks: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// How many reporter secrets were checked against a stored hash since start: what a guesser
    /// actually got to try (the limit's measure).
    pub fn hash_checks(&self) -> u64 {
        self.hash_checks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The cooldown token of raw identity bytes (e.g. a Discord user id), in memory only.
    pub fn cooldown_token(&self, identity: &[u8]) -> CooldownToken {
        let mut h = Sha256::new();
        h.update(self.cooldown_key);
        h.update(identity);
        CooldownToken(h.finalize().into())
    }

    /// True (and remembered) if this token may submit now.
    fn pass_cooldown(&self, token: CooldownToken) -> bool {
        pass(&self.recent, self.cooldown, token)
    }

    fn forget(&self, token: CooldownToken) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.remove(&token);
    }

    /// Runs Argon2 work on the blocking pool, at most one per core at a time.
    async fn argon2<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let _permit = self
            .argon2
            .acquire()
            .await
            .map_err(|_| internal("argon2 semaphore closed"))?;
        blocking(f).await
    }

    /// Whether the handler must wait before trying a passphrase again.
    fn passphrase_throttled(&self, handler: u64, now: DateTime<Utc>) -> bool {
        let failures = self
            .passphrase_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        failures.get(&handler).is_some_and(|(n, last)| {
            *n >= PASSPHRASE_TRIES && now < *last + Duration::minutes(PASSPHRASE_WAIT_MINUTES)
        })
    }

    fn passphrase_result(&self, handler: u64, ok: bool, now: DateTime<Utc>) {
        let mut failures = self
            .passphrase_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if ok {
            failures.remove(&handler);
        } else {
            let e = failures.entry(handler).or_insert((0, now));
            *e = (e.0.saturating_add(1), now);
        }
    }
}

/// True (and remembered) if `token` has not passed within `cooldown`.
fn pass(
    map: &Mutex<HashMap<CooldownToken, Instant>>,
    cooldown: StdDuration,
    token: CooldownToken,
) -> bool {
    if cooldown.is_zero() {
        return true;
    }
    let mut recent = map.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    recent.retain(|_, at| now.duration_since(*at) < cooldown);
    if recent.contains_key(&token) {
        return false;
    }
    recent.insert(token, now);
    true
}

/// The one answer for an unknown case, a wrong secret and a locked case.
fn denied() -> Error {
    refuse(msg!("wb-access-denied"))
}

/// The one answer to a handler for a case that does not exist or is not theirs.
fn no_case() -> Error {
    refuse(msg!("wb-case-unknown"))
}

fn intake_refusal(e: IntakeError) -> Error {
    let field = msg!("wb-field", field = e.field().as_str());
    match e {
        IntakeError::Missing(_) => refuse(msg!("wb-field-missing", field = field)),
        IntakeError::TooLong(f) => refuse(msg!(
            "wb-field-too-long",
            field = field,
            max = f.max_chars()
        )),
        IntakeError::ControlCharacters(_) | IntakeError::Unreadable(_) => {
            refuse(msg!("wb-field-unreadable", field = field))
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("blocking task failed: {e}")))
}

fn internal(what: &'static str) -> Error {
    Error::Internal(anyhow::anyhow!(what))
}

/// Which content-free notice to post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    NewReport,
    NewFollowUp,
    /// Reports came in over the hourly limit today (kept, flagged).
    Flagged,
    /// A handler asked that another be excluded from a case; a second handler must approve.
    ExclusionRequested,
    /// A handler was excluded from a case.
    Excluded,
    /// Cases that no current handler can open (counts only).
    Unreadable {
        cases: usize,
        recoverable: usize,
    },
}

impl Services {
    fn wb_config(&self) -> &WhistleblowingConfig {
        &self.config.whistleblowing
    }

    fn retention(&self) -> Retention {
        Retention::from_days(self.wb_config().retention_days).unwrap_or(Retention::MAX)
    }

    /// Today in the configured time zone (reporter actions are recorded per day).
    pub fn wb_today(&self) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&self.config.default_time_zone())
            .date_naive()
    }

    /// A new case from an intake. `cooldown` is the adapter's per-user token, if it has one.
    ///
    /// Over the hourly limit the report is still kept, flagged, and the handlers are told
    /// (content-free): two accounts flooding the intake cannot silence everyone else. Only far
    /// over it (see `FLAGGED_FACTOR`) is a report refused.
    pub async fn wb_submit(
        &self,
        form: &Intake,
        cooldown: Option<CooldownToken>,
    ) -> Result<Receipt> {
        let tip = TipForm::validate(
            &form.what,
            &form.when_where,
            &form.who,
            form.evidence.as_deref(),
            form.contact.as_deref(),
        )
        .map_err(intake_refusal)?;
        let all = self.wb_current_handlers().await?;
        if all.is_empty() {
            return Err(refuse(msg!("wb-no-handlers")));
        }
        // Only handlers are remembered as excluded: any other id the reporter sent means
        // nothing here and is not stored.
        let allowed = self.wb_config().handler_ids();
        let excluded: Vec<u64> = form
            .exclude
            .iter()
            .copied()
            .filter(|id| allowed.contains(id))
            .collect();
        let handlers: Vec<_> = all
            .into_iter()
            .filter(|(id, _)| !excluded.contains(id))
            .collect();
        if handlers.is_empty() {
            return Err(refuse(msg!("wb-exclude-all")));
        }
        if let Some(t) = cooldown {
            if !self.wb.pass_cooldown(t) {
                return Err(refuse(msg!("wb-slow-down")));
            }
        }
        let flagged = self.wb.limiter.check().is_err();
        if flagged && self.wb.hard_limiter.check().is_err() {
            if let Some(t) = cooldown {
                self.wb.forget(t);
            }
            return Err(refuse(msg!("wb-slow-down")));
        }
        let recovery = self.wb_recovery_key()?;
        let params = self.wb.hash_params;
        let (secret, phc, reporter) = self
            .wb
            .argon2(move || {
                let secret = ReceiptSecret::generate(&mut OsRng);
                let phc = wb::hash_secret(&secret, params);
                let pass = SecretString::from(secret.expose_canonical().to_owned());
                let reporter = create_handler_key(&pass, reporter_kdf(params));
                (secret, phc, reporter)
            })
            .await?;
        let reporter = reporter.map_err(|_| internal("reporter key"))?;
        let today = self.wb_today();
        let mut notices: Vec<NewJob> = self.wb_notice_job(Notice::NewReport).into_iter().collect();
        if flagged {
            notices.extend(self.wb_notice_job(Notice::Flagged));
        }
        // A code collision (40 random bits) is retried with a fresh code.
        for _ in 0..5 {
            let code = CaseCode::generate(&mut OsRng);
            let key = CaseKey::generate();
            let content = CaseContent { form: tip.clone() }.seal(&key, &code);
            let keys = handlers
                .iter()
                .map(|(id, pk)| (*id, seal_case_key(&key, pk)))
                .collect();
            let reporter_sealed = seal_case_key(&key, &reporter.public);
            let recovery_sealed = recovery.as_ref().map(|pk| seal_case_key(&key, pk));
            drop(key);
            let new = NewCase {
                code: code.as_str().to_string(),
                received_on: today,
                receipt_phc: phc.clone(),
                content,
                reporter_private: reporter.encrypted_private.to_string(),
                reporter_sealed,
                keys,
                recovery_sealed,
                excluded: excluded.clone(),
                flagged,
                notices: notices.clone(),
                notices_created: self.wb_day_start(),
            };
            match self.store.wb_create_case(&new).await {
                Ok(_) => {
                    if !notices.is_empty() {
                        self.wake.notify();
                    }
                    return Ok(Receipt { code, secret });
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(internal("no free case code"))
    }

    /// The operator's recovery public key from the configuration, if set.
    fn wb_recovery_key(&self) -> Result<Option<wb::PublicKey>> {
        self.wb_config()
            .recovery_public_key
            .as_deref()
            .map(|k| parse_public_key(k).map_err(|_| internal("recovery public key")))
            .transpose()
    }

    /// Allow-listed handlers with a registered key that matches their pinned fingerprint: the
    /// ones a case key may be sealed to. A key that does not match (swapped in the database) or
    /// has no pin is refused, and said so in the log (handler ids are not secret).
    async fn wb_current_handlers(&self) -> Result<Vec<(u64, wb::PublicKey)>> {
        let allowed = self.wb_config().handler_ids();
        let mut out = Vec::new();
        for h in self.store.wb_handlers().await? {
            if !allowed.contains(&h.user_id) {
                continue;
            }
            let Ok(pk) = parse_public_key(&h.public_key) else {
                tracing::error!(
                    handler = h.user_id,
                    "stored handler key is malformed; not used"
                );
                continue;
            };
            match self.wb_config().fingerprint(h.user_id) {
                Some(pin) if fingerprint_matches(&pk, pin) => out.push((h.user_id, pk)),
                Some(_) => tracing::error!(
                    handler = h.user_id,
                    "stored handler key does not match its pinned fingerprint; nothing is sealed to it"
                ),
                None => tracing::warn!(
                    handler = h.user_id,
                    "handler has no pinned fingerprint (whistleblowing.fingerprints); nothing is sealed to them"
                ),
            }
        }
        Ok(out)
    }

    /// The reporter's follow-up: code and secret; optionally new information. An unknown
    /// code, a wrong or malformed secret and a locked case give the same refusal after the same
    /// Argon2 work. Each attempt on a case is counted before any Argon2 work (one conditional
    /// statement), so parallel guesses cannot check more secrets than the limit; a lock lasts
    /// days (a backoff), and handlers can lift it.
    pub async fn wb_followup(
        &self,
        code: &str,
        secret: &str,
        addition: Option<&str>,
        cooldown: Option<CooldownToken>,
    ) -> Result<ReporterView> {
        if let Some(t) = cooldown {
            if !pass(&self.wb.recent_followups, self.wb.followup_cooldown, t) {
                return Err(refuse(msg!("wb-followup-slow-down")));
            }
        }
        let addition = match addition.map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => Some(FollowUp::validate(a).map_err(intake_refusal)?),
            None => None,
        };
        let params = self.wb.hash_params;
        let secret = match ReceiptSecret::parse(secret) {
            Ok(s) => s,
            Err(_) => {
                self.wb
                    .argon2(move || {
                        wb::dummy_verify(&ReceiptSecret::generate(&mut OsRng), params);
                    })
                    .await?;
                return Err(denied());
            }
        };
        let meta = match CaseCode::parse(code) {
            Ok(c) => self.store.wb_case(c.as_str()).await?,
            Err(_) => None,
        };
        let today = self.wb_today();
        let (gate, taken) = match &meta {
            Some(m) => {
                let (taken, locked) = self
                    .store
                    .wb_take_attempt(m.id, today, MAX_FAILED_ATTEMPTS)
                    .await?;
                (attempt_gate(taken, locked), taken)
            }
            None => (Gate::Refuse { lock: false }, 0),
        };
        let phc = match (&meta, gate) {
            (Some(m), Gate::Check) => {
                self.wb
                    .hash_checks
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some(self.store.wb_receipt(m.id).await?)
            }
            _ => None,
        };
        let (decision, secret) = self
            .wb
            .argon2(move || {
                let stored = phc.as_deref().map(|phc| StoredReceipt {
                    phc,
                    failed_attempts: 0,
                });
                (check_access(stored, &secret, params), secret)
            })
            .await?;
        let meta = match (decision, meta) {
            (AccessDecision::Granted, Some(m)) => m,
            (AccessDecision::Denied { .. }, Some(m)) => {
                let lock = match gate {
                    Gate::Refuse { lock } => lock,
                    Gate::Check => taken >= MAX_FAILED_ATTEMPTS,
                };
                if lock {
                    let until = today + Duration::days(i64::from(wb::lock_days(m.lockouts)));
                    self.store.wb_lock(m.id, until).await?;
                }
                return Err(denied());
            }
            _ => return Err(denied()),
        };
        self.store.wb_attempt_succeeded(meta.id, taken).await?;
        let (private, sealed) = self.store.wb_reporter_key(meta.id).await?;
        let key = self
            .wb
            .argon2(move || -> Option<CaseKey> {
                let enc: EncryptedPrivateKey = private.parse().ok()?;
                let pass = SecretString::from(secret.expose_canonical().to_owned());
                let s = unlock_handler_key(&enc, &pass).ok()?;
                open_case_key(&sealed, &s).ok()
            })
            .await?
            .ok_or_else(|| internal("reporter key does not open"))?;
        let code = CaseCode::parse(&meta.code).map_err(|_| internal("stored code"))?;
        let mut added = false;
        if let Some(a) = addition {
            let message = Message::new(Author::Reporter, a);
            let seq = self
                .store
                .wb_add_message(meta.id, today, |seq| message.seal(&key, &code, seq))
                .await?;
            if seq.is_none() {
                return Err(refuse(msg!("wb-case-closed")));
            }
            added = true;
            // The addition is stored: a notice that cannot be enqueued must not turn that into
            // an error for the reporter (they would send it again).
            if self.wb_notify(Notice::NewFollowUp).await.is_err() {
                tracing::warn!("whistleblowing: the follow-up notice could not be enqueued");
            }
        }
        let messages = self.wb_open_messages(meta.id, &key, &code).await?;
        Ok(ReporterView {
            code: meta.code.clone(),
            status: meta.status,
            acknowledged: meta.dates.acknowledged.is_some(),
            messages,
            added,
        })
    }

    async fn wb_open_messages(
        &self,
        case_id: i64,
        key: &CaseKey,
        code: &CaseCode,
    ) -> Result<Vec<(NaiveDate, Author, String)>> {
        let mut out = Vec::new();
        for m in self.store.wb_messages(case_id).await? {
            let opened = Message::open(&m.body, key, code, m.seq)
                .map_err(|_| internal("message does not open"))?;
            out.push((m.sent_on, opened.author, opened.body.clone()));
        }
        Ok(out)
    }

    // -- notices ---------------------------------------------------------------------------

    /// Enqueues a fixed, content-free notice to the handler channel (see
    /// [`Services::wb_notice_job`]).
    pub async fn wb_notify(&self, notice: Notice) -> Result<()> {
        let Some(job) = self.wb_notice_job(notice) else {
            return Ok(());
        };
        self.store.enqueue(&job, self.wb_day_start()).await?;
        self.wake.notify();
        Ok(())
    }

    /// The start of today (UTC): the creation time recorded for jobs a reporter's action made,
    /// which are kept at day resolution only.
    fn wb_day_start(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        now.date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc())
    }

    /// The job of a fixed, content-free notice, or `None` without a handler channel. Reporter
    /// events go out after a random delay or folded into the next daily digest (the default);
    /// handler events (exclusions) at once. Nothing about the case is in the job.
    pub fn wb_notice_job(&self, notice: Notice) -> Option<NewJob> {
        self.wb_config().handler_channel?;
        let now = self.clock.now();
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let (name, details) = match notice {
            Notice::NewReport => ("new_report", json!({})),
            Notice::NewFollowUp => ("new_followup", json!({})),
            Notice::Flagged => ("flagged", json!({})),
            Notice::ExclusionRequested => ("exclusion_requested", json!({})),
            Notice::Excluded => ("excluded", json!({})),
            Notice::Unreadable { cases, recoverable } => (
                "unreadable",
                json!({ "cases": cases, "recoverable": recoverable }),
            ),
        };
        let details = details.as_object().cloned().unwrap_or_default();
        let random = format!("notice:{}", hex::encode(nonce));
        let job = match notice {
            Notice::ExclusionRequested | Notice::Excluded => {
                notice_job(&random, name, details, now)
            }
            Notice::Unreadable { .. } => notice_job(
                &format!("unreadable:{}", self.wb_today()),
                name,
                details,
                now,
            ),
            Notice::Flagged => notice_job(
                &format!("flagged:{}", self.wb_today()),
                name,
                details,
                self.wb_next_local(now),
            ),
            Notice::NewReport | Notice::NewFollowUp => match self.wb_config().notify {
                NotifyMode::Delayed => {
                    let (lo, hi) = (
                        self.wb_config().notify_delay_min_minutes,
                        self.wb_config().notify_delay_max_minutes,
                    );
                    // Uniform over the whole window, to the second.
                    let seconds = rand::thread_rng()
                        .gen_range(i64::from(lo) * 60..=i64::from(hi.max(lo)) * 60);
                    notice_job(&random, name, details, now + Duration::seconds(seconds))
                }
                // The digest says only that something arrived: one job per digest time.
                NotifyMode::Digest => {
                    let at = self.wb_next_local(now);
                    let rest = format!("digest:{}", at.timestamp());
                    notice_job(&rest, "digest", serde_json::Map::new(), at)
                }
            },
        };
        Some(job)
    }

    /// The next `digest_time` in the configured zone strictly after `now`.
    pub fn wb_next_local(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let tz = self.config.default_time_zone();
        let at = self.wb_config().digest_at();
        let mut day = now.with_timezone(&tz).date_naive();
        for _ in 0..3 {
            if let Some(t) = tz.from_local_datetime(&day.and_time(at)).earliest() {
                let t = t.with_timezone(&Utc);
                if t > now {
                    return t;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        now + Duration::days(1)
    }

    /// The message of a notice job's payload (shown in the default language).
    pub fn wb_notice_msg(&self, payload: &serde_json::Value) -> Msg {
        match payload["notice"].as_str().unwrap_or("") {
            "new_report" => msg!("wb-notice-new-report"),
            "new_followup" => msg!("wb-notice-new-followup"),
            "digest" => msg!("wb-notice-digest"),
            "flagged" => msg!("wb-notice-flagged"),
            "exclusion_requested" => msg!("wb-notice-exclusion-requested"),
            "excluded" => msg!("wb-notice-excluded"),
            "unreadable" => msg!(
                "wb-notice-unreadable",
                cases = payload["cases"].as_u64().unwrap_or(0) as usize,
                recoverable = payload["recoverable"].as_u64().unwrap_or(0) as usize
            ),
            "reminder" => msg!(
                "wb-notice-reminder",
                kind = payload["reminder"].as_str().unwrap_or("").to_string()
            ),
            _ => msg!("wb-notice-digest"),
        }
    }

    /// The daily run (also once at start): enqueue due deadline reminders (content-free, each
    /// once), purge closed cases past retention, and report cases no current handler can open.
    /// Returns (reminders enqueued, cases purged).
    pub async fn wb_daily(&self) -> Result<(usize, usize)> {
        let today = self.wb_today();
        let retention = self.retention();
        let now = self.clock.now();
        let mut reminders = 0;
        let mut purged = 0;
        for case in self.store.wb_all_cases().await? {
            if let Some(closed) = case.dates.closed {
                if wb::is_purge_due(closed, retention, today) {
                    self.store.wb_purge(case.id).await?;
                    purged += 1;
                    continue;
                }
            }
            if self.wb_config().handler_channel.is_none() {
                continue;
            }
            for r in wb::reminders_due(&case.dates, retention, today) {
                let mut details = serde_json::Map::new();
                details.insert("reminder".into(), r.kind.as_str().into());
                let job = notice_job(
                    &format!("reminder:{}:{}", case.id, r.key()),
                    "reminder",
                    details,
                    now,
                );
                if self.store.enqueue(&job, now).await? {
                    reminders += 1;
                }
            }
        }
        if purged > 0 {
            self.store.wb_compact().await?;
        }
        let (cases, recoverable) = self.wb_unreadable().await?;
        if cases > 0 {
            tracing::warn!(
                cases,
                recoverable,
                "whistleblowing cases that no current handler can open (see README: recovery)"
            );
            if let Some(job) = self.wb_notice_job(Notice::Unreadable { cases, recoverable }) {
                self.store.enqueue(&job, now).await?;
                reminders += 1;
            }
        }
        if reminders > 0 {
            self.wake.notify();
        }
        Ok((reminders, purged))
    }

    /// Cases that no allow-listed handler with a pinned key holds a key to, and how many of
    /// them the operator's recovery key can still open.
    pub async fn wb_unreadable(&self) -> Result<(usize, usize)> {
        let current: Vec<u64> = self
            .wb_current_handlers()
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let holders = self.store.wb_key_holders().await?;
        let mut cases = 0;
        let mut recoverable = 0;
        for case in self.store.wb_all_cases().await? {
            let readable = holders
                .iter()
                .any(|(c, h)| *c == case.id && current.contains(h));
            if !readable {
                cases += 1;
                if case.has_recovery {
                    recoverable += 1;
                }
            }
        }
        Ok((cases, recoverable))
    }

    // -- handlers ----------------------------------------------------------------------------

    /// Creates and stores a handler's key pair (`samverkan handler add`). Returns the key's
    /// fingerprint, to pin in `whistleblowing.fingerprints`.
    pub async fn wb_register_handler(&self, user: u64, passphrase: SecretString) -> Result<String> {
        let params = self.wb.kdf_params;
        let key = blocking(move || create_handler_key(&passphrase, params))
            .await?
            .map_err(|e| match e {
                wb::CryptoError::PassphraseTooShort => refuse(msg!("wb-passphrase-too-short")),
                _ => internal("could not create a handler key"),
            })?;
        let rec = HandlerRecord {
            user_id: user,
            public_key: encode_public_key(&key.public),
            encrypted_private: key.encrypted_private.to_string(),
        };
        match self.store.wb_add_handler(&rec, self.now_ms()).await {
            Ok(()) => Ok(fingerprint(&key.public)),
            Err(StoreError::Conflict(_)) => Err(refuse(msg!("wb-handler-exists"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Every registered handler with the fingerprint of the key stored for them
    /// (`samverkan handler list`).
    pub async fn wb_handler_fingerprints(&self) -> Result<Vec<(u64, String)>> {
        let mut out = Vec::new();
        for h in self.store.wb_handlers().await? {
            let fp = parse_public_key(&h.public_key)
                .map(|pk| fingerprint(&pk))
                .unwrap_or_else(|_| "malformed key".to_string());
            out.push((h.user_id, fp));
        }
        Ok(out)
    }

    /// The operator's recovery: opens every case's recovery copy with the offline recovery
    /// secret and seals the case key to `user` (who must be allow-listed with a pinned key).
    /// Exclusions hold. Audited on each case. Returns how many cases `user` got.
    pub async fn wb_recover(&self, recovery_hex: SecretString, user: u64) -> Result<usize> {
        use secrecy::ExposeSecret;
        let secret = HandlerSecret::from_hex(recovery_hex.expose_secret())
            .map_err(|_| refuse(msg!("wb-recovery-key-invalid")))?;
        let Some(pinned) = self.wb_recovery_key()? else {
            return Err(refuse(msg!("wb-recovery-not-configured")));
        };
        if encode_public_key(&secret.public_key()) != encode_public_key(&pinned) {
            return Err(refuse(msg!("wb-recovery-key-invalid")));
        }
        let Some((_, pk)) = self
            .wb_current_handlers()
            .await?
            .into_iter()
            .find(|(id, _)| *id == user)
        else {
            return Err(refuse(msg!("wb-recovery-no-handler")));
        };
        let mut n = 0;
        for case in self.store.wb_all_cases().await? {
            let Some(sealed) = self.store.wb_recovery_sealed(case.id).await? else {
                continue;
            };
            let Ok(key) = open_case_key(&sealed, &secret) else {
                continue;
            };
            if self
                .store
                .wb_add_keys(case.id, &[(user, seal_case_key(&key, &pk))])
                .await?
                > 0
            {
                self.store
                    .wb_audit(case.id, user, "recovered", self.now_ms())
                    .await?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Refuses anyone not on the configuration's allow-list, whatever their roles.
    fn wb_require_handler(&self, h: HandlerId) -> Result<()> {
        if self.wb_config().is_handler(h.0) {
            Ok(())
        } else {
            Err(refuse(msg!("wb-not-handler")))
        }
    }

    /// A case the handler holds a key to; anything else is "unknown case".
    async fn wb_handler_case(&self, h: HandlerId, code: &str) -> Result<CaseMeta> {
        self.wb_require_handler(h)?;
        let code = CaseCode::parse(code).map_err(|_| no_case())?;
        let meta = self
            .store
            .wb_case(code.as_str())
            .await?
            .ok_or_else(no_case)?;
        if self.store.wb_sealed_key(meta.id, h.0).await?.is_none() {
            return Err(no_case());
        }
        Ok(meta)
    }

    /// Unlocks the handler's key with the passphrase and opens the case key; then seals it to
    /// every other current handler who lacks it and is not excluded (continuity: a handler
    /// added later gets the case at the next unlock by anyone), and to the recovery key.
    ///
    /// Wrong passphrases are audited on the case and, after a few in a row, the handler waits.
    async fn wb_unlock(&self, h: HandlerId, case_id: i64, pass: SecretString) -> Result<CaseKey> {
        use secrecy::ExposeSecret;
        let now = self.clock.now();
        if self.wb.passphrase_throttled(h.0, now) {
            return Err(refuse(msg!(
                "wb-passphrase-wait",
                minutes = PASSPHRASE_WAIT_MINUTES
            )));
        }
        let rec = self
            .store
            .wb_handler(h.0)
            .await?
            .ok_or_else(|| refuse(msg!("wb-handler-no-key")))?;
        let sealed = self
            .store
            .wb_sealed_key(case_id, h.0)
            .await?
            .ok_or_else(no_case)?;
        let enc: EncryptedPrivateKey = rec
            .encrypted_private
            .parse()
            .map_err(|_| internal("stored handler key"))?;
        let secret = if pass.expose_secret().len() > MAX_PASSPHRASE_BYTES {
            None
        } else {
            self.wb
                .argon2(move || unlock_handler_key(&enc, &pass).ok())
                .await?
        };
        self.wb.passphrase_result(h.0, secret.is_some(), now);
        let Some(secret) = secret else {
            self.store
                .wb_audit(case_id, h.0, "wrong_passphrase", self.now_ms())
                .await?;
            return Err(refuse(msg!("wb-wrong-passphrase")));
        };
        let key = open_case_key(&sealed, &secret).map_err(|_| no_case())?;
        self.wb_reseal(case_id, &key).await?;
        Ok(key)
    }

    /// Seals an open case key to current handlers who lack it (the store skips excluded ones)
    /// and to the recovery key if the case has no copy for it yet.
    async fn wb_reseal(&self, case_id: i64, key: &CaseKey) -> Result<()> {
        let holders = self.store.wb_case_handlers(case_id).await?;
        let missing: Vec<(u64, Vec<u8>)> = self
            .wb_current_handlers()
            .await?
            .into_iter()
            .filter(|(id, _)| !holders.contains(id))
            .map(|(id, pk)| (id, seal_case_key(key, &pk)))
            .collect();
        self.store.wb_add_keys(case_id, &missing).await?;
        if let Some(pk) = self.wb_recovery_key()? {
            if self.store.wb_recovery_sealed(case_id).await?.is_none() {
                self.store
                    .wb_set_recovery(case_id, &seal_case_key(key, &pk))
                    .await?;
            }
        }
        Ok(())
    }

    /// `/case list`: code, status and deadlines of the handler's cases; no content. Open cases
    /// first, the most urgent deadline first; locked and flagged cases are marked.
    pub async fn wb_list(&self, h: HandlerId) -> Result<Reply> {
        self.wb_require_handler(h)?;
        let cases = self.store.wb_cases_for(h.0).await?;
        if cases.is_empty() {
            return Ok(Reply::private(vec![msg!("wb-list-empty")]));
        }
        let today = self.wb_today();
        let retention = self.retention();
        let mut rows: Vec<_> = cases
            .into_iter()
            .map(|c| {
                let d = deadlines(&c.dates, retention, today);
                (c, d)
            })
            .collect();
        // Open before closed; then by the next deadline (none last); then oldest first.
        rows.sort_by_key(|(c, d)| {
            (
                c.status.is_final(),
                d.next().map_or(NaiveDate::MAX, |n| n.due),
                c.dates.received,
                c.id,
            )
        });
        let mut lines = vec![msg!("wb-list-header", count = rows.len())];
        for (c, d) in rows {
            let next = match d.next() {
                Some(n) => msg!(
                    "wb-deadline",
                    kind = n.kind.as_str(),
                    due = n.due.to_string(),
                    overdue = if n.overdue { "yes" } else { "no" }
                ),
                None => msg!("wb-deadline-none"),
            };
            lines.push(msg!(
                "wb-list-line",
                code = c.code.as_str(),
                status = status_label(c.status),
                received = c.dates.received.to_string(),
                next = next,
                overdue = if d.any_overdue() { "yes" } else { "no" }
            ));
            if c.locked_until.is_some_and(|until| until > today) {
                lines.push(msg!(
                    "wb-list-locked",
                    until = c.locked_until.map(|d| d.to_string()).unwrap_or_default()
                ));
            }
            if c.flagged {
                lines.push(msg!("wb-list-flagged"));
            }
        }
        Ok(Reply::private(lines))
    }

    /// `/case view`: the content and conversation, after the passphrase. Audited.
    pub async fn wb_view(&self, h: HandlerId, code: &str, pass: SecretString) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let key = self.wb_unlock(h, meta.id, pass).await?;
        let code = CaseCode::parse(&meta.code).map_err(|_| internal("stored code"))?;
        let blob = self.store.wb_content(meta.id).await?;
        let content =
            CaseContent::open(&blob, &key, &code).map_err(|_| internal("content does not open"))?;
        let messages = self.wb_open_messages(meta.id, &key, &code).await?;
        self.store
            .wb_audit(meta.id, h.0, "view", self.now_ms())
            .await?;
        let f = &content.form;
        let none = || msg!("wb-none");
        let typed = |t: &str| msg!("wb-text", text = Arg::typed(t));
        let mut lines = vec![
            msg!(
                "wb-view-header",
                code = meta.code.as_str(),
                status = status_label(meta.status),
                received = meta.dates.received.to_string()
            ),
            msg!("wb-view-what", text = Arg::typed(&f.what)),
            msg!("wb-view-when-where", text = Arg::typed(&f.when_where)),
            msg!("wb-view-who", text = Arg::typed(&f.who)),
            msg!(
                "wb-view-evidence",
                text = f.evidence.as_deref().map_or_else(none, typed)
            ),
            msg!(
                "wb-view-contact",
                text = f.contact.as_deref().map_or_else(none, typed)
            ),
        ];
        if meta.flagged {
            lines.push(msg!("wb-list-flagged"));
        }
        for (day, author, text) in &messages {
            lines.push(message_line(*day, *author, text));
        }
        Ok(Reply::private(lines))
    }

    /// `/case ack`: acknowledges receipt (the 7-day duty) as an explicit act; the reporter sees
    /// it on follow-up.
    pub async fn wb_ack(&self, h: HandlerId, code: &str) -> Result<Reply> {
        self.wb_change(h, code, CaseStatus::Acknowledged, None)
            .await
    }

    /// `/case status`: moves the case on (to in progress) or back is refused by the domain.
    pub async fn wb_set_status(&self, h: HandlerId, code: &str, status: &str) -> Result<Reply> {
        let to = CaseStatus::parse(status).map_err(|_| refuse(msg!("wb-status-unknown")))?;
        if to == CaseStatus::Closed {
            return Err(refuse(msg!("wb-close-with-outcome")));
        }
        self.wb_change(h, code, to, None).await
    }

    /// `/case close`: closes with an outcome; retention starts.
    pub async fn wb_close(&self, h: HandlerId, code: &str, outcome: &str) -> Result<Reply> {
        let o = Outcome::parse(outcome).map_err(|_| refuse(msg!("wb-outcome-unknown")))?;
        self.wb_change(h, code, CaseStatus::Closed, Some(o)).await
    }

    async fn wb_change(
        &self,
        h: HandlerId,
        code: &str,
        to: CaseStatus,
        outcome: Option<Outcome>,
    ) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let status = wb::transition(meta.status, to).map_err(|_| {
            refuse(msg!(
                "wb-transition-refused",
                from = status_label(meta.status),
                to = status_label(to)
            ))
        })?;
        let today = self.wb_today();
        let mut dates = meta.dates;
        if status == CaseStatus::Acknowledged || status == CaseStatus::InProgress {
            dates.acknowledged.get_or_insert(today);
        }
        if status == CaseStatus::Closed {
            dates.closed = Some(today);
        }
        if !self
            .store
            .wb_update_case(meta.id, meta.status, status, outcome, &dates)
            .await?
        {
            return Err(refuse(msg!("wb-changed-meanwhile")));
        }
        self.store
            .wb_audit(meta.id, h.0, status.as_str(), self.now_ms())
            .await?;
        let mut lines = vec![msg!(
            "wb-status-changed",
            code = meta.code.as_str(),
            status = status_label(status)
        )];
        if let Some(o) = outcome {
            lines.push(msg!("wb-closed-outcome", outcome = outcome_label(o)));
        }
        Ok(Reply::private(lines))
    }

    /// `/case feedback`: records that the reporter was given feedback (the 3-month duty), an
    /// explicit act of the handler; a reply alone is not feedback. Needs an acknowledged case.
    pub async fn wb_feedback(&self, h: HandlerId, code: &str) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        if meta.status.is_final() {
            return Err(refuse(msg!("wb-case-closed")));
        }
        if meta.dates.acknowledged.is_none() {
            return Err(refuse(msg!("wb-feedback-ack-first")));
        }
        let mut dates = meta.dates;
        dates.feedback_given = Some(self.wb_today());
        if !self
            .store
            .wb_update_case(meta.id, meta.status, meta.status, meta.outcome, &dates)
            .await?
        {
            return Err(refuse(msg!("wb-changed-meanwhile")));
        }
        self.store
            .wb_audit(meta.id, h.0, "feedback", self.now_ms())
            .await?;
        Ok(Reply::private(vec![msg!(
            "wb-feedback-recorded",
            code = meta.code.as_str()
        )]))
    }

    /// `/case reply`: an encrypted message to the reporter. Not an acknowledgement or feedback
    /// by itself (those are `/case ack` and `/case feedback`).
    pub async fn wb_reply(
        &self,
        h: HandlerId,
        code: &str,
        pass: SecretString,
        text: &str,
    ) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let body = FollowUp::validate(text).map_err(intake_refusal)?;
        if meta.status.is_final() {
            return Err(refuse(msg!("wb-case-closed")));
        }
        let key = self.wb_unlock(h, meta.id, pass).await?;
        let code = CaseCode::parse(&meta.code).map_err(|_| internal("stored code"))?;
        let message = Message::new(Author::Handler, body);
        let added = self
            .store
            .wb_add_message(meta.id, self.wb_today(), |seq| {
                message.seal(&key, &code, seq)
            })
            .await?;
        if added.is_none() {
            return Err(refuse(msg!("wb-case-closed")));
        }
        self.store
            .wb_audit(meta.id, h.0, "reply", self.now_ms())
            .await?;
        Ok(Reply::private(vec![msg!(
            "wb-reply-sent",
            code = meta.code.as_str()
        )]))
    }

    /// `/case exclude`: removes a handler (conflict of interest) from one case. A handler may
    /// recuse themselves at once; excluding someone else takes a second handler's approval (the
    /// same command by anyone but the requester, the excluded handler included), so no single
    /// handler can quietly take a case away from the others. Only allow-listed handlers count
    /// towards "the last handler", who cannot be excluded. Audited; the handler channel gets a
    /// content-free notice. An exclusion is remembered: re-sealing never undoes it.
    pub async fn wb_exclude(&self, h: HandlerId, code: &str, other: HandlerId) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let allowed = self.wb_config().handler_ids();
        let step = self
            .store
            .wb_exclude(meta.id, other.0, h.0, &allowed)
            .await?;
        let code = meta.code.as_str();
        let now = self.now_ms();
        let reply = match step {
            ExclusionStep::Requested => {
                self.store
                    .wb_audit(meta.id, h.0, &format!("exclude_request:{}", other.0), now)
                    .await?;
                self.wb_notify(Notice::ExclusionRequested).await?;
                msg!("wb-exclude-requested", code = code)
            }
            ExclusionStep::Excluded => {
                self.store
                    .wb_audit(meta.id, h.0, &format!("exclude:{}", other.0), now)
                    .await?;
                self.wb_notify(Notice::Excluded).await?;
                msg!("wb-excluded", code = code)
            }
            ExclusionStep::AlreadyRequested => {
                return Err(refuse(msg!("wb-exclude-needs-second", code = code)))
            }
            ExclusionStep::AlreadyExcluded => return Err(refuse(msg!("wb-exclude-already"))),
            ExclusionStep::LastHandler => return Err(refuse(msg!("wb-exclude-last"))),
            ExclusionStep::NotOnCase => return Err(refuse(msg!("wb-exclude-not-on-case"))),
        };
        Ok(Reply::private(vec![reply]))
    }

    /// `/case audit`: who of the handlers did what to the case, when (for its handlers only).
    pub async fn wb_audit_view(&self, h: HandlerId, code: &str) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let tz = self.config.default_time_zone();
        let mut lines = vec![msg!("wb-audit-header", code = meta.code.as_str())];
        for e in self.store.wb_audit_log(meta.id).await? {
            let at = DateTime::from_timestamp_millis(e.at_ms)
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            lines.push(msg!(
                "wb-audit-line",
                at = at,
                handler = crate::domain::ids::UserId(e.handler_id),
                action = e.action
            ));
        }
        Ok(Reply::private(lines))
    }

    /// `/case unlock`: lifts a lock after wrong secrets, so the reporter can come back at once.
    /// Audited.
    pub async fn wb_lift_lock(&self, h: HandlerId, code: &str) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        self.store.wb_lift_lock(meta.id).await?;
        self.store
            .wb_audit(meta.id, h.0, "unlock", self.now_ms())
            .await?;
        Ok(Reply::private(vec![msg!(
            "wb-lock-lifted",
            code = meta.code.as_str()
        )]))
    }

    /// The panel's text (posted by an admin); the web form line only when configured.
    pub fn wb_panel_lines(&self) -> Vec<Msg> {
        let mut lines = vec![msg!("wb-panel")];
        if let Some(url) = &self.wb_config().web_form_url {
            lines.push(msg!("wb-panel-web", url = url.as_str()));
        }
        lines
    }
}

/// A notice job, built by the registry's declaration of the kind (its key and payload shape).
fn notice_job(
    rest: &str,
    notice: &str,
    details: serde_json::Map<String, serde_json::Value>,
    due_at: DateTime<Utc>,
) -> NewJob {
    let payload = WbNoticePayload {
        notice: notice.to_string(),
        details,
    };
    WbNotice::job(rest, &payload, due_at)
}

/// The reporter's key is derived from the 100-bit receipt secret: the receipt-hash cost is
/// enough (the entropy carries the strength), and it keeps follow-ups quick.
fn reporter_kdf(h: HashParams) -> KdfParams {
    KdfParams {
        m_cost_kib: h.m_cost_kib,
        t_cost: h.t_cost,
        p_cost: h.p_cost,
    }
}
