//! `handoff simulate` as scripts and CI see it: exit codes, determinism of the JSON across thread
//! counts, `--out` files and clear errors for bad options.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod cli_support;
use cli_support::{run, stderr, stdout};

use std::fs;
use std::path::PathBuf;
use std::process::Output;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SEED: &str = "playbooks/seed-matrix.playbook";

fn quick(extra: &[&str]) -> Output {
    let mut args = vec!["simulate", SEED, "--days", "15", "--replications", "3"];
    args.extend_from_slice(extra);
    run(&args, &repo())
}

#[test]
fn json_is_byte_identical_for_any_thread_count() {
    let one = quick(&["--format", "json", "--threads", "1", "--seed", "9"]);
    let two = quick(&["--format", "json", "--threads", "2", "--seed", "9"]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(two.status.code(), Some(0));
    assert_eq!(stdout(&one), stdout(&two));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(doc["format_version"], 1);
    assert_eq!(doc["inputs"]["scenario"], "baseline");
    assert_eq!(doc["inputs"]["seed"], 9);
    assert_eq!(doc["inputs"]["replications"], 3);
    assert_eq!(doc["inputs"]["days"], 15.0);
    assert!(doc["leads_arrived"].as_u64().unwrap() > 3 * 15 * 100);
    assert!(doc["events_processed"].as_u64().unwrap() > doc["leads_arrived"].as_u64().unwrap());
    let kpis = doc["kpis"].as_array().unwrap();
    assert_eq!(kpis.len(), handoff::sim::kpi::ROWS.len());
    for k in kpis {
        assert!(k["mean"].is_number() || k["mean"].is_null());
        assert!(k.get("ci_low").is_some() && k.get("ci_high").is_some());
    }
    // The summary line goes to standard error, never into the JSON.
    assert!(stderr(&one).contains("engine events in 3 replications of `baseline`"));
}

#[test]
fn table_is_the_default_and_csv_is_long() {
    let table = quick(&[]);
    assert_eq!(table.status.code(), Some(0));
    let text = stdout(&table);
    assert!(text.starts_with("seed_matrix · scenario `baseline` · 3 replications · seed 1\n"));
    assert!(text.contains("\nleakage "));
    assert!(text.contains("\nby band "));
    assert!(text.contains("\nby queue "));
    let csv = quick(&["--format", "csv"]);
    let text = stdout(&csv);
    assert!(text.starts_with("kpi,group,unit,mean,ci_low,ci_high,n\r\n"));
    assert!(text.contains("\r\nsla_attainment,queue inbound_sdr,fraction,"));
    assert!(text.contains("\r\nleakage,band A,fraction,"));
}

#[test]
fn out_writes_the_summary_and_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    let out = quick(&["--format", "json", "--out", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(target.join("summary.json")).unwrap(),
        stdout(&out)
    );
    let csv = fs::read_to_string(target.join("kpis.csv")).unwrap();
    assert!(csv.starts_with("kpi,group,unit,mean,ci_low,ci_high,n\r\n"));
}

#[test]
fn bad_options_are_usage_errors() {
    for (args, message) in [
        (
            vec!["--leads", "0"],
            "error: `--leads` must be 1 to 2147483648, got `0`\n",
        ),
        (
            vec!["--replications", "20000"],
            "error: `--replications` must be 1 to 10000, got `20000`\n",
        ),
        (
            vec!["--replications", "0"],
            "error: `--replications` must be 1 to 10000, got `0`\n",
        ),
        (
            vec!["--threads", "0"],
            "error: `--threads` must be 1 to 256, got `0`\n",
        ),
        (
            vec!["--threads", "300"],
            "error: `--threads` must be 1 to 256, got `300`\n",
        ),
        (
            vec!["--scenario", "peak"],
            "error: no scenario `peak`; the playbook has `baseline`, `understaffed`, `scale`\n",
        ),
    ] {
        let mut full = vec!["simulate", SEED];
        full.extend(args.iter());
        let out = run(&full, &repo());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert_eq!(stdout(&out), "");
    }
    let both = run(&["simulate", SEED, "--leads", "5", "--days", "3"], &repo());
    assert_eq!(both.status.code(), Some(2));
    let missing = run(&["simulate", "missing.playbook"], &repo());
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        stderr(&missing),
        "error: `missing.playbook` does not exist\n"
    );
}

#[test]
fn a_playbook_with_errors_is_not_simulated() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bad.playbook"),
        "handoff x {\n  route to nowhere\n}\n",
    )
    .unwrap();
    let out = run(&["simulate", "bad.playbook"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nowhere"));
}

#[test]
fn the_mmc_playbook_meets_its_erlang_c_targets() {
    let out = run(
        &[
            "simulate",
            "playbooks/mmc.playbook",
            "--replications",
            "10",
            "--format",
            "json",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    for t in doc["targets"].as_array().unwrap() {
        assert_eq!(t["met"], true, "{t}");
    }
}

#[test]
fn a_run_past_the_lead_limit_is_refused_up_front() {
    // Three billion leads a year for a year: more than lead ids can number, refused before any
    // memory is spent rather than dropping arrivals.
    let dir = tempfile::tempdir().unwrap();
    let source = fs::read_to_string(repo().join("playbooks/mmc.playbook"))
        .unwrap()
        .replace(
            "source inbound 2 per hour",
            "source inbound 360000 per hour",
        );
    let file = dir.path().join("flood.playbook");
    fs::write(&file, source).unwrap();
    let out = run(
        &["simulate", file.to_str().unwrap(), "--days", "365"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // The overload warning (W0402) comes first; the refusal is the last line.
    assert!(
        stderr(&out).ends_with(
            "\nerror: the run would simulate about 3.154e9 leads per replication; the limit is \
             2.147e9: use fewer `--leads` or `--days`\n"
        ),
        "{}",
        stderr(&out)
    );
}

/// Issue 19: leads routed to a queue no seller staffs pile up for the whole horizon. The
/// checker warns (W0403), and the run stops with a clear error and exit 2 when too many leads
/// are alive, instead of aborting on a failed allocation; the warm-up pilot, which runs first,
/// is the one to stop (issue 25).
#[test]
fn a_queue_that_grows_without_bound_stops_the_run_with_a_message() {
    let out = run(
        &[
            "simulate",
            "tests/fixtures/sim/unstaffed_flood.playbook",
            "--replications",
            "2",
            "--max-leads-alive",
            "20000",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning[W0402]"), "{err}");
    assert!(err.contains("sends 24000 handoffs a day to queue `sdr`, which no seller staffs"));
    assert!(
        err.contains(
            "error: a pilot replication (run to choose the warm-up) stopped on simulated day 1: \
             more than 20000 leads were alive at once, 20001 of them waiting in queue `sdr`"
        ),
        "{err}"
    );
}

/// Issue 19: a budget of engine events makes an absurdly busy scenario a clear error, not a wait.
#[test]
fn a_run_past_its_event_budget_stops_with_a_message() {
    let out = quick(&["--max-events", "10000"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("used its budget of 10000 engine events; raise `--max-events`"),
        "{}",
        stderr(&out)
    );
}

/// Issue 19: with ten working minutes a day, handling runs past closing time; the warning gives
/// no share of working time in the thousands of percent. Issue 25: it is the growth the trend
/// test finds, in leads a day, even from two replications.
#[test]
fn an_overload_past_closing_time_is_told_as_growth() {
    let out = run(
        &[
            "simulate",
            "tests/fixtures/sim/few_hours.playbook",
            "--replications",
            "2",
        ],
        &repo(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    let warning = err
        .lines()
        .find(|l| l.starts_with("warning: simulate: queue `desk` grows in scenario `few`: about "))
        .expect("a growth warning");
    assert!(
        warning.contains("more leads waiting each day after the warm-up (one-sided t-test on the slopes of 2 replications"),
        "{warning}"
    );
    assert!(!warning.contains("% of their working time"), "{warning}");
}

/// Runs `handoff ARGS` under `ulimit -v KIB` (bash's address-space limit).
#[cfg(target_os = "linux")]
fn under_address_limit(kib: u32, args: &str) -> Output {
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -v {kib} && exec '{}' {args}",
            env!("CARGO_BIN_EXE_handoff")
        ))
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn many_threads_under_an_address_space_limit_do_not_abort() {
    // Each worker thread reserves address space before it runs anything; once aborted inside
    // the allocator. No more threads than replications start, and the count is cut to the limit.
    let few = under_address_limit(
        2_000_000,
        "simulate playbooks/mmc.playbook --threads 128 --replications 2 --days 5",
    );
    assert_eq!(few.status.code(), Some(0), "{}", stderr(&few));
    assert!(!stderr(&few).contains("warning"), "{}", stderr(&few));
    let many = under_address_limit(
        2_000_000,
        "simulate playbooks/mmc.playbook --threads 128 --replications 60 --days 5",
    );
    assert_eq!(many.status.code(), Some(0), "{}", stderr(&many));
    assert!(
        stderr(&many).starts_with("warning: using ")
            && stderr(&many).contains(" worker threads instead of 60: the address-space limit"),
        "{}",
        stderr(&many)
    );
    let out_of_range =
        under_address_limit(2_000_000, "simulate playbooks/mmc.playbook --threads 300");
    assert_eq!(out_of_range.status.code(), Some(2));
    assert_eq!(
        stderr(&out_of_range),
        "error: `--threads` must be 1 to 256, got `300`\n"
    );
}

/// A source following a shape arrives only when the shape is above zero (London office hours
/// on weekdays, not on the shape's holiday), lunch at half the level, and keeps its weekly
/// average over the ordinary weeks. Uniform arrivals, as before shapes, fail every part.
#[test]
fn shaped_arrivals_keep_to_the_shape() {
    use chrono::{Datelike, Timelike, Weekday};
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let out = run(
        &[
            "simulate",
            "tests/fixtures/sim/office_arrivals.playbook",
            "--replications",
            "1",
            "--emit-events",
            events.to_str().unwrap(),
        ],
        &repo(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&events).unwrap();
    let mut by_hour = [0u32; 24];
    let mut arrivals = 0u32;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["type"] != "handoff.lead.created" {
            continue;
        }
        arrivals += 1;
        let at = chrono::DateTime::parse_from_rfc3339(v["time"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono_tz::Europe::London);
        assert!(!matches!(at.weekday(), Weekday::Sat | Weekday::Sun), "{at}");
        assert!((9..17).contains(&at.hour()), "{at}");
        assert_ne!(at.date_naive().to_string(), "2026-01-14", "on the holiday");
        by_hour[at.hour() as usize] += 1;
    }
    // Four weeks of 200, less the holiday's 40 (a fifth of an ordinary week): 760 on average,
    // Poisson, so within four standard deviations (110).
    assert!((650..=870).contains(&arrivals), "{arrivals}");
    // Lunch runs at half the level of the hours around it.
    let lunch = f64::from(by_hour[12]);
    let around = f64::from(by_hour[11] + by_hour[13]) / 2.0;
    assert!(lunch < 0.75 * around && lunch > 0.3 * around, "{by_hour:?}");
}
