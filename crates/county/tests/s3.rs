//! The photo store on an S3-compatible server: `moto` (PyPI, installed by `cargo xtask
//! test`) plays one on loopback. A phone's photo goes up through the county into the bucket
//! under the configured prefix and comes back byte-identical.

mod common;

use std::process::{Child, Command, Stdio};

use common::{county_with, sealed_patrol, serve, team_device};
use redvest_core::sync::{sync_once, SyncOptions};
use redvest_county::photos::PhotoStore;
use sqlx::PgPool;

struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[sqlx::test(migrations = false)]
async fn photos_go_to_an_s3_bucket_and_come_back(pool: PgPool) {
    let pool_for_refs = pool.clone();
    let tools = common::tools();
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let _moto = Moto(
        Command::new(tools.join("py/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server"),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut made = false;
    for _ in 0..100 {
        if http.put(format!("{endpoint}/redvest")).send().await.is_ok_and(|r| r.status().is_success()) {
            made = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(made, "moto answers and makes the bucket");
    // As an operator configures it (this test binary is its own process).
    for (k, v) in [("AWS_ENDPOINT", endpoint.as_str()), ("AWS_ALLOW_HTTP", "true"), ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_REGION", "us-east-1")] {
        std::env::set_var(k, v);
    }
    let store = PhotoStore::open("s3://redvest/county-a").expect("S3 photo store");
    let (db, team, code) = county_with(pool, store).await;
    let (addr, _server) = serve(db.clone()).await;
    let phone = team_device(format!("http://{addr}"), code, SyncOptions::default()).await;
    let (sha, on_phone) = {
        let phone = phone.clone();
        tokio::task::spawn_blocking(move || {
            let (_, _, shas) = sealed_patrol(&phone, 1, 20);
            let report = sync_once(&phone.store, SyncOptions::default(), &|_| {}).expect("sync");
            assert_eq!(report.photos, 1, "{report:?}");
            let bytes = phone.store.photo_bytes(&shas[0], false).expect("local");
            (shas[0].clone(), bytes)
        })
        .await
        .expect("join")
    };
    assert!(db.upload_bytes(team, &sha).await.expect("q").expect("complete") == on_phone, "byte-identical through the store");
    // 12 MiB in one PATCH: the part and the photo go up as S3 multipart uploads.
    let mut big = vec![0u8; 12 * 1024 * 1024];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut big);
    let big_sha = hex::encode(redvest_shared::seal::sha256(&[&big]));
    let patrol: uuid::Uuid = sqlx::query_scalar("SELECT record_id FROM photo_ref WHERE sha256 = $1").bind(&sha).fetch_one(&pool_for_refs).await.expect("record");
    sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team).bind(&big_sha).bind(patrol).execute(&pool_for_refs).await.expect("ref");
    let token = common::token_of(&phone);
    let meta = format!("sha256 {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &big_sha));
    let api = format!("http://{addr}/api/v1/photos");
    let created = http.post(&api).bearer_auth(&token).header("Tus-Resumable", "1.0.0").header("Upload-Length", big.len().to_string()).header("Upload-Metadata", meta).send().await.expect("post");
    assert_eq!(created.status(), 201);
    let sent = http
        .patch(format!("{api}/{big_sha}"))
        .bearer_auth(&token)
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(big.clone())
        .send()
        .await
        .expect("patch");
    assert_eq!(sent.status(), 204);
    assert!(db.upload_bytes(team, &big_sha).await.expect("q").expect("complete") == big, "12 MiB byte-identical through S3 multipart");

    // Looked at in the bucket itself, with a client of its own.
    let bucket = object_store::aws::AmazonS3Builder::from_env().with_url("s3://redvest").build().expect("bucket client");
    use object_store::ObjectStoreExt;
    let object = bucket.get(&object_store::path::Path::from(format!("county-a/photos/{}/{sha}", &sha[..2]))).await.expect("the photo is an object under the prefix");
    assert!(object.bytes().await.expect("bytes") == on_phone);
    use futures_util::StreamExt;
    let parts: Vec<_> = object_store::ObjectStore::list(&bucket, Some(&object_store::path::Path::from("county-a/parts"))).collect().await;
    assert!(parts.is_empty(), "its parts were deleted once it was complete: {parts:?}");
}
