//! Configuration: `config/samverkan.toml` (or the file named by `--config` / `SAMVERKAN_CONFIG`),
//! overridden by `SAMVERKAN_*` environment variables, then validated once.
//!
//! Environment variables map to keys by their first underscore: `SAMVERKAN_DISCORD_TOKEN` is
//! `discord.token`, `SAMVERKAN_DATABASE_URL` is `database.url`,
//! `SAMVERKAN_DISCORD_API_BASE_URL` is `discord.api_base_url`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono_tz::Tz;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// The default configuration file, relative to the working directory.
pub const DEFAULT_CONFIG_PATH: &str = "config/samverkan.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub discord: DiscordConfig,
    pub defaults: DefaultsConfig,
    pub log: LogConfig,
    pub scheduler: SchedulerConfig,
    pub whistleblowing: WhistleblowingConfig,
    pub record: RecordConfig,
}

/// The meeting record (`[record]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecordConfig {
    /// Minutes after `/meeting start` a meeting still open is closed automatically.
    pub auto_close_minutes: u32,
    /// Minutes before that the chair is nudged in the forum's channel.
    pub nudge_before_minutes: u32,
}

impl Default for RecordConfig {
    fn default() -> Self {
        Self {
            auto_close_minutes: 240,
            nudge_before_minutes: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// Seconds a claimed job stays reserved for the process that claimed it. A process that
    /// dies holding a job loses it after this long and another process takes it over.
    pub lease_seconds: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self { lease_seconds: 30 }
    }
}

/// The anonymous whistleblowing intake (`[whistleblowing]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhistleblowingConfig {
    /// Discord user ids (as strings) allowed to handle cases. Not a role: server admins can
    /// give themselves any role. Each also needs a key pair (`samverkan handler add`).
    pub handlers: Vec<String>,
    /// The pinned fingerprint of each handler's public key, by user id, as printed by
    /// `samverkan handler add` (or `samverkan handler list`). Nothing is sealed to a handler
    /// whose stored key does not match: a key swapped in the database is refused.
    pub fingerprints: std::collections::BTreeMap<String, String>,
    /// The operator's offline recovery public key (hex, from `samverkan handler recovery-key`).
    /// When set, every case key is also sealed to it, so cases stay recoverable if all their
    /// handlers leave.
    pub recovery_public_key: Option<String>,
    /// Channel id for the fixed, content-free notices to handlers. Unset: no notices.
    pub handler_channel: Option<u64>,
    /// `delayed` (one notice per event after a random delay) or `digest` (one a day).
    pub notify: NotifyMode,
    /// The random delay window of `delayed` notices, in minutes.
    pub notify_delay_min_minutes: u32,
    pub notify_delay_max_minutes: u32,
    /// Local time (defaults.time_zone) of the daily digest and of deadline reminders, `HH:MM`.
    pub digest_time: String,
    /// Days a closed case is kept before it is purged: at most 730 (two years).
    pub retention_days: u32,
    /// New cases accepted per hour, over everyone (a global limit; there is no identity).
    pub max_new_cases_per_hour: u32,
    /// Seconds between two submissions from the same Discord user, remembered only in memory
    /// under a keyed hash with a per-process random key. 0 turns it off.
    pub user_cooldown_seconds: u32,
    /// The same for follow-ups (reading replies, adding information).
    pub followup_cooldown_seconds: u32,
    /// The web form outside Discord, shown on the panel when set.
    pub web_form_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyMode {
    Delayed,
    Digest,
}

impl Default for WhistleblowingConfig {
    fn default() -> Self {
        Self {
            handlers: Vec::new(),
            fingerprints: std::collections::BTreeMap::new(),
            recovery_public_key: None,
            handler_channel: None,
            // Timing correlation is weak protection when there are few reports: one fixed
            // daily digest says nothing about when a report came in.
            notify: NotifyMode::Digest,
            notify_delay_min_minutes: 10,
            notify_delay_max_minutes: 180,
            digest_time: "08:00".to_string(),
            retention_days: crate::domain::whistleblowing::MAX_RETENTION_DAYS,
            max_new_cases_per_hour: 20,
            user_cooldown_seconds: 300,
            followup_cooldown_seconds: 60,
            web_form_url: None,
        }
    }
}

impl WhistleblowingConfig {
    /// The allow-listed handler ids (entries that are not ids are refused by `validate`).
    pub fn handler_ids(&self) -> Vec<u64> {
        self.handlers
            .iter()
            .filter_map(|h| h.trim().parse().ok())
            .collect()
    }

    pub fn is_handler(&self, user: u64) -> bool {
        self.handler_ids().contains(&user)
    }

    /// The pinned fingerprint of a handler's key, if configured.
    pub fn fingerprint(&self, user: u64) -> Option<&str> {
        self.fingerprints
            .iter()
            .find(|(k, _)| k.trim().parse::<u64>().ok() == Some(user))
            .map(|(_, v)| v.as_str())
    }

    /// `digest_time` as a time of day.
    pub fn digest_at(&self) -> chrono::NaiveTime {
        chrono::NaiveTime::parse_from_str(self.digest_time.trim(), "%H:%M")
            .unwrap_or(chrono::NaiveTime::MIN)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`.
    pub url: Secret,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscordConfig {
    pub token: Secret,
    /// Base URL of the Discord REST API: a REST proxy, or the test double. The gateway URL is
    /// asked from this API, so it follows.
    pub api_base_url: String,
    /// When set (a guild id), commands are registered in this guild only: instant, for testing.
    /// Otherwise they are registered globally.
    pub test_guild: Option<u64>,
    /// Members with a role of this name may manage forums, like members with Manage Server.
    pub admin_role: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DefaultsConfig {
    /// Language of a guild until an admin picks one: `sv` or `en`.
    pub language: String,
    /// IANA time zone for new forums.
    pub time_zone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter: `info`, `debug`, `samverkan=debug,info`. `RUST_LOG` overrides it.
    pub level: String,
    /// `pretty` (human) or `json` (one object a line).
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: Secret::new("sqlite://data/samverkan.db"),
            max_connections: 8,
        }
    }
}

impl Default for DiscordConfig {
    fn default() -> Self {
        Self {
            token: Secret::default(),
            api_base_url: DISCORD_API.to_string(),
            test_guild: None,
            admin_role: "Samverkan-admin".to_string(),
        }
    }
}

/// Discord's own API; any other value is treated as a proxy (see [`DiscordConfig::uses_proxy`]).
pub const DISCORD_API: &str = "https://discord.com";

impl DiscordConfig {
    /// Serenity's own rate limiter must be off for a proxy to be used (it builds its requests
    /// without the proxy); the proxy, or the test double, then does the limiting.
    pub fn uses_proxy(&self) -> bool {
        self.api_base_url.trim_end_matches('/') != DISCORD_API
    }
}

impl Default for DefaultsConfig {
    fn default() -> Self {
        Self {
            language: "sv".to_string(),
            time_zone: "Europe/Stockholm".to_string(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_string(),
            format: LogFormat::Pretty,
        }
    }
}

/// A configuration error, written for the operator: it names the key, the value and what is
/// allowed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Load(String),
    #[error("invalid value for `{key}`: {value:?}; {allowed}")]
    Invalid {
        key: &'static str,
        value: String,
        allowed: &'static str,
    },
}

impl Config {
    /// Loads the file (missing is fine only for the default path), then the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let env_path = std::env::var_os("SAMVERKAN_CONFIG").map(PathBuf::from);
        let (path, explicit) = match path.map(Path::to_path_buf).or(env_path) {
            Some(p) => (p, true),
            None => (PathBuf::from(DEFAULT_CONFIG_PATH), false),
        };
        if explicit && !path.exists() {
            return Err(ConfigError::Load(format!(
                "configuration file {} does not exist",
                path.display()
            )));
        }
        let figment = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(env_provider());
        Self::from_figment(figment)
    }

    /// Loads from TOML text and the environment (for tests and tools).
    pub fn from_toml_str(toml: &str) -> Result<Self, ConfigError> {
        Self::from_figment(
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string(toml))
                .merge(env_provider()),
        )
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|e| {
            let mut text = String::new();
            for err in e {
                if !text.is_empty() {
                    text.push('\n');
                }
                let key = err.path.join(".");
                if key.is_empty() {
                    text.push_str(&err.to_string());
                } else {
                    text.push_str(&format!("invalid value for `{key}`: {}", err.kind));
                }
            }
            ConfigError::Load(text)
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every value that the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let url = self.database.url.expose();
        if crate::store::Backend::from_url(url).is_none() {
            return Err(ConfigError::Invalid {
                key: "database.url",
                value: redact_url(url),
                allowed: "use sqlite://path/to/file.db or postgres://user@host/database",
            });
        }
        if self.database.max_connections == 0 || self.database.max_connections > 1000 {
            return Err(ConfigError::Invalid {
                key: "database.max_connections",
                value: self.database.max_connections.to_string(),
                allowed: "a number from 1 to 1000",
            });
        }
        let base = &self.discord.api_base_url;
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                key: "discord.api_base_url",
                value: base.clone(),
                allowed: "an http:// or https:// URL, such as https://discord.com",
            });
        }
        if self.discord.admin_role.trim().is_empty() {
            return Err(ConfigError::Invalid {
                key: "discord.admin_role",
                value: self.discord.admin_role.clone(),
                allowed: "a role name, such as Samverkan-admin",
            });
        }
        if Lang::from_code(&self.defaults.language).is_none() {
            return Err(ConfigError::Invalid {
                key: "defaults.language",
                value: self.defaults.language.clone(),
                allowed: "sv or en",
            });
        }
        if Tz::from_str(&self.defaults.time_zone).is_err() {
            return Err(ConfigError::Invalid {
                key: "defaults.time_zone",
                value: self.defaults.time_zone.clone(),
                allowed: "an IANA time zone such as Europe/Stockholm",
            });
        }
        if !(1..=3600).contains(&self.scheduler.lease_seconds) {
            return Err(ConfigError::Invalid {
                key: "scheduler.lease_seconds",
                value: self.scheduler.lease_seconds.to_string(),
                allowed: "a number of seconds from 1 to 3600",
            });
        }
        if !(10..=2880).contains(&self.record.auto_close_minutes) {
            return Err(ConfigError::Invalid {
                key: "record.auto_close_minutes",
                value: self.record.auto_close_minutes.to_string(),
                allowed: "a number of minutes from 10 to 2880",
            });
        }
        if self.record.nudge_before_minutes >= self.record.auto_close_minutes {
            return Err(ConfigError::Invalid {
                key: "record.nudge_before_minutes",
                value: self.record.nudge_before_minutes.to_string(),
                allowed: "fewer minutes than record.auto_close_minutes",
            });
        }
        let wb = &self.whistleblowing;
        if let Some(bad) = wb
            .handlers
            .iter()
            .find(|h| h.trim().parse::<u64>().is_err())
        {
            return Err(ConfigError::Invalid {
                key: "whistleblowing.handlers",
                value: bad.clone(),
                allowed: "Discord user ids as strings, such as [\"123456789012345678\"]",
            });
        }
        for (user, fp) in &wb.fingerprints {
            let digits = fp.chars().filter(char::is_ascii_hexdigit).count();
            let clean = fp
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-' || c == ' ');
            if user.trim().parse::<u64>().is_err() || digits != 32 || !clean {
                return Err(ConfigError::Invalid {
                    key: "whistleblowing.fingerprints",
                    value: format!("{user} = {fp}"),
                    allowed: "\"<user id>\" = \"<fingerprint from samverkan handler add>\"",
                });
            }
        }
        if let Some(pk) = &wb.recovery_public_key {
            if crate::domain::whistleblowing::parse_public_key(pk).is_err() {
                return Err(ConfigError::Invalid {
                    key: "whistleblowing.recovery_public_key",
                    value: pk.clone(),
                    allowed: "64 hex digits from samverkan handler recovery-key",
                });
            }
        }
        if wb.notify_delay_min_minutes > wb.notify_delay_max_minutes
            || wb.notify_delay_max_minutes > 7 * 24 * 60
        {
            return Err(ConfigError::Invalid {
                key: "whistleblowing.notify_delay_max_minutes",
                value: format!(
                    "{}..{}",
                    wb.notify_delay_min_minutes, wb.notify_delay_max_minutes
                ),
                allowed: "a window with min <= max <= 10080 minutes",
            });
        }
        if chrono::NaiveTime::parse_from_str(wb.digest_time.trim(), "%H:%M").is_err() {
            return Err(ConfigError::Invalid {
                key: "whistleblowing.digest_time",
                value: wb.digest_time.clone(),
                allowed: "a local time HH:MM such as 08:00",
            });
        }
        if crate::domain::whistleblowing::validate_retention_days(wb.retention_days).is_err() {
            return Err(ConfigError::Invalid {
                key: "whistleblowing.retention_days",
                value: wb.retention_days.to_string(),
                allowed: "1 to 730 days (the law allows at most two years)",
            });
        }
        if wb.max_new_cases_per_hour == 0 || wb.max_new_cases_per_hour > 10_000 {
            return Err(ConfigError::Invalid {
                key: "whistleblowing.max_new_cases_per_hour",
                value: wb.max_new_cases_per_hour.to_string(),
                allowed: "a number from 1 to 10000",
            });
        }
        if let Some(url) = &wb.web_form_url {
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(ConfigError::Invalid {
                    key: "whistleblowing.web_form_url",
                    value: url.clone(),
                    allowed: "an https:// URL",
                });
            }
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(ConfigError::Invalid {
                key: "log.level",
                value: self.log.level.clone(),
                allowed: "a level (error, warn, info, debug, trace) or a filter such as samverkan=debug,info",
            });
        }
        Ok(())
    }

    pub fn default_language(&self) -> Lang {
        Lang::from_code(&self.defaults.language).unwrap_or_default()
    }

    pub fn default_time_zone(&self) -> Tz {
        Tz::from_str(&self.defaults.time_zone).unwrap_or(chrono_tz::Europe::Stockholm)
    }

    /// The effective configuration as TOML, with secrets redacted.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = Secret::new(redact_url(self.database.url.expose()));
        toml_string(&shown)
    }
}

fn toml_string(config: &Config) -> String {
    // Serialize through serde_json's Value so `Secret` shows its redacted form.
    let value = serde_json::to_value(config).unwrap_or_default();
    let mut out = String::new();
    if let serde_json::Value::Object(sections) = value {
        for (section, body) in sections {
            out.push_str(&format!("[{section}]\n"));
            if let serde_json::Value::Object(fields) = body {
                for (k, v) in fields {
                    match v {
                        serde_json::Value::Null => out.push_str(&format!("# {k} = (not set)\n")),
                        other => out.push_str(&format!("{k} = {other}\n")),
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The configuration's sections: only `SAMVERKAN_<SECTION>_*` variables are read as settings
/// (`SAMVERKAN_CONFIG` names the file; `SAMVERKAN_TEST_*` belong to the tests).
const SECTIONS: &[&str] = &[
    "database",
    "discord",
    "defaults",
    "log",
    "scheduler",
    "whistleblowing",
    "record",
];

/// `SAMVERKAN_SECTION_KEY` → `section.key`. A misspelt key within a section is still refused.
fn env_provider() -> Env {
    Env::prefixed("SAMVERKAN_")
        .filter(|k| {
            let k = k.as_str().to_ascii_lowercase();
            SECTIONS
                .iter()
                .any(|s| k.strip_prefix(s).is_some_and(|rest| rest.starts_with('_')))
        })
        .map(|k| k.as_str().to_ascii_lowercase().replacen('_', ".", 1).into())
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:[redacted]{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A string that never shows itself in `Debug`, logs or `check-config`.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Serialises as `[redacted]` when set, except the database URL which is redacted by
/// [`redact_url`] before it gets here (its host and path are useful to see).
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_empty() {
            s.serialize_str("")
        } else if self.0.contains("://") {
            s.serialize_str(&self.0)
        } else {
            s.serialize_str("[redacted]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn bad_time_zone_names_key_value_and_allowed() {
        let err = Config::from_toml_str("[defaults]\ntime_zone = \"Mars/Base\"\n").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("defaults.time_zone"), "{text}");
        assert!(text.contains("Mars/Base"), "{text}");
        assert!(text.contains("IANA"), "{text}");
    }

    #[test]
    fn unknown_scheme_is_rejected() {
        let err = Config::from_toml_str("[database]\nurl = \"mysql://x\"\n").unwrap_err();
        assert!(err.to_string().contains("database.url"));
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err = Config::from_toml_str("[discord]\ntokn = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("tokn"), "{err}");
    }

    #[test]
    fn secrets_are_redacted() {
        let mut c = Config::default();
        c.discord.token = Secret::new("very-secret-token");
        c.database.url = Secret::new("postgres://bot:hunter2@db/samverkan");
        let shown = c.to_redacted_toml();
        assert!(!shown.contains("very-secret-token"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgres://bot:[redacted]@db/samverkan"),
            "{shown}"
        );
        assert!(format!("{c:?}").contains("[redacted]"));
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn shipped_config_file_parses() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/samverkan.toml"
        ))
        .unwrap();
        Config::from_toml_str(&text).unwrap();
    }
}
