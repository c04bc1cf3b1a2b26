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
