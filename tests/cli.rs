//! The real binary's command line: shell, migrate, check-config, and `run` without a token.

#[path = "support/db.rs"]
mod db;

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_samverkan");

/// A command with a clean environment: no inherited SAMVERKAN_* settings, no config file.
fn samverkan(db_url: &str) -> Command {
    let mut c = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("SAMVERKAN_") {
            c.env_remove(k);
        }
    }
    c.env("SAMVERKAN_DATABASE_URL", db_url)
        .env(
            "SAMVERKAN_CONFIG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/samverkan.toml"),
        )
        .env("RUST_LOG", "warn");
    c
}

fn shell(db_url: &str, args: &[&str], input: &str) -> Output {
    let mut child = samverkan(db_url)
        .arg("shell")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn samverkan shell");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn each_backend(test: impl Fn(&str)) {
    let sqlite = db::sqlite().await;
    test(&sqlite.url);
    sqlite.cleanup().await;
    if let Some(pg) = db::postgres().await {
        test(&pg.url);
        pg.cleanup().await;
    }
}

#[tokio::test]
async fn shell_creates_lists_and_shows_forums() {
    each_backend(|url| {
        let out = shell(
            url,
            &["--guild", "Testkommun", "--user", "anna", "--admin"],
            r#"
# a comment line
/forum create name:"Verkställande forum" tier:contract channel:#verkstallande
/forum create name:"Leveransforum" tier:delivery channel:#leveransforum escalates_to:"Verkställande forum" chair_role:@Ordförande
/forum list
/forum show forum:leveransforum
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Forumet Verkställande forum är skapat och möts i #verkstallande"), "{text}");
        assert!(text.contains("2 forum:"), "{text}");
        assert!(text.contains("Leveransforum (leveransnivå) i #leveransforum"), "{text}");
        assert!(text.contains("Eskalerar till: Verkställande forum"), "{text}");
        assert!(text.contains("Ordförande: @Ordförande"), "{text}");
        assert!(!text.contains("**"), "plain text, no markdown: {text}");

        // Data persists between runs; the language can be switched.
        let out = shell(
            url,
            &["--guild", "testkommun", "--user", "anna", "--admin"],
            "/settings language language:en\n/forum list\n",
        );
        let text = stdout(&out);
        assert!(text.contains("2 forums:"), "{text}");
        assert!(text.contains("Leveransforum (delivery) in #leveransforum"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn shell_refuses_without_permission_and_strict_fails() {
    each_backend(|url| {
        let line = "/forum create name:Driftforum tier:delivery channel:#drift\n";
        let out = shell(url, &["--guild", "Kommun", "--user", "bo"], line);
        assert!(out.status.success(), "not strict: exit 0");
        assert!(stdout(&out).contains("Hantera server"), "{}", stdout(&out));

        let out = shell(
            url,
            &["--guild", "Kommun", "--user", "bo", "--strict"],
            line,
        );
        assert!(!out.status.success(), "strict: a refused line fails");

        // The configured admin role is enough.
        let out = shell(
            url,
            &[
                "--guild",
                "Kommun",
                "--user",
                "bo",
                "--roles",
                "Samverkan-admin",
                "--strict",
            ],
            line,
        );
        assert!(out.status.success(), "{}", stdout(&out));
    })
    .await;
}

#[tokio::test]
async fn shell_bad_lines_get_clear_errors_and_change_nothing() {
    each_backend(|url| {
        let args = ["--guild", "Kommun", "--user", "anna", "--admin"];
        let long = "x".repeat(500);
        let input = format!(
            "/forum create name:\"open\n\
             /forum create name:{long} tier:delivery channel:#a\n\
             /forum create name:\"**fet** @everyone\" tier:delivery channel:#a\n\
             /forum create name:Nytt tier:delivery channel:#a time_zone:Mars/Base\n\
             /forum create name:Nytt tier:delivery\n\
             /forum create name:Nytt tier:delivery channel:#a colour:red\n\
             /forum show forum:Saknas\n\
             /forum fly\n\
             forum list\n\
             /forum list\n"
        );
        let out = shell(url, &args, &input);
        let text = stdout(&out);
        for expected in [
            "Raden kunde inte tolkas",
            "högst 80 tecken",
            "formatering",
            "ingen känd tidszon",
            "Värdet channel saknas",
            "Okänt värde colour",
            "inget forum som heter ”Saknas”",
            "Okänt kommando",
            "Servern har inga forum ännu",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(!text.contains("@everyone"), "{text}");
        let out = shell(
            url,
            &["--guild", "Kommun", "--user", "anna", "--admin", "--strict"],
            "/forum fly\n/forum list\n",
        );
        assert!(!out.status.success());
        assert!(
            !stdout(&out).contains("inga forum"),
            "strict stops at the first failure"
        );
    })
    .await;
}

#[test]
fn run_without_token_says_how_to_provide_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/x.db", dir.path().display());
    let out = samverkan(&url).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SAMVERKAN_DISCORD_TOKEN"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear sentence: {err}");
}

#[test]
fn check_config_redacts_and_names_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/x.db", dir.path().display());
    let out = samverkan(&url)
        .arg("check-config")
        .env("SAMVERKAN_DISCORD_TOKEN", "secret-token-value")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("secret-token-value"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
    assert!(text.contains("Europe/Stockholm"), "{text}");

    let out = samverkan(&url)
        .arg("check-config")
        .env("SAMVERKAN_DEFAULTS_TIME_ZONE", "Mars/Base")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("defaults.time_zone") && err.contains("Mars/Base"),
        "{err}"
    );

    let out = samverkan("postgresql-typo://x")
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database.url"));
}

#[test]
fn migrate_creates_the_data_folder_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/new/folder/s.db", dir.path().display());
    for _ in 0..2 {
        let out = samverkan(&url).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("new/folder/s.db").exists());
}

#[test]
fn help_documents_every_subcommand() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let text = stdout(&out);
    for sub in ["run", "shell", "migrate", "check-config"] {
        assert!(text.contains(sub), "{text}");
    }
    let out = Command::new(BIN)
        .args(["shell", "--help"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("--strict"));
}

/// A shell whose clock stands (almost) still at `at`.
fn shell_at(db_url: &str, at: &str, args: &[&str], input: &str) -> Output {
    let real_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let mut child = samverkan(db_url)
        .env("SAMVERKAN_TEST_CLOCK", format!("{at},{real_ms},0.000001"))
        .arg("shell")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn samverkan shell");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn shell_help_lists_the_declared_commands() {
    each_backend(|url| {
        let out = shell(url, &["--guild", "Kommun", "--user", "anna"], "/help\n");
        let text = stdout(&out);
        assert!(
            text.contains(
                "Kommandon: /forum create|list|show|edit|setup, \
                 /meeting next|list|schedule|cancel|move|remind-me|start|end|here|item next|\
                 attendee-add|attendee-remove|attendees|consent|consent-answer, \
                 /decision record|list|show|search|export, /action add|done|list|remind-me, \
                 /escalate item|issue|onward, /escalation list|accept|resolve|return, \
                 /settings language|org-add|org-remove|orgs, \
                 /agenda propose|question|mine|show|accept|reject|defer|merge|move|timebox|\
                 presenter|pull-in|done|standing-add|standing-remove, \
                 /minutes draft|show|edit|download|upload|submit|approve|request-changes|export|addendum, \
                 /note."
            ),
            "{text}"
        );
        // A declared option of the wrong kind is refused by its name.
        let out = shell(
            url,
            &["--guild", "Kommun", "--user", "anna"],
            "/meeting list forum:A count:many\n/meeting remind-me forum:A on:kanske\n",
        );
        let text = stdout(&out);
        assert!(text.contains("count: many"), "{text}");
        assert!(text.contains("on: kanske"), "{text}");
        // The beginning of a command says what may follow; a renamed one is unknown.
        let out = shell(
            url,
            &["--guild", "Kommun", "--user", "anna"],
            "/meeting item\n/meeting next-item forum:A\n/note add text:x\n",
        );
        let text = stdout(&out);
        assert!(
            text.contains("/meeting item behöver ett ord till: next."),
            "{text}"
        );
        assert_eq!(text.matches("Okänt kommando.").count(), 2, "{text}");
    })
    .await;
}

#[tokio::test]
async fn shell_shows_meeting_times_in_words_in_the_forums_zone() {
    each_backend(|url| {
        let admin = ["--guild", "Tidskommun", "--user", "anna", "--admin", "--strict"];
        // Tuesday 1 December 2026, 09:00 in Stockholm.
        let at = "2026-12-01T08:00:00Z";
        let out = shell_at(
            url,
            at,
            &admin,
            r#"
/forum create name:Leveransforum tier:delivery channel:#lev chair_role:@Ordförande
/forum edit forum:Leveransforum cadence:"weekly tue" time:10:00 duration:60
/meeting schedule forum:Leveransforum date:2026-12-09 time:13:30
/meeting cancel forum:Leveransforum meeting:2026-12-08 reason:Jul
/meeting list forum:Leveransforum count:3
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        for expected in [
            "Forumet Leveransforum är skapat och möts i #lev.",
            "Ordförande: @Ordförande",
            "Nästa möte: tisdag 1 december 2026 10:00 (Europe/Stockholm)",
            "Extra möte i Leveransforum: onsdag 9 december 2026 13:30 (Europe/Stockholm).",
            "Mötet i Leveransforum tisdag 8 december 2026 10:00 (Europe/Stockholm) är inställt. Skäl: Jul",
            "Möten för Leveransforum:\n\
             • tisdag 1 december 2026 10:00 (Europe/Stockholm)\n\
             • tisdag 8 december 2026 10:00 (Europe/Stockholm) inställt: Jul\n\
             • onsdag 9 december 2026 13:30 (Europe/Stockholm) (extra möte)",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        for markup in ["<t:", "<#", "<@", "**", "~~", "`"] {
            assert!(!text.contains(markup), "{markup} in:\n{text}");
        }

        // In English, and in another zone: the forum's zone decides the local time.
        let out = shell_at(
            url,
            at,
            &admin,
            r#"
/settings language language:en
/forum create name:Helsinki tier:delivery channel:#hel time_zone:Europe/Helsinki
/forum edit forum:Helsinki cadence:"weekly wed" time:09:30
/meeting move forum:Leveransforum meeting:2026-12-01 date:2026-12-02 time:15:00
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        for expected in [
            "Next meeting: Wednesday 2 December 2026 09:30 (Europe/Helsinki)",
            "The meeting of Leveransforum is moved from Tuesday 1 December 2026 10:00 \
             (Europe/Stockholm) to Wednesday 2 December 2026 15:00 (Europe/Stockholm).",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    })
    .await;
}

#[tokio::test]
async fn shell_sets_up_a_governance_template_once() {
    each_backend(|url| {
        let admin = ["--guild", "Stockholms stad", "--user", "anna", "--admin"];
        let out = shell(
            url,
            &admin,
            r#"
/forum setup template:stockholm channel:#samverkan mapping:"Leveransforum=#lev, Ledningsforum=#ledning"
/forum show forum:Leveransforum
/forum show forum:"Verkställande forum"
/meeting next forum:Driftsättningsinformationsmöte
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Mallen Stockholms stad – samarbetsformer: 11 forum skapade, 0 fanns redan."), "{text}");
        assert!(text.contains("• Leveransforum skapat i #lev · månadsvis 1:a tisdagen 10:00 · eskalerar till: Verkställande forum"), "{text}");
        assert!(text.contains("• Ledningsforum skapat i #ledning"), "{text}");
        assert!(text.contains("• Operativt möte skapat i #samverkan"), "{text}");
        assert!(text.contains("Kanal: #lev · Tidszon: Europe/Stockholm · Eskalerar till: Verkställande forum"), "{text}");
        assert!(text.contains("Eskalerar till: Ledningsforum"), "{text}");
        // The next meeting in words, in the forum's zone (the date depends on today).
        let next = text
            .split("Möten för Driftsättningsinformationsmöte:\n• ")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_default();
        assert!(next.ends_with(" (Europe/Stockholm)") && !next.contains("<t:"), "{text}");

        // Again, and with bad input: nothing new, nothing created, clear errors.
        let out = shell(
            url,
            &admin,
            r#"
/forum setup template:stockholm channel:#samverkan
/forum setup template:stockholm channel:#samverkan mapping:"Styrgrupp=#lev"
/forum setup template:stockholm channel:#samverkan mapping:"Leveransforum #lev"
/forum setup template:okänd channel:#samverkan
/forum list
"#,
        );
        let text = stdout(&out);
        assert!(text.contains("0 forum skapade, 11 fanns redan."), "{text}");
        assert!(text.contains("Inget ändrades: alla mallens forum fanns redan."), "{text}");
        assert!(text.contains("Mallen stockholm har inget forum som heter ”Styrgrupp”. Inget har skapats."), "{text}");
        assert!(text.contains("har inte formen"), "{text}");
        assert!(text.contains("Det finns ingen mall som heter ”okänd”. Tillgängliga: a3-dialog, branschrad, stockholm."), "{text}");
        assert!(text.contains("11 forum:"), "{text}");

        // Not a manager: refused, and --strict fails.
        let out = shell(
            url,
            &["--guild", "Stockholms stad", "--user", "bo", "--strict"],
            "/forum setup template:branschrad channel:#samverkan\n",
        );
        assert!(!out.status.success());
        assert!(stdout(&out).contains("Hantera server"), "{}", stdout(&out));
    })
    .await;
}

#[test]
fn templates_are_validated_at_start_from_beside_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("samverkan.toml");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/config/samverkan.toml"),
        &config,
    )
    .unwrap();
    let url = format!("sqlite://{}/s.db", dir.path().display());
    let out = samverkan(&url)
        .env("SAMVERKAN_CONFIG", &config)
        .arg("check-config")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("# templates: a3-dialog, branschrad, stockholm"),
        "{}",
        stdout(&out)
    );

    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/region.toml"),
        "name = \"Region\"\n[[forum]]\nname = \"A\"\ntier = \"delivery\"\ncadence = \"every fortnight\"\ntime = \"09:00\"\nduration = 30\n",
    )
    .unwrap();
    let out = samverkan(&url)
        .env("SAMVERKAN_CONFIG", &config)
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("region.toml") && err.contains("cadence"),
        "{err}"
    );
}

/// The weekday name (`mon`, …) of the day `days` after today in Stockholm, and today's date.
fn stockholm_day(days: i64) -> (String, String) {
    use chrono::Datelike;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .date_naive();
    let day = today + chrono::Duration::days(days);
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    (
        names[day.weekday().num_days_from_monday() as usize].to_string(),
        today.format("%Y-%m-%d").to_string(),
    )
}

#[tokio::test]
async fn shell_runs_every_agenda_command() {
    each_backend(|url| {
        let chair = ["--guild", "Agendakommun", "--user", "anna", "--roles", "Ordförande", "--admin"];
        let supplier = ["--guild", "Agendakommun", "--user", "bo", "--roles", "Leverantör,Leverantör AB"];
        let outsider = ["--guild", "Agendakommun", "--user", "cecilia"];
        // Weekly, the day after tomorrow: that meeting's agenda (3 days) is already closed.
        let (day, today) = stockholm_day(2);
        let setup = format!(
            r#"
/forum create name:Leveransforum tier:delivery channel:#lev chair_role:@Ordförande
/forum edit forum:Leveransforum cadence:"weekly {day}" time:10:00 start_date:{today} participant_role:@Leverantör agenda_deadline:3d empty_agenda:notify agenda_format:none
/settings org-add role:"@Leverantör AB"
/settings org-add role:@Kund
/settings org-remove role:@Kund
/settings orgs
/agenda standing-add forum:Leveransforum title:"Föregående minnesanteckningar"
/agenda standing-add forum:Leveransforum title:"Övriga frågor" place:slut
/agenda standing-add forum:Leveransforum title:Tillfällig
/agenda standing-remove forum:Leveransforum title:tillfällig
"#
        );
        let out = shell(url, &chair, &setup);
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("Dagordning: sista dag för förslag 3d före mötet · tom dagordning: meddela ordföranden · format: inget"), "{text}");
        assert!(text.contains("@Leverantör AB är nu markerad som organisation"), "{text}");
        assert!(text.contains("@Kund är inte längre markerad som organisation"), "{text}");
        assert!(text.contains("Roller markerade som organisationer (1):\n• @Leverantör AB"), "{text}");
        assert!(text.contains("Den stående punkten ”Övriga frågor” finns nu på varje dagordning"), "{text}");
        assert!(text.contains("Den stående punkten ”tillfällig” är borttagen"), "{text}");

        let out = shell(
            url,
            &supplier,
            r#"
/agenda propose forum:Leveransforum title:"Leveransstatus **v49** @everyone" background:"Bakgrund" wants:beslut minutes:20
/agenda question forum:Leveransforum text:"Hur går det med releasen?"
/agenda propose forum:Leveransforum title:Dubblett
/agenda propose forum:Leveransforum title:Fjärde wants:info
/agenda propose forum:Leveransforum title:Femte wants:diskussion
/agenda propose forum:Leveransforum title:"   "
/agenda mine
/agenda accept item:1
"#,
        );
        let text = stdout(&out);
        assert!(text.contains("Sista dag för förslag till mötet"), "late, and told: {text}");
        assert!(text.contains("går till nästa möte i Leveransforum"), "{text}");
        assert!(text.contains("”Leveransstatus **v49** @everyone”"), "as typed in plain text: {text}");
        assert!(text.contains("punkt #2 ”Hur går det med releasen?” går till nästa möte"), "{text}");
        assert!(text.contains("Rubriken får inte vara tom."), "{text}");
        assert!(text.contains("Dina förslag (5):"), "{text}");
        assert!(text.contains("föreslagen, väntar på ordföranden"), "{text}");
        assert!(text.contains("Bara ordföranden för Leveransforum"), "a supplier cannot triage: {text}");

        let out = shell(url, &outsider, "/agenda propose forum:Leveransforum title:X\n/agenda show forum:Leveransforum\n");
        let text = stdout(&out);
        assert_eq!(text.matches("Bara deltagare i Leveransforum").count(), 2, "{text}");

        let out = shell(
            url,
            &chair,
            r#"
/agenda accept item:1
/agenda pull-in item:1
/agenda pull-in item:2
/agenda accept item:4
/agenda reject item:3 reason:"Finns redan som punkt 1"
/agenda merge item:5 into:4
/agenda merge item:4 into:4
/agenda defer item:4
/agenda move item:1 position:1
/agenda timebox item:1 minutes:15
/agenda presenter item:1 presenter:"Bo (Leverantör AB)"
/agenda show forum:Leveransforum
/agenda done item:1
/agenda accept item:999
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("#1 ”Leveransstatus **v49** @everyone” är nu godkänd."), "{text}");
        assert!(text.contains("#1 ”Leveransstatus **v49** @everyone” är flyttad till mötet"), "pulled in: {text}");
        assert!(text.contains("Förslagsställaren får skälet i ett privat meddelande."), "{text}");
        assert!(text.contains("#5 ”Femte” är sammanslagen med #4."), "{text}");
        assert!(text.contains("En punkt kan inte slås ihop med sig själv."), "{text}");
        assert!(text.contains("#4 ”Fjärde” är flyttad till mötet"), "deferred: {text}");
        assert!(text.contains("står nu som nummer 1"), "{text}");
        assert!(text.contains("har 15 minuter"), "{text}");
        assert!(text.contains("föredras av Bo (Leverantör AB)"), "{text}");
        assert!(text.contains("Dagordning för Leveransforum"), "{text}");
        assert!(text.contains("1. Föregående minnesanteckningar"), "{text}");
        assert!(text.contains("2. Leveransstatus **v49** @everyone (#1) – beslut, 15 min, föredras av Bo (Leverantör AB), @Leverantör AB"), "{text}");
        assert!(text.contains("Frågor i förväg (1)"), "{text}");
        assert!(text.contains("4. Övriga frågor"), "{text}");
        assert!(text.contains("är nu behandlad"), "{text}");
        assert!(text.contains("Det finns ingen punkt #999 här."), "{text}");

        let out = shell(url, &supplier, "/agenda mine\n");
        let text = stdout(&out);
        assert!(text.contains("avslagen: Finns redan som punkt 1"), "{text}");
        assert!(text.contains("sammanslagen med #4"), "{text}");
        assert!(text.contains("• #1 ”Leveransstatus **v49** @everyone” – Leveransforum"), "{text}");
        assert!(text.contains(": behandlad"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn shell_keeps_a_meeting_record() {
    each_backend(|url| {
        let admin = ["--guild", "Protokollkommun", "--user", "anna", "--admin"];
        // Tuesday 1 December 2026, 09:00 in Stockholm.
        let at = "2026-12-01T08:00:00Z";
        let out = shell_at(
            url,
            at,
            &admin,
            r#"
/forum create name:Leveransforum tier:delivery channel:#lev
/forum edit forum:Leveransforum cadence:"weekly tue" time:10:00 secretary_role:@Sekreterare approver_role:@Beställare
/decision record forum:Leveransforum title:Tidigt text:"Inget möte öppet."
/meeting start forum:Leveransforum
/decision record forum:Leveransforum title:"Ny leveransplan" text:"Leverantören tar fram en ÅTGÄRDSPLAN." item:2
/decision record forum:Leveransforum title:Rättelse text:"Planen gäller från mars." supersedes:LF-2026-01
/decision search query:åtgärd
/decision show number:LF-2026-01
/action add forum:Leveransforum what:"Skicka planen" owner:@bo due:2026-12-10
/action add forum:Leveransforum what:"För sent" owner:@bo due:2026-11-30
/action add forum:Leveransforum what:"Okänd" owner:4711 due:2026-12-10
/action list forum:Leveransforum
/meeting end forum:Leveransforum
/decision record forum:Leveransforum title:Sent text:"Mötet är slut."
/decision export forum:Leveransforum
/forum show forum:Leveransforum
"#,
        );
        let text = stdout(&out);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        for expected in [
            "Leveransforum har inget öppet möte: beslut registreras i ett öppet möte.",
            "Mötet i Leveransforum (tisdag 1 december 2026 10:00 (Europe/Stockholm)) är öppnat.",
            "Beslut LF-2026-01 registrerat i Leveransforum: Ny leveransplan",
            "Beslut LF-2026-02 registrerat i Leveransforum: Rättelse\nErsätter LF-2026-01.",
            "Beslut som matchar ”åtgärd”:\n• LF-2026-01 Ny leveransplan",
            "Ersatt av LF-2026-02.",
            "Åtgärd 1: Skicka planen — @",
            "klart senast 10 december 2026.",
            "Datumet har passerat.",
            "är inte medlem i servern",
            "Mötet i Leveransforum (tisdag 1 december 2026 10:00 (Europe/Stockholm)) är avslutat.",
            "==> LF-beslut.csv <==\nNummer;Forum;Datum;Rubrik;Beslut;Dagordningspunkt;Ersätter;Ersatt av;",
            "LF-2026-01;Leveransforum;2026-12-01;Ny leveransplan;Leverantören tar fram en ÅTGÄRDSPLAN.;2;;LF-2026-02;",
            "Sekreterare: @Sekreterare · Justerare: @Beställare · Beslutskod: LF",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert_eq!(text.matches("har inget öppet möte").count(), 2, "{text}");
        for markup in ["<t:", "<#", "<@", "**", "`"] {
            assert!(!text.contains(markup), "{markup} in:\n{text}");
        }
    })
    .await;
}

#[tokio::test]
async fn shell_runs_a_meeting_through_its_agenda() {
    each_backend(|url| {
        let admin = [
            "--guild",
            "Mötekommun",
            "--user",
            "anna",
            "--admin",
            "--strict",
        ];
        // Tuesday 1 December 2026, 09:00 in Stockholm; the meeting at 10:00.
        let out = shell_at(
            url,
            "2026-12-01T08:00:00Z",
            &admin,
            r#"
/forum create name:Leveransforum tier:delivery channel:#lev
/forum edit forum:Leveransforum cadence:"weekly tue" time:10:00 agenda_deadline:0h
/agenda standing-add forum:Leveransforum title:"Mötets öppnande"
/agenda propose forum:Leveransforum title:Leveranstider minutes:20
/agenda accept item:1
/meeting start forum:Leveransforum consent:true
/meeting here forum:Leveransforum
/meeting attendee-add forum:Leveransforum name:"Åsa Gäst" presence:gäst organisation:"Konsult AB"
/meeting consent-answer forum:Leveransforum answer:true
/meeting item next forum:Leveransforum
/meeting item next forum:Leveransforum
/note forum:Leveransforum text:"Leveranserna är sena."
/decision record forum:Leveransforum title:"Nya tider" text:"Före tio."
/meeting attendees forum:Leveransforum
"#,
        );
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for expected in [
            "Protokollet förs i en tråd i #lev.",
            "Du står på närvarolistan för Leveransforum.",
            "Tillagd på närvarolistan: Åsa Gäst (gäst).",
            "Nu: 1. Mötets öppnande",
            // The timebox's end in words, in the forum's zone.
            "Nu: 2. Leveranstider – 20 min, till tisdag 1 december 2026 09:20 (Europe/Stockholm)",
            "Tillagt i protokollet under punkt 2.",
            "• anna – närvarande, samtycker till inspelning",
            "• Åsa Gäst, Konsult AB – gäst, har inte svarat om inspelning",
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
        // Past the end: refused, and --strict stops there.
        let out = shell_at(
            url,
            "2026-12-01T08:30:00Z",
            &admin,
            "/meeting item next forum:Leveransforum\n",
        );
        assert!(!out.status.success());
        assert!(
            stdout(&out).contains("Punkt 2 var den sista på dagordningen."),
            "{}",
            stdout(&out)
        );
    })
    .await;
}
