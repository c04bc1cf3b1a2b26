//! Whistleblowing store and service tests: every test runs on SQLite and on PostgreSQL.

#[path = "support/db.rs"]
mod db;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::config::Config;
use samverkan::domain::whistleblowing::{
    fingerprint, open_case_key, parse_public_key, unlock_handler_key, EncryptedPrivateKey,
    HashParams, KdfParams, MAX_FAILED_ATTEMPTS,
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
         {}notify_delay_min_minutes = 5\nnotify_delay_max_minutes = 30\n{}{extra}",
        A.0,
        B.0,
        if extra.contains("notify =") {
            ""
        } else {
            "notify = \"delayed\"\n"
        },
        if extra.contains("followup_cooldown_seconds") {
            ""
        } else {
            "followup_cooldown_seconds = 0\n"
        }
    ))
    .unwrap()
}

/// `cfg` with every registered handler's current key pinned (as the operator does after
/// `samverkan handler add`).
async fn pin(store: &Store, mut cfg: Config) -> Config {
    for h in store.wb_handlers().await.unwrap() {
        let pk = parse_public_key(&h.public_key).unwrap();
        cfg.whistleblowing
            .fingerprints
            .insert(h.user_id.to_string(), fingerprint(&pk));
    }
    cfg
}

/// Services on the same store and clock with `cfg`, keys pinned.
async fn pinned(store: &Store, s: &Services, cfg: Config) -> Services {
    Services::new(
        store.clone(),
        s.clock.clone(),
        Arc::new(pin(store, cfg).await),
    )
    .with_wb_params(HashParams::fast_for_tests(), KdfParams::fast_for_tests())
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
        ..Intake::default()
    }
}

/// Registers A, B and ROGUE; returns services with their keys pinned.
async fn setup(store: &Store, s: &Services) -> Services {
    s.wb_register_handler(A.0, pass(PASS_A)).await.unwrap();
    s.wb_register_handler(B.0, pass(PASS_B)).await.unwrap();
    s.wb_register_handler(ROGUE.0, pass("rogue long passphrase"))
        .await
        .unwrap();
    assert_eq!(store.wb_handlers().await.unwrap().len(), 3);
    pinned(store, s, (*s.config).clone()).await
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
    let s = setup(&store, &s).await;
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
    let v = s
        .wb_followup(&code, &secret, Some(ADDITION), None)
        .await
        .unwrap();
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
    assert_eq!(
        actions,
        [
            "view",
            "wrong_passphrase",
            "acknowledged",
            "in_progress",
            "reply"
        ]
    );
    assert!(audit.iter().all(|a| a.handler_id == A.0));

    // The reporter reads the reply; the handler's identity is not in it.
    let v = s.wb_followup(&code, &secret, None, None).await.unwrap();
    let shown = ok(Ok(v.reply()));
    assert!(
        shown.contains(REPLY) && shown.contains("Handler"),
        "{shown}"
    );
    assert!(!shown.contains(&A.0.to_string()));

    // B (also a handler) reads it too; then A closes with an outcome.
    assert!(ok(s.wb_view(B, &code, pass(PASS_B)).await).contains(REPLY));
    refused(s.wb_close(A, &code, "bogus").await);
    // A reply is not feedback: that is an explicit act.
    assert!(store
        .wb_case(&code)
        .await
        .unwrap()
        .unwrap()
        .dates
        .feedback_given
        .is_none());
    ok(s.wb_feedback(A, &code).await);
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
        s.wb_followup(&code, &secret, Some("more"), None)
            .await
            .map(|v| v.reply()),
    );
    assert!(t.contains("closed"), "{t}");
}

async fn identical_refusals_and_lockout_survive_restart(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    let (other_code, _) = submit(&s).await;
    let wrong = "ABCD-EFGH-JKMN-PQRS-TVWX";
    let deny = |r: Result<samverkan::service::ReporterView>| refused(r.map(|v| v.reply()));
    let unknown = deny(s.wb_followup("VB-0000-0000", &secret, None, None).await);
    let malformed_code = deny(s.wb_followup("not a code", &secret, None, None).await);
    let malformed_secret = deny(s.wb_followup(&code, "???", None, None).await);
    let wrong1 = deny(s.wb_followup(&code, wrong, None, None).await);
    assert_eq!(unknown, wrong1);
    assert_eq!(unknown, malformed_code);
    assert_eq!(unknown, malformed_secret);
    for _ in 1..MAX_FAILED_ATTEMPTS {
        assert_eq!(deny(s.wb_followup(&code, wrong, None, None).await), unknown);
    }
    // Locked: the right secret gets the same refusal.
    assert_eq!(
        deny(s.wb_followup(&code, &secret, None, None).await),
        unknown
    );
    // After a "restart" (new services, new in-memory state) it is still locked.
    let restarted = pinned(&store, &s, config("")).await;
    assert_eq!(
        deny(restarted.wb_followup(&code, &secret, None, None).await),
        unknown
    );
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    // Every attempt is counted, the refused ones during the lock too.
    assert_eq!(meta.failed_attempts, MAX_FAILED_ATTEMPTS + 2);
    let today = s.wb_today();
    assert_eq!(meta.locked_until, Some(today + Duration::days(1)));
    // The handlers see the lock.
    assert!(ok(s.wb_list(A).await).contains("locked"));
    // Guessing codes: always the same answer, and other cases are untouched.
    for _ in 0..20 {
        let guess = samverkan::domain::whistleblowing::CaseCode::generate(&mut rand::thread_rng());
        assert_eq!(
            deny(
                restarted
                    .wb_followup(guess.as_str(), wrong, None, None)
                    .await
            ),
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
    deny(s.wb_followup(&c2, wrong, None, None).await);
    s.wb_followup(&c2, &s2, None, None).await.unwrap();
    assert_eq!(
        store.wb_case(&c2).await.unwrap().unwrap().failed_attempts,
        0
    );
    // A handler lifts the lock (audited); the reporter gets in at once.
    ok(s.wb_lift_lock(A, &code).await);
    s.wb_followup(&code, &secret, None, None).await.unwrap();
    let audit = store.wb_audit_log(meta.id).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "unlock" && e.handler_id == A.0));
}

/// The lock is a backoff, not a permanent silence: a day later the reporter gets in; another
/// run of wrong secrets locks it for longer (2 days).
async fn lock_is_a_backoff(store: Store) {
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config(""));
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    let wrong = "ABCD-EFGH-JKMN-PQRS-TVWX";
    for _ in 0..MAX_FAILED_ATTEMPTS {
        assert!(s.wb_followup(&code, wrong, None, None).await.is_err());
    }
    assert!(s.wb_followup(&code, &secret, None, None).await.is_err());
    c.advance(Duration::days(1));
    s.wb_followup(&code, &secret, None, None).await.unwrap();
    for _ in 0..MAX_FAILED_ATTEMPTS {
        assert!(s.wb_followup(&code, wrong, None, None).await.is_err());
    }
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(meta.lockouts, 2);
    assert_eq!(meta.locked_until, Some(s.wb_today() + Duration::days(2)));
}

/// 20 wrong guesses at once: each is counted (20), and no more than the limit are checked
/// against the stored hash; the right secret is then refused.
async fn parallel_wrong_guesses_all_count(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    let before = s.wb.hash_checks();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            let wrong = format!("ABCD-EFGH-JKMN-PQRS-{:04}", i);
            s.wb_followup(&code, &wrong, None, None).await.is_err()
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap(), "a wrong guess was let in");
    }
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(meta.failed_attempts, 20);
    assert!(meta.locked_until.is_some());
    assert_eq!(
        s.wb.hash_checks() - before,
        u64::from(MAX_FAILED_ATTEMPTS),
        "only the limit's worth of guesses reach the real hash"
    );
    assert!(s.wb_followup(&code, &secret, None, None).await.is_err());
}

async fn excluded_handler_cannot_decrypt(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    // Before: B can open the sealed key with the passphrase.
    let b = store.wb_handler(B.0).await.unwrap().unwrap();
    let enc: EncryptedPrivateKey = b.encrypted_private.parse().unwrap();
    let b_secret = unlock_handler_key(&enc, &pass(PASS_B)).unwrap();
    let sealed_before = store.wb_sealed_key(meta.id, B.0).await.unwrap().unwrap();
    assert!(open_case_key(&sealed_before, &b_secret).is_ok());

    // A asks, B (a second handler, here the one concerned) approves.
    ok(s.wb_exclude(A, &code, B).await);
    ok(s.wb_exclude(B, &code, B).await);
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
    let s = setup(&store, &s).await;
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
    let s2 = pinned(&store, &s, only_a).await;
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
    let s = setup(&store, &s).await;
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
        s.wb_followup(&code, &secret, Some(&long_msg), None)
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
    // Global flood limit: 3 per hour in all (1 + 1 accepted so far). Over it, reports are
    // still kept, flagged, and the handlers are told: a flood cannot silence everyone.
    s.wb_submit(&intake(), Some(t2)).await.unwrap();
    let r = s.wb_submit(&intake(), None).await.unwrap();
    let flagged = store.wb_case(r.code.as_str()).await.unwrap().unwrap();
    assert!(flagged.flagged);
    assert_eq!(store.wb_all_cases().await.unwrap().len(), 4);
    assert_eq!(
        store.jobs_with_prefix("wb:flagged:").await.unwrap().len(),
        1
    );
    assert!(ok(s.wb_list(A).await).contains("flagged"));
    // Far over it (10 × the limit), refused.
    let mut refusals = 0;
    for _ in 0..40 {
        if s.wb_submit(&intake(), None).await.is_err() {
            refusals += 1;
        }
    }
    assert!(refusals >= 10, "{refusals}");
    let _ = slow;
}

async fn reminders_overdue_and_purge(store: Store) {
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config("retention_days = 30\n"));
    let s = setup(&store, &s).await;
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
    let s = setup(&store, &s).await;
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
    // The default is the daily digest.
    let s = services_with(
        store.clone(),
        clock(),
        config("notify = \"digest\"\ndigest_time = \"08:00\"\n"),
    );
    assert_eq!(
        samverkan::config::WhistleblowingConfig::default().notify,
        samverkan::config::NotifyMode::Digest
    );
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION), None)
        .await
        .unwrap();
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

const C: HandlerId = HandlerId(444_444_444_444_444_444);
const PASS_C: &str = "handler C long passphrase";

fn config_abc(extra: &str) -> Config {
    Config::from_toml_str(&format!(
        "[whistleblowing]\nhandlers = [\"{}\", \"{}\", \"{}\"]\nhandler_channel = 4242\n\
         notify = \"delayed\"\nfollowup_cooldown_seconds = 0\n{extra}",
        A.0, B.0, C.0
    ))
    .unwrap()
}

/// Continuity: a handler added after a case came in reads it once another handler has opened
/// it; an excluded handler never gets it back by that re-sealing.
async fn handler_added_later_reads_after_anothers_unlock(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    // B recuses (conflict of interest): at once, remembered.
    ok(s.wb_exclude(B, &code, B).await);
    // C joins later: key, allow-list, pin.
    s.wb_register_handler(C.0, pass(PASS_C)).await.unwrap();
    let s = pinned(&store, &s, config_abc("")).await;
    let unknown = refused(s.wb_view(C, "VB-0000-0000", pass(PASS_C)).await);
    assert_eq!(refused(s.wb_view(C, &code, pass(PASS_C)).await), unknown);
    // A opens the case: the key is sealed to C too, not to B.
    assert!(ok(s.wb_view(A, &code, pass(PASS_A)).await).contains(WHAT));
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(
        store.wb_case_handlers(meta.id).await.unwrap(),
        vec![A.0, C.0]
    );
    assert!(ok(s.wb_view(C, &code, pass(PASS_C)).await).contains(WHAT));
    assert!(ok(s.wb_list(C).await).contains(&code));
    assert_eq!(refused(s.wb_view(B, &code, pass(PASS_B)).await), unknown);
}

/// The last-handler rule counts only handlers still on the allow-list; cases no current
/// handler can open are reported (content-free), and the operator's recovery key hands them to
/// a new handler.
async fn removed_handler_is_not_last_and_unreadable_cases_are_reported(store: Store) {
    let recovery = samverkan::domain::whistleblowing::HandlerSecret::generate_recovery();
    let rpk = samverkan::domain::whistleblowing::encode_public_key(&recovery.public_key());
    let extra = format!("recovery_public_key = \"{rpk}\"\n");
    let s = services_with(store.clone(), clock(), config(&extra));
    let s = setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert!(meta.has_recovery);
    // B leaves the allow-list; their key row stays. A is now the last allowed handler.
    let only_a = Config::from_toml_str(&format!(
        "[whistleblowing]\nhandlers = [\"{}\"]\nhandler_channel = 4242\n{extra}",
        A.0
    ))
    .unwrap();
    let s = pinned(&store, &s, only_a).await;
    let t = refused(s.wb_exclude(A, &code, A).await);
    assert!(t.contains("last handler"), "{t}");
    assert_eq!(s.wb_unreadable().await.unwrap(), (0, 0));
    // Now A leaves too and only C (new, no key to the case) is allowed.
    s.wb_register_handler(C.0, pass(PASS_C)).await.unwrap();
    let only_c = Config::from_toml_str(&format!(
        "[whistleblowing]\nhandlers = [\"{}\"]\nhandler_channel = 4242\n{extra}",
        C.0
    ))
    .unwrap();
    let s = pinned(&store, &s, only_c).await;
    assert_eq!(s.wb_unreadable().await.unwrap(), (1, 1));
    s.wb_daily().await.unwrap();
    let notices = store.jobs_with_prefix("wb:unreadable:").await.unwrap();
    assert_eq!(notices.len(), 1);
    assert!(!notices[0].payload.to_string().contains(&code));
    let text = s.wb_notice_msg(&notices[0].payload).plain(Lang::Sv);
    assert!(
        text.contains("kan inte öppnas") && text.starts_with('1'),
        "{text}"
    );
    // The wrong recovery secret is refused; the right one gives C the case.
    let other = samverkan::domain::whistleblowing::HandlerSecret::generate_recovery();
    let hex = |k: &samverkan::domain::whistleblowing::HandlerSecret| {
        SecretString::from(k.to_hex().to_string())
    };
    assert!(s.wb_recover(hex(&other), C.0).await.is_err());
    assert_eq!(s.wb_recover(hex(&recovery), C.0).await.unwrap(), 1);
    assert!(ok(s.wb_view(C, &code, pass(PASS_C)).await).contains(WHAT));
    assert_eq!(s.wb_unreadable().await.unwrap(), (0, 0));
}

/// Excluding another handler takes a second handler's approval; both steps are audited and the
/// handler channel gets a content-free notice; `/case audit` shows the log. The reporter can
/// exclude a handler at intake.
async fn exclusion_needs_approval_and_notifies(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    let t = ok(s.wb_exclude(A, &code, B).await);
    assert!(t.contains("second handler"), "{t}");
    // Not yet: B still holds the key.
    assert_eq!(
        store.wb_case_handlers(meta.id).await.unwrap(),
        vec![A.0, B.0]
    );
    let notice = |kind: &str| {
        let store = store.clone();
        let kind = kind.to_string();
        async move {
            store
                .jobs_with_prefix("wb:notice:")
                .await
                .unwrap()
                .into_iter()
                .filter(|j| j.payload["notice"] == kind.as_str())
                .count()
        }
    };
    assert_eq!(notice("exclusion_requested").await, 1);
    // The requester alone cannot complete it.
    assert!(refused(s.wb_exclude(A, &code, B).await).contains("second handler"));
    // A second handler (here B, agreeing) approves.
    ok(s.wb_exclude(B, &code, B).await);
    assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![A.0]);
    assert_eq!(notice("excluded").await, 1);
    for j in store.jobs_with_prefix("wb:notice:").await.unwrap() {
        assert!(!j.payload.to_string().contains(&code));
        assert!(!j.payload.to_string().contains(&B.0.to_string()));
    }
    let audit = ok(s.wb_audit_view(A, &code).await);
    assert!(
        audit.contains(&format!("exclude_request:{}", B.0))
            && audit.contains(&format!("exclude:{}", B.0)),
        "{audit}"
    );
    // B sees nothing of the case now, not even its audit log.
    refused(s.wb_audit_view(B, &code).await);

    // The reporter excludes B at intake: B never gets a key, not even by re-sealing.
    let r = s
        .wb_submit(
            &Intake {
                exclude: vec![B.0, 999],
                ..intake()
            },
            None,
        )
        .await
        .unwrap();
    let m2 = store.wb_case(r.code.as_str()).await.unwrap().unwrap();
    assert_eq!(store.wb_case_handlers(m2.id).await.unwrap(), vec![A.0]);
    ok(s.wb_view(A, r.code.as_str(), pass(PASS_A)).await);
    assert_eq!(store.wb_case_handlers(m2.id).await.unwrap(), vec![A.0]);
    assert_eq!(store.wb_excluded(m2.id).await.unwrap(), vec![B.0]);
    // Excluding every handler is refused clearly.
    let t = refused(
        s.wb_submit(
            &Intake {
                exclude: vec![A.0, B.0],
                ..intake()
            },
            None,
        )
        .await
        .map(|r| r.reply()),
    );
    assert!(t.contains("every handler"), "{t}");
}

/// Status changes are conditional: a change made on a stale view is refused, and a reply
/// cannot be added to (or reopen) a closed case.
async fn status_updates_are_conditional(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let (code, _) = submit(&s).await;
    let stale = store.wb_case(&code).await.unwrap().unwrap();
    ok(s.wb_close(A, &code, "no_action").await);
    // A writer holding the stale status ("received") loses.
    let mut dates = stale.dates;
    dates.acknowledged = Some(stale.dates.received);
    assert!(!store
        .wb_update_case(
            stale.id,
            stale.status,
            samverkan::domain::whistleblowing::CaseStatus::Acknowledged,
            None,
            &dates
        )
        .await
        .unwrap());
    assert!(store
        .wb_add_message(stale.id, stale.dates.received, |_| vec![1, 2, 3])
        .await
        .unwrap()
        .is_none());
    let after = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(after.status.as_str(), "closed");
    assert!(store.wb_messages(stale.id).await.unwrap().is_empty());
    // Deadlines are explicit acts: feedback needs an acknowledged, open case.
    let (c2, _) = submit(&s).await;
    assert!(refused(s.wb_feedback(A, &c2).await).contains("Acknowledge"));
    ok(s.wb_reply(A, &c2, pass(PASS_A), REPLY).await);
    let m2 = store.wb_case(&c2).await.unwrap().unwrap();
    assert!(m2.dates.acknowledged.is_none() && m2.dates.feedback_given.is_none());
    ok(s.wb_ack(A, &c2).await);
    ok(s.wb_feedback(A, &c2).await);
    assert!(store
        .wb_case(&c2)
        .await
        .unwrap()
        .unwrap()
        .dates
        .feedback_given
        .is_some());
}

/// `/case list`: open cases first, the most urgent deadline first.
async fn list_shows_open_and_urgent_first(store: Store) {
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config(""));
    let s = setup(&store, &s).await;
    let (old, _) = submit(&s).await;
    c.advance(Duration::days(3));
    let (newer, _) = submit(&s).await;
    let (closed, _) = submit(&s).await;
    ok(s.wb_close(A, &closed, "no_action").await);
    // `old` is acknowledged: its next deadline (feedback, 3 months) is later than `newer`'s
    // acknowledgement deadline (7 days).
    ok(s.wb_ack(A, &old).await);
    let list = ok(s.wb_list(A).await);
    let at = |code: &str| list.find(code).unwrap();
    assert!(at(&newer) < at(&old), "{list}");
    assert!(at(&old) < at(&closed), "{list}");
}

/// Bad input: crafted case ids from non-handlers, looped long follow-ups, look-alike receipts,
/// a 10,000-character passphrase; and wrong passphrases are throttled and audited.
async fn bad_input_is_refused_and_bounded(store: Store) {
    let c = clock();
    let s = services_with(
        store.clone(),
        c.clone(),
        config("followup_cooldown_seconds = 60\n"),
    );
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    // Non-handlers, whatever the case id they craft.
    let not_handler = refused(s.wb_list(ROGUE).await);
    for crafted in [
        code.as_str(),
        "VB-0000-0000",
        "'; DROP TABLE wb_cases; --",
        &"x".repeat(5000),
    ] {
        assert_eq!(
            refused(
                s.wb_view(ROGUE, crafted, pass("rogue long passphrase"))
                    .await
            ),
            not_handler
        );
        assert_eq!(refused(s.wb_lift_lock(ROGUE, crafted).await), not_handler);
        assert_eq!(refused(s.wb_audit_view(ROGUE, crafted).await), not_handler);
        assert_eq!(refused(s.wb_exclude(ROGUE, crafted, A).await), not_handler);
        assert_eq!(refused(s.wb_feedback(ROGUE, crafted).await), not_handler);
    }
    assert_eq!(
        store.wb_case_handlers(meta.id).await.unwrap(),
        vec![A.0, B.0]
    );
    // 4000-character follow-ups in a loop: the cooldown stops all but the first.
    let token = s.wb.cooldown_token(&7u64.to_le_bytes());
    let long = "z".repeat(4000);
    let mut added = 0;
    for _ in 0..10 {
        if s.wb_followup(&code, &secret, Some(&long), Some(token))
            .await
            .is_ok()
        {
            added += 1;
        }
    }
    assert_eq!(added, 1);
    assert_eq!(store.wb_messages(meta.id).await.unwrap().len(), 1);
    // Look-alikes (Cyrillic А, fullwidth digits) are not the secret: the one refusal, and they
    // do not even count against the case.
    let unknown = refused(
        s.wb_followup("VB-0000-0000", &secret, None, None)
            .await
            .map(|v| v.reply()),
    );
    let cyrillic = secret
        .replacen('A', "\u{0410}", 1)
        .replacen('0', "\u{FF10}", 1);
    let lookalike = if cyrillic == secret {
        format!("\u{FF10}{secret}")
    } else {
        cyrillic
    };
    assert_eq!(
        refused(
            s.wb_followup(&code, &lookalike, None, None)
                .await
                .map(|v| v.reply())
        ),
        unknown
    );
    let fullwidth_code: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 + 0xFEE0).unwrap()
            } else {
                c
            }
        })
        .collect();
    assert_eq!(
        refused(
            s.wb_followup(&fullwidth_code, &secret, None, None)
                .await
                .map(|v| v.reply())
        ),
        unknown
    );
    assert_eq!(
        store.wb_case(&code).await.unwrap().unwrap().failed_attempts,
        0
    );
    // A 10,000-character passphrase: the wrong-passphrase answer, no Argon2 work on it.
    let huge = "p".repeat(10_000);
    assert!(refused(s.wb_view(A, &code, pass(&huge)).await).contains("Wrong passphrase"));
    // Wrong passphrases: audited; after three in a row the handler waits, even with the right
    // one, until the clock moves on.
    refused(s.wb_view(A, &code, pass("wrong wrong wrong")).await);
    refused(s.wb_view(A, &code, pass("wrong wrong wrong")).await);
    let wait = refused(s.wb_view(A, &code, pass(PASS_A)).await);
    assert!(wait.contains("Try again in 15 minutes"), "{wait}");
    let wrongs = store
        .wb_audit_log(meta.id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "wrong_passphrase" && e.handler_id == A.0)
        .count();
    assert_eq!(wrongs, 3);
    // Another handler is not affected.
    ok(s.wb_view(B, &code, pass(PASS_B)).await);
    c.advance(Duration::minutes(16));
    ok(s.wb_view(A, &code, pass(PASS_A)).await);
}

/// The last-handler check is race-free: A and B recusing from the same case at the same time
/// leave exactly one of them on it.
async fn concurrent_recusals_leave_one_handler(store: Store) {
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    for _ in 0..5 {
        let (code, _) = submit(&s).await;
        let (a, b) = tokio::join!(s.wb_exclude(A, &code, A), s.wb_exclude(B, &code, B));
        assert!(a.is_ok() != b.is_ok(), "exactly one recusal succeeds");
        let meta = store.wb_case(&code).await.unwrap().unwrap();
        assert_eq!(store.wb_case_handlers(meta.id).await.unwrap().len(), 1);
    }
}

on_both_backends!(
    full_flow,
    concurrent_recusals_leave_one_handler,
    lock_is_a_backoff,
    parallel_wrong_guesses_all_count,
    handler_added_later_reads_after_anothers_unlock,
    removed_handler_is_not_last_and_unreadable_cases_are_reported,
    exclusion_needs_approval_and_notifies,
    status_updates_are_conditional,
    list_shows_open_and_urgent_first,
    bad_input_is_refused_and_bounded,
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
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION), None)
        .await
        .unwrap();
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

/// Raw SQL on the test database, behind the store's back (an attacker with database access).
async fn raw_exec(db: &db::TestDb, sql: &str) {
    use sqlx::Connection;
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
        c.close().await.ok();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
        c.close().await.ok();
    }
}

/// Purged: no case row, key, message, audit row, exclusion or reminder job is left, in the
/// tables or (SQLite) anywhere in the database file and its WAL: the purge itself checkpoints
/// and truncates the log.
async fn purge_leaves_no_trace(db: &db::TestDb) {
    let store = db.store.clone();
    for _ in 0..8 {
        assert!(store.secure_delete_enabled().await.unwrap());
    }
    let c = clock();
    let s = services_with(store.clone(), c.clone(), config("retention_days = 1\n"));
    let s = setup(&store, &s).await;
    let (code, secret) = submit(&s).await;
    s.wb_followup(&code, &secret, Some(ADDITION), None)
        .await
        .unwrap();
    ok(s.wb_reply(A, &code, pass(PASS_A), REPLY).await);
    ok(s.wb_exclude(A, &code, B).await);
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    let content = store.wb_content(meta.id).await.unwrap();
    let phc = store.wb_receipt(meta.id).await.unwrap();
    let sealed = store.wb_sealed_key(meta.id, A.0).await.unwrap().unwrap();
    let message = store.wb_messages(meta.id).await.unwrap().remove(0).body;
    // Day 8: an acknowledgement reminder job names the case.
    c.advance(Duration::days(8));
    s.wb_daily().await.unwrap();
    let reminder = format!("wb:reminder:{}:", meta.id);
    assert!(!store.jobs_with_prefix(&reminder).await.unwrap().is_empty());
    ok(s.wb_close(A, &code, "no_action").await);
    c.advance(Duration::days(2));
    assert_eq!(s.wb_daily().await.unwrap().1, 1);
    assert!(store.jobs_with_prefix(&reminder).await.unwrap().is_empty());
    for table in [
        "wb_cases",
        "wb_case_keys",
        "wb_messages",
        "wb_audit",
        "wb_exclusions",
    ] {
        assert_eq!(store.count_rows(table).await.unwrap(), 0, "{table}");
    }
    let rows = db::dump_all(db).await;
    assert!(!contains(&rows, code.as_bytes()), "no case row left");
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
    let canaries: [(&str, &[u8]); 6] = [
        ("code", code.as_bytes()),
        ("content", &content[8..40]),
        ("receipt hash", phc.as_bytes()),
        ("sealed key", &sealed[8..40]),
        ("message", &message[8..40]),
        ("reminder job", reminder.as_bytes()),
    ];
    for (what, needle) in canaries {
        assert!(!contains(&files, needle), "purged {what} left in the file");
    }
}

/// A handler key swapped in the database (an attacker's key under a handler's id) does not match
/// the pinned fingerprint: nothing is sealed to it, neither new cases nor re-sealing.
async fn swapped_public_key_is_refused(db: &db::TestDb) {
    let store = db.store.clone();
    let s = services_with(store.clone(), clock(), config(""));
    let s = setup(&store, &s).await;
    let attacker = samverkan::domain::whistleblowing::create_handler_key(
        &pass("attacker long passphrase"),
        KdfParams::fast_for_tests(),
    )
    .unwrap();
    let pk = samverkan::domain::whistleblowing::encode_public_key(&attacker.public);
    raw_exec(
        db,
        &format!(
            "UPDATE wb_handlers SET public_key = '{pk}', encrypted_private = '{}' WHERE user_id = {}",
            attacker.encrypted_private, B.0
        ),
    )
    .await;
    let (code, _) = submit(&s).await;
    let meta = store.wb_case(&code).await.unwrap().unwrap();
    assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![A.0]);
    ok(s.wb_view(A, &code, pass(PASS_A)).await);
    assert_eq!(store.wb_case_handlers(meta.id).await.unwrap(), vec![A.0]);
    // With only B allowed, there is no handler to seal to: refused, nothing stored.
    let only_b = Config::from_toml_str(&format!(
        "[whistleblowing]\nhandlers = [\"{}\"]\nfingerprints = {{ \"{}\" = \"{}\" }}\n",
        B.0,
        B.0,
        s.config.whistleblowing.fingerprint(B.0).unwrap()
    ))
    .unwrap();
    let sb = Services::new(store.clone(), s.clock.clone(), Arc::new(only_b))
        .with_wb_params(HashParams::fast_for_tests(), KdfParams::fast_for_tests());
    assert!(sb.wb_submit(&intake(), None).await.is_err());
    assert_eq!(store.wb_all_cases().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_public_key_is_refused_sqlite() {
    let db = db::sqlite().await;
    swapped_public_key_is_refused(&db).await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swapped_public_key_is_refused_postgres() {
    let Some(db) = db::postgres().await else {
        return;
    };
    swapped_public_key_is_refused(&db).await;
    db.cleanup().await;
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
    db.cleanup().await;
}
