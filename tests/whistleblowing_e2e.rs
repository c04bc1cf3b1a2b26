//! The real `samverkan run` binary against the Discord test double: the whole whistleblowing
//! flow, then a search of everything the bot left behind (database files, a dump of every table,
//! trace-level logs) for the reporter's identity and the tip's text.

#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod discord_double;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use discord_double::{DiscordDouble, GuildSpec, Interaction, MemberSpec, Opt, Response};

const BIN: &str = env!("CARGO_BIN_EXE_samverkan");
const G: u64 = 1_300_000_000_000_000_001;
const GENERAL: u64 = 1_300_000_000_000_000_010;
const HANDLER_CHANNEL: u64 = 1_300_000_000_000_000_011;
const H1: u64 = 1_400_000_000_000_000_001;
const H2: u64 = 1_400_000_000_000_000_002;
const PASS1: &str = "första handläggarens lösenfras";
const PASS2: &str = "andra handläggarens lösenfras";

const REPORTER_ID: u64 = 987_654_321_012_345_678;
const REPORTER_NAME: &str = "tipster_username_x";
const REPORTER_NICK: &str = "Nick Visselblåsarsson";
const TIP: &str = "Anbudskartell mellan Grusbolaget och Asfaltsfirman i upphandling 2026-42";
const TIP_WHO: &str = "Bertil Bertilsson på Grusbolaget";
const TIP_WHEN: &str = "Lund, februari 2026, lunchmöte på Stadshotellet";
const ADDITION: &str = "Kvitton från lunchmötet finns hos ekonomiavdelningen";
const REPLY: &str = "Vi har inlett en granskning av anbudsgivningen";

const T: Duration = Duration::from_secs(30);

fn reporter() -> MemberSpec {
    MemberSpec {
        nick: Some(REPORTER_NICK.to_string()),
        locale: "sv-SE".to_string(),
        ..MemberSpec::new(REPORTER_ID, REPORTER_NAME)
    }
}

fn handler(id: u64) -> MemberSpec {
    MemberSpec::new(id, &format!("handler{id}"))
}

/// Server admin with every role, Manage Server and Administrator, not on the allow-list.
fn admin() -> MemberSpec {
    MemberSpec {
        roles: vec![G + 100, G + 101],
        permissions: discord_double::MEMBER_PERMISSIONS
            | discord_double::PERM_ADMINISTRATOR
            | discord_double::PERM_MANAGE_GUILD,
        ..MemberSpec::new(1_500_000_000_000_000_001, "serveradmin")
    }
}

struct Env {
    dir: tempfile::TempDir,
    db_url: String,
    db_path: PathBuf,
    config: PathBuf,
    log: PathBuf,
}

fn config_text(extra: &str) -> String {
    format!(
        "[whistleblowing]\nhandlers = [\"{H1}\", \"{H2}\"]\nhandler_channel = {HANDLER_CHANNEL}\n\
         notify = \"delayed\"\nnotify_delay_min_minutes = 0\nnotify_delay_max_minutes = 0\n\
         max_new_cases_per_hour = 6\nuser_cooldown_seconds = 0\nfollowup_cooldown_seconds = 0\n\
         {extra}"
    )
}

/// Pins every registered handler's fingerprint in the configuration, as the operator does with
/// what `samverkan handler add` printed.
async fn pin_handlers(e: &Env) {
    let store = samverkan::store::Store::connect(&e.db_url, 1)
        .await
        .unwrap();
    let pins: Vec<String> = store
        .wb_handlers()
        .await
        .unwrap()
        .iter()
        .map(|h| {
            let pk = samverkan::domain::whistleblowing::parse_public_key(&h.public_key).unwrap();
            format!(
                "\"{}\" = \"{}\"",
                h.user_id,
                samverkan::domain::whistleblowing::fingerprint(&pk)
            )
        })
        .collect();
    store.close().await;
    std::fs::write(
        &e.config,
        config_text(&format!("fingerprints = {{ {} }}\n", pins.join(", "))),
    )
    .unwrap();
}

fn env(double: &DiscordDouble) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("wb.db");
    let config = dir.path().join("samverkan.toml");
    std::fs::write(&config, config_text("")).unwrap();
    let _ = double;
    Env {
        db_url: format!("sqlite://{}", db_path.display()),
        log: dir.path().join("bot.log"),
        db_path,
        config,
        dir,
    }
}

fn command(e: &Env, double: &DiscordDouble) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("SAMVERKAN_") || k == "RUST_LOG" {
            c.env_remove(k);
        }
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&e.log)
        .unwrap();
    c.env("SAMVERKAN_CONFIG", &e.config)
        .env("SAMVERKAN_DATABASE_URL", &e.db_url)
        .env("SAMVERKAN_DISCORD_TOKEN", "test-token")
        .env("SAMVERKAN_DISCORD_API_BASE_URL", double.base_url())
        .env("SAMVERKAN_DISCORD_TEST_GUILD", G.to_string())
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("RUST_LOG", "trace")
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log));
    c
}

fn add_handler(e: &Env, double: &DiscordDouble, id: u64, pass: &str) {
    let mut child = command(e, double)
        .args(["handler", "add", "--user", &id.to_string()])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{pass}").unwrap();
    assert!(child.wait().unwrap().success(), "handler add failed");
}

async fn start_bot(e: &Env, double: &DiscordDouble) -> Child {
    start_bot_logging(e, double, "trace").await
}

async fn start_bot_logging(e: &Env, double: &DiscordDouble, rust_log: &str) -> Child {
    let before = double.identify_count();
    let child = command(e, double)
        .env("RUST_LOG", rust_log)
        .arg("run")
        .spawn()
        .unwrap();
    let deadline = tokio::time::Instant::now() + T;
    while double.identify_count() == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "bot never identified"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    double.wait_ready(T).await.unwrap();
    double.wait_commands_registered(T).await.unwrap();
    // Let the GUILD_CREATE and setup settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    child
}

fn stop_bot(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The content of every answer the user saw for `i`.
async fn answer(double: &DiscordDouble, i: &Interaction) -> Response {
    double.wait_response(i, T).await.unwrap()
}

async fn slash(
    double: &DiscordDouble,
    who: &MemberSpec,
    path: &[&str],
    opts: Vec<Opt<'_>>,
) -> Interaction {
    double.slash(G, GENERAL, who, path, opts).await
}

/// Opens a modal with a slash command and submits it; returns the modal submit's answer.
async fn modal(
    double: &DiscordDouble,
    who: &MemberSpec,
    path: &[&str],
    opts: Vec<Opt<'_>>,
    fields: Vec<(&str, &str)>,
) -> (Interaction, Response) {
    let i = slash(double, who, path, opts).await;
    let cb = double.wait_callback(&i, T).await.unwrap();
    assert_eq!(cb.callback_type(), Some(9), "a modal is the first response");
    let m = double.submit_modal(&i, "", fields).await;
    let r = answer(double, &m).await;
    // The modal submit's first response is a deferral, ephemeral from the start.
    let first = double.wait_callback(&m, T).await.unwrap();
    assert_eq!(first.callback_type(), Some(5));
    assert_eq!(first.body["data"]["flags"].as_u64().unwrap_or(0) & 64, 64);
    assert!(r.ephemeral, "answer must be ephemeral: {}", r.text());
    (m, r)
}

/// The `**…**` segments of a text.
fn bold(text: &str) -> Vec<String> {
    text.split("**")
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

async fn report(double: &DiscordDouble, who: &MemberSpec, what: &str) -> Response {
    modal(
        double,
        who,
        &["whistleblow", "report"],
        vec![],
        vec![("what", what), ("when_where", TIP_WHEN), ("who", TIP_WHO)],
    )
    .await
    .1
}

fn receipt(r: &Response) -> (String, String) {
    let b = bold(r.text());
    let code = b.iter().find(|s| s.starts_with("VB-")).cloned();
    let secret = b
        .iter()
        .find(|s| s.len() == 24 && s.matches('-').count() == 4)
        .cloned();
    match (code, secret) {
        (Some(c), Some(s)) => (c, s),
        _ => panic!("no receipt in {:?}", r.text()),
    }
}

async fn followup(double: &DiscordDouble, code: &str, secret: &str, add: &str) -> String {
    let r = modal(
        double,
        &reporter(),
        &["whistleblow", "followup"],
        vec![],
        vec![("code", code), ("secret", secret), ("addition", add)],
    )
    .await
    .1;
    r.text().to_string()
}

async fn handler_says(
    double: &DiscordDouble,
    who: &MemberSpec,
    path: &[&str],
    opts: Vec<Opt<'_>>,
) -> String {
    let i = slash(double, who, path, opts).await;
    let r = answer(double, &i).await;
    assert!(r.ephemeral, "handler answers are ephemeral");
    r.text().to_string()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.windows(n.len()).any(|w| w == n)
}

fn read_files(base: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", base.display());
        if let Ok(b) = std::fs::read(&p) {
            all.extend(b);
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whistleblowing_end_to_end_leaves_no_trace_of_the_reporter() {
    let guild = GuildSpec {
        id: G,
        name: "Testkommun".to_string(),
        channels: vec![
            (GENERAL, "allmänt".to_string()),
            (HANDLER_CHANNEL, "handläggare".to_string()),
        ],
        roles: vec![
            (G + 100, "Samverkan-admin".to_string()),
            (G + 101, "Visselblåsning".to_string()),
        ],
        preferred_locale: "sv-SE".to_string(),
    };
    let double = DiscordDouble::start(vec![guild]).await;
    let e = env(&double);
    add_handler(&e, &double, H1, PASS1);
    add_handler(&e, &double, H2, PASS2);
    pin_handlers(&e).await;
    double.add_member(G, handler(H2));
    let bot = start_bot(&e, &double).await;

    // --- the panel: posted by an admin, its button opens the same modal ---------------------
    let not_admin = slash(&double, &reporter(), &["whistleblow", "panel"], vec![]).await;
    let r = answer(&double, &not_admin).await;
    assert!(r.ephemeral && r.components.is_empty(), "{}", r.text());
    let panel_i = slash(&double, &admin(), &["whistleblow", "panel"], vec![]).await;
    let panel = answer(&double, &panel_i).await;
    assert!(
        panel.text().contains("Konkurrensverket"),
        "{}",
        panel.text()
    );
    assert!(panel.text().contains("7 dagar") && panel.text().contains("3 månader"));
    assert!(panel.text().contains("Discord"));
    let panel_msg = panel.message.clone().expect("panel message");
    let click = double
        .click(G, GENERAL, &reporter(), &panel_msg, "wb:v1:open")
        .await;
    let cb = double.wait_callback(&click, T).await.unwrap();
    assert_eq!(cb.callback_type(), Some(9));
    assert_eq!(cb.body["data"]["custom_id"], "wb:v1:report");

    // --- intake ---------------------------------------------------------------------------
    let r = report(&double, &reporter(), TIP).await;
    let (code, secret) = receipt(&r);
    assert!(r.text().contains("bara denna gång"), "{}", r.text());

    // A content-free notice reaches the handler channel, mentioning nobody.
    let notice = double
        .wait_channel_message(
            HANDLER_CHANNEL,
            |m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("visselblåsar"))
            },
            T,
        )
        .await
        .unwrap();
    let content = notice["content"].as_str().unwrap();
    assert!(!content.contains(&code) && !content.contains("Grusbolaget"));
    assert_eq!(notice["allowed_mentions"]["parse"], serde_json::json!([]));

    // --- follow-up with new information -----------------------------------------------------
    let f = followup(&double, &code, &secret, ADDITION).await;
    assert!(
        f.contains(&code) && f.contains("mottaget") && f.contains(ADDITION),
        "{f}"
    );

    // --- handlers ---------------------------------------------------------------------------
    let h1 = handler(H1);
    let list = handler_says(&double, &h1, &["case", "list"], vec![]).await;
    assert!(
        list.contains(&code) && !list.contains("Grusbolaget"),
        "{list}"
    );
    let (_, view) = modal(
        &double,
        &h1,
        &["case", "view"],
        vec![Opt::Str("case", &code)],
        vec![("passphrase", PASS1)],
    )
    .await;
    assert!(
        view.text().contains(TIP) && view.text().contains(ADDITION),
        "{}",
        view.text()
    );
    let (_, wrong) = modal(
        &double,
        &h1,
        &["case", "view"],
        vec![Opt::Str("case", &code)],
        vec![("passphrase", "fel fras som är lång")],
    )
    .await;
    assert!(wrong.text().contains("Fel lösenfras"), "{}", wrong.text());
    let ack = handler_says(
        &double,
        &h1,
        &["case", "ack"],
        vec![Opt::Str("case", &code)],
    )
    .await;
    assert!(ack.contains("bekräftat"), "{ack}");
    let (_, sent) = modal(
        &double,
        &h1,
        &["case", "reply"],
        vec![Opt::Str("case", &code)],
        vec![("passphrase", PASS1), ("message", REPLY)],
    )
    .await;
    assert!(sent.text().contains(&code), "{}", sent.text());
    let closed = handler_says(
        &double,
        &h1,
        &["case", "close"],
        vec![
            Opt::Str("case", &code),
            Opt::Str("outcome", "referred_externally"),
        ],
    )
    .await;
    assert!(closed.contains("avslutat"), "{closed}");

    // The reporter reads the reply.
    let f = followup(&double, &code, &secret, "").await;
    assert!(f.contains(REPLY) && f.contains("avslutat"), "{f}");

    // --- an admin with every role and Manage Server is not a handler ------------------------
    let refused = handler_says(&double, &admin(), &["case", "list"], vec![]).await;
    assert!(refused.contains("utsedda"), "{refused}");
    let i = slash(
        &double,
        &admin(),
        &["case", "view"],
        vec![Opt::Str("case", &code)],
    )
    .await;
    let r = answer(&double, &i).await;
    assert_eq!(
        r.callback_type(),
        Some(4),
        "no passphrase modal for a non-handler"
    );
    assert_eq!(r.text(), refused);
    // Crafted custom_ids on a modal submit from a non-handler: the same refusal, or "cannot be
    // read"; nothing is added to the case.
    let messages_before = db::count_rows(&e.db_url, "wb_messages").await;
    for (crafted, expect) in [
        (format!("wb:v1:view:{code}"), refused.as_str()),
        (format!("wb:v1:reply:{code}"), refused.as_str()),
        ("wb:v1:view:VB-0000-0000'--".to_string(), refused.as_str()),
        ("wb:v1:nonsense".to_string(), "gick inte att läsa"),
    ] {
        let opener = slash(&double, &admin(), &["whistleblow", "followup"], vec![]).await;
        double.wait_callback(&opener, T).await.unwrap();
        let m = double
            .submit_modal(
                &opener,
                &crafted,
                vec![("passphrase", PASS1), ("message", "förfalskat svar")],
            )
            .await;
        let r = answer(&double, &m).await;
        assert!(r.ephemeral, "{crafted}");
        assert!(r.text().contains(expect), "{crafted}: {}", r.text());
    }
    assert_eq!(
        db::count_rows(&e.db_url, "wb_messages").await,
        messages_before
    );

    // --- exclusion: H2 (conflict of interest) can no longer decrypt case 2 once a second
    // handler (here H2 themselves, agreeing) approves H1's request ------------------------------
    let r2 = report(&double, &reporter(), "Andra tipset om jäv i utvärderingen").await;
    let (code2, secret2) = receipt(&r2);
    let h2 = handler(H2);
    let (_, before) = modal(
        &double,
        &h2,
        &["case", "view"],
        vec![Opt::Str("case", &code2)],
        vec![("passphrase", PASS2)],
    )
    .await;
    assert!(before.text().contains("jäv"), "{}", before.text());
    let ex = handler_says(
        &double,
        &h1,
        &["case", "exclude"],
        vec![Opt::Str("case", &code2), Opt::User("handler", H2)],
    )
    .await;
    assert!(ex.contains("andra handläggare"), "{ex}");
    let (_, still) = modal(
        &double,
        &h2,
        &["case", "view"],
        vec![Opt::Str("case", &code2)],
        vec![("passphrase", PASS2)],
    )
    .await;
    assert!(still.text().contains("jäv"), "{}", still.text());
    let approved = handler_says(
        &double,
        &h2,
        &["case", "exclude"],
        vec![Opt::Str("case", &code2), Opt::User("handler", H2)],
    )
    .await;
    assert!(approved.contains("utesluten"), "{approved}");
    let (_, after) = modal(
        &double,
        &h2,
        &["case", "view"],
        vec![Opt::Str("case", &code2)],
        vec![("passphrase", PASS2)],
    )
    .await;
    assert!(
        after.text().contains("Inget sådant ärende"),
        "{}",
        after.text()
    );

    // --- lockout and identical refusals ------------------------------------------------------
    let unknown = followup(&double, "VB-ZZZZ-ZZZZ", &secret2, "").await;
    for _ in 0..5 {
        let w = followup(&double, &code2, "AAAA-BBBB-CCCC-DDDD-EEEE", "").await;
        assert_eq!(w, unknown);
    }
    assert_eq!(
        followup(&double, &code2, &secret2, "").await,
        unknown,
        "locked"
    );
    for guess in ["VB-1234-5678", "VB-ABCD-EFGH", "gissning", ""] {
        assert_eq!(followup(&double, guess, &secret2, "").await, unknown);
    }

    // --- bad input ----------------------------------------------------------------------------
    let huge = "å".repeat(5000);
    let too_long = report(&double, &reporter(), &huge).await;
    assert!(
        too_long.text().contains("högst 4000"),
        "{}",
        too_long.text()
    );
    let junk = report(&double, &reporter(), "\u{0}\u{1}\u{2}\u{3}\u{7f}\u{1b}[31m").await;
    assert!(junk.text().contains("inte går att läsa"), "{}", junk.text());
    // Replayed interaction: the same modal submit delivered again creates nothing.
    let cases_before = db::count_rows(&e.db_url, "wb_cases").await;
    let (m, _) = modal(
        &double,
        &reporter(),
        &["whistleblow", "report"],
        vec![],
        vec![("what", "Tips tre"), ("when_where", "x"), ("who", "y")],
    )
    .await;
    assert_eq!(
        db::count_rows(&e.db_url, "wb_cases").await,
        cases_before + 1
    );
    double.dispatch_event("INTERACTION_CREATE", m.payload.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        db::count_rows(&e.db_url, "wb_cases").await,
        cases_before + 1,
        "replay created a case"
    );
    // Flood: 6 per hour in all; 3 accepted so far. Over the limit reports are still kept,
    // flagged for the handlers, so a flood cannot silence the next reporter.
    let mut slow = Vec::new();
    for n in 0..5 {
        let r = report(&double, &reporter(), &format!("Flodtips {n}")).await;
        if !r.text().contains("VB-") {
            slow.push(r.text().to_string());
        }
    }
    assert!(slow.is_empty(), "{slow:?}");
    {
        let store = samverkan::store::Store::connect(&e.db_url, 1)
            .await
            .unwrap();
        let flagged = store
            .wb_all_cases()
            .await
            .unwrap()
            .iter()
            .filter(|c| c.flagged)
            .count();
        assert_eq!(flagged, 2);
        store.close().await;
    }

    // --- the reporter keeps a handler off the case at intake -----------------------------------
    let i = slash(
        &double,
        &reporter(),
        &["whistleblow", "report"],
        vec![Opt::User("exclude", H2)],
    )
    .await;
    let cb = double.wait_callback(&i, T).await.unwrap();
    assert_eq!(cb.body["data"]["custom_id"], format!("wb:v1:report:x:{H2}"));
    let m = double
        .submit_modal(
            &i,
            "",
            vec![("what", "Tips utan H2"), ("when_where", "x"), ("who", "y")],
        )
        .await;
    let (code3, _) = receipt(&answer(&double, &m).await);
    {
        let store = samverkan::store::Store::connect(&e.db_url, 1)
            .await
            .unwrap();
        let meta = store.wb_case(&code3).await.unwrap().unwrap();
        assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![H1]);
        assert_eq!(store.wb_excluded(meta.id).await.unwrap(), vec![H2]);
        store.close().await;
    }

    // --- restart: the lock holds -------------------------------------------------------------
    stop_bot(bot);
    let bot = start_bot(&e, &double).await;
    assert_eq!(
        followup(&double, &code2, &secret2, "").await,
        unknown,
        "lock survives restart"
    );
    let f = followup(&double, &code, &secret, "").await;
    assert!(f.contains(REPLY), "{f}");
    stop_bot(bot);

    // --- nothing about the reporter anywhere ---------------------------------------------------
    let files = read_files(&e.db_path);
    let dump = db::dump_all(&db::TestDb::existing(&e.db_url).await).await;
    let log = std::fs::read(&e.log).unwrap();
    assert!(
        contains(&files, &code),
        "the search sees the database files ({} bytes)",
        files.len()
    );
    assert!(
        contains(&dump, &code),
        "the search sees the dump ({} bytes)",
        dump.len()
    );
    assert!(
        contains(&log, "TRACE") || contains(&log, "DEBUG"),
        "logs were captured at trace level"
    );
    let needles = [
        REPORTER_ID.to_string(),
        REPORTER_NAME.to_string(),
        REPORTER_NICK.to_string(),
        TIP.to_string(),
        "Grusbolaget".to_string(),
        TIP_WHO.to_string(),
        TIP_WHEN.to_string(),
        ADDITION.to_string(),
        REPLY.to_string(),
        "jäv i utvärderingen".to_string(),
        secret.clone(),
    ];
    for n in &needles {
        for (what, hay) in [
            ("database files", &files),
            ("table dump", &dump),
            ("logs", &log),
        ] {
            assert!(!contains(hay, n), "{n:?} found in {what}");
        }
    }
    // Without passphrases, the content cannot be recovered from database plus configuration.
    let config = std::fs::read(&e.config).unwrap();
    for n in [TIP, ADDITION, REPLY] {
        assert!(!contains(&config, n));
    }
    drop(e.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_add_is_scriptable_and_refuses_short_passphrases_and_duplicates() {
    let double = DiscordDouble::start(vec![]).await;
    let e = env(&double);
    let run = |user: u64, pass: &str| {
        let mut child = command(&e, &double)
            .args(["handler", "add", "--user", &user.to_string()])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{pass}").unwrap();
        child.wait().unwrap()
    };
    assert!(!run(H1, "kort").success(), "short passphrase refused");
    assert!(run(H1, PASS1).success());
    assert!(
        !run(H1, PASS2).success(),
        "a second key would orphan the first one's cases"
    );
    let log = std::fs::read_to_string(&e.log).unwrap();
    assert!(log.contains("12"), "{log}");
    assert!(!log.contains(PASS1), "the passphrase is never printed");
    let store = samverkan::store::Store::connect(&e.db_url, 1)
        .await
        .unwrap();
    let handlers = store.wb_handlers().await.unwrap();
    assert_eq!(handlers.len(), 1);
    assert!(!handlers[0].encrypted_private.contains(PASS1));
    let pk = samverkan::domain::whistleblowing::parse_public_key(&handlers[0].public_key).unwrap();
    let fp = samverkan::domain::whistleblowing::fingerprint(&pk);
    store.close().await;
    // `add` printed the fingerprint to pin; `list` shows it and whether it is pinned.
    assert!(log.contains(&format!("fingerprint: {fp}")), "{log}");
    let list = |e: &Env| {
        let out = command(e, &double)
            .args(["handler", "list"])
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(list(&e), format!("{H1}\t{fp}\tnot pinned\n"));
    pin_handlers(&e).await;
    assert_eq!(list(&e), format!("{H1}\t{fp}\tpinned\n"));
    // The recovery key: printed, not stored; `recover` without one configured is refused.
    let out = command(&e, &double)
        .args(["handler", "recovery-key"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("recovery_public_key = \""), "{text}");
    let secret = text.lines().last().unwrap().trim().to_string();
    assert_eq!(secret.len(), 64);
    let mut child = command(&e, &double)
        .args(["handler", "recover", "--user", &H1.to_string()])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{secret}").unwrap();
    assert!(!child.wait().unwrap().success());
    assert!(!std::fs::read_to_string(&e.log).unwrap().contains(&secret));
}

/// A failing interaction callback on the reporter path: the interaction token (in the callback's
/// URL) stays out of a trace-level log, even when `RUST_LOG` asks for serenity's HTTP spans and
/// events by more specific directives and a span filter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_reporter_callback_keeps_the_token_out_of_the_log() {
    let guild = GuildSpec {
        id: G,
        name: "Testkommun".to_string(),
        channels: vec![(GENERAL, "allmänt".to_string())],
        roles: vec![],
        preferred_locale: "sv-SE".to_string(),
    };
    let double = DiscordDouble::start(vec![guild]).await;
    let e = env(&double);
    add_handler(&e, &double, H1, PASS1);
    pin_handlers(&e).await;
    let bot = start_bot_logging(
        &e,
        &double,
        "trace,serenity=trace,serenity::http=trace,serenity::http::client=trace,\
         serenity::http::ratelimiting=trace,poise=trace,[request]=trace",
    )
    .await;
    double.inject_failure("POST", "/callback", 500, 5, None);
    let i = slash(&double, &reporter(), &["whistleblow", "report"], vec![]).await;
    let deadline = tokio::time::Instant::now() + T;
    let marker = "answering a reporter's interaction failed";
    while !contains(&std::fs::read(&e.log).unwrap(), marker) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the failure was never logged"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_bot(bot);
    let log = std::fs::read(&e.log).unwrap();
    assert!(contains(&log, "discord failed the request (5xx)"));
    assert!(
        !contains(&log, &i.token),
        "the interaction token reached the log"
    );
    assert!(!contains(&log, &REPORTER_ID.to_string()));
    drop(e.dir);
}
