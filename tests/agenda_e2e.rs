//! End to end: agenda collection on the real binary against the Discord test double. Two
//! suppliers propose (a slash command's form, and the message context menu on a chat message),
//! one more through the Propose button of the call-for-agenda reminder, a question arrives; the
//! chair accepts one, rejects one (the proposer is told why, privately) and defers one with the
//! buttons of the triage list; the agenda is published at the deadline (after a restart: the
//! buttons and the queue survive it) and edited in place when an item changes; a late proposal
//! lands on the following meeting. Bad input on the way: a menu on an empty or embed-only
//! message, an out-of-date button, a decision from an old view.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/discord_double.rs"]
mod double;
#[path = "support/forums.rs"]
mod forums;
#[path = "support/interact.rs"]
mod interact;

use std::time::Duration;

use bot::BotEnv;
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt};
use interact::{button_ids, reply, submit};
use serde_json::{json, Value};

const GUILD: u64 = 2_000_000_000_000_000_001;
const LEV: u64 = 4_000_000_000_000_000_001;
const T: Duration = Duration::from_secs(20);

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![(LEV, "leveransforum".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    }]
}

fn supplier(id: u64, name: &str) -> MemberSpec {
    MemberSpec::new(id, name)
}

/// The value a form's input was opened with.
fn prefilled(modal: &Value, field: &str) -> String {
    modal["data"]["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|c| c["custom_id"] == field)
        .and_then(|c| c["value"].as_str().map(str::to_string))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suppliers_propose_the_chair_triages_and_the_agenda_publishes_and_stays_current() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/a.db", dir.path().display());
    // Tuesday 8 December 2026, 09:25 UTC; 1 real second = 1 virtual minute.
    let env = |clock: &str| BotEnv {
        api: d.base_url(),
        db_url: db_url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            ("SAMVERKAN_TEST_CLOCK".into(), clock.to_string()),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "2".into()),
        ],
    };
    let now_ms = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    };
    let first = env(&format!("2026-12-08T09:25:00Z,{},60", now_ms()));
    let mut bot = first.spawn("agenda-1");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&db_url, GUILD, T).await;

    // Leveransforum meets every other Tuesday 10:30 Stockholm (09:30 UTC: 1, 15 and 29
    // December); the call for agenda items comes 7 days before; proposals close 3 days before
    // (the default).
    let created = forums::say(
        &d,
        GUILD,
        LEV,
        &["forum", "create"],
        vec![
            Opt::Str("name", "Leveransforum"),
            Opt::Str("tier", "delivery"),
            Opt::Channel("channel", LEV),
        ],
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");
    let edited = forums::say(
        &d,
        GUILD,
        LEV,
        &["forum", "edit"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("cadence", "biweekly tue"),
            Opt::Str("time", "10:30"),
            Opt::Str("start_date", "2026-11-03"),
            Opt::Str("reminders", "7d"),
        ],
    )
    .await;
    assert!(edited.contains("uppdaterad"), "{edited}");

    // The call for agenda items of 15 December (due 8 December 09:30) carries a Propose button.
    let call = d
        .wait_channel_message(
            LEV,
            |m| {
                button_ids(m)
                    .iter()
                    .any(|id| id.starts_with("v1:agenda:propose:"))
            },
            Duration::from_secs(30),
        )
        .await
        .expect("the call for agenda items with its button");
    let propose_button = button_ids(&call)
        .into_iter()
        .find(|id| id.starts_with("v1:agenda:propose:"))
        .unwrap();
    assert!(propose_button.contains("2026-12-15"), "{propose_button}");

    let (alma, bo, cia) = (
        supplier(3_000_000_000_000_000_011, "alma"),
        supplier(3_000_000_000_000_000_012, "bo"),
        supplier(3_000_000_000_000_000_013, "cia"),
    );

    // 1. Alma proposes with /agenda propose: a form opens; the item goes to 15 December.
    let i = d
        .slash(GUILD, LEV, &alma, &["agenda", "propose"], vec![])
        .await;
    let r = submit(
        &d,
        &i,
        vec![
            ("title", "Leveranstider i december @everyone"),
            ("background", "Helgerna flyttar leveranserna."),
            ("wants", "beslut"),
            ("minutes", "15"),
        ],
    )
    .await;
    assert!(r.contains("#1") && r.contains("föreslagen"), "{r}");

    // 2. Bo uses the context menu on a chat message: the form is prefilled from it.
    let chat = d.user_message(
        LEV,
        &bo,
        "Gemensam kalender för leveranser\nVi borde dela en kalender med alla leverantörer.",
        vec![],
    );
    let i = d
        .message_menu(GUILD, LEV, &bo, "Propose as agenda item", &chat)
        .await;
    let cb = d.wait_callback(&i, T).await.expect("a form");
    assert_eq!(cb.callback_type(), Some(9), "{:?}", cb.body);
    assert_eq!(
        prefilled(&cb.body, "title"),
        "Gemensam kalender för leveranser"
    );
    assert!(prefilled(&cb.body, "background").contains("dela en kalender"));
    let s = d
        .submit_modal(
            &i,
            "",
            vec![
                ("title", "Gemensam kalender för leveranser"),
                (
                    "background",
                    "Gemensam kalender för leveranser\nVi borde dela en kalender med alla leverantörer.",
                ),
            ],
        )
        .await;
    let r = reply(&d, &s).await;
    assert!(r.contains("#2"), "{r}");

    // ...not on an empty message or one with only an embed.
    for (content, embeds) in [("", vec![]), ("", vec![json!({"title": "Länk"})])] {
        let m = d.user_message(LEV, &bo, content, embeds);
        let i = d
            .message_menu(GUILD, LEV, &bo, "Propose as agenda item", &m)
            .await;
        let r = reply(&d, &i).await;
        assert!(r.contains("ingen text"), "{r}");
    }

    // 3. Alma proposes once more through the reminder's button.
    let i = d.click(GUILD, LEV, &alma, &call, &propose_button).await;
    let r = submit(&d, &i, vec![("title", "Pallhantering")]).await;
    assert!(r.contains("#3"), "{r}");

    // 4. Cia sends a question in advance.
    let i = d
        .slash(
            GUILD,
            LEV,
            &cia,
            &["agenda", "question"],
            vec![Opt::Str("text", "Hur fungerar returer över jul?")],
        )
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("#4"), "{r}");

    // A button of another version is out of date.
    let i = d
        .click(GUILD, LEV, &alma, &call, "v9:agenda:accept:item=1")
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("inaktuell"), "{r}");

    // 5. The chair's triage list (a live message in the channel) has buttons per item.
    let triage = d
        .wait_channel_message(
            LEV,
            |m| {
                let ids = button_ids(m);
                ["item=1", "item=2", "item=3"]
                    .iter()
                    .all(|it| ids.iter().any(|id| id.contains(it)))
            },
            T,
        )
        .await
        .expect("the triage list with buttons for items 1-3");
    let button = |verb: &str, item: i64| {
        button_ids(&triage)
            .into_iter()
            .find(|id| {
                id.starts_with(&format!("v1:agenda:{verb}:"))
                    && id.contains(&format!("item={item};"))
            })
            .unwrap_or_else(|| panic!("no {verb} button for #{item}"))
    };
    let chair = forums::admin();
    // A supplier may not triage.
    let i = d
        .click(GUILD, LEV, &bo, &triage, &button("accept", 1))
        .await;
    let r = reply(&d, &i).await;
    assert!(!r.contains("godkänd"), "a supplier triaged: {r}");

    let i = d
        .click(GUILD, LEV, &chair, &triage, &button("accept", 1))
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("#1"), "{r}");
    // The same button again: the item changed since that view.
    let i = d
        .click(GUILD, LEV, &chair, &triage, &button("accept", 1))
        .await;
    let r = reply(&d, &i).await;
    assert!(
        r.contains("Inget av ditt beslut"),
        "a stale view decided: {r}"
    );

    let i = d
        .click(GUILD, LEV, &chair, &triage, &button("reject", 2))
        .await;
    let r = submit(
        &d,
        &i,
        vec![("reason", "Tas upp i ledningsforumet i januari.")],
    )
    .await;
    assert!(r.contains("privat"), "{r}");
    let dm = async {
        loop {
            let dms = d.dm_messages(bo.user_id);
            if let Some(m) = dms.iter().find(|m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("ledningsforumet i januari"))
            }) {
                return m.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let dm = tokio::time::timeout(T, dm)
        .await
        .expect("Bo is told why, privately");
    assert_eq!(dm["allowed_mentions"]["parse"], json!([]));

    let i = d
        .click(GUILD, LEV, &chair, &triage, &button("defer", 3))
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("#3"), "{r}");

    // 6. A restart; the clock now just before the deadline of 15 December's agenda
    // (12 December 09:30 UTC). The agenda is published then, as a live message.
    bot.terminate(T);
    let second = env(&format!("2026-12-12T09:29:00Z,{},60", now_ms()));
    let _bot = second.spawn("agenda-2");
    let agenda = d
        .wait_channel_message(
            LEV,
            |m| {
                m["content"]
                    .as_str()
                    .is_some_and(|c| c.contains("Leveranstider i december"))
            },
            Duration::from_secs(40),
        )
        .await
        .expect("the published agenda");
    let text = agenda["content"].as_str().unwrap();
    assert!(
        !text.contains("Gemensam kalender"),
        "a rejected item: {text}"
    );
    assert!(text.contains("returer"), "the question: {text}");
    assert_eq!(
        agenda["allowed_mentions"]["parse"],
        json!([]),
        "user text never pings"
    );

    // 7. An item changes: the same message is edited.
    let r = forums::say(
        &d,
        GUILD,
        LEV,
        &["agenda", "timebox"],
        vec![Opt::Int("item", 1), Opt::Int("minutes", 25)],
    )
    .await;
    assert!(r.contains("25"), "{r}");
    let id = agenda["id"].clone();
    let edited = d
        .wait_channel_message(
            LEV,
            |m| m["id"] == id && m["content"].as_str().is_some_and(|c| c.contains("25 min")),
            T,
        )
        .await
        .expect("the agenda edited in place");
    assert!(!edited["edited_timestamp"].is_null());

    // 8. A late proposal lands on the following meeting (29 December).
    let i = d
        .slash(GUILD, LEV, &cia, &["agenda", "propose"], vec![])
        .await;
    let r = submit(&d, &i, vec![("title", "Emballage")]).await;
    assert!(r.contains("Sista dag") && r.contains("nästa möte"), "{r}");
}
