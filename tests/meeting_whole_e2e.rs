//! One whole meeting end to end (issue 11), on the real binary against the Discord test double,
//! every step a Discord interaction of the member who would take it.
//!
//! Leveransforum escalates to Verkställande forum. Its chair, secretary and approver (the
//! buyer) have their roles from `/forum edit`; a supplier proposes two items, which the chair
//! accepts. At the meeting's time the chair starts it (a thread holds the record); the members
//! say they are here (button and command), the chair adds an absentee and asks for consent to
//! recording (three of four agree); item 1: the secretary puts a supplier's chat message into
//! the record with the message menu, the chair records a decision in a form; item 2: the
//! secretary adds an action for the supplier, the chair escalates the item; the chair ends the
//! meeting. The escalation is on Verkställande forum's published agenda under "Inkomna
//! eskaleringar"; its chair resolves it with a decision, and Leveransforum is told once.
//! Then the minutes: the secretary drafts and downloads them (the record is all there) and
//! submits; the chair may not approve; the approver asks for a change with a comment, which
//! the secretary sees; the secretary uploads the edited file (the change shown) and submits
//! again; the approver approves: the minutes are published once in the forum's channel with
//! the document attached (its SHA-256 the one shown, the edit in it). Leveransforum's next
//! agenda lists the approved minutes and the escalation's outcome.

#[path = "support/bot.rs"]
mod bot;
#[path = "support/db.rs"]
mod db;
#[path = "support/discord_double.rs"]
mod double;
#[path = "support/forums.rs"]
mod forums;
#[path = "support/interact.rs"]
mod interact;
#[path = "support/timeline.rs"]
mod timeline;

use std::time::Duration;

use bot::BotEnv;
use chrono::{TimeZone, Utc};
use double::{DiscordDouble, GuildSpec, Interaction, MemberSpec, Opt};
use forums::Rung;
use interact::{button, button_ids, content, reply, submit};
use serde_json::Value;
use sha2::{Digest, Sha256};
use timeline::Timeline;

on_both_backends_with_db!(a_whole_meeting_from_agenda_to_published_minutes);

const GUILD: u64 = 2_000_000_000_000_000_031;
const LEV: u64 = 4_000_000_000_000_000_311;
const VF: u64 = 4_000_000_000_000_000_312;
const LF_CHAIR: u64 = 5_000_000_000_000_000_311;
const LF_SECRETARY: u64 = 5_000_000_000_000_000_312;
const LF_APPROVER: u64 = 5_000_000_000_000_000_313;
const VF_CHAIR: u64 = 5_000_000_000_000_000_314;
const SUPPLIER: u64 = 5_000_000_000_000_000_315;
/// Generous: CI runs this on a loaded two-core machine.
const T: Duration = Duration::from_secs(30);
/// The virtual clock runs ten times faster than real time.
const SPEED: f64 = 10.0;

const COMMENT: &str = "Skriv in vad leverantören åtog sig om fakturorna under punkt 2.";
const EDIT: &str = "Leverantören AB ser över fakturarutinen till nästa möte.";

fn guild() -> Vec<GuildSpec> {
    vec![GuildSpec {
        id: GUILD,
        name: "Stockholms stad".into(),
        channels: vec![
            (LEV, "leveransforum".into()),
            (VF, "verkstallande-forum".into()),
        ],
        roles: vec![
            (LF_CHAIR, "Ordförande Leveransforum".into()),
            (LF_SECRETARY, "Sekreterare Leveransforum".into()),
            (LF_APPROVER, "Beställare Leveransforum".into()),
            (VF_CHAIR, "Ordförande VF".into()),
            (SUPPLIER, "Leverantören AB".into()),
        ],
        preferred_locale: "sv-SE".into(),
    }]
}

fn member(id: u64, name: &str, roles: &[u64]) -> MemberSpec {
    MemberSpec {
        roles: roles.to_vec(),
        ..MemberSpec::new(id, name)
    }
}

/// The chair, the secretary, the approver (the buyer), a supplier, and the higher forum's chair.
struct People {
    chair: MemberSpec,
    secretary: MemberSpec,
    approver: MemberSpec,
    supplier: MemberSpec,
    vf_chair: MemberSpec,
}

fn people() -> People {
    People {
        chair: member(3_000_000_000_000_000_311, "carl", &[LF_CHAIR]),
        secretary: member(3_000_000_000_000_000_312, "sara", &[LF_SECRETARY]),
        approver: member(3_000_000_000_000_000_313, "britt", &[LF_APPROVER]),
        supplier: member(3_000_000_000_000_000_314, "bo", &[SUPPLIER]),
        vf_chair: member(3_000_000_000_000_000_315, "vera", &[VF_CHAIR]),
    }
}

/// A member's slash command, and the text of the reply.
async fn run(
    d: &DiscordDouble,
    channel: u64,
    who: &MemberSpec,
    path: &[&str],
    opts: Vec<Opt<'_>>,
) -> String {
    let i = d.slash(GUILD, channel, who, path, opts).await;
    reply(d, &i).await
}

/// A member's slash command answered with a form, filled in with `fields`; the reply's text.
async fn run_form(
    d: &DiscordDouble,
    channel: u64,
    who: &MemberSpec,
    path: &[&str],
    opts: Vec<Opt<'_>>,
    fields: Vec<(&str, &str)>,
) -> String {
    let i = d.slash(GUILD, channel, who, path, opts).await;
    submit(d, &i, fields).await
}

/// A member clicks a button; the reply's text.
async fn click(
    d: &DiscordDouble,
    channel: u64,
    who: &MemberSpec,
    message: &Value,
    id: &str,
) -> String {
    let i: Interaction = d.click(GUILD, channel, who, message, id).await;
    reply(d, &i).await
}

/// The number after the first `#` of a reply (`Punkt #12 …`).
fn item_number(text: &str) -> i64 {
    let digits: String = text
        .split('#')
        .nth(1)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no #number in {text}"))
}

/// The 64 hex digits after `SHA-256: ` in a text.
fn sha_in(text: &str) -> String {
    let at = text
        .find("SHA-256: ")
        .unwrap_or_else(|| panic!("no SHA-256 in {text}"));
    let sha: String = text[at + 9..].chars().take(64).collect();
    assert!(
        sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
        "{text}"
    );
    sha
}

/// The one file attached to a message, as text.
fn attached_text(d: &DiscordDouble, message: &Value) -> (String, String) {
    let files = message["attachments"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(files.len(), 1, "one file attached: {message}");
    let name = files[0]["filename"].as_str().unwrap_or("").to_string();
    let bytes = d
        .attachment_bytes(&files[0])
        .unwrap_or_else(|| panic!("the double keeps {}", files[0]));
    (name, String::from_utf8(bytes).expect("UTF-8 Markdown"))
}

fn is_agenda_of(forum: &'static str) -> impl Fn(&Value) -> bool {
    move |m: &Value| {
        let c = content(m);
        c.starts_with("**Dagordning**") && c.contains(forum)
    }
}

async fn a_whole_meeting_from_agenda_to_published_minutes(db: &db::TestDb) {
    let d = DiscordDouble::start(guild()).await;
    let dir = tempfile::tempdir().unwrap();
    // Tuesday 8 December 2026, 09:23:30 UTC (10:23:30 in Stockholm). Leveransforum meets at
    // 10:30 and takes proposals until two minutes before: 27 real seconds from now, time
    // enough to set up even on a loaded machine. Verkställande forum meets at 14:00, its
    // agenda (closing three days before) published at once.
    let meeting_at = Utc.with_ymd_and_hms(2026, 12, 8, 9, 30, 0).unwrap();
    let tl = Timeline::new(Utc.with_ymd_and_hms(2026, 12, 8, 9, 23, 30).unwrap(), SPEED);
    let env = BotEnv {
        api: d.base_url(),
        db_url: db.url.clone(),
        test_guild: GUILD,
        log_dir: dir.path().to_path_buf(),
        extra: vec![("SAMVERKAN_TEST_CLOCK".into(), tl.spec())],
    };
    let _bot = env.spawn("whole-meeting");
    d.wait_ready(T).await.unwrap();
    bot::wait_directory(&db.url, GUILD, T).await;
    let p = people();
    let admin = forums::admin();

    // --- The forums, set up by an admin: the ladder, the roles, the deadline. ---
    let (created, _) = forums::ladder_forum(
        &d,
        GUILD,
        &Rung {
            name: "Verkställande forum",
            tier: "contract",
            channel: VF,
            escalates_to: None,
            chair_role: Some(VF_CHAIR),
            time: "14:00",
        },
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");
    let (created, _) = forums::ladder_forum(
        &d,
        GUILD,
        &Rung {
            name: "Leveransforum",
            tier: "delivery",
            channel: LEV,
            escalates_to: Some("Verkställande forum"),
            chair_role: Some(LF_CHAIR),
            time: "10:30",
        },
    )
    .await;
    assert!(created.contains("är skapat"), "{created}");
    let roles = run(
        &d,
        LEV,
        &admin,
        &["forum", "edit"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("agenda_deadline", "2m"),
            Opt::Role("secretary_role", LF_SECRETARY),
            Opt::Role("approver_role", LF_APPROVER),
        ],
    )
    .await;
    assert!(
        roles.contains(&format!("Sekreterare: <@&{LF_SECRETARY}>"))
            && roles.contains(&format!("<@&{LF_APPROVER}>")),
        "{roles}"
    );
    let org = run(
        &d,
        LEV,
        &admin,
        &["settings", "org-add"],
        vec![Opt::Role("role", SUPPLIER)],
    )
    .await;
    assert!(org.contains("är nu markerad som organisation"), "{org}");

    // The supplier proposes two items before the deadline.
    let mut items = vec![];
    for (title, minutes) in [("Leveranstider", "20"), ("Fakturor", "20")] {
        let proposed = run_form(
            &d,
            LEV,
            &p.supplier,
            &["agenda", "propose"],
            vec![],
            vec![("title", title), ("minutes", minutes)],
        )
        .await;
        assert!(
            proposed.contains("är föreslagen till"),
            "proposed for today's meeting (if late, the set-up outlasted the deadline): {proposed}"
        );
        items.push(item_number(&proposed));
    }

    // Verkställande forum keeps "Inkomna eskaleringar" on its agenda.
    let standing = run(
        &d,
        VF,
        &admin,
        &["agenda", "standing-add"],
        vec![
            Opt::Str("forum", "Verkställande forum"),
            Opt::Str("title", "Inkomna eskaleringar"),
        ],
    )
    .await;
    assert!(standing.contains("Inkomna eskaleringar"), "{standing}");

    // The chair accepts both; the agenda is published at the deadline.
    for id in &items {
        let accepted = run(
            &d,
            LEV,
            &p.chair,
            &["agenda", "accept"],
            vec![Opt::Int("item", *id)],
        )
        .await;
        assert!(accepted.contains(&format!("#{id}")), "{accepted}");
    }
    let lf_agenda = d
        .wait_channel_message(
            LEV,
            |m| is_agenda_of("Leveransforum")(m) && content(m).contains("Fakturor"),
            T + T,
        )
        .await
        .expect("Leveransforum's published agenda");
    assert!(content(&lf_agenda).contains("Leveranstider"));
    let vf_agenda = d
        .wait_channel_message(VF, is_agenda_of("Verkställande forum"), T)
        .await
        .expect("Verkställande forum's published agenda");

    // --- The meeting, opened by the chair at its time. ---
    tl.until(meeting_at).await;
    let started = run(
        &d,
        LEV,
        &p.chair,
        &["meeting", "start"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(started.contains("Protokollet förs i en tråd"), "{started}");
    let thread = wait_thread(&d, LEV).await;
    let starter = d
        .channel_messages(LEV)
        .into_iter()
        .find(|m| m["id"].as_str() == Some(&thread.to_string()))
        .expect("the thread's starter message");
    let here = button(&starter, "v1:meeting:here");

    // Attendance: the button for three, the command for the secretary; an absentee.
    for who in [&p.chair, &p.supplier, &p.approver] {
        let r = click(&d, LEV, who, &starter, &here).await;
        assert!(r.contains("Du står på närvarolistan"), "{r}");
    }
    let r = run(&d, thread, &p.secretary, &["meeting", "here"], vec![]).await;
    assert!(r.contains("Du står på närvarolistan"), "{r}");
    let r = run(
        &d,
        thread,
        &p.chair,
        &["meeting", "attendee-add"],
        vec![
            Opt::Str("name", "Eva Ek"),
            Opt::Str("presence", "frånvarande"),
            Opt::Str("organisation", "Leverantören AB"),
            Opt::Str("role", "Kvalitetschef"),
        ],
    )
    .await;
    assert!(r.contains("Eva Ek"), "{r}");

    // Consent to recording: asked by the chair; three agree, the approver does not answer.
    let asked = run(&d, thread, &p.chair, &["meeting", "consent"], vec![]).await;
    assert!(asked.contains("Samtycke"), "{asked}");
    let prompt = d
        .wait_channel_message(
            thread,
            |m| content(m).contains("Samtycke till inspelning"),
            T,
        )
        .await
        .expect("the consent prompt in the thread");
    let yes = button(&prompt, "v1:meeting:consent-answer:answer=true");
    for who in [&p.chair, &p.secretary, &p.supplier] {
        let r = click(&d, thread, who, &prompt, &yes).await;
        assert!(r.contains("samtycker till inspelning"), "{r}");
    }

    // Item 1: a supplier's chat message into the record (the message menu), and a decision.
    let r = run(&d, thread, &p.chair, &["meeting", "item", "next"], vec![]).await;
    assert!(r.contains("Leveranstider") && r.contains("<t:"), "{r}");
    let said = d.user_message(
        thread,
        &p.supplier,
        "Vi kan leverera före kl. 10 från januari.",
        vec![],
    );
    let menu = d
        .registered_commands(Some(GUILD))
        .into_iter()
        .find(|c| c["type"] == 3 && c["name"] == "Add to minutes")
        .expect("the message menu command");
    assert_eq!(
        menu["name_localizations"]["sv-SE"], "Lägg till i protokollet",
        "{menu}"
    );
    let i = d
        .message_menu(GUILD, thread, &p.secretary, "Add to minutes", &said)
        .await;
    let r = reply(&d, &i).await;
    assert!(r.contains("Tillagt i protokollet under punkt 1"), "{r}");
    let decided = run_form(
        &d,
        thread,
        &p.chair,
        &["decision", "record"],
        vec![Opt::Str("forum", "Leveransforum")],
        vec![
            ("title", "Leveranstider"),
            ("text", "Leveranser sker före kl. 10 från januari."),
        ],
    )
    .await;
    assert!(decided.contains("LF-2026-01"), "{decided}");

    // Item 2: an action for the supplier, and the item escalated (picked as the chair types).
    let item_message = d
        .wait_channel_message(
            thread,
            |m| {
                content(m).contains("Leveranstider")
                    && button_ids(m)
                        .iter()
                        .any(|b| b.starts_with("v1:meeting:item:next"))
            },
            T,
        )
        .await
        .expect("the current item in the thread, with its next-item button");
    let next = button(&item_message, "v1:meeting:item:next");
    let r = click(&d, thread, &p.chair, &item_message, &next).await;
    assert!(r.contains("Fakturor"), "{r}");
    let action = run(
        &d,
        thread,
        &p.secretary,
        &["action", "add"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("what", "Skicka rättade fakturor"),
            Opt::User("owner", p.supplier.user_id),
            Opt::Str("due", "2026-12-20"),
        ],
    )
    .await;
    assert!(action.contains("Skicka rättade fakturor"), "{action}");
    let choices = d
        .autocomplete(
            GUILD,
            thread,
            &p.chair,
            &["escalate", "item"],
            vec![Opt::Focused("item", "Faktur")],
        )
        .await;
    let fakturor = choices
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.contains("Fakturor")))
        .unwrap_or_else(|| panic!("Fakturor among {choices:?}"));
    assert_eq!(fakturor["value"].as_i64(), Some(items[1]));
    let escalated = run(
        &d,
        thread,
        &p.chair,
        &["escalate", "item"],
        vec![
            Opt::Int("item", items[1]),
            Opt::Str("reason", "Ingen enighet om betalningsvillkoren"),
        ],
    )
    .await;
    assert!(
        escalated.contains("Eskalering **1** till **Verkställande forum**"),
        "{escalated}"
    );
    let ended = run(
        &d,
        thread,
        &p.chair,
        &["meeting", "end"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(ended.contains("är avslutat"), "{ended}");

    // --- Up the ladder: on Verkställande forum's agenda, under "Inkomna eskaleringar". ---
    let vf_id = vf_agenda["id"].clone();
    let edited = d
        .wait_channel_message(
            VF,
            |m| m["id"] == vf_id && content(m).contains("Eskalering **1**"),
            T,
        )
        .await
        .expect("the escalation on the higher forum's agenda");
    let text = content(&edited);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {text}"))
    };
    assert!(
        at("Inkomna eskaleringar") < at("Eskalering **1**: Fakturor"),
        "{text}"
    );
    assert!(text.contains("från **Leveransforum**"), "{text}");
    assert!(
        text.contains("Skäl: Ingen enighet om betalningsvillkoren"),
        "{text}"
    );
    d.wait_channel_message(
        VF,
        |m| content(m).starts_with(&format!("<@&{VF_CHAIR}> Ny eskalering **1**")),
        T,
    )
    .await
    .expect("the higher forum's chair told");

    // Its chair resolves it with a decision of that forum (in its meeting).
    let r = run(
        &d,
        VF,
        &p.vf_chair,
        &["meeting", "start"],
        vec![Opt::Str("forum", "Verkställande forum")],
    )
    .await;
    assert!(r.contains("är öppnat"), "{r}");
    let decided = run_form(
        &d,
        VF,
        &p.vf_chair,
        &["decision", "record"],
        vec![Opt::Str("forum", "Verkställande forum")],
        vec![
            ("title", "Betalningsvillkor"),
            ("text", "Fakturor betalas inom 30 dagar."),
        ],
    )
    .await;
    assert!(decided.contains("VF-2026-01"), "{decided}");
    let resolved = run(
        &d,
        VF,
        &p.vf_chair,
        &["escalation", "resolve"],
        vec![Opt::Int("id", 1), Opt::Str("decision", "VF-2026-01")],
    )
    .await;
    assert!(
        resolved.contains("avgjord med beslut VF-2026-01"),
        "{resolved}"
    );
    let told = |m: &Value| content(m).contains("är avgjord med beslut VF-2026-01");
    d.wait_channel_message(LEV, told, T)
        .await
        .expect("Leveransforum told the outcome");

    // --- The minutes: drafted and downloaded by the secretary; the record is all there. ---
    let drafted = run(
        &d,
        LEV,
        &p.secretary,
        &["minutes", "draft"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(drafted.contains("är klart (version 1)"), "{drafted}");
    let (name, draft) = download(&d, &p.secretary).await;
    assert_eq!(name, "LF-2026-12-08-minnesanteckningar.md");
    for expected in [
        "# Minnesanteckningar Leveransforum",
        "Datum: 2026-12-08",
        "Leverantören AB",
        "Eva Ek",
        "Kvalitetschef",
        "Mötet spelades in: 3 av 4 tillfrågade godkände inspelningen.",
        "## 1. Leveranstider",
        "Vi kan leverera före kl. 10 från januari. (bo)",
        "### Beslut LF-2026-01: Leveranstider",
        "## 2. Fakturor",
        "| Skicka rättade fakturor | bo | 2026-12-20 |",
        "Verkställande forum: Fakturor",
        "VF-2026-01",
        "Ingen enighet om betalningsvillkoren",
        "2026-12-15 10:30",
        "carl",
        "sara",
    ] {
        assert!(
            draft.contains(expected),
            "{expected} in the draft:\n{draft}"
        );
    }
    let section = |doc: &str, key: &str| {
        let marker = format!("<!-- section: {key} -->");
        let from = doc.find(&marker).unwrap_or_else(|| panic!("{key}: {doc}"));
        let rest = &doc[from + marker.len()..];
        rest[..rest.find("<!-- section:").unwrap_or(rest.len())].to_string()
    };
    assert!(
        section(&draft, "item-1").contains("Vi kan leverera"),
        "the note under item 1:\n{draft}"
    );
    let r = run(
        &d,
        LEV,
        &p.secretary,
        &["minutes", "submit"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(r.contains("inlämnade för godkännande"), "{r}");

    // Only the approver approves; she asks for a change, with a comment the secretary sees.
    let r = run(
        &d,
        LEV,
        &p.chair,
        &["minutes", "approve"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(r.contains("Bara forumets godkännare"), "{r}");
    let i = d
        .slash(
            GUILD,
            LEV,
            &p.approver,
            &["minutes", "request-changes"],
            vec![Opt::Str("forum", "Leveransforum")],
        )
        .await;
    let opened = d.wait_callback(&i, T).await.expect("the comment form");
    assert_eq!(opened.callback_type(), Some(9), "a form: {:?}", opened.body);
    let sent = d.submit_modal(&i, "", vec![("comment", COMMENT)]).await;
    let answer = d
        .wait_response(&sent, T)
        .await
        .expect("the request's answer");
    assert!(
        !answer.ephemeral,
        "said in the channel, where the secretary sees it"
    );
    let requested = answer.text();
    assert!(requested.contains("Ändringar begärda"), "{requested}");
    assert!(requested.contains(COMMENT), "{requested}");
    let shown = run(
        &d,
        LEV,
        &p.secretary,
        &["minutes", "show"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(shown.contains("Godkännarens kommentar"), "{shown}");
    assert!(shown.contains(COMMENT), "{shown}");

    // The secretary edits the file and uploads it: what changed is shown.
    let edited = draft.replacen(
        "## 2. Fakturor\n",
        &format!("## 2. Fakturor\n\n{EDIT}\n"),
        1,
    );
    assert_ne!(edited, draft);
    let uploaded = run(
        &d,
        LEV,
        &p.secretary,
        &["minutes", "upload"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Attachment("file", &name, edited.as_bytes()),
        ],
    )
    .await;
    assert!(uploaded.contains("Filen ersatte utkastet"), "{uploaded}");
    assert!(uploaded.contains("avsnittet item-2"), "{uploaded}");
    assert!(
        uploaded.contains(EDIT),
        "the diff shows the edit: {uploaded}"
    );
    let (_, current) = download(&d, &p.secretary).await;
    assert!(section(&current, "item-2").contains(EDIT), "{current}");
    let r = run(
        &d,
        LEV,
        &p.secretary,
        &["minutes", "submit"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(r.contains("inlämnade för godkännande"), "{r}");

    // Approved: frozen with its SHA-256, and published with the document attached.
    let approved = run(
        &d,
        LEV,
        &p.approver,
        &["minutes", "approve"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(approved.contains("är godkända och låsta"), "{approved}");
    let sha = sha_in(&approved);
    let published = |m: &Value| content(m).contains("Dokumentet är bifogat");
    let publication = d
        .wait_channel_message(LEV, published, T)
        .await
        .expect("the minutes published");
    let text = content(&publication);
    assert!(
        text.contains("Minnesanteckningar från **Leveransforum** 2026-12-08"),
        "{text}"
    );
    assert!(text.contains("1 beslut, 1 åtgärder"), "{text}");
    assert_eq!(sha_in(text), sha);
    let (file, document) = attached_text(&d, &publication);
    assert_eq!(file, "LF-2026-12-08-minnesanteckningar.md");
    assert_eq!(hex(&Sha256::digest(document.as_bytes())), sha);
    assert!(section(&document, "item-2").contains(EDIT), "{document}");
    assert!(document.contains("### Beslut LF-2026-01"), "{document}");
    let again = run(
        &d,
        LEV,
        &p.approver,
        &["minutes", "approve"],
        vec![Opt::Str("forum", "Leveransforum")],
    )
    .await;
    assert!(again.contains("redan godkända"), "{again}");

    // The next agenda of Leveransforum (a week on): the approved minutes and the escalation's
    // outcome.
    let next = run(
        &d,
        LEV,
        &p.supplier,
        &["agenda", "show"],
        vec![
            Opt::Str("forum", "Leveransforum"),
            Opt::Str("meeting", "2026-12-15"),
        ],
    )
    .await;
    assert!(
        next.contains("**Dagordning** för **Leveransforum**"),
        "{next}"
    );
    assert!(next.contains("Föregående minnesanteckningar"), "{next}");
    assert!(next.contains(&format!("SHA-256 {sha}")), "{next}");
    assert!(
        next.contains("Vår eskalering **1**") && next.contains("avgjord: beslut VF-2026-01"),
        "{next}"
    );

    // Told once, published once (seconds after each was sent).
    let count = |channel: u64, f: &dyn Fn(&Value) -> bool| {
        d.channel_messages(channel).iter().filter(|m| f(m)).count()
    };
    assert_eq!(count(LEV, &told), 1);
    assert_eq!(count(LEV, &published), 1);
    assert!(
        d.unknown_requests().is_empty(),
        "{:?}",
        d.unknown_requests()
    );
}

/// `/minutes download` by `who`: the file of the ephemeral reply (name, text).
async fn download(d: &DiscordDouble, who: &MemberSpec) -> (String, String) {
    let i = d
        .slash(
            GUILD,
            LEV,
            who,
            &["minutes", "download"],
            vec![Opt::Str("forum", "Leveransforum")],
        )
        .await;
    let r = d.wait_response(&i, T).await.expect("the download");
    assert!(r.ephemeral, "a draft is handed over privately");
    attached_text(d, r.message.as_ref().expect("a message with the file"))
}

/// The thread the meeting's record is kept in, once started in `parent`.
async fn wait_thread(d: &DiscordDouble, parent: u64) -> u64 {
    let end = std::time::Instant::now() + T;
    loop {
        if let Some((id, _, _)) = d.threads().into_iter().find(|t| t.1 == parent) {
            return id;
        }
        assert!(std::time::Instant::now() < end, "no thread in {parent}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
