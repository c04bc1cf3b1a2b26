//! Issue 11's minutes figure: drafting the minutes of a meeting with 30 agenda items, 50
//! decisions and 50 actions. Target: ≤ 20 ms.
//!
//! 1. The pure draft (`domain::minutes::draft` and the Markdown it writes) from a ready input.
//! 2. The whole use case `/minutes draft` (`Services::minutes`: forum and meeting lookup, the
//!    record read from the store, the draft, the diff against the stored version, the write of
//!    the new version in one transaction, the reply), regenerated again and again on SQLite and
//!    (when a PostgreSQL URL is given) on PostgreSQL.
//!
//! ```text
//! cargo bench --bench minutes                  # 2,000 pure drafts, 200 use cases a backend
//! cargo bench --bench minutes -- --quick       # 200 and 20
//! cargo bench --bench minutes -- --runs 500 --pg-url postgres://…
//! cargo bench --bench minutes -- --enforce     # exit 1 when the target is missed
//! ```
//! PostgreSQL: `--pg-url` or `SAMVERKAN_TEST_PG_URL` (a fresh schema is made and dropped).

mod common;

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime, Utc};
use common::{met, summary, Args};
use samverkan::clock::SystemClock;
use samverkan::config::Config;
use samverkan::domain::agenda::{ItemKind, ItemStatus, NewItem, Wants};
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, GuildId, UserId};
use samverkan::domain::meeting::{MeetingState, OccurrenceKey};
use samverkan::domain::minutes::{
    draft, ActionLine, DecisionLine, ItemInput, MinutesInput, Person,
};
use samverkan::domain::record::{NewAction, NewDecision};
use samverkan::i18n::Lang;
use samverkan::render::Plain;
use samverkan::service::minutes::{labels, MinutesDoc, MinutesOp, MinutesRequest};
use samverkan::service::{Actor, Services, Status};
use samverkan::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;

const G: GuildId = GuildId(900_000_000_000_000_001);
const TARGET_MS: f64 = 20.0;
const ITEMS: i64 = 30;
const DECISIONS: usize = 50;
const ACTIONS: usize = 50;

const PARAGRAPH: &str = "Leverantörerna lyfte frågan om uppföljningen av leveranserna under \
kvartalet. Beställaren redovisade avvikelser, åtgärder och den fortsatta planen; parterna \
diskuterade hur rapporteringen kan förbättras till nästa möte.";

fn main() {
    let args = Args::parse();
    common::only_under_cargo_bench(&args, "minutes");
    if args.help() {
        println!(
            "{}",
            include_str!("minutes.rs")
                .lines()
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        );
        return;
    }
    let pure_runs: usize = args.get(
        "pure-runs",
        "MINUTES_BENCH_PURE",
        if args.quick { 200 } else { 2_000 },
    );
    let runs: usize = args.get(
        "runs",
        "MINUTES_BENCH_RUNS",
        if args.quick { 20 } else { 200 },
    );
    let pg_url: String = args.get("pg-url", "SAMVERKAN_TEST_PG_URL", String::new());
    println!("minutes benchmark on {}", common::machine());
    let mut ok = pure(pure_runs);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/bench.db", dir.path().display());
        let store = Store::open(&url, 4).await.expect("sqlite");
        ok &= use_case(&store, "SQLite", runs).await;
        store.close().await;
        if pg_url.is_empty() {
            println!("PostgreSQL: no --pg-url / SAMVERKAN_TEST_PG_URL given: not measured");
            return;
        }
        let schema = format!("bench_minutes_{}", std::process::id());
        let mut admin = sqlx::PgConnection::connect(&pg_url).await.expect("pg");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .await
            .expect("schema");
        let options = PgConnectOptions::from_str(&pg_url)
            .expect("pg url")
            .options([("search_path", schema.as_str())]);
        let store = Store::connect_postgres(options, 8).await.expect("pg");
        store.migrate().await.expect("migrate");
        ok &= use_case(&store, "PostgreSQL", runs).await;
        store.close().await;
        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .execute(&mut admin)
            .await;
    });
    if args.enforce && !ok {
        common::fail("a target was missed");
    }
}

fn input() -> MinutesInput {
    let d = |n: usize| NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() + chrono::Days::new(n as u64);
    let mut items: Vec<ItemInput> = (1..=ITEMS)
        .map(|p| ItemInput {
            position: p,
            title: format!("Punkt {p}: leveransuppföljning"),
            notes: vec![PARAGRAPH.to_string(), PARAGRAPH.to_string()],
            decisions: vec![],
        })
        .collect();
    for i in 0..DECISIONS {
        let n = items.len();
        items[i % n].decisions.push(DecisionLine {
            number: format!("LF-2026-{:02}", i + 1),
            title: format!("Beslut {i} om leveransplanen"),
            text: PARAGRAPH.to_string(),
        });
    }
    MinutesInput {
        forum: "Leveransforum".into(),
        date: d(0),
        place: "Digital Teams".into(),
        start: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        attendees: (0..20)
            .map(|i| {
                Person::new(
                    &format!("Person {i}"),
                    Some("Leverantör AB"),
                    Some("kundansvarig"),
                )
            })
            .collect(),
        absentees: vec![Person::new("Frånvarande Person", Some("Staden"), None)],
        guests: vec![],
        consent: Some((20, 20)),
        opening: vec![PARAGRAPH.to_string()],
        items,
        other_decisions: vec![],
        actions: (0..ACTIONS)
            .map(|i| ActionLine {
                what: format!("Åtgärd {i}: skicka underlag"),
                who: format!("Person {}", i % 20),
                due: d(14 + i % 30),
            })
            .collect(),
        escalations: vec![],
        next_meeting: Some("2027-01-05 10:00".into()),
        chair: Some("Person 0".into()),
        secretary: Some("Person 1".into()),
    }
}

fn pure(runs: usize) -> bool {
    let input = input();
    let l = labels(Lang::Sv);
    let mut ms = Vec::with_capacity(runs);
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let md = draft(&input, &l).to_markdown();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        bytes = md.len();
    }
    let [min, p50, p90, p99, max] = summary(&mut ms);
    let ok = p99 <= TARGET_MS;
    println!(
        "pure draft, {ITEMS} items / {DECISIONS} decisions / {ACTIONS} actions ({bytes} bytes of Markdown), {runs} runs: min {min:.3}, p50 {p50:.3}, p90 {p90:.3}, p99 {p99:.3}, max {max:.3} ms (target p99 ≤ {TARGET_MS} ms: {})",
        met(ok)
    );
    ok
}

/// Seeds one forum with a held meeting of 30 accepted items, 50 decisions, 50 actions.
async fn seed(store: &Store) {
    let now = Utc::now();
    let f = store
        .create_forum(&NewForum {
            guild: G,
            name: "Leveransforum".into(),
            tier: "delivery".into(),
            channel: ChannelId(1),
            time_zone: chrono_tz::Europe::Stockholm,
            escalates_to: None,
            chair_role: None,
            created_at: now,
        })
        .await
        .expect("forum");
    let starts = now - chrono::Duration::hours(3);
    let m = store
        .ensure_meeting(
            &f,
            &OccurrenceKey::Extra(1),
            starts,
            starts + chrono::Duration::hours(2),
            now,
        )
        .await
        .expect("meeting");
    for p in 1..=ITEMS {
        let item = store
            .insert_item(&NewItem {
                guild: G,
                forum: f.id,
                meeting: m.id,
                kind: ItemKind::Proposal,
                title: format!("Punkt {p}: leveransuppföljning"),
                background: PARAGRAPH.into(),
                wants: Wants::Discussion,
                minutes: Some(10),
                proposer: UserId(2),
                organisation: None,
                source: None,
                late_for: None,
                created_at: now,
            })
            .await
            .expect("item");
        let accepted = samverkan::domain::agenda::AgendaItem {
            status: ItemStatus::Accepted,
            ..item
        };
        assert!(store.update_item(&accepted, now).await.expect("accept"));
    }
    assert!(store
        .advance_meeting(&m, MeetingState::Open)
        .await
        .expect("open"));
    let m = store
        .meeting_by_id(m.id)
        .await
        .expect("read")
        .expect("meeting");
    for i in 0..DECISIONS {
        store
            .record_decision(&NewDecision {
                guild: G,
                forum: f.id,
                meeting: m.id,
                code: "LF".into(),
                year: 2026,
                title: format!("Beslut {i} om leveransplanen"),
                text: PARAGRAPH.into(),
                agenda_item: Some(1 + (i as i64 % ITEMS)),
                supersedes: None,
                recorded_by: UserId(1),
                recorded_at: now,
            })
            .await
            .expect("decision");
    }
    let mut tx = store.begin().await.expect("begin");
    for i in 0..ACTIONS {
        tx.insert_action(&NewAction {
            guild: G,
            forum: f.id,
            meeting: Some(m.id),
            what: format!("Åtgärd {i}: skicka underlag"),
            owner: UserId(10 + (i as u64 % 20)),
            due: now.date_naive() + chrono::Days::new(14 + (i as u64 % 30)),
            created_by: UserId(1),
            created_at: now,
        })
        .await
        .expect("action");
    }
    tx.commit().await.expect("commit");
    assert!(store
        .advance_meeting(&m, MeetingState::Held)
        .await
        .expect("held"));
}

async fn use_case(store: &Store, backend: &str, runs: usize) -> bool {
    seed(store).await;
    let s = Services::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(Config::default()),
    );
    let actor = Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    };
    let req = || MinutesRequest {
        doc: MinutesDoc {
            forum: "Leveransforum".into(),
            ..MinutesDoc::default()
        },
        op: MinutesOp::Draft,
    };
    let mut ms = Vec::with_capacity(runs);
    for i in 0..=runs {
        let t = Instant::now();
        // As a slash command runs it (`Services::run_presented`: the guild's language read
        // while the use case runs).
        let p = s
            .run_presented(Some(G), s.minutes(&actor, req()), &Plain::default())
            .await;
        let took = t.elapsed();
        assert_eq!(p.status, Status::Ok, "{}", p.text);
        // The first draft inserts; every later run regenerates (the measured case).
        if i > 0 {
            ms.push(took.as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let [min, p50, p90, p99, max] = summary(&mut ms);
    let ok = p99 <= TARGET_MS;
    println!(
        "/minutes draft on {backend}, {ITEMS} items / {DECISIONS} decisions / {ACTIONS} actions, {runs} regenerations: min {min:.2}, p50 {p50:.2}, p90 {p90:.2}, p99 {p99:.2}, max {max:.2} ms (target p99 ≤ {TARGET_MS} ms: {})",
        met(ok)
    );
    ok
}
