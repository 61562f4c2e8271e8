#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! How long `handoff lsp` takes to publish findings after an edit: `cargo bench --bench lsp`.
//!
//! Grows the seed playbook to about 2,000 lines with extra tracks and handoff rules (each with
//! a condition, a queue and a breach path, so the checker and the index both grow), then times
//! what the server does on `didChange`: analyse the new text (parse, check, index) and convert
//! its findings to protocol diagnostics. The edit alternates between introducing an undefined
//! name and fixing it, as typing does. The target is under 50 ms per edit; the median and the
//! slowest run are printed for `docs/benchmarks.md`.

use std::fmt::Write;
use std::hint::black_box;
use std::time::{Duration, Instant};

use handoff::lsp::documents::Documents;
use handoff::lsp::positions::Encoding;

const SEED: &str = include_str!("../playbooks/seed-matrix.playbook");

/// Lines the generated playbook reaches at least.
const LINES: usize = 2_000;

/// Timed edits.
const RUNS: usize = 40;

/// One unit of generated blocks; `N` is replaced by the unit's number.
const UNIT: &str = r#"
# Generated unit N.
track nurture_N {
  touch email every 5d 4 times
  exit to icp_engaged when fit >= 40 or intent >= 30
  then move to long_cycle
}

handoff rule_N {
  when grade = A and segment = enterprise
      or count page_view where category in [pricing, demo] within 7d >= N
  priority 3
  route to queue_N
  sla 2h business
  on breach {
    rescue with nurture_N
    notify sales_manager
    after 2 breaches recycle to nurture_N as no_response
  }
}

queue queue_N {
  members seller_N_a, seller_N_b
  assign round robin
  capacity 20 per seller
}
"#;

fn playbook() -> String {
    let mut text = SEED.to_owned();
    let mut n = 0;
    while text.lines().count() < LINES {
        n += 1;
        write!(text, "{}", UNIT.replace('N', &n.to_string())).unwrap();
    }
    text
}

fn main() {
    let clean = playbook();
    let edited = clean.replacen(
        "exit to icp_engaged when fit",
        "exit to icp_engagd when fit",
        1,
    );
    let uri: lsp_types::Uri = "file:///bench.playbook".parse().unwrap();
    let mut docs = Documents::new(Encoding::Utf16);
    docs.update(uri.clone(), clean.clone());
    let before = docs.get(&uri).unwrap().view(&uri).diagnostics().len();
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let text = if run % 2 == 0 { &edited } else { &clean };
        let start = Instant::now();
        docs.update(uri.clone(), text.clone());
        let found = docs.get(&uri).unwrap().view(&uri).diagnostics();
        times.push(start.elapsed());
        black_box(&found);
        let expected = before + usize::from(run % 2 == 0);
        assert_eq!(
            found.len(),
            expected,
            "the edit should add exactly one finding"
        );
    }
    times.sort();
    println!(
        "lsp: diagnostics after an edit of a {}-line playbook: median {:.1} ms, slowest {:.1} ms (target < 50 ms)",
        clean.lines().count(),
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS - 1].as_secs_f64() * 1e3,
    );
}
