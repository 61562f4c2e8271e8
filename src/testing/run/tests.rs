#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::span::FileId;

/// Runs the tests of `tests` appended to the seed playbook, or the seed's own without any.
fn run_seed(tests: &str) -> Vec<Outcome> {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap() + tests;
    let compiled = crate::check::compile(FileId(0), &src);
    let playbook = compiled.playbook.expect("the test text checks");
    let engine = Engine::new(&playbook).unwrap();
    let ours = (compiled.tests.iter()).filter(|c| tests.is_empty() || c.name.starts_with("unit:"));
    ours.map(|c| run(&engine, c)).collect()
}

#[test]
fn every_shipped_seed_test_passes() {
    let outcomes = run_seed("");
    assert!(outcomes.len() >= 2);
    let playbook = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let tests = std::fs::read_to_string("playbooks/seed-matrix.tests").unwrap();
    let compiled = crate::check::compile_tests((FileId(1), &tests), Ok((FileId(0), &playbook)));
    assert_eq!(compiled.diagnostics, []);
    let engine = Engine::new(&compiled.playbook.unwrap()).unwrap();
    assert!(compiled.tests.len() >= 9);
    for outcome in (outcomes.into_iter()).chain(compiled.tests.iter().map(|c| run(&engine, c))) {
        assert_eq!(outcome.failure, None);
    }
}

#[test]
fn a_failure_gives_expected_actual_and_the_trace_up_to_it() {
    let outcomes = run_seed(
        r#"
test "unit: breach count" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  after 20m
  expect breaches 2
  seller picks up as ana
}
"#,
    );
    let failure = outcomes[0].failure.clone().unwrap();
    assert_eq!(failure.expected, "breaches 2");
    assert_eq!(failure.actual, "breaches 1");
    let trace = &outcomes[0].trace;
    assert!(trace
        .iter()
        .any(|t| t.at == "2026-06-01 09:15" && t.text.starts_with("sla breached")));
    assert!(
        !trace.iter().any(|t| t.text.starts_with("first touch")),
        "the trace stops at the failure: {trace:?}"
    );
}

#[test]
fn a_breach_step_not_taken_lists_the_steps_that_were() {
    let outcomes = run_seed(
        r#"
test "unit: breach steps" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  expect breaches 0
  after 16m
  expect requeued
  expect escalated to abm_team
}
"#,
    );
    let failure = outcomes[0].failure.clone().unwrap();
    assert_eq!(failure.expected, "escalated to abm_team");
    assert_eq!(
        failure.actual,
        "the latest breach: rescued with momentum_rescue, requeued to inbound_sdr"
    );
}

#[test]
fn timers_due_by_an_input_fire_before_it() {
    // The SLA is due at 09:15; a pickup at 09:15 comes after the breach.
    let outcomes = run_seed(
        r#"
test "unit: pickup at the deadline" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  at 2026-06-01 09:15
  seller picks up as ana
  expect breaches 1
  expect assigned to ana
}
"#,
    );
    assert_eq!(outcomes[0].failure, None);
}

#[test]
fn an_input_the_engine_ignores_is_in_the_trace() {
    let outcomes = run_seed(
        r#"
test "unit: pickup without a handoff" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  seller picks up
  expect no handoff
}
"#,
    );
    assert_eq!(outcomes[0].failure, None);
    assert!(outcomes[0]
        .trace
        .iter()
        .any(|t| t.text == "ignored seller picks up: wrong stage"));
}

#[test]
fn business_time_skips_the_weekend() {
    // Friday 17:00 plus one business hour is Monday 09:30 (London closes at 17:30), and a
    // business day from Friday 17:00 ends on Monday at 17:00.
    let outcomes = run_seed(
        r#"
test "unit: business hours" {
  given lead fay from smb_ops {
segment enterprise
employees 500
  }
  at 2026-06-05 17:00
  event page_view {
category pricing
  }
  expect sla due 2026-06-08 17:00
  after 1bh
  expect sla due within 450m
  expect breaches 0
}
"#,
    );
    assert_eq!(outcomes[0].failure, None);
}

#[test]
fn coverage_names_the_rule_router_line_breach_steps_and_tracks_a_test_reached() {
    use crate::ir::{HandoffId, RouterId, TrackId};
    use crate::testing::Part;
    let outcomes = run_seed(
        r#"
test "unit: a breach" {
  given lead ben from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  after 20m
  expect breaches 1
}
"#,
    );
    let reached = &outcomes[0].reached;
    // hand_raise is the first rule, `otherwise to inbound_sdr` the router's fourth line.
    assert!(reached.contains(Part::Rule(HandoffId(0))));
    assert!(reached.contains(Part::RouterLine(RouterId(0), 3)));
    assert!(!reached.contains(Part::RouterLine(RouterId(0), 2)));
    // rescue, requeue and notify ran; the limit of two breaches did not.
    for step in 0..3 {
        assert!(
            reached.contains(Part::BreachStep(HandoffId(0), step)),
            "{step}"
        );
    }
    assert!(!reached.contains(Part::BreachLimit(HandoffId(0))));
    // early_awareness was entered at arrival and left at the handoff; the rescue entered.
    assert!(reached.contains(Part::TrackLeft(TrackId(0))));
    assert!(reached.contains(Part::TrackEntered(TrackId(4))));
    assert!(
        !reached.contains(Part::TrackLeft(TrackId(4))),
        "{:?}",
        outcomes[0].trace
    );
}

#[test]
fn context_expectations_read_the_package_attached_last() {
    let outcomes = run_seed(
        r#"
test "unit: context" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  expect context hand_raise_brief
  expect context why now hand_raise on inbound_reply
  expect context signal inbound_reply
  expect context last touch email
  expect context mql_brief
}
"#,
    );
    let failure = outcomes[0].failure.clone().unwrap();
    assert_eq!(failure.expected, "context mql_brief");
    assert!(
        failure
            .actual
            .starts_with("context hand_raise_brief; why hand_raise on inbound_reply"),
        "{}",
        failure.actual
    );
}

#[test]
fn a_context_package_or_field_no_handoff_attaches_can_never_hold() {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap()
        + r#"
test "unit: context never attached" {
  given lead ada from smb_ops
  at 2026-06-01 09:00
  event inbound_reply
  expect context field country "GB"
}
"#;
    let diags = crate::check::compile(FileId(0), &src).diagnostics;
    let d = diags.iter().find(|d| d.code.as_str() == "E0706").unwrap();
    assert_eq!(d.message, "no context package includes `country`");
}

#[test]
fn an_at_behind_the_clock_after_business_days_fails_the_test() {
    let outcomes = run_seed(
        r#"
test "unit: at behind the clock" {
  given lead ada from smb_ops
  at 2026-06-05 17:00
  after 1bd
  at 2026-06-06 09:00
  expect no handoff
}
"#,
    );
    let failure = outcomes[0].failure.clone().unwrap();
    assert_eq!(failure.expected, "at 2026-06-06 09:00");
    assert!(
        failure
            .actual
            .starts_with("the clock already at 2026-06-08"),
        "{failure:?}"
    );
}
