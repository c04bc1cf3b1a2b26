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
use crate::domain::whistleblowing::{
    self as wb, check_access, create_handler_key, deadlines, encode_public_key, open_case_key,
    parse_public_key, seal_case_key, unlock_handler_key, AccessDecision, Author, CaseCode,
    CaseContent, CaseKey, CaseStatus, EncryptedPrivateKey, FollowUp, HashParams, IntakeError,
    KdfParams, Message, Outcome, ReceiptSecret, Retention, StoredReceipt, TipForm,
};
use crate::error::{refuse, Error, Result};
use crate::i18n::Msg;
use crate::msg;
use crate::store::{CaseMeta, HandlerRecord, NewCase, NewJob, StoreError};

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

fn message_line(day: NaiveDate, author: Author, text: &str) -> Msg {
    let who = match author {
        Author::Reporter => msg!("wb-author-reporter"),
        Author::Handler => msg!("wb-author-handler"),
    };
    msg!(
        "wb-message-line",
        date = day.to_string(),
        author = who,
        text = text
    )
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

/// In-memory state and parameters of the intake. Never persisted.
pub struct WbRuntime {
    pub hash_params: HashParams,
    pub kdf_params: KdfParams,
    limiter: DefaultDirectRateLimiter,
    cooldown_key: [u8; 32],
    cooldown: StdDuration,
    recent: Mutex<HashMap<CooldownToken, Instant>>,
}

impl WbRuntime {
    pub fn new(config: &WhistleblowingConfig) -> Self {
        Self::with_params(config, HashParams::default(), KdfParams::default())
    }

    pub fn with_params(config: &WhistleblowingConfig, hash: HashParams, kdf: KdfParams) -> Self {
        let per_hour = NonZeroU32::new(config.max_new_cases_per_hour).unwrap_or(NonZeroU32::MIN);
        let mut cooldown_key = [0u8; 32];
        OsRng.fill_bytes(&mut cooldown_key);
        Self {
            hash_params: hash,
            kdf_params: kdf,
            limiter: RateLimiter::direct(Quota::per_hour(per_hour)),
            cooldown_key,
            cooldown: StdDuration::from_secs(u64::from(config.user_cooldown_seconds)),
            recent: Mutex::new(HashMap::new()),
        }
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
        if self.cooldown.is_zero() {
            return true;
        }
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        recent.retain(|_, at| now.duration_since(*at) < self.cooldown);
        if recent.contains_key(&token) {
            return false;
        }
        recent.insert(token, now);
        true
    }

    fn forget(&self, token: CooldownToken) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.remove(&token);
    }
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
        let handlers = self.wb_current_handlers().await?;
        if handlers.is_empty() {
            return Err(refuse(msg!("wb-no-handlers")));
        }
        if let Some(t) = cooldown {
            if !self.wb.pass_cooldown(t) {
                return Err(refuse(msg!("wb-slow-down")));
            }
        }
        if self.wb.limiter.check().is_err() {
            if let Some(t) = cooldown {
                self.wb.forget(t);
            }
            return Err(refuse(msg!("wb-slow-down")));
        }
        let params = self.wb.hash_params;
        let (secret, phc, reporter) = blocking(move || {
            let secret = ReceiptSecret::generate(&mut OsRng);
            let phc = wb::hash_secret(&secret, params);
            let pass = SecretString::from(secret.expose_canonical().to_owned());
            let reporter = create_handler_key(&pass, reporter_kdf(params));
            (secret, phc, reporter)
        })
        .await?;
        let reporter = reporter.map_err(|_| internal("reporter key"))?;
        let today = self.wb_today();
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
            drop(key);
            let new = NewCase {
                code: code.as_str().to_string(),
                received_on: today,
                receipt_phc: phc.clone(),
                content,
                reporter_private: reporter.encrypted_private.to_string(),
                reporter_sealed,
                keys,
            };
            match self.store.wb_create_case(&new).await {
                Ok(_) => {
                    self.wb_notify(Notice::NewReport).await?;
                    return Ok(Receipt { code, secret });
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(internal("no free case code"))
    }

    /// Allow-listed handlers with a registered key: the ones a new case is sealed to.
    async fn wb_current_handlers(&self) -> Result<Vec<(u64, wb::PublicKey)>> {
        let allowed = self.wb_config().handler_ids();
        let mut out = Vec::new();
        for h in self.store.wb_handlers().await? {
            if !allowed.contains(&h.user_id) {
                continue;
            }
            let pk = parse_public_key(&h.public_key).map_err(|_| internal("bad public key"))?;
            out.push((h.user_id, pk));
        }
        Ok(out)
    }

    /// The reporter's follow-up: code and secret; optionally new information. An unknown
    /// code, a wrong or malformed secret and a locked case give the same refusal after the same
    /// Argon2 work; wrong secrets are counted per case (durably).
    pub async fn wb_followup(
        &self,
        code: &str,
        secret: &str,
        addition: Option<&str>,
    ) -> Result<ReporterView> {
        let addition = match addition.map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => Some(FollowUp::validate(a).map_err(intake_refusal)?),
            None => None,
        };
        let params = self.wb.hash_params;
        let secret = match ReceiptSecret::parse(secret) {
            Ok(s) => s,
            Err(_) => {
                blocking(move || {
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
        let phc = match &meta {
            Some(m) => Some(self.store.wb_receipt(m.id).await?),
            None => None,
        };
        let failed = meta.as_ref().map_or(0, |m| m.failed_attempts);
        let (decision, secret) = blocking(move || {
            let stored = phc.as_deref().map(|phc| StoredReceipt {
                phc,
                failed_attempts: failed,
            });
            (check_access(stored, &secret, params), secret)
        })
        .await?;
        let meta = match (decision, meta) {
            (AccessDecision::Granted, Some(m)) => m,
            (AccessDecision::Denied { record_failure }, m) => {
                if let (true, Some(m)) = (record_failure, m) {
                    self.store.wb_record_failure(m.id).await?;
                }
                return Err(denied());
            }
            (AccessDecision::Granted, None) => return Err(denied()),
        };
        if meta.failed_attempts > 0 {
            self.store.wb_reset_failures(meta.id).await?;
        }
        let (private, sealed) = self.store.wb_reporter_key(meta.id).await?;
        let key = blocking(move || -> Option<CaseKey> {
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
            if meta.status.is_final() {
                return Err(refuse(msg!("wb-case-closed")));
            }
            let message = Message::new(Author::Reporter, a);
            self.store
                .wb_add_message(meta.id, self.wb_today(), |seq| {
                    message.seal(&key, &code, seq)
                })
                .await?;
            added = true;
            self.wb_notify(Notice::NewFollowUp).await?;
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

    /// Enqueues a fixed, content-free notice to the handler channel: after a random delay, or
    /// folded into the next daily digest. Nothing about the case is in the job.
    pub async fn wb_notify(&self, notice: Notice) -> Result<()> {
        if self.wb_config().handler_channel.is_none() {
            return Ok(());
        }
        let now = self.clock.now();
        let job = match self.wb_config().notify {
            NotifyMode::Delayed => {
                let (lo, hi) = (
                    self.wb_config().notify_delay_min_minutes,
                    self.wb_config().notify_delay_max_minutes,
                );
                // Uniform over the whole window, to the second.
                let seconds =
                    rand::thread_rng().gen_range(i64::from(lo) * 60..=i64::from(hi.max(lo)) * 60);
                let mut nonce = [0u8; 12];
                OsRng.fill_bytes(&mut nonce);
                NewJob {
                    kind: NOTICE_JOB.to_string(),
                    key: format!("wb:notice:{}", hex::encode(nonce)),
                    due_at: now + Duration::seconds(seconds),
                    payload: json!({ "notice": match notice {
                        Notice::NewReport => "new_report",
                        Notice::NewFollowUp => "new_followup",
                    }}),
                }
            }
            NotifyMode::Digest => {
                let at = self.wb_next_local(now);
                NewJob {
                    kind: NOTICE_JOB.to_string(),
                    key: format!("wb:digest:{}", at.timestamp()),
                    due_at: at,
                    payload: json!({ "notice": "digest" }),
                }
            }
        };
        // The job's creation time is a reporter action: recorded at day resolution only.
        let day_start = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map_or(now, |d| d.and_utc());
        self.store.enqueue(&job, day_start).await?;
        self.wake.notify();
        Ok(())
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
            "reminder" => msg!(
                "wb-notice-reminder",
                kind = payload["reminder"].as_str().unwrap_or("").to_string()
            ),
            _ => msg!("wb-notice-digest"),
        }
    }

    /// The daily run: enqueue due deadline reminders (content-free, each once) and purge
    /// closed cases past retention. Returns (reminders enqueued, cases purged).
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
                let job = NewJob {
                    kind: NOTICE_JOB.to_string(),
                    key: format!("wb:reminder:{}:{}", case.id, r.key()),
                    due_at: now,
                    payload: json!({ "notice": "reminder", "reminder": r.kind.as_str() }),
                };
                if self.store.enqueue(&job, now).await? {
                    reminders += 1;
                }
            }
        }
        if reminders > 0 {
            self.wake.notify();
        }
        Ok((reminders, purged))
    }

    // -- handlers ----------------------------------------------------------------------------

    /// Creates and stores a handler's key pair (`samverkan handler add`).
    pub async fn wb_register_handler(&self, user: u64, passphrase: SecretString) -> Result<()> {
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
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => Err(refuse(msg!("wb-handler-exists"))),
            Err(e) => Err(e.into()),
        }
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

    /// Unlocks the handler's key with the passphrase and opens the case key.
    async fn wb_unlock(&self, h: HandlerId, case_id: i64, pass: SecretString) -> Result<CaseKey> {
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
        let secret = blocking(move || unlock_handler_key(&enc, &pass))
            .await?
            .map_err(|_| refuse(msg!("wb-wrong-passphrase")))?;
        open_case_key(&sealed, &secret).map_err(|_| no_case())
    }

    /// `/case list`: code, status and deadlines of the handler's cases; no content.
    pub async fn wb_list(&self, h: HandlerId) -> Result<Reply> {
        self.wb_require_handler(h)?;
        let cases = self.store.wb_cases_for(h.0).await?;
        if cases.is_empty() {
            return Ok(Reply::private(vec![msg!("wb-list-empty")]));
        }
        let today = self.wb_today();
        let retention = self.retention();
        let mut lines = vec![msg!("wb-list-header", count = cases.len())];
        for c in cases {
            let d = deadlines(&c.dates, retention, today);
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
        let mut lines = vec![
            msg!(
                "wb-view-header",
                code = meta.code.as_str(),
                status = status_label(meta.status),
                received = meta.dates.received.to_string()
            ),
            msg!("wb-view-what", text = f.what.as_str()),
            msg!("wb-view-when-where", text = f.when_where.as_str()),
            msg!("wb-view-who", text = f.who.as_str()),
            msg!(
                "wb-view-evidence",
                text = f
                    .evidence
                    .as_deref()
                    .map_or_else(none, |e| msg!("wb-text", text = e))
            ),
            msg!(
                "wb-view-contact",
                text = f
                    .contact
                    .as_deref()
                    .map_or_else(none, |e| msg!("wb-text", text = e))
            ),
        ];
        for (day, author, text) in &messages {
            lines.push(message_line(*day, *author, text));
        }
        Ok(Reply::private(lines))
    }

    /// `/case ack`: acknowledges receipt to the reporter (they see it on follow-up).
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
        self.store
            .wb_update_case(meta.id, status, outcome, &dates)
            .await?;
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

    /// `/case reply`: an encrypted message to the reporter. The first reply is the feedback
    /// the law asks for (and acknowledges receipt if that was not done).
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
        let today = self.wb_today();
        self.store
            .wb_add_message(meta.id, today, |seq| message.seal(&key, &code, seq))
            .await?;
        let mut dates = meta.dates;
        dates.acknowledged.get_or_insert(today);
        dates.feedback_given.get_or_insert(today);
        let status = if meta.status == CaseStatus::Received {
            CaseStatus::Acknowledged
        } else {
            meta.status
        };
        self.store
            .wb_update_case(meta.id, status, meta.outcome, &dates)
            .await?;
        self.store
            .wb_audit(meta.id, h.0, "reply", self.now_ms())
            .await?;
        Ok(Reply::private(vec![msg!(
            "wb-reply-sent",
            code = meta.code.as_str()
        )]))
    }

    /// `/case exclude`: removes a handler (conflict of interest) from one case; they can no
    /// longer decrypt it and the service refuses them. The last handler cannot be removed.
    pub async fn wb_exclude(&self, h: HandlerId, code: &str, other: HandlerId) -> Result<Reply> {
        let meta = self.wb_handler_case(h, code).await?;
        let on_case = self.store.wb_case_handlers(meta.id).await?;
        if !on_case.contains(&other.0) {
            return Err(refuse(msg!("wb-exclude-not-on-case")));
        }
        if on_case.len() <= 1 {
            return Err(refuse(msg!("wb-exclude-last")));
        }
        self.store.wb_remove_key(meta.id, other.0).await?;
        self.store
            .wb_audit(meta.id, h.0, &format!("exclude:{}", other.0), self.now_ms())
            .await?;
        Ok(Reply::private(vec![msg!(
            "wb-excluded",
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

/// Job kind of the content-free notices.
pub const NOTICE_JOB: &str = "wb_notice";
/// Job kind of the daily reminders-and-purge run.
pub const DAILY_JOB: &str = "wb_daily";

/// The reporter's key is derived from the 100-bit receipt secret: the receipt-hash cost is
/// enough (the entropy carries the strength), and it keeps follow-ups quick.
fn reporter_kdf(h: HashParams) -> KdfParams {
    KdfParams {
        m_cost_kib: h.m_cost_kib,
        t_cost: h.t_cost,
        p_cost: h.p_cost,
    }
}
