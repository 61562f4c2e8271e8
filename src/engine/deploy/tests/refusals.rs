#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use super::*;

#[test]
fn a_longer_count_window_is_refused_only_for_leads_that_may_have_lost_history() {
    let old = compile(BASE);
    let new = edit(&[("pricing within 30d", "pricing within 60d")]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    // Arrived on day 0, counted on day 1, last step on day 40: a time before day 10 may
    // have been dropped, and the new window reads back to day -20.
    let mut lived = Lead::new(&old);
    lived.arrive("smb", T);
    lived.pricing(T + DAY);
    lived.event("visit", Some("blog"), T + 40 * DAY);
    let refused = deploy.carry(&lived.state, &lived.driver).unwrap_err();
    assert_eq!(
        refused,
        vec![Unmapped::ShortHistory {
            count: "count visit where ... within 60d".into(),
            kept: "the latest 4 times within 30d".into(),
            needed: "the latest 4 times within 60d".into(),
        }]
    );
    // A lead younger than the old window has lost nothing.
    let mut young = Lead::new(&old);
    young.arrive("smb", T);
    young.pricing(T + DAY);
    young.event("visit", Some("blog"), T + 20 * DAY);
    let carried = young.carried(&deploy, &new);
    assert_eq!(carried.state.counters.len(), 1);
    // A departed lead's counts are never read again.
    let mut done = Lead::new(&old);
    done.arrive("smb", T);
    done.pricing(T + DAY);
    done.event("reply", None, T + 40 * DAY);
    let outcome = TouchOutcome::Meeting;
    done.input(Input::Touch { outcome }, T + 40 * DAY + 60);
    assert!(done.state.is_done());
    assert!(deploy.carry(&done.state, &done.driver).is_ok());
    // A shorter window needs nothing that was dropped.
    let shorter = edit(&[("pricing within 30d", "pricing within 7d")]);
    let deploy = Deploy::plan(&old, &shorter, &Renames::none()).unwrap();
    assert!(deploy.carry(&lived.state, &lived.driver).is_ok());
}

#[test]
fn a_larger_keep_is_refused_only_when_the_old_keep_was_full() {
    let old = compile(BASE);
    let new = edit(&[("within 30d >= 2", "within 30d >= 5")]);
    assert_eq!(old.counters[0].keep, Some(4));
    assert_eq!(new.counters[0].keep, Some(7));
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let mut full = Lead::new(&old);
    full.arrive("smb", T);
    for day in 1..=5 {
        full.pricing(T + day * DAY);
    }
    assert_eq!(full.state.counters.len(), 4);
    let refused = deploy.carry(&full.state, &full.driver).unwrap_err();
    assert!(
        matches!(&refused[..], [Unmapped::ShortHistory { kept, needed, .. }]
        if kept == "the latest 4 times within 30d" && needed == "the latest 7 times within 30d")
    );
    let mut sparse = Lead::new(&old);
    sparse.arrive("smb", T);
    sparse.pricing(T + DAY);
    assert!(deploy.carry(&sparse.state, &sparse.driver).is_ok());
    // A smaller keep holds the latest times only.
    let smaller = edit(&[("within 30d >= 2", "within 30d >= 1")]);
    let deploy = Deploy::plan(&old, &smaller, &Renames::none()).unwrap();
    let (state, _) = deploy.carry(&full.state, &full.driver).unwrap();
    let after: Vec<u32> = state.counters.iter().map(|c| c.after).collect();
    let latest: Vec<u32> = full.state.counters[1..].iter().map(|c| c.after).collect();
    assert_eq!(after, latest);
}

#[test]
fn attributes_map_by_name_and_a_vanished_enum_value_is_refused() {
    let old = compile(BASE);
    let new = edit(&[
        ("  employees: number\n", "  region: one of emea, amer\n"),
        (
            "  add 5 when employees >= 100\n",
            "  add 7 when region = emea\n",
        ),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let warm = &all[2].1;
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    let region = new.fields.iter().position(|f| f.name == "region").unwrap();
    let segment = new.fields.iter().position(|f| f.name == "segment").unwrap();
    assert_eq!(state.attributes.len(), 2);
    assert_eq!(state.attributes[region], Value::Enum(0), "the first value");
    assert_eq!(
        state.attributes[segment],
        enum_value(&new.fields[segment].ty, "enterprise")
    );
    // Fit is recomputed from the new rules: 30 for enterprise and 7 for emea.
    assert_eq!(state.scores[0].fit, 37.0);
    let renamed = edit(&[
        ("one of smb, enterprise", "one of smb, mid_market"),
        ("segment = enterprise", "segment = mid_market"),
    ]);
    let deploy = Deploy::plan(&old, &renamed, &Renames::none()).unwrap();
    assert_eq!(
        deploy.carry(&warm.state, &warm.driver).unwrap_err(),
        vec![Unmapped::ValueDeleted {
            field: "segment".into(),
            value: "enterprise".into()
        }]
    );
    let renames = Renames::parse(&["value:segment.enterprise=segment.mid_market"]).unwrap();
    let deploy = Deploy::plan(&old, &renamed, &renames).unwrap();
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    assert_eq!(state.attributes[0], Value::Enum(1));
    let moved = edit(&[
        (
            "  segment: one of smb, enterprise",
            "  tier: one of enterprise, smb",
        ),
        ("segment = enterprise", "tier = enterprise"),
    ]);
    let deploy = Deploy::plan(&old, &moved, &Renames::parse(&["segment=tier"]).unwrap()).unwrap();
    let (state, _) = deploy.carry(&warm.state, &warm.driver).unwrap();
    assert_eq!(
        state.attributes[0],
        Value::Enum(0),
        "values follow a renamed field by name"
    );
    let retyped = edit(&[
        ("employees: number", "employees: text"),
        ("employees >= 100", "segment = smb"),
    ]);
    let deploy = Deploy::plan(&old, &retyped, &Renames::none()).unwrap();
    assert_eq!(
        deploy.carry(&warm.state, &warm.driver).unwrap_err(),
        vec![Unmapped::Retyped {
            field: "employees".into()
        }]
    );
}

#[test]
fn a_new_score_starts_at_its_fit_and_a_deleted_one_is_dropped() {
    let old = compile(BASE);
    let new = edit(&[(
        "score intent {\n  add 10 per visit where page = pricing\n}\n",
        "score interest {\n  add 1 when segment = enterprise\n  add 10 per visit\n}\n",
    )]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let (state, _) = deploy.carry(&all[2].1.state, &all[2].1.driver).unwrap();
    assert_eq!(state.scores.len(), 2);
    assert_eq!(
        state.scores[1],
        ScoreState {
            fit: 1.0,
            events: 0.0
        }
    );
    assert_eq!(state.scores[0], all[2].1.state.scores[0]);
    let notes: Vec<String> = deploy.notes().iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "score `interest` is new: every lead starts with no event points, and only events \
          from now on add to it"
        ]
    );
    let identity = Deploy::plan(&old, &old, &Renames::none()).unwrap();
    assert_eq!(identity.notes(), []);
    let more = edit(&[
        (
            "  employees: number\n",
            "  employees: number\n  region: one of emea, amer\n",
        ),
        ("pricing within 30d", "blog within 30d"),
    ]);
    let deploy = Deploy::plan(&old, &more, &Renames::none()).unwrap();
    let notes: Vec<String> = deploy.notes().iter().map(ToString::to_string).collect();
    assert_eq!(
        notes,
        [
            "field `region` is new: every lead takes its default until its value is set",
            "`count visit where ... within 30d` is new: every lead starts with none, and only \
             events from now on count"
        ]
    );
}

#[test]
fn leads_refused_for_one_cause_are_named_up_to_ten_and_counted() {
    let mut error = DeployError::new();
    let cause = Unmapped::Deleted {
        kind: Kind::Queue,
        name: "sdr".into(),
    };
    for i in 0..13 {
        error.record(&format!("L{i}"), vec![cause.clone()]);
    }
    error.record("L99", Vec::new());
    assert_eq!(error.leads(), 13);
    let text = error.to_string();
    assert!(
        text.contains(
            "queue `sdr` is not in the new playbook: leads `L0`, `L1`, `L2`, `L3`, \
         `L4`, `L5`, `L6`, `L7`, `L8`, `L9` and 3 more\n"
        ),
        "{text}"
    );
}

#[test]
fn a_lead_handed_off_under_a_deleted_rule_or_queue_or_parked_with_a_deleted_reason_is_refused() {
    let old = compile(BASE);
    let new = edit(&[
        ("queue sdr {", "queue desk {"),
        ("route to sdr", "route to desk"),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let all = leads(&old);
    let worked = &all[3].1;
    assert_eq!(
        deploy.carry(&worked.state, &worked.driver).unwrap_err(),
        vec![Unmapped::Deleted {
            kind: Kind::Queue,
            name: "sdr".into()
        }]
    );
    let renames = Renames::parse(&["sdr=desk"]).unwrap();
    let deploy = Deploy::plan(&old, &new, &renames).unwrap();
    assert!(deploy.carry(&worked.state, &worked.driver).is_ok());
    let new = edit(&[(
        "recycle to nurture after 7d\n  suppress for 14d unless hand_raise",
        "close",
    )]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    assert!(
        deploy.carry(&all[4].1.state, &all[4].1.driver).is_ok(),
        "the reason is kept"
    );
    let new = edit(&[
        ("reason no_response {", "reason silent {"),
        ("disposition no_response", "disposition silent"),
    ]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let refused = deploy.carry(&all[4].1.state, &all[4].1.driver).unwrap_err();
    assert_eq!(
        refused,
        vec![Unmapped::Deleted {
            kind: Kind::Reason,
            name: "no_response".into()
        }]
    );
}

#[test]
fn a_step_timer_of_a_rule_that_lost_its_sequence_is_harmless() {
    let old = compile(BASE);
    let new = edit(&[("  sequence follow_up\n  on breach", "  on breach")]);
    let deploy = Deploy::plan(&old, &new, &Renames::none()).unwrap();
    let mut all = leads(&old);
    let worked = &mut all[3].1;
    let outcome = TouchOutcome::NoAnswer;
    worked.input(Input::Touch { outcome }, T + DAY + 120);
    let step = worked.driver.timer(crate::engine::TimerKind::Step);
    assert!(step.is_some(), "the day-2 email is pending");
    let mut carried = worked.carried(&deploy, &new);
    let before = carried.state.clone();
    carried.advance(T + 5 * DAY);
    assert_eq!(carried.log.len(), 1, "{:?}", carried.log);
    assert!(carried.log[0].contains("step"), "{:?}", carried.log);
    assert_eq!(carried.state, LeadState { quiet: 0, ..before });
}
