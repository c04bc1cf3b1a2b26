//! `/forum setup` from governance templates: every test runs on SQLite and on PostgreSQL.

#[path = "support/db.rs"]
mod db;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::config::Config;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::forum::Forum;
use samverkan::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use samverkan::domain::recurrence::Cadence;
use samverkan::service::{Actor, Presented, Services, SetupForums, Status};
use samverkan::store::{GuildDirectory, Store};

const G1: GuildId = GuildId(900_000_000_000_000_001);
const G2: GuildId = GuildId(900_000_000_000_000_002);
const SAMVERKAN: ChannelId = ChannelId(800_000_000_000_000_001);
const LEV: ChannelId = ChannelId(800_000_000_000_000_002);
const LEDNING: ChannelId = ChannelId(800_000_000_000_000_003);
const OTHER_GUILD_CHANNEL: ChannelId = ChannelId(800_000_000_000_000_099);
const ADMIN_ROLE: RoleId = RoleId(700_000_000_000_000_002);
const SOME_ROLE: RoleId = RoleId(700_000_000_000_000_003);

async fn seed(store: &Store) {
    let g1 = GuildDirectory {
        id: G1,
        name: "Stockholms stad".to_string(),
        channels: vec![
            (SAMVERKAN, "samverkan".to_string()),
            (LEV, "lev".to_string()),
            (LEDNING, "ledning".to_string()),
        ],
        roles: vec![
            (ADMIN_ROLE, "Samverkan-admin".to_string()),
            (SOME_ROLE, "Leverantör".to_string()),
        ],
    };
    let g2 = GuildDirectory {
        id: G2,
        name: "Region Väst".to_string(),
        channels: vec![(OTHER_GUILD_CHANNEL, "allmänt".to_string())],
        roles: vec![],
    };
    store.sync_guild(&g1, 0).await.unwrap();
    store.sync_guild(&g2, 0).await.unwrap();
}

fn services(store: Store) -> Services {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap());
    Services::new(store, Arc::new(clock), Arc::new(Config::default()))
}

fn admin() -> Actor {
    Actor {
        guild: G1,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

fn member(roles: Vec<RoleId>) -> Actor {
    Actor {
        guild: G1,
        user: UserId(2),
        roles,
        manage_guild: false,
    }
}

fn setup(template: &str, channel: ChannelId, mapping: Option<&str>) -> SetupForums {
    SetupForums {
        template: template.to_string(),
        channel,
        mapping: mapping.map(str::to_string),
    }
}

async fn run(s: &Services, actor: &Actor, req: SetupForums) -> Presented {
    let result = s.forum_setup(actor, req).await;
    s.present(Some(actor.guild), result, &DiscordRender).await
}

fn by_name<'a>(forums: &'a [Forum], name: &str) -> &'a Forum {
    forums
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no forum {name}"))
}

on_both_backends!(
    setup_creates_forums_with_schedules_and_the_ladder,
    rerun_creates_nothing_and_existing_forums_stay,
    bad_input_creates_nothing,
    only_managers_may_set_up,
    branschrad_template_makes_one_council,
);

async fn setup_creates_forums_with_schedules_and_the_ladder(store: Store) {
    seed(&store).await;
    let s = services(store.clone());
    let lev = format!("<#{}>", LEV.0);
    let p = run(
        &s,
        &admin(),
        setup(
            "stockholm",
            SAMVERKAN,
            Some(&format!("Leveransforum={lev}, ledningsforum = #ledning")),
        ),
    )
    .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert!(!p.ephemeral);
    assert!(
        p.text.contains("11 forum skapade, 0 fanns redan"),
        "{}",
        p.text
    );
    assert!(
        p.text.contains("månadsvis 1:a tisdagen 10:00"),
        "{}",
        p.text
    );

    let forums = store.forums(G1).await.unwrap();
    assert_eq!(forums.len(), 11);
    let ledning = by_name(&forums, "Ledningsforum");
    let verk = by_name(&forums, "Verkställande forum");
    let leverans = by_name(&forums, "Leveransforum");
    assert_eq!(leverans.channel, LEV);
    assert_eq!(ledning.channel, LEDNING);
    assert_eq!(verk.channel, SAMVERKAN);
    assert_eq!(leverans.escalates_to, Some(verk.id));
    assert_eq!(verk.escalates_to, Some(ledning.id));
    assert_eq!(ledning.escalates_to, None);
    assert_eq!(ledning.tier, "business");
    assert_eq!(by_name(&forums, "Operativt möte").tier, "cross-supplier");
    for f in &forums {
        let rec = f
            .schedule
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no schedule", f.name));
        assert_eq!(rec.tz(), chrono_tz::Europe::Stockholm);
        // Planned through the same path as /forum edit: a planning job and meetings.
        assert!(
            store
                .job(&format!("plan:{}", f.id.0))
                .await
                .unwrap()
                .is_some(),
            "{} not planned",
            f.name
        );
    }
    let weekly = by_name(&forums, "Driftsättningsinformationsmöte");
    assert!(matches!(
        weekly.schedule.as_ref().unwrap().cadence(),
        Cadence::Weekly { interval: 1, .. }
    ));
    let meetings = store
        .meetings_from(weekly.id, s.clock.now(), 10)
        .await
        .unwrap();
    assert!(!meetings.is_empty());
    let bi = by_name(&forums, "Ändringskoordineringsforum");
    assert!(matches!(
        bi.schedule.as_ref().unwrap().cadence(),
        Cadence::Weekly { interval: 2, .. }
    ));
    assert_eq!(
        by_name(&forums, "Releaseplaneringsmöte")
            .schedule
            .as_ref()
            .unwrap()
            .duration_minutes(),
        120
    );
    // The other guild saw nothing.
    assert!(store.forums(G2).await.unwrap().is_empty());
}

async fn rerun_creates_nothing_and_existing_forums_stay(store: Store) {
    seed(&store).await;
    let s = services(store.clone());
    // An admin made Leveransforum by hand before, in another channel, without a cadence.
    let p = s
        .present(
            Some(G1),
            s.forum_create(
                &admin(),
                samverkan::service::CreateForum {
                    name: "leveransforum".to_string(),
                    tier: "delivery".to_string(),
                    channel: LEDNING,
                    time_zone: None,
                    escalates_to: None,
                    chair_role: None,
                },
            )
            .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let hand_made = store
        .forum_named(G1, "Leveransforum")
        .await
        .unwrap()
        .unwrap();

    let first = run(&s, &admin(), setup("stockholm", SAMVERKAN, None)).await;
    assert_eq!(first.status, Status::Ok, "{}", first.text);
    assert!(
        first.text.contains("10 forum skapade, ett fanns redan"),
        "{}",
        first.text
    );
    assert!(
        first.text.contains("**leveransforum** fanns redan"),
        "{}",
        first.text
    );
    let after_first = store.forums(G1).await.unwrap();
    assert_eq!(after_first.len(), 11);
    // Left exactly as it was.
    assert_eq!(by_name(&after_first, "leveransforum"), &hand_made);
    // The rest of the ladder is wired.
    assert_eq!(
        by_name(&after_first, "Verkställande forum").escalates_to,
        Some(by_name(&after_first, "Ledningsforum").id)
    );
    let jobs_before = store.jobs_with_prefix("").await.unwrap().len();

    let second = run(
        &s,
        &admin(),
        setup("Stockholm", LEV, Some("Ledningsforum=#lev")),
    )
    .await;
    assert_eq!(second.status, Status::Ok, "{}", second.text);
    assert!(
        second.text.contains("0 forum skapade, 11 fanns redan"),
        "{}",
        second.text
    );
    assert!(second.text.contains("Inget ändrades"), "{}", second.text);
    assert_eq!(store.forums(G1).await.unwrap(), after_first);
    assert_eq!(store.jobs_with_prefix("").await.unwrap().len(), jobs_before);
}

async fn bad_input_creates_nothing(store: Store) {
    seed(&store).await;
    let s = services(store.clone());
    let other = format!("<#{}>", OTHER_GUILD_CHANNEL.0);
    let cases: Vec<(SetupForums, &str)> = vec![
        (
            setup("göteborg", SAMVERKAN, None),
            "Det finns ingen mall som heter ”göteborg”. Tillgängliga: a3-dialog, branschrad, stockholm.",
        ),
        (
            setup("stockholm", SAMVERKAN, Some("Leveransforum #lev")),
            "har inte formen",
        ),
        (
            setup(
                "stockholm",
                SAMVERKAN,
                Some("Leveransforum=#lev, Styrgrupp=#lev"),
            ),
            "Mallen stockholm har inget forum som heter ”Styrgrupp”",
        ),
        (
            setup("stockholm", SAMVERKAN, Some("Leveransforum=#finns-inte")),
            "Kanalen ”#finns-inte” för Leveransforum är ingen kanal i den här servern",
        ),
        (
            setup(
                "stockholm",
                SAMVERKAN,
                Some(&format!("Leveransforum={other}")),
            ),
            "ingen kanal i den här servern",
        ),
        (
            setup(
                "stockholm",
                SAMVERKAN,
                Some("Leveransforum=#lev, LEVERANSFORUM=#ledning"),
            ),
            "kopplat två gånger",
        ),
        (
            setup("stockholm", OTHER_GUILD_CHANNEL, None),
            "Kanalen finns inte",
        ),
    ];
    for (req, expected) in cases {
        let p = run(&s, &admin(), req.clone()).await;
        assert_eq!(p.status, Status::Refused, "{req:?}: {}", p.text);
        assert!(p.text.contains(expected), "{req:?}: {}", p.text);
        assert!(p.ephemeral);
        assert!(store.forums(G1).await.unwrap().is_empty(), "{req:?}");
        assert!(store.jobs_with_prefix("").await.unwrap().is_empty());
    }
    // The same in English.
    let s_en = {
        let mut config = Config::default();
        config.defaults.language = "en".to_string();
        let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap());
        Services::new(store.clone(), Arc::new(clock), Arc::new(config))
    };
    let p = run(
        &s_en,
        &admin(),
        setup("stockholm", SAMVERKAN, Some("x=#lev")),
    )
    .await;
    assert_eq!(
        p.text,
        "The template stockholm has no forum called “x”. Nothing was created."
    );
}

async fn only_managers_may_set_up(store: Store) {
    seed(&store).await;
    let s = services(store.clone());
    let p = run(
        &s,
        &member(vec![SOME_ROLE]),
        setup("stockholm", SAMVERKAN, None),
    )
    .await;
    assert_eq!(p.status, Status::Refused, "{}", p.text);
    assert!(p.text.contains("Hantera server"), "{}", p.text);
    assert!(store.forums(G1).await.unwrap().is_empty());
    // The admin role is enough.
    let p = run(
        &s,
        &member(vec![ADMIN_ROLE]),
        setup("branschrad", SAMVERKAN, None),
    )
    .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert_eq!(store.forums(G1).await.unwrap().len(), 1);
}

async fn branschrad_template_makes_one_council(store: Store) {
    seed(&store).await;
    let s = services(store.clone());
    let p = run(&s, &admin(), setup("branschråd", LEV, None)).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let forums = store.forums(G1).await.unwrap();
    assert_eq!(forums.len(), 1);
    let f = &forums[0];
    assert_eq!(f.name, "Branschråd");
    assert_eq!(f.channel, LEV);
    let rec = f.schedule.as_ref().unwrap();
    assert_eq!(rec.start().format("%H:%M").to_string(), "13:30");
    assert_eq!(rec.duration_minutes(), 90);
    // Suggestions for autocomplete.
    let keys: Vec<String> = s
        .template_suggestions("bra")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["branschrad"]);
}
