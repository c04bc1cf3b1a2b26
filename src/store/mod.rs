//! The only place with SQL.
//!
//! [`Store`] is the seam between the services and the database. It has two implementations,
//! SQLite (embedded, the default) and PostgreSQL (several bot processes, large deployments),
//! chosen by the URL scheme. They share their SQL text wherever the dialects agree (both accept
//! `$1` placeholders, and timestamps are stored as integer milliseconds): the [`on_pool!`]
//! macro writes a method body once and compiles it for each backend, so each backend gets its
//! own statically typed code without a second copy of the query. Where the dialects differ the
//! method branches on [`Store::backend`].

mod agenda;
mod cases;
mod directory;
mod escalations;
mod forums;
mod jobs;
mod live;
mod meetings;
mod minutes;
mod record;
mod run;
mod tx;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection as _};

pub use agenda::{NewHistory, NewProposal};
pub use cases::{AuditEntry, CaseMeta, ExclusionStep, HandlerRecord, NewCase, StoredMessage};
pub use directory::{GuildDirectory, GuildRecord};
pub use escalations::EscalationChange;
pub use forums::RecordSettings;
pub use jobs::{claim_due_sql, Job, JobRecord, JobState, NewJob};
pub use live::{live_job_key, thread_job_key, LivePart, LIVE_KIND};
pub use meetings::ScheduleUpdate;
pub use minutes::{MinutesVersion, NewMinutes, Review};
pub use record::ActionFilter;
pub use tx::Tx;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:` or `postgres:`/`postgresql:`; anything else is `None`.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite:// or postgres:// (got scheme `{0}`)")]
    UnknownScheme(String),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("could not create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A failure injected by a test between two writes of a transaction
    /// ([`Store::fail_nth_write`]).
    #[error("injected failure (test)")]
    Injected,
    /// A write made together with others for this caller failed (the text says why).
    #[error("{0}")]
    Batch(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The database. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// SQLite's background checkpointer; stops when the last clone is dropped.
    _checkpointer: Option<Arc<Checkpointer>>,
    /// Test hook: fails a chosen write inside a transaction (see [`Store::fail_nth_write`]).
    failpoint: Arc<tx::FailPoint>,
    /// Send attempts recorded together (see [`Store::begin_attempt`]).
    attempts: Arc<jobs::AttemptBatch>,
    /// SQLite's writers of this process, one at a time (see [`Store::write_turn`]).
    write_gate: Arc<tokio::sync::Mutex<()>>,
}

/// Where a query runs: on the pool (a statement of its own) or inside a [`Tx`]. Queries that
/// use cases run inside transactions take a `Conn`, so their text exists once for both.
pub(crate) enum Conn<'a> {
    SqlitePool(&'a sqlx::SqlitePool),
    PgPool(&'a sqlx::PgPool),
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl Conn<'_> {
    pub(crate) fn backend(&self) -> Backend {
        match self {
            Conn::SqlitePool(_) | Conn::Sqlite(_) => Backend::Sqlite,
            Conn::PgPool(_) | Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Runs `$body` with `$c` bound to the typed executor of a `&mut Conn` (a pool or a
/// transaction's connection), reborrowed each time, so a method may run several statements.
/// The body is compiled once per backend and place: one query text serves all four.
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::SqlitePool(p) => {
                let $c: &sqlx::SqlitePool = *p;
                $body
            }
            $crate::store::Conn::PgPool(p) => {
                let $c: &sqlx::PgPool = *p;
                $body
            }
            $crate::store::Conn::Sqlite(t) => {
                let $c: &mut sqlx::SqliteConnection = &mut **t;
                $body
            }
            $crate::store::Conn::Postgres(t) => {
                let $c: &mut sqlx::PgConnection = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

/// How often SQLite's write-ahead log is folded into the database file, off the request path.
/// SQLite would otherwise do it (with an fsync) inside whichever commit crosses 1000 pages,
/// so every few hundred writes one claim or command paid milliseconds for it.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Checkpointer(tokio::task::JoinHandle<()>);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn checkpoint_loop(pool: sqlx::SqlitePool) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = passive_checkpoint(&pool).await {
            tracing::warn!(error = %e, "SQLite checkpoint failed; will try again");
        }
    }
}

/// Copies what it can of the log into the database without blocking readers or writers.
async fn passive_checkpoint(pool: &sqlx::SqlitePool) -> Result<()> {
    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .execute(pool)
        .await?;
    Ok(())
}

/// Runs `$body` with `$pool` bound to the backend's typed pool. The body is compiled once per
/// backend, so one query text serves both.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a write transaction: SQLite begins it IMMEDIATE, taking the write lock up front, so
/// two writers never deadlock upgrading from a read; PostgreSQL begins normally.
macro_rules! begin_write {
    ($pool:expr) => {
        $pool.begin_with($crate::store::begin_statement($pool))
    };
}
pub(crate) use begin_write;

pub(crate) trait BeginStatement {
    const BEGIN: &'static str;
}
impl BeginStatement for sqlx::SqlitePool {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
}
impl BeginStatement for sqlx::PgPool {
    const BEGIN: &'static str = "BEGIN";
}
pub(crate) fn begin_statement<P: BeginStatement>(_: &P) -> &'static str {
    P::BEGIN
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database named by `url` (without migrating).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        match Backend::from_url(url) {
            Some(Backend::Sqlite) => Self::connect_sqlite(url, max_connections).await,
            Some(Backend::Postgres) => {
                let options = PgConnectOptions::from_str(url)?;
                Self::connect_postgres(options, max_connections).await
            }
            None => Err(StoreError::UnknownScheme(
                url.split(':')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(20)
                    .collect(),
            )),
        }
    }

    /// Opens and migrates.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self> {
        let store = Self::connect(url, max_connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    async fn connect_sqlite(url: &str, max_connections: u32) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Deleted rows are overwritten with zeros, so purged text does not linger in the file.
            .pragma("secure_delete", "ON")
            // Bounds the log left on disk after a checkpoint (purged pages live on in old WAL
            // frames until then): 4 MiB.
            .pragma("journal_size_limit", "4194304")
            // Checkpoints run in the background instead (see `CHECKPOINT_EVERY`).
            .pragma("wal_autocheckpoint", "0")
            // Statements carry user text in their values: never log them.
            .log_statements(log::LevelFilter::Off);
        if let Some(parent) = Path::new(options.get_filename()).parent() {
            if !parent.as_os_str().is_empty() && !parent.exists() {
                std::fs::create_dir_all(parent).map_err(|source| StoreError::DataDir {
                    path: parent.display().to_string(),
                    source,
                })?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            // A `begin` whose future is dropped after SQLite ran BEGIN but before sqlx handed
            // out the transaction leaves the connection inside it, holding the write lock for
            // good (every writer then fails "database is locked"). Ping first so that a queued
            // rollback of an ordinary dropped transaction is done, then close a connection
            // still inside one instead of returning it to the pool: closing rolls it back.
            .after_release(|conn, _| {
                Box::pin(async move {
                    if conn.is_in_transaction() {
                        conn.ping().await?;
                    }
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        let checkpointer = Checkpointer(tokio::spawn(checkpoint_loop(pool.clone())));
        Ok(Self {
            pool: Pool::Sqlite(pool),
            _checkpointer: Some(Arc::new(checkpointer)),
            failpoint: Arc::default(),
            attempts: Arc::default(),
            write_gate: Arc::default(),
        })
    }

    /// Opens PostgreSQL with explicit options (tests use this to pin a schema).
    pub async fn connect_postgres(options: PgConnectOptions, max_connections: u32) -> Result<Self> {
        let options = options.log_statements(log::LevelFilter::Off);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool: Pool::Postgres(pool),
            _checkpointer: None,
            failpoint: Arc::default(),
            attempts: Arc::default(),
            write_gate: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// On SQLite, the turn to write: the job queue's writes and every transaction take it
    /// first. SQLite has one writer at a time, and a writer that finds the lock taken sleeps
    /// in its busy handler (1, 2, 5, 10… ms) before it looks again; a burst of jobs all
    /// recording something at once spent tens of milliseconds that way. Queued here instead,
    /// in arrival order, each starts the moment the one before it is done. (Another process
    /// on the same file still meets the busy handler.) None on PostgreSQL.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.pool {
            Pool::Sqlite(_) => Some(self.write_gate.clone().lock_owned().await),
            Pool::Postgres(_) => None,
        }
    }

    /// The pool, as a place to run a query outside any transaction.
    pub(crate) fn conn(&self) -> Conn<'_> {
        match &self.pool {
            Pool::Sqlite(p) => Conn::SqlitePool(p),
            Pool::Postgres(p) => Conn::PgPool(p),
        }
    }

    /// Applies the migrations for this backend (`migrations/sqlite/` or `migrations/postgres/`).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        on_pool!(self, |p| p.close().await)
    }

    /// Liveness: a trivial query.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// A value from the key/value table of small bot state (e.g. the hash of the registered
    /// command set).
    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, |p| sqlx::query_as(
            "SELECT value FROM meta WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(p)
        .await)?;
        Ok(row.map(|r| r.0))
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        on_pool!(self, |p| sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
        .bind(key)
        .bind(value)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Milliseconds since the epoch: the one timestamp representation in both databases.
pub(crate) fn to_millis(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}

/// Maps a unique-constraint violation to a [`StoreError::Conflict`].
pub(crate) fn conflict_on_unique(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection that went back to the pool inside a transaction (its `begin` future was
    /// dropped at the wrong moment; forgetting the transaction leaves the same state) is
    /// closed, not handed out again: the next writer gets the lock at once, not after the
    /// busy timeout, and never "begin at non-zero transaction depth".
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let store = Store::open(&url, 1).await.unwrap();
        let Pool::Sqlite(pool) = &store.pool else {
            unreachable!()
        };
        {
            let mut conn = pool.acquire().await.unwrap();
            let tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
            std::mem::forget(tx);
            assert!(conn.is_in_transaction());
        }
        let started = std::time::Instant::now();
        let mut tx = begin_write!(pool).await.expect("a fresh connection");
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "waited for a lock nobody should hold"
        );
    }

    #[test]
    fn backend_by_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/x.db"),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/d"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/d"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/d"), None);
        assert_eq!(Backend::from_url("data.db"), None);
    }

    #[tokio::test]
    async fn unknown_scheme_is_a_clear_error() {
        let err = Store::connect("mysql://x/y", 1).await.unwrap_err();
        assert!(err.to_string().contains("sqlite://"), "{err}");
    }
}
