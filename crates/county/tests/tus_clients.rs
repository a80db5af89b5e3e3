//! Standard tus clients against the county, with their default settings: `tuspy` (PyPI) and
//! `tus-js-client` (npm), both installed by `cargo xtask test`. Each sends a photo whole (one
//! PATCH of several MB), sends it again (a new POST of a photo already there), and is cut off
//! mid-body and resumes from what the county kept; the county's bytes are the file's, and
//! photo bytes are in the photo store on disk. The checksum extension refuses a body that
//! does not match and keeps nothing of it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::proxy::{Fault, Proxy};
use common::{county_with, phone_with_patrol, serve, token_of, tools};
use rand::RngCore;
use redvest_county::photos::PhotoStore;
use redvest_county::Db;
use redvest_shared::seal::sha256;
use sqlx::PgPool;
use uuid::Uuid;

/// A photo-sized file of random bytes that a record of `team` names; returns its path and hash.
async fn photo_file(pool: &PgPool, dir: &Path, team: Uuid, record: Uuid, len: usize) -> (PathBuf, String, Vec<u8>) {
    let mut bytes = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut bytes);
    let sha = hex::encode(sha256(&[&bytes]));
    let path = dir.join(format!("{sha}.jpg"));
    std::fs::write(&path, &bytes).expect("write file");
    sqlx::query("INSERT INTO photo_ref (team_id, sha256, record_id) VALUES ($1, $2, $3)").bind(team).bind(&sha).bind(record).execute(pool).await.expect("ref");
    (path, sha, bytes)
}

const TUSPY: &str = r#"
import json, sys
from tusclient import client
endpoint, token, path, sha, url, checksum = sys.argv[1:7]
c = client.TusClient(endpoint, headers={"Authorization": "Bearer " + token})
extra = {"url": url} if url else {}
if checksum:
    extra["upload_checksum"] = True
up = c.uploader(path, metadata={"sha256": sha}, **extra)
start = up.offset
try:
    up.upload()
    print(json.dumps({"done": True, "url": up.url, "start": start}))
except Exception as e:
    print(json.dumps({"done": False, "url": up.url, "start": start, "error": str(e)}))
"#;

const TUS_JS: &str = r#"
const tus = require('tus-js-client');
const fs = require('fs');
const [endpoint, token, path, sha] = process.argv.slice(1);
const upload = new tus.Upload(fs.readFileSync(path), {
  endpoint,
  headers: { Authorization: 'Bearer ' + token },
  metadata: { sha256: sha },
  onError: (e) => { console.log(JSON.stringify({ done: false, error: String(e) })); process.exit(0); },
  onSuccess: () => { console.log(JSON.stringify({ done: true, url: upload.url })); },
});
upload.start();
"#;

/// Runs a client to its end on a blocking thread; its one JSON line.
async fn run(mut command: Command) -> serde_json::Value {
    let out = tokio::task::spawn_blocking(move || command.output().expect("run the client")).await.expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "client failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn tuspy(endpoint: &str, token: &str, path: &Path, sha: &str, url: &str, checksum: bool) -> Command {
    let mut c = Command::new(tools().join("py/bin/python"));
    c.args(["-c", TUSPY, endpoint, token]).arg(path).args([sha, url, if checksum { "sha1" } else { "" }]);
    c
}

fn tus_js(endpoint: &str, token: &str, path: &Path, sha: &str) -> Command {
    let mut c = Command::new("node");
    c.env("NODE_PATH", tools().join("node/node_modules")).args(["-e", TUS_JS, endpoint, token]).arg(path).arg(sha);
    c
}

/// The PATCH bodies the proxy forwarded, in order.
fn patches(proxy: &Proxy) -> Vec<usize> {
    proxy.seen.lock().expect("seen").iter().filter(|(line, _)| line.starts_with("PATCH")).map(|(_, len)| *len).collect()
}

async fn held(db: &Db, team: Uuid, sha: &str) -> Vec<u8> {
    db.upload_bytes(team, sha).await.expect("query").unwrap_or_default()
}

#[sqlx::test(migrations = false)]
async fn tuspy_and_tus_js_client_upload_whole_again_and_resumed(pool: PgPool) {
    let store_dir = tempfile::tempdir().expect("store dir");
    let (db, team, code) = county_with(pool.clone(), PhotoStore::open(&store_dir.path().display().to_string()).expect("photo store")).await;
    let (addr, _server) = serve(db.clone()).await;
    let (phone, record) = phone_with_patrol(format!("http://{addr}"), code).await;
    let token = token_of(&phone);
    let proxy = Proxy::start(addr).await;
    let endpoint = format!("http://{}/api/v1/photos", proxy.addr);
    let files = tempfile::tempdir().expect("files");

    // tuspy: the whole file in one PATCH (its default chunk size; over the store's 5 MiB
    // write buffer, so the part goes up in pieces), then the same file again.
    let (path, sha, bytes) = photo_file(&pool, files.path(), team, record, 7 * 1024 * 1024 + 17).await;
    let first = run(tuspy(&endpoint, &token, &path, &sha, "", false)).await;
    assert_eq!(first["done"], true, "{first}");
    assert_eq!(patches(&proxy), vec![bytes.len()], "one PATCH with the whole file");
    assert!(held(&db, team, &sha).await == bytes, "the county holds tuspy's file byte-identical");
    let on_disk = store_dir.path().join("photos").join(&sha[..2]).join(&sha);
    assert!(std::fs::read(&on_disk).expect("the photo in the store's directory") == bytes, "the bytes are a file, not a database row");
    let again = run(tuspy(&endpoint, &token, &path, &sha, "", false)).await;
    assert_eq!(again["done"], true, "a new POST of a complete photo: {again}");
    assert!(held(&db, team, &sha).await == bytes);

    // tuspy, cut off halfway through its PATCH, then resumed at its upload's URL.
    let (path, sha, bytes) = photo_file(&pool, files.path(), team, record, 2 * 1024 * 1024 + 5).await;
    proxy.plan(Some("PATCH"), Fault::CutRequestBody);
    let cut = run(tuspy(&endpoint, &token, &path, &sha, "", false)).await;
    assert_eq!(cut["done"], false, "the cut PATCH fails: {cut}");
    let url = cut["url"].as_str().expect("the upload's URL");
    let resumed = run(tuspy(&endpoint, &token, &path, &sha, url, false)).await;
    assert_eq!(resumed["done"], true, "{resumed}");
    // The proxy forwarded half the body; the county keeps what reached it (TCP may drop the
    // last unread bytes when the proxy hangs up).
    let start = resumed["start"].as_u64().expect("start") as usize;
    assert!(start > 0 && start <= bytes.len() / 2, "resumed where the county kept the cut body: {start}");
    assert_eq!(patches(&proxy).last(), Some(&(bytes.len() - start)), "only the rest was sent again");
    assert!(held(&db, team, &sha).await == bytes, "byte-identical after the cut");

    // tuspy with its checksum option (sha1 per PATCH).
    let (path, sha, bytes) = photo_file(&pool, files.path(), team, record, 700_000).await;
    let checked = run(tuspy(&endpoint, &token, &path, &sha, "", true)).await;
    assert_eq!(checked["done"], true, "{checked}");
    assert!(held(&db, team, &sha).await == bytes);

    // tus-js-client: whole, again, and cut off (its default retries ask with HEAD and go on).
    let (path, sha, bytes) = photo_file(&pool, files.path(), team, record, 3 * 1024 * 1024 + 1).await;
    let whole = run(tus_js(&endpoint, &token, &path, &sha)).await;
    assert_eq!(whole["done"], true, "{whole}");
    assert_eq!(patches(&proxy).last(), Some(&bytes.len()), "one PATCH with the whole file");
    assert!(held(&db, team, &sha).await == bytes, "the county holds tus-js-client's file byte-identical");
    let again = run(tus_js(&endpoint, &token, &path, &sha)).await;
    assert_eq!(again["done"], true, "{again}");
    let (path, sha, bytes) = photo_file(&pool, files.path(), team, record, 2 * 1024 * 1024 + 3).await;
    proxy.plan(Some("PATCH"), Fault::CutRequestBody);
    let before = patches(&proxy).len();
    let resumed = run(tus_js(&endpoint, &token, &path, &sha)).await;
    assert_eq!(resumed["done"], true, "{resumed}");
    let sent = patches(&proxy)[before..].to_vec();
    assert_eq!(sent.first(), Some(&bytes.len()), "the whole file, cut: {sent:?}");
    assert!(sent.len() >= 2 && sent[1..].iter().all(|n| *n < bytes.len() && *n >= bytes.len() - bytes.len() / 2), "then only the rest, from what the county kept: {sent:?}");
    assert!(held(&db, team, &sha).await == bytes, "byte-identical after the cut");
}

#[sqlx::test(migrations = false)]
async fn a_body_that_does_not_match_its_checksum_is_refused_and_nothing_kept(pool: PgPool) {
    let (db, team, code) = county_with(pool.clone(), PhotoStore::memory()).await;
    let (addr, _server) = serve(db.clone()).await;
    let (phone, record) = phone_with_patrol(format!("http://{addr}"), code).await;
    let files = tempfile::tempdir().expect("files");
    let (_, sha, bytes) = photo_file(&pool, files.path(), team, record, 4000).await;
    let http = reqwest::Client::new();
    let token = token_of(&phone);
    let base = format!("http://{addr}/api/v1/photos");
    let options = http.request(reqwest::Method::OPTIONS, &base).send().await.expect("options");
    assert_eq!(options.headers()["Tus-Extension"], "creation,checksum");
    assert_eq!(options.headers()["Tus-Checksum-Algorithm"], "sha1,sha256");
    let meta = format!("sha256 {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &sha));
    let created = http.post(&base).bearer_auth(&token).header("Tus-Resumable", "1.0.0").header("Upload-Length", bytes.len().to_string()).header("Upload-Metadata", &meta).send().await.expect("post");
    assert_eq!(created.status(), 201);
    let patch = |digest: Vec<u8>| {
        http.patch(format!("{base}/{sha}"))
            .bearer_auth(&token)
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", "0")
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Checksum", format!("sha256 {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest)))
            .body(bytes[..1000].to_vec())
            .send()
    };
    let wrong = patch(sha256(&[b"something else"]).to_vec()).await.expect("patch");
    assert_eq!(wrong.status().as_u16(), 460, "checksum mismatch");
    assert_eq!(wrong.headers()["Tus-Resumable"], "1.0.0", "on a refusal too");
    assert_eq!(db.upload(team, &sha).await.expect("q").expect("upload").received, 0, "nothing of it kept");
    let right = patch(sha256(&[&bytes[..1000]]).to_vec()).await.expect("patch");
    assert_eq!(right.status(), 204);
    assert_eq!(right.headers()["Upload-Offset"], "1000");
    let old = http.head(format!("{base}/{sha}")).bearer_auth(&token).header("Tus-Resumable", "0.2.2").send().await.expect("head");
    let stale = http.post(&base).bearer_auth(&token).header("Tus-Resumable", "0.2.2").header("Upload-Length", "1").header("Upload-Metadata", &meta).send().await.expect("post");
    assert_eq!(stale.status(), 412, "another protocol version");
    assert_eq!(stale.headers()["Tus-Version"], "1.0.0", "412 says which version this server speaks");
    assert_eq!((old.status().as_u16(), &old.headers()["Tus-Version"]), (412, &"1.0.0".parse::<reqwest::header::HeaderValue>().expect("value")), "HEAD too");
}
