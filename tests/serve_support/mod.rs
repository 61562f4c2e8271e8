//! A `handoff serve` started on a free loopback port, a receiver of delivered actions on a
//! plain `TcpListener`, and signing helpers, for tests/serve*.rs.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SEED: &str = "playbooks/seed-matrix.playbook";
pub const TOKEN: &str = "t0ken-for-tests";

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `handoff serve SEED --store STORE --listen 127.0.0.1:0` with `args`, the test token
    /// in `HANDOFF_TOKENS`, and waits for the address it prints.
    pub fn start(store: &Path, args: &[&str]) -> Server {
        Server::start_env(store, args, &[("HANDOFF_TOKENS", TOKEN)])
    }

    pub fn start_env(store: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("handoff"));
        command
            .args([
                "serve",
                SEED,
                "--listen",
                "127.0.0.1:0",
                "--clock",
                "events",
            ])
            .arg("--store")
            .arg(store)
            .args(args)
            .env_remove("HANDOFF_TOKENS")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("no address: {first}"))
            .parse()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let rest = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = reader.read_to_string(&mut text);
            rest.lock().unwrap().push_str(&text);
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGTERM, then the exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Posts a JSON body with the test token; the status and the answer.
pub fn post(server: &Server, path: &str, body: &str) -> (u16, serde_json::Value) {
    let response = client()
        .post(server.url(path))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// base64 HMAC-SHA256 over the parts, as the server signs.
pub fn hmac_b64(key: &[u8], parts: &[&[u8]]) -> String {
    use base64::Engine as _;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        (self.headers.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A receiver of delivered actions: answers 500 to its first `failures` requests, then 200
/// (or 500 for ever when `failures` is `usize::MAX`), and keeps every request.
pub struct Receiver {
    pub addr: SocketAddr,
    pub got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub fn start(failures: usize) -> Receiver {
        Receiver::start_slow(failures, None)
    }

    /// As [`Receiver::start`], and the answer to each request for an action whose key starts
    /// with the prefix waits that long.
    pub fn start_slow(failures: usize, slow: Option<(&str, Duration)>) -> Receiver {
        let slow = slow.map(|(prefix, delay)| (prefix.to_owned(), delay));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&got);
        let count = Arc::new(Mutex::new(0usize));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (seen, count) = (Arc::clone(&seen), Arc::clone(&count));
                let slow = slow.clone();
                std::thread::spawn(move || {
                    serve_connection(stream, &seen, &count, failures, slow.as_ref())
                });
            }
        });
        Receiver { addr, got }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    /// Bodies that were answered 200 are not told apart from failed ones: every request.
    pub fn requests(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

fn serve_connection(
    stream: TcpStream,
    seen: &Mutex<Vec<Received>>,
    count: &Mutex<usize>,
    failures: usize,
    slow: Option<&(String, Duration)>,
) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (k, v) = line.split_once(':').unwrap();
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let length: usize = (headers.iter())
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let ok = {
            let mut n = count.lock().unwrap();
            *n += 1;
            *n > failures
        };
        let received = Received {
            headers,
            body: String::from_utf8(body).unwrap(),
        };
        if let Some((prefix, delay)) = slow {
            if received
                .header("webhook-id")
                .is_some_and(|k| k.starts_with(prefix.as_str()))
            {
                std::thread::sleep(*delay);
            }
        }
        seen.lock().unwrap().push(received);
        let status = if ok {
            "200 OK"
        } else {
            "500 Internal Server Error"
        };
        let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A temporary directory and a store path in it.
pub fn store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    (dir, store)
}
