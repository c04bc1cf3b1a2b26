//! Logging setup. The operator chooses the level and format; raw Discord payloads, interaction
//! tokens and SQL statements must never reach a log whatever they choose: those can carry user
//! text (in the whistleblowing intake, what a reporter typed) and secrets (an interaction's URL
//! carries its token).
//!
//! Two layers of defence:
//! - [`SAFETY_DIRECTIVES`] are appended to the operator's filter (cheap: they disable the
//!   callsites). But an `EnvFilter` lets a *more specific* directive win
//!   (`serenity::http::client=trace` beats `serenity=warn`), and span directives
//!   (`[request]=trace`) enable events inside a span whatever their target.
//! - So a hard deny filter ([`hard_allows`]) sits on top, ANDed with whatever the operator's
//!   filter says: it looks only at an event's or span's target and level, and no directive
//!   reaches it.

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

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

/// The most verbose level each target (and its children) may ever log at, whatever the filter
/// says. The longest matching target wins. serenity's HTTP client opens an INFO span per request
/// whose fields hold the route, and an interaction callback's route holds its token.
pub const HARD_LIMITS: &[(&str, Level)] = &[
    ("serenity", Level::WARN),
    ("serenity::gateway", Level::ERROR),
    ("serenity::http", Level::ERROR),
    ("serenity::client", Level::ERROR),
    ("serenity::model", Level::ERROR),
    ("serenity::utils", Level::ERROR),
    ("poise", Level::WARN),
    ("sqlx", Level::WARN),
    ("hyper", Level::WARN),
    ("hyper_util", Level::WARN),
    ("reqwest", Level::WARN),
    ("h2", Level::WARN),
    ("rustls", Level::WARN),
    ("tungstenite", Level::WARN),
    ("tokio_tungstenite", Level::WARN),
    ("async_tungstenite", Level::WARN),
];

/// The hard deny rule: false for anything more verbose than its target's [`HARD_LIMITS`].
pub fn hard_allows(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    let limit = HARD_LIMITS
        .iter()
        .filter(|(t, _)| {
            target == *t
                || target
                    .strip_prefix(t)
                    .is_some_and(|rest| rest.starts_with("::"))
        })
        .max_by_key(|(t, _)| t.len());
    match limit {
        Some((_, max)) => meta.level() <= max,
        None => true,
    }
}

/// Builds the filter: `RUST_LOG` if set, else the configured level, then the safety directives.
pub fn filter(config: &LogConfig) -> EnvFilter {
    let base = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| config.level.clone());
    filter_from(&base)
}

/// The operator's filter string plus the safety directives.
pub fn filter_from(spec: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    for d in SAFETY_DIRECTIVES {
        if let Ok(d) = d.parse() {
            filter = filter.add_directive(d);
        }
    }
    filter
}

/// A subscriber writing to `writer`: the operator's filter ANDed with the hard deny rule.
pub fn subscriber<W>(
    filter: EnvFilter,
    format: LogFormat,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = filter.and(filter_fn(hard_allows));
    let registry = tracing_subscriber::registry();
    match format {
        LogFormat::Json => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(writer)
                    .with_filter(filter),
            ),
        ),
        LogFormat::Pretty => Box::new(
            registry.with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .with_writer(writer)
                    .with_filter(filter),
            ),
        ),
    }
}

/// Installs the global subscriber (once; later calls are ignored). Logs go to stderr so the
/// shell adapter's stdout stays clean for scripts.
pub fn init(config: &LogConfig) {
    let _ = subscriber(filter(config), config.format, std::io::stderr).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Capture {
        type Writer = Capture;
        fn make_writer(&'w self) -> Capture {
            self.clone()
        }
    }

    /// More specific directives and span directives that would let serenity's request span
    /// (its fields hold the interaction token) and events through are overruled.
    #[test]
    fn no_directive_can_switch_the_safety_net_off() {
        let capture = Capture::default();
        let spec = "trace,serenity::http::client=trace,serenity::http=trace,[request]=trace,\
                    poise::framework=trace,sqlx::query=trace";
        let sub = subscriber(filter_from(spec), LogFormat::Pretty, capture.clone());
        tracing::subscriber::with_default(sub, || {
            let span = tracing::info_span!(target: "serenity::http::client", "request",
                req = "interactions/1/SECRET-TOKEN-1/callback");
            let _e = span.enter();
            tracing::trace!(target: "serenity::http::ratelimiting", "SECRET-TOKEN-2");
            tracing::debug!(target: "poise::framework", "SECRET-TOKEN-3");
            tracing::info!(target: "sqlx::query", "SECRET-TOKEN-4");
            tracing::warn!(target: "samverkan::discord", "our own line");
        });
        let out = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        assert!(out.contains("our own line"), "{out}");
        assert!(!out.contains("SECRET-TOKEN"), "{out}");
    }

    #[test]
    fn hard_limits_pick_the_longest_target() {
        use tracing::callsite::Identifier;
        struct Cs;
        impl tracing::Callsite for Cs {
            fn set_interest(&self, _: tracing::subscriber::Interest) {}
            fn metadata(&self) -> &Metadata<'_> {
                unreachable!()
            }
        }
        static CS: Cs = Cs;
        let meta = |target: &'static str, level: Level| {
            Metadata::new(
                "x",
                target,
                level,
                None,
                None,
                None,
                tracing::field::FieldSet::new(&[], Identifier(&CS)),
                tracing::metadata::Kind::EVENT,
            )
        };
        assert!(hard_allows(&meta("serenity", Level::WARN)));
        assert!(!hard_allows(&meta("serenity::http::client", Level::WARN)));
        assert!(hard_allows(&meta("serenity::http::client", Level::ERROR)));
        assert!(hard_allows(&meta("serenityx", Level::TRACE)));
        assert!(hard_allows(&meta("samverkan", Level::TRACE)));
        assert!(!hard_allows(&meta("sqlx::query", Level::INFO)));
    }
}
