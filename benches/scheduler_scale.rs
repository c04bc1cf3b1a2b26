//! Scale: 100,000 active forums with their meetings and pending reminders, seeded through the
//! same planning code as `/forum edit` (issues 3 and 8).
//!
//! `cargo bench --bench scheduler_scale` (add `-- --quick` for 10,000 forums and shorter runs,
//! `-- --enforce` to fail the run when a target is missed).
//!
//! (a) Finding due work: `Store::next_due_at` and `Store::claim_due`, the two queries of one
//!     round of the scheduler loop, timed in-process with nothing due and with three jobs due.
//!     On PostgreSQL too when `SAMVERKAN_TEST_PG_URL` is set (a fresh schema, dropped after).
//! (b) Start-up to ready: the release binary against the Discord test double on that SQLite
//!     database; "ready" is the first slash command (`/forum list`) answered, timed from spawn.
//!     Three starts against one double: the first registers the commands, the others are
//!     restarts (as in production, the commands are already registered).
//! (c) Idle CPU: after ready, the bot's user+system CPU time (`/proc/<pid>/stat`) over an idle
//!     stretch, as a share of one core.

#[path = "../tests/support/bot.rs"]
mod bot;
#[path = "common/mod.rs"]
mod common;
#[path = "../tests/support/discord_double.rs"]
mod double;
#[path = "../tests/support/forums.rs"]
mod forums;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use double::{DiscordDouble, GuildSpec};
use samverkan::config::Config;
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId};
use samverkan::domain::recurrence::{Cadence, Recurrence};
use samverkan::domain::reminder::ReminderPolicy;
use samverkan::service::Services;
use samverkan::store::{JobState, NewJob, ScheduleUpdate, Store};
use sqlx::Connection;

const GUILD: u64 = 2_000_000_000_000_000_001;
const CHANNEL: u64 = 4_000_000_000_000_000_001;
/// Seeded forums live in guilds of this many forums each.
const PER_GUILD: u64 = 1000;
const T: Duration = Duration::from_secs(30);

struct Sizes {
    forums: u64,
    iterations: usize,
    startups: usize,
    idle: Duration,
    /// Print PostgreSQL's plans of the due-work queries.
    explain: bool,
}

fn main() {
    let args = common::Args::parse();
    common::only_under_cargo_bench(&args, "scheduler_scale");
    if args.help() {
        println!(
            "scheduler_scale [--quick] [--enforce] [--forums N] [--explain]\n\
             100,000 forums (--quick: 10,000; --forums N: N) seeded through the planning code on\n\
             SQLite, copied to PostgreSQL when SAMVERKAN_TEST_PG_URL is set; --explain prints\n\
             PostgreSQL's plans of the due-work queries"
        );
        return;
    }
    let quick = args.quick;
    let forums: u64 = args.get("forums", "SAMVERKAN_BENCH_FORUMS", 0);
    let explain = args.explain;
    let mut sizes = if quick {
        Sizes {
            forums: 10_000,
            iterations: 300,
            startups: 1,
            idle: Duration::from_secs(10),
            explain: false,
        }
    } else {
        Sizes {
            forums: 100_000,
            iterations: 2000,
            startups: 3,
            idle: Duration::from_secs(30),
            explain: false,
        }
    };
    if forums > 0 {
        sizes.forums = forums;
    }
    sizes.explain = explain;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let met = rt.block_on(run(sizes));
    if args.enforce && !met {
        common::fail("a target was missed");
    }
}

/// Whether every target was met.
async fn run(sizes: Sizes) -> bool {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_url = format!("sqlite://{}/scale.db", dir.path().display());
    let store = Store::open(&db_url, 4).await.expect("open sqlite");
    let now = Utc::now();
    let seeded = Instant::now();
    let pending = seed(&store, sizes.forums, now).await;
    println!(
        "seeded SQLite through the planning code: {} forums, {pending} pending jobs in {:.1} s",
        sizes.forums,
        seeded.elapsed().as_secs_f64()
    );
    let mut rows = Vec::new();
    rows.extend(finding_due_work("SQLite", &store, sizes.iterations).await);
    store.close().await;

    if let Some(pg) = std::env::var("SAMVERKAN_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        let schema = format!("bench_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&pg).await.expect("connect pg");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("create schema");
        let options = sqlx::postgres::PgConnectOptions::from_str(&pg)
            .expect("pg url")
            .options([("search_path", schema.as_str())]);
        let pstore = Store::connect_postgres(options, 4).await.expect("pg");
        pstore.migrate().await.expect("migrate pg");
        let seeded = Instant::now();
        sqlx::query(&format!("SET search_path TO {schema}"))
            .execute(&mut admin)
            .await
            .expect("search path");
        let copied = copy_to_postgres(&db_url, &mut admin).await;
        sqlx::query("ANALYZE")
            .execute(&mut admin)
            .await
            .expect("analyze");
        let pending = pstore.count_pending_jobs().await.expect("count");
        println!(
            "seeded PostgreSQL with the same rows (copied from SQLite, {copied} rows): {pending} pending jobs in {:.1} s",
            seeded.elapsed().as_secs_f64()
        );
        if sizes.explain {
            explain_due_work(&mut admin).await;
        }
        rows.extend(finding_due_work("PostgreSQL", &pstore, sizes.iterations).await);
        pstore.close().await;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut admin)
            .await
            .expect("drop schema");
    } else {
        println!("PostgreSQL: skipped (SAMVERKAN_TEST_PG_URL not set)");
    }

    let (startup, idle) = startup_and_idle(&db_url, dir.path(), &sizes).await;
    rows.push(startup);
    rows.push(idle);
    println!("\n| measure | figures | target | |\n|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }
    !rows.iter().any(|r| r.contains(common::met(false)))
}

/// `forums` forums, 1000 per guild, each weekly (or every second or third week) at a spread of
/// days and times with reminders 1 day, 1 hour and 10 minutes before; plus one forum in the
/// double's guild for `/forum list`. Their meetings, reminder, event and planning jobs are made
/// by the same planning code as `/forum edit` (`Services::plan_forum_in`, what
/// `Services::plan_forum` runs in its transaction), `SEED_BATCH` forums to a transaction
/// (one each took 191 s for 10,000 on PostgreSQL). What is due now (Discord events, agendas
/// whose deadline passed) is then recorded as done, as a running bot would have done long ago,
/// so the database is in the steady state the figures are about. Returns the pending jobs.
async fn seed(store: &Store, forums: u64, now: DateTime<Utc>) -> u64 {
    let policy = ReminderPolicy::parse("1d, 1h, 10m").expect("policy");
    let anchor = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
    let services = Services::new(
        store.clone(),
        Arc::new(samverkan::clock::SystemClock),
        Arc::new(Config::default()),
    );
    let mut tx = store.begin().await.expect("begin");
    for i in 0..=forums {
        let (guild, name) = if i == forums {
            (GUILD, "Leveransforum".to_string())
        } else {
            (
                3_000_000_000_000_000_000 + i / PER_GUILD,
                format!("Forum {i}"),
            )
        };
        let f = tx
            .create_forum(&NewForum {
                guild: GuildId(guild),
                name,
                tier: "delivery".into(),
                channel: ChannelId(CHANNEL + i),
                time_zone: chrono_tz::Europe::Stockholm,
                escalates_to: None,
                chair_role: None,
                created_at: now,
            })
            .await
            .expect("create forum");
        let weekday = [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ][(i % 5) as usize];
        let start = NaiveTime::from_hms_opt(8 + (i % 9) as u32, 15 * (i % 4) as u32, 0).unwrap();
        let rec = Recurrence::new(
            Cadence::Weekly {
                interval: 1 + (i % 3) as u32,
                weekday,
            },
            anchor,
            start,
            60,
            chrono_tz::Europe::Stockholm,
        )
        .expect("recurrence");
        let update = ScheduleUpdate {
            schedule: Some(rec),
            reminders: Some(policy.clone()),
            participant_role: None,
        };
        tx.set_forum_schedule(&f, &update).await.expect("schedule");
        let planned = tx
            .forum(f.guild, f.id)
            .await
            .expect("forum")
            .expect("the forum just made");
        services
            .plan_forum_in(&mut tx, &planned, now)
            .await
            .expect("plan the forum's meetings");
        if (i + 1) % SEED_BATCH == 0 {
            tx.commit().await.expect("commit");
            tx = store.begin().await.expect("begin");
        }
        if i % 10_000 == 0 && i > 0 {
            println!("  … {i} forums planned");
        }
    }
    tx.commit().await.expect("commit");
    // What is due now (Discord events to mirror, agendas whose deadline passed) was done long
    // ago in a running system.
    let worker = "seed:0:000000";
    let mut done: std::collections::BTreeMap<String, u64> = Default::default();
    loop {
        let claimed = store
            .claim_due(now, chrono::Duration::seconds(600), worker, 500)
            .await
            .expect("claim");
        if claimed.is_empty() {
            break;
        }
        for j in claimed {
            assert!(
                ["event", "agenda_publish"].contains(&j.kind.as_str()),
                "only Discord events and agenda publications are due at once: {j:?}"
            );
            *done.entry(j.kind.clone()).or_default() += 1;
            store
                .finish_job(j.id, worker, JobState::Done, "done (seeded)", now)
                .await
                .expect("finish");
        }
    }
    println!("  due at once, recorded as done: {done:?}");
    store.count_pending_jobs().await.expect("count")
}

/// Forums planned per transaction while seeding.
const SEED_BATCH: u64 = 1000;

/// Copies every table the seeding wrote from the SQLite database into the (migrated, empty)
/// PostgreSQL schema `pg` is set to, a few thousand rows per statement
/// (`json_populate_recordset` turns each row into the table's types), so both backends hold
/// the same rows, made by the planning code. Returns the rows copied.
async fn copy_to_postgres(sqlite_url: &str, pg: &mut sqlx::PgConnection) -> u64 {
    use sqlx::{Column, Row, TypeInfo, ValueRef};
    let src = sqlx::SqlitePool::connect(sqlite_url)
        .await
        .expect("open the seeded SQLite database");
    // In creation order: a table another refers to was made first.
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name <> '_sqlx_migrations' ORDER BY rowid",
    )
    .fetch_all(&src)
    .await
    .expect("tables");
    // SQLite's own search tables (FTS5 and its shadow tables) have no PostgreSQL twin: the
    // search column there is kept by the database itself.
    let pg_tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
    )
    .fetch_all(&mut *pg)
    .await
    .expect("PostgreSQL tables");
    let pg_tables: std::collections::HashSet<String> =
        pg_tables.into_iter().map(|(t,)| t).collect();
    let mut copied = 0;
    for (table,) in tables.into_iter().filter(|(t,)| pg_tables.contains(t)) {
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT rowid AS bench_rowid, * FROM {table} WHERE rowid > $1 ORDER BY rowid LIMIT 5000"
            ))
            .bind(after)
            .fetch_all(&src)
            .await
            .expect("read rows");
            let Some(last) = rows.last() else { break };
            after = last.get::<i64, _>(0);
            let json: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    let mut o = serde_json::Map::new();
                    for (i, c) in row.columns().iter().enumerate().skip(1) {
                        let raw = row.try_get_raw(i).expect("value");
                        let v = if raw.is_null() {
                            serde_json::Value::Null
                        } else {
                            match raw.type_info().name() {
                                "INTEGER" => row.get::<i64, _>(i).into(),
                                "REAL" => row.get::<f64, _>(i).into(),
                                "TEXT" => row.get::<String, _>(i).into(),
                                other => panic!("{table}.{}: cannot copy {other}", c.name()),
                            }
                        };
                        o.insert(c.name().to_string(), v);
                    }
                    serde_json::Value::Object(o)
                })
                .collect();
            copied += sqlx::query(&format!(
                "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)"
            ))
            .bind(serde_json::Value::Array(json).to_string())
            .execute(&mut *pg)
            .await
            .unwrap_or_else(|e| panic!("copy {table} to PostgreSQL: {e}"))
            .rows_affected();
        }
        // Ids were copied as they were: the sequences go on from the highest.
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}
             WHERE EXISTS (SELECT 1 FROM information_schema.columns
                           WHERE table_schema = current_schema() AND table_name = '{table}'
                             AND column_name = 'id')"
        ))
        .execute(&mut *pg)
        .await
        .ok();
    }
    src.close().await;
    copied
}

/// PostgreSQL's plans of the scheduler's due-work queries on the seeded database: as run once
/// (EXPLAIN ANALYZE of the reads) and as a prepared statement's generic plan (what a pooled
/// connection uses after a few executions), nothing changed.
async fn explain_due_work(pg: &mut sqlx::PgConnection) {
    let now = Utc::now().timestamp_millis();
    let show = |title: &str, rows: Vec<(String,)>| {
        println!("\n{title}:");
        for (line,) in rows {
            println!("    {line}");
        }
    };
    for (title, sql) in [
        (
            "claim, pending part (EXPLAIN ANALYZE)",
            format!("EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM jobs WHERE state = 'pending' AND due_at <= {now} ORDER BY due_at LIMIT 64 FOR UPDATE SKIP LOCKED"),
        ),
        (
            "claim, lease-expired part (EXPLAIN ANALYZE)",
            format!("EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM jobs WHERE state = 'running' AND lease_until <= {now} ORDER BY lease_until LIMIT 64 FOR UPDATE SKIP LOCKED"),
        ),
        (
            "next_due_at (EXPLAIN ANALYZE)",
            "EXPLAIN (ANALYZE, BUFFERS) SELECT (SELECT MIN(due_at) FROM jobs WHERE state = 'pending'), (SELECT MIN(lease_until) FROM jobs WHERE state = 'running')".to_string(),
        ),
    ] {
        let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut *pg).await.expect("explain");
        show(title, rows);
    }
    let claim = samverkan::store::claim_due_sql(samverkan::store::Backend::Postgres, 64);
    sqlx::raw_sql(&format!(
        "SET plan_cache_mode = force_generic_plan; PREPARE bench_claim AS {claim}"
    ))
    .execute(&mut *pg)
    .await
    .expect("prepare");
    let rows: Vec<(String,)> = sqlx::query_as(&format!(
        "EXPLAIN EXECUTE bench_claim({now}, 'explain', {now})"
    ))
    .fetch_all(&mut *pg)
    .await
    .expect("explain generic");
    show(
        "claim_due as a prepared statement, generic plan (EXPLAIN)",
        rows,
    );
    sqlx::raw_sql("DEALLOCATE bench_claim; RESET plan_cache_mode")
        .execute(&mut *pg)
        .await
        .expect("deallocate");
}

fn row(what: &str, v: &mut [f64], target_ms: f64) -> String {
    let [min, p50, _p90, p99, max] = common::summary(v);
    let s = format!(
        "| {what} | min {min:.3} ms, p50 {p50:.3} ms, p99 {p99:.3} ms, max {max:.3} ms (n = {}) | p99 ≤ {target_ms} ms | {} |",
        v.len(),
        common::met(p99 <= target_ms)
    );
    println!("{s}");
    s
}

/// Times the scheduler's two queries with nothing due, and `claim_due` with three jobs due.
async fn finding_due_work(backend: &str, store: &Store, iterations: usize) -> Vec<String> {
    let lease = chrono::Duration::seconds(60);
    let worker = "bench:1:000000";
    let now = Utc::now();
    // Warm-up.
    for _ in 0..20 {
        store.next_due_at().await.expect("next_due_at");
        store
            .claim_due(now, lease, worker, 64)
            .await
            .expect("claim");
    }
    let (mut next, mut idle_claim, mut round) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..iterations {
        let t = Instant::now();
        let claimed = store
            .claim_due(now, lease, worker, 64)
            .await
            .expect("claim");
        let c = t.elapsed();
        assert!(claimed.is_empty(), "nothing is due");
        let t2 = Instant::now();
        let n = store.next_due_at().await.expect("next_due_at");
        let nd = t2.elapsed();
        assert!(n.is_some_and(|n| n > now));
        idle_claim.push(c.as_secs_f64() * 1000.0);
        next.push(nd.as_secs_f64() * 1000.0);
        round.push((c + nd).as_secs_f64() * 1000.0);
    }
    let mut busy_claim = Vec::new();
    for i in 0..iterations {
        // At the same `now` as above: the wall clock moves on during a long run, and the
        // seeded reminders of 100,000 forums fall due every few minutes; they would be claimed
        // with the three.
        let due = now - chrono::Duration::seconds(1);
        let jobs: Vec<NewJob> = (0..3)
            .map(|k| NewJob {
                kind: "bench".into(),
                key: format!("bench:{backend}:{i}:{k}"),
                due_at: due,
                payload: serde_json::json!({}),
            })
            .collect();
        store.enqueue_many(&jobs, due).await.expect("enqueue");
        let t = Instant::now();
        let claimed = store
            .claim_due(now, lease, worker, 64)
            .await
            .expect("claim");
        busy_claim.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(claimed.len(), 3);
        for j in claimed {
            store
                .finish_job(
                    j.id,
                    worker,
                    samverkan::store::JobState::Done,
                    "bench",
                    Utc::now(),
                )
                .await
                .expect("finish");
        }
    }
    println!("\nfinding due work, {backend}:");
    vec![
        row(
            &format!("{backend}: claim_due, nothing due"),
            &mut idle_claim,
            2.0,
        ),
        row(&format!("{backend}: next_due_at"), &mut next, 2.0),
        row(
            &format!("{backend}: one idle round (claim_due + next_due_at)"),
            &mut round,
            2.0,
        ),
        row(
            &format!("{backend}: claim_due, 3 due"),
            &mut busy_claim,
            2.0,
        ),
    ]
}

/// Start-up to ready (several starts), then idle CPU of the last one.
async fn startup_and_idle(db_url: &str, dir: &std::path::Path, sizes: &Sizes) -> (String, String) {
    // One Discord for all starts: later starts are restarts, as in production (the commands
    // stay registered, so the bot does not register them again).
    let d = DiscordDouble::start(vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![(CHANNEL + sizes.forums, "leveransforum".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }])
    .await;
    let env = bot::BotEnv {
        api: d.base_url(),
        db_url: db_url.to_string(),
        test_guild: GUILD,
        log_dir: dir.to_path_buf(),
        extra: vec![],
    };
    let mut ready_ms = Vec::new();
    let mut last: Option<bot::Bot> = None;
    for run in 0..sizes.startups {
        if let Some(mut previous) = last.take() {
            let status = previous.terminate(T);
            assert!(status.success(), "{status:?}\n{}", previous.log_text());
        }
        let identified = d.identify_count();
        let t0 = Instant::now();
        let bot = env.spawn(&format!("start{run}"));
        while d.identify_count() == identified {
            assert!(t0.elapsed() < T, "no IDENTIFY\n{}", bot.log_text());
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let t_identified = t0.elapsed();
        if run == 0 {
            d.wait_commands_registered(T).await.expect("commands");
        }
        let t_registered = t0.elapsed();
        let listed = forums::say(
            &d,
            GUILD,
            CHANNEL + sizes.forums,
            &["forum", "list"],
            vec![],
        )
        .await;
        let t_answered = t0.elapsed();
        assert!(listed.contains("Leveransforum"), "{listed}");
        println!(
            "start-up {}{}: IDENTIFY {:.0} ms, commands registered {:.0} ms, /forum list answered {:.0} ms",
            run + 1,
            if run == 0 { " (first, registers commands)" } else { " (restart)" },
            t_identified.as_secs_f64() * 1000.0,
            t_registered.as_secs_f64() * 1000.0,
            t_answered.as_secs_f64() * 1000.0
        );
        ready_ms.push(t_answered.as_secs_f64() * 1000.0);
        last = Some(bot);
    }
    let [min, p50, _, _, max] = common::summary(&mut ready_ms);
    let startup = format!(
        "| start-up to ready (spawn → first `/forum list` answered), {} starts | min {min:.0} ms, median {p50:.0} ms, max {max:.0} ms | ≤ 2000 ms | {} |",
        ready_ms.len(),
        common::met(max <= 2000.0)
    );
    println!("{startup}");

    let mut bot = last.expect("a bot");
    // Settle a moment after the answer, then measure idling.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = bot.pid();
    let (c0, t0) = (common::cpu_time(pid).expect("cpu time"), Instant::now());
    tokio::time::sleep(sizes.idle).await;
    let (c1, t1) = (common::cpu_time(pid).expect("cpu time"), Instant::now());
    let share = (c1 - c0).as_secs_f64() / (t1 - t0).as_secs_f64() * 100.0;
    let idle = format!(
        "| idle CPU after ready, {:.0} s | {:.2} % of one core ({:.0} ms CPU) | ≤ 1 % | {} |",
        (t1 - t0).as_secs_f64(),
        share,
        (c1 - c0).as_secs_f64() * 1000.0,
        common::met(share <= 1.0)
    );
    println!("{idle}");
    bot.terminate(T);
    (startup, idle)
}
