//! Logging setup. The operator chooses the level and format; some directives are always added
//! last so that no configuration can make raw Discord payloads or SQL statements reach a log:
//! those can carry user text (and, in the whistleblowing intake, what a reporter typed).

use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Directives appended after the operator's filter; later directives for the same target win.
/// serenity logs whole gateway payloads at trace (and unparseable ones at warn); sqlx logs
/// statements with their values; the HTTP and websocket stacks can log bodies at trace.
pub const SAFETY_DIRECTIVES: &[&str] = &[
    // Catch-alls first: serenity and poise spans and events can carry interaction, user and
    // member data (author ids, nicknames, modal text) at debug and trace.
    "serenity=warn",
    "poise=warn",
    "serenity::gateway=error",
    "serenity::http=error",
    "serenity::client=error",
    "serenity::model=error",
    "serenity::utils=error",
    "sqlx=warn",
    "hyper=warn",
    "hyper_util=warn",
    "reqwest=warn",
    "h2=warn",
    "rustls=warn",
    "tungstenite=warn",
    "tokio_tungstenite=warn",
    "async_tungstenite=warn",
];

/// Builds the filter: `RUST_LOG` if set, else the configured level, then the safety directives.
pub fn filter(config: &LogConfig) -> EnvFilter {
    let base = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| config.level.clone());
    let mut filter = EnvFilter::try_new(&base).unwrap_or_else(|_| EnvFilter::new("info"));
    for d in SAFETY_DIRECTIVES {
        if let Ok(d) = d.parse() {
            filter = filter.add_directive(d);
        }
    }
    filter
}

/// Installs the global subscriber (once; later calls are ignored). Logs go to stderr so the
/// shell adapter's stdout stays clean for scripts.
pub fn init(config: &LogConfig) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(config))
        .with_writer(std::io::stderr);
    let _ = match config.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.with_ansi(false).try_init(),
    };
}
