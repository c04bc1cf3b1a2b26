//! Runs the real `samverkan` binary against the Discord test double.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_samverkan");

/// The binary to run: Cargo's build of it (the release build under `cargo bench`), unless a
/// benchmark is pointed at another with `SAMVERKAN_BENCH_BIN`.
pub fn binary() -> PathBuf {
    std::env::var_os("SAMVERKAN_BENCH_BIN").map_or_else(|| PathBuf::from(BIN), PathBuf::from)
}

/// A running bot process; killed when dropped.
pub struct Bot {
    pub child: Child,
    pub log: PathBuf,
}

/// What a bot process needs: the double's URL, a database, the test guild, extra env.
#[derive(Clone)]
pub struct BotEnv {
    pub api: String,
    pub db_url: String,
    pub test_guild: u64,
    pub log_dir: PathBuf,
    pub extra: Vec<(String, String)>,
}

impl BotEnv {
    pub fn command(&self) -> Command {
        let mut c = Command::new(binary());
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
            .env("SAMVERKAN_DISCORD_API_BASE_URL", &self.api)
            .env("SAMVERKAN_DATABASE_URL", &self.db_url)
            .env("SAMVERKAN_DISCORD_TEST_GUILD", self.test_guild.to_string())
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("no_proxy", "127.0.0.1,localhost")
            .env("RUST_LOG", "info");
        for (k, v) in &self.extra {
            c.env(k, v);
        }
        c
    }

    /// Starts a process whose output goes to a fresh log file.
    pub fn spawn(&self, name: &str) -> Bot {
        let log = self.log_dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let child = self
            .command()
            .stdout(file.try_clone().expect("log file"))
            .stderr(file)
            .stdin(Stdio::null())
            .spawn()
            .expect("spawn samverkan run");
        Bot { child, log }
    }
}

impl Bot {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        read(&self.log)
    }

    /// SIGTERM, then waits for the exit.
    pub fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        signal(self.pid(), "TERM");
        self.wait(timeout)
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let end = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < end,
                "bot did not exit in {timeout:?}; log:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status();
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Waits until the bot has recorded the guild's directory (it does so when GUILD_CREATE
/// arrives, just after READY): until then it cannot know the guild's channels.
pub async fn wait_directory(db_url: &str, guild: u64, timeout: Duration) {
    let store = samverkan::store::Store::connect(db_url, 1)
        .await
        .expect("connect to the bot's database");
    let end = Instant::now() + timeout;
    loop {
        let g = samverkan::domain::ids::GuildId(guild);
        if let Ok(Some(rec)) = store.guild(g).await {
            if !rec.name.is_empty() {
                break;
            }
        }
        assert!(
            Instant::now() < end,
            "guild {guild} never reached the directory"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    store.close().await;
}
