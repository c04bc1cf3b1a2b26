//! What the issue-3 benchmarks share: finding the release binary, starting it against the
//! Discord test double, percentiles, and the `--bench`/`--quick` switches.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

// Finding the binary and percentiles are shared with the issue-2 benchmarks.
#[path = "../common/mod.rs"]
mod shared;
pub use shared::{locate_binary as locate_bin, percentile as pct};

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench binaries without it,
/// and then they only say so and stop.
pub fn running_as_benchmark(name: &str) -> bool {
    let yes = std::env::args().any(|a| a == "--bench");
    if !yes {
        println!("{name}: skipped (run it with `cargo bench --bench {name}`)");
    }
    yes
}

/// `-- --quick`, or `SAMVERKAN_BENCH_QUICK=1`: a shorter run for development.
pub fn quick() -> bool {
    std::env::args().any(|a| a == "--quick")
        || std::env::var("SAMVERKAN_BENCH_QUICK").is_ok_and(|v| v == "1")
}

/// The bot, killed when dropped.
pub struct Bot {
    pub child: Child,
    pub log: PathBuf,
}

impl Bot {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
    /// SIGTERM, then waits up to `timeout` (SIGKILL after that).
    pub fn terminate(&mut self, timeout: Duration) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let end = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < end {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `samverkan run` against the double at `api`, logging to `log`.
pub fn spawn_bot(
    bin: &PathBuf,
    api: &str,
    db_url: &str,
    test_guild: u64,
    log: PathBuf,
    extra: &[(&str, String)],
) -> Bot {
    let mut c = Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("SAMVERKAN_") {
            c.env_remove(k);
        }
    }
    c.arg("run")
        .env(
            "SAMVERKAN_CONFIG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/samverkan.toml"),
        )
        .env("SAMVERKAN_DISCORD_TOKEN", "test-token")
        .env("SAMVERKAN_DISCORD_API_BASE_URL", api)
        .env("SAMVERKAN_DATABASE_URL", db_url)
        .env("SAMVERKAN_DISCORD_TEST_GUILD", test_guild.to_string())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("RUST_LOG", "info");
    for (k, v) in extra {
        c.env(k, v);
    }
    let file = std::fs::File::create(&log).expect("log file");
    let child = c
        .stdout(file.try_clone().expect("log file"))
        .stderr(file)
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn samverkan run");
    Bot { child, log }
}

/// min, p50, p90, p99, max of `v` (sorted in place).
pub fn summary(v: &mut [f64]) -> [f64; 5] {
    v.sort_by(|a, b| a.total_cmp(b));
    [
        v.first().copied().unwrap_or(f64::NAN),
        pct(v, 50.0),
        pct(v, 90.0),
        pct(v, 99.0),
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

/// User and system CPU time of a process so far, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from field 3 on.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    let hz = clock_ticks();
    Some(Duration::from_secs_f64(ticks as f64 / hz))
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
