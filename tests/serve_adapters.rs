#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `POST /v1/hubspot` and `POST /v1/segment` through the example mapping of
//! deploy/serve/mapping.toml: HubSpot's v3 signature, batches in `occurredAt` order and
//! deduplicated by `eventId`, Segment `identify` and `track` calls; and an older store migrated.

mod serve_support;

use serde_json::{json, Value};
use serve_support::{client, hmac_b64, store, Server, TOKEN};

const MAPPING: &str = "deploy/serve/mapping.toml";
const HUBSPOT_URL: &str = "https://hooks.example.com/v1/hubspot";
const APP_SECRET: &str = "hubspot-app-secret";

fn hubspot(server: &Server, body: &str, stamp: i64, secret: &str) -> (u16, Value) {
    let stamp = stamp.to_string();
    let signature = hmac_b64(
        secret.as_bytes(),
        &[
            b"POST",
            HUBSPOT_URL.as_bytes(),
            body.as_bytes(),
            stamp.as_bytes(),
        ],
    );
    let response = client()
        .post(server.url("/v1/hubspot"))
        .header("content-type", "application/json")
        .header("x-hubspot-signature-v3", signature)
        .header("x-hubspot-request-timestamp", stamp)
        .body(body.to_owned())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().unwrap()).unwrap(),
    )
}

/// A server with the example mapping and the HubSpot app secret in a file under `dir`.
fn hubspot_server(dir: &std::path::Path, store: &std::path::Path) -> Server {
    let secret = dir.join("hubspot");
    std::fs::write(&secret, format!("{APP_SECRET}\n")).unwrap();
    let secret = secret.to_str().unwrap();
    Server::start(
        store,
        &["--mapping", MAPPING, "--hubspot-secret-file", secret],
    )
}

#[test]
fn hubspot_batches_are_signed_ordered_and_deduplicated_by_event_id() {
    let (dir, store) = store();
    let server = hubspot_server(dir.path(), &store);
    // Sent out of order: the change comes after the creation by `occurredAt`.
    let body = json!([
        {"eventId": 12, "subscriptionType": "contact.propertyChange", "objectId": 501,
         "occurredAt": 1_780_304_460_000_i64, "propertyName": "jobtitle", "propertyValue": "CTO"},
        {"eventId": 11, "subscriptionType": "contact.creation", "objectId": 501,
         "occurredAt": 1_780_304_400_000_i64},
        {"eventId": 14, "subscriptionType": "contact.propertyChange", "objectId": 501,
         "occurredAt": 1_780_304_470_000_i64, "propertyName": "numberofemployees",
         "propertyValue": "250"},
        {"eventId": 13, "subscriptionType": "contact.deletion", "objectId": 501,
         "occurredAt": 1_780_304_500_000_i64}
    ])
    .to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let (status, answer) = hubspot(&server, &body, now, APP_SECRET);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["accepted"].as_u64(), answer["skipped"].as_u64()),
        (Some(3), Some(1))
    );
    let (status, answer) = hubspot(&server, &body, now, APP_SECRET);
    assert_eq!((status, answer["duplicates"].as_u64()), (200, Some(3)));
    assert_eq!(hubspot(&server, &body, now, "another secret").0, 401);
    assert_eq!(
        hubspot(&server, &body, now - 301_000, APP_SECRET).0,
        401,
        "stale"
    );
    assert!(server.terminate().success());
    let lead = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args(["lead", "--format", "json", "--store"])
        .arg(&store)
        .arg("501")
        .output()
        .unwrap();
    let view: Value = serde_json::from_slice(&lead.stdout).unwrap();
    assert_eq!(view["inputs"].as_array().unwrap().len(), 3, "{view}");
}

/// The line numbers of the store's dead letters, in the order written.
fn dead_letters(store: &std::path::Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let mut stmt = conn
        .prepare("SELECT line FROM dead_letters ORDER BY rowid")
        .unwrap();
    let rows = stmt.query_map([], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn statuses(answer: &Value) -> Vec<(u64, String)> {
    (answer["results"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn malformed_hubspot_events_are_rejected_per_event_at_their_index_in_the_batch() {
    let (dir, store) = store();
    let server = hubspot_server(dir.path(), &store);
    // Sent out of `occurredAt` order, with one event of each missing attribute and one the
    // mapping does not name.
    let body = json!([
        {"eventId": 22, "subscriptionType": "contact.propertyChange", "objectId": 601,
         "occurredAt": 1_780_304_460_000_i64, "propertyName": "jobtitle", "propertyValue": "CTO"},
        {"subscriptionType": "contact.creation", "objectId": 602, "occurredAt": 1_780_304_400_000_i64},
        {"eventId": 21, "subscriptionType": "contact.creation", "objectId": 601,
         "occurredAt": 1_780_304_400_000_i64},
        {"eventId": 23, "subscriptionType": "contact.creation", "occurredAt": 1_780_304_400_000_i64},
        {"eventId": 24, "subscriptionType": "contact.creation", "objectId": 603},
        {"eventId": 25, "subscriptionType": "contact.deletion", "objectId": 601,
         "occurredAt": 1_780_304_500_000_i64}
    ])
    .to_string();
    let (status, answer) = hubspot(
        &server,
        &body,
        chrono::Utc::now().timestamp_millis(),
        APP_SECRET,
    );
    assert_eq!(status, 207, "{answer}");
    let counts = ["accepted", "duplicates", "rejected", "skipped"].map(|k| answer[k].as_u64());
    assert_eq!(counts, [Some(2), Some(0), Some(3), Some(1)], "{answer}");
    let expected = [
        "accepted", "rejected", "accepted", "rejected", "rejected", "skipped",
    ];
    let expected: Vec<(u64, String)> = (0..).zip(expected.map(String::from)).collect();
    assert_eq!(statuses(&answer), expected);
    assert_eq!(
        answer["results"][1]["error"],
        "line 2: `eventId`: expected a value, found none"
    );
    assert_eq!(
        answer["results"][3]["error"],
        "line 4: `objectId`: expected a value, found none"
    );
    assert_eq!(
        answer["results"][4]["error"],
        "line 5: `occurredAt`: expected a value, found none"
    );
    assert!(server.terminate().success());
    // Dead letters are written in the order the batch was applied in, by `occurredAt`.
    let mut dead = dead_letters(&store);
    dead.sort_unstable();
    assert_eq!(dead, [2, 4, 5]);
}

#[test]
fn malformed_segment_calls_are_rejected_and_an_all_malformed_batch_is_422() {
    let (_dir, store) = store();
    let server = Server::start(&store, &["--mapping", MAPPING]);
    let call = |without: &str, id: &str| {
        let mut call = json!({"type": "track", "event": "Demo Requested", "messageId": id,
            "userId": "U-9", "timestamp": "2026-06-01T09:05:00Z", "properties": {"form_kind": "demo"}});
        call.as_object_mut().unwrap().remove(without);
        call
    };
    let identify = json!({"type": "identify", "messageId": "m-2", "userId": "U-9",
        "timestamp": "2026-06-01T09:00:00Z", "traits": {"company_segment": "enterprise",
        "company_region": "emea", "company_size": 900, "domain": "acme.com", "email": "a@acme.com"}});
    let batch = json!({"batch": [call("messageId", "m-1"), identify, call("timestamp", "m-3"),
        call("userId", "m-4")]});
    let (status, answer) = serve_support::post(&server, "/v1/segment", &batch.to_string());
    assert_eq!(status, 207, "{answer}");
    let expected = ["rejected", "accepted", "rejected", "rejected"];
    let expected: Vec<(u64, String)> = (0..).zip(expected.map(String::from)).collect();
    assert_eq!(statuses(&answer), expected);
    assert_eq!(
        answer["results"][2]["error"],
        "line 3: `timestamp`: expected a value, found none"
    );
    let one = call("messageId", "m-5").to_string();
    let (status, answer) = serve_support::post(&server, "/v1/segment", &one);
    assert_eq!(
        (status, answer["rejected"].as_u64()),
        (422, Some(1)),
        "{answer}"
    );
}

#[test]
fn without_a_hubspot_secret_its_endpoint_is_disabled_when_tokens_guard_the_rest() {
    let (_dir, store) = store();
    let server = Server::start(&store, &["--mapping", MAPPING]);
    let response = client()
        .post(server.url("/v1/hubspot"))
        .bearer_auth(TOKEN)
        .body("[]")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    let answer: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
    assert_eq!(
        answer["error"],
        "`/v1/hubspot` is disabled: the server was started without `--hubspot-secret-file`"
    );
    let stderr = std::sync::Arc::clone(&server.stderr);
    assert!(server.terminate().success());
    let stderr = stderr.lock().unwrap().clone();
    assert!(
        stderr.contains("note: `/v1/hubspot` is disabled"),
        "{stderr}"
    );
}

#[test]
fn segment_identify_and_track_calls_become_event_lines() {
    let (_dir, store) = store();
    let server = Server::start(&store, &["--mapping", MAPPING]);
    let batch = json!({"batch": [
        {"type": "identify", "messageId": "m-1", "userId": "U-1", "timestamp": "2026-06-01T09:00:00Z",
         "traits": {"company_segment": "enterprise", "company_region": "emea", "company_size": 900,
                    "domain": "acme.com", "email": "a@acme.com"}},
        {"type": "track", "event": "Demo Requested", "messageId": "m-2", "userId": "U-1",
         "timestamp": "2026-06-01T09:05:00Z", "properties": {"form_kind": "demo"}},
        {"type": "track", "event": "Newsletter Opened", "messageId": "m-3", "userId": "U-1",
         "timestamp": "2026-06-01T09:06:00Z"},
        {"type": "page", "messageId": "m-4", "userId": "U-1", "timestamp": "2026-06-01T09:07:00Z"}
    ]})
    .to_string();
    let send = |token: Option<&str>| {
        let mut request = client().post(server.url("/v1/segment")).body(batch.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_str::<Value>(&response.text().unwrap()).unwrap(),
        )
    };
    assert_eq!(send(None).0, 401);
    let (status, answer) = send(Some(TOKEN));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["accepted"].as_u64(), answer["skipped"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(send(Some(TOKEN)).1["duplicates"], 2);
}

#[test]
fn a_store_of_the_first_schema_is_migrated_for_delivery() {
    let (_dir, store) = store();
    drop(Server::start(&store, &[]));
    let conn = rusqlite::Connection::open(&store).unwrap();
    conn.execute_batch("DROP TABLE deliveries; PRAGMA user_version = 1;")
        .unwrap();
    drop(conn);
    let receiver = serve_support::Receiver::start(0);
    let server = Server::start(&store, &["--deliver", &receiver.url()]);
    let event = json!({"id": "c-1", "source": "crm", "type": "handoff.lead.created", "lead": "L-1",
        "time": "2026-06-01T09:00:00Z", "data": {"segment": "smb", "region": "amer"}});
    assert_eq!(
        serve_support::post(&server, "/v1/events", &event.to_string()).0,
        200
    );
    assert!(server.terminate().success());
    let conn = rusqlite::Connection::open(&store).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 2);
}
