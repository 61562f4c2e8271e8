//! Kpi names and targets.

use crate::check::Lowerer;
use crate::diagnostics::messages;
use crate::diagnostics::suggest::did_you_mean;
use crate::ir;
use crate::syntax::ast::{self, Block, Ident};

impl Lowerer<'_> {
    /// The kpi a name denotes, or `None` after reporting it.
    pub(super) fn kpi_ref(&mut self, id: &Ident) -> Option<ir::Kpi> {
        let kpi = ir::Kpi::parse(&id.name);
        if kpi.is_none() {
            self.unknown_kpi(id);
        }
        kpi
    }

    /// The kpi of a `kpi NAME` line in a block where it is only a label (a `track` or a
    /// `reason`), warning about `target_account_meetings`, which reads as if it marked the
    /// block's leads as target accounts but only does so on a `handoff`.
    pub(super) fn label_kpi_ref(&mut self, id: &Ident, block: &str) -> Option<ir::Kpi> {
        let kpi = self.kpi_ref(id)?;
        if kpi == ir::Kpi::TargetAccountMeetings {
            self.diags
                .push(messages::kpi_line_without_effect(*id.loc, block));
        }
        Some(kpi)
    }

    /// Reports a name that is no kpi, with the closest kpi as a suggestion.
    fn unknown_kpi(&mut self, id: &Ident) {
        let names: Vec<String> = ir::Kpi::ALL.iter().map(|(_, n)| n.to_string()).collect();
        let near = did_you_mean(&id.name, names.iter().map(String::as_str));
        self.diags
            .push(messages::unknown_kpi(*id.loc, &id.name, &names, near));
    }

    /// Lowers a `kpi` block's targets, each checked against the kpi's unit.
    pub(super) fn kpi(&mut self, b: &Block<ast::KpiStmt>) {
        let Some(kpi) = self.kpi_ref(&b.name) else {
            return;
        };
        let mut label = None;
        for s in &b.body {
            match &s.kind {
                ast::KpiStmt::Label(l) => label = Some(l.value.clone()),
                ast::KpiStmt::Target { stat, cmp, value } => {
                    let stat = self.stat(kpi, stat.as_ref());
                    let Some(value) = self.kpi_value(kpi, value) else {
                        continue;
                    };
                    self.playbook.kpi_targets.push(ir::KpiTarget {
                        kpi,
                        label: label.clone(),
                        stat,
                        cmp: match cmp {
                            ast::TargetCmp::AtLeast => ir::TargetCmp::AtLeast,
                            ast::TargetCmp::AtMost => ir::TargetCmp::AtMost,
                            ast::TargetCmp::Below => ir::TargetCmp::Below,
                        },
                        value,
                    });
                }
            }
        }
    }

    /// The statistic of a target: only `speed_to_lead` has a spread, so other kpis take the mean.
    fn stat(&mut self, kpi: ir::Kpi, stat: Option<&Ident>) -> ir::Stat {
        let Some(stat) = stat else {
            return ir::Stat::Mean;
        };
        let found = match stat.name.as_str() {
            "mean" => Some(ir::Stat::Mean),
            "median" => Some(ir::Stat::Median),
            "p90" => Some(ir::Stat::P90),
            _ => None,
        };
        match found {
            Some(s) if s == ir::Stat::Mean || kpi == ir::Kpi::SpeedToLead => s,
            Some(_) => {
                self.diags.push(messages::statistic_needs_speed_to_lead(
                    *stat.loc, &stat.name,
                ));
                ir::Stat::Mean
            }
            None => {
                self.diags
                    .push(messages::unknown_statistic(*stat.loc, &stat.name));
                ir::Stat::Mean
            }
        }
    }

    /// A target value in the kpi's unit, or `None` after reporting a value of the wrong kind.
    fn kpi_value(&mut self, kpi: ir::Kpi, value: &ast::Literal) -> Option<f64> {
        let (v, wanted) = match (kpi.unit(), value) {
            (ir::KpiUnit::Fraction, ast::Literal::Percent(p)) => return Some(self.percent(p)),
            (ir::KpiUnit::Seconds, ast::Literal::Duration(d)) => {
                return Some(self.wall_secs(d, "a speed-to-lead target") as f64)
            }
            (ir::KpiUnit::Count, ast::Literal::Number(n)) => return Some(n.value),
            (ir::KpiUnit::Fraction, v) => (v, "a percentage such as `95%`"),
            (ir::KpiUnit::Seconds, v) => (v, "a duration such as `15m`"),
            (ir::KpiUnit::Count, v) => (v, "a plain number"),
        };
        let found = match v {
            ast::Literal::Percent(_) => "a percentage",
            ast::Literal::Duration(_) => "a duration",
            ast::Literal::Number(_) => "a plain number",
            _ => "not a number",
        };
        self.diags.push(messages::kpi_target_unit(
            *v.loc(),
            kpi.name(),
            wanted,
            found,
        ));
        None
    }
}
