#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How fast `check` is on large playbooks: `cargo bench --bench check`.
//!
//! Generates playbooks of about 1k, 10k and 100k lines from a repeated unit that uses every
//! block kind with distinct names, so name tables, conditions, counters and the whole-playbook
//! lints all grow with the file. Each size is checked several times in one thread and the
//! median is reported, with parsing timed on its own to show where the time goes.
//! Not a timed test: it prints figures for `docs/benchmarks.md` and asserts only that the
//! generated playbooks are clean, so the checker does its full work.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use handoff::diagnostics::Severity;
use handoff::span::FileId;

/// Header shared by every generated playbook: calendar, lead fields and common events.
const HEADER: &str = r#"# Generated for the checker benchmark.

playbook bench {
  title "Checker benchmark"
  calendar london
}

calendar london {
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
  holiday 2026-12-25 "Christmas Day"
}

lead {
  segment: one of smb, mid_market, enterprise
  region: one of emea, amer, apac
  employees: number
  domain: text
  title: text
  target_account: flag
}

event email_click
event form_submit {
  kind: one of demo, contact_sales, content
}

score fit {
  add 30 when segment = enterprise
  add 20 when employees >= 200
}

track default_nurture {
  enter by default
  touch email every 7d 8 times
}

kpi speed_to_lead {
  target median at most 15m
}
"#;

/// One unit of about a hundred lines; `{i}` makes every name distinct.
fn unit(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"
# Unit {i}: its own intent signal, tracks, rules, routing and dispositions.
event page_view_{i} {{
  category: one of pricing, demo, comparison, blog
}}

score intent_{i} {{
  decay half-life 14d
  cap 60
  add 15 per page_view_{i} where category in [pricing, demo]
  add 5 per email_click
  subtract 5 per page_view_{i} where category = blog
}}

bands grade_{i} by fit + intent_{i} {{
  band A from 70
  band B from 40 to 70
  band C below 40
}}

disqualify students_{i} {{
  when title contains "student" and employees < {i} or domain ends with ".edu"
  reason not_icp_{i}
}}

track nurture_{i} {{
  enter when region = emea and employees >= {i}
  touch email every 7d 8 times
  exit to engaged_{i} when grade_{i} = A or count page_view_{i} where category = pricing within 7d >= 3
  then move to long_cycle_{i}
  kpi engagement_rate
}}

track engaged_{i} {{
  touch email every 3d 6 times
  then move to long_cycle_{i}
}}

track long_cycle_{i} {{
  touch email every 30d 12 times
  then close as no_response_{i}
}}

handoff hand_raise_{i} {{
  on form_submit where kind in [demo, contact_sales]
  when employees >= {i} and not target_account
  priority {p0}
  route via router_{i}
  sla 15m
  context brief_{i}
  sequence outreach_{i}
  on breach {{
    rescue with engaged_{i}
    requeue with context brief_{i}
    notify manager_{i}
    after 2 breaches recycle to long_cycle_{i} as no_response_{i}
  }}
  kpi speed_to_lead
}}

handoff mql_{i} {{
  when grade_{i} = A and segment in [mid_market, enterprise]
  priority {p1}
  route to sdr_{i}
  sla 1bd
  context brief_{i}
  sequence outreach_{i}
  on breach {{
    escalate to ae_{i}
    after 1 breaches recycle to long_cycle_{i} as no_response_{i}
  }}
}}

router router_{i} {{
  when segment = enterprise and region in [emea, amer] to ae_{i}
  otherwise to sdr_{i}
}}

queue sdr_{i} {{
  members s{i}_ana, s{i}_ben, s{i}_chloe
  assign round robin
  capacity 25 per seller
  order by grade_{i}
  overflow to ae_{i}
}}

queue ae_{i} {{
  members s{i}_erin, s{i}_femi
  assign least loaded
  capacity 15 per seller
  order fifo
}}

context brief_{i} {{
  include why now
  include top 3 signals
  include last touch
  include field segment
  cta "Offer two demo slots today"
}}

sequence outreach_{i} {{
  day 0 call "Call within the SLA"
  day 0 email "Reply referencing their request"
  day 2 linkedin
  day 4 email
  max attempts 4
  on meeting disposition meeting_{i}
  on exhausted disposition no_response_{i}
}}

reason no_response_{i} {{
  label "No response"
  recycle to long_cycle_{i} after 7d
  suppress for 14d unless hand_raise_{i}
}}

reason meeting_{i} {{
  label "Meeting set"
  convert
}}

reason not_icp_{i} {{
  label "Not ICP"
  close
}}
"#,
        p0 = 2 * i,
        p1 = 2 * i + 1,
    );
}

/// A playbook of at least `lines` lines.
fn playbook(lines: usize) -> String {
    let mut out = HEADER.to_string();
    let mut i = 0;
    let mut count = out.lines().count();
    while count < lines {
        let start = out.len();
        unit(&mut out, i);
        count += out[start..].lines().count();
        i += 1;
    }
    out
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    println!(
        "{:>8} {:>9} {:>6} {:>10} {:>10} {:>12} {:>10}",
        "lines", "bytes", "runs", "parse ms", "check ms", "lines/s", "fmt ms"
    );
    for (target, runs) in [(1_000, 31), (10_000, 15), (100_000, 5)] {
        let src = playbook(target);
        let lines = src.lines().count();
        let compiled = handoff::check::compile(FileId(0), &src);
        let errors: Vec<_> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.severity() != Severity::Note)
            .collect();
        assert!(errors.is_empty(), "generated playbook: {errors:#?}");
        let parse = time(runs, || {
            black_box(handoff::syntax::parse(FileId(0), black_box(&src)));
        });
        let check = time(runs, || {
            black_box(handoff::check::compile(FileId(0), black_box(&src)));
        });
        // The formatter parses twice (input and its own soundness re-check) and prints once.
        let unformatted = src.replace("\n  ", "\n    ");
        let fmt = time(runs, || {
            black_box(handoff::fmt::format_source(FileId(0), black_box(&unformatted)).is_ok());
        });
        println!(
            "{lines:>8} {:>9} {runs:>6} {:>10.2} {:>10.2} {:>12.0} {:>10.2}",
            src.len(),
            parse.as_secs_f64() * 1e3,
            check.as_secs_f64() * 1e3,
            lines as f64 / check.as_secs_f64(),
            fmt.as_secs_f64() * 1e3
        );
    }
    shipped();
}

/// The playbooks in `playbooks/`, as `handoff check playbooks/` sees them (minus file I/O).
fn shipped() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    let mut sources: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    sources.sort();
    let lines: usize = sources.iter().map(|s| s.lines().count()).sum();
    let check = time(31, || {
        for src in &sources {
            black_box(handoff::check::compile(FileId(0), black_box(src)));
        }
    });
    println!(
        "shipped playbooks: {} files, {lines} lines, checked in {:.2} ms",
        sources.len(),
        check.as_secs_f64() * 1e3
    );
}
