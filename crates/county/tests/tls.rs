//! The county serves HTTPS itself from a certificate and key in PEM files: a client that
//! trusts the certificate enrols over it; plain HTTP on that port gets no answer.

mod common;

use redvest_county::app::{app, serve, TlsFiles};
use redvest_shared::wire::{EnrolRequest, Enrolment};
use sqlx::PgPool;

#[sqlx::test(migrations = false)]
async fn the_county_serves_https_from_pem_files(pool: PgPool) {
    let (db, team, code) = common::county(pool).await;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let dir = tempfile::tempdir().expect("dir");
    let files = TlsFiles { cert: dir.path().join("county.crt"), key: dir.path().join("county.key") };
    std::fs::write(&files.cert, certified.cert.pem()).expect("cert");
    std::fs::write(&files.key, certified.signing_key.serialize_pem()).expect("key");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { serve(listener, app(db), Some(&files), std::future::pending()).await.expect("serve") });

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("root"))
        .build()
        .expect("client");
    let base = format!("https://localhost:{port}");
    let health = trusting.get(format!("{base}/healthz")).send().await.expect("https answers");
    assert_eq!(health.status(), 200);
    let request = EnrolRequest { code, device_name: "王芳的手机".into(), chain_id: uuid::Uuid::now_v7() };
    let enrolled: Enrolment = trusting.post(format!("{base}/api/v1/enrol")).json(&request).send().await.expect("enrol").json().await.expect("enrolment");
    assert_eq!(enrolled.team_id, team, "enrolled over HTTPS");

    let untrusting = reqwest::Client::new();
    assert!(untrusting.get(format!("{base}/healthz")).send().await.is_err(), "a certificate no root vouches for is refused");
    assert!(untrusting.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_err(), "no plain HTTP on the HTTPS port");
}
