#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! `handoff simulate --emit-events` and `handoff replay`: an emitted log replays with the same
//! leads, a bad line is reported with its number and skipped, a re-sent line is dropped, and `replay --store --verify`
//! passes on a store written by `run --clock events` and names the lead of a tampered action.

mod cli_support;
mod live_support;

use cli_support::{handoff, stderr, stdout};
use serde_json::Value;
use std::path::Path;

const SEED: &str = "playbooks/seed-matrix.playbook";

fn simulate(events: &Path, replications: &str) -> std::process::Output {
    handoff()
        .args([
            "simulate", SEED, "--days", "3", "--seed", "5", "--format", "json",
        ])
        .args([
            "--replications",
            replications,
            "--threads",
            "2",
            "--emit-events",
        ])
        .arg(events)
        .output()
        .unwrap()
}

#[test]
fn an_emitted_log_replays_with_the_simulated_leads() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let out = simulate(&events, "1");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&events).unwrap();
    let created = text
        .lines()
        .filter(|l| l.contains("\"handoff.lead.created\""))
        .count();
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(created as u64, report["leads_arrived"].as_u64().unwrap());
    let out = handoff()
        .args([
            "replay",
            SEED,
            "--format",
            "json",
            "--until",
            "2026-01-08T00:00:00Z",
        ])
        .arg(&events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let replayed: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(replayed["leads"].as_u64().unwrap(), created as u64);
    assert_eq!(replayed["inputs"]["bad_lines"], 0);
    assert_eq!(replayed["inputs"]["refused"], 0);
    assert!(replayed["handoffs"].as_u64().unwrap() > 0);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // The same figures as CSV, one line a figure.
    let csv = handoff()
        .args([
            "replay",
            SEED,
            "--format",
            "csv",
            "--until",
            "2026-01-08T00:00:00Z",
        ])
        .arg(&events)
        .output()
        .unwrap();
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("kpi,group,unit,value,n"));
    let handoffs = replayed["handoffs"].as_u64().unwrap();
    assert!(
        text.lines()
            .any(|l| l == format!("handoffs,,count,{handoffs},{handoffs}")),
        "{text}"
    );
    let by_rule: u64 = (text.lines())
        .filter(|l| l.starts_with("handoffs,rule:"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(by_rule, handoffs, "{text}");
    assert!(lines.all(|l| l.split(',').count() == 5), "{text}");
}

#[test]
fn emitting_events_leaves_the_report_unchanged_and_emits_replication_one() {
    let dir = tempfile::tempdir().unwrap();
    let (one, three) = (dir.path().join("1.jsonl"), dir.path().join("3.jsonl"));
    let with = simulate(&three, "3");
    let without = handoff()
        .args([
            "simulate", SEED, "--days", "3", "--seed", "5", "--format", "json",
        ])
        .args(["--replications", "3", "--threads", "2"])
        .output()
        .unwrap();
    assert!(with.status.success(), "{}", stderr(&with));
    assert_eq!(stdout(&with), stdout(&without));
    simulate(&one, "1");
    assert_eq!(
        std::fs::read_to_string(&one).unwrap(),
        std::fs::read_to_string(&three).unwrap()
    );
}

/// A lead's creation, and a line with a misspelt value.
const GOOD: &str = r#"{"id":"1","source":"crm","type":"handoff.lead.created","lead":"L-1","time":"2026-06-01T09:00:00Z","data":{"segment":"smb"}}"#;
const TYPO: &str = r#"{"id":"2","source":"crm","type":"form_submit","lead":"L-1","time":"2026-06-01T09:05:00Z","data":{"kind":"demoo"}}"#;

#[test]
fn a_bad_line_is_reported_with_its_number_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let ghost = r#"{"id":"3","source":"crm","type":"page_view","lead":"L-9","time":"2026-06-01T09:06:00Z"}"#;
    std::fs::write(&events, format!("{GOOD}\n{TYPO}\n{ghost}\n{GOOD}\n")).unwrap();
    let out = handoff()
        .args(["replay", SEED, "--format", "json"])
        .arg(&events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 2: `data.kind`"), "{err}");
    assert!(err.contains("(did you mean `demo`?)"), "{err}");
    assert!(err.contains("line 3: `lead`: unknown lead"), "{err}");
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["leads"], 1);
    assert_eq!(report["inputs"]["applied"], 1);
    assert_eq!(report["inputs"]["bad_lines"], 1);
    assert_eq!(report["inputs"]["refused"], 1);
    assert_eq!(report["inputs"]["duplicates"], 1);
}

fn run_store(store: &Path, events: &Path, clock: &str) {
    let out = handoff()
        .args(["run", SEED, "--clock", clock, "--quiet", "--store"])
        .arg(store)
        .arg("--events")
        .arg(events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn verify(store: &Path) -> std::process::Output {
    handoff()
        .args(["replay", "--verify", "--format", "json", "--store"])
        .arg(store)
        .output()
        .unwrap()
}

#[test]
fn a_store_written_with_event_times_verifies_and_a_tampered_action_names_its_lead() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let lines = live_support::seed_log(11, 60);
    std::fs::write(&events, lines.join("\n") + "\n").unwrap();
    let store = dir.path().join("store.db");
    run_store(&store, &events, "events");
    let out = verify(&store);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("verified: "), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["leads"], 60);

    let db = rusqlite::Connection::open(&store).unwrap();
    let (n, lead): (i64, String) = db
        .query_row(
            "SELECT o.n, l.key FROM outbox o JOIN leads l ON l.lead = o.lead \
             WHERE o.line LIKE '%\"enqueue\"%' ORDER BY o.n LIMIT 1 OFFSET 5",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE outbox SET line = replace(line, '\"priority\":', '\"priority\":1') WHERE n = ?1",
        [n],
    )
    .unwrap();
    drop(db);
    let out = verify(&store);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("lead `{lead}` diverges at input")),
        "{err}"
    );
    assert!(err.contains(&format!("outbox row {n}")), "{err}");
}

#[test]
fn a_store_written_by_the_wall_clock_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, live_support::seed_log(3, 5).join("\n") + "\n").unwrap();
    let store = dir.path().join("store.db");
    run_store(&store, &events, "wall");
    let out = verify(&store);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("`--clock wall`"), "{}", stderr(&out));
}

/// A store that ran the seed playbook, then (a second `run`) a version with a longer SLA and a
/// renamed track, deployed with `--map`.
fn deployed_store(dir: &Path) -> std::path::PathBuf {
    let events = dir.join("events.jsonl");
    let lines = live_support::seed_log(5, 20);
    let (first, rest) = lines.split_at(lines.len() / 2);
    std::fs::write(&events, first.join("\n") + "\n").unwrap();
    let store = dir.join("store.db");
    run_store(&store, &events, "events");
    let changed = dir.join("changed.playbook");
    let text = std::fs::read_to_string(SEED).unwrap();
    assert!(text.contains("  sla 15m") && text.contains("early_awareness"));
    let text = text
        .replace("  sla 15m", "  sla 20m")
        .replace("early_awareness", "first_touch");
    std::fs::write(&changed, text).unwrap();
    let later = dir.join("later.jsonl");
    std::fs::write(&later, rest.join("\n") + "\n").unwrap();
    let out = handoff()
        .args(["run", "--clock", "events", "--quiet", "--store"])
        .arg(&store)
        .arg(&changed)
        .args(["--map", "track:early_awareness=first_touch", "--events"])
        .arg(&later)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    store
}

#[test]
fn a_store_that_crossed_a_deploy_verifies_under_its_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = deployed_store(dir.path());
    let db = rusqlite::Connection::open(&store).unwrap();
    let after: i64 = db
        .query_row("SELECT count(*) FROM inputs WHERE version = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(after > 0, "no input ran under the new version");
    let out = verify(&store);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["leads"], 20);
    assert_eq!(report["playbook"], "seed_matrix");

    // An action taken under the new version, changed: the lead and the input are named.
    let (n, lead): (i64, String) = db
        .query_row(
            "SELECT o.n, l.key FROM outbox o JOIN leads l ON l.lead = o.lead \
             WHERE o.line LIKE '%first_touch%' ORDER BY o.n DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    db.execute(
        "UPDATE outbox SET line = replace(line, 'first_touch', 'early_awareness') WHERE n = ?1",
        [n],
    )
    .unwrap();
    let out = verify(&store);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("lead `{lead}` diverges at input")),
        "{err}"
    );

    // Without the deploy's renames the deploy cannot be redone: the input it stops at is named.
    db.execute("DELETE FROM meta WHERE key = 'renames.2'", [])
        .unwrap();
    let out = verify(&store);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the replay stops at input "), "{err}");
    assert!(err.contains("the deploy to version 2 refused"), "{err}");
}

#[test]
fn a_lead_is_explained_with_the_lines_of_its_rules_and_an_unknown_lead_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    assert!(simulate(&events, "1").status.success());
    let text = std::fs::read_to_string(&events).unwrap();
    let pickup = text
        .lines()
        .find(|l| l.contains("handoff.seller.pickup"))
        .unwrap();
    let lead = serde_json::from_str::<Value>(pickup).unwrap()["lead"]
        .as_str()
        .unwrap()
        .to_owned();
    let explain = |lead: &str, format: &str| {
        handoff()
            .args(["replay", SEED, "--explain", lead, "--format", format])
            .arg(&events)
            .output()
            .unwrap()
    };
    let out = explain(&lead, "table");
    assert!(out.status.success(), "{}", stderr(&out));
    let story = stdout(&out);
    assert!(
        story.starts_with(&format!("lead `{lead}` · seed_matrix")),
        "{story}"
    );
    assert!(story.contains("  why  rule `"), "{story}");
    assert!(
        story.contains("[playbooks/seed-matrix.playbook:"),
        "{story}"
    );
    assert!(story.contains("  why  SLA due "), "{story}");
    let out = explain(&lead, "json");
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["lead"], lead.as_str());
    assert!(json["chapters"].as_array().unwrap().len() > 2);
    let out = explain("nobody", "table");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lead `nobody`"), "{}", stderr(&out));
}

#[test]
fn a_history_against_a_new_playbook_lists_the_leads_that_differ_and_gates_on_kpis() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    assert!(simulate(&events, "1").status.success());
    // A shorter SLA, enterprise leads to another queue, and seller `ana` renamed.
    let text = std::fs::read_to_string(SEED).unwrap();
    let new_text = text
        .replace("  sla 15m", "  sla 5m")
        .replace(
            "when segment = enterprise to enterprise_ae",
            "when segment = enterprise to abm_team",
        )
        .replace("members ana, ben", "members anna, ben")
        .replace("as ana\n", "as anna\n")
        .replace("to ana\n", "to anna\n");
    let new = dir.path().join("new.playbook");
    std::fs::write(&new, new_text).unwrap();
    let against = |format: &str, fail_if: &[&str]| {
        let mut cmd = handoff();
        cmd.args([
            "replay",
            SEED,
            "--until",
            "2026-01-08T00:00:00Z",
            "--against",
        ])
        .arg(&new)
        .args(["--format", format])
        .arg(&events);
        for f in fail_if {
            cmd.args(["--fail-if", f]);
        }
        cmd.output().unwrap()
    };
    let out = against("json", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let differing = doc["differing"].as_array().unwrap();
    assert!(!differing.is_empty());
    let changed = |what: &str| {
        differing.iter().any(|d| {
            (d["changes"].as_array().unwrap())
                .iter()
                .any(|c| c["what"] == what)
        })
    };
    assert!(changed("sla_due") && changed("route"), "{differing:?}");
    assert!(
        doc["candidate"]["inputs"]["unnamed_pickups"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(doc["base"]["inputs"]["unnamed_pickups"], 0);
    let keys: Vec<&str> = (doc["kpis"].as_array().unwrap().iter())
        .map(|k| k["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"leakage") && keys.contains(&"sla_attainment"));

    // Guardrails as `compare`: a breach exits 1 and is named; a loose one passes.
    let out = against("table", &["sla_attainment < -100pp", "handoffs > 0"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains("guardrail breached: handoffs > 0"),
        "{table}"
    );
    assert!(!table.contains("breached: sla_attainment"), "{table}");
    let out = against("markdown", &["handoffs > +1000"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("### handoff replay --against"));
    let out = against("table", &["nonsense > 1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // `--fail-if` needs `--against`.
    let out = handoff()
        .args(["replay", SEED, "--fail-if", "leakage > 1%"])
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn out_writes_the_report_files_as_simulate_does() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    assert!(simulate(&events, "1").status.success());
    let out_dir = dir.path().join("report");
    let out = handoff()
        .args(["replay", SEED, "--format", "json", "--out"])
        .arg(&out_dir)
        .arg(&events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(out_dir.join("report.json")).unwrap();
    assert_eq!(written, stdout(&out));
    let csv = std::fs::read_to_string(out_dir.join("kpis.csv")).unwrap();
    assert!(
        csv.starts_with("kpi,group,unit,mean,ci_low,ci_high,n\r\n"),
        "{csv}"
    );
    assert!(csv.contains("\r\nleakage,,fraction,"), "{csv}");
    for chart in ["cdf-first-touch.svg", "funnel.svg", "handoffs-by-rule.svg"] {
        let svg = std::fs::read_to_string(out_dir.join(chart)).unwrap();
        assert!(svg.contains("<svg"), "{chart}");
    }
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(
        html.contains("seller_utilisation"),
        "the page says what history cannot give"
    );
}

/// A `--against` playbook that cannot be read is an error (exit 2) with the file named, never
/// taken for a breached guardrail (exit 1).
#[test]
fn an_unreadable_new_playbook_is_an_error_not_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let line = r#"{"id":"1","source":"crm","type":"handoff.lead.created","lead":"L-1","time":"2026-06-01T09:00:00Z","data":{"segment":"smb"}}"#;
    std::fs::write(&events, format!("{line}\n")).unwrap();
    let missing = dir.path().join("missing.playbook");
    let out = handoff()
        .args(["replay", SEED, "--against"])
        .arg(&missing)
        .arg(&events)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("missing.playbook"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn against_a_new_playbook_a_bad_line_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    std::fs::write(&events, format!("{GOOD}\n{TYPO}\nnot json\n")).unwrap();
    let out = handoff()
        .args(["replay", SEED, "--against", SEED])
        .arg(&events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("line 2: `data.kind`").count(), 1, "{err}");
    assert_eq!(
        err.matches("line 3: expected a JSON object").count(),
        1,
        "{err}"
    );
    // Each replay still counts its skipped lines.
    assert_eq!(err.matches("2 lines skipped").count(), 2, "{err}");
    assert!(
        stdout(&out).starts_with("1 leads replayed"),
        "{}",
        stdout(&out)
    );
}
