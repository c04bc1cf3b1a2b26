//! End to end: the real `samverkan run` binary against the Discord test double.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod double;

use std::time::Duration;

use bot::BotEnv;
use double::{DiscordDouble, GuildSpec, MemberSpec, Opt, PERM_MANAGE_GUILD};

const GUILD: u64 = 2_000_000_000_000_000_001;
const OTHER_GUILD: u64 = 2_000_000_000_000_000_002;
const LEV: u64 = 4_000_000_000_000_000_001;
const ALLMANT: u64 = 4_000_000_000_000_000_002;
const OTHER_CHANNEL: u64 = 4_000_000_000_000_000_099;
const ADMIN_ROLE: u64 = 5_000_000_000_000_000_001;
const CHAIR_ROLE: u64 = 5_000_000_000_000_000_002;
const T: Duration = Duration::from_secs(10);

fn guilds() -> Vec<GuildSpec> {
    vec![
        GuildSpec {
            id: GUILD,
            name: "Stockholms stad".into(),
            channels: vec![(LEV, "leveransforum".into()), (ALLMANT, "allmänt".into())],
            roles: vec![
                (ADMIN_ROLE, "Samverkan-admin".into()),
                (CHAIR_ROLE, "Ordförande".into()),
            ],
            preferred_locale: "sv-SE".into(),
        },
        GuildSpec {
            id: OTHER_GUILD,
            name: "Region Väst".into(),
            channels: vec![(OTHER_CHANNEL, "allmänt".into())],
            roles: vec![],
            preferred_locale: "sv-SE".into(),
        },
    ]
}

fn admin() -> MemberSpec {
    MemberSpec {
        permissions: double::MEMBER_PERMISSIONS | PERM_MANAGE_GUILD,
        ..MemberSpec::new(3_000_000_000_000_000_001, "anna")
    }
}

fn member() -> MemberSpec {
    MemberSpec::new(3_000_000_000_000_000_002, "bo")
}

fn role_admin() -> MemberSpec {
    MemberSpec {
        roles: vec![ADMIN_ROLE],
        ..MemberSpec::new(3_000_000_000_000_000_003, "cecilia")
    }
}

async fn create(d: &DiscordDouble, who: &MemberSpec, name: &str, channel: u64) -> double::Response {
    let i = d
        .slash(
            GUILD,
            LEV,
            who,
            &["forum", "create"],
            vec![
                Opt::Str("name", name),
                Opt::Str("tier", "delivery"),
                Opt::Channel("channel", channel),
            ],
        )
        .await;
    d.wait_response(&i, T).await.expect("a reply")
}

/// Every answer the bot sent says explicitly that nothing may be pinged.
fn assert_no_pings_allowed(d: &DiscordDouble) {
    for r in d.all_requests() {
        let is_message = r.path.contains("/callback") || r.path.contains("/webhooks/");
        if !is_message || r.method == "GET" {
            continue;
        }
        let data = if r.path.contains("/callback") {
            &r.body["data"]
        } else {
            &r.body
        };
        if data.get("content").is_none() {
            continue;
        }
        let am = &data["allowed_mentions"];
        assert!(am.is_object(), "no allowed_mentions in {}", r.body);
        assert_eq!(am["parse"], serde_json::json!([]), "{}", r.body);
        assert!(
            am["roles"].as_array().is_none_or(|a| a.is_empty()),
            "{}",
            r.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forums_end_to_end_on_the_real_binary() {
    let d = DiscordDouble::start(guilds()).await;
    let dir = tempfile::tempdir().unwrap();
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/e2e.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![],
    };
    let mut bot = env.spawn("first");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;

    // Commands are registered in the test guild, with Swedish localisations.
    let commands = d.wait_commands_registered(T).await.unwrap();
    let puts = d.command_puts();
    assert_eq!(puts.len(), 1);
    assert!(
        puts[0].0.contains(&format!("/guilds/{GUILD}/commands")),
        "{}",
        puts[0].0
    );
    let forum = commands
        .iter()
        .find(|c| c["name"] == "forum")
        .expect("forum command");
    assert_eq!(forum["name_localizations"]["sv-SE"], "forum");
    let create_cmd = forum["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "create")
        .unwrap();
    assert_eq!(create_cmd["name_localizations"]["sv-SE"], "skapa");
    assert!(commands.iter().any(|c| c["name"] == "settings"));
    // Three shapes: `/meeting item next` is a subcommand (type 1) in a subcommand group
    // (type 2); `/note` a command of its own with its options and no subcommand.
    let meeting = commands.iter().find(|c| c["name"] == "meeting").unwrap();
    let item = meeting["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "item")
        .expect("the item group");
    assert_eq!(item["type"], 2, "{item}");
    assert_eq!(item["name_localizations"]["sv-SE"], "punkt");
    let next = &item["options"][0];
    assert_eq!(
        (next["name"].as_str(), next["type"].as_u64()),
        (Some("next"), Some(1)),
        "{item}"
    );
    assert_eq!(next["name_localizations"]["sv-SE"], "nästa");
    assert_eq!(next["options"][0]["name"], "forum", "{next}");
    let note = commands.iter().find(|c| c["name"] == "note").unwrap();
    assert_eq!(note["name_localizations"]["sv-SE"], "anteckning");
    let kinds: Vec<_> = note["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap(), o["type"].as_u64().unwrap()))
        .collect();
    assert_eq!(kinds, [("text", 3), ("item", 4), ("forum", 3)], "{note}");

    // Without permission: a translated refusal only the user sees; nothing created.
    let r = create(&d, &member(), "Leveransforum", LEV).await;
    assert!(r.ephemeral, "refusals are ephemeral");
    assert!(r.text().contains("Hantera server"), "{}", r.text());

    // With Manage Server: created, announced publicly.
    let r = create(&d, &admin(), "Leveransforum", LEV).await;
    assert!(!r.ephemeral);
    assert!(
        r.text()
            .contains("Forumet **Leveransforum** är skapat och möts i <#"),
        "{}",
        r.text()
    );

    // With the configured admin role: allowed too.
    let r = create(&d, &role_admin(), "Verkställande forum", ALLMANT).await;
    assert!(r.text().contains("är skapat"), "{}", r.text());

    // Bad input: clear errors, nothing changed.
    let r = create(&d, &admin(), "LEVERANSFORUM", LEV).await;
    assert!(
        r.ephemeral && r.text().contains("finns redan"),
        "{}",
        r.text()
    );
    let r = create(&d, &admin(), "@everyone **ping**", LEV).await;
    assert!(
        r.ephemeral && r.text().contains("formatering"),
        "{}",
        r.text()
    );
    let r = create(&d, &admin(), &"x".repeat(500), LEV).await;
    assert!(r.text().contains("högst 80"), "{}", r.text());
    let r = create(&d, &admin(), "Nytt forum", OTHER_CHANNEL).await;
    assert!(
        r.text().contains("finns inte i den här servern"),
        "{}",
        r.text()
    );

    // Listing is private and shows exactly the two forums.
    let i = d
        .slash(GUILD, LEV, &member(), &["forum", "list"], vec![])
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(r.ephemeral);
    assert!(r.text().contains("2 forum:"), "{}", r.text());
    assert!(
        r.text().contains("**Leveransforum** (leveransnivå)"),
        "{}",
        r.text()
    );

    // Autocomplete on forum names.
    let choices = d
        .autocomplete(
            GUILD,
            LEV,
            &member(),
            &["forum", "show"],
            vec![Opt::Focused("forum", "lev")],
        )
        .await;
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0]["value"], "Leveransforum");
    // The same in a subcommand of a group, and in a command of its own.
    for path in [&["meeting", "item", "next"][..], &["note"]] {
        let choices = d
            .autocomplete(
                GUILD,
                LEV,
                &member(),
                path,
                vec![Opt::Focused("forum", "lev")],
            )
            .await;
        assert_eq!(choices.len(), 1, "{path:?}");
        assert_eq!(choices[0]["value"], "Leveransforum", "{path:?}");
    }
    // Both are invoked: here refused (no meeting is running), in words, privately.
    for path in [&["meeting", "item", "next"][..], &["note"]] {
        let mut options = vec![Opt::Str("forum", "Leveransforum")];
        if path == ["note"] {
            options.push(Opt::Str("text", "Anteckning"));
        }
        let i = d.slash(GUILD, LEV, &member(), path, options).await;
        let r = d.wait_response(&i, T).await.unwrap();
        assert!(r.ephemeral, "{path:?}: {}", r.text());
        assert!(
            r.text().contains("har inget öppet möte"),
            "{path:?}: {}",
            r.text()
        );
    }
    let i = d
        .slash(
            GUILD,
            LEV,
            &member(),
            &["forum", "show"],
            vec![Opt::Str("forum", "leveransforum")],
        )
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(
        r.text().contains("Tidszon: Europe/Stockholm"),
        "{}",
        r.text()
    );

    // The other guild sees none of it.
    let i = d
        .slash(
            OTHER_GUILD,
            OTHER_CHANNEL,
            &admin(),
            &["forum", "list"],
            vec![],
        )
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(r.text().contains("inga forum"), "{}", r.text());

    // The guild switches to English.
    let i = d
        .slash(
            GUILD,
            LEV,
            &admin(),
            &["settings", "language"],
            vec![Opt::Str("language", "en")],
        )
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(r.text().contains("English"), "{}", r.text());
    let r = create(&d, &member(), "X", LEV).await;
    assert!(r.text().contains("Manage Server"), "{}", r.text());

    assert_no_pings_allowed(&d);
    assert!(
        d.unknown_requests().is_empty(),
        "{:?}",
        d.unknown_requests()
    );

    // Graceful stop on SIGTERM.
    let status = bot.terminate(T);
    assert!(
        status.success(),
        "exit {status:?}; log:\n{}",
        bot.log_text()
    );
    assert!(bot.log_text().contains("stopped"), "{}", bot.log_text());

    // A restart does not re-register unchanged commands, and the data is still there.
    let mut second = env.spawn("second");
    d.wait_ready(T).await.unwrap();
    let i = d
        .slash(GUILD, LEV, &member(), &["forum", "list"], vec![])
        .await;
    let r = d.wait_response(&i, T).await.unwrap();
    assert!(r.text().contains("2 forums:"), "{}", r.text());
    assert_eq!(
        d.command_puts().len(),
        1,
        "commands registered only when changed"
    );

    // Commands deleted in Discord by hand: the stored digest alone would skip registering;
    // the start-up check finds them missing and registers them again.
    let status = second.terminate(T);
    assert!(status.success(), "{}", second.log_text());
    d.delete_commands(Some(GUILD));
    let third = env.spawn("third");
    d.wait_ready(T).await.unwrap();
    let commands = d.wait_commands_registered(T).await.unwrap();
    assert_eq!(d.command_puts().len(), 2, "{}", third.log_text());
    assert!(commands.iter().any(|c| c["name"] == "forum"));
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = std::time::Instant::now() + T;
    while !check().await {
        assert!(std::time::Instant::now() < until, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_server_is_served_at_once_and_its_directory_kept_current() {
    use samverkan::domain::ids::{ChannelId, GuildId, RoleId};
    const NEW_GUILD: u64 = 2_000_000_000_000_000_003;
    const NEW_CHANNEL: u64 = 4_000_000_000_000_000_003;
    const NEW_ROLE: u64 = 5_000_000_000_000_000_003;
    let d = DiscordDouble::start(guilds()).await;
    let dir = tempfile::tempdir().unwrap();
    let env = BotEnv {
        api: d.base_url(),
        db_url: format!("sqlite://{}/new.db", dir.path().display()),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![],
    };
    let bot = env.spawn("new-server");
    d.wait_ready(T).await.unwrap();
    d.wait_commands_registered(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;

    // The bot joins a server and a member creates a forum there at once, before the bot has
    // recorded the server's directory (here: its GUILD_CREATE comes after the command): the
    // interaction itself says the channel is the server's.
    let spec = GuildSpec {
        id: NEW_GUILD,
        name: "Region Nord".into(),
        channels: vec![(NEW_CHANNEL, "samverkan".into())],
        roles: vec![],
        preferred_locale: "sv-SE".into(),
    };
    let appeared = std::time::Instant::now();
    d.add_guild_unannounced(spec.clone());
    let i = d
        .slash(
            NEW_GUILD,
            NEW_CHANNEL,
            &admin(),
            &["forum", "create"],
            vec![
                Opt::Str("name", "Nordforum"),
                Opt::Str("tier", "delivery"),
                Opt::Channel("channel", NEW_CHANNEL),
            ],
        )
        .await;
    assert!(appeared.elapsed() < Duration::from_millis(100));
    let r = d.wait_response(&i, T).await.expect("a reply");
    assert!(
        r.text().contains("är skapat"),
        "{}
{}",
        r.text(),
        bot.log_text()
    );

    d.announce_guild(NEW_GUILD);
    let db = db::TestDb::existing(&env.db_url).await;
    let g = GuildId(NEW_GUILD);
    eventually("the new guild's directory", || async {
        db.store.guild(g).await.unwrap().is_some()
    })
    .await;

    // GUILD_UPDATE: renamed, a role added.
    d.update_guild(GuildSpec {
        name: "Region Norrland".into(),
        roles: vec![(NEW_ROLE, "Ordförande".into())],
        ..spec
    });
    eventually("GUILD_UPDATE recorded", || async {
        let named = db.store.guild(g).await.unwrap().map(|r| r.name);
        let role = db.store.role_name(g, RoleId(NEW_ROLE)).await.unwrap();
        named.as_deref() == Some("Region Norrland") && role.as_deref() == Some("Ordförande")
    })
    .await;

    // GUILD_DELETE (the bot was removed): its channels and roles are forgotten, the forum stays.
    d.remove_guild(NEW_GUILD);
    eventually("GUILD_DELETE recorded", || async {
        db.store
            .channel_name(g, ChannelId(NEW_CHANNEL))
            .await
            .unwrap()
            .is_none()
            && db
                .store
                .role_name(g, RoleId(NEW_ROLE))
                .await
                .unwrap()
                .is_none()
    })
    .await;
    assert!(db
        .store
        .forum_named(g, "nordforum")
        .await
        .unwrap()
        .is_some());
    db.store.close().await;
    drop(bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn works_on_postgres_too() {
    let Some(pg) = db::postgres().await else {
        eprintln!("SAMVERKAN_TEST_PG_URL is not set: PostgreSQL run skipped");
        return;
    };
    let d = DiscordDouble::start(guilds()).await;
    let dir = tempfile::tempdir().unwrap();
    let env = BotEnv {
        api: d.base_url(),
        db_url: pg.url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![],
    };
    let bot = env.spawn("pg");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&env.db_url, GUILD, T).await;
    let r = create(&d, &admin(), "Leveransforum", LEV).await;
    assert!(
        r.text().contains("är skapat"),
        "{}\n{}",
        r.text(),
        bot.log_text()
    );
    let f = pg
        .store
        .forum_named(samverkan::domain::ids::GuildId(GUILD), "leveransforum")
        .await
        .unwrap();
    assert!(f.is_some());
    drop(bot);
    pg.cleanup().await;
}

/// The double refuses what Discord refuses in a registration's nesting, so the test of our
/// three shapes (`/note`, `/forum create`, `/meeting item next`) means something.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_double_refuses_commands_nested_unlike_discord() {
    let d = DiscordDouble::start(guilds()).await;
    let url = format!(
        "{}/api/v10/applications/{}/guilds/{GUILD}/commands",
        d.base_url(),
        double::APP_ID
    );
    let sub = |name: &str, options: serde_json::Value| serde_json::json!({"name": name, "description": "d", "type": 1, "options": options});
    let group = |name: &str, options: serde_json::Value| serde_json::json!({"name": name, "description": "d", "type": 2, "options": options});
    let text = serde_json::json!({"name": "text", "description": "d", "type": 3});
    let command = |options: serde_json::Value| serde_json::json!([{"name": "meeting", "description": "d", "type": 1, "options": options}]);
    let put = |body: serde_json::Value| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .put(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Accepted: options alone, subcommands, and groups of subcommands beside subcommands.
    assert_eq!(put(command(serde_json::json!([text]))).await, 200);
    let fine = serde_json::json!([
        sub("next", serde_json::json!([text])),
        group(
            "item",
            serde_json::json!([sub("next", serde_json::json!([text]))])
        )
    ]);
    assert_eq!(put(command(fine)).await, 200);
    // Refused: a group in a group, a subcommand in a subcommand, an option in a group, and
    // options beside subcommands.
    for bad in [
        serde_json::json!([group(
            "a",
            serde_json::json!([group(
                "b",
                serde_json::json!([sub("c", serde_json::json!([]))])
            )])
        )]),
        serde_json::json!([sub(
            "a",
            serde_json::json!([sub("b", serde_json::json!([]))])
        )]),
        serde_json::json!([group("a", serde_json::json!([text]))]),
        serde_json::json!([sub("a", serde_json::json!([])), text]),
    ] {
        assert_eq!(put(command(bad.clone())).await, 400, "{bad}");
    }
}
