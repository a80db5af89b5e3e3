//! The OpenAPI document: parsed by an independent OpenAPI 3.1 parser, and the server's real
//! answers validated against the schemas it declares for them.

mod common;

use std::sync::Arc;

use common::{county, device, serve};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// Validates `instance` against the document's schema for `status` of `method path`.
fn check(doc: &Value, path: &str, method: &str, status: u16, instance: &Value) {
    let response = &doc["paths"][path][method]["responses"][status.to_string()];
    assert!(response.is_object(), "{method} {path} does not document status {status}");
    let schema = &response["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} {status} has no JSON schema");
    // The schema's $refs point into #/components: validate with the components alongside.
    let root = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema", "components": doc["components"], "allOf": [schema] });
    let validator = jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{method} {path} {status}: schema does not compile: {e}"));
    if let Err(e) = validator.validate(instance) {
        panic!("{method} {path} {status}: the answer does not match the document: {e}\n{instance:#}");
    }
}

#[sqlx::test(migrations = false)]
async fn the_document_is_openapi_3_1_and_matches_the_answers(pool: PgPool) {
    let (db, _team, code) = county(pool).await;
    let (addr, _server) = serve(db).await;
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let text = http.get(format!("{base}/api/v1/openapi.json")).send().await.expect("get").text().await.expect("text");
    let spec: oas3::Spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "version {}", spec.openapi);
    let doc: Value = serde_json::from_str(&text).expect("json");
    for (path, method) in [
        ("/healthz", "get"),
        ("/api/v1/enrol", "post"),
        ("/api/v1/push", "post"),
        ("/api/v1/pull", "get"),
        ("/api/v1/photos", "post"),
        ("/api/v1/photos", "options"),
        ("/api/v1/photos/{sha256}", "head"),
        ("/api/v1/photos/{sha256}", "patch"),
        ("/api/v1/photos/{sha256}", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
    }

    let answer = |r: reqwest::Response| async move { (r.status().as_u16(), r.json::<Value>().await.expect("json answer")) };
    let (status, body) = answer(http.get(format!("{base}/healthz")).send().await.expect("get")).await;
    check(&doc, "/healthz", "get", status, &body);

    let (status, body) = answer(http.post(format!("{base}/api/v1/enrol")).json(&json!({"code": "nope", "device_name": "x", "chain_id": Uuid::now_v7()})).send().await.expect("post")).await;
    assert_eq!(status, 401);
    check(&doc, "/api/v1/enrol", "post", status, &body);

    let d = Arc::new(device());
    let server = base.clone();
    let enrolled = {
        let d = d.clone();
        tokio::task::spawn_blocking(move || d.store.enrol(&server, &code, "测试手机", Default::default())).await.expect("join").expect("enrol")
    };
    assert_eq!(enrolled.team_name, "城关镇红马甲巡防队");
    let token: String = rusqlite::Connection::open(d.dir.path().join("redvest.sqlite3"))
        .expect("open")
        .query_row("SELECT json_extract(value, '$.token') FROM setting WHERE key = 'sync.enrolment'", [], |r| r.get(0))
        .expect("token");

    let (status, body) = answer(http.get(format!("{base}/api/v1/pull?after=0")).bearer_auth(&token).send().await.expect("get")).await;
    assert_eq!(status, 200);
    assert!(body["items"].as_array().is_some_and(|i| !i.is_empty()), "the roster is published: {body}");
    check(&doc, "/api/v1/pull", "get", status, &body);

    let (status, body) = answer(http.post(format!("{base}/api/v1/push")).bearer_auth(&token).json(&json!({"records": []})).send().await.expect("post")).await;
    check(&doc, "/api/v1/push", "post", status, &body);
    let (status, body) = answer(http.post(format!("{base}/api/v1/push")).bearer_auth(&token).json(&json!({"records": 5})).send().await.expect("post")).await;
    assert_eq!(status, 422);
    check(&doc, "/api/v1/push", "post", status, &body);
    let (status, body) = answer(http.post(format!("{base}/api/v1/push")).bearer_auth("wrong").json(&json!({"records": []})).send().await.expect("post")).await;
    assert_eq!(status, 401, "a wrong token: {body}");
    check(&doc, "/api/v1/push", "post", status, &body);
    let (status, body) = answer(http.post(format!("{base}/api/v1/push")).bearer_auth(&token).json(&json!({"records": []})).send().await.expect("post")).await;
    assert_eq!(status, 200);
    check(&doc, "/api/v1/push", "post", status, &body);
}

/// The document tells the truth about the details a generated client relies on.
#[sqlx::test(migrations = false)]
async fn parameters_and_constraints_are_declared_where_they_are(pool: PgPool) {
    let (db, _, _) = county(pool).await;
    let (addr, _server) = serve(db).await;
    let doc: Value = reqwest::get(format!("http://{addr}/api/v1/openapi.json")).await.expect("get").json().await.expect("json");
    let pull = doc["paths"]["/api/v1/pull"]["get"]["parameters"].as_array().cloned().unwrap_or_default();
    for name in ["after", "limit"] {
        let p = pull.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} declared"));
        assert_eq!(p["in"], "query", "{name} is a query parameter");
    }
    for status in ["400", "401", "422", "429"] {
        assert!(doc["paths"]["/api/v1/pull"]["get"]["responses"][status].is_object(), "pull declares {status}");
    }
    let head = &doc["paths"]["/api/v1/photos/{sha256}"]["head"];
    assert!(head["responses"]["400"].is_object() && head["responses"]["401"].is_object());
    let sha = head["parameters"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == "sha256").cloned()).expect("sha256");
    assert_eq!(sha["schema"]["pattern"], "^[0-9a-f]{64}$");
    let patch = &doc["paths"]["/api/v1/photos/{sha256}"]["patch"];
    for status in ["401", "412", "415"] {
        assert!(patch["responses"][status].is_object(), "PATCH declares {status}");
    }
    let tus = patch["parameters"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == "Tus-Resumable").cloned()).expect("Tus-Resumable");
    assert_eq!(tus["schema"]["pattern"], "^1\\.0\\.0$");
    let code = &doc["components"]["schemas"]["EnrolRequest"]["properties"]["code"];
    assert_eq!((code["minLength"].as_u64(), code["maxLength"].as_u64()), (Some(1), Some(64)), "{code}");

    // 一键报警 is a record body the document declares (kind `rapid`, a RapidReport), and a
    // report as a phone sends it matches the schema; the report's own fields leave the tag
    // `kind` to the record body.
    let variants = doc["components"]["schemas"]["RecordBody"]["oneOf"].as_array().cloned().unwrap_or_default();
    let rapid = variants.iter().find(|v| v["allOf"][1]["properties"]["kind"]["enum"] == json!(["rapid"])).expect("RecordBody declares kind rapid");
    assert_eq!(rapid["allOf"][0]["$ref"], "#/components/schemas/RapidReport", "{rapid}");
    let declared = &doc["components"]["schemas"]["RapidReport"];
    assert!(declared["properties"].get("kind").is_none(), "RapidReport's own `kind` would collide with the record body's tag: {declared}");
    let root = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema", "components": doc["components"], "$ref": "#/components/schemas/RapidReport" });
    let validator = jsonschema::draft202012::new(&root).expect("the RapidReport schema compiles");
    let at = chrono::Utc::now();
    let report = redvest_shared::rapid::RapidReport {
        kind: redvest_shared::rapid::RapidKind::Fire,
        at,
        reporter: "王芳".into(),
        patrol: Some(Uuid::now_v7()),
        spot: Some(redvest_shared::observation::Spot::new(26.5801, 106.7123, 7.2, at)),
    };
    let sent = serde_json::to_value(&report).expect("json");
    if let Err(e) = validator.validate(&sent) {
        panic!("a rapid report does not match its schema: {e}\n{sent:#}");
    }
}
