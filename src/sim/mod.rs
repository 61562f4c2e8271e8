//! The simulator: a synthetic lead population (a checked scenario) driven through the engine with
//! a virtual clock, replicated in parallel, summarised as KPIs with confidence intervals.
//!
//! The simulator never touches files, clocks or terminals; progress is reported through a
//! callback and the caller decides how to show it.

mod agenda;
pub mod chart_data;
pub mod draws;
pub mod kpi;
mod leads;
pub mod load;
pub mod pilot;
pub mod precision;
pub mod queue;
pub mod record;
pub mod rng;
pub mod run;
pub mod stats;
pub mod steady;
pub mod summary;
pub mod survival;
pub mod theory;
pub mod timeline;
pub mod trend;
pub mod values;
mod warp;
mod world;

use crate::engine::Engine;
use crate::ir::{Playbook, Scenario};
use rayon::prelude::*;
pub use run::{Overrun, Plan, ReplicationResult, START};
use std::fmt;
pub use steady::{Warmup, WarmupMethod};
pub use summary::Summary;
pub use values::RepValues;

/// Most replications one run may ask for.
pub const MAX_REPLICATIONS: u32 = 10_000;
/// Most worker threads.
pub const MAX_THREADS: usize = 256;
/// Longest simulated span: a century, so event times fit the agenda's 32-bit seconds.
pub const MAX_HORIZON_SECS: i64 = 100 * 365 * 86_400;
/// Most leads a replication may expect to see. Lead ids are 32-bit (they key events and random
/// streams); half the id space leaves a margin no Poisson count reaches, so the run never has to
/// drop an arrival it cannot number.
pub const MAX_LEADS: f64 = 2_147_483_648.0;
/// A fixed share of the horizon as warm-up, for callers that build a [`Plan`] themselves and
/// want queues loaded before counting without a pilot (the validity tests); runs choose theirs
/// with [`decide_warmup`].
pub const WARMUP_SHARE: f64 = 0.1;

/// What to simulate and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Scenario name; the first scenario when `None`.
    pub scenario: Option<String>,
    /// Simulate about this many leads: the horizon becomes `leads / total arrival rate`.
    pub leads: Option<u64>,
    /// Simulate this many days instead of the scenario's horizon.
    pub days: Option<f64>,
    /// Independent replications.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (does not change the results).
    pub threads: usize,
    /// Engine events one replication may take before it stops with an error.
    pub max_events: u64,
    /// Leads one replication may hold alive at once before it stops with an error.
    pub max_leads_alive: usize,
    /// Keep every step of replication 1 with its input in [`Summary::recording`]
    /// (`simulate --emit-events`); the report is the same either way.
    pub emit_events: bool,
    /// The warm-up, once decided ([`decide_warmup`]) or given (`--warm-up`); `None` has every
    /// function that runs replications decide it first, so a caller that runs several batches
    /// decides it once and passes it on.
    pub warmup: Option<Warmup>,
}

/// The default of [`SimOptions::max_events`]: minutes of work on one core, far more than any
/// shipped scenario needs, so an absurd scenario ends with an error rather than a wait.
pub const DEFAULT_MAX_EVENTS: u64 = 1_000_000_000;

/// The default of [`SimOptions::max_leads_alive`]. A lead waiting in a queue takes about a
/// kilobyte, so this bounds a replication's memory near 2 GB; only a scenario whose queues grow
/// without bound (see W0402 and W0403) comes near it.
pub const DEFAULT_MAX_LEADS_ALIVE: usize = 2_000_000;

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// The playbook has no scenario.
    NoScenario,
    /// No scenario has this name.
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The names there are.
        available: Vec<String>,
    },
    /// `--leads 0`.
    ZeroLeads,
    /// Replications outside 1..=MAX_REPLICATIONS.
    Replications(u32),
    /// Threads outside 1..=MAX_THREADS.
    Threads(usize),
    /// A non-positive or non-finite number of days.
    Days(f64),
    /// Both `--leads` and `--days`.
    LeadsAndDays,
    /// The span asked for is longer than [`MAX_HORIZON_SECS`].
    Horizon(i64),
    /// The run would expect more than [`MAX_LEADS`] leads per replication.
    TooManyLeads(f64),
    /// No source has a positive arrival rate.
    NoArrivals(String),
    /// The thread pool could not start: the system refused a thread or its first memory.
    ThreadPool {
        /// The worker threads asked for (after the cap at the replication count).
        threads: usize,
        /// Why, in words.
        reason: String,
    },
    /// A warm-up set by the scenario or `--warm-up` is not shorter than the span simulated.
    WarmupTooLong {
        /// The warm-up in seconds.
        warmup_secs: i64,
        /// The span in seconds.
        horizon_secs: i64,
        /// Where the warm-up came from.
        method: WarmupMethod,
    },
    /// The playbook cannot be turned into an engine.
    Engine(String),
    /// A replication of the warm-up pilot stopped before its horizon.
    Pilot {
        /// Why.
        overrun: Overrun,
    },
    /// A replication stopped before its horizon.
    Overrun {
        /// Which replication.
        replication: u32,
        /// Why.
        overrun: Overrun,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::NoScenario => write!(f, "the playbook has no `scenario` to simulate"),
            SimError::UnknownScenario { name, available } => write!(
                f,
                "no scenario `{name}`; the playbook has {}",
                available
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            SimError::ZeroLeads => write!(f, "`--leads` must be at least 1"),
            SimError::Replications(r) => write!(
                f,
                "`--replications {r}` is out of range: use 1 to {MAX_REPLICATIONS}"
            ),
            SimError::Threads(t) => {
                write!(f, "`--threads {t}` is out of range: use 1 to {MAX_THREADS}")
            }
            SimError::Days(d) => write!(f, "`--days {d}` must be a positive number of days"),
            SimError::LeadsAndDays => write!(f, "give `--leads` or `--days`, not both"),
            SimError::Horizon(secs) => write!(
                f,
                "a span of {:.0} days is too long to simulate: the limit is a century",
                *secs as f64 / 86_400.0
            ),
            SimError::TooManyLeads(n) => write!(
                f,
                "the run would simulate about {n:.3e} leads per replication; the limit is \
                 {MAX_LEADS:.3e}: use fewer `--leads` or `--days`"
            ),
            SimError::NoArrivals(s) => {
                write!(
                    f,
                    "scenario `{s}` has no source with a positive arrival rate"
                )
            }
            SimError::ThreadPool { threads, reason } => write!(
                f,
                "cannot start {threads} worker thread{}: {reason}; use fewer `--threads`",
                if *threads == 1 { "" } else { "s" }
            ),
            SimError::WarmupTooLong {
                warmup_secs,
                horizon_secs,
                method,
            } => write!(
                f,
                "the warm-up of {:.1} days {} is not shorter than the {:.1} days simulated: shorten the warm-up or simulate longer",
                *warmup_secs as f64 / 86_400.0,
                method.describe(),
                *horizon_secs as f64 / 86_400.0
            ),
            SimError::Engine(reason) => write!(f, "{reason}"),
            SimError::Pilot { overrun } => {
                overrun_message(f, "a pilot replication (run to choose the warm-up)", overrun)
            }
            SimError::Overrun {
                replication,
                overrun,
            } => overrun_message(f, &format!("replication {replication}"), overrun),
        }
    }
}

impl std::error::Error for SimError {}

fn overrun_message(f: &mut fmt::Formatter<'_>, which: &str, overrun: &Overrun) -> fmt::Result {
    let day = |secs: i64| secs.div_euclid(86_400) + 1;
    match overrun {
        Overrun::Events { limit, at_secs } => write!(
            f,
            "{which} stopped on simulated day {}: it used its budget of \
             {limit} engine events; raise `--max-events` if the scenario is meant to be this \
             busy, or look for a signal or arrival rate far higher than intended",
            day(*at_secs)
        ),
        Overrun::LeadsAlive {
            limit,
            at_secs,
            longest_queue,
        } => {
            write!(
                f,
                "{which} stopped on simulated day {}: more than {limit} \
                 leads were alive at once",
                day(*at_secs)
            )?;
            if let Some((queue, waiting)) = longest_queue {
                write!(f, ", {waiting} of them waiting in queue `{queue}`")?;
            }
            write!(
                f,
                "; the sellers cannot keep up (see warnings W0402 and W0403): add sellers, \
                 lower the arrival rates or shorten the horizon (or raise `--max-leads-alive`, \
                 at about a kilobyte a lead)"
            )
        }
    }
}

/// Picks the scenario a run uses.
pub fn find_scenario<'a>(engine: &'a Engine, name: Option<&str>) -> Result<&'a Scenario, SimError> {
    scenario_of(engine.playbook(), name)
}

/// Picks the scenario of a playbook a run uses: the one named, or the first.
pub fn scenario_of<'a>(
    playbook: &'a Playbook,
    name: Option<&str>,
) -> Result<&'a Scenario, SimError> {
    let scenarios = &playbook.scenarios;
    match name {
        None => scenarios.first().ok_or(SimError::NoScenario),
        Some(name) => scenarios.iter().find(|s| s.name == name).ok_or_else(|| {
            if scenarios.is_empty() {
                SimError::NoScenario
            } else {
                SimError::UnknownScenario {
                    name: name.to_string(),
                    available: scenarios.iter().map(|s| s.name.clone()).collect(),
                }
            }
        }),
    }
}

/// Checks the options and works out the simulated span and the warm-up: the one in `options`,
/// else the scenario's, which must be shorter than the span; with neither the warm-up is 0 here,
/// and [`decide_warmup`] finds it with this plan.
pub fn plan(scenario: &Scenario, options: &SimOptions) -> Result<Plan, SimError> {
    if !(1..=MAX_REPLICATIONS).contains(&options.replications) {
        return Err(SimError::Replications(options.replications));
    }
    if !(1..=MAX_THREADS).contains(&options.threads) {
        return Err(SimError::Threads(options.threads));
    }
    let rate: f64 = scenario
        .sources
        .iter()
        .map(|s| s.rate_per_sec)
        .filter(|r| r.is_finite() && *r > 0.0)
        .sum();
    if rate <= 0.0 {
        return Err(SimError::NoArrivals(scenario.name.clone()));
    }
    let horizon_secs = match (options.leads, options.days) {
        (Some(_), Some(_)) => return Err(SimError::LeadsAndDays),
        (Some(0), None) => return Err(SimError::ZeroLeads),
        (Some(n), None) => (n as f64 / rate).ceil().min(1e15) as i64,
        (None, Some(d)) if d.is_finite() && d > 0.0 => (d * 86_400.0).round().min(1e15) as i64,
        (None, Some(d)) => return Err(SimError::Days(d)),
        (None, None) => scenario.horizon_secs,
    }
    .max(1);
    if horizon_secs > MAX_HORIZON_SECS {
        return Err(SimError::Horizon(horizon_secs));
    }
    let expected = rate * horizon_secs as f64;
    if expected > MAX_LEADS {
        return Err(SimError::TooManyLeads(expected));
    }
    let given = match options.warmup {
        Some(w) => Some(w),
        None => scenario.warmup_secs.map(|secs| Warmup {
            secs,
            method: WarmupMethod::Scenario,
        }),
    };
    if let Some(w) = given.filter(|w| w.secs >= horizon_secs) {
        return Err(SimError::WarmupTooLong {
            warmup_secs: w.secs,
            horizon_secs,
            method: w.method,
        });
    }
    Ok(Plan {
        horizon_secs,
        // Unset, the warm-up is the pilot's, which `decide_warmup` runs with this plan.
        warmup_secs: given.map_or(0, |w| w.secs.max(0)),
        max_events: options.max_events,
        max_leads_alive: options.max_leads_alive,
    })
}

/// Starts one worker thread, and returns only once it has memory to run in.
///
/// A worker's first allocation gives it its own allocator heap; when the address space is capped
/// (`ulimit -v`) that can fail, and an allocation failure aborts the process. So the thread first
/// tries a fallible allocation and reports back: a refusal becomes an error of the pool build,
/// and the run exits with a message instead of an abort. Errors carry plain words (no
/// `os error` suffix) because the message is shown to the user as is.
fn spawn_worker(thread: rayon::ThreadBuilder) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind};
    let (ready, started) = std::sync::mpsc::sync_channel::<bool>(1);
    let mut builder = std::thread::Builder::new();
    if let Some(name) = thread.name() {
        builder = builder.name(name.to_string());
    }
    if let Some(size) = thread.stack_size() {
        builder = builder.stack_size(size);
    }
    builder
        .spawn(move || {
            // Nothing here may allocate before the probe: that is what it guards.
            let has_memory = Vec::<u8>::new().try_reserve_exact(PROBE_BYTES).is_ok();
            // The receiver outlives the send: the spawner blocks on it.
            let _ = ready.send(has_memory);
            if has_memory {
                thread.run();
            }
        })
        .map_err(|e| {
            let reason = match e.kind() {
                ErrorKind::WouldBlock => "the system refused another thread".to_string(),
                kind => kind.to_string(),
            };
            Error::new(e.kind(), reason)
        })?;
    match started.recv() {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(Error::new(
            ErrorKind::OutOfMemory,
            "out of memory for a worker thread",
        )),
    }
}

/// The probe a new worker allocates: small, so it tests that the thread gets an allocator heap
/// at all, not how much memory is free.
const PROBE_BYTES: usize = 4096;

/// Runs one replication; exposed for tests that check sample-path properties.
pub fn replicate(
    engine: &Engine,
    scenario: &Scenario,
    plan: Plan,
    seed: u64,
    replication: u32,
) -> Result<ReplicationResult, Overrun> {
    let engine = &engine.clone().without_context_packages();
    let world = world::World::new(engine, scenario, plan.horizon_secs);
    run_replication(engine, &world, plan, (seed, replication), false)
}

/// Runs one replication with an engine and world prepared once for all of them (the engine
/// without context packages, see [`Engine::without_context_packages`]).
fn run_replication(
    engine: &Engine,
    world: &world::World,
    plan: Plan,
    (seed, replication): (u64, u32),
    record: bool,
) -> Result<ReplicationResult, Overrun> {
    let run = run::Run::new(
        engine,
        world,
        rng::Replication::new(seed, replication),
        plan,
    );
    if record {
        run.recording().run()
    } else {
        run.run()
    }
}

/// Runs every replication on `options.threads` threads and merges them in replication order.
/// `progress` is called once per finished replication, from worker threads.
pub fn simulate(
    engine: &Engine,
    options: &SimOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Summary, SimError> {
    let options = &with_warmup(engine, options)?;
    let share = run_share(engine, options, 0..options.replications, progress)?;
    let inputs = inputs(engine.playbook(), options)?;
    let mut summary = summarise(engine.playbook(), inputs, &share.values);
    summary.recording = share.recording;
    Ok(summary)
}

/// The replications of a share of a run, reduced to their values.
#[derive(Debug)]
pub struct Share {
    /// The values of each replication of the share, in replication order.
    pub values: Vec<RepValues>,
    /// Every step of replication 1, when the share holds it and `SimOptions::emit_events`
    /// asked for it.
    pub recording: Option<record::Recording>,
}

/// Runs the replications `replications` of a run (a shard's share, or all of them) on
/// `options.threads` threads. Replication `r` draws from its own streams, so its values are the
/// same whichever share runs it. `progress` is called once per finished replication, from
/// worker threads.
pub fn run_share(
    engine: &Engine,
    options: &SimOptions,
    replications: std::ops::Range<u32>,
    progress: &(dyn Fn() + Sync),
) -> Result<Share, SimError> {
    let options = &with_warmup(engine, options)?;
    let scenario = find_scenario(engine, options.scenario.as_deref())?;
    let plan = plan(scenario, options)?;
    let bare = engine.clone().without_context_packages();
    let world = world::World::new(&bare, scenario, plan.horizon_secs);
    let pool = pool(options.threads, replications.len())?;
    let results: Vec<(RepValues, Option<record::Recording>)> = pool
        .install(|| {
            replications
                .into_par_iter()
                .map(|r| {
                    let record = options.emit_events && r == 0;
                    let result = run_replication(&bare, &world, plan, (options.seed, r), record);
                    progress();
                    result
                        .map(|mut result| {
                            let recording = result.recording.take();
                            (RepValues::new(result), recording)
                        })
                        .map_err(|overrun| SimError::Overrun {
                            replication: r + 1,
                            overrun,
                        })
                })
                .collect::<Vec<_>>()
        })
        // The first replication that stopped, whichever thread stopped first.
        .into_iter()
        .collect::<Result<_, _>>()?;
    let mut share = Share {
        values: Vec::with_capacity(results.len()),
        recording: None,
    };
    for (values, recording) in results {
        share.values.push(values);
        share.recording = share.recording.or(recording);
    }
    Ok(share)
}

/// A pool of at most `threads` workers for `units` pieces of work: a thread beyond one per
/// unit would never get work, yet costs a stack and an allocator heap.
fn pool(threads: usize, units: usize) -> Result<rayon::ThreadPool, SimError> {
    let threads = threads.min(units.max(1));
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .spawn_handler(spawn_worker)
        .build()
        .map_err(|e| SimError::ThreadPool {
            threads,
            reason: e.to_string(),
        })
}

/// Decides a run's warm-up: `options.warmup` when given, else the scenario's `warm-up`, else
/// MSER-5 on a pilot ([`pilot`]). The pilot is as deterministic as the run, so every shard of a
/// run and every thread count decide the same; still, a command decides once and carries the
/// result in its options, as the pilot costs up to five replications.
pub fn decide_warmup(engine: &Engine, options: &SimOptions) -> Result<Warmup, SimError> {
    let scenario = find_scenario(engine, options.scenario.as_deref())?;
    let plan = plan(scenario, options)?;
    if let Some(w) = options.warmup {
        return Ok(w);
    }
    if let Some(secs) = scenario.warmup_secs {
        return Ok(Warmup {
            secs,
            method: WarmupMethod::Scenario,
        });
    }
    let bare = engine.clone().without_context_packages();
    let world = world::World::new(&bare, scenario, plan.horizon_secs);
    let pilots = options.replications.clamp(1, pilot::PILOTS) as usize;
    let pool = pool(options.threads, pilots)?;
    pilot::mser5_warmup(&bare, &world, plan, options, &pool)
}

/// `options` with the warm-up decided, when it was not.
fn with_warmup(engine: &Engine, options: &SimOptions) -> Result<SimOptions, SimError> {
    let warmup = decide_warmup(engine, options)?;
    Ok(SimOptions {
        warmup: Some(warmup),
        ..options.clone()
    })
}

/// What a run simulates, as its report states it.
pub fn inputs(playbook: &Playbook, options: &SimOptions) -> Result<summary::Inputs, SimError> {
    let warmup = match options.warmup {
        Some(w) => w,
        None => {
            let engine = Engine::new(playbook).map_err(|e| SimError::Engine(e.to_string()))?;
            decide_warmup(&engine, options)?
        }
    };
    let options = &SimOptions {
        warmup: Some(warmup),
        ..options.clone()
    };
    let scenario = scenario_of(playbook, options.scenario.as_deref())?;
    let plan = plan(scenario, options)?;
    Ok(summary::Inputs {
        playbook: playbook.name.clone(),
        scenario: scenario.name.clone(),
        seed: options.seed,
        replications: options.replications,
        leads: options.leads,
        days: options.days,
        horizon_secs: plan.horizon_secs,
        warmup_secs: plan.warmup_secs,
        warmup_method: warmup.method,
        start: "2026-01-05T00:00:00Z".to_string(),
    })
}

/// The report of a run from the values of all its replications, in replication order.
pub fn summarise(playbook: &Playbook, inputs: summary::Inputs, values: &[RepValues]) -> Summary {
    summary::build(playbook, inputs, values)
}
