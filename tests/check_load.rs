//! W0402 fires when, and only when, a queue's offered load reaches what its sellers give.
//!
//! The playbooks here hand every lead to one queue at arrival (an M/G/c queue), where the
//! offered load has a closed form: arrivals a day × mean handling time against sellers ×
//! their working hours a day. The checker measures it with a pilot of 2,000 leads, whose work
//! has a relative standard error near √(2/2000) ≈ 3.2% for exponential handling; loads of
//! 0.85 and 1.15 sit more than four standard errors from 1, so each side holds for any pilot.

use handoff::check::compile;
use handoff::diagnostics::Code;
use handoff::span::FileId;

/// A hand-raise playbook: `per_day` leads, all handed off at arrival to `sdr`, staffed by
/// `sellers` with exponential handling of mean `handle_mins`, working `hours`.
fn playbook(per_day: u32, sellers: u32, handle_mins: u32, hours: &str) -> String {
    format!(
        "lead {{\n  segment: one of smb, enterprise\n}}\n\nevent form_submit\n\n\
         calendar office {{\n  timezone \"UTC\"\n  hours mon to fri 09:00 to 17:00\n}}\n\n\
         track nurture {{\n  enter by default\n  touch email every 7d 4 times\n  then close as no_response\n}}\n\n\
         handoff demo_request {{\n  on form_submit\n  route to sdr\n  sla 30d\n  on breach {{\n    notify sales_manager\n    after 2 breaches recycle to nurture as no_response\n  }}\n}}\n\n\
         queue sdr {{\n  members ana, ben\n}}\n\n\
         reason no_response {{\n  recycle to nurture\n  suppress for 30d\n}}\n\n\
         reason meeting_set {{\n  convert\n}}\n\n\
         scenario typical {{\n  horizon 28d\n  source web {per_day} per day\n  \
         profile hand_raiser 100% {{\n    signal form_submit on arrival\n  }}\n  \
         staff sdr {{\n    sellers {sellers}\n    handle exponential(mean {handle_mins}m)\n    {hours}\n  }}\n  \
         after connect {{ meeting_set 30%, no_response 70% }}\n}}\n"
    )
}

fn overloaded(src: &str) -> bool {
    let compiled = compile(FileId(0), src);
    assert!(
        compiled.playbook.is_some(),
        "the playbook must check: {:?}",
        compiled.diagnostics
    );
    compiled
        .diagnostics
        .iter()
        .any(|d| d.code == Code::OverloadedScenario)
}

#[test]
fn around_the_clock_w0402_follows_arrivals_times_handling_against_sellers() {
    // 10 sellers × 24 h = 240 seller-hours a day; 480 leads × 30 minutes = 240 hours of work.
    let hours = "around the clock";
    assert!(!overloaded(&playbook(408, 10, 30, hours)), "load 0.85");
    assert!(overloaded(&playbook(552, 10, 30, hours)), "load 1.15");
}

#[test]
fn on_a_calendar_w0402_counts_only_the_sellers_working_hours() {
    // 8 hours a day on 5 days of 7: 4 sellers work 160/7 ≈ 22.9 hours a day, so 40 leads
    // of 30 minutes (20 hours) are a load of 0.875 and 55 leads of 1.2; around the clock the
    // same 55 leads would be a load of 0.29.
    let office = "calendar office";
    assert!(!overloaded(&playbook(40, 4, 30, office)), "load 0.875");
    assert!(overloaded(&playbook(55, 4, 30, office)), "load 1.2");
    assert!(
        !overloaded(&playbook(55, 4, 30, "around the clock")),
        "load 0.29"
    );
}

#[test]
fn a_queue_its_handoffs_reach_without_sellers_is_overloaded() {
    let src = playbook(40, 4, 30, "around the clock").replace("staff sdr", "staff nobody");
    let src = src.replace(
        "queue sdr {",
        "queue nobody {\n  members cy\n}\n\nqueue sdr {",
    );
    let compiled = compile(FileId(0), &src);
    let found: Vec<_> = compiled.diagnostics.iter().map(|d| d.code).collect();
    assert!(found.contains(&Code::OverloadedScenario), "{found:?}");
    assert!(
        !found.contains(&Code::UnstaffedQueue),
        "W0402 says it: {found:?}"
    );
}

#[test]
fn only_the_leads_handed_off_load_the_queue() {
    // 600 leads a day, a fifth of them hand-raisers: 120 × 30 minutes = 60 hours of work for
    // 10 sellers around the clock (240 hours), a load of 0.25. Counting every arrival as a
    // handoff would make it 1.25.
    let src = playbook(600, 10, 30, "around the clock").replace(
        "profile hand_raiser 100% {",
        "profile browser 80% {\n    signal page_view 1 per week\n  }\n  profile hand_raiser 20% {",
    );
    let src = src.replace(
        "event form_submit\n",
        "event form_submit\nevent page_view\n",
    );
    assert!(!overloaded(&src), "load 0.25");
}

#[test]
fn leads_held_open_against_capacity_load_the_queue_too() {
    // Every lead is held for its 7-day sequence (no attempt connects), so sellers hold
    // arrivals a day × 7 open leads against 2 sellers × capacity 10: 2 a day is a load of
    // 0.7 and 4 a day 1.4, though the work (30 minutes a lead) is a load of 0.04 at most.
    let with = |per_day| {
        playbook(per_day, 2, 30, "around the clock")
            .replace("route to sdr\n", "route to sdr\n  sequence slow\n")
            .replace(
                "queue sdr {\n  members ana, ben\n",
                "queue sdr {\n  members ana, ben\n  capacity 10 per seller\n",
            )
            .replace(
                "reason no_response {",
                "sequence slow {\n  day 0 email\n  day 7 email\n  max attempts 2\n  on exhausted disposition no_response\n}\n\nreason no_response {",
            )
            .replace("after connect {", "connect 0%\n  after connect {")
    };
    assert!(!overloaded(&with(2)), "load 0.7");
    assert!(overloaded(&with(4)), "load 1.4");
}
