//! End to end: running a meeting on the real binary against the Discord test double. The
//! agenda is published; `/meeting start consent:true` opens one thread for the record, which
//! the published agenda then links to, with a consent prompt in it; a supplier presses "I'm
//! here" (twice: listed once) and consents; the chair moves to the first item, whose timebox
//! runs out (one warning in the thread); a chat message in the thread goes into the minutes
//! through the message menu (once; a message elsewhere is refused); a decision is recorded in
//! a form under the current item. Then the bot is killed mid-meeting and started again: the
//! next-item button (`/meeting item next`) still works, in the same thread, and nothing recorded was lost.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/discord_double.rs"]
mod double;
#[path = "support/forums.rs"]
mod forums;
#[path = "support/interact.rs"]
mod interact;

use std::time::{Duration, Instant};

use bot::BotEnv;
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt};
use interact::{button, content, reply, submit};
use samverkan::domain::agenda::ItemStatus;
use samverkan::domain::ids::{ChannelId, GuildId};
use samverkan::domain::record::Presence;
use serde_json::Value;

const GUILD: u64 = 2_000_000_000_000_000_021;
const LEV: u64 = 4_000_000_000_000_000_021;
const ELSEWHERE: u64 = 4_000_000_000_000_000_022;
const SUPPLIER_ROLE: u64 = 5_000_000_000_000_000_021;
const T: Duration = Duration::from_secs(20);

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![(LEV, "leveransforum".into()), (ELSEWHERE, "allmänt".into())],
        roles: vec![(SUPPLIER_ROLE, "Leverantören AB".into())],
        preferred_locale: "sv-SE".into(),
    }]
}

fn bo() -> MemberSpec {
    MemberSpec {
        roles: vec![SUPPLIER_ROLE],
        ..MemberSpec::new(3_000_000_000_000_000_022, "bo")
    }
}

fn has(text: &'static str) -> impl Fn(&Value) -> bool {
    move |m: &Value| content(m).contains(text)
}

async fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + T;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < end, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_runs_in_its_thread_and_survives_a_kill() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/run.db", dir.path().display());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    // Tuesday 8 December 2026, 08:05 UTC; 1 real second = 1 virtual minute. Both processes
    // share the clock: the second continues where the first was killed.
    let env = BotEnv {
        api: d.base_url(),
        db_url: db_url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![
            (
                "SAMVERKAN_TEST_CLOCK".into(),
                format!("2026-12-08T08:05:00Z,{now_ms},60"),
            ),
            ("SAMVERKAN_SCHEDULER_LEASE_SECONDS".into(), "2".into()),
        ],
    };
    let mut first = env.spawn("run-1");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&db_url, GUILD, T).await;
    let admin = forums::admin();
    let say = |channel: u64, path: &'static [&'static str], opts: Vec<Opt<'static>>| {
        let d = &d;
        async move { forums::say(d, GUILD, channel, path, opts).await }
    };

    // Leveransforum meets Tuesdays 10:30 (09:30 UTC); its agenda closes an hour before.
    let r = say(
        LEV,
        &["forum", "create"],
        vec![
            Opt::Str("name", "Leveransforum"),
            Opt::Str("tier", "delivery"),
            Opt::Channel("channel", LEV),
        ],
    )
    .await;
    assert!(r.contains("är skapat"), "{r}");
    let r = say(
        LEV,
        &["forum", "edit"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("cadence", "weekly tue"),
            Opt::Str("time", "10:30"),
            Opt::Str("start_date", "2026-11-03"),
            Opt::Str("agenda_deadline", "1h"),
        ],
    )
    .await;
    assert!(!r.contains("inte"), "{r}");
    say(
        LEV,
        &["settings", "org-add"],
        vec![Opt::Role("role", SUPPLIER_ROLE)],
    )
    .await;
    for (title, minutes) in [("Leveranstider", "2"), ("Fakturor", "30")] {
        let i = d
            .slash(GUILD, LEV, &bo(), &["agenda", "propose"], vec![])
            .await;
        let r = submit(&d, &i, vec![("title", title), ("minutes", minutes)]).await;
        assert!(r.contains(title), "{r}");
    }
    let store = samverkan::store::Store::connect(&db_url, 1).await.unwrap();
    let g = GuildId(GUILD);
    let f = store
        .forum_named(g, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    let m = store
        .meetings_from(f.id, chrono::Utc::now() - chrono::Duration::days(3650), 40)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.starts_at.to_rfc3339().starts_with("2026-12-08"))
        .expect("8 December's meeting");
    for i in store.meeting_items(m.id).await.unwrap() {
        let r = say(LEV, &["agenda", "accept"], vec![Opt::Int("item", i.id.0)]).await;
        assert!(r.contains(&i.title), "{r}");
    }
    // The agenda, not the chair's triage list (which names the items too until it is
    // refreshed after the last accept, and is then deleted).
    let agenda = d
        .wait_channel_message(
            LEV,
            |m| content(m).contains("Dagordning") && content(m).contains("Fakturor"),
            Duration::from_secs(40),
        )
        .await
        .expect("the published agenda");

    // The chair starts the meeting, asking for consent: one thread, linked from the agenda.
    let r = say(
        LEV,
        &["meeting", "start"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Bool("consent", true),
        ],
    )
    .await;
    assert!(r.contains("Protokollet förs i en tråd"), "{r}");
    let (thread, parent, name) = wait_for("the thread", || d.threads().pop()).await;
    assert_eq!(parent, LEV);
    assert_eq!(name, "Leveransforum 2026-12-08");
    let link = format!("<#{thread}>");
    let agenda_id = agenda["id"].clone();
    d.wait_channel_message(
        LEV,
        |m| m["id"] == agenda_id && content(m).contains(&link),
        T,
    )
    .await
    .expect("the agenda links to the thread");
    let prompt = d
        .wait_channel_message(thread, has("Samtycke till inspelning"), T)
        .await
        .expect("the consent prompt in the thread");
    let starter = d
        .channel_messages(LEV)
        .into_iter()
        .find(|m| m["id"].as_str() == Some(&thread.to_string()))
        .expect("the thread's starter");

    // Bo: "I'm here" twice (listed once), and consent.
    let here = button(&starter, "v1:meeting:here");
    let i = d.click(GUILD, LEV, &bo(), &starter, &here).await;
    assert!(reply(&d, &i).await.contains("Du står på närvarolistan"));
    let i = d.click(GUILD, LEV, &bo(), &starter, &here).await;
    assert!(reply(&d, &i).await.contains("redan"));
    let yes = button(&prompt, "v1:meeting:consent-answer:answer=true");
    let i = d.click(GUILD, thread, &bo(), &prompt, &yes).await;
    let r = reply(&d, &i).await;
    assert!(r.contains("samtycker till inspelning"), "{r}");

    // The first item, with its timebox as a timestamp; two minutes later, one warning.
    let i = d
        .slash(GUILD, thread, &admin, &["meeting", "item", "next"], vec![])
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("Leveranstider") && r.contains("<t:"), "{r}");
    let item_message = d
        .wait_channel_message(thread, has("Leveranstider"), T)
        .await
        .expect("the current item in the thread");
    d.wait_channel_message(thread, has("är slut"), T)
        .await
        .expect("the timebox warning");

    // A chat message in the thread goes into the minutes (once); one elsewhere is refused.
    let said = d.user_message(thread, &bo(), "Vi levererar före tio.", vec![]);
    let i = d
        .message_menu(GUILD, thread, &admin, "Add to minutes", &said)
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("Tillagt i protokollet under punkt 1"), "{r}");
    let i = d
        .message_menu(GUILD, thread, &admin, "Add to minutes", &said)
        .await;
    assert!(reply(&d, &i).await.contains("redan"));
    let elsewhere = d.user_message(ELSEWHERE, &bo(), "Hej!", vec![]);
    let i = d
        .message_menu(GUILD, ELSEWHERE, &admin, "Add to minutes", &elsewhere)
        .await;
    let r = reply(&d, &i).await;
    assert!(
        r.contains("Bara meddelanden i ett pågående mötes tråd"),
        "{r}"
    );

    // A decision, asked for in a form, goes under the current item.
    let i = d
        .slash(
            GUILD,
            thread,
            &admin,
            &["decision", "record"],
            vec![Opt::Str("forum", "Leveransforum")],
        )
        .await;
    let r = submit(
        &d,
        &i,
        vec![
            ("title", "Leveranstider"),
            ("text", "Leveranser före kl. 10."),
        ],
    )
    .await;
    assert!(r.contains("LF-2026-01"), "{r}");

    // Killed mid-meeting, started again on the same clock.
    first.kill();
    let _second = env.spawn("run-2");
    wait_for("a second IDENTIFY", || {
        (d.identify_count() >= 2).then_some(())
    })
    .await;
    d.wait_connected(T).await.unwrap();

    // The next-item button of the item message still works, in the same thread.
    let next = button(&item_message, "v1:meeting:item:next");
    let i = d.click(GUILD, thread, &admin, &item_message, &next).await;
    let r = reply(&d, &i).await;
    assert!(r.contains("2.") && r.contains("Fakturor"), "{r}");
    d.wait_channel_message(thread, has("Fakturor"), T)
        .await
        .expect("the second item in the thread");
    assert_eq!(d.threads().len(), 1, "one thread, ever");
    let i = d
        .slash(GUILD, thread, &admin, &["meeting", "attendees"], vec![])
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("bo") && r.contains("Leverantören AB"), "{r}");
    assert!(r.contains("samtycker till inspelning"), "{r}");

    // Nothing recorded was lost.
    let session = store.session(m.id).await.unwrap().unwrap();
    assert_eq!(session.thread, Some(ChannelId(thread)));
    assert_eq!(session.current_item, Some(2));
    let attendees = store.attendees(m.id).await.unwrap();
    assert_eq!(attendees.len(), 1, "{attendees:?}");
    assert_eq!(attendees[0].presence, Presence::Present);
    assert_eq!(attendees[0].consent, Some(true));
    assert_eq!(
        attendees[0].organisation.as_deref(),
        Some("Leverantören AB")
    );
    let notes = store.notes(m.id).await.unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].item, Some(1));
    assert_eq!(notes[0].body, "Vi levererar före tio.");
    assert_eq!(notes[0].author_name, "bo");
    assert_eq!(
        notes[0].source.map(|s| s.message.to_string()),
        said["id"].as_str().map(str::to_string)
    );
    let decisions = store.decisions_of_forum(f.id, 5).await.unwrap();
    assert_eq!(decisions[0].agenda_item, Some(1));

    // The end: both items reached count as handled.
    let r = say(
        thread,
        &["meeting", "end"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(!r.contains("inget"), "{r}");
    let statuses: Vec<ItemStatus> = store
        .meeting_items(m.id)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.status)
        .collect();
    assert_eq!(statuses, vec![ItemStatus::Handled, ItemStatus::Handled]);
    store.close().await;
}
