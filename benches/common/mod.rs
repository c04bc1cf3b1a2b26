//! What the benchmark programs share: finding and starting the real `samverkan` binary against
//! the Discord test double, reading its memory and CPU from `/proc`, the database it writes,
//! and summarising figures. (The issue-3 benchmarks start the bot with the tests' `BotEnv`,
//! `tests/support/bot.rs`, because they need its options: a virtual clock, a shared database.)
//!
//! Benchmarks are programs (`harness = false`), run by `cargo bench`, which passes `--bench`.
//! Without that flag (`cargo test --benches` / `--all-targets`) they print a note and exit 0, so
//! no test run ever spends a minute on them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

/// The repository (compile time; the bench only runs from a checkout).
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Command-line options: `cargo bench --bench NAME -- [--quick] [--KEY VALUE]...`.
pub struct Args {
    pub bench: bool,
    pub quick: bool,
    pub enforce: bool,
    /// `--explain`: print query plans (scheduler_scale).
    pub explain: bool,
    values: Vec<(String, String)>,
}

impl Args {
    pub fn parse() -> Args {
        let mut args = Args {
            bench: false,
            quick: false,
            enforce: false,
            explain: false,
            values: vec![],
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "--bench" => args.bench = true,
                "--quick" => args.quick = true,
                "--enforce" => args.enforce = true,
                "--explain" => args.explain = true,
                "-h" | "--help" => {
                    args.values.push(("help".into(), String::new()));
                }
                flag if flag.starts_with("--") => {
                    let key = flag.trim_start_matches("--").to_string();
                    let value = it.next().unwrap_or_default();
                    args.values.push((key, value));
                }
                _ => {} // libtest-style filters that cargo may pass: ignored
            }
        }
        if std::env::var("SAMVERKAN_BENCH_QUICK").is_ok_and(|v| v == "1") {
            args.quick = true;
        }
        args
    }

    pub fn help(&self) -> bool {
        self.values.iter().any(|(k, _)| k == "help")
    }

    /// `--key value`, else the environment variable `env`, else `default`.
    pub fn get<T: std::str::FromStr>(&self, key: &str, env: &str, default: T) -> T {
        let given = self
            .values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(env).ok());
        match given {
            Some(v) => v.parse().unwrap_or_else(|_| {
                fail(&format!("--{key} / {env}: cannot parse {v:?}"));
            }),
            None => default,
        }
    }
}

/// Exits unless started by `cargo bench` (which passes `--bench`).
pub fn only_under_cargo_bench(args: &Args, name: &str) {
    if !args.bench && !args.help() {
        println!("{name}: a benchmark program; run it with `cargo bench --bench {name}`");
        std::process::exit(0);
    }
}

pub fn fail(msg: &str) -> ! {
    eprintln!("BENCHMARK FAILED: {msg}");
    std::process::exit(1);
}

/// The release binary. `cargo bench` builds the package's binaries with the bench profile
/// (release settings) and tells benches where through `CARGO_BIN_EXE_samverkan` (set for
/// benches as for integration tests; a dev-profile build of the bench points at the debug bot). `SAMVERKAN_BENCH_BIN` overrides; as a last resort the
/// binary is built with `cargo build --release`.
pub fn locate_binary() -> PathBuf {
    if let Ok(p) = std::env::var("SAMVERKAN_BENCH_BIN") {
        return PathBuf::from(p);
    }
    if let Some(p) = option_env!("CARGO_BIN_EXE_samverkan") {
        if Path::new(p).is_file() {
            return PathBuf::from(p);
        }
    }
    // target/release/deps/<bench> -> target/release/samverkan
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("samverkan")));
    if let Some(p) = beside.filter(|p| p.is_file()) {
        return p;
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{REPO}/target"));
    let built = PathBuf::from(target).join("release/samverkan");
    if !built.is_file() {
        eprintln!("building the release binary: cargo build --release --bin samverkan");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "--release", "--bin", "samverkan"])
            .current_dir(REPO)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            fail("could not build the release binary");
        }
    }
    built
}

/// The bot under measurement: `samverkan run` as a child process, killed if the bench panics.
pub struct Bot {
    pub child: tokio::process::Child,
    pub pid: u32,
    pub started: Instant,
    pub log: PathBuf,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Bot {
    /// Starts `samverkan run` against the double at `base_url` with a fresh SQLite database.
    pub fn start(base_url: &str, test_guild: u64) -> Bot {
        let bin = locate_binary();
        let dir = tempfile::tempdir().unwrap_or_else(|e| fail(&format!("temp dir: {e}")));
        let db_path = dir.path().join("bench.db");
        let log = dir.path().join("bot.log");
        let log_file =
            std::fs::File::create(&log).unwrap_or_else(|e| fail(&format!("log file: {e}")));
        let log_err = log_file
            .try_clone()
            .unwrap_or_else(|e| fail(&format!("log file: {e}")));
        let started = Instant::now();
        let child = tokio::process::Command::new(&bin)
            .arg("run")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("SAMVERKAN_CONFIG", format!("{REPO}/config/samverkan.toml"))
            .env("SAMVERKAN_DISCORD_TOKEN", "bench")
            .env("SAMVERKAN_DISCORD_API_BASE_URL", base_url)
            .env(
                "SAMVERKAN_DATABASE_URL",
                format!("sqlite://{}", db_path.display()),
            )
            .env("SAMVERKAN_DISCORD_TEST_GUILD", test_guild.to_string())
            .env("SAMVERKAN_LOG_LEVEL", "warn")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .envs(extra_env())
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| fail(&format!("cannot start {}: {e}", bin.display())));
        let pid = child.id().unwrap_or(0);
        println!("bot: {} (pid {pid})", bin.display());
        if bin.components().any(|c| c.as_os_str() == "debug") {
            println!("WARNING: this is a debug build of the bot; figures mean little");
        }
        Bot {
            child,
            pid,
            started,
            log,
            db_path,
            _dir: dir,
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the benchmark if the bot exited.
    pub fn check_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            fail(&format!(
                "the bot exited early ({status}); its log:\n{}",
                self.log_text()
            ));
        }
    }

    /// Opens the bot's database read-only (WAL: reads do not disturb the bot's writes).
    pub async fn db(&mut self, timeout: Duration) -> SqlitePool {
        let deadline = Instant::now() + timeout;
        loop {
            self.check_alive();
            if self.db_path.exists() {
                let opts = SqliteConnectOptions::new()
                    .filename(&self.db_path)
                    .read_only(true);
                if let Ok(pool) = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(opts)
                    .await
                {
                    return pool;
                }
            }
            if Instant::now() > deadline {
                fail("the bot did not create its database");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Database file size in bytes, WAL and shared-memory files included.
    pub fn db_bytes(&self) -> u64 {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                let mut p = self.db_path.clone().into_os_string();
                p.push(suffix);
                std::fs::metadata(p).ok().map(|m| m.len())
            })
            .sum()
    }

    /// SIGTERM, then waits for a graceful exit (killed after 15 s). Fails on a non-zero exit
    /// or an ERROR in the log.
    pub async fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(Ok(status)) if status.success() => {}
            Ok(Ok(status)) => fail(&format!(
                "the bot exited with {status} after SIGTERM; its log:\n{}",
                self.log_text()
            )),
            _ => {
                let _ = self.child.kill().await;
                fail("the bot did not stop within 15 s of SIGTERM");
            }
        }
        let log = self.log_text();
        if log.contains("ERROR") {
            fail(&format!("the bot logged errors:\n{log}"));
        }
        if !log.trim().is_empty() {
            println!("bot log (warnings):\n{}", tail(&log, 20));
        }
    }
}

/// `SAMVERKAN_BENCH_BOT_ENV=K=V,K=V`: extra environment for the bot, for experiments such as
/// `MALLOC_ARENA_MAX=2` or `SAMVERKAN_DATABASE_MAX_CONNECTIONS=2`.
fn extra_env() -> Vec<(String, String)> {
    let spec = std::env::var("SAMVERKAN_BENCH_BOT_ENV").unwrap_or_default();
    let pairs = spec.split(',').filter_map(|kv| kv.split_once('='));
    let env: Vec<(String, String)> = pairs
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    if !env.is_empty() {
        println!("bot environment, added: {env:?}");
    }
    env
}

pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `VmRSS` and `VmHWM` (peak) of a process, in KiB.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// User + system CPU time of a process, in clock ticks (usually 1/100 s).
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// User + system CPU time of a process so far.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    Some(Duration::from_secs_f64(cpu_ticks(pid)? as f64 / hz))
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// min, p50, p90, p99, max of `v` (sorted in place).
pub fn summary(v: &mut [f64]) -> [f64; 5] {
    v.sort_by(|a, b| a.total_cmp(b));
    [
        v.first().copied().unwrap_or(f64::NAN),
        percentile(v, 50.0),
        percentile(v, 90.0),
        percentile(v, 99.0),
        v.last().copied().unwrap_or(f64::NAN),
    ]
}

pub fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

/// The machine, for the report: cores and memory.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or_else(
            || "?".to_string(),
            |kib| format!("{:.1} GiB", kib as f64 / 1048576.0),
        );
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cores} cores, {mem} RAM, load average {load}")
}

/// Polls the bot's database until `count_sql` returns at least `want`; returns when it did.
pub async fn wait_count(
    bot: &mut Bot,
    db: &SqlitePool,
    count_sql: &str,
    want: i64,
    timeout: Duration,
) -> Instant {
    let deadline = Instant::now() + timeout;
    loop {
        let n: i64 = sqlx::query_scalar(count_sql)
            .fetch_one(db)
            .await
            .unwrap_or(0);
        if n >= want {
            return Instant::now();
        }
        bot.check_alive();
        if Instant::now() > deadline {
            fail(&format!(
                "{count_sql}: {n} after {timeout:?}, expected {want}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
