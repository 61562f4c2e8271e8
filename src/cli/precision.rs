//! `--precision KPI=HALF_WIDTH` for `simulate`, `compare` and `sweep`: replications run in blocks
//! until every named KPI's 95% interval is as narrow as asked ([`crate::sim::precision`]), and
//! the report says how many it took and what was reached.

use std::ops::Range;

use super::sim_runner::{self, SimArgs};
use super::{report_error, write_stderr, CliError, Exit};
use crate::engine::Engine;
use crate::report::format_value;
use crate::shard::part::RunOptions;
use crate::sim::precision::{self, HalfWidth, Outcome, Reached, Rule, Target};
use crate::sim::{self, RepValues, SimOptions, Summary};

/// The targets and the stopping rule of a run with `--precision`.
#[derive(Debug, Clone)]
pub struct Precision {
    /// What each KPI's half-width must reach.
    pub targets: Vec<Target>,
    /// When to stop.
    pub rule: Rule,
}

impl SimArgs {
    /// The `--precision` targets with the cap of `--max-replications`, if precision was asked
    /// for; a bad target is a usage error.
    pub fn precision(&self) -> Result<Option<Precision>, Exit> {
        if self.precision.is_empty() {
            return Ok(None);
        }
        let targets = precision::parse(&self.precision).map_err(|e| {
            report_error(&CliError::new(e.to_string()));
            Exit::Failure
        })?;
        Ok(Some(Precision {
            targets,
            rule: Rule::new(self.max_replications),
        }))
    }
}

/// Runs one block of replications with a progress bar titled `what`.
fn block(
    engine: &Engine,
    options: &SimOptions,
    replications: Range<u32>,
    what: &str,
) -> Result<sim::Share, Exit> {
    let title = format!(
        "{what} (block {}–{})",
        replications.start + 1,
        replications.end
    );
    let bar = sim_runner::progress_bar(
        u32::try_from(replications.len()).unwrap_or(u32::MAX),
        &title,
    );
    let result = sim::run_share(engine, options, replications, &|| bar.inc(1));
    bar.finish_and_clear();
    result.map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })
}

/// Replicates one run until its targets hold (or the cap), then reports it as a run of that
/// many replications, printing its warnings and a note when the cap stopped it.
pub fn simulate(
    engine: &Engine,
    options: &SimOptions,
    precision: &Precision,
    what: &str,
) -> Result<(Summary, Outcome), Exit> {
    let mut values: Vec<RepValues> = Vec::new();
    let mut recording = None;
    let outcome = precision::sequential(precision.rule, &precision.targets, |reps| {
        let share = block(engine, options, reps, what)?;
        let rows = share.values.iter().map(|v| v.overall.clone()).collect();
        values.extend(share.values);
        recording = recording.take().or(share.recording);
        Ok(rows)
    })?;
    let options = SimOptions {
        replications: outcome.replications,
        ..options.clone()
    };
    let mut summary = sim_runner::summarise(engine.playbook(), &options, &values, what)?;
    summary.recording = recording;
    note_cap(&outcome, what);
    Ok((summary, outcome))
}

/// Runs base and candidate, `precision` deciding how often when given (see [`until_precise`]),
/// and reports each side; gives how precision stopped the run.
pub fn compare(
    engines: [&Engine; 2],
    options: &mut SimOptions,
    precision: Option<&Precision>,
) -> Result<([Summary; 2], Option<Outcome>), Exit> {
    let Some(precision) = precision else {
        let [base, candidate] = engines;
        let reports = [
            sim_runner::run(base, options, "base")?,
            sim_runner::run(candidate, options, "candidate")?,
        ];
        return Ok((reports, None));
    };
    let (reports, outcome) = until_precise(engines, options, precision)?;
    Ok((reports, Some(outcome)))
}

/// Replicates base and candidate together until the targets hold on their paired differences
/// (or the cap), and reports each side as a run of that many replications; `options` comes
/// back with that count.
fn until_precise(
    [base, candidate]: [&Engine; 2],
    options: &mut SimOptions,
    precision: &Precision,
) -> Result<([Summary; 2], Outcome), Exit> {
    let mut sides: [Vec<RepValues>; 2] = [Vec::new(), Vec::new()];
    let outcome = precision::sequential(precision.rule, &precision.targets, |reps| {
        let b = block(base, options, reps.clone(), "base")?.values;
        let c = block(candidate, options, reps, "candidate")?.values;
        let overall = |v: &[RepValues]| v.iter().map(|r| r.overall.clone()).collect::<Vec<_>>();
        let rows = precision::differences(&overall(&b), &overall(&c));
        let [bs, cs] = &mut sides;
        bs.extend(b);
        cs.extend(c);
        Ok(rows)
    })?;
    options.replications = outcome.replications;
    let [b, c] = sides;
    let reports = [
        sim_runner::summarise(base.playbook(), options, &b, "base")?,
        sim_runner::summarise(candidate.playbook(), options, &c, "candidate")?,
    ];
    note_cap(&outcome, "compare");
    Ok((reports, outcome))
}

/// The options the shards of a run use: with `--precision`, every replication up to the cap,
/// since `merge` applies the stopping rule to them in replication order.
pub fn for_shards(options: &SimOptions, precision: Option<&Precision>) -> SimOptions {
    SimOptions {
        replications: precision.map_or(options.replications, |p| p.rule.max_replications),
        ..options.clone()
    }
}

/// The options a shard's part records: the run's, and its `--precision` targets as written.
pub fn part_options(options: &SimOptions, args: &SimArgs) -> RunOptions {
    RunOptions::of(options).with_precision(&args.precision)
}

/// Applies the stopping rule of a sharded run with `--precision` (`specs`, the cap `cap`) to the
/// KPI rows of its replications in replication order, as the run without `--shard` would have
/// met them; `None` without targets. `what` titles the note when the cap stopped it.
pub fn merged(
    specs: &[String],
    cap: u32,
    rows: &[Vec<f64>],
    what: &str,
) -> Result<Option<Outcome>, Exit> {
    if specs.is_empty() {
        return Ok(None);
    }
    let targets = precision::parse(specs).map_err(|e| {
        report_error(&CliError::new(e.to_string()));
        Exit::Failure
    })?;
    let outcome = precision::sequential::<()>(Rule::new(cap), &targets, |block| {
        let start = usize::try_from(block.start).unwrap_or(usize::MAX);
        let end = usize::try_from(block.end).unwrap_or(usize::MAX);
        Ok(rows.get(start..end).map(<[_]>::to_vec).unwrap_or_default())
    })
    .map_err(|()| Exit::Failure)?;
    note_cap(&outcome, what);
    Ok(Some(outcome))
}

/// The replications a report keeps after [`merged`]: the first ones the rule took, with the
/// options saying how many.
pub fn keep<T>(
    outcome: Option<&Outcome>,
    options: &SimOptions,
    mut values: Vec<T>,
) -> (SimOptions, Vec<T>) {
    let Some(outcome) = outcome else {
        return (options.clone(), values);
    };
    values.truncate(usize::try_from(outcome.replications).unwrap_or(usize::MAX));
    let options = SimOptions {
        replications: outcome.replications,
        ..options.clone()
    };
    (options, values)
}

/// Says on standard error that the cap stopped a run before its targets held.
fn note_cap(outcome: &Outcome, what: &str) {
    if outcome.capped {
        write_stderr(&format!("note: {what}: {}\n", cap_sentence(outcome)));
    }
}

/// Why a run stopped at its cap, naming the targets that did not hold.
fn cap_sentence(outcome: &Outcome) -> String {
    let missed: Vec<String> = outcome
        .targets
        .iter()
        .filter(|r| !r.met)
        .map(|r| {
            format!(
                "`{}` reached {} against {}",
                r.target.kpi,
                reached_cell(r),
                target_cell(r)
            )
        })
        .collect();
    format!(
        "stopped at the cap of {} replications before every target held ({}); raise `--max-replications` or loosen the target",
        outcome.rule.max_replications,
        missed.join(", ")
    )
}

/// `±1.00 pp`, `±2m 10s`, `±3.5`: a half-width in the KPI's unit.
pub fn half_width(unit: crate::ir::KpiUnit, v: f64) -> String {
    match unit {
        crate::ir::KpiUnit::Fraction if v.is_finite() => format!("±{:.2} pp", v * 100.0),
        _ => format!("±{}", format_value(unit, v)),
    }
}

/// The target as asked: `±1.00 pp`, `±5% of the mean`.
pub fn asked(t: &Target) -> String {
    match t.half_width {
        HalfWidth::Absolute(h) => half_width(t.unit, h),
        HalfWidth::Relative(share) => format!("±{}% of the mean", share * 100.0),
    }
}

/// The target of a run: as asked, with what a share of the mean came to once the mean is known,
/// `±5% of the mean (±2m 10s)`.
pub fn target_cell(r: &Reached) -> String {
    match (r.target.half_width, r.allowed) {
        (HalfWidth::Relative(_), Some(a)) => {
            format!("{} ({})", asked(&r.target), half_width(r.target.unit, a))
        }
        _ => asked(&r.target),
    }
}

/// The half-width reached, or `n/a` when the KPI had fewer than two defined replications.
pub fn reached_cell(r: &Reached) -> String {
    r.half_width
        .map_or("n/a".to_string(), |h| half_width(r.target.unit, h))
}

/// The rule in words: `first 10, then blocks of 5, at most 100`.
pub fn rule_words(rule: &Rule) -> String {
    format!(
        "first {}, then blocks of {}, at most {}",
        rule.first_block, rule.block, rule.max_replications
    )
}

/// The lines a table or Markdown report adds for a run with `--precision`: how many
/// replications (`noun`: `replications` or `paired replications`) and why it stopped, then one
/// row per target with a heading row.
pub fn summary(outcome: &Outcome, noun: &str) -> (String, Vec<Vec<String>>) {
    let head = if outcome.capped {
        cap_sentence(outcome)
    } else {
        format!(
            "{} {noun}, until every 95% half-width held ({})",
            outcome.replications,
            rule_words(&outcome.rule)
        )
    };
    let mut rows = vec![vec![
        "precision".to_string(),
        "target".to_string(),
        "reached".to_string(),
        String::new(),
    ]];
    rows.extend(outcome.targets.iter().map(|r| {
        vec![
            r.target.kpi.to_string(),
            target_cell(r),
            reached_cell(r),
            if r.mean.is_none() {
                "undefined".to_string()
            } else if r.met {
                "held".to_string()
            } else {
                "missed".to_string()
            },
        ]
    }));
    (head, rows)
}

/// The precision section of a table report.
pub fn table(outcome: &Outcome, noun: &str) -> String {
    let (head, rows) = summary(outcome, noun);
    format!("\nprecision: {head}\n{}", super::columns(&rows))
}

/// The precision section of a Markdown report.
pub fn markdown(outcome: &Outcome, noun: &str) -> String {
    let (head, rows) = summary(outcome, noun);
    let escape = |s: &str| s.replace('|', "\\|");
    let mut out = format!("\n**Precision:** {}\n\n", escape(&head));
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
        if i == 0 {
            out.push_str("|---|---:|---:|---|\n");
        }
    }
    out
}

/// The precision section of a sweep's table: per point (`label`, outcome) the replications it
/// took and the half-width each target reached.
pub fn sweep_table(points: &[(String, &Outcome)]) -> String {
    let Some((_, first)) = points.first() else {
        return String::new();
    };
    let mut rows = vec![std::iter::once("precision".to_string())
        .chain(points.iter().map(|(label, _)| label.clone()))
        .collect::<Vec<_>>()];
    rows.push(
        std::iter::once("replications".to_string())
            .chain(points.iter().map(|(_, o)| {
                let cap = if o.capped { " (cap)" } else { "" };
                format!("{}{cap}", o.replications)
            }))
            .collect(),
    );
    for (i, t) in first.targets.iter().enumerate() {
        let mut row = vec![t.target.kpi.to_string()];
        row.extend(points.iter().map(|(_, o)| {
            o.targets.get(i).map_or(String::new(), |r| {
                let missed = if r.met { "" } else { " (missed)" };
                format!("{}{missed}", reached_cell(r))
            })
        }));
        rows.push(row);
    }
    let targets: Vec<String> = first
        .targets
        .iter()
        .map(|r| format!("`{}` {}", r.target.kpi, asked(&r.target)))
        .collect();
    format!(
        "\nprecision: 95% half-widths reached per point against {} ({})\n{}",
        targets.join(", "),
        rule_words(&first.rule),
        super::columns(&rows)
    )
}
