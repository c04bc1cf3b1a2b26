//! Agenda collection (issue 10).
//!
//! `cargo bench --bench agenda` (add `-- --quick` for 1,000 forums, 10,000 items and fewer
//! proposals; `-- --forums N --items-per-forum K --proposals P`; `-- --enforce` to fail the run
//! when a target is missed).
//!
//! (a) Propose → reply: what a `/agenda propose` modal submit runs once Discord has handed it
//!     over — `Services::agenda_propose` (forum, permissions, validation, the target meeting,
//!     one transaction) and the reply rendered for Discord — in process, open loop at 20
//!     proposals a second, against 10,000 forums (each weekly, with its next meeting stored) and
//!     100,000 stored items, seeded by bulk SQL. SQLite, and PostgreSQL when
//!     `SAMVERKAN_TEST_PG_URL` is set (a fresh schema, dropped after). Target: p99 ≤ 5 ms.
//! (b) Render: an agenda of 60 items and 10 standing items — `domain::agenda::render`, every
//!     block rendered with `DiscordRender`, and the split into ≤ 2000-character messages.
//!     Target: ≤ 2 ms (p99).

#[path = "common/mod.rs"]
mod common;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as ChronoDuration, NaiveDate, NaiveTime, TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::config::Config;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::agenda::{
    render, AgendaItem, AgendaView, Format, ItemId, ItemKind, ItemStatus, Place, Standing, Wants,
};
use samverkan::domain::ids::{ForumId, GuildId, RoleId, UserId};
use samverkan::domain::meeting::{MeetingId, MeetingState};
use samverkan::domain::recurrence::{parse_cadence, Recurrence};
use samverkan::i18n::Lang;
use samverkan::scheduler::live::LiveRefresh;
use samverkan::service::{Actor, ProposeItem, Services, Status};
use samverkan::store::Store;
use sqlx::Connection;

/// Forums per guild in the seed.
const PER_GUILD: u64 = 1000;
const GUILD0: u64 = 900_000_000_000_000_000;
const RATE: f64 = 20.0;
/// Proposals made before the measured ones, not counted.
const WARMUP: usize = 40;

struct Sizes {
    forums: u64,
    items_per_forum: u64,
    proposals: usize,
    renders: usize,
}

fn main() {
    let args = common::Args::parse();
    common::only_under_cargo_bench(&args, "agenda");
    let quick = args.quick;
    let sizes = Sizes {
        forums: args.get(
            "forums",
            "AGENDA_FORUMS",
            if quick { 1_000 } else { 10_000 },
        ),
        items_per_forum: args.get("items-per-forum", "AGENDA_ITEMS", 10),
        proposals: args.get(
            "proposals",
            "AGENDA_PROPOSALS",
            if quick { 100 } else { 600 },
        ),
        renders: args.get("renders", "AGENDA_RENDERS", if quick { 200 } else { 2000 }),
    };
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

async fn run(sizes: Sizes) -> bool {
    println!("machine: {}", common::machine());
    let mut rows = Vec::new();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();

    let dir = tempfile::tempdir().expect("temp dir");
    let db_url = format!("sqlite://{}/agenda.db", dir.path().display());
    let store = Store::open(&db_url, 4).await.expect("open sqlite");
    let t = Instant::now();
    let seed_pool = sqlx::SqlitePool::connect(&db_url).await.expect("seed pool");
    seed(&SeedConn::Sqlite(seed_pool), &sizes, now).await;
    println!(
        "seeded SQLite: {} forums, {} items in {:.1} s",
        sizes.forums,
        sizes.forums * sizes.items_per_forum,
        t.elapsed().as_secs_f64()
    );
    rows.push(propose_latency("SQLite", &store, &sizes, now).await);
    store.close().await;

    if let Some(pg) = std::env::var("SAMVERKAN_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        let schema = format!("bench_agenda_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&pg).await.expect("connect pg");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("create schema");
        let options = sqlx::postgres::PgConnectOptions::from_str(&pg)
            .expect("pg url")
            .options([("search_path", schema.as_str())]);
        let pstore = Store::connect_postgres(options.clone(), 4)
            .await
            .expect("pg");
        pstore.migrate().await.expect("migrate pg");
        let t = Instant::now();
        let seed_pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("seed pool");
        seed(&SeedConn::Postgres(seed_pool), &sizes, now).await;
        sqlx::query(&format!("ANALYZE {schema}.agenda_items"))
            .execute(&mut admin)
            .await
            .ok();
        println!("seeded PostgreSQL in {:.1} s", t.elapsed().as_secs_f64());
        rows.push(propose_latency("PostgreSQL", &pstore, &sizes, now).await);
        pstore.close().await;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut admin)
            .await
            .expect("drop schema");
    } else {
        println!("PostgreSQL: skipped (SAMVERKAN_TEST_PG_URL not set)");
    }

    rows.push(render_time(sizes.renders));
    println!(
        "\n| measure | figures (ms: min / p50 / p90 / p99 / max) | target | |\n|---|---|---|---|"
    );
    for r in &rows {
        println!("{r}");
    }
    !rows.iter().any(|r| r.contains(common::met(false)))
}

/// A weekly schedule (Mondays 10:00) as the forums table stores it.
fn schedule_json() -> String {
    let rec = Recurrence::new(
        parse_cadence("weekly mon").expect("cadence"),
        NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
        NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
        60,
        chrono_tz::Europe::Stockholm,
    )
    .expect("recurrence");
    serde_json::to_string(&rec).expect("json")
}

/// Forums (1000 per guild), each with its next meeting (Monday 14 December 2026 10:00,
/// Stockholm) stored, and `items_per_forum` items on it: three statements of bulk SQL.
async fn seed(url_conn: &SeedConn, sizes: &Sizes, now: DateTime<Utc>) {
    let starts = Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap();
    let n = sizes.forums as i64;
    let forums = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         INSERT INTO forums (guild_id, name, name_key, tier, channel_id, time_zone, created_at,
                             schedule)
         SELECT {GUILD0} + (i - 1) / {PER_GUILD}, 'Forum ' || i, 'forum ' || i, 'delivery',
                {GUILD0} + 500000 + i, 'Europe/Stockholm', {ms}, $1
         FROM n",
        ms = now.timestamp_millis()
    );
    let meetings = format!(
        "INSERT INTO meetings (forum_id, guild_id, occurrence, starts_at, ends_at, created_at)
         SELECT id, guild_id, 'r:2026-12-14', {s}, {e}, {ms} FROM forums",
        s = starts.timestamp_millis(),
        e = (starts + ChronoDuration::hours(1)).timestamp_millis(),
        ms = now.timestamp_millis()
    );
    let k = sizes.items_per_forum as i64;
    let items = format!(
        "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < {k})
         INSERT INTO agenda_items (guild_id, forum_id, meeting_id, kind, title, background, wants,
                                   proposer, status, position, created_at, updated_at)
         SELECT m.guild_id, m.forum_id, m.id, 'proposal', 'Seeded item ' || j, 'Background',
                'discussion', 1000 + j, 'accepted', j, {ms}, {ms}
         FROM meetings m, k",
        ms = now.timestamp_millis()
    );
    url_conn.exec(&forums, Some(schedule_json())).await;
    url_conn.exec(&meetings, None).await;
    url_conn.exec(&items, None).await;
}

/// A connection for seeding, beside the store's pool.
enum SeedConn {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl SeedConn {
    async fn exec(&self, sql: &str, bind: Option<String>) {
        match self {
            SeedConn::Sqlite(p) => {
                let mut q = sqlx::query(sql);
                if let Some(b) = &bind {
                    q = q.bind(b);
                }
                q.execute(p).await.expect("seed");
            }
            SeedConn::Postgres(p) => {
                let mut q = sqlx::query(sql);
                if let Some(b) = &bind {
                    q = q.bind(b);
                }
                q.execute(p).await.expect("seed");
            }
        }
    }
}

/// Proposals at `RATE` a second (open loop: each starts on its tick, whatever the last took)
/// to random forums; the latency of each from call to rendered reply.
async fn propose_latency(
    backend: &str,
    store: &Store,
    sizes: &Sizes,
    now: DateTime<Utc>,
) -> String {
    let clock = ManualClock::new(now);
    let services = Services::new(store.clone(), Arc::new(clock), Arc::new(Config::default()));
    // As `app::services` makes them: a change to a live document (the agenda, the triage
    // list) queues its refresh job.
    let live = Arc::new(LiveRefresh::new(&services));
    let services = services.with_live(live);
    let mut lat = Vec::with_capacity(sizes.proposals);
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / RATE));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut handles = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    // The first WARMUP proposals are not counted: a running bot has its connections open,
    // its statements prepared and its message catalogue loaded.
    for i in 0..WARMUP + sizes.proposals {
        ticker.tick().await;
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let f = seed % sizes.forums + 1;
        let guild = GuildId(GUILD0 + (f - 1) / PER_GUILD);
        let s = services.clone();
        handles.push(tokio::spawn(async move {
            let actor = Actor {
                guild,
                user: UserId(5000 + i as u64),
                roles: vec![RoleId(1)],
                manage_guild: false,
            };
            let req = ProposeItem {
                forum: Some(format!("Forum {f}")),
                title: format!("Leveransstatus {i}"),
                background: "Bakgrund ".repeat(20),
                wants: "beslut".into(),
                minutes: Some(15),
                ..ProposeItem::default()
            };
            let t = Instant::now();
            // As the modal's submit runs it (`Services::run_presented`: the guild's language
            // read while the use case runs).
            let p = s
                .run_presented(Some(guild), s.agenda_propose(&actor, req), &DiscordRender)
                .await;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            (ms, p)
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        let (ms, p) = h.await.expect("task");
        if p.status != Status::Ok {
            common::fail(&format!("a proposal failed: {}", p.text));
        }
        if i >= WARMUP {
            lat.push(ms);
        }
    }

    let [min, p50, p90, p99, max] = common::summary(&mut lat);
    format!(
        "| propose → reply, {backend}, {} forums, {} items, {RATE}/s × {} | {min:.2} / {p50:.2} / {p90:.2} / {p99:.2} / {max:.2} | p99 ≤ 5 ms | {} |",
        sizes.forums,
        sizes.forums * sizes.items_per_forum,
        sizes.proposals,
        common::met(p99 <= 5.0)
    )
}

/// Render an agenda of 60 items and 10 standing items for Discord and split it.
fn render_time(iterations: usize) -> String {
    let start = Utc.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).unwrap();
    let standing: Vec<Standing> = (0..10)
        .map(|i| Standing {
            title: format!("Stående punkt {i}"),
            place: if i < 7 { Place::Start } else { Place::End },
            position: i,
        })
        .collect();
    let items: Vec<AgendaItem> = (0..60)
        .map(|i| AgendaItem {
            id: ItemId(1000 + i),
            guild: GuildId(1),
            forum: ForumId(1),
            meeting: MeetingId(1),
            kind: if i % 10 == 9 {
                ItemKind::Question
            } else {
                ItemKind::Proposal
            },
            title: format!(
                "Punkt {i}: leveransstatus för **system** <@&1> @everyone och lite till"
            ),
            background: String::new(),
            wants: Wants::Decision,
            minutes: Some(10),
            proposer: UserId(7),
            organisation: Some(RoleId(3)),
            source: None,
            status: if i % 7 == 0 {
                ItemStatus::Proposed
            } else {
                ItemStatus::Accepted
            },
            reason: None,
            merged_into: None,
            late_for: None,
            position: i,
            timebox: (i % 3 == 0).then_some(15),
            presenter: (i % 2 == 0).then(|| "Anna Andersson".to_string()),
            carried: i % 5,
            version: 1,
            created_at: start,
        })
        .collect();
    let mut times = Vec::with_capacity(iterations);
    let mut chunks = 0;
    for k in 0..iterations {
        let t = Instant::now();
        let view = AgendaView {
            forum_name: "Leveransforum",
            starts_at: start,
            zone: chrono_tz::Europe::Stockholm,
            state: MeetingState::Scheduled,
            cancel_reason: None,
            deadline: start - ChronoDuration::days(3),
            published: true,
            format: (k % 2 == 1).then_some(Format::A3),
            standing: &standing,
            items: &items,
        };
        let blocks: Vec<String> = render(&view)
            .iter()
            .map(|m| m.render_with(Lang::Sv, &DiscordRender))
            .collect();
        let split = samverkan::render::split_blocks(&DiscordRender, &blocks, 2000);
        chunks = split.len();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let [min, p50, p90, p99, max] = common::summary(&mut times);
    format!(
        "| render 60 + 10 standing for Discord and split ({chunks} messages) × {iterations} | {min:.3} / {p50:.3} / {p90:.3} / {p99:.3} / {max:.3} | ≤ 2 ms | {} |",
        common::met(p99 <= 2.0)
    )
}
