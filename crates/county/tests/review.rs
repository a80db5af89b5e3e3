//! The leader signs on their own phone: two phones of one team, each enrolled with its own
//! code, against the real county. 王芳's phone signs and syncs; 李强's phone pulls 队长待审,
//! countersigns or sends back, and syncs; 王芳's phone then shows the decision.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::{county, serve, Device};
use redvest_core::fixtures::{enrolled_phone, handwritten, submitted_patrol};
use redvest_core::sync::{sync_once, SyncOptions, SyncReport};
use redvest_county::{admin, Db};
use redvest_shared::patrol::{PatrolState, SignerRole};
use redvest_shared::sync::{OutboxKind, OutboxState};
use redvest_shared::wire::Refusal;
use sqlx::PgPool;
use uuid::Uuid;

fn fast() -> SyncOptions {
    SyncOptions { timeout: Duration::from_secs(3), chunk: 16 * 1024, batch: 20, fresh_connections: true }
}

async fn sync(d: &Arc<Device>) -> SyncReport {
    let d = d.clone();
    tokio::task::spawn_blocking(move || sync_once(&d.store, fast(), &|_| {})).await.expect("join").expect("sync")
}

/// A phone of the team with only `who`'s PIN on it, enrolled with a code of its own.
async fn phone(db: &Db, team: Uuid, server: &str, name: &'static str, who: &'static str, pin: &'static str) -> Arc<Device> {
    let code = admin::issue_code(db, team, Utc::now()).await.expect("code");
    let server = server.to_owned();
    Arc::new(tokio::task::spawn_blocking(move || enrolled_phone(&server, &code, name, &[(who, pin)], fast())).await.expect("join").expect("phone"))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("join")
}

/// The two phones of a team, with 王芳's signed patrol (a hazard, 2 photos, a track) synced.
struct Team {
    db: Db,
    team: Uuid,
    url: String,
    wang: Arc<Device>,
    li: Arc<Device>,
    patrol: Uuid,
    photos: Vec<String>,
}

async fn two_phones(pool: &PgPool) -> Team {
    let (db, team, _) = county(pool.clone()).await;
    let (addr, server) = serve(db.clone()).await;
    std::mem::forget(server); // serves until the test ends
    let url = format!("http://{addr}");
    let wang = phone(&db, team, &url, "王芳的手机", "王芳", "2468").await;
    let li = phone(&db, team, &url, "李强的手机", "李强", "13579").await;
    let (patrol, _, photos) = {
        let w = wang.clone();
        blocking(move || submitted_patrol(&w, (&w.volunteer, "2468"), &w.leader, 2, 300)).await
    };
    assert_eq!(wang.store.patrol_state(patrol).expect("state"), PatrolState::Submitted);
    let report = sync(&wang).await;
    assert_eq!((report.accepted, report.photos, report.refused, report.held), (2, 2, 0, 0), "her key, the signed patrol, its photos: {report:?}");
    let held = db.patrol(patrol).await.expect("q").expect("the county holds it");
    assert_eq!((held.state.as_str(), held.has_track), ("submitted", true));
    Team { db, team, url, wang, li, patrol, photos }
}

#[sqlx::test(migrations = false)]
async fn the_leader_countersigns_on_their_own_phone_and_the_volunteers_phone_shows_it_sealed(pool: PgPool) {
    let Team { db, team, wang, li, patrol, photos, .. } = two_phones(&pool).await;
    assert!(wang.store.reviews().expect("reviews").is_empty(), "no leader on 王芳's phone: no 队长待审");

    // 李强's phone pulls what waits for him (and sends his key, set after enrolment).
    sync(&li).await;
    let waiting = li.store.reviews().expect("reviews");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!((waiting[0].patrol_id, waiting[0].volunteer.as_str(), waiting[0].on_this_phone), (patrol, "王芳", false));
    let shown = li.store.review_detail(patrol).expect("detail");
    assert_eq!(shown.state, PatrolState::Submitted);
    assert_eq!(shown.record.attendance.len(), 2);
    assert_eq!(shown.record.observations.len(), 1, "the hazard");
    assert_eq!(shown.record.observations[0].photos.len(), 2, "its photos are listed (fetched from the county when opened)");
    assert_eq!(shown.signatures.iter().map(|s| (s.role, s.name.as_str())).collect::<Vec<_>>(), vec![(SignerRole::Volunteer, "王芳")]);
    assert!(li.store.review_track(patrol).expect("track").0.len() > 10, "the track came with it");
    let thumb = {
        let (li, sha) = (li.clone(), photos[0].clone());
        blocking(move || li.store.review_photo(&sha, true, fast())).await.expect("a photo from the county")
    };
    assert!(thumb.starts_with(&[0xff, 0xd8]), "a JPEG thumbnail");
    let full = {
        let (li, sha) = (li.clone(), photos[0].clone());
        blocking(move || li.store.review_photo(&sha, false, fast())).await.expect("full size")
    };
    assert_eq!(full, wang.store.photo_bytes(&photos[0], false).expect("hers"), "the same photo, byte for byte");

    // Countersigned on his phone.
    li.store.countersign_review(&handwritten(patrol, &li.leader, "13579"), Utc::now()).expect("countersign");
    assert!(li.store.reviews().expect("reviews").is_empty());
    assert_eq!(li.store.review_detail(patrol).expect("detail").state, PatrolState::Sealed, "his copy of the sealed record");
    let report = sync(&li).await;
    assert_eq!((report.accepted, report.refused, report.held), (1, 0, 0), "the countersignature: {report:?}");
    let held = db.patrol(patrol).await.expect("q").expect("held");
    assert_eq!((held.state.as_str(), held.leader), ("countersigned", Some(li.leader.id)));

    // 王芳's phone hears of it: sealed, chained, and the sealed record goes up in the same run
    // (its photos went with the signed record).
    let report = sync(&wang).await;
    assert_eq!((report.accepted, report.photos, report.refused), (1, 0, 0), "{report:?}");
    let detail = wang.store.patrol_detail(patrol).expect("detail");
    assert_eq!(detail.state, PatrolState::Sealed);
    assert_eq!(detail.signatures.iter().map(|s| (s.role, s.name.as_str())).collect::<Vec<_>>(), vec![(SignerRole::Volunteer, "王芳"), (SignerRole::Leader, "李强")]);
    assert!(wang.store.verify().expect("verify").is_empty(), "her chain and signatures verify");
    let sealed: i64 = sqlx::query_scalar("SELECT count(*) FROM record WHERE team_id = $1 AND kind = 'patrol'").bind(team).fetch_one(&pool).await.expect("q");
    assert_eq!(sealed, 1, "the county holds the sealed patrol once");
    assert!(admin::verify_chains(&db, team).await.expect("verify").is_empty());
    for sha in &photos {
        assert!(db.upload_bytes(team, sha).await.expect("q").is_some_and(|b| !b.is_empty()), "photo {sha} followed");
    }
    // Nothing more to decide anywhere.
    sync(&li).await;
    assert!(li.store.reviews().expect("reviews").is_empty());
}

#[sqlx::test(migrations = false)]
async fn a_patrol_sent_back_is_editable_again_on_the_volunteers_phone_with_the_reason(pool: PgPool) {
    let Team { db, wang, li, patrol, .. } = two_phones(&pool).await;
    sync(&li).await;
    let err = li.store.return_review(patrol, li.leader.id, "13579", "  ", Utc::now()).expect_err("a reason is needed");
    assert!(matches!(err, redvest_core::Error::Invalid { field: "return.reason", .. }), "{err:?}");
    li.store.return_review(patrol, li.leader.id, "13579", "缺少隐患照片的说明", Utc::now()).expect("send back");
    sync(&li).await;
    assert_eq!(db.patrol(patrol).await.expect("q").expect("held").returned_reason.as_deref(), Some("缺少隐患照片的说明"));

    sync(&wang).await;
    let detail = wang.store.patrol_detail(patrol).expect("detail");
    assert_eq!((detail.state, detail.returned_reason.as_deref()), (PatrolState::Returned, Some("缺少隐患照片的说明")));
    assert!(detail.state.is_editable());

    // She corrects it and signs again: the new version waits for 李强, the old one is gone.
    wang.store.submit_patrol(&handwritten(patrol, &wang.volunteer, "2468"), Utc::now()).expect("sign again");
    let report = sync(&wang).await;
    assert_eq!((report.accepted, report.refused), (1, 0), "{report:?}");
    sync(&li).await;
    let waiting = li.store.reviews().expect("reviews");
    assert_eq!(waiting.len(), 1, "one patrol, its new version: {waiting:?}");
    li.store.countersign_review(&handwritten(patrol, &li.leader, "13579"), Utc::now()).expect("countersign");
    sync(&li).await;
    sync(&wang).await;
    assert_eq!(wang.store.patrol_state(patrol).expect("state"), PatrolState::Sealed);
}

/// Two leaders decide on one record at once: the first decision holds, the second is refused
/// by code; a volunteer who is also a leader cannot countersign what they signed.
#[sqlx::test(migrations = false)]
async fn the_first_decision_holds_and_nobody_signs_twice(pool: PgPool) {
    let Team { db, team, url, wang, li, patrol, .. } = two_phones(&pool).await;
    admin::add_member(&db, team, "赵敏", redvest_shared::team::Role::Leader, None).await.expect("second leader");
    let zhao = {
        let code = admin::issue_code(&db, team, Utc::now()).await.expect("code");
        Arc::new(blocking(move || enrolled_phone(&url, &code, "赵敏的手机", &[("赵敏", "5555")], fast())).await.expect("phone"))
    };
    let zhao_id = zhao.store.list_members().expect("m").into_iter().find(|m| m.name == "赵敏").expect("赵敏").id;
    sync(&li).await;
    sync(&zhao).await;
    li.store.countersign_review(&handwritten(patrol, &li.leader, "13579"), Utc::now()).expect("李强");
    let zhao_member = zhao.store.member(zhao_id).expect("m");
    zhao.store.return_review(patrol, zhao_member.id, "5555", "再核对一下人数", Utc::now()).expect("赵敏, offline");
    sync(&li).await;
    let report = sync(&zhao).await;
    assert_eq!(report.refused, 1, "{report:?}");
    let refused = zhao.store.outbox_refused().expect("refused");
    assert_eq!((refused[0].kind, refused[0].code), (OutboxKind::Return, Some(Refusal::AlreadyDecided)));
    assert_eq!(db.patrol(patrol).await.expect("q").expect("held").state, "countersigned");
    sync(&wang).await;
    assert_eq!(wang.store.patrol_state(patrol).expect("state"), PatrolState::Sealed, "李强's decision, not 赵敏's");
    assert!(zhao.store.outbox_recent(20).expect("log").iter().all(|i| i.state != OutboxState::Pending));
}

/// One phone with both 王芳's and 李强's PINs, and her patrol (with `photos`) signed on it.
async fn team_phone_with_signed_patrol(pool: &PgPool, photos: u32) -> (Db, Arc<Device>, Uuid, Vec<String>) {
    let (db, _, code) = county(pool.clone()).await;
    let (addr, server) = serve(db.clone()).await;
    std::mem::forget(server);
    let d = common::team_device(format!("http://{addr}"), code, fast()).await;
    let (patrol, _, shas) = {
        let d = d.clone();
        blocking(move || submitted_patrol(&d, (&d.volunteer, "2468"), &d.leader, photos, 20)).await
    };
    (db, d, patrol, shas)
}

/// Sent back on the phone itself before anything went up, a photo taken off and the patrol
/// signed again: the photo is not left waiting for ever, and the rest goes.
#[sqlx::test(migrations = false)]
async fn a_photo_taken_off_a_patrol_sent_back_before_it_went_up_is_not_left_waiting(pool: PgPool) {
    let (db, d, patrol, photos) = team_phone_with_signed_patrol(&pool, 1).await;
    d.store.return_patrol(patrol, d.leader.id, "13579", "照片拍错了", Utc::now()).expect("sent back here");
    let observation = d.store.patrol_detail(patrol).expect("detail").record.observations[0].id;
    d.store.remove_photo(observation, &photos[0]).expect("taken off");
    d.store.submit_patrol(&handwritten(patrol, &d.volunteer, "2468"), Utc::now()).expect("signed again");
    d.store.countersign(&handwritten(patrol, &d.leader, "13579"), Utc::now()).expect("countersigned");
    let report = sync(&d).await;
    assert_eq!((report.photos, report.refused), (0, 0), "{report:?}");
    assert!(d.store.outbox_pending().expect("pending").is_empty(), "nothing left waiting");
    let photo = d.store.outbox_recent(50).expect("log").into_iter().find(|i| i.kind == OutboxKind::Photo).expect("the photo's entry");
    assert_eq!(photo.state, OutboxState::Superseded);
    assert_eq!(db.patrol(patrol).await.expect("q").expect("held").state, "countersigned");
}

/// 赵敏 countersigns, offline, the version 李强 meanwhile sent back and 王芳 signed again: the
/// county refuses the old one (`outdated`), and 王芳's new version is not sealed with it.
#[sqlx::test(migrations = false)]
async fn an_old_version_is_never_countersigned_over_a_new_one(pool: PgPool) {
    let Team { db, team, url, wang, li, patrol, .. } = two_phones(&pool).await;
    admin::add_member(&db, team, "赵敏", redvest_shared::team::Role::Leader, None).await.expect("second leader");
    let zhao = {
        let code = admin::issue_code(&db, team, Utc::now()).await.expect("code");
        Arc::new(blocking(move || enrolled_phone(&url, &code, "赵敏的手机", &[("赵敏", "5555")], fast())).await.expect("phone"))
    };
    let zhao_member = zhao.store.list_members().expect("m").into_iter().find(|m| m.name == "赵敏").expect("赵敏");
    sync(&zhao).await; // her key up; v1 waits for her too
    sync(&li).await;
    li.store.return_review(patrol, li.leader.id, "13579", "补充说明", Utc::now()).expect("李强 sends v1 back");
    sync(&li).await;
    sync(&wang).await;
    wang.store.submit_patrol(&handwritten(patrol, &wang.volunteer, "2468"), Utc::now()).expect("v2");
    sync(&wang).await;

    // 赵敏 was offline all along: she countersigns v1.
    zhao.store.countersign_review(&handwritten(patrol, &zhao_member, "5555"), Utc::now()).expect("v1, offline");
    let report = sync(&zhao).await;
    assert_eq!(report.refused, 1, "{report:?}");
    assert_eq!(zhao.store.outbox_refused().expect("refused")[0].code, Some(Refusal::Outdated));
    assert_eq!(zhao.store.reviews().expect("reviews").len(), 1, "v2 waits for her now");
    sync(&wang).await;
    assert_eq!(wang.store.patrol_state(patrol).expect("state"), PatrolState::Submitted, "v2 still waits; v1's countersignature does not seal it");
    assert_eq!(db.patrol(patrol).await.expect("q").expect("held").state, "submitted");
}

/// 王芳's signed patrol is already at the county when 李强, on her phone, sends it back: the
/// county hears of it, and no other leader can countersign the old version.
#[sqlx::test(migrations = false)]
async fn a_return_on_the_volunteers_own_phone_reaches_the_county(pool: PgPool) {
    let (db, d, patrol, _) = team_phone_with_signed_patrol(&pool, 0).await;
    sync(&d).await;
    assert_eq!(db.patrol(patrol).await.expect("q").expect("held").state, "submitted");
    d.store.return_patrol(patrol, d.leader.id, "13579", "人数不对", Utc::now()).expect("sent back here");
    let report = sync(&d).await;
    assert_eq!((report.accepted, report.refused), (1, 0), "the return: {report:?}");
    let held = db.patrol(patrol).await.expect("q").expect("held");
    assert_eq!((held.state.as_str(), held.returned_reason.as_deref()), ("returned", Some("人数不对")));
    assert_eq!(d.store.patrol_state(patrol).expect("state"), PatrolState::Returned, "and it stays so after the pull");
}
