//! Plans agree with the conditions they were compiled from.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use crate::engine::{Engine, Input};
use crate::ir::{Band, FieldDef, FieldRef};
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
    /// A compiled event filter passes exactly the events the condition holds for, including
    /// events whose enum field holds something else (which the engine's input check rules
    /// out).
    #[test]
    fn compiled_filters_agree_with_conditions(
        cond in cond(),
        category in prop_oneof![(0u16..6).prop_map(Value::Enum), Just(Value::Flag(false))],
        kind in 0u16..3,
        seats in 0.0..10.0f64,
    ) {
        let (playbook, lead) = (probe(), LeadState::default());
        let fields = [category, Value::Enum(kind), Value::Number(seats)];
        let scope = Scope { playbook: &playbook, lead: &lead, event: &fields, now: 0 };
        let plan = Plan::new(&playbook, &cond, Some(&event()));
        prop_assert_eq!(plan.holds(&scope), scope.holds(&cond));
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
    let node = |cond: &Cond| Plan::new(&probe(), cond, Some(&event())).node;
    // A value that is not an enum fails both tests, and `not` of a failed test holds.
    assert!(matches!(
        node(&cond),
        Node::EventEnum {
            field: 0,
            otherwise: true,
            mask: 0b11
        }
    ));
    assert!(matches!(node(&Cond::True), Node::Always));
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
    assert!(matches!(node(&two_fields), Node::All(_)));
}

fn band(from: Option<f64>, to: Option<f64>) -> Band {
    Band {
        name: String::new(),
        from,
        to,
    }
}

#[test]
fn thresholds_of_band_selections() {
    let grades = [
        band(Some(70.0), None),
        band(Some(40.0), Some(70.0)),
        band(None, Some(40.0)),
    ];
    assert_eq!(band_threshold(&grades, 0b001), Some(70.0));
    assert_eq!(band_threshold(&grades, 0b011), Some(40.0));
    assert_eq!(band_threshold(&grades, 0b111), Some(f64::NEG_INFINITY));
    assert_eq!(band_threshold(&grades, 0b000), Some(f64::INFINITY));
    assert_eq!(band_threshold(&grades, 0b010), None);
    assert_eq!(band_threshold(&grades, 0b100), None);
    // A gap between bands is in no band.
    let gapped = [band(Some(70.0), None), band(Some(40.0), Some(60.0))];
    assert_eq!(band_threshold(&gapped, 0b01), Some(70.0));
    assert_eq!(band_threshold(&gapped, 0b11), None);
}

/// The seed playbook's state rules and track exits, compiled (once: the proptest below
/// reads them in every case).
fn seed() -> &'static (Engine, Vec<(Cond, Plan)>) {
    static SEED: std::sync::OnceLock<(Engine, Vec<(Cond, Plan)>)> = std::sync::OnceLock::new();
    SEED.get_or_init(compile_seed)
}

fn compile_seed() -> (Engine, Vec<(Cond, Plan)>) {
    let src = std::fs::read_to_string("playbooks/seed-matrix.playbook").unwrap();
    let playbook = crate::check::compile(crate::span::FileId(0), &src)
        .playbook
        .unwrap();
    let mut conds: Vec<Cond> = (playbook.handoffs.iter())
        .filter(|h| h.trigger.on.is_empty())
        .map(|h| h.trigger.when.clone())
        .chain((playbook.tracks.iter()).flat_map(|t| t.exits.iter().map(|e| e.when.clone())))
        .collect();
    // Band selections and count comparisons of every shape the compiler handles, and
    // some it leaves as written.
    let grade = playbook.band_sets[0].clone();
    let counter = CounterId(0);
    for mask in 0..(1u64 << grade.bands.len()) {
        conds.push(Cond::BandIn {
            bands: BandSetId(0),
            mask,
        });
    }
    for cmp in [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge] {
        for n in [0.0, 1.0, 2.5, 3.0, 70.0] {
            conds.push(Cond::Compare {
                lhs: Num::Count(counter),
                cmp,
                rhs: Num::Const(n),
            });
            conds.push(Cond::Compare {
                lhs: Num::Const(n),
                cmp,
                rhs: Num::Count(counter),
            });
        }
    }
    let tests = conds
        .into_iter()
        .map(|c| {
            let t = Plan::new(&playbook, &c, None);
            (c, t)
        })
        .collect();
    (Engine::new(&playbook).unwrap(), tests)
}

/// Drives a lead of the seed playbook through a history of (event kind, page category, gap
/// in seconds), calling `check` with its state and a time at each step and half a gap after.
fn drive(
    history: &[(usize, u16, i64)],
    segment: u16,
    employees: f64,
    mut check: impl FnMut(&LeadState, i64),
) {
    let (engine, _) = seed();
    let playbook = engine.playbook();
    let event = |name: &str| playbook.events.iter().position(|e| e.name == name).unwrap();
    let mut attributes: Vec<Value> = playbook
        .fields
        .iter()
        .map(|f| f.ty.default_value())
        .collect();
    attributes[0] = Value::Enum(segment);
    attributes[2] = Value::Number(employees);
    let (mut lead, mut out, mut now) = (LeadState::default(), Vec::new(), 1_800_000_000);
    let arrive = Input::Arrive {
        attributes,
        source: None,
    };
    let _ = engine.step(&mut lead, &arrive, now, &mut out);
    for &(kind, category, gap) in history {
        now += gap;
        let (e, fields) = match kind {
            0 => (event("page_view"), vec![Value::Enum(category)]),
            1 => (event("email_click"), vec![]),
            _ => (event("event_attended"), vec![]),
        };
        let input = Input::Event {
            event: crate::ir::EventId(e as u32),
            fields,
        };
        let _ = engine.step(&mut lead, &input, now, &mut out);
        check(&lead, now);
        check(&lead, now + gap / 2);
    }
}

/// The first compiled test that disagrees with its condition along a history, and when.
fn first_disagreement(
    history: &[(usize, u16, i64)],
    segment: u16,
    employees: f64,
) -> Option<(Cond, i64)> {
    let (engine, tests) = seed();
    let mut found = None;
    drive(history, segment, employees, |lead, at| {
        let scope = Scope::state(engine.playbook(), lead, at);
        let wrong = tests
            .iter()
            .find(|(c, t)| t.holds(&scope) != scope.holds(c));
        if let (None, Some((cond, _))) = (&found, wrong) {
            found = Some((cond.clone(), at));
        }
    });
    found
}

/// A mid-market lead of 200 employees or more in EMEA has 50 fit points; an attendance
/// adds 20 intent points, so at that instant its grade sum is exactly 70, band A's bound,
/// which a threshold off by the bound's equality gets wrong.
#[test]
fn a_sum_on_the_band_bound_is_in_the_band() {
    let history = [(2, 0, 0)];
    let (engine, _) = seed();
    let mut sums = Vec::new();
    drive(&history, 1, 297.9, |lead, at| {
        sums.push(scoring::band_sum(engine.playbook(), lead, BandSetId(0), at));
    });
    assert_eq!(sums, [Some(70.0), Some(70.0)]);
    assert_eq!(first_disagreement(&history, 1, 297.9), None);
}

proptest! {
    /// Along any history of page views, clicks and attendances, every compiled test agrees
    /// with the condition it was compiled from, at every step and between steps.
    #[test]
    fn compiled_state_tests_agree_with_conditions(
        history in prop::collection::vec((0usize..3, 0u16..6, 0i64..4 * 86_400), 1..60),
        segment in 0u16..3,
        employees in 0.0..500.0f64,
    ) {
        prop_assert_eq!(first_disagreement(&history, segment, employees), None);
    }
}

/// Whether the `when` of a state rule in a small playbook only rises.
fn rises(when: &str) -> bool {
    let src = format!(
        r#"
playbook probe {{
  calendar office
}}

calendar office {{
  timezone "Europe/London"
  hours mon to fri 09:00 to 17:30
}}

lead {{
  segment: one of smb, enterprise
}}

event visit

event unsubscribe

score fit {{
  add 20 when segment = enterprise
}}

score intent {{
  decay half-life 1d
  add 10 per visit
}}

score mood {{
  decay half-life 1d
  add -5 per unsubscribe
}}

bands grade by fit + intent {{
  band A from 40
  band B from 15 to 40
  band C below 15
}}

handoff probe {{
  when {when}
  route to sdr
  sla 1h
  on breach {{
notify manager
  }}
}}

queue sdr {{
  members ann
}}
"#
    );
    let compiled = crate::check::compile(crate::span::FileId(0), &src);
    let playbook = compiled.playbook.expect("the probe compiles");
    rises_only(&playbook, &playbook.handoffs[0].trigger.when)
}

#[test]
fn conditions_that_time_can_only_lower_rise_only() {
    for when in [
        "intent >= 15",
        "intent > 15",
        "15 <= intent",
        "count visit within 2d >= 1",
        "grade = A",
        "grade in [A, B]",
        "segment = enterprise",
        "not (segment = enterprise)",
        "intent >= 15 and segment = smb",
        "grade = A or count visit within 1d > 2",
    ] {
        assert!(rises(when), "{when}");
    }
    for when in [
        "intent < 15",
        "intent = 15",
        "intent != 15",
        "count visit within 2d = 1",
        "count visit within 2d < 3",
        "grade = B",
        "grade = C",
        "grade in [A, C]",
        "not (intent >= 15)",
        "mood >= -5",
        "segment = smb and intent <= 10",
    ] {
        assert!(!rises(when), "{when}");
    }
}
