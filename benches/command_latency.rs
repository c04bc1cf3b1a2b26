//! Slash command to first response, with a database write: `/forum create` at a steady rate
//! against the real release binary on SQLite (issue 2: p99 <= 5 ms at 20 commands/s).
//!
//! ```sh
//! cargo bench --bench command_latency                     # 30 s at 20/s after 2 s warm-up
//! cargo bench --bench command_latency -- --quick          # 5 s
//! cargo bench --bench command_latency -- --rate 50 --duration 60 --warmup 40 --enforce
//! ```
//! Latency is measured inside the test double, from the moment it hands the INTERACTION_CREATE
//! to the gateway connection to the moment it receives the bot's interaction callback (Discord's
//! "first response"). Commands are sent open-loop on a fixed schedule, whether or not earlier
//! ones were answered, so a slow answer cannot hide the ones queued behind it.
//! Every command must be answered publicly with "forum created", and the database must hold
//! exactly one forum per command; otherwise the benchmark fails.

#[path = "../tests/support/discord_double.rs"]
mod double;

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{fail, percentile, Args, Bot};
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt, ResponseKind, PERM_MANAGE_GUILD};

const GUILD: u64 = 1_200_000_000_000_000_000;
const ADMIN: u64 = 1_200_000_000_000_900_001;
const TARGET_P99_MS: f64 = 5.0;

fn channel(i: u64) -> u64 {
    GUILD + 1_000 + i
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.help() {
        println!(
            "command_latency [--quick] [--rate N/s] [--duration S] [--warmup N] [--enforce]\n\
             env: SAMVERKAN_BENCH_RATE, SAMVERKAN_BENCH_DURATION, SAMVERKAN_BENCH_WARMUP, \
             SAMVERKAN_BENCH_QUICK=1, SAMVERKAN_BENCH_BIN"
        );
        return;
    }
    common::only_under_cargo_bench(&args, "command_latency");
    let rate: f64 = args.get("rate", "SAMVERKAN_BENCH_RATE", 20.0);
    let default_secs = if args.quick { 5.0 } else { 30.0 };
    let secs: f64 = args.get("duration", "SAMVERKAN_BENCH_DURATION", default_secs);
    let warmup: usize = args.get("warmup", "SAMVERKAN_BENCH_WARMUP", 40);
    if !(rate > 0.0 && secs > 0.0) {
        fail("--rate and --duration must be positive");
    }
    let measured = (rate * secs).round().max(1.0) as usize;

    let guild = GuildSpec {
        id: GUILD,
        name: "Benchkommun".into(),
        channels: (0..30)
            .map(|i| (channel(i), format!("forum-{i}")))
            .collect(),
        roles: (0..15)
            .map(|i| (GUILD + 2_000 + i, format!("role-{i}")))
            .collect(),
        preferred_locale: "sv-SE".into(),
    };
    let double = DiscordDouble::start(vec![guild]).await;
    let mut bot = Bot::start(&double.base_url(), GUILD);
    let startup = Duration::from_secs(60);
    if let Err(e) = double.wait_ready(startup).await {
        bot.check_alive();
        fail(&format!("no READY: {e}"));
    }
    if let Err(e) = double.wait_commands_registered(startup).await {
        fail(&format!("commands not registered: {e}"));
    }
    // The channels must be in the bot's guild directory before a forum can meet in them.
    let db = bot.db(startup).await;
    common::wait_count(&mut bot, &db, "SELECT COUNT(*) FROM channels", 30, startup).await;
    println!(
        "ready after {:.2} s; warm-up: {warmup} commands, then {measured} at {rate}/s ({secs} s)",
        bot.started.elapsed().as_secs_f64()
    );

    let mut admin = MemberSpec::new(ADMIN, "bench-admin");
    admin.permissions |= PERM_MANAGE_GUILD;
    let period = Duration::from_secs_f64(1.0 / rate);
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sent = Vec::with_capacity(warmup + measured);
    for n in 0..warmup + measured {
        ticks.tick().await;
        let name = format!("Benchforum {n:05}");
        let ch = channel(n as u64 % 30);
        let options = vec![
            Opt::Str("name", &name),
            Opt::Str("tier", "delivery"),
            Opt::Channel("channel", ch),
        ];
        let i = double
            .slash(GUILD, ch, &admin, &["forum", "create"], options)
            .await;
        sent.push((name, i));
        if n % 100 == 99 {
            bot.check_alive();
        }
    }

    // Collect and check every answer.
    let mut latencies = Vec::with_capacity(measured);
    let mut callback_types: BTreeMap<String, usize> = BTreeMap::new();
    for (n, (name, i)) in sent.iter().enumerate() {
        let answer = double
            .wait_response(i, Duration::from_secs(10))
            .await
            .unwrap_or_else(|e| fail(&format!("command {n} ({name}) got no answer: {e}")));
        let text: String = answer
            .text()
            .chars()
            .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
            .collect();
        let created = text.contains(&format!("**{name}**"))
            && (text.contains("är skapat") || text.contains("is created"));
        if !created || answer.ephemeral {
            fail(&format!(
                "command {n} ({name}): expected a public 'forum created', got {:?} (ephemeral: {})",
                answer.text(),
                answer.ephemeral
            ));
        }
        let first = double
            .responses(i)
            .into_iter()
            .find(|r| matches!(r.kind, ResponseKind::Callback(_)))
            .unwrap_or_else(|| fail(&format!("command {n}: no interaction callback")));
        let delivered = double
            .delivered_at(i)
            .unwrap_or_else(|| fail(&format!("command {n}: unknown to the double")));
        if n >= warmup {
            latencies.push(first.at.duration_since(delivered).as_secs_f64() * 1e3);
            *callback_types
                .entry(format!("{:?}", first.kind))
                .or_default() += 1;
        }
    }

    // One forum per command, nothing else.
    let forums: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM forums WHERE guild_id = $1")
        .bind(GUILD as i64)
        .fetch_one(&db)
        .await
        .unwrap_or_else(|e| fail(&format!("counting forums: {e}")));
    if forums as usize != sent.len() {
        fail(&format!(
            "the database holds {forums} forums, {} were created",
            sent.len()
        ));
    }
    // What the bot asked of Discord while serving the commands.
    let mut requests: BTreeMap<String, usize> = BTreeMap::new();
    for r in double.all_requests() {
        let route = r
            .path
            .split('/')
            .map(|s| {
                if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                    "{id}"
                } else if s.starts_with("itoken-") {
                    "{token}"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        *requests
            .entry(format!("{} {route} -> {}", r.method, r.status))
            .or_default() += 1;
    }
    let unknown = double.unknown_requests();
    if !unknown.is_empty() {
        fail(&format!(
            "the bot called routes the double does not model: {:?}",
            unknown
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<Vec<_>>()
        ));
    }
    drop(db);
    bot.stop().await;

    latencies.sort_by(f64::total_cmp);
    let [min, p50, p90, p99, max] = [0.0, 50.0, 90.0, 99.0, 100.0].map(|p| {
        if p == 0.0 {
            latencies[0]
        } else {
            percentile(&latencies, p)
        }
    });
    let mean = latencies.iter().sum::<f64>() / latencies.len() as f64;
    println!();
    println!("machine: {}", common::machine());
    println!("REST requests seen: {requests:#?}");
    println!("first responses: {callback_types:?}");
    println!(
        "/forum create, {} commands at {rate}/s (after {warmup} warm-up), SQLite:",
        latencies.len()
    );
    println!(
        "  min {min:.3} ms  p50 {p50:.3} ms  p90 {p90:.3} ms  p99 {p99:.3} ms  max {max:.3} ms  \
         mean {mean:.3} ms"
    );
    println!("  database: {forums} forums, every answer 'forum created' (public)");
    let verdict = if p99 <= TARGET_P99_MS {
        "met"
    } else {
        "MISSED"
    };
    println!();
    println!("| benchmark | commands | rate | min | p50 | p90 | p99 | max | target | result |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| /forum create (SQLite) | {} | {rate}/s | {min:.2} ms | {p50:.2} ms | {p90:.2} ms | \
         {p99:.2} ms | {max:.2} ms | p99 ≤ {TARGET_P99_MS} ms | {verdict} |",
        latencies.len()
    );
    if args.enforce && verdict != "met" {
        fail(&format!("p99 {p99:.2} ms > {TARGET_P99_MS} ms"));
    }
}
