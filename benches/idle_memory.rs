//! Idle memory with 1000 guilds connected (30 channels and 15 roles each, GUILDS intent only):
//! the real release binary's resident set once every GUILD_CREATE has been handled (issue 2: no
//! more than a bare serenity bot with the default cache, about 49 MiB RSS).
//!
//! ```sh
//! cargo bench --bench idle_memory                 # 1000 guilds, 10 s of idle sampling
//! cargo bench --bench idle_memory -- --quick      # 1000 guilds, 3 s of idle sampling
//! cargo bench --bench idle_memory -- --guilds 5000 --idle 20 --enforce
//! ```
//! "Ready" means: every guild, channel and role is in the bot's guild directory (its database)
//! and the process has stopped using CPU. The benchmark fails if the directory is incomplete.

#[path = "../tests/support/discord_double.rs"]
mod double;

mod common;

use std::time::{Duration, Instant};

use common::{cpu_ticks, fail, mib, rss_kib, Args, Bot};
use double::{DiscordDouble, GuildSpec};

const FIRST_GUILD: u64 = 1_300_000_000_000_000_000;
const TARGET_MIB: f64 = 49.0;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if args.help() {
        println!(
            "idle_memory [--quick] [--guilds N] [--channels N] [--roles N] [--idle S] [--enforce]\n\
             env: SAMVERKAN_BENCH_GUILDS, SAMVERKAN_BENCH_IDLE, SAMVERKAN_BENCH_QUICK=1, \
             SAMVERKAN_BENCH_BIN"
        );
        return;
    }
    common::only_under_cargo_bench(&args, "idle_memory");
    let guilds: u64 = args.get("guilds", "SAMVERKAN_BENCH_GUILDS", 1000);
    let channels: u64 = args.get("channels", "SAMVERKAN_BENCH_CHANNELS", 30);
    let roles: u64 = args.get("roles", "SAMVERKAN_BENCH_ROLES", 15);
    let idle_default = if args.quick { 3.0 } else { 10.0 };
    let idle_secs: f64 = args.get("idle", "SAMVERKAN_BENCH_IDLE", idle_default);
    if guilds == 0 || channels > 499 || roles > 499 {
        fail("--guilds must be positive; --channels and --roles at most 499");
    }

    let built = Instant::now();
    let specs: Vec<GuildSpec> = (0..guilds)
        .map(|g| {
            let id = FIRST_GUILD + g * 1_000;
            GuildSpec {
                id,
                name: format!("Kommun {g:04}"),
                channels: (1..=channels)
                    .map(|c| (id + c, format!("kanal-{c:02}")))
                    .collect(),
                roles: (1..=roles)
                    .map(|r| (id + 500 + r, format!("roll-{r:02}")))
                    .collect(),
                preferred_locale: "sv-SE".into(),
            }
        })
        .collect();
    let double = DiscordDouble::start(specs).await;
    println!(
        "double: {guilds} guilds × {channels} channels × {roles} roles (+@everyone), built in {:.0} ms",
        built.elapsed().as_secs_f64() * 1e3
    );

    let mut bot = Bot::start(&double.base_url(), FIRST_GUILD);
    let pid = bot.pid;
    let startup = Duration::from_secs(300);
    if let Err(e) = double.wait_ready(startup).await {
        bot.check_alive();
        fail(&format!("no READY: {e}"));
    }
    let identified = bot.started.elapsed();
    let db = bot.db(startup).await;
    let want_guilds = guilds as i64;
    let all_guilds = common::wait_count(
        &mut bot,
        &db,
        "SELECT COUNT(*) FROM guilds",
        want_guilds,
        startup,
    )
    .await;
    let all_channels = common::wait_count(
        &mut bot,
        &db,
        "SELECT COUNT(*) FROM channels",
        want_guilds * channels as i64,
        startup,
    )
    .await;
    // @everyone is a role too.
    let all_roles = common::wait_count(
        &mut bot,
        &db,
        "SELECT COUNT(*) FROM roles",
        want_guilds * (roles as i64 + 1),
        startup,
    )
    .await;
    let stored = all_guilds.max(all_channels).max(all_roles) - bot.started;
    if let Err(e) = double.wait_commands_registered(startup).await {
        fail(&format!("commands not registered: {e}"));
    }

    // Settled: two consecutive 500 ms windows with at most one clock tick of CPU.
    let mut quiet = 0;
    let mut last = cpu_ticks(pid).unwrap_or(0);
    let settle_deadline = Instant::now() + Duration::from_secs(60);
    while quiet < 2 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        bot.check_alive();
        let now = cpu_ticks(pid).unwrap_or(0);
        quiet = if now.saturating_sub(last) <= 1 {
            quiet + 1
        } else {
            0
        };
        last = now;
        if Instant::now() > settle_deadline {
            println!("warning: the bot kept using CPU for 60 s after storing every guild");
            break;
        }
    }
    let settled = bot.started.elapsed();
    let cpu_startup = last;

    // Idle sampling.
    let mut samples = vec![];
    let idle_end = Instant::now() + Duration::from_secs_f64(idle_secs);
    while Instant::now() < idle_end {
        bot.check_alive();
        if let Some((rss, _)) = rss_kib(pid) {
            samples.push(rss);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (_, peak) = rss_kib(pid).unwrap_or_else(|| fail("cannot read /proc/<pid>/status"));
    let breakdown = rss_breakdown(pid);
    let threads = proc_field(pid, "Threads:").unwrap_or_default();
    let cpu_idle = cpu_ticks(pid).unwrap_or(0).saturating_sub(cpu_startup);
    if samples.is_empty() {
        fail("no RSS sample");
    }
    let steady = *samples.last().unwrap_or(&0);
    let max = samples.iter().copied().max().unwrap_or(0);
    let min = samples.iter().copied().min().unwrap_or(0);
    let stored_guilds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM guilds")
        .fetch_one(&db)
        .await
        .unwrap_or(0);
    drop(db);
    let db_bytes = bot.db_bytes();
    bot.stop().await;

    println!();
    println!("machine: {}", common::machine());
    println!(
        "startup: READY sent {:.2} s after start; all {stored_guilds} guilds stored after {:.2} s; \
         CPU quiet after {:.2} s ({:.2} s of CPU)",
        identified.as_secs_f64(),
        stored.as_secs_f64(),
        settled.as_secs_f64(),
        cpu_startup as f64 / 100.0
    );
    println!(
        "idle RSS over {idle_secs} s ({} samples): steady {:.1} MiB, min {:.1}, max {:.1}; \
         peak since start (VmHWM) {:.1} MiB; {breakdown}; {threads} threads; \
         {cpu_idle} CPU ticks while idle",
        samples.len(),
        mib(steady),
        mib(min),
        mib(max),
        mib(peak)
    );
    println!(
        "database: {:.1} MiB (WAL included)",
        db_bytes as f64 / 1048576.0
    );
    let verdict = if mib(max) <= TARGET_MIB {
        "met"
    } else {
        "MISSED"
    };
    println!();
    println!(
        "| benchmark | guilds | ready (all stored) | idle RSS steady | idle RSS max | peak RSS | \
         database | target | result |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| idle memory ({channels} channels, {roles} roles each) | {guilds} | {:.1} s | {:.1} MiB | \
         {:.1} MiB | {:.1} MiB | {:.1} MiB | ≤ {TARGET_MIB} MiB | {verdict} |",
        stored.as_secs_f64(),
        mib(steady),
        mib(max),
        mib(peak),
        db_bytes as f64 / 1048576.0
    );
    if args.enforce && verdict != "met" {
        fail(&format!("idle RSS {:.1} MiB > {TARGET_MIB} MiB", mib(max)));
    }
}

fn proc_field(pid: u32, name: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    Some(line[name.len()..].trim().to_string())
}

/// Anonymous (heap) against file-backed (binary, libraries) resident memory.
fn rss_breakdown(pid: u32) -> String {
    ["RssAnon:", "RssFile:"]
        .iter()
        .filter_map(|f| {
            let v = proc_field(pid, f)?;
            let kib: u64 = v.split_whitespace().next()?.parse().ok()?;
            Some(format!("{} {:.1} MiB", f.trim_end_matches(':'), mib(kib)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
