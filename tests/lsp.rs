#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff lsp` spoken to as an editor does: JSON-RPC with `Content-Length` framing over the
//! real binary's standard input and output.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

const SEED: &str = include_str!("../playbooks/seed-matrix.playbook");
const URI: &str = "file:///work/seed-matrix.playbook";

/// A client: the server process, its input, and the messages it wrote, read on a thread so a
/// silent server fails the test instead of hanging it.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            while let Some(msg) = read_message(&mut stdout) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its response, skipping notifications in between.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.next();
            if msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// The next `publishDiagnostics` notification's diagnostics.
    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            let msg = self.next();
            if msg["method"] == "textDocument/publishDiagnostics" {
                assert_eq!(msg["params"]["uri"], URI);
                return msg["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn next(&self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answered within 30 seconds")
    }

    fn initialize(&mut self, encodings: &[&str]) -> Value {
        let caps = json!({ "general": { "positionEncodings": encodings } });
        let init = self.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": caps }),
        );
        self.notify("initialized", json!({}));
        init
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": URI, "languageId": "handoff", "version": 1, "text": text
            }}),
        );
        self.diagnostics()
    }

    fn change(&mut self, version: i64, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
        self.diagnostics()
    }

    /// Sends a request about the position of the `nth` occurrence of `needle` in `text`
    /// (plus `plus` characters), returning the result.
    fn at(&mut self, method: &str, text: &str, needle: &str, plus: u32, extra: Value) -> Value {
        let mut params = json!({
            "textDocument": { "uri": URI },
            "position": position(text, needle, plus),
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params)["result"].clone()
    }

    fn shutdown(mut self) {
        let reply = self.request("shutdown", Value::Null);
        assert_eq!(reply["result"], Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The UTF-16 position of the first `needle` in `text`, moved on by `plus` characters.
fn position(text: &str, needle: &str, plus: u32) -> Value {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..at].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character as u32 + plus })
}

#[test]
fn an_editing_session_from_initialize_to_exit() {
    let mut c = Client::start();
    let init = c.initialize(&["utf-16"]);
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["hoverProvider"], true);

    assert_eq!(c.open(SEED), Vec::<Value>::new());

    // An edit introduces an undefined track; the finding appears, then clears when fixed.
    let broken = SEED.replacen("then move to re_engage", "then move to re_engag", 1);
    let found = c.change(2, &broken);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "E0101");
    assert_eq!(
        found[0]["range"]["start"],
        position(&broken, "re_engag\n", 0)
    );
    assert_eq!(c.change(3, SEED), Vec::<Value>::new());

    let hover = c.at("textDocument/hover", SEED, "grade = A", 8, json!({}));
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("`fit + intent` is 70 and above"), "{text}");

    let def = c.at(
        "textDocument/definition",
        SEED,
        "then move to re_engage",
        14,
        json!({}),
    );
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"]["start"], position(SEED, "re_engage {", 0));

    let refs = c.at(
        "textDocument/references",
        SEED,
        "track re_engage",
        7,
        json!({ "context": { "includeDeclaration": true } }),
    );
    let refs = refs.as_array().unwrap();
    // `re_engagement` is a kpi of its own.
    let uses = SEED.matches("re_engage").count() - SEED.matches("re_engagement").count();
    assert_eq!(refs.len(), uses);

    let rename = c.at(
        "textDocument/rename",
        SEED,
        "track re_engage",
        7,
        json!({ "newName": "revive" }),
    );
    let edits = rename["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), refs.len());
    assert!(edits.iter().all(|e| e["newText"] == "revive"));

    let prepared = c.at(
        "textDocument/prepareRename",
        SEED,
        "then move to re_engage",
        16,
        json!({}),
    );
    assert_eq!(
        prepared["start"],
        position(SEED, "then move to re_engage", 13)
    );

    let clash = c.request(
        "textDocument/rename",
        json!({
            "textDocument": { "uri": URI },
            "position": position(SEED, "track re_engage", 7),
            "newName": "long_cycle",
        }),
    );
    assert_eq!(
        clash["error"]["message"],
        "a track named `long_cycle` is already declared"
    );

    let completion = c.at(
        "textDocument/completion",
        SEED,
        "    rescue with momentum_rescue",
        16,
        json!({}),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"momentum_rescue"), "{labels:?}");
    assert!(!labels.contains(&"hand_raise"), "{labels:?}");

    // Formatting: a clean file needs no edit; a badly laid out one is rewritten whole.
    let messy = SEED.replacen("  cap 60\n", "      cap   60\n", 1);
    c.change(4, &messy);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"].as_str().unwrap(),
        handoff::fmt::format_source(handoff::span::FileId(0), SEED).unwrap()
    );
    c.change(5, "track a {\n  enter by\n");
    let refused = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        refused["error"]["message"],
        "cannot format a playbook with syntax errors"
    );

    c.shutdown();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let mut c = Client::start();
    let init = c.initialize(&["utf-8", "utf-16"]);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    let text = SEED.replacen("Recycle\"", "Recycle\\q\"", 1);
    let found = c.open(&text);
    assert_eq!(found[0]["code"], "E0004");
    // `  title "Automate → Engage → Convert → Recycle` is 46 characters and 52 bytes.
    let start = &found[0]["range"]["start"];
    let utf16 = position(&text, "\\q", 0)["character"].as_u64().unwrap();
    assert_eq!(start["character"].as_u64().unwrap(), utf16 + 6);
    c.shutdown();
}

#[test]
fn half_typed_input_never_stops_the_server() {
    let mut c = Client::start();
    c.initialize(&[]);
    c.open(SEED);
    let mut text = String::new();
    // Every prefix of a block, as typed, then a request at its end.
    for (version, ch) in "handoff h {\n  on page_view where category = pr"
        .chars()
        .enumerate()
    {
        text.push(ch);
        let doc = format!("{SEED}\n{text}");
        c.change(version as i64 + 2, &doc);
        let end = json!({ "line": doc.matches('\n').count(), "character": text.rsplit('\n').next().unwrap().len() });
        for method in [
            "textDocument/completion",
            "textDocument/hover",
            "textDocument/definition",
        ] {
            let reply = c.request(
                method,
                json!({ "textDocument": { "uri": URI }, "position": end }),
            );
            assert!(reply.get("error").is_none(), "{method}: {reply}");
        }
    }
    c.shutdown();
}

#[test]
fn outline_semantic_tokens_and_test_lenses() {
    const PLG: &str = include_str!("../playbooks/inbound-plg.playbook");
    let mut c = Client::start();
    c.initialize(&[]);
    c.open(PLG);
    let doc = json!({ "textDocument": { "uri": URI } });

    let outline = c.request("textDocument/documentSymbol", doc.clone())["result"].clone();
    let names: Vec<&str> = outline
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"inbound_plg"), "{names:?}");

    let tokens = c.request("textDocument/semanticTokens/full", doc.clone())["result"].clone();
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(data.len() % 5, 0);
    assert!(data.len() > 100);

    let lenses = c.request("textDocument/codeLens", doc)["result"].clone();
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), PLG.matches("\ntest \"").count());
    let command = &lenses[0]["command"];
    assert_eq!(command["command"], "handoff.runTest");
    assert_eq!(command["arguments"][0], URI);
    let pattern = command["arguments"][1].as_str().unwrap();
    assert!(
        pattern.starts_with("^inbound_plg::a small team's demo request"),
        "{pattern}"
    );

    // The lens's pattern selects exactly its test when `handoff test` runs it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inbound-plg.playbook");
    std::fs::write(&file, PLG).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["test", file.to_str().unwrap(), "--run", pattern])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    c.shutdown();
}

#[test]
fn a_notification_with_malformed_parameters_is_logged_not_dropped() {
    let mut client = Client::start();
    client.initialize(&[]);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "handoff", "version": 1 } }),
    );
    let msg = client.next();
    assert_eq!(msg["method"], "window/logMessage", "{msg}");
    assert_eq!(msg["params"]["type"], 1);
    let text = msg["params"]["message"].as_str().unwrap();
    assert!(
        text.starts_with("`textDocument/didOpen` has malformed parameters: missing field `text`"),
        "{text}"
    );
    // The session goes on.
    assert!(client.open(SEED).is_empty());
    client.shutdown();
}
