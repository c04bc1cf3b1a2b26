//! Store conformance and service tests: every test runs on SQLite and on PostgreSQL.

#[path = "support/db.rs"]
mod db;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use samverkan::clock::ManualClock;
use samverkan::config::Config;
use samverkan::discord::render::DiscordRender;
use samverkan::domain::forum::NewForum;
use samverkan::domain::ids::{ChannelId, ForumId, GuildId, RoleId, UserId};
use samverkan::i18n::Lang;
use samverkan::service::{Actor, CreateForum, ForumRef, Services, Status};
use samverkan::store::{GuildDirectory, Store, StoreError};

const G1: GuildId = GuildId(900_000_000_000_000_001);
const G2: GuildId = GuildId(900_000_000_000_000_002);
const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
const OTHER_GUILD_CHANNEL: ChannelId = ChannelId(800_000_000_000_000_099);
const CHAIR: RoleId = RoleId(700_000_000_000_000_001);
const ADMIN_ROLE: RoleId = RoleId(700_000_000_000_000_002);

fn new_forum(guild: GuildId, name: &str) -> NewForum {
    NewForum {
        guild,
        name: name.to_string(),
        tier: "delivery".to_string(),
        channel: LEV,
        time_zone: chrono_tz::Europe::Stockholm,
        escalates_to: None,
        chair_role: None,
        created_at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
    }
}

async fn seed_directory(store: &Store) {
    let g1 = GuildDirectory {
        id: G1,
        name: "Stockholms stad".to_string(),
        channels: vec![(LEV, "leveransforum".to_string())],
        roles: vec![
            (CHAIR, "Ordförande".to_string()),
            (ADMIN_ROLE, "Samverkan-admin".to_string()),
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

fn admin(guild: GuildId) -> Actor {
    Actor {
        guild,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

fn member(guild: GuildId, roles: Vec<RoleId>) -> Actor {
    Actor {
        guild,
        user: UserId(2),
        roles,
        manage_guild: false,
    }
}

fn create(name: &str) -> CreateForum {
    CreateForum {
        name: name.to_string(),
        tier: "delivery".to_string(),
        channel: LEV,
        time_zone: None,
        escalates_to: None,
        chair_role: None,
    }
}

on_both_backends!(
    forums_are_created_listed_and_found_case_insensitively,
    duplicate_names_conflict_in_any_case,
    guilds_never_see_each_others_forums,
    escalation_target_must_be_in_the_same_guild,
    concurrent_creates_of_one_name_make_one_forum,
    directory_sync_skips_unchanged_guilds,
    directory_single_entries,
    directories_are_written_in_batches,
    meta_values_overwrite,
    local_guilds_are_made_once,
    autocomplete_matches_literally,
    service_creates_lists_and_shows,
    service_refuses_bad_input_and_changes_nothing,
    service_permission_by_manage_server_or_admin_role,
    service_language_setting_changes_replies,
);

async fn forums_are_created_listed_and_found_case_insensitively(store: Store) {
    let a = store
        .create_forum(&new_forum(G1, "Ändringskoordineringsforum"))
        .await
        .unwrap();
    let b = store
        .create_forum(&new_forum(G1, "Leveransforum"))
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    let names: Vec<_> = store
        .forums(G1)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, vec!["Leveransforum", "Ändringskoordineringsforum"]);
    let found = store
        .forum_named(G1, "ÄNDRINGSKOORDINERINGSFORUM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, a);
    assert_eq!(store.forum(G1, a.id).await.unwrap().unwrap(), a);
    assert_eq!(found.time_zone, chrono_tz::Europe::Stockholm);
    assert_eq!(found.created_at, new_forum(G1, "x").created_at);
}

async fn duplicate_names_conflict_in_any_case(store: Store) {
    store
        .create_forum(&new_forum(G1, "Ärendeforum"))
        .await
        .unwrap();
    let err = store
        .create_forum(&new_forum(G1, "ÄRENDEFORUM"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.forums(G1).await.unwrap().len(), 1);
    // The same name in another guild is fine.
    store
        .create_forum(&new_forum(G2, "Ärendeforum"))
        .await
        .unwrap();
}

async fn guilds_never_see_each_others_forums(store: Store) {
    let f = store
        .create_forum(&new_forum(G1, "Ledningsforum"))
        .await
        .unwrap();
    assert!(store.forums(G2).await.unwrap().is_empty());
    assert!(store
        .forum_named(G2, "Ledningsforum")
        .await
        .unwrap()
        .is_none());
    assert!(store.forum(G2, f.id).await.unwrap().is_none());
    assert!(store.forum_names_like(G2, "", 25).await.unwrap().is_empty());
}

async fn escalation_target_must_be_in_the_same_guild(store: Store) {
    let top = store
        .create_forum(&new_forum(G2, "Ledningsforum"))
        .await
        .unwrap();
    let mut f = new_forum(G1, "Leveransforum");
    f.escalates_to = Some(top.id);
    assert!(matches!(
        store.create_forum(&f).await,
        Err(StoreError::NotFound)
    ));
    f.escalates_to = Some(ForumId(999_999));
    assert!(matches!(
        store.create_forum(&f).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.forums(G1).await.unwrap().is_empty());
    let top1 = store
        .create_forum(&new_forum(G1, "Verkställande forum"))
        .await
        .unwrap();
    f.escalates_to = Some(top1.id);
    let created = store.create_forum(&f).await.unwrap();
    assert_eq!(created.escalates_to, Some(top1.id));
}

async fn concurrent_creates_of_one_name_make_one_forum(store: Store) {
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = store.clone();
        let name = if i % 2 == 0 {
            "Driftforum"
        } else {
            "DRIFTFORUM"
        };
        tasks.push(tokio::spawn(async move {
            s.create_forum(&new_forum(G1, name)).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!(ok, 1);
    assert_eq!(store.forums(G1).await.unwrap().len(), 1);
}

async fn directory_sync_skips_unchanged_guilds(store: Store) {
    let mut dir = GuildDirectory {
        id: G1,
        name: "Stockholms stad".to_string(),
        channels: vec![(LEV, "leveransforum".to_string())],
        roles: vec![(CHAIR, "Ordförande".to_string())],
    };
    assert!(store.sync_guild(&dir, 1).await.unwrap());
    assert!(!store.sync_guild(&dir, 2).await.unwrap());
    dir.channels.push((ChannelId(5), "ledning".to_string()));
    dir.channels.retain(|c| c.0 != LEV);
    assert!(store.sync_guild(&dir, 3).await.unwrap());
    assert_eq!(
        store.channel_named(G1, "LEDNING").await.unwrap(),
        Some(ChannelId(5))
    );
    assert_eq!(store.channel_name(G1, LEV).await.unwrap(), None);
    assert_eq!(
        store.role_named(G1, "ordförande").await.unwrap(),
        Some(CHAIR)
    );
    let g = store.guild(G1).await.unwrap().unwrap();
    assert_eq!(g.name, "Stockholms stad");
    assert!(!g.is_local);
    assert_eq!(
        store.guilds_named("stockholms STAD").await.unwrap().len(),
        1
    );
}

async fn directory_single_entries(store: Store) {
    seed_directory(&store).await;
    store
        .upsert_channel(G1, ChannelId(9), "nytt")
        .await
        .unwrap();
    assert_eq!(
        store
            .channel_name(G1, ChannelId(9))
            .await
            .unwrap()
            .as_deref(),
        Some("nytt")
    );
    store
        .upsert_channel(G1, ChannelId(9), "omdöpt")
        .await
        .unwrap();
    assert_eq!(
        store
            .channel_name(G1, ChannelId(9))
            .await
            .unwrap()
            .as_deref(),
        Some("omdöpt")
    );
    store.remove_channel(G1, ChannelId(9)).await.unwrap();
    assert_eq!(store.channel_name(G1, ChannelId(9)).await.unwrap(), None);
    store.remove_role(G1, CHAIR).await.unwrap();
    assert_eq!(store.role_name(G1, CHAIR).await.unwrap(), None);
    // A single change invalidates the digest, so the next full sync rewrites the guild.
    let dir = GuildDirectory {
        id: G1,
        name: "Stockholms stad".to_string(),
        channels: vec![(LEV, "leveransforum".to_string())],
        roles: vec![
            (CHAIR, "Ordförande".to_string()),
            (ADMIN_ROLE, "Samverkan-admin".to_string()),
        ],
    };
    assert!(store.sync_guild(&dir, 5).await.unwrap());
    assert_eq!(
        store.role_name(G1, CHAIR).await.unwrap().as_deref(),
        Some("Ordförande")
    );
}

async fn directories_are_written_in_batches(store: Store) {
    let dirs: Vec<GuildDirectory> = (1..=50)
        .map(|g| GuildDirectory {
            id: GuildId(g),
            name: format!("Kommun {g}"),
            channels: (1..=30)
                .map(|c| (ChannelId(g * 100 + c), format!("kanal-{c}")))
                .collect(),
            roles: (1..=15)
                .map(|r| (RoleId(g * 100 + r), format!("roll-{r}")))
                .collect(),
        })
        .collect();
    assert_eq!(store.sync_guilds(&dirs, 1).await.unwrap(), 50);
    assert_eq!(
        store.sync_guilds(&dirs, 2).await.unwrap(),
        0,
        "unchanged: nothing written"
    );
    assert_eq!(store.channels(GuildId(7)).await.unwrap().len(), 30);
    assert_eq!(store.roles(GuildId(50)).await.unwrap().len(), 15);
    assert_eq!(
        store.channel_named(GuildId(3), "kanal-9").await.unwrap(),
        Some(ChannelId(309))
    );
}

async fn meta_values_overwrite(store: Store) {
    assert_eq!(store.meta("k").await.unwrap(), None);
    store.set_meta("k", "1").await.unwrap();
    store.set_meta("k", "2").await.unwrap();
    assert_eq!(store.meta("k").await.unwrap().as_deref(), Some("2"));
}

async fn local_guilds_are_made_once(store: Store) {
    let a = store.ensure_local_guild("Testkommun", 1).await.unwrap();
    let b = store.ensure_local_guild("testkommun", 2).await.unwrap();
    assert_eq!(a.id, b.id);
    assert!(a.is_local);
    assert_eq!(a.name, "Testkommun");
}

async fn autocomplete_matches_literally(store: Store) {
    store
        .create_forum(&new_forum(G1, "Ledningsforum"))
        .await
        .unwrap();
    store
        .create_forum(&new_forum(G1, "Drift 100% forum"))
        .await
        .unwrap();
    store
        .create_forum(&new_forum(G1, "Leveransforum"))
        .await
        .unwrap();
    assert_eq!(
        store.forum_names_like(G1, "%", 25).await.unwrap(),
        vec!["Drift 100% forum".to_string()]
    );
    assert_eq!(
        store.forum_names_like(G1, "LE", 25).await.unwrap(),
        vec!["Ledningsforum".to_string(), "Leveransforum".to_string()]
    );
    assert_eq!(store.forum_names_like(G1, "", 2).await.unwrap().len(), 2);
}

async fn service_creates_lists_and_shows(store: Store) {
    seed_directory(&store).await;
    let s = services(store.clone());
    let mut req = create("Verkställande forum");
    req.tier = "kontraktsnivå".to_string();
    let p = s
        .present(
            Some(G1),
            s.forum_create(&admin(G1), req).await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    assert!(!p.ephemeral, "a created forum is announced publicly");
    assert!(p.text.contains("Verkställande forum"), "{}", p.text);
    assert!(p.text.contains("kontraktsnivå"), "{}", p.text);

    let mut req = create("Leveransforum");
    req.escalates_to = Some("verkställande FORUM".to_string());
    req.chair_role = Some(CHAIR);
    req.time_zone = Some("Europe/Helsinki".to_string());
    let p = s
        .present(
            Some(G1),
            s.forum_create(&admin(G1), req).await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let f = store
        .forum_named(G1, "Leveransforum")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.time_zone, chrono_tz::Europe::Helsinki);
    assert_eq!(f.chair_role, Some(CHAIR));
    assert!(f.escalates_to.is_some());

    let p = s
        .present(
            Some(G1),
            s.forum_list(&member(G1, vec![])).await,
            &DiscordRender,
        )
        .await;
    assert!(p.ephemeral);
    assert!(p.text.contains("2 forum"), "{}", p.text);
    assert!(p.text.contains(&format!("<#{}>", LEV.0)), "{}", p.text);

    let p = s
        .present(
            Some(G1),
            s.forum_show(&member(G1, vec![]), ForumRef("leveransforum".into()))
                .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.text.contains("Verkställande forum"), "{}", p.text);
    assert!(p.text.contains("Europe/Helsinki"), "{}", p.text);
    assert!(p.text.contains(&format!("<@&{}>", CHAIR.0)), "{}", p.text);
}

async fn service_refuses_bad_input_and_changes_nothing(store: Store) {
    seed_directory(&store).await;
    let s = services(store.clone());
    s.forum_create(&admin(G1), create("Leveransforum"))
        .await
        .unwrap();
    let a = admin(G1);
    let cases: Vec<(CreateForum, &str)> = vec![
        (create("leveransFORUM"), "finns redan"),
        (create(&"x".repeat(500)), "högst 80 tecken"),
        (create("**fet** @everyone"), "formatering"),
        (create("<@&700000000000000001>"), "formatering"),
        (create("   "), "tomt"),
        (
            CreateForum {
                channel: OTHER_GUILD_CHANNEL,
                ..create("Nytt forum")
            },
            "finns inte i den här servern",
        ),
        (
            CreateForum {
                time_zone: Some("Mars/Olympus_Mons".into()),
                ..create("Nytt forum")
            },
            "ingen känd tidszon",
        ),
        (
            CreateForum {
                escalates_to: Some("Finns inte".into()),
                ..create("Nytt forum")
            },
            "inget forum som heter",
        ),
        (
            CreateForum {
                chair_role: Some(RoleId(12345)),
                ..create("Nytt forum")
            },
            "Rollen finns inte",
        ),
    ];
    for (req, expected) in cases {
        let p = s
            .present(
                Some(G1),
                s.forum_create(&a, req.clone()).await,
                &DiscordRender,
            )
            .await;
        assert_eq!(p.status, Status::Refused, "{req:?} → {}", p.text);
        assert!(p.ephemeral);
        assert!(p.text.contains(expected), "{req:?} → {}", p.text);
        assert!(!p.text.contains("@everyone"));
    }
    let p = s
        .present(
            Some(G1),
            s.forum_show(&a, ForumRef("Okänt **forum** @everyone".into()))
                .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
    assert!(!p.text.contains("@everyone"), "{}", p.text);
    assert_eq!(store.forums(G1).await.unwrap().len(), 1);
}

async fn service_permission_by_manage_server_or_admin_role(store: Store) {
    seed_directory(&store).await;
    let s = services(store.clone());
    let p = s
        .present(
            Some(G1),
            s.forum_create(&member(G1, vec![CHAIR]), create("A")).await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
    assert!(p.text.contains("Samverkan-admin"), "{}", p.text);
    assert!(store.forums(G1).await.unwrap().is_empty());
    let p = s
        .present(
            Some(G1),
            s.forum_create(&member(G1, vec![ADMIN_ROLE]), create("A"))
                .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    // The admin role of another guild's directory does not count here.
    let p = s
        .present(
            Some(G2),
            s.forum_create(
                &member(G2, vec![ADMIN_ROLE]),
                CreateForum {
                    channel: OTHER_GUILD_CHANNEL,
                    ..create("B")
                },
            )
            .await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
}

async fn service_language_setting_changes_replies(store: Store) {
    seed_directory(&store).await;
    let s = services(store.clone());
    let p = s
        .present(
            Some(G1),
            s.forum_list(&member(G1, vec![])).await,
            &DiscordRender,
        )
        .await;
    assert!(p.text.contains("inga forum"), "{}", p.text);
    let p = s
        .present(
            Some(G1),
            s.set_language(&member(G1, vec![]), "en").await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
    let p = s
        .present(
            Some(G1),
            s.set_language(&admin(G1), "en").await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.text.contains("English"), "{}", p.text);
    assert_eq!(
        store.guild(G1).await.unwrap().unwrap().language,
        Some(Lang::En)
    );
    let p = s
        .present(
            Some(G1),
            s.forum_list(&member(G1, vec![])).await,
            &DiscordRender,
        )
        .await;
    assert!(p.text.contains("no forums"), "{}", p.text);
    let p = s
        .present(
            Some(G1),
            s.set_language(&admin(G1), "klingon").await,
            &DiscordRender,
        )
        .await;
    assert_eq!(p.status, Status::Refused);
    assert_eq!(
        store.guild(G1).await.unwrap().unwrap().language,
        Some(Lang::En)
    );
    // Other guilds keep the default.
    let p = s
        .present(
            Some(G2),
            s.forum_list(&member(G2, vec![])).await,
            &DiscordRender,
        )
        .await;
    assert!(p.text.contains("inga forum"), "{}", p.text);
    // As the adapters run a command (the guild's language read while the use case runs): the
    // confirmation is in the language just set, and the next reply too.
    let p = s
        .run_presented(Some(G1), s.set_language(&admin(G1), "sv"), &DiscordRender)
        .await;
    assert_eq!(p.status, Status::Ok);
    assert!(p.text.contains("svenska"), "{}", p.text);
    let p = s
        .run_presented(Some(G1), s.forum_list(&member(G1, vec![])), &DiscordRender)
        .await;
    assert!(p.text.contains("inga forum"), "{}", p.text);
    let p = s
        .run_presented(Some(G1), s.set_language(&admin(G1), "en"), &DiscordRender)
        .await;
    assert!(p.text.contains("English"), "{}", p.text);
}

// ---- the job queue ----

use chrono::Duration;
use samverkan::store::{JobState, NewJob};

fn at(min: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap() + Duration::minutes(min)
}

fn job(key: &str, due_min: i64) -> NewJob {
    NewJob {
        kind: "test".to_string(),
        key: key.to_string(),
        due_at: at(due_min),
        payload: serde_json::json!({ "key": key }),
    }
}

on_both_backends!(
    jobs_are_enqueued_once_per_key,
    jobs_are_claimed_when_due_and_leased,
    expired_leases_are_reclaimed_and_fenced,
    concurrent_claims_never_share_a_job,
    upsert_moves_pending_but_never_resurrects_done,
    obsolete_pending_by_prefix,
    a_rearm_while_running_is_honoured_when_the_outcome_is_recorded,
    attempts_recorded_together_are_each_fenced,
    a_found_message_is_taken_by_one_job_only,
);

/// Two jobs with the same text recovering at once may find the same message: one of them
/// takes it, the other does not (it looks on or posts its own), and the one that took it
/// still counts it as its own when it looks again (say after a crash before its outcome).
async fn a_found_message_is_taken_by_one_job_only(store: Store) {
    for k in 0..8 {
        store
            .enqueue(&job(&format!("same{k}"), 0), at(0))
            .await
            .unwrap();
    }
    let jobs = store
        .claim_due(at(0), Duration::seconds(30), "w1", 8)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 8);
    let message = 4242_u64;
    let mut takes = Vec::new();
    for j in &jobs {
        let (s, id) = (store.clone(), j.id);
        takes.push(tokio::spawn(async move {
            (id, s.claim_found_message(id, "w1", message).await.unwrap())
        }));
    }
    let mut winners = Vec::new();
    for t in takes {
        let (id, took) = t.await.unwrap();
        if took {
            winners.push(id);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one job takes the message");
    let winner = winners[0];
    let others: Vec<i64> = jobs
        .iter()
        .map(|j| j.id)
        .filter(|id| *id != winner)
        .collect();
    assert!(store
        .recorded_messages(&[message], Some(others[0]))
        .await
        .unwrap()
        .contains(&message));
    assert!(store
        .recorded_messages(&[message], Some(winner))
        .await
        .unwrap()
        .is_empty());
    // Only the lease holder can take one.
    assert!(!store
        .claim_found_message(others[0], "w2", 777)
        .await
        .unwrap());
}

/// A burst's sends record their attempts together (one write for all those waiting): each is
/// still fenced by its own lease, and a later attempt keeps the floor of the first.
async fn attempts_recorded_together_are_each_fenced(store: Store) {
    for k in 0..40 {
        store
            .enqueue(&job(&format!("a{k}"), 0), at(0))
            .await
            .unwrap();
    }
    let jobs = store
        .claim_due(at(0), Duration::seconds(30), "w1", 40)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 40);
    // 39 sends of the lease holder and one of a worker that does not hold the job, at once.
    let intruder = jobs[0].id;
    let mut sends = Vec::new();
    for j in &jobs {
        let (s, id) = (store.clone(), j.id);
        let worker = if id == intruder { "w2" } else { "w1" };
        sends.push(tokio::spawn(async move {
            let r = s
                .begin_attempt(id, worker, 1000 + id as u64, &format!("d{id}"))
                .await;
            (id, r)
        }));
    }
    for send in sends {
        let (id, r) = send.await.unwrap();
        assert_eq!(
            r.unwrap(),
            id != intruder,
            "job {id}: only the lease holder may send"
        );
    }
    // A second attempt keeps the first floor and takes the new digest.
    let j = &jobs[1];
    assert!(store
        .begin_attempt(j.id, "w1", 999_999, "again")
        .await
        .unwrap());
    // What a worker taking the jobs over finds.
    let taken = store
        .claim_due(
            at(0) + Duration::seconds(31),
            Duration::seconds(30),
            "w3",
            64,
        )
        .await
        .unwrap();
    assert_eq!(taken.len(), 40);
    for t in &taken {
        let want = if t.id == intruder {
            None
        } else if t.id == j.id {
            Some((1000 + j.id as u64, "again".to_string()))
        } else {
            Some((1000 + t.id as u64, format!("d{}", t.id)))
        };
        assert_eq!(t.attempt, want, "job {}", t.id);
    }
}

/// A use case re-arms a reconciling job (a meeting's event) while a worker runs it: the
/// worker may have read the state before the change, so its outcome must not end the job.
async fn a_rearm_while_running_is_honoured_when_the_outcome_is_recorded(store: Store) {
    // Finished by its worker: back in the queue at the re-armed time.
    store.enqueue(&job("event:1", 1), at(0)).await.unwrap();
    let got = store
        .claim_due(at(2), Duration::seconds(30), "w", 1)
        .await
        .unwrap();
    store.rearm_job("event:1", at(3)).await.unwrap();
    let rec = store.job("event:1").await.unwrap().unwrap();
    assert_eq!(rec.state, JobState::Running, "the worker keeps its lease");
    assert!(store
        .finish_job(got[0].id, "w", JobState::Done, "created", at(4))
        .await
        .unwrap());
    let rec = store.job("event:1").await.unwrap().unwrap();
    assert_eq!((rec.state, rec.due_at), (JobState::Pending, at(3)));
    // Claimed again, finished with nothing re-armed: done.
    let again = store
        .claim_due(at(5), Duration::seconds(30), "w", 1)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    store
        .finish_job(again[0].id, "w", JobState::Done, "cancelled", at(5))
        .await
        .unwrap();
    assert_eq!(
        store.job("event:1").await.unwrap().unwrap().state,
        JobState::Done
    );

    // Retried by its worker for later: due at the earlier of the two.
    store.enqueue(&job("event:2", 1), at(0)).await.unwrap();
    let got = store
        .claim_due(at(6), Duration::seconds(30), "w", 1)
        .await
        .unwrap();
    store.rearm_job("event:2", at(7)).await.unwrap();
    store
        .requeue_job(got[0].id, "w", at(60), "awaiting start", None)
        .await
        .unwrap();
    let rec = store.job("event:2").await.unwrap().unwrap();
    assert_eq!((rec.state, rec.due_at), (JobState::Pending, at(7)));
}

async fn jobs_are_enqueued_once_per_key(store: Store) {
    assert!(store.enqueue(&job("a", 5), at(0)).await.unwrap());
    assert!(!store.enqueue(&job("a", 9), at(0)).await.unwrap());
    let rec = store.job("a").await.unwrap().unwrap();
    assert_eq!(rec.due_at, at(5));
    assert_eq!(rec.state, JobState::Pending);
    assert_eq!(rec.payload["key"], "a");
    assert_eq!(store.next_due_at().await.unwrap(), Some(at(5)));
}

async fn jobs_are_claimed_when_due_and_leased(store: Store) {
    store.enqueue(&job("early", 1), at(0)).await.unwrap();
    store.enqueue(&job("late", 10), at(0)).await.unwrap();
    assert!(store
        .claim_due(at(0), Duration::seconds(30), "w1", 10)
        .await
        .unwrap()
        .is_empty());
    let got = store
        .claim_due(at(2), Duration::seconds(30), "w1", 10)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].key, "early");
    assert_eq!(got[0].attempts, 1);
    assert!(!got[0].reclaimed);
    // Leased: nobody else gets it while the lease runs.
    assert!(store
        .claim_due(at(2), Duration::seconds(30), "w2", 10)
        .await
        .unwrap()
        .is_empty());
    // The next due time is now the lease end (the running job) or the late job.
    assert_eq!(
        store.next_due_at().await.unwrap(),
        Some(at(2) + Duration::seconds(30))
    );
    assert!(store
        .finish_job(got[0].id, "w1", JobState::Done, "sent", at(2))
        .await
        .unwrap());
    let rec = store.job("early").await.unwrap().unwrap();
    assert_eq!(rec.state, JobState::Done);
    assert_eq!(rec.outcome.as_deref(), Some("sent"));
    assert_eq!(store.next_due_at().await.unwrap(), Some(at(10)));
}

async fn expired_leases_are_reclaimed_and_fenced(store: Store) {
    store.enqueue(&job("x", 0), at(0)).await.unwrap();
    let first = store
        .claim_due(at(0), Duration::seconds(30), "dead", 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    // The first worker dies; after the lease another takes over.
    assert!(store
        .claim_due(
            at(0) + Duration::seconds(29),
            Duration::seconds(30),
            "w2",
            10
        )
        .await
        .unwrap()
        .is_empty());
    let second = store
        .claim_due(at(1), Duration::seconds(30), "w2", 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts, 2);
    assert!(second[0].reclaimed, "taken over from a dead worker");
    // The dead worker's late outcome is refused; the new holder's stands.
    assert!(!store
        .finish_job(first[0].id, "dead", JobState::Failed, "x", at(1))
        .await
        .unwrap());
    assert!(!store.renew_lease(first[0].id, "dead", at(5)).await.unwrap());
    assert!(store.renew_lease(second[0].id, "w2", at(5)).await.unwrap());
    assert!(store
        .requeue_job(second[0].id, "w2", at(7), "retry", None)
        .await
        .unwrap());
    let rec = store.job("x").await.unwrap().unwrap();
    assert_eq!((rec.state, rec.due_at), (JobState::Pending, at(7)));
}

async fn concurrent_claims_never_share_a_job(store: Store) {
    for i in 0..60 {
        store
            .enqueue(&job(&format!("j{i}"), 0), at(0))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..6 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s
                    .claim_due(at(1), Duration::seconds(30), &format!("w{w}"), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                mine.extend(got.into_iter().map(|j| j.key));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, 60, "every job claimed");
    assert_eq!(all.len(), 60, "no job claimed twice");
}

async fn upsert_moves_pending_but_never_resurrects_done(store: Store) {
    store.upsert_pending(&job("r", 5), at(0)).await.unwrap();
    store.upsert_pending(&job("r", 8), at(0)).await.unwrap();
    assert_eq!(store.job("r").await.unwrap().unwrap().due_at, at(8));
    let got = store
        .claim_due(at(9), Duration::seconds(30), "w", 1)
        .await
        .unwrap();
    store
        .finish_job(got[0].id, "w", JobState::Done, "sent", at(9))
        .await
        .unwrap();
    store.upsert_pending(&job("r", 20), at(10)).await.unwrap();
    let rec = store.job("r").await.unwrap().unwrap();
    assert_eq!((rec.state, rec.due_at), (JobState::Done, at(8)));
}

async fn obsolete_pending_by_prefix(store: Store) {
    store.enqueue(&job("reminder:1:a", 5), at(0)).await.unwrap();
    store.enqueue(&job("reminder:1:b", 6), at(0)).await.unwrap();
    store
        .enqueue(&job("reminder:12:a", 6), at(0))
        .await
        .unwrap();
    assert_eq!(
        store.obsolete_pending("reminder:1:", at(1)).await.unwrap(),
        2
    );
    assert_eq!(
        store.job("reminder:1:a").await.unwrap().unwrap().state,
        JobState::Obsolete
    );
    assert_eq!(
        store.job("reminder:12:a").await.unwrap().unwrap().state,
        JobState::Pending
    );
    assert_eq!(store.jobs_with_prefix("reminder:1").await.unwrap().len(), 3);
    // Reinstated by a later upsert.
    store
        .upsert_pending(&job("reminder:1:a", 9), at(2))
        .await
        .unwrap();
    assert_eq!(
        store.job("reminder:1:a").await.unwrap().unwrap().state,
        JobState::Pending
    );
}

/// SQLite only (PostgreSQL has no write-ahead log file of ours to fold): commits do not fold
/// the log into the database file themselves (that cost claims a millisecond-scale fsync every
/// few hundred writes); the store's background checkpointer does, within about a second.
#[tokio::test]
async fn sqlite_folds_its_log_in_the_background() {
    let t = db::sqlite().await;
    let marker = format!("checkpoint-probe-{}", std::process::id());
    t.store
        .set_meta("probe", &marker.repeat(2000))
        .await
        .unwrap();
    let file = t.url.trim_start_matches("sqlite://").to_string();
    let in_file = || {
        let bytes = std::fs::read(&file).unwrap();
        bytes.windows(marker.len()).any(|w| w == marker.as_bytes())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !in_file() {
        assert!(
            std::time::Instant::now() < deadline,
            "the write never reached the database file: no background checkpoint"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    t.cleanup().await;
}
