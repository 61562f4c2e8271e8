//! Simulator behaviour on the shipped playbooks: determinism across seeds and thread counts,
//! common random numbers between variants, option errors and KPI sanity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use handoff::engine::Engine;
use handoff::sim::{simulate, SimError, SimOptions};
use support::*;

fn options(threads: usize, seed: u64) -> SimOptions {
    SimOptions {
        scenario: Some("baseline".into()),
        leads: None,
        days: Some(20.0),
        replications: 4,
        seed,
        threads,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: false,
        warmup: None,
    }
}

fn json(engine: &Engine, o: &SimOptions) -> String {
    serde_json::to_string(&simulate(engine, o, &|| {}).unwrap()).unwrap()
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let engine = Engine::new(&seed()).unwrap();
    let one = json(&engine, &options(1, 7));
    let two = json(&engine, &options(2, 7));
    let again = json(&engine, &options(2, 7));
    assert_eq!(one, two);
    assert_eq!(two, again);
    assert_ne!(one, json(&engine, &options(1, 8)));
}

#[test]
fn variants_see_the_same_leads() {
    // Common random numbers: changing an SLA changes no arrival or attribute draw.
    let base = seed();
    let mut faster = base.clone();
    let rule = faster
        .handoffs
        .iter_mut()
        .find(|h| h.name == "hand_raise")
        .unwrap();
    rule.sla = handoff::ir::Sla::Wall(5 * 60);
    let a = simulate(&Engine::new(&base).unwrap(), &options(2, 3), &|| {}).unwrap();
    let b = simulate(&Engine::new(&faster).unwrap(), &options(2, 3), &|| {}).unwrap();
    assert_eq!(a.leads_arrived, b.leads_arrived);
    let kpi = |r: &handoff::sim::Summary, name: &str| {
        r.kpis
            .iter()
            .find(|k| k.name == name)
            .unwrap()
            .mean
            .unwrap()
    };
    // A tighter SLA with the same sellers can only breach more often.
    assert!(kpi(&b, "sla_attainment") <= kpi(&a, "sla_attainment"));
}

#[test]
fn options_are_checked_with_clear_errors() {
    let engine = Engine::new(&seed()).unwrap();
    let run = |f: &dyn Fn(&mut SimOptions)| {
        let mut o = options(1, 1);
        f(&mut o);
        simulate(&engine, &o, &|| {}).map(|_| ()).unwrap_err()
    };
    assert_eq!(
        run(&|o| {
            o.days = None;
            o.leads = Some(0)
        }),
        SimError::ZeroLeads
    );
    assert_eq!(run(&|o| o.replications = 0), SimError::Replications(0));
    assert_eq!(
        run(&|o| o.replications = 10_001),
        SimError::Replications(10_001)
    );
    assert_eq!(run(&|o| o.threads = 0), SimError::Threads(0));
    assert_eq!(run(&|o| o.threads = 257), SimError::Threads(257));
    assert_eq!(run(&|o| o.leads = Some(10)), SimError::LeadsAndDays);
    assert_eq!(run(&|o| o.days = Some(-1.0)), SimError::Days(-1.0));
    let unknown = run(&|o| o.scenario = Some("nope".into()));
    assert_eq!(
        unknown.to_string(),
        "no scenario `nope`; the playbook has `baseline`, `understaffed`, `scale`"
    );
    assert_eq!(
        SimError::ZeroLeads.to_string(),
        "`--leads` must be at least 1"
    );
}

#[test]
fn leads_option_sets_the_horizon_from_the_arrival_rate() {
    let engine = Engine::new(&seed()).unwrap();
    let mut o = options(1, 5);
    o.days = None;
    o.leads = Some(3000);
    o.replications = 2;
    let r = simulate(&engine, &o, &|| {}).unwrap();
    // 150 leads a day: 20 days, Poisson around 3000 per replication.
    assert_eq!(r.inputs.horizon_secs, 20 * DAY);
    let per = r.leads_arrived as f64 / 2.0;
    assert!((per - 3000.0).abs() < 5.0 * 3000f64.sqrt(), "{per}");
}

#[test]
fn an_overloaded_queue_is_a_warning_and_a_finite_run() {
    let mut p = compile(&std::fs::read_to_string("playbooks/mmc.playbook").unwrap());
    // Twice the arrivals the three sellers can handle.
    p.scenarios[0].sources[0].rate_per_sec = 6.0 / 3600.0;
    let engine = Engine::new(&p).unwrap();
    let o = SimOptions {
        scenario: None,
        leads: None,
        days: Some(30.0),
        replications: 2,
        seed: 1,
        threads: 2,
        max_events: handoff::sim::DEFAULT_MAX_EVENTS,
        max_leads_alive: handoff::sim::DEFAULT_MAX_LEADS_ALIVE,
        emit_events: false,
        warmup: None,
    };
    let r = simulate(&engine, &o, &|| {}).unwrap();
    // The queue grows (a trend test, issue 25), and from empty it never settles, so the
    // warm-up is capped at half the span and a second warning says so.
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].starts_with("queue `desk` grows in scenario `mmc`"));
    assert!(r.warnings[1].contains("reached no steady state in the first half"));
    let utilisation = r
        .kpis
        .iter()
        .find(|k| k.name == "seller_utilisation")
        .unwrap();
    assert!(utilisation.mean.unwrap() > 0.99);
}

#[test]
fn seed_scenario_kpis_are_in_range_and_targets_are_checked() {
    let engine = Engine::new(&seed()).unwrap();
    let r = simulate(&engine, &options(2, 1), &|| {}).unwrap();
    assert!(r.leads_arrived > 4 * 20 * 140);
    assert!(r.events_processed > r.leads_arrived);
    for k in &r.kpis {
        let Some(mean) = k.mean else { continue };
        assert!(mean.is_finite() && mean >= 0.0, "{}: {mean}", k.name);
        if k.unit == handoff::sim::kpi::Unit::Fraction {
            assert!(mean <= 1.0, "{}: {mean}", k.name);
        }
        assert!(k.ci_low.unwrap() <= mean && mean <= k.ci_high.unwrap());
    }
    let names: Vec<_> = r.by_band.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C", "none"]);
    let queues: Vec<_> = r.by_queue.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(queues, ["inbound_sdr", "enterprise_ae", "abm_team"]);
    let targets: Vec<_> = r.targets.iter().map(|t| t.kpi.as_str()).collect();
    assert_eq!(
        targets,
        [
            "speed_to_lead.median",
            "sla_attainment",
            "leakage",
            "mql_to_sql"
        ]
    );
    assert!(r.targets.iter().all(|t| t.met.is_some()));
}

/// A profile whose one signal line, at `per_hour`, triggers nothing: every engine event past
/// arrival is a signal, for as long as intent lasts (one hour).
fn signal_only(per_hour: u32) -> String {
    format!(
        "lead {{
  segment: one of smb, enterprise
}}

event page_view
event form_submit

track nurture {{
  enter by default
  touch email every 7d 4 times
  then close as no_response
}}

handoff demo_request {{
  on form_submit
  route to desk
  sla 15m
  on breach {{
    after 2 breaches recycle to nurture as no_response
  }}
}}

queue desk {{
  members ana
}}

reason no_response {{
  recycle to nurture
  suppress for 30d
}}

scenario busy {{
  horizon 2d
  source web 20 per hour
  profile browser 100% {{
    signal page_view {per_hour} per hour
    intent lasts constant(1h)
  }}
  staff desk {{
    sellers 1
    handle exponential(mean 20m)
  }}
}}
"
    )
}

/// Signals closer together than the clock's second keep their rate (issue 19: each gap was
/// rounded to whole seconds, so 3 600 an hour gave 15% too many and faster rates never ended).
/// The seed fixes the arrivals, so doubling the rate from 1 800 to 3 600 an hour adds
/// 1 800 signals per lead-hour of intent; the difference of two Poisson totals over about 960
/// leads has a standard deviation near 0.25% of that, and the test allows 2%.
#[test]
fn signals_closer_than_a_second_keep_their_rate() {
    let run = |per_hour| {
        let engine = Engine::new(&compile(&signal_only(per_hour))).unwrap();
        let mut o = options(2, 5);
        o.scenario = None;
        o.days = None;
        o.replications = 1;
        let r = simulate(&engine, &o, &|| {}).unwrap();
        (r.leads_arrived, r.events_processed)
    };
    let (leads, slow) = run(1800);
    let (same_leads, fast) = run(3600);
    assert_eq!(leads, same_leads);
    assert!(leads > 800, "{leads}");
    let per_lead = (fast - slow) as f64 / leads as f64;
    assert!(
        (per_lead - 1800.0).abs() < 36.0,
        "{per_lead} more signals per lead"
    );
}

/// A rate the clock cannot represent is refused by the checker, never simulated for ever.
#[test]
fn signal_rates_beyond_the_clock_are_refused() {
    let src = signal_only(1_000_000_000);
    let compiled = handoff::check::compile(handoff::span::FileId(0), &src);
    assert!(compiled.playbook.is_none());
    assert!(compiled
        .diagnostics
        .iter()
        .any(|d| d.code.as_str() == "E0401" && d.message.contains("1000000000 per hour")));
}

/// A rate so small that its reciprocal is infinite gave a zero gap and a loop (issue 19); the
/// checker refuses any rate below once a century.
#[test]
fn signal_rates_below_once_a_century_are_refused() {
    let tiny = format!("0.{}1", "0".repeat(315));
    let src = signal_only(1).replace(
        "signal page_view 1 per hour",
        &format!("signal page_view {tiny} per hour"),
    );
    let compiled = handoff::check::compile(handoff::span::FileId(0), &src);
    assert!(compiled.playbook.is_none());
    assert!(compiled
        .diagnostics
        .iter()
        .any(|d| d.code.as_str() == "E0401"
            && d.message.ends_with("per hour is less than once a century")));
}

/// A desk that works every lead through a three-step sequence nobody answers: the pickup
/// (with the first call) and two later steps, whose handling time the staff lines set.
fn desk_with_follow_ups(staff: &str) -> Engine {
    let src = format!(
        "lead {{
  company: text
}}

event form_submit

handoff demo_request {{
  on form_submit
  route to desk
  sla 1d
  sequence three_steps
  on breach {{
    notify desk_lead
  }}
}}

sequence three_steps {{
  day 0 call
  day 1 email
  day 2 call
  max attempts 3
  on exhausted disposition no_response
}}

queue desk {{
  members ana, ben, cy, dee
}}

reason no_response {{
  close
}}

scenario work {{
  horizon 60d
  source web 20 per day
  profile hand_raiser 100% {{
    signal form_submit on arrival
  }}
  staff desk {{
    sellers 4
    handle constant(10m)
{staff}
    around the clock
  }}
  connect 0%
}}
"
    );
    Engine::new(&compile(&src)).unwrap()
}

fn work_kpi(engine: &Engine, name: &str) -> f64 {
    let o = SimOptions {
        scenario: None,
        days: None,
        ..options(2, 5)
    };
    let summary = simulate(engine, &o, &|| {}).unwrap();
    summary
        .kpis
        .iter()
        .find(|k| k.name == name)
        .unwrap()
        .mean
        .unwrap()
}

/// Every later sequence step takes the seller's time (issue 25): 20 leads a day each take a
/// 10-minute pickup and two follow-ups, so the 4 sellers (5 760 minutes a day) are busy
/// 20 · (10 + 2 · 30) / 5 760 = 24.3% of the time with 30-minute follow-ups, and
/// 20 · (10 + 5 + 30) / 5 760 = 15.6% when emails take 5 minutes. Before, follow-ups were free:
/// 3.5%. Utilisation is a time average over 60 days: the tolerance is 10% of the figure.
#[test]
fn follow_ups_take_seller_time_by_channel() {
    let cases = [
        ("    follow-up constant(30m)", 20.0 * 70.0 / 5_760.0),
        (
            "    follow-up constant(30m)\n    follow-up email constant(5m)",
            20.0 * 45.0 / 5_760.0,
        ),
    ];
    for (staff, theory) in cases {
        let busy = work_kpi(&desk_with_follow_ups(staff), "seller_utilisation");
        assert!(
            (busy - theory).abs() < 0.1 * theory,
            "{staff}: utilisation {busy:.4}, theory {theory:.4}"
        );
    }
}

/// A follow-up with no line of its own costs a pickup's handling time, never nothing.
#[test]
fn follow_ups_default_to_the_pickup_handling_time() {
    let busy = work_kpi(&desk_with_follow_ups(""), "seller_utilisation");
    let theory = 20.0 * 30.0 / 5_760.0;
    assert!(
        (busy - theory).abs() < 0.1 * theory,
        "{busy:.4} vs {theory:.4}"
    );
}

/// Sellers at work notice a new lead after the pickup delay: with sellers nearly always free,
/// every first touch comes exactly that long after the handoff.
#[test]
fn a_pickup_delay_is_the_speed_to_lead_of_an_idle_desk() {
    let instant = desk_with_follow_ups("    follow-up constant(1m)");
    assert_eq!(work_kpi(&instant, "speed_to_lead.median"), 0.0);
    let delayed = desk_with_follow_ups("    follow-up constant(1m)\n    pickup delay constant(7m)");
    assert_eq!(work_kpi(&delayed, "speed_to_lead.median"), 420.0);
}

/// Under load, sellers who take new leads before their due follow-ups reach new leads sooner.
#[test]
fn preferring_new_leads_shortens_speed_to_lead_under_load() {
    let load = "    follow-up constant(2h)";
    let first_follow_ups = work_kpi(&desk_with_follow_ups(load), "speed_to_lead.mean");
    let new_first = desk_with_follow_ups(&format!("{load}\n    prefer new leads"));
    let first_new = work_kpi(&new_first, "speed_to_lead.mean");
    assert!(
        first_new < 0.8 * first_follow_ups,
        "new leads first {first_new:.0}s, follow-ups first {first_follow_ups:.0}s"
    );
}
