//! Formatting of the simulator's blocks: scenarios and the shapes their rates follow.

use super::blocks::{plain, span};
use super::expr::{self, distribution, duration, num, percent, shares, string};
use super::printer::{Braces, Line, Printer};
use crate::syntax::ast::*;

pub(super) fn scenario(p: &mut Printer, s: &Stmt<ScenarioStmt>) {
    let line = match &s.kind {
        ScenarioStmt::Source {
            name,
            rate: r,
            population: body,
        } => {
            let head = format!("source {} {}", name.name, rate(r));
            p.block(s.loc.0, &head, Braces::Optional, body, span, |p, m| {
                p.leaf(m.loc.0, &population(&m.kind));
            });
            return;
        }
        ScenarioStmt::Profile { name, share, body } => {
            let head = format!("profile {} {}", name.name, percent(share));
            p.block(s.loc.0, &head, Braces::Required, body, span, |p, m| {
                p.leaf(m.loc.0, &profile(&m.kind));
            });
            return;
        }
        ScenarioStmt::Staff { queue, body } => {
            let head = format!("staff {}", queue.name);
            p.block(s.loc.0, &head, Braces::Required, body, span, |p, m| {
                p.leaf(m.loc.0, &staff(&m.kind));
            });
            return;
        }
        ScenarioStmt::Horizon(d) => plain(format!("horizon {}", duration(d))),
        ScenarioStmt::WarmUp(d) => plain(format!("warm-up {}", duration(d))),
        ScenarioStmt::Population(m) => population(m),
        ScenarioStmt::Connect { chance, half_life } => {
            plain(format!("connect {}", decaying(chance, half_life.as_ref())))
        }
        ScenarioStmt::Meeting { chance, half_life } => {
            plain(format!("meeting {}", decaying(chance, half_life.as_ref())))
        }
        ScenarioStmt::AfterConnect(outcomes) => {
            plain(format!("after connect {}", shares(outcomes)))
        }
    };
    p.leaf(s.loc.0, &line);
}

fn decaying(chance: &NumberLit, half_life: Option<&DurationLit>) -> String {
    match half_life {
        Some(h) => format!("{} decay half-life {}", percent(chance), duration(h)),
        None => percent(chance),
    }
}

fn rate(r: &Rate) -> String {
    match &r.following {
        Some(shape) => format!(
            "{} per {} following {}",
            num(&r.count),
            r.per.keyword(),
            shape.name
        ),
        None => format!("{} per {}", num(&r.count), r.per.keyword()),
    }
}

pub(super) fn shape(s: &ShapeStmt) -> Line<'_> {
    plain(match s {
        ShapeStmt::Timezone(t) => format!("timezone {}", string(t)),
        ShapeStmt::Days {
            from_day,
            to_day,
            levels,
        } => {
            let days = match to_day {
                Some(to) => format!("{} to {}", from_day.name, to.name),
                None => from_day.name.clone(),
            };
            let levels: Vec<String> = levels
                .iter()
                .map(|l| match &l.at {
                    Some(at) => format!("{} {}", at.text, percent(&l.level)),
                    None => percent(&l.level),
                })
                .collect();
            format!("on {days} {}", levels.join(", "))
        }
        ShapeStmt::Holidays { calendar, level } => {
            format!("holidays from {} {}", calendar.name, percent(level))
        }
        ShapeStmt::Trend { up, percent: p } => format!(
            "trend {} {} per year",
            if *up { "up" } else { "down" },
            percent(p)
        ),
    })
}

fn population(s: &PopulationStmt) -> Line<'_> {
    plain(match s {
        PopulationStmt::Mix { field, shares: s } => format!("mix {} {}", field.name, shares(s)),
        PopulationStmt::Draw { field, dist } => {
            format!("draw {} {}", field.name, distribution(dist))
        }
        PopulationStmt::Chance { field, chance } => {
            format!("chance {} {}", field.name, percent(chance))
        }
    })
}

fn profile(s: &ProfileStmt) -> Line<'_> {
    plain(match s {
        ProfileStmt::Signal {
            event,
            fields,
            rate: r,
        } => {
            let mut text = format!("signal {}", event.name);
            for (i, a) in fields.iter().enumerate() {
                text.push_str(if i == 0 { " with " } else { " and " });
                text.push_str(&a.field.name);
                text.push_str(" = ");
                text.push_str(&expr::literal(&a.value));
            }
            match r {
                Some(r) => {
                    text.push(' ');
                    text.push_str(&rate(r));
                }
                None => text.push_str(" on arrival"),
            }
            text
        }
        ProfileStmt::Responds { chance, event } => {
            format!("responds {} as {}", percent(chance), event.name)
        }
        ProfileStmt::Lasts(d) => format!("intent lasts {}", distribution(d)),
    })
}

fn staff(s: &StaffStmt) -> Line<'_> {
    plain(match s {
        StaffStmt::Sellers(n) => format!("sellers {}", num(n)),
        StaffStmt::Handle(d) => format!("handle {}", distribution(d)),
        StaffStmt::FollowUp { channel, dist } => match channel {
            Some(c) => format!("follow-up {} {}", c.name, distribution(dist)),
            None => format!("follow-up {}", distribution(dist)),
        },
        StaffStmt::Prefer { new_leads } => {
            format!(
                "prefer {}",
                if *new_leads {
                    "new leads"
                } else {
                    "follow-ups"
                }
            )
        }
        StaffStmt::PickupDelay(d) => format!("pickup delay {}", distribution(d)),
        StaffStmt::Calendar(c) => format!("calendar {}", c.name),
        StaffStmt::AroundTheClock => "around the clock".to_string(),
    })
}
