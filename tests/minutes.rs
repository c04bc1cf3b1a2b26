//! Minutes (issue 11) at service level, on SQLite and PostgreSQL with a driven clock: the
//! draft from a held meeting's record, one section edited, the file downloaded and an edited
//! one uploaded (what changed shown), submit, changes requested, approval (frozen, SHA-256,
//! published once with the document attached, listed for the next agenda), export as
//! Markdown and HTML, addenda approved again; bad input refused with nothing changed, and two
//! approvals at once: exactly one wins.

#[path = "support/db.rs"]
mod db;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/leveransforum.rs"]
mod leveransforum;
#[path = "support/minutes_forum.rs"]
mod minutes_forum;
#[path = "support/recorder.rs"]
mod recorder;

use samverkan::clock::{Clock, ManualClock};
use samverkan::command::Upload;
use samverkan::domain::meeting::MeetingState;
use samverkan::domain::minutes::{sha256_hex, Document, MinutesState, MAX_UPLOAD};
use samverkan::service::minutes::{MinutesDoc, MinutesOp, MinutesRequest};
use samverkan::service::Status;
use samverkan::store::{JobState, Store};

use minutes_forum::*;
use recorder::Recorder;

on_both_backends!(
    the_minutes_workflow_from_draft_to_publication,
    bad_input_is_refused_and_changes_nothing,
    two_approvals_at_once_exactly_one_wins,
    an_addendum_is_approved_again_and_approved_minutes_never_change,
    approval_redraws_the_published_next_agenda,
);

fn upload(name: &str, bytes: &[u8]) -> MinutesOp {
    MinutesOp::Upload {
        file: Upload {
            name: name.into(),
            size: bytes.len() as u64,
            bytes: bytes.to_vec(),
        },
    }
}

async fn minutes_row(
    store: &Store,
    m: &samverkan::domain::meeting::Meeting,
    seq: i64,
) -> samverkan::domain::minutes::Minutes {
    store.minutes(m.id, seq).await.unwrap().expect("minutes")
}

async fn the_minutes_workflow_from_draft_to_publication(store: Store) {
    let clock = ManualClock::new(start_time());
    let (s, m) = held_meeting(&store, &clock).await;

    // The draft, from the record: the decision and the action are in it.
    let t = ok(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    assert!(
        t.text.contains("draft minutes of Leveransforum 2026-12-01"),
        "{}",
        t.text
    );
    let row = minutes_row(&store, &m, 0).await;
    assert_eq!((row.state, row.version), (MinutesState::Draft, 1));
    assert!(row.body.contains("LF-2026-01"), "{}", row.body);
    assert!(
        row.body.contains("| Skicka planen | Bo | 2026-12-10 |"),
        "{}",
        row.body
    );
    assert!(row.body.contains("# Minutes Leveransforum"), "{}", row.body);
    assert_eq!(
        store.meeting_by_id(m.id).await.unwrap().unwrap().state,
        MeetingState::MinutesDraft
    );

    // The outline, one section, and a section edited alone.
    let t = ok(
        &s,
        s.minutes(&approver(), req(MinutesOp::Show { section: None }))
            .await,
    )
    .await;
    assert!(
        t.text.contains("• next-meeting: Next meeting"),
        "{}",
        t.text
    );
    let t = ok(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Show {
                section: Some("other".into()),
            }),
        )
        .await,
    )
    .await;
    assert!(t.text.contains("Ny leveransplan"), "{}", t.text);
    let t = ok(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "next-meeting".into(),
                text: "## Next meeting\n\nThe next meeting is on 8 December.".into(),
            }),
        )
        .await,
    )
    .await;
    assert!(
        t.text.contains("Section next-meeting changed (version 2)"),
        "{}",
        t.text
    );
    assert!(
        t.text.contains("+ The next meeting is on 8 December."),
        "{}",
        t.text
    );

    // Downloaded, edited as a file, uploaded: the bot says what changed.
    let p = ok(&s, s.minutes(&secretary(), req(MinutesOp::Download)).await).await;
    assert_eq!(p.files.len(), 1);
    assert_eq!(p.files[0].name, "LF-2026-12-01-minnesanteckningar.md");
    let text = String::from_utf8(p.files[0].bytes.clone()).unwrap();
    assert_eq!(text, minutes_row(&store, &m, 0).await.body);
    let edited = text.replace(
        "## Escalations\n\nNo escalations.",
        "## Escalations\n\nNone were made.",
    );
    let t = ok(
        &s,
        s.minutes(&secretary(), req(upload("minnes.md", edited.as_bytes())))
            .await,
    )
    .await;
    assert!(
        t.text.contains("The file replaced the draft (version 3)"),
        "{}",
        t.text
    );
    assert!(
        t.text
            .contains("~ section escalations: 1 lines added, 1 removed"),
        "{}",
        t.text
    );
    assert!(!t.text.contains("section header"), "{}", t.text);

    // Submitted, sent back with a comment, fixed, submitted again, approved.
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    let t = ok(
        &s,
        s.minutes(
            &approver(),
            req(MinutesOp::RequestChanges {
                comment: "Lägg till närvaron.".into(),
            }),
        )
        .await,
    )
    .await;
    assert!(t.text.contains("Changes requested"), "{}", t.text);
    let t = ok(
        &s,
        s.minutes(&secretary(), req(MinutesOp::Show { section: None }))
            .await,
    )
    .await;
    assert!(t.text.contains("Lägg till närvaron."), "{}", t.text);
    ok(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "attendance".into(),
                text: "## Attendance\n\n- Anna (secretary)\n- Carl (buyer)".into(),
            }),
        )
        .await,
    )
    .await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    let t = ok(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    let row = minutes_row(&store, &m, 0).await;
    assert_eq!(row.state, MinutesState::Approved);
    let sha = sha256_hex(&row.body);
    assert_eq!(row.sha256.as_deref(), Some(sha.as_str()));
    assert!(t.text.contains(&sha), "the SHA-256 is shown: {}", t.text);
    assert!(!t.ephemeral);
    assert_eq!(
        store.meeting_by_id(m.id).await.unwrap().unwrap().state,
        MeetingState::MinutesApproved
    );
    let history: Vec<String> = store
        .minutes_history(row.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.event)
        .collect();
    assert_eq!(
        history,
        [
            "generated",
            "edited",
            "uploaded",
            "submitted",
            "changes_requested",
            "edited",
            "submitted",
            "approved"
        ]
    );

    // Published once in the forum's channel: the summary and the document attached.
    let notifier = Recorder::new();
    let running = run_scheduler(&s, &clock, &notifier);
    let job = run_job(&s, &clock, &format!("minutes:{}:publish", row.id.0)).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    running.stop().await;
    let posted = notifier.messages(LEV);
    let published: Vec<_> = posted
        .iter()
        .filter(|p| p.content.contains("are approved"))
        .collect();
    assert_eq!(published.len(), 1, "{posted:?}");
    assert!(
        published[0].content.contains(&sha),
        "{}",
        published[0].content
    );
    assert!(
        published[0].content.contains("1 decisions, 1 actions"),
        "{}",
        published[0].content
    );
    let files = notifier.files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, published[0].id);
    assert_eq!(files[0].2, row.body.as_bytes());

    // Exports: Markdown is the frozen text; HTML is standalone, escaped, with the hash.
    let p = ok(
        &s,
        s.minutes(
            &nobody(),
            req(MinutesOp::Export {
                format: "md".into(),
            }),
        )
        .await,
    )
    .await;
    assert_eq!(p.files[0].bytes, row.body.as_bytes());
    let p = ok(
        &s,
        s.minutes(
            &nobody(),
            req(MinutesOp::Export {
                format: "html".into(),
            }),
        )
        .await,
    )
    .await;
    let html = String::from_utf8(p.files[0].bytes.clone()).unwrap();
    assert!(p.files[0].name.ends_with(".html"));
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("@media print"),
        "{html}"
    );
    assert!(html.contains(&format!("SHA-256: {sha}")));
    assert!(html.contains("<h1>Minutes Leveransforum</h1>"), "{html}");

    // The next agenda lists them under previous minutes.
    let f = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let next = start_time() + chrono::Duration::days(7);
    let lines = s.previous_minutes_lines(&f, next).await.unwrap();
    assert_eq!(lines.len(), 1);
    let line = lines[0].plain(samverkan::i18n::Lang::Sv);
    assert!(
        line.contains(
            "Minnesanteckningar från Leveransforum 2026-12-01 (minnesanteckningarna), godkända"
        ),
        "{line}"
    );
    assert!(line.contains(&sha));
    // ... and the next agenda shows them under "Previous minutes".
    let agenda = ok(
        &s,
        s.agenda_show(
            &admin(),
            samverkan::service::ShowAgenda {
                forum: Some("leveransforum".into()),
                meeting: Some("2026-12-08".into()),
                channel: None,
            },
        )
        .await,
    )
    .await;
    assert!(agenda.text.contains("Previous minutes"), "{}", agenda.text);
    assert!(agenda.text.contains(&sha), "{}", agenda.text);
}

async fn bad_input_is_refused_and_changes_nothing(store: Store) {
    let clock = ManualClock::new(start_time());
    let (s, m) = held_meeting(&store, &clock).await;
    // Nothing to submit, show or approve yet; only recorders draft.
    let t = refused(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    assert!(t.contains("no minutes"), "{t}");
    refused(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    refused(&s, s.minutes(&nobody(), req(MinutesOp::Draft)).await).await;
    assert!(store.minutes(m.id, 0).await.unwrap().is_none());
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    let before = minutes_row(&store, &m, 0).await;

    // Drafts are not shown to members without a record role.
    refused(
        &s,
        s.minutes(&nobody(), req(MinutesOp::Show { section: None }))
            .await,
    )
    .await;
    // Unknown sections, markers typed into a section, empty text.
    let t = refused(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "item-9".into(),
                text: "x".into(),
            }),
        )
        .await,
    )
    .await;
    assert!(t.contains("no section item-9"), "{t}");
    refused(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "other".into(),
                text: "a\n<!-- section: x -->\nb".into(),
            }),
        )
        .await,
    )
    .await;
    refused(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "other".into(),
                text: " \n ".into(),
            }),
        )
        .await,
    )
    .await;
    // Uploads: not UTF-8, too big, not Markdown, not minutes, a duplicate section.
    let t = refused(
        &s,
        s.minutes(&secretary(), req(upload("m.md", &[0xff, 0xfe, 0x41])))
            .await,
    )
    .await;
    assert!(t.contains("not UTF-8"), "{t}");
    let big = vec![b'a'; MAX_UPLOAD + 1];
    let t = refused(&s, s.minutes(&secretary(), req(upload("m.md", &big))).await).await;
    assert!(t.contains("262144"), "{t}");
    let t = refused(
        &s,
        s.minutes(&secretary(), req(upload("m.pdf", b"%PDF-1.4")))
            .await,
    )
    .await;
    assert!(t.contains("not a Markdown file"), "{t}");
    refused(
        &s,
        s.minutes(&secretary(), req(upload("m.md", b"# Just a heading\n")))
            .await,
    )
    .await;
    refused(
        &s,
        s.minutes(
            &secretary(),
            req(upload(
                "m.md",
                b"<!-- section: a -->\nx\n<!-- section: a -->\ny",
            )),
        )
        .await,
    )
    .await;
    // A member without the secretary's role cannot submit; nobody but the approver approves.
    refused(&s, s.minutes(&nobody(), req(MinutesOp::Submit)).await).await;
    let t = refused(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    assert!(t.contains("not submitted"), "{t}");
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    let submitted = minutes_row(&store, &m, 0).await;
    for who in [secretary(), chair(), admin(), nobody()] {
        let t = refused(&s, s.minutes(&who, req(MinutesOp::Approve)).await).await;
        assert!(t.contains("Only the forum's approver"), "{t}");
    }
    refused(
        &s,
        s.minutes(
            &approver(),
            req(MinutesOp::RequestChanges {
                comment: "  ".into(),
            }),
        )
        .await,
    )
    .await;
    // Submitted minutes are not edited; an unknown export format is refused.
    refused(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "other".into(),
                text: "x".into(),
            }),
        )
        .await,
    )
    .await;
    refused(
        &s,
        s.minutes(&secretary(), req(upload("m.md", before.body.as_bytes())))
            .await,
    )
    .await;
    refused(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    refused(
        &s,
        s.minutes(
            &approver(),
            req(MinutesOp::Export {
                format: "pdf".into(),
            }),
        )
        .await,
    )
    .await;
    assert_eq!(
        minutes_row(&store, &m, 0).await,
        submitted,
        "nothing changed"
    );
    assert_eq!(submitted.body, before.body);
    assert_eq!(submitted.version, before.version + 1, "only the submission");

    // The same refusals in Swedish.
    store
        .set_guild_language(G, samverkan::i18n::Lang::Sv, 1)
        .await
        .unwrap();
    let t = refused(&s, s.minutes(&chair(), req(MinutesOp::Approve)).await).await;
    assert!(t.contains("Bara forumets godkännare"), "{t}");
    let t = refused(
        &s,
        s.minutes(&secretary(), req(upload("m.md", &[0xff]))).await,
    )
    .await;
    assert!(t.contains("inte UTF-8"), "{t}");
}

async fn two_approvals_at_once_exactly_one_wins(store: Store) {
    let clock = ManualClock::new(start_time());
    let (s, m) = held_meeting(&store, &clock).await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    let (a, b) = tokio::join!(
        async { present(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await },
        async {
            present(
                &s,
                s.minutes(&member(ANNA, &[BUYER]), req(MinutesOp::Approve))
                    .await,
            )
            .await
        },
    );
    let statuses = [a.status.clone(), b.status.clone()];
    assert_eq!(
        statuses.iter().filter(|s| **s == Status::Ok).count(),
        1,
        "{} / {}",
        a.text,
        b.text
    );
    let loser = if a.status == Status::Ok { &b } else { &a };
    assert_eq!(loser.status, Status::Refused);
    assert!(loser.text.contains("already approved"), "{}", loser.text);
    let row = minutes_row(&store, &m, 0).await;
    let history = store.minutes_history(row.id).await.unwrap();
    assert_eq!(history.iter().filter(|v| v.event == "approved").count(), 1);
    assert_eq!(
        store
            .job(&format!("minutes:{}:publish", row.id.0))
            .await
            .unwrap()
            .map(|j| j.kind),
        Some("minutes_publish".to_string())
    );
    // And once more afterwards.
    let t = refused(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    assert!(t.contains("already approved"), "{t}");
}

async fn an_addendum_is_approved_again_and_approved_minutes_never_change(store: Store) {
    let clock = ManualClock::new(start_time());
    let (s, m) = held_meeting(&store, &clock).await;
    // No addendum before the minutes are approved.
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    refused(&s, s.minutes(&secretary(), req(MinutesOp::Addendum)).await).await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    ok(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    let approved = minutes_row(&store, &m, 0).await;

    // Nothing edits approved minutes: not the commands, not even a direct UPDATE.
    let t = refused(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "other".into(),
                text: "x".into(),
            }),
        )
        .await,
    )
    .await;
    assert!(t.contains("never changed"), "{t}");
    refused(
        &s,
        s.minutes(&secretary(), req(upload("m.md", approved.body.as_bytes())))
            .await,
    )
    .await;
    refused(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    assert!(store
        .force_minutes_body(approved.id, "tampered")
        .await
        .is_err());
    assert_eq!(minutes_row(&store, &m, 0).await, approved);

    // A correction is an addendum: edited, submitted and approved again, published too.
    let t = ok(&s, s.minutes(&secretary(), req(MinutesOp::Addendum)).await).await;
    assert!(t.text.contains("Addendum 1"), "{}", t.text);
    let t = refused(&s, s.minutes(&secretary(), req(MinutesOp::Addendum)).await).await;
    assert!(t.contains("Addendum 1 is not approved yet"), "{t}");
    ok(
        &s,
        s.minutes(
            &secretary(),
            req(MinutesOp::Edit {
                section: "changes".into(),
                text: "## Changes\n\nThe decision LF-2026-01 applies from February.".into(),
            }),
        )
        .await,
    )
    .await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;
    ok(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    let addendum = minutes_row(&store, &m, 1).await;
    assert_eq!(addendum.state, MinutesState::Approved);
    assert_eq!(addendum.sha256, Some(sha256_hex(&addendum.body)));
    assert!(Document::parse(&addendum.body)
        .unwrap()
        .section("changes")
        .is_some());
    assert!(store
        .job(&format!("minutes:{}:publish", addendum.id.0))
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        minutes_row(&store, &m, 0).await,
        approved,
        "the minutes unchanged"
    );
    // The minutes themselves are still exported by default; the addendum by number.
    let p = ok(
        &s,
        s.minutes(
            &nobody(),
            MinutesRequest {
                doc: MinutesDoc {
                    forum: "leveransforum".into(),
                    addendum: Some(1),
                    ..MinutesDoc::default()
                },
                op: MinutesOp::Export {
                    format: "md".into(),
                },
            },
        )
        .await,
    )
    .await;
    assert_eq!(p.files[0].bytes, addendum.body.as_bytes());
    assert!(p.files[0].name.ends_with("tillagg-1.md"));
    let _ = clock.now();
}

/// The next agenda, published before the minutes were approved, lists them under "Previous
/// minutes" once they are: the approval queues its refresh in its own transaction, and the
/// refresh edits the agenda's message in place.
async fn approval_redraws_the_published_next_agenda(store: Store) {
    let clock = ManualClock::new(start_time());
    let (s, held) = held_meeting(&store, &clock).await;
    let s = s.clone().with_live(std::sync::Arc::new(
        samverkan::scheduler::live::LiveRefresh::new(&s),
    ));
    ok(
        &s,
        s.agenda_standing_add(&admin(), "leveransforum", "Mötets öppnande", "")
            .await,
    )
    .await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Draft)).await).await;
    ok(&s, s.minutes(&secretary(), req(MinutesOp::Submit)).await).await;

    // Saturday 5 December, past the deadline of Tuesday's meeting: its agenda is published.
    clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 5, 10, 0, 0).unwrap());
    let f = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    s.agenda_tick(&f).await.unwrap();
    let next = store
        .meetings_from(f.id, clock.now(), 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        next.starts_at,
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 8, 9, 30, 0).unwrap()
    );
    let key = format!("live:agenda:{}", next.id.0);
    let notifier = Recorder::new();
    let running = run_scheduler(&s, &clock, &notifier);
    let job = run_job(&s, &clock, &key).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    let agenda: Vec<_> = notifier
        .messages(LEV)
        .into_iter()
        .filter(|m| m.content.contains("Mötets öppnande"))
        .collect();
    assert_eq!(agenda.len(), 1, "{:?}", notifier.messages(LEV));
    assert!(
        !agenda[0].content.contains("Previous minutes"),
        "{agenda:?}"
    );

    // Approved: the refresh is queued with the approval and edits the same message.
    ok(&s, s.minutes(&approver(), req(MinutesOp::Approve)).await).await;
    let queued = store.job(&key).await.unwrap().unwrap();
    assert_eq!(queued.state, JobState::Pending, "{queued:?}");
    let sha = minutes_row(&store, &held, 0).await.sha256.expect("frozen");
    let edits = notifier.edits();
    let job = run_job(&s, &clock, &key).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    running.stop().await;
    assert!(notifier.edits() > edits, "edited in place");
    let shown: Vec<_> = notifier
        .messages(LEV)
        .into_iter()
        .filter(|m| m.id == agenda[0].id)
        .collect();
    assert_eq!(shown.len(), 1);
    assert!(shown[0].content.contains("Previous minutes"), "{shown:?}");
    assert!(shown[0].content.contains(&sha), "{shown:?}");
}
