//! A forum with its record roles and one held meeting with a decision and an action, for the
//! minutes tests (service level, driven clock), with the helpers they share: replies rendered
//! and checked, minutes requests, and the real scheduler run against a recording notifier.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use samverkan::clock::{Clock, ManualClock};
use samverkan::config::Config;
use samverkan::domain::ids::{ChannelId, GuildId, RoleId, UserId};
use samverkan::domain::meeting::Meeting;
use samverkan::service::minutes::{MinutesDoc, MinutesOp, MinutesRequest};
use samverkan::service::{Actor, EditForum, Presented, RecordDecision, Reply, Services, Status};
use samverkan::store::Store;

pub const G: GuildId = GuildId(900_000_000_000_000_001);
pub const LEV: ChannelId = ChannelId(800_000_000_000_000_001);
pub const CHAIR: RoleId = RoleId(700_000_000_000_000_001);
pub const SECRETARY: RoleId = RoleId(700_000_000_000_000_002);
pub const BUYER: RoleId = RoleId(700_000_000_000_000_003);
pub const ANNA: UserId = UserId(600_000_000_000_000_001);
pub const BO: UserId = UserId(600_000_000_000_000_002);
pub const CARL: UserId = UserId(600_000_000_000_000_003);

pub fn admin() -> Actor {
    Actor {
        guild: G,
        user: UserId(1),
        roles: vec![],
        manage_guild: true,
    }
}

pub fn member(user: UserId, roles: &[RoleId]) -> Actor {
    Actor {
        guild: G,
        user,
        roles: roles.to_vec(),
        manage_guild: false,
    }
}

/// Anna the secretary, Carl the buyer's approver, Bo with no role.
pub fn secretary() -> Actor {
    member(ANNA, &[SECRETARY])
}
pub fn approver() -> Actor {
    member(CARL, &[BUYER])
}
pub fn chair() -> Actor {
    member(BO, &[CHAIR])
}
pub fn nobody() -> Actor {
    member(BO, &[])
}

/// Tuesday 1 December 2026, 09:00 in Stockholm.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
}

pub async fn present(s: &Services, r: samverkan::error::Result<Reply>) -> Presented {
    crate::harness::present(s, G, r).await
}

pub async fn ok(s: &Services, r: samverkan::error::Result<Reply>) -> Presented {
    let p = present(s, r).await;
    assert_eq!(p.status, Status::Ok, "{}", p.text);
    p
}

pub async fn refused(s: &Services, r: samverkan::error::Result<Reply>) -> String {
    let p = present(s, r).await;
    assert_eq!(p.status, Status::Refused, "{}", p.text);
    p.text
}

/// A minutes request for Leveransforum's last meeting held.
pub fn req(op: MinutesOp) -> MinutesRequest {
    MinutesRequest {
        doc: MinutesDoc {
            forum: "leveransforum".into(),
            ..MinutesDoc::default()
        },
        op,
    }
}

/// Leveransforum (weekly, Tuesdays 10:30) with chair, secretary and approver roles, in
/// English; today's meeting was started, got a decision and an action, and ended.
pub async fn held_meeting(store: &Store, clock: &ManualClock) -> (Services, Meeting) {
    crate::leveransforum::setup(store, clock, G, &[(LEV, "leveransforum")]).await;
    let s = Services::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::new(Config::default()),
    );
    for (role, name) in [
        (CHAIR, "Ordförande"),
        (SECRETARY, "Sekreterare"),
        (BUYER, "Beställare"),
    ] {
        store.upsert_role(G, role, name).await.unwrap();
    }
    store
        .set_guild_language(G, samverkan::i18n::Lang::En, 0)
        .await
        .unwrap();
    store.upsert_member(G, ANNA, "Anna").await.unwrap();
    store.upsert_member(G, BO, "Bo").await.unwrap();
    store.upsert_member(G, CARL, "Carl").await.unwrap();
    ok(
        &s,
        s.forum_edit(
            &admin(),
            EditForum {
                forum: "leveransforum".into(),
                cadence: Some("weekly tue".into()),
                time: Some("10:30".into()),
                start_date: Some("2026-11-03".into()),
                chair_role: Some(CHAIR),
                secretary_role: Some(SECRETARY),
                approver_role: Some(BUYER),
                ..EditForum::default()
            },
        )
        .await,
    )
    .await;
    ok(
        &s,
        s.meeting_start(&secretary(), "leveransforum", None).await,
    )
    .await;
    ok(
        &s,
        s.decision_record(
            &secretary(),
            RecordDecision {
                forum: "leveransforum".into(),
                title: "Ny leveransplan".into(),
                text: "Leveransplanen gäller från januari.".into(),
                ..RecordDecision::default()
            },
        )
        .await,
    )
    .await;
    ok(
        &s,
        s.action_add(
            &secretary(),
            "leveransforum",
            "Skicka planen",
            BO,
            "2026-12-10",
        )
        .await,
    )
    .await;
    clock.advance(chrono::Duration::minutes(120));
    ok(&s, s.meeting_end(&secretary(), "leveransforum").await).await;
    let f = store
        .forum_named(G, "leveransforum")
        .await
        .unwrap()
        .unwrap();
    let m = store
        .last_held_meeting(f.id, clock.now())
        .await
        .unwrap()
        .expect("held");
    (s, m)
}

// The scheduler over the driven clock: the one of the service-level harness.
#[allow(unused_imports)]
pub use crate::harness::{run_job, run_scheduler, Running};
