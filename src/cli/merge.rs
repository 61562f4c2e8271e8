//! `handoff merge PARTS...`: the report of a sharded `simulate`, `compare` or `sweep` from the
//! parts its shards wrote.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::compare::{self, CompareFormat};
use super::simulate::{self, SimFormat};
use super::sweep::{self, SweepFormat};
use super::{files, precision, report_error, sim_runner, CliError, Exit};
use crate::shard::part::{self, Inputs, Part};
use crate::sim::RepValues;

/// Merge the parts of a sharded run into its report.
///
/// Takes the part of every shard of one `simulate`, `compare` or `sweep` run with `--shard`,
/// in any order, and writes the report the run without `--shard` writes, byte for byte: on
/// standard output in `--format`, and into `--out DIR`. Parts of different runs (another
/// playbook, seed, option or `handoff` version), a missing shard or a shard given twice are
/// refused. Exits with 1 when a `compare` guardrail is breached, 2 when the parts cannot be
/// read or merged.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The parts the shards wrote (`--part`), one per shard, in any order
    #[arg(value_name = "PART", required = true, value_hint = clap::ValueHint::FilePath)]
    pub parts: Vec<PathBuf>,
    /// Output format, one the command that wrote the parts takes (default: `table`)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Also write the command's report files into this directory, as its `--out` does
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub out: Option<PathBuf>,
}

/// Reads, checks and merges the parts and writes the report.
pub fn run(args: &Args) -> Exit {
    match merge_run(args) {
        Ok(exit) | Err(exit) => exit,
    }
}

fn merge_run(args: &Args) -> Result<Exit, Exit> {
    sim_runner::check_out(args.out.as_deref())?;
    let parts = args
        .parts
        .iter()
        .map(|path| read_part(path).map(|p| (files::display_path(path), p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let (inputs, units) = part::assemble(parts).map_err(|e| fail(CliError::new(e.0)))?;
    let out = args.out.as_deref();
    let exit = match &inputs {
        Inputs::Simulate {
            playbook, options, ..
        } => {
            let format = format::<SimFormat>(args, "simulate")?;
            let values: Vec<RepValues> = units.into_iter().flatten().collect();
            let rows: Vec<Vec<f64>> = values.iter().map(|v| v.overall.clone()).collect();
            let outcome =
                precision::merged(&options.precision, options.replications, &rows, "simulate")?;
            let (options, values) =
                precision::keep(outcome.as_ref(), &options.to_options(), values);
            let report = sim_runner::summarise(playbook, &options, &values, "simulate")?;
            simulate::write_report(&report, outcome.as_ref(), format, out)
        }
        Inputs::Compare {
            base,
            candidate,
            options,
            fail_if,
            ..
        } => {
            let format = format::<CompareFormat>(args, "compare")?;
            let overall = |side: usize| -> Vec<Vec<f64>> {
                let values = units.iter().filter_map(|u| u.get(side));
                values.map(|v| v.overall.clone()).collect()
            };
            let rows = crate::sim::precision::differences(&overall(0), &overall(1));
            let outcome =
                precision::merged(&options.precision, options.replications, &rows, "compare")?;
            let (sim_options, units) =
                precision::keep(outcome.as_ref(), &options.to_options(), units);
            compare::write_merged(
                [base, candidate],
                (&sim_options, outcome.as_ref()),
                fail_if,
                &units,
                format,
                out,
            )
        }
        Inputs::Sweep {
            playbook,
            set,
            options,
            ..
        } => sweep::write_merged(
            playbook,
            (set, &options.precision),
            &options.to_options(),
            &units,
            format::<SweepFormat>(args, "sweep")?,
            out,
        ),
    };
    Ok(exit)
}

fn fail(e: CliError) -> Exit {
    report_error(&e);
    Exit::Failure
}

/// Reads one part file.
fn read_part(path: &Path) -> Result<Part, CliError> {
    let shown = files::display_path(path);
    let bytes = std::fs::read(path).map_err(|e| {
        CliError::new(format!(
            "cannot read part `{shown}`: {}",
            files::describe_io(&e)
        ))
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CliError::new(format!("`{shown}` is not a part written by `--shard`: {e}")))
}

/// `--format` as the formats of `command`, which wrote the parts; `table` by default.
fn format<F: ValueEnum + Default>(args: &Args, command: &str) -> Result<F, Exit> {
    let Some(text) = &args.format else {
        return Ok(F::default());
    };
    F::from_str(text, false).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| format!("`{}`", v.get_name()))
            .collect();
        fail(CliError::new(format!(
            "`--format {text}` is not a format of `{command}`, which wrote the parts: use {}",
            names.join(", ")
        )))
    })
}
