//! Scores and bands: what makes a lead hot.

use crate::check::expr::Scope;
use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::ir::{self, Cond};
use crate::span::Span;
use crate::syntax::ast::{self, Block};
use std::collections::HashMap;

impl Lowerer<'_> {
    /// Lowers a `score` block: fit points, points per event, decay and cap.
    pub(super) fn score(&mut self, b: &Block<ast::ScoreStmt>) {
        let mut score = ir::Score {
            name: b.name.name.clone(),
            half_life_secs: None,
            cap: None,
            when: Vec::new(),
            per_event: Vec::new(),
        };
        for s in &b.body {
            match &s.kind {
                ast::ScoreStmt::Decay(d) => {
                    let secs = self.wall_secs(d, "a half-life");
                    if secs <= 0 {
                        self.diags.push(messages::zero_half_life(*d.loc));
                    }
                    score.half_life_secs = Some(secs.max(1));
                }
                ast::ScoreStmt::Cap(n) => score.cap = Some(n.value),
                ast::ScoreStmt::Points { add, amount, basis } => {
                    let points = if *add { amount.value } else { -amount.value };
                    match basis {
                        ast::PointsBasis::When(e) => {
                            let c = self.lead_only_cond(e);
                            score.when.push((points, c));
                        }
                        ast::PointsBasis::PerEvent { event, filter } => {
                            let Some(event) = self.event_ref(event) else {
                                continue;
                            };
                            let filter = filter
                                .as_ref()
                                .map_or(Cond::True, |f| self.cond(f, Scope::Event(event)));
                            score.per_event.push(ir::EventPoints {
                                event,
                                filter,
                                points,
                            });
                        }
                    }
                }
            }
        }
        self.playbook.scores.push(score);
    }

    /// A fit condition: lead attributes only, so scores cannot depend on scores or bands.
    fn lead_only_cond(&mut self, e: &ast::Expr) -> Cond {
        let c = self.cond(e, Scope::Lead);
        if mentions_scores(&c) {
            self.diags.push(messages::points_depend_on_scores(*e.loc));
            return Cond::True;
        }
        c
    }

    /// Lowers a `bands` block, reporting repeated and empty bands.
    pub(super) fn bands(&mut self, b: &ast::BandsDecl) {
        self.origins.band_sets.push(*b.name.loc);
        let scores = b.scores.iter().filter_map(|s| self.resolve(s)).collect();
        let mut bands: Vec<ir::Band> = Vec::new();
        let mut spans = Vec::new();
        let mut latest: HashMap<&str, Span> = HashMap::new();
        for s in &b.bands {
            if let Some(previous) = latest.insert(s.kind.name.name.as_str(), *s.loc) {
                self.diags.push(messages::duplicate_band(
                    *s.kind.name.loc,
                    &s.kind.name.name,
                    previous,
                ));
                continue;
            }
            let from = s.kind.from.as_ref().map(|n| n.value);
            let to = s.kind.to.as_ref().map(|n| n.value);
            if let (Some(f), Some(t)) = (from, to) {
                if t <= f {
                    self.diags
                        .push(messages::empty_band(*s.loc, &s.kind.name.name, f, t));
                }
            }
            spans.push(*s.loc);
            bands.push(ir::Band {
                name: s.kind.name.name.clone(),
                from,
                to,
            });
        }
        if bands.is_empty() {
            self.diags
                .push(messages::bands_without_bands(*b.name.loc, &b.name.name));
        }
        self.origins.bands.push(spans);
        self.playbook.band_sets.push(ir::BandSet {
            name: b.name.name.clone(),
            scores,
            bands,
        });
    }
}

/// Whether a condition reads scores, bands or counters.
fn mentions_scores(c: &Cond) -> bool {
    match c {
        Cond::And { all: cs } | Cond::Or { any: cs } => cs.iter().any(mentions_scores),
        Cond::Not { cond } => mentions_scores(cond),
        Cond::Compare { lhs, rhs, .. } => [lhs, rhs]
            .iter()
            .any(|n| matches!(n, ir::Num::Score(_) | ir::Num::Count(_))),
        Cond::BandIn { .. } => true,
        _ => false,
    }
}
