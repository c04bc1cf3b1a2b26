//! End to end on the real binary against the Discord test double: Leveransforum escalates an
//! issue to Verkställande forum; it appears on that forum's published agenda (under its
//! standing item "Inkomna eskaleringar", edited in place) and its chair is told in its channel
//! by the one role mention (user text never pings); the chair resolves it with a decision of
//! that forum (its id offered by autocomplete, accepted first); Leveransforum is told of the
//! acceptance and of the outcome in its channel (each once) and its next agenda shows the
//! outcome.

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
use forums::Rung;
use interact::{reply, submit};
use serde_json::{json, Value};

const GUILD: u64 = 2_000_000_000_000_000_014;
const LEV: u64 = 4_000_000_000_000_000_141;
const VF: u64 = 4_000_000_000_000_000_142;
const VF_CHAIR: u64 = 5_000_000_000_000_000_142;
const T: Duration = Duration::from_secs(30);

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![
            (LEV, "leveransforum".into()),
            (VF, "verkstallande-forum".into()),
        ],
        roles: vec![(VF_CHAIR, "Ordförande VF".into())],
        preferred_locale: "sv-SE".into(),
    }]
}

fn content(m: &Value) -> &str {
    m["content"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_reaches_the_higher_agenda_and_its_resolution_comes_back() {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/e.db", dir.path().display());
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    // Tuesday 8 December 2026, 08:00 UTC (09:00 in Stockholm), in real time: both forums
    // meet at 10:30, their agendas' deadlines (3 days before) have passed.
    let env = BotEnv {
        api: d.base_url(),
        db_url: db_url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![(
            "SAMVERKAN_TEST_CLOCK".into(),
            format!("2026-12-08T08:00:00Z,{now_ms},1"),
        )],
    };
    let _bot = env.spawn("escalation");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&db_url, GUILD, T).await;

    // The ladder: Leveransforum → Verkställande forum (the top here). Verkställande forum
    // keeps "Inkomna eskaleringar" as a standing item.
    let (created, edited) = forums::ladder_forum(
        &d,
        GUILD,
        &Rung {
            name: "Verkställande forum",
            tier: "contract",
            channel: VF,
            escalates_to: None,
            chair_role: Some(VF_CHAIR),
            time: "10:30",
        },
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");
    assert!(edited.contains("uppdaterad"), "{edited}");
    let standing = forums::say(
        &d,
        GUILD,
        VF,
        &["agenda", "standing-add"],
        vec![
            Opt::Str("forum", "Verkställande forum"),
            Opt::Str("title", "Inkomna eskaleringar"),
        ],
    )
    .await;
    assert!(standing.contains("Inkomna eskaleringar"), "{standing}");
    let (created, _) = forums::ladder_forum(
        &d,
        GUILD,
        &Rung {
            name: "Leveransforum",
            tier: "delivery",
            channel: LEV,
            escalates_to: Some("Verkställande forum"),
            chair_role: None,
            time: "10:30",
        },
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");

    // Verkställande forum's agenda for today is published with the standing item alone.
    let agenda = d
        .wait_channel_message(VF, |m| content(m).contains("Inkomna eskaleringar"), T)
        .await
        .expect("the published agenda");
    assert!(
        !content(&agenda).contains("Eskalering"),
        "{}",
        content(&agenda)
    );

    // The top of the ladder cannot escalate.
    let top = forums::say(
        &d,
        GUILD,
        VF,
        &["escalate", "issue"],
        vec![
            Opt::Str("forum", "Verkställande forum"),
            Opt::Str("subject", "Budget"),
            Opt::Str("reason", "Ingen enighet"),
        ],
    )
    .await;
    assert!(top.contains("högst upp på stegen"), "{top}");

    // Leveransforum escalates (as its admin chair).
    let raised = forums::say(
        &d,
        GUILD,
        LEV,
        &["escalate", "issue"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str(
                "subject",
                "Leveransförseningar @everyone <@&5000000000000000142>",
            ),
            Opt::Str("reason", "Ingen enighet om viten"),
        ],
    )
    .await;
    assert!(
        raised.contains("Eskalering **1** till **Verkställande forum**"),
        "{raised}"
    );

    // Its chair is told in its channel: the role mention is the one ping allowed.
    let notice = d
        .wait_channel_message(VF, |m| content(m).contains("Ny eskalering"), T)
        .await
        .expect("the chair's notice");
    assert!(
        content(&notice).starts_with(&format!("<@&{VF_CHAIR}>")),
        "{}",
        content(&notice)
    );
    assert_eq!(notice["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        notice["allowed_mentions"]["roles"],
        json!([VF_CHAIR.to_string()])
    );
    // The subject's own mentions are defused.
    assert!(
        !content(&notice).contains("@everyone"),
        "{}",
        content(&notice)
    );

    // The published agenda is edited in place: the escalation under its standing item.
    let id = agenda["id"].clone();
    let edited = d
        .wait_channel_message(
            VF,
            |m| m["id"] == id && content(m).contains("Eskalering **1**"),
            T,
        )
        .await
        .expect("the agenda edited with the escalation");
    let text = content(&edited);
    assert!(text.contains("från **Leveransforum**"), "{text}");
    assert!(text.contains("Skäl: Ingen enighet om viten"), "{text}");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(
        at("Inkomna eskaleringar") < at("Eskalering **1**"),
        "{text}"
    );
    assert_eq!(edited["allowed_mentions"]["parse"], json!([]));

    // The chair opens today's meeting, records a decision and resolves the escalation with it.
    let chair = MemberSpec {
        roles: vec![VF_CHAIR],
        ..MemberSpec::new(3_000_000_000_000_000_142, "bo")
    };
    let run = |path: &'static [&'static str], opts: Vec<Opt<'static>>| {
        let d = &d;
        let chair = chair.clone();
        async move {
            let i = d.slash(GUILD, VF, &chair, path, opts).await;
            reply(d, &i).await
        }
    };
    let started = run(
        &["meeting", "start"],
        vec![Opt::Str("forum", "Verkställande forum")],
    )
    .await;
    assert!(!started.contains("Bara"), "{started}");
    // The decision is asked for in a form.
    let i = d
        .slash(
            GUILD,
            VF,
            &chair,
            &["decision", "record"],
            vec![Opt::Str("forum", "Verkställande forum")],
        )
        .await;
    let decided = submit(
        &d,
        &i,
        vec![
            ("title", "Viten vid förseningar"),
            ("text", "Det beslutades att viten tas ut från januari."),
        ],
    )
    .await;
    assert!(decided.contains("VF-2026-01"), "{decided}");
    let list = run(&["escalation", "list"], vec![Opt::Str("state", "öppen")]).await;
    assert!(list.contains("Leveransförseningar"), "{list}");
    // Its id is offered by autocomplete (`#id subject`, the value the id).
    let choices = d
        .autocomplete(
            GUILD,
            VF,
            &chair,
            &["escalation", "accept"],
            vec![Opt::Focused("id", "leverans")],
        )
        .await;
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0]["value"], 1, "{choices:?}");
    assert!(
        choices[0]["name"]
            .as_str()
            .unwrap_or("")
            .starts_with("#1 Leveransförseningar"),
        "{choices:?}"
    );
    // Accepted: Leveransforum is told so in its channel.
    let accepted = run(&["escalation", "accept"], vec![Opt::Int("id", 1)]).await;
    assert!(accepted.contains("Leveransförseningar"), "{accepted}");
    let told = d
        .wait_channel_message(LEV, |m| content(m).contains("är accepterad av"), T)
        .await
        .expect("the origin told of the acceptance");
    assert_eq!(told["allowed_mentions"]["parse"], json!([]));
    let resolved = run(
        &["escalation", "resolve"],
        vec![Opt::Int("id", 1), Opt::Str("decision", "VF-2026-01")],
    )
    .await;
    assert!(
        resolved.contains("avgjord med beslut VF-2026-01"),
        "{resolved}"
    );
    let again = run(
        &["escalation", "resolve"],
        vec![Opt::Int("id", 1), Opt::Str("decision", "VF-2026-01")],
    )
    .await;
    assert!(again.contains("redan avgjord"), "{again}");

    // Leveransforum is told in its channel, and its agenda (published, until now with
    // nothing on it) shows the outcome.
    let told = d
        .wait_channel_message(
            LEV,
            |m| content(m).contains("är avgjord med beslut VF-2026-01"),
            T,
        )
        .await
        .expect("the origin's notice");
    assert_eq!(told["allowed_mentions"]["parse"], json!([]));
    let lev_agenda = d
        .wait_channel_message(LEV, |m| content(m).contains("Vår eskalering **1**"), T)
        .await
        .expect("the outcome on the origin's agenda");
    let text = content(&lev_agenda);
    assert!(text.contains("Inkomna eskaleringar"), "{text}");
    assert!(text.contains("avgjord: beslut VF-2026-01"), "{text}");
    // Told once.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let notices = d
        .channel_messages(LEV)
        .iter()
        .filter(|m| content(m).contains("är avgjord med beslut"))
        .count();
    assert_eq!(notices, 1);
    let acceptances = d
        .channel_messages(LEV)
        .iter()
        .filter(|m| content(m).contains("är accepterad av"))
        .count();
    assert_eq!(acceptances, 1);
    // And gone from the receiving forum's agenda.
    d.wait_channel_message(
        VF,
        |m| m["id"] == id && !content(m).contains("Eskalering **1**"),
        T,
    )
    .await
    .expect("the escalation leaves the receiving agenda once resolved");
}
