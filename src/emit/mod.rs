//! Emitters: the checked IR turned into text other tools read.
//!
//! `ir` is the IR itself as JSON, for tools that want the resolved playbook without parsing
//! the language. `dot` and `mermaid` draw the lead lifecycle for people reviewing a playbook.
//! Both diagrams are printed from one lifecycle graph built here, so they always show the
//! same nodes and edges and differ only in syntax. Every emitter is a pure function of the
//! playbook: tables are walked in declaration order, so the same playbook always gives
//! byte-identical text and diffs of emitted files mean real changes.

pub mod dot;
pub mod mermaid;

use crate::ir::{
    BreachAction, Cond, Destination, Playbook, RouteRule, RouteTarget, Sla, Suppression, TrackEnd,
    Trigger,
};
use serde::{Deserialize, Serialize};

/// Version of the `--emit ir` document; bumped on any incompatible change of its shape, so
/// consumers can refuse IR they do not understand instead of misreading it.
pub const IR_FORMAT_VERSION: u32 = 1;

/// The `--emit ir` document: a version stamp around the playbook.
///
/// Generic so that emitting borrows the playbook (`IrDocument<&Playbook>`) while reading the
/// document back owns it (`IrDocument<Playbook>`, the default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IrDocument<P = Playbook> {
    /// [`IR_FORMAT_VERSION`] at the time of writing.
    pub format_version: u32,
    /// The checked playbook.
    pub playbook: P,
}

/// The IR as pretty-printed JSON with a trailing newline.
///
/// Serialising the IR cannot fail today (it has no maps with non-text keys); the error is
/// passed on rather than swallowed so a future IR change cannot silently produce empty output.
pub fn ir_json(playbook: &Playbook) -> Result<String, serde_json::Error> {
    let doc = IrDocument {
        format_version: IR_FORMAT_VERSION,
        playbook,
    };
    let mut text = serde_json::to_string_pretty(&doc)?;
    text.push('\n');
    Ok(text)
}

/// What a node stands for; each diagram gives every kind its own shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    /// Where new leads come in.
    Start,
    /// An automated nurture track (drawn inside the automation group).
    Track,
    /// A disqualifier.
    Disqualifier,
    /// A handoff rule.
    Handoff,
    /// A router.
    Router,
    /// A queue of sellers.
    Queue,
    /// A manual sequence.
    Sequence,
    /// A disposition reason code.
    Reason,
    /// A role notified on breach.
    Notify,
    /// The converted end state.
    Converted,
    /// The closed end state.
    Closed,
}

/// What an edge means, which decides how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    /// The normal forward flow of a lead.
    Flow,
    /// A missed SLA and what follows it.
    Breach,
    /// Back to automation after a disposition or a breach limit.
    Recycle,
}

/// One box in the diagram; `lines` are shown one per line, the first naming the declaration.
#[derive(Debug, Clone)]
struct Node {
    id: String,
    kind: NodeKind,
    lines: Vec<String>,
}

/// One arrow; `lines` is its label, possibly empty.
#[derive(Debug, Clone)]
struct Edge {
    from: Endpoint,
    to: String,
    kind: EdgeKind,
    lines: Vec<String>,
}

/// Where an edge starts: a node, or the automation group as a whole (a handoff or
/// disqualifier can fire from any track, and one arrow from the group says so without
/// drawing one per track).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Endpoint {
    /// A node id.
    Node(String),
    /// The group of tracks.
    Automation,
}

/// The lead lifecycle as a graph: what both diagram formats print.
#[derive(Debug, Clone)]
struct Lifecycle {
    /// Diagram title: the playbook title, or its name.
    title: String,
    /// Nodes in drawing order.
    nodes: Vec<Node>,
    /// Edges in drawing order.
    edges: Vec<Edge>,
}

impl Lifecycle {
    /// Nodes of one kind: the entry point is drawn first and tracks inside the automation group.
    fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(move |n| n.kind == kind)
    }

    /// The nodes drawn after the entry point and the automation group.
    fn others(&self) -> impl Iterator<Item = &Node> {
        self.nodes
            .iter()
            .filter(|n| !matches!(n.kind, NodeKind::Start | NodeKind::Track))
    }
}

/// Node ids: `KIND_NAME` when the name is an identifier (always so in checked IR), so the
/// generated text stays readable; `KINDINDEX` otherwise. Kind prefixes are letters only, so
/// neither form can collide with the other or across kinds.
fn node_id(kind: &str, index: usize, name: &str) -> String {
    if is_identifier(name) {
        format!("{kind}_{name}")
    } else {
        format!("{kind}{index}")
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const START: &str = "start";
const CONVERTED: &str = "converted";
const CLOSED: &str = "closed";

/// Ids of every table entry of one kind, by index.
fn ids<'a>(kind: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .enumerate()
        .map(|(i, n)| node_id(kind, i, n))
        .collect()
}

/// The id at an index, or an empty id for an index the IR does not have (never in checked IR;
/// an edge to an empty id is dropped by [`Lifecycle::edge`]).
fn at(ids: &[String], index: usize) -> String {
    ids.get(index).cloned().unwrap_or_default()
}

/// A duration in the playbook's own units, largest exact unit first (weeks are shown as days,
/// as playbooks usually write them).
pub(crate) fn duration(secs: i64) -> String {
    match secs {
        0 => "0m".to_string(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The SLA as the playbook would say it, with the clock spelt out for business time.
fn sla_label(sla: Sla) -> String {
    match sla {
        Sla::Wall(s) => format!("sla {}", duration(s)),
        Sla::BusinessSeconds(s) => format!("sla {} business", duration(s)),
        Sla::BusinessDays(d) => format!("sla {d}bd business"),
        Sla::SameDay => "sla same day".to_string(),
    }
}

impl Lifecycle {
    /// Builds the lifecycle graph of a playbook.
    fn build(p: &Playbook) -> Lifecycle {
        let tracks = ids("track", p.tracks.iter().map(|t| t.name.as_str()));
        let disqualifiers = ids("disq", p.disqualifiers.iter().map(|d| d.name.as_str()));
        let handoffs = ids("handoff", p.handoffs.iter().map(|h| h.name.as_str()));
        let routers = ids("router", p.routers.iter().map(|r| r.name.as_str()));
        let queues = ids("queue", p.queues.iter().map(|q| q.name.as_str()));
        let sequences = ids("sequence", p.sequences.iter().map(|s| s.name.as_str()));
        let reasons = ids("reason", p.reasons.iter().map(|r| r.name.as_str()));
        let mut roles: Vec<&str> = Vec::new();
        for h in &p.handoffs {
            for a in &h.breach {
                if let BreachAction::Notify { role } = a {
                    if !roles.contains(&role.as_str()) {
                        roles.push(role);
                    }
                }
            }
        }
        let role_ids = ids("notify", roles.iter().copied());
        let event_name = |e: Option<crate::ir::EventId>| {
            e.and_then(|e| p.events.get(e.index()))
                .map_or("any event", |e| e.name.as_str())
        };
        let trigger_label = |t: &Trigger| {
            let mut lines = Vec::new();
            if !t.on.is_empty() {
                let events: Vec<&str> = t.on.iter().map(|o| event_name(o.event)).collect();
                lines.push(format!("on {}", events.join(", ")));
            }
            if t.when != Cond::True {
                lines.push("when ...".to_string());
            }
            lines
        };

        let mut g = Lifecycle {
            title: p.title.clone().unwrap_or_else(|| p.name.clone()),
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        g.node(START, NodeKind::Start, vec!["new lead".to_string()]);

        for (i, t) in p.tracks.iter().enumerate() {
            let mut lines = vec![format!("track {}", t.name)];
            if let Some(c) = &t.cadence {
                let times = c.times.map_or(String::new(), |n| format!(", {n} times"));
                lines.push(format!(
                    "{} every {}{times}",
                    c.channel.name(),
                    duration(c.every_secs)
                ));
            }
            g.node(&at(&tracks, i), NodeKind::Track, lines);
        }
        for (i, d) in p.disqualifiers.iter().enumerate() {
            g.node(
                &at(&disqualifiers, i),
                NodeKind::Disqualifier,
                vec![format!("disqualify {}", d.name)],
            );
        }
        for (i, h) in p.handoffs.iter().enumerate() {
            let mut lines = vec![format!("handoff {}", h.name), sla_label(h.sla)];
            if let Some(c) = h.context.and_then(|c| p.contexts.get(c.index())) {
                lines.push(format!("context {}", c.name));
            }
            g.node(&at(&handoffs, i), NodeKind::Handoff, lines);
        }
        for (i, r) in p.routers.iter().enumerate() {
            g.node(
                &at(&routers, i),
                NodeKind::Router,
                vec![format!("router {}", r.name)],
            );
        }
        for (i, q) in p.queues.iter().enumerate() {
            let assign = match q.assign {
                crate::ir::Assign::RoundRobin => "round robin",
                crate::ir::Assign::LeastLoaded => "least loaded",
            };
            let sellers = match q.members.len() {
                0 => String::new(),
                1 => ", 1 seller".to_string(),
                n => format!(", {n} sellers"),
            };
            let mut lines = vec![format!("queue {}", q.name), format!("{assign}{sellers}")];
            if let Some(c) = q.calendar.and_then(|c| p.calendars.get(c.index())) {
                lines.push(format!("calendar {}", c.name));
            }
            g.node(&at(&queues, i), NodeKind::Queue, lines);
        }
        for (i, s) in p.sequences.iter().enumerate() {
            let steps = match s.steps.len() {
                1 => "1 step".to_string(),
                n => format!("{n} steps"),
            };
            g.node(
                &at(&sequences, i),
                NodeKind::Sequence,
                vec![
                    format!("sequence {}", s.name),
                    format!("{steps}, max {} attempts", s.max_attempts),
                ],
            );
        }
        for (i, r) in p.reasons.iter().enumerate() {
            let mut lines = vec![format!("reason {}", r.name)];
            lines.extend(r.label.clone());
            g.node(&at(&reasons, i), NodeKind::Reason, lines);
        }
        for (i, role) in roles.iter().enumerate() {
            g.node(
                &at(&role_ids, i),
                NodeKind::Notify,
                vec![format!("notify {role}")],
            );
        }

        // Entry into automation, and movement between tracks.
        for (i, t) in p.tracks.iter().enumerate() {
            let id = at(&tracks, i);
            if p.default_track.is_some_and(|d| d.index() == i) {
                g.flow(START, &id, &["default"]);
            }
            if t.enter_when.is_some() {
                g.flow(START, &id, &["enter when ..."]);
            }
            for e in &t.exits {
                g.flow(&id, &at(&tracks, e.to.index()), &["exit when ..."]);
            }
            match t.then {
                TrackEnd::Stay => {}
                TrackEnd::Move(to) => g.flow(&id, &at(&tracks, to.index()), &["then"]),
                TrackEnd::Close(r) => g.flow(&id, &at(&reasons, r.index()), &["then close"]),
            }
        }
        for (i, d) in p.disqualifiers.iter().enumerate() {
            let id = at(&disqualifiers, i);
            g.edge(
                Endpoint::Automation,
                &id,
                EdgeKind::Flow,
                trigger_label(&d.trigger),
            );
            g.flow(&id, &at(&reasons, d.reason.index()), &[]);
        }

        // Handoffs: trigger, route, the seller's sequence, and the breach path.
        for (i, h) in p.handoffs.iter().enumerate() {
            let id = at(&handoffs, i);
            g.edge(
                Endpoint::Automation,
                &id,
                EdgeKind::Flow,
                trigger_label(&h.trigger),
            );
            let routed = match h.route {
                RouteTarget::Queue(q) => at(&queues, q.index()),
                RouteTarget::Router(r) => at(&routers, r.index()),
            };
            g.flow(&id, &routed, &["route"]);
            if let Some(s) = h.sequence {
                g.flow(&id, &at(&sequences, s.index()), &["worked with"]);
            }
            for a in &h.breach {
                let (to, lines) = match a {
                    BreachAction::Rescue { track } => {
                        (at(&tracks, track.index()), vec!["breach: rescue".into()])
                    }
                    BreachAction::Requeue { queue, context } => {
                        let mut lines = vec!["breach: requeue".to_string()];
                        if let Some(c) = context.and_then(|c| p.contexts.get(c.index())) {
                            lines.push(format!("with context {}", c.name));
                        }
                        (
                            queue.map_or(routed.clone(), |q| at(&queues, q.index())),
                            lines,
                        )
                    }
                    BreachAction::Escalate { queue } => {
                        (at(&queues, queue.index()), vec!["breach: escalate".into()])
                    }
                    BreachAction::Reassign { queue } => (
                        queue.map_or(routed.clone(), |q| at(&queues, q.index())),
                        vec!["breach: reassign".into()],
                    ),
                    BreachAction::Notify { role } => {
                        let index = roles.iter().position(|r| r == role).unwrap_or(usize::MAX);
                        (at(&role_ids, index), vec!["breach: notify".into()])
                    }
                };
                g.edge(Endpoint::Node(id.clone()), &to, EdgeKind::Breach, lines);
            }
            if let Some(limit) = h.breach_limit {
                let reason = p
                    .reasons
                    .get(limit.reason.index())
                    .map_or("", |r| r.name.as_str());
                let times = if limit.breaches == 1 {
                    "after 1 breach".to_string()
                } else {
                    format!("after {} breaches", limit.breaches)
                };
                g.edge(
                    Endpoint::Node(id.clone()),
                    &at(&tracks, limit.track.index()),
                    EdgeKind::Recycle,
                    vec![times, format!("recycle as {reason}")],
                );
            }
        }

        // Routing and overflow.
        for (i, r) in p.routers.iter().enumerate() {
            let id = at(&routers, i);
            for rule in &r.rules {
                match rule {
                    RouteRule::Owner { accounts } => {
                        let Some(set) = p.accounts.get(accounts.index()) else {
                            continue;
                        };
                        let mut owner_queues: Vec<usize> = set
                            .owners
                            .iter()
                            .filter_map(|(_, s)| p.sellers.get(s.index()))
                            .map(|s| s.queue.index())
                            .collect();
                        owner_queues.sort_unstable();
                        owner_queues.dedup();
                        let label = format!("owner from {}", set.name);
                        for q in owner_queues {
                            g.flow(&id, &at(&queues, q), &[&label]);
                        }
                    }
                    RouteRule::When { queue, .. } => {
                        g.flow(&id, &at(&queues, queue.index()), &["when ..."])
                    }
                    RouteRule::Otherwise { queue } => {
                        g.flow(&id, &at(&queues, queue.index()), &["otherwise"])
                    }
                }
            }
        }
        for (i, q) in p.queues.iter().enumerate() {
            if let Some(o) = q.overflow {
                g.flow(&at(&queues, i), &at(&queues, o.index()), &["overflow"]);
            }
        }

        // Dispositions and where each reason sends the lead.
        for (i, s) in p.sequences.iter().enumerate() {
            for (outcome, reason) in &s.outcomes {
                let name = outcome.name();
                g.flow(
                    &at(&sequences, i),
                    &at(&reasons, reason.index()),
                    &[&format!("on {name}")],
                );
            }
        }
        for (i, r) in p.reasons.iter().enumerate() {
            let id = at(&reasons, i);
            let (to, kind, mut lines) = match r.destination {
                Destination::Recycle { track, after_secs } => {
                    let after = if after_secs > 0 {
                        format!(" after {}", duration(after_secs))
                    } else {
                        String::new()
                    };
                    (
                        at(&tracks, track.index()),
                        EdgeKind::Recycle,
                        vec![format!("recycle{after}")],
                    )
                }
                Destination::Convert => {
                    g.terminal(CONVERTED, NodeKind::Converted);
                    (
                        CONVERTED.to_string(),
                        EdgeKind::Flow,
                        vec!["convert".into()],
                    )
                }
                Destination::Close => {
                    g.terminal(CLOSED, NodeKind::Closed);
                    (CLOSED.to_string(), EdgeKind::Flow, vec!["close".into()])
                }
            };
            if let Some(s) = &r.suppression {
                lines.push(suppression_label(p, s));
            }
            g.edge(Endpoint::Node(id), &to, kind, lines);
        }
        g
    }

    fn node(&mut self, id: &str, kind: NodeKind, lines: Vec<String>) {
        self.nodes.push(Node {
            id: id.to_string(),
            kind,
            lines,
        });
    }

    /// Adds an end state the first time a reason leads to it.
    fn terminal(&mut self, id: &str, kind: NodeKind) {
        if !self.nodes.iter().any(|n| n.id == id) {
            self.node(id, kind, vec![id.to_string()]);
        }
    }

    fn flow(&mut self, from: &str, to: &str, lines: &[&str]) {
        self.edge(
            Endpoint::Node(from.to_string()),
            to,
            EdgeKind::Flow,
            lines.iter().map(|l| (*l).to_string()).collect(),
        );
    }

    fn edge(&mut self, from: Endpoint, to: &str, kind: EdgeKind, lines: Vec<String>) {
        let dangling = to.is_empty() || matches!(&from, Endpoint::Node(f) if f.is_empty());
        if !dangling {
            self.edges.push(Edge {
                from,
                to: to.to_string(),
                kind,
                lines,
            });
        }
    }
}

/// `suppress 14d unless hand_raise, abm`.
fn suppression_label(p: &Playbook, s: &Suppression) -> String {
    let mut label = format!("suppress {}", duration(s.window_secs));
    let unless: Vec<&str> = s
        .unless
        .iter()
        .filter_map(|h| p.handoffs.get(h.index()))
        .map(|h| h.name.as_str())
        .collect();
    if !unless.is_empty() {
        label.push_str(" unless ");
        label.push_str(&unless.join(", "));
    }
    label
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn durations_use_the_largest_exact_unit() {
        assert_eq!(duration(0), "0m");
        assert_eq!(duration(900), "15m");
        assert_eq!(duration(7_200), "2h");
        assert_eq!(duration(14 * 86_400), "14d");
        assert_eq!(duration(90), "90s");
    }

    #[test]
    fn sla_labels_name_the_clock() {
        assert_eq!(sla_label(Sla::Wall(900)), "sla 15m");
        assert_eq!(sla_label(Sla::BusinessSeconds(14_400)), "sla 4h business");
        assert_eq!(sla_label(Sla::BusinessDays(1)), "sla 1bd business");
        assert_eq!(sla_label(Sla::SameDay), "sla same day");
    }

    #[test]
    fn node_ids_never_collide_across_kinds_or_forms() {
        assert_eq!(node_id("track", 0, "a_b"), "track_a_b");
        assert_eq!(node_id("track", 3, "not valid"), "track3");
        assert_eq!(node_id("notify", 1, "sales-lead"), "notify1");
        assert_ne!(node_id("track", 3, "x y"), node_id("track", 0, "3"));
    }
}
