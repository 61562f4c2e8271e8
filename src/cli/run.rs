//! `handoff run PLAYBOOK --store FILE`: the playbook live on event lines, durably
//! (`docs/live.md`).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use super::{report_error, sim_runner, stdin, write_stderr, CliError, ColorChoice, Exit};
use crate::engine::Renames;
use crate::live::input::Source;
use crate::live::relay::Sink;
use crate::live::store::Durability;
use crate::live::{Clock, RunOptions, RunReport};

/// Run a playbook on event lines, keeping every lead in a durable store.
///
/// Lines are applied in batches, each committed as one transaction; a line counts as accepted
/// once its batch is committed. Timers fire at their due time. Actions are delivered at least
/// once, each with an idempotency `key` a receiver must deduplicate. SIGTERM or SIGINT finishes
/// the batch, commits and exits 0.
///
/// Exits with 1 when the playbook has errors and 2 when the store, the events or the actions
/// cannot be used.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The playbook to run
    #[arg(value_name = "PLAYBOOK", value_hint = clap::ValueHint::FilePath)]
    pub playbook: PathBuf,
    #[command(flatten)]
    pub stdin: stdin::Name,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Event lines to read (docs/events.md), or `-` for standard input
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub events: String,
    /// Keep reading as the events file grows (and keep firing timers after standard input ends)
    #[arg(long)]
    pub follow: bool,
    /// Where to deliver actions as JSON lines (`-` for standard output); without it they wait in
    /// the store's outbox
    #[arg(long, value_name = "FILE|-")]
    pub actions: Option<String>,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// The store and how lines are committed to it, as `run` and `serve` both take them.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The store file (SQLite), created when missing
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub store: PathBuf,
    /// What time means: `wall` fires timers by the wall clock; `events` moves time with event
    /// times (backfills, tests)
    #[arg(long, value_enum, default_value_t = ClockArg::Wall)]
    pub clock: ClockArg,
    /// Commit durability: `full` survives a power cut; `normal` may lose the last commits to one
    #[arg(long, value_enum, default_value_t = SyncArg::Full)]
    pub synchronous: SyncArg,
    /// Most lines committed in one transaction (by `serve`, across concurrent requests)
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub batch: u32,
    /// Longest a line waits for others to share its commit, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=60_000))]
    pub batch_wait: u32,
    /// A rename for carrying the store's leads over to a changed playbook: `OLD=NEW`, or
    /// `KIND:OLD=NEW` with KIND one of track, handoff, queue, seller, reason, field, value, event,
    /// score (docs/deploy.md); repeat for several
    #[arg(long = "map", value_name = "[KIND:]OLD=NEW")]
    pub renames: Vec<String>,
}

impl StoreArgs {
    /// What time means.
    pub fn clock(&self) -> Clock {
        match self.clock {
            ClockArg::Wall => Clock::Wall,
            ClockArg::Events => Clock::Events,
        }
    }

    /// How hard a commit waits for the disk.
    pub fn durability(&self) -> Durability {
        match self.synchronous {
            SyncArg::Full => Durability::Full,
            SyncArg::Normal => Durability::Normal,
        }
    }

    /// Most lines in one transaction.
    pub fn batch_lines(&self) -> usize {
        usize::try_from(self.batch).unwrap_or(1)
    }

    /// Longest a line waits for its batch.
    pub fn batch_wait(&self) -> Duration {
        Duration::from_millis(u64::from(self.batch_wait))
    }

    /// The `--map` renames, or every one that does not read.
    pub fn renames(&self) -> Result<Renames, CliError> {
        Renames::parse(&self.renames).map_err(|errors| {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            CliError::new(text.join("\nerror: "))
        })
    }
}

/// The clock a run keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockArg {
    /// The wall clock.
    Wall,
    /// Event times.
    Events,
}

/// `PRAGMA synchronous` for the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncArg {
    /// Every commit reaches the disk.
    Full,
    /// Commits reach the operating system.
    Normal,
}

/// Runs until the events end (or, following, until a signal).
pub fn run(args: &Args, color: ColorChoice) -> Exit {
    let playbook = match sim_runner::load_file(&args.playbook, &args.stdin, color) {
        Ok(playbook) => playbook,
        Err(exit) => return exit,
    };
    match start(args, &playbook) {
        Ok(report) => {
            if !args.quiet {
                write_stderr(&summary(&report));
            }
            Exit::Ok
        }
        Err(e) => {
            report_error(&e);
            Exit::Failure
        }
    }
}

fn start(args: &Args, playbook: &crate::ir::Playbook) -> Result<RunReport, CliError> {
    let events = match args.events.as_str() {
        "-" => Source::Stdin,
        path => Source::File(PathBuf::from(path)),
    };
    if events == Source::Stdin && args.playbook.as_os_str() == "-" {
        return Err(CliError::new(
            "the playbook and the events cannot both come from standard input",
        ));
    }
    let actions = match args.actions.as_deref() {
        None => None,
        Some("-") => Some(Sink::Stdout),
        Some(path) => Some(Sink::file(PathBuf::from(path)).map_err(CliError::new)?),
    };
    let renames = args.store.renames()?;
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| CliError::new(format!("cannot handle signals: {e}")))?;
    }
    let options = RunOptions {
        store: args.store.store.clone(),
        events,
        follow: args.follow,
        actions,
        clock: args.store.clock(),
        durability: args.store.durability(),
        batch_lines: args.store.batch_lines(),
        batch_wait: args.store.batch_wait(),
        renames,
    };
    crate::live::run(playbook, options, stop).map_err(|e| CliError::new(e.to_string()))
}

/// What the run did, for standard error: a deploy first, then one line of counts.
fn summary(r: &RunReport) -> String {
    let how = if r.interrupted { "stopped" } else { "done" };
    let mut text = String::new();
    if let Some(notes) = &r.deployed {
        text.push_str("deployed: every lead was carried over to the changed playbook\n");
        for note in notes {
            text.push_str(&format!("  note: {note}\n"));
        }
    }
    text + &format!(
        "run {how}: {} lines: {} accepted ({} late, {} ignored by the engine), {} duplicates, \
         {} dead letters; {} actions, {} delivered; {} commits\n",
        r.lines,
        r.accepted,
        r.late,
        r.ignored,
        r.duplicates,
        r.dead,
        r.actions,
        r.delivered,
        r.commits
    )
}
