//! Event filters resolved once per playbook. Most `where` clauses read one enum field of their
//! event (`where category in [pricing, demo]`), so whether an event passes is a bit of a mask
//! over that field's values: scoring an event tests a bit instead of walking a condition.

use super::cond::Scope;
use super::state::LeadState;
use crate::ir::{Cond, EventDef, FieldRef, FieldType, Playbook, Value};

/// A `where` clause as the engine tests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    /// No clause: every event passes.
    Always,
    /// The clause reads only enum field `field` of the event; value `v` passes when bit `v` of
    /// `mask` is set.
    Enum { field: usize, mask: u64 },
    /// Anything else: the condition is evaluated.
    Cond,
}

impl Filter {
    /// Resolves the filter of an event definition of a playbook.
    pub(crate) fn resolve(playbook: &Playbook, cond: &Cond, event: &EventDef) -> Filter {
        if matches!(cond, Cond::True) {
            return Filter::Always;
        }
        let Some(field) = single_enum_field(cond) else {
            return Filter::Cond;
        };
        let values = match event.fields.get(usize::from(field)).map(|f| &f.ty) {
            Some(FieldType::OneOf { values }) if values.len() <= 64 => values.len(),
            _ => return Filter::Cond,
        };
        // The condition reads nothing but that field, so testing it on an event with each
        // value there (and defaults elsewhere) for any lead tells which values pass.
        let lead = LeadState::default();
        let mut fields: Vec<Value> = event.fields.iter().map(|f| f.ty.default_value()).collect();
        let mut mask = 0u64;
        for v in 0..values {
            if let (Some(slot), Ok(value)) = (fields.get_mut(usize::from(field)), u16::try_from(v))
            {
                *slot = Value::Enum(value);
            }
            let scope = Scope {
                playbook,
                lead: &lead,
                event: &fields,
                now: 0,
            };
            if scope.holds(cond) {
                mask |= 1 << v;
            }
        }
        Filter::Enum {
            field: usize::from(field),
            mask,
        }
    }

    /// Whether an event passes; `scope` evaluates the condition itself where it is not resolved
    /// (or the field's value is not an enum, which the engine's input check rules out).
    pub(crate) fn passes(self, fields: &[Value], scope: Scope<'_>, cond: &Cond) -> bool {
        match self {
            Filter::Always => true,
            Filter::Enum { field, mask } => match fields.get(field) {
                Some(Value::Enum(v)) => 1u64.checked_shl(u32::from(*v)).unwrap_or(0) & mask != 0,
                _ => scope.holds(cond),
            },
            Filter::Cond => scope.holds(cond),
        }
    }
}

/// The one event field a condition reads, if it is built only of `and`, `or`, `not` and
/// enum tests of that field.
fn single_enum_field(cond: &Cond) -> Option<u16> {
    fn visit(cond: &Cond, seen: &mut Option<u16>) -> bool {
        match cond {
            Cond::True => true,
            Cond::And { all: parts } | Cond::Or { any: parts } => {
                parts.iter().all(|c| visit(c, seen))
            }
            Cond::Not { cond } => visit(cond, seen),
            Cond::EnumIn {
                field: FieldRef::Event(i),
                ..
            } => *seen.get_or_insert(*i) == *i,
            _ => false,
        }
    }
    let mut seen = None;
    if visit(cond, &mut seen) {
        seen
    } else {
        None
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::ir::FieldDef;
    use proptest::prelude::*;

    fn event() -> EventDef {
        let one_of = |n: usize| FieldType::OneOf {
            values: (0..n).map(|i| format!("v{i}")).collect(),
        };
        EventDef {
            name: "page_view".into(),
            fields: vec![
                FieldDef {
                    name: "category".into(),
                    ty: one_of(6),
                },
                FieldDef {
                    name: "kind".into(),
                    ty: one_of(3),
                },
                FieldDef {
                    name: "seats".into(),
                    ty: FieldType::Number,
                },
            ],
        }
    }

    /// A playbook to evaluate event conditions in (they read nothing of it).
    fn probe() -> Playbook {
        crate::check::compile(crate::span::FileId(0), "playbook probe {\n}\n")
            .playbook
            .unwrap()
    }

    /// Conditions over the event's two enum fields and its number, nested.
    fn cond() -> impl Strategy<Value = Cond> {
        let leaf = prop_oneof![
            Just(Cond::True),
            (0u16..2, 0u64..64).prop_map(|(i, mask)| Cond::EnumIn {
                field: FieldRef::Event(i),
                mask
            }),
            (0.0..10.0f64).prop_map(|c| Cond::Compare {
                lhs: crate::ir::Num::Field(FieldRef::Event(2)),
                cmp: crate::ir::Cmp::Ge,
                rhs: crate::ir::Num::Const(c),
            }),
        ];
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..3).prop_map(|all| Cond::And { all }),
                prop::collection::vec(inner.clone(), 1..3).prop_map(|any| Cond::Or { any }),
                inner.prop_map(|c| Cond::Not { cond: Box::new(c) }),
            ]
        })
    }

    proptest! {
        /// A resolved filter passes exactly the events the condition holds for.
        #[test]
        fn resolving_keeps_what_passes(cond in cond(), category in 0u16..6, kind in 0u16..3, seats in 0.0..10.0f64) {
            let (playbook, lead) = (probe(), LeadState::default());
            let fields = [Value::Enum(category), Value::Enum(kind), Value::Number(seats)];
            let scope = Scope { playbook: &playbook, lead: &lead, event: &fields, now: 0 };
            let filter = Filter::resolve(&playbook, &cond, &event());
            prop_assert_eq!(filter.passes(&fields, scope, &cond), scope.holds(&cond));
        }
    }

    #[test]
    fn one_enum_field_resolves_to_its_mask() {
        let cond = Cond::Or {
            any: vec![
                Cond::EnumIn {
                    field: FieldRef::Event(0),
                    mask: 0b11,
                },
                Cond::Not {
                    cond: Box::new(Cond::EnumIn {
                        field: FieldRef::Event(0),
                        mask: 0b111110,
                    }),
                },
            ],
        };
        assert_eq!(
            Filter::resolve(&probe(), &cond, &event()),
            Filter::Enum {
                field: 0,
                mask: 0b11
            }
        );
        assert_eq!(
            Filter::resolve(&probe(), &Cond::True, &event()),
            Filter::Always
        );
        let two_fields = Cond::And {
            all: vec![
                Cond::EnumIn {
                    field: FieldRef::Event(0),
                    mask: 1,
                },
                Cond::EnumIn {
                    field: FieldRef::Event(1),
                    mask: 1,
                },
            ],
        };
        assert_eq!(
            Filter::resolve(&probe(), &two_fields, &event()),
            Filter::Cond
        );
    }
}
