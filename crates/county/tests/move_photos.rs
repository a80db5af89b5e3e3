//! A county that kept photo bytes in PostgreSQL (`upload.data`) moves them into the photo
//! store with `move-photos` (also run by `serve`): a complete photo is served from the store,
//! an unfinished upload goes on from where it stood, a stored photo that does not have its
//! hash is dropped for the phone to send again, and running it twice moves nothing more.

mod common;

use common::{county_with, phone_with_patrol, serve, token_of};
use rand::RngCore;
use redvest_county::admin::{self, MovedPhotos};
use redvest_county::photos::PhotoStore;
use redvest_shared::seal::sha256;
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn photos_in_postgresql_move_to_the_store_and_go_on(pool: PgPool) {
    let store_dir = tempfile::tempdir().expect("store dir");
    let (db, team, code) = county_with(pool.clone(), PhotoStore::open(&store_dir.path().display().to_string()).expect("store")).await;
    let (addr, _server) = serve(db.clone()).await;
    let (phone, record) = phone_with_patrol(format!("http://{addr}"), code).await;
    let photo = |len: usize| {
        let mut bytes = vec![0u8; len];
        rand::thread_rng().fill_bytes(&mut bytes);
        (hex::encode(sha256(&[&bytes])), bytes)
    };
    let (complete, unfinished, corrupt) = (photo(300_000), photo(200_000), photo(1000));
    // As the older county kept them: bytes in the row.
    for (sha, bytes, received, done) in [
        (&complete.0, complete.1.clone(), 300_000i64, true),
        (&unfinished.0, unfinished.1[..120_000].to_vec(), 120_000, false),
        (&corrupt.0, vec![7u8; 1000], 1000, true),
    ] {
        sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team).bind(sha).bind(record).execute(&pool).await.expect("ref");
        sqlx::query("INSERT INTO upload (team_id, sha256, length, received, data, completed_at) VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN now() END)")
            .bind(team)
            .bind(sha)
            .bind(if sha == &unfinished.0 { 200_000i64 } else { received })
            .bind(received)
            .bind(bytes)
            .bind(done)
            .execute(&pool)
            .await
            .expect("legacy upload");
    }

    let moved = admin::move_photos(&db).await.expect("move");
    assert_eq!(moved, MovedPhotos { complete: 1, unfinished: 1, discarded: 1 });
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM upload WHERE octet_length(data) > 0").fetch_one(&pool).await.expect("q");
    assert_eq!(left, 0, "nothing left in PostgreSQL");
    assert!(std::fs::read(store_dir.path().join("photos").join(&complete.0[..2]).join(&complete.0)).expect("file") == complete.1, "the complete photo is a file in the store");
    assert_eq!(admin::move_photos(&db).await.expect("again"), MovedPhotos::default(), "twice moves nothing more");

    // A part object no upload names (a server stopped between writing and recording it) is
    // swept once it is old; the unfinished upload's part stays.
    db.photos().put(&format!("parts/{team}/{}/left-behind", unfinished.0), vec![1; 10]).await.expect("orphan");
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    assert_eq!(admin::sweep_parts(&db, later).await.expect("sweep"), 1, "only the orphan");
    assert_eq!(admin::sweep_parts(&db, later).await.expect("sweep"), 0);

    // The phone's side: the complete photo is served, the unfinished one goes on from 120 000.
    let http = reqwest::Client::new();
    let token = token_of(&phone);
    let base = format!("http://{addr}/api/v1/photos");
    let got = http.get(format!("{base}/{}", complete.0)).bearer_auth(&token).send().await.expect("get");
    assert_eq!(got.status(), 200);
    assert!(got.bytes().await.expect("bytes") == complete.1, "served byte-identical from the store");
    let head = http.head(format!("{base}/{}", unfinished.0)).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.expect("head");
    assert_eq!(head.headers()["Upload-Offset"], "120000");
    let rest = http
        .patch(format!("{base}/{}", unfinished.0))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "120000")
        .header("Content-Type", "application/offset+octet-stream")
        .body(unfinished.1[120_000..].to_vec())
        .send()
        .await
        .expect("patch");
    assert_eq!(rest.status(), 204);
    assert!(db.upload_bytes(team, &unfinished.0).await.expect("q").expect("complete") == unfinished.1, "moved bytes and new bytes make the photo");
    // A complete photo whose file is gone from the store: asked after, it starts again, so
    // the phone sends it again instead of it being lost.
    std::fs::remove_file(store_dir.path().join("photos").join(&complete.0[..2]).join(&complete.0)).expect("remove");
    let lost = http.head(format!("{base}/{}", complete.0)).bearer_auth(&token).header("Tus-Resumable", "1.0.0").send().await.expect("head");
    assert_eq!(lost.headers()["Upload-Offset"], "0", "a complete upload without its photo starts again");
    let dropped = db.upload(team, &corrupt.0).await.expect("q").expect("row");
    assert_eq!((dropped.received, dropped.complete), (0, false), "a photo without its hash waits to be sent again");
}
