//! Where the rules a lead's story names are written (`file:line` and the statement's text),
//! read from the playbook's syntax tree: the IR carries no positions besides a rule's origin,
//! so its fingerprint and every snapshot of it stay as they are.

use crate::span::{FileId, LineIndex, Span};
use crate::syntax::ast::{self, BreachStmt, HandoffStmt, Item, ReasonStmt, TrackStmt, TriggerStmt};
use serde::Serialize;
use std::collections::HashMap;

/// A statement of the playbook: where it is and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// `FILE:LINE` of its first line.
    pub at: String,
    /// Its text on one line (whitespace runs collapsed).
    pub text: String,
}

/// The statements of one handoff rule, by what the engine reports.
#[derive(Debug, Clone, Default)]
struct HandoffSpans {
    block: Option<Span>,
    when: Option<Span>,
    sla: Option<Span>,
    /// Breach steps in the IR's order (the breach limit is not one).
    breach: Vec<Span>,
    limit: Option<Span>,
}

/// The playbook's statements by the names the engine reports, for `replay --explain`.
#[derive(Debug, Clone)]
pub struct SourceMap {
    file: String,
    text: String,
    index: LineIndex,
    handoffs: HashMap<String, HandoffSpans>,
    routers: HashMap<String, Vec<Span>>,
    disqualifiers: HashMap<String, Span>,
    exits: HashMap<String, Vec<Span>>,
    reasons: HashMap<String, Span>,
}

impl SourceMap {
    /// Reads the statements of `text`, the playbook named `file` in the story.
    pub fn new(file: &str, text: &str) -> SourceMap {
        let mut map = SourceMap {
            file: file.to_owned(),
            text: text.to_owned(),
            index: LineIndex::new(text),
            handoffs: HashMap::new(),
            routers: HashMap::new(),
            disqualifiers: HashMap::new(),
            exits: HashMap::new(),
            reasons: HashMap::new(),
        };
        for item in crate::syntax::parse(FileId(0), text).file.items {
            map.add(item);
        }
        map
    }

    fn add(&mut self, item: Item) {
        match item {
            Item::Handoff(block) => {
                let spans = handoff_spans(&block);
                self.handoffs.insert(block.name.name, spans);
            }
            Item::Router(block) => {
                let lines = block.body.iter().map(|s| *s.loc).collect();
                self.routers.insert(block.name.name, lines);
            }
            Item::Disqualify(block) => {
                let when = (block.body.iter())
                    .find(|s| matches!(s.kind, TriggerStmt::When(_)))
                    .map_or(*block.name.loc, |s| *s.loc);
                self.disqualifiers.insert(block.name.name, when);
            }
            Item::Track(block) => {
                let exits = (block.body.iter())
                    .filter(|s| matches!(s.kind, TrackStmt::Exit { .. }))
                    .map(|s| *s.loc)
                    .collect();
                self.exits.insert(block.name.name, exits);
            }
            Item::Reason(block) => {
                let suppress = (block.body.iter())
                    .find(|s| matches!(s.kind, ReasonStmt::Suppress { .. }))
                    .map_or(*block.name.loc, |s| *s.loc);
                self.reasons.insert(block.name.name, suppress);
            }
            _ => {}
        }
    }

    fn locate(&self, span: Span) -> Located {
        let (line, _) = self.index.line_col(&self.text, span.range().start);
        let text = self.text.get(span.range()).unwrap_or_default();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        Located {
            at: format!("{}:{line}", self.file),
            text,
        }
    }

    /// A handoff rule's first line.
    pub fn handoff(&self, rule: &str) -> Option<Located> {
        let block = self.handoffs.get(rule)?.block?;
        let mut located = self.locate(block);
        located.text = format!("handoff {rule}");
        Some(located)
    }

    /// A handoff rule's `when` statement.
    pub fn handoff_when(&self, rule: &str) -> Option<Located> {
        Some(self.locate(self.handoffs.get(rule)?.when?))
    }

    /// A handoff rule's `sla` statement.
    pub fn sla(&self, rule: &str) -> Option<Located> {
        Some(self.locate(self.handoffs.get(rule)?.sla?))
    }

    /// A step of a handoff rule's breach path (by index in the IR).
    pub fn breach_step(&self, rule: &str, step: usize) -> Option<Located> {
        Some(self.locate(*self.handoffs.get(rule)?.breach.get(step)?))
    }

    /// A handoff rule's breach limit.
    pub fn breach_limit(&self, rule: &str) -> Option<Located> {
        Some(self.locate(self.handoffs.get(rule)?.limit?))
    }

    /// A router's line (from 0).
    pub fn router_line(&self, router: &str, line: usize) -> Option<Located> {
        Some(self.locate(*self.routers.get(router)?.get(line)?))
    }

    /// A disqualifier's `when` (its name when it has none).
    pub fn disqualifier(&self, name: &str) -> Option<Located> {
        Some(self.locate(*self.disqualifiers.get(name)?))
    }

    /// A track's exit (from 0).
    pub fn exit(&self, track: &str, exit: usize) -> Option<Located> {
        Some(self.locate(*self.exits.get(track)?.get(exit)?))
    }

    /// A reason's `suppress` statement (its name when it has none).
    pub fn reason(&self, name: &str) -> Option<Located> {
        let mut located = self.locate(*self.reasons.get(name)?);
        if located.text == name {
            located.text = format!("reason {name}");
        }
        Some(located)
    }
}

fn handoff_spans(block: &ast::Block<HandoffStmt>) -> HandoffSpans {
    let mut spans = HandoffSpans {
        block: Some(*block.name.loc),
        ..HandoffSpans::default()
    };
    for stmt in &block.body {
        match &stmt.kind {
            HandoffStmt::When(_) => spans.when = Some(*stmt.loc),
            HandoffStmt::Sla { .. } | HandoffStmt::SlaSameDay => spans.sla = Some(*stmt.loc),
            HandoffStmt::Breach(steps) => {
                for step in steps {
                    match step.kind {
                        BreachStmt::Limit { .. } => spans.limit = Some(*step.loc),
                        _ => spans.breach.push(*step.loc),
                    }
                }
            }
            _ => {}
        }
    }
    spans
}
