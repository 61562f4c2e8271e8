#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
use super::*;
use crate::sim::world::World;
use crate::span::FileId;

/// Gaps shorter than a second add up through the carry: a thousand gaps of 0.3 s end
/// 300 s later, not where a thousand roundings to zero would leave them (issue 19).
#[test]
fn signal_gaps_under_a_second_add_up() {
    let (mut at, mut frac) = (0, 0);
    for _ in 0..1000 {
        (at, frac) = after_gap(at, frac, 0.3).unwrap();
    }
    let exact = at as f64 + f64::from(frac) / 65_536.0;
    assert!((exact - 300.0).abs() < 0.02, "{exact}");
    assert_eq!(after_gap(10, 0, f64::INFINITY), None);
    assert_eq!(after_gap(10, 0, f64::NAN), None);
    assert_eq!(after_gap(10, 65_535, 0.0), Some((10, 65_535)));
    assert_eq!(after_gap(10, 32_768, 0.5), Some((11, 0)));
}

/// Without handoffs leads share nothing, so running them ahead of the clock must give
/// exactly what delivering every event through the agenda gives: every lead sees the same
/// inputs at the same times with the same actions, and the tallies agree to the bit.
#[test]
fn running_ahead_changes_nothing_for_leads_that_never_meet() {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let mut playbook = crate::check::compile(FileId(0), &src).playbook.unwrap();
    playbook.handoffs.clear();
    let engine = Engine::new(&playbook).unwrap();
    let scenario = crate::sim::find_scenario(&engine, Some("scale")).unwrap();
    let world = World::new(&engine, scenario, 20 * 86_400);
    let plan = Plan {
        horizon_secs: 20 * 86_400,
        warmup_secs: 5 * 86_400,
        max_events: u64::MAX,
        max_leads_alive: usize::MAX,
    };
    let rep = Replication::new(7, 0);
    let run = |run_ahead: bool| {
        let mut run = Run::new(&engine, &world, rep, plan);
        run.run_ahead = run_ahead;
        run
    };
    let mut ahead = run(true);
    let mut through_agenda = run(false);
    // Run the loops, keeping the traces that `finish` would drop.
    ahead.drive();
    through_agenda.drive();
    let ahead_trace = std::mem::take(&mut ahead.trace);
    let agenda_trace = std::mem::take(&mut through_agenda.trace);
    let steps: usize = ahead_trace.values().map(Vec::len).sum();
    assert!(ahead_trace.len() > 30_000, "{}", ahead_trace.len());
    assert!(steps > 5 * ahead_trace.len(), "{steps}");
    assert_eq!(ahead_trace.len(), agenda_trace.len());
    for (lead, steps) in &ahead_trace {
        assert_eq!(Some(steps), agenda_trace.get(lead), "lead {lead}");
    }
    assert_eq!(ahead.finish(), through_agenda.finish());
}
