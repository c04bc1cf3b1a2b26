//! Test databases: a fresh SQLite file, and (when `SAMVERKAN_TEST_PG_URL` is set) a fresh
//! PostgreSQL schema, each migrated and dropped afterwards.
#![allow(dead_code)]

use std::str::FromStr;

use samverkan::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/nested/samverkan.db", dir.path().display());
    let store = Store::open(&url, 4).await.expect("open sqlite");
    TestDb {
        store,
        url,
        _dir: Some(dir),
        pg_schema: None,
    }
}

/// The PostgreSQL server to test against. In CI its absence is a failure, not a skip.
pub fn pg_url() -> Option<String> {
    match std::env::var("SAMVERKAN_TEST_PG_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must set SAMVERKAN_TEST_PG_URL: store tests run on both backends"
            );
            None
        }
    }
}

pub async fn postgres() -> Option<TestDb> {
    let base = pg_url()?;
    let schema = format!("t_{}", rand_suffix());
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .expect("connect to SAMVERKAN_TEST_PG_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create schema");
    admin.close().await.ok();
    let options = PgConnectOptions::from_str(&base)
        .expect("pg url")
        .options([("search_path", schema.as_str())]);
    let store = Store::connect_postgres(options, 4)
        .await
        .expect("connect pg");
    store.migrate().await.expect("migrate pg");
    let url = with_search_path(&base, &schema);
    Some(TestDb {
        store,
        url,
        _dir: None,
        pg_schema: Some((base, schema)),
    })
}

/// A URL that pins the schema, for child processes (the bot binary under test).
fn with_search_path(base: &str, schema: &str) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

impl TestDb {
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some((base, schema)) = &self.pg_schema {
            if let Ok(mut admin) = sqlx::PgConnection::connect(base).await {
                let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&mut admin)
                    .await;
                admin.close().await.ok();
            }
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..12)
        .map(|_| (b'a' + rng.gen_range(0..26)) as char)
        .collect()
}

/// Generates, for each named `async fn(Store)`, a test on SQLite and one on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::db::sqlite().await;
                super::$name(db.store.clone()).await;
                db.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::db::postgres().await else {
                    eprintln!("SAMVERKAN_TEST_PG_URL is not set: PostgreSQL run skipped");
                    return;
                };
                super::$name(db.store.clone()).await;
                db.cleanup().await;
            }
        }
    )*};
}

/// Like [`on_both_backends`], for tests that take the whole `&TestDb` (its URL, to start the
/// binary or dump every row) rather than only the store.
#[macro_export]
macro_rules! on_both_backends_with_db {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::db::sqlite().await;
                super::$name(&db).await;
                db.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::db::postgres().await else {
                    eprintln!("SAMVERKAN_TEST_PG_URL is not set: PostgreSQL run skipped");
                    return;
                };
                super::$name(&db).await;
                db.cleanup().await;
            }
        }
    )*};
}

/// Every row of every table, as text (PostgreSQL: `row_to_json`, bytea as hex; SQLite: every
/// column as text and as hex). For "search the whole database" tests.
pub async fn dump_all(db: &TestDb) -> Vec<u8> {
    use sqlx::Row;
    let mut out = Vec::new();
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("sqlite");
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut c)
                .await
                .unwrap();
        for (t,) in tables {
            let cols: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT name FROM pragma_table_info('{t}')"))
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            let exprs: Vec<String> = cols
                .iter()
                .map(|(n,)| {
                    format!(
                        "COALESCE(CAST(\"{n}\" AS TEXT), '') || '|' || COALESCE(hex(\"{n}\"), '')"
                    )
                })
                .collect();
            if exprs.is_empty() {
                continue;
            }
            // As a BLOB: ciphertext cast to text is not valid UTF-8.
            let sql = format!(
                "SELECT CAST(({}) AS BLOB) FROM \"{t}\"",
                exprs.join(" || ';' || ")
            );
            for row in sqlx::query(&sql).fetch_all(&mut c).await.unwrap() {
                let v: Vec<u8> = row.try_get(0).expect("row as bytes");
                out.extend(v);
            }
        }
        c.close().await.ok();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("pg");
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema()",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        for (t,) in tables {
            let rows: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT row_to_json(x)::text FROM \"{t}\" x"))
                    .fetch_all(&mut c)
                    .await
                    .unwrap();
            for (r,) in rows {
                out.extend(r.into_bytes());
            }
        }
        c.close().await.ok();
    }
    out
}

impl TestDb {
    /// A handle on a database some other process created (not dropped afterwards).
    pub async fn existing(url: &str) -> TestDb {
        let store = Store::connect(url, 1).await.expect("connect");
        TestDb {
            store,
            url: url.to_string(),
            _dir: None,
            pg_schema: None,
        }
    }
}

/// Rows in a table, through a fresh connection.
pub async fn count_rows(url: &str, table: &str) -> i64 {
    let store = Store::connect(url, 1).await.expect("connect");
    let n = store.count_rows(table).await.expect("count");
    store.close().await;
    n
}

/// `created_at` of the jobs whose key starts with `prefix`.
pub async fn job_created_at(db: &TestDb, prefix: &str) -> Vec<i64> {
    let sql = "SELECT created_at FROM jobs WHERE key LIKE $1";
    let pattern = format!("{prefix}%");
    let rows: Vec<(i64,)> = if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql)
            .bind(&pattern)
            .fetch_all(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql)
            .bind(&pattern)
            .fetch_all(&mut c)
            .await
            .unwrap()
    };
    rows.into_iter().map(|r| r.0).collect()
}
