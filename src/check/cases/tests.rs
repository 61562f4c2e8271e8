#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use crate::check::compile;
use crate::span::FileId;

/// The seed playbook with its tests, and the same text without them.
fn seed_with_and_without_tests() -> (String, String) {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let cut = src.find("\nfixture ").expect("the seed has tests");
    (src.clone(), src[..cut].to_string())
}

#[test]
fn tests_leave_the_ir_and_its_fingerprint_unchanged() {
    let (with, without) = seed_with_and_without_tests();
    let with = compile(FileId(0), &with);
    let without = compile(FileId(0), &without);
    assert!(!with.tests.is_empty() && without.tests.is_empty());
    let (a, b) = (with.playbook.unwrap(), without.playbook.unwrap());
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn instants_are_read_in_the_default_calendars_zone() {
    let (with, _) = seed_with_and_without_tests();
    let compiled = compile(FileId(0), &with);
    let first = &compiled.tests[0];
    // 09:00 in London in June is 08:00 UTC.
    let at = first.steps.iter().find_map(|s| match s.kind {
        crate::testing::StepKind::At(t) => Some(t),
        _ => None,
    });
    assert_eq!(at, Some(1_780_300_800));
}

#[test]
fn business_days_after_are_whole_days() {
    let (with, _) = seed_with_and_without_tests();
    let src = with.replace(
        "  expect breaches 0\n",
        "  after 1.5bd\n  expect breaches 0\n",
    );
    let diags = compile(FileId(0), &src).diagnostics;
    assert!(
        diags
            .iter()
            .any(|d| d.message == "business days are whole days"),
        "{diags:?}"
    );
}

#[test]
fn an_at_behind_the_clock_after_moved_is_e0702() {
    let (with, _) = seed_with_and_without_tests();
    let src = with.replace(
        "  expect assigned to ana\n",
        "  expect assigned to ana\n  after 1h\n  at 2026-06-01 09:30\n",
    );
    let diags = compile(FileId(0), &src).diagnostics;
    let d = diags.iter().find(|d| d.code.as_str() == "E0702").unwrap();
    assert_eq!(
        d.message,
        "`2026-06-01 09:30` is earlier than the test's clock"
    );
    assert_eq!(
        d.labels[1].message,
        "`after` already moved the clock past it"
    );
}

#[test]
fn an_instant_can_name_a_calendar_or_an_iana_zone() {
    let (with, _) = seed_with_and_without_tests();
    let at = |src: &str| {
        let compiled = compile(FileId(0), src);
        assert_eq!(compiled.diagnostics, []);
        compiled.tests[0].steps.iter().find_map(|s| match s.kind {
            crate::testing::StepKind::At(t) => Some(t),
            _ => None,
        })
    };
    // 09:00 in London in June is 08:00 UTC, as is 04:00 in New York.
    let utc = with.replace("at 2026-06-01 09:00\n", "at 2026-06-01 08:00 in \"UTC\"\n");
    assert_eq!(at(&utc), Some(1_780_300_800));
    let ny = with.replace(
        "at 2026-06-01 09:00\n",
        "at 2026-06-01 04:00 in \"America/New_York\"\n",
    );
    assert_eq!(at(&ny), Some(1_780_300_800));
    let london = with.replace("at 2026-06-01 09:00\n", "at 2026-06-01 09:00 in london\n");
    assert_eq!(at(&london), Some(1_780_300_800));
    let bad = with.replace(
        "at 2026-06-01 09:00\n",
        "at 2026-06-01 09:00 in \"Europe/Londn\"\n",
    );
    let diags = compile(FileId(0), &bad).diagnostics;
    assert!(
        diags
            .iter()
            .any(|d| d.help.as_deref() == Some("did you mean `Europe/London`?")),
        "{diags:?}"
    );
}

#[test]
fn a_misspelt_fixture_is_undefined_with_a_suggestion() {
    let (with, _) = seed_with_and_without_tests();
    let src = with.replace(
        "given lead ada from smb_ops",
        "given lead ada from smb_opps",
    );
    let diags = compile(FileId(0), &src).diagnostics;
    let d = diags
        .iter()
        .find(|d| d.message.contains("smb_opps"))
        .unwrap();
    assert_eq!(d.code.as_str(), "E0101");
    assert_eq!(d.help.as_deref(), Some("did you mean `smb_ops`?"));
}

#[test]
fn each_expectation_that_can_never_hold_is_e0706() {
    let (_, without) = seed_with_and_without_tests();
    let src = without
        + r#"
test "impossible" {
  given lead ada
  at 2026-06-01 09:00
  expect converted as not_now
  expect closed as meeting_set
  expect disqualified as duplicate
  expect score intent = 61
  expect rescued with long_cycle
  expect escalated to inbound_sdr
  expect recycled as no_response
  expect handed off by abm to abm_team owner gwen
}
"#;
    let diags = compile(FileId(0), &src).diagnostics;
    let messages: Vec<&str> = (diags.iter())
        .filter(|d| d.code.as_str() == "E0706")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "a lead is never converted as `not_now`",
            "a lead is never closed as `meeting_set`",
            "no disqualifier records `duplicate`",
            "score `intent` never exceeds its cap of 60",
            "no breach path rescues with `long_cycle`",
            "no breach path escalates to `inbound_sdr`",
        ]
    );
}
