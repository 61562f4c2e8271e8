#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! `handoff serve` through a real HTTP client on loopback: per-line results and the partial
//! batch rule, duplicates, authentication and signatures, limits, metrics and shutdown.

mod serve_support;

use serde_json::{json, Value};
use serve_support::{client, hmac_b64, post, store, Server, TOKEN};
use std::io::Write;
use std::time::Duration;

fn created(id: &str, lead: &str) -> Value {
    json!({"id": id, "source": "crm", "type": "handoff.lead.created", "lead": lead,
        "time": "2026-06-01T09:00:00Z", "data": {"segment": "smb", "region": "amer"}})
}

#[test]
fn a_partial_batch_applies_its_valid_lines_and_repeats_are_duplicates() {
    let (_dir, store) = store();
    let server = Server::start(&store, &[]);
    let bad = json!({"id": "b", "source": "crm", "type": "no_such_event", "lead": "L-1",
        "time": "2026-06-01T09:00:00Z"});
    let body = json!([created("a", "L-1"), bad, created("c", "L-2")]).to_string();
    let (status, answer) = post(&server, "/v1/events", &body);
    assert_eq!(status, 207, "{answer}");
    assert_eq!(
        (answer["accepted"].as_u64(), answer["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(answer["results"][1]["status"], "rejected");
    assert!(
        answer["results"][1]["error"]
            .as_str()
            .unwrap()
            .starts_with("line 2: `type`"),
        "{answer}"
    );
    let (status, answer) = post(&server, "/v1/events", &body);
    assert_eq!(status, 207);
    assert_eq!(answer["duplicates"], 2);
    let (status, answer) = post(&server, "/v1/events", &created("a", "L-1").to_string());
    assert_eq!(status, 200);
    assert_eq!(answer["results"][0]["status"], "duplicate");
    let (status, _) = post(&server, "/v1/events", "[{\"id\": 1}]");
    assert_eq!(status, 422);
    let (status, answer) = post(&server, "/v1/events", "{not json");
    assert_eq!(status, 400, "{answer}");

    let lines = format!("{}\n\n{}\n", created("d", "L-3"), created("e", "L-4"));
    let response = client()
        .post(server.url("/v1/events"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-ndjson")
        .body(lines)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = serde_json::from_str(&response.text().unwrap()).unwrap();
    assert_eq!(answer["accepted"], 2);
    let response = client()
        .post(server.url("/v1/events"))
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);

    assert!(server.terminate().success());
    let store = handoff::live::store::Store::open_read(&store).unwrap();
    let status = handoff::live::status::status(&store, 0).unwrap();
    // The bad line twice and the line of the 422.
    assert_eq!(
        (status.leads, status.inputs, status.dead_letters),
        (4, 4, 3)
    );
}

#[test]
fn tokens_and_webhook_signatures_are_checked_and_failures_say_nothing() {
    let (dir, store) = store();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, secret).unwrap();
    let server = Server::start(
        &store,
        &["--webhook-secret-file", secret_file.to_str().unwrap()],
    );
    let body = created("a", "L-1").to_string();
    let send = |token: Option<&str>, headers: &[(&str, String)], body: &str| {
        let mut request = client()
            .post(server.url("/v1/events"))
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (k, v) in headers {
            request = request.header(*k, v);
        }
        let response = request.send().unwrap();
        (response.status().as_u16(), response.text().unwrap())
    };
    assert_eq!(
        send(None, &[], &body),
        (401, r#"{"error":"unauthorized"}"#.into())
    );
    assert_eq!(send(Some("t0ken"), &[], &body).0, 401);
    assert_eq!(send(Some(&format!("{TOKEN}x")), &[], &body).0, 401);

    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let now = chrono::Utc::now().timestamp();
    let signed = |stamp: i64, body: &str| {
        let sig = hmac_b64(
            &key,
            &[
                b"msg-1.",
                stamp.to_string().as_bytes(),
                b".",
                body.as_bytes(),
            ],
        );
        vec![
            ("webhook-id", "msg-1".to_owned()),
            ("webhook-timestamp", stamp.to_string()),
            ("webhook-signature", format!("v1,bogus v1,{sig}")),
        ]
    };
    assert_eq!(send(None, &signed(now, &body), &body).0, 200);
    assert_eq!(send(None, &signed(now - 301, &body), &body).0, 401, "stale");
    let other = created("b", "L-2").to_string();
    assert_eq!(
        send(None, &signed(now, &body), &other).0,
        401,
        "tampered body"
    );
    assert_eq!(send(Some(TOKEN), &[], &other).0, 200);
}

#[test]
fn listening_beyond_loopback_without_authentication_is_refused() {
    let (_dir, store) = store();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args([
            "serve",
            serve_support::SEED,
            "--listen",
            "0.0.0.0:0",
            "--store",
        ])
        .arg(&store)
        .env_remove("HANDOFF_TOKENS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("refusing to listen on `0.0.0.0:0` beyond loopback"),
        "{stderr}"
    );
}

/// Opens a request that declares a body and sends only part of it.
fn stalled(server: &Server) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {TOKEN}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

#[test]
fn a_body_over_the_limit_is_answered_413_with_a_message() {
    let (_dir, store) = store();
    let server = Server::start(&store, &["--max-body", "1024"]);
    let events: Vec<Value> = (0..40).map(|i| created(&format!("e{i}"), "L-1")).collect();
    let (status, answer) = post(&server, "/v1/events", &Value::Array(events).to_string());
    assert_eq!(status, 413);
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("limit of 1024 bytes"),
        "{answer}"
    );
}

#[test]
fn too_many_requests_at_once_and_slow_requests_are_answered_503() {
    let (_dir, store) = store();
    let server = Server::start(
        &store,
        &["--max-concurrent", "1", "--request-timeout", "1500"],
    );
    let _slow = stalled(&server);
    // Long enough for the server to read the stalled request's head, on a loaded machine too.
    std::thread::sleep(Duration::from_millis(300));
    let (status, answer) = post(&server, "/v1/events", &created("a", "L-1").to_string());
    assert_eq!(status, 503, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("too many requests"));
    // The stalled request times out and frees its place.
    std::thread::sleep(Duration::from_millis(1500));
    let (status, _) = post(&server, "/v1/events", &created("a", "L-1").to_string());
    assert_eq!(status, 200);

    let mut slow = stalled(&server);
    let mut answer = String::new();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = std::io::Read::read_to_string(&mut slow, &mut answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("took longer than 1500 ms"), "{answer}");
}

#[test]
fn metrics_are_prometheus_text() {
    let (_dir, store) = store();
    let server = Server::start(&store, &[]);
    let body = json!([created("a", "L-1"), created("a", "L-1"), {"id": "x"}]).to_string();
    assert_eq!(post(&server, "/v1/events", &body).0, 207);
    let health = client().get(server.url("/healthz")).send().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(
        client()
            .get(server.url("/metrics"))
            .send()
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let text = client()
        .get(server.url("/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
    let value = |name: &str, label: Option<(&str, &str)>| {
        let sample = (scrape.samples.iter())
            .find(|s| s.metric == name && label.is_none_or(|(k, v)| s.labels.get(k) == Some(v)))
            .unwrap_or_else(|| panic!("no {name} {label:?} in\n{text}"));
        match sample.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        }
    };
    assert_eq!(
        value("handoff_events_total", Some(("result", "accepted"))),
        1.0
    );
    assert_eq!(
        value("handoff_events_total", Some(("result", "duplicate"))),
        1.0
    );
    assert_eq!(
        value("handoff_events_total", Some(("result", "rejected"))),
        1.0
    );
    assert_eq!(value("handoff_dead_letters", None), 1.0);
    assert_eq!(value("handoff_writer_queue", None), 0.0);
    assert!(value("handoff_timers_pending", None) >= 0.0);
    assert!(value("handoff_outbox_undelivered", None) >= 1.0);
    let total: f64 = (scrape.samples.iter())
        .filter(|s| s.metric == "handoff_leads")
        .map(|s| match s.value {
            prometheus_parse::Value::Gauge(v) => v,
            _ => 0.0,
        })
        .sum();
    assert_eq!(total, 1.0);
    let histogram = (scrape.samples.iter())
        .find(|s| s.metric == "handoff_commit_duration_seconds")
        .unwrap();
    let prometheus_parse::Value::Histogram(buckets) = &histogram.value else {
        panic!("{:?}", histogram.value)
    };
    assert!(buckets.iter().any(|b| b.count >= 1.0));
}

#[test]
fn sigterm_finishes_in_flight_requests_and_exits_0() {
    let (_dir, store) = store();
    let server = Server::start(&store, &[]);
    let url = server.url("/v1/events");
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut answered = 0;
                for i in 0..50 {
                    let body = created(&format!("{c}-{i}"), &format!("L-{c}-{i}")).to_string();
                    let sent = client().post(&url).bearer_auth(TOKEN).body(body).send();
                    match sent {
                        Ok(r) if r.status().is_success() => answered += 1,
                        _ => break,
                    }
                }
                answered
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let stderr = std::sync::Arc::clone(&server.stderr);
    assert!(server.terminate().success());
    let answered: u64 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let store = handoff::live::store::Store::open_read(&store).unwrap();
    let status = handoff::live::status::status(&store, 0).unwrap();
    assert_eq!(
        status.inputs, answered,
        "every answered event is committed, nothing else"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(stderr.lock().unwrap().contains("serve stopped"));
}

/// CPU time of a process in clock ticks, from `/proc`.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after_name = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after_name.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn an_idle_server_with_event_times_and_pending_timers_does_not_spin() {
    let (_dir, store) = store();
    let server = Server::start(&store, &[]);
    // A handed-off lead has an SLA timer due long before the wall clock's now.
    let form = json!({"id": "f", "source": "web", "type": "form_submit", "lead": "L-1",
        "time": "2026-06-01T09:05:00Z", "data": {"kind": "demo"}});
    let body = json!([created("a", "L-1"), form]).to_string();
    assert_eq!(post(&server, "/v1/events", &body).0, 200);
    let before = cpu_ticks(server.child.id());
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(server.child.id()) - before;
    assert!(used < 30, "{used} ticks of CPU in one idle second");
}

#[test]
fn a_delivery_url_that_is_not_http_is_refused_before_listening() {
    let (_dir, store) = store();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args([
            "serve",
            serve_support::SEED,
            "--deliver",
            "ftp://example.com/x",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`--deliver`: `ftp://example.com/x` is not an http or https URL"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_map_is_refused_before_listening() {
    let (_dir, store) = store();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args([
            "serve",
            serve_support::SEED,
            "--map",
            "no-equals-sign",
            "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no-equals-sign"), "{stderr}");
    assert!(!stderr.contains("listening on"), "{stderr}");
}

/// `run` and `serve` take the store's options from one definition, so their help says the same.
#[test]
fn run_and_serve_describe_the_store_options_alike() {
    let help = |command: &str| {
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
            .args([command, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let options = [
            "--store",
            "--clock",
            "--synchronous",
            "--batch ",
            "--batch-wait",
            "--map",
        ];
        (options.iter())
            .map(|o| {
                let at = text
                    .find(&format!("      {o}"))
                    .unwrap_or_else(|| panic!("{o}: {text}"));
                let rest = &text[at..];
                rest[..rest.find("\n\n      --").unwrap_or(rest.len())].to_owned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(help("run"), help("serve"));
}
