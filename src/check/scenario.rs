//! Scenario blocks → [`ir::scenario::Scenario`], with every impossible setting explained.

use super::names::Kind;
use super::Lowerer;
use crate::diagnostics::{messages, Code};
use crate::ir::scenario::{
    AttrGen, Dist, Gen, Profile, Response, Scenario, SignalGen, Source, Staff,
};
use crate::ir::{self, FieldType, Value};
use crate::span::Span;
use crate::syntax::ast::{self, Block, Literal, PopulationStmt, ProfileStmt, ScenarioStmt, Stmt};

/// Horizon when a scenario gives none: one quarter.
const DEFAULT_HORIZON_SECS: i64 = 90 * 86_400;

/// Shares must sum to 100% within half a percentage point (rounding in hand-written mixes);
/// the simulator normalises what remains.
const SHARE_TOLERANCE: f64 = 0.005;

impl Lowerer<'_> {
    pub(super) fn scenario(&mut self, b: &Block<ScenarioStmt>) {
        self.origins.scenarios.push(*b.name.loc);
        let mut staffed = Vec::new();
        let mut sc = Scenario {
            name: b.name.name.clone(),
            horizon_secs: DEFAULT_HORIZON_SECS,
            warmup_secs: None,
            sources: Vec::new(),
            population: Vec::new(),
            profiles: Vec::new(),
            staff: Vec::new(),
            connect: Response {
                chance: 1.0,
                half_life_secs: None,
            },
            meeting: Response {
                chance: 0.0,
                half_life_secs: None,
            },
            after_connect: Vec::new(),
        };
        let mut profile_heads = Vec::new();
        let (mut horizon_at, mut warmup_at) = (None, None);
        for s in &b.body {
            match &s.kind {
                ScenarioStmt::Horizon(d) => {
                    sc.horizon_secs = self.wall_secs(d, "a horizon");
                    self.positive(sc.horizon_secs as f64, *d.loc, "the horizon");
                    horizon_at = Some(*d.loc);
                }
                ScenarioStmt::WarmUp(d) => {
                    sc.warmup_secs = Some(self.wall_secs(d, "a warm-up"));
                    warmup_at = Some(*d.loc);
                }
                ScenarioStmt::Source {
                    name,
                    rate,
                    population,
                } => {
                    let rate_per_sec = self.rate(rate, ir::limits::RateOf::Arrivals);
                    let population = population
                        .iter()
                        .filter_map(|p| self.attr_gen(&p.kind, p.loc.0))
                        .collect();
                    sc.sources.push(Source {
                        name: name.name.clone(),
                        rate_per_sec,
                        shape: self.following(rate),
                        population,
                    });
                }
                ScenarioStmt::Population(p) => sc.population.extend(self.attr_gen(p, *s.loc)),
                ScenarioStmt::Profile { name, share, body } => {
                    // `profile NAME SHARE%`, without the body.
                    profile_heads.push(Span {
                        end: share.loc.end,
                        ..*s.loc
                    });
                    let share = self.percent(share);
                    sc.profiles.push(self.profile(name, share, body));
                }
                ScenarioStmt::Staff { queue, body } => {
                    if let Some(st) = self.staff(queue, body) {
                        staffed.push((st.queue, *queue.loc));
                        sc.staff.push(st);
                    }
                }
                ScenarioStmt::Connect { chance, half_life } => {
                    sc.connect = self.response(chance, half_life.as_ref())
                }
                ScenarioStmt::Meeting { chance, half_life } => {
                    sc.meeting = self.response(chance, half_life.as_ref())
                }
                ScenarioStmt::AfterConnect(shares) => {
                    let mut out = Vec::new();
                    for sh in shares {
                        let p = self.percent(&sh.percent);
                        match &sh.value {
                            ast::ShareValue::Name(r) => {
                                if let Some(i) =
                                    self.names.resolve(Kind::Reason, r, &mut self.diags)
                                {
                                    out.push((ir::ReasonId(i), p));
                                }
                            }
                            ast::ShareValue::Text(t) => {
                                self.diags.push(messages::quoted_reason(*t.loc))
                            }
                        }
                    }
                    self.sums_to_one(
                        out.iter().map(|(_, p)| *p),
                        *s.loc,
                        "the reasons after a connect",
                    );
                    sc.after_connect = out;
                }
            }
        }
        if sc.sources.is_empty() {
            self.diags
                .push(messages::scenario_without_source(*b.name.loc, &b.name.name));
        }
        if sc.profiles.is_empty() {
            self.diags.push(messages::scenario_without_profile(
                *b.name.loc,
                &b.name.name,
            ));
        } else {
            self.shares_sum_to_one(
                sc.profiles.iter().map(|p| p.share),
                &profile_heads,
                "the profile shares",
            );
        }
        if sc.sources.len() > ir::scenario::MAX_SOURCES {
            self.diags.push(messages::too_many_sources(
                *b.name.loc,
                &b.name.name,
                sc.sources.len(),
                ir::scenario::MAX_SOURCES,
            ));
        }
        if let (Some(at), Some(secs)) = (warmup_at, sc.warmup_secs) {
            if secs >= sc.horizon_secs && sc.horizon_secs > 0 {
                let days = |s: i64| s as f64 / 86_400.0;
                self.diags.push(messages::warmup_too_long(
                    at,
                    horizon_at,
                    days(secs),
                    days(sc.horizon_secs),
                ));
            }
        }
        self.origins.staff.push(staffed);
        self.playbook.scenarios.push(sc);
    }

    fn positive(&mut self, v: f64, span: Span, what: &str) {
        if !(v > 0.0 && v.is_finite()) {
            self.diags.push(messages::not_positive(span, what));
        }
    }

    fn sums_to_one(&mut self, shares: impl Iterator<Item = f64>, span: Span, what: &str) {
        self.shares_sum_to_one(shares, &[span], what);
    }

    /// Reports shares that do not sum to 100%, pointing at the first share's line and labelling
    /// the lines of the others, so the finding shows every number that went into the sum.
    fn shares_sum_to_one(&mut self, shares: impl Iterator<Item = f64>, at: &[Span], what: &str) {
        let total: f64 = shares.sum();
        let Some((first, others)) = at.split_first() else {
            return;
        };
        if (total - 1.0).abs() > SHARE_TOLERANCE {
            self.diags.push(messages::shares_not_whole(
                *first,
                others,
                what,
                round2(total * 100.0),
            ));
        }
    }

    fn rate(&mut self, r: &ast::Rate, of: ir::limits::RateOf) -> f64 {
        let period = match r.per {
            ast::RatePeriod::Hour => (3600.0, "hour"),
            ast::RatePeriod::Day => (86_400.0, "day"),
            ast::RatePeriod::Week => (604_800.0, "week"),
        };
        ir::limits::rate(r.count.value, period, of).unwrap_or_else(|e| {
            // The finding fails the check; the value only has to let checking go on.
            self.out_of_range(Code::InvalidScenario, *r.count.loc, e);
            0.0
        })
    }

    /// The shape a rate follows, resolved.
    fn following(&mut self, r: &ast::Rate) -> Option<ir::ShapeId> {
        r.following.as_ref().and_then(|s| self.resolve(s))
    }

    fn response(
        &mut self,
        chance: &ast::NumberLit,
        half_life: Option<&ast::DurationLit>,
    ) -> Response {
        let chance = self.percent(chance);
        let half_life_secs = half_life.map(|h| {
            let s = self.wall_secs(h, "a half-life") as f64;
            self.positive(s, *h.loc, "a half-life");
            s
        });
        Response {
            chance,
            half_life_secs,
        }
    }

    fn attr_gen(&mut self, p: &PopulationStmt, span: Span) -> Option<AttrGen> {
        let (PopulationStmt::Mix {
            field: field_name, ..
        }
        | PopulationStmt::Draw {
            field: field_name, ..
        }
        | PopulationStmt::Chance {
            field: field_name, ..
        }) = p;
        let fid = self
            .names
            .resolve(Kind::Field, field_name, &mut self.diags)?;
        let ty = self
            .playbook
            .fields
            .get(fid as usize)
            .map(|f| f.ty.clone())?;
        let gen = match (p, &ty) {
            (PopulationStmt::Mix { shares, .. }, _) => {
                let mut out = Vec::new();
                for sh in shares {
                    let share = self.percent(&sh.percent);
                    let value = match (&sh.value, &ty) {
                        (ast::ShareValue::Name(n), FieldType::OneOf { values }) => {
                            match values.iter().position(|v| *v == n.name) {
                                Some(i) => Value::Enum(u16::try_from(i).unwrap_or(0)),
                                None => {
                                    self.diags.push(messages::not_a_value_of(
                                        *n.loc,
                                        &n.name,
                                        &field_name.name,
                                        values,
                                    ));
                                    continue;
                                }
                            }
                        }
                        (ast::ShareValue::Text(t), FieldType::Text) => {
                            Value::text(t.value.as_str())
                        }
                        (v, _) => {
                            let at = match v {
                                ast::ShareValue::Name(n) => *n.loc,
                                ast::ShareValue::Text(t) => *t.loc,
                            };
                            self.diags
                                .push(messages::mix_value_type(at, &field_name.name));
                            continue;
                        }
                    };
                    out.push((value, share));
                }
                self.sums_to_one(
                    out.iter().map(|(_, p)| *p),
                    span,
                    &format!("the shares of `{}`", field_name.name),
                );
                Gen::Mix { shares: out }
            }
            (PopulationStmt::Draw { dist, .. }, FieldType::Number) => Gen::Draw {
                dist: self.dist(dist)?,
            },
            (PopulationStmt::Chance { chance, .. }, FieldType::Flag) => Gen::Chance {
                p: self.percent(chance),
            },
            (PopulationStmt::Draw { .. }, _) | (PopulationStmt::Chance { .. }, _) => {
                let want = if matches!(p, PopulationStmt::Draw { .. }) {
                    "a number field"
                } else {
                    "a flag field"
                };
                self.diags.push(messages::wrong_field_type(
                    *field_name.loc,
                    &field_name.name,
                    want,
                ));
                return None;
            }
        };
        Some(AttrGen {
            field: ir::FieldId(fid),
            gen,
        })
    }

    fn dist(&mut self, d: &ast::Distribution) -> Option<Dist> {
        let mut value = |l: &Literal| -> Option<f64> {
            match l {
                Literal::Number(n) => Some(n.value),
                Literal::Duration(d) => Some(self.wall_secs(d, "a distribution") as f64),
                other => {
                    self.diags
                        .push(messages::distribution_parameter(*other.loc()));
                    None
                }
            }
        };
        let out = match &d.kind {
            ast::DistKind::Constant(v) => Dist::Constant { value: value(v)? },
            ast::DistKind::Uniform(a, b) => {
                let (low, high) = (value(a)?, value(b)?);
                if high < low {
                    self.diags.push(messages::uniform_bounds_swapped(
                        *d.loc,
                        &literal_text(a),
                        &literal_text(b),
                    ));
                    return None;
                }
                Dist::Uniform { low, high }
            }
            ast::DistKind::Exponential(m) => {
                let mean = value(m)?;
                self.positive(mean, *d.loc, "an exponential mean");
                Dist::Exponential { mean }
            }
            ast::DistKind::Lognormal(m, s) => {
                let median = value(m)?;
                self.positive(median, *d.loc, "a lognormal median");
                if !(s.value >= 0.0 && s.value < 10.0) {
                    self.diags.push(messages::lognormal_sigma(*s.loc));
                }
                Dist::Lognormal {
                    median,
                    sigma: s.value,
                }
            }
            ast::DistKind::Empirical(points) => {
                let mut out = Vec::new();
                for (v, w) in points {
                    let v = value(v)?;
                    out.push((v, w.value / 100.0));
                }
                self.sums_to_one(out.iter().map(|(_, w)| *w), *d.loc, "the empirical weights");
                Dist::Empirical { points: out }
            }
        };
        let has_negative = match &out {
            Dist::Constant { value } => *value < 0.0,
            Dist::Uniform { low, .. } => *low < 0.0,
            Dist::Empirical { points } => points.iter().any(|(v, _)| *v < 0.0),
            _ => false,
        };
        if has_negative {
            self.diags.push(messages::negative_distribution(*d.loc));
        }
        Some(out)
    }

    fn profile(&mut self, name: &ast::Ident, share: f64, body: &[Stmt<ProfileStmt>]) -> Profile {
        let mut p = Profile {
            name: name.name.clone(),
            share,
            signals: Vec::new(),
            responds: Vec::new(),
            intent_lasts: None,
        };
        for s in body {
            match &s.kind {
                ProfileStmt::Signal {
                    event,
                    fields,
                    rate,
                } => {
                    let Some(eid) = self.names.resolve(Kind::Event, event, &mut self.diags) else {
                        continue;
                    };
                    let defs = self
                        .playbook
                        .events
                        .get(eid as usize)
                        .map(|e| e.fields.clone())
                        .unwrap_or_default();
                    let mut values = Vec::new();
                    for a in fields {
                        let Some(i) = defs.iter().position(|f| f.name == a.field.name) else {
                            self.diags.push(messages::event_has_no_field(
                                *a.field.loc,
                                &event.name,
                                &a.field.name,
                            ));
                            continue;
                        };
                        if let Some(v) = self.signal_value(&defs, i, &a.value) {
                            values.push((u16::try_from(i).unwrap_or(0), v));
                        }
                    }
                    let rate_per_sec = rate
                        .as_ref()
                        .map(|r| self.rate(r, ir::limits::RateOf::Signals));
                    let shape = rate.as_ref().and_then(|r| self.following(r));
                    p.signals.push(SignalGen {
                        event: ir::EventId(eid),
                        fields: values,
                        rate_per_sec,
                        shape,
                    });
                }
                ProfileStmt::Responds { chance, event } => {
                    let c = self.percent(chance);
                    if let Some(e) = self.names.resolve(Kind::Event, event, &mut self.diags) {
                        p.responds.push((c, ir::EventId(e)));
                    }
                }
                ProfileStmt::Lasts(d) => p.intent_lasts = self.dist(d),
            }
        }
        if p.signals.len() > ir::scenario::MAX_SIGNAL_LINES {
            self.diags.push(messages::too_many_signal_lines(
                *name.loc,
                &name.name,
                p.signals.len(),
                ir::scenario::MAX_SIGNAL_LINES,
            ));
        }
        p
    }

    pub(super) fn signal_value(
        &mut self,
        defs: &[ir::FieldDef],
        i: usize,
        v: &Literal,
    ) -> Option<Value> {
        let def = defs.get(i)?;
        let value = match (&def.ty, v) {
            (FieldType::OneOf { values }, Literal::Name(n)) => {
                let Some(k) = values.iter().position(|x| *x == n.name) else {
                    self.diags
                        .push(messages::not_a_value_of(*n.loc, &n.name, &def.name, values));
                    return None;
                };
                Value::Enum(u16::try_from(k).unwrap_or(0))
            }
            (FieldType::Text, Literal::Text(t)) => Value::text(t.value.as_str()),
            (FieldType::Number, Literal::Number(n)) => Value::Number(n.value),
            (FieldType::Flag, Literal::Bool(b, _)) => Value::Flag(*b),
            (_, other) => {
                self.diags
                    .push(messages::wrong_value_kind(*other.loc(), &def.name));
                return None;
            }
        };
        Some(value)
    }

    fn staff(&mut self, queue: &ast::Ident, body: &[Stmt<ast::StaffStmt>]) -> Option<Staff> {
        let q = self.names.resolve(Kind::Queue, queue, &mut self.diags)?;
        let mut st = Staff {
            queue: ir::QueueId(q),
            sellers: 1,
            handle: Dist::Constant { value: 0.0 },
            follow_up: Vec::new(),
            prefer_new_leads: false,
            pickup_delay: None,
            calendar: None,
        };
        let mut has_hours = false;
        let mut has_handle = false;
        let mut follow_spans = Vec::new();
        for s in body {
            match &s.kind {
                ast::StaffStmt::Sellers(n) => st.sellers = self.count(n, "a seller count", 1),
                ast::StaffStmt::Handle(d) => {
                    has_handle = true;
                    if let Some(d) = self.dist(d) {
                        st.handle = d;
                    }
                }
                ast::StaffStmt::FollowUp { channel, dist } => {
                    let channel = channel.as_ref().map(|c| self.channel(c));
                    if let Some(first) = st.follow_up.iter().position(|(c, _)| *c == channel) {
                        let what = channel.map_or("the follow-up handling time".to_string(), |c| {
                            format!("the `{}` follow-up handling time", c.name())
                        });
                        let first = follow_spans.get(first).copied().unwrap_or(*s.loc);
                        self.repeated(&what, first, *s.loc);
                        continue;
                    }
                    if let Some(d) = self.dist(dist) {
                        st.follow_up.push((channel, d));
                        follow_spans.push(*s.loc);
                    }
                }
                ast::StaffStmt::Prefer { new_leads } => st.prefer_new_leads = *new_leads,
                ast::StaffStmt::PickupDelay(d) => st.pickup_delay = self.dist(d),
                ast::StaffStmt::Calendar(c) => {
                    has_hours = true;
                    st.calendar = self
                        .names
                        .resolve(Kind::Calendar, c, &mut self.diags)
                        .map(ir::CalendarId);
                }
                ast::StaffStmt::AroundTheClock => {
                    has_hours = true;
                    st.calendar = None;
                }
            }
        }
        if !has_handle {
            self.diags
                .push(messages::staff_without_handling(*queue.loc, &queue.name));
        }
        if !has_hours {
            st.calendar = self
                .playbook
                .queues
                .get(q as usize)
                .and_then(|x| x.calendar)
                .or(self.playbook.default_calendar);
        }
        Some(st)
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A number or duration as it would be written.
fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Number(n) => n.value.to_string(),
        Literal::Duration(d) => format!("{}{}", d.value, d.unit.suffix()),
        _ => "...".to_string(),
    }
}
