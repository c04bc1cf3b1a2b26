//! Whistleblowing store and service tests: every test runs on SQLite and on PostgreSQL.

#[path = "support/db.rs"]
mod db;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::config::Config;
use samverkan::domain::whistleblowing::{
    open_case_key, unlock_handler_key, EncryptedPrivateKey, HashParams, KdfParams,
    MAX_FAILED_ATTEMPTS,
};
use samverkan::error::Result;
use samverkan::i18n::Lang;
use samverkan::render::Plain;
use samverkan::service::{render, HandlerId, Intake, Reply, Services, Status};
use samverkan::store::Store;
use secrecy::SecretString;

const A: HandlerId = HandlerId(111_111_111_111_111_111);
const B: HandlerId = HandlerId(222_222_222_222_222_222);
/// Registered with a key, but not on the allow-list.
const ROGUE: HandlerId = HandlerId(333_333_333_333_333_333);
const PASS_A: &str = "handler A long passphrase";
const PASS_B: &str = "handler B long passphrase";

const WHAT: &str = "Byggbolaget AB och Vägkonsult delade upp anbuden i upphandling 2026/117";
const WHO: &str = "Kalle Karlsson, inköpschef";
const CONTACT: &str = "Signal 070-1234567";
const REPLY: &str = "Tack, vi utreder anbudssamverkan nu";
const ADDITION: &str = "Mejlen finns i utkorgen från 12 mars";

fn config(extra: &str) -> Config {
    Config::from_toml_str(&format!(
        "[whistleblowing]\nhandlers = [\"{}\", \"{}\"]\nhandler_channel = 4242\n\
         notify_delay_min_minutes = 5\nnotify_delay_max_minutes = 30\n{extra}",
        A.0, B.0
    ))
    .unwrap()
}

fn services_with(store: Store, clock: ManualClock, config: Config) -> Services {
    Services::new(store, Arc::new(clock), Arc::new(config))
        .with_wb_params(HashParams::fast_for_tests(), KdfParams::fast_for_tests())
}

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap())
}

fn pass(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn text(r: Result<Reply>) -> (String, Status) {
    let p = render(Lang::En, r, &Plain::default());
    (p.text, p.status)
}

fn ok(r: Result<Reply>) -> String {
    let (t, s) = text(r);
    assert_eq!(s, Status::Ok, "{t}");
    t
}

fn refused(r: Result<Reply>) -> String {
    let (t, s) = text(r);
    assert_eq!(s, Status::Refused, "{t}");
    t
}

fn intake() -> Intake {
    Intake {
        what: WHAT.to_string(),
        when_where: "Malmö, mars 2026".to_string(),
        who: WHO.to_string(),
        evidence: None,
        contact: Some(CONTACT.to_string()),
    }
}

async fn setup(store: &Store, s: &Services) {
    s.wb_register_handler(A.0, pass(PASS_A)).await.unwrap();
    s.wb_register_handler(B.0, pass(PASS_B)).await.unwrap();
    s.wb_register_handler(ROGUE.0, pass("rogue long passphrase"))
        .await
        .unwrap();
    assert_eq!(store.wb_handlers().await.unwrap().len(), 3);
}

/// code, secret
async fn submit(s: &Services) -> (String, String) {
    let r = s.wb_submit(&intake(), None).await.unwrap();
    (
        r.code.as_str().to_string(),
        r.secret.expose_grouped().to_string(),
    )
}

async fn full_flow(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    setup(&store, &s).await;
    let r = s.wb_submit(&intake(), None).await.unwrap();
    let receipt = ok(Ok(r.reply()));
    let code = r.code.as_str().to_string();
    let secret = r.secret.expose_grouped().to_string();
    assert!(
        receipt.contains(&code) && receipt.contains(&secret),
        "{receipt}"
    );

    // A notice was enqueued for the handler channel, content-free and after a delay.
    let notices = store.jobs_with_prefix("wb:notice:").await.unwrap();
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    let delay = n.due_at - s.clock.now();
    assert!(
        delay >= Duration::minutes(5) && delay <= Duration::minutes(31),
        "{delay}"
    );
    assert!(!n.payload.to_string().contains(&code));
    assert!(!n.key.contains(&code));
    let notice = s.wb_notice_msg(&n.payload).plain(Lang::Sv);
    assert!(notice.contains("visselblåsarrapport"), "{notice}");

    // Sealed to the allow-listed handlers only.
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(
        store.wb_case_handlers(meta.id).await.unwrap(),
        vec![A.0, B.0]
    );
    assert_eq!(meta.dates.received.to_string(), "2026-11-22");

    // The reporter follows up and adds information.
    let v = s.wb_followup(&code, &secret, Some(ADDITION)).await.unwrap();
    assert!(v.added);
    let shown = ok(Ok(v.reply()));
    assert!(
        shown.contains(ADDITION) && shown.contains("received"),
        "{shown}"
    );

    // Handler A: list (no content), view (audited), ack, reply.
    let list = ok(s.wb_list(A).await);
    assert!(
        list.contains(&code) && !list.contains("Byggbolaget"),
        "{list}"
    );
    let view = ok(s.wb_view(A, &code, pass(PASS_A)).await);
    assert!(view.contains(WHAT) && view.contains(WHO) && view.contains(CONTACT));
    assert!(view.contains(ADDITION), "{view}");
    let wrong = refused(s.wb_view(A, &code, pass("not the passphrase")).await);
    assert!(wrong.contains("Wrong passphrase"), "{wrong}");
    ok(s.wb_ack(A, &code).await);
    ok(s.wb_set_status(A, &code, "in_progress").await);
    ok(s.wb_reply(A, &code, pass(PASS_A), REPLY).await);
    let audit = store.wb_audit_log(meta.id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["view", "acknowledged", "in_progress", "reply"]);
    assert!(audit.iter().all(|a| a.handler_id == A.0));

    // The reporter reads the reply; the handler's identity is not in it.
    let v = s.wb_followup(&code, &secret, None).await.unwrap();
    let shown = ok(Ok(v.reply()));
    assert!(
        shown.contains(REPLY) && shown.contains("Handler"),
        "{shown}"
    );
    assert!(!shown.contains(&A.0.to_string()));

    // B (also a handler) reads it too; then A closes with an outcome.
    assert!(ok(s.wb_view(B, &code, pass(PASS_B)).await).contains(REPLY));
    refused(s.wb_close(A, &code, "bogus").await);
    ok(s.wb_close(A, &code, "referred_externally").await);
    let closed = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(closed.status.as_str(), "closed");
    assert!(closed.dates.closed.is_some() && closed.dates.feedback_given.is_some());
    // The panel: the web form line only when configured.
    assert_eq!(s.wb_panel_lines().len(), 1);
    let with_web = services_with(
        store.clone(),
        clock(),
        config("web_form_url = \"https://tips.example.org/vb\"\n"),
    );
    let lines = with_web.wb_panel_lines();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]
        .plain(Lang::En)
        .contains("https://tips.example.org/vb"));
    assert!(lines[0].plain(Lang::En).contains("Konkurrensverket"));
    // Nothing can be added to a closed case.
    let t = refused(
        s.wb_followup(&code, &secret, Some("more"))
            .await
            .map(|v| v.reply()),
    );
    assert!(t.contains("closed"), "{t}");
}

async fn identical_refusals_and_lockout_survive_restart(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    let (other_code, _) = submit(&s).await;
    let wrong = "ABCD-EFGH-JKMN-PQRS-TVWX";
    let deny = |r: Result<samverkan::service::ReporterView>| refused(r.map(|v| v.reply()));
    let unknown = deny(s.wb_followup("VB-0000-0000", &secret, None).await);
    let malformed_code = deny(s.wb_followup("not a code", &secret, None).await);
    let malformed_secret = deny(s.wb_followup(&code, "???", None).await);
    let wrong1 = deny(s.wb_followup(&code, wrong, None).await);
    assert_eq!(unknown, wrong1);
    assert_eq!(unknown, malformed_code);
    assert_eq!(unknown, malformed_secret);
    for _ in 1..MAX_FAILED_ATTEMPTS {
        assert_eq!(deny(s.wb_followup(&code, wrong, None).await), unknown);
    }
    // Locked: the right secret gets the same refusal.
    assert_eq!(deny(s.wb_followup(&code, &secret, None).await), unknown);
    // After a "restart" (new services, new in-memory state) it is still locked.
    let restarted = services_with(store.clone(), clock(), config(""));
    assert_eq!(
        deny(restarted.wb_followup(&code, &secret, None).await),
        unknown
    );
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(meta.failed_attempts, MAX_FAILED_ATTEMPTS);
    // Guessing codes: always the same answer, and other cases are untouched.
    for _ in 0..20 {
        let guess = samverkan::domain::whistleblowing::CaseCode::generate(&mut rand::thread_rng());
        assert_eq!(
            deny(restarted.wb_followup(guess.as_str(), wrong, None).await),
            unknown
        );
    }
    assert_eq!(
        store
            .wb_case(&other_code)
            .await
            .unwrap()
            .unwrap()
            .failed_attempts,
        0
    );
    // A right secret below the threshold resets the counter.
    let (c2, s2) = submit(&s).await;
    deny(s.wb_followup(&c2, wrong, None).await);
    s.wb_followup(&c2, &s2, None).await.unwrap();
    assert_eq!(
        store.wb_case(&c2).await.unwrap().unwrap().failed_attempts,
        0
    );
}

async fn excluded_handler_cannot_decrypt(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    // Before: B can open the sealed key with the passphrase.
    let b = store.wb_handler(B.0).await.unwrap().unwrap();
    let enc: EncryptedPrivateKey = b.encrypted_private.parse().unwrap();
    let b_secret = unlock_handler_key(&enc, &pass(PASS_B)).unwrap();
    let sealed_before = store.wb_sealed_key(meta.id, B.0).await.unwrap().unwrap();
    assert!(open_case_key(&sealed_before, &b_secret).is_ok());

    ok(s.wb_exclude(A, &code, B).await);
    assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![A.0]);
    assert!(store.wb_sealed_key(meta.id, B.0).await.unwrap().is_none());
    // The service refuses B as for an unknown case, for every operation.
    let unknown = refused(s.wb_view(B, "VB-0000-0000", pass(PASS_B)).await);
    assert_eq!(refused(s.wb_view(B, &code, pass(PASS_B)).await), unknown);
    assert_eq!(
        refused(s.wb_reply(B, &code, pass(PASS_B), "x").await),
        unknown
    );
    assert_eq!(refused(s.wb_ack(B, &code).await), unknown);
    assert!(!ok(s.wb_list(B).await).contains(&code));
    // B's key opens none of what is stored for the case any more.
    let keys_left: Vec<Vec<u8>> = vec![store.wb_sealed_key(meta.id, A.0).await.unwrap().unwrap()];
    assert!(keys_left
        .iter()
        .all(|k| open_case_key(k, &b_secret).is_err()));
    // The last handler cannot be excluded; A still reads the case.
    refused(s.wb_exclude(A, &code, A).await);
    assert!(ok(s.wb_view(A, &code, pass(PASS_A)).await).contains(WHAT));
}

async fn only_allow_listed_handlers(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let not_handler = refused(s.wb_list(ROGUE).await);
    assert!(not_handler.contains("designated"), "{not_handler}");
    assert_eq!(
        refused(s.wb_view(ROGUE, &code, pass("rogue long passphrase")).await),
        not_handler
    );
    assert_eq!(refused(s.wb_ack(ROGUE, &code).await), not_handler);
    // An administrator of the guild (any id not on the list) is refused the same way.
    assert_eq!(refused(s.wb_list(HandlerId(1)).await), not_handler);
    // A handler removed from the configuration loses access at once.
    let only_a =
        Config::from_toml_str(&format!("[whistleblowing]\nhandlers = [\"{}\"]\n", A.0)).unwrap();
    let s2 = services_with(store.clone(), clock(), only_a);
    assert_eq!(refused(s2.wb_list(B).await), not_handler);
    // New cases are sealed only to current allow-listed handlers.
    let (c2, _) = submit(&s2).await;
    let meta = store.wb_case(&c2).await.unwrap().unwrap();
    assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![A.0]);
    // No handlers at all: the intake refuses instead of storing an unreadable case.
    let none = services_with(store.clone(), clock(), Config::default());
    let t = refused(none.wb_submit(&intake(), None).await.map(|r| r.reply()));
    assert!(t.contains("not ready"), "{t}");
}

async fn bad_input_is_refused_clearly(store: Store) {
    let s = services_with(
        store.clone(),
        clock(),
        config("max_new_cases_per_hour = 3\nuser_cooldown_seconds = 600\n"),
    );
    setup(&store, &s).await;
    let submit_with = |f: Intake| {
        let s = s.clone();
        async move { s.wb_submit(&f, None).await.map(|r| r.reply()) }
    };
    let long = Intake {
        what: "x".repeat(4001),
        ..intake()
    };
    assert!(refused(submit_with(long).await).contains("at most 4000"));
    let junk = Intake {
        who: "\u{0}\u{1}\u{2}binary\u{7f}".to_string(),
        ..intake()
    };
    assert!(refused(submit_with(junk).await).contains("cannot be read"));
    let empty = Intake {
        what: "   ".to_string(),
        ..intake()
    };
    assert!(refused(submit_with(empty).await).contains("must be filled in"));
    let long_msg = "y".repeat(4001);
    let (code, secret) = submit(&s).await;
    assert!(refused(
        s.wb_followup(&code, &secret, Some(&long_msg))
            .await
            .map(|v| v.reply())
    )
    .contains("at most 4000"));
    assert!(refused(s.wb_reply(A, &code, pass(PASS_A), "\u{0}").await).contains("cannot be read"));
    // Nothing was stored for the refused ones.
    assert_eq!(store.wb_all_cases().await.unwrap().len(), 1);

    // Per-user cooldown: in memory, keyed.
    let t1 = s.wb.cooldown_token(&42u64.to_le_bytes());
    let t2 = s.wb.cooldown_token(&43u64.to_le_bytes());
    s.wb_submit(&intake(), Some(t1)).await.unwrap();
    let slow = refused(s.wb_submit(&intake(), Some(t1)).await.map(|r| r.reply()));
    assert!(slow.contains("try again later"), "{slow}");
    // After a restart the token means nothing (new key): a new runtime accepts the same user.
    let restarted = services_with(store.clone(), clock(), config(""));
    assert_ne!(restarted.wb.cooldown_token(&42u64.to_le_bytes()), t1);
    // Global flood limit: 3 per hour in all (1 + 1 accepted so far).
    s.wb_submit(&intake(), Some(t2)).await.unwrap();
    let flood = refused(s.wb_submit(&intake(), None).await.map(|r| r.reply()));
    assert_eq!(flood, slow);
    assert_eq!(store.wb_all_cases().await.unwrap().len(), 3);
}

async fn reminders_overdue_and_purge(store: Store) {
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config("retention_days = 30\n"));
    setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    // Day 5: acknowledgement due in 2 days.
    c.advance(Duration::days(5));
    let (n, purged) = s.wb_daily().await.unwrap();
    assert_eq!((n, purged), (1, 0), "ack soon");
    let reminders = store.jobs_with_prefix("wb:reminder:").await.unwrap();
    assert!(reminders
        .iter()
        .any(|j| j.payload["reminder"] == "ack_soon"));
    assert!(reminders
        .iter()
        .all(|j| !j.payload.to_string().contains(&code)));
    // Each reminder once.
    assert_eq!(s.wb_daily().await.unwrap(), (0, 0));
    // Day 9: overdue, highlighted in the list.
    c.advance(Duration::days(4));
    assert!(ok(s.wb_list(A).await).contains("OVERDUE"));
    s.wb_daily().await.unwrap();
    let kinds: Vec<String> = store
        .jobs_with_prefix("wb:reminder:")
        .await
        .unwrap()
        .iter()
        .map(|j| j.payload["reminder"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"ack_overdue".to_string()), "{kinds:?}");
    ok(s.wb_ack(A, &code).await);
    assert!(!ok(s.wb_list(A).await).contains("OVERDUE"));
    ok(s.wb_close(A, &code, "no_action").await);
    // 16 days after closing: purge warning (14 days before); 30 days: purged.
    c.advance(Duration::days(16));
    s.wb_daily().await.unwrap();
    assert!(store
        .jobs_with_prefix("wb:reminder:")
        .await
        .unwrap()
        .iter()
        .any(|j| j.payload["reminder"] == "purge_in_14_days"));
    assert!(store.wb_case(&code).await.unwrap().is_some());
    c.advance(Duration::days(14));
    assert_eq!(s.wb_daily().await.unwrap().1, 1);
    assert!(store.wb_case(&code).await.unwrap().is_none());
    assert!(store.wb_all_cases().await.unwrap().is_empty());
}

async fn daily_job_runs_reminders_once(store: Store) {
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config(""));
    setup(&store, &s).await;
    submit(&s).await;
    samverkan::scheduler::whistleblowing::schedule_daily(&s, true)
        .await
        .unwrap();
    samverkan::scheduler::whistleblowing::schedule_daily(&s, true)
        .await
        .unwrap();
    let daily = store.jobs_with_prefix("wb:daily:").await.unwrap();
    assert_eq!(
        daily.len(),
        2,
        "a catch-up run today and the next at digest_time"
    );
    assert!(daily.iter().any(|j| j.due_at == s.clock.now()));
    // 2026-11-23 08:00 Stockholm.
    assert!(daily
        .iter()
        .any(|j| j.due_at == Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap()));
}

async fn digest_mode_folds_notices(store: Store) {
    let s = services_with(
        store.clone(),
        clock(),
        config("notify = \"digest\"\ndigest_time = \"08:00\"\n"),
    );
    setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION)).await.unwrap();
    let digests = store.jobs_with_prefix("wb:digest:").await.unwrap();
    assert_eq!(digests.len(), 1, "one digest for the day");
    // 2026-11-23 08:00 in Stockholm is 07:00 UTC.
    assert_eq!(
        digests[0].due_at,
        Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap()
    );
    assert!(store
        .jobs_with_prefix("wb:notice:")
        .await
        .unwrap()
        .is_empty());
}

on_both_backends!(
    full_flow,
    identical_refusals_and_lockout_survive_restart,
    excluded_handler_cannot_decrypt,
    only_allow_listed_handlers,
    bad_input_is_refused_clearly,
    reminders_overdue_and_purge,
    digest_mode_folds_notices,
    daily_job_runs_reminders_once,
);

// ---------------------------------------------------------------------------------------------
// At rest: database plus configuration, without passphrases
// ---------------------------------------------------------------------------------------------

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn needles() -> Vec<Vec<u8>> {
    [
        WHAT,
        WHO,
        CONTACT,
        REPLY,
        ADDITION,
        "Byggbolaget",
        "Karlsson",
        "070-1234567",
    ]
    .iter()
    .flat_map(|t| {
        [
            t.as_bytes().to_vec(),
            hex::encode(t.as_bytes()).into_bytes(),
        ]
    })
    .collect()
}

/// Runs the flow, then dumps everything stored (every table, and on SQLite the raw files) and
/// the configuration: no tip text in any form; the stored keys do not open without the
/// passphrases.
async fn dump_reveals_nothing(db: &db::TestDb) {
    let store = db.store.clone();
    let cfg = config("");
    let s = services_with(store.clone(), clock(), cfg.clone());
    setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION)).await.unwrap();
    ok(s.wb_reply(A, &code, pass(PASS_A), REPLY).await);

    // The notice job records its creation (a reporter action) at day resolution only.
    let created = db::job_created_at(db, "wb:notice:").await;
    assert!(!created.is_empty());
    assert!(created.iter().all(|ms| ms % 86_400_000 == 0), "{created:?}");

    let mut dump: Vec<u8> = cfg.to_redacted_toml().into_bytes();
    dump.extend(format!("{cfg:?}").into_bytes());
    dump.extend(db::dump_all(db).await);
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
                dump.extend(bytes);
            }
        }
    }
    assert!(
        contains(&dump, code.as_bytes()),
        "the dump does contain the case"
    );
    for n in needles() {
        assert!(
            !contains(&dump, &n),
            "found {:?}",
            String::from_utf8_lossy(&n)
        );
    }
    // Without the passphrase the handler keys do not open.
    for h in store.wb_handlers().await.unwrap() {
        let enc: EncryptedPrivateKey = h.encrypted_private.parse().unwrap();
        assert!(unlock_handler_key(&enc, &pass("")).is_err());
        assert!(unlock_handler_key(&enc, &pass("guess the passphrase")).is_err());
    }
}

/// Purged content does not survive in the SQLite file or its WAL (secure_delete).
async fn purge_leaves_no_trace(db: &db::TestDb) {
    let store = db.store.clone();
    for _ in 0..8 {
        assert!(store.secure_delete_enabled().await.unwrap());
    }
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config("retention_days = 1\n"));
    setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION)).await.unwrap();
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    let content = store.wb_content(meta.id).await.unwrap();
    let phc = store.wb_receipt(meta.id).await.unwrap();
    ok(s.wb_close(A, &code, "no_action").await);
    c.advance(Duration::days(2));
    assert_eq!(s.wb_daily().await.unwrap().1, 1);
    store.checkpoint().await.unwrap();
    let Some(path) = db.url.strip_prefix("sqlite://") else {
        return;
    };
    let mut files = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
            files.extend(bytes);
        }
    }
    assert!(!files.is_empty());
    for needle in [code.as_bytes(), &content[8..40], phc.as_bytes()] {
        assert!(!contains(&files, needle), "purged data left in the file");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_rest_dump_without_passphrases_reveals_nothing_sqlite() {
    let db = db::sqlite().await;
    dump_reveals_nothing(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_rest_dump_without_passphrases_reveals_nothing_postgres() {
    let Some(db) = db::postgres().await else {
        return;
    };
    dump_reveals_nothing(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_leaves_no_trace_sqlite() {
    let db = db::sqlite().await;
    purge_leaves_no_trace(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_then_nothing_left_postgres() {
    let Some(db) = db::postgres().await else {
        return;
    };
    purge_leaves_no_trace(&db).await;
    let rows = db::dump_all(&db).await;
    assert!(!contains(&rows, b"VB-"), "no case row left");
    db.cleanup().await;
}
