#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff run`, `status` and `lead` on real store files: the same log through the runner and
//! through the in-process ledger gives the same leads and actions; bad lines go to dead
//! letters; a locked, corrupt or newer store is refused; SIGTERM commits and exits 0.

mod live_support;

use assert_cmd::Command;
use handoff::engine::Engine;
use handoff::live::store::Store;
use live_support::{as_stored, delivered, reference, seed_log};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const SEED: &str = "playbooks/seed-matrix.playbook";

fn handoff() -> Command {
    Command::cargo_bin("handoff").unwrap()
}

fn write_log(dir: &Path, lines: &[String]) -> std::path::PathBuf {
    let path = dir.join("events.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn run_events(store: &Path, events: &Path, actions: &Path) -> std::process::Output {
    handoff()
        .args(["run", SEED, "--clock", "events", "--quiet"])
        .arg("--store")
        .arg(store)
        .arg("--events")
        .arg(events)
        .arg("--actions")
        .arg(actions)
        .output()
        .unwrap()
}

/// Runs the seed playbook on a file with `--clock events` and no `--actions`: the actions wait
/// in the outbox.
fn run_undelivered(store: &Path, events: &Path) -> std::process::Output {
    handoff()
        .args(["run", SEED, "--clock", "events", "--store"])
        .arg(store)
        .arg("--events")
        .arg(events)
        .output()
        .unwrap()
}

fn status(store: &Path) -> Value {
    let out = handoff()
        .args(["status", "--format", "json", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_runner_and_the_in_process_ledger_agree_and_two_runs_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let lines = seed_log(7, 150);
    let events = write_log(dir.path(), &lines);
    let (store_a, actions_a) = (dir.path().join("a.db"), dir.path().join("a.jsonl"));
    let (store_b, actions_b) = (dir.path().join("b.db"), dir.path().join("b.jsonl"));
    for (store, actions) in [(&store_a, &actions_a), (&store_b, &actions_b)] {
        let out = run_events(store, &events, actions);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let a = std::fs::read(&actions_a).unwrap();
    assert_eq!(
        a,
        std::fs::read(&actions_b).unwrap(),
        "two runs, two action logs"
    );

    let playbook = live_support_playbook();
    let (expected, expected_actions) = reference(&playbook, &lines);
    let got = delivered(&String::from_utf8(a).unwrap());
    assert_eq!(got.len(), expected_actions.len());
    assert!(
        got == expected_actions,
        "the delivered actions differ from the ledger's"
    );
    let stored = Store::open_read(&store_a)
        .unwrap()
        .load(Engine::new(&playbook).unwrap())
        .unwrap();
    assert_eq!(as_stored(stored.leads()), as_stored(expected.leads()));
    assert_eq!(stored.clock(), expected.clock());
    assert!(stored.len() >= 150, "every lead was created");
    let assigned = (expected.leads().iter())
        .filter(|l| {
            matches!(
                l.record.route.map(|r| r.holder),
                Some(handoff::ledger::Holder::Seller { .. })
            )
        })
        .count() as u64;
    let sellers = status(&store_a)["sellers"].as_array().unwrap().clone();
    let open: u64 = sellers.iter().map(|s| s["open"].as_u64().unwrap()).sum();
    assert_eq!(open, assigned, "open leads per seller, from the store");
    assert!(assigned > 0, "the log assigns some leads");
}

fn live_support_playbook() -> handoff::ir::Playbook {
    let text = std::fs::read_to_string(SEED).unwrap();
    handoff::check::compile(handoff::span::FileId(0), &text)
        .playbook
        .unwrap()
}

#[test]
fn bad_lines_go_to_dead_letters_and_repeats_are_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let created = r#"{"id":"1","source":"crm","type":"handoff.lead.created","lead":"L1","time":"2026-06-01T09:00:00Z","data":{"segment":"smb"}}"#;
    let lines = vec![
        created.to_owned(),
        r#"{"id":"2","source":"crm","type":"page_veiw","lead":"L1","time":"2026-06-01T09:05:00Z"}"#.to_owned(),
        r#"{"id":"3","source":"crm","type":"page_view","lead":"L2","time":"2026-06-01T09:06:00Z","data":{"category":"blog"}}"#.to_owned(),
        "not json".to_owned(),
        created.to_owned(),
        r#"{"id":"4","source":"crm","type":"page_view","lead":"L1","time":"2026-06-01T09:07:00Z","data":{"category":"pricing"}}"#.to_owned(),
    ];
    let events = write_log(dir.path(), &lines);
    let store = dir.path().join("s.db");
    let out = run_undelivered(&store, &events);
    assert!(out.status.success());
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("6 lines: 2 accepted") && summary.contains("1 duplicates, 3 dead letters"),
        "{summary}"
    );
    let s = status(&store);
    assert_eq!(s["dead_letters"], 3);
    assert_eq!(s["inputs"], 2);
    assert_eq!(
        s["undelivered"], s["actions"],
        "no --actions: everything waits"
    );
    let conn = rusqlite::Connection::open(&store).unwrap();
    let errors: Vec<(i64, String)> = conn
        .prepare("SELECT line, error FROM dead_letters ORDER BY n")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(errors[0].0, 2);
    assert!(
        errors[0].1.contains("did you mean `page_view`"),
        "{}",
        errors[0].1
    );
    assert_eq!(errors[1].0, 3);
    assert!(errors[1].1.contains("unknown lead"), "{}", errors[1].1);
    assert_eq!(errors[2].0, 4);

    // A second run of the same file reads nothing again; the store is where it was.
    let again = run_undelivered(&store, &events);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 lines"));
    // The same lines re-sent on standard input are dropped as repeats.
    let resent = handoff()
        .args(["run", SEED, "--clock", "events", "--store"])
        .arg(&store)
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&resent.stderr).contains("0 accepted"),
        "{}",
        String::from_utf8_lossy(&resent.stderr)
    );
    assert_eq!(status(&store)["inputs"], 2);
}

#[test]
fn lead_shows_state_timers_inputs_and_actions_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let events = write_log(dir.path(), &seed_log(3, 20));
    let store = dir.path().join("s.db");
    let out = run_events(&store, &events, &dir.path().join("a.jsonl"));
    assert!(out.status.success());
    let view = handoff()
        .args([
            "lead", "L-0", "--last", "1000", "--format", "json", "--store",
        ])
        .arg(&store)
        .output()
        .unwrap();
    assert!(view.status.success());
    let view: Value = serde_json::from_slice(&view.stdout).unwrap();
    assert_eq!(view["lead"], "L-0");
    assert_eq!(view["inputs"][0]["event"]["type"], "handoff.lead.created");
    assert_eq!(view["actions"][0]["action"], "entered_track");
    assert!(view["state"]["attributes"]["segment"].is_string());
    let missing = handoff()
        .args(["lead", "nobody", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no lead `nobody`"));
    let table = handoff()
        .args(["status", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("seed_matrix (version 1)") && text.contains("by stage"),
        "{text}"
    );
}

#[test]
fn a_corrupt_or_missing_store_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.db");
    std::fs::write(&bad, vec![b'x'; 8192]).unwrap();
    let out = handoff()
        .args(["run", SEED, "--store"])
        .arg(&bad)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a readable handoff store"), "{err}");
    assert_eq!(
        std::fs::read(&bad).unwrap(),
        vec![b'x'; 8192],
        "nothing written"
    );
    let out = handoff()
        .args(["status", "--store"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
}

/// Waits until `f` holds, for at most 20 s.
fn eventually(f: impl Fn() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_runner_is_refused_and_sigterm_commits_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db");
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args(["run", SEED, "--clock", "events", "--follow", "--store"])
        .arg(&store)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = first.stdin.take().unwrap();
    for line in seed_log(5, 10) {
        writeln!(stdin, "{line}").unwrap();
    }
    stdin.flush().unwrap();
    eventually(|| {
        Store::open_read(&store)
            .is_ok_and(|s| handoff::live::status::status(&s, 0).is_ok_and(|s| s.leads == 10))
    });
    let second = handoff()
        .args(["run", SEED, "--store"])
        .arg(&store)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&second.stderr).contains("in use by another `handoff run`"));

    let term = std::process::Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = first.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("run stopped"));
    drop(stdin);
    assert_eq!(status(&store)["leads"], 10);
}

#[test]
fn a_changed_playbook_carries_every_lead_over_by_name_or_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let events = write_log(dir.path(), &seed_log(9, 30));
    let store = dir.path().join("s.db");
    assert!(run_events(&store, &events, &dir.path().join("a.jsonl"))
        .status
        .success());
    let before = status(&store);
    let renamed = dir.path().join("renamed.playbook");
    let text = std::fs::read_to_string(SEED)
        .unwrap()
        .replace("early_awareness", "first_touch");
    std::fs::write(&renamed, text).unwrap();
    let run = |extra: &[&str]| {
        handoff()
            .arg("run")
            .arg(&renamed)
            .args(["--clock", "events", "--store"])
            .arg(&store)
            .args(extra)
            .write_stdin("")
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("cannot be carried over") && err.contains("early_awareness"),
        "{err}"
    );
    assert!(err.contains("--map"), "{err}");
    assert_eq!(
        status(&store)["version"],
        before["version"],
        "the store is as it was"
    );

    let carried = run(&["--map", "track:early_awareness=first_touch"]);
    let err = String::from_utf8_lossy(&carried.stderr);
    assert!(carried.status.success(), "{err}");
    assert!(
        err.contains("deployed: every lead was carried over"),
        "{err}"
    );
    let after = status(&store);
    assert_eq!(after["version"], 2);
    assert_eq!(after["leads"], before["leads"]);
    assert_eq!(after["stages"], before["stages"]);
    let lead = handoff()
        .args(["lead", "L-29", "--format", "json", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let lead: Value = serde_json::from_slice(&lead.stdout).unwrap();
    assert_ne!(lead["state"]["track"], "early_awareness");

    let bad_map = run(&["--map", "nothing"]);
    assert_eq!(bad_map.status.code(), Some(2));
}

/// A full disk, made real with a small tmpfs in a private mount namespace (`unshare`, which
/// needs no privileges where user namespaces are allowed, as on the CI machine).
#[test]
fn a_full_disk_stops_the_runner_with_exit_2_and_leaves_a_readable_store() {
    let dir = tempfile::tempdir().unwrap();
    let events = write_log(dir.path(), &seed_log(1, 600));
    let mount = dir.path().join("small");
    std::fs::create_dir(&mount).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("handoff");
    let script = format!(
        "mount -t tmpfs -o size=1m tmpfs {m} && \
         {bin} run {SEED} --clock events --batch 50 --store {m}/s.db --events {e} --actions {m}/a.jsonl; \
         echo \"rc=$?\" >&2; {bin} status --format json --store {m}/s.db",
        m = mount.display(),
        bin = bin.display(),
        e = events.display(),
    );
    let out = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux) runs the runner on a small tmpfs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rc=2"), "{err}");
    assert!(err.contains("is full"), "{err}");
    let status: Value = serde_json::from_slice(&out.stdout).expect(&err);
    assert!(
        status["inputs"].as_u64().unwrap() > 0,
        "some batches committed before: {status} {err}"
    );
    assert!(
        status["leads"].as_u64().unwrap() < 600,
        "and not all of them"
    );
}

/// After downtime the wall-clock runner reads a backlog of lines that happened while it was
/// down: they are applied in their own time order with the timers due between them, before the
/// clock jumps to now, however the backlog falls into batches.
#[test]
fn a_backlog_read_after_downtime_is_applied_in_time_order_before_timers_due_later() {
    let dir = tempfile::tempdir().unwrap();
    let t = chrono::Utc::now().timestamp() - 7_200;
    let at = |s: i64| handoff::engine::utc(t + s);
    let lines = [
        format!(
            r#"{{"id":"1","source":"crm","type":"handoff.lead.created","lead":"L","time":"{}"}}"#,
            at(0)
        ),
        format!(
            r#"{{"id":"2","source":"crm","type":"form_submit","lead":"L","time":"{}","data":{{"kind":"demo"}}}}"#,
            at(60)
        ),
        format!(
            r#"{{"id":"3","source":"crm","type":"handoff.seller.pickup","lead":"L","time":"{}"}}"#,
            at(600)
        ),
    ];
    let events = write_log(dir.path(), &lines);
    let view = |batch: &str| {
        let store = dir.path().join(format!("b{batch}.db"));
        let out = handoff()
            .args(["run", SEED, "--batch", batch, "--store"])
            .arg(&store)
            .arg("--events")
            .arg(&events)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lead = handoff()
            .args(["lead", "L", "--format", "json", "--store"])
            .arg(&store)
            .output()
            .unwrap();
        let lead: Value = serde_json::from_slice(&lead.stdout).unwrap();
        lead["state"]["stage"].clone()
    };
    let whole = view("100");
    assert_eq!(
        whole["breaches"], 0,
        "picked up 9 minutes into a 15-minute SLA: {whole}"
    );
    assert_eq!(whole["stage"], "working");
    assert_eq!(view("1"), whole, "one line a batch gives the same lead");
}

#[test]
fn following_a_file_applies_lines_as_they_are_appended() {
    let dir = tempfile::tempdir().unwrap();
    let lines = seed_log(4, 12);
    let (first, rest) = lines.split_at(lines.len() / 2);
    let events = write_log(dir.path(), first);
    std::fs::create_dir(dir.path().join("whole")).unwrap();
    let store = dir.path().join("s.db");
    let mut runner = std::process::Command::new(assert_cmd::cargo::cargo_bin("handoff"))
        .args([
            "run", SEED, "--clock", "events", "--follow", "--quiet", "--store",
        ])
        .arg(&store)
        .arg("--events")
        .arg(&events)
        .spawn()
        .unwrap();
    let playbook = live_support_playbook();
    let holds = |lines: &[String]| {
        let (expected, _) = reference(&playbook, lines);
        Store::open_read(&store).is_ok_and(|s| {
            s.load(Engine::new(&playbook).unwrap())
                .is_ok_and(|l| as_stored(l.leads()) == as_stored(expected.leads()))
        })
    };
    eventually(|| holds(first));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&events)
        .unwrap();
    // Half a line first: the runner waits for its end before it reads the line.
    let (head, tail) = rest[0].split_at(rest[0].len() / 2);
    write!(file, "{head}").unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(holds(first), "a half-written line is not read");
    write!(file, "{tail}\n{}\n", rest[1..].join("\n")).unwrap();
    file.flush().unwrap();
    eventually(|| holds(&lines));
    let term = std::process::Command::new("kill")
        .args(["-TERM", &runner.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    assert!(runner.wait().unwrap().success());
    // No line was read in two parts: the dead letters are those of the whole file read at once.
    let whole = write_log(&dir.path().join("whole"), &lines);
    let once = dir.path().join("once.db");
    assert!(run_events(&once, &whole, &dir.path().join("once.jsonl"))
        .status
        .success());
    assert_eq!(
        status(&store)["dead_letters"],
        status(&once)["dead_letters"]
    );
}

/// Actions committed by a run that did not deliver them (no `--actions`, or killed between its
/// commit and its delivery) go out at the start of the next run, even with nothing new to read.
#[test]
fn a_later_run_delivers_what_an_earlier_one_committed() {
    let dir = tempfile::tempdir().unwrap();
    let events = write_log(dir.path(), &seed_log(2, 10));
    let store = dir.path().join("s.db");
    let out = run_undelivered(&store, &events);
    assert!(out.status.success());
    let waiting = status(&store)["undelivered"].as_u64().unwrap();
    assert!(waiting > 0);
    let actions = dir.path().join("a.jsonl");
    assert!(run_events(&store, &events, &actions).status.success());
    assert_eq!(status(&store)["undelivered"], 0);
    let delivered = std::fs::read_to_string(&actions).unwrap().lines().count() as u64;
    assert_eq!(delivered, waiting);
}

#[test]
fn a_line_that_is_not_utf8_is_a_dead_letter_not_a_guess() {
    let dir = tempfile::tempdir().unwrap();
    let created = r#"{"id":"1","source":"crm","type":"handoff.lead.created","lead":"L1","time":"2026-06-01T09:00:00Z"}"#;
    let mut bytes = format!("{created}\n").into_bytes();
    // A valid line but for one byte in a text value that is not UTF-8.
    bytes.extend_from_slice(br#"{"id":"2","source":"crm","type":"handoff.lead.updated","lead":"L1","time":"2026-06-01T09:01:00Z","data":{"title":"Head of "#);
    bytes.push(0xff);
    bytes.extend_from_slice(b"\"}}\n");
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, bytes).unwrap();
    let store = dir.path().join("s.db");
    let out = run_undelivered(&store, &events);
    assert!(out.status.success());
    assert_eq!(status(&store)["inputs"], 1);
    let conn = rusqlite::Connection::open(&store).unwrap();
    let (line, error): (i64, String) = conn
        .query_row("SELECT line, error FROM dead_letters", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (line, error.as_str()),
        (2, "line 2: the line is not UTF-8 text")
    );
}
