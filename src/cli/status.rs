//! `handoff status --store FILE` and `handoff lead --store FILE ID`: what a live store holds,
//! read beside a runner that may be writing it.

use std::path::PathBuf;

use super::{columns, finish, report_error, Exit};
use crate::live::status::{self, Count, LeadView, Status};
use crate::live::store::Store;

/// Output format of `status` and `lead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    #[default]
    Table,
    /// One JSON document.
    Json,
}

/// Show a live store: leads by stage, queue lengths, pending timers, dead letters, undelivered
/// actions and how far delivery lags.
///
/// Exits with 2 when the store cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The store file
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub store: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Show one lead of a live store: its state by name, pending timers, last inputs and actions.
///
/// Exits with 1 when the store has no such lead and 2 when the store cannot be read.
#[derive(Debug, clap::Args)]
pub struct LeadArgs {
    /// The store file
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub store: PathBuf,
    /// The CRM's lead id
    #[arg(value_name = "ID")]
    pub lead: String,
    /// How many of the last inputs and actions to show
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub last: u32,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Prints the store's status.
pub fn run(args: &Args) -> Exit {
    let result = Store::open_read(&args.store)
        .and_then(|store| status::status(&store, chrono::Utc::now().timestamp()));
    match result {
        Ok(s) => {
            let text = match args.format {
                Format::Json => json(&s),
                Format::Table => table(&s),
            };
            finish(text.as_bytes(), Exit::Ok)
        }
        Err(e) => {
            report_error(&super::CliError::new(e.to_string()));
            Exit::Failure
        }
    }
}

/// Prints one lead.
pub fn run_lead(args: &LeadArgs) -> Exit {
    let result =
        Store::open_read(&args.store).and_then(|store| status::lead(&store, &args.lead, args.last));
    match result {
        Ok(Some(view)) => {
            let text = match args.format {
                Format::Json => json(&view),
                Format::Table => lead_text(&view),
            };
            finish(text.as_bytes(), Exit::Ok)
        }
        Ok(None) => {
            report_error(&super::CliError::new(format!(
                "store `{}` has no lead `{}`",
                args.store.display(),
                args.lead
            )));
            Exit::Findings
        }
        Err(e) => {
            report_error(&super::CliError::new(e.to_string()));
            Exit::Failure
        }
    }
}

fn json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn table(s: &Status) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut rows = vec![
        vec![
            "playbook".into(),
            format!("{} (version {})", s.playbook, s.version),
        ],
        vec!["clock".into(), opt(&s.clock)],
        vec!["leads".into(), s.leads.to_string()],
    ];
    let list = |counts: &[Count]| {
        let items: Vec<String> = counts
            .iter()
            .map(|c| format!("{} {}", c.name, c.count))
            .collect();
        if items.is_empty() {
            "-".to_owned()
        } else {
            items.join(", ")
        }
    };
    rows.push(vec!["by stage".into(), list(&s.stages)]);
    rows.push(vec!["waiting".into(), list(&s.queues)]);
    rows.push(vec![
        "timers".into(),
        format!("{} pending, next {}", s.timers, opt(&s.next_timer)),
    ]);
    rows.push(vec!["inputs".into(), s.inputs.to_string()]);
    rows.push(vec!["dead letters".into(), s.dead_letters.to_string()]);
    let lag = s
        .delivery_lag_secs
        .map_or_else(String::new, |l| format!(", oldest {} old", age(l)));
    let dead = match s.dead_deliveries {
        0 => String::new(),
        n => format!(", {n} given up after the last delivery attempt"),
    };
    rows.push(vec![
        "actions".into(),
        format!(
            "{} in all, {} undelivered{lag}{dead}",
            s.actions, s.undelivered
        ),
    ]);
    let sellers: Vec<String> = (s.sellers.iter())
        .map(|x| {
            let away = if x.away { " away" } else { "" };
            format!("{} {}{away}", x.name, x.open)
        })
        .collect();
    if !sellers.is_empty() {
        rows.push(vec!["sellers (open)".into(), sellers.join(", ")]);
    }
    columns(&rows)
}

/// An age in its two largest units, for people: `3d 4h`, `2h 5m`, `4m 10s`, `7s`.
fn age(secs: i64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

fn lead_text(view: &LeadView) -> String {
    let mut out = format!("lead {}\n", view.lead);
    out.push_str(&format!("state {}\n", view.state));
    for timer in &view.timers {
        out.push_str(&format!(
            "timer {} due {}\n",
            text(&timer["kind"]),
            text(&timer["due"])
        ));
    }
    for input in &view.inputs {
        let event = &input["event"];
        let late = if input["late"] == true { " late" } else { "" };
        let ignored = input["ignored"]
            .as_str()
            .map_or_else(String::new, |w| format!(" ignored ({w})"));
        out.push_str(&format!(
            "input {} {} at {}{late}{ignored}\n",
            text(&event["type"]),
            text(&event["id"]),
            text(&input["applied_at"]),
        ));
    }
    for action in &view.actions {
        out.push_str(&format!("action {} {}\n", text(&action["time"]), action));
    }
    out
}

fn text(value: &serde_json::Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_show_their_two_largest_units() {
        assert_eq!(super::age(7), "7s");
        assert_eq!(super::age(250), "4m 10s");
        assert_eq!(super::age(7_500), "2h 5m");
        assert_eq!(super::age(3 * 86_400 + 4 * 3_600 + 59), "3d 4h");
    }
}
