//! Escalations at service level on SQLite and PostgreSQL with a driven clock: raised from a
//! forum to the one it escalates to, on that forum's next agenda with its history and its
//! chair told in its channel (the one role mention); accepted, resolved with a decision of the
//! receiving forum (or returned with a reason) by its chair only, through the state machine;
//! the origin told once in its channel and on its next agenda. Overdue actions appear under
//! "Open actions". Bad input is refused and changes nothing; of two changes at once one wins.

#[path = "support/db.rs"]
mod db;
#[path = "support/harness.rs"]
mod harness;
#[path = "support/ladder.rs"]
mod ladder;
#[path = "support/recorder.rs"]
mod recorder;

use chrono::{DateTime, TimeZone, Utc};
use harness::{run_job, run_scheduler};
use ladder::{admin, member, ok, present, refused, Ladder};
use recorder::Recorder;
use samverkan::clock::{Clock, ManualClock};
use samverkan::domain::escalation::EscalationState;
use samverkan::domain::ids::UserId;
use samverkan::service::minutes::{MinutesDoc, MinutesOp, MinutesRequest};
use samverkan::service::{RecordDecision, ShowAgenda, Status};
use samverkan::store::{JobState, Store};

on_both_backends!(
    an_escalation_goes_up_onto_the_agenda_and_its_outcome_comes_back,
    returned_and_passed_on_escalations_carry_their_history,
    bad_escalations_are_refused_and_change_nothing,
    of_two_chairs_deciding_at_once_one_wins,
    an_escalation_made_in_a_meeting_is_in_its_minutes,
    escalation_ids_are_suggested_while_they_can_change,
);

/// Tuesday 1 December 2026, 09:00 in Stockholm: the forums meet at 10:00.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

fn agenda(forum: &str, meeting: Option<&str>) -> ShowAgenda {
    ShowAgenda {
        forum: Some(forum.into()),
        meeting: meeting.map(Into::into),
        channel: None,
    }
}

/// Opens today's meeting of the forum and records a decision in it; returns its number.
async fn decide(l: &Ladder, rung: &ladder::Rung, title: &str) -> String {
    let s = &l.services;
    ok(s, s.meeting_start(&rung.chair(), rung.name, None).await).await;
    let t = ok(
        s,
        s.decision_record(
            &rung.chair(),
            RecordDecision {
                forum: rung.name.into(),
                title: title.into(),
                text: "Det beslutades att …".into(),
                ..RecordDecision::default()
            },
        )
        .await,
    )
    .await;
    let d = s
        .store
        .decisions_of_forum(rung.forum, 1)
        .await
        .unwrap()
        .remove(0);
    assert!(t.contains(&d.number), "{t}");
    d.number
}

async fn an_escalation_goes_up_onto_the_agenda_and_its_outcome_comes_back(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let (lf, vf) = (l.lf, l.vf);

    // An action of Leveransforum due tomorrow is overdue by next week's meeting.
    let owner = UserId(600_000_000_000_000_001);
    ok(
        s,
        s.action_add(
            &lf.chair(),
            lf.name,
            "Uppdatera riskregistret",
            owner,
            "2026-12-02",
        )
        .await,
    )
    .await;
    let next_week = ok(
        s,
        s.agenda_show(&admin(), agenda(lf.name, Some("2026-12-08")))
            .await,
    )
    .await;
    assert!(next_week.contains("Open actions"), "{next_week}");
    assert!(
        next_week.contains(&format!(
            "Action 1: Uppdatera riskregistret — @{} — due",
            owner.0
        )),
        "{next_week}"
    );
    let today = ok(s, s.agenda_show(&admin(), agenda(lf.name, None)).await).await;
    assert!(!today.contains("Uppdatera"), "not overdue today: {today}");

    // Leveransforum's chair escalates a subject; mentions in it never ping.
    let raised = ok(
        s,
        s.escalate_issue(
            &lf.chair(),
            lf.name,
            "Leveransförseningar @everyone",
            "Ingen enighet om vitesnivån",
        )
        .await,
    )
    .await;
    assert!(
        raised.contains("Escalation 1 to Verkställande forum"),
        "{raised}"
    );
    let e = store.escalations_to_forum(vf.forum, &[]).await.unwrap();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].state, EscalationState::Open);
    assert_eq!(e[0].created_by, lf.chair);

    // Verkställande forum's chair is told in its channel, by the one role mention.
    let notifier = Recorder::new();
    let running = run_scheduler(s, &clock, &notifier);
    let job = run_job(s, &clock, "escalation:arrived:1").await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    let posted = notifier.messages(vf.channel);
    assert_eq!(posted.len(), 1, "{posted:?}");
    let notice = &posted[0].content;
    assert!(
        notice.starts_with(&format!("<@&{}>", vf.chair_role.0)),
        "{notice}"
    );
    assert!(notice.contains("Leveransförseningar"), "{notice}");
    assert!(
        !notice.contains("@everyone"),
        "user text never pings: {notice}"
    );

    // It is on Verkställande forum's next agenda, under a heading of its own (no standing
    // item), with where it came from and why.
    let vf_agenda = ok(s, s.agenda_show(&admin(), agenda(vf.name, None)).await).await;
    assert!(vf_agenda.contains("Incoming escalations"), "{vf_agenda}");
    assert!(
        vf_agenda.contains("Escalation 1: Leveransförseningar"),
        "{vf_agenda}"
    );
    assert!(
        vf_agenda.contains("(open) — from Leveransforum"),
        "{vf_agenda}"
    );
    assert!(
        vf_agenda.contains("Reason: Ingen enighet om vitesnivån"),
        "{vf_agenda}"
    );
    let listed = ok(s, s.escalation_list(&admin(), Some(vf.name), None).await).await;
    assert!(
        listed.contains("1 Leveransforum → Verkställande forum: Leveransförseningar"),
        "{listed}"
    );
    assert!(listed.contains("— open"), "{listed}");

    running.stop().await;

    // Accepted: the origin is told in its channel, once (a keyed job, run again or not).
    ok(s, s.escalation_accept(&vf.chair(), 1).await).await;
    let running = run_scheduler(s, &clock, &notifier);
    let job = run_job(s, &clock, "escalation:accepted:1").await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    running.stop().await;
    let accepted: Vec<_> = notifier
        .messages(lf.channel)
        .into_iter()
        .filter(|p| p.content.contains("is accepted by"))
        .collect();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let text = &accepted[0].content;
    assert!(
        text.contains("Leveransförseningar") && text.contains("Verkställande forum"),
        "{text}"
    );
    assert!(!text.contains("@everyone"), "user text never pings: {text}");
    // A second accept is refused and queues nothing more.
    let t = refused(s, s.escalation_accept(&vf.chair(), 1).await).await;
    assert!(t.contains("already accepted"), "{t}");
    assert_eq!(
        store
            .jobs_with_prefix("escalation:accepted:")
            .await
            .unwrap()
            .len(),
        1
    );
    let number = decide(&l, &vf, "Viten").await;
    let resolved = ok(s, s.escalation_resolve(&vf.chair(), 1, &number).await).await;
    assert!(
        resolved.contains(&format!("decision {number}")),
        "{resolved}"
    );
    let e = store.escalation(ladder::G, e[0].id).await.unwrap().unwrap();
    assert_eq!(e.state, EscalationState::Resolved);
    assert_eq!(e.decision_number.as_deref(), Some(number.as_str()));
    assert_eq!(e.decided_by, Some(vf.chair));

    // The origin is told once in its channel, and on its next agenda.
    let running = run_scheduler(s, &clock, &notifier);
    let job = run_job(s, &clock, "escalation:outcome:1").await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    running.stop().await;
    let told: Vec<_> = notifier
        .messages(lf.channel)
        .into_iter()
        .filter(|p| p.content.contains("Escalation **1**") || p.content.contains("Escalation 1"))
        .filter(|p| !p.content.contains("is accepted by"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    // The acceptance was told once, before the outcome.
    let all: Vec<_> = notifier
        .messages(lf.channel)
        .into_iter()
        .map(|p| p.content)
        .collect();
    assert_eq!(
        all.iter().filter(|c| c.contains("is accepted by")).count(),
        1,
        "{all:?}"
    );
    assert!(
        told[0]
            .content
            .contains(&format!("resolved by decision {number}")),
        "{}",
        told[0].content
    );
    let lf_agenda = ok(s, s.agenda_show(&admin(), agenda(lf.name, None)).await).await;
    assert!(lf_agenda.contains("Incoming escalations"), "{lf_agenda}");
    assert!(
        lf_agenda.contains(&format!(
            "Our escalation 1 (Leveransförseningar @everyone) to Verkställande forum is resolved: decision {number}"
        )),
        "{lf_agenda}"
    );
    // Decided: no longer on the receiving forum's agenda; the register says how it ended.
    let vf_agenda = ok(s, s.agenda_show(&admin(), agenda(vf.name, None)).await).await;
    assert!(!vf_agenda.contains("Escalation 1"), "{vf_agenda}");
    let listed = ok(s, s.escalation_list(&admin(), None, Some("resolved")).await).await;
    assert!(
        listed.contains(&format!("— resolved, decision {number}")),
        "{listed}"
    );
    let none = ok(s, s.escalation_list(&admin(), None, Some("open")).await).await;
    assert!(none.contains("No escalations"), "{none}");
}

async fn returned_and_passed_on_escalations_carry_their_history(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let (lf, vf, top) = (l.lf, l.vf, l.top);
    ok(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Fakturering", "Oklart avtal")
            .await,
    )
    .await;
    ok(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Bemanning", "Brist på konsulter")
            .await,
    )
    .await;

    // The first goes further up: the top forum sees both steps.
    ok(
        s,
        s.escalate_onward(&vf.chair(), 1, "Kräver avtalsändring")
            .await,
    )
    .await;
    let top_agenda = ok(s, s.agenda_show(&admin(), agenda(top.name, None)).await).await;
    assert!(
        top_agenda.contains("Escalation 3: Fakturering (open) — from Verkställande forum"),
        "{top_agenda}"
    );
    assert!(
        top_agenda.contains("Reason: Kräver avtalsändring"),
        "{top_agenda}"
    );
    assert!(
        top_agenda.contains("earlier: Leveransforum → Verkställande forum: Oklart avtal"),
        "{top_agenda}"
    );
    let e3 = store.escalations_to_forum(top.forum, &[]).await.unwrap();
    assert_eq!(e3[0].parent.map(|p| p.0), Some(1));
    // The top cannot pass it on.
    let t = refused(s, s.escalate_onward(&top.chair(), 3, "Vidare").await).await;
    assert!(
        t.contains("Ledningsforum is at the top of the ladder"),
        "{t}"
    );

    // The second is returned with a reason; resolving it after that is refused.
    let t = ok(
        s,
        s.escalation_return(&vf.chair(), 2, "Hanteras i leveransforum")
            .await,
    )
    .await;
    assert!(t.contains("returned to Leveransforum"), "{t}");
    let t = refused(s, s.escalation_resolve(&vf.chair(), 2, "VF-2026-01").await).await;
    assert!(t.contains("is returned and can no longer change"), "{t}");
    let t = refused(s, s.escalation_return(&vf.chair(), 2, "Igen").await).await;
    assert!(t.contains("already returned"), "{t}");
    let t = refused(s, s.escalate_onward(&vf.chair(), 2, "Ändå").await).await;
    assert!(t.contains("only open and accepted"), "{t}");

    let notifier = Recorder::new();
    let running = run_scheduler(s, &clock, &notifier);
    run_job(s, &clock, "escalation:outcome:2").await;
    running.stop().await;
    assert!(
        notifier
            .messages(lf.channel)
            .iter()
            .any(|p| p.content.contains("Hanteras i leveransforum")),
        "{:?}",
        notifier.messages(lf.channel)
    );
    let lf_agenda = ok(s, s.agenda_show(&admin(), agenda(lf.name, None)).await).await;
    assert!(
        lf_agenda.contains(
            "Our escalation 2 (Bemanning) was returned by Verkställande forum: Hanteras i leveransforum"
        ),
        "{lf_agenda}"
    );
    let listed = ok(
        s,
        s.escalation_list(&admin(), Some(lf.name), Some("återsänd"))
            .await,
    )
    .await;
    assert!(
        listed.contains("— returned: Hanteras i leveransforum"),
        "{listed}"
    );
}

async fn bad_escalations_are_refused_and_change_nothing(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let (lf, vf, top) = (l.lf, l.vf, l.top);
    let count = || async {
        store
            .escalations_of_guild(ladder::G, None, &[], 100)
            .await
            .unwrap()
    };

    // From the top of the ladder.
    let t = refused(
        s,
        s.escalate_issue(&top.chair(), top.name, "Budget", "Ingen enighet")
            .await,
    )
    .await;
    assert!(
        t.contains("Ledningsforum is at the top of the ladder: there is no forum to escalate to"),
        "{t}"
    );
    // Not its chair or secretary; empty texts; an unknown item.
    let t = refused(
        s,
        s.escalate_issue(&member(UserId(5), &[]), lf.name, "Budget", "Skäl")
            .await,
    )
    .await;
    assert!(t.contains("Only the chair or secretary"), "{t}");
    let t = refused(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "  ", "Skäl").await,
    )
    .await;
    assert!(t.contains("The subject must not be empty"), "{t}");
    let t = refused(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Budget", "\n").await,
    )
    .await;
    assert!(t.contains("The reason must not be empty"), "{t}");
    let t = refused(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Budget", &"x".repeat(1001))
            .await,
    )
    .await;
    assert!(t.contains("at most 1000 characters"), "{t}");
    let t = refused(s, s.escalate_item(&lf.chair(), 999, "Skäl").await).await;
    assert!(t.contains("#999"), "{t}");
    assert!(count().await.is_empty(), "nothing stored");

    ok(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Budget", "Ingen enighet")
            .await,
    )
    .await;
    let before = count().await;
    // Unknown escalation; not the receiving chair (the origin's chair, a stranger); a decision
    // of another forum; an unknown decision; an unknown state.
    let t = refused(s, s.escalation_accept(&vf.chair(), 42).await).await;
    assert!(t.contains("There is no escalation 42"), "{t}");
    for who in [lf.chair(), member(UserId(5), &[]), top.chair()] {
        let t = refused(s, s.escalation_accept(&who, 1).await).await;
        assert!(t.contains("Only the chair of Verkställande forum"), "{t}");
    }
    let lf_decision = decide(&l, &lf, "Eget beslut").await;
    let t = refused(s, s.escalation_resolve(&vf.chair(), 1, &lf_decision).await).await;
    assert!(
        t.contains(&format!(
            "Decision {lf_decision} was made by Leveransforum, not Verkställande forum"
        )),
        "{t}"
    );
    let t = refused(s, s.escalation_resolve(&vf.chair(), 1, "VF-2026-99").await).await;
    assert!(t.contains("There is no decision VF-2026-99"), "{t}");
    let t = refused(s, s.escalation_return(&vf.chair(), 1, " ").await).await;
    assert!(t.contains("The reason must not be empty"), "{t}");
    let t = refused(s, s.escalation_list(&admin(), None, Some("stängd")).await).await;
    assert!(t.contains("is not a state"), "{t}");
    assert_eq!(count().await, before, "nothing changed");
    assert!(store.job("escalation:outcome:1").await.unwrap().is_none());

    // An agenda item is escalated from its meeting, with its title as the subject.
    let p = present(
        s,
        s.agenda_propose(
            &admin(),
            samverkan::service::ProposeItem {
                forum: Some(lf.name.into()),
                title: "Avvikelser i leveranser".into(),
                ..Default::default()
            },
        )
        .await,
    )
    .await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    let item = store
        .items_by(ladder::G, UserId(1), 10)
        .await
        .unwrap()
        .remove(0);
    ok(
        s,
        s.escalate_item(&lf.chair(), item.id.0, "Återkommande")
            .await,
    )
    .await;
    let from_meeting = store.escalations_from_meeting(item.meeting).await.unwrap();
    assert_eq!(from_meeting.len(), 1);
    assert_eq!(from_meeting[0].subject, "Avvikelser i leveranser");
    assert_eq!(from_meeting[0].agenda_item, Some(item.id.0));
}

async fn of_two_chairs_deciding_at_once_one_wins(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let (lf, vf) = (l.lf, l.vf);
    ok(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Budget", "Ingen enighet")
            .await,
    )
    .await;
    let number = decide(&l, &vf, "Budget").await;
    let (chair, other) = (vf.chair(), admin());
    let (a, b) = tokio::join!(
        s.escalation_resolve(&chair, 1, &number),
        s.escalation_return(&other, 1, "Hanteras nedåt")
    );
    let a = present(s, a).await;
    let b = present(s, b).await;
    let oks = [&a, &b].iter().filter(|p| p.status == Status::Ok).count();
    assert_eq!(oks, 1, "one wins: {a:?} {b:?}");
    let loser = if a.status == Status::Ok { &b } else { &a };
    assert_eq!(loser.status, Status::Refused, "{loser:?}");
    let e = store
        .escalations_to_forum(vf.forum, &[])
        .await
        .unwrap()
        .remove(0);
    assert!(!e.state.is_active());
    // One outcome, one notice.
    assert!(store.job("escalation:outcome:1").await.unwrap().is_some());
}

/// The minutes of a meeting list the escalations raised in it: to which forum, what, why and
/// how far it has come.
async fn an_escalation_made_in_a_meeting_is_in_its_minutes(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let lf = l.lf;
    ok(s, s.meeting_start(&lf.chair(), lf.name, None).await).await;
    ok(
        s,
        s.escalate_issue(&lf.chair(), lf.name, "Vitesnivåer", "Ingen enighet")
            .await,
    )
    .await;
    clock.advance(chrono::Duration::minutes(90));
    ok(s, s.meeting_end(&lf.chair(), lf.name).await).await;
    let draft = ok(
        s,
        s.minutes(
            &lf.chair(),
            MinutesRequest {
                doc: MinutesDoc {
                    forum: lf.name.into(),
                    ..MinutesDoc::default()
                },
                op: MinutesOp::Draft,
            },
        )
        .await,
    )
    .await;
    assert!(draft.contains("draft minutes"), "{draft}");
    let meeting = store
        .last_held_meeting(lf.forum, clock.now())
        .await
        .unwrap()
        .expect("held");
    let body = store
        .minutes(meeting.id, 0)
        .await
        .unwrap()
        .expect("minutes")
        .body;
    let section = body
        .split("<!-- section: escalations -->")
        .nth(1)
        .expect("an escalations section");
    for part in [
        "Verkställande forum",
        "Vitesnivåer",
        "Ingen enighet",
        "open",
    ] {
        assert!(section.contains(part), "{part} in {body}");
    }
}

/// Autocomplete of `/escalation accept|resolve|return` and `/escalate onward`: the guild's
/// escalations still with a receiving forum, `#id subject`, newest first, found by the
/// beginning of the id or any part of the subject in any case (å, ä, ö folded alike on both
/// backends); a resolved or returned one is no longer offered, another guild's never.
async fn escalation_ids_are_suggested_while_they_can_change(store: Store) {
    let clock = ManualClock::new(start_time());
    let l = ladder::setup(&store, &clock).await;
    let s = &l.services;
    let (lf, vf) = (l.lf, l.vf);
    for (subject, reason) in [
        ("Leveransförseningar", "Viten"),
        ("Återkoppling på fakturor", "Oklart"),
        ("Bemanning", "Brist"),
    ] {
        ok(
            s,
            s.escalate_issue(&lf.chair(), lf.name, subject, reason)
                .await,
        )
        .await;
    }
    let suggested =
        |partial: &'static str| async move { s.escalation_suggestions(&lf.chair(), partial).await };
    assert_eq!(
        suggested("").await,
        [
            (3, "#3 Bemanning".to_string()),
            (2, "#2 Återkoppling på fakturor".to_string()),
            (1, "#1 Leveransförseningar".to_string()),
        ]
    );
    assert_eq!(
        suggested("#2").await,
        [(2, "#2 Återkoppling på fakturor".to_string())]
    );
    assert_eq!(
        suggested("1").await,
        [(1, "#1 Leveransförseningar".to_string())]
    );
    assert_eq!(suggested("ÅTERKOPP").await.len(), 1);
    assert_eq!(suggested("FÖRSEN").await.len(), 1);
    assert_eq!(suggested("ingenting").await, []);
    // Accepted: still offered; resolved or returned: no longer.
    ok(s, s.escalation_accept(&vf.chair(), 1).await).await;
    assert_eq!(suggested("").await.len(), 3);
    ok(
        s,
        s.escalation_return(&vf.chair(), 2, "Hanteras lokalt").await,
    )
    .await;
    let ids: Vec<i64> = suggested("").await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, [3, 1]);
    // Another guild's member sees none of them.
    let stranger = samverkan::service::Actor {
        guild: samverkan::domain::ids::GuildId(1),
        ..admin()
    };
    assert_eq!(s.escalation_suggestions(&stranger, "").await, []);
}
