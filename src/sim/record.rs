//! The simulated population of one replication as the engine saw it, kept only when asked
//! (`SimOptions::emit_events`), so that `simulate --emit-events` can write it as event lines
//! (`docs/events.md`) for `replay` and `run` to be shown and tested on realistic logs.
//!
//! Recording is pure and costs one branch per engine step when it is off.

use super::rng::LeadKey;
use crate::calendar::Timestamp;
use crate::engine::{utc, Action, Input};
use crate::events::{
    value_json, LEAD_CREATED, LEAD_UPDATED, SELLER_DISPOSITION, SELLER_PICKUP, SELLER_TOUCH,
};
use crate::ir::Playbook;
use serde_json::{json, Map, Value as Json};

/// The `source` attribute of every emitted line.
pub const SOURCE: &str = "simulate";

/// One engine step of a simulated lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// When it was taken.
    pub at: Timestamp,
    /// Which lead: the k-th arrival of a source.
    pub lead: LeadKey,
    /// What the lead received; `None` for a timer, which a reader of event lines fires itself
    /// (kept only when it decided something).
    pub input: Option<Input>,
    /// What the engine decided, so tests can compare a replay with the simulation step by step.
    pub actions: Vec<Action>,
    /// The input was applied while a timer of the lead due at this same second was pending:
    /// the simulator breaks such a tie by scheduling order, while every reader of event lines
    /// fires the timer first (`engine::Driver`), so a replay may differ from here on.
    pub tie: bool,
}

/// Every step of one replication, in the order the simulator took them (a lead run ahead of
/// the clock comes before others' earlier steps; [`Recording::in_time_order`] sorts them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recording {
    /// The scenario's source names, by source index, which name leads and campaigns.
    pub sources: Vec<String>,
    /// The steps.
    pub steps: Vec<Recorded>,
}

impl Recording {
    /// An empty recording for a scenario with these sources.
    pub fn new(sources: Vec<String>) -> Recording {
        Recording {
            sources,
            steps: Vec::new(),
        }
    }

    /// The steps in time order; steps at the same time keep the simulator's order, so each
    /// lead's steps keep theirs.
    pub fn in_time_order(&self) -> Vec<&Recorded> {
        let mut steps: Vec<&Recorded> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.at);
        steps
    }

    /// A lead's CRM id in the emitted log: its source's name and its arrival number there
    /// (source names cannot contain `-`, so ids never clash).
    pub fn lead_id(&self, lead: LeadKey) -> String {
        let source = self
            .sources
            .get(usize::from(lead.source))
            .map_or("source", String::as_str);
        format!("{source}-{}", lead.index)
    }

    /// The inputs as event lines in time order, with ids `s-1`, `s-2`, ... from source
    /// [`SOURCE`]; timers are left out, since every reader fires them itself.
    pub fn event_lines(&self, playbook: &Playbook) -> Vec<String> {
        let mut lines = Vec::new();
        for step in self.in_time_order() {
            let Some(input) = &step.input else {
                continue;
            };
            let Some((kind, data, campaign)) = describe(playbook, input) else {
                continue;
            };
            let mut object = Map::new();
            object.insert("id".into(), json!(format!("s-{}", lines.len() + 1)));
            object.insert("source".into(), json!(SOURCE));
            object.insert("type".into(), json!(kind));
            object.insert("lead".into(), json!(self.lead_id(step.lead)));
            object.insert("time".into(), json!(utc(step.at)));
            if !data.is_empty() {
                object.insert("data".into(), Json::Object(data));
            }
            if let Some(campaign) = campaign {
                object.insert("campaign".into(), json!(campaign));
            }
            lines.push(Json::Object(object).to_string());
        }
        lines
    }
}

/// An input's line type, `data` and campaign, with names from the playbook; `None` for a timer.
fn describe(
    playbook: &Playbook,
    input: &Input,
) -> Option<(String, Map<String, Json>, Option<String>)> {
    let mut data = Map::new();
    let kind = match input {
        Input::Arrive { attributes, source } => {
            for (def, value) in playbook.fields.iter().zip(attributes) {
                data.insert(def.name.clone(), value_json(Some(&def.ty), value));
            }
            return Some((
                LEAD_CREATED.to_owned(),
                data,
                source.as_deref().map(str::to_owned),
            ));
        }
        Input::Event { event, fields } => {
            let def = playbook.events.get(event.index())?;
            for (field, value) in def.fields.iter().zip(fields) {
                data.insert(field.name.clone(), value_json(Some(&field.ty), value));
            }
            def.name.clone()
        }
        Input::SetField { field, value } => {
            let def = playbook.fields.get(field.index())?;
            data.insert(def.name.clone(), value_json(Some(&def.ty), value));
            LEAD_UPDATED.to_owned()
        }
        Input::Timer(_) => return None,
        Input::Pickup { seller } => {
            if let Some(seller) = seller {
                let i = seller.index();
                let name = playbook.sellers.get(i).map(|s| s.name.as_str());
                data.insert("seller".into(), named(name, i));
            }
            SELLER_PICKUP.to_owned()
        }
        Input::Touch { outcome } => {
            data.insert("outcome".into(), json!(outcome.name()));
            SELLER_TOUCH.to_owned()
        }
        Input::Disposition { reason } => {
            let i = reason.index();
            let name = playbook.reasons.get(i).map(|r| r.name.as_str());
            data.insert("reason".into(), named(name, i));
            SELLER_DISPOSITION.to_owned()
        }
    };
    Some((kind, data, None))
}

/// A name, or `#N` for an id the playbook does not have.
fn named(name: Option<&str>, index: usize) -> Json {
    json!(name.map_or_else(|| format!("#{index}"), str::to_owned))
}
